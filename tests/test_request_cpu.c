/*
 * test_request_cpu.c -- load-proportional CPU (extra_cpu_per_request,
 * models/world/traffic.c) against hand-computed values over a daily curve.
 *
 * One region of 100 servers x 10,000 requests/s (C = 1,000,000/s), mean
 * load 600,000/s, daily amplitude 0.5 peaking at 13:30 local; traffic
 * steps and bins of one hour from 00:00, so the step of bin k is held at
 * the curve's value at k + 0.5 h:  L_k = 600,000 (1 + 0.5 cos(2 pi (k - 13) / 24)).
 * Every server holds the bad file from the first second.  A hit request
 * costs 1 + k_x more CPU; with affected_frac h the mean cost of a request
 * is c = 1 + k_x h, the work W = c L, and
 *   rho = W / C,   overload share x = max(0, 1 - C / W),
 *   latency = base c / (1 - min(W (1 - x) / C, 0.98)).
 * With k_x = 2 and h = 0.5 (c = 2):
 *   peak (bin 13):   L = 900,000, W = 1.8 M: x = 1 - 1/1.8 = 0.4444, latency 100 / 0.02 = 5000 ms
 *   bin 7 (mean):    L = 600,000, W = 1.2 M: x = 1/6
 *   trough (bin 1):  L = 300,000, W = 0.6 M: x = 0, latency 100 / 0.4 = 250 ms
 * A fixed CPU share could not give both: it loses the same capacity at
 * the trough as at the peak.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "test_util.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* The one-region day above with proxy `proxy` (JSON object members after
 * the name) and `extra` traffic members. */
static cdn_scenario_t *day(const char *proxy, const char *extra)
{
    char *json = malloc(8192);
    snprintf(json, 8192,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2026-03-02T00:00:00Z\","
             "\"duration_s\":86400,\"bin_s\":3600,\"seed\":5},"
             "\"traffic\":{\"global_rps\":600000,\"diurnal_amplitude\":0.5,"
             "\"diurnal_peak_local_h\":13.5,\"step_s\":3600%s},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":1,\"servers\":100,"
             "\"server_capacity_rps\":10000}],"
             "\"proxies\":[{\"name\":\"P\",%s}],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},"
             "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":3600,"
             "\"first_run_s\":0,\"cluster\":{\"nodes\":1,\"migrated_at_start\":1},"
             "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200,"
             "\"distribution\":{\"latency_median_s\":0.1,\"latency_p99_s\":0.5}}]}",
             extra, proxy);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static cdn_result_t *run(const cdn_scenario_t *s)
{
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, s->sim.seed, 0, &r, &err), 0);
    return r;
}

static double frac(const cdn_result_t *r, cdn_rseries_t k, size_t b)
{
    return cdn_result_global(r, k, b) / cdn_result_global(r, CDN_RS_OFFERED, b);
}

static double latency(const cdn_result_t *r, size_t b)
{
    return cdn_result_global(r, CDN_RS_LATENCY_X_OK, b) / cdn_result_global(r, CDN_RS_OK, b);
}

static const char *COST2 =
    "\"on_bad_artifact\":\"cpu_per_request\",\"affected_frac\":0.5,\"extra_cpu_per_request\":2";

START_TEST(request_cpu_errors_follow_the_daily_curve)
{
    cdn_scenario_t *s = day(COST2, "");
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_OFFERED, 13) / 3600.0, 900000.0, 1e-3);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 13), 1.0 - 1.0 / 1.8, 1e-12);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 7), 1.0 / 6.0, 1e-12);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 1), 0.0, 1e-15);
    /* errors only while W > C, i.e. cos(2 pi (k - 13) / 24) > -1/3: bins
     * 6 .. 20 (k - 13 within +-7.3 h); none from 22:00 to 05:00 */
    for (size_t b = 0; b < 24; b++) {
        double L = 600000.0 * (1.0 + 0.5 * cos(2.0 * 3.14159265358979323846 * ((double)b - 13.0) / 24.0));
        double want = 2.0 * L > 1e6 ? 1.0 - 1e6 / (2.0 * L) : 0.0;
        ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, b), want, 1e-9);
    }
    ck_assert_double_eq_tol(latency(r, 13), 100.0 / 0.02, 1e-6);
    ck_assert_double_eq_tol(latency(r, 1), 100.0 / 0.4, 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(request_cpu_latency_grows_with_the_mean_cost_before_any_overload)
{
    /* k_x = 1, h = 0.2: c = 1.2.  Trough: W = 360,000, rho 0.36, latency
     * 50 x 1.2 / 0.64 = 93.75 ms against 50 / 0.7 = 71.43 ms without */
    cdn_scenario_t *bad = day("\"on_bad_artifact\":\"cpu_per_request\",\"affected_frac\":0.2,"
                              "\"extra_cpu_per_request\":1",
                              "");
    cdn_scenario_t *none = day("\"on_bad_artifact\":\"none\"", "");
    cdn_result_t *a = run(bad), *b = run(none);
    ck_assert_double_eq_tol(latency(a, 1), 50.0 * 1.2 / 0.64, 1e-9);
    ck_assert_double_eq_tol(latency(b, 1), 50.0 / 0.7, 1e-9);
    ck_assert_double_eq_tol(frac(a, CDN_RS_ERR5XX, 1), 0.0, 1e-15);
    /* at the peak W = 1.2 x 900,000 = 1.08 M: just over C */
    ck_assert_double_eq_tol(frac(a, CDN_RS_ERR5XX, 13), 1.0 - 1.0 / 1.08, 1e-12);
    ck_assert_double_eq_tol(frac(b, CDN_RS_ERR5XX, 13), 0.0, 1e-15);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(bad);
    cdn_scenario_destroy(none);
}
END_TEST

START_TEST(request_cpu_retried_attempts_cost_too)
{
    /* a panic that also costs CPU: half the requests fail (affected 0.5),
     * each failed attempt is retried once (q = 1, R = 1): attempts per
     * request 1.5, every hit attempt costs 3.  At the trough L = 300,000
     * requests/s, 450,000 attempts/s, W = 450,000 x (1 + 2 x 0.5) = 900,000:
     * rho 0.9, no overload yet; at bin 7 (600,000/s) W = 1.8 M, so a share
     * 1 - 1/1.8 of the otherwise served attempts fails as well */
    cdn_scenario_t *s = day("\"on_bad_artifact\":\"panic\",\"affected_frac\":0.5,"
                            "\"extra_cpu_per_request\":2",
                            ",\"max_retries\":1,\"retry_frac\":1");
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_OFFERED, 1) / 3600.0, 450000.0, 1e-3);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 1), 0.5, 1e-12);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 7), 0.5 + 0.5 * (1.0 - 1.0 / 1.8), 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(request_cpu_zero_changes_nothing)
{
    /* the key at 0 (its default) gives the results of a proxy the file
     * does not hurt, to the last bit */
    cdn_scenario_t *zero = day("\"on_bad_artifact\":\"cpu_per_request\"", "");
    cdn_scenario_t *none = day("\"on_bad_artifact\":\"none\"", "");
    cdn_result_t *a = run(zero), *b = run(none);
    for (size_t b0 = 0; b0 < 24; b0++) {
        ck_assert(cdn_result_global(a, CDN_RS_ERR5XX, b0) == cdn_result_global(b, CDN_RS_ERR5XX, b0));
        ck_assert(cdn_result_global(a, CDN_RS_LATENCY_X_OK, b0) ==
                  cdn_result_global(b, CDN_RS_LATENCY_X_OK, b0));
    }
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(zero);
    cdn_scenario_destroy(none);
}
END_TEST

static Suite *request_cpu_suite(void)
{
    Suite *s = suite_create("request_cpu");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, request_cpu_errors_follow_the_daily_curve);
    tcase_add_test(tc, request_cpu_latency_grows_with_the_mean_cost_before_any_overload);
    tcase_add_test(tc, request_cpu_retried_attempts_cost_too);
    tcase_add_test(tc, request_cpu_zero_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(request_cpu_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
