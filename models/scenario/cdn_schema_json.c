/*
 * cdn_schema_json.c -- the JSON Schemas of scenario and strategy files,
 * built from the schema table (cdn_schema.h) with cJSON.
 *
 * Design
 *   Every section of schema.def becomes one entry of "$defs" (the top
 *   level is the root): an object with "additionalProperties": false, one
 *   property per key and "notes" (allowed everywhere), "required" from the
 *   REQ rows.  A scalar row maps to its type (number, integer, boolean,
 *   string with the name's length or pattern, enum), its fixed default
 *   and bounds (inclusive or exclusive as the row's range says) and a
 *   description made of the meaning, the unit, and the default and range
 *   as the document shows them (so a bound known only while reading,
 *   like "≥ D/1e7", is still described).  A TIME row gives its two keys
 *   and "not both".
 *
 *   What the table leaves to hand readers is written here as small JSON
 *   texts (`shapes`, one per HAND key: arrays of sections with their
 *   length limits, lists of names, proxy_mix, null-or-name), plus the
 *   action and calibration-target objects, whose enum names come from the
 *   model's X-macro lists.  A HAND row without a shape is an error, so a
 *   new row cannot silently fall out of the schema.  The texts use ' for "
 *   to stay readable in C; none contains a real apostrophe.
 *
 * Invariants: the schema accepts every file `cdn_scenario_load` accepts
 *   (tests: every scenario of the repository against it with an
 *   independent validator; every bad fixture the schema rejects is also
 *   rejected by validate).
 *
 * Complexity: one pass over the rows; a few hundred cJSON nodes.
 *
 * Rejected alternatives
 *   - A hand-written schema file: it would drift from the table, as the
 *     key tables of the document did before they were generated.
 *   - Per-kind action keys as if/then rules: editors show such schemas
 *     poorly, and validate reports the key with the kind's list anyway.
 */
#include "cdn_schema_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_schema.h"
#include "sim_alloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UTC_PATTERN "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
#define NAME_PATTERN "^[A-Za-z0-9._-]{1,63}$"

/* The shape of a key read by hand: section id, key, JSON text with '. */
typedef struct shape {
    const char *sec, *key, *json;
} shape_t;

static const shape_t shapes[] = {
    {"top", "description", "{'type': 'string'}"},
    {"top", "sources", "{'type': 'object', 'additionalProperties': {'type': 'string'},"
                       " 'properties': {'notes': {'$ref': '#/$defs/notes'}}}"},
    {"top", "simulation", "{'$ref': '#/$defs/simulation'}"},
    {"top", "traffic", "{'$ref': '#/$defs/traffic'}"},
    {"top", "regions", "{'type': 'array', 'minItems': 1, 'maxItems': 100000,"
                       " 'items': {'$ref': '#/$defs/region'}}"},
    {"top", "proxies", "{'type': 'array', 'minItems': 1, 'maxItems': 8,"
                       " 'items': {'$ref': '#/$defs/proxy'}}"},
    {"top", "backends", "{'type': 'array', 'maxItems': 16, 'items': {'$ref': '#/$defs/backend'}}"},
    {"top", "sites", "{'$ref': '#/$defs/sites'}"},
    {"top", "artifacts", "{'type': 'array', 'maxItems': 16, 'items': {'$ref': '#/$defs/artifact'}}"},
    {"top", "services", "{'type': 'array', 'maxItems': 64, 'items': {'$ref': '#/$defs/service'}}"},
    {"top", "operators", "{'$ref': '#/$defs/operators'}"},
    {"top", "metrics", "{'$ref': '#/$defs/metrics'}"},
    {"top", "calibration", "{'$ref': '#/$defs/calibration'}"},
    {"top", "$schema", "{'type': 'string'}"},
    {"top", "priors", "{'type': 'array', 'maxItems': 64, 'items': {'type': 'object',"
     " 'required': ['path', 'dist'], 'additionalProperties': false, 'properties': {"
     "'path': {'type': 'string', 'pattern': '^[$]'}, 'dist': {'enum': ['uniform', 'log-uniform',"
     " 'normal', 'log-normal', 'triangular', 'beta', 'discrete']}, 'source': {'type': 'string'},"
     " 'notes': {}, 'min': {'type': 'number'}, 'max': {'type': 'number'}, 'mode': {'type': 'number'},"
     " 'mean': {'type': 'number'}, 'sd': {'type': 'number', 'exclusiveMinimum': 0},"
     " 'median': {'type': 'number', 'exclusiveMinimum': 0},"
     " 'sigma': {'type': 'number', 'exclusiveMinimum': 0},"
     " 'alpha': {'type': 'number', 'exclusiveMinimum': 0},"
     " 'beta': {'type': 'number', 'exclusiveMinimum': 0},"
     " 'values': {'type': 'array', 'minItems': 1, 'maxItems': 64, 'items': {'type': 'number'}},"
     " 'weights': {'type': 'array', 'items': {'type': 'number', 'minimum': 0}}}}}"},
    {"simulation", "start_utc", "{'type': 'string', 'pattern': '" UTC_PATTERN "'}"},
    {"region", "neighbors", "{'$ref': '#/$defs/names', 'maxItems': 16}"},
    {"proxy", "tiers", "{'$ref': '#/$defs/names', 'minItems': 1, 'maxItems': 8}"},
    {"proxy", "backend", "{'type': ['string', 'null'], 'default': null}"},
    {"proxy", "repair_schedule", "{'type': 'array', 'maxItems': 16, 'items': {'$ref':"
                                 " '#/$defs/repair_step'}}"},
    {"proxy", "reprovision_schedule", "{'type': 'array', 'maxItems': 16, 'items': {'$ref':"
                                      " '#/$defs/repair_step'}}"},
    {"sites", "plans", "{'type': 'array', 'minItems': 1, 'maxItems': 64,"
                       " 'items': {'$ref': '#/$defs/plan'}}"},
    {"sites", "control_plane_service", "{'type': 'string'}"},
    {"sites", "named", "{'type': 'array', 'maxItems': 256, 'items': {'$ref': '#/$defs/named'}}"},
    {"plan", "proxy_mix", "{'type': 'object', 'additionalProperties': {'type': 'number',"
                          " 'minimum': 0}, 'properties': {'notes': {'$ref':"
                          " '#/$defs/notes'}}}"},
    {"plan", "features", "{'type': 'object', 'additionalProperties': {'type': 'number',"
                         " 'minimum': 0, 'maximum': 1}, 'properties': {'notes': {'$ref':"
                         " '#/$defs/notes'}}}"},
    {"plan", "regions", "{'type': 'object', 'additionalProperties': {'type': 'number',"
                        " 'minimum': 0}, 'properties': {'notes': {'$ref': '#/$defs/notes'}}}"},
    {"named", "plan", "{'type': 'string'}"},
    {"named", "proxy", "{'type': 'string'}"},
    {"named", "depends_on", "{'$ref': '#/$defs/names', 'maxItems': 8}"},
    {"named", "depends_on_sites", "{'$ref': '#/$defs/names', 'maxItems': 8}"},
    {"named", "features", "{'$ref': '#/$defs/names', 'maxItems': 18}"},
    {"named", "regions", "{'type': 'object', 'additionalProperties': {'type': 'number',"
                         " 'minimum': 0}, 'properties': {'notes': {'$ref': '#/$defs/notes'}}}"},
    {"artifact", "consumers", "{'$ref': '#/$defs/names', 'minItems': 1, 'maxItems': 8}"},
    {"artifact", "cluster", "{'$ref': '#/$defs/cluster'}"},
    {"artifact", "distribution", "{'$ref': '#/$defs/distribution'}"},
    {"artifact", "rollout", "{'$ref': '#/$defs/rollout'}"},
    {"artifact", "tiers", "{'$ref': '#/$defs/names', 'minItems': 1, 'maxItems': 8}"},
    {"rollout", "stages", "{'type': 'array', 'minItems': 1, 'maxItems': 16,"
                          " 'items': {'$ref': '#/$defs/stage'}}"},
    {"rollout", "health_gate", "{'$ref': '#/$defs/gate'}"},
    {"stage", "frac", "{'type': 'number', 'exclusiveMinimum': 0, 'maximum': 1}"},
    {"stage", "tiers", "{'$ref': '#/$defs/names', 'minItems': 1, 'maxItems': 8}"},
    {"stage", "bake_s", "{'type': 'number', 'minimum': 0, 'default': 0}"},
    {"service", "behind_proxy", "{'type': ['string', 'null'], 'default': null}"},
    {"service", "bypass_proxy", "{'type': ['string', 'null'], 'default': null}"},
    {"service", "depends_on", "{'$ref': '#/$defs/names', 'maxItems': 8}"},
    {"operators", "detection", "{'$ref': '#/$defs/detection'}"},
    {"operators", "diagnosis", "{'$ref': '#/$defs/diagnosis'}"},
    {"operators", "actions", "{'type': 'array', 'maxItems': 10000, 'items': {'$ref':"
                             " '#/$defs/action'}}"},
    {"diagnosis", "misleading_services", "{'$ref': '#/$defs/names', 'maxItems': 8}"},
    {"diagnosis", "elsewhere_services", "{'$ref': '#/$defs/names', 'maxItems': 8}"},
    {"action_target", "regions", "{'$ref': '#/$defs/names', 'minItems': 1, 'maxItems': 100000}"},
    {"action_target", "tiers", "{'$ref': '#/$defs/names', 'minItems': 1, 'maxItems': 8}"},
    {"action_rollout", "order", "{'default': 'listed'}"}, /* + enum: cdn_schema_json_scenario */
    {"action_rollout", "offsets_s", "{'type': 'array', 'minItems': 1,"
                                    " 'items': {'type': 'number', 'minimum': 0}}"},
    {"calibration", "targets", "{'type': 'array', 'maxItems': 256, 'items': {'$ref':"
                               " '#/$defs/target'}}"},
};

/* Rules of a whole section that no single row states. */
static const shape_t section_rules[] = {
    {"stage", NULL, "{'oneOf': [{'required': ['frac']}, {'required': ['tiers']}]}"},
    {"action_rollout", NULL, "{'not': {'required': ['step_s', 'regions_per_s']}}"},
    {"action_rollout", NULL, "{'if': {'required': ['offsets_s']}, 'then': {'not': {'anyOf':"
                             " [{'required': ['order']}, {'required': ['step_s']},"
                             " {'required': ['regions_per_s']}]}}}"},
};

/* Parses one of the ' texts above; NULL if it is not JSON (a bug). */
static cJSON *parse_quoted(const char *text)
{
    size_t n = strlen(text);
    char *buf = sim_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    return j;
}

/* A number in the shortest form that reads back as the same double
 * (cJSON's own printer keeps 15 digits, which would move 2^53 - 1). */
static void add_num(cJSON *to, const char *key, double v)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    cJSON_AddRawToObject(to, key, buf);
}

/* Markdown "[text](#anchor)" as its text, and backticks dropped. */
static void plain(char *s)
{
    size_t k = 0;
    for (size_t i = 0; s[i]; i++) {
        const char *close = s[i] == '[' ? strstr(s + i, "](#") : NULL;
        const char *end = close ? strchr(close, ')') : NULL;
        if (end != NULL && memchr(s + i, ' ', (size_t)(close - (s + i))) == NULL) {
            size_t n = (size_t)(close - (s + i)) - 1;
            memmove(s + k, s + i + 1, n);
            k += n;
            i = (size_t)(end - s);
        } else if (s[i] != '`') {
            s[k++] = s[i];
        }
    }
    s[k] = '\0';
}

static void add_names(cJSON *to, const char *key, const char *const *names, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(to, key);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
}

/* "meaning (unit; default D; range R)", the Markdown backticks dropped. */
static void describe(cJSON *prop, const cdn_schema_row_info_t *r)
{
    char text[2048];
    size_t o = 0;
    int w = snprintf(text, sizeof text, "%s (%s", r->doc, r->unit);
    o = w > 0 ? (size_t)w : 0;
    if (strcmp(r->def_doc, "–") != 0 && o < sizeof text) {
        w = snprintf(text + o, sizeof text - o, "; default %s", r->def_doc);
        o += w > 0 ? (size_t)w : 0;
    }
    if (strcmp(r->range_doc, "–") != 0 && o < sizeof text) {
        w = snprintf(text + o, sizeof text - o, "; %s", r->range_doc);
        o += w > 0 ? (size_t)w : 0;
    }
    if (o < sizeof text)
        snprintf(text + o, sizeof text - o, ")");
    plain(text);
    cJSON_AddStringToObject(prop, "description", text);
}

static void add_bounds(cJSON *prop, const cdn_schema_row_info_t *r)
{
    if (r->has_lo)
        add_num(prop, r->lo_excl ? "exclusiveMinimum" : "minimum", r->lo);
    if (r->has_hi)
        add_num(prop, r->hi_excl ? "exclusiveMaximum" : "maximum", r->hi);
}

/* The schema of a scalar row (not TIME, not HAND). */
static cJSON *scalar_prop(const cdn_schema_row_info_t *r)
{
    cJSON *p = cJSON_CreateObject();
    switch (r->kind) {
    case CDN_SCHEMA_KIND_NUM:
    case CDN_SCHEMA_KIND_INT:
        cJSON_AddStringToObject(p, "type", r->kind == CDN_SCHEMA_KIND_NUM ? "number" : "integer");
        add_bounds(p, r);
        if (r->has_def)
            add_num(p, "default", r->def);
        break;
    case CDN_SCHEMA_KIND_BOOL:
        cJSON_AddStringToObject(p, "type", "boolean");
        if (r->has_def)
            cJSON_AddBoolToObject(p, "default", r->def != 0);
        break;
    case CDN_SCHEMA_KIND_ENUM:
        add_names(p, "enum", r->names, r->nnames);
        if (r->has_def && (size_t)r->def < r->nnames)
            cJSON_AddStringToObject(p, "default", r->names[(size_t)r->def]);
        break;
    case CDN_SCHEMA_KIND_NAME:
        cJSON_AddStringToObject(p, "type", "string");
        cJSON_AddNumberToObject(p, "minLength", 1);
        cJSON_AddNumberToObject(p, "maxLength", CDN_NAME_MAX - 1);
        break;
    default: /* CDN_SCHEMA_KIND_SNAME */
        cJSON_AddStringToObject(p, "type", "string");
        cJSON_AddStringToObject(p, "pattern", NAME_PATTERN);
        cJSON_AddItemToObject(p, "not", parse_quoted("{'enum': ['.', '..']}"));
        break;
    }
    describe(p, r);
    return p;
}

static const char *shape_of(const char *sec, const char *key)
{
    for (size_t i = 0; i < ARRAY_LEN(shapes); i++)
        if (strcmp(shapes[i].sec, sec) == 0 && strcmp(shapes[i].key, key) == 0)
            return shapes[i].json;
    return NULL;
}

/* A TIME row: its two spellings, and "not both" (and "one of them" if
 * required) in the section's allOf. */
static void time_props(cJSON *props, cJSON *all_of, const cdn_schema_row_info_t *r)
{
    char kutc[64], ks[64], rule[256];
    snprintf(kutc, sizeof kutc, "%s_utc", r->key);
    snprintf(ks, sizeof ks, "%s_s", r->key);
    cJSON *u = parse_quoted("{'type': 'string', 'pattern': '" UTC_PATTERN "'}");
    describe(u, r);
    cJSON_AddItemToObject(props, kutc, u);
    cJSON *s = parse_quoted("{'type': 'number', 'minimum': 0}");
    describe(s, r);
    cJSON_AddItemToObject(props, ks, s);
    snprintf(rule, sizeof rule, "{'not': {'required': ['%s', '%s']}}", kutc, ks);
    cJSON_AddItemToArray(all_of, parse_quoted(rule));
    if (r->required) {
        snprintf(rule, sizeof rule, "{'anyOf': [{'required': ['%s']}, {'required': ['%s']}]}", kutc, ks);
        cJSON_AddItemToArray(all_of, parse_quoted(rule));
    }
}

/* One section as a schema object; NULL + err if a HAND key has no shape. */
static cJSON *section_schema(cdn_schema_sec_t sec, cdn_error_t *err)
{
    const char *id = cdn_schema_id(sec);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "object");
    cJSON_AddStringToObject(o, "title", cdn_schema_heading(sec));
    cJSON *props = cJSON_AddObjectToObject(o, "properties");
    cJSON *req = cJSON_CreateArray();
    cJSON *all_of = cJSON_CreateArray();
    for (size_t i = 0; i < cdn_schema_nrows(sec); i++) {
        cdn_schema_row_info_t r;
        cdn_schema_row(sec, i, &r);
        if (r.kind == CDN_SCHEMA_KIND_TIME) {
            time_props(props, all_of, &r);
            continue;
        }
        if (r.required)
            cJSON_AddItemToArray(req, cJSON_CreateString(r.key));
        if (r.kind != CDN_SCHEMA_KIND_HAND) {
            cJSON_AddItemToObject(props, r.key, scalar_prop(&r));
            continue;
        }
        const char *text = shape_of(id, r.key);
        cJSON *p = text ? parse_quoted(text) : NULL;
        if (p == NULL) {
            err->code = CDN_EINTERNAL;
            snprintf(err->msg, sizeof err->msg,
                     "schema table: key %s.%s is read by hand and has no JSON Schema shape in "
                     "cdn_schema_json.c", id, r.key);
            cJSON_Delete(o);
            cJSON_Delete(req);
            cJSON_Delete(all_of);
            return NULL;
        }
        describe(p, &r);
        cJSON_AddItemToObject(props, r.key, p);
    }
    cJSON_AddItemToObject(props, "notes", parse_quoted("{'$ref': '#/$defs/notes'}"));
    for (size_t k = 0; k < ARRAY_LEN(section_rules); k++)
        if (strcmp(section_rules[k].sec, id) == 0)
            cJSON_AddItemToArray(all_of, parse_quoted(section_rules[k].json));
    if (cJSON_GetArraySize(req) > 0)
        cJSON_AddItemToObject(o, "required", req);
    else
        cJSON_Delete(req);
    if (cJSON_GetArraySize(all_of) > 0)
        cJSON_AddItemToObject(o, "allOf", all_of);
    else
        cJSON_Delete(all_of);
    cJSON_AddBoolToObject(o, "additionalProperties", 0);
    return o;
}

/* operators.actions[]: which keys a kind takes is left to validate. */
static cJSON *action_schema(void)
{
    cJSON *a = parse_quoted(
        "{'type': 'object', 'title': 'operators.actions[]', 'required': ['kind'],"
        " 'properties': {"
        "  'kind': {'description': 'what happens'},"
        "  'at_utc': {'type': 'string', 'pattern': '" UTC_PATTERN "', 'description': 'when (UTC)'},"
        "  'at_s': {'type': 'number', 'minimum': 0, 'description': 'when (s after the start)'},"
        "  'after': {'description': 'a policy action: runs delay_s after the alert or the diagnosis'},"
        "  'delay_s': {'type': 'number', 'minimum': 0, 'default': 0},"
        "  'label': {'type': 'string', 'maxLength': 63},"
        "  'artifact': {'type': 'string'}, 'proxy': {'type': 'string'},"
        "  'service': {'type': 'string'},"
        "  'duration_s': {'type': 'number', 'minimum': 0},"
        "  'restart_s': {'type': 'number', 'minimum': 0, 'default': 60},"
        "  'rate_per_s': {'type': 'number', 'minimum': 0, 'default': 0},"
        "  'only_failing': {'type': 'boolean', 'default': false},"
        "  'capacity': {'type': 'number', 'minimum': 0},"
        "  'target': {'$ref': '#/$defs/action_target'},"
        "  'rollout': {'$ref': '#/$defs/action_rollout'},"
        "  'notes': {'$ref': '#/$defs/notes'}},"
        " 'allOf': [{'not': {'required': ['at_utc', 'at_s']}},"
        "  {'not': {'required': ['after', 'at_utc']}}, {'not': {'required': ['after', 'at_s']}},"
        "  {'anyOf': [{'required': ['at_utc']}, {'required': ['at_s']}, {'required': ['after']}]}],"
        " 'additionalProperties': false}");
    cJSON *props = cJSON_GetObjectItemCaseSensitive(a, "properties");
    const char *kinds[CDN_ACTION_COUNT], *triggers[CDN_TRIGGER_COUNT];
    for (int k = 0; k < CDN_ACTION_COUNT; k++)
        kinds[k] = cdn_action_name((cdn_action_kind_t)k);
    for (int k = 0; k < CDN_TRIGGER_COUNT; k++)
        triggers[k] = cdn_trigger_name((cdn_trigger_t)k);
    add_names(cJSON_GetObjectItemCaseSensitive(props, "kind"), "enum", kinds, CDN_ACTION_COUNT);
    /* "time" is what an action without "after" is; it is not written */
    add_names(cJSON_GetObjectItemCaseSensitive(props, "after"), "enum", triggers + 1,
              CDN_TRIGGER_COUNT - 1);
    return a;
}

/* calibration.targets[] */
static cJSON *target_schema(void)
{
    cJSON *t = parse_quoted(
        "{'type': 'object', 'title': 'calibration.targets[]', 'required': ['name', 'metric'],"
        " 'properties': {"
        "  'name': {'type': 'string'}, 'metric': {'description': 'the measure compared'},"
        "  'service': {'type': 'string'},"
        "  'from_utc': {'$ref': '#/$defs/utc'}, 'from_s': {'type': 'number', 'minimum': 0},"
        "  'to_utc': {'$ref': '#/$defs/utc'}, 'to_s': {'type': 'number', 'minimum': 0},"
        "  'target_utc': {'$ref': '#/$defs/utc'}, 'target_s': {'type': 'number', 'minimum': 0},"
        "  'target': {'type': 'number', 'minimum': 0},"
        "  'fitted': {'type': 'boolean', 'default': false},"
        "  'source': {'type': 'string'}, 'notes': {'$ref': '#/$defs/notes'}},"
        " 'allOf': [{'not': {'required': ['from_utc', 'from_s']}},"
        "  {'not': {'required': ['to_utc', 'to_s']}},"
        "  {'not': {'required': ['target_utc', 'target_s']}}],"
        " 'additionalProperties': false}");
    cJSON *props = cJSON_GetObjectItemCaseSensitive(t, "properties");
    const char *names[CDN_CAL_COUNT];
    for (int k = 0; k < CDN_CAL_COUNT; k++)
        names[k] = cdn_cal_metric_name((cdn_cal_metric_t)k);
    add_names(cJSON_GetObjectItemCaseSensitive(props, "metric"), "enum", names, CDN_CAL_COUNT);
    return t;
}

/* "$schema", "$id", "title", "description" of a schema document. */
static cJSON *document(const char *id, const char *title, const char *description)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", CDN_SCHEMA_JSON_DIALECT);
    cJSON_AddStringToObject(root, "$id", id);
    cJSON_AddStringToObject(root, "title", title);
    cJSON_AddStringToObject(root, "description", description);
    return root;
}

static void add_common_defs(cJSON *defs)
{
    cJSON_AddItemToObject(defs, "notes",
                          parse_quoted("{'description': 'documentation only: a string or an array"
                                       " of strings', 'anyOf': [{'type': 'string'}, {'type':"
                                       " 'array', 'items': {'type': 'string'}}]}"));
    cJSON_AddItemToObject(defs, "names",
                          parse_quoted("{'type': 'array', 'items': {'type': 'string'},"
                                       " 'uniqueItems': true}"));
    cJSON_AddItemToObject(defs, "utc", parse_quoted("{'type': 'string', 'pattern': '" UTC_PATTERN "'}"));
}

cJSON *cdn_schema_json_scenario(cdn_error_t *err)
{
    cJSON *root = document("https://cdnsim.invalid/scenario.schema.json", "cdnsim scenario",
                           "A scenario file of cdnsim (docs/scenario-format.md); generated from "
                           "models/scenario/schema.def by `cdnsim schema`. References by name, "
                           "sums of shares and per-kind action keys are checked by `cdnsim validate` "
                           "only.");
    cJSON_AddStringToObject(root, "type", "object");
    cJSON *defs = cJSON_CreateObject();
    for (int k = 0; k < CDN_SCHEMA_NSECTIONS; k++) {
        cJSON *s = section_schema((cdn_schema_sec_t)k, err);
        if (s == NULL) {
            cJSON_Delete(defs);
            cJSON_Delete(root);
            return NULL;
        }
        if (k == CDN_SCHEMA_SEC_top) { /* the root is the top level */
            for (cJSON *ch = s->child; ch != NULL; ch = ch->next)
                if (strcmp(ch->string, "type") != 0 && strcmp(ch->string, "title") != 0)
                    cJSON_AddItemToObject(root, ch->string, cJSON_Duplicate(ch, 1));
            cJSON_Delete(s);
        } else {
            cJSON_AddItemToObject(defs, cdn_schema_id((cdn_schema_sec_t)k), s);
        }
    }
    add_common_defs(defs);
    const char *orders[CDN_ORDER_COUNT];
    for (int k = 0; k < CDN_ORDER_COUNT; k++)
        orders[k] = cdn_rollout_order_name((cdn_rollout_order_t)k);
    cJSON *ro = cJSON_GetObjectItemCaseSensitive(defs, "action_rollout");
    add_names(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ro, "properties"), "order"),
              "enum", orders, CDN_ORDER_COUNT);
    cJSON_AddItemToObject(defs, "action", action_schema());
    cJSON_AddItemToObject(defs, "target", target_schema());
    cJSON_AddItemToObject(root, "$defs", defs);
    return root;
}

cJSON *cdn_schema_json_strategy(cdn_error_t *err)
{
    (void)err;
    cJSON *root = document("https://cdnsim.invalid/strategy.schema.json", "cdnsim strategy",
                           "A strategy file of cdnsim: an overlay of a scenario "
                           "(docs/strategies.md). Whether each path selects something is checked "
                           "on a scenario by `cdnsim validate --strategy FILE SCENARIO`.");
    cJSON *body = parse_quoted(
        "{'type': 'object', 'required': ['name'],"
        " 'properties': {"
        "  'name': {'type': 'string', 'pattern': '" NAME_PATTERN "', 'not': {'enum': ['.', '..']},"
        "   'description': 'the label in every output; a library file is named <name>.json'},"
        "  'description': {'type': 'string'},"
        "  'assumes': {'type': 'string', 'description': 'what the strategy needs in a scenario;"
        " added to the error when a scenario lacks it'},"
        "  'notes': {'$ref': '#/$defs/notes'},"
        "  '$schema': {'type': 'string', 'description': 'the JSON Schema an editor checks the"
        " file with (docs/strategy.schema.json); ignored'},"
        "  'set': {'type': 'array', 'items': {'$ref': '#/$defs/operation'},"
        "   'description': 'in file order: create or replace the value at each path'},"
        "  'append': {'type': 'array', 'items': {'$ref': '#/$defs/append'},"
        "   'description': 'after every set: add a copy of the value to each array at the path'}},"
        " 'additionalProperties': false,"
        " '$defs': {'operation': {'type': 'object', 'required': ['path', 'value'],"
        "   'properties': {'path': {'type': 'string', 'pattern': '^[$]',"
        "     'description': 'from the top of the scenario: $ then .key, [N], [*], [key=X]'},"
        "    'value': {'description': 'any JSON value'}, 'notes': {'$ref': '#/$defs/notes'}},"
        "   'additionalProperties': false},"
        "  'append': {'type': 'object', 'required': ['path', 'value'],"
        "   'dependentRequired': {'for_each': ['name_into'], 'name_into': ['for_each']},"
        "   'properties': {'path': {'type': 'string', 'pattern': '^[$]',"
        "     'description': 'from the top of the scenario: $ then .key, [N], [*], [key=X]'},"
        "    'value': {'description': 'any JSON value (an object with for_each)'},"
        "    'for_each': {'type': 'string', 'pattern': '^[$]',"
        "     'description': 'a copy of value per element this path selects (elements with a name)'},"
        "    'name_into': {'type': 'string', 'description': 'the key of each copy set to the"
        " element name'},"
        "    'notes': {'$ref': '#/$defs/notes'}},"
        "   'additionalProperties': false}}}");
    for (cJSON *ch = body->child; ch != NULL; ch = ch->next)
        cJSON_AddItemToObject(root, ch->string, cJSON_Duplicate(ch, 1));
    cJSON_Delete(body);
    add_common_defs(cJSON_GetObjectItemCaseSensitive(root, "$defs"));
    return root;
}
