/*
 * test_sim_stats.c -- specifications of sim/sim_stats.c against values
 * worked out by hand (and Student-t quantiles from printed tables).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "sim_stats.h"

/* x = {2, 4, 4, 4, 5, 5, 7, 9}: sum 40, mean 5; squared deviations
 * 9+1+1+1+0+0+4+16 = 32, sd = sqrt(32/7); t(0.975, 7) = 2.364624 (tables:
 * 2.365); half-width = 2.364624 * sqrt(32/7) / sqrt(8) = 1.787488. */
static const double X8[] = {2, 4, 4, 4, 5, 5, 7, 9};

START_TEST(stats_summary_matches_hand_computed_mean_sd_and_interval)
{
    sim_stats_summary_t s;
    sim_stats_summarize(X8, 8, 1, 0.95, &s);
    ck_assert_uint_eq(s.n, 8);
    ck_assert_double_eq(s.mean, 5.0);
    ck_assert_double_eq_tol(s.sd, sqrt(32.0 / 7.0), 1e-15);
    ck_assert_double_eq_tol(s.half_width, 1.787488, 1e-6);
    ck_assert_double_eq_tol(s.lo, 5.0 - 1.787488, 1e-6);
    ck_assert_double_eq_tol(s.hi, 5.0 + 1.787488, 1e-6);
}
END_TEST

START_TEST(stats_t_quantiles_match_printed_tables)
{
    ck_assert_double_eq_tol(sim_stats_t_quantile(0.975, 1), 12.706, 5e-4);
    ck_assert_double_eq_tol(sim_stats_t_quantile(0.975, 7), 2.365, 5e-4);
    ck_assert_double_eq_tol(sim_stats_t_quantile(0.975, 29), 2.045, 5e-4);
    ck_assert_double_eq_tol(sim_stats_t_quantile(0.95, 10), 1.812, 5e-4);
    ck_assert_double_eq_tol(sim_stats_t_quantile(0.975, 1e6), 1.960, 5e-4);
}
END_TEST

START_TEST(stats_stride_selects_every_kth_value)
{
    /* interleaved: column 0 is X8, column 1 is garbage */
    double v[16];
    for (int i = 0; i < 8; i++) {
        v[2 * i] = X8[i];
        v[2 * i + 1] = 1e300;
    }
    sim_stats_summary_t s;
    sim_stats_summarize(v, 8, 2, 0.95, &s);
    ck_assert_double_eq(s.mean, 5.0);
    ck_assert_double_eq_tol(s.sd, sqrt(32.0 / 7.0), 1e-15);
}
END_TEST

START_TEST(stats_missing_values_are_skipped)
{
    double v[] = {2, NAN, 4, 4, 4, 5, NAN, 5, 7, 9};
    sim_stats_summary_t s;
    sim_stats_summarize(v, 10, 1, 0.95, &s);
    ck_assert_uint_eq(s.n, 8);
    ck_assert_double_eq(s.mean, 5.0);
    ck_assert_double_eq_tol(s.half_width, 1.787488, 1e-6);
}
END_TEST

START_TEST(stats_fewer_than_two_values_have_no_interval)
{
    sim_stats_summary_t s;
    double one = 3.5, none = NAN;
    sim_stats_summarize(&one, 1, 1, 0.95, &s);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_double_eq(s.mean, 3.5);
    ck_assert(isnan(s.sd) && isnan(s.half_width) && isnan(s.lo) && isnan(s.hi));
    ck_assert(!sim_stats_precise(&s, 0.5));
    sim_stats_summarize(&none, 1, 1, 0.95, &s);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(isnan(s.mean));
    sim_stats_summarize(NULL, 0, 1, 0.95, &s);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(stats_constant_values_have_a_zero_width_interval)
{
    double v[] = {0.1, 0.1, 0.1, 0.1};
    sim_stats_summary_t s;
    sim_stats_summarize(v, 4, 1, 0.95, &s);
    ck_assert_double_eq(s.sd, 0.0);
    ck_assert_double_eq(s.half_width, 0.0);
    ck_assert_double_eq(s.lo, s.mean);
    ck_assert_double_eq(s.hi, s.mean);
}
END_TEST

/* pairs (x, y): differences {1, 2, 3, 2}: mean 2, sd sqrt(2/3),
 * t(0.975, 3) = 3.182446, half-width = 3.182446 * sqrt(2/3) / 2 = 1.299228 */
START_TEST(stats_paired_difference_matches_hand_computed_values)
{
    double x[] = {11, 22, 33, 42}, y[] = {10, 20, 30, 40};
    sim_stats_summary_t s;
    sim_stats_paired(x, y, 4, 1, 0.95, &s);
    ck_assert_uint_eq(s.n, 4);
    ck_assert_double_eq(s.mean, 2.0);
    ck_assert_double_eq_tol(s.sd, sqrt(2.0 / 3.0), 1e-15);
    ck_assert_double_eq_tol(s.half_width, 1.299228, 1e-6);
}
END_TEST

START_TEST(stats_paired_identical_runs_give_exactly_zero)
{
    double x[] = {0.3, 1e11 / 3.0, 7.25, 1e-9};
    sim_stats_summary_t s;
    sim_stats_paired(x, x, 4, 1, 0.95, &s);
    ck_assert_double_eq(s.mean, 0.0);
    ck_assert_double_eq(s.sd, 0.0);
    ck_assert_double_eq(s.lo, 0.0);
    ck_assert_double_eq(s.hi, 0.0);
}
END_TEST

START_TEST(stats_paired_skips_pairs_with_a_missing_side)
{
    double x[] = {11, NAN, 22, 33, 42}, y[] = {10, 5, 20, NAN, 40};
    sim_stats_summary_t s;
    sim_stats_paired(x, y, 5, 1, 0.95, &s); /* pairs 0, 2, 4: diffs 1, 2, 2 */
    ck_assert_uint_eq(s.n, 3);
    ck_assert_double_eq_tol(s.mean, 5.0 / 3.0, 1e-15);
}
END_TEST

START_TEST(stats_quantile_interpolates_between_order_statistics)
{
    double v[] = {4, 1, 3, 2};
    ck_assert_double_eq(sim_stats_quantile(v, 4, 0.5), 2.5);
    ck_assert_double_eq(v[0], 1); /* sorted in place */
    ck_assert_double_eq(v[3], 4);
    ck_assert_double_eq_tol(sim_stats_quantile(v, 4, 0.05), 1.15, 1e-15);
    ck_assert_double_eq_tol(sim_stats_quantile(v, 4, 0.95), 3.85, 1e-15);
    ck_assert_double_eq(sim_stats_quantile(v, 4, 0.0), 1);
    ck_assert_double_eq(sim_stats_quantile(v, 4, 1.0), 4);
    double w[] = {5, 1, 3}; /* h = 1: exactly the middle order statistic */
    ck_assert_double_eq(sim_stats_quantile(w, 3, 0.5), 3);
    double one = 7;
    ck_assert_double_eq(sim_stats_quantile(&one, 1, 0.9), 7);
}
END_TEST

START_TEST(stats_quantile_ignores_missing_values)
{
    double v[] = {NAN, 4, 1, NAN, 3, 2};
    ck_assert_double_eq(sim_stats_quantile(v, 6, 0.5), 2.5);
    double none[] = {NAN, NAN};
    ck_assert(isnan(sim_stats_quantile(none, 2, 0.5)));
    ck_assert(isnan(sim_stats_quantile(NULL, 0, 0.5)));
}
END_TEST

START_TEST(stats_precise_compares_half_width_with_relative_target)
{
    sim_stats_summary_t s;
    sim_stats_summarize(X8, 8, 1, 0.95, &s); /* half-width 1.787 of mean 5: 35.7% */
    ck_assert(sim_stats_precise(&s, 0.36));
    ck_assert(!sim_stats_precise(&s, 0.35));
    double z[] = {-1, 1, -1, 1}; /* mean exactly 0: skipped */
    sim_stats_summarize(z, 4, 1, 0.95, &s);
    ck_assert(sim_stats_precise(&s, 0.01));
    double neg[] = {-10, -11, -9, -10}; /* |mean| is used */
    sim_stats_summarize(neg, 4, 1, 0.95, &s);
    ck_assert(sim_stats_precise(&s, 0.2));
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("sim_stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, stats_summary_matches_hand_computed_mean_sd_and_interval);
    tcase_add_test(tc, stats_t_quantiles_match_printed_tables);
    tcase_add_test(tc, stats_stride_selects_every_kth_value);
    tcase_add_test(tc, stats_missing_values_are_skipped);
    tcase_add_test(tc, stats_fewer_than_two_values_have_no_interval);
    tcase_add_test(tc, stats_constant_values_have_a_zero_width_interval);
    tcase_add_test(tc, stats_paired_difference_matches_hand_computed_values);
    tcase_add_test(tc, stats_paired_identical_runs_give_exactly_zero);
    tcase_add_test(tc, stats_paired_skips_pairs_with_a_missing_side);
    tcase_add_test(tc, stats_quantile_interpolates_between_order_statistics);
    tcase_add_test(tc, stats_quantile_ignores_missing_values);
    tcase_add_test(tc, stats_precise_compares_half_width_with_relative_target);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(stats_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
