/*
 * test_scenario.c -- Check tests of the scenario layer (cdn_scenario.h).
 *
 * Good files under tests/data/good/ must load with the documented values
 * and defaults; every kind of validation error has a file under
 * tests/data/bad/ (named after the kind) whose message must name the file
 * and the exact JSON path; and every file in tests/data/bad/ must fail, so
 * a new bad file is covered without a new test.  Small cases are inline
 * JSON written with single quotes (q() turns them into double quotes).
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdn_scenario.h"
#include "cdn_schema.h"
#include "test_util.h"

#ifndef CDNSIM_TEST_DATA
#error "CDNSIM_TEST_DATA must name the tests/data directory"
#endif

#define GOOD(f) CDNSIM_TEST_DATA "/good/" f
#define BAD(f) CDNSIM_TEST_DATA "/bad/" f

/* Pieces of a valid scenario, in single-quote JSON. */
#define Q_SIM "'simulation':{'start_utc':'2025-11-18T11:05:00Z','duration_s':3600}"
#define Q_TRAFFIC "'traffic':{'global_rps':1000}"
#define Q_REGIONS                                                                                  \
    "'regions':[{'name':'r','traffic_share':1,'servers':10,'server_capacity_rps':200}]"
#define Q_PROXIES                                                                                  \
    "'proxies':[{'name':'FL','on_bad_artifact':'degrade'},{'name':'FL2','on_bad_artifact':'panic'}]"
#define Q_SITES "'sites':{'count':100,'plans':[{'name':'p','site_share':1,'traffic_share':1}]}"
#define Q_ARTIFACT                                                                                 \
    "'artifacts':[{'name':'bf','consumers':['FL2'],'period_s':300,'normal_size':60,"               \
    "'bad_size':240,'size_limit':200}]"
#define Q_BASE "'name':'t'," Q_SIM "," Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "," Q_SITES
#define Q_DOC(extra) "{" Q_BASE extra "}"

static int q(const char *single_quoted, cdn_scenario_t **out, cdn_error_t *err)
{
    size_t n = strlen(single_quoted);
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i <= n; i++)
        text[i] = single_quoted[i] == '\'' ? '"' : single_quoted[i];
    int rc = cdn_scenario_parse(text, n, "inline.json", out, err);
    free(text);
    return rc;
}

static cdn_scenario_t *q_ok(const char *single_quoted)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = q(single_quoted, &s, &err);
    ck_assert_msg(rc == 0, "unexpected error: %s", err.msg);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void q_bad(const char *single_quoted, const char *needle)
{
    cdn_scenario_t *s = (cdn_scenario_t *)&s; /* must be reset to NULL */
    cdn_error_t err;
    int rc = q(single_quoted, &s, &err);
    ck_assert_int_eq(rc, CDN_EDATA);
    ck_assert_int_eq(err.code, CDN_EDATA);
    ck_assert_ptr_null(s);
    ck_assert_msg(strncmp(err.msg, "inline.json:", 12) == 0, "no file name in: %s", err.msg);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "expected \"%s\" in: %s", needle, err.msg);
}

static cdn_scenario_t *load_ok(const char *path)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    int rc = cdn_scenario_load(path, &s, &err);
    ck_assert_msg(rc == 0, "unexpected error: %s", err.msg);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Loads a bad file: the code, the file name and `needle` (the JSON path
 * and what was expected) must all be in the message. */
static void load_bad(const char *path, int code, const char *needle)
{
    cdn_scenario_t *s = (cdn_scenario_t *)&s;
    cdn_error_t err;
    int rc = cdn_scenario_load(path, &s, &err);
    ck_assert_int_eq(rc, code);
    ck_assert_int_eq(err.code, code);
    ck_assert_ptr_null(s);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "no file name in: %s", err.msg);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "expected \"%s\" in: %s", needle, err.msg);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}

/* ---- good files ---------------------------------------------------------- */

START_TEST(minimal_file_gets_documented_defaults)
{
    cdn_scenario_t *s = load_ok(GOOD("minimal.json"));
    ck_assert_str_eq(s->name, "minimal");
    ck_assert_ptr_null(s->description);
    ck_assert_str_eq(s->path, GOOD("minimal.json"));
    ck_assert_str_eq(s->sim.start_utc, "2025-11-18T11:05:00Z");
    ck_assert_double_eq(s->sim.duration_s, 3600);
    ck_assert_double_eq(s->sim.bin_s, 60);
    ck_assert_uint_eq(s->sim.seed, 1);
    ck_assert_double_eq(s->traffic.global_rps, 1000);
    ck_assert_double_eq(s->traffic.diurnal_amplitude, 0);
    ck_assert_double_eq(s->traffic.diurnal_peak_local_h, 20);
    ck_assert_double_eq(s->traffic.step_s, 60); /* = bin_s */
    ck_assert_double_eq(s->traffic.baseline_err5xx_frac, 0);
    ck_assert_uint_eq(s->nregions, 1);
    ck_assert_double_eq(s->regions[0].utc_offset_h, 0);
    ck_assert_uint_eq(s->regions[0].servers, 100);
    ck_assert_uint_eq(s->nproxies, 1);
    ck_assert_int_eq(s->proxies[0].on_bad_artifact, CDN_EFFECT_PANIC);
    ck_assert_int_eq(s->proxies[0].scope, CDN_SCOPE_ALL);
    ck_assert_double_eq(s->proxies[0].affected_frac, 1);
    ck_assert_double_eq(s->proxies[0].wedge_rate_per_h, 0);
    ck_assert_uint_eq(s->sites.count, 1000);
    ck_assert_double_eq(s->sites.zipf_exponent, 1);
    ck_assert_double_eq(s->sites.down_threshold, 0.5);
    ck_assert_uint_eq(s->sites.nplans, 1);
    ck_assert_double_eq(s->sites.plans[0].bot_management_frac, 0);
    ck_assert_double_eq(s->sites.plans[0].bot_block_rules_frac, 0);
    ck_assert_double_eq(s->sites.plans[0].proxy_mix[0], 1); /* all on proxy 0 */
    ck_assert_uint_eq(s->nartifacts, 0);
    ck_assert_ptr_null(s->artifacts);
    ck_assert_uint_eq(s->nservices, 0);
    ck_assert_uint_eq(s->nactions, 0);
    ck_assert_double_eq(s->metrics.impact_threshold_frac, 0.01);
    ck_assert_double_eq(s->metrics.major_threshold_frac, 0.05);
    ck_assert_double_eq(s->metrics.resolved_threshold_frac, 0.002);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(full_file_parses_every_key)
{
    cdn_scenario_t *s = load_ok(GOOD("full.json"));
    ck_assert_str_eq(s->name, "full-2025-11-18");
    ck_assert_ptr_nonnull(s->description);
    ck_assert_double_eq(s->sim.duration_s, 21600);
    ck_assert_double_eq(s->sim.bin_s, 30);
    ck_assert_uint_eq(s->sim.seed, 42);
    ck_assert_double_eq(s->traffic.global_rps, 81e6);
    ck_assert_double_eq(s->traffic.diurnal_peak_local_h, 19.5);
    ck_assert_double_eq(s->traffic.step_s, 300);
    ck_assert_double_eq(s->traffic.baseline_err5xx_frac, 0.0005);

    ck_assert_uint_eq(s->nregions, 3);
    ck_assert_str_eq(s->regions[2].name, "apac");
    ck_assert_double_eq(s->regions[0].utc_offset_h, -5);
    ck_assert_uint_eq(s->regions[1].servers, 30000);
    ck_assert_double_eq(s->regions[2].server_capacity_rps, 2000);

    ck_assert_uint_eq(s->nproxies, 2);
    ck_assert_int_eq(s->proxies[0].on_bad_artifact, CDN_EFFECT_DEGRADE);
    ck_assert_int_eq(s->proxies[0].scope, CDN_SCOPE_BOT_BLOCK_RULES);
    ck_assert_double_eq(s->proxies[0].affected_frac, 0.9);
    ck_assert_int_eq(s->proxies[1].scope, CDN_SCOPE_BOT_MANAGEMENT);
    ck_assert_double_eq(s->proxies[1].wedge_rate_per_h, 0.05);

    ck_assert_uint_eq(s->sites.count, 4000000);
    ck_assert_double_eq(s->sites.zipf_exponent, 1.1);
    ck_assert_uint_eq(s->sites.nplans, 3);
    ck_assert_double_eq(s->sites.plans[0].proxy_mix[0], 0); /* FL absent from the mix */
    ck_assert_double_eq(s->sites.plans[0].proxy_mix[1], 1);
    ck_assert_double_eq(s->sites.plans[2].proxy_mix[0], 0.6);
    ck_assert_double_eq(s->sites.plans[1].bot_block_rules_frac, 0.3);

    ck_assert_uint_eq(s->nartifacts, 2);
    const cdn_artifact_spec_t *a = &s->artifacts[0];
    ck_assert_uint_eq(a->nconsumers, 2);
    ck_assert_uint_eq(a->consumers[0], 1); /* FL2, in file order */
    ck_assert_uint_eq(a->consumers[1], 0);
    ck_assert_double_eq(a->first_run_s, 120);
    ck_assert_uint_eq(a->cluster_nodes, 12);
    ck_assert_uint_eq(a->nodes_migrated_at_start, 1);
    ck_assert_double_eq(a->migration_start_s, 0);
    ck_assert_double_eq(a->migration_step_s, 600);
    ck_assert_double_eq(a->bad_size, 240);
    ck_assert_int_eq(a->validate_on_ingest, 0);
    ck_assert_double_eq(a->latency_p99_s, 2.29);
    a = &s->artifacts[1];
    ck_assert_double_eq(a->first_run_s, 90);
    ck_assert_uint_eq(a->cluster_nodes, 1);
    ck_assert_uint_eq(a->nodes_migrated_at_start, 0);
    ck_assert(isinf(a->migration_start_s) && a->migration_start_s > 0);
    ck_assert_int_eq(a->validate_on_ingest, 1);
    ck_assert_double_eq(a->latency_median_s, 2);
    ck_assert_double_eq(a->latency_p99_s, 6); /* 3 x median */

    ck_assert_uint_eq(s->nservices, 5);
    ck_assert_str_eq(s->services[0].name, "dashboard"); /* file order */
    ck_assert_int_eq(s->services[0].behind_proxy, 1);
    ck_assert_int_eq(s->services[0].bypass_proxy, -1);
    ck_assert_uint_eq(s->services[0].ndeps, 2);
    ck_assert_uint_eq(s->services[0].deps[0], 1); /* a forward reference */
    ck_assert_uint_eq(s->services[0].deps[1], 2);
    ck_assert_int_eq(s->services[2].bypass_proxy, 0);
    ck_assert_int_eq(s->services[4].behind_proxy, -1);
    ck_assert_int_eq(s->services[4].bypass_proxy, -1);
    ck_assert_uint_eq(s->services[4].ndeps, 0);

    ck_assert_double_eq(s->metrics.impact_threshold_frac, 0.02);
    ck_assert_double_eq(s->metrics.major_threshold_frac, 0.1);
    ck_assert_double_eq(s->metrics.resolved_threshold_frac, 0.001);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(actions_are_sorted_by_time_stably_with_unused_fields_unset)
{
    cdn_scenario_t *s = load_ok(GOOD("full.json"));
    ck_assert_uint_eq(s->nactions, 6);
    const cdn_action_spec_t *a = s->actions;
    /* Two bypasses at 13:05 keep their file order, then 14:24, then the
     * restart (file index 3) before the push (index 4), both at 14:30. */
    ck_assert_int_eq(a[0].kind, CDN_ACTION_BYPASS_SERVICE);
    ck_assert_double_eq(a[0].at_s, 7200);
    ck_assert_str_eq(a[0].label, "KV bypass");
    ck_assert_int_eq(a[0].service, 2);
    ck_assert_int_eq(a[1].kind, CDN_ACTION_BYPASS_SERVICE);
    ck_assert_int_eq(a[1].service, 3);
    ck_assert_str_eq(a[1].label, "bypass_service");
    ck_assert_int_eq(a[1].artifact, -1);
    ck_assert_int_eq(a[1].proxy, -1);
    ck_assert_int_eq(a[2].kind, CDN_ACTION_STOP_GENERATION);
    ck_assert_double_eq(a[2].at_s, 11940);
    ck_assert_int_eq(a[2].artifact, 0);
    ck_assert_int_eq(a[2].service, -1);
    ck_assert_int_eq(a[3].kind, CDN_ACTION_RESTART_PROXIES);
    ck_assert_double_eq(a[3].at_s, 12300);
    ck_assert_int_eq(a[3].proxy, 1);
    ck_assert_double_eq(a[3].duration_s, 600);
    ck_assert_double_eq(a[3].restart_s, 45);
    ck_assert_int_eq(a[4].kind, CDN_ACTION_PUSH_LAST_KNOWN_GOOD);
    ck_assert_double_eq(a[4].at_s, 12300);
    ck_assert_int_eq(a[5].kind, CDN_ACTION_RESTART_PROXIES);
    ck_assert_int_eq(a[5].proxy, -1); /* every proxy */
    ck_assert_double_eq(a[5].duration_s, 0);
    ck_assert_double_eq(a[5].restart_s, 60);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(start_utc_converts_to_unix_epoch_and_back)
{
    char buf[32];
    cdn_scenario_t *s = load_ok(GOOD("minimal.json"));
    ck_assert_int_eq(s->sim.start_epoch_s, 1763463900);
    cdn_scenario_utc(s, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "2025-11-18T11:05:00Z");
    cdn_scenario_utc(s, 12300.9, buf, sizeof buf); /* rounded down */
    ck_assert_str_eq(buf, "2025-11-18T14:30:00Z");
    cdn_scenario_utc(s, 46 * 86400.0, buf, sizeof buf); /* across a year end */
    ck_assert_str_eq(buf, "2026-01-03T11:05:00Z");
    cdn_scenario_utc(s, -0.5, buf, sizeof buf);
    ck_assert_str_eq(buf, "2025-11-18T11:04:59Z");
    cdn_scenario_utc(s, INFINITY, buf, sizeof buf);
    ck_assert_str_eq(buf, "never");
    cdn_scenario_destroy(s);

    s = q_ok("{'name':'t','simulation':{'start_utc':'2024-02-29T23:59:59Z','duration_s':60},"
             Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "," Q_SITES "}");
    ck_assert_int_eq(s->sim.start_epoch_s, 1709251199);
    cdn_scenario_utc(s, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "2024-03-01T00:00:00Z");
    cdn_scenario_destroy(s);

    s = q_ok("{'name':'t','simulation':{'start_utc':'1970-01-01T00:00:00Z','duration_s':60},"
             Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "," Q_SITES "}");
    ck_assert_int_eq(s->sim.start_epoch_s, 0);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(enum_names_come_from_the_x_macro_lists)
{
    ck_assert_str_eq(cdn_effect_name(CDN_EFFECT_DEGRADE), "degrade");
    ck_assert_str_eq(cdn_scope_name(CDN_SCOPE_BOT_BLOCK_RULES), "bot_block_rules");
    ck_assert_str_eq(cdn_action_name(CDN_ACTION_PUSH_LAST_KNOWN_GOOD), "push_last_known_good");
    ck_assert_str_eq(cdn_action_name(CDN_ACTION_COUNT), "?");
}
END_TEST

START_TEST(defaults_follow_other_keys)
{
    /* bin_s defaults to duration_s when that is under 60 s; step_s to bin_s;
     * latency_p99_s to 3 x the median. */
    cdn_scenario_t *s =
        q_ok("{'name':'t','simulation':{'start_utc':'2025-11-18T11:05:00Z','duration_s':45},"
             Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "," Q_SITES
             ",'artifacts':[{'name':'a','consumers':['FL'],'period_s':1,'normal_size':1,"
             "'bad_size':2,'size_limit':1,'distribution':{'latency_median_s':0.5}}]}");
    ck_assert_double_eq(s->sim.bin_s, 45);
    ck_assert_double_eq(s->traffic.step_s, 45);
    ck_assert_double_eq(s->artifacts[0].latency_p99_s, 1.5);
    ck_assert_double_eq(s->artifacts[0].first_run_s, 0);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(err_may_be_null)
{
    cdn_scenario_t *s = (cdn_scenario_t *)&s;
    ck_assert_int_eq(cdn_scenario_parse("{", 1, "x.json", &s, NULL), CDN_EDATA);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(cdn_scenario_load(BAD("no-such-file.json"), &s, NULL), CDN_EIO);
    ck_assert_ptr_null(s);
    cdn_scenario_destroy(NULL);
}
END_TEST

/* ---- one test per kind of error ------------------------------------------ */

START_TEST(syntax_error_reports_line_and_column)
{
    load_bad(BAD("syntax_error.json"), CDN_EDATA,
             "syntax_error.json:3:55: invalid JSON near '\"duration_s\"");
    q_bad("{'a': [1, 2,]}", "inline.json:1:13: invalid JSON near ']}'");
    load_bad(BAD("empty.json"), CDN_EDATA, "empty.json:1:1: invalid JSON near end of input");
    q_bad("[1,\n\x7f]", "inline.json:2:1: invalid JSON near '\\x7F'");
}
END_TEST

START_TEST(text_after_the_value_is_rejected)
{
    load_bad(BAD("trailing_garbage.json"), CDN_EDATA,
             "trailing_garbage.json:14:1: invalid JSON near '}' (text after the end");
    q_bad(Q_DOC("") " \n x", "inline.json:2:2: invalid JSON near 'x'");
}
END_TEST

START_TEST(unknown_key_lists_the_expected_keys)
{
    load_bad(BAD("unknown_key.json"), CDN_EDATA,
             ": $.regions[0].capacity: unknown key (expected one of: name, traffic_share, "
             "utc_offset_h, servers, server_capacity_rps, neighbors, tier, overload_drain_rho, overload_drain_s, latency_factor, offline_frac, online_mean_s, notes)");
    q_bad(Q_DOC(",'extra':1"), ": $.extra: unknown key (expected one of: name, description,");
}
END_TEST

START_TEST(missing_required_key_is_named)
{
    load_bad(BAD("missing_key.json"), CDN_EDATA,
             ": $.regions[0]: missing required key \"servers\"");
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "}",
          ": $: missing required key \"sites\"");
}
END_TEST

/* The schema table: one row gives the key list, the default and the range
 * the parser uses, and the document's table row. */
START_TEST(schema_rows_drive_key_lists_defaults_ranges_and_doc)
{
    /* key list in row order, "notes" last */
    q_bad(Q_DOC(",'metrics':{'x':1}"),
          ": $.metrics.x: unknown key (expected one of: impact_threshold_frac, "
          "major_threshold_frac, resolved_threshold_frac, recovered_pct, notes)");
    q_bad(Q_DOC(",'calibration':{},'bogus':1"), ": $.bogus: unknown key (expected one of: name, "
          "description, sources, simulation, traffic, regions, proxies, backends, sites, artifacts, "
          "services, operators, metrics, calibration, $schema, priors, notes)");
    /* a TIME row gives its two keys */
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "," Q_SITES
          ",'artifacts':[{'name':'bf','consumers':['FL2'],'period_s':300,'normal_size':60,"
          "'bad_size':240,'size_limit':200,'cluster':{'x':1}}]}",
          ": $.artifacts[0].cluster.x: unknown key (expected one of: nodes, migrated_at_start, "
          "migration_start_utc, migration_start_s, migration_step_s, notes)");
    /* defaults and ranges, including those known only while reading */
    cdn_scenario_t *s = q_ok(Q_DOC("," Q_ARTIFACT ",'metrics':{}"));
    ck_assert_double_eq(s->sim.bin_s, 60);          /* min(60, duration_s) */
    ck_assert_double_eq(s->traffic.step_s, 60);     /* bin_s */
    ck_assert_double_eq(s->traffic.surge_s, 600);
    ck_assert_uint_eq(s->sim.seed, 1);
    ck_assert_double_eq(s->regions[0].overload_drain_s, 300);
    ck_assert_int_eq(s->proxies[0].scope, CDN_SCOPE_ALL);
    ck_assert_uint_eq(s->artifacts[0].cluster_nodes, 1);
    ck_assert(isinf(s->artifacts[0].migration_start_s));
    ck_assert_double_eq(s->artifacts[0].latency_p99_s, 3);
    ck_assert_double_eq(s->metrics.resolved_threshold_frac, 0.002);
    cdn_scenario_destroy(s);
    q_bad(Q_DOC("," "'artifacts':[{'name':'bf','consumers':['FL2'],'period_s':300,"
                "'normal_size':60,'bad_size':240,'size_limit':200,"
                "'cluster':{'nodes':3,'migrated_at_start':4}}]"),
          ": $.artifacts[0].cluster.migrated_at_start: expected an integer in [0, 3], found 4");
    q_bad("{'name':'t','simulation':{'start_utc':'2025-11-18T11:05:00Z','duration_s':100,"
          "'bin_s':101}}",
          ": $.simulation.bin_s: expected a number in (0, 100], found 101");
    /* the document's row comes from the same row */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    cdn_schema_doc_table(f, cdn_schema_find("traffic"));
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "| `global_rps` | requests/s | yes | – | > 0 | "));
    ck_assert_ptr_nonnull(strstr(buf, "| `step_s` | s | no | `bin_s` | ≥ D/1e7 | "));
    ck_assert_ptr_nonnull(strstr(buf, "| `max_retries` | integer | no | 0 | [0, 10] | "));
    free(buf);
    ck_assert_int_eq(cdn_schema_find("nope"), CDN_SCHEMA_NSECTIONS);
}
END_TEST

START_TEST(duplicate_key_is_rejected)
{
    load_bad(BAD("duplicate_key.json"), CDN_EDATA, ": $.traffic.global_rps: duplicate key");
    q_bad("{'notes':'a','notes':'b'}", ": $.notes: duplicate key");
    q_bad(Q_DOC(",'sources':{'a':'x','b':'y','a':'z'}"), ": $.sources.a: duplicate key");
}
END_TEST

START_TEST(wrong_type_names_the_type_found)
{
    load_bad(BAD("wrong_type.json"), CDN_EDATA,
             ": $.simulation.duration_s: expected a number in (0, 2592000], found a string");
    q_bad("[1]", "inline.json: $: expected an object, found an array");
    q_bad(Q_DOC(",'notes':[1]"), ": $.notes[0]: expected a string, found a number");
    q_bad(Q_DOC(",'services':[{'name':'s','behind_proxy':3}]"),
          ": $.services[0].behind_proxy: expected the name of a proxy or null, found a number");
    q_bad(Q_DOC("," Q_ARTIFACT ",'metrics':null"), ": $.metrics: expected an object, found null");
}
END_TEST

START_TEST(out_of_range_value_is_shown)
{
    load_bad(BAD("out_of_range.json"), CDN_EDATA,
             ": $.regions[3].traffic_share: expected a number in [0, 1], found -0.2");
    q_bad(Q_DOC(",'metrics':{'major_threshold_frac':0.005}"),
          ": $.metrics.major_threshold_frac: expected a number >= impact_threshold_frac (0.01), "
          "found 0.005");
    q_bad(Q_DOC(",'metrics':{'resolved_threshold_frac':0.02}"),
          ": $.metrics.resolved_threshold_frac: expected a number <= impact_threshold_frac");
    q_bad(Q_DOC(",'sources':{'a':'x'},'description':'d','notes':'n',"
                "'metrics':{'impact_threshold_frac':1e999}"),
          ": $.metrics.impact_threshold_frac: expected a number in (0, 1), found a number too "
          "large for a double");
    q_bad("{'name':'t','simulation':{'start_utc':'2025-11-18T11:05:00Z','duration_s':60,"
          "'bin_s':61}}",
          ": $.simulation.bin_s: expected a number in (0, 60], found 61");
    q_bad("{'name':'t','simulation':{'start_utc':'2025-11-18T11:05:00Z','duration_s':60,"
          "'seed':-1}}",
          ": $.simulation.seed: expected an integer in [0, 9007199254740991], found -1");
}
END_TEST

START_TEST(non_integer_count_is_rejected)
{
    load_bad(BAD("non_integer.json"), CDN_EDATA,
             ": $.regions[0].servers: expected an integer in [1, 10000000], found 2.5");
}
END_TEST

START_TEST(resource_limits_are_validation_errors)
{
    /* memory: servers in all and timeline cells; time: periodic events
     * that could recur without end (duration 3600 s: at least 0.00036 s) */
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC ",'regions':["
          "{'name':'a','traffic_share':0.5,'servers':10000000,'server_capacity_rps':1},"
          "{'name':'b','traffic_share':0.5,'servers':1,'server_capacity_rps':1}],"
          Q_PROXIES "," Q_SITES "}",
          ": $.regions: expected at most 10000000 servers in all regions, found 10000001");
    q_bad("{'name':'t','simulation':{'start_utc':'2025-11-18T11:05:00Z','duration_s':3600,"
          "'bin_s':0.0008}," Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES "," Q_SITES "}",
          ": $.simulation.bin_s: expected a bin width with at most 4000000 timeline cells");
    q_bad("{'name':'t'," Q_SIM ",'traffic':{'global_rps':1000,'step_s':1e-12}," Q_REGIONS
          "," Q_PROXIES "," Q_SITES "}",
          ": $.traffic.step_s: expected a number >= 0.00036, found 1e-12");
    q_bad(Q_DOC(",'artifacts':[{'name':'bf','consumers':['FL2'],'period_s':1e-12,"
                "'normal_size':60,'bad_size':240,'size_limit':200}]"),
          ": $.artifacts[0].period_s: expected a number >= 0.00036, found 1e-12");
    q_bad(Q_DOC(",'operators':{'detection':{'check_s':1e-12}}"),
          ": $.operators.detection.check_s: expected a number >= 0.00036, found 1e-12");
}
END_TEST

START_TEST(shares_must_sum_to_one)
{
    load_bad(BAD("shares_not_summing.json"), CDN_EDATA,
             ": $.regions: expected traffic_share values that sum to 1, found a sum of 0.9");
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES
          ",'sites':{'count':1,'plans':[{'name':'a','site_share':0.5,'traffic_share':1}]}}",
          ": $.sites.plans: expected site_share values that sum to 1, found a sum of 0.5");
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC "," Q_REGIONS "," Q_PROXIES
          ",'sites':{'count':1,'plans':[{'name':'a','site_share':1,'traffic_share':1,"
          "'proxy_mix':{'FL':0.2,'FL2':0.2}}]}}",
          ": $.sites.plans[0].proxy_mix: expected shares that sum to 1, found a sum of 0.4");
}
END_TEST

START_TEST(proxy_mix_must_name_defined_proxies)
{
    load_bad(BAD("unknown_proxy_in_proxy_mix.json"), CDN_EDATA,
             ": $.sites.plans[1].proxy_mix.FL3: expected the name of a proxy (one of: FL, FL2), "
             "found \"FL3\"");
}
END_TEST

START_TEST(action_must_name_a_defined_artifact)
{
    load_bad(BAD("unknown_artifact_in_action.json"), CDN_EDATA,
             ": $.operators.actions[2].artifact: expected the name of an artifact, found \"foo\"");
    q_bad(Q_DOC("," Q_ARTIFACT ",'operators':{'actions':[{'kind':'stop_generation','at_s':1}]}"),
          ": $.operators.actions[0]: missing required key \"artifact\" (for kind "
          "\"stop_generation\")");
}
END_TEST

START_TEST(action_must_name_a_defined_service)
{
    load_bad(BAD("unknown_service_in_action.json"), CDN_EDATA,
             ": $.operators.actions[0].service: expected the name of a service, found \"kv2\"");
}
END_TEST

START_TEST(action_keys_depend_on_its_kind)
{
    load_bad(BAD("key_not_allowed_for_kind.json"), CDN_EDATA,
             ": $.operators.actions[0].proxy: key not allowed for kind \"stop_generation\"");
    q_bad(Q_DOC(",'operators':{'actions':[{'kind':'restart_proxies','at_s':1,'service':'x'}]}"),
          ": $.operators.actions[0].service: key not allowed for kind \"restart_proxies\"");
    q_bad(Q_DOC(",'operators':{'actions':[{'kind':'restart_proxies','at_s':1,'proxy':'FL3'}]}"),
          ": $.operators.actions[0].proxy: expected the name of a proxy, found \"FL3\"");
    q_bad(Q_DOC(",'operators':{'actions':[{'kind':'reboot','at_s':1}]}"),
          ": $.operators.actions[0].kind: expected one of \"stop_generation\", "
          "\"push_last_known_good\", \"restart_proxies\", \"bypass_service\", \"kill_switch\", \"fail_service\", \"scale_service\", found \"reboot\"");
    q_bad(Q_DOC(",'operators':{'actions':[{'kind':'restart_proxies','at_s':1,"
                "'label':'0123456789012345678901234567890123456789012345678901234567890123'}]}"),
          ": $.operators.actions[0].label: expected a string of at most 63 bytes, found "
          "\"0123456789012345678901234567890123456789...\"");
}
END_TEST

START_TEST(dependency_cycle_is_rejected)
{
    load_bad(BAD("dependency_cycle.json"), CDN_EDATA,
             ": $.services[2].depends_on: expected an acyclic dependency graph, found a cycle "
             "through 'a'");
    q_bad(Q_DOC(",'services':[{'name':'a','depends_on':['a']}]"),
          ": $.services[0].depends_on[0]: expected the name of another service, found \"a\"");
    q_bad(Q_DOC(",'services':[{'name':'a'},{'name':'b','depends_on':['a','a']}]"),
          ": $.services[1].depends_on[1]: expected each service once, found \"a\" again");
    q_bad(Q_DOC(",'services':[{'name':'a','depends_on':['zz']}]"),
          ": $.services[0].depends_on[0]: expected the name of a service, found \"zz\"");
}
END_TEST

START_TEST(at_utc_and_at_s_are_exclusive)
{
    load_bad(BAD("both_at_utc_and_at_s.json"), CDN_EDATA,
             ": $.operators.actions[0]: expected exactly one of \"at_utc\" and \"at_s\", found "
             "both");
    q_bad(Q_DOC(",'operators':{'actions':[{'kind':'restart_proxies'}]}"),
          ": $.operators.actions[0]: missing required key \"at_utc\", \"at_s\" or \"after\"");
    q_bad(Q_DOC(",'artifacts':[{'name':'a','consumers':['FL'],'period_s':1,'normal_size':1,"
                "'bad_size':2,'size_limit':1,'first_run_s':0,"
                "'first_run_utc':'2025-11-18T11:05:00Z'}]"),
          ": $.artifacts[0]: expected at most one of \"first_run_utc\" and \"first_run_s\", found "
          "both");
}
END_TEST

START_TEST(time_before_start_is_rejected)
{
    load_bad(BAD("time_before_start.json"), CDN_EDATA,
             ": $.operators.actions[0].at_utc: expected a time at or after simulation.start_utc "
             "(2025-11-18T11:05:00Z), found \"2025-11-18T11:04:59Z\"");
    q_bad(Q_DOC(",'operators':{'actions':[{'kind':'restart_proxies','at_s':-1}]}"),
          ": $.operators.actions[0].at_s: expected a number >= 0, found -1");
}
END_TEST

START_TEST(malformed_utc_time_is_rejected)
{
    load_bad(BAD("bad_utc_time.json"), CDN_EDATA,
             ": $.simulation.start_utc: expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", found "
             "\"2025-02-29T11:05:00Z\"");
    q_bad("{'name':'t','simulation':{'start_utc':'2025-11-18 11:05:00Z'}}",
          ": $.simulation.start_utc: expected a UTC time");
    q_bad("{'name':'t','simulation':{'start_utc':'2025-11-18T24:00:00Z'}}",
          ": $.simulation.start_utc: expected a UTC time");
}
END_TEST

START_TEST(normal_size_must_fit_size_limit)
{
    load_bad(BAD("normal_size_over_limit.json"), CDN_EDATA,
             ": $.artifacts[0].normal_size: expected a number <= size_limit (200), found 250");
}
END_TEST

START_TEST(names_are_checked)
{
    load_bad(BAD("bad_name_pattern.json"), CDN_EDATA,
             ": $.name: expected a name of 1 to 63 characters from [A-Za-z0-9._-]");
    q_bad("{'name':'..'}", ": $.name: expected a name of 1 to 63 characters");
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC ",'regions':[{'name':'\xC3(','traffic_share':1,"
          "'servers':1,'server_capacity_rps':1}]}",
          ": $.regions[0].name: expected a name of 1 to 63 bytes of UTF-8 without control "
          "characters");
    q_bad("{'name':'t'," Q_SIM "," Q_TRAFFIC ",'regions':[{'name':'','traffic_share':1,"
          "'servers':1,'server_capacity_rps':1}]}",
          ": $.regions[0].name: expected a name of 1 to 63 bytes");
    load_bad(BAD("duplicate_name.json"), CDN_EDATA,
             ": $.regions[1].name: expected a unique name, found \"eu\" again (first used at "
             "index 0)");
    load_bad(BAD("unknown_enum_value.json"), CDN_EDATA,
             ": $.proxies[0].on_bad_artifact: expected one of \"none\", \"panic\", \"degrade\", "
             "\"crash\", \"crash_repair\", \"cpu_exhaustion\", \"withdraw\", \"cpu_per_request\", "
             "found \"explode\"");
}
END_TEST

START_TEST(unreadable_file_is_an_io_error)
{
    load_bad(BAD("no-such-file.json"), CDN_EIO, ": cannot read: ");
    load_bad(CDNSIM_TEST_DATA "/bad", CDN_EIO, ": cannot read: ");
}
END_TEST

START_TEST(files_over_64_mib_are_rejected)
{
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/cdnsim-big-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, ((off_t)64 << 20) + 1), 0); /* sparse */
    close(fd);
    load_bad(path, CDN_EDATA, ": file is larger than 64 MiB");
    unlink(path);
}
END_TEST

/* Regression (#10): a rejected string whose every shown byte is escaped
 * (40 bytes -> 80 characters, plus quotes and "...") overflowed the 80-byte
 * buffer of the message; the sanitizer build aborted. */
START_TEST(rejected_string_of_escaped_bytes_is_shown_in_full)
{
    char shown[128] = "found \"";
    for (int i = 0; i < 40; i++)
        strcat(shown, "\\\\");
    strcat(shown, "...\"");
    load_bad(BAD("name_of_backslashes.json"), CDN_EDATA, shown);

    char doc[512] = "{\"name\":\"";
    char quotes[128] = "found \"";
    for (int i = 0; i < 70; i++)
        strcat(doc, "\\\"");
    for (int i = 0; i < 40; i++)
        strcat(quotes, "\\\"");
    strcat(quotes, "...\"");
    strcat(doc, "\",\"simulation\":{\"start_utc\":\"2025-11-18T11:05:00Z\",\"duration_s\":60}}");
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_parse(doc, strlen(doc), "inline.json", &s, &err), CDN_EDATA);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, quotes) != NULL, "expected %s in: %s", quotes, err.msg);
}
END_TEST

/* Regressions (#10): values that were accepted but then misread. */
START_TEST(values_that_would_be_misread_are_rejected)
{
    /* 2^53 + 1 reads as 2^53 in a double: seeds stop below 2^53 */
    load_bad(BAD("seed_above_2_53.json"), CDN_EDATA,
             ": $.simulation.seed: expected an integer in [0, 9007199254740991], found "
             "9007199254740992");
    /* cJSON would cut the key "seed\u0000x" to "seed" */
    load_bad(BAD("nul_in_key.json"), CDN_EDATA,
             ":1:83: invalid JSON near '\\u0000x\":3}}' (\\u0000 in a string");
    /* every instant of the run needs a UTC name */
    load_bad(BAD("start_too_late.json"), CDN_EDATA,
             ": $.simulation.start_utc: expected a start at least duration_s (60 s) before "
             "9999-12-31T23:59:59Z");
}
END_TEST

START_TEST(every_bad_file_fails_with_a_message_naming_it)
{
    DIR *dir = opendir(CDNSIM_TEST_DATA "/bad");
    ck_assert_ptr_nonnull(dir);
    size_t checked = 0;
    const struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/bad/%s", CDNSIM_TEST_DATA, de->d_name);
        cdn_scenario_t *s = (cdn_scenario_t *)&s;
        cdn_error_t err;
        err.msg[0] = '\0';
        int rc = cdn_scenario_load(path, &s, &err);
        ck_assert_msg(rc == CDN_EDATA || rc == CDN_EIO, "%s: loaded (rc %d)", path, rc);
        ck_assert_int_eq(err.code, rc);
        ck_assert_ptr_null(s);
        ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0 &&
                          strlen(err.msg) > strlen(path) + 2,
                      "%s: message does not name the file: %s", path, err.msg);
        checked++;
    }
    closedir(dir);
    ck_assert_uint_ge(checked, 17);
}
END_TEST

START_TEST(policy_rollout_and_failover_errors_name_their_path)
{
    load_bad(BAD("after_without_detection.json"), CDN_EDATA,
             ": $.operators.actions[0].after: expected \"$.operators.detection\"");
    load_bad(BAD("stages_not_reaching_all.json"), CDN_EDATA,
             ": $.artifacts[0].rollout.stages[1].frac: expected the last stage to reach every "
             "server (1), found 0.5");
    load_bad(BAD("unknown_control_plane_service.json"), CDN_EDATA,
             ": $.sites.control_plane_service: expected the name of a service, found "
             "\"dashboard\"");
    load_bad(BAD("time_and_after.json"), CDN_EDATA,
             ": $.operators.actions[0]: expected either a time");
}
END_TEST

static void count_warning(void *arg, const char *json_path, const char *message)
{
    (void)arg;
    ck_assert_ptr_nonnull(strstr(json_path, "$.operators.actions"));
    ck_assert_ptr_nonnull(strstr(message, "stop_generation"));
}

/* Warnings of a scenario whose one artifact runs every 300 s from 600 s
 * in a one-hour run, with the given actions. */
static size_t count_lkg_warnings(const char *actions)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"w\", \"simulation\": {\"start_utc\": \"2025-11-18T11:00:00Z\", "
             "\"duration_s\": 3600},"
             "\"traffic\": {\"global_rps\": 1000},"
             "\"regions\": [{\"name\": \"g\", \"traffic_share\": 1, \"servers\": 10, "
             "\"server_capacity_rps\": 500}],"
             "\"proxies\": [{\"name\": \"p\", \"on_bad_artifact\": \"panic\"}],"
             "\"sites\": {\"count\": 10, \"plans\": [{\"name\": \"all\", \"site_share\": 1, "
             "\"traffic_share\": 1}]},"
             "\"artifacts\": [{\"name\": \"f\", \"consumers\": [\"p\"], \"period_s\": %s, "
             "\"first_run_s\": 600, \"cluster\": {\"nodes\": 1, \"migrated_at_start\": 1}, "
             "\"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1}],"
             "\"operators\": {\"detection\": {}, \"diagnosis\": {}, \"actions\": [%s]}}",
             strstr(actions, "ONESHOT") ? "100000" : "300", strstr(actions, "ONESHOT") ? actions + 7 : actions);
    cdn_scenario_t *sc = test_parse_ok(json);
    size_t n = cdn_scenario_warnings(sc, count_warning, NULL);
    cdn_scenario_destroy(sc);
    return n;
}

START_TEST(push_of_last_known_good_before_the_generator_stops_is_warned)
{
#define PUSH_AT(t) "{\"kind\": \"push_last_known_good\", \"at_s\": " #t ", \"artifact\": \"f\"}"
#define STOP_AT(t) "{\"kind\": \"stop_generation\", \"at_s\": " #t ", \"artifact\": \"f\"}"
#define PUSH_AFTER(trig, d) \
    "{\"kind\": \"push_last_known_good\", \"after\": \"" trig "\", \"delay_s\": " #d ", \"artifact\": \"f\"}"
#define STOP_AFTER(trig, d) \
    "{\"kind\": \"stop_generation\", \"after\": \"" trig "\", \"delay_s\": " #d ", \"artifact\": \"f\"}"
    /* no stop at all, or a stop known to come later: warned */
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AT(1200)), 1);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AT(1200) "," STOP_AT(1500)), 1);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AFTER("detection", 60) "," STOP_AFTER("detection", 120)), 1);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AFTER("detection", 60) "," STOP_AFTER("diagnosis", 60)), 1);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AFTER("diagnosis", 0)), 1);
    /* a stop that fires first, or whose order cannot be known: quiet */
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AT(1200) "," STOP_AT(1100)), 0);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AT(1200) "," STOP_AT(1200)), 0);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AFTER("diagnosis", 60) "," STOP_AFTER("detection", 120)), 0);
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AFTER("diagnosis", 60) "," STOP_AT(1500)), 0);
    /* no generator run after the push: quiet */
    ck_assert_uint_eq(count_lkg_warnings(PUSH_AT(3500)), 0);
    ck_assert_uint_eq(count_lkg_warnings("ONESHOT" PUSH_AT(1200)), 0);
    /* the reference scenario stops, then pushes: quiet */
    cdn_scenario_t *ref = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_load(CDNSIM_SCENARIOS "/cloudflare-2025-11-18.json", &ref, &err), 0);
    ck_assert_uint_eq(cdn_scenario_warnings(ref, count_warning, NULL), 0);
    cdn_scenario_destroy(ref);
#undef PUSH_AT
#undef STOP_AT
#undef PUSH_AFTER
#undef STOP_AFTER
}
END_TEST

/* Counts warnings whose message contains `needle` (all if NULL); the
 * last path is kept in warn_path. */
typedef struct warn_count {
    const char *needle;
    size_t n;
    char path[256];
} warn_count_t;

static void count_matching(void *arg, const char *json_path, const char *message)
{
    warn_count_t *w = arg;
    if (w->needle == NULL || strstr(message, w->needle) != NULL) {
        w->n++;
        snprintf(w->path, sizeof w->path, "%s", json_path);
    }
}

/* A two-hour scenario with proxies p (panic, scope given) and q (none),
 * plan mix and bot shares given, artifact f consumed by `consumers` with
 * the given generator and size keys, services and actions given. */
static size_t rule_warnings(const char *needle, const char *scope, const char *plan_extra,
                            const char *consumers, const char *art_extra, const char *services,
                            const char *actions, char *path_out)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\": \"w\", \"simulation\": {\"start_utc\": \"2025-11-18T11:00:00Z\", "
             "\"duration_s\": 7200},"
             "\"traffic\": {\"global_rps\": 1000},"
             "\"regions\": [{\"name\": \"g\", \"traffic_share\": 1, \"servers\": 10, "
             "\"server_capacity_rps\": 500}],"
             "\"proxies\": [{\"name\": \"p\", \"on_bad_artifact\": \"panic\", \"scope\": \"%s\"},"
             "{\"name\": \"q\", \"on_bad_artifact\": \"none\"}],"
             "\"sites\": {\"count\": 10, \"plans\": [{\"name\": \"all\", \"site_share\": 1, "
             "\"traffic_share\": 1%s}]},"
             "\"artifacts\": [{\"name\": \"f\", \"consumers\": [%s], %s}],"
             "\"services\": [%s],"
             "\"operators\": {\"detection\": {}, \"actions\": [%s]}}",
             scope, plan_extra, consumers, art_extra, services, actions);
    cdn_scenario_t *sc = test_parse_ok(json);
    warn_count_t w = {needle, 0, ""};
    ck_assert_uint_eq(cdn_scenario_warnings(sc, count_matching, &w) >= w.n, 1);
    cdn_scenario_destroy(sc);
    if (path_out)
        snprintf(path_out, 256, "%s", w.path);
    return w.n;
}

#define MIX_PQ ", \"proxy_mix\": {\"p\": 0.5, \"q\": 0.5}"
#define BAD_F "\"period_s\": 300, \"cluster\": {\"nodes\": 1, \"migrated_at_start\": 1}, " \
              "\"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1"

START_TEST(artifact_that_can_never_be_bad_is_warned)
{
    char path[256];
    const char *w = "can never be bad";
    /* bad_size within the limit */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"",
                                    "\"period_s\": 300, \"normal_size\": 1, \"bad_size\": 1, \"size_limit\": 1",
                                    "", "", path), 1);
    ck_assert_str_eq(path, "$.artifacts[0]");
    /* no node migrated, and no migration (or one after the last run) */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"",
                                    "\"period_s\": 300, \"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1",
                                    "", "", NULL), 1);
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"",
                                    "\"period_s\": 1000, \"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1, "
                                    "\"cluster\": {\"nodes\": 2, \"migration_start_s\": 7001}",
                                    "", "", NULL), 1);
    /* a migration with a run after it, or a migrated node: quiet */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"",
                                    "\"period_s\": 1000, \"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1, "
                                    "\"cluster\": {\"nodes\": 2, \"migration_start_s\": 6000}",
                                    "", "", NULL), 0);
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", BAD_F, "", "", NULL), 0);
}
END_TEST

START_TEST(one_shot_push_that_runs_again_is_warned)
{
    char path[256];
    const char *w = "runs again";
#define ONESHOT(period, first) \
    "\"period_s\": " #period ", \"first_run_s\": " #first ", \"cluster\": {\"nodes\": 1, " \
    "\"migrated_at_start\": 1}, \"normal_size\": 1, \"bad_size\": 2, \"size_limit\": 1"
    /* a period longer than half the span, a second run at 1000 + 5000 < 7200 */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", ONESHOT(5000, 1000), "", "", path), 1);
    ck_assert_str_eq(path, "$.artifacts[0].period_s");
    /* the second run after the span, or a stop before it: quiet */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", ONESHOT(7000, 1000), "", "", NULL), 0);
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", ONESHOT(5000, 1000), "",
                                    "{\"kind\": \"stop_generation\", \"at_s\": 5000, \"artifact\": \"f\"}",
                                    NULL), 0);
    /* a stop after the second run does not prevent it */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", ONESHOT(5000, 1000), "",
                                    "{\"kind\": \"stop_generation\", \"at_s\": 6500, \"artifact\": \"f\"}",
                                    NULL), 1);
    /* a periodic generator (period at most half the span): quiet */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", ONESHOT(3600, 0), "", "", NULL), 0);
#undef ONESHOT
}
END_TEST

START_TEST(effect_scoped_to_traffic_that_does_not_exist_is_warned)
{
    char path[256];
    const char *w = "applies to nothing";
    /* bot_block_rules with no plan blocking bots */
    ck_assert_uint_eq(rule_warnings(w, "bot_block_rules", MIX_PQ, "\"p\"", BAD_F, "", "", path), 1);
    ck_assert_str_eq(path, "$.proxies[0].scope");
    ck_assert_uint_eq(rule_warnings(w, "bot_block_rules",
                                    MIX_PQ ", \"bot_management_frac\": 0.5, \"bot_block_rules_frac\": 0",
                                    "\"p\"", BAD_F, "", "", NULL), 1);
    ck_assert_uint_eq(rule_warnings(w, "bot_management", MIX_PQ, "\"p\"", BAD_F, "", "", NULL), 1);
    /* the plan has the traffic: quiet */
    ck_assert_uint_eq(rule_warnings(w, "bot_block_rules",
                                    MIX_PQ ", \"bot_management_frac\": 0.5, \"bot_block_rules_frac\": 0.1",
                                    "\"p\"", BAD_F, "", "", NULL), 0);
    ck_assert_uint_eq(rule_warnings(w, "bot_management", MIX_PQ ", \"bot_management_frac\": 0.5",
                                    "\"p\"", BAD_F, "", "", NULL), 0);
    /* bot traffic only on another proxy: the proxy has none at all, which
     * is the one warning */
    ck_assert_uint_eq(rule_warnings(w, "bot_management",
                                    ", \"proxy_mix\": {\"q\": 1}, \"bot_management_frac\": 0.5",
                                    "\"p\"", BAD_F, "", "", NULL), 0);
    ck_assert_uint_eq(rule_warnings(NULL, "bot_management",
                                    ", \"proxy_mix\": {\"q\": 1}, \"bot_management_frac\": 0.5",
                                    "\"p\"", BAD_F, "", "", NULL), 1);
    /* a proxy with no traffic at all, unless a service runs behind it */
    ck_assert_uint_eq(rule_warnings("carries no traffic", "all", ", \"proxy_mix\": {\"q\": 1}",
                                    "\"p\"", BAD_F, "", "", path), 1);
    ck_assert_str_eq(path, "$.proxies[0]");
    ck_assert_uint_eq(rule_warnings("carries no traffic", "all", ", \"proxy_mix\": {\"q\": 1}", "\"p\"",
                                    BAD_F, "{\"name\": \"kv\", \"behind_proxy\": \"p\"}", "", NULL), 0);
    ck_assert_uint_eq(rule_warnings("carries no traffic", "all", MIX_PQ, "\"p\"", BAD_F, "", "", NULL), 0);
}
END_TEST

START_TEST(action_that_targets_nothing_is_warned)
{
    char path[256];
    const char *w = "targets nothing";
    /* a restart of failing servers of q (effect none), of p when p
     * consumes nothing */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", BAD_F, "",
                                    "{\"kind\": \"restart_proxies\", \"at_s\": 60, \"proxy\": \"q\", "
                                    "\"only_failing\": true, \"label\": \"restart q\"}",
                                    path), 1);
    ck_assert_str_eq(path, "$.operators.actions[label=restart q]");
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"q\"", BAD_F, "",
                                    "{\"kind\": \"restart_proxies\", \"at_s\": 60, \"proxy\": \"p\", "
                                    "\"only_failing\": true}",
                                    NULL), 1);
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"q\"", BAD_F, "",
                                    "{\"kind\": \"restart_proxies\", \"at_s\": 60, \"only_failing\": true}",
                                    NULL), 1);
    /* a restart of every server acts (its servers are out for restart_s) */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"q\"", BAD_F, "",
                                    "{\"kind\": \"restart_proxies\", \"at_s\": 60, \"proxy\": \"p\"}",
                                    NULL), 0);
    /* a kill switch of an artifact whose consumers ignore a bad one; a
     * bypass of a service behind no proxy */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"q\"", BAD_F, "",
                                    "{\"kind\": \"kill_switch\", \"at_s\": 60, \"artifact\": \"f\"}",
                                    NULL), 1);
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", BAD_F, "{\"name\": \"kv\"}",
                                    "{\"kind\": \"bypass_service\", \"at_s\": 60, \"service\": \"kv\"}",
                                    NULL), 1);
    /* each with a target: quiet */
    ck_assert_uint_eq(rule_warnings(w, "all", MIX_PQ, "\"p\"", BAD_F,
                                    "{\"name\": \"kv\", \"behind_proxy\": \"p\"}",
                                    "{\"kind\": \"restart_proxies\", \"at_s\": 60, \"proxy\": \"p\"},"
                                    "{\"kind\": \"restart_proxies\", \"at_s\": 60},"
                                    "{\"kind\": \"kill_switch\", \"at_s\": 60, \"artifact\": \"f\"},"
                                    "{\"kind\": \"bypass_service\", \"at_s\": 60, \"service\": \"kv\"}",
                                    NULL), 0);
}
END_TEST

/* Warnings of a one-proxy scenario whose proxy has members `proxy`
 * (after its name), counting those that contain `needle`. */
static size_t proxy_key_warnings(const char *proxy, const char *needle, char *path_out)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"w\", \"simulation\": {\"start_utc\": \"2025-11-18T11:00:00Z\", "
             "\"duration_s\": 7200}, \"traffic\": {\"global_rps\": 1000},"
             "\"regions\": [{\"name\": \"g\", \"traffic_share\": 1, \"servers\": 10, "
             "\"server_capacity_rps\": 500}],"
             "\"proxies\": [{\"name\": \"p\", %s}],"
             "\"sites\": {\"count\": 10, \"plans\": [{\"name\": \"all\", \"site_share\": 1, "
             "\"traffic_share\": 1}]},"
             "\"artifacts\": [{\"name\": \"f\", \"consumers\": [\"p\"], " BAD_F "}]}",
             proxy);
    cdn_scenario_t *sc = test_parse_ok(json);
    warn_count_t w = {needle, 0, ""};
    (void)cdn_scenario_warnings(sc, count_matching, &w);
    cdn_scenario_destroy(sc);
    if (path_out)
        snprintf(path_out, 256, "%s", w.path);
    return w.n;
}

/* Proxy members and the key warned about (NULL: meant as written, quiet). */
static const struct {
    const char *members, *key;
} ignored_keys[] = {
    {"\"on_bad_artifact\": \"crash\", \"extra_cpu_per_request\": 2", "extra_cpu_per_request"},
    {"\"on_bad_artifact\": \"cpu_per_request\"", "extra_cpu_per_request"},
    {"\"on_bad_artifact\": \"panic\", \"withdraw_proxy_only\": true", "withdraw_proxy_only"},
    {"\"on_bad_artifact\": \"withdraw\", \"withdrawn_fallback_frac\": 0.5", "withdrawn_fallback_frac"},
    {"\"on_bad_artifact\": \"crash\", \"repair_crews\": 4", "repair_crews"},
    {"\"on_bad_artifact\": \"panic\", \"repair_schedule\": [{\"at_s\": 600, \"crews\": 9}]",
     "repair_schedule"},
    {"\"on_bad_artifact\": \"none\", \"damage_rate_per_h\": 0.1", "damage_rate_per_h"},
    {"\"on_bad_artifact\": \"panic\", \"reprovision_time_median_s\": 600",
     "reprovision_time_median_s"},
    {"\"on_bad_artifact\": \"cpu_per_request\", \"extra_cpu_per_request\": 2", NULL},
    {"\"on_bad_artifact\": \"panic\", \"extra_cpu_per_request\": 2", NULL},
    {"\"on_bad_artifact\": \"withdraw\", \"withdraw_proxy_only\": true, "
     "\"withdrawn_fallback_frac\": 0.5", NULL},
    {"\"on_bad_artifact\": \"crash_repair\", \"repair_crews\": 4, \"repair_time_p99_s\": 9000",
     NULL},
    {"\"on_bad_artifact\": \"panic\", \"damage_frac\": 0.1, \"reprovision_crews\": 5", NULL},
};

START_TEST(proxy_key_its_effect_ignores_is_warned)
{
    for (size_t i = 0; i < sizeof ignored_keys / sizeof ignored_keys[0]; i++) {
        char path[256], want[128];
        size_t n = proxy_key_warnings(ignored_keys[i].members, "does nothing", path);
        ck_assert_msg(n == (ignored_keys[i].key ? 1u : 0u), "%s: %zu warnings",
                      ignored_keys[i].members, n);
        if (ignored_keys[i].key == NULL)
            continue;
        snprintf(want, sizeof want, "$.proxies[0].%s", ignored_keys[i].key);
        ck_assert_str_eq(path, want);
    }
}
END_TEST

START_TEST(online_mean_without_offline_hosts_is_warned)
{
    /* online_mean_s without offline hosts; with them, quiet */
#define ONLINE_FMT                                                                                 \
        "{\"name\": \"w\", \"simulation\": {\"start_utc\": \"2025-11-18T11:00:00Z\", "              \
        "\"duration_s\": 7200}, \"traffic\": {\"global_rps\": 1000},"                               \
        "\"regions\": [{\"name\": \"g\", \"traffic_share\": 1, \"servers\": 10, "                   \
        "\"server_capacity_rps\": 500, \"online_mean_s\": 600%s}],"                                 \
        "\"proxies\": [{\"name\": \"p\", \"on_bad_artifact\": \"panic\"}],"                         \
        "\"sites\": {\"count\": 10, \"plans\": [{\"name\": \"all\", \"site_share\": 1, "            \
        "\"traffic_share\": 1}]},"                                                                  \
        "\"artifacts\": [{\"name\": \"f\", \"consumers\": [\"p\"], " BAD_F "}]}"
    const char *extra[2] = {"", ", \"offline_frac\": 0.2"};
    for (int k = 0; k < 2; k++) {
        char json[2048];
        snprintf(json, sizeof json, ONLINE_FMT, extra[k]);
        cdn_scenario_t *sc = test_parse_ok(json);
        warn_count_t wc = {"online_mean_s does nothing", 0, ""};
        (void)cdn_scenario_warnings(sc, count_matching, &wc);
        cdn_scenario_destroy(sc);
        ck_assert_uint_eq(wc.n, k == 0 ? 1 : 0);
        if (k == 0)
            ck_assert_str_eq(wc.path, "$.regions[0].online_mean_s");
    }
#undef ONLINE_FMT
}
END_TEST

/* Every scenario, example and template of the repository is quiet. */
START_TEST(repository_scenarios_have_no_warnings)
{
    static const char *const dirs[] = {CDNSIM_SCENARIOS, CDNSIM_SCENARIOS "/examples",
                                       CDNSIM_SCENARIOS "/templates", CDNSIM_SCENARIOS "/scale"};
    size_t files = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        DIR *dir = opendir(dirs[d]);
        ck_assert_ptr_nonnull(dir);
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            cdn_scenario_t *sc = NULL;
            cdn_error_t err;
            ck_assert_msg(cdn_scenario_load(path, &sc, &err) == 0, "%s", err.msg);
            warn_count_t w = {NULL, 0, ""};
            ck_assert_msg(cdn_scenario_warnings(sc, count_matching, &w) == 0, "%s warns at %s", path,
                          w.path);
            cdn_scenario_destroy(sc);
            files++;
        }
        closedir(dir);
    }
    ck_assert_uint_ge(files, 9);
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *good = tcase_create("good");
    tcase_add_test(good, minimal_file_gets_documented_defaults);
    tcase_add_test(good, full_file_parses_every_key);
    tcase_add_test(good, actions_are_sorted_by_time_stably_with_unused_fields_unset);
    tcase_add_test(good, start_utc_converts_to_unix_epoch_and_back);
    tcase_add_test(good, enum_names_come_from_the_x_macro_lists);
    tcase_add_test(good, defaults_follow_other_keys);
    tcase_add_test(good, err_may_be_null);
    tcase_add_test(good, push_of_last_known_good_before_the_generator_stops_is_warned);
    tcase_add_test(good, artifact_that_can_never_be_bad_is_warned);
    tcase_add_test(good, one_shot_push_that_runs_again_is_warned);
    tcase_add_test(good, effect_scoped_to_traffic_that_does_not_exist_is_warned);
    tcase_add_test(good, action_that_targets_nothing_is_warned);
    tcase_add_test(good, proxy_key_its_effect_ignores_is_warned);
    tcase_add_test(good, online_mean_without_offline_hosts_is_warned);
    tcase_add_test(good, repository_scenarios_have_no_warnings);
    suite_add_tcase(s, good);

    TCase *bad = tcase_create("bad");
    tcase_set_timeout(bad, 30);
    tcase_add_test(bad, syntax_error_reports_line_and_column);
    tcase_add_test(bad, text_after_the_value_is_rejected);
    tcase_add_test(bad, unknown_key_lists_the_expected_keys);
    tcase_add_test(bad, missing_required_key_is_named);
    tcase_add_test(bad, duplicate_key_is_rejected);
    tcase_add_test(bad, wrong_type_names_the_type_found);
    tcase_add_test(bad, out_of_range_value_is_shown);
    tcase_add_test(bad, non_integer_count_is_rejected);
    tcase_add_test(bad, shares_must_sum_to_one);
    tcase_add_test(bad, resource_limits_are_validation_errors);
    tcase_add_test(bad, proxy_mix_must_name_defined_proxies);
    tcase_add_test(bad, action_must_name_a_defined_artifact);
    tcase_add_test(bad, action_must_name_a_defined_service);
    tcase_add_test(bad, action_keys_depend_on_its_kind);
    tcase_add_test(bad, dependency_cycle_is_rejected);
    tcase_add_test(bad, at_utc_and_at_s_are_exclusive);
    tcase_add_test(bad, policy_rollout_and_failover_errors_name_their_path);
    tcase_add_test(bad, time_before_start_is_rejected);
    tcase_add_test(bad, malformed_utc_time_is_rejected);
    tcase_add_test(bad, normal_size_must_fit_size_limit);
    tcase_add_test(bad, names_are_checked);
    tcase_add_test(bad, schema_rows_drive_key_lists_defaults_ranges_and_doc);
    tcase_add_test(bad, unreadable_file_is_an_io_error);
    tcase_add_test(bad, files_over_64_mib_are_rejected);
    tcase_add_test(bad, rejected_string_of_escaped_bytes_is_shown_in_full);
    tcase_add_test(bad, values_that_would_be_misread_are_rejected);
    tcase_add_test(bad, every_bad_file_fails_with_a_message_naming_it);
    suite_add_tcase(s, bad);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(scenario_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
