/*
 * test_world.c -- specifications of the CDN outage model (models/world/)
 * and of the summary metrics (models/measure/cdn_summary.c), on small inline
 * scenarios whose outcome can be worked out by hand.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cdn_calibration.h"
#include "cdn_summary.h"
#include "test_util.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* A two-region world with one or two proxies; the parts that tests vary
 * are format arguments. */
static cdn_scenario_t *scenario_full(const char *proxies, const char *plans, const char *artifact,
                                     const char *services, const char *operators,
                                     const char *actions, const char *sites_extra);

static cdn_scenario_t *scenario_from(const char *proxies, const char *plans, const char *artifact,
                                     const char *services, const char *actions)
{
    return scenario_full(proxies, plans, artifact, services, "", actions, "");
}

/* `operators` is inserted before "actions" (e.g. "\"detection\":{...},");
 * `sites_extra` after the plans (e.g. ",\"control_plane_service\":\"cp\""). */
static cdn_scenario_t *scenario_full(const char *proxies, const char *plans, const char *artifact,
                                     const char *services, const char *operators,
                                     const char *actions, const char *sites_extra)
{
    static const char fmt[] =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
        "\"duration_s\":3600,\"bin_s\":60,\"seed\":7},"
        "\"traffic\":{\"global_rps\":1000000,\"step_s\":60},"
        "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,\"server_capacity_rps\":1e6},"
        "{\"name\":\"b\",\"traffic_share\":0.4,\"utc_offset_h\":8,\"servers\":30,\"server_capacity_rps\":1e6}],"
        "\"proxies\":[%s],"
        "\"sites\":{\"count\":5000,\"plans\":[%s]%s},"
        "\"artifacts\":[%s],"
        "\"services\":[%s],"
        "\"operators\":{%s\"actions\":[%s]}}";
    char *json = malloc(16384);
    snprintf(json, 16384, fmt, proxies, plans, sites_extra, artifact, services, operators, actions);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static const char *PANIC = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}";
static const char *PLAN1 = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}";
/* every node is bad from the start: every generated file is bad */
static const char *ART_ALL_BAD =
    "{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":300,\"first_run_s\":600,"
    "\"cluster\":{\"nodes\":4,\"migrated_at_start\":4},"
    "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200,"
    "\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":2}}";

static cdn_result_t *run(const cdn_scenario_t *s, uint64_t seed)
{
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, seed, 0, &r, &err), 0);
    ck_assert_ptr_nonnull(r);
    return r;
}

static double gfrac(const cdn_result_t *r, cdn_rseries_t k, size_t b)
{
    return cdn_result_global(r, k, b) / cdn_result_global(r, CDN_RS_OFFERED, b);
}

START_TEST(world_conserves_requests_in_every_region_and_bin)
{
    const char *proxies = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"wedge_rate_per_h\":2},"
                          "{\"name\":\"Q\",\"on_bad_artifact\":\"degrade\",\"scope\":\"bot_block_rules\"}";
    const char *plans = "{\"name\":\"x\",\"site_share\":0.7,\"traffic_share\":0.4,"
                        "\"bot_management_frac\":0.5,\"bot_block_rules_frac\":0.5,"
                        "\"proxy_mix\":{\"P\":0.5,\"Q\":0.5}},"
                        "{\"name\":\"y\",\"site_share\":0.3,\"traffic_share\":0.6,"
                        "\"bot_management_frac\":1,\"bot_block_rules_frac\":1,\"proxy_mix\":{\"Q\":1}}";
    const char *art = "{\"name\":\"f\",\"consumers\":[\"P\",\"Q\"],\"period_s\":300,"
                      "\"cluster\":{\"nodes\":2,\"migrated_at_start\":1},"
                      "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200}";
    const char *acts = "{\"kind\":\"restart_proxies\",\"at_s\":1800,\"duration_s\":600,\"restart_s\":30}";
    cdn_scenario_t *s = scenario_from(proxies, plans, art, "", acts);
    cdn_result_t *r = run(s, 3);
    for (size_t g = 0; g < r->nregions; g++) {
        for (size_t b = 0; b < r->nbins; b++) {
            double off = cdn_result_region(r, g, CDN_RS_OFFERED, b);
            double sum = cdn_result_region(r, g, CDN_RS_OK, b) +
                         cdn_result_region(r, g, CDN_RS_ERR5XX, b) +
                         cdn_result_region(r, g, CDN_RS_BLOCKED, b);
            ck_assert_double_gt(off, 0);
            ck_assert_double_eq_tol(sum, off, 1e-9 * off);
        }
    }
    /* per-site downtime adds up to the integral of the sites-down signal */
    double site_seconds = 0, integral = 0;
    for (size_t c = 0; c < r->ncohorts; c++)
        site_seconds += (double)r->cohort_sites[c] * r->cohort_down_s[c];
    for (size_t b = 0; b < r->nbins; b++)
        integral += r->sites_down[b];
    ck_assert_double_gt(integral, 0);
    ck_assert_double_eq_tol(site_seconds, integral, 1e-9 * integral);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_without_bad_artifact_has_only_baseline_errors)
{
    const char *art = "{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":300,"
                      "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200}";
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, art, "", "");
    cdn_result_t *r = run(s, 1);
    for (size_t b = 0; b < r->nbins; b++)
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, b), 0.0, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_panic_fails_all_scoped_traffic_once_every_server_holds_bad_file)
{
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, ART_ALL_BAD, "", "");
    cdn_result_t *r = run(s, 1);
    /* first file generated at 600 s; bins before it are clean, bins from
     * 660 s on (all servers loaded it within seconds) fail entirely */
    for (size_t b = 0; b < 10; b++)
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, b), 0.0, 1e-15);
    for (size_t b = 11; b < r->nbins; b++)
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, b), 1.0, 1e-12);
    /* bin 10 holds the propagation: partly failing */
    double f10 = gfrac(r, CDN_RS_ERR5XX, 10);
    ck_assert_double_gt(f10, 0.9);
    ck_assert_double_lt(f10, 1.0);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_validate_on_ingest_removes_bad_file_errors)
{
    char art[1024];
    snprintf(art, sizeof art, "%.*s,\"validate_on_ingest\":true}", (int)strlen(ART_ALL_BAD) - 1,
             ART_ALL_BAD);
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, art, "", "");
    cdn_result_t *r = run(s, 1);
    for (size_t b = 0; b < r->nbins; b++)
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, b), 0.0, 1e-15);
    size_t rejected = 0;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_ARTIFACT_REJECTED)
            rejected++;
    ck_assert_uint_eq(rejected, 11); /* runs at 600, 900, ..., 3600 s (the stop time runs) */
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_degrade_blocks_only_sites_with_bot_block_rules)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"degrade\",\"scope\":\"bot_block_rules\"}";
    const char *plans = "{\"name\":\"rules\",\"site_share\":0.5,\"traffic_share\":0.3,"
                        "\"bot_management_frac\":1,\"bot_block_rules_frac\":1},"
                        "{\"name\":\"norules\",\"site_share\":0.5,\"traffic_share\":0.7,"
                        "\"bot_management_frac\":1,\"bot_block_rules_frac\":0}";
    cdn_scenario_t *s = scenario_from(prox, plans, ART_ALL_BAD, "", "");
    cdn_result_t *r = run(s, 1);
    size_t last = r->nbins - 1;
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_BLOCKED, last), 0.3, 1e-9);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, last), 0.0, 1e-15);
    /* half the sites (those with rules) are down, the others are not */
    double down = r->sites_down[last] / (r->bin_s * (double)r->sites_total);
    ck_assert_double_gt(down, 0.45);
    ck_assert_double_lt(down, 0.55);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_wedged_servers_stay_failing_until_restarted)
{
    /* 3600/h: after 200 s of failing, P(wedged) = 1 - e^-200 = 1 */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"wedge_rate_per_h\":3600}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"},"
                       "{\"kind\":\"restart_proxies\",\"at_s\":2400,\"restart_s\":10}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 1);
    /* the good file at 1200 s changes nothing: every server is wedged */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 30), 1.0, 1e-12);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 39), 1.0, 1e-12);
    /* after the restart (2400 s + 10 s) the fresh processes load the good file */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 41), 0.0, 1e-15);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_SERVERS_FAILING, 41), 0.0, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_good_file_heals_unwedged_servers)
{
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"}";
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 1);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 19), 1.0, 1e-12);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 21), 0.0, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_restart_wave_recovers_servers_evenly_over_its_duration)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"wedge_rate_per_h\":3600}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":700,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":720,\"artifact\":\"f\"},"
                       "{\"kind\":\"restart_proxies\",\"at_s\":1200,\"duration_s\":1800,\"restart_s\":0}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 5);
    /* servers restart at uniform times in [1200, 3000): the failing share
     * falls from 1 to 0; at the middle (bin 35, 2100-2160 s) about half */
    double mid = gfrac(r, CDN_RS_ERR5XX, 35);
    ck_assert_double_gt(mid, 0.3);
    ck_assert_double_lt(mid, 0.7);
    ck_assert_double_gt(gfrac(r, CDN_RS_ERR5XX, 20), gfrac(r, CDN_RS_ERR5XX, 35));
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 51), 0.0, 1e-15);
    int done = 0;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_RESTART_WAVE_DONE) {
            done++;
            ck_assert_double_le(r->events[i].t_s, 3000.0);
        }
    ck_assert_int_eq(done, 1);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_more_than_255_overlapping_restarts_all_end)
{
    /* 256 restart actions at once: every server (80 in all) restarts 256
     * times concurrently over [1, 10) s; the count of restarts in
     * progress must not wrap to 0 (which put servers back in service) */
    char *acts = malloc(256 * 64);
    size_t o = 0;
    for (int k = 0; k < 256; k++)
        o += (size_t)snprintf(acts + o, 256 * 64 - o, "%s{\"kind\":\"restart_proxies\",\"at_s\":1,"
                              "\"restart_s\":9}", k ? "," : "");
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, ART_ALL_BAD, "", acts);
    free(acts);
    cdn_result_t *r = run(s, 5);
    /* server-seconds in bin 0 */
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_RESTARTING, 0), 80 * 9.0, 1e-6);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_OUT, 0), 80 * 9.0, 1e-6);
    for (size_t b = 1; b < r->nbins; b++)
        ck_assert_double_eq(cdn_result_global(r, CDN_RS_SERVERS_RESTARTING, b), 0.0);
    int done = 0;
    for (size_t i = 0; i < r->nevents; i++)
        done += r->events[i].kind == CDN_EV_RESTART_WAVE_DONE;
    ck_assert_int_eq(done, 256);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_short_last_bin_integrates_only_up_to_the_end)
{
    /* 100 s in 60 s bins: the last bin is 40 s long and holds 40 s of
     * traffic, not 60 (constant 1000 requests/s, one service always up) */
    static const char json[] =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
        "\"duration_s\":100,\"bin_s\":60},\"traffic\":{\"global_rps\":1000},"
        "\"regions\":[{\"name\":\"a\",\"traffic_share\":1,\"servers\":10,"
        "\"server_capacity_rps\":1e6}],\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}],"
        "\"sites\":{\"count\":10,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]},"
        "\"services\":[{\"name\":\"kv\"}]}";
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_parse(json, strlen(json), "inline", &s, &err), 0);
    cdn_result_t *r = run(s, 1);
    ck_assert_uint_eq(r->nbins, 2);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_OFFERED, 0), 60000.0, 1e-6);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_OFFERED, 1), 40000.0, 1e-6);
    ck_assert_double_eq_tol(r->svc_avail[1], 40.0, 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_bypass_moves_service_off_the_failing_proxy)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"},"
                       "{\"name\":\"OLD\",\"on_bad_artifact\":\"none\"}";
    const char *plans = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"proxy_mix\":{\"P\":1}}";
    const char *svcs = "{\"name\":\"kv\",\"behind_proxy\":\"P\",\"bypass_proxy\":\"OLD\"},"
                       "{\"name\":\"login\",\"depends_on\":[\"kv\"]}";
    const char *acts = "{\"kind\":\"bypass_service\",\"at_s\":1800,\"service\":\"kv\"}";
    char art[1024];
    snprintf(art, sizeof art, "%s", ART_ALL_BAD);
    cdn_scenario_t *s = scenario_from(prox, plans, art, svcs, acts);
    cdn_result_t *r = run(s, 1);
    size_t nb = r->nbins;
    ck_assert_double_eq_tol(r->svc_avail[0 * nb + 5] / 60.0, 1.0, 1e-12);
    ck_assert_double_eq_tol(r->svc_avail[0 * nb + 20] / 60.0, 0.0, 1e-12);
    ck_assert_double_eq_tol(r->svc_avail[1 * nb + 20] / 60.0, 0.0, 1e-12); /* login needs kv */
    ck_assert_double_eq_tol(r->svc_avail[0 * nb + 31] / 60.0, 1.0, 1e-12);
    ck_assert_double_eq_tol(r->svc_avail[1 * nb + 31] / 60.0, 1.0, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

/* A service's path availability is the offered-weighted share of requests
 * its proxy would serve in each region (docs/model.md), whether or not
 * any site's traffic goes through that proxy: 1 while healthy (not 0/0),
 * 1 - affected_frac once every server's proxy fails. */
START_TEST(world_service_behind_a_proxy_without_site_traffic_has_defined_availability)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"affected_frac\":0.25},"
                       "{\"name\":\"OLD\",\"on_bad_artifact\":\"none\"}";
    const char *plans = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"proxy_mix\":{\"OLD\":1}}";
    const char *svcs = "{\"name\":\"api\",\"behind_proxy\":\"P\"}";
    cdn_scenario_t *s = scenario_from(prox, plans, ART_ALL_BAD, svcs, "");
    cdn_result_t *r = run(s, 1);
    ck_assert(r->proxy_traffic_share[0] == 0.0);
    ck_assert_double_eq_tol(r->svc_avail[5] / 60.0, 1.0, 1e-12);
    ck_assert_double_eq_tol(r->svc_avail[20] / 60.0, 0.75, 1e-12);
    /* no site traffic fails: P carries none */
    ck_assert(gfrac(r, CDN_RS_ERR5XX, 20) == 0.0);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_partial_migration_makes_good_and_bad_files_alternate)
{
    const char *art = "{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":300,"
                      "\"cluster\":{\"nodes\":2,\"migrated_at_start\":1},"
                      "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200}";
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, art, "", "");
    int any_cycles = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        cdn_result_t *r = run(s, seed);
        size_t good = 0, bad = 0;
        for (size_t i = 0; i < r->nevents; i++)
            if (r->events[i].kind == CDN_EV_ARTIFACT_GENERATED) {
                if (r->events[i].bad)
                    bad++;
                else
                    good++;
            }
        ck_assert_uint_eq(good + bad, 13); /* runs at 0, 300, ..., 3600 s */
        cdn_summary_t m;
        cdn_summary_compute(s, r, &m);
        if (m.fluctuation_cycles > 0)
            any_cycles = 1;
        cdn_result_destroy(r);
    }
    ck_assert_int_eq(any_cycles, 1);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_same_seed_gives_identical_results)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"wedge_rate_per_h\":1}";
    const char *art = "{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":300,"
                      "\"cluster\":{\"nodes\":3,\"migrated_at_start\":1,\"migration_start_s\":900,"
                      "\"migration_step_s\":600},\"normal_size\":60,\"bad_size\":240,\"size_limit\":200}";
    const char *acts = "{\"kind\":\"restart_proxies\",\"at_s\":2000,\"duration_s\":900}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, art, "", acts);
    cdn_result_t *a = run(s, 11), *b = run(s, 11), *c = run(s, 12);
    size_t n = a->nregions * CDN_RS_COUNT * a->nbins;
    ck_assert_int_eq(memcmp(a->rseries, b->rseries, n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->sites_down, b->sites_down, a->nbins * sizeof(double)), 0);
    ck_assert_uint_eq(a->nevents, b->nevents);
    for (size_t i = 0; i < a->nevents; i++) { /* field by field: structs have padding */
        const cdn_event_rec_t *x = &a->events[i], *y = &b->events[i];
        ck_assert(x->t_s == y->t_s && x->kind == y->kind && x->artifact == y->artifact &&
                  x->generation == y->generation && x->node == y->node && x->bad == y->bad &&
                  x->size == y->size && x->region == y->region && x->server == y->server &&
                  x->action == y->action);
    }
    ck_assert_int_ne(memcmp(a->rseries, c->rseries, n * sizeof(double)), 0);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_result_destroy(c);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_detection_fires_after_for_s_and_triggers_a_kill_switch)
{
    const char *ops = "\"detection\":{\"threshold_frac\":0.5,\"for_s\":120,\"check_s\":60},";
    const char *acts = "{\"kind\":\"kill_switch\",\"after\":\"detection\",\"delay_s\":60,"
                       "\"artifact\":\"f\"}";
    cdn_scenario_t *s = scenario_full(PANIC, PLAN1, ART_ALL_BAD, "", ops, acts, "");
    cdn_result_t *r = run(s, 1);
    /* bad from ~600 s; condition first true at the 660 s check; fires at 780 s */
    ck_assert_double_eq(r->detected_s, 780);
    ck_assert(isnan(r->diagnosed_s));
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 13), 1.0, 1e-12);
    /* kill switch at 840 s reaches every server within seconds: the module
     * is off, so later bad files change nothing */
    for (size_t b = 15; b < r->nbins; b++)
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, b), 0.0, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_diagnosis_is_slower_while_a_misleading_service_is_down)
{
    const char *ops = "\"detection\":{\"threshold_frac\":0.5,\"for_s\":120,\"check_s\":60},"
                      "\"diagnosis\":{\"work_s\":600,\"work_p90_factor\":1,\"confused_progress\":0.5,"
                      "\"misleading_services\":[\"status\"]},";
    const char *svcs = "{\"name\":\"status\"}";
    cdn_scenario_t *clear = scenario_full(PANIC, PLAN1, ART_ALL_BAD, svcs, ops, "", "");
    cdn_scenario_t *misled = scenario_full(PANIC, PLAN1, ART_ALL_BAD, svcs, ops,
                                           "{\"kind\":\"fail_service\",\"at_s\":0,"
                                           "\"service\":\"status\",\"duration_s\":3000}",
                                           "");
    cdn_result_t *a = run(clear, 1), *b = run(misled, 1);
    ck_assert_double_eq(a->detected_s, 780);
    ck_assert_double_eq(a->diagnosed_s, 780 + 600);      /* 600 s of clear work */
    ck_assert_double_eq(b->diagnosed_s, 780 + 2 * 600);  /* at half speed */
    /* the status page is down (availability 0) for 3000 s, then back */
    ck_assert_double_eq_tol(b->svc_avail[10] / 60.0, 0.0, 1e-12);
    ck_assert_double_eq_tol(b->svc_avail[51] / 60.0, 1.0, 1e-12);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(clear);
    cdn_scenario_destroy(misled);
}
END_TEST

START_TEST(world_staged_rollout_health_gate_bounds_the_blast_radius)
{
    char art[1024];
    snprintf(art, sizeof art, "%.*s,\"rollout\":{\"stages\":[{\"frac\":0.05,\"bake_s\":120},"
             "{\"frac\":1}],\"health_gate\":{\"max_failing_frac\":0}}}",
             (int)strlen(ART_ALL_BAD) - 1, ART_ALL_BAD);
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, art, "", "");
    cdn_result_t *r = run(s, 2);
    /* canaries: ceil(0.05 * 50) = 3 and ceil(0.05 * 30) = 2 of 80 servers */
    double worst = 0;
    for (size_t b = 0; b < r->nbins; b++) {
        double failing = cdn_result_global(r, CDN_RS_SERVERS_FAILING, b) / (r->bin_s * 80.0);
        if (failing > worst)
            worst = failing;
        ck_assert_double_le(failing, 5.0 / 80.0 + 1e-12);
        ck_assert_double_le(gfrac(r, CDN_RS_ERR5XX, b), 2.0 / 30.0 + 1e-12); /* worst region */
    }
    ck_assert_double_gt(worst, 0.0);
    size_t halts = 0;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_ROLLOUT_HALTED)
            halts++;
    ck_assert_uint_eq(halts, 10); /* runs at 600 ... 3300 s; the 3600 s one is not checked */
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_failover_with_own_dns_moves_sites_after_detection_and_ttl)
{
    const char *plan = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,"
                       "\"failover_frac\":1,\"dns_on_provider_frac\":0,"
                       "\"failover_detect_s\":120,\"dns_ttl_s\":60}";
    cdn_scenario_t *s = scenario_from(PANIC, plan, ART_ALL_BAD, "", "");
    cdn_result_t *r = run(s, 1);
    /* down at ~600 s; noticed at ~720 s; clients moved at ~780 s */
    ck_assert_double_gt(r->sites_down[11], 0);
    for (size_t b = 14; b < r->nbins; b++) {
        ck_assert_double_eq_tol(r->sites_down[b], 0, 1e-9);
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_FAILOVER, b), 1.0, 1e-12);
        ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, b), 0.0, 1e-15);
    }
    ck_assert_uint_eq(r->sites_ever_failed_over, r->sites_total);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_failover_with_dns_on_the_failing_cdn_waits_for_its_control_plane)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"},"
                       "{\"name\":\"OLD\",\"on_bad_artifact\":\"none\"}";
    const char *plan = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,"
                       "\"proxy_mix\":{\"P\":1},\"failover_frac\":1,\"dns_on_provider_frac\":1,"
                       "\"failover_detect_s\":120,\"dns_ttl_s\":60}";
    const char *svcs = "{\"name\":\"cp\",\"behind_proxy\":\"P\",\"bypass_proxy\":\"OLD\"}";
    const char *acts = "{\"kind\":\"bypass_service\",\"at_s\":1800,\"service\":\"cp\"}";
    cdn_scenario_t *s = scenario_full(prox, plan, ART_ALL_BAD, svcs, "", acts,
                                      ",\"control_plane_service\":\"cp\"");
    cdn_result_t *r = run(s, 1);
    /* the control plane is down with the proxy: nobody can change DNS */
    for (size_t b = 11; b < 30; b++)
        ck_assert_double_eq_tol(r->sites_down[b] / (60.0 * (double)r->sites_total), 1.0, 1e-12);
    /* bypassed at 1800 s: the customer checks again (120 s) and changes
     * the records; clients move after the TTL, at 1980 s */
    ck_assert_double_gt(r->sites_down[32], 0);
    for (size_t b = 33; b < r->nbins; b++)
        ck_assert_double_eq_tol(r->sites_down[b], 0, 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_rate_limited_wave_restarts_failing_servers_one_at_a_time)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"wedge_rate_per_h\":3600}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":700,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":720,\"artifact\":\"f\"},"
                       "{\"kind\":\"restart_proxies\",\"at_s\":1200,\"rate_per_s\":0.0666666666666667,"
                       "\"restart_s\":0,\"only_failing\":true}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 3);
    /* all 80 servers are wedged; one restart every 15 s from 1200 s: by the
     * bin 1800-1860 s, 41 to 45 of them are back */
    double mid = cdn_result_global(r, CDN_RS_SERVERS_FAILING, 30) / (60.0 * 80.0);
    ck_assert_double_ge(mid, 35.0 / 80.0 - 1e-9);
    ck_assert_double_le(mid, 39.0 / 80.0 + 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_only_failing_wave_skips_healthy_servers)
{
    /* 1/h for 600 s of failing: about 15% of servers wedge */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"wedge_rate_per_h\":1}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"},"
                       "{\"kind\":\"restart_proxies\",\"at_s\":1500,\"rate_per_s\":0.02,"
                       "\"restart_s\":0,\"only_failing\":true}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 4);
    double n = round(cdn_result_global(r, CDN_RS_SERVERS_FAILING, 22) / 60.0);
    ck_assert_double_gt(n, 0.0);
    ck_assert_double_lt(n, 40.0);
    /* n wedged servers take n * 50 s (the walk ends 50 s after the last
     * restart), not 80 * 50 s */
    double done = NAN;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_RESTART_WAVE_DONE)
            done = r->events[i].t_s;
    ck_assert(!isnan(done));
    ck_assert_double_eq_tol(done, 1500.0 + n * 50.0, 1e-6);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_FAILING, r->nbins - 1), 0.0, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_crash_takes_servers_out_until_a_good_file_arrives)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"crash\"}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 1);
    /* every server out: nobody can serve, every request fails */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 15), 1.0, 1e-12);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_OUT, 15) / (60.0 * 80), 1.0, 1e-12);
    /* a crash loop ends with the good file (no repair needed) */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 21), 0.0, 1e-15);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_crash_repair_is_limited_by_the_repair_rate)
{
    /* one server per minute: 80 servers take 80 minutes after the good file */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"crash_repair\",\"repair_rate_per_h\":60}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":700,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":720,\"artifact\":\"f\"}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", acts);
    cdn_result_t *r = run(s, 1);
    double prev = 2.0;
    for (size_t b = 13; b < r->nbins; b++) {
        double out = cdn_result_global(r, CDN_RS_SERVERS_OUT, b) / (60.0 * 80);
        ck_assert_double_le(out, prev + 1e-12); /* repairs only ever help */
        prev = out;
    }
    /* by the last bin (3540 s), about (3540 - 720) / 60 = 47 servers are fixed */
    ck_assert_double_gt(prev, 28.0 / 80);
    ck_assert_double_lt(prev, 36.0 / 80);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

/* Two regions whose servers serve 20,000 requests/s each (the offered load
 * is 12,000 and 13,333 per server). */
static cdn_scenario_t *tight_capacity(const char *proxies)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
             "\"duration_s\":3600,\"bin_s\":60},\"traffic\":{\"global_rps\":1000000},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,"
             "\"server_capacity_rps\":20000},{\"name\":\"b\",\"traffic_share\":0.4,\"servers\":30,"
             "\"server_capacity_rps\":20000}],\"proxies\":[%s],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},\"artifacts\":[%s]}",
             proxies, ART_ALL_BAD);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_parse(json, strlen(json), "inline", &s, &err), 0);
    return s;
}

START_TEST(world_cpu_exhaustion_turns_lost_capacity_into_overload_errors_and_latency)
{
    cdn_scenario_t *s = tight_capacity(
        "{\"name\":\"P\",\"on_bad_artifact\":\"cpu_exhaustion\",\"affected_frac\":0.5}");
    cdn_result_t *r = run(s, 1);
    /* before: utilisation 0.6 and 0.667; latency 50/(1-rho) weighted by
     * served requests: (600k * 125 + 400k * 150) / 1M = 135 ms */
    double lat5 = cdn_result_global(r, CDN_RS_LATENCY_X_OK, 5) / cdn_result_global(r, CDN_RS_OK, 5);
    ck_assert_double_eq_tol(lat5, 135.0, 1e-9);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 5), 0.0, 1e-15);
    /* after: 10,000/s per server; region a loses 1/6, region b 1/4 of its
     * requests: 0.6/6 + 0.4/4 = 0.2 */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 15), 0.2, 1e-12);
    double lat15 = cdn_result_global(r, CDN_RS_LATENCY_X_OK, 15) / cdn_result_global(r, CDN_RS_OK, 15);
    ck_assert_double_eq_tol(lat15, 50.0 / (1.0 - 0.98), 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_error_reporting_cpu_adds_overload_to_a_panic)
{
    cdn_scenario_t *calm = tight_capacity("{\"name\":\"P\",\"on_bad_artifact\":\"panic\","
                                          "\"affected_frac\":0.5}");
    cdn_scenario_t *noisy = tight_capacity("{\"name\":\"P\",\"on_bad_artifact\":\"panic\","
                                           "\"affected_frac\":0.5,\"error_cpu_frac\":0.5}");
    cdn_result_t *a = run(calm, 1), *b = run(noisy, 1);
    ck_assert_double_eq_tol(gfrac(a, CDN_RS_ERR5XX, 15), 0.5, 1e-12);
    /* the other half is served with half the CPU: overloaded as above */
    ck_assert_double_eq_tol(gfrac(b, CDN_RS_ERR5XX, 15), 0.5 + 0.5 * 0.2, 1e-12);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(calm);
    cdn_scenario_destroy(noisy);
}
END_TEST

START_TEST(world_drained_region_sends_its_traffic_to_neighbours_which_overload)
{
    /* only the "edge" tier (region a) loads the file; its servers withdraw
     * their routes, region a is drained and anycast moves its 600k/s to b */
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
             "\"duration_s\":3600,\"bin_s\":60},\"traffic\":{\"global_rps\":1000000},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,\"tier\":\"edge\","
             "\"server_capacity_rps\":20000,\"neighbors\":[\"b\"]},{\"name\":\"b\",\"traffic_share\":0.4,"
             "\"servers\":30,\"server_capacity_rps\":20000,\"neighbors\":[\"a\"]}],"
             "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"withdraw\"}],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},\"artifacts\":[%.*s,\"tiers\":[\"edge\"]}],"
             "\"operators\":{\"actions\":[{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
             "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"}]}}",
             (int)strlen(ART_ALL_BAD) - 1, ART_ALL_BAD);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_parse(json, strlen(json), "inline", &s, &err), 0);
    cdn_result_t *r = run(s, 1);
    /* before: nothing fails; while a is drained, b gets 1M/s for 600k/s of
     * capacity: 40% of all requests fail; a offers nothing */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 5), 0.0, 1e-15);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 15), 0.4, 1e-12);
    ck_assert_double_eq_tol(cdn_result_region(r, 0, CDN_RS_OFFERED, 15), 0.0, 1e-9);
    ck_assert_double_eq_tol(cdn_result_region(r, 1, CDN_RS_OFFERED, 15) / 60.0, 1e6, 1e-3);
    /* the good file brings a back */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 21), 0.0, 1e-15);
    int drained = 0, restored = 0;
    for (size_t i = 0; i < r->nevents; i++) {
        drained += r->events[i].kind == CDN_EV_REGION_DRAINED;
        restored += r->events[i].kind == CDN_EV_REGION_RESTORED;
    }
    ck_assert_int_eq(drained, 1);
    ck_assert_int_eq(restored, 1);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_retries_multiply_attempts_by_the_geometric_sum)
{
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"affected_frac\":0.5}";
    cdn_scenario_t *s = scenario_from(prox, PLAN1, ART_ALL_BAD, "", "");
    s->traffic.max_retries = 2; /* the test owns its scenario */
    s->traffic.retry_frac = 1.0;
    cdn_result_t *r = run(s, 1);
    /* half the attempts fail and every failure is retried twice at most:
     * 1 + 0.5 + 0.25 attempts per request; the failed share stays 0.5 */
    double before = cdn_result_global(r, CDN_RS_OFFERED, 5);
    double after = cdn_result_global(r, CDN_RS_OFFERED, 15);
    ck_assert_double_eq_tol(after / before, 1.75, 1e-9);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 15), 0.5, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_service_backlog_dips_after_recovery_until_worked_off_or_scaled)
{
    const char *svcs = "{\"name\":\"login\",\"behind_proxy\":\"P\",\"capacity\":1.5,"
                       "\"backlog_frac\":1,\"retry_surge\":2}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"}";
    char scaled[512];
    snprintf(scaled, sizeof scaled, "%s,{\"kind\":\"scale_service\",\"at_s\":1800,"
             "\"service\":\"login\",\"capacity\":10}", acts);
    cdn_scenario_t *s1 = scenario_from(PANIC, PLAN1, ART_ALL_BAD, svcs, acts);
    cdn_scenario_t *s2 = scenario_from(PANIC, PLAN1, ART_ALL_BAD, svcs, scaled);
    cdn_result_t *a = run(s1, 1), *b = run(s2, 1);
    size_t nb = a->nbins;
    /* down ~600-1200 s: a backlog of ~600 s of demand; then it serves
     * 1.5 / (1 + 2) = half the logins while working the backlog off at
     * 0.5 per second, for ~1200 s */
    ck_assert_double_eq_tol(a->svc_avail[15] / 60.0, 0.0, 1e-9);
    ck_assert_double_eq_tol(a->svc_avail[25] / 60.0, 0.5, 1e-9);
    ck_assert_double_eq_tol(a->svc_avail[38] / 60.0, 0.5, 1e-9);
    ck_assert_double_eq_tol(a->svc_avail[42] / 60.0, 1.0, 1e-9);
    /* scaled to 10 at 1800 s: the rest goes in about half a minute */
    ck_assert_double_eq_tol(b->svc_avail[25] / 60.0, 0.5, 1e-9);
    ck_assert_double_eq_tol(b->svc_avail[31] / 60.0, 1.0, 1e-9);
    ck_assert_double_eq_tol(b->svc_avail[nb - 1] / 60.0, 1.0, 1e-9);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(s1);
    cdn_scenario_destroy(s2);
}
END_TEST

START_TEST(world_named_site_is_down_while_a_service_its_pages_need_is_down)
{
    /* the site itself is served by OLD, which ignores the bad file; but its
     * login page needs kv, which runs behind the failing P */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"},"
                       "{\"name\":\"OLD\",\"on_bad_artifact\":\"none\"}";
    const char *plans = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"proxy_mix\":{\"P\":1}}";
    const char *svcs = "{\"name\":\"kv\",\"behind_proxy\":\"P\"}";
    const char *named = ",\"named\":[{\"name\":\"shop\",\"plan\":\"all\",\"proxy\":\"OLD\","
                        "\"traffic_share\":0.1,\"depends_on\":[\"kv\"]},{\"name\":\"blog\","
                        "\"plan\":\"all\",\"proxy\":\"OLD\",\"traffic_share\":0.1}]";
    cdn_scenario_t *s = scenario_full(prox, plans, ART_ALL_BAD, svcs, "", "", named);
    cdn_result_t *r = run(s, 1);
    /* bad from ~600 s to the end: the shop is down about 3000 s, the blog never */
    ck_assert_double_gt(r->cohort_down_s[r->named0], 2990.0);
    ck_assert_double_lt(r->cohort_down_s[r->named0], 3010.0);
    ck_assert_double_eq(r->cohort_down_s[r->named0 + 1], 0.0);
    ck_assert_uint_eq(r->cohort_sites[r->named0], 1);
    /* the named sites carry 20% of the traffic, on OLD: 80% fails */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 20), 0.8, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_latent_artifact_does_no_harm_until_its_trigger)
{
    char art[1024];
    snprintf(art, sizeof art, "%.*s,\"latent_until_s\":1800}", (int)strlen(ART_ALL_BAD) - 1,
             ART_ALL_BAD);
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, art, "", "");
    cdn_result_t *r = run(s, 1);
    /* bad files are everywhere from ~600 s, harmless until 1800 s, then
     * every server fails at once */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 20), 0.0, 1e-15);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 29), 0.0, 1e-15);
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 30), 1.0, 1e-12);
    int triggered = 0;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_ARTIFACT_TRIGGERED) {
            triggered++;
            ck_assert_double_eq(r->events[i].t_s, 1800);
        }
    ck_assert_int_eq(triggered, 1);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_deferred_users_come_back_as_a_surge_after_recovery)
{
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"}";
    cdn_scenario_t *calm = scenario_from(PANIC, PLAN1, ART_ALL_BAD, "", acts);
    cdn_scenario_t *surge = scenario_from(PANIC, PLAN1, ART_ALL_BAD, "", acts);
    surge->traffic.surge_frac = 0.5; /* the test owns its scenarios */
    surge->traffic.surge_s = 600;
    cdn_result_t *a = run(calm, 1), *b = run(surge, 1);
    /* before the outage: the same offered load */
    ck_assert_double_eq_tol(cdn_result_global(b, CDN_RS_OFFERED, 5),
                            cdn_result_global(a, CDN_RS_OFFERED, 5), 1e-6);
    /* just after recovery: more offered (users coming back), decaying */
    double x21 = cdn_result_global(b, CDN_RS_OFFERED, 21) / cdn_result_global(a, CDN_RS_OFFERED, 21);
    double x40 = cdn_result_global(b, CDN_RS_OFFERED, 40) / cdn_result_global(a, CDN_RS_OFFERED, 40);
    ck_assert_double_gt(x21, 1.1);
    ck_assert_double_gt(x21, x40);
    ck_assert_double_gt(x40, 1.0);
    /* what comes back is at most the deferred share of what failed (a
     * request that fails again may be deferred again) */
    double extra = 0, failed = 0;
    for (size_t k = 0; k < a->nbins; k++) {
        extra += cdn_result_global(b, CDN_RS_OFFERED, k) - cdn_result_global(a, CDN_RS_OFFERED, k);
        failed += cdn_result_global(b, CDN_RS_ERR5XX, k);
    }
    ck_assert_double_gt(extra, 0.0);
    ck_assert_double_le(extra, 0.5 * failed);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(calm);
    cdn_scenario_destroy(surge);
}
END_TEST

/* Two regions, a (50 servers, tier "canary") and b (30 servers), one
 * panicking proxy; `artifact` and `actions` are inserted as given. */
static cdn_scenario_t *canary_regions(const char *artifact, const char *actions)
{
    char json[8192];
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
             "\"duration_s\":3600,\"bin_s\":60},\"traffic\":{\"global_rps\":1000000},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,\"tier\":\"canary\","
             "\"server_capacity_rps\":1e6},{\"name\":\"b\",\"traffic_share\":0.4,\"servers\":30,"
             "\"server_capacity_rps\":1e6}],\"proxies\":[%s],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},\"artifacts\":[%s],\"operators\":{\"actions\":[%s]}}",
             PANIC, artifact, actions);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_parse(json, strlen(json), "inline", &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    return s;
}

START_TEST(world_tier_stage_canaries_a_whole_tier_first)
{
    char art[1024];
    snprintf(art, sizeof art, "%.*s,\"rollout\":{\"stages\":[{\"tiers\":[\"canary\"],\"bake_s\":120},"
             "{\"frac\":1}],\"health_gate\":{}}}", (int)strlen(ART_ALL_BAD) - 1, ART_ALL_BAD);
    cdn_scenario_t *s = canary_regions(art, "");
    cdn_result_t *r = run(s, 1);
    /* every bad file reaches region a only, and is rolled back there */
    double a_fail = 0;
    for (size_t b = 0; b < r->nbins; b++) {
        ck_assert_double_eq(cdn_result_region(r, 1, CDN_RS_SERVERS_FAILING, b), 0.0);
        a_fail += cdn_result_region(r, 0, CDN_RS_SERVERS_FAILING, b);
    }
    ck_assert_double_gt(a_fail, 0.0);
    size_t halts = 0;
    for (size_t i = 0; i < r->nevents; i++)
        halts += r->events[i].kind == CDN_EV_ROLLOUT_HALTED;
    ck_assert_uint_eq(halts, 10);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_pull_when_online_crashed_hosts_get_the_fix_only_by_hand)
{
    /* crashed hosts cannot pull the good file; a repair crew (3600/h: one a
     * second) boots each one, which then pulls the fix it missed */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"crash\"}";
    const char *repair = "{\"name\":\"P\",\"on_bad_artifact\":\"crash_repair\",\"repair_rate_per_h\":3600}";
    char art[1024];
    snprintf(art, sizeof art, "%.*s,\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":2,"
             "\"pull_when_online\":true}}", (int)(strstr(ART_ALL_BAD, ",\"distribution\"") - ART_ALL_BAD),
             ART_ALL_BAD);
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":700,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":720,\"artifact\":\"f\"}";
    cdn_scenario_t *s1 = scenario_from(prox, PLAN1, art, "", acts);
    cdn_scenario_t *s2 = scenario_from(repair, PLAN1, art, "", acts);
    cdn_result_t *a = run(s1, 1), *b = run(s2, 1);
    /* a crash loop never pulls the good file: still out at the end */
    ck_assert_double_eq_tol(gfrac(a, CDN_RS_ERR5XX, a->nbins - 1), 1.0, 1e-12);
    /* repaired hosts boot, pull the fix and stay up: all back within 80 s
     * of repairs after the fix exists (plus the queue before it) */
    ck_assert_double_eq_tol(gfrac(b, CDN_RS_ERR5XX, 20), 0.0, 1e-15);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(s1);
    cdn_scenario_destroy(s2);
}
END_TEST

START_TEST(world_named_site_needs_the_named_sites_it_depends_on)
{
    /* "app" is served by OLD (healthy) but needs "api", served by P (failing) */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"},"
                       "{\"name\":\"OLD\",\"on_bad_artifact\":\"none\"}";
    const char *plans = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"proxy_mix\":{\"P\":1}}";
    const char *named = ",\"named\":[{\"name\":\"api\",\"plan\":\"all\",\"proxy\":\"P\","
                        "\"traffic_share\":0.1},{\"name\":\"app\",\"plan\":\"all\",\"proxy\":\"OLD\","
                        "\"traffic_share\":0.1,\"depends_on_sites\":[\"api\"]}]";
    cdn_scenario_t *s = scenario_full(prox, plans, ART_ALL_BAD, "", "", "", named);
    cdn_result_t *r = run(s, 1);
    ck_assert_double_gt(r->cohort_down_s[r->named0 + 1], 2990.0);
    ck_assert_double_eq_tol(r->cohort_down_s[r->named0 + 1], r->cohort_down_s[r->named0], 1.0);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_overload_drains_cascade_through_neighbours)
{
    /* a chain a - b - c, each 200k/s own traffic and 300k/s capacity; a's
     * servers withdraw; a's traffic overloads b (rho 1.33 > 1.2), which is
     * drained; b's traffic then overloads c, which is drained too */
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
             "\"duration_s\":3600,\"bin_s\":60},\"traffic\":{\"global_rps\":600000},"
             "\"regions\":["
             "{\"name\":\"a\",\"traffic_share\":0.3333333333,\"servers\":10,\"tier\":\"edge\","
             "\"server_capacity_rps\":30000,\"neighbors\":[\"b\"]},"
             "{\"name\":\"b\",\"traffic_share\":0.3333333333,\"servers\":10,\"server_capacity_rps\":30000,"
             "\"neighbors\":[\"a\",\"c\"],\"overload_drain_rho\":1.2,\"overload_drain_s\":600},"
             "{\"name\":\"c\",\"traffic_share\":0.3333333334,\"servers\":10,\"server_capacity_rps\":30000,"
             "\"neighbors\":[\"b\"],\"overload_drain_rho\":1.2,\"overload_drain_s\":600}],"
             "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"withdraw\",\"tiers\":[\"edge\"]}],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},\"artifacts\":[%s]}",
             ART_ALL_BAD);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_parse(json, strlen(json), "inline", &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    cdn_result_t *r = run(s, 1);
    int drained[3] = {0, 0, 0};
    double first_c = NAN;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_REGION_DRAINED) {
            drained[r->events[i].region]++;
            if (r->events[i].region == 2 && isnan(first_c))
                first_c = r->events[i].t_s;
        }
    ck_assert_int_ge(drained[0], 1);
    ck_assert_int_ge(drained[1], 1);
    ck_assert_int_ge(drained[2], 1);   /* two hops from the failure */
    ck_assert_double_lt(first_c, 700); /* right after the file (600 s) */
    /* b and c still serve their own traffic (no neighbour left to take it);
     * only a's clients fail: a third of all requests */
    ck_assert_double_eq_tol(gfrac(r, CDN_RS_ERR5XX, 12), 1.0 / 3.0, 1e-6);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(world_region_latency_factor_delays_delivery_there)
{
    /* region b gets files 100 times later: median 50 s instead of 0.5 s */
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
             "\"duration_s\":3600,\"bin_s\":60},\"traffic\":{\"global_rps\":1000000},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,"
             "\"server_capacity_rps\":1e6},{\"name\":\"b\",\"traffic_share\":0.4,\"servers\":30,"
             "\"server_capacity_rps\":1e6,\"latency_factor\":100}],\"proxies\":[%s],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},\"artifacts\":[%s]}",
             PANIC, ART_ALL_BAD);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_parse(json, strlen(json), "inline", &s, &err), 0);
    cdn_result_t *r = run(s, 1);
    /* bin 10 (600-660 s): region a fails almost at once, region b mostly later */
    double fa = cdn_result_region(r, 0, CDN_RS_ERR5XX, 10) / cdn_result_region(r, 0, CDN_RS_OFFERED, 10);
    double fb = cdn_result_region(r, 1, CDN_RS_ERR5XX, 10) / cdn_result_region(r, 1, CDN_RS_OFFERED, 10);
    ck_assert_double_gt(fa, 0.95);
    ck_assert_double_lt(fb, 0.5);
    ck_assert_double_gt(fb, 0.0);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

/* Summary metrics on a hand-made result: 10 bins of 60 s, one region. */
START_TEST(summary_metrics_follow_their_definitions)
{
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, ART_ALL_BAD, "", "");
    cdn_result_t r;
    memset(&r, 0, sizeof r);
    double frac[10] = {0, 0.2, 0.0, 0.3, 0.3, 0.02, 0.004, 0.001, 0, 0};
    double rs[CDN_RS_COUNT * 10] = {0};
    double down[10] = {0};
    r.nbins = 10;
    r.bin_s = 60;
    r.nregions = 1;
    r.rseries = rs;
    r.sites_down = down;
    r.sites_total = 100;
    r.sites_ever_down = 25;
    uint64_t csites[3] = {75, 20, 5};
    double cdown[3] = {0, 120, 600};
    r.ncohorts = 3;
    r.cohort_sites = csites;
    r.cohort_down_s = cdown;
    for (size_t b = 0; b < 10; b++) {
        rs[CDN_RS_OFFERED * 10 + b] = 6000;
        rs[CDN_RS_ERR5XX * 10 + b] = 6000 * frac[b];
        rs[CDN_RS_OK * 10 + b] = 6000 * (1 - frac[b]);
    }
    /* the scenario spans 3600 s; shorten it to the 10 bins */
    s->sim.duration_s = 600;
    cdn_summary_t m;
    cdn_summary_compute(s, &r, &m);
    ck_assert_double_eq(m.first_error_s, 60);    /* bin 1 > 0.01 */
    ck_assert_double_eq_tol(m.peak_err5xx_frac, 0.3, 1e-12);
    ck_assert_double_eq(m.peak_t_s, 180);
    ck_assert_double_eq(m.main_impact_resolved_s, 300); /* last bin >= 0.05 ends at 300 */
    ck_assert_double_eq(m.all_resolved_s, 420);         /* last bin > 0.002 is bin 6 */
    ck_assert_int_eq(m.fluctuation_cycles, 1);          /* 0.2 -> 0 -> 0.3 */
    ck_assert_double_eq_tol(m.failed_requests, 6000 * 0.825, 1e-9);
    ck_assert_double_eq_tol(m.sites_affected_frac, 0.25, 1e-12);
    ck_assert_double_eq_tol(m.site_downtime_mean_s, (20 * 120 + 5 * 600) / 100.0, 1e-12);
    ck_assert_double_eq(m.site_downtime_p50_s, 0);   /* 75% of sites never down */
    ck_assert_double_eq(m.site_downtime_p90_s, 120); /* 75 + 20 = 95% within 120 s */
    ck_assert_double_eq(m.site_downtime_p99_s, 600);
    cdn_scenario_destroy(s);
}
END_TEST

/* Calibration measures on the same kind of hand-made result. */
START_TEST(calibration_measures_follow_their_definitions)
{
    const char *svcs = "{\"name\":\"kv\"}";
    cdn_scenario_t *s = scenario_from(PANIC, PLAN1, ART_ALL_BAD, svcs, "");
    s->sim.duration_s = 600;
    cdn_cal_target_spec_t tg[3];
    memset(tg, 0, sizeof tg);
    tg[0].metric = CDN_CAL_STABILISED;
    tg[1].metric = CDN_CAL_SERVICE_MEAN;
    tg[1].service = 0;
    tg[1].from_s = 120;
    tg[1].to_s = 300;
    tg[2].metric = CDN_CAL_SERVICE_MIN;
    tg[2].service = 0;
    tg[2].from_s = 0;
    tg[2].to_s = 600;
    s->targets = tg;
    s->ntargets = 3;
    cdn_result_t r;
    memset(&r, 0, sizeof r);
    /* 5xx: impacted in bins 1, 3-5 (a recovery, then the final streak) */
    double frac[10] = {0, 0.2, 0.0, 0.3, 0.3, 0.3, 0.004, 0.001, 0, 0};
    double avail[10] = {1, 1, 0.5, 0, 0.25, 1, 1, 1, 1, 1};
    double rs[CDN_RS_COUNT * 10] = {0}, down[10] = {0}, svc[10];
    r.nbins = 10;
    r.bin_s = 60;
    r.nregions = 1;
    r.nservices = 1;
    r.rseries = rs;
    r.sites_down = down;
    r.svc_avail = svc;
    r.sites_total = 1;
    for (size_t b = 0; b < 10; b++) {
        rs[CDN_RS_OFFERED * 10 + b] = 6000;
        rs[CDN_RS_ERR5XX * 10 + b] = 6000 * frac[b];
        svc[b] = 60 * avail[b];
    }
    cdn_summary_t m;
    cdn_summary_compute(s, &r, &m);
    ck_assert_double_eq(m.main_impact_resolved_s, 360);
    ck_assert_double_eq(cdn_calibration_value(s, &r, &m, 0), 180); /* streak of bins 3-5 */
    /* bins 2-4 overlap [120, 300): (0.5 + 0 + 0.25) / 3 */
    ck_assert_double_eq_tol(cdn_calibration_value(s, &r, &m, 1), 0.25, 1e-12);
    ck_assert_double_eq_tol(cdn_calibration_value(s, &r, &m, 2), 0.0, 1e-12);
    s->targets = NULL; /* owned by this test */
    s->ntargets = 0;
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *world_suite(void)
{
    Suite *s = suite_create("world");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, world_conserves_requests_in_every_region_and_bin);
    tcase_add_test(tc, world_without_bad_artifact_has_only_baseline_errors);
    tcase_add_test(tc, world_panic_fails_all_scoped_traffic_once_every_server_holds_bad_file);
    tcase_add_test(tc, world_validate_on_ingest_removes_bad_file_errors);
    tcase_add_test(tc, world_degrade_blocks_only_sites_with_bot_block_rules);
    tcase_add_test(tc, world_wedged_servers_stay_failing_until_restarted);
    tcase_add_test(tc, world_good_file_heals_unwedged_servers);
    tcase_add_test(tc, world_restart_wave_recovers_servers_evenly_over_its_duration);
    tcase_add_test(tc, world_more_than_255_overlapping_restarts_all_end);
    tcase_add_test(tc, world_short_last_bin_integrates_only_up_to_the_end);
    tcase_add_test(tc, world_bypass_moves_service_off_the_failing_proxy);
    tcase_add_test(tc, world_service_behind_a_proxy_without_site_traffic_has_defined_availability);
    tcase_add_test(tc, world_partial_migration_makes_good_and_bad_files_alternate);
    tcase_add_test(tc, world_same_seed_gives_identical_results);
    tcase_add_test(tc, world_detection_fires_after_for_s_and_triggers_a_kill_switch);
    tcase_add_test(tc, world_diagnosis_is_slower_while_a_misleading_service_is_down);
    tcase_add_test(tc, world_staged_rollout_health_gate_bounds_the_blast_radius);
    tcase_add_test(tc, world_failover_with_own_dns_moves_sites_after_detection_and_ttl);
    tcase_add_test(tc, world_failover_with_dns_on_the_failing_cdn_waits_for_its_control_plane);
    tcase_add_test(tc, world_rate_limited_wave_restarts_failing_servers_one_at_a_time);
    tcase_add_test(tc, world_only_failing_wave_skips_healthy_servers);
    tcase_add_test(tc, world_crash_takes_servers_out_until_a_good_file_arrives);
    tcase_add_test(tc, world_crash_repair_is_limited_by_the_repair_rate);
    tcase_add_test(tc, world_cpu_exhaustion_turns_lost_capacity_into_overload_errors_and_latency);
    tcase_add_test(tc, world_error_reporting_cpu_adds_overload_to_a_panic);
    tcase_add_test(tc, world_drained_region_sends_its_traffic_to_neighbours_which_overload);
    tcase_add_test(tc, world_retries_multiply_attempts_by_the_geometric_sum);
    tcase_add_test(tc, world_named_site_is_down_while_a_service_its_pages_need_is_down);
    tcase_add_test(tc, world_latent_artifact_does_no_harm_until_its_trigger);
    tcase_add_test(tc, world_deferred_users_come_back_as_a_surge_after_recovery);
    tcase_add_test(tc, world_tier_stage_canaries_a_whole_tier_first);
    tcase_add_test(tc, world_pull_when_online_crashed_hosts_get_the_fix_only_by_hand);
    tcase_add_test(tc, world_named_site_needs_the_named_sites_it_depends_on);
    tcase_add_test(tc, world_overload_drains_cascade_through_neighbours);
    tcase_add_test(tc, world_region_latency_factor_delays_delivery_there);
    tcase_add_test(tc, world_service_backlog_dips_after_recovery_until_worked_off_or_scaled);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("summary");
    tcase_add_test(tm, summary_metrics_follow_their_definitions);
    tcase_add_test(tm, calibration_measures_follow_their_definitions);
    suite_add_tcase(s, tm);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(world_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
