/* Config parser: every bad-input class gives one message naming file, line
 * and key, with the allowed range; good input yields the typed values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "esuite/status.h"

static const es_key_spec test_schema[] = {
    {"gas", "N", ES_KEY_INT, "1000", 2, 1e7, NULL, "", "Number of discs."},
    {"gas", "packing_fraction", ES_KEY_DOUBLE, "0.05", 1e-6, 0.7, NULL, "1", "Area fraction."},
    {"gas", "periodic_y", ES_KEY_BOOL, "true", 0, 0, NULL, "", "Periodic in y."},
    {"gas", "walls", ES_KEY_ENUM, "centre", 0, 0, "centre|rim", "", "Wall contact."},
    {"gas", "dv", ES_KEY_LIST, "0.5", 1e-9, 100, NULL, "v0", "Velocity cells."},
    {"gas", "dy", ES_KEY_LIST, "0", 0, 1, "full=0", "ly", "Cell heights; full = strips."},
    {"gas", "label", ES_KEY_STRING, "x", 0, 0, NULL, "", "A label."},
    {"gas", "t_end", ES_KEY_DOUBLE, NULL, 0, 1e9, NULL, "tau", "End time (required)."},
    ES_KEY_END};

static int load(const char *text, es_config **cfg, const char *const *ov, int nov)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), test_schema, NULL};
    es_error_clear();
    return es_config_load_string(text, "t.ini", schemas, ov, nov, cfg);
}

static void expect_error(const char *text, const char *needle1, const char *needle2)
{
    es_config *cfg = NULL;
    int st = load(text, &cfg, NULL, 0);
    assert_int_equal(st, ES_ECONFIG);
    assert_null(cfg);
    const char *msg = es_error_message();
    if (!strstr(msg, needle1) || (needle2 && !strstr(msg, needle2)))
        fail_msg("message '%s' lacks '%s' / '%s'", msg, needle1, needle2 ? needle2 : "");
    assert_null(strchr(msg, '\n')); /* one line */
}

static void test_values_and_defaults(void **state)
{
    (void)state;
    es_config *cfg;
    const char *text = "[run]\nmodel = gas\nseed = 42\n\n[gas]\nN = 1e4\npacking_fraction = 0.2\n"
                       "periodic_y = no\nwalls = rim\ndv = 0.25, 0.5 ,1\nt_end = 12.5\n";
    assert_int_equal(load(text, &cfg, NULL, 0), ES_OK);
    assert_int_equal(es_config_int(cfg, "gas", "N"), 10000);
    assert_true(es_config_double(cfg, "gas", "packing_fraction") == 0.2);
    assert_false(es_config_bool(cfg, "gas", "periodic_y"));
    assert_int_equal(es_config_enum(cfg, "gas", "walls"), 1);
    const double *dv;
    assert_int_equal(es_config_list(cfg, "gas", "dv", &dv), 3);
    assert_true(dv[0] == 0.25);
    assert_true(dv[2] == 1.0);
    assert_int_equal(es_config_int(cfg, "run", "seed"), 42);
    assert_int_equal(es_config_int(cfg, "run", "threads"), 0);        /* default */
    assert_string_equal(es_config_string(cfg, "run", "name"), "run"); /* default */
    assert_true(es_config_was_set(cfg, "gas", "N"));
    assert_false(es_config_was_set(cfg, "gas", "label"));
    char *ini = es_config_to_ini(cfg);
    assert_non_null(strstr(ini, "[gas]\nN = 1e4\n"));
    assert_non_null(strstr(ini, "threads = 0\n"));
    free(ini);
    es_config_free(cfg);
}

static void test_resolved_config_round_trips(void **state)
{
    (void)state;
    es_config *a, *b;
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nt_end = 3\nN = 77\n", &a, NULL, 0), ES_OK);
    char *ini = es_config_to_ini(a);
    assert_int_equal(load(ini, &b, NULL, 0), ES_OK);
    assert_int_equal(es_config_int(b, "gas", "N"), 77);
    assert_true(es_config_double(b, "gas", "t_end") == 3.0);
    free(ini);
    es_config_free(a);
    es_config_free(b);
}

static void test_unknown_key_suggests(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = gas\nsede = 3\n", "t.ini:3: unknown key 'run.sede'",
                 "did you mean 'run.seed'?");
    expect_error("[run]\nmodel = gas\nN = 3\n", "t.ini:3: unknown key 'run.N'", "belongs to section [gas]");
    /* a key of another section wins over a near miss here ('seed' is 3 edits from 't_end') */
    expect_error("[run]\nmodel = gas\n[gas]\nt_end = 1\nseed = 3\n", "t.ini:5: unknown key 'gas.seed'",
                 "(did you mean 'run.seed'? it belongs to section [run])");
}

static void test_unknown_section_suggests(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = gas\n[gass]\nN = 3\n", "t.ini:3: unknown section [gass]", "did you mean [gas]?");
}

static void test_wrong_type(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = gas\n[gas]\nt_end = 1\nN = lots\n",
                 "t.ini:5: key 'gas.N': expected an integer, got 'lots'", "allowed range 2 .. 10000000");
    expect_error("[run]\nmodel = gas\n[gas]\nt_end = 1\nN = 10.5\n", "t.ini:5: key 'gas.N'", "integer");
    expect_error("[gas]\nt_end = 1\npacking_fraction = 0.1x\n", "t.ini:3: key 'gas.packing_fraction'",
                 "expected a number");
    expect_error("[gas]\nt_end = 1\nperiodic_y = maybe\n", "t.ini:3: key 'gas.periodic_y'", "boolean");
    expect_error("[gas]\nt_end = nan\n", "t.ini:2: key 'gas.t_end'", "expected a number");
    expect_error("[gas]\nt_end = 1\ndv = 0.5,,1\n", "t.ini:3: key 'gas.dv': element 2", "expected a number");
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_error("[gas]\nt_end = 1\npacking_fraction = 0.95\n",
                 "t.ini:3: key 'gas.packing_fraction': value 0.95 is out of range", "0.7");
    expect_error("[run]\nthreads = -1\n", "t.ini:2: key 'run.threads'", "allowed range 0 .. 4096");
    expect_error("[gas]\nt_end = 1\nwalls = middle\n", "t.ini:3: key 'gas.walls': 'middle' is not a valid choice",
                 "centre|rim");
    expect_error("[run]\nmodel = plasma\n", "t.ini:2: key 'run.model': 'plasma' is not a valid choice",
                 "gas|school|orbits");
}

static void test_malformed_and_structure(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = gas\nthis line has no equals sign\n", "t.ini:3: malformed line", NULL);
    expect_error("seed = 1\n[run]\n", "t.ini:1: key 'seed' appears before any [section]", NULL);
    expect_error("[run]\nseed = 1\nseed = 2\n", "t.ini:3: key 'run.seed' is given twice", "line 2");
    expect_error("[run]\nmodel = gas\n", "missing required key 'gas.t_end'", NULL);
}

static void test_overrides_recorded(void **state)
{
    (void)state;
    es_config *cfg;
    const char *ov[] = {"gas.N=500", "run.seed=7"};
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nN = 100\nt_end = 1\n", &cfg, ov, 2), ES_OK);
    assert_int_equal(es_config_int(cfg, "gas", "N"), 500);
    assert_int_equal(es_config_int(cfg, "run", "seed"), 7);
    char *txt = es_config_overrides_text(cfg);
    assert_string_equal(txt, "gas.N=500\nrun.seed=7\n");
    free(txt);
    char *ini = es_config_to_ini(cfg);
    assert_non_null(strstr(ini, "N = 500    ; set on the command line"));
    free(ini);
    es_config_free(cfg);
}

/* '--set "gas.N = 500"' reads as the config line 'N = 500' does: blanks
 * around the whole and the '=' dropped, recorded as "gas.N=500" (it was the
 * unknown key 'gas.N '); blanks inside a value stay; a later error names the
 * recorded form. */
static void test_override_blanks(void **state)
{
    (void)state;
    es_config *cfg;
    const char *ov[] = {" gas.N = 500 ", "gas.label=\ta b\t", "gas.dv =1, 2"};
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nN = 100\nt_end = 1\n", &cfg, ov, 3), ES_OK);
    assert_int_equal(es_config_int(cfg, "gas", "N"), 500);
    assert_string_equal(es_config_string(cfg, "gas", "label"), "a b");
    char *txt = es_config_overrides_text(cfg);
    assert_string_equal(txt, "gas.N=500\ngas.label=a b\ngas.dv=1, 2\n");
    free(txt);
    const es_config_keyref k[] = {{"gas", "N"}, {"gas", "t_end"}};
    assert_int_equal(es_config_blame_error(cfg, k, 2, "clash"), ES_ECONFIG);
    assert_string_equal(es_error_message(), "--set gas.N=500: key 'gas.N': clash");
    es_config_free(cfg);
    const char *bad[] = {"gas.N = 1"};
    assert_int_equal(load("[gas]\nt_end = 1\n", &cfg, bad, 1), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), "--set gas.N=1: key 'gas.N': value 1 is out of range"));
}

/* A cross-key error names the key a --set changed (given after the whole
 * file), else the key on the latest line, else one given only by --set. */
static void test_blame(void **state)
{
    (void)state;
    const es_config_keyref k[] = {{"gas", "N"}, {"gas", "packing_fraction"}, {"gas", "t_end"}};
    const char *text = "[run]\nmodel = gas\n[gas]\nN = 100\npacking_fraction = 0.1\nt_end = 1\n";
    es_config *cfg;
    assert_int_equal(load(text, &cfg, NULL, 0), ES_OK);
    assert_string_equal(es_config_blame(cfg, k, 3).key, "t_end"); /* line 6 */
    assert_string_equal(es_config_blame(cfg, k, 2).key, "packing_fraction");
    assert_int_equal(es_config_blame_error(cfg, k, 2, "clash"), ES_ECONFIG);
    assert_string_equal(es_error_message(), "t.ini:5: key 'gas.packing_fraction': clash");
    es_config_free(cfg);
    const char *ov[] = {"gas.N=5"};
    assert_int_equal(load(text, &cfg, ov, 1), ES_OK);
    assert_string_equal(es_config_blame(cfg, k, 3).key, "N"); /* line 4, but overridden */
    assert_int_equal(es_config_blame_error(cfg, k, 3, "clash"), ES_ECONFIG);
    assert_string_equal(es_error_message(), "--set gas.N=5: key 'gas.N': clash");
    es_config_free(cfg);
    const char *ov2[] = {"gas.dv=1"};
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nt_end = 1\n", &cfg, ov2, 1), ES_OK);
    const es_config_keyref k2[] = {{"gas", "N"}, {"gas", "dv"}};
    assert_string_equal(es_config_blame(cfg, k2, 2).key, "dv");
    es_config_free(cfg);
    /* two keys both from --set: the one given last on the command line, in
     * either order of k (it was the last of k, whatever the order given) */
    const char *ov3[] = {"gas.t_end=2", "gas.N=7"};
    assert_int_equal(load(text, &cfg, ov3, 2), ES_OK);
    assert_string_equal(es_config_blame(cfg, k, 3).key, "N");
    const es_config_keyref k3[] = {{"gas", "t_end"}, {"gas", "N"}};
    assert_string_equal(es_config_blame(cfg, k3, 2).key, "N");
    es_config_free(cfg);
    const char *ov4[] = {"gas.N=7", "gas.t_end=2", "gas.N=8"};
    assert_int_equal(load(text, &cfg, ov4, 3), ES_OK);
    assert_string_equal(es_config_blame(cfg, k, 3).key, "N"); /* its last --set is the latest */
    assert_int_equal(es_config_blame_error(cfg, k3, 2, "clash"), ES_ECONFIG);
    assert_string_equal(es_error_message(), "--set gas.N=8: key 'gas.N': clash");
    es_config_free(cfg);
}

static void test_bad_overrides(void **state)
{
    (void)state;
    es_config *cfg;
    const char *bad1[] = {"gas.NN=5"};
    assert_int_equal(load("[gas]\nt_end = 1\n", &cfg, bad1, 1), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), "--set gas.NN=5: unknown key 'gas.NN' (did you mean 'gas.N'?)"));
    const char *bad2[] = {"gas.N=1"};
    assert_int_equal(load("[gas]\nt_end = 1\n", &cfg, bad2, 1), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), "--set gas.N=1: key 'gas.N': value 1 is out of range"));
    const char *bad3[] = {"N=5"};
    assert_int_equal(load("[gas]\nt_end = 1\n", &cfg, bad3, 1), ES_ECONFIG);
    assert_non_null(strstr(es_error_message(), "expected section.key=value"));
}

static void test_long_line_rejected(void **state)
{
    (void)state;
    char text[6000] = "[gas]\nt_end = 1\nlabel = ";
    size_t n = strlen(text);
    memset(text + n, 'a', 5000);
    text[n + 5000] = '\n';
    text[n + 5001] = '\0';
    expect_error(text, "t.ini:3: line longer than", NULL);
}

/* Lines longer than inih's 200-byte buffer (a long list of times) are read
 * whole, with inih's rules for separators and inline comments; indented keys
 * are ordinary keys (inih alone would append them to the key above). */
static void test_long_and_indented_lines(void **state)
{
    (void)state;
    char text[8192], list[4096] = "";
    for (int i = 1; i <= 300; i++) /* 300 elements, about 1600 characters */
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%g", i > 1 ? ", " : "", 0.25 * i);
    snprintf(text, sizeof text,
             "[run]\n  model = gas\n\t seed = 9\n; %0400d\n[gas]\n  t_end = 2\n    dv = %s   ; comment\n"
             "label: %0300d\n",
             0, list, 7);
    es_config *cfg;
    assert_int_equal(load(text, &cfg, NULL, 0), ES_OK);
    assert_int_equal(es_config_int(cfg, "run", "seed"), 9);
    assert_true(es_config_double(cfg, "gas", "t_end") == 2.0);
    const double *dv;
    assert_int_equal(es_config_list(cfg, "gas", "dv", &dv), 300);
    assert_true(dv[0] == 0.25 && dv[149] == 37.5 && dv[299] == 75.0);
    assert_int_equal(es_config_line(cfg, "gas", "dv"), 7);
    assert_int_equal((int)strlen(es_config_string(cfg, "gas", "label")), 300);
    char *ini = es_config_to_ini(cfg); /* the resolved config, with its long line, reloads */
    es_config *again;
    assert_int_equal(load(ini, &again, NULL, 0), ES_OK);
    assert_int_equal(es_config_list(again, "gas", "dv", &dv), 300);
    assert_true(dv[299] == 75.0);
    free(ini);
    es_config_free(again);
    es_config_free(cfg);
    /* a long line still names its line and key when it is wrong */
    snprintf(text, sizeof text, "[run]\nmodel = gas\n[gas]\nt_end = 1\nbogus = %s\n", list);
    expect_error(text, "t.ini:5: unknown key 'gas.bogus'", NULL);
    snprintf(text, sizeof text, "[run]\nmodel = gas\n[gas]\nt_end = 1\ndv = %s, x\n", list);
    expect_error(text, "t.ini:5: key 'gas.dv': element 301: expected a number, got 'x'", NULL);
    snprintf(text, sizeof text, "[run]\nmodel = gas\n[gas]\nt_end = 1\n%s\n", list);
    expect_error(text, "t.ini:5: malformed line", NULL);
    /* an indented line without a key is no longer a silent continuation */
    expect_error("[gas]\nt_end = 1\n   0.5, 1\n", "t.ini:3: malformed line", NULL);
    expect_error("[gas]\nt_end = 1\n  t_end = 2\n", "t.ini:3: key 'gas.t_end' is given twice", "line 2");
}

/* es_config_peek_model reads the file by the same line rules. */
static void test_peek_model_indented(void **state)
{
    (void)state;
    char path[] = "/tmp/esuite-peek-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "[run]\n  name = a\n  model = orbits\n");
    fclose(fp);
    char model[32];
    assert_int_equal(es_config_peek_model(path, model, sizeof model), ES_OK);
    assert_string_equal(model, "orbits");
    unlink(path);
}

/* A list whose spec names a word ("full=0", [entropy] dy): the word stands
 * for its number in any element, a near miss is an error that names it. */
static void test_list_word(void **state)
{
    (void)state;
    es_config *cfg;
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nt_end = 1\ndy = 0.25, full ,0.5\n", &cfg, NULL, 0), ES_OK);
    const double *dy;
    assert_int_equal(es_config_list(cfg, "gas", "dy", &dy), 3);
    assert_true(dy[0] == 0.25 && dy[1] == 0.0 && dy[2] == 0.5);
    char *ini = es_config_to_ini(cfg); /* the resolved config keeps the word and reloads */
    assert_non_null(strstr(ini, "dy = 0.25, full ,0.5\n"));
    es_config *again;
    assert_int_equal(load(ini, &again, NULL, 0), ES_OK);
    assert_int_equal(es_config_list(again, "gas", "dy", &dy), 3);
    assert_true(dy[1] == 0.0);
    free(ini);
    es_config_free(again);
    es_config_free(cfg);
    expect_error("[gas]\nt_end = 1\ndy = ful\n", "t.ini:3: key 'gas.dy': element 1: expected a number, got 'ful'",
                 "(allowed range 0 .. 1, or full (= 0))");
    expect_error("[gas]\nt_end = 1\ndy = full=0\n", "t.ini:3: key 'gas.dy': element 1", "got 'full=0'");
    /* the word belongs to its key only */
    expect_error("[gas]\nt_end = 1\ndv = full\n", "t.ini:3: key 'gas.dv': element 1", "got 'full'");
}

/* es_config_given: a value equal to the default, however written, is not
 * "given" (resolved configs list every key), anything else is. */
static void test_given(void **state)
{
    (void)state;
    es_config *cfg;
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nt_end = 1\nN = 1.0e3\npacking_fraction = 0.050\n"
                          "periodic_y = yes\nwalls = centre\ndv = 0.50\ndy = full\n", &cfg, NULL, 0), ES_OK);
    const char *same[] = {"N", "packing_fraction", "periodic_y", "walls", "dv", "dy", "label"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (es_config_given(cfg, "gas", same[i]))
            fail_msg("gas.%s at its default counts as given", same[i]);
    assert_true(es_config_given(cfg, "gas", "t_end")); /* required: no default */
    es_config_free(cfg);
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nt_end = 1\nN = 1001\npacking_fraction = 0.04\n"
                          "periodic_y = off\nwalls = rim\ndv = 0.5, 0.5\ndy = 0.5\nlabel = y\n", &cfg, NULL, 0), ES_OK);
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (!es_config_given(cfg, "gas", same[i]))
            fail_msg("gas.%s away from its default does not count as given", same[i]);
    es_config_free(cfg);
}

static void test_schema_markdown(void **state)
{
    (void)state;
    const es_key_spec *schemas[] = {test_schema, NULL};
    char *md = es_config_schema_markdown(schemas);
    assert_non_null(strstr(md, "### [gas]"));
    assert_non_null(strstr(md, "| `packing_fraction` | number | 0.05 | 1e-06 .. 0.7 | 1 | Area fraction. |"));
    assert_non_null(strstr(md, "| `walls` | choice | centre | centre/rim | - | Wall contact. |"));
    assert_non_null(strstr(md, "| `t_end` | number | required |"));
    assert_non_null(strstr(md, "| `dy` | list | 0 | 0 .. 1, or full (= 0) | ly |"));
    free(md);
}

/* Integers written as digits are exact beyond a double's 2^53 (two seeds a
 * unit apart were read as one); integral reals are integers too. */
static void test_exact_integers(void **state)
{
    (void)state;
    es_config *cfg;
    assert_int_equal(load("[run]\nmodel = gas\nseed = 9007199254740993\n[gas]\nt_end = 1\nN = 150.0\n",
                          &cfg, NULL, 0), 0);
    assert_true(es_config_int(cfg, "run", "seed") == 9007199254740993LL);
    assert_int_equal(es_config_int(cfg, "gas", "N"), 150);
    es_config_free(cfg);
    const char *ov[] = {"run.seed=9199999999999999999"};
    assert_int_equal(load("[run]\nmodel = gas\n[gas]\nt_end = 1\n", &cfg, ov, 1), 0);
    assert_true(es_config_int(cfg, "run", "seed") == 9199999999999999999LL);
    es_config_free(cfg);
    expect_error("[run]\nmodel = gas\nseed = 9300000000000000000\n[gas]\nt_end = 1\n",
                 "t.ini:3: key 'run.seed': value 9300000000000000000 is out of range", NULL);
}

/* An integer key's range is compared and printed as integers: the seed's limit
 * is INT64_MAX exactly (it printed as 9.2e+18), 1e12 steps print as digits, and
 * the value as written. */
static const es_key_spec int_schema[] = {
    {"t", "steps", ES_KEY_INT, "0", 0, 1e12, NULL, "", "Steps."},
    {"t", "offset", ES_KEY_INT, "0", -ES_KEY_INT_MAX, ES_KEY_INT_MAX, NULL, "", "Any int64."}, /* -2^63: INT64_MIN */
    ES_KEY_END};

static void expect_int_error(const char *text, const char *want)
{
    const es_key_spec *schemas[] = {es_config_core_schema(), int_schema, NULL};
    es_config *cfg = NULL;
    es_error_clear();
    assert_int_equal(es_config_load_string(text, "t.ini", schemas, NULL, 0, &cfg), ES_ECONFIG);
    assert_null(cfg);
    assert_string_equal(es_error_message(), want);
}

static void test_integer_ranges_exact(void **state)
{
    (void)state;
    expect_error("[run]\nmodel = gas\nseed = 9223372036854775808\n[gas]\nt_end = 1\n",
                 "t.ini:3: key 'run.seed': value 9223372036854775808 is out of range "
                 "(allowed range 0 .. 9223372036854775807)", NULL);
    expect_error("[run]\nmodel = gas\nseed = -1\n[gas]\nt_end = 1\n",
                 "t.ini:3: key 'run.seed': value -1 is out of range (allowed range 0 .. 9223372036854775807)",
                 NULL);
    expect_error("[run]\nmodel = gas\nseed = 1e19\n[gas]\nt_end = 1\n",
                 "t.ini:3: key 'run.seed': value 1e19 is out of range (allowed range 0 .. 9223372036854775807)",
                 NULL);
    expect_error("[run]\nmodel = gas\nseed = 1.5\n[gas]\nt_end = 1\n",
                 "t.ini:3: key 'run.seed': expected an integer, got '1.5' (allowed range 0 .. 9223372036854775807)",
                 NULL);
    /* the limit itself is a seed */
    es_config *cfg;
    assert_int_equal(load("[run]\nmodel = gas\nseed = 9223372036854775807\n[gas]\nt_end = 1\n", &cfg, NULL, 0),
                     ES_OK);
    assert_true(es_config_int(cfg, "run", "seed") == INT64_MAX);
    es_config_free(cfg);
    /* a value a unit past the limit, which a double rounds onto it, is out of range */
    expect_int_error("[t]\nsteps = 1000000000001\n",
                     "t.ini:2: key 't.steps': value 1000000000001 is out of range (allowed range 0 .. 1000000000000)");
    expect_int_error("[t]\nsteps = 2e12\n",
                     "t.ini:2: key 't.steps': value 2e12 is out of range (allowed range 0 .. 1000000000000)");
    expect_int_error("[t]\nsteps = -5\n",
                     "t.ini:2: key 't.steps': value -5 is out of range (allowed range 0 .. 1000000000000)");
    expect_int_error("[t]\noffset = -9223372036854775809\n",
                     "t.ini:2: key 't.offset': value -9223372036854775809 is out of range (allowed range "
                     "-9223372036854775808 .. 9223372036854775807)");
    const es_key_spec *schemas[] = {es_config_core_schema(), int_schema, NULL};
    assert_int_equal(es_config_load_string("[run]\nmodel = gas\n[t]\nsteps = 1e12\noffset = -9223372036854775808\n", "t.ini",
                                           schemas, NULL, 0, &cfg), ES_OK);
    assert_true(es_config_int(cfg, "t", "steps") == 1000000000000LL);
    assert_true(es_config_int(cfg, "t", "offset") == INT64_MIN);
    es_config_free(cfg);
    /* the key reference prints the same ranges */
    const es_key_spec *docs[] = {es_config_core_schema(), int_schema, NULL};
    char *md = es_config_schema_markdown(docs);
    assert_non_null(md);
    assert_non_null(strstr(md, "| `seed` | integer | 1 | 0 .. 9223372036854775807 | - |"));
    assert_non_null(strstr(md, "| `steps` | integer | 0 | 0 .. 1000000000000 | - |"));
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_defaults), cmocka_unit_test(test_resolved_config_round_trips),
        cmocka_unit_test(test_unknown_key_suggests), cmocka_unit_test(test_unknown_section_suggests),
        cmocka_unit_test(test_wrong_type),           cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_malformed_and_structure), cmocka_unit_test(test_overrides_recorded),
        cmocka_unit_test(test_override_blanks),
        cmocka_unit_test(test_blame),
        cmocka_unit_test(test_bad_overrides),        cmocka_unit_test(test_long_line_rejected),
        cmocka_unit_test(test_list_word),            cmocka_unit_test(test_long_and_indented_lines),
        cmocka_unit_test(test_peek_model_indented),            cmocka_unit_test(test_schema_markdown),
        cmocka_unit_test(test_exact_integers),       cmocka_unit_test(test_integer_ranges_exact),
        cmocka_unit_test(test_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
