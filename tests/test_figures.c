/*
 * test_figures.c -- the choices behind a run's figures, on hand-made data:
 * y ranges that fit the data, time tics that carry the date on runs
 * longer than a day, action-mark labels that never overlap nor leave the
 * plot, and the onset order of the regions heat map.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_gnuplot.h"
#include "cdn_regions.h"

START_TEST(y_axes_fit_the_data_and_keep_the_full_scale_near_it)
{
    /* a 16 % peak gets 0-20 %, not 0-105 % */
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(16.0, 100.0, 1.0), 20.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(18.4, 100.0, 1.0), 25.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(40.0, 100.0, 1.0), 50.0, 1e-9);
    /* above half of the full scale the whole scale is shown */
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(76.0, 100.0, 1.0), 105.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(100.0, 100.0, 1.0), 105.0, 1e-9);
    /* nothing, or a 0.05 % baseline: the floor */
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(0.0, 100.0, 1.0), 1.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(0.05, 100.0, 1.0), 1.0, 1e-9);
    /* no full scale (latency in s): 2.5 s gets 3 s, 2 s gets 2.5 s */
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(2.5, 0.0, 0.1), 3.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(2.0, 0.0, 0.1), 2.5, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_upper(0.35, 0.0, 0.1), 0.4, 1e-9);
    /* availability between 95 and 100 %: the axis starts near 95, not at 0 */
    ck_assert_double_eq_tol(cdn_gnuplot_fit_lower(95.0, 100.0, 1.0), 94.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_lower(100.0, 100.0, 1.0), 99.0, 1e-9);
    ck_assert_double_eq_tol(cdn_gnuplot_fit_lower(20.0, 100.0, 1.0), 0.0, 1e-9);
}
END_TEST

/* What put_time_tics writes for a run from start_epoch_s over span_s. */
static char *tics(int64_t start_epoch_s, double span_s, int labels)
{
    static char out[8192];
    cdn_scenario_t s;
    memset(&s, 0, sizeof s);
    s.sim.start_epoch_s = start_epoch_s;
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    cdn_gnuplot_put_time_tics(f, &s, span_s, labels);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    return out;
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

START_TEST(time_tics_are_utc_aligned_and_dated_past_a_day)
{
    ck_assert_double_eq(cdn_gnuplot_time_step(7.5 * 3600), 3600);
    ck_assert_double_eq(cdn_gnuplot_time_step(2 * 3600), 900);
    ck_assert_double_eq(cdn_gnuplot_time_step(3 * 86400), 43200);
    /* 2025-11-18T10:30:00Z over 7.5 h: 11:00 ... 18:00, no date */
    const char *t = tics(1763461800, 7.5 * 3600, 1);
    ck_assert_ptr_nonnull(strstr(t, "set xtics (\"11:00\" 1763463600, "));
    ck_assert_ptr_nonnull(strstr(t, "\"18:00\" 1763488800)"));
    ck_assert_uint_eq(count(t, "\" 17"), 8);
    ck_assert_ptr_null(strstr(t, "Nov"));
    /* three days from 2026-05-11T20:00:00Z: twice a day, the date under
     * each midnight only, not a row of 00:00 */
    t = tics(1778529600, 3 * 86400, 1);
    ck_assert_ptr_nonnull(strstr(t, "\"00:00\\n12 May\""));
    ck_assert_ptr_nonnull(strstr(t, "\"00:00\\n14 May\""));
    ck_assert_uint_eq(count(t, "\"12:00\""), 3);
    ck_assert_uint_eq(count(t, "May"), 3);
    /* panels above the bottom one: the same tics, no labels */
    t = tics(1778529600, 3 * 86400, 0);
    ck_assert_uint_eq(count(t, "\"\" "), 6);
}
END_TEST

START_TEST(mark_labels_never_overlap_nor_leave_the_plot)
{
    /* close marks (as 14:23 and 14:30 on the reference) and one near the
     * right edge */
    cdn_gnuplot_mark_t m[] = {{100, 80, 0, 0},  {130, 120, 0, 0}, {140, 60, 0, 0},
                              {400, 300, 0, 0}, {990, 150, 0, 0}};
    size_t n = sizeof m / sizeof m[0];
    int rows = cdn_gnuplot_stagger(m, n, 80, 1000, 10);
    ck_assert_int_ge(rows, 2);
    ck_assert_int_le(rows, (int)n);
    double x0[5], x1[5];
    for (size_t i = 0; i < n; i++) {
        x0[i] = m[i].right ? m[i].x_px - 4 - m[i].w_px : m[i].x_px + 4;
        x1[i] = x0[i] + m[i].w_px;
        ck_assert_double_ge(x0[i], 80);
        ck_assert_double_le(x1[i], 1000);
        ck_assert_int_lt(m[i].row, rows);
    }
    ck_assert_int_eq(m[4].right, 1); /* would pass the right edge */
    ck_assert_int_eq(m[0].right, 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (m[i].row == m[j].row)
                ck_assert_msg(x1[i] + 10 <= x0[j] || x1[j] + 10 <= x0[i],
                              "labels %zu and %zu overlap in row %d", i, j, m[i].row);
    /* far apart: one row */
    cdn_gnuplot_mark_t far[] = {{100, 50, 0, 0}, {400, 50, 0, 0}};
    ck_assert_int_eq(cdn_gnuplot_stagger(far, 2, 80, 1000, 10), 1);
    ck_assert_int_eq(cdn_gnuplot_stagger(far, 0, 80, 1000, 10), 0);
}
END_TEST

START_TEST(regions_are_ordered_by_onset_unaffected_last_in_scenario_order)
{
    enum { N = 5, B = 4 };
    /* region 0: never above; 1: from bin 2; 2: from bin 1; 3: never (at
     * the threshold is not above it); 4: from bin 2 (a tie with 1) */
    const double frac[N * B] = {0.001, 0.005, 0.009, 0.0,  /* 0 */
                                0.0,   0.0,   0.5,   0.9,  /* 1 */
                                0.0,   0.02,  0.0,   0.0,  /* 2 */
                                0.01,  0.01,  0.01,  0.01, /* 3 */
                                0.0,   0.0,   0.2,   0.0}; /* 4 */
    size_t order[N], onset[N];
    cdn_regions_onset_order(frac, N, B, 0.01, order, onset);
    const size_t want_order[N] = {2, 1, 4, 0, 3};
    const size_t want_onset[N] = {B, 2, 1, B, 2};
    for (size_t i = 0; i < N; i++) {
        ck_assert_uint_eq(order[i], want_order[i]);
        ck_assert_uint_eq(onset[i], want_onset[i]);
    }
}
END_TEST

static Suite *figures_suite(void)
{
    Suite *s = suite_create("figures");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, y_axes_fit_the_data_and_keep_the_full_scale_near_it);
    tcase_add_test(tc, time_tics_are_utc_aligned_and_dated_past_a_day);
    tcase_add_test(tc, mark_labels_never_overlap_nor_leave_the_plot);
    tcase_add_test(tc, regions_are_ordered_by_onset_unaffected_last_in_scenario_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(figures_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
