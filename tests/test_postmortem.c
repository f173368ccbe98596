/*
 * test_postmortem.c -- the metrics a post-mortem quotes (issue #9 item 9):
 * users' failed share beside the share of attempts, time until X %
 * recovered (hosts and traffic), peak share of servers out of service and
 * a latency that is missing, not 0, when nothing is served -- on a
 * hand-made run result whose values are worked out by hand below.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_metrics.h"
#include "cdn_summary.h"
#include "test_util.h"

/* 250 s in 60 s bins (four full bins and a 10 s one), 10 servers, no
 * baseline errors and no retries, so the users' healthy failed share is 0. */
static cdn_scenario_t *scenario(const char *metrics)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\":\"pm\",\"simulation\":{\"start_utc\":\"2025-11-18T11:00:00Z\","
             "\"duration_s\":250,\"bin_s\":60},\"traffic\":{\"global_rps\":100,"
             "\"baseline_err5xx_frac\":0,\"max_retries\":0},"
             "\"regions\":[{\"name\":\"r\",\"traffic_share\":1,\"servers\":10,\"server_capacity_rps\":1000}],"
             "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}],"
             "\"sites\":{\"count\":10,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]}"
             "%s}",
             metrics);
    return test_parse_ok(json);
}

static void set(cdn_result_t *r, cdn_rseries_t s, const double *v)
{
    for (size_t b = 0; b < r->nbins; b++)
        r->rseries[s * r->nbins + b] = v[b];
}

/* Bin integrals (one region):
 *   bin          0     1     2     3     4 (10 s)
 *   attempts  1000  1500  1200  1050   100   5xx attempts 0 600 240 60 0
 *   users     1000  1000  1000  1000   100   users failed 0 500 200 20 0
 *   impaired     0   600   300    30     0   (mean servers 0 10 5 .5 0)
 *   out          0   300   480     0     0   (share of 10 servers 0 .5 .8 0 0)
 *   ok        1000   900   960   990   100   latency x ok = 50 ms x ok */
static cdn_result_t *fake(const double *user_failed)
{
    static const double att[] = {1000, 1500, 1200, 1050, 100}, err[] = {0, 600, 240, 60, 0},
                        users[] = {1000, 1000, 1000, 1000, 100}, imp[] = {0, 600, 300, 30, 0},
                        out[] = {0, 300, 480, 0, 0};
    cdn_result_t *r = calloc(1, sizeof *r);
    r->nbins = 5;
    r->bin_s = 60;
    r->nregions = 1;
    r->rseries = calloc(CDN_RS_COUNT * r->nbins, sizeof(double));
    r->sites_down = calloc(r->nbins, sizeof(double));
    r->sites_failover = calloc(r->nbins, sizeof(double));
    double ok[5], lat[5];
    for (size_t b = 0; b < 5; b++) {
        ok[b] = att[b] - err[b];
        lat[b] = 50 * ok[b];
    }
    set(r, CDN_RS_OFFERED, att);
    set(r, CDN_RS_ERR5XX, err);
    set(r, CDN_RS_OK, ok);
    set(r, CDN_RS_LATENCY_X_OK, lat);
    set(r, CDN_RS_USER_REQUESTS, users);
    set(r, CDN_RS_USER_FAILED, user_failed);
    set(r, CDN_RS_SERVERS_IMPAIRED, imp);
    set(r, CDN_RS_SERVERS_OUT, out);
    r->detected_s = NAN;
    r->diagnosed_s = NAN;
    r->sites_total = 10;
    r->servers_total = 10;
    r->ncohorts = 1;
    r->cohort_sites = calloc(1, sizeof(uint64_t));
    r->cohort_down_s = calloc(1, sizeof(double));
    r->cohort_sites[0] = 10;
    return r;
}

static const double UF[] = {0, 500, 200, 20, 0};

START_TEST(users_failed_share_counts_each_request_once)
{
    cdn_scenario_t *s = scenario("");
    cdn_result_t *r = fake(UF);
    cdn_summary_t m;
    cdn_summary_compute(s, r, &m);
    ck_assert_double_eq_tol(m.user_failed_requests, 720, 1e-9);
    ck_assert_double_eq_tol(m.user_failed_frac, 720.0 / 4100.0, 1e-15);
    ck_assert_double_eq_tol(m.failed_frac, 900.0 / 4850.0, 1e-15); /* every attempt */
    ck_assert_double_eq_tol(m.peak_servers_out_frac, 0.8, 1e-15);  /* 480 / (60 x 10) */
    ck_assert_double_eq_tol(m.peak_latency_ms, 50, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(time_until_x_percent_recovered)
{
    cdn_scenario_t *s = scenario(",\"metrics\":{\"recovered_pct\":80}");
    cdn_result_t *r = fake(UF);
    cdn_summary_t m;
    cdn_summary_compute(s, r, &m);
    /* first error: bin 1 (5xx share 0.4 > 0.01), at 60 s */
    ck_assert_double_eq(m.first_error_s, 60);
    /* hosts: peak 10 servers; 50 %: last bin above 5 is bin 1, ends 120;
     * 90 %: above 1 is bin 2, ends 180; 99 %: above 0.1 is bin 3, 240;
     * 80 %: above 2 is bin 2, 180 -- each minus 60 */
    ck_assert_double_eq(m.hosts_recovered_p50_s, 60);
    ck_assert_double_eq(m.hosts_recovered_p90_s, 120);
    ck_assert_double_eq(m.hosts_recovered_p99_s, 180);
    ck_assert_double_eq(m.hosts_recovered_x_s, 120);
    ck_assert_double_eq(m.recovered_pct, 80);
    /* traffic: users' failed shares 0 .5 .2 .02 0, peak .5; 50 %: above
     * .25 is bin 1; 90 %: above .05 is bin 2; 99 %: above .005 is bin 3;
     * 80 %: above .1 is bin 2 */
    ck_assert_double_eq(m.traffic_recovered_p50_s, 60);
    ck_assert_double_eq(m.traffic_recovered_p90_s, 120);
    ck_assert_double_eq(m.traffic_recovered_p99_s, 180);
    ck_assert_double_eq(m.traffic_recovered_x_s, 120);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(recovery_that_did_not_happen_is_missing)
{
    /* the users' failed share is back at .5 in the last bin: the span ends
     * above every level, so no traffic X % is reached */
    static const double uf[] = {0, 500, 200, 20, 50};
    cdn_scenario_t *s = scenario("");
    cdn_result_t *r = fake(uf);
    cdn_summary_t m;
    cdn_summary_compute(s, r, &m);
    ck_assert(isnan(m.traffic_recovered_p50_s));
    ck_assert(isnan(m.traffic_recovered_p99_s));
    ck_assert_double_eq(m.hosts_recovered_p50_s, 60); /* the hosts did recover */
    /* no first error: every recovery time is missing */
    ck_assert(isnan(cdn_summary_recovered_s(s, r, NAN, 1, 50)));
    /* a healthy baseline is not impairment: 0.1 % 5xx with one retry of
     * every failure leaves 0.001 x 0.001 of the users failing */
    cdn_scenario_destroy(s);
    s = test_parse_ok("{\"name\":\"b\",\"simulation\":{\"start_utc\":\"2025-11-18T11:00:00Z\","
                      "\"duration_s\":250,\"bin_s\":60},\"traffic\":{\"global_rps\":100,"
                      "\"baseline_err5xx_frac\":0.001,\"max_retries\":1,\"retry_frac\":1},"
                      "\"regions\":[{\"name\":\"r\",\"traffic_share\":1,\"servers\":10,"
                      "\"server_capacity_rps\":1000}],\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"none\"}],"
                      "\"sites\":{\"count\":10,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
                      "\"traffic_share\":1}]}}");
    ck_assert_double_eq_tol(cdn_summary_user_baseline_frac(s), 1e-6, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(latency_is_missing_when_nothing_is_served)
{
    cdn_scenario_t *s = scenario("");
    cdn_result_t *r = fake(UF);
    memset(r->rseries + CDN_RS_OK * r->nbins, 0, r->nbins * sizeof(double));
    memset(r->rseries + CDN_RS_LATENCY_X_OK * r->nbins, 0, r->nbins * sizeof(double));
    cdn_summary_t m;
    cdn_summary_compute(s, r, &m);
    ck_assert(isnan(m.peak_latency_ms));
    /* one bin serving at 80 ms: that is the peak, the empty bins are not 0 */
    r->rseries[CDN_RS_OK * r->nbins + 2] = 10;
    r->rseries[CDN_RS_LATENCY_X_OK * r->nbins + 2] = 800;
    cdn_summary_compute(s, r, &m);
    ck_assert_double_eq_tol(m.peak_latency_ms, 80, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(post_mortem_metrics_are_comparison_metrics)
{
    ck_assert_int_eq(cdn_metric_find("user_failed_frac"), CDN_MET_USER_FAILED_FRAC);
    ck_assert_int_eq(cdn_metric_find("failed_frac"), CDN_MET_FAILED_FRAC);
    ck_assert_int_eq(cdn_metric_find("peak_servers_out_frac"), CDN_MET_PEAK_SERVERS_OUT);
    ck_assert_int_eq(cdn_metric_find("hosts_recovered_p90_s"), CDN_MET_HOSTS_REC_P90);
    ck_assert_int_eq(cdn_metric_find("traffic_recovered_x_s"), CDN_MET_TRAFFIC_REC_X);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("postmortem");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, users_failed_share_counts_each_request_once);
    tcase_add_test(tc, time_until_x_percent_recovered);
    tcase_add_test(tc, recovery_that_did_not_happen_is_missing);
    tcase_add_test(tc, latency_is_missing_when_nothing_is_served);
    tcase_add_test(tc, post_mortem_metrics_are_comparison_metrics);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
