/*
 * cdn_schema.c -- the rows of schema.def expanded into constant tables, and
 * the things done with them: key lists, scalar reads, doc tables, a
 * plain-data view of each row for the other generators, and defaults
 * written into a tree (`cdnsim show`).
 *
 * Design
 *   Each section's rows become an array of row_t (key, kind, offset of the
 *   field in the section's struct, required, default, range, unit, doc) and
 *   an array of its keys (a TIME row gives two: "<key>_utc", "<key>_s"), in
 *   row order; sections[] indexes both by cdn_schema_sec_t.  A field's
 *   offset is taken with a compile-time check that the member has the size
 *   its kind writes (a double for NUM, a uint32_t for U32, ...), so a row
 *   that names the wrong member does not build.
 *
 *   Reading a section walks its rows in order: the default of a row is
 *   written just before the row is read, so a default or bound that depends
 *   on an earlier row (bin_s on duration_s, latency_p99_s on
 *   latency_median_s, migrated_at_start on nodes) sees its final value.
 *   Values are V(number), S(symbol) resolved against the simulation section
 *   and the struct being filled, or T(text), which only the document shows.
 *
 *   Filling a tree (cdn_schema_fill) reads each section object into a
 *   scratch struct with the same reads, so a default written back is the
 *   value the loader used (symbols resolved); `places` says where each
 *   section's objects sit in the tree.  Rejected: computing defaults from
 *   the rows alone (the symbols would be resolved a second way).
 *
 * Invariants: a section has at most CDN_JSON_OBJ_MAX_KEYS keys; rows of
 *   kind TIME and HAND are never written here.
 *
 * Complexity: a read is O(rows x keys) string compares per object, as the
 *   hand-written reads were; the tables are constant data.
 *
 * Rejected alternatives
 *   - A generated C file (a script turning JSON rows into code): one more
 *     tool in the build for what the preprocessor does.
 *   - Symbols as C expressions inside the rows: the document could not
 *     show them, and the rows could not be constant data.
 */
#include "cdn_schema.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef enum { K_NUM, K_U32, K_U64, K_BOOL, K_ENUM, K_NAME, K_SNAME, K_TIME, K_HAND } kind_t;

typedef enum {
    SYM_NONE,
    SYM_DURATION,    /* simulation.duration_s */
    SYM_BIN,         /* simulation.bin_s */
    SYM_BIN_DEFAULT, /* min(60, duration_s) */
    SYM_MIN_PERIOD,  /* duration_s / CDN_SCHEMA_MAX_REPEATS */
    SYM_REPAIR_MAX,  /* 3600 / SYM_MIN_PERIOD */
    SYM_NODES,       /* the artifact's cluster_nodes, read before */
    SYM_P99_DEFAULT, /* 3 x the artifact's latency_median_s, read before */
    SYM_CONFUSED     /* the diagnosis's confused_progress, read before */
} sym_t;

/* How each symbol reads in the document. */
static const char *const sym_doc[] = {
    [SYM_NONE] = "",
    [SYM_DURATION] = "`duration_s`",
    [SYM_BIN] = "`bin_s`",
    [SYM_BIN_DEFAULT] = "min(60, `duration_s`)",
    [SYM_MIN_PERIOD] = "D/1e7",
    [SYM_REPAIR_MAX] = "3600 / (D/1e7)",
    [SYM_NODES] = "`nodes`",
    [SYM_P99_DEFAULT] = "3 × `latency_median_s`",
    [SYM_CONFUSED] = "`confused_progress`",
};

typedef struct val {
    double v;         /* V(v) */
    sym_t sym;        /* S(sym) */
    const char *text; /* T(text): shown in the document, never read */
} val_t;

typedef enum {
    RNG_CC, RNG_OC, RNG_CO, RNG_OO, RNG_GT, RNG_GE, RNG_NA, /* numbers */
    RNG_EFFECT, RNG_SCOPE, RNG_FAILOVER, RNG_RETRY         /* the names of an ENUM */
} rng_t;

typedef struct row {
    const char *key;
    kind_t kind;
    size_t off; /* of the field in the section's struct (TIME, HAND: 0) */
    int required;
    val_t def, lo, hi;
    rng_t rng;
    const char *unit, *doc;
} row_t;

typedef struct section {
    const char *heading;
    const row_t *rows;
    size_t nrows;
    const char *const *keys;
    size_t nkeys;
} section_t;

#define CDN_X_NAME(e, s) s,
static const char *const effect_names[] = {CDN_EFFECT_MAP(CDN_X_NAME)};
static const char *const scope_names[] = {CDN_SCOPE_MAP(CDN_X_NAME)};
static const char *const retry_names[] = {CDN_RETRY_MAP(CDN_X_NAME)};
#undef CDN_X_NAME
static const char *const failover_names[] = {"none", "own_dns", "dns_on_provider"};

/* ------------------------------------------------------------------------ */
/* The tables                                                                */

#define REQ 1
#define OPT 0
#define V(x) {(double)(x), SYM_NONE, NULL}
#define S(name) {0, SYM_##name, NULL}
#define T(text) {0, SYM_NONE, text}

/* offsetof(ST, f), and a build error unless the member has `size` bytes. */
#define OFF_SIZED(ST, f, size)                                                                     \
    (offsetof(ST, f) + 0 * sizeof(char[sizeof(((ST *)0)->f) == (size) ? 1 : -1]))
#define OFF_NUM(ST, f) OFF_SIZED(ST, f, sizeof(double))
#define OFF_U32(ST, f) OFF_SIZED(ST, f, sizeof(uint32_t))
#define OFF_U64(ST, f) OFF_SIZED(ST, f, sizeof(uint64_t))
#define OFF_BOOL(ST, f) OFF_SIZED(ST, f, sizeof(int))
#define OFF_ENUM(ST, f) OFF_SIZED(ST, f, sizeof(int))
#define OFF_NAME(ST, f) OFF_SIZED(ST, f, CDN_NAME_MAX)
#define OFF_SNAME(ST, f) OFF_SIZED(ST, f, CDN_NAME_MAX)
#define OFF_TIME(ST, f) 0
#define OFF_HAND(ST, f) 0

#define ROW(ST, key, kind, field, req, def, lo, hi, rng, unit, doc)                                \
    {key, K_##kind, OFF_##kind(ST, field), req, def, lo, hi, RNG_##rng, unit, doc},
#define SEC_ROWS(id, ST, heading) static const row_t rows_##id[] = {CDN_SCHEMA_##id(ROW, ST)};
CDN_SCHEMA_SECTIONS(SEC_ROWS)

#define KEY_1(key) key,
#define KEY_NUM KEY_1
#define KEY_U32 KEY_1
#define KEY_U64 KEY_1
#define KEY_BOOL KEY_1
#define KEY_ENUM KEY_1
#define KEY_NAME KEY_1
#define KEY_SNAME KEY_1
#define KEY_HAND KEY_1
#define KEY_TIME(key) key "_utc", key "_s",
#define KEY(ST, key, kind, ...) KEY_##kind(key)
#define SEC_KEYS(id, ST, heading)                                                                  \
    static const char *const keys_##id[] = {CDN_SCHEMA_##id(KEY, ST)};
CDN_SCHEMA_SECTIONS(SEC_KEYS)

/* A section with more keys than an object reader matches would overflow
 * it (only an assert in debug builds would notice): a build error. */
#define SEC_LIMIT(id, ST, heading)                                                                 \
    _Static_assert(ARRAY_LEN(keys_##id) <= CDN_JSON_OBJ_MAX_KEYS, "too many keys in " #id);
CDN_SCHEMA_SECTIONS(SEC_LIMIT)

#define SEC_ENTRY(id, ST, heading)                                                                 \
    [CDN_SCHEMA_SEC_##id] = {heading, rows_##id, ARRAY_LEN(rows_##id), keys_##id,                 \
                             ARRAY_LEN(keys_##id)},
static const section_t sections[] = {CDN_SCHEMA_SECTIONS(SEC_ENTRY)};

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */

double cdn_schema_min_period(const cdn_sim_spec_t *sim)
{
    return sim->duration_s / CDN_SCHEMA_MAX_REPEATS;
}

static double resolve(val_t v, const cdn_sim_spec_t *sim, const void *base)
{
    const cdn_artifact_spec_t *a = base;
    switch (v.sym) {
    case SYM_NONE:
        return v.v;
    case SYM_DURATION:
        return sim->duration_s;
    case SYM_BIN:
        return sim->bin_s;
    case SYM_BIN_DEFAULT:
        return fmin(60.0, sim->duration_s);
    case SYM_MIN_PERIOD:
        return cdn_schema_min_period(sim);
    case SYM_REPAIR_MAX:
        return 3600.0 / cdn_schema_min_period(sim);
    case SYM_NODES:
        return (double)a->cluster_nodes;
    case SYM_P99_DEFAULT:
        return 3 * a->latency_median_s;
    case SYM_CONFUSED:
        return ((const cdn_detection_spec_t *)base)->confused_progress;
    }
    return NAN;
}

static cdn_json_range_t range_of(const row_t *r, const cdn_sim_spec_t *sim, const void *base)
{
    double lo = resolve(r->lo, sim, base), hi = resolve(r->hi, sim, base);
    switch (r->rng) {
    case RNG_OC:
        return (cdn_json_range_t){lo, hi, 1, 0};
    case RNG_CO:
        return (cdn_json_range_t){lo, hi, 0, 1};
    case RNG_OO:
        return (cdn_json_range_t){lo, hi, 1, 1};
    case RNG_GT:
        return (cdn_json_range_t){lo, INFINITY, 1, 1};
    case RNG_GE:
        return (cdn_json_range_t){lo, INFINITY, 0, 1};
    default:
        return (cdn_json_range_t){lo, hi, 0, 0};
    }
}

static const char *const *enum_names(rng_t rng, size_t *n)
{
    switch (rng) {
    case RNG_EFFECT:
        *n = ARRAY_LEN(effect_names);
        return effect_names;
    case RNG_SCOPE:
        *n = ARRAY_LEN(scope_names);
        return scope_names;
    case RNG_RETRY:
        *n = ARRAY_LEN(retry_names);
        return retry_names;
    default:
        *n = ARRAY_LEN(failover_names);
        return failover_names;
    }
}

/* Writes v into the field of row r (kinds that have a number).  v is
 * converted only to the field's own type: a negative number read for a
 * double must not pass through an unsigned conversion (undefined; found by
 * fuzz_scenario). */
static void store(const row_t *r, void *base, double v)
{
    char *p = (char *)base + r->off;
    switch (r->kind) {
    case K_NUM:
        memcpy(p, &v, sizeof v);
        break;
    case K_U32: {
        uint32_t u32 = (uint32_t)v; /* range-checked by the reader */
        memcpy(p, &u32, sizeof u32);
        break;
    }
    case K_U64: {
        uint64_t u64 = (uint64_t)v;
        memcpy(p, &u64, sizeof u64);
        break;
    }
    case K_BOOL:
    case K_ENUM: {
        int i = (int)v;
        memcpy(p, &i, sizeof i);
        break;
    }
    default:
        break;
    }
}

static void row_default(const row_t *r, const cdn_sim_spec_t *sim, void *base)
{
    if (r->def.text == NULL && r->kind != K_TIME && r->kind != K_HAND)
        store(r, base, resolve(r->def, sim, base));
}

/* One scalar key of an opened object; absent keys keep the default. */
static int read_row(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const row_t *r,
                    const cdn_sim_spec_t *sim, void *base)
{
    const cJSON *j = cdn_json_obj_get(o, r->key);
    double v = 0;
    uint64_t u = 0;
    int i = 0, rc = 0;
    if (r->kind == K_TIME || r->kind == K_HAND)
        return 0; /* the caller's, in the caller's order */
    if (j == NULL)
        return r->required ? cdn_json_missing(c, r->key) : 0;
    switch (r->kind) {
    case K_NUM:
        rc = cdn_json_opt_num(c, o, r->key, range_of(r, sim, base), &v);
        break;
    case K_U32:
    case K_U64:
        rc = cdn_json_opt_int(c, o, r->key, resolve(r->lo, sim, base), resolve(r->hi, sim, base),
                              &u);
        v = (double)u;
        break;
    case K_BOOL:
        rc = cdn_json_opt_bool(c, o, r->key, &i);
        v = i;
        break;
    case K_ENUM: {
        size_t n = 0;
        const char *const *names = enum_names(r->rng, &n);
        rc = cdn_json_opt_enum(c, o, r->key, names, n, &i);
        v = i;
        break;
    }
    case K_NAME:
    case K_SNAME:
        return cdn_json_req_name(c, o, r->key, r->kind == K_SNAME, (char *)base + r->off);
    default:
        return 0;
    }
    if (rc == 0)
        store(r, base, v);
    return rc;
}

int cdn_schema_open(cdn_json_ctx_t *c, const cJSON *j, cdn_schema_sec_t sec, cdn_json_obj_t *o)
{
    assert((unsigned)sec < CDN_SCHEMA_NSECTIONS);
    return cdn_json_obj_open(c, j, sections[sec].keys, sections[sec].nkeys, o);
}

void cdn_schema_defaults(cdn_schema_sec_t sec, const cdn_sim_spec_t *sim, void *base)
{
    const section_t *s = &sections[sec];
    for (size_t i = 0; i < s->nrows; i++)
        row_default(&s->rows[i], sim, base);
}

int cdn_schema_read(cdn_json_ctx_t *c, const cdn_json_obj_t *o, cdn_schema_sec_t sec,
                    const cdn_sim_spec_t *sim, void *base)
{
    const section_t *s = &sections[sec];
    for (size_t i = 0; i < s->nrows; i++) {
        row_default(&s->rows[i], sim, base);
        int rc = read_row(c, o, &s->rows[i], sim, base);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Filling defaults into a tree                                              */

/* Where a section's objects sit in a scenario tree: member `key` of an
 * object of section `parent` (each element, if `array`); `create`: an
 * absent object means every default, so it is added. */
typedef struct place {
    cdn_schema_sec_t sec, parent;
    const char *key;
    int array, create;
} place_t;

#define P(sec, parent, key, array, create) \
    {CDN_SCHEMA_SEC_##sec, CDN_SCHEMA_SEC_##parent, key, array, create}
static const place_t places[] = {
    P(simulation, top, "simulation", 0, 0), P(traffic, top, "traffic", 0, 0),
    P(region, top, "regions", 1, 0),        P(proxy, top, "proxies", 1, 0),
    P(backend, top, "backends", 1, 0),
    P(repair_step, proxy, "repair_schedule", 1, 0), P(repair_step, proxy, "reprovision_schedule", 1, 0),
    P(sites, top, "sites", 0, 0),           P(plan, sites, "plans", 1, 0),
    P(named, sites, "named", 1, 0),         P(artifact, top, "artifacts", 1, 0),
    P(cluster, artifact, "cluster", 0, 1),  P(distribution, artifact, "distribution", 0, 1),
    P(rollout, artifact, "rollout", 0, 0),  P(stage, rollout, "stages", 1, 0),
    P(gate, rollout, "health_gate", 0, 0),  P(service, top, "services", 1, 0),
    P(operators, top, "operators", 0, 0),   P(detection, operators, "detection", 0, 0),
    P(diagnosis, operators, "diagnosis", 0, 0), P(calibration, top, "calibration", 0, 0),
    P(metrics, top, "metrics", 0, 1),
};
#undef P

/* Any section's struct, to read an object into. */
#define SEC_MEMBER(id, ST, heading) ST id;
typedef union any_section {
    CDN_SCHEMA_SECTIONS(SEC_MEMBER)
} any_section_t;
#undef SEC_MEMBER

/* The default of a HAND row when it is a plain value: a number V(x), an
 * empty array (documented "`[]`") or null ("`null` ..."); else NULL. */
static cJSON *hand_default(const row_t *r)
{
    if (r->def.text == NULL && r->def.sym == SYM_NONE)
        return cJSON_CreateNumber(r->def.v);
    if (r->def.text != NULL && strcmp(r->def.text, "`[]`") == 0)
        return cJSON_CreateArray();
    if (r->def.text != NULL && strncmp(r->def.text, "`null`", 6) == 0)
        return cJSON_CreateNull();
    return NULL;
}

/* The value of row r in base, as a JSON item. */
static cJSON *row_value(const row_t *r, const void *base)
{
    const char *p = (const char *)base + r->off;
    double d;
    uint32_t u32;
    uint64_t u64;
    int i;
    size_t n = 0;
    switch (r->kind) {
    case K_NUM:
        memcpy(&d, p, sizeof d);
        return cJSON_CreateNumber(d);
    case K_U32:
        memcpy(&u32, p, sizeof u32);
        return cJSON_CreateNumber((double)u32);
    case K_U64:
        memcpy(&u64, p, sizeof u64);
        return cJSON_CreateNumber((double)u64); /* at most 2^53 - 1: exact */
    case K_BOOL:
        memcpy(&i, p, sizeof i);
        return cJSON_CreateBool(i);
    case K_ENUM:
        memcpy(&i, p, sizeof i);
        return cJSON_CreateString(enum_names(r->rng, &n)[i]);
    case K_HAND:
        return hand_default(r);
    default:
        return NULL;
    }
}

static void fill_object(cJSON *obj, cdn_schema_sec_t sec, const cdn_sim_spec_t *sim)
{
    const section_t *s = &sections[sec];
    cdn_error_t err = {0, ""};
    cdn_json_ctx_t c;
    cdn_json_obj_t o;
    any_section_t *base = sim_xcalloc(1, sizeof *base);
    cdn_json_ctx_init(&c, "tree", &err);
    if (cdn_schema_open(&c, obj, sec, &o) == 0 &&
        cdn_schema_read(&c, &o, sec, sim, base) == 0)
        for (size_t i = 0; i < s->nrows; i++) {
            const row_t *r = &s->rows[i];
            if ((r->def.text == NULL || r->kind == K_HAND) &&
                cJSON_GetObjectItemCaseSensitive(obj, r->key) == NULL) {
                cJSON *v = row_value(r, base);
                if (v != NULL)
                    cJSON_AddItemToObject(obj, r->key, v);
            }
        }
    free(base);
    for (size_t k = 0; k < ARRAY_LEN(places); k++) {
        const place_t *pl = &places[k];
        if (pl->parent != sec || pl->sec == CDN_SCHEMA_SEC_top)
            continue;
        cJSON *child = cJSON_GetObjectItemCaseSensitive(obj, pl->key);
        if (child == NULL && pl->create)
            child = cJSON_AddObjectToObject(obj, pl->key);
        if (pl->array && cJSON_IsArray(child)) {
            cJSON *e;
            cJSON_ArrayForEach(e, child)
                if (cJSON_IsObject(e))
                    fill_object(e, pl->sec, sim);
        } else if (!pl->array && cJSON_IsObject(child))
            fill_object(child, pl->sec, sim);
    }
}

void cdn_schema_fill(cJSON *root, const cdn_sim_spec_t *sim)
{
    fill_object(root, CDN_SCHEMA_SEC_top, sim);
}

/* ------------------------------------------------------------------------ */
/* The document                                                              */

#define SEC_ID(id, ST, heading) #id,
static const char *const section_ids[] = {CDN_SCHEMA_SECTIONS(SEC_ID)};

cdn_schema_sec_t cdn_schema_find(const char *id)
{
    size_t k = 0;
    while (k < ARRAY_LEN(section_ids) && strcmp(section_ids[k], id) != 0)
        k++;
    return (cdn_schema_sec_t)k;
}

/* A value as the document shows it. */
static void doc_val(char *buf, size_t n, const row_t *r, val_t v)
{
    size_t nn = 0;
    if (v.text != NULL)
        snprintf(buf, n, "%s", v.text);
    else if (v.sym != SYM_NONE)
        snprintf(buf, n, "%s", sym_doc[v.sym]);
    else if (r->kind == K_BOOL)
        snprintf(buf, n, "`%s`", v.v != 0 ? "true" : "false");
    else if (r->kind == K_ENUM)
        snprintf(buf, n, "`%s`", enum_names(r->rng, &nn)[(size_t)v.v]);
    else
        snprintf(buf, n, "%s", cdn_json_show_num(v.v).s);
}

static void doc_range(char *buf, size_t n, const row_t *r)
{
    char lo[64], hi[64];
    doc_val(lo, sizeof lo, r, r->lo);
    doc_val(hi, sizeof hi, r, r->hi);
    if (r->kind == K_ENUM) {
        size_t count = 0, o = 0;
        const char *const *names = enum_names(r->rng, &count);
        buf[0] = '\0';
        for (size_t i = 0; i < count && o < n; i++) {
            int w = snprintf(buf + o, n - o, "%s`%s`", i ? ", " : "", names[i]);
            o += w > 0 ? (size_t)w : 0;
        }
        return;
    }
    switch (r->rng) {
    case RNG_CC:
        snprintf(buf, n, "[%s, %s]", lo, hi);
        break;
    case RNG_OC:
        snprintf(buf, n, "(%s, %s]", lo, hi);
        break;
    case RNG_CO:
        snprintf(buf, n, "[%s, %s)", lo, hi);
        break;
    case RNG_OO:
        snprintf(buf, n, "(%s, %s)", lo, hi);
        break;
    case RNG_GT:
        snprintf(buf, n, "> %s", lo);
        break;
    case RNG_GE:
        snprintf(buf, n, "≥ %s", lo);
        break;
    default:
        snprintf(buf, n, "%s", r->lo.text != NULL ? r->lo.text : "–");
        break;
    }
}

void cdn_schema_doc_table(FILE *f, cdn_schema_sec_t sec)
{
    const section_t *s = &sections[sec];
    fprintf(f, "| key | unit | required | default | range | meaning |\n");
    fprintf(f, "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < s->nrows; i++) {
        const row_t *r = &s->rows[i];
        char def[128], range[512];
        doc_val(def, sizeof def, r, r->def);
        doc_range(range, sizeof range, r);
        if (r->kind == K_TIME)
            fprintf(f, "| `%s_utc` / `%s_s` | %s | %s |", r->key, r->key, r->unit,
                    r->required ? "yes (one of them)" : "no (at most one)");
        else
            fprintf(f, "| `%s` | %s | %s |", r->key, r->unit, r->required ? "yes" : "no");
        fprintf(f, " %s | %s | %s |\n", def, range, r->doc);
    }
}

/* ------------------------------------------------------------------------ */
/* Rows as plain data                                                        */

const char *cdn_schema_id(cdn_schema_sec_t sec)
{
    return section_ids[sec];
}

const char *cdn_schema_heading(cdn_schema_sec_t sec)
{
    return sections[sec].heading;
}

size_t cdn_schema_nrows(cdn_schema_sec_t sec)
{
    return sections[sec].nrows;
}

/* A fixed value (V), not a symbol or a text. */
static int is_fixed(val_t v)
{
    return v.text == NULL && v.sym == SYM_NONE;
}

void cdn_schema_row(cdn_schema_sec_t sec, size_t i, cdn_schema_row_info_t *out)
{
    static const cdn_schema_kind_t kinds[] = {
        [K_NUM] = CDN_SCHEMA_KIND_NUM,   [K_U32] = CDN_SCHEMA_KIND_INT,
        [K_U64] = CDN_SCHEMA_KIND_INT,   [K_BOOL] = CDN_SCHEMA_KIND_BOOL,
        [K_ENUM] = CDN_SCHEMA_KIND_ENUM, [K_NAME] = CDN_SCHEMA_KIND_NAME,
        [K_SNAME] = CDN_SCHEMA_KIND_SNAME, [K_TIME] = CDN_SCHEMA_KIND_TIME,
        [K_HAND] = CDN_SCHEMA_KIND_HAND};
    const row_t *r = &sections[sec].rows[i];
    memset(out, 0, sizeof *out);
    out->key = r->key;
    out->kind = kinds[r->kind];
    out->required = r->required;
    out->unit = r->unit;
    out->doc = r->doc;
    doc_val(out->def_doc, sizeof out->def_doc, r, r->def);
    doc_range(out->range_doc, sizeof out->range_doc, r);
    out->has_def = is_fixed(r->def) && r->kind != K_HAND;
    out->def = r->def.v;
    if (r->kind == K_ENUM) {
        out->names = enum_names(r->rng, &out->nnames);
        return;
    }
    if (r->kind == K_TIME || r->kind == K_HAND || r->rng == RNG_NA)
        return;
    out->has_lo = is_fixed(r->lo);
    out->lo = r->lo.v;
    out->lo_excl = r->rng == RNG_OC || r->rng == RNG_OO || r->rng == RNG_GT;
    out->has_hi = is_fixed(r->hi) && r->rng != RNG_GT && r->rng != RNG_GE;
    out->hi = r->hi.v;
    out->hi_excl = r->rng == RNG_CO || r->rng == RNG_OO;
}
