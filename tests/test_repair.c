/*
 * test_repair.c -- repair crews, capacity schedules, heavy-tailed repair
 * times, offline hosts and lasting damage (models/world/repair.c) against
 * hand-computed times.
 *
 * Every scenario: one region of N servers, one proxy, an artifact whose
 * every file is bad, first made at 0 and reaching each server within
 * about a second; stop_generation at 90 s and a good file pushed at 100 s
 * (each server has it by about 101 s).  Recovery is read from the
 * servers-failing series of the timeline (60 s bins): the end of the last
 * bin with a failing server, or the first bin at or below a share.
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

#define BIN_S 60.0

/* The scenario: N servers (region keys `region_more`), proxy `proxy`,
 * the revert when `revert`. */
static cdn_scenario_t *make(unsigned n, const char *region_more, const char *proxy, int revert,
                            double duration_s)
{
    char *json = malloc(8192);
    snprintf(json, 8192,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2026-01-01T00:00:00Z\","
             "\"duration_s\":%g,\"bin_s\":%g,\"seed\":5},\"traffic\":{\"global_rps\":1000},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":1,\"servers\":%u,"
             "\"server_capacity_rps\":100%s}],\"proxies\":[%s],"
             "\"sites\":{\"count\":100,\"plans\":[{\"name\":\"all\",\"site_share\":1,"
             "\"traffic_share\":1}]},"
             "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":1000000,"
             "\"cluster\":{\"nodes\":1,\"migrated_at_start\":1},\"normal_size\":1,\"bad_size\":2,"
             "\"size_limit\":1,\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":1}}],"
             "\"operators\":{\"actions\":[%s]}}",
             duration_s, BIN_S, n, region_more, proxy,
             revert ? "{\"kind\":\"stop_generation\",\"at_s\":90,\"artifact\":\"f\"},"
                      "{\"kind\":\"push_last_known_good\",\"at_s\":100,\"artifact\":\"f\"}"
                    : "");
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static cdn_result_t *run(const cdn_scenario_t *s)
{
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, 5, 0, &r, &err), 0);
    return r;
}

/* Share of the servers failing over bin b. */
static double failing(const cdn_result_t *r, size_t b)
{
    return cdn_result_global(r, CDN_RS_SERVERS_FAILING, b) / (BIN_S * (double)r->servers_total);
}

/* End of the last bin with a failing server, s. */
static double last_failing_s(const cdn_result_t *r)
{
    double end = 0;
    for (size_t b = 0; b < r->nbins; b++)
        if (failing(r, b) > 0)
            end = (double)(b + 1) * BIN_S;
    return end;
}

/* Start of the first bin after the peak whose failing share is <= share. */
static double first_below_s(const cdn_result_t *r, double share)
{
    size_t b = 2; /* past the onset */
    while (b < r->nbins && failing(r, b) > share)
        b++;
    return (double)b * BIN_S;
}

START_TEST(crews_in_parallel_repair_n_over_c_batches)
{
    /* 100 crashed servers, 4 crews, 600 s each: 25 batches, the last ends
     * at about 1 + 25 * 600 = 15001 s (ends of bins: 15060) */
    cdn_scenario_t *s = make(100, "", "{\"name\":\"P\",\"on_bad_artifact\":\"crash_repair\","
                             "\"repair_crews\":4,\"repair_time_median_s\":600}", 1, 20000);
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(last_failing_s(r), 15060, 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(a_schedule_step_releases_an_automated_fix)
{
    /* one crew (600 s each) until 3000 s: 4 done by 2401 s, the 5th at
     * 3001 s; at 3000 s 100 crews of 300 s take the other 95: done by
     * 3300 s, the one in progress at 3001 s.  At 2900 s: 96 failing. */
    cdn_scenario_t *s = make(100, "", "{\"name\":\"P\",\"on_bad_artifact\":\"crash_repair\","
                             "\"repair_time_median_s\":600,\"repair_schedule\":[{\"at_s\":3000,"
                             "\"crews\":100,\"time_median_s\":300}]}", 1, 6000);
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(failing(r, 2900 / 60), 0.96, 1e-9);
    ck_assert_double_eq_tol(last_failing_s(r), 3300, 1e-9);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(log_normal_repair_times_give_the_quantiles_of_the_tail)
{
    /* as many crews as servers: each server takes its own log-normal time,
     * median 600 s, p99 6000 s (sigma = ln 10 / 2.326 = 0.990).  Half are
     * repaired by about 600 s and 95% by 600 exp(1.645 sigma) = 3058 s;
     * the last 5% take longer than the first 95%. */
    cdn_scenario_t *s = make(2000, "", "{\"name\":\"P\",\"on_bad_artifact\":\"crash_repair\","
                             "\"repair_crews\":2000,\"repair_time_median_s\":600,"
                             "\"repair_time_p99_s\":6000}", 1, 40000);
    cdn_result_t *r = run(s);
    double t50 = first_below_s(r, 0.5), t95 = first_below_s(r, 0.05);
    ck_assert_double_ge(t50, 0.9 * 600);
    ck_assert_double_le(t50, 1.1 * 600 + BIN_S);
    ck_assert_double_ge(t95, 0.9 * 3058);
    ck_assert_double_le(t95, 1.1 * 3058);
    ck_assert_double_gt(last_failing_s(r), 2 * t95);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(damage_outlives_the_revert_until_reprovisioned)
{
    /* panic: the good file at ~101 s ends the failing of undamaged
     * servers; a share 0.3 of 1000 stay failing (a restart would not
     * help) until 10 crews re-provision them at 600 s each: 30 batches,
     * done at about 101 + 30 * 600 = 18101 s */
    cdn_scenario_t *s = make(1000, "", "{\"name\":\"P\",\"on_bad_artifact\":\"panic\","
                             "\"damage_frac\":0.3,\"reprovision_crews\":10,"
                             "\"reprovision_time_median_s\":600}", 1, 25000);
    cdn_result_t *r = run(s);
    double left = failing(r, 5);
    ck_assert_double_ge(left, 0.27);
    ck_assert_double_le(left, 0.33);
    double end = last_failing_s(r), hand = 101 + ceil(left * 1000 / 10) * 600;
    ck_assert_double_ge(end, hand - BIN_S);
    ck_assert_double_le(end, hand + BIN_S);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(damage_grows_with_exposure)
{
    /* no declared share, a hazard of 1/h: a revert after ~100 s damages
     * 1 - exp(-100/3600) = 2.7%; the same at 1 h would damage 63% */
    cdn_scenario_t *s = make(2000, "", "{\"name\":\"P\",\"on_bad_artifact\":\"panic\","
                             "\"damage_rate_per_h\":1,\"reprovision_crews\":0}", 1, 600);
    cdn_result_t *r = run(s);
    double left = failing(r, 5);
    ck_assert_double_ge(left, 0.027 * 0.6);
    ck_assert_double_le(left, 0.027 * 1.4);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(offline_hosts_get_the_bad_file_when_they_come_online)
{
    /* 1000 servers, 400 offline with a mean of 3600 s; the bad file is
     * never reverted.  Failing at t: 0.6 + 0.4 (1 - exp(-t / 3600)):
     * 0.6 just after the onset, 0.853 at 3600 s, 0.980 at 3 h. */
    cdn_scenario_t *s = make(1000, ",\"offline_frac\":0.4,\"online_mean_s\":3600",
                             "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}", 0, 12000);
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(failing(r, 1), 0.6 + 0.4 * (1 - exp(-90.0 / 3600)), 0.01);
    ck_assert_double_eq_tol(failing(r, 60), 0.6 + 0.4 * (1 - exp(-3630.0 / 3600)), 0.03);
    ck_assert_double_eq_tol(failing(r, 180), 0.6 + 0.4 * (1 - exp(-10830.0 / 3600)), 0.02);
    /* offline servers are out of service, not failing */
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_OUT, 0) / (BIN_S * 1000), 0.4, 0.01);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(repair_keys_are_checked)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    const char *bad =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2026-01-01T00:00:00Z\",\"duration_s\":100},"
        "\"traffic\":{\"global_rps\":1},\"regions\":[{\"name\":\"a\",\"traffic_share\":1,"
        "\"servers\":1,\"server_capacity_rps\":1}],\"proxies\":[{\"name\":\"P\","
        "\"on_bad_artifact\":\"crash_repair\",\"repair_schedule\":[{\"at_s\":50,\"crews\":2},"
        "{\"at_s\":40,\"crews\":1}]}],\"sites\":{\"count\":1,\"plans\":[{\"name\":\"all\","
        "\"site_share\":1,\"traffic_share\":1}]}}";
    ck_assert_int_ne(cdn_scenario_parse(bad, strlen(bad), "x.json", &s, &err), 0);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err.msg, "$.proxies[0].repair_schedule[1].at_s: expected a time at or after"));
}
END_TEST

int main(void)
{
    gsl_set_error_handler_off();
    Suite *su = suite_create("repair");
    TCase *tc = tcase_create("repair");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, crews_in_parallel_repair_n_over_c_batches);
    tcase_add_test(tc, a_schedule_step_releases_an_automated_fix);
    tcase_add_test(tc, log_normal_repair_times_give_the_quantiles_of_the_tail);
    tcase_add_test(tc, damage_outlives_the_revert_until_reprovisioned);
    tcase_add_test(tc, damage_grows_with_exposure);
    tcase_add_test(tc, offline_hosts_get_the_bad_file_when_they_come_online);
    tcase_add_test(tc, repair_keys_are_checked);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
