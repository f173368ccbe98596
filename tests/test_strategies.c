/*
 * test_strategies.c -- each strategy of scenarios/strategies/ changes what
 * it claims on the reference scenario, in a paired run (same seed and
 * replication, so the same random streams as the baseline).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "cdn_summary.h"
#include "cdn_overlay.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

#define REFERENCE CDNSIM_SCENARIOS "/cloudflare-2025-11-18.json"

typedef struct run {
    cdn_scenario_t *s;
    cdn_result_t *r;
    cdn_summary_t m;
} run_t;

/* The reference scenario with strategy `name` (NULL: baseline), seed 1. */
static run_t run_with(const char *name)
{
    run_t x;
    cdn_error_t err;
    cdn_overlay_t *o = NULL;
    if (name) {
        char path[512];
        snprintf(path, sizeof path, "%s/strategies/%s.json", CDNSIM_SCENARIOS, name);
        int rc = cdn_overlay_load(path, &o, &err);
        if (rc)
            fprintf(stderr, "%s\n", err.msg);
        ck_assert_int_eq(rc, 0);
    }
    const cdn_overlay_t *list[1] = {o};
    int rc = cdn_overlay_load_scenario(REFERENCE, list, o ? 1 : 0, &x.s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(cdn_world_run(x.s, 1, 0, &x.r, &err), 0);
    cdn_summary_compute(x.s, x.r, &x.m);
    cdn_overlay_destroy(o);
    return x;
}

static void done(run_t *x)
{
    cdn_result_destroy(x->r);
    cdn_scenario_destroy(x->s);
}

static double peak_global(const cdn_result_t *r, cdn_rseries_t k)
{
    double peak = 0;
    for (size_t b = 0; b < r->nbins; b++) {
        double v = cdn_result_global(r, k, b) / (r->bin_s * (double)r->servers_total);
        if (v > peak)
            peak = v;
    }
    return peak;
}

START_TEST(kill_switch_cuts_the_failed_requests)
{
    run_t base = run_with(NULL), ks = run_with("kill-switch");
    ck_assert(!isnan(ks.r->detected_s));
    ck_assert_double_lt(ks.m.failed_requests, 0.5 * base.m.failed_requests);
    /* from the switch on (detection + 900 s + latency), only wedged proxies
     * and the baseline fail: far below the main impact */
    size_t b = (size_t)ceil((ks.r->detected_s + 900.0 + 60.0) / ks.r->bin_s);
    for (; b < ks.r->nbins; b++)
        ck_assert_double_lt(cdn_summary_err5xx_frac(ks.r, b), ks.s->metrics.major_threshold_frac);
    done(&base);
    done(&ks);
}
END_TEST

START_TEST(staged_rollout_bounds_the_blast_radius_by_its_first_stage)
{
    run_t base = run_with(NULL), st = run_with("staged-rollout");
    double canaries = 0;
    for (size_t r = 0; r < st.s->nregions; r++)
        canaries += ceil(0.01 * (double)st.s->regions[r].servers - 1e-9);
    double bound = canaries / (double)st.r->servers_total;
    ck_assert_double_gt(peak_global(base.r, CDN_RS_SERVERS_BAD), 0.99);
    ck_assert_double_gt(peak_global(st.r, CDN_RS_SERVERS_BAD), 0.0);
    ck_assert_double_le(peak_global(st.r, CDN_RS_SERVERS_BAD), bound + 1e-12);
    ck_assert_double_lt(st.m.failed_requests, 0.05 * base.m.failed_requests);
    done(&base);
    done(&st);
}
END_TEST

START_TEST(fast_diagnosis_finds_the_cause_and_recovers_earlier)
{
    run_t base = run_with(NULL), fd = run_with("fast-diagnosis");
    ck_assert_double_lt(fd.r->diagnosed_s, base.r->diagnosed_s);
    ck_assert_double_lt(fd.m.main_impact_resolved_s, base.m.main_impact_resolved_s);
    ck_assert_double_lt(fd.m.failed_requests, base.m.failed_requests);
    done(&base);
    done(&fd);
}
END_TEST

START_TEST(multi_cdn_fails_sites_over_and_lowers_failures)
{
    run_t base = run_with(NULL), mc = run_with("multi-cdn");
    ck_assert_uint_gt(mc.r->sites_ever_failed_over, 10 * base.r->sites_ever_failed_over);
    ck_assert_double_lt(mc.m.failed_requests, base.m.failed_requests);
    ck_assert_double_lt(mc.m.site_downtime_mean_s, base.m.site_downtime_mean_s);
    done(&base);
    done(&mc);
}
END_TEST

START_TEST(error_report_cap_keeps_latency_down)
{
    run_t base = run_with(NULL), cap = run_with("error-report-cap");
    ck_assert_double_lt(cap.m.peak_latency_ms, base.m.peak_latency_ms);
    ck_assert_double_le(cap.m.failed_requests, base.m.failed_requests * (1 + 1e-12));
    done(&base);
    done(&cap);
}
END_TEST

static Suite *strategies_suite(void)
{
    Suite *s = suite_create("strategies");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, kill_switch_cuts_the_failed_requests);
    tcase_add_test(tc, staged_rollout_bounds_the_blast_radius_by_its_first_stage);
    tcase_add_test(tc, fast_diagnosis_finds_the_cause_and_recovers_earlier);
    tcase_add_test(tc, multi_cdn_fails_sites_over_and_lowers_failures);
    tcase_add_test(tc, error_report_cap_keeps_latency_down);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(strategies_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
