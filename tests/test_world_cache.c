/*
 * test_world_cache.c -- the sites cache of cdn_world_run_cached
 * (cdn_world.h): a run through the cache gives, bit for bit, the result
 * of a run without it, whether it finds its sites there or not; it finds
 * them only for the same (seed, replication) and a scenario whose site
 * generation reads the same values.
 *
 * The arms, on the reference scenario (a million sites): the scenario; a
 * strategy that changes nothing about sites (validate on ingest); one that
 * changes every plan's failover share (other sites, a miss).  Doubles are
 * compared bit for bit (memcmp).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_overlay.h"
#include "cdn_world.h"
#include "world/world_int.h"

#define REFERENCE CDNSIM_SCENARIOS "/cloudflare-2025-11-18.json"

static cdn_scenario_t *load(const char *path, const char *value)
{
    cdn_error_t err;
    cdn_scenario_t *s = NULL;
    cdn_overlay_t *o = NULL;
    if (path) {
        o = cdn_overlay_create("test", "test");
        ck_assert_int_eq(cdn_overlay_add_set_text(o, path, value, &err), 0);
    }
    const cdn_overlay_t *list[1] = {o};
    int rc = cdn_overlay_load_scenario(REFERENCE, list, o ? 1 : 0, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    cdn_overlay_destroy(o);
    return s;
}

static int same_doubles(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* 1 when two results of the same scenario are the same bit for bit. */
static int same_result(const cdn_result_t *a, const cdn_result_t *b)
{
    if (a->nbins != b->nbins || a->nregions != b->nregions || a->nservices != b->nservices ||
        a->ncohorts != b->ncohorts || a->nevents != b->nevents ||
        a->kernel_events != b->kernel_events || a->sites_ever_down != b->sites_ever_down)
        return 0;
    return same_doubles(a->rseries, b->rseries, a->nregions * CDN_RS_COUNT * a->nbins) &&
           same_doubles(a->svc_avail, b->svc_avail, a->nservices * a->nbins) &&
           same_doubles(a->sites_down, b->sites_down, a->nbins) &&
           same_doubles(a->sites_failover, b->sites_failover, a->nbins) &&
           same_doubles(a->cohort_down_s, b->cohort_down_s, a->ncohorts) &&
           memcmp(a->cohort_sites, b->cohort_sites, a->ncohorts * sizeof *a->cohort_sites) == 0;
}

/* Runs s (seed 1, replication rep) through the cache and without it; the
 * two results must be identical. */
static void run_both(const cdn_scenario_t *s, uint64_t rep, cdn_world_cache_t *cache)
{
    cdn_error_t err;
    cdn_result_t *a = NULL, *b = NULL;
    ck_assert_int_eq(cdn_world_run_cached(s, 1, rep, cache, &a, &err), 0);
    ck_assert_int_eq(cdn_world_run(s, 1, rep, &b, &err), 0);
    ck_assert_msg(same_result(a, b), "replication %llu: the cached run differs",
                  (unsigned long long)rep);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
}

START_TEST(cached_runs_are_identical_and_hit_only_when_sites_are_the_same)
{
    cdn_scenario_t *base = load(NULL, NULL);
    cdn_scenario_t *inert = load("$.artifacts[*].validate_on_ingest", "true");
    cdn_scenario_t *other = load("$.sites.plans[*].failover_frac", "0.5");
    cdn_world_cache_t *cache = cdn_world_cache_create();
    for (uint64_t rep = 0; rep < 2; rep++) {
        run_both(base, rep, cache); /* miss: another replication (or empty) */
        ck_assert_uint_eq(cdn_world_cache_misses(cache), 1 + 2 * rep);
        run_both(inert, rep, cache); /* hit: same sites */
        ck_assert_uint_eq(cdn_world_cache_hits(cache), 1 + 2 * rep);
        run_both(other, rep, cache); /* miss: other failover shares */
        ck_assert_uint_eq(cdn_world_cache_misses(cache), 2 + 2 * rep);
        run_both(base, rep, cache); /* hit: the base's sites are still there */
        ck_assert_uint_eq(cdn_world_cache_hits(cache), 2 + 2 * rep);
    }
    ck_assert_uint_eq(cdn_world_cache_misses(cache), 4);
    cdn_world_cache_destroy(cache);
    cdn_world_cache_destroy(NULL);
    cdn_scenario_destroy(base);
    cdn_scenario_destroy(inert);
    cdn_scenario_destroy(other);
}
END_TEST

START_TEST(another_seed_misses)
{
    cdn_scenario_t *base = load(NULL, NULL);
    cdn_world_cache_t *cache = cdn_world_cache_create();
    cdn_error_t err;
    cdn_result_t *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(cdn_world_run_cached(base, 1, 0, cache, &a, &err), 0);
    ck_assert_int_eq(cdn_world_run_cached(base, 2, 0, cache, &b, &err), 0);
    ck_assert_int_eq(cdn_world_run(base, 2, 0, &c, &err), 0);
    ck_assert_uint_eq(cdn_world_cache_hits(cache), 0);
    ck_assert_uint_eq(cdn_world_cache_misses(cache), 2);
    ck_assert(same_result(b, c));
    ck_assert(!same_result(a, b)); /* the comparison can fail */
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_result_destroy(c);
    cdn_world_cache_destroy(cache);
    cdn_scenario_destroy(base);
}
END_TEST

/* artifacts_latency against the kernel's quantile, for every artifact and
 * region of s, at draws across (0, 1) and next to its ends. */
static void check_latency(const cdn_scenario_t *s)
{
    static const double us[] = {1e-300, 1e-12, 0.001, 0.1, 0.25, 0.5, 0.75, 0.99, 0.999999,
                                1.0 - 1e-12};
    world_t w;
    cdn_error_t err;
    ck_assert_int_eq(world_init(&w, s, 1, 0, &err), 0);
    for (size_t a = 0; a < s->nartifacts; a++)
        for (size_t r = 0; r < s->nregions; r++)
            for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
                const cdn_artifact_spec_t *as = &s->artifacts[a];
                double f = s->regions[r].latency_factor;
                double x = artifacts_latency(&w, a, r, us[k]);
                double y = sim_rng_lognormal_quantile(us[k], f * as->latency_median_s,
                                                      f * as->latency_p99_s);
                ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "artifact %zu region %zu u %g: %.17g != %.17g",
                              a, r, us[k], x, y);
            }
    world_fini(&w);
}

START_TEST(latency_with_sigma_once_is_the_kernels_quantile)
{
    cdn_scenario_t *s = load(NULL, NULL);
    check_latency(s);
    cdn_scenario_destroy(s);
    s = load("$.artifacts[*].distribution.latency_p99_s", "1"); /* p99 = median */
    cdn_scenario_t *t = NULL;
    cdn_error_t err;
    cdn_overlay_t *o = cdn_overlay_create("test", "test");
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.artifacts[*].distribution.latency_median_s", "1", &err), 0);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.artifacts[*].distribution.latency_p99_s", "1", &err), 0);
    const cdn_overlay_t *list[1] = {o};
    ck_assert_int_eq(cdn_overlay_load_scenario(REFERENCE, list, 1, &t, &err), 0);
    check_latency(t);
    cdn_overlay_destroy(o);
    cdn_scenario_destroy(t);
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *cache_suite(void)
{
    Suite *su = suite_create("world_cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, cached_runs_are_identical_and_hit_only_when_sites_are_the_same);
    tcase_add_test(tc, another_seed_misses);
    tcase_add_test(tc, latency_with_sigma_once_is_the_kernels_quantile);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    SRunner *sr = srunner_create(cache_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
