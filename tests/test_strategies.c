/*
 * test_strategies.c -- each strategy of scenarios/strategies/ changes what
 * it claims on the reference scenario, in a paired run (same seed and
 * replication, so the same random streams as the baseline).
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <gsl/gsl_errno.h>

#include "cdn_summary.h"
#include "cdn_overlay.h"
#include "cdn_scenario.h"
#include "cdn_json.h"
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
        snprintf(path, sizeof path, "%s/strategies/%.63s.json", CDNSIM_SCENARIOS, name);
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

/* The library's strategy names (without .json), sorted; returns how many. */
static size_t library_names(char names[][64], size_t max)
{
    size_t n = 0;
    DIR *dir = opendir(CDNSIM_SCENARIOS "/strategies");
    ck_assert_ptr_nonnull(dir);
    for (struct dirent *e; (e = readdir(dir)) != NULL && n < max;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && len - 5 < 64 && strcmp(e->d_name + len - 5, ".json") == 0) {
            memcpy(names[n], e->d_name, len - 5);
            names[n++][len - 5] = '\0';
        }
    }
    closedir(dir);
    qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    return n;
}

static cdn_overlay_t *library(const char *name)
{
    char path[512];
    cdn_overlay_t *o = NULL;
    cdn_error_t err;
    snprintf(path, sizeof path, "%s/strategies/%.63s.json", CDNSIM_SCENARIOS, name);
    ck_assert_msg(cdn_overlay_load(path, &o, &err) == 0, "%s", err.msg);
    return o;
}

/* 1 when `text` names `name` as a JSON string or in a [key=name] filter. */
static int names(const char *text, const char *name)
{
    char quoted[256], filter[256];
    snprintf(quoted, sizeof quoted, "\"%s\"", name);
    snprintf(filter, sizeof filter, "=%s]", name);
    return strstr(text, quoted) != NULL || strstr(text, filter) != NULL;
}

/* Library strategies fit any scenario: their operations (set, append)
 * name none of the reference scenario's artifacts, actions, services,
 * proxies, regions, plans or sites, and each that changes something says
 * what it assumes. */
START_TEST(library_strategies_name_nothing_of_the_reference_scenario)
{
    cdn_scenario_t *ref = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_load(REFERENCE, &ref, &err), 0);
    char lib[32][64];
    size_t nlib = library_names(lib, 32);
    ck_assert_uint_ge(nlib, 9);
    for (size_t i = 0; i < nlib; i++) {
        char path[512], *text = NULL;
        size_t len = 0;
        cJSON *root = NULL;
        snprintf(path, sizeof path, "%s/strategies/%s.json", CDNSIM_SCENARIOS, lib[i]);
        ck_assert_int_eq(cdn_json_read_file(path, &text, &len, &err), 0);
        ck_assert_int_eq(cdn_json_parse(text, len, path, &root, &err), 0);
        char *set = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "set"));
        char *app = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "append"));
        char ops[16384];
        snprintf(ops, sizeof ops, "%s %s", set ? set : "", app ? app : "");
        for (size_t k = 0; k < ref->nartifacts; k++)
            ck_assert_msg(!names(ops, ref->artifacts[k].name), "%s names %s", lib[i], ref->artifacts[k].name);
        for (size_t k = 0; k < ref->nactions; k++)
            ck_assert_msg(!names(ops, ref->actions[k].label), "%s names %s", lib[i], ref->actions[k].label);
        for (size_t k = 0; k < ref->nservices; k++)
            ck_assert_msg(!names(ops, ref->services[k].name), "%s names %s", lib[i], ref->services[k].name);
        for (size_t k = 0; k < ref->nproxies; k++)
            ck_assert_msg(!names(ops, ref->proxies[k].name), "%s names %s", lib[i], ref->proxies[k].name);
        for (size_t k = 0; k < ref->nregions; k++)
            ck_assert_msg(!names(ops, ref->regions[k].name), "%s names %s", lib[i], ref->regions[k].name);
        for (size_t k = 0; k < ref->sites.nplans; k++)
            ck_assert_msg(!names(ops, ref->sites.plans[k].name), "%s names %s", lib[i], ref->sites.plans[k].name);
        for (size_t k = 0; k < ref->sites.nnamed; k++)
            ck_assert_msg(!names(ops, ref->sites.named[k].name), "%s names %s", lib[i], ref->sites.named[k].name);
        cdn_overlay_t *o = library(lib[i]);
        ck_assert_msg(cdn_overlay_count(o) == 0 || cdn_overlay_assumes(o) != NULL,
                      "%s does not say what it assumes", lib[i]);
        cdn_overlay_destroy(o);
        cJSON_free(set);
        cJSON_free(app);
        cJSON_Delete(root);
        free(text);
    }
    cdn_scenario_destroy(ref);
}
END_TEST

/* On every example and template, each library strategy applies, or fails
 * with a message that names the strategy and what it assumes. */
START_TEST(library_strategies_apply_or_say_what_the_scenario_lacks)
{
    static const char *const dirs[] = {CDNSIM_SCENARIOS "/examples", CDNSIM_SCENARIOS "/templates"};
    char lib[32][64];
    size_t nlib = library_names(lib, 32), tried = 0, refused = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        ck_assert_ptr_nonnull(dir);
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            for (size_t i = 0; i < nlib; i++) {
                cdn_overlay_t *o = library(lib[i]);
                const cdn_overlay_t *list[] = {o};
                cdn_scenario_t *s = NULL;
                cdn_error_t err;
                int rc = cdn_overlay_load_scenario(path, list, 1, &s, &err);
                char want[128];
                snprintf(want, sizeof want, "; strategy '%.63s' assumes ", lib[i]);
                ck_assert_msg(rc == 0 || (rc == CDN_EDATA && strstr(err.msg, want) != NULL), "%s on %s: %s",
                              lib[i], path, err.msg);
                refused += rc != 0;
                tried++;
                cdn_scenario_destroy(s);
                cdn_overlay_destroy(o);
            }
        }
        closedir(dir);
    }
    ck_assert_uint_ge(tried, 60);
    ck_assert_uint_ge(refused, 1); /* fast-diagnosis needs a diagnosis no example has */
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
    tcase_add_test(tc, library_strategies_name_nothing_of_the_reference_scenario);
    tcase_add_test(tc, library_strategies_apply_or_say_what_the_scenario_lacks);
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
