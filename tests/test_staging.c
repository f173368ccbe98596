/*
 * test_staging.c -- specifications of regional and staged operator actions
 * (operators.actions[].target / .rollout; models/world/staging.c and
 * models/scenario/scn_targets.c), on small inline scenarios whose outcome
 * is worked out by hand: which region is reached when, how many servers a
 * share selects, and the validation messages.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "test_util.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* Three regions: a (50 servers), b (30, tier "edge"), c (80, tier
 * "edge"); one panicking proxy; one artifact pushed bad once at 600 s
 * (every server holds it within seconds).  `actions` is the actions
 * array's content. */
static char *scenario_json(const char *actions)
{
    static const char fmt[] =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
        "\"duration_s\":3600,\"bin_s\":60,\"seed\":7},"
        "\"traffic\":{\"global_rps\":1000000,\"step_s\":60},"
        "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.4,\"servers\":50,\"server_capacity_rps\":1e6},"
        "{\"name\":\"b\",\"traffic_share\":0.2,\"servers\":30,\"server_capacity_rps\":1e6,\"tier\":\"edge\"},"
        "{\"name\":\"c\",\"traffic_share\":0.4,\"servers\":80,\"server_capacity_rps\":1e6,\"tier\":\"edge\"}],"
        "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}],"
        "\"sites\":{\"count\":1000,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]},"
        "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":100000,\"first_run_s\":600,"
        "\"cluster\":{\"nodes\":1,\"migrated_at_start\":1},"
        "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200,"
        "\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":2}}],"
        "\"operators\":{\"actions\":[%s]}}";
    char *json = malloc(16384);
    snprintf(json, 16384, fmt, actions);
    return json;
}

static cdn_scenario_t *scenario(const char *actions)
{
    char *json = scenario_json(actions);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

/* The region series are integrals over a bin: servers x 60 s. */
static cdn_result_t *run(const cdn_scenario_t *s)
{
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, 1, 0, &r, &err), 0);
    return r;
}

/* The action_region events as "t region count; ..." */
static void regions_reached(const cdn_scenario_t *s, const cdn_result_t *r, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->nevents && o < n; i++) {
        const cdn_event_rec_t *e = &r->events[i];
        if (e->kind != CDN_EV_ACTION_REGION)
            continue;
        int w = snprintf(buf + o, n - o, "%g %s %g; ", e->t_s, s->regions[e->region].name, e->count);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* Expects the action_region events of `actions` to read `want`. */
static void expect_regions(const char *actions, const char *want)
{
    cdn_scenario_t *s = scenario(actions);
    cdn_result_t *r = run(s);
    char got[1024];
    regions_reached(s, r, got, sizeof got);
    ck_assert_str_eq(got, want);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}

START_TEST(push_reaches_the_kth_listed_region_at_k_step_s)
{
    const char *push = "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\","
                       "\"target\":{\"regions\":[\"c\",\"a\",\"b\"]},\"rollout\":{\"step_s\":300}}";
    expect_regions(push, "1200 c 80; 1500 a 50; 1800 b 30; ");
    /* and each region fails until its turn: bin [1740, 1800) has every
     * server of b failing, none of c or a (reverted 240 s and more before) */
    cdn_scenario_t *s = scenario(push);
    cdn_result_t *r = run(s);
    ck_assert_double_eq(cdn_result_region(r, 1, CDN_RS_SERVERS_FAILING, 29), 30.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 0, CDN_RS_SERVERS_FAILING, 29), 0.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 2, CDN_RS_SERVERS_FAILING, 29), 0.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 0, CDN_RS_SERVERS_FAILING, 24), 50.0 * 60); /* [1440, 1500) */
    ck_assert_double_eq(cdn_result_region(r, 2, CDN_RS_SERVERS_FAILING, 19), 80.0 * 60); /* [1140, 1200) */
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(orders_by_size_and_regions_per_s)
{
    expect_regions("{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\","
                   "\"rollout\":{\"order\":\"largest_first\",\"step_s\":600}}",
                   "1200 c 80; 1800 a 50; 2400 b 30; ");
    expect_regions("{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\","
                   "\"rollout\":{\"order\":\"smallest_first\",\"regions_per_s\":0.01}}",
                   "1200 b 30; 1300 a 50; 1400 c 80; ");
    /* tiers: b and c only, in file order */
    expect_regions("{\"kind\":\"kill_switch\",\"at_s\":1200,\"artifact\":\"f\","
                   "\"target\":{\"tiers\":[\"edge\"]},\"rollout\":{\"step_s\":60}}",
                   "1200 b 30; 1260 c 80; ");
}
END_TEST

START_TEST(per_region_offsets_are_sorted_by_time)
{
    expect_regions("{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\","
                   "\"target\":{\"regions\":[\"a\",\"b\",\"c\"]},"
                   "\"rollout\":{\"offsets_s\":[900,0,450]}}",
                   "1200 b 30; 1650 c 80; 2100 a 50; ");
}
END_TEST

START_TEST(most_damaged_last_puts_the_partly_reverted_region_first)
{
    /* at 900 half of c gets the good file; at 1200 c is the least damaged
     * (0.5), a and b tie at 1 and keep their listed (file) order */
    expect_regions("{\"kind\":\"push_last_known_good\",\"at_s\":900,\"artifact\":\"f\","
                   "\"target\":{\"regions\":[\"c\"],\"share\":0.5}},"
                   "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\","
                   "\"rollout\":{\"order\":\"most_damaged_last\",\"step_s\":300}}",
                   "900 c 40; 1200 c 80; 1500 a 50; 1800 b 30; ");
    /* and the half of c left failing stays failing until 1200 */
    cdn_scenario_t *s = scenario("{\"kind\":\"push_last_known_good\",\"at_s\":900,\"artifact\":\"f\","
                                 "\"target\":{\"regions\":[\"c\"],\"share\":0.5}}");
    cdn_result_t *r = run(s);
    ck_assert_double_eq(cdn_result_region(r, 2, CDN_RS_SERVERS_FAILING, 30), 40.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 0, CDN_RS_SERVERS_FAILING, 30), 50.0 * 60);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(a_share_restarts_ceil_share_times_n_servers_per_region)
{
    /* 0.3 of 50 = 15 and of 30 = 9; restart_s 600 from 300 s: bin 6 is
     * [360, 420), every selected server is down through it; c untouched */
    cdn_scenario_t *s = scenario("{\"kind\":\"restart_proxies\",\"at_s\":300,\"restart_s\":600,"
                                 "\"target\":{\"regions\":[\"a\",\"b\"],\"share\":0.3}}");
    cdn_result_t *r = run(s);
    ck_assert_double_eq(cdn_result_region(r, 0, CDN_RS_SERVERS_RESTARTING, 6), 15.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 1, CDN_RS_SERVERS_RESTARTING, 6), 9.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 2, CDN_RS_SERVERS_RESTARTING, 6), 0.0 * 60);
    size_t done = 0;
    for (size_t i = 0; i < r->nevents; i++)
        done += r->events[i].kind == CDN_EV_RESTART_WAVE_DONE;
    ck_assert_uint_eq(done, 1);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
    /* a staged restart reports its wave done once, after the last region */
    s = scenario("{\"kind\":\"restart_proxies\",\"at_s\":300,\"restart_s\":60,"
                 "\"rollout\":{\"step_s\":600}}");
    r = run(s);
    double t_done = -1;
    done = 0;
    for (size_t i = 0; i < r->nevents; i++)
        if (r->events[i].kind == CDN_EV_RESTART_WAVE_DONE) {
            done++;
            t_done = r->events[i].t_s;
        }
    ck_assert_uint_eq(done, 1);
    ck_assert_double_eq_tol(t_done, 1500 + 60, 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(a_share_walk_restarts_only_the_selected_servers)
{
    /* a walk at 1 server/s over a 0.5 share of b (15 servers) */
    cdn_scenario_t *s = scenario("{\"kind\":\"restart_proxies\",\"at_s\":300,\"restart_s\":600,"
                                 "\"rate_per_s\":1,\"target\":{\"regions\":[\"b\"],\"share\":0.5}}");
    cdn_result_t *r = run(s);
    ck_assert_double_eq(cdn_result_region(r, 1, CDN_RS_SERVERS_RESTARTING, 6), 15.0 * 60);
    ck_assert_double_eq(cdn_result_region(r, 0, CDN_RS_SERVERS_RESTARTING, 6), 0.0 * 60);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(a_rollout_with_step_0_is_the_global_action)
{
    const char *kinds[] = {"push_last_known_good", "kill_switch"};
    for (size_t k = 0; k < 2; k++) {
        char a1[256], a2[256];
        snprintf(a1, sizeof a1, "{\"kind\":\"%s\",\"at_s\":1200,\"artifact\":\"f\"}", kinds[k]);
        snprintf(a2, sizeof a2, "{\"kind\":\"%s\",\"at_s\":1200,\"artifact\":\"f\",\"rollout\":{}}",
                 kinds[k]);
        cdn_scenario_t *s1 = scenario(a1), *s2 = scenario(a2);
        cdn_result_t *r1 = run(s1), *r2 = run(s2);
        ck_assert_uint_eq(r1->nbins, r2->nbins);
        for (size_t b = 0; b < r1->nbins; b++)
            for (size_t g = 0; g < 3; g++)
                ck_assert_double_eq(cdn_result_region(r1, g, CDN_RS_SERVERS_FAILING, b),
                                    cdn_result_region(r2, g, CDN_RS_SERVERS_FAILING, b));
        cdn_result_destroy(r1);
        cdn_result_destroy(r2);
        cdn_scenario_destroy(s1);
        cdn_scenario_destroy(s2);
    }
}
END_TEST

/* Expects `actions` to be rejected with a message containing `want`. */
static void expect_error(const char *actions, const char *want)
{
    char *json = scenario_json(actions);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_parse(json, strlen(json), "inline", &s, &err);
    free(json);
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_null(s);
    if (strstr(err.msg, want) == NULL)
        ck_abort_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

START_TEST(bad_targets_and_rollouts_are_rejected_with_their_path)
{
    expect_error("{\"kind\":\"stop_generation\",\"at_s\":1,\"artifact\":\"f\",\"target\":{}}",
                 "$.operators.actions[0].target: key not allowed for kind \"stop_generation\": "
                 "it acts on a generator or a service, which is global");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"target\":{\"regions\":[\"a\",\"zz\"]}}",
                 "$.operators.actions[0].target.regions[1]: expected the name of a region");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"target\":{\"regions\":[\"a\",\"a\"]}}",
                 "$.operators.actions[0].target.regions[1]: expected each region once");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"target\":{\"regions\":[\"a\"],\"tiers\":[\"edge\"]}}",
                 "$.operators.actions[0].target: expected a target with at least one region");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\",\"target\":{\"share\":0}}",
                 "$.operators.actions[0].target.share");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"rollout\":{\"order\":\"biggest\"}}",
                 "$.operators.actions[0].rollout.order");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"rollout\":{\"step_s\":1,\"regions_per_s\":1}}",
                 "$.operators.actions[0].rollout: expected at most one of \"step_s\" and \"regions_per_s\"");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"rollout\":{\"offsets_s\":[1,2,3]}}",
                 "$.operators.actions[0].rollout.offsets_s: expected \"target.regions\" too");
    expect_error("{\"kind\":\"kill_switch\",\"at_s\":1,\"artifact\":\"f\","
                 "\"target\":{\"regions\":[\"a\",\"b\"]},\"rollout\":{\"offsets_s\":[1]}}",
                 "$.operators.actions[0].rollout.offsets_s");
    expect_error("{\"kind\":\"restart_proxies\",\"at_s\":1,\"rate_per_s\":1,"
                 "\"rollout\":{\"step_s\":60}}",
                 "$.operators.actions[0].rollout: expected no \"rollout\" with \"rate_per_s\"");
    expect_error("{\"kind\":\"scale_service\",\"at_s\":1,\"rollout\":{}}",
                 "$.operators.actions[0].rollout: key not allowed for kind \"scale_service\"");
}
END_TEST

static Suite *staging_suite(void)
{
    Suite *s = suite_create("staging");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, push_reaches_the_kth_listed_region_at_k_step_s);
    tcase_add_test(tc, orders_by_size_and_regions_per_s);
    tcase_add_test(tc, per_region_offsets_are_sorted_by_time);
    tcase_add_test(tc, most_damaged_last_puts_the_partly_reverted_region_first);
    tcase_add_test(tc, a_share_restarts_ceil_share_times_n_servers_per_region);
    tcase_add_test(tc, a_share_walk_restarts_only_the_selected_servers);
    tcase_add_test(tc, a_rollout_with_step_0_is_the_global_action);
    tcase_add_test(tc, bad_targets_and_rollouts_are_rejected_with_their_path);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(staging_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
