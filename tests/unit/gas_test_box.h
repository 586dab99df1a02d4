/* tests/unit/gas_test_box.h — a prepared periodic equilibrium box of hard
 * discs for the engine tests. Include after <cmocka.h>. */
#ifndef ESUITE_GAS_TEST_BOX_H
#define ESUITE_GAS_TEST_BOX_H

#include "esuite/status.h"
#include "gas/gas.h"

/* n discs at packing fraction eta in a square periodic box (no partition). */
static inline es_gas *gas_test_periodic_box(long n, double eta, unsigned long long seed)
{
    es_gas_params par;
    es_gas_params_default(&par);
    par.box = ES_GAS_BOX_PERIODIC;
    par.partition = 0;
    par.seed = seed;
    assert_int_equal(es_gas_box_from(&par, n, eta, 0.0, 1.0), ES_OK);
    es_gas *g = NULL;
    assert_int_equal(es_gas_alloc(&par, &g), ES_OK);
    return g;
}

#endif
