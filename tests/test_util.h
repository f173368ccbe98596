/*
 * test_util.h -- helpers shared by the Check tests of the model.
 *
 * Contract
 *   test_parse_ok(json) parses an inline scenario (named "inline" in
 *   messages) and fails the running test, printing the loader's message,
 *   when it is rejected.  The caller owns the result (cdn_scenario_destroy).
 *   test_small_with_priors(priors) is tests/data/golden/small.json read
 *   as a tree with "priors": [PRIORS] added (the caller owns it);
 *   test_priors_ok(priors) reads those priors and fails the running test,
 *   printing the message, when they are rejected.
 *   Header-only (static functions), for test programs only.
 */
#ifndef CDNSIM_TEST_UTIL_H
#define CDNSIM_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_json.h"
#include "cdn_priors.h"
#include "cdn_scenario.h"

#define TEST_SMALL CDNSIM_TEST_DATA "/golden/small.json"

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

static inline cJSON *test_small_with_priors(const char *priors)
{
    char *text;
    size_t len;
    cdn_error_t err;
    cJSON *root = NULL;
    ck_assert_int_eq(cdn_json_read_file(TEST_SMALL, &text, &len, &err), 0);
    ck_assert_int_eq(cdn_json_parse(text, len, TEST_SMALL, &root, &err), 0);
    free(text);
    char arr[4096];
    snprintf(arr, sizeof arr, "[%s]", priors);
    cJSON *p = cJSON_Parse(arr);
    ck_assert_ptr_nonnull(p);
    cJSON_AddItemToObject(root, "priors", p);
    return root;
}

static inline cdn_priors_t *test_priors_ok(const char *priors)
{
    cJSON *root = test_small_with_priors(priors);
    cdn_priors_t *p = NULL;
    cdn_error_t err;
    int rc = cdn_priors_read(root, "small.json", TEST_SMALL, &p, &err);
    if (rc != 0)
        fprintf(stderr, "priors rejected: %s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    cJSON_Delete(root);
    return p;
}

#endif /* CDNSIM_TEST_UTIL_H */
