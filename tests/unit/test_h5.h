/* tests/unit/test_h5.h — HDF5 assertions shared by the output tests.
 * Include after <cmocka.h> and <hdf5.h>. */
#ifndef ESUITE_TEST_H5_H
#define ESUITE_TEST_H5_H

/* Attribute `name` of object `obj` (a path from loc) is stored as an integer
 * (not a float) and holds `want`. */
static void assert_h5_integer_attr(hid_t loc, const char *obj, const char *name, long long want)
{
    long long v = -1;
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_INTEGER);
    assert_true(H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0);
    assert_int_equal(v, want);
    H5Tclose(t);
    H5Aclose(a);
}

#endif
