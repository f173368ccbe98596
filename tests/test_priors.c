/*
 * test_priors.c -- specifications of priors (models/cdn_priors.c) and of
 * the sensitivity estimators (models/measure/cdn_sensitivity.c): inverse
 * CDFs against hand-computed values, keyed draws, the overlay of drawn
 * values, every kind of bad prior, Morris on a linear function and Sobol
 * on the Ishigami function against its analytic indices.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "cdn_json.h"
#include "cdn_overlay.h"
#include "cdn_priors.h"
#include "cdn_scenario.h"
#include "cdn_sensitivity.h"
#include "test_util.h"

#define PI 3.14159265358979323846
#define SMALL TEST_SMALL

/* The message of a rejected prior; the scenario validator rejects it too. */
static void read_bad(const char *priors, const char *expect)
{
    cJSON *root = test_small_with_priors(priors);
    cdn_priors_t *p = NULL;
    cdn_scenario_t *s = NULL;
    cdn_error_t err, err2;
    ck_assert_int_eq(cdn_priors_read(root, "small.json", SMALL, &p, &err), CDN_EDATA);
    ck_assert_ptr_null(p);
    if (strstr(err.msg, expect) == NULL)
        ck_abort_msg("message '%s' lacks '%s'", err.msg, expect);
    ck_assert_int_eq(cdn_scenario_from_tree(root, "small.json", SMALL, &s, &err2), CDN_EDATA);
    ck_assert_str_eq(err.msg, err2.msg);
    cJSON_Delete(root);
}

#define WEDGE "\"path\": \"$.proxies[name=new].wedge_rate_per_h\""
#define AMP "\"path\": \"$.traffic.diurnal_amplitude\""

START_TEST(quantiles_by_hand)
{
    cdn_priors_t *p = test_priors_ok(
        "{" WEDGE ", \"dist\": \"log-uniform\", \"min\": 0.01, \"max\": 1},"
        "{" AMP ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5},"
        "{\"path\": \"$.traffic.diurnal_peak_local_h\", \"dist\": \"triangular\", \"min\": 10,"
        " \"mode\": 20, \"max\": 22},"
        "{\"path\": \"$.traffic.baseline_err5xx_frac\", \"dist\": \"beta\", \"alpha\": 2,"
        " \"beta\": 2, \"min\": 0, \"max\": 0.01},"
        "{\"path\": \"$.traffic.global_rps\", \"dist\": \"normal\", \"mean\": 1e6, \"sd\": 1e5,"
        " \"min\": 1e6, \"max\": 2e6},"
        "{\"path\": \"$.traffic.step_s\", \"dist\": \"log-normal\", \"median\": 300,"
        " \"sigma\": 0.5, \"max\": 3000},"
        "{\"path\": \"$.proxies[name=old].affected_frac\", \"dist\": \"discrete\","
        " \"values\": [0.2, 0.4, 0.9], \"weights\": [1, 1, 2]}");
    ck_assert_uint_eq(cdn_priors_count(p), 7);
    /* log-uniform: geometric middle */
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 0, 0.5), 0.1, 1e-12);
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 1, 0.25), 0.2, 1e-12);
    /* triangular(10, 20, 22): F(20) = 10/12; at u = 10/12 the mode */
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 2, 10.0 / 12.0), 20, 1e-9);
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 2, 0.5), 10 + sqrt(0.5 * 12 * 10), 1e-9);
    /* symmetric beta: the median is the middle */
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 3, 0.5), 0.005, 1e-12);
    /* normal truncated at its mean: the median is mean + sd * z(0.75) */
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 4, 0.5), 1e6 + 1e5 * 0.6744897501960817, 1e-3);
    /* log-normal: the median below the truncation is almost the median */
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 5, 0.5), 300 * exp(0.5 * -0.0000062), 0.5);
    /* discrete with weights 1/4, 1/4, 1/2 */
    ck_assert_double_eq(cdn_priors_quantile(p, 6, 0.2), 0.2);
    ck_assert_double_eq(cdn_priors_quantile(p, 6, 0.3), 0.4);
    ck_assert_double_eq(cdn_priors_quantile(p, 6, 0.6), 0.9);
    /* the ends of a bounded support */
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 1, 0), 0.1, 1e-9);
    ck_assert_double_eq_tol(cdn_priors_quantile(p, 1, 1), 0.5, 1e-9);
    char buf[128];
    cdn_priors_describe(p, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "log-uniform(0.01, 1)");
    cdn_priors_destroy(p);
}
END_TEST

START_TEST(draws_are_keyed)
{
    cdn_priors_t *a = test_priors_ok("{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5}");
    cdn_priors_t *b = test_priors_ok("{" AMP ", \"dist\": \"uniform\", \"min\": 0, \"max\": 0.5},"
                              "{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5}");
    double va[1], vb[2], vc[2], sum = 0;
    cdn_priors_draw(a, 7, 3, va);
    cdn_priors_draw(b, 7, 3, vb);
    ck_assert_double_eq(va[0], vb[1]); /* another prior shifts nothing */
    cdn_priors_draw(b, 7, 4, vc);
    ck_assert_double_ne(vb[1], vc[1]); /* another replication draws anew */
    for (uint64_t r = 0; r < 2000; r++) {
        cdn_priors_draw(a, 1, r, va);
        ck_assert(va[0] >= 0.1 && va[0] <= 0.5);
        sum += va[0];
    }
    ck_assert_double_eq_tol(sum / 2000, 0.3, 0.01);
    cdn_priors_destroy(a);
    cdn_priors_destroy(b);
}
END_TEST

START_TEST(overlay_writes_values)
{
    cJSON *root = test_small_with_priors("{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5},"
                             "{\"path\": \"$.artifacts[*].period_s\", \"dist\": \"discrete\","
                             " \"values\": [600, 1200]}");
    cdn_priors_t *p = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_priors_read(root, "small.json", SMALL, &p, &err), 0);
    double v[2] = {0.25, 1200};
    cdn_overlay_t *o = cdn_priors_overlay(p, v, "point");
    const cdn_overlay_t *ov[1] = {o};
    cdn_scenario_t *s = NULL;
    int rc = cdn_overlay_load_tree(root, SMALL, ov, 1, &s, &err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    ck_assert_double_eq(s->proxies[0].wedge_rate_per_h, 0.25);
    ck_assert_double_eq(s->artifacts[0].period_s, 1200);
    cdn_scenario_destroy(s);
    cdn_overlay_destroy(o);
    cdn_priors_destroy(p);
    cJSON_Delete(root);
}
END_TEST

START_TEST(bad_priors)
{
    read_bad("{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.5, \"max\": 0.1}",
             "small.json: $.priors[0].max: expected a number above min, found 0.1");
    read_bad("{" WEDGE ", \"dist\": \"gamma\", \"min\": 0.1, \"max\": 0.5}", "$.priors[0].dist");
    read_bad("{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5, \"sd\": 1}",
             "$.priors[0].sd: a uniform prior takes");
    read_bad("{" AMP ", \"dist\": \"uniform\", \"min\": 0.5, \"max\": 1.5}",
             "$.priors[0].path: expected a prior whose support lies in the range of "
             "$.traffic.diurnal_amplitude ([0, 1)), found support [0.5, 1.5]");
    read_bad("{" AMP ", \"dist\": \"normal\", \"mean\": 0.5, \"sd\": 0.1}",
             "found support [-inf, inf]");
    read_bad("{\"path\": \"$.proxies[name=none].wedge_rate_per_h\", \"dist\": \"uniform\","
             " \"min\": 0, \"max\": 1}", "('$.proxies[name=none]' matches nothing)");
    read_bad("{\"path\": \"$.proxies[0].on_bad_artifact\", \"dist\": \"uniform\","
             " \"min\": 0, \"max\": 1}", "expected a path to a numeric key");
    read_bad("{\"path\": \"$.proxies[0]\", \"dist\": \"uniform\", \"min\": 0, \"max\": 1}",
             "expected a path that ends in a key");
    read_bad("{\"path\": \"proxies\", \"dist\": \"uniform\", \"min\": 0, \"max\": 1}",
             "a path starts with '$'");
    read_bad("{" WEDGE ", \"dist\": \"log-uniform\", \"min\": 0, \"max\": 1}",
             "$.priors[0].min: expected a number > 0");
    read_bad("{" WEDGE ", \"dist\": \"discrete\", \"values\": [1, 2], \"weights\": [0, 0]}",
             "positive sum");
    read_bad("{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5},"
             "{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.5}",
             "$.priors[1].path: expected one prior per path");
    /* a bound known only while reading: step_s >= duration / 1e7 */
    read_bad("{\"path\": \"$.traffic.step_s\", \"dist\": \"uniform\", \"min\": 0, \"max\": 60}",
             "lowest value (0) gives a valid scenario, found: the scenario: $.traffic.step_s");
    read_bad("{" WEDGE ", \"dist\": \"uniform\", \"min\": 0.1}", "$.priors[0]: missing");
}
END_TEST

START_TEST(no_priors_is_empty)
{
    cdn_error_t err;
    cdn_priors_t *p = NULL;
    cJSON *root = cJSON_Parse("{\"name\": \"x\"}");
    ck_assert_int_eq(cdn_priors_read(root, "x", "x", &p, &err), 0);
    ck_assert_uint_eq(cdn_priors_count(p), 0);
    cdn_priors_destroy(p);
    cJSON_Delete(root);
}
END_TEST

/* Morris on y = 3 u0 - 2 u1 + 0 u2: every elementary effect is exact. */
START_TEST(morris_linear)
{
    cdn_sens_design_t *d = cdn_sens_morris(3, 8, 4, 5);
    size_t n = cdn_sens_npoints(d);
    ck_assert_uint_eq(n, 8 * 4);
    double *y = calloc(n, sizeof *y);
    for (size_t i = 0; i < n; i++) {
        const double *u = cdn_sens_point(d, i);
        for (size_t j = 0; j < 3; j++)
            ck_assert(u[j] >= 0 && u[j] <= 1);
        y[i] = 3 * u[0] - 2 * u[1];
    }
    cdn_sens_index_t ix[3];
    double var;
    cdn_error_t err;
    ck_assert_int_eq(cdn_sens_analyse(d, y, ix, &var, &err), 0);
    ck_assert_double_eq_tol(ix[0].mu_star, 3, 1e-9);
    ck_assert_double_eq_tol(ix[0].mu, 3, 1e-9);
    ck_assert_double_eq_tol(ix[1].mu, -2, 1e-9);
    ck_assert_double_eq_tol(ix[1].sigma, 0, 1e-9);
    ck_assert_double_eq_tol(ix[2].mu_star, 0, 1e-12);
    ck_assert_uint_eq(ix[0].used, 8);
    free(y);
    cdn_sens_destroy(d);
}
END_TEST

static double ishigami(const double *u)
{
    double x1 = -PI + 2 * PI * u[0], x2 = -PI + 2 * PI * u[1];
    double x3 = -PI + 2 * PI * u[2];
    return sin(x1) + 7 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1);
}

/* Sobol on Ishigami (a = 7, b = 0.1): within 3 bootstrap errors. */
START_TEST(sobol_ishigami)
{
    const double s1[3] = {0.3139, 0.4424, 0}, st[3] = {0.5576, 0.4424, 0.2437};
    cdn_sens_design_t *d = cdn_sens_sobol(3, 4096, 200, 1);
    size_t n = cdn_sens_npoints(d);
    double *y = calloc(n, sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = ishigami(cdn_sens_point(d, i));
    cdn_sens_index_t ix[3];
    double var;
    cdn_error_t err;
    ck_assert_int_eq(cdn_sens_analyse(d, y, ix, &var, &err), 0);
    for (int i = 0; i < 3; i++) {
        ck_assert(ix[i].s1_se > 0 && ix[i].s1_se < 0.05);
        ck_assert(fabs(ix[i].s1 - s1[i]) < 3 * ix[i].s1_se + 1e-3);
        ck_assert(fabs(ix[i].st - st[i]) < 3 * ix[i].st_se + 1e-3);
    }
    ck_assert_double_eq_tol(var, 13.8446, 0.3);
    /* a constant metric has no indices */
    for (size_t i = 0; i < n; i++)
        y[i] = 1;
    ck_assert_int_eq(cdn_sens_analyse(d, y, ix, &var, &err), CDN_EDATA);
    free(y);
    cdn_sens_destroy(d);
}
END_TEST

int main(void)
{
    gsl_set_error_handler_off();
    Suite *s = suite_create("priors");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, quantiles_by_hand);
    tcase_add_test(tc, draws_are_keyed);
    tcase_add_test(tc, overlay_writes_values);
    tcase_add_test(tc, bad_priors);
    tcase_add_test(tc, no_priors_is_empty);
    tcase_add_test(tc, morris_linear);
    tcase_add_test(tc, sobol_ishigami);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
