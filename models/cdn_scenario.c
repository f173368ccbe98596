/*
 * cdn_scenario.c -- a JSON scenario file turned into a validated
 * cdn_scenario_t (format: docs/scenario-format.md).
 *
 * Design
 *   The file is read and parsed into a cJSON tree by the one strict JSON
 *   reader (scenario/cdn_json.c), which also owns the JSON path, the
 *   message format, and the checks shared with strategy files (object keys,
 *   numbers and ranges, names).  The tree is then walked once, one reader
 *   per JSON object, in dependency order rather than file order:
 *   simulation (start time, needed by every "_utc" key), traffic (default
 *   step is bin_s), regions, proxies, sites (proxy_mix names proxies),
 *   artifacts (consumers), services (depends_on), operators (name artifacts,
 *   proxies, services), metrics.  The first error stops the walk.
 *   cdn_scenario_from_tree() is the one entry to that walk: every loader
 *   (a file, a string, a tree changed by strategy overlays) ends there.
 *
 *   Everything allocated hangs off the cdn_scenario_t being filled (arrays
 *   are stored with their counts as soon as they are allocated), so the one
 *   cleanup path is cdn_scenario_destroy() plus cJSON_Delete().  Temporary
 *   sort arrays are freed by the function that made them before it returns.
 *   Out of memory aborts in sim_xmalloc (the kernel's one place for it).
 *
 * Invariants of a returned scenario: every documented range holds; shares
 *   sum to 1 within 1e-6; names are unique per kind; every index refers to
 *   an existing entity or is -1 where the header allows it; the service
 *   graph is acyclic; actions are sorted by at_s, ties in file order.
 *
 * Complexity: linear in the size of the file, except the name uniqueness
 *   checks (sort, O(n log n); up to 100000 regions) and the duplicate check
 *   of the free-form "sources" object (also a sort).  Keys of fixed-schema
 *   objects are matched against at most 11 names each.
 *
 * Rejected alternatives
 *   - timegm()/TZ juggling for the UTC times: non-standard or touches the
 *     process environment; days_from_civil() is exact and pure.
 *   - A hash set for unique names: sorting is simpler and fast enough at
 *     this size, and it gives a deterministic "first duplicate" report.
 */
#include "cdn_scenario.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"
#include "scenario/cdn_json.h"
#include "scenario/cdn_schema.h"

#define SCN_SUM_TOL 1e-6                /* tolerance of "sums to 1" */
#define SCN_MAX_REGIONS 100000
#define SCN_MAX_PLANS 64
#define SCN_MAX_ARTIFACTS 16
#define SCN_MAX_SERVICES 64
#define SCN_MAX_ACTIONS 10000
/* Resource limits, so that no valid file makes a run abort for memory or
 * loop without end: servers in all regions; timeline cells, bins x
 * (regions + services); how often a periodic event may recur is a bound
 * of the schema (CDN_SCHEMA_MAX_REPEATS). */
#define SCN_MAX_SERVERS 10000000.0
#define SCN_MAX_TIMELINE 4000000.0

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Propagates a non-zero (error) result.  Only used where nothing needs
 * cleaning up; the error path is the caller's. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int try_rc_ = (expr);                                                                      \
        if (try_rc_ != 0)                                                                          \
            return try_rc_;                                                                        \
    } while (0)

/* Names are looked up generically as the first member of each spec. */
_Static_assert(offsetof(cdn_region_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_proxy_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_plan_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_artifact_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_service_spec_t, name) == 0, "name first");

/* ------------------------------------------------------------------------ */
/* Enum names (X-macro lists of the header)                                  */

#define CDN_X_NAME(e, s) s,
static const char *const effect_names[] = {CDN_EFFECT_MAP(CDN_X_NAME)};
static const char *const scope_names[] = {CDN_SCOPE_MAP(CDN_X_NAME)};
static const char *const action_names[] = {CDN_ACTION_MAP(CDN_X_NAME)};
static const char *const trigger_names[] = {CDN_TRIGGER_MAP(CDN_X_NAME)};
#undef CDN_X_NAME

const char *cdn_effect_name(cdn_effect_t e)
{
    return (size_t)e < ARRAY_LEN(effect_names) ? effect_names[e] : "?";
}

const char *cdn_scope_name(cdn_scope_t sc)
{
    return (size_t)sc < ARRAY_LEN(scope_names) ? scope_names[sc] : "?";
}

const char *cdn_trigger_name(cdn_trigger_t t)
{
    return (unsigned)t < CDN_TRIGGER_COUNT ? trigger_names[t] : "?";
}

const char *cdn_action_name(cdn_action_kind_t a)
{
    return (size_t)a < ARRAY_LEN(action_names) ? action_names[a] : "?";
}

/* ------------------------------------------------------------------------ */
/* Calendar: proleptic Gregorian, UTC (H. Hinnant's days_from_civil).       */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                         /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : mdays[m - 1];
}

static unsigned digits(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ"; 0 on success, -1 otherwise. */
static int parse_utc(const char *s, int64_t *epoch_s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof shape - 1)
        return -1;
    for (size_t i = 0; shape[i] != '\0'; i++) {
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return -1;
    }
    int64_t y = digits(s, 4);
    unsigned mo = digits(s + 5, 2), d = digits(s + 8, 2);
    unsigned h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
        return -1;
    *epoch_s = days_from_civil(y, mo, d) * 86400 + (int64_t)(h * 3600 + mi * 60 + se);
    return 0;
}

void cdn_scenario_utc(const cdn_scenario_t *s, double t_s, char *buf, size_t n)
{
    /* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
    static const double min_epoch = -62167219200.0, max_epoch = 253402300799.0;
    if (buf == NULL || n == 0)
        return;
    double e = (double)s->sim.start_epoch_s + floor(t_s);
    if (t_s == INFINITY) {
        snprintf(buf, n, "never");
        return;
    }
    if (!(e >= min_epoch && e <= max_epoch)) { /* also NaN and -inf */
        snprintf(buf, n, "out of range");
        return;
    }
    int64_t ep = (int64_t)e;
    int64_t days = ep / 86400, secs = ep % 86400;
    if (secs < 0) {
        secs += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
             (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

/* ------------------------------------------------------------------------ */
/* Walk context, JSON path and messages                                      */

typedef struct ctx {
    cdn_json_ctx_t j;  /* file, error and JSON path of the value being read */
    cdn_scenario_t *s; /* being filled */
    const cJSON *control_plane_ref; /* $.sites.control_plane_service, resolved after services */
    const cJSON *named_ref;         /* $.sites.named, read after services */
} ctx_t;

/* Ranges (cdn_json_range_t) of the keys read by hand; the others are in
 * the schema table (scenario/schema.def). */
#define R_OC(a, b) ((cdn_json_range_t){(a), (b), 1, 0}) /* (a, b] */
#define R_GE(a) ((cdn_json_range_t){(a), INFINITY, 0, 1})

/* A number of o that must be >= another key's value (already read). */
static int check_ge(ctx_t *c, const char *key, double v, const char *other, double min)
{
    if (v >= min)
        return 0;
    size_t p = cdn_json_key(&c->j, key);
    int rc = cdn_json_fail(&c->j, "expected a number >= %s (%s), found %s", other, cdn_json_show_num(min).s,
                  cdn_json_show_num(v).s);
    cdn_json_pop(&c->j, p);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Names of entities: lookup, references, uniqueness                         */

/* Index of the entity called `name` in an array of specs whose first member
 * is the name, or -1. */
static int32_t find_name(const void *base, size_t n, size_t stride, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp((const char *)base + i * stride, name) == 0)
            return (int32_t)i;
    }
    return -1;
}

/* j (at the current path) must name one of the n entities; `what` is
 * "a proxy", "an artifact", "a service". */
static int resolve_ref(ctx_t *c, const cJSON *j, const char *what, const void *base, size_t n,
                       size_t stride, int32_t *out)
{
    if (!cJSON_IsString(j))
        return cdn_json_fail(&c->j, "expected the name of %s, found %s", what, cdn_json_type(j));
    int32_t ix = find_name(base, n, stride, j->valuestring);
    if (ix < 0)
        return cdn_json_fail(&c->j, "expected the name of %s, found %s", what, cdn_json_show_str(j->valuestring).s);
    *out = ix;
    return 0;
}

#define RESOLVE(c, j, what, arr, n, out)                                                           \
    resolve_ref((c), (j), (what), (arr), (n), sizeof *(arr), (out))

typedef struct name_ix {
    const char *name;
    size_t ix;
} name_ix_t;

static int cmp_name_ix(const void *a, const void *b)
{
    const name_ix_t *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    if (d != 0)
        return d;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Sorts the names; the first duplicate in file order is the smallest index
 * that is second in its group of equal names.  Returns n if none. */
static size_t first_duplicate(name_ix_t *v, size_t n, size_t *first_ix)
{
    size_t bad = n;
    qsort(v, n, sizeof *v, cmp_name_ix);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i - 1].name, v[i].name) != 0)
            continue;
        if (i >= 2 && strcmp(v[i - 2].name, v[i - 1].name) == 0)
            continue; /* third or later of its group */
        if (bad == n || v[i].ix < bad) {
            bad = v[i].ix;
            *first_ix = v[i - 1].ix;
        }
    }
    return bad;
}

/* The current path is the array; reports "[i].name". */
static int check_unique(ctx_t *c, const void *base, size_t n, size_t stride)
{
    if (n < 2)
        return 0;
    name_ix_t *v = sim_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (name_ix_t){(const char *)base + i * stride, i};
    size_t first = 0, bad = first_duplicate(v, n, &first);
    free(v);
    if (bad == n)
        return 0;
    cdn_json_push(&c->j, "[%zu].name", bad);
    return cdn_json_fail(&c->j, "expected a unique name, found %s again (first used at index %zu)",
                cdn_json_show_str((const char *)base + bad * stride).s, first);
}

#define CHECK_UNIQUE(c, arr, n) check_unique((c), (arr), (n), sizeof *(arr))

/* ------------------------------------------------------------------------ */
/* Times: "<stem>_utc" (absolute) or "<stem>_s" (offset from the start)    */

/* Reads the pair into *out (sim seconds, >= 0); with neither key present
 * *out is left as is, or the key is missing when `required`. */
static int read_time(ctx_t *c, const cdn_json_obj_t *o, const char *stem, int required, double *out)
{
    char kutc[32], ks[32];
    snprintf(kutc, sizeof kutc, "%s_utc", stem);
    snprintf(ks, sizeof ks, "%s_s", stem);
    const cJSON *ju = cdn_json_obj_get(o, kutc), *js = cdn_json_obj_get(o, ks);
    if (ju != NULL && js != NULL)
        return cdn_json_fail(&c->j, "expected %s one of \"%s\" and \"%s\", found both",
                    required ? "exactly" : "at most", kutc, ks);
    if (ju == NULL && js == NULL)
        return required ? cdn_json_fail(&c->j, "missing required key \"%s\" or \"%s\"", kutc, ks) : 0;
    if (js != NULL)
        return cdn_json_opt_num(&c->j, o, ks, R_GE(0), out);
    size_t p = cdn_json_key(&c->j, kutc);
    int64_t e = 0;
    if (!cJSON_IsString(ju) || parse_utc(ju->valuestring, &e) != 0)
        return cdn_json_fail(&c->j, "expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", found %s", cdn_json_found(ju).s);
    if (e < c->s->sim.start_epoch_s)
        return cdn_json_fail(&c->j, "expected a time at or after simulation.start_utc (%s), found %s",
                    c->s->sim.start_utc, cdn_json_found(ju).s);
    *out = (double)(e - c->s->sim.start_epoch_s);
    cdn_json_pop(&c->j, p);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                  */

typedef int (*reader_fn)(ctx_t *c, const cJSON *j);

/* Runs `fn` on the value of `key` with the path extended. */
static int section(ctx_t *c, const cdn_json_obj_t *o, const char *key, int required, reader_fn fn)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return required ? cdn_json_missing(&c->j, key) : 0;
    size_t p = cdn_json_key(&c->j, key);
    TRY(fn(c, j));
    cdn_json_pop(&c->j, p);
    return 0;
}

/* "sources": an object of id -> string; its keys are free, so duplicates
 * are found by sorting. */
static int read_sources(ctx_t *c, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return cdn_json_fail(&c->j, "expected an object of id -> string, found %s", cdn_json_type(j));
    size_t n = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = cdn_json_key(&c->j, ch->string);
        if (strcmp(ch->string, "notes") == 0)
            TRY(cdn_json_notes(&c->j, ch));
        else if (!cJSON_IsString(ch))
            return cdn_json_fail(&c->j, "expected a string, found %s", cdn_json_type(ch));
        cdn_json_pop(&c->j, p);
        n++;
    }
    if (n < 2)
        return 0;
    name_ix_t *v = sim_xmalloc(n * sizeof *v);
    n = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next, n++)
        v[n] = (name_ix_t){ch->string, n};
    size_t first = 0, bad = first_duplicate(v, n, &first);
    const char *dup = NULL;
    for (size_t i = 0; i < n && bad < n; i++) {
        if (v[i].ix == bad)
            dup = v[i].name;
    }
    free(v);
    if (dup == NULL)
        return 0;
    cdn_json_key(&c->j, dup);
    return cdn_json_fail(&c->j, "duplicate key");
}

/* The shortest period of an event that reschedules itself (traffic steps,
 * generator runs, alert checks, repairs, overload drains). */

static int read_simulation(ctx_t *c, const cJSON *j)
{
    cdn_sim_spec_t *sim = &c->s->sim;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_simulation, &o));
    const cJSON *ju = cdn_json_obj_get(&o, "start_utc");
    if (ju == NULL)
        return cdn_json_missing(&c->j, "start_utc");
    size_t p = cdn_json_push(&c->j, ".start_utc");
    if (!cJSON_IsString(ju) || parse_utc(ju->valuestring, &sim->start_epoch_s) != 0)
        return cdn_json_fail(&c->j, "expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", found %s", cdn_json_found(ju).s);
    memcpy(sim->start_utc, ju->valuestring, strlen(ju->valuestring) + 1);
    cdn_json_pop(&c->j, p);
    return cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_simulation, sim, sim);
}

static int read_traffic(ctx_t *c, const cJSON *j)
{
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_traffic, &o));
    return cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_traffic, &c->s->sim, &c->s->traffic);
}

/* The current path is the array whose elements have `key` shares. */
static int check_sum(ctx_t *c, const char *key, double sum)
{
    if (fabs(sum - 1.0) <= SCN_SUM_TOL)
        return 0;
    return cdn_json_fail(&c->j, "expected %s values that sum to 1, found a sum of %s", key, cdn_json_show_num(sum).s);
}

/* Two passes: each region's own keys; then, with every name known, the
 * "neighbors" references (kept in nb[] between the passes). */
static int read_regions_into(ctx_t *c, const cJSON *j, size_t n, const cJSON **nb)
{
    cdn_scenario_t *s = c->s;
    double sum = 0;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_region_spec_t *r = &s->regions[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_region, &o));
        TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_region, &s->sim, r));
        nb[i] = cdn_json_obj_get(&o, "neighbors");
        if (nb[i] != NULL) {
            size_t q = cdn_json_push(&c->j, ".neighbors");
            TRY(cdn_json_array(&c->j, nb[i], 0, CDN_MAX_NEIGHBORS, "region names", &r->nneighbors));
            cdn_json_pop(&c->j, q);
        }
        sum += r->traffic_share;
        cdn_json_pop(&c->j, p);
    }
    TRY(CHECK_UNIQUE(c, s->regions, n));
    double servers = 0;
    for (i = 0; i < n; i++)
        servers += s->regions[i].servers;
    if (servers > SCN_MAX_SERVERS)
        return cdn_json_fail(&c->j, "expected at most %.0f servers in all regions, found %.0f",
                    SCN_MAX_SERVERS, servers);
    for (i = 0; i < n; i++) {
        size_t k = 0;
        for (const cJSON *e = nb[i] ? nb[i]->child : NULL; e != NULL; e = e->next, k++) {
            int32_t ix = -1;
            size_t p = cdn_json_push(&c->j, "[%zu].neighbors[%zu]", i, k);
            TRY(RESOLVE(c, e, "a region", s->regions, n, &ix));
            if ((size_t)ix == i)
                return cdn_json_fail(&c->j, "expected the name of another region, found %s",
                            cdn_json_show_str(e->valuestring).s);
            for (size_t q = 0; q < k; q++)
                if (s->regions[i].neighbors[q] == (uint32_t)ix)
                    return cdn_json_fail(&c->j, "expected each region once, found %s again",
                                cdn_json_show_str(e->valuestring).s);
            s->regions[i].neighbors[k] = (uint32_t)ix;
            cdn_json_pop(&c->j, p);
        }
    }
    return check_sum(c, "traffic_share", sum);
}

static int read_regions(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 1, SCN_MAX_REGIONS, "objects", &n));
    s->regions = sim_xcalloc(n, sizeof *s->regions);
    s->nregions = n;
    const cJSON **nb = sim_xcalloc(n, sizeof *nb);
    int rc = read_regions_into(c, j, n, nb);
    free(nb);
    return rc;
}

/* "tiers": names of region tiers; each must be the tier of some region. */
static int read_tiers(ctx_t *c, const cJSON *j, char tiers[][CDN_NAME_MAX], size_t *ntiers)
{
    const cdn_scenario_t *s = c->s;
    size_t n = 0, i = 0;
    TRY(cdn_json_array(&c->j, j, 1, CDN_MAX_TIERS, "tier names", &n));
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        if (!cJSON_IsString(e))
            return cdn_json_fail(&c->j, "expected a tier name, found %s", cdn_json_found(e).s);
        int known = 0;
        for (size_t r = 0; r < s->nregions; r++)
            known |= s->regions[r].tier[0] && strcmp(s->regions[r].tier, e->valuestring) == 0;
        if (!known)
            return cdn_json_fail(&c->j, "expected the tier of some region, found %s", cdn_json_found(e).s);
        for (size_t q = 0; q < i; q++)
            if (strcmp(tiers[q], e->valuestring) == 0)
                return cdn_json_fail(&c->j, "expected each tier once, found %s again", cdn_json_found(e).s);
        snprintf(tiers[i], CDN_NAME_MAX, "%s", e->valuestring);
        cdn_json_pop(&c->j, p);
    }
    *ntiers = n;
    return 0;
}

static int read_proxies(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 1, CDN_MAX_PROXIES, "objects", &n));
    s->proxies = sim_xcalloc(n, sizeof *s->proxies);
    s->nproxies = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_proxy_spec_t *px = &s->proxies[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_proxy, &o));
        TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_proxy, &s->sim, px));
        if (strcmp(px->name, "notes") == 0) { /* would clash with proxy_mix's "notes" */
            cdn_json_push(&c->j, ".name");
            return cdn_json_fail(&c->j, "expected a name other than \"notes\", found \"notes\"");
        }
        if (cdn_json_obj_get(&o, "tiers") != NULL) {
            size_t q = cdn_json_push(&c->j, ".tiers");
            TRY(read_tiers(c, cdn_json_obj_get(&o, "tiers"), px->tiers, &px->ntiers));
            cdn_json_pop(&c->j, q);
        }
        cdn_json_pop(&c->j, p);
    }
    return CHECK_UNIQUE(c, s->proxies, n);
}

/* "proxy_mix": an object of proxy name -> share of the plan's sites. */
static int read_proxy_mix(ctx_t *c, const cJSON *j, cdn_plan_spec_t *plan)
{
    const cdn_scenario_t *s = c->s;
    if (!cJSON_IsObject(j))
        return cdn_json_fail(&c->j, "expected an object of proxy name -> share, found %s", cdn_json_type(j));
    int seen[CDN_MAX_PROXIES] = {0}, notes_seen = 0;
    double sum = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = cdn_json_key(&c->j, ch->string);
        int32_t k = find_name(s->proxies, s->nproxies, sizeof *s->proxies, ch->string);
        if (strcmp(ch->string, "notes") == 0) {
            if (notes_seen++)
                return cdn_json_fail(&c->j, "duplicate key");
            TRY(cdn_json_notes(&c->j, ch));
        } else if (k < 0) {
            char list[CDN_MAX_PROXIES * (CDN_NAME_MAX + 2)];
            const char *names[CDN_MAX_PROXIES];
            for (size_t i = 0; i < s->nproxies; i++)
                names[i] = s->proxies[i].name;
            cdn_json_join(list, sizeof list, names, s->nproxies, 0);
            return cdn_json_fail(&c->j, "expected the name of a proxy (one of: %s), found %s", list,
                        cdn_json_show_str(ch->string).s);
        } else if (seen[k]++) {
            return cdn_json_fail(&c->j, "duplicate key");
        } else {
            TRY(cdn_json_num(&c->j, ch, R_GE(0), 0, &plan->proxy_mix[k]));
            sum += plan->proxy_mix[k];
        }
        cdn_json_pop(&c->j, p);
    }
    if (fabs(sum - 1.0) > SCN_SUM_TOL)
        return cdn_json_fail(&c->j, "expected shares that sum to 1, found a sum of %s", cdn_json_show_num(sum).s);
    return 0;
}

static int read_plans(ctx_t *c, const cJSON *j)
{
    cdn_sites_spec_t *st = &c->s->sites;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 1, SCN_MAX_PLANS, "objects", &n));
    st->plans = sim_xcalloc(n, sizeof *st->plans);
    st->nplans = n;
    double site_sum = 0, traffic_sum = 0;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_plan_spec_t *pl = &st->plans[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_plan, &o));
        TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_plan, &c->s->sim, pl));
        const cJSON *mix = cdn_json_obj_get(&o, "proxy_mix");
        if (mix == NULL) {
            pl->proxy_mix[0] = 1; /* every site on the first proxy */
        } else {
            size_t pm = cdn_json_push(&c->j, ".proxy_mix");
            TRY(read_proxy_mix(c, mix, pl));
            cdn_json_pop(&c->j, pm);
        }
        site_sum += pl->site_share;
        traffic_sum += pl->traffic_share;
        cdn_json_pop(&c->j, p);
    }
    TRY(CHECK_UNIQUE(c, st->plans, n));
    TRY(check_sum(c, "site_share", site_sum));
    return check_sum(c, "traffic_share", traffic_sum);
}

static int read_sites(ctx_t *c, const cJSON *j)
{
    cdn_sites_spec_t *st = &c->s->sites;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_sites, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_sites, &c->s->sim, st));
    st->control_plane_service = -1;
    c->control_plane_ref = cdn_json_obj_get(&o, "control_plane_service"); /* a service: resolved later */
    c->named_ref = cdn_json_obj_get(&o, "named"); /* depends on services: read after them */
    return section(c, &o, "plans", 1, read_plans);
}

static int read_cluster(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_cluster, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_cluster, &c->s->sim, a));
    return read_time(c, &o, "migration_start", 0, &a->migration_start_s);
}

static int read_distribution(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_distribution, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_distribution, &c->s->sim, a));
    return check_ge(c, "latency_p99_s", a->latency_p99_s, "latency_median_s",
                    a->latency_median_s);
}

static int read_consumers(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    const cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 1, CDN_MAX_PROXIES, "proxy names", &n));
    size_t k = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, k++) {
        int32_t ix = -1;
        size_t p = cdn_json_push(&c->j, "[%zu]", k);
        TRY(RESOLVE(c, e, "a proxy", s->proxies, s->nproxies, &ix));
        for (size_t q = 0; q < k; q++) {
            if (a->consumers[q] == (uint32_t)ix)
                return cdn_json_fail(&c->j, "expected each proxy once, found %s again",
                            cdn_json_show_str(e->valuestring).s);
        }
        a->consumers[k] = (uint32_t)ix;
        cdn_json_pop(&c->j, p);
    }
    a->nconsumers = n;
    return 0;
}

/* "rollout": {"stages": [{"frac", "bake_s"}...], "health_gate": {...}} */
static int read_rollout(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_rollout, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_rollout, &c->s->sim, a));
    const cJSON *st = cdn_json_obj_get(&o, "stages");
    if (st == NULL)
        return cdn_json_missing(&c->j, "stages");
    size_t p = cdn_json_push(&c->j, ".stages"), n = 0;
    TRY(cdn_json_array(&c->j, st, 1, CDN_MAX_STAGES, "objects", &n));
    size_t i = 0;
    for (const cJSON *e = st->child; e != NULL; e = e->next, i++) {
        cdn_json_obj_t so;
        size_t q = cdn_json_push(&c->j, "[%zu]", i);
        TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_stage, &so));
        const cJSON *tiers = cdn_json_obj_get(&so, "tiers");
        if ((tiers != NULL) == (cdn_json_obj_get(&so, "frac") != NULL))
            return cdn_json_fail(&c->j, "expected exactly one of \"frac\" and \"tiers\"");
        if (tiers != NULL) {
            size_t r = cdn_json_push(&c->j, ".tiers");
            TRY(read_tiers(c, tiers, a->stage_tiers[i], &a->stage_ntiers[i]));
            cdn_json_pop(&c->j, r);
            a->stage_frac[i] = NAN;
        } else {
            double lo = 0; /* fractions increase over the fraction stages */
            for (size_t k = 0; k < i; k++)
                if (!isnan(a->stage_frac[k]))
                    lo = a->stage_frac[k];
            TRY(cdn_json_req_num(&c->j, &so, "frac", R_OC(lo, 1), &a->stage_frac[i]));
        }
        a->stage_bake_s[i] = 0;
        TRY(cdn_json_opt_num(&c->j, &so, "bake_s", R_GE(0), &a->stage_bake_s[i]));
        cdn_json_pop(&c->j, q);
    }
    if (a->stage_frac[n - 1] != 1.0) {
        cdn_json_push(&c->j, "[%zu]", n - 1);
        if (isnan(a->stage_frac[n - 1]))
            return cdn_json_fail(&c->j, "expected the last stage to reach every server ({\"frac\": 1}), "
                           "found a tier stage");
        cdn_json_push(&c->j, ".frac");
        return cdn_json_fail(&c->j, "expected the last stage to reach every server (1), found %s",
                    cdn_json_show_num(a->stage_frac[n - 1]).s);
    }
    a->nstages = n;
    cdn_json_pop(&c->j, p);
    const cJSON *g = cdn_json_obj_get(&o, "health_gate");
    if (g != NULL) {
        cdn_json_obj_t go;
        size_t q = cdn_json_push(&c->j, ".health_gate");
        TRY(cdn_schema_open(&c->j, g, CDN_SCHEMA_SEC_gate, &go));
        a->health_gate = 1;
        TRY(cdn_schema_read(&c->j, &go, CDN_SCHEMA_SEC_gate, &c->s->sim, a));
        cdn_json_pop(&c->j, q);
    }
    return 0;
}

typedef int (*artifact_part_fn)(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a);

/* Runs `fn` on the value of `key` of the artifact, if present. */
static int artifact_part(ctx_t *c, const cdn_json_obj_t *o, const char *key, artifact_part_fn fn,
                         cdn_artifact_spec_t *a)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    size_t p = cdn_json_key(&c->j, key);
    TRY(fn(c, j, a));
    cdn_json_pop(&c->j, p);
    return 0;
}

static int read_artifact_tiers(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    return read_tiers(c, j, a->tiers, &a->ntiers);
}

static int read_artifact(ctx_t *c, const cJSON *e, cdn_artifact_spec_t *a)
{
    const cdn_sim_spec_t *sim = &c->s->sim;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_artifact, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_artifact, sim, a));
    if (cdn_json_obj_get(&o, "consumers") == NULL)
        return cdn_json_missing(&c->j, "consumers");
    TRY(artifact_part(c, &o, "consumers", read_consumers, a));
    a->first_run_s = 0;
    TRY(read_time(c, &o, "first_run", 0, &a->first_run_s));
    cdn_schema_defaults(CDN_SCHEMA_SEC_cluster, sim, a);
    a->migration_start_s = INFINITY; /* never */
    TRY(artifact_part(c, &o, "cluster", read_cluster, a));
    if (a->normal_size > a->size_limit) {
        cdn_json_push(&c->j, ".normal_size");
        return cdn_json_fail(&c->j, "expected a number <= size_limit (%s), found %s",
                             cdn_json_show_num(a->size_limit).s,
                             cdn_json_show_num(a->normal_size).s);
    }
    a->latent_until_s = 0;
    TRY(read_time(c, &o, "latent_until", 0, &a->latent_until_s));
    cdn_schema_defaults(CDN_SCHEMA_SEC_distribution, sim, a);
    TRY(artifact_part(c, &o, "distribution", read_distribution, a));
    TRY(artifact_part(c, &o, "tiers", read_artifact_tiers, a));
    return artifact_part(c, &o, "rollout", read_rollout, a);
}

static int read_artifacts(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 0, SCN_MAX_ARTIFACTS, "objects", &n));
    if (n == 0)
        return 0;
    s->artifacts = sim_xcalloc(n, sizeof *s->artifacts);
    s->nartifacts = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(read_artifact(c, e, &s->artifacts[i]));
        cdn_json_pop(&c->j, p);
    }
    return CHECK_UNIQUE(c, s->artifacts, n);
}

/* "behind_proxy" / "bypass_proxy": a proxy name or null (-1). */
static int opt_proxy_or_null(ctx_t *c, const cdn_json_obj_t *o, const char *key, int32_t *out)
{
    const cdn_scenario_t *s = c->s;
    const cJSON *j = cdn_json_obj_get(o, key);
    *out = -1;
    if (j == NULL || cJSON_IsNull(j))
        return 0;
    size_t p = cdn_json_key(&c->j, key);
    if (!cJSON_IsString(j))
        return cdn_json_fail(&c->j, "expected the name of a proxy or null, found %s", cdn_json_type(j));
    TRY(RESOLVE(c, j, "a proxy", s->proxies, s->nproxies, out));
    cdn_json_pop(&c->j, p);
    return 0;
}

/* On a back edge u -> v of the depth-first search, reports the cycle
 * stack[pos] -> ... -> stack[depth] (= u) -> v (= stack[pos]). */
static int cycle_error(ctx_t *c, const size_t *stack, size_t depth, size_t v)
{
    const cdn_service_spec_t *sv = c->s->services;
    char chain[512];
    size_t pos = 0, o = 0;
    while (stack[pos] != v)
        pos++;
    chain[0] = '\0';
    for (size_t k = pos; k <= depth + 1 && o < sizeof chain; k++) {
        int w = snprintf(chain + o, sizeof chain - o, "%s'%s'", k > pos ? " -> " : "",
                         sv[k <= depth ? stack[k] : v].name);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    cdn_json_push(&c->j, "[%zu].depends_on", stack[depth]);
    return cdn_json_fail(&c->j, "expected an acyclic dependency graph, found a cycle through '%s' (%s)",
                sv[v].name, chain);
}

/* color: 0 not visited, 1 on the current path, 2 done. */
static int dfs_services(ctx_t *c, size_t u, unsigned char *color, size_t *stack, size_t depth)
{
    const cdn_service_spec_t *sv = &c->s->services[u];
    color[u] = 1;
    stack[depth] = u;
    for (size_t k = 0; k < sv->ndeps; k++) {
        size_t v = sv->deps[k];
        if (color[v] == 1)
            return cycle_error(c, stack, depth, v);
        if (color[v] == 0)
            TRY(dfs_services(c, v, color, stack, depth + 1));
    }
    color[u] = 2;
    return 0;
}

/* Three passes: each service's own keys (and the shape of depends_on);
 * then, with every name known, the depends_on references; then cycles. */
static int read_services(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    const cJSON *deps[SCN_MAX_SERVICES] = {NULL};
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 0, SCN_MAX_SERVICES, "objects", &n));
    if (n == 0)
        return 0;
    s->services = sim_xcalloc(n, sizeof *s->services);
    s->nservices = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_service_spec_t *sv = &s->services[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_service, &o));
        TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_service, &s->sim, sv));
        TRY(opt_proxy_or_null(c, &o, "behind_proxy", &sv->behind_proxy));
        TRY(opt_proxy_or_null(c, &o, "bypass_proxy", &sv->bypass_proxy));
        deps[i] = cdn_json_obj_get(&o, "depends_on");
        if (deps[i] != NULL) {
            size_t q = cdn_json_push(&c->j, ".depends_on");
            TRY(cdn_json_array(&c->j, deps[i], 0, CDN_MAX_DEPS, "service names", &sv->ndeps));
            cdn_json_pop(&c->j, q);
        }
        cdn_json_pop(&c->j, p);
    }
    TRY(CHECK_UNIQUE(c, s->services, n));
    for (i = 0; i < n; i++) {
        cdn_service_spec_t *sv = &s->services[i];
        size_t k = 0;
        for (const cJSON *e = deps[i] ? deps[i]->child : NULL; e != NULL; e = e->next, k++) {
            int32_t ix = -1;
            size_t p = cdn_json_push(&c->j, "[%zu].depends_on[%zu]", i, k);
            TRY(RESOLVE(c, e, "a service", s->services, n, &ix));
            if ((size_t)ix == i)
                return cdn_json_fail(&c->j, "expected the name of another service, found %s "
                               "(a service cannot depend on itself)",
                            cdn_json_show_str(e->valuestring).s);
            for (size_t q = 0; q < k; q++) {
                if (sv->deps[q] == (uint32_t)ix)
                    return cdn_json_fail(&c->j, "expected each service once, found %s again",
                                cdn_json_show_str(e->valuestring).s);
            }
            sv->deps[k] = (uint32_t)ix;
            cdn_json_pop(&c->j, p);
        }
    }
    unsigned char color[SCN_MAX_SERVICES] = {0};
    size_t stack[SCN_MAX_SERVICES];
    for (i = 0; i < n; i++) {
        if (color[i] == 0)
            TRY(dfs_services(c, i, color, stack, 0));
    }
    return 0;
}

/* Keys of an action beyond kind, at_utc, at_s and label, and which kinds
 * take them. */
enum {
    AK_ARTIFACT = 1u << 0,
    AK_PROXY = 1u << 1,
    AK_SERVICE = 1u << 2,
    AK_DURATION = 1u << 3,
    AK_RESTART = 1u << 4,
    AK_RATE = 1u << 5,
    AK_ONLY_FAILING = 1u << 6,
    AK_CAPACITY = 1u << 7
};
static const char *const action_extra_keys[] = {"artifact",   "proxy",        "service",
                                                "duration_s", "restart_s",    "rate_per_s",
                                                "only_failing", "capacity"};
static const unsigned action_extra_allowed[CDN_ACTION_COUNT] = {
    [CDN_ACTION_STOP_GENERATION] = AK_ARTIFACT,
    [CDN_ACTION_PUSH_LAST_KNOWN_GOOD] = AK_ARTIFACT,
    [CDN_ACTION_RESTART_PROXIES] =
        AK_PROXY | AK_DURATION | AK_RESTART | AK_RATE | AK_ONLY_FAILING,
    [CDN_ACTION_BYPASS_SERVICE] = AK_SERVICE,
    [CDN_ACTION_KILL_SWITCH] = AK_ARTIFACT,
    [CDN_ACTION_FAIL_SERVICE] = AK_SERVICE | AK_DURATION,
    [CDN_ACTION_SCALE_SERVICE] = AK_SERVICE | AK_CAPACITY,
};

static const char *const action_keys[] = {"kind",     "at_utc",  "at_s",    "after",
                                          "delay_s",  "label",   "artifact", "proxy",
                                          "service",  "duration_s", "restart_s",
                                          "rate_per_s", "only_failing", "capacity"};

static int reject_extra_keys(ctx_t *c, const cdn_json_obj_t *o, cdn_action_kind_t kind)
{
    unsigned allowed = action_extra_allowed[kind];
    for (size_t k = 0; k < ARRAY_LEN(action_extra_keys); k++) {
        if ((allowed & (1u << k)) || cdn_json_obj_get(o, action_extra_keys[k]) == NULL)
            continue;
        char list[200] = "kind, at_utc, at_s, after, delay_s, label";
        for (size_t q = 0; q < ARRAY_LEN(action_extra_keys); q++) {
            if (allowed & (1u << q)) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, ", %s", action_extra_keys[q]);
            }
        }
        cdn_json_key(&c->j, action_extra_keys[k]);
        return cdn_json_fail(&c->j, "key not allowed for kind \"%s\" (allowed: %s, notes)",
                    cdn_action_name(kind), list);
    }
    return 0;
}

/* The reference `key` of an action of `kind`; *out stays as is (-1) when
 * optional and absent. */
static int action_ref(ctx_t *c, const cdn_json_obj_t *o, cdn_action_kind_t kind, const char *key,
                      int required, const char *what, const void *base, size_t n, size_t stride,
                      int32_t *out)
{
    const cJSON *ref = cdn_json_obj_get(o, key);
    if (ref == NULL)
        return required ? cdn_json_fail(&c->j, "missing required key \"%s\" (for kind \"%s\")", key,
                               cdn_action_name(kind))
                        : 0;
    size_t p = cdn_json_key(&c->j, key);
    TRY(resolve_ref(c, ref, what, base, n, stride, out));
    cdn_json_pop(&c->j, p);
    return 0;
}

static int read_action(ctx_t *c, const cJSON *j, cdn_action_spec_t *a)
{
    const cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    TRY(cdn_json_obj_open(&c->j, j, action_keys, ARRAY_LEN(action_keys), &o));
    if (cdn_json_obj_get(&o, "kind") == NULL)
        return cdn_json_missing(&c->j, "kind");
    int kind = 0;
    TRY(cdn_json_opt_enum(&c->j, &o, "kind", action_names, ARRAY_LEN(action_names), &kind));
    a->kind = (cdn_action_kind_t)kind;
    TRY(reject_extra_keys(c, &o, a->kind));
    /* either a time ("at_utc"/"at_s") or a trigger ("after", "delay_s") */
    a->trigger = CDN_TRIGGER_TIME;
    a->delay_s = 0;
    if (cdn_json_obj_get(&o, "after") != NULL) {
        if (cdn_json_obj_get(&o, "at_utc") != NULL || cdn_json_obj_get(&o, "at_s") != NULL)
            return cdn_json_fail(&c->j, "expected either a time (\"at_utc\" or \"at_s\") or \"after\", "
                           "found both");
        int trig = 0;
        TRY(cdn_json_opt_enum(&c->j, &o, "after", trigger_names + 1, ARRAY_LEN(trigger_names) - 1, &trig));
        a->trigger = (cdn_trigger_t)(trig + 1);
        TRY(cdn_json_opt_num(&c->j, &o, "delay_s", R_GE(0), &a->delay_s));
        a->at_s = INFINITY;
    } else {
        if (cdn_json_obj_get(&o, "delay_s") != NULL) {
            cdn_json_push(&c->j, ".delay_s");
            return cdn_json_fail(&c->j, "key allowed only with \"after\"");
        }
        if (cdn_json_obj_get(&o, "at_utc") == NULL && cdn_json_obj_get(&o, "at_s") == NULL)
            return cdn_json_fail(&c->j, "missing required key \"at_utc\", \"at_s\" or \"after\"");
        TRY(read_time(c, &o, "at", 1, &a->at_s));
    }

    const char *label = cdn_action_name(a->kind);
    TRY(cdn_json_opt_str(&c->j, &o, "label", &label));
    if (strlen(label) >= CDN_NAME_MAX) {
        cdn_json_push(&c->j, ".label");
        return cdn_json_fail(&c->j, "expected a string of at most %d bytes, found %s", CDN_NAME_MAX - 1,
                    cdn_json_show_str(label).s);
    }
    memcpy(a->label, label, strlen(label) + 1);

    a->artifact = a->proxy = a->service = -1;
    a->duration_s = 0;
    a->restart_s = 0;
    unsigned allowed = action_extra_allowed[a->kind];
    if (allowed & AK_ARTIFACT)
        TRY(action_ref(c, &o, a->kind, "artifact", 1, "an artifact", s->artifacts, s->nartifacts,
                       sizeof *s->artifacts, &a->artifact));
    if (allowed & AK_SERVICE)
        TRY(action_ref(c, &o, a->kind, "service", 1, "a service", s->services, s->nservices,
                       sizeof *s->services, &a->service));
    if (allowed & AK_PROXY) {
        TRY(action_ref(c, &o, a->kind, "proxy", 0, "a proxy", s->proxies, s->nproxies,
                       sizeof *s->proxies, &a->proxy));
        a->restart_s = 60;
        TRY(cdn_json_opt_num(&c->j, &o, "restart_s", R_GE(0), &a->restart_s));
        a->rate_per_s = 0;
        TRY(cdn_json_opt_num(&c->j, &o, "rate_per_s", R_GE(0), &a->rate_per_s));
        TRY(cdn_json_opt_bool(&c->j, &o, "only_failing", &a->only_failing));
        if (a->rate_per_s > 0 && cdn_json_obj_get(&o, "duration_s") != NULL)
            return cdn_json_fail(&c->j, "expected at most one of \"duration_s\" and \"rate_per_s\", found both");
    }
    if (allowed & AK_CAPACITY) {
        if (cdn_json_obj_get(&o, "capacity") == NULL)
            return cdn_json_fail(&c->j, "missing required key \"capacity\" (for kind \"%s\")",
                        cdn_action_name(a->kind));
        TRY(cdn_json_opt_num(&c->j, &o, "capacity", R_GE(0), &a->capacity));
    }
    if (allowed & AK_DURATION) {
        if (a->kind == CDN_ACTION_FAIL_SERVICE && cdn_json_obj_get(&o, "duration_s") == NULL)
            return cdn_json_fail(&c->j, "missing required key \"duration_s\" (for kind \"%s\")",
                        cdn_action_name(a->kind));
        TRY(cdn_json_opt_num(&c->j, &o, "duration_s", R_GE(0), &a->duration_s));
    }
    if (a->trigger == CDN_TRIGGER_DETECTION && !s->detection.enabled) {
        cdn_json_push(&c->j, ".after");
        return cdn_json_fail(&c->j, "expected \"$.operators.detection\" for an action after detection");
    }
    if (a->trigger == CDN_TRIGGER_DIAGNOSIS && !s->detection.diagnosis) {
        cdn_json_push(&c->j, ".after");
        return cdn_json_fail(&c->j, "expected \"$.operators.diagnosis\" for an action after diagnosis");
    }
    return 0;
}

typedef struct at_ix {
    double at_s;
    size_t ix;
} at_ix_t;

static int cmp_at_ix(const void *a, const void *b)
{
    const at_ix_t *x = a, *y = b;
    if (x->at_s != y->at_s)
        return x->at_s < y->at_s ? -1 : 1;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Stable sort by at_s: qsort on (at_s, file index). */
static void sort_actions(cdn_scenario_t *s)
{
    size_t n = s->nactions;
    at_ix_t *order = sim_xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (at_ix_t){s->actions[i].at_s, i};
    qsort(order, n, sizeof *order, cmp_at_ix);
    cdn_action_spec_t *sorted = sim_xmalloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = s->actions[order[i].ix];
    free(order);
    free(s->actions);
    s->actions = sorted;
}

static int read_actions(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 0, SCN_MAX_ACTIONS, "objects", &n));
    if (n == 0)
        return 0;
    s->actions = sim_xcalloc(n, sizeof *s->actions);
    s->nactions = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(read_action(c, e, &s->actions[i]));
        cdn_json_pop(&c->j, p);
    }
    sort_actions(s);
    return 0;
}

static int read_detection(ctx_t *c, const cJSON *j)
{
    cdn_detection_spec_t *d = &c->s->detection;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_detection, &o));
    d->enabled = 1;
    return cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_detection, &c->s->sim, d);
}

static int read_diagnosis(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    cdn_detection_spec_t *d = &s->detection;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_diagnosis, &o));
    d->diagnosis = 1;
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_diagnosis, &s->sim, d));
    const cJSON *ms = cdn_json_obj_get(&o, "misleading_services");
    if (ms != NULL) {
        size_t p = cdn_json_push(&c->j, ".misleading_services"), n = 0, i = 0;
        TRY(cdn_json_array(&c->j, ms, 0, CDN_MAX_DEPS, "service names", &n));
        for (const cJSON *e = ms->child; e != NULL; e = e->next, i++) {
            int32_t ix = -1;
            size_t q = cdn_json_push(&c->j, "[%zu]", i);
            TRY(RESOLVE(c, e, "a service", s->services, s->nservices, &ix));
            d->misleading[i] = (uint32_t)ix;
            cdn_json_pop(&c->j, q);
        }
        d->nmisleading = n;
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

static int read_operators(ctx_t *c, const cJSON *j)
{
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_operators, &o));
    TRY(section(c, &o, "detection", 0, read_detection));
    if (cdn_json_obj_get(&o, "diagnosis") != NULL && !c->s->detection.enabled) {
        cdn_json_push(&c->j, ".diagnosis");
        return cdn_json_fail(&c->j, "expected \"$.operators.detection\" too: diagnosis follows detection");
    }
    TRY(section(c, &o, "diagnosis", 0, read_diagnosis));
    return section(c, &o, "actions", 0, read_actions);
}

static int read_metrics(ctx_t *c, const cJSON *j)
{
    cdn_metrics_spec_t *m = &c->s->metrics;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_metrics, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_metrics, &c->s->sim, m));
    /* resolved <= impact <= major; blame a key the file gave. */
    if (m->impact_threshold_frac > m->major_threshold_frac) {
        if (cdn_json_obj_get(&o, "major_threshold_frac") != NULL) {
            cdn_json_push(&c->j, ".major_threshold_frac");
            return cdn_json_fail(&c->j, "expected a number >= impact_threshold_frac (%s), found %s",
                        cdn_json_show_num(m->impact_threshold_frac).s,
                        cdn_json_show_num(m->major_threshold_frac).s);
        }
        cdn_json_push(&c->j, ".impact_threshold_frac");
        return cdn_json_fail(&c->j, "expected a number <= major_threshold_frac (%s), found %s",
                    cdn_json_show_num(m->major_threshold_frac).s, cdn_json_show_num(m->impact_threshold_frac).s);
    }
    if (m->resolved_threshold_frac > m->impact_threshold_frac) {
        if (cdn_json_obj_get(&o, "resolved_threshold_frac") != NULL) {
            cdn_json_push(&c->j, ".resolved_threshold_frac");
            return cdn_json_fail(&c->j, "expected a number <= impact_threshold_frac (%s), found %s",
                        cdn_json_show_num(m->impact_threshold_frac).s,
                        cdn_json_show_num(m->resolved_threshold_frac).s);
        }
        cdn_json_push(&c->j, ".impact_threshold_frac");
        return cdn_json_fail(&c->j, "expected a number >= resolved_threshold_frac (%s), found %s",
                    cdn_json_show_num(m->resolved_threshold_frac).s,
                    cdn_json_show_num(m->impact_threshold_frac).s);
    }
    return 0;
}

/* The calibration-target reader below (CDN_CAL_MAP to
 * read_calibration_targets) is kept as it was written: another branch
 * replaces it with a measure map.  These names map its calls onto the
 * shared reader (scenario/cdn_json.h); they go when it goes. */
typedef cdn_json_obj_t obj_t;
#define obj_open(c, ...) cdn_json_obj_open(&(c)->j, __VA_ARGS__)
#define obj_get cdn_json_obj_get
#define missing(c, ...) cdn_json_missing(&(c)->j, __VA_ARGS__)
#define fail(c, ...) cdn_json_fail(&(c)->j, __VA_ARGS__)
#define path_push(c, ...) cdn_json_push(&(c)->j, __VA_ARGS__)
#define path_key(c, ...) cdn_json_key(&(c)->j, __VA_ARGS__)
#define path_pop(c, ...) cdn_json_pop(&(c)->j, __VA_ARGS__)
#define check_array(c, ...) cdn_json_array(&(c)->j, __VA_ARGS__)
#define opt_str(c, ...) cdn_json_opt_str(&(c)->j, __VA_ARGS__)
#define opt_enum(c, ...) cdn_json_opt_enum(&(c)->j, __VA_ARGS__)
#define opt_num(c, ...) cdn_json_opt_num(&(c)->j, __VA_ARGS__)
#define opt_bool(c, ...) cdn_json_opt_bool(&(c)->j, __VA_ARGS__)

#define CDN_X_NAME3(e, s, t) s,
static const char *const cal_names[] = {CDN_CAL_MAP(CDN_X_NAME3)};
#undef CDN_X_NAME3
#define CDN_X_TIME3(e, s, t) t,
static const int cal_is_time[] = {CDN_CAL_MAP(CDN_X_TIME3)};
#undef CDN_X_TIME3

const char *cdn_cal_metric_name(cdn_cal_metric_t m)
{
    return (unsigned)m < CDN_CAL_COUNT ? cal_names[m] : "?";
}

int cdn_cal_metric_is_time(cdn_cal_metric_t m)
{
    return (unsigned)m < CDN_CAL_COUNT ? cal_is_time[m] : 0;
}

static const char *const target_keys[] = {"name",     "metric",   "service", "from_utc",
                                          "from_s",   "to_utc",   "to_s",    "target_utc",
                                          "target_s", "target",   "fitted",  "source"};

static int read_target(ctx_t *c, const cJSON *j, cdn_cal_target_spec_t *t)
{
    const cdn_scenario_t *s = c->s;
    obj_t o;
    TRY(obj_open(c, j, target_keys, ARRAY_LEN(target_keys), &o));
    const char *name = NULL;
    if (obj_get(&o, "name") == NULL)
        return missing(c, "name");
    TRY(opt_str(c, &o, "name", &name));
    snprintf(t->name, sizeof t->name, "%s", name);
    if (obj_get(&o, "metric") == NULL)
        return missing(c, "metric");
    int m = 0;
    TRY(opt_enum(c, &o, "metric", cal_names, ARRAY_LEN(cal_names), &m));
    t->metric = (cdn_cal_metric_t)m;
    t->service = -1;
    int needs_service = t->metric == CDN_CAL_SERVICE_MEAN || t->metric == CDN_CAL_SERVICE_MIN;
    const cJSON *sv = obj_get(&o, "service");
    if (needs_service && sv == NULL)
        return fail(c, "missing required key \"service\" (for metric \"%s\")", cal_names[m]);
    if (sv != NULL) {
        if (!needs_service) {
            path_push(c, ".service");
            return fail(c, "key allowed only for the service metrics");
        }
        size_t p = path_key(c, "service");
        TRY(RESOLVE(c, sv, "a service", s->services, s->nservices, &t->service));
        path_pop(c, p);
    }
    t->from_s = 0;
    t->to_s = s->sim.duration_s;
    TRY(read_time(c, &o, "from", 0, &t->from_s));
    TRY(read_time(c, &o, "to", 0, &t->to_s));
    if (t->to_s < t->from_s)
        return fail(c, "expected \"to\" at or after \"from\"");
    t->has_target = 0;
    if (cdn_cal_metric_is_time(t->metric)) {
        if (obj_get(&o, "target") != NULL) {
            path_push(c, ".target");
            return fail(c, "expected \"target_utc\" or \"target_s\" for a time metric");
        }
        double v = NAN;
        TRY(read_time(c, &o, "target", 0, &v));
        t->has_target = !isnan(v);
        t->target = v;
    } else {
        if (obj_get(&o, "target_utc") != NULL || obj_get(&o, "target_s") != NULL)
            return fail(c, "expected \"target\" (a number) for metric \"%s\"", cal_names[m]);
        if (obj_get(&o, "target") != NULL) {
            TRY(opt_num(c, &o, "target", R_GE(0), &t->target));
            t->has_target = 1;
        }
    }
    TRY(opt_bool(c, &o, "fitted", &t->fitted));
    const char *src = "";
    TRY(opt_str(c, &o, "source", &src));
    snprintf(t->source, sizeof t->source, "%s", src);
    return 0;
}

static int read_calibration_targets(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(check_array(c, j, 0, 256, "objects", &n));
    if (n == 0)
        return 0;
    s->targets = sim_xcalloc(n, sizeof *s->targets);
    s->ntargets = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = path_push(c, "[%zu]", i);
        TRY(read_target(c, e, &s->targets[i]));
        path_pop(c, p);
    }
    return 0;
}

#undef obj_open
#undef obj_get
#undef missing
#undef fail
#undef path_push
#undef path_key
#undef path_pop
#undef check_array
#undef opt_str
#undef opt_enum
#undef opt_num
#undef opt_bool

/* Earlier named sites (by name) that this one needs; index = its own. */
static int read_site_deps(ctx_t *c, const cJSON *deps, cdn_named_site_spec_t *ns, size_t index)
{
    const cdn_scenario_t *s = c->s;
    size_t k = 0;
    TRY(cdn_json_array(&c->j, deps, 0, CDN_MAX_DEPS, "names of earlier named sites", &ns->nsite_deps));
    for (const cJSON *e = deps->child; e != NULL; e = e->next, k++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", k);
        int32_t ix = -1;
        if (!cJSON_IsString(e))
            return cdn_json_fail(&c->j, "expected the name of an earlier named site, found %s", cdn_json_found(e).s);
        for (size_t q = 0; q < index; q++)
            if (strcmp(s->sites.named[q].name, e->valuestring) == 0)
                ix = (int32_t)q;
        if (ix < 0)
            return cdn_json_fail(&c->j, "expected the name of a named site listed before this one, found %s",
                        cdn_json_found(e).s);
        ns->site_deps[k] = (uint32_t)ix;
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

static int read_named_site(ctx_t *c, const cJSON *j, cdn_named_site_spec_t *ns, size_t index)
{
    const cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_named, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_named, &s->sim, ns));
    const cJSON *pl = cdn_json_obj_get(&o, "plan"), *px = cdn_json_obj_get(&o, "proxy");
    if (pl == NULL)
        return cdn_json_missing(&c->j, "plan");
    if (px == NULL)
        return cdn_json_missing(&c->j, "proxy");
    int32_t ix = -1;
    size_t p = cdn_json_key(&c->j, "plan");
    TRY(RESOLVE(c, pl, "a plan", s->sites.plans, s->sites.nplans, &ix));
    cdn_json_pop(&c->j, p);
    ns->plan = (uint32_t)ix;
    p = cdn_json_key(&c->j, "proxy");
    TRY(RESOLVE(c, px, "a proxy", s->proxies, s->nproxies, &ix));
    cdn_json_pop(&c->j, p);
    ns->proxy = (uint32_t)ix;
    if (ns->bot_block_rules && !ns->bot_management) {
        cdn_json_push(&c->j, ".bot_block_rules");
        return cdn_json_fail(&c->j, "expected bot_management too: blocking rules use bot scores");
    }
    const cJSON *deps = cdn_json_obj_get(&o, "depends_on");
    if (deps != NULL) {
        size_t q = cdn_json_push(&c->j, ".depends_on"), k = 0;
        TRY(cdn_json_array(&c->j, deps, 0, CDN_MAX_DEPS, "service names", &ns->ndeps));
        for (const cJSON *e = deps->child; e != NULL; e = e->next, k++) {
            size_t r = cdn_json_push(&c->j, "[%zu]", k);
            TRY(RESOLVE(c, e, "a service", s->services, s->nservices, &ix));
            ns->deps[k] = (uint32_t)ix;
            cdn_json_pop(&c->j, r);
        }
        cdn_json_pop(&c->j, q);
    }
    const cJSON *sdeps = cdn_json_obj_get(&o, "depends_on_sites");
    if (sdeps != NULL) {
        size_t q = cdn_json_push(&c->j, ".depends_on_sites");
        TRY(read_site_deps(c, sdeps, ns, index));
        cdn_json_pop(&c->j, q);
    }
    return 0;
}

static int read_named_sites(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(cdn_json_array(&c->j, j, 0, 256, "objects", &n));
    if (n == 0)
        return 0;
    s->sites.named = sim_xcalloc(n, sizeof *s->sites.named);
    s->sites.nnamed = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        TRY(read_named_site(c, e, &s->sites.named[i], i));
        cdn_json_pop(&c->j, p);
    }
    TRY(CHECK_UNIQUE(c, s->sites.named, n));
    /* a plan's named sites carry part of its traffic, not more */
    for (size_t pl = 0; pl < s->sites.nplans; pl++) {
        double sum = 0;
        for (i = 0; i < n; i++)
            if (s->sites.named[i].plan == pl)
                sum += s->sites.named[i].traffic_share;
        if (sum > s->sites.plans[pl].traffic_share + 1e-9)
            return cdn_json_fail(&c->j, "expected the named sites of plan \"%s\" to carry at most its "
                           "traffic_share (%s), found %s",
                        s->sites.plans[pl].name, cdn_json_show_num(s->sites.plans[pl].traffic_share).s,
                        cdn_json_show_num(sum).s);
    }
    return 0;
}

static int read_calibration(ctx_t *c, const cJSON *j)
{
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_calibration, &o));
    return section(c, &o, "targets", 0, read_calibration_targets);
}

/* The timeline (bins x (regions + services)) fits SCN_MAX_TIMELINE; bins
 * are counted as cdn_world counts them. */
static int check_timeline(ctx_t *c)
{
    const cdn_scenario_t *s = c->s;
    double bins = ceil(s->sim.duration_s / s->sim.bin_s - 1e-9);
    if (bins < 1)
        bins = 1;
    double cells = bins * (double)(s->nregions + s->nservices);
    if (cells <= SCN_MAX_TIMELINE)
        return 0;
    size_t p = cdn_json_push(&c->j, ".simulation.bin_s");
    int rc = cdn_json_fail(&c->j, "expected a bin width with at most %.0f timeline cells (bins x "
                     "(regions + services)), found %s s: %.0f bins x %zu = %.4g cells",
                  SCN_MAX_TIMELINE, cdn_json_show_num(s->sim.bin_s).s, bins,
                  s->nregions + s->nservices, cells);
    cdn_json_pop(&c->j, p);
    return rc;
}

static int read_scenario(ctx_t *c, const cJSON *root)
{
    cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    TRY(cdn_schema_open(&c->j, root, CDN_SCHEMA_SEC_top, &o));
    TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_top, &s->sim, s));
    const char *description = NULL;
    TRY(cdn_json_opt_str(&c->j, &o, "description", &description));
    if (description != NULL)
        s->description = sim_xstrdup(description);
    TRY(section(c, &o, "sources", 0, read_sources));
    TRY(section(c, &o, "simulation", 1, read_simulation));
    TRY(section(c, &o, "traffic", 1, read_traffic));
    TRY(section(c, &o, "regions", 1, read_regions));
    TRY(section(c, &o, "proxies", 1, read_proxies));
    TRY(section(c, &o, "sites", 1, read_sites));
    TRY(section(c, &o, "artifacts", 0, read_artifacts));
    TRY(section(c, &o, "services", 0, read_services));
    TRY(check_timeline(c));
    if (c->named_ref != NULL) {
        size_t p = cdn_json_push(&c->j, ".sites.named");
        TRY(read_named_sites(c, c->named_ref));
        cdn_json_pop(&c->j, p);
    }
    if (c->control_plane_ref != NULL) {
        size_t p = cdn_json_push(&c->j, ".sites.control_plane_service");
        TRY(RESOLVE(c, c->control_plane_ref, "a service", s->services, s->nservices,
                    &s->sites.control_plane_service));
        cdn_json_pop(&c->j, p);
    }
    TRY(section(c, &o, "operators", 0, read_operators));
    cdn_schema_defaults(CDN_SCHEMA_SEC_metrics, &s->sim, &s->metrics);
    TRY(section(c, &o, "metrics", 0, read_metrics));
    return section(c, &o, "calibration", 0, read_calibration);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

int cdn_scenario_from_tree(const cJSON *root, const char *file, const char *path,
                           cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    ctx_t c = {0};
    cdn_scenario_t *s = NULL;
    int rc;

    if (err == NULL)
        err = &local;
    err->code = CDN_OK;
    err->msg[0] = '\0';
    *out = NULL;
    s = sim_xcalloc(1, sizeof *s);
    s->path = sim_xstrdup(path);
    cdn_json_ctx_init(&c.j, file, err);
    c.s = s;
    rc = read_scenario(&c, root);
    if (rc != 0) {
        cdn_scenario_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

int cdn_scenario_parse(const char *text, size_t len, const char *path, cdn_scenario_t **out,
                       cdn_error_t *err)
{
    cdn_error_t local;
    cJSON *root = NULL;

    if (err == NULL)
        err = &local;
    err->code = CDN_OK;
    err->msg[0] = '\0';
    *out = NULL;
    if (path == NULL)
        path = "(string)";
    int rc = cdn_json_parse(text, len, path, &root, err);
    if (rc == 0)
        rc = cdn_scenario_from_tree(root, path, path, out, err);
    cJSON_Delete(root);
    return rc;
}

int cdn_scenario_load(const char *path, cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    char *text = NULL;
    size_t len = 0;

    if (err == NULL)
        err = &local;
    *out = NULL;
    int rc = cdn_json_read_file(path, &text, &len, err);
    if (rc == 0)
        rc = cdn_scenario_parse(text, len, path, out, err);
    free(text);
    return rc;
}


void cdn_scenario_destroy(cdn_scenario_t *s)
{
    if (s == NULL)
        return;
    free(s->description);
    free(s->path);
    free(s->regions);
    free(s->proxies);
    free(s->sites.plans);
    free(s->sites.named);
    free(s->artifacts);
    free(s->services);
    free(s->actions);
    free(s->targets);
    free(s);
}
