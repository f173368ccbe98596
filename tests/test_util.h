/*
 * test_util.h -- helpers shared by the Check tests of the model.
 *
 * Contract
 *   test_parse_ok(json) parses an inline scenario (named "inline" in
 *   messages) and fails the running test, printing the loader's message,
 *   when it is rejected.  The caller owns the result (cdn_scenario_destroy).
 *   Header-only (static functions), for test programs only.
 */
#ifndef CDNSIM_TEST_UTIL_H
#define CDNSIM_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cdn_scenario.h"

static inline cdn_scenario_t *test_parse_ok(const char *json)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_parse(json, strlen(json), "inline", &s, &err);
    if (rc != 0)
        fprintf(stderr, "test scenario rejected: %s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    return s;
}

#endif /* CDNSIM_TEST_UTIL_H */
