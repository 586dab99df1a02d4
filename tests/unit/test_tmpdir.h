/* tests/unit/test_tmpdir.h — a scratch directory for a test file, as cmocka
 * group fixtures: tmpdir_setup creates `dir` (/tmp/TEST_TMPDIR_NAME_XXXXXX),
 * tmpdir_teardown removes it with everything the tests wrote there.
 * Define TEST_TMPDIR_NAME, then include after <cmocka.h>. */
#ifndef ESUITE_TEST_TMPDIR_H
#define ESUITE_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

#ifndef TEST_TMPDIR_NAME
#error "define TEST_TMPDIR_NAME before including test_tmpdir.h"
#endif

static char dir[256];

static int tmpdir_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/" TEST_TMPDIR_NAME "_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
