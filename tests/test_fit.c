/*
 * test_fit.c -- specifications of the fit's pieces (models/measure/cdn_fit.c
 * and cdn_priors_cdf): each prior's CDF inverts its quantile, the logit
 * coordinates round-trip and never leave the support, the loss of
 * hand-made replication values is what the formula gives, and the
 * Nelder-Mead driver finds a known minimum, keeps an unseen direction at
 * its start, and passes an evaluation's error on.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "cdn_fit.h"
#include "cdn_json.h"
#include "cdn_priors.h"
#include "cdn_scenario.h"
#include "test_util.h"


/* One prior of each continuous kind, and a discrete one (index 6). */
static cdn_priors_t *every_kind(void)
{
    return test_priors_ok(
        "{\"path\": \"$.proxies[name=new].wedge_rate_per_h\", \"dist\": \"log-uniform\","
        " \"min\": 0.01, \"max\": 1},"
        "{\"path\": \"$.traffic.diurnal_amplitude\", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5},"
        "{\"path\": \"$.traffic.diurnal_peak_local_h\", \"dist\": \"triangular\", \"min\": 10,"
        " \"mode\": 20, \"max\": 22},"
        "{\"path\": \"$.traffic.baseline_err5xx_frac\", \"dist\": \"beta\", \"alpha\": 2,"
        " \"beta\": 3, \"min\": 0, \"max\": 0.01},"
        "{\"path\": \"$.traffic.global_rps\", \"dist\": \"normal\", \"mean\": 1e6, \"sd\": 1e5,"
        " \"min\": 9e5, \"max\": 2e6},"
        "{\"path\": \"$.traffic.step_s\", \"dist\": \"log-normal\", \"median\": 300,"
        " \"sigma\": 0.5, \"max\": 3000},"
        "{\"path\": \"$.proxies[name=old].affected_frac\", \"dist\": \"discrete\","
        " \"values\": [0.2, 0.4, 0.9], \"weights\": [1, 1, 2]}");
}

START_TEST(cdf_inverts_the_quantile)
{
    cdn_priors_t *p = every_kind();
    static const double us[] = {0.001, 0.05, 0.3, 0.5, 0.77, 0.999};
    for (size_t i = 0; i < 6; i++)
        for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
            double x = cdn_priors_quantile(p, i, us[k]);
            double F = cdn_priors_cdf(p, i, x);
            if (fabs(F - us[k]) > 1e-9)
                ck_abort_msg("prior %zu: F(Q(%g)) = %.12g", i, us[k], F);
        }
    /* by hand: uniform(0.1, 0.5) at 0.2; log-uniform(0.01, 1) at 0.1;
     * triangular(10, 20, 22) at 15 and at 21 */
    ck_assert_double_eq_tol(cdn_priors_cdf(p, 1, 0.2), 0.25, 1e-12);
    ck_assert_double_eq_tol(cdn_priors_cdf(p, 0, 0.1), 0.5, 1e-12);
    ck_assert_double_eq_tol(cdn_priors_cdf(p, 2, 15), 25.0 / 120.0, 1e-12);
    ck_assert_double_eq_tol(cdn_priors_cdf(p, 2, 21), 1 - 1.0 / 24.0, 1e-12);
    /* outside the support, and a discrete prior's steps */
    ck_assert_double_eq(cdn_priors_cdf(p, 1, 0.05), 0);
    ck_assert_double_eq(cdn_priors_cdf(p, 1, 0.7), 1);
    ck_assert_double_eq_tol(cdn_priors_cdf(p, 6, 0.3), 0.25, 1e-12);
    ck_assert_double_eq_tol(cdn_priors_cdf(p, 6, 0.4), 0.5, 1e-12);
    ck_assert_double_eq(cdn_priors_cdf(p, 6, 0.1), 0);
    cdn_priors_destroy(p);
}
END_TEST

START_TEST(z_round_trips_and_stays_inside)
{
    cdn_priors_t *p = every_kind();
    for (size_t i = 0; i < 6; i++) {
        double lo, hi;
        cdn_priors_support(p, i, &lo, &hi);
        for (double u = 0.02; u < 1; u += 0.16) {
            double x = cdn_priors_quantile(p, i, u);
            double back = cdn_fit_x_of_z(p, i, cdn_fit_z_of_x(p, i, x));
            if (fabs(back - x) > 1e-8 * fmax(1, fabs(x)))
                ck_abort_msg("prior %zu: x %.12g -> z -> %.12g", i, x, back);
        }
        /* any z, however far, lands in the support */
        for (double z = -800; z <= 800; z += 40) {
            double x = cdn_fit_x_of_z(p, i, z);
            ck_assert(isfinite(x) && x >= lo && x <= hi);
        }
    }
    /* a start on a bound has a finite z that maps back to the bound */
    double z = cdn_fit_z_of_x(p, 1, 0.1);
    ck_assert(isfinite(z) && z < -20);
    ck_assert_double_eq_tol(cdn_fit_x_of_z(p, 1, z), 0.1, 1e-8);
    /* logistic(0) is the median: uniform(0.1, 0.5) -> 0.3 */
    ck_assert_double_eq_tol(cdn_fit_x_of_z(p, 1, 0), 0.3, 1e-12);
    cdn_priors_destroy(p);
}
END_TEST

START_TEST(loss_by_hand)
{
    cdn_cal_target_spec_t tg[4];
    memset(tg, 0, sizeof tg);
    tg[0].metric = CDN_CAL_DETECTED; /* a time, published 600 s */
    tg[0].has_target = 1;
    tg[0].target = 600;
    tg[1].metric = CDN_CAL_SERVICE_MEAN; /* a share, published 0.9 */
    tg[1].has_target = 1;
    tg[1].target = 0.9;
    tg[2].metric = CDN_CAL_CYCLES; /* a count, not published: ignored */
    tg[3].metric = CDN_CAL_CYCLES; /* a count, published 3 */
    tg[3].has_target = 1;
    tg[3].target = 3;
    cdn_scenario_t s;
    memset(&s, 0, sizeof s);
    s.ntargets = 4;
    s.targets = tg;
    ck_assert_double_eq(cdn_fit_scale(CDN_CAL_DETECTED), 60);
    ck_assert_double_eq(cdn_fit_scale(CDN_CAL_SERVICE_MEAN), 0.01);
    ck_assert_double_eq(cdn_fit_scale(CDN_CAL_CYCLES), 1);
    /* 3 replications: medians 780 s (3 min late), 0.87 (3 points low),
     * 5 cycles (2 too many): 9 + 9 + 4 */
    double v[12] = {720, 780, 900, 0.87, 0.95, 0.80, 99, 99, 99, 5, 4, 7};
    ck_assert_double_eq_tol(cdn_fit_loss(&s, v, 3), 22, 1e-9);
    /* one replication without the alert: median of the other two (810 s,
     * 3.5 min) and a third of the missing penalty */
    v[1] = NAN;
    ck_assert_double_eq_tol(cdn_fit_loss(&s, v, 3), 12.25 + 9 + 4 + CDN_FIT_MISSING / 3, 1e-6);
    /* no alert at all: twice the penalty, more than any miss in a span */
    v[0] = v[2] = NAN;
    ck_assert_double_eq_tol(cdn_fit_loss(&s, v, 3), 2 * CDN_FIT_MISSING + 9 + 4, 1e-6);
    ck_assert(2 * CDN_FIT_MISSING > (7 * 60.0) * (7 * 60.0));
    size_t missing;
    ck_assert(isnan(cdn_fit_median(v, 3, &missing)) && missing == 3);
}
END_TEST

/* A bowl in x with its minimum at (0.3, 0.07) for priors 1 (uniform) and
 * 0 (log-uniform) of every_kind(); z[2] (prior 3) is not seen. */
typedef struct bowl {
    cdn_priors_t *p;
    size_t evals, fail_after;
} bowl_t;

static int bowl(void *ctx, const double *z, double *loss, cdn_error_t *err)
{
    bowl_t *b = ctx;
    if (b->fail_after && b->evals >= b->fail_after) {
        snprintf(err->msg, sizeof err->msg, "evaluation %zu refused", b->evals);
        return err->code = CDN_EDATA;
    }
    b->evals++;
    double x1 = cdn_fit_x_of_z(b->p, 1, z[0]), x0 = cdn_fit_x_of_z(b->p, 0, z[1]);
    double d1 = (x1 - 0.3) / 0.01, d0 = (log(x0) - log(0.07)) / 0.01;
    *loss = d1 * d1 + d0 * d0;
    return 0;
}

static size_t last_iter;
static double last_loss;
static void record(void *ctx, size_t iter, double loss, double size, const double *z)
{
    (void)ctx;
    (void)size;
    (void)z;
    ck_assert(iter == 0 || iter == last_iter + 1);
    /* the best point's loss never rises by more than the tie-breaker moves */
    ck_assert(iter == 0 || loss <= last_loss + 1e-3);
    last_iter = iter;
    last_loss = loss;
}

START_TEST(nelder_mead_finds_a_known_minimum)
{
    cdn_priors_t *p = every_kind();
    bowl_t b = {p, 0, 0};
    double z[3] = {cdn_fit_z_of_x(p, 1, 0.45), cdn_fit_z_of_x(p, 0, 0.5), cdn_fit_z_of_x(p, 3, 0.004)};
    double z2 = z[2];
    cdn_fit_opts_t o = {500, 1e-4, 1.0};
    cdn_fit_result_t res;
    cdn_error_t err = {0, ""};
    ck_assert_int_eq(cdn_fit_minimize(3, z, &o, bowl, record, &b, &res, &err), 0);
    ck_assert_double_eq_tol(cdn_fit_x_of_z(p, 1, z[0]), 0.3, 1e-3);
    ck_assert_double_eq_tol(cdn_fit_x_of_z(p, 0, z[1]), 0.07, 1e-3);
    ck_assert_double_eq_tol(z[2], z2, 1e-2); /* the unseen direction stays at its start */
    ck_assert(res.converged && res.loss < 0.01 && res.iters == last_iter);
    ck_assert_uint_eq(res.evals, b.evals);
    /* the same start gives the same answer, bit for bit */
    double again[3] = {cdn_fit_z_of_x(p, 1, 0.45), cdn_fit_z_of_x(p, 0, 0.5), z2};
    bowl_t b2 = {p, 0, 0};
    ck_assert_int_eq(cdn_fit_minimize(3, again, &o, bowl, NULL, &b2, &res, &err), 0);
    ck_assert(memcmp(again, z, sizeof z) == 0);
    /* max_iter stops it */
    double z3[3] = {again[0] + 2, again[1] - 2, z2};
    cdn_fit_opts_t few = {5, 1e-4, 1.0};
    ck_assert_int_eq(cdn_fit_minimize(3, z3, &few, bowl, NULL, &b2, &res, &err), 0);
    ck_assert_uint_eq(res.iters, 5);
    ck_assert(!res.converged);
    cdn_priors_destroy(p);
}
END_TEST

/* A loss in steps of the CDF u = logistic(z), lowest at u = 0.5: flat
 * within 0.05 of either end, as a simulated loss is at a scale of 1e-9. */
static int steps_in_u(void *ctx, const double *z, double *loss, cdn_error_t *err)
{
    (void)ctx;
    (void)err;
    double u = 1.0 / (1.0 + exp(-z[0]));
    *loss = floor(10.0 * fabs(u - 0.5));
    return 0;
}

START_TEST(a_start_at_an_end_of_the_support_still_moves)
{
    /* starts where the CDF is 1e-9 (a start on the prior's lower bound)
     * and 1 - 1e-9: a first step of 1 in z would see no change in the
     * loss and shrink to "converged" at the start */
    double starts[2] = {log(1e-9 / (1 - 1e-9)), log((1 - 1e-9) / 1e-9)};
    for (int i = 0; i < 2; i++) {
        double z[1] = {starts[i]};
        cdn_fit_opts_t o = {200, 1e-3, 1.0};
        cdn_fit_result_t res;
        cdn_error_t err = {0, ""};
        ck_assert_int_eq(cdn_fit_minimize(1, z, &o, steps_in_u, NULL, NULL, &res, &err), 0);
        double u = 1.0 / (1.0 + exp(-z[0]));
        ck_assert_msg(res.loss <= 1.0 && fabs(u - 0.5) < 0.2, "start %d ended at u = %g, loss %g",
                      i, u, res.loss);
    }
}
END_TEST

START_TEST(an_evaluation_error_stops_the_fit)
{
    cdn_priors_t *p = every_kind();
    bowl_t b = {p, 0, 7};
    double z[2] = {0, 0};
    cdn_fit_opts_t o = {500, 1e-4, 1.0};
    cdn_fit_result_t res;
    cdn_error_t err = {0, ""};
    ck_assert_int_eq(cdn_fit_minimize(2, z, &o, bowl, NULL, &b, &res, &err), CDN_EDATA);
    ck_assert_str_eq(err.msg, "evaluation 7 refused");
    cdn_priors_destroy(p);
}
END_TEST

int main(void)
{
    gsl_set_error_handler_off();
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, cdf_inverts_the_quantile);
    tcase_add_test(tc, z_round_trips_and_stays_inside);
    tcase_add_test(tc, loss_by_hand);
    tcase_add_test(tc, nelder_mead_finds_a_known_minimum);
    tcase_add_test(tc, a_start_at_an_end_of_the_support_still_moves);
    tcase_add_test(tc, an_evaluation_error_stops_the_fit);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
