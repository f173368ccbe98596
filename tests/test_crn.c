/*
 * test_crn.c -- common random numbers: the promise that paired arms of a
 * comparison differ only by what their strategies change.
 *
 * Metamorphic tests (sim_rng.h's keying rule, docs/model.md "Random
 * numbers"):
 *   - inert overlays on the reference scenario -- more sites drawn into
 *     failover that never completes; an extra early action that changes
 *     nothing -- give bit-identical results (every run-wide measure, every
 *     region series, services, sites) over 20 replications;
 *   - a region inserted at the front or appended at the end, with no
 *     traffic of its own, changes no other region's per-region series and
 *     no outcome measure;
 *   - a control: an overlay that does change behaviour changes the
 *     results (so the comparison can fail);
 *   - the keyed draws of offline hosts, repair times, damage, customer
 *     features and the diagnosis effort move monotonically with their
 *     parameters (more offline hosts are a superset, more crews repair
 *     every server no later, ...) or not at all (the diagnosis effort
 *     when the fleet grows), each with a check that the relation is not
 *     trivially met.
 * Doubles are compared bit for bit (memcmp), so NaN equals NaN and -0
 * differs from 0.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_measure.h"
#include "cdn_overlay.h"
#include "cdn_summary.h"
#include "cdn_world.h"
#include "test_util.h"

#define REFERENCE CDNSIM_SCENARIOS "/cloudflare-2025-11-18.json"
#define REPLICATIONS 20

/* An overlay of `n` (path, value) sets, built in code. */
static cdn_overlay_t *overlay(const char *name, const char *const *sets, size_t n)
{
    cdn_error_t err;
    cdn_overlay_t *o = cdn_overlay_create(name, "test");
    for (size_t i = 0; i < n; i++) {
        int rc = cdn_overlay_add_set_text(o, sets[2 * i], sets[2 * i + 1], &err);
        if (rc)
            fprintf(stderr, "%s\n", err.msg);
        ck_assert_int_eq(rc, 0);
    }
    return o;
}

static cdn_scenario_t *load_reference(const cdn_overlay_t *o)
{
    cdn_error_t err;
    cdn_scenario_t *s = NULL;
    const cdn_overlay_t *list[1] = {o};
    int rc = cdn_overlay_load_scenario(REFERENCE, list, o ? 1 : 0, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    return s;
}

/* Number of outcome measures that differ bit for bit (sizes of the model,
 * servers and kernel events, are not outcomes), printing each. */
static int measures_differ(const cdn_summary_t *a, const cdn_summary_t *b, const char *what)
{
    int n = 0;
    for (int m = 0; m < CDN_MEASURE_COUNT; m++) {
        if (cdn_measure_windowed((cdn_measure_t)m) || m == CDN_M_SERVERS || m == CDN_M_KERNEL_EVENTS)
            continue;
        /* shares and counts of the whole fleet: an added region's servers are in them */
        if (m == CDN_M_PEAK_SERVERS_OUT || m == CDN_M_HOSTS_REC_P50 || m == CDN_M_HOSTS_REC_P90 ||
            m == CDN_M_HOSTS_REC_P99 || m == CDN_M_HOSTS_REC_X)
            continue;
        double x = cdn_measure_value(a, (cdn_measure_t)m), y = cdn_measure_value(b, (cdn_measure_t)m);
        if (memcmp(&x, &y, sizeof x) != 0) {
            fprintf(stderr, "%s: %s %.17g != %.17g\n", what, cdn_measure_name((cdn_measure_t)m), x, y);
            n++;
        }
    }
    return n;
}

static int doubles_differ(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) != 0;
}

/* Runs `s` and `t` for REPLICATIONS replications; returns the number of
 * replications in which any result differs. */
static int paired_differences(const cdn_scenario_t *s, const cdn_scenario_t *t)
{
    int differ = 0;
    for (uint64_t rep = 0; rep < REPLICATIONS; rep++) {
        cdn_error_t err;
        cdn_result_t *a = NULL, *b = NULL;
        ck_assert_int_eq(cdn_world_run(s, s->sim.seed, rep, &a, &err), 0);
        ck_assert_int_eq(cdn_world_run(t, t->sim.seed, rep, &b, &err), 0);
        cdn_summary_t ma, mb;
        cdn_summary_compute(s, a, &ma);
        cdn_summary_compute(t, b, &mb);
        ck_assert_uint_eq(a->nbins, b->nbins);
        ck_assert_uint_eq(a->nregions, b->nregions);
        int d = measures_differ(&ma, &mb, "paired run");
        d += doubles_differ(a->rseries, b->rseries, a->nregions * CDN_RS_COUNT * a->nbins);
        d += doubles_differ(a->svc_avail, b->svc_avail, a->nservices * a->nbins);
        d += doubles_differ(a->sites_down, b->sites_down, a->nbins);
        d += a->sites_ever_down != b->sites_ever_down;
        differ += d > 0;
        cdn_result_destroy(a);
        cdn_result_destroy(b);
    }
    return differ;
}

/* The reproduction: failover that never completes, with and
 * without half of every plan's sites drawn into it.  Before draws were
 * keyed, the extra draws re-drew every later site's proxy. */
START_TEST(failover_draws_that_never_act_change_nothing)
{
    const char *never[] = {"$.sites.plans[*].failover_detect_s", "1e9"};
    const char *drawn[] = {"$.sites.plans[*].failover_detect_s", "1e9",
                           "$.sites.plans[*].failover_frac", "0.5",
                           "$.sites.plans[*].dns_on_provider_frac", "0"};
    cdn_overlay_t *oa = overlay("never", never, 1), *ob = overlay("drawn", drawn, 3);
    cdn_scenario_t *a = load_reference(oa), *b = load_reference(ob);
    ck_assert_int_eq(paired_differences(a, b), 0);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
    cdn_overlay_destroy(oa);
    cdn_overlay_destroy(ob);
}
END_TEST

/* The reference with one more action, placed before every other one in
 * time (so before every other one in the sorted action list): a restart
 * of failing FL2 servers at 10:31, when none is failing.  Keyed by its
 * label, it moves no other action's draws. */
static cdn_scenario_t *reference_with_early_action(void)
{
    /* overlays built in code only set: insert into the tree instead */
    cdn_error_t err;
    FILE *f = fopen(REFERENCE, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(root);
    cJSON *actions = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "operators"), "actions");
    ck_assert_ptr_nonnull(actions);
    cJSON *act = cJSON_Parse("{\"kind\": \"restart_proxies\", \"at_utc\": \"2025-11-18T10:31:00Z\", "
                             "\"proxy\": \"FL2\", \"only_failing\": true, \"rate_per_s\": 1, "
                             "\"label\": \"early no-op\"}");
    ck_assert_ptr_nonnull(act);
    ck_assert(cJSON_InsertItemInArray(actions, 0, act));
    cdn_scenario_t *s = NULL;
    int rc = cdn_overlay_load_tree(root, REFERENCE, NULL, 0, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    cJSON_Delete(root);
    return s;
}

START_TEST(an_extra_early_action_that_does_nothing_changes_nothing)
{
    cdn_scenario_t *a = load_reference(NULL), *b = reference_with_early_action();
    ck_assert_uint_eq(b->nactions, a->nactions + 1);
    ck_assert_int_eq(paired_differences(a, b), 0);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
}
END_TEST

/* The control: a strategy that does act (half the sites fail over to a
 * second CDN) must differ in some replication, or the comparisons above
 * could not fail. */
START_TEST(a_strategy_that_acts_does_change_results)
{
    const char *fo[] = {"$.sites.plans[*].failover_frac", "0.5"};
    cdn_overlay_t *o = overlay("fo", fo, 1);
    cdn_scenario_t *a = load_reference(NULL), *b = load_reference(o);
    ck_assert_int_gt(paired_differences(a, b), 0);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
    cdn_overlay_destroy(o);
}
END_TEST

/* A synthetic fleet with every region-keyed draw: delivery latencies, a
 * staged rollout order (one stage), wedges, a restart of every server
 * (per-region delay streams) and a kill switch (per-region latency
 * streams).  FRONT and BACK are extra regions (or ""). */
static cdn_scenario_t *regions_scenario(const char *front, const char *back)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\": \"regions\", \"simulation\": {\"start_utc\": \"2026-01-01T00:00:00Z\", "
             "\"duration_s\": 7200, \"bin_s\": 60, \"seed\": 5},"
             "\"traffic\": {\"global_rps\": 1000000},"
             "\"regions\": [%s"
             "{\"name\": \"east\", \"traffic_share\": 0.5, \"servers\": 40, \"server_capacity_rps\": 40000},"
             "{\"name\": \"west\", \"traffic_share\": 0.3, \"servers\": 30, \"server_capacity_rps\": 40000},"
             "{\"name\": \"south\", \"traffic_share\": 0.2, \"servers\": 20, \"server_capacity_rps\": 40000}"
             "%s],"
             "\"proxies\": [{\"name\": \"edge\", \"on_bad_artifact\": \"panic\", \"wedge_rate_per_h\": 2}],"
             "\"sites\": {\"count\": 1000, \"plans\": [{\"name\": \"all\", \"site_share\": 1, "
             "\"traffic_share\": 1}]},"
             "\"artifacts\": [{\"name\": \"rules\", \"consumers\": [\"edge\"], \"period_s\": 600, "
             "\"first_run_utc\": \"2026-01-01T00:10:00Z\", \"cluster\": {\"nodes\": 4, "
             "\"migrated_at_start\": 2}, \"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1, "
             "\"distribution\": {\"latency_median_s\": 5, \"latency_p99_s\": 60}}],"
             "\"operators\": {\"actions\": ["
             "{\"kind\": \"restart_proxies\", \"at_utc\": \"2026-01-01T00:50:00Z\", \"duration_s\": 600, "
             "\"restart_s\": 30},"
             "{\"kind\": \"kill_switch\", \"at_utc\": \"2026-01-01T01:20:00Z\", \"artifact\": \"rules\"}]}}",
             front, back);
    return test_parse_ok(json);
}

#define EXTRA_FRONT "{\"name\": \"spare-a\", \"traffic_share\": 0, \"servers\": 25, \"server_capacity_rps\": 40000},"
#define EXTRA_BACK ",{\"name\": \"spare-z\", \"traffic_share\": 0, \"servers\": 25, \"server_capacity_rps\": 40000}"

/* Every series of region ra of a equals that of region rb of b. */
static int region_differs(const cdn_result_t *a, size_t ra, const cdn_result_t *b, size_t rb)
{
    int d = 0;
    for (int k = 0; k < CDN_RS_COUNT; k++)
        for (size_t bin = 0; bin < a->nbins; bin++) {
            double x = cdn_result_region(a, ra, (cdn_rseries_t)k, bin);
            double y = cdn_result_region(b, rb, (cdn_rseries_t)k, bin);
            d += memcmp(&x, &y, sizeof x) != 0;
        }
    return d;
}

static void check_inserted(const char *front, const char *back, size_t shift)
{
    cdn_scenario_t *s = regions_scenario("", ""), *t = regions_scenario(front, back);
    for (uint64_t rep = 0; rep < 5; rep++) {
        cdn_error_t err;
        cdn_result_t *a = NULL, *b = NULL;
        ck_assert_int_eq(cdn_world_run(s, 5, rep, &a, &err), 0);
        ck_assert_int_eq(cdn_world_run(t, 5, rep, &b, &err), 0);
        for (size_t r = 0; r < 3; r++)
            ck_assert_int_eq(region_differs(a, r, b, r + shift), 0);
        cdn_summary_t ma, mb;
        cdn_summary_compute(s, a, &ma);
        cdn_summary_compute(t, b, &mb);
        ck_assert_int_eq(measures_differ(&ma, &mb, "region inserted"), 0);
        cdn_result_destroy(a);
        cdn_result_destroy(b);
    }
    cdn_scenario_destroy(s);
    cdn_scenario_destroy(t);
}

START_TEST(a_region_inserted_at_the_front_changes_no_other_region)
{
    check_inserted(EXTRA_FRONT, "", 1);
}
END_TEST

START_TEST(a_region_appended_changes_no_other_region)
{
    check_inserted("", EXTRA_BACK, 0);
}
END_TEST

/* The control for the region tests: the regions' series do react to a
 * change of their own draws (another seed). */
START_TEST(region_series_differ_between_seeds)
{
    cdn_scenario_t *s = regions_scenario("", "");
    cdn_error_t err;
    cdn_result_t *a = NULL, *b = NULL;
    ck_assert_int_eq(cdn_world_run(s, 5, 0, &a, &err), 0);
    ck_assert_int_eq(cdn_world_run(s, 6, 0, &b, &err), 0);
    for (size_t r = 0; r < 3; r++)
        ck_assert_int_gt(region_differs(a, r, b, r), 0);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(s);
}
END_TEST

/* ---- keyed draws of the later mechanisms (RNG purposes 13-16, 20)
 *
 * Each is keyed by the identity of what it draws for (server, proxy, job,
 * site), so changing a parameter moves each draw monotonically instead of
 * re-dealing the draws: more offline hosts are a superset of fewer, a
 * higher damage hazard damages a superset of servers, a larger feature
 * share gives the feature to a superset of sites, more crews repair every
 * server no later (each job keeps its time), and the diagnosis effort of
 * a replication stays the same when the fleet grows.  With positional
 * streams, each relation would fail in some replication. */

/* A two-region fleet with one proxy `edge` whose members are PROXY, the
 * regions' extra members EAST and WEST, the plan's PLAN, and the actions
 * and diagnosis OPS; a bad file from 00:10, reverted at 01:00. */
static cdn_scenario_t *keyed_scenario(const char *east, const char *west, const char *proxy,
                                      const char *plan, const char *ops)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\": \"keyed\", \"simulation\": {\"start_utc\": \"2026-01-01T00:00:00Z\", "
             "\"duration_s\": 14400, \"bin_s\": 60, \"seed\": 9},"
             "\"traffic\": {\"global_rps\": 100000},"
             "\"regions\": ["
             "{\"name\": \"east\", \"traffic_share\": 0.6, \"servers\": 60, \"server_capacity_rps\": 5000%s},"
             "{\"name\": \"west\", \"traffic_share\": 0.4, \"servers\": 40, \"server_capacity_rps\": 5000%s}],"
             "\"proxies\": [{\"name\": \"edge\"%s}],"
             "\"sites\": {\"count\": 2000, \"plans\": [{\"name\": \"all\", \"site_share\": 1, "
             "\"traffic_share\": 1%s}]},"
             "\"artifacts\": [{\"name\": \"f\", \"consumers\": [\"edge\"], \"period_s\": 1000000, "
             "\"first_run_utc\": \"2026-01-01T00:10:00Z\", \"cluster\": {\"nodes\": 1, "
             "\"migrated_at_start\": 1}, \"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1, "
             "\"distribution\": {\"latency_median_s\": 5, \"latency_p99_s\": 60}}],"
             "\"operators\": {%s\"actions\": ["
             "{\"kind\": \"push_last_known_good\", \"at_utc\": \"2026-01-01T01:00:00Z\", "
             "\"artifact\": \"f\", \"label\": \"revert\"}]}}",
             east, west, proxy, plan, ops);
    return test_parse_ok(json);
}

typedef enum { AT_MOST, AT_LEAST } order_t;

/* Over 10 replications: series k of b is `ord` series k of a in every
 * region and bin (to 1e-9 of a bin's value, for sums in another order);
 * returns the number of (replication, region, bin) where they differ. */
static int series_ordered(const cdn_scenario_t *sa, const cdn_scenario_t *sb, cdn_rseries_t k,
                          order_t ord)
{
    int differ = 0;
    for (uint64_t rep = 0; rep < 10; rep++) {
        cdn_error_t err;
        cdn_result_t *a = NULL, *b = NULL;
        ck_assert_int_eq(cdn_world_run(sa, 9, rep, &a, &err), 0);
        ck_assert_int_eq(cdn_world_run(sb, 9, rep, &b, &err), 0);
        for (size_t r = 0; r < a->nregions; r++)
            for (size_t bin = 0; bin < a->nbins; bin++) {
                double x = cdn_result_region(a, r, k, bin), y = cdn_result_region(b, r, k, bin);
                double tol = 1e-9 * (fabs(x) + fabs(y) + 1);
                if (ord == AT_LEAST)
                    ck_assert_msg(y >= x - tol, "rep %u region %zu bin %zu: %g < %g",
                                  (unsigned)rep, r, bin, y, x);
                else
                    ck_assert_msg(y <= x + tol, "rep %u region %zu bin %zu: %g > %g",
                                  (unsigned)rep, r, bin, y, x);
                differ += fabs(x - y) > tol;
            }
        cdn_result_destroy(a);
        cdn_result_destroy(b);
    }
    return differ;
}

/* Two arms, each {east, west, proxy} members of keyed_scenario: series k
 * of arm b is `ord` that of arm a everywhere, and differs somewhere. */
static void arms_ordered(const char *const a[3], const char *const b[3], cdn_rseries_t k,
                         order_t ord)
{
    cdn_scenario_t *sa = keyed_scenario(a[0], a[1], a[2], "", "");
    cdn_scenario_t *sb = keyed_scenario(b[0], b[1], b[2], "", "");
    ck_assert_int_gt(series_ordered(sa, sb, k, ord), 0);
    cdn_scenario_destroy(sa);
    cdn_scenario_destroy(sb);
}

START_TEST(more_offline_hosts_are_a_superset_of_fewer)
{
    const char *px = ", \"on_bad_artifact\": \"panic\"";
    const char *few = ", \"offline_frac\": 0.2, \"online_mean_s\": 1800";
    const char *more = ", \"offline_frac\": 0.4, \"online_mean_s\": 1800";
    const char *const a[3] = {few, few, px}, *const b[3] = {more, more, px};
    arms_ordered(a, b, CDN_RS_SERVERS_OUT, AT_LEAST);
}
END_TEST

START_TEST(a_higher_damage_hazard_damages_a_superset)
{
    const char *const a[3] = {
        "", "", ", \"on_bad_artifact\": \"panic\", \"damage_rate_per_h\": 0.3, \"reprovision_crews\": 0"};
    const char *const b[3] = {
        "", "", ", \"on_bad_artifact\": \"panic\", \"damage_rate_per_h\": 0.9, \"reprovision_crews\": 0"};
    arms_ordered(a, b, CDN_RS_SERVERS_FAILING, AT_LEAST);
}
END_TEST

/* Crews arrive after the revert (none before), so no repaired server
 * crashes again and every server keeps its one job and its time. */
START_TEST(more_crews_repair_every_server_no_later)
{
#define REPAIR_PX(crews)                                                                           \
    ", \"on_bad_artifact\": \"crash_repair\", \"repair_crews\": 0, \"repair_time_median_s\": 600, "  \
    "\"repair_time_p99_s\": 3000, \"repair_schedule\": [{\"at_utc\": \"2026-01-01T01:10:00Z\", "       \
    "\"crews\": " #crews "}]"
    const char *const a[3] = {"", "", REPAIR_PX(3)}, *const b[3] = {"", "", REPAIR_PX(7)};
#undef REPAIR_PX
    arms_ordered(a, b, CDN_RS_SERVERS_OUT, AT_MOST);
}
END_TEST

START_TEST(a_larger_feature_share_is_a_superset_of_sites)
{
    const char *px = ", \"on_bad_artifact\": \"panic\", \"scope_feature\": \"edge_compute\"";
    cdn_scenario_t *a = keyed_scenario("", "", px, ", \"features\": {\"edge_compute\": 0.3}", "");
    cdn_scenario_t *b = keyed_scenario("", "", px, ", \"features\": {\"edge_compute\": 0.6}", "");
    int grew = 0;
    for (uint64_t rep = 0; rep < 10; rep++) {
        cdn_error_t err;
        cdn_result_t *ra = NULL, *rb = NULL;
        ck_assert_int_eq(cdn_world_run(a, 9, rep, &ra, &err), 0);
        ck_assert_int_eq(cdn_world_run(b, 9, rep, &rb, &err), 0);
        for (size_t bin = 0; bin < ra->nbins; bin++) {
            ck_assert(rb->sites_down[bin] >= ra->sites_down[bin] - 1e-12);
            grew += rb->sites_down[bin] > ra->sites_down[bin] + 1e-12;
        }
        ck_assert_uint_ge(rb->sites_ever_down, ra->sites_ever_down);
        cdn_result_destroy(ra);
        cdn_result_destroy(rb);
    }
    ck_assert_int_gt(grew, 0);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
}
END_TEST

/* The diagnosis time of one replication: diagnosed - detected. */
static double diagnosis_span(const cdn_scenario_t *s, uint64_t rep)
{
    cdn_error_t err;
    cdn_result_t *r = NULL;
    ck_assert_int_eq(cdn_world_run(s, 9, rep, &r, &err), 0);
    cdn_summary_t m;
    cdn_summary_compute(s, r, &m);
    cdn_result_destroy(r);
    return cdn_measure_value(&m, CDN_M_DIAGNOSED) - cdn_measure_value(&m, CDN_M_DETECTED);
}

/* The clear-signal effort is one keyed draw per replication: a spare
 * region of 25 more servers (every per-server draw of the fleet) leaves
 * it as it was; twice the work changes it (the control). */
START_TEST(the_diagnosis_effort_ignores_other_draws)
{
    const char *px = ", \"on_bad_artifact\": \"panic\"";
    const char *ops = "\"detection\": {\"threshold_frac\": 0.05, \"for_s\": 60, \"check_s\": 60}, "
                      "\"diagnosis\": {\"work_s\": 600, \"work_p90_factor\": 3}, ";
    const char *ops2 = "\"detection\": {\"threshold_frac\": 0.05, \"for_s\": 60, \"check_s\": 60}, "
                       "\"diagnosis\": {\"work_s\": 1200, \"work_p90_factor\": 3}, ";
    /* closes west and opens a third region, which the template closes */
    const char *spare = "}, {\"name\": \"spare\", \"traffic_share\": 0, \"servers\": 25, "
                        "\"server_capacity_rps\": 5000";
    cdn_scenario_t *a = keyed_scenario("", "", px, "", ops);
    cdn_scenario_t *b = keyed_scenario("", spare, px, "", ops);
    cdn_scenario_t *c = keyed_scenario("", "", px, "", ops2);
    ck_assert_uint_eq(b->nregions, 3);
    int spread = 0, control = 0;
    double first = NAN;
    for (uint64_t rep = 0; rep < 10; rep++) {
        double da = diagnosis_span(a, rep), db = diagnosis_span(b, rep), dc = diagnosis_span(c, rep);
        ck_assert_msg(da > 0 && memcmp(&da, &db, sizeof da) == 0, "rep %u: %g != %g",
                      (unsigned)rep, da, db);
        control += dc > da;
        spread += rep > 0 && da != first;
        first = rep == 0 ? da : first;
    }
    ck_assert_int_gt(spread, 0);
    ck_assert_int_gt(control, 0);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
    cdn_scenario_destroy(c);
}
END_TEST

static Suite *crn_suite(void)
{
    Suite *su = suite_create("crn");
    TCase *tc = tcase_create("paired");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, failover_draws_that_never_act_change_nothing);
    tcase_add_test(tc, an_extra_early_action_that_does_nothing_changes_nothing);
    tcase_add_test(tc, a_strategy_that_acts_does_change_results);
    tcase_add_test(tc, a_region_inserted_at_the_front_changes_no_other_region);
    tcase_add_test(tc, a_region_appended_changes_no_other_region);
    tcase_add_test(tc, region_series_differ_between_seeds);
    tcase_add_test(tc, more_offline_hosts_are_a_superset_of_fewer);
    tcase_add_test(tc, a_higher_damage_hazard_damages_a_superset);
    tcase_add_test(tc, more_crews_repair_every_server_no_later);
    tcase_add_test(tc, a_larger_feature_share_is_a_superset_of_sites);
    tcase_add_test(tc, the_diagnosis_effort_ignores_other_draws);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    SRunner *sr = srunner_create(crn_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
