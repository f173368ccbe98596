/*
 * test_withdraw.c -- withdrawal of one proxy's routes (withdraw_proxy_only,
 * models/world/fleet.c and traffic.c) against hand-computed shares.
 *
 * Two regions (a: 60% of the traffic, tier "edge"; b: 40%), two proxies:
 * "http" (never hurt) and "dns", which the bad file makes withdraw its
 * routes; two plans carry exactly 80% of the requests on http and 20% on
 * dns.  Clients retry a failed attempt twice (q = 1, R = 2), so an attempt
 * that keeps receiving traffic but fails it costs 3 attempts per request.
 * From 600 s every server holds the bad file (bins of 60 s; bin 15 is
 * after it, bin 5 before).  With fallback share phi:
 *   proxy only: dns requests fail fast, counted once:  5xx = 0.2 (1 - phi),
 *               failover = 0.2 phi, attempts x 1, no server out of service
 *   server (the old meaning): every server withdraws every route, both
 *               regions drain with nowhere to go: every attempt fails,
 *               dns attempts x 3 (attempts x 1.4)
 *   panic (keeps receiving and fails): dns attempts x 3, 5xx = 0.6 / 1.4
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
#include "world/world_int.h"

/* `dns` is the dns proxy's members after its name; `svcs` the services. */
static cdn_scenario_t *two_proxies(const char *dns, const char *svcs)
{
    char *json = malloc(8192);
    snprintf(json, 8192,
             "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2026-01-01T00:00:00Z\","
             "\"duration_s\":1800,\"bin_s\":60,\"seed\":3},"
             "\"traffic\":{\"global_rps\":1000000,\"max_retries\":2,\"retry_frac\":1},"
             "\"regions\":[{\"name\":\"a\",\"traffic_share\":0.6,\"servers\":50,\"tier\":\"edge\","
             "\"server_capacity_rps\":1e6},{\"name\":\"b\",\"traffic_share\":0.4,\"servers\":30,"
             "\"server_capacity_rps\":1e6}],"
             "\"proxies\":[{\"name\":\"http\",\"on_bad_artifact\":\"none\"},{\"name\":\"dns\",%s}],"
             "\"sites\":{\"count\":1000,\"plans\":["
             "{\"name\":\"web\",\"site_share\":0.5,\"traffic_share\":0.8,\"proxy_mix\":{\"http\":1}},"
             "{\"name\":\"dns\",\"site_share\":0.5,\"traffic_share\":0.2,\"proxy_mix\":{\"dns\":1}}]},"
             "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"dns\"],\"period_s\":300,"
             "\"first_run_s\":600,\"cluster\":{\"nodes\":1,\"migrated_at_start\":1},"
             "\"normal_size\":60,\"bad_size\":240,\"size_limit\":200,"
             "\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":2}}],"
             "\"services\":[%s]}",
             dns, svcs);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static cdn_result_t *run(const cdn_scenario_t *s)
{
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, s->sim.seed, 0, &r, &err), 0);
    return r;
}

static double frac(const cdn_result_t *r, cdn_rseries_t k, size_t b)
{
    return cdn_result_global(r, k, b) / cdn_result_global(r, CDN_RS_OFFERED, b);
}

static double growth(const cdn_result_t *r)
{
    return cdn_result_global(r, CDN_RS_OFFERED, 15) / cdn_result_global(r, CDN_RS_OFFERED, 5);
}

static const char *PROXY_ONLY = "\"on_bad_artifact\":\"withdraw\",\"withdraw_proxy_only\":true,"
                                "\"withdrawn_fallback_frac\":0.25";

START_TEST(withdraw_proxy_only_fails_fast_or_falls_back_without_retries)
{
    cdn_scenario_t *s = two_proxies(PROXY_ONLY, "");
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 5), 0.0, 1e-15);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 15), 0.2 * 0.75, 1e-12);
    ck_assert_double_eq_tol(frac(r, CDN_RS_FAILOVER, 15), 0.2 * 0.25, 1e-12);
    ck_assert_double_eq_tol(frac(r, CDN_RS_OK, 15), 0.8, 1e-12);
    ck_assert_double_eq_tol(growth(r), 1.0, 1e-12);
    /* the servers stay in service for http: nothing out, nothing drained */
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_OUT, 15), 0.0, 1e-15);
    ck_assert_double_eq_tol(cdn_result_global(r, CDN_RS_SERVERS_FAILING, 15), 80.0 * 60.0, 1e-9);
    for (size_t i = 0; i < r->nevents; i++)
        ck_assert_int_ne(r->events[i].kind, CDN_EV_REGION_DRAINED);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(withdraw_of_every_route_and_panic_stay_distinct)
{
    cdn_scenario_t *srv = two_proxies("\"on_bad_artifact\":\"withdraw\"", "");
    cdn_scenario_t *pan = two_proxies("\"on_bad_artifact\":\"panic\"", "");
    cdn_result_t *a = run(srv), *b = run(pan);
    /* the old meaning: servers out, regions drained with no neighbour, the
     * traffic stays and fails, the dns share retried */
    ck_assert_double_eq_tol(frac(a, CDN_RS_ERR5XX, 15), 1.0, 1e-12);
    ck_assert_double_eq_tol(growth(a), 0.8 + 0.2 * 3.0, 1e-12);
    ck_assert_double_eq_tol(cdn_result_global(a, CDN_RS_SERVERS_OUT, 15), 80.0 * 60.0, 1e-9);
    /* keeps receiving traffic and fails it: retried, no failover */
    ck_assert_double_eq_tol(frac(b, CDN_RS_ERR5XX, 15), 0.6 / 1.4, 1e-12);
    ck_assert_double_eq_tol(growth(b), 1.4, 1e-12);
    ck_assert_double_eq_tol(frac(b, CDN_RS_FAILOVER, 15), 0.0, 1e-15);
    cdn_result_destroy(a);
    cdn_result_destroy(b);
    cdn_scenario_destroy(srv);
    cdn_scenario_destroy(pan);
}
END_TEST

START_TEST(withdraw_proxy_only_in_one_tier_leaves_the_other_regions_routes)
{
    /* only region a (tier edge) withdraws: 0.6 x 0.2 of the requests have
     * no route; with no fallback they all fail fast */
    cdn_scenario_t *s = two_proxies("\"on_bad_artifact\":\"withdraw\",\"withdraw_proxy_only\":true,"
                                    "\"tiers\":[\"edge\"]",
                                    "");
    cdn_result_t *r = run(s);
    ck_assert_double_eq_tol(frac(r, CDN_RS_ERR5XX, 15), 0.6 * 0.2, 1e-12);
    ck_assert_double_eq_tol(cdn_result_region(r, 1, CDN_RS_ERR5XX, 15), 0.0, 1e-15);
    ck_assert_double_eq_tol(growth(r), 1.0, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(withdraw_proxy_only_takes_down_the_service_behind_that_proxy_alone)
{
    /* a resolver behind dns is down while the API behind http stays up */
    cdn_scenario_t *s = two_proxies(PROXY_ONLY, "{\"name\":\"resolver\",\"behind_proxy\":\"dns\"},"
                                                "{\"name\":\"api\",\"behind_proxy\":\"http\"}");
    cdn_result_t *r = run(s);
    size_t nb = r->nbins;
    ck_assert_double_eq_tol(r->svc_avail[0 * nb + 5] / 60.0, 1.0, 1e-12);
    ck_assert_double_eq_tol(r->svc_avail[0 * nb + 15] / 60.0, 0.0, 1e-12);
    ck_assert_double_eq_tol(r->svc_avail[1 * nb + 15] / 60.0, 1.0, 1e-12);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(fleet_check_counts_withdrawn_routes_apart)
{
    cdn_scenario_t *s = two_proxies(PROXY_ONLY, "");
    world_t w;
    cdn_error_t err;
    ck_assert_int_eq(world_init(&w, s, 1, 0, &err), 0);
    sim_run(w.sim); /* the file stays bad to the end */
    ck_assert_int_eq(fleet_check(&w), 1);
    ck_assert_uint_eq(w.fleet.reg_wd_p[0 * 2 + 1], 50); /* region a, proxy dns */
    ck_assert_uint_eq(w.fleet.reg_out_p[0 * 2 + 1], 50);
    ck_assert_uint_eq(w.fleet.reg[0].n_out, 0);
    w.fleet.reg_wd_p[0 * 2 + 1]--;
    ck_assert_int_eq(fleet_check(&w), 0);
    w.fleet.reg_wd_p[0 * 2 + 1]++;
    w.fleet.sp_counted_out[0 * 2 + 1] = SP_OUT; /* server 0, dns: counted as a whole server out */
    ck_assert_int_eq(fleet_check(&w), 0);
    w.fleet.sp_counted_out[0 * 2 + 1] = SP_WITHDRAWN;
    ck_assert_int_eq(fleet_check(&w), 1);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *withdraw_suite(void)
{
    Suite *s = suite_create("withdraw");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, withdraw_proxy_only_fails_fast_or_falls_back_without_retries);
    tcase_add_test(tc, withdraw_of_every_route_and_panic_stay_distinct);
    tcase_add_test(tc, withdraw_proxy_only_in_one_tier_leaves_the_other_regions_routes);
    tcase_add_test(tc, withdraw_proxy_only_takes_down_the_service_behind_that_proxy_alone);
    tcase_add_test(tc, fleet_check_counts_withdrawn_routes_apart);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(withdraw_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
