/*
 * test_overlay.c -- specifications of strategy overlays (models/cdn_overlay.c):
 * path selection, set and append, every kind of error, loading a scenario
 * with overlays, the one loader (read and parse once, a tree per arm), the
 * shipped strategy library, and that each shipped
 * strategy changes what it claims on the reference scenario.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "cdn_json.h"
#include "cdn_loader.h"
#include "cdn_summary.h"
#include "cdn_overlay.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

#define REFERENCE CDNSIM_SCENARIOS "/cloudflare-2025-11-18.json"
#define SMALL CDNSIM_TEST_DATA "/golden/small.json"
#define LIBRARY CDNSIM_SCENARIOS "/strategies"

static const char TREE[] =
    "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},{\"name\":\"B\",\"effect\":\"degrade\"}],"
    "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"g\"}],"
    "\"sim\":{\"seed\":1},\"list\":[1,2,3]}";

static cdn_overlay_t *strategy(const char *json)
{
    cdn_overlay_t *o = NULL;
    cdn_error_t err;
    int rc = cdn_overlay_parse(json, strlen(json), "s.json", &o, &err);
    if (rc != 0)
        fprintf(stderr, "strategy rejected: %s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    return o;
}

/* Applies a strategy to TREE and returns the result printed compactly. */
static char *applied(const char *json)
{
    cdn_overlay_t *o = strategy(json);
    cJSON *root = cJSON_Parse(TREE);
    cdn_error_t err;
    int rc = cdn_overlay_apply(o, root, "t.json", &err);
    if (rc != 0)
        fprintf(stderr, "apply failed: %s\n", err.msg);
    ck_assert_int_eq(rc, 0);
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    cdn_overlay_destroy(o);
    return out;
}

/* Applies a strategy that must fail; returns the message. */
static const char *apply_error(const char *json, cdn_error_t *err)
{
    cdn_overlay_t *o = strategy(json);
    cJSON *root = cJSON_Parse(TREE);
    ck_assert_int_eq(cdn_overlay_apply(o, root, "t.json", err), CDN_EDATA);
    cJSON_Delete(root);
    cdn_overlay_destroy(o);
    return err->msg;
}

static const char *parse_error(const char *json, cdn_error_t *err)
{
    cdn_overlay_t *o = NULL;
    ck_assert_int_eq(cdn_overlay_parse(json, strlen(json), "s.json", &o, err), CDN_EDATA);
    ck_assert_ptr_null(o);
    return err->msg;
}

#define ck_assert_applied(strategy_json, expected)                                                 \
    do {                                                                                           \
        char *got_ = applied(strategy_json);                                                       \
        ck_assert_str_eq(got_, expected);                                                          \
        cJSON_free(got_);                                                                          \
    } while (0)

START_TEST(overlay_set_wildcard_replaces_key_in_every_element)
{
    ck_assert_applied("{\"name\":\"x\",\"set\":[{\"path\":\"$.proxies[*].effect\",\"value\":\"none\"}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"none\"},{\"name\":\"B\",\"effect\":\"none\"}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"g\"}],"
                      "\"sim\":{\"seed\":1},\"list\":[1,2,3]}");
}
END_TEST

START_TEST(overlay_set_creates_a_missing_final_key)
{
    ck_assert_applied("{\"name\":\"x\",\"set\":[{\"path\":\"$.artifacts[*].v\",\"value\":true}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},{\"name\":\"B\",\"effect\":\"degrade\"}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":true},{\"name\":\"g\",\"v\":true}],"
                      "\"sim\":{\"seed\":1},\"list\":[1,2,3]}");
}
END_TEST

START_TEST(overlay_set_by_index_and_by_name_selects_one_element)
{
    ck_assert_applied("{\"name\":\"x\",\"set\":[{\"path\":\"$.proxies[1].effect\",\"value\":null},"
                      "{\"path\":\"$.proxies[name=A].w\",\"value\":{\"k\":[1]}}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\",\"w\":{\"k\":[1]}},"
                      "{\"name\":\"B\",\"effect\":null}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"g\"}],"
                      "\"sim\":{\"seed\":1},\"list\":[1,2,3]}");
}
END_TEST

START_TEST(overlay_set_ending_in_an_index_replaces_elements)
{
    ck_assert_applied("{\"name\":\"x\",\"set\":[{\"path\":\"$.list[1]\",\"value\":20},"
                      "{\"path\":\"$.artifacts[name=g]\",\"value\":{\"name\":\"h\"}}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},{\"name\":\"B\",\"effect\":\"degrade\"}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"h\"}],"
                      "\"sim\":{\"seed\":1},\"list\":[1,20,3]}");
}
END_TEST

START_TEST(overlay_filter_matches_any_scalar_member)
{
    /* a string member other than name, a number, a boolean, null; an
     * absent member and a member of another type match nothing */
    ck_assert_applied("{\"name\":\"x\",\"set\":[{\"path\":\"$.proxies[effect=degrade].w\",\"value\":1},"
                      "{\"path\":\"$.artifacts[v=false].v\",\"value\":2},"
                      "{\"path\":\"$.artifacts[v=2].n\",\"value\":null},"
                      "{\"path\":\"$.artifacts[n=null].m\",\"value\":3}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},"
                      "{\"name\":\"B\",\"effect\":\"degrade\",\"w\":1}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":2,\"n\":null,\"m\":3},{\"name\":\"g\"}],"
                      "\"sim\":{\"seed\":1},\"list\":[1,2,3]}");
    cdn_error_t err;
    const char *m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.artifacts[v=0].v\",\"value\":1}]}",
                                &err);
    ck_assert_str_eq(m, "s.json: $.set[0]: path '$.artifacts[v=0].v' selects nothing in t.json "
                        "('$.artifacts[v=0]' matches nothing)");
    m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.artifacts[w=1].v\",\"value\":1}]}", &err);
    ck_assert_ptr_nonnull(strstr(m, "('$.artifacts[w=1]' matches nothing)"));
}
END_TEST

START_TEST(overlay_append_adds_to_every_selected_array_after_all_sets)
{
    /* file order puts append first; it still runs after the set */
    ck_assert_applied("{\"name\":\"x\",\"append\":[{\"path\":\"$.list\",\"value\":4}],"
                      "\"set\":[{\"path\":\"$.list\",\"value\":[0]}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},{\"name\":\"B\",\"effect\":\"degrade\"}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"g\"}],"
                      "\"sim\":{\"seed\":1},\"list\":[0,4]}");
}
END_TEST

START_TEST(overlay_append_for_each_adds_a_copy_per_named_element)
{
    ck_assert_applied("{\"name\":\"x\",\"append\":[{\"path\":\"$.list\",\"for_each\":\"$.artifacts[*]\","
                      "\"name_into\":\"art\",\"value\":{\"k\":1,\"art\":\"old\"}}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},{\"name\":\"B\",\"effect\":\"degrade\"}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"g\"}],"
                      "\"sim\":{\"seed\":1},\"list\":[1,2,3,{\"k\":1,\"art\":\"f\"},{\"k\":1,\"art\":\"g\"}]}");
    cdn_error_t err;
    const char *m = apply_error("{\"name\":\"x\",\"append\":[{\"path\":\"$.list\",\"for_each\":\"$.nope[*]\","
                                "\"name_into\":\"a\",\"value\":{}}]}",
                                &err);
    ck_assert_str_eq(m, "s.json: $.append[0]: for_each '$.nope[*]' selects nothing in t.json");
    m = apply_error("{\"name\":\"x\",\"append\":[{\"path\":\"$.list\",\"for_each\":\"$.list[*]\","
                    "\"name_into\":\"a\",\"value\":{}}]}",
                    &err);
    ck_assert_ptr_nonnull(strstr(m, "for_each '$.list[*]' selects an element without a \"name\""));
    /* both keys or neither, an object value, append only */
    m = parse_error("{\"name\":\"x\",\"append\":[{\"path\":\"$.list\",\"for_each\":\"$.a[*]\",\"value\":{}}]}",
                    &err);
    ck_assert_str_eq(m, "s.json: $.append[0]: missing required key \"name_into\"");
    m = parse_error("{\"name\":\"x\",\"append\":[{\"path\":\"$.list\",\"for_each\":\"$.a[*]\","
                    "\"name_into\":\"a\",\"value\":1}]}",
                    &err);
    ck_assert_ptr_nonnull(strstr(m, "$.append[0].value: expected an object"));
    m = parse_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.list\",\"for_each\":\"$.a[*]\","
                    "\"name_into\":\"a\",\"value\":{}}]}",
                    &err);
    ck_assert_ptr_nonnull(strstr(m, "$.set[0].for_each: unknown key"));
}
END_TEST

START_TEST(overlay_assumes_is_added_to_what_is_missing)
{
    cdn_error_t err;
    const char *m = apply_error("{\"name\":\"needy\",\"assumes\":\"a proxy named C\","
                                "\"set\":[{\"path\":\"$.proxies[name=C].effect\",\"value\":\"none\"}]}",
                                &err);
    ck_assert_str_eq(m, "s.json: $.set[0]: path '$.proxies[name=C].effect' selects nothing in t.json "
                        "('$.proxies[name=C]' matches nothing); strategy 'needy' assumes a proxy named C");
    cdn_overlay_t *o = strategy("{\"name\":\"needy\",\"assumes\":\"x\",\"set\":[]}");
    ck_assert_str_eq(cdn_overlay_assumes(o), "x");
    cdn_overlay_destroy(o);
    /* a scenario invalid after the strategy: its message says what the strategy assumes */
    o = strategy("{\"name\":\"late\",\"assumes\":\"an alert ($.operators.detection)\","
                 "\"append\":[{\"path\":\"$.operators.actions\",\"value\":{\"kind\":\"kill_switch\","
                 "\"after\":\"detection\",\"artifact\":\"features\"}}]}");
    const cdn_overlay_t *list[] = {o};
    cdn_scenario_t *s = NULL;
    cJSON *root = NULL;
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(cdn_json_read_file(SMALL, &text, &len, &err), 0);
    ck_assert_int_eq(cdn_json_parse(text, len, SMALL, &root, &err), 0);
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "operators"),
                                            "detection");
    ck_assert_int_eq(cdn_overlay_load_tree(root, SMALL, list, 1, &s, &err), CDN_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "(with late): $.operators.actions["));
    ck_assert_ptr_nonnull(strstr(err.msg, "; strategy 'late' assumes an alert ($.operators.detection)"));
    cJSON_Delete(root);
    free(text);
    cdn_overlay_destroy(o);
}
END_TEST

START_TEST(overlay_later_operation_wins_on_the_same_key)
{
    ck_assert_applied("{\"name\":\"x\",\"set\":[{\"path\":\"$.sim.seed\",\"value\":2},"
                      "{\"path\":\"$.sim.seed\",\"value\":3}]}",
                      "{\"proxies\":[{\"name\":\"A\",\"effect\":\"panic\"},{\"name\":\"B\",\"effect\":\"degrade\"}],"
                      "\"artifacts\":[{\"name\":\"f\",\"v\":false},{\"name\":\"g\"}],"
                      "\"sim\":{\"seed\":3},\"list\":[1,2,3]}");
}
END_TEST

START_TEST(overlay_path_selecting_nothing_names_file_path_and_failing_prefix)
{
    cdn_error_t err;
    const char *m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.sim.seed\",\"value\":2},"
                                "{\"path\":\"$.proxies[name=C].effect\",\"value\":\"none\"}]}",
                                &err);
    ck_assert_str_eq(m, "s.json: $.set[1]: path '$.proxies[name=C].effect' selects nothing in t.json "
                        "('$.proxies[name=C]' matches nothing)");
    m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.nope.x\",\"value\":1}]}", &err);
    ck_assert_ptr_nonnull(strstr(m, "('$.nope' matches nothing)"));
    m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.list[3]\",\"value\":1}]}", &err);
    ck_assert_ptr_nonnull(strstr(m, "('$.list[3]' matches nothing)"));
    m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.sim[*].x\",\"value\":1}]}", &err);
    ck_assert_ptr_nonnull(strstr(m, "('$.sim[*]' matches nothing)"));
    m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.sim.seed.x\",\"value\":1}]}", &err);
    ck_assert_ptr_nonnull(strstr(m, "('$.sim.seed' is not an object)"));
    m = apply_error("{\"name\":\"x\",\"append\":[{\"path\":\"$.sim\",\"value\":1}]}", &err);
    ck_assert_str_eq(m, "s.json: $.append[0]: path '$.sim' selects nothing in t.json "
                        "('$.sim' is not an array)");
    /* regression (#10, found by fuzz_overlay): a line break in a [name=X]
     * filter made the message two lines */
    m = apply_error("{\"name\":\"x\",\"set\":[{\"path\":\"$.proxies[name=A\\nB].x\",\"value\":1}]}",
                    &err);
    ck_assert_str_eq(m, "s.json: $.set[0]: path '$.proxies[name=A?B].x' selects nothing in t.json "
                        "('$.proxies[name=A?B]' matches nothing)");
}
END_TEST

START_TEST(overlay_bad_paths_are_reported_against_the_strategy_file)
{
    static const char *const bad[] = {"seed", "$", "$.", "$..a", "$.a[", "$.a[x]", "$.a[name=]",
                                      "$.a b", "$.a[-1]", "$.a[1234567890]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[256];
        cdn_error_t err;
        snprintf(json, sizeof json, "{\"name\":\"x\",\"set\":[{\"path\":\"%s\",\"value\":1}]}", bad[i]);
        const char *m = parse_error(json, &err);
        ck_assert_msg(strncmp(m, "s.json: $.set[0].path: expected a path like", 43) == 0, "%s: %s",
                      bad[i], m);
    }
}
END_TEST

START_TEST(overlay_bad_strategy_files_name_the_json_path)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"[]", "s.json: $: expected a strategy object"},
        {"{\"set\":[]}", "s.json: $: missing required key \"name\""},
        {"{\"name\":\"a b\"}", "s.json: $.name: expected a name"},
        {"{\"name\":7}", "s.json: $.name: expected a name"},
        {"{\"name\":\"x\",\"sets\":[]}", "s.json: $.sets: unknown key (expected one of: name, description, assumes, set, append, $schema, notes)"},
        {"{\"name\":\"x\",\"name\":\"y\"}", "s.json: $.name: duplicate key"},
        {"{\"name\":\"x\",\"description\":1}", "s.json: $.description: expected a string"},
        {"{\"name\":\"x\",\"notes\":[1]}", "s.json: $.notes[0]: expected a string"},
        {"{\"name\":\"x\",\"set\":{}}", "s.json: $.set: expected an array"},
        {"{\"name\":\"x\",\"set\":[1]}", "s.json: $.set[0]: expected an object"},
        {"{\"name\":\"x\",\"set\":[{\"value\":1}]}", "s.json: $.set[0]: missing required key \"path\""},
        {"{\"name\":\"x\",\"set\":[{\"path\":\"$.a\"}]}", "s.json: $.set[0]: missing required key \"value\""},
        {"{\"name\":\"x\",\"set\":[{\"path\":1,\"value\":1}]}", "s.json: $.set[0].path: expected a string"},
        {"{\"name\":\"x\",\"append\":[{\"path\":\"$.a\",\"value\":1,\"x\":2}]}",
         "s.json: $.append[0].x: unknown key (expected one of: path, value, for_each, name_into, notes)"},
        {"{\"name\":\"x\",\n \"set\": [,]}", "s.json:2:10: invalid JSON near ',]}'"},
        {"{\"name\":\"x\"} x", "s.json:1:14: invalid JSON near 'x' (text after the end of the top-level value)"},
        {"", "s.json:1:1: invalid JSON near end of input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cdn_error_t err;
        const char *m = parse_error(cases[i].json, &err);
        ck_assert_msg(strncmp(m, cases[i].msg, strlen(cases[i].msg)) == 0, "case %zu: got '%s'", i, m);
    }
}
END_TEST

/* Scenarios and strategies are read by one reader: the same fault gives
 * the same message (only the file name differs). */
START_TEST(scenario_and_strategy_files_give_the_same_message_for_the_same_fault)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"{\"name\":\"x\",\"name\":\"y\"}", ": $.name: duplicate key"},
        {"{\"name\":\"x\",\"notes\":[1]}", ": $.notes[0]: expected a string, found a number"},
        {"{\"name\":\"a b\"}", ": $.name: expected a name of 1 to 63 characters from "
                               "[A-Za-z0-9._-], not \".\" or \"..\", found \"a b\""},
        {"{\"name\":\"..\"}", ": $.name: expected a name of 1 to 63 characters"},
        {"{\"description\":\"d\"}", ": $: missing required key \"name\""},
        {"{\"name\":\"x\",\n \"set\": [,]}", ":2:10: invalid JSON near ',]}'"},
        {"{\"name\":\"x\"} x", ":1:14: invalid JSON near 'x' (text after the end of the "
                               "top-level value)"},
        {"", ":1:1: invalid JSON near end of input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cdn_error_t es, eo;
        cdn_scenario_t *s = NULL;
        cdn_overlay_t *o = NULL;
        const char *js = cases[i].json;
        ck_assert_int_eq(cdn_scenario_parse(js, strlen(js), "f.json", &s, &es), CDN_EDATA);
        ck_assert_int_eq(cdn_overlay_parse(js, strlen(js), "f.json", &o, &eo), CDN_EDATA);
        ck_assert_msg(strstr(es.msg, cases[i].msg) != NULL, "case %zu: scenario: %s", i, es.msg);
        ck_assert_str_eq(es.msg, eo.msg);
    }
    ck_assert(cdn_overlay_valid_name("a.b-c_1"));
    ck_assert(!cdn_overlay_valid_name(".."));
    ck_assert(!cdn_overlay_valid_name("a b"));
}
END_TEST

START_TEST(overlay_strategy_metadata_is_kept)
{
    cdn_overlay_t *o = strategy("{\"name\":\"x.y-z\",\"description\":\"d\",\"notes\":\"n\","
                                "\"set\":[{\"path\":\"$.a\",\"value\":1,\"notes\":[\"why\"]}]}");
    ck_assert_str_eq(cdn_overlay_name(o), "x.y-z");
    ck_assert_str_eq(cdn_overlay_description(o), "d");
    ck_assert_str_eq(cdn_overlay_path(o), "s.json");
    ck_assert_uint_eq(cdn_overlay_count(o), 1);
    ck_assert(cdn_overlay_hash(o) != 0);
    cdn_overlay_destroy(o);
    cdn_overlay_destroy(NULL);
    /* FNV-1a 64 reference values */
    ck_assert_uint_eq(cdn_overlay_fnv1a64("", 0), UINT64_C(0xcbf29ce484222325));
    ck_assert_uint_eq(cdn_overlay_fnv1a64("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
    ck_assert_uint_eq(cdn_overlay_fnv1a64("foobar", 6), UINT64_C(0x85944171f73967e8));
}
END_TEST

/* Regression (#10, found by fuzz_param): a bad path with a newline gave a
 * message of two lines. */
START_TEST(bad_path_message_is_one_line)
{
    cdn_overlay_t *o = cdn_overlay_create("p", "--param");
    cdn_error_t err;
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.sites.a{\n  .b", "1", &err), CDN_EUSAGE);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
    ck_assert_ptr_nonnull(strstr(err.msg, "--param: bad path '$.sites.a{?  .b'"));
    cdn_overlay_destroy(o);
}
END_TEST

START_TEST(overlay_built_in_code_parses_values_as_json_or_string)
{
    cdn_overlay_t *o = cdn_overlay_create("p", "--param");
    cdn_error_t err;
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.sim.seed", "7", &err), 0);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.proxies[*].effect", "none", &err), 0);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.artifacts[0].v", "true", &err), 0);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.list", "[\"a\"]", &err), 0);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "sim.seed", "1", &err), CDN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "--param: bad path 'sim.seed'"));
    ck_assert_ptr_null(cdn_overlay_path(o));
    cJSON *root = cJSON_Parse(TREE);
    ck_assert_int_eq(cdn_overlay_apply(o, root, "t.json", &err), 0);
    char *got = cJSON_PrintUnformatted(root);
    ck_assert_str_eq(got, "{\"proxies\":[{\"name\":\"A\",\"effect\":\"none\"},{\"name\":\"B\",\"effect\":\"none\"}],"
                          "\"artifacts\":[{\"name\":\"f\",\"v\":true},{\"name\":\"g\"}],"
                          "\"sim\":{\"seed\":7},\"list\":[\"a\"]}");
    cJSON_free(got);
    cJSON_Delete(root);
    ck_assert_int_eq(cdn_overlay_add_set_text(o, "$.nope.x", "1", &err), 0);
    root = cJSON_Parse(TREE);
    ck_assert_int_eq(cdn_overlay_apply(o, root, "t.json", &err), CDN_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "--param: path '$.nope.x' selects nothing in t.json"));
    cJSON_Delete(root);
    cdn_overlay_destroy(o);
}
END_TEST

/* ------------------------------------------------ scenarios with overlays */

static cdn_result_t *run_rep(const cdn_scenario_t *s, uint64_t rep)
{
    cdn_result_t *r = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_world_run(s, s->sim.seed, rep, &r, &err), 0);
    return r;
}

static int same_result(const cdn_result_t *a, const cdn_result_t *b)
{
    size_t n = a->nregions * CDN_RS_COUNT * a->nbins;
    return a->nbins == b->nbins && a->nregions == b->nregions &&
           memcmp(a->rseries, b->rseries, n * sizeof *a->rseries) == 0 &&
           memcmp(a->svc_avail, b->svc_avail, a->nservices * a->nbins * sizeof(double)) == 0 &&
           memcmp(a->sites_down, b->sites_down, a->nbins * sizeof(double)) == 0;
}

START_TEST(overlay_load_without_overlays_equals_plain_load)
{
    cdn_scenario_t *a = NULL, *b = NULL, *c = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_load(SMALL, &a, &err), 0);
    ck_assert_int_eq(cdn_overlay_load_scenario(SMALL, NULL, 0, &b, &err), 0);
    /* an empty overlay: the tree is validated after (no) changes: identical */
    cdn_overlay_t *empty = strategy("{\"name\":\"nothing\",\"set\":[]}");
    const cdn_overlay_t *list[] = {empty};
    ck_assert_int_eq(cdn_overlay_load_scenario(SMALL, list, 1, &c, &err), 0);
    ck_assert_str_eq(c->path, SMALL);
    cdn_result_t *ra = run_rep(a, 1), *rb = run_rep(b, 1), *rc = run_rep(c, 1);
    ck_assert(same_result(ra, rb));
    ck_assert(same_result(ra, rc));
    cdn_result_destroy(ra);
    cdn_result_destroy(rb);
    cdn_result_destroy(rc);
    cdn_overlay_destroy(empty);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
    cdn_scenario_destroy(c);
}
END_TEST

START_TEST(overlay_load_applies_overlays_in_order)
{
    cdn_overlay_t *a = strategy("{\"name\":\"a\",\"set\":[{\"path\":\"$.simulation.seed\",\"value\":5},"
                                "{\"path\":\"$.traffic.baseline_err5xx_frac\",\"value\":0.01}]}");
    cdn_overlay_t *b = strategy("{\"name\":\"b\",\"set\":[{\"path\":\"$.simulation.seed\",\"value\":6}]}");
    const cdn_overlay_t *ab[] = {a, b}, *ba[] = {b, a};
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_overlay_load_scenario(SMALL, ab, 2, &s, &err), 0);
    ck_assert_uint_eq(s->sim.seed, 6);
    ck_assert_double_eq(s->traffic.baseline_err5xx_frac, 0.01);
    cdn_scenario_destroy(s);
    ck_assert_int_eq(cdn_overlay_load_scenario(SMALL, ba, 2, &s, &err), 0);
    ck_assert_uint_eq(s->sim.seed, 5);
    cdn_scenario_destroy(s);
    cdn_overlay_destroy(a);
    cdn_overlay_destroy(b);
}
END_TEST

START_TEST(loader_reads_once_and_gives_each_arm_its_own_tree)
{
    cdn_loader_t *ld = NULL;
    cdn_scenario_t *a = NULL, *b = NULL, *c = NULL, *plain = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_loader_open(SMALL, &ld, &err), 0);
    ck_assert_str_eq(cdn_loader_path(ld), SMALL);
    uint64_t h = 0;
    ck_assert_int_eq(cdn_overlay_hash_file(SMALL, &h, &err), 0);
    ck_assert_uint_eq(cdn_loader_hash(ld), h);
    cdn_overlay_t *seed = strategy("{\"name\":\"s\",\"set\":[{\"path\":\"$.simulation.seed\",\"value\":77}]}");
    const cdn_overlay_t *list[] = {seed};
    ck_assert_int_eq(cdn_loader_load(ld, list, 1, &a, &err), 0);
    ck_assert_uint_eq(a->sim.seed, 77);
    ck_assert_str_eq(a->path, SMALL);
    /* the overlay changed a copy: the next arm sees the file as written */
    ck_assert_int_eq(cdn_loader_load(ld, NULL, 0, &b, &err), 0);
    ck_assert_int_eq(cdn_scenario_load(SMALL, &plain, &err), 0);
    ck_assert_uint_eq(b->sim.seed, plain->sim.seed);
    ck_assert_uint_ne(b->sim.seed, 77);
    cdn_result_t *rb = run_rep(b, 1), *rp = run_rep(plain, 1);
    ck_assert(same_result(rb, rp));
    cdn_result_destroy(rb);
    cdn_result_destroy(rp);
    cdn_scenario_destroy(a);
    cdn_scenario_destroy(b);
    cdn_scenario_destroy(plain);
    cdn_loader_destroy(ld);
    cdn_loader_destroy(NULL);
    /* an unreadable file fails at open; a syntax error at every load */
    ck_assert_int_eq(cdn_loader_open(CDNSIM_TEST_DATA "/none.json", &ld, &err), CDN_EIO);
    ck_assert_ptr_null(ld);
    ck_assert_ptr_nonnull(strstr(err.msg, "none.json: cannot read"));
    ck_assert_int_eq(cdn_loader_open(CDNSIM_TEST_DATA "/bad/syntax_error.json", &ld, &err), 0);
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(cdn_loader_load(ld, list, 1, &c, &err), CDN_EDATA);
        ck_assert_ptr_null(c);
        ck_assert_ptr_nonnull(strstr(err.msg, "syntax_error.json:3:55: invalid JSON"));
    }
    cdn_loader_destroy(ld);
    cdn_overlay_destroy(seed);
}
END_TEST

START_TEST(overlay_invalid_result_is_reported_with_the_strategies_applied)
{
    cdn_overlay_t *a = strategy("{\"name\":\"bad\",\"set\":[{\"path\":\"$.proxies[0].on_bad_artifact\","
                                "\"value\":\"explode\"}]}");
    const cdn_overlay_t *list[] = {a};
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_overlay_load_scenario(SMALL, list, 1, &s, &err), CDN_EDATA);
    ck_assert_ptr_null(s);
    char want[4096];
    snprintf(want, sizeof want, "%s (with bad): $.proxies[0].on_bad_artifact: expected one of", SMALL);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert_int_eq(cdn_overlay_load_scenario(CDNSIM_TEST_DATA "/none.json", list, 1, &s, &err),
                     CDN_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "none.json: cannot read"));
    ck_assert_int_eq(cdn_overlay_load_scenario(CDNSIM_TEST_DATA "/bad/syntax_error.json", list, 1,
                                               &s, &err),
                     CDN_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "syntax_error.json:"));
    ck_assert_ptr_nonnull(strstr(err.msg, "invalid JSON"));
    cdn_overlay_destroy(a);
}
END_TEST

/* ----------------------------------------------------- strategy library */

START_TEST(overlay_library_files_load_are_named_after_their_file_and_apply)
{
    DIR *d = opendir(LIBRARY);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[4096], name[256];
        snprintf(path, sizeof path, "%s/%s", LIBRARY, e->d_name);
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
        cdn_overlay_t *o = NULL;
        cdn_error_t err;
        ck_assert_msg(cdn_overlay_load(path, &o, &err) == 0, "%s", err.msg);
        ck_assert_str_eq(cdn_overlay_name(o), name);
        ck_assert_ptr_nonnull(cdn_overlay_description(o));
        const cdn_overlay_t *list[] = {o};
        cdn_scenario_t *s = NULL;
        ck_assert_msg(cdn_overlay_load_scenario(REFERENCE, list, 1, &s, &err) == 0, "%s", err.msg);
        cdn_scenario_destroy(s);
        cdn_overlay_destroy(o);
        n++;
    }
    closedir(d);
    ck_assert_int_ge(n, 4);
}
END_TEST

static cdn_overlay_t *library(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", LIBRARY, name);
    cdn_overlay_t *o = NULL;
    cdn_error_t err;
    ck_assert_msg(cdn_overlay_load(path, &o, &err) == 0, "%s", err.msg);
    return o;
}

static cdn_scenario_t *reference_with(const char *name)
{
    cdn_overlay_t *o = library(name);
    const cdn_overlay_t *list[] = {o};
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_msg(cdn_overlay_load_scenario(REFERENCE, list, 1, &s, &err) == 0, "%s", err.msg);
    cdn_overlay_destroy(o);
    return s;
}

/* With no bad artifact ever served, 5xx come only from the baseline share
 * (capacity is ample and restart waves never take a whole region down). */
static void check_only_baseline_errors(const char *strategy_name)
{
    cdn_scenario_t *s = reference_with(strategy_name);
    for (uint64_t rep = 0; rep < 2; rep++) {
        cdn_result_t *r = run_rep(s, rep);
        cdn_summary_t m;
        cdn_summary_compute(s, r, &m);
        ck_assert_double_eq_tol(m.failed_requests / m.offered_requests,
                                s->traffic.baseline_err5xx_frac, 1e-9);
        ck_assert_double_eq(m.blocked_requests, 0.0);
        ck_assert(isnan(m.first_error_s));
        ck_assert_double_eq(m.sites_affected_frac, 0.0);
        cdn_result_destroy(r);
    }
    cdn_scenario_destroy(s);
}

START_TEST(strategy_validate_on_ingest_removes_the_bot_file_5xx_entirely)
{
    cdn_scenario_t *s = reference_with("validate-on-ingest");
    for (size_t a = 0; a < s->nartifacts; a++)
        ck_assert_int_eq(s->artifacts[a].validate_on_ingest, 1);
    cdn_scenario_destroy(s);
    check_only_baseline_errors("validate-on-ingest");
}
END_TEST

START_TEST(strategy_fail_open_removes_the_panic_5xx_and_false_blocks)
{
    cdn_scenario_t *s = reference_with("fail-open");
    for (size_t p = 0; p < s->nproxies; p++)
        ck_assert_int_eq(s->proxies[p].on_bad_artifact, CDN_EFFECT_NONE);
    cdn_scenario_destroy(s);
    check_only_baseline_errors("fail-open");
}
END_TEST

START_TEST(strategy_break_circular_deps_keeps_the_control_plane_up)
{
    cdn_scenario_t *base = reference_with("baseline"), *s = reference_with("break-circular-deps");
    cdn_result_t *rb = run_rep(base, 0), *r = run_rep(s, 0);
    size_t access = s->nservices, login = s->nservices;
    for (size_t k = 0; k < s->nservices; k++) {
        if (strcmp(s->services[k].name, "access") == 0)
            access = k;
        if (strcmp(s->services[k].name, "dashboard-login") == 0)
            login = k;
    }
    ck_assert_uint_lt(access, s->nservices);
    ck_assert_uint_lt(login, s->nservices);
    ck_assert_int_eq(s->services[access].behind_proxy, -1);
    ck_assert_uint_eq(s->services[login].ndeps, 0);
    double lost_b = 0, lost = 0, span = 0;
    for (size_t b = 0; b < r->nbins; b++) {
        double len = b + 1 < r->nbins ? r->bin_s : s->sim.duration_s - (double)b * r->bin_s;
        span += len;
        lost_b += len - rb->svc_avail[login * rb->nbins + b];
        lost += len - r->svc_avail[access * r->nbins + b] + len - r->svc_avail[login * r->nbins + b];
    }
    ck_assert_double_gt(lost_b, 600.0); /* the baseline login was down a while */
    ck_assert_double_lt(lost, 1e-6 * span);
    /* with the control plane up, more sites can fail over: never worse */
    cdn_summary_t mb, m;
    cdn_summary_compute(base, rb, &mb);
    cdn_summary_compute(s, r, &m);
    ck_assert_double_le(m.failed_requests, mb.failed_requests);
    cdn_result_destroy(rb);
    cdn_result_destroy(r);
    cdn_scenario_destroy(base);
    cdn_scenario_destroy(s);
}
END_TEST

START_TEST(strategy_break_circular_deps_names_what_is_missing_elsewhere)
{
    cdn_overlay_t *o = library("break-circular-deps");
    const cdn_overlay_t *list[] = {o};
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_overlay_load_scenario(SMALL, list, 1, &s, &err), CDN_EDATA);
    ck_assert_ptr_nonnull(strstr(err.msg, "break-circular-deps.json: $.set[0]: path "
                                          "'$.services[control_plane=true].behind_proxy' selects nothing"));
    ck_assert_ptr_nonnull(strstr(err.msg, "; strategy 'break-circular-deps' assumes services of the "
                                          "control plane tagged \"control_plane\": true"));
    cdn_overlay_destroy(o);
}
END_TEST

static Suite *overlay_suite(void)
{
    Suite *s = suite_create("cdn_overlay");
    TCase *tc = tcase_create("paths");
    tcase_add_test(tc, overlay_set_wildcard_replaces_key_in_every_element);
    tcase_add_test(tc, bad_path_message_is_one_line);
    tcase_add_test(tc, overlay_set_creates_a_missing_final_key);
    tcase_add_test(tc, overlay_set_by_index_and_by_name_selects_one_element);
    tcase_add_test(tc, overlay_set_ending_in_an_index_replaces_elements);
    tcase_add_test(tc, overlay_filter_matches_any_scalar_member);
    tcase_add_test(tc, overlay_append_adds_to_every_selected_array_after_all_sets);
    tcase_add_test(tc, overlay_append_for_each_adds_a_copy_per_named_element);
    tcase_add_test(tc, overlay_assumes_is_added_to_what_is_missing);
    tcase_add_test(tc, overlay_later_operation_wins_on_the_same_key);
    tcase_add_test(tc, overlay_path_selecting_nothing_names_file_path_and_failing_prefix);
    tcase_add_test(tc, overlay_bad_paths_are_reported_against_the_strategy_file);
    tcase_add_test(tc, overlay_bad_strategy_files_name_the_json_path);
    tcase_add_test(tc, overlay_strategy_metadata_is_kept);
    tcase_add_test(tc, scenario_and_strategy_files_give_the_same_message_for_the_same_fault);
    tcase_add_test(tc, overlay_built_in_code_parses_values_as_json_or_string);
    suite_add_tcase(s, tc);
    tc = tcase_create("scenarios");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, overlay_load_without_overlays_equals_plain_load);
    tcase_add_test(tc, overlay_load_applies_overlays_in_order);
    tcase_add_test(tc, overlay_invalid_result_is_reported_with_the_strategies_applied);
    tcase_add_test(tc, loader_reads_once_and_gives_each_arm_its_own_tree);
    tcase_add_test(tc, overlay_library_files_load_are_named_after_their_file_and_apply);
    tcase_add_test(tc, strategy_validate_on_ingest_removes_the_bot_file_5xx_entirely);
    tcase_add_test(tc, strategy_fail_open_removes_the_panic_5xx_and_false_blocks);
    tcase_add_test(tc, strategy_break_circular_deps_keeps_the_control_plane_up);
    tcase_add_test(tc, strategy_break_circular_deps_names_what_is_missing_elsewhere);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(overlay_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
