/*
 * test_backends.c -- shared backends (models/world/backends.c) against
 * hand-computed recovery times, and the boot machine's checker.
 *
 * The herd: N proxies finish a restart at the same instant and call a
 * backend of capacity C with calls of R requests lasting T.  With
 * a = C T / R (starts the backend answers in time per call) and
 * immediate retries the callers stay in step, so calls come in rounds of
 * T; a round of n callers offers n R requests and each call succeeds
 * with probability (a / n)^e.  In expectation n(k+1) = n(k) (1 - (a/n)^e)
 * until n <= a, when the last round succeeds whole:
 *   e = 1: n falls by a per round, N / a rounds;
 *   e = 2: n^2 falls by 2 a^2 - a^4 / n^2 per round, so about
 *          (N^2 - a^2) / (2 a^2) + ln(N / a) / 2 + 1 rounds
 *          (N = 2000, a = 100: 199.5 + 1.5 + 1 = 202 rounds).
 * The draws are random, so the tests allow a few per cent.
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

#define RESTART_AT_S 60.0
#define RESTART_S 10.0

/* One region of `n` servers and one proxy calling backend "db"
 * (capacity c, timeout t, waste exponent e) with `retry` (JSON members);
 * every server restarts at RESTART_AT_S, then the actions in `more`. */
static cdn_scenario_t *herd_then(unsigned n, double c, double t, double e, double r,
                                 const char *retry, double duration_s, const char *more)
{
    char *json = malloc(8192);
    snprintf(json, 8192,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2026-01-01T00:00:00Z\","
             "\"duration_s\":%g,\"bin_s\":10,\"seed\":3},"
             "\"traffic\":{\"global_rps\":1000},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":1,\"servers\":%u,"
             "\"server_capacity_rps\":100}],"
             "\"backends\":[{\"name\":\"db\",\"capacity_rps\":%g,\"timeout_s\":%g,"
             "\"waste_exponent\":%g}],"
             "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"none\",\"backend\":\"db\","
             "\"requests_per_start\":%g%s}],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},"
             "\"operators\":{\"actions\":[{\"kind\":\"restart_proxies\",\"at_s\":%g,"
             "\"duration_s\":0,\"restart_s\":%g}%s]}}",
             duration_s, n, c, t, e, r, retry, RESTART_AT_S, RESTART_S, more);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static cdn_scenario_t *herd(unsigned n, double c, double t, double e, double r,
                            const char *retry, double duration_s)
{
    return herd_then(n, c, t, e, r, retry, duration_s, "");
}

/* Seconds from the end of the restarts to the last completed start. */
static double recovery_s(const cdn_scenario_t *s, world_t *w)
{
    cdn_error_t err;
    ck_assert_int_eq(world_init(w, s, 1, 0, &err), 0);
    sim_run(w->sim);
    ck_assert_int_eq(backends_check(w), 1);
    ck_assert_uint_eq(w->bk.booting, 0);
    ck_assert_uint_eq(w->fleet.reg[0].n_out, 0);
    return w->bk.last_start_s - (RESTART_AT_S + RESTART_S);
}

static double recovery_of(cdn_scenario_t *s)
{
    world_t w;
    double d = recovery_s(s, &w);
    world_fini(&w);
    cdn_scenario_destroy(s);
    return d;
}

START_TEST(herd_without_waste_recovers_at_the_backend_capacity)
{
    /* a = 1000 * 2 / 20 = 100; N / a = 20 rounds of 2 s = 40 s = N R / C */
    double d = recovery_of(herd(2000, 1000, 2, 1, 20, ",\"retry\":\"immediate\"", 3600));
    ck_assert_msg(d >= 38.0 && d <= 44.0, "recovery %g s, expected 40 s", d);
}
END_TEST

START_TEST(herd_with_immediate_retries_collapses_to_the_hand_computed_time)
{
    /* a = 100, N = 2000, e = 2: 202 rounds of 2 s = 404 s, 10 x N R / C */
    double d = recovery_of(herd(2000, 1000, 2, 2, 20, ",\"retry\":\"immediate\"", 3600));
    ck_assert_msg(fabs(d - 404.0) <= 0.03 * 404.0, "recovery %g s, expected 404 s", d);
}
END_TEST

START_TEST(herd_with_backoff_but_no_jitter_stays_in_step)
{
    /* N = 400, a = 100, e = 2: rounds 400, 375, 348, 320, 288, 254, 214,
     * 168, 108, then <= 100: 10 calls of 2 s and 9 waits 1, 2, 4, 8 (cap),
     * 8, 8, 8, 8, 8 = 55 s: 75 s */
    double d = recovery_of(herd(400, 1000, 2, 2, 20,
                                ",\"retry\":\"exponential\",\"retry_base_s\":1,"
                                "\"retry_cap_s\":8", 3600));
    ck_assert_msg(fabs(d - 75.0) <= 10.0, "recovery %g s, expected 75 s", d);
}
END_TEST

START_TEST(herd_with_fixed_interval_adds_the_interval_to_every_round)
{
    /* as the immediate herd of 400 (10 rounds), each failed round + 3 s:
     * 10 x 2 + 9 x 3 = 47 s */
    double d = recovery_of(herd(400, 1000, 2, 2, 20,
                                ",\"retry\":\"fixed\",\"retry_interval_s\":3", 3600));
    ck_assert_msg(fabs(d - 47.0) <= 6.0, "recovery %g s, expected 47 s", d);
}
END_TEST

START_TEST(jitter_spreads_the_herd_and_beats_immediate_retries)
{
    const char *jit = ",\"retry\":\"exponential\",\"retry_base_s\":1,\"retry_cap_s\":60,"
                      "\"retry_jitter\":true";
    double d = recovery_of(herd(2000, 1000, 2, 2, 20, jit, 3600));
    /* never faster than the capacity bound N R / C = 40 s; well under the
     * 404 s of the synchronised herd */
    ck_assert_msg(d >= 40.0 && d < 0.5 * 404.0, "recovery %g s", d);
}
END_TEST

START_TEST(a_restart_during_the_boot_cancels_it_and_the_herd_starts_again)
{
    /* the herd of 400 boots from 70 s (10 rounds of 2 s: done at 90 s);
     * a second restart at 79 s cancels it (the calls ending at 80 s are
     * stale) and every server boots again at 89 s: a fresh herd of 400,
     * done at 89 + 20 = 109 s */
    cdn_scenario_t *s = herd_then(400, 1000, 2, 2, 20, "", 600,
                                  ",{\"kind\":\"restart_proxies\",\"at_s\":79,"
                                  "\"duration_s\":0,\"restart_s\":10}");
    world_t w;
    double d = recovery_s(s, &w) + RESTART_AT_S + RESTART_S;
    ck_assert_msg(d >= 105.0 && d <= 113.0, "last start at %g s, expected 109 s", d);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(restarting_servers_stay_out_of_service_until_their_start_completes)
{
    /* stop during the herd: every server is out, many still booting */
    cdn_scenario_t *s = herd(2000, 1000, 2, 2, 20, "", RESTART_AT_S + RESTART_S + 100);
    world_t w;
    cdn_error_t err;
    ck_assert_int_eq(world_init(&w, s, 1, 0, &err), 0);
    sim_run(w.sim);
    ck_assert_int_eq(backends_check(&w), 1);
    ck_assert_int_eq(fleet_check(&w), 1);
    ck_assert_uint_gt(w.bk.booting, 1000);
    ck_assert_uint_eq(w.fleet.reg[0].n_out, w.bk.booting);
    ck_assert_uint_eq(w.fleet.reg[0].n_restarting, 0);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(backends_check_fails_when_the_calls_in_flight_drift_or_a_state_is_bad)
{
    cdn_scenario_t *s = herd(2000, 1000, 2, 2, 20, "", RESTART_AT_S + RESTART_S + 100);
    world_t w;
    cdn_error_t err;
    ck_assert_int_eq(world_init(&w, s, 1, 0, &err), 0);
    sim_run(w.sim);
    ck_assert_int_eq(backends_check(&w), 1);
    w.bk.n_calling[0]++;
    ck_assert_int_eq(backends_check(&w), 0);
    w.bk.n_calling[0]--;
    size_t i = 0;
    while (w.bk.sp_state[i] == BK_IDLE)
        i++;
    uint8_t st = w.bk.sp_state[i];
    w.bk.sp_state[i] = 7; /* no such state */
    ck_assert_int_eq(backends_check(&w), 0);
    w.bk.sp_state[i] = st;
    w.bk.booting++;
    ck_assert_int_eq(backends_check(&w), 0);
    w.bk.booting--;
    w.fleet.sp_counted_out[i] = 0; /* booting but counted in service */
    ck_assert_int_eq(backends_check(&w), 0);
    w.fleet.sp_counted_out[i] = 1;
    ck_assert_int_eq(backends_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(proxy_backend_must_name_a_backend)
{
    cdn_error_t err;
    cdn_scenario_t *s = NULL;
    const char *json =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2026-01-01T00:00:00Z\",\"duration_s\":60},"
        "\"traffic\":{\"global_rps\":1000},"
        "\"regions\":[{\"name\":\"a\",\"traffic_share\":1,\"servers\":1,\"server_capacity_rps\":1}],"
        "\"backends\":[{\"name\":\"db\",\"capacity_rps\":1}],"
        "\"proxies\":[{\"name\":\"P\",\"on_bad_artifact\":\"none\",\"backend\":\"dbx\"}],"
        "\"sites\":{\"count\":1,\"plans\":[{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}]}}";
    ck_assert_int_eq(cdn_scenario_parse(json, strlen(json), "inline.json", &s, &err), CDN_EDATA);
    ck_assert_msg(strstr(err.msg, "$.proxies[0].backend") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "backend") != NULL, "%s", err.msg);
}
END_TEST

static Suite *suite(void)
{
    Suite *su = suite_create("backends");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, herd_without_waste_recovers_at_the_backend_capacity);
    tcase_add_test(tc, herd_with_immediate_retries_collapses_to_the_hand_computed_time);
    tcase_add_test(tc, herd_with_backoff_but_no_jitter_stays_in_step);
    tcase_add_test(tc, herd_with_fixed_interval_adds_the_interval_to_every_round);
    tcase_add_test(tc, jitter_spreads_the_herd_and_beats_immediate_retries);
    tcase_add_test(tc, a_restart_during_the_boot_cancels_it_and_the_herd_starts_again);
    tcase_add_test(tc, restarting_servers_stay_out_of_service_until_their_start_completes);
    tcase_add_test(tc, backends_check_fails_when_the_calls_in_flight_drift_or_a_state_is_bad);
    tcase_add_test(tc, proxy_backend_must_name_a_backend);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
