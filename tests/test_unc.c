/*
 * test_unc.c -- specifications of the statistics of --uncertainty
 * (models/measure/cdn_unc.c) on small tables computed by hand: the
 * variance decomposition (balanced, flat, with a missing value, too
 * little data), draw means, the probability of being best (ties shared,
 * incomplete draws skipped, either direction), of beating another arm,
 * and the robustness rule at its threshold.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "cdn_unc.h"

#define EPS 1e-12

/* 3 draws x 2 seeds; draw means 2, 6, 10; grand mean 6.
 * SSB = 2 (16 + 0 + 16) = 64, MSB = 32; SSW = 3 x 2 = 6, MSW = 6 / 3 = 2;
 * n0 = (6 - 12/6) / 2 = 2; var_params = (32 - 2) / 2 = 15. */
START_TEST(balanced_draws_split_into_parameters_and_seeds)
{
    const double y[] = {1, 3, 5, 7, 9, 11};
    cdn_unc_decomp_t u;
    cdn_unc_decompose(y, 3, 2, &u);
    ck_assert_uint_eq(u.n, 6);
    ck_assert_uint_eq(u.draws, 3);
    ck_assert_double_eq_tol(u.mean, 6.0, EPS);
    ck_assert_double_eq_tol(u.msb, 32.0, EPS);
    ck_assert_double_eq_tol(u.msw, 2.0, EPS);
    ck_assert_double_eq_tol(u.var_seeds, 2.0, EPS);
    ck_assert_double_eq_tol(u.var_params, 15.0, EPS);
    ck_assert_double_eq_tol(u.share_params, 15.0 / 17.0, EPS);
}
END_TEST

/* Equal draw means: MSB = 0 < MSW = 4/3, var_params truncated to 0. */
START_TEST(draws_that_agree_give_no_parameter_share)
{
    const double y[] = {1, 3, 3, 1, 2, 2};
    cdn_unc_decomp_t u;
    cdn_unc_decompose(y, 3, 2, &u);
    ck_assert_double_eq_tol(u.msb, 0.0, EPS);
    ck_assert_double_eq_tol(u.var_seeds, 4.0 / 3.0, EPS);
    ck_assert_double_eq_tol(u.var_params, 0.0, EPS);
    ck_assert_double_eq_tol(u.share_params, 0.0, EPS);
}
END_TEST

/* Seeds that agree within each draw: all the spread is the parameters'. */
START_TEST(seeds_that_agree_give_the_parameters_everything)
{
    const double y[] = {4, 4, 8, 8};
    cdn_unc_decomp_t u;
    cdn_unc_decompose(y, 2, 2, &u);
    ck_assert_double_eq_tol(u.var_seeds, 0.0, EPS);
    /* MSB = 2 (4 + 4) / 1 = 16; n0 = 2; var_params = 8 */
    ck_assert_double_eq_tol(u.var_params, 8.0, EPS);
    ck_assert_double_eq_tol(u.share_params, 1.0, EPS);
}
END_TEST

/* Draw 1 lost a seed: n = (2, 1, 2), N = 5, means 2, 5, 10, mean 5.8.
 * SSB = 2 (3.8^2) + 0.8^2 + 2 (4.2^2) = 64.8, MSB = 32.4; SSW = 4,
 * MSW = 4 / 2 = 2; n0 = (5 - 9/5) / 2 = 1.6; var_params = 30.4 / 1.6 = 19. */
START_TEST(a_missing_value_uses_the_unbalanced_n0)
{
    const double y[] = {1, 3, 5, NAN, 9, 11};
    cdn_unc_decomp_t u;
    cdn_unc_decompose(y, 3, 2, &u);
    ck_assert_uint_eq(u.n, 5);
    ck_assert_double_eq_tol(u.mean, 5.8, EPS);
    ck_assert_double_eq_tol(u.msb, 32.4, 1e-9);
    ck_assert_double_eq_tol(u.msw, 2.0, EPS);
    ck_assert_double_eq_tol(u.var_params, 19.0, 1e-9);
    ck_assert_double_eq_tol(u.share_params, 19.0 / 21.0, 1e-9);
}
END_TEST

START_TEST(too_little_data_is_undefined)
{
    const double one_draw[] = {1, 2};
    const double one_seed[] = {1, 2, 3};
    const double empty_draw[] = {NAN, NAN, 1, 3};
    cdn_unc_decomp_t u;
    cdn_unc_decompose(one_draw, 1, 2, &u);
    ck_assert(isnan(u.var_params) && isnan(u.share_params));
    ck_assert_double_eq_tol(u.mean, 1.5, EPS);
    cdn_unc_decompose(one_seed, 3, 1, &u); /* N = g: no within-draw spread to measure */
    ck_assert(isnan(u.var_seeds) && isnan(u.var_params));
    cdn_unc_decompose(empty_draw, 2, 2, &u); /* one draw left */
    ck_assert_uint_eq(u.draws, 1);
    ck_assert(isnan(u.share_params));
}
END_TEST

START_TEST(draw_means_skip_missing_values)
{
    const double y[] = {1, 3, NAN, 7, NAN, NAN};
    double m[3];
    cdn_unc_draw_means(y, 3, 2, m);
    ck_assert_double_eq_tol(m[0], 2.0, EPS);
    ck_assert_double_eq_tol(m[1], 7.0, EPS);
    ck_assert(isnan(m[2]));
}
END_TEST

/* 4 draws x 3 arms: a tie shares, an incomplete draw is skipped. */
static const double table[] = {
    1, 2, 3,   /* arm 0 best (lower) */
    2, 2, 3,   /* arms 0 and 1 tie: 1/2 each */
    5, 4, NAN, /* incomplete: not counted for P(best) */
    3, 2, 1,   /* arm 2 best */
};

START_TEST(p_best_shares_ties_and_skips_incomplete_draws)
{
    double p[3];
    cdn_unc_p_best(table, 4, 3, 1, p);
    ck_assert_double_eq_tol(p[0], 1.5 / 3.0, EPS);
    ck_assert_double_eq_tol(p[1], 0.5 / 3.0, EPS);
    ck_assert_double_eq_tol(p[2], 1.0 / 3.0, EPS);
    cdn_unc_p_best(table, 4, 3, 0, p); /* higher is better */
    ck_assert_double_eq_tol(p[0], 1.0 / 3.0, EPS);
    ck_assert_double_eq_tol(p[1], 0.0, EPS);
    ck_assert_double_eq_tol(p[2], 2.0 / 3.0, EPS);
    const double none[] = {NAN, 1};
    cdn_unc_p_best(none, 1, 2, 1, p);
    ck_assert(isnan(p[0]) && isnan(p[1]));
}
END_TEST

START_TEST(p_beats_counts_a_tie_as_half)
{
    /* arm 1 vs arm 0, lower better: lose, tie, win, win over 4 draws */
    ck_assert_double_eq_tol(cdn_unc_p_beats(table, 4, 3, 1, 0, 1), 2.5 / 4.0, EPS);
    ck_assert_double_eq_tol(cdn_unc_p_beats(table, 4, 3, 0, 1, 1), 1.5 / 4.0, EPS);
    /* arm 2 vs arm 0: draw 2 has no arm 2, so 3 draws: lose, lose, win */
    ck_assert_double_eq_tol(cdn_unc_p_beats(table, 4, 3, 2, 0, 1), 1.0 / 3.0, EPS);
    ck_assert_double_eq_tol(cdn_unc_p_beats(table, 4, 3, 2, 0, 0), 2.0 / 3.0, EPS);
}
END_TEST

START_TEST(ties_are_counted_over_the_draws_both_have)
{
    size_t counted = 99;
    /* arms 1 and 0: lose, tie, win, win over 4 draws: one tie of 4 */
    ck_assert_uint_eq(cdn_unc_ties(table, 4, 3, 1, 0, &counted), 1);
    ck_assert_uint_eq(counted, 4);
    /* arms 2 and 0: draw 2 has no arm 2 */
    ck_assert_uint_eq(cdn_unc_ties(table, 4, 3, 2, 0, &counted), 0);
    ck_assert_uint_eq(counted, 3);
    /* an arm against itself ties in every draw it has */
    ck_assert_uint_eq(cdn_unc_ties(table, 4, 3, 2, 2, &counted), 3);
    ck_assert_uint_eq(counted, 3);
}
END_TEST

START_TEST(robust_needs_the_threshold)
{
    ck_assert_int_eq(cdn_unc_robust(0.95, 100), 1);
    ck_assert_int_eq(cdn_unc_robust(1.0, 100), 1);
    ck_assert_int_eq(cdn_unc_robust(0.9499, 100), 0);
    ck_assert_int_eq(cdn_unc_robust(NAN, 100), 0);
    /* a clean sweep of too few draws is not judged robust */
    ck_assert_int_eq(cdn_unc_robust(1.0, CDN_UNC_ROBUST_MIN_DRAWS), 1);
    ck_assert_int_eq(cdn_unc_robust(1.0, CDN_UNC_ROBUST_MIN_DRAWS - 1), 0);
    ck_assert_int_eq(cdn_unc_robust(1.0, 2), 0);
}
END_TEST

static Suite *unc_suite(void)
{
    Suite *s = suite_create("unc");
    TCase *tc = tcase_create("unc");
    tcase_add_test(tc, balanced_draws_split_into_parameters_and_seeds);
    tcase_add_test(tc, draws_that_agree_give_no_parameter_share);
    tcase_add_test(tc, seeds_that_agree_give_the_parameters_everything);
    tcase_add_test(tc, a_missing_value_uses_the_unbalanced_n0);
    tcase_add_test(tc, too_little_data_is_undefined);
    tcase_add_test(tc, draw_means_skip_missing_values);
    tcase_add_test(tc, p_best_shares_ties_and_skips_incomplete_draws);
    tcase_add_test(tc, p_beats_counts_a_tie_as_half);
    tcase_add_test(tc, ties_are_counted_over_the_draws_both_have);
    tcase_add_test(tc, robust_needs_the_threshold);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(unc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
