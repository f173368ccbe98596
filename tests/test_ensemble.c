/*
 * test_ensemble.c -- the ensemble of `run -n N` (models/measure/
 * cdn_ensemble.c) and its fan chart files (report/cdn_fanchart.c) on
 * hand-made data: per-bin quantiles across replications, the two series
 * of a run, the row layout, and what ensemble.csv, ensemble_targets.csv
 * and ensemble.gp hold.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cdn_ensemble.h"
#include "cdn_fanchart.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* 250 s in 60 s bins: four full bins and a 10 s one; one time target
 * (the alert, published at +120 s) and one share target. */
static cdn_scenario_t *scenario(void)
{
    static const char json[] =
        "{\"name\":\"e\",\"simulation\":{\"start_utc\":\"2025-11-18T11:00:00Z\",\"duration_s\":250,"
        "\"bin_s\":60},\"traffic\":{\"global_rps\":100},"
        "\"regions\":[{\"name\":\"r\",\"traffic_share\":1,\"servers\":1,\"server_capacity_rps\":1000}],"
        "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}],"
        "\"sites\":{\"count\":10,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]},"
        "\"calibration\":{\"targets\":["
        "{\"name\":\"peak\",\"metric\":\"peak_err5xx_frac\"},"
        "{\"name\":\"alert\",\"metric\":\"detected\",\"target_utc\":\"2025-11-18T11:02:00Z\"}]}}";
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_parse(json, strlen(json), "inline", &s, &err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    return s;
}

/* A run of 5 bins: 6000 requests a bin (1000 in the short last one), err
 * of them 5xx; down[b] site-seconds of the 10 sites down. */
static cdn_result_t *fake(const double *err, const double *down)
{
    cdn_result_t *r = calloc(1, sizeof *r);
    r->nbins = 5;
    r->bin_s = 60;
    r->nregions = 1;
    r->replication = 3;
    r->rseries = calloc(CDN_RS_COUNT * r->nbins, sizeof(double));
    r->sites_down = calloc(r->nbins, sizeof(double));
    r->sites_failover = calloc(r->nbins, sizeof(double));
    for (size_t b = 0; b < r->nbins; b++) {
        double off = b < 4 ? 6000 : 1000;
        r->rseries[CDN_RS_OFFERED * r->nbins + b] = off;
        r->rseries[CDN_RS_ERR5XX * r->nbins + b] = err[b];
        r->rseries[CDN_RS_OK * r->nbins + b] = off - err[b];
        r->sites_down[b] = down[b];
    }
    r->detected_s = NAN;
    r->diagnosed_s = NAN;
    r->sites_total = 10;
    r->ncohorts = 1;
    r->cohort_sites = calloc(1, sizeof(uint64_t));
    r->cohort_down_s = calloc(1, sizeof(double));
    r->cohort_sites[0] = 10;
    return r;
}

START_TEST(quantiles_of_strided_values_skip_missing_ones)
{
    /* the values 4, 1, 3, 2 and a missing one, every other double (the
     * 99s between them must not be read) */
    static const double v[] = {4, 99, 1, 99, 3, 99, 2, 99, NAN};
    static const double q[] = {0, 0.25, 0.5, 0.75, 1, 0.05};
    double scratch[5], out[6];
    cdn_ensemble_quantiles(v, 5, 2, q, 6, scratch, out);
    /* sorted 1 2 3 4; type 7: h = 3 q */
    ck_assert_double_eq(out[0], 1);
    ck_assert_double_eq(out[1], 1.75);
    ck_assert_double_eq(out[2], 2.5);
    ck_assert_double_eq(out[3], 3.25);
    ck_assert_double_eq(out[4], 4);
    ck_assert_double_eq_tol(out[5], 1.15, 1e-15);
    /* the input is not reordered */
    ck_assert_double_eq(v[0], 4);
    ck_assert_double_eq(v[2], 1);
}
END_TEST

START_TEST(quantiles_of_one_value_and_of_none)
{
    static const double one[] = {NAN, 0.25, NAN};
    static const double none[] = {NAN, NAN};
    static const double q[] = {0.05, 0.5, 0.95};
    double scratch[3], out[3];
    cdn_ensemble_quantiles(one, 3, 1, q, 3, scratch, out);
    for (int k = 0; k < 3; k++)
        ck_assert_double_eq(out[k], 0.25);
    cdn_ensemble_quantiles(none, 2, 1, q, 3, scratch, out);
    for (int k = 0; k < 3; k++)
        ck_assert(isnan(out[k]));
    cdn_ensemble_quantiles(none, 0, 1, q, 3, scratch, out);
    ck_assert(isnan(out[1]));
}
END_TEST

START_TEST(a_run_is_reduced_to_targets_then_the_two_series)
{
    static const double err[] = {0, 600, 3000, 6000, 500};
    static const double down[] = {0, 60, 300, 600, 50}; /* site-seconds of 10 sites */
    cdn_scenario_t *s = scenario();
    cdn_result_t *r = fake(err, down);
    ck_assert_uint_eq(cdn_ensemble_nbins(s), 5);
    ck_assert_uint_eq(cdn_ensemble_row_len(s), 2 + 2 * 5);
    ck_assert_uint_eq(cdn_ensemble_series_offset(s, CDN_ENS_ERR5XX), 2);
    ck_assert_uint_eq(cdn_ensemble_series_offset(s, CDN_ENS_SITES_DOWN), 7);
    double row[12];
    cdn_ensemble_reduce(s, r, row);
    ck_assert_double_eq_tol(row[0], 1.0, 1e-15); /* peak 5xx share: bin 3 */
    ck_assert(isnan(row[1]));                    /* never detected */
    static const double share[] = {0, 0.1, 0.5, 1.0, 0.5};
    static const double sites[] = {0, 0.1, 0.5, 1.0, 0.5}; /* the last bin is 10 s long */
    for (size_t b = 0; b < 5; b++) {
        ck_assert_double_eq_tol(row[2 + b], share[b], 1e-15);
        ck_assert_double_eq_tol(row[7 + b], sites[b], 1e-15);
    }
    ck_assert(isnan(cdn_ensemble_series(s, r, CDN_ENS_ERR5XX, 5))); /* past the end */
    r->sites_total = 0;
    ck_assert_double_eq(cdn_ensemble_series(s, r, CDN_ENS_SITES_DOWN, 2), 0);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

/* The fields of line `line` (0 = header) of dir/file, as numbers. */
static size_t csv_line(const char *dir, const char *file, int line, double *v, size_t max)
{
    char path[512], buf[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    for (int k = 0; k <= line; k++)
        ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
    fclose(f);
    size_t n = 0;
    for (char *p = buf; n < max; n++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        v[n] = *p && *p != '\n' ? strtod(p, NULL) : NAN;
        if (!comma) {
            n++;
            break;
        }
        p = comma + 1;
    }
    return n;
}

static int file_has(const char *dir, const char *file, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, text) != NULL;
}

/* Three replications by hand: in bin 1 the 5xx shares 0, 0.5, 1 and the
 * sites-down shares 0.2, 0.2, 0.2; the alert at 100 s, 200 s, never. */
static void three_rows(const cdn_scenario_t *s, double *rows, double sites)
{
    size_t len = cdn_ensemble_row_len(s);
    memset(rows, 0, 3 * len * sizeof *rows);
    for (size_t k = 0; k < 3; k++) {
        double *row = rows + k * len;
        row[0] = 0.5 * (double)k;
        row[1] = k == 0 ? 100 : k == 1 ? 200 : NAN;
        row[cdn_ensemble_series_offset(s, CDN_ENS_ERR5XX) + 1] = 0.5 * (double)k;
        row[cdn_ensemble_series_offset(s, CDN_ENS_SITES_DOWN) + 1] = sites;
    }
}

START_TEST(fan_chart_files_hold_the_quantiles_of_each_bin)
{
    char dir[] = "/tmp/cdnsim-ensemble-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    cdn_scenario_t *s = scenario();
    static const double err[] = {0, 600, 0, 0, 0}, down[] = {0, 0, 0, 0, 0};
    cdn_result_t *r = fake(err, down);
    double rows[3 * 12];
    three_rows(s, rows, 0.2);
    cdn_error_t e = {0, ""};
    ck_assert_int_eq(cdn_fanchart_write(dir, s, rows, 3, 1, r, &e), 0);
    /* t_s, utc, err5xx p05 p25 p50 p75 p95, sites_down p05..p95, run's two */
    double v[16];
    ck_assert_uint_eq(csv_line(dir, "ensemble.csv", 2, v, 16), 14);
    ck_assert_double_eq(v[0], 60);
    static const double want[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < 5; k++) {
        ck_assert_double_eq_tol(v[2 + k], want[k], 1e-15);
        ck_assert_double_eq_tol(v[7 + k], 0.2, 1e-15);
    }
    ck_assert_double_eq_tol(v[12], 0.1, 1e-15); /* the folder's own run */
    ck_assert_double_eq(v[13], 0);
    /* one row per time target: published 120 s; simulated 100, 200, missing */
    ck_assert_uint_eq(csv_line(dir, "ensemble_targets.csv", 1, v, 16), 8);
    ck_assert_double_eq(v[0], 1);
    ck_assert_double_eq(v[3], 120);
    ck_assert_double_eq_tol(v[4], 105, 1e-12);
    ck_assert_double_eq_tol(v[5], 150, 1e-12);
    ck_assert_double_eq_tol(v[6], 195, 1e-12);
    ck_assert_double_eq(v[7], 2);
    ck_assert(file_has(dir, "ensemble_targets.csv", ",alert,detected,"));
    ck_assert(!file_has(dir, "ensemble_targets.csv", "peak")); /* not a time */
    /* the script: steps, the strip, both panels, the replication named */
    ck_assert(file_has(dir, "ensemble.gp", "with boxxyerror"));
    ck_assert(file_has(dir, "ensemble.gp", "with steps"));
    ck_assert(!file_has(dir, "ensemble.gp", "with lines"));
    ck_assert(file_has(dir, "ensemble.gp", "ensemble_targets.csv"));
    ck_assert(file_has(dir, "ensemble.gp", "dependent sites down"));
    ck_assert(file_has(dir, "ensemble.gp", "title 'replication 3'"));
    ck_assert(file_has(dir, "ensemble.gp", "set arrow 2 from T0+120,"));
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
    const char *const files[] = {"ensemble.csv", "ensemble_targets.csv", "ensemble.gp"};
    for (int k = 0; k < 3; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        unlink(path);
    }
    rmdir(dir);
}
END_TEST

START_TEST(fan_chart_drops_the_sites_panel_when_no_site_is_ever_down)
{
    char dir[] = "/tmp/cdnsim-ensemble-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    cdn_scenario_t *s = scenario();
    static const double err[] = {0, 600, 0, 0, 0}, down[] = {0, 0, 0, 0, 0};
    cdn_result_t *r = fake(err, down);
    double rows[3 * 12];
    three_rows(s, rows, 0.0);
    cdn_error_t e = {0, ""};
    ck_assert_int_eq(cdn_fanchart_write(dir, s, rows, 3, 1, r, &e), 0);
    ck_assert(!file_has(dir, "ensemble.gp", "dependent sites down"));
    ck_assert(file_has(dir, "ensemble.gp", "HTTP 5xx share"));
    ck_assert(file_has(dir, "ensemble.gp", "set format x XFORMAT")); /* the 5xx panel is last */
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
    const char *const files[] = {"ensemble.csv", "ensemble_targets.csv", "ensemble.gp"};
    for (int k = 0; k < 3; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        unlink(path);
    }
    rmdir(dir);
}
END_TEST

START_TEST(fan_chart_write_errors_name_the_file)
{
    cdn_scenario_t *s = scenario();
    static const double err[] = {0, 0, 0, 0, 0};
    cdn_result_t *r = fake(err, err);
    double rows[12] = {0};
    cdn_error_t e = {0, ""};
    ck_assert_int_eq(cdn_fanchart_write("/nonexistent/dir", s, rows, 1, 1, r, &e), CDN_EIO);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/dir/ensemble.csv"));
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *ensemble_suite(void)
{
    Suite *s = suite_create("cdn_ensemble");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, quantiles_of_strided_values_skip_missing_ones);
    tcase_add_test(tc, quantiles_of_one_value_and_of_none);
    tcase_add_test(tc, a_run_is_reduced_to_targets_then_the_two_series);
    tcase_add_test(tc, fan_chart_files_hold_the_quantiles_of_each_bin);
    tcase_add_test(tc, fan_chart_drops_the_sites_panel_when_no_site_is_ever_down);
    tcase_add_test(tc, fan_chart_write_errors_name_the_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(ensemble_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
