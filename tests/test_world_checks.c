/*
 * test_world_checks.c -- specifications of the state-machine checkers of
 * the model (models/world/world_int.h): each holds on the state a run
 * leaves, and fails once that state is corrupted the way a bug would.
 * The checkers are compiled in every build, so these tests run in release
 * builds too; debug builds also assert them during every run.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "test_util.h"
#include "cdn_scenario.h"
#include "world/world_int.h"

/* Two regions (50 and 30 servers; b's neighbour is a), one proxy, one
 * plan; the parts that tests vary are format arguments. */
static cdn_scenario_t *scenario(double duration_s, const char *proxy, const char *plan,
                                const char *rollout, const char *services,
                                const char *operators, const char *actions)
{
    static const char fmt[] =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
        "\"duration_s\":%g,\"bin_s\":60,\"seed\":7},"
        "\"traffic\":{\"global_rps\":1000000,\"step_s\":60},"
        "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,\"server_capacity_rps\":1e6},"
        "{\"name\":\"b\",\"traffic_share\":0.4,\"servers\":30,\"server_capacity_rps\":1e6,"
        "\"neighbors\":[\"a\"]}],"
        "\"proxies\":[%s],"
        "\"sites\":{\"count\":2000,\"plans\":[%s]},"
        "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":300,\"first_run_s\":600,"
        "\"cluster\":{\"nodes\":4,\"migrated_at_start\":4},"
        "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200,"
        "\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":2}%s}],"
        "\"services\":[%s],"
        "\"operators\":{%s\"actions\":[%s]}}";
    char *json = malloc(16384);
    snprintf(json, 16384, fmt, duration_s, proxy, plan, rollout, services, operators, actions);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static const char *PANIC = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}";
static const char *PLAN1 = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}";

/* Builds the world and runs it to the end of the span. */
static void run_world(world_t *w, const cdn_scenario_t *s)
{
    cdn_error_t err;
    ck_assert_int_eq(world_init(w, s, 1, 0, &err), 0);
    sim_run(w->sim);
}

START_TEST(fleet_check_fails_when_a_region_counter_drifts)
{
    cdn_scenario_t *s = scenario(1200, PANIC, PLAN1, "", "", "", "");
    world_t w;
    run_world(&w, s);
    ck_assert_int_eq(fleet_check(&w), 1);
    ck_assert_uint_gt(w.fleet.reg[0].n_failing, 0);
    w.fleet.reg[0].n_failing--;
    ck_assert_int_eq(fleet_check(&w), 0);
    w.fleet.reg[0].n_failing++;
    w.fleet.sp_counted_fail[0] ^= 1; /* server 0, proxy 0 */
    ck_assert_int_eq(fleet_check(&w), 0);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(traffic_check_fails_when_routing_loses_traffic_or_a_drain_is_half_set)
{
    cdn_scenario_t *s = scenario(1200, PANIC, PLAN1, "", "", "", "");
    world_t w;
    run_world(&w, s);
    traffic_region_t *reg = w.traffic.reg;
    ck_assert_int_eq(traffic_check(&w), 1);

    reg[0].overload_drained = 1; /* an overload drain that does not drain */
    ck_assert_int_eq(traffic_check(&w), 0);
    reg[0].overload_drained = 0;

    reg[0].offered_rps *= 0.5; /* traffic lost on the way */
    ck_assert_int_eq(traffic_check(&w), 0);
    reg[0].offered_rps *= 2.0;

    reg[1].drained = 1; /* drained, yet offered its own traffic, not sent to a */
    ck_assert_int_eq(traffic_check(&w), 0);
    reg[1].drained = 0;
    ck_assert_int_eq(traffic_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(repair_check_fails_on_a_queue_that_disagrees_with_its_marks)
{
    /* one repair an hour: at 3600 s one crashed server is being repaired
     * and every other one waits */
    const char *prox = "{\"name\":\"P\",\"on_bad_artifact\":\"crash_repair\",\"repair_rate_per_h\":1}";
    cdn_scenario_t *s = scenario(3600, prox, PLAN1, "", "", "", "");
    world_t w;
    run_world(&w, s);
    repair_shop_t *sh = &w.rp.shop[RP_FIX * w.nprox + 0];
    uint32_t slots = w.nserv + 1;
    uint32_t len = (sh->tail + slots - sh->head) % slots;
    ck_assert_uint_eq(len, w.nserv - 1);
    ck_assert_uint_eq(sh->busy, 1);
    ck_assert_int_eq(repair_check(&w), 1);

    sh->busy = 0; /* a job nobody counts */
    ck_assert_int_eq(repair_check(&w), 0);
    sh->busy = 1;

    sh->crews = 2; /* a free crew and a queue */
    ck_assert_int_eq(repair_check(&w), 0);
    sh->crews = 1;

    uint32_t head = sh->ring[sh->head];
    sh->state[head] = RS_NONE; /* queued but not marked */
    ck_assert_int_eq(repair_check(&w), 0);
    sh->state[head] = RS_WAITING;

    uint32_t second = sh->ring[(sh->head + 1) % slots];
    sh->ring[(sh->head + 1) % slots] = head; /* one server twice, one lost */
    ck_assert_int_eq(repair_check(&w), 0);
    sh->ring[(sh->head + 1) % slots] = second;

    sh->tail = (sh->tail + slots - 1) % slots; /* marked but not queued */
    ck_assert_int_eq(repair_check(&w), 0);
    sh->tail = (sh->tail + 1) % slots;
    ck_assert_int_eq(repair_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(rollout_check_fails_past_the_last_stage_or_on_an_unknown_generation)
{
    /* the first bake outlasts the run: the rollout is still at stage 0 */
    const char *roll = ",\"rollout\":{\"stages\":[{\"frac\":0.05,\"bake_s\":100000},{\"frac\":1}]}";
    cdn_scenario_t *s = scenario(1800, PANIC, PLAN1, roll, "", "", "");
    world_t w;
    run_world(&w, s);
    artifact_state_t *st = &w.arts.art[0];
    ck_assert_uint_gt(st->roll_gen, 0);
    ck_assert_uint_eq(st->roll_stage, 0);
    ck_assert_int_eq(artifacts_rollout_check(&w), 1);

    st->roll_stage = 1; /* the last stage has no bake: it cannot be in progress */
    ck_assert_int_eq(artifacts_rollout_check(&w), 0);
    st->roll_stage = 0;

    uint32_t gen = st->roll_gen;
    st->roll_gen = st->ngens + 1;
    ck_assert_int_eq(artifacts_rollout_check(&w), 0);
    st->roll_gen = gen;

    sim_handle_t next = st->next_run;
    st->stopped = 1; /* stopped, yet a generator run is pending */
    st->next_run = 12345;
    ck_assert_int_eq(artifacts_rollout_check(&w), 0);
    st->stopped = 0;
    st->next_run = next;
    ck_assert_int_eq(artifacts_rollout_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(failover_check_fails_on_impossible_cohort_states)
{
    const char *plan = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,"
                       "\"failover_frac\":0.5,\"dns_on_provider_frac\":0.5,"
                       "\"failover_detect_s\":120,\"dns_ttl_s\":60}";
    cdn_scenario_t *s = scenario(1800, PANIC, plan, "", "", "", "");
    world_t w;
    run_world(&w, s);
    sites_t *st = &w.sites;
    ck_assert_int_eq(sites_failover_check(&w), 1);
    ck_assert_uint_gt(st->sites_fo, 0);
    size_t none = 0, own = 1, hosted = 2; /* cohorts of plan 0, proxy 0, no features */
    ck_assert_int_eq(st->coh_fc[none], 0);
    ck_assert_int_eq(st->coh_fc[own], 1);
    ck_assert_int_eq(st->coh_fc[hosted], 2);
    ck_assert_int_eq(st->coh_fo[own], FO_FAILED_OVER);

    st->coh_fo[none] = FO_DETECTING; /* no second CDN, yet detecting */
    ck_assert_int_eq(sites_failover_check(&w), 0);
    st->coh_fo[none] = FO_NORMAL;

    st->coh_fo[own] = FO_WAITING_CP; /* own DNS never waits for the control plane */
    ck_assert_int_eq(sites_failover_check(&w), 0);
    st->coh_fo[own] = FO_FAILED_OVER;

    st->coh_down[own] = 1; /* served elsewhere, yet counted down */
    ck_assert_int_eq(sites_failover_check(&w), 0);
    st->coh_down[own] = 0;

    st->sites_fo++;
    ck_assert_int_eq(sites_failover_check(&w), 0);
    st->sites_fo--;
    ck_assert_int_eq(sites_failover_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(backlog_check_fails_on_a_negative_or_overdrawn_backlog)
{
    /* login down ~600-1200 s, then its backlog drains until ~2400 s */
    const char *svcs = "{\"name\":\"login\",\"behind_proxy\":\"P\",\"capacity\":1.5,"
                       "\"backlog_frac\":1,\"retry_surge\":2},{\"name\":\"plain\"}";
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":1000,\"artifact\":\"f\"},"
                       "{\"kind\":\"push_last_known_good\",\"at_s\":1200,\"artifact\":\"f\"}";
    cdn_scenario_t *s = scenario(1800, PANIC, PLAN1, "", svcs, "", acts);
    world_t w;
    run_world(&w, s);
    services_t *sv = &w.svc;
    ck_assert_double_gt(sv->backlog[0], 0);
    ck_assert_double_lt(sv->rate[0], 0);
    ck_assert_int_eq(services_backlog_check(&w), 1);

    double b = sv->backlog[0], slope = sv->rate[0];
    sv->backlog[0] = -1;
    ck_assert_int_eq(services_backlog_check(&w), 0);
    sv->backlog[0] = 0; /* draining an empty backlog */
    ck_assert_int_eq(services_backlog_check(&w), 0);
    sv->backlog[0] = b;
    sv->rate[0] = -1e6; /* the line crossed zero before now: its empty event was missed */
    ck_assert_int_eq(services_backlog_check(&w), 0);
    sv->rate[0] = slope;

    sv->backlog[1] = 5; /* a service without capacity has no backlog */
    ck_assert_int_eq(services_backlog_check(&w), 0);
    sv->backlog[1] = 0;
    ck_assert_int_eq(services_backlog_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(incident_check_fails_on_diagnosis_before_detection_or_negative_work)
{
    const char *ops = "\"detection\":{\"threshold_frac\":0.5,\"for_s\":120,\"check_s\":60},"
                      "\"diagnosis\":{\"work_s\":600,\"work_p90_factor\":1},"; /* no spread */
    cdn_scenario_t *s = scenario(3600, PANIC, PLAN1, "", "", ops, "");
    world_t w;
    run_world(&w, s);
    operators_t *op = &w.ops;
    ck_assert_double_eq(op->detected_s, 780);
    ck_assert_double_eq(op->diagnosed_s, 780 + 600);
    ck_assert_int_eq(operators_incident_check(&w), 1);

    op->diagnosed_s = op->detected_s - 1;
    ck_assert_int_eq(operators_incident_check(&w), 0);
    op->diagnosed_s = NAN; /* not diagnosed, yet all the work done */
    ck_assert_int_eq(operators_incident_check(&w), 0);
    op->diagnosed_s = 1380;

    double work = op->progress_s;
    op->progress_s = -1;
    ck_assert_int_eq(operators_incident_check(&w), 0);
    op->progress_s = work;

    op->detected_s = NAN; /* diagnosed without detection */
    ck_assert_int_eq(operators_incident_check(&w), 0);
    op->detected_s = 780;
    ck_assert_int_eq(operators_incident_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(wave_check_fails_when_restarts_outnumber_their_pending_count)
{
    /* a walk restarts a server every 15 s, each for 30 s, from 1200 s */
    const char *acts = "{\"kind\":\"stop_generation\",\"at_s\":700,\"artifact\":\"f\"},"
                       "{\"kind\":\"restart_proxies\",\"at_s\":1200,\"rate_per_s\":0.0666666666666667,"
                       "\"restart_s\":30}";
    cdn_scenario_t *s = scenario(1800, PANIC, PLAN1, "", "", "", acts);
    world_t w;
    run_world(&w, s);
    operators_t *op = &w.ops;
    ck_assert_ptr_nonnull(op->act_order[1]);
    ck_assert_uint_gt(op->act_pos[1], 30);
    ck_assert_uint_lt(op->act_pos[1], w.nserv);
    ck_assert_uint_gt(op->act_pending[1], 0);
    ck_assert_int_eq(operators_wave_check(&w), 1);

    uint32_t pending = op->act_pending[1];
    op->act_pending[1] = 0; /* restarts running that nobody waits for */
    ck_assert_int_eq(operators_wave_check(&w), 0);
    op->act_pending[1] = pending;

    op->act_pending[0] = 1; /* stop_generation restarts nothing */
    ck_assert_int_eq(operators_wave_check(&w), 0);
    op->act_pending[0] = 0;

    uint32_t pos = op->act_pos[1];
    op->act_pos[1] = w.nserv + 1;
    ck_assert_int_eq(operators_wave_check(&w), 0);
    op->act_pos[1] = pos;
    ck_assert_int_eq(operators_wave_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(staging_check_fails_on_a_step_out_of_plan_or_an_untargeted_action_staged)
{
    /* a push over a then b, 200 s apart, from 900 s; the run stops at 1000
     * s, between the two steps */
    cdn_scenario_t *s = scenario(1000, PANIC, PLAN1, "", "", "",
                                 "{\"kind\":\"push_last_known_good\",\"at_s\":900,"
                                 "\"artifact\":\"f\",\"rollout\":{\"step_s\":200}},"
                                 "{\"kind\":\"stop_generation\",\"at_s\":950,\"artifact\":\"f\"}");
    world_t w;
    run_world(&w, s);
    ck_assert_int_eq(staging_check(&w), 1);
    ck_assert_int_eq(w.stg.state[0], STG_STAGING);
    ck_assert_uint_eq(w.stg.next[0], 1);
    ck_assert_uint_eq(w.stg.nplan[0], 2);
    ck_assert_double_eq(w.stg.plan_t[0][1], 1100.0);
    ck_assert_uint_eq(w.stg.state[1], STG_IDLE);
    w.stg.next[0] = 2; /* staging past its plan */
    ck_assert_int_eq(staging_check(&w), 0);
    w.stg.next[0] = 1;
    w.stg.state[0] = STG_DONE; /* done with a region still to come */
    ck_assert_int_eq(staging_check(&w), 0);
    w.stg.state[0] = STG_STAGING;
    w.stg.plan_t[0][1] = 800.0; /* a step due before the previous one (and in the past) */
    ck_assert_int_eq(staging_check(&w), 0);
    w.stg.plan_t[0][1] = 1100.0;
    w.stg.state[1] = STG_DONE; /* an untargeted action is never staged */
    ck_assert_int_eq(staging_check(&w), 0);
    w.stg.state[1] = STG_IDLE;
    uint32_t gen = w.stg.gen[0];
    w.stg.gen[0] = 0; /* a staged push without its generation */
    ck_assert_int_eq(staging_check(&w), 0);
    w.stg.gen[0] = gen;
    ck_assert_int_eq(staging_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(shuffle_draws_one_index_per_position_and_keeps_every_element)
{
    sim_rng_t a, b;
    sim_rng_init(&a, 1, 0, 99, 0);
    sim_rng_init(&b, 1, 0, 99, 0);
    uint32_t v[100], seen[100] = {0};
    for (uint32_t k = 0; k < 100; k++)
        v[k] = k;
    world_shuffle(v, 100, &a);
    for (uint32_t k = 0; k < 100; k++)
        seen[v[k]]++;
    for (uint32_t k = 0; k < 100; k++)
        ck_assert_uint_eq(seen[k], 1);
    /* 99 draws: the streams are in step again after as many by hand */
    for (uint32_t k = 100; k > 1; k--)
        (void)sim_rng_index(&b, k);
    ck_assert_uint_eq(sim_rng_index(&a, 1000000), sim_rng_index(&b, 1000000));
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("world_checks");
    TCase *tc = tcase_create("checkers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fleet_check_fails_when_a_region_counter_drifts);
    tcase_add_test(tc, traffic_check_fails_when_routing_loses_traffic_or_a_drain_is_half_set);
    tcase_add_test(tc, repair_check_fails_on_a_queue_that_disagrees_with_its_marks);
    tcase_add_test(tc, rollout_check_fails_past_the_last_stage_or_on_an_unknown_generation);
    tcase_add_test(tc, failover_check_fails_on_impossible_cohort_states);
    tcase_add_test(tc, backlog_check_fails_on_a_negative_or_overdrawn_backlog);
    tcase_add_test(tc, incident_check_fails_on_diagnosis_before_detection_or_negative_work);
    tcase_add_test(tc, wave_check_fails_when_restarts_outnumber_their_pending_count);
    tcase_add_test(tc, staging_check_fails_on_a_step_out_of_plan_or_an_untargeted_action_staged);
    tcase_add_test(tc, shuffle_draws_one_index_per_position_and_keeps_every_element);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
