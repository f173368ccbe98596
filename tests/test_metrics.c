/*
 * test_metrics.c -- the measure map (models/measure/) and the comparison
 * metrics selected from it (models/measure/cdn_metrics.c) on
 * hand-made run results whose metrics can be worked out by hand, and on a
 * real run for consistency with summary.json.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cdn_metrics.h"
#include "cdn_summary.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* 250 s in 60 s bins: four full bins and a 10 s one; default thresholds
 * (impact 0.01, major 0.05). */
static cdn_scenario_t *scenario(void)
{
    static const char json[] =
        "{\"name\":\"m\",\"simulation\":{\"start_utc\":\"2025-11-18T11:00:00Z\",\"duration_s\":250,"
        "\"bin_s\":60},\"traffic\":{\"global_rps\":100},"
        "\"regions\":[{\"name\":\"r\",\"traffic_share\":1,\"servers\":1,\"server_capacity_rps\":1000}],"
        "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}],"
        "\"sites\":{\"count\":10,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]},"
        "\"services\":[{\"name\":\"svc\"}]}";
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_parse(json, strlen(json), "inline", &s, &err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    return s;
}

/* A result with one region and the given bin integrals of offered, 5xx
 * and blocked requests; the service is always up, no site is ever down. */
static cdn_result_t *fake(const double *off, const double *err, const double *blk)
{
    cdn_result_t *r = calloc(1, sizeof *r);
    r->nbins = 5;
    r->bin_s = 60;
    r->nregions = 1;
    r->nservices = 1;
    r->rseries = calloc(CDN_RS_COUNT * r->nbins, sizeof(double));
    r->svc_avail = calloc(r->nbins, sizeof(double));
    r->sites_down = calloc(r->nbins, sizeof(double));
    r->sites_failover = calloc(r->nbins, sizeof(double));
    for (size_t b = 0; b < r->nbins; b++) {
        double len = b < 4 ? 60 : 10;
        r->rseries[CDN_RS_OFFERED * r->nbins + b] = off[b];
        r->rseries[CDN_RS_ERR5XX * r->nbins + b] = err[b];
        r->rseries[CDN_RS_BLOCKED * r->nbins + b] = blk[b];
        r->rseries[CDN_RS_OK * r->nbins + b] = off[b] - err[b] - blk[b];
        r->svc_avail[b] = len;
    }
    r->detected_s = NAN;
    r->diagnosed_s = NAN;
    r->sites_total = 10;
    r->ncohorts = 1;
    r->cohort_sites = calloc(2, sizeof(uint64_t));
    r->cohort_down_s = calloc(2, sizeof(double));
    r->cohort_sites[0] = 10;
    return r;
}

static const double OFF[] = {6000, 6000, 6000, 6000, 1000};
static const double BLK0[] = {0, 0, 0, 0, 0};

START_TEST(metrics_match_hand_computed_values)
{
    /* 5xx shares 0.001, 0.10, 0.02, 0.20, 0.001; blocked 0.01 in bin 1 */
    static const double err[] = {6, 600, 120, 1200, 1}, blk[] = {0, 60, 0, 0, 0};
    cdn_scenario_t *s = scenario();
    cdn_result_t *r = fake(OFF, err, blk);
    r->detected_s = 100;
    r->svc_avail[1] = 30; /* service down half of bin 1 and all of bin 3 */
    r->svc_avail[3] = 0;
    r->sites_ever_down = 4;
    r->sites_ever_failed_over = 2;
    r->ncohorts = 2;
    r->cohort_sites[0] = 6;
    r->cohort_sites[1] = 4;
    r->cohort_down_s[1] = 120;
    double m[CDN_MET_COUNT];
    cdn_metrics_compute(s, r, m);
    ck_assert_double_eq(m[CDN_MET_FAILED], 1927);
    ck_assert_double_eq(m[CDN_MET_BLOCKED], 60);
    /* (0.001*60 + 0.11*60 + 0.02*60 + 0.2*60 + 0.001*10) / 60 */
    ck_assert_double_eq_tol(m[CDN_MET_USER_MINUTES], 19.87 / 60.0, 1e-12);
    ck_assert_double_eq_tol(m[CDN_MET_PEAK_ERR5XX], 0.2, 1e-15);
    /* first bin over 1%: starts at 60; last bin at or over 5%: ends at 240 */
    ck_assert_double_eq(m[CDN_MET_TIME_TO_MITIGATE], 180);
    ck_assert_double_eq(m[CDN_MET_MAIN_IMPACT], 120); /* bins 1 and 3 */
    ck_assert_double_eq(m[CDN_MET_TIME_TO_DETECT], 40);
    ck_assert(isnan(m[CDN_MET_TIME_TO_DIAGNOSE]));
    ck_assert_double_eq_tol(m[CDN_MET_SITES_AFFECTED], 0.4, 1e-15);
    ck_assert_double_eq_tol(m[CDN_MET_SITES_FAILED_OVER], 0.2, 1e-15);
    ck_assert_double_eq(m[CDN_MET_SITE_DOWN_MEAN], 48); /* 4 of 10 sites, 120 s */
    ck_assert_double_eq(m[CDN_MET_SITE_DOWN_P50], 0);
    ck_assert_double_eq(m[CDN_MET_SITE_DOWN_P90], 120);
    ck_assert_double_eq(m[CDN_MET_SITE_DOWN_P99], 120);
    ck_assert_double_eq(cdn_summary_service_downtime_s(s, r, 0), 90);
    ck_assert_double_eq_tol(cdn_summary_blocked_frac(r, 1), 0.01, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(metrics_time_to_mitigate_is_zero_without_main_impact)
{
    static const double none[] = {6, 6, 6, 6, 1}, minor[] = {6, 180, 6, 6, 1};
    cdn_scenario_t *s = scenario();
    double m[CDN_MET_COUNT];
    cdn_result_t *r = fake(OFF, none, BLK0);
    cdn_metrics_compute(s, r, m);
    ck_assert_double_eq(m[CDN_MET_TIME_TO_MITIGATE], 0);
    ck_assert_double_eq(m[CDN_MET_MAIN_IMPACT], 0);
    ck_assert(isnan(m[CDN_MET_TIME_TO_DETECT])); /* never detected: missing */
    cdn_result_destroy(r);
    r = fake(OFF, minor, BLK0); /* 3%: impact, but never the major 5% */
    cdn_metrics_compute(s, r, m);
    ck_assert_double_eq(m[CDN_MET_TIME_TO_MITIGATE], 0);
    ck_assert_double_eq(m[CDN_MET_MAIN_IMPACT], 0);
    ck_assert_double_eq_tol(m[CDN_MET_PEAK_ERR5XX], 0.03, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(metrics_impact_lasting_to_the_end_is_censored_at_the_span)
{
    static const double err[] = {6, 600, 600, 600, 100};
    cdn_scenario_t *s = scenario();
    cdn_result_t *r = fake(OFF, err, BLK0);
    double m[CDN_MET_COUNT];
    cdn_metrics_compute(s, r, m);
    ck_assert_double_eq(m[CDN_MET_TIME_TO_MITIGATE], 190); /* 250 - 60 */
    ck_assert_double_eq(m[CDN_MET_MAIN_IMPACT], 190);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(metrics_names_units_and_labels_come_from_one_list)
{
    ck_assert_int_eq(CDN_MET_COUNT, 26);
    ck_assert_str_eq(cdn_metric_name(CDN_MET_FAILED), "failed_requests");
    ck_assert_str_eq(cdn_metric_label(CDN_MET_USER_MINUTES), "user-minutes lost");
    ck_assert_int_eq(cdn_metric_unit(CDN_MET_PEAK_ERR5XX), CDN_UNIT_SHARE);
    ck_assert_str_eq(cdn_unit_name(cdn_metric_unit(CDN_MET_MAIN_IMPACT)), "s");
    ck_assert_int_eq(cdn_metric_find("site_downtime_p99_s"), CDN_MET_SITE_DOWN_P99);
    ck_assert_int_eq(cdn_metric_find("nope"), -1);
    for (int m = 0; m < CDN_MET_COUNT; m++)
        ck_assert_int_eq(cdn_metric_find(cdn_metric_name((cdn_metric_t)m)), m);
}
END_TEST

START_TEST(measures_are_one_vocabulary_for_summary_metrics_and_targets)
{
    for (int m = 0; m < CDN_MEASURE_COUNT; m++) {
        for (int k = 0; k < m; k++) /* a name selects one measure */
            ck_assert_str_ne(cdn_measure_name((cdn_measure_t)k), cdn_measure_name((cdn_measure_t)m));
        ck_assert(strlen(cdn_measure_label((cdn_measure_t)m)) > 0);
        ck_assert(strlen(cdn_measure_definition((cdn_measure_t)m)) > 0);
    }
    /* a comparison metric is a measure: its name, as in comparison.csv */
    ck_assert_str_eq(cdn_metric_name(CDN_MET_FAILED), "failed_requests");
    ck_assert_str_eq(cdn_metric_name(CDN_MET_PEAK_ERR5XX), "peak_err5xx_frac");
    ck_assert_str_eq(cdn_cal_metric_name(CDN_CAL_MAIN_RESOLVED), "main_impact_resolved");
    ck_assert_str_eq(cdn_cal_metric_name(CDN_CAL_SERVICE_MIN), "service_avail_min");
    ck_assert(cdn_cal_metric_is_time(CDN_CAL_STABILISED));
    ck_assert(!cdn_cal_metric_is_time(CDN_CAL_CYCLES));
    ck_assert(cdn_measure_windowed(CDN_M_ERR5XX_MEAN));
    ck_assert(!cdn_measure_windowed(CDN_M_FAILED));
    cdn_summary_t sum;
    memset(&sum, 0, sizeof sum);
    sum.fluctuation_cycles = 3;
    sum.kernel_events = 12345;
    ck_assert_double_eq(cdn_measure_value(&sum, CDN_M_CYCLES), 3);
    ck_assert_double_eq(cdn_measure_value(&sum, CDN_M_KERNEL_EVENTS), 12345);
    ck_assert(isnan(cdn_measure_value(&sum, CDN_M_SERVICE_MEAN)));
    /* the bin grid: a whole number of bins up to rounding has no extra bin */
    ck_assert_uint_eq(cdn_measure_nbins(3600, 60), 60);
    ck_assert_uint_eq(cdn_measure_nbins(3601, 60), 61);
    ck_assert_uint_eq(cdn_measure_nbins(0.3, 0.1), 3);
    ck_assert_uint_eq(cdn_measure_nbins(0, 60), 1);
    ck_assert_double_eq(cdn_measure_bin_len(3601, 60, 60), 1);
    ck_assert_double_eq(cdn_measure_bin_len(3601, 60, 59), 60);
}
END_TEST

START_TEST(metrics_agree_with_the_summary_of_a_real_run)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_load(CDNSIM_TEST_DATA "/golden/small.json", &s, &err), 0);
    cdn_result_t *r = NULL;
    ck_assert_int_eq(cdn_world_run(s, s->sim.seed, 0, &r, &err), 0);
    cdn_summary_t sum;
    cdn_summary_compute(s, r, &sum);
    double m[CDN_MET_COUNT];
    cdn_metrics_compute(s, r, m);
    /* against the bins themselves, not the summary the metrics are read from */
    double failed = 0, peak = 0;
    for (size_t b = 0; b < r->nbins; b++) {
        failed += cdn_result_global(r, CDN_RS_ERR5XX, b);
        peak = fmax(peak, cdn_summary_err5xx_frac(r, b));
    }
    ck_assert_double_eq_tol(m[CDN_MET_FAILED], failed, 1e-9 * failed);
    ck_assert_double_eq(m[CDN_MET_PEAK_ERR5XX], peak);
    ck_assert_double_eq(m[CDN_MET_TIME_TO_MITIGATE], sum.main_impact_resolved_s - sum.first_error_s);
    ck_assert_double_le(m[CDN_MET_MAIN_IMPACT], m[CDN_MET_TIME_TO_MITIGATE]);
    ck_assert_double_gt(m[CDN_MET_MAIN_IMPACT], 0);
    /* user-minutes lost lie between the failed share and the span */
    ck_assert_double_gt(m[CDN_MET_USER_MINUTES], 0);
    ck_assert_double_lt(m[CDN_MET_USER_MINUTES], s->sim.duration_s / 60.0);
    for (size_t k = 0; k < s->nservices; k++) {
        double d = cdn_summary_service_downtime_s(s, r, k);
        ck_assert(d >= 0 && d <= s->sim.duration_s);
    }
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("cdn_metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, metrics_match_hand_computed_values);
    tcase_add_test(tc, metrics_time_to_mitigate_is_zero_without_main_impact);
    tcase_add_test(tc, metrics_impact_lasting_to_the_end_is_censored_at_the_span);
    tcase_add_test(tc, metrics_names_units_and_labels_come_from_one_list);
    tcase_add_test(tc, metrics_agree_with_the_summary_of_a_real_run);
    tcase_add_test(tc, measures_are_one_vocabulary_for_summary_metrics_and_targets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(metrics_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
