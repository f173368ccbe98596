/*
 * test_whatif.c -- the model-side parts of what-if runs and manifests:
 * SHA-256 against the FIPS 180-2 examples, the loader hashing the bytes it
 * parses, and the effective tree of `cdnsim show` (every value default
 * written in, symbols resolved, loading as the same scenario).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "cdn_digest.h"
#include "cdn_json.h"
#include "cdn_loader.h"
#include "cdn_overlay.h"
#include "cdn_scenario.h"

#define SMALL CDNSIM_TEST_DATA "/golden/small.json"

START_TEST(sha256_matches_the_standard_examples)
{
    char hex[CDN_DIGEST_HEX_LEN];
    cdn_digest_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    cdn_digest_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 448 bits */
    cdn_digest_sha256_hex(two, strlen(two), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(loader_hashes_the_bytes_it_parses)
{
    char *text = NULL;
    size_t len = 0;
    cdn_error_t err;
    ck_assert_int_eq(cdn_json_read_file(SMALL, &text, &len, &err), 0);
    char hex[CDN_DIGEST_HEX_LEN];
    cdn_digest_sha256_hex(text, len, hex);
    free(text);
    cdn_loader_t *ld = NULL;
    ck_assert_int_eq(cdn_loader_open(SMALL, &ld, &err), 0);
    ck_assert_str_eq(cdn_loader_sha256(ld), hex);
    cdn_loader_destroy(ld);
    cdn_overlay_t *o = NULL;
    ck_assert_int_eq(cdn_overlay_load(CDNSIM_SCENARIOS "/strategies/baseline.json", &o, &err), 0);
    ck_assert_uint_eq(strlen(cdn_overlay_sha256(o)), 64);
    cdn_overlay_destroy(o);
    o = cdn_overlay_create("--set", "--set");
    ck_assert_ptr_null(cdn_overlay_sha256(o)); /* built in code: no file */
    cdn_overlay_destroy(o);
}
END_TEST

static double num_at(const cJSON *root, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(root, a);
    if (cJSON_IsArray(x))
        x = cJSON_GetArrayItem(x, 0);
    x = cJSON_GetObjectItemCaseSensitive(x, b);
    ck_assert_msg(cJSON_IsNumber(x), "%s.%s is not a number", a, b);
    return x->valuedouble;
}

START_TEST(effective_tree_fills_value_defaults_and_loads_as_the_same_scenario)
{
    cdn_error_t err;
    cdn_loader_t *ld = NULL;
    cJSON *tree = NULL;
    cdn_scenario_t *plain = NULL, *again = NULL;
    ck_assert_int_eq(cdn_loader_open(SMALL, &ld, &err), 0);
    ck_assert_int_eq(cdn_loader_load(ld, NULL, 0, &plain, &err), 0);
    ck_assert_int_eq(cdn_loader_effective(ld, NULL, 0, &tree, &err), 0);
    /* defaults of scalar keys the file leaves out, and of absent objects */
    ck_assert(num_at(tree, "traffic", "base_latency_ms") == 50);
    ck_assert(num_at(tree, "metrics", "resolved_threshold_frac") == 0.002);
    const cJSON *cluster = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tree, "artifacts"), 0), "cluster");
    ck_assert(cJSON_IsObject(cluster));
    ck_assert(num_at(cJSON_GetObjectItemCaseSensitive(tree, "artifacts")->child, "cluster",
                     "migrated_at_start") == 0);
    /* keys whose default is not a value stay out ("latent_until": none) */
    const cJSON *art = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tree, "artifacts"), 0);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(art, "latent_until_s"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(art, "rollout"));
    ck_assert_int_eq(cdn_scenario_from_tree(tree, SMALL, SMALL, &again, &err), 0);
    ck_assert(again->traffic.base_latency_ms == plain->traffic.base_latency_ms);
    ck_assert(again->sim.bin_s == plain->sim.bin_s);
    ck_assert(again->traffic.step_s == plain->traffic.step_s);
    ck_assert(again->metrics.resolved_threshold_frac == plain->metrics.resolved_threshold_frac);
    ck_assert_uint_eq(again->artifacts[0].cluster_nodes, plain->artifacts[0].cluster_nodes);
    ck_assert(again->artifacts[0].latency_p99_s == plain->artifacts[0].latency_p99_s);
    cdn_scenario_destroy(again);
    cdn_scenario_destroy(plain);
    cJSON_Delete(tree);
    cdn_loader_destroy(ld);
}
END_TEST

START_TEST(effective_tree_resolves_symbolic_defaults_after_overlays)
{
    cdn_error_t err;
    cdn_loader_t *ld = NULL;
    cJSON *tree = NULL;
    cdn_overlay_t *o = cdn_overlay_create("--set", "--set");
    /* p99 defaults to 3 x the median: 0.30000000000000004, not 0.3 */
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.artifacts[0].distribution",
                                              "{\"latency_median_s\": 0.1}", &err), 0);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.simulation.bin_s", "null", &err), 0);
    ck_assert_int_eq(cdn_loader_open(SMALL, &ld, &err), 0);
    const cdn_overlay_t *ov[] = {o};
    int rc = cdn_loader_effective(ld, ov, 1, &tree, &err);
    /* a null is not a number: the overlaid tree is checked like a file */
    ck_assert_int_eq(rc, CDN_EDATA);
    ck_assert_ptr_null(tree);
    cdn_overlay_destroy(o);
    o = cdn_overlay_create("--set", "--set");
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.artifacts[0].distribution",
                                              "{\"latency_median_s\": 0.1}", &err), 0);
    ov[0] = o;
    ck_assert_int_eq(cdn_loader_effective(ld, ov, 1, &tree, &err), 0);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tree, "artifacts"), 0), "distribution");
    ck_assert(cJSON_GetObjectItemCaseSensitive(d, "latency_p99_s")->valuedouble == 3 * 0.1);
    cJSON_Delete(tree);
    cdn_overlay_destroy(o);
    cdn_loader_destroy(ld);
}
END_TEST

static Suite *whatif_suite(void)
{
    Suite *s = suite_create("whatif");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sha256_matches_the_standard_examples);
    tcase_add_test(tc, loader_hashes_the_bytes_it_parses);
    tcase_add_test(tc, effective_tree_fills_value_defaults_and_loads_as_the_same_scenario);
    tcase_add_test(tc, effective_tree_resolves_symbolic_defaults_after_overlays);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(whatif_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
