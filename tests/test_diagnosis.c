/*
 * test_diagnosis.c -- the diagnosis model (issue #9 item 8,
 * models/world/operators.c): the clear-signal effort and its spread, each
 * confusing condition with its own rate (the slowest present sets the
 * pace), and the diagnosis stopping once an operator action has ended the
 * impact -- on a small scenario whose times are worked out by hand from
 * the detection time.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_world.h"
#include "sim_stats.h"
#include "test_util.h"

/* Two hours; from 600 s every server holds a bad file (one node,
 * migrated) and panics on every request, so the 5xx share is about 1 and
 * steady; the alert (5 % for 120 s, checked every 60 s) fires soon after.
 * Service "kv" runs behind the proxy (down with it), "status" is
 * independent. `diag` is the diagnosis object, `actions` the actions. */
static cdn_scenario_t *scenario(const char *diag, const char *actions)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"d\",\"simulation\":{\"start_utc\":\"2026-01-01T00:00:00Z\","
             "\"duration_s\":7200,\"bin_s\":60,\"seed\":3},\"traffic\":{\"global_rps\":10000},"
             "\"regions\":[{\"name\":\"r\",\"traffic_share\":1,\"servers\":20,\"server_capacity_rps\":2000}],"
             "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}],"
             "\"sites\":{\"count\":10,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]},"
             "\"services\":[{\"name\":\"kv\",\"behind_proxy\":\"P\"},{\"name\":\"status\"}],"
             "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":100000,\"first_run_s\":600,"
             "\"cluster\":{\"nodes\":1,\"migrated_at_start\":1},\"normal_size\":1,\"bad_size\":2,"
             "\"size_limit\":1,\"distribution\":{\"latency_median_s\":1,\"latency_p99_s\":2}}],"
             "\"operators\":{\"detection\":{\"threshold_frac\":0.05,\"for_s\":120,\"check_s\":60},"
             "\"diagnosis\":{%s},\"actions\":[%s]}}",
             diag, actions);
    return test_parse_ok(json);
}

/* Detection and diagnosis times of replication rep. */
static void times(const char *diag, const char *actions, uint64_t rep, double *det, double *dia)
{
    cdn_scenario_t *s = scenario(diag, actions);
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, s->sim.seed, rep, &r, &err), 0);
    *det = r->detected_s;
    *dia = r->diagnosed_s;
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}

START_TEST(clear_signal_takes_the_effort)
{
    double det, dia;
    times("\"work_s\":600,\"work_p90_factor\":1", "", 0, &det, &dia);
    ck_assert(det > 600 && det < 1000);
    ck_assert_double_eq(dia - det, 600); /* 10 evaluations at full pace */
}
END_TEST

START_TEST(each_condition_has_its_own_rate)
{
    double det, dia, d2, dia2;
    times("\"work_s\":600,\"work_p90_factor\":1", "", 0, &det, &dia);
    /* a coincidental outage of "status" (misleading, rate 0.5) from 0 to
     * det + 270: the evaluations at det + 60 ... det + 240 see it down
     * (each applies the rate of its time to the 60 s before it), so 240 s
     * at 0.5 give 120 s of work, and the other 480 s take 480 s:
     * diagnosed det + 720.  The elsewhere rate does not apply to a
     * forced outage, so listing "status" there changes nothing. */
    char act[256];
    snprintf(act, sizeof act, "{\"kind\":\"fail_service\",\"at_s\":0,\"service\":\"status\",\"duration_s\":%g}",
             det + 270);
    times("\"work_s\":600,\"work_p90_factor\":1,\"misleading_progress\":0.5,"
          "\"misleading_services\":[\"status\"],\"elsewhere_progress\":0.1,\"elsewhere_services\":[\"status\"]",
          act, 0, &d2, &dia2);
    ck_assert_double_eq(d2, det);
    ck_assert_double_eq(dia2 - det, 720);
    /* "kv" is down with the proxy the whole time: its symptoms point
     * elsewhere, 0.25 throughout: 600 / 0.25 = 2400 s */
    times("\"work_s\":600,\"work_p90_factor\":1,\"elsewhere_progress\":0.25,\"elsewhere_services\":[\"kv\"]",
          "", 0, &d2, &dia2);
    ck_assert_double_eq(dia2 - det, 2400);
    /* both at once: the slowest sets the pace (not the product of 0.125),
     * so the first 300 s still go at 0.25 and the result is the same
     * 2400 s */
    times("\"work_s\":600,\"work_p90_factor\":1,\"elsewhere_progress\":0.25,\"elsewhere_services\":[\"kv\"],"
          "\"misleading_progress\":0.5,\"misleading_services\":[\"status\"]",
          act, 0, &d2, &dia2);
    ck_assert_double_eq(dia2 - det, 2400);
    /* confused_progress is the default of the three rates */
    times("\"work_s\":600,\"work_p90_factor\":1,\"confused_progress\":0.5,\"elsewhere_services\":[\"kv\"]", "", 0,
          &d2, &dia2);
    ck_assert_double_eq(dia2 - det, 1200);
}
END_TEST

START_TEST(diagnosis_stops_once_an_action_ends_the_impact)
{
    double det, dia;
    /* the kill switch 120 s after detection ends the impact (and is not a
     * flap): 120 s of the 600 s are done, then nothing more */
    times("\"work_s\":600,\"work_p90_factor\":1",
          "{\"kind\":\"kill_switch\",\"after\":\"detection\",\"delay_s\":120,\"artifact\":\"f\"}", 0, &det,
          &dia);
    ck_assert(!isnan(det));
    ck_assert(isnan(dia));
    /* a fail_service is not a mitigation: the same run without the kill
     * switch but with an outage of "status" is diagnosed after 600 s */
    times("\"work_s\":600,\"work_p90_factor\":1",
          "{\"kind\":\"fail_service\",\"after\":\"detection\",\"delay_s\":120,\"service\":\"status\","
          "\"duration_s\":60}",
          0, &det, &dia);
    ck_assert_double_eq(dia - det, 600);
}
END_TEST

START_TEST(effort_is_lognormal_with_the_given_median_and_p90)
{
    /* 200 replications of work_s 600, work_p90_factor 2: the effort's median
     * is 600 and its 90th percentile 1200; times are resolved to the
     * 60 s check, so the quantiles of (diagnosed - detected) lie within
     * 60 s above them, up to sampling error (the p90 of 200 draws has a
     * standard error near 8 %) */
    enum { N = 200 };
    double d[N];
    for (uint64_t rep = 0; rep < N; rep++) {
        double det, dia;
        times("\"work_s\":600", "", rep, &det, &dia); /* work_p90_factor defaults to 2 */
        d[rep] = dia - det;
    }
    double p50 = sim_stats_quantile(d, N, 0.5), p90 = sim_stats_quantile(d, N, 0.9);
    ck_assert_msg(p50 >= 600 * 0.85 && p50 <= 600 * 1.15 + 60, "median %g", p50);
    ck_assert_msg(p90 >= 1200 * 0.8 && p90 <= 1200 * 1.2 + 60, "p90 %g", p90);
    /* the draws do differ between replications */
    double lo = d[0], hi = d[0];
    for (int k = 1; k < N; k++) {
        lo = fmin(lo, d[k]);
        hi = fmax(hi, d[k]);
    }
    ck_assert(hi - lo > 600);
}
END_TEST

static void count(void *arg, const char *json_path, const char *message)
{
    (void)message;
    ++*(size_t *)arg;
    ck_assert_str_eq(json_path, "$.operators.diagnosis.elsewhere_services[0]");
}

START_TEST(elsewhere_service_the_fault_cannot_reach_is_warned)
{
    size_t n = 0;
    /* "status" runs behind no proxy and needs nothing: the condition can
     * never be present */
    cdn_scenario_t *s = scenario("\"elsewhere_services\":[\"status\"]", "");
    ck_assert_uint_eq(cdn_scenario_warnings(s, count, &n), 1);
    ck_assert_uint_eq(n, 1);
    cdn_scenario_destroy(s);
    /* "kv" runs behind the proxy the artifact makes panic: quiet */
    n = 0;
    s = scenario("\"elsewhere_services\":[\"kv\"]", "");
    ck_assert_uint_eq(cdn_scenario_warnings(s, count, &n), 0);
    cdn_scenario_destroy(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("diagnosis");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, clear_signal_takes_the_effort);
    tcase_add_test(tc, each_condition_has_its_own_rate);
    tcase_add_test(tc, diagnosis_stops_once_an_action_ends_the_impact);
    tcase_add_test(tc, effort_is_lognormal_with_the_given_median_and_p90);
    tcase_add_test(tc, elsewhere_service_the_fault_cannot_reach_is_warned);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
