/*
 * test_features.c -- specifications of customer features (an effect
 * scoped to the sites with a named feature) and of regional users (a
 * region's traffic split over the sites whose users are there), against
 * values computed by hand from docs/model.md, "Customer features" and
 * "Regional sites".
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

/* Regions eu (0.4, tier eu) and us (0.6, tier us), one proxy, 4000
 * sites; a one-shot bad file at 600 s on the servers of `tiers`; the
 * run ends at 1200 s, inside the outage. */
static cdn_scenario_t *scenario(const char *proxy, const char *plans, const char *named,
                                const char *tiers)
{
    static const char fmt[] =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\","
        "\"duration_s\":1200,\"bin_s\":60,\"seed\":7},"
        "\"traffic\":{\"global_rps\":1000000,\"step_s\":60},"
        "\"regions\":[{\"name\":\"eu\",\"traffic_share\":0.4,\"servers\":40,\"server_capacity_rps\":1e6,"
        "\"tier\":\"eu\"},"
        "{\"name\":\"us\",\"traffic_share\":0.6,\"servers\":60,\"server_capacity_rps\":1e6,\"tier\":\"us\"}],"
        "\"proxies\":[%s],"
        "\"sites\":{\"count\":4000,\"plans\":[%s],\"named\":[%s]},"
        "\"artifacts\":[{\"name\":\"f\",\"consumers\":[\"P\"],\"period_s\":1e6,\"first_run_s\":600,"
        "\"cluster\":{\"nodes\":1,\"migrated_at_start\":1},\"tiers\":[%s],"
        "\"normal_size\":1,\"bad_size\":2,\"size_limit\":1,"
        "\"distribution\":{\"latency_median_s\":0.5,\"latency_p99_s\":2}}]}";
    char *json = malloc(8192);
    snprintf(json, 8192, fmt, proxy, plans, named, tiers);
    cdn_scenario_t *s = test_parse_ok(json);
    free(json);
    return s;
}

static void run_world(world_t *w, const cdn_scenario_t *s)
{
    cdn_error_t err;
    ck_assert_int_eq(world_init(w, s, 1, 0, &err), 0);
    sim_run(w->sim);
}

/* Sites of plan pl whose cohorts have the coh_scope bits `bits`. */
static uint64_t sites_with(const world_t *w, uint32_t pl, unsigned bits)
{
    uint64_t n = 0;
    for (size_t c = 0; c < w->ncoh_base; c++)
        if (w->sites.coh_plan[c] == pl && (w->sites.coh_scope[c] & bits) == bits)
            n += w->sites.coh_sites[c];
    return n;
}

/* 5xx share of all requests at the end of the run. */
static double err_share(const world_t *w)
{
    double e = 0, o = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        e += w->traffic.reg[r].err_rps;
        o += w->traffic.reg[r].offered_rps;
    }
    return e / o;
}

static const char *PANIC_X = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"scope_feature\":\"x\"}";
static const char *BOTH_TIERS = "\"eu\",\"us\"";

START_TEST(feature_scope_fails_exactly_the_traffic_of_sites_with_the_feature)
{
    /* plan a (traffic 0.3) all with x, plan b (0.7) none: the 5xx share
     * is 0.3; a named site of b with x (0.05 of all traffic) adds 0.05 */
    cdn_scenario_t *s = scenario(PANIC_X,
                                 "{\"name\":\"a\",\"site_share\":0.5,\"traffic_share\":0.3,\"features\":{\"x\":1}},"
                                 "{\"name\":\"b\",\"site_share\":0.5,\"traffic_share\":0.7,\"features\":{\"y\":1}}",
                                 "{\"name\":\"n\",\"plan\":\"b\",\"proxy\":\"P\",\"traffic_share\":0.05,"
                                 "\"features\":[\"x\",\"y\"]}", BOTH_TIERS);
    ck_assert_uint_eq(s->sites.nfeatures, 2); /* x, y: declared by plans */
    ck_assert_int_eq(s->proxies[0].scope_feature, 0);
    ck_assert_uint_eq(s->sites.named[0].features, 3u);
    world_t w;
    run_world(&w, s);
    ck_assert_uint_eq(w.sites.nsfeat, 1); /* only x scopes an effect: y splits no cohort */
    ck_assert_uint_eq(w.ncoh_base, 2 * 1 * 4 * 2 * 3);
    ck_assert_double_eq_tol(err_share(&w), 0.35, 1e-12);
    ck_assert_int_eq(w.sites.coh_down[w.ncoh_base], 1); /* the named site has x */
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(feature_draws_follow_their_keyed_stream_and_a_new_feature_moves_no_other_site)
{
#define PLAN_XZ(extra)                                                                             \
    "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"bot_management_frac\":0.4,"              \
    "\"features\":{\"x\":0.25" extra "}}"
    const char *p1 = PLAN_XZ(""), *p2 = PLAN_XZ(",\"z\":0.5");
    cdn_scenario_t *s1 = scenario(PANIC_X, p1, "", BOTH_TIERS);
    cdn_scenario_t *s2 = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"scope_feature\":\"x\"},"
                                  "{\"name\":\"Q\",\"on_bad_artifact\":\"panic\",\"scope_feature\":\"z\"}",
                                  p2, "", BOTH_TIERS);
    world_t w1, w2;
    run_world(&w1, s1);
    run_world(&w2, s2);
    /* by hand: site k has x when the k-th uniform of stream
     * (RNG_SITE_FEATURE, key2(key("all"), key("x"))) is below 0.25 */
    sim_rng_t rng;
    sim_rng_init(&rng, 1, 0, RNG_SITE_FEATURE, sim_rng_key2(sim_rng_key("all"), sim_rng_key("x")));
    uint64_t want = 0;
    for (int k = 0; k < 4000; k++)
        want += sim_rng_uniform(&rng) < 0.25;
    sim_rng_fini(&rng);
    ck_assert_uint_gt(want, 900);
    ck_assert_uint_lt(want, 1100);
    ck_assert_uint_eq(sites_with(&w1, 0, 4u), want);
    ck_assert_uint_eq(sites_with(&w2, 0, 4u), want); /* x in the world with z */
    ck_assert_uint_gt(sites_with(&w2, 0, 8u), 1800);
    ck_assert_uint_eq(sites_with(&w1, 0, 1u), sites_with(&w2, 0, 1u)); /* bot management too */
    ck_assert_uint_eq(sites_with(&w1, 0, 1u | 4u), sites_with(&w2, 0, 1u | 4u));
    world_fini(&w1);
    world_fini(&w2);
    cdn_scenario_destroy(s1);
    cdn_scenario_destroy(s2);
}
END_TEST

START_TEST(bot_management_as_a_feature_is_the_legacy_key)
{
    cdn_scenario_t *s1 = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"scope\":\"bot_block_rules\"}",
                                  "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,"
                                  "\"bot_management_frac\":0.4,\"bot_block_rules_frac\":0.5}",
                                  "", BOTH_TIERS);
    cdn_scenario_t *s2 = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\","
                                  "\"scope_feature\":\"bot_block_rules\"}",
                                  "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,"
                                  "\"features\":{\"bot_management\":0.4,\"bot_block_rules\":0.5}}",
                                  "", BOTH_TIERS);
    ck_assert_int_eq(s2->proxies[0].scope, CDN_SCOPE_BOT_BLOCK_RULES);
    ck_assert_int_eq(s2->proxies[0].scope_feature, -1);
    ck_assert_double_eq(s2->sites.plans[0].bot_block_rules_frac, 0.5);
    ck_assert_uint_eq(s2->sites.nfeatures, 0);
    world_t w1, w2;
    run_world(&w1, s1);
    run_world(&w2, s2);
    ck_assert_uint_eq(w1.ncoh, w2.ncoh);
    ck_assert_double_eq(err_share(&w1), err_share(&w2));
    ck_assert_mem_eq(w1.sites.coh_q, w2.sites.coh_q, w1.ncoh * sizeof *w1.sites.coh_q);
    world_fini(&w1);
    world_fini(&w2);
    cdn_scenario_destroy(s1);
    cdn_scenario_destroy(s2);
}
END_TEST

/* Plan s (0.3 of traffic) has all its users in eu; plan g (0.7) declares
 * none and so takes the rest: eu 0.4 - 0.3 = 0.1, us 0.6, i.e. 1/7 and
 * 6/7 of its requests.  Region eu's own traffic: W_s D = 0.3, W_g D =
 * 0.7 / 7 = 0.1, z = 0.4: m_s = 1 / 0.4 = 2.5, m_g = (1/7) / 0.4; us:
 * m_s = 0, m_g = (6/7) / 0.6 = 1 / 0.7. */
START_TEST(regional_users_split_each_region_by_where_the_users_are)
{
    cdn_scenario_t *s = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}",
                                 "{\"name\":\"s\",\"site_share\":0.3,\"traffic_share\":0.3,\"regions\":{\"eu\":1}},"
                                 "{\"name\":\"g\",\"site_share\":0.7,\"traffic_share\":0.7}",
                                 "", "\"eu\"");
    ck_assert_int_eq(s->sites.regional, 1);
    ck_assert_double_eq_tol(s->sites.plans[1].region_share[0], 1.0 / 7, 1e-12);
    ck_assert_double_eq_tol(s->sites.plans[1].region_share[1], 6.0 / 7, 1e-12);
    world_t w;
    run_world(&w, s);
    size_t nd = w.traffic.ndist;
    ck_assert_uint_eq(nd, 2);
    /* generic weights are rounded to 2^-58 each: 1e-9 */
    ck_assert_double_eq_tol(w.traffic.dist_m[0 * nd + 0], 2.5, 1e-9);
    ck_assert_double_eq_tol(w.traffic.dist_m[0 * nd + 1], 1.0 / 7 / 0.4, 1e-9);
    ck_assert_double_eq_tol(w.traffic.dist_m[1 * nd + 0], 0.0, 1e-12);
    ck_assert_double_eq_tol(w.traffic.dist_m[1 * nd + 1], 1.0 / 0.7, 1e-9);
    /* eu fails everything: plan s is served 0, plan g 6/7; 5xx share 0.4 */
    ck_assert_double_eq_tol(err_share(&w), 0.4, 1e-12);
    for (size_t c = 0; c < w.ncoh_base; c++) {
        if (w.sites.coh_sites[c] == 0)
            continue;
        uint32_t d = w.sites.coh_dist[c];
        double served = w.traffic.coh_acc[c] / w.traffic.dist_offered[d];
        ck_assert_double_eq_tol(served, d == 0 ? 0.0 : 6.0 / 7, 1e-9);
        ck_assert_int_eq(w.sites.coh_down[c], d == 0);
    }
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

/* A named site with regions of its own: all users in us, so an eu
 * outage leaves it fully served while its plan's other sites lose 40%. */
START_TEST(regional_named_site_follows_its_own_users)
{
    cdn_scenario_t *s = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}",
                                 "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}",
                                 "{\"name\":\"n\",\"plan\":\"all\",\"proxy\":\"P\",\"traffic_share\":0.1,"
                                 "\"regions\":{\"us\":1}}", "\"eu\"");
    world_t w;
    run_world(&w, s);
    size_t cn = w.ncoh_base;
    ck_assert_uint_eq(w.sites.coh_dist[cn], 1);
    ck_assert_double_eq_tol(w.traffic.coh_acc[cn] / w.traffic.dist_offered[1], 1.0, 1e-12);
    /* plan all's users fill the rest: eu 0.4, us 0.5 of 0.9 */
    ck_assert_double_eq_tol(s->sites.plans[0].region_share[0], 0.4 / 0.9, 1e-12);
    for (size_t c = 0; c < cn; c++)
        if (w.sites.coh_sites[c] > 0)
            ck_assert_double_eq_tol(w.traffic.coh_acc[c] / w.traffic.dist_offered[0], 0.5 / 0.9, 1e-9);
    world_fini(&w);
    cdn_scenario_destroy(s);
}
END_TEST

static void expect_error(const char *proxy, const char *plans, const char *named, const char *want)
{
    static const char fmt[] =
        "{\"name\":\"t\",\"simulation\":{\"start_utc\":\"2025-11-18T10:00:00Z\",\"duration_s\":600},"
        "\"traffic\":{\"global_rps\":1000},"
        "\"regions\":[{\"name\":\"eu\",\"traffic_share\":0.4,\"servers\":4,\"server_capacity_rps\":1e6},"
        "{\"name\":\"us\",\"traffic_share\":0.6,\"servers\":6,\"server_capacity_rps\":1e6}],"
        "\"proxies\":[%s],\"sites\":{\"count\":10,\"plans\":[%s],\"named\":[%s]}}";
    char json[4096];
    snprintf(json, sizeof json, fmt, proxy, plans, named);
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_ne(cdn_scenario_parse(json, strlen(json), "inline", &s, &err), 0);
    ck_assert_ptr_null(s);
    if (strstr(err.msg, want) == NULL)
        fprintf(stderr, "unexpected message: %s\n", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, want));
}

START_TEST(feature_and_region_errors_name_the_path_and_what_to_change)
{
    const char *P = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}";
    const char *ALL = "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}";
    expect_error("{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"scope\":\"bot_management\","
                 "\"scope_feature\":\"x\"}",
                 ALL, "", "$.proxies[0].scope_feature: expected either scope or scope_feature");
    expect_error(P, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"bot_management_frac\":0.1,"
                    "\"features\":{\"bot_management\":0.2}}", "",
                 "$.sites.plans[0].features.bot_management: expected bot_management once, or the same");
    expect_error(P, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"features\":{\"x\":1.5}}", "",
                 "$.sites.plans[0].features.x: expected");
    expect_error(P, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"regions\":{\"eu\":0.5}}", "",
                 "$.sites.plans[0].regions: expected shares that sum to 1");
    expect_error(P, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"regions\":{\"mars\":1}}", "",
                 "$.sites.plans[0].regions.mars: expected the name of a region");
    expect_error(P, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"regions\":{\"eu\":1}}", "",
                 "$.sites.plans: expected some plan's users in region \"us\"");
    expect_error(P, ALL, "{\"name\":\"n\",\"plan\":\"all\",\"proxy\":\"P\",\"traffic_share\":0.1,"
                         "\"features\":[\"x\",\"x\"]}",
                 "$.sites.named[0].features[1]: expected no repeats");
}
END_TEST

static void keep_warning(void *arg, const char *json_path, const char *message)
{
    char *out = arg; /* the first warning */
    if (out[0] == '\0')
        snprintf(out, 1024, "%s: %s", json_path, message);
}

START_TEST(effect_scoped_to_a_feature_no_site_has_is_warned)
{
    const char *Z = "{\"name\":\"P\",\"on_bad_artifact\":\"panic\",\"scope_feature\":\"z\"}";
    char msg[1024] = "";
    /* z is named by the proxy alone */
    cdn_scenario_t *s = scenario(Z, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,"
                                    "\"features\":{\"x\":1}}", "", BOTH_TIERS);
    ck_assert_uint_eq(s->sites.nfeatures, 2);
    ck_assert_uint_eq(cdn_scenario_warnings(s, keep_warning, msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "$.proxies[0].scope_feature: proxy \"P\"'s effect is scoped to "
                                      "sites with feature \"z\""));
    ck_assert_ptr_nonnull(strstr(msg, "applies to nothing"));
    cdn_scenario_destroy(s);
    /* a plan's share of 0 is no traffic either; a named site with z is */
    s = scenario(Z, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1,\"features\":{\"z\":0}}",
                 "", BOTH_TIERS);
    ck_assert_uint_eq(cdn_scenario_warnings(s, keep_warning, msg), 1);
    cdn_scenario_destroy(s);
    s = scenario(Z, "{\"name\":\"all\",\"site_share\":1,\"traffic_share\":1}",
                 "{\"name\":\"n\",\"plan\":\"all\",\"proxy\":\"P\",\"traffic_share\":0.1,"
                 "\"features\":[\"z\"]}", BOTH_TIERS);
    ck_assert_uint_eq(cdn_scenario_warnings(s, keep_warning, msg), 0);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(regions_the_plans_overfill_are_warned)
{
    char msg[1024] = "";
    /* s puts 0.5 of all traffic in eu (0.4): warned; g takes the rest,
     * all of us, but that is 0.5 of all traffic, not 0.6: warned too */
    cdn_scenario_t *s = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}",
                                 "{\"name\":\"s\",\"site_share\":0.5,\"traffic_share\":0.5,\"regions\":{\"eu\":1}},"
                                 "{\"name\":\"g\",\"site_share\":0.5,\"traffic_share\":0.5}",
                                 "", BOTH_TIERS);
    ck_assert_uint_eq(cdn_scenario_warnings(s, keep_warning, msg), 2);
    ck_assert_ptr_nonnull(strstr(msg, "$.regions[0].traffic_share: the plans' regions put users sending "
                                      "0.5 of all traffic in region \"eu\""));
    cdn_scenario_destroy(s);
    /* 0.3 in eu, the rest to g: consistent, quiet */
    s = scenario("{\"name\":\"P\",\"on_bad_artifact\":\"panic\"}",
                 "{\"name\":\"s\",\"site_share\":0.3,\"traffic_share\":0.3,\"regions\":{\"eu\":1}},"
                 "{\"name\":\"g\",\"site_share\":0.7,\"traffic_share\":0.7}",
                 "", BOTH_TIERS);
    ck_assert_uint_eq(cdn_scenario_warnings(s, keep_warning, msg), 0);
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *features_suite(void)
{
    Suite *su = suite_create("features");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, feature_scope_fails_exactly_the_traffic_of_sites_with_the_feature);
    tcase_add_test(tc, feature_draws_follow_their_keyed_stream_and_a_new_feature_moves_no_other_site);
    tcase_add_test(tc, bot_management_as_a_feature_is_the_legacy_key);
    tcase_add_test(tc, regional_users_split_each_region_by_where_the_users_are);
    tcase_add_test(tc, regional_named_site_follows_its_own_users);
    tcase_add_test(tc, feature_and_region_errors_name_the_path_and_what_to_change);
    tcase_add_test(tc, effect_scoped_to_a_feature_no_site_has_is_warned);
    tcase_add_test(tc, regions_the_plans_overfill_are_warned);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(features_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
