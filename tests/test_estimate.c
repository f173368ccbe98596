/*
 * test_estimate.c -- the work estimate of a replication (cdn_estimate.h)
 * against values worked out by hand, and the budget check's refusal.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_estimate.h"
#include "cdn_world.h"
#include "test_util.h"

/* One hour, 60 s steps and bins, 2 regions of 10 and 30 servers, two
 * proxies, one plan, one artifact every 600 s from t = 0, no services. */
#define DOC(extra_region, artifact_extra, operators)                                               \
    "{\"name\":\"e\",\"simulation\":{\"start_utc\":\"2025-11-18T11:00:00Z\",\"duration_s\":3600,"  \
    "\"bin_s\":60},\"traffic\":{\"global_rps\":1000},"                                             \
    "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.5,\"servers\":10,"                           \
    "\"server_capacity_rps\":100" extra_region "},{\"name\":\"b\",\"traffic_share\":0.5,"          \
    "\"servers\":30,\"server_capacity_rps\":100}],"                                                \
    "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"},{\"name\":\"Q\","                 \
    "\"on_bad_artifact\":\"none\"}],"                                                              \
    "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]}," \
    "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":600,\"first_run_s\":0,"      \
    "\"normal_size\":1,\"bad_size\":2,\"size_limit\":1" artifact_extra "}]" operators "}"

START_TEST(events_follow_the_documented_sum)
{
    cdn_scenario_t *s = test_parse_ok(DOC("", "", ""));
    cdn_estimate_t e;
    cdn_estimate(s, &e);
    /* 60 steps; 7 runs x (1 + 40 servers) + 1; 1 plan x 2 proxies x 16 */
    ck_assert_double_eq_tol(e.events, 60 + 7 * 41 + 1 + 32, 1e-9);
    /* process + 40 x (200 + 8) + 40 pending x 64 + 60 bins x (2 x RS + 0 + 4) cells x 16 */
    double cells = 60.0 * (2.0 * CDN_RS_COUNT + 4);
    ck_assert_double_eq_tol(e.memory_bytes, 5.5e6 + 40 * 208.0 + 40 * 64.0 + cells * 16, 1e-6);
    /* 60 rows x 120 + 120 region rows x 135 + (7 runs + 4 region lines) x 150 + 8192 */
    ck_assert_double_eq_tol(e.output_bytes, 60 * 120.0 + 120 * 135.0 + 11 * 150.0 + 8192, 1e-6);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(actions_and_drains_add_their_events)
{
    cdn_scenario_t *s = test_parse_ok(DOC(
        ",\"overload_drain_rho\":0.9,\"overload_drain_s\":100", "",
        ",\"operators\":{\"actions\":[{\"kind\":\"restart_proxies\",\"at_s\":600,\"duration_s\":60},"
        "{\"kind\":\"push_last_known_good\",\"at_s\":700,\"artifact\":\"f\"}]}"));
    cdn_estimate_t e;
    cdn_estimate(s, &e);
    /* as above, + restart 1 + 2 x 40, + push 1 + 40, + 3600 / 100 drain cycles */
    ck_assert_double_eq_tol(e.events, 60 + 7 * 41 + 1 + 32 + 81 + 41 + 36, 1e-9);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(tiers_limit_the_servers_an_artifact_reaches)
{
    cdn_scenario_t *s = test_parse_ok(DOC(",\"tier\":\"small\"", ",\"tiers\":[\"small\"]", ""));
    cdn_estimate_t e;
    cdn_estimate(s, &e);
    ck_assert_double_eq_tol(e.events, 60 + 7 * 11 + 1 + 32, 1e-9); /* only region a's 10 */
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(the_budget_refuses_with_the_estimate_and_the_way_out)
{
    cdn_estimate_t e = {2.5e8, 1e6, 1e6};
    cdn_error_t err;
    ck_assert_int_eq(cdn_estimate_check(&e, 1, "x.json", &err), CDN_EBUDGET);
    ck_assert_int_eq(err.code, CDN_EBUDGET);
    ck_assert_msg(strstr(err.msg, "x.json: one replication would need about 2.5e+08 kernel events, "
                                  "more than the budget of 1e+08") != NULL,
                  "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "--budget 3 ") != NULL, "%s", err.msg);
    ck_assert_int_eq(cdn_estimate_check(&e, 3, "x.json", &err), 0);
    ck_assert_int_eq(cdn_estimate_check(&e, 0, "x.json", &err), 0); /* no limit */
    cdn_estimate_t big_output = {1, 1, 6e8};
    ck_assert_int_eq(cdn_estimate_check(&big_output, 1, "y", &err), CDN_EBUDGET);
    ck_assert_msg(strstr(err.msg, "572 MiB of results, more than the budget of 512 MiB") != NULL,
                  "%s", err.msg);
}
END_TEST

static Suite *estimate_suite(void)
{
    Suite *s = suite_create("estimate");
    TCase *tc = tcase_create("estimate");
    tcase_add_test(tc, events_follow_the_documented_sum);
    tcase_add_test(tc, actions_and_drains_add_their_events);
    tcase_add_test(tc, tiers_limit_the_servers_an_artifact_reaches);
    tcase_add_test(tc, the_budget_refuses_with_the_estimate_and_the_way_out);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(estimate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
