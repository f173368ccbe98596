/*
 * cdn_scenario.c -- a JSON scenario file turned into a validated
 * cdn_scenario_t (format: docs/scenario-format.md).
 *
 * Design
 *   The file is parsed by cJSON into a tree (cJSON_ParseWithLengthOpts, so
 *   the position of a syntax error comes back through `end` and the global
 *   cJSON_GetErrorPtr() is never read).  The tree is then walked once, one
 *   reader per JSON object, in dependency order rather than file order:
 *   simulation (start time, needed by every "_utc" key), traffic (default
 *   step is bin_s), regions, proxies, sites (proxy_mix names proxies),
 *   artifacts (consumers), services (depends_on), operators (name artifacts,
 *   proxies, services), metrics.  The first error stops the walk.
 *
 *   Every reader works on an obj_t: obj_open() checks that the value is an
 *   object, that each key is one of the reader's keys or "notes", and that
 *   no key appears twice, and records the value of each known key.  Readers
 *   then fetch keys with obj_get(); absent keys keep the default the reader
 *   wrote before.  So "unknown key", "duplicate key" and "missing key" are
 *   each decided in one place.
 *
 *   The JSON path of the value being read lives in ctx_t.path: readers
 *   append ".key" (path_key, which also keeps a key from the file on one
 *   line) or "[i]" (path_push) and cut it back (path_pop) when the value
 *   was good.  fail() formats "FILE: PATH: expected WHAT, found WHAT".
 *   After an error the path is left as it is: the walk is over.
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
 *   - cJSON_GetObjectItem per key: would not see duplicate or unknown keys.
 *   - cJSON_GetErrorPtr: a process-wide pointer, racy when scenarios are
 *     loaded in parallel threads.
 *   - timegm()/TZ juggling for the UTC times: non-standard or touches the
 *     process environment; days_from_civil() is exact and pure.
 *   - A hash set for unique names: sorting is simpler and fast enough at
 *     this size, and it gives a deterministic "first duplicate" report.
 */
#include "cdn_scenario.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

#define SCN_FILE_MAX ((size_t)64 << 20) /* larger files are rejected */
#define SCN_SUM_TOL 1e-6                /* tolerance of "sums to 1" */
#define SCN_MAX_REGIONS 100000
#define SCN_MAX_PLANS 64
#define SCN_MAX_ARTIFACTS 16
#define SCN_MAX_SERVICES 64
#define SCN_MAX_ACTIONS 10000
#define SCN_MAX_DURATION_S 2592000.0 /* 30 days */
#define SCN_MAX_SEED 9007199254740992.0 /* 2^53: every seed is exact in JSON */
/* Resource limits, so that no valid file makes a run abort for memory or
 * loop without end: servers in all regions; timeline cells, bins x
 * (regions + services); and how often a periodic event may recur over
 * the simulated span (a period of duration_s / SCN_MAX_REPEATS at least). */
#define SCN_MAX_SERVERS 10000000.0
#define SCN_MAX_TIMELINE 4000000.0
#define SCN_MAX_REPEATS 10000000.0
#define SCN_SHOW_MAX 40                 /* bytes of a string value shown in a message */
#define OBJ_MAX_KEYS 16

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Propagates a non-zero (error) result.  Only used where nothing needs
 * cleaning up; the error path is the caller's. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int try_rc_ = (expr);                                                                      \
        if (try_rc_ != 0)                                                                          \
            return try_rc_;                                                                        \
    } while (0)

#if defined(__GNUC__)
#define SCN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SCN_PRINTF(f, a)
#endif

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
    const char *file;  /* name used in messages */
    cdn_error_t *err;  /* never NULL here */
    cdn_scenario_t *s; /* being filled */
    size_t plen;       /* strlen(path) */
    char path[384];    /* JSON path of the value being read, "$..." */
    const cJSON *control_plane_ref; /* $.sites.control_plane_service, resolved after services */
    const cJSON *named_ref;         /* $.sites.named, read after services */
} ctx_t;

/* A short text shown in a message ("a string", "in (0, 1]", "\"foo\""). */
typedef struct shown {
    char s[2 * SCN_SHOW_MAX + sizeof "\"...\""]; /* every byte escaped, quotes, "..." */
} shown_t;

/* A number as shown in a message (at most 24 characters). */
typedef struct num {
    char s[32];
} num_t;

SCN_PRINTF(2, 3) static size_t path_push(ctx_t *c, const char *fmt, ...)
{
    size_t old = c->plen;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + old, sizeof c->path - old, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

/* Appends ".key"; keys come from the file, so control characters are
 * shown as '?' (messages are one line) and long keys are cut. */
static size_t path_key(ctx_t *c, const char *key)
{
    size_t old = c->plen, o = old;
    if (o + 1 < sizeof c->path)
        c->path[o++] = '.';
    for (size_t i = 0; key[i] != '\0' && i < 2 * SCN_SHOW_MAX && o + 1 < sizeof c->path; i++) {
        unsigned char ch = (unsigned char)key[i];
        c->path[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    c->path[o] = '\0';
    c->plen = o;
    return old;
}

static void path_pop(ctx_t *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

SCN_PRINTF(2, 3) static int fail(ctx_t *c, const char *fmt, ...)
{
    char *msg = c->err->msg;
    int n = snprintf(msg, sizeof c->err->msg, "%s: %s: ", c->file, c->path);
    if (n >= 0 && (size_t)n < sizeof c->err->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof c->err->msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    c->err->code = CDN_EDATA;
    return CDN_EDATA;
}

const char *cdn_json_type(const cJSON *j)
{
    if (cJSON_IsObject(j))
        return "an object";
    if (cJSON_IsArray(j))
        return "an array";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNull(j))
        return "null";
    return "an invalid value";
}

/* Shortest of %.15g / %.17g that reads back as v. */
static num_t show_num(double v)
{
    num_t r;
    snprintf(r.s, sizeof r.s, "%.15g", v);
    if (isfinite(v) && strtod(r.s, NULL) != v)
        snprintf(r.s, sizeof r.s, "%.17g", v);
    return r;
}

/* s quoted, truncated to SCN_SHOW_MAX bytes (on a UTF-8 boundary), with
 * quotes, backslashes and control characters made visible. */
static shown_t show_str(const char *s)
{
    shown_t r;
    size_t o = 0, i = 0;
    r.s[o++] = '"';
    for (; s[i] != '\0' && i < SCN_SHOW_MAX; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            r.s[o++] = '?';
        } else {
            if (ch == '"' || ch == '\\')
                r.s[o++] = '\\';
            r.s[o++] = (char)ch;
        }
    }
    if (s[i] != '\0') {
        while (o > 1 && ((unsigned char)r.s[o - 1] & 0xC0) == 0x80) /* continuation bytes */
            o--;
        if (o > 1 && (unsigned char)r.s[o - 1] >= 0xC0) /* lead byte of a cut sequence */
            o--;
        memcpy(r.s + o, "...", 3);
        o += 3;
    }
    r.s[o++] = '"';
    r.s[o] = '\0';
    return r;
}

/* What was found where something else was expected: a string's value, the
 * type of anything else (numbers are shown by check_num). */
static shown_t found(const cJSON *j)
{
    shown_t r;
    if (cJSON_IsString(j))
        return show_str(j->valuestring);
    snprintf(r.s, sizeof r.s, "%s", cdn_json_type(j));
    return r;
}

static int missing(ctx_t *c, const char *key)
{
    return fail(c, "missing required key \"%s\"", key);
}

/* "a, b, c" (quoted: "\"a\", \"b\"") into buf. */
static void join(char *buf, size_t n, const char *const *names, size_t count, int quoted)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && o < n; i++) {
        int w = snprintf(buf + o, n - o, quoted ? "%s\"%s\"" : "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* ------------------------------------------------------------------------ */
/* Objects with a fixed set of keys                                          */

typedef struct obj {
    const char *const *keys; /* allowed keys besides "notes" */
    size_t nkeys;
    const cJSON *val[OBJ_MAX_KEYS]; /* value of keys[k], or NULL if absent */
} obj_t;

/* "notes": a string or an array of strings. */
static int check_notes(ctx_t *c, const cJSON *j)
{
    if (cJSON_IsString(j))
        return 0;
    if (!cJSON_IsArray(j))
        return fail(c, "expected a string or an array of strings, found %s", cdn_json_type(j));
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            path_push(c, "[%zu]", i);
            return fail(c, "expected a string, found %s", cdn_json_type(e));
        }
    }
    return 0;
}

static int obj_open(ctx_t *c, const cJSON *j, const char *const *keys, size_t nkeys, obj_t *o)
{
    if (!cJSON_IsObject(j))
        return fail(c, "expected an object, found %s", cdn_json_type(j));
    assert(nkeys <= OBJ_MAX_KEYS);
    memset(o, 0, sizeof *o);
    o->keys = keys;
    o->nkeys = nkeys;
    int notes_seen = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        const char *key = ch->string;
        size_t p = path_key(c, key);
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], key) != 0)
            k++;
        if (strcmp(key, "notes") == 0) {
            if (notes_seen++)
                return fail(c, "duplicate key");
            TRY(check_notes(c, ch));
        } else if (k == nkeys) {
            char list[512];
            join(list, sizeof list, keys, nkeys, 0);
            return fail(c, "unknown key (expected one of: %s%snotes)", list, nkeys ? ", " : "");
        } else if (o->val[k] != NULL) {
            return fail(c, "duplicate key");
        } else {
            o->val[k] = ch;
        }
        path_pop(c, p);
    }
    return 0;
}

static const cJSON *obj_get(const obj_t *o, const char *key)
{
    for (size_t k = 0; k < o->nkeys; k++) {
        if (strcmp(o->keys[k], key) == 0)
            return o->val[k];
    }
    return NULL; /* not reached for keys the reader declared */
}

/* Checks that j is an array of min..max elements; *n = its length. */
static int check_array(ctx_t *c, const cJSON *j, size_t min, size_t max, const char *what,
                       size_t *n)
{
    char want[96];
    if (min == 0)
        snprintf(want, sizeof want, "an array of at most %zu %s", max, what);
    else
        snprintf(want, sizeof want, "an array of %zu to %zu %s", min, max, what);
    if (!cJSON_IsArray(j))
        return fail(c, "expected %s, found %s", want, cdn_json_type(j));
    size_t len = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next)
        len++;
    if (len < min || len > max)
        return fail(c, "expected %s, found an array of %zu", want, len);
    *n = len;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

typedef struct range {
    double lo, hi;
    int lo_open, hi_open;
} range_t;

#define R_CC(a, b) ((range_t){(a), (b), 0, 0}) /* [a, b] */
#define R_OC(a, b) ((range_t){(a), (b), 1, 0}) /* (a, b] */
#define R_CO(a, b) ((range_t){(a), (b), 0, 1}) /* [a, b) */
#define R_OO(a, b) ((range_t){(a), (b), 1, 1}) /* (a, b) */
#define R_GT(a) ((range_t){(a), INFINITY, 1, 1})
#define R_GE(a) ((range_t){(a), INFINITY, 0, 1})

static int in_range(double v, range_t r)
{
    return (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
}

static shown_t show_range(range_t r)
{
    shown_t out;
    if (r.hi == INFINITY)
        snprintf(out.s, sizeof out.s, "%s %s", r.lo_open ? ">" : ">=", show_num(r.lo).s);
    else
        snprintf(out.s, sizeof out.s, "in %c%s, %s%c", r.lo_open ? '(' : '[', show_num(r.lo).s,
                 show_num(r.hi).s, r.hi_open ? ')' : ']');
    return out;
}

/* j (at the current path) must be a finite number in r, integral if asked. */
static int check_num(ctx_t *c, const cJSON *j, range_t r, int integer, double *out)
{
    const char *noun = integer ? "an integer" : "a number";
    if (!cJSON_IsNumber(j))
        return fail(c, "expected %s %s, found %s", noun, show_range(r).s, cdn_json_type(j));
    double v = j->valuedouble;
    if (!isfinite(v))
        return fail(c, "expected %s %s, found a number too large for a double", noun,
                    show_range(r).s);
    if ((integer && v != floor(v)) || !in_range(v, r))
        return fail(c, "expected %s %s, found %s", noun, show_range(r).s, show_num(v).s);
    *out = v;
    return 0;
}

static int opt_num(ctx_t *c, const obj_t *o, const char *key, range_t r, double *out)
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return 0;
    size_t p = path_key(c, key);
    TRY(check_num(c, j, r, 0, out));
    path_pop(c, p);
    return 0;
}

static int req_num(ctx_t *c, const obj_t *o, const char *key, range_t r, double *out)
{
    if (obj_get(o, key) == NULL)
        return missing(c, key);
    return opt_num(c, o, key, r, out);
}

/* Integers are read as doubles (exact up to 2^53, the largest bound). */
static int opt_int(ctx_t *c, const obj_t *o, const char *key, double lo, double hi, uint64_t *out)
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return 0;
    double v = 0;
    size_t p = path_key(c, key);
    TRY(check_num(c, j, R_CC(lo, hi), 1, &v));
    path_pop(c, p);
    *out = (uint64_t)v;
    return 0;
}

static int req_int(ctx_t *c, const obj_t *o, const char *key, double lo, double hi, uint64_t *out)
{
    if (obj_get(o, key) == NULL)
        return missing(c, key);
    return opt_int(c, o, key, lo, hi, out);
}

/* A number of o that must be >= another key's value (already read). */
static int check_ge(ctx_t *c, const char *key, double v, const char *other, double min)
{
    if (v >= min)
        return 0;
    size_t p = path_key(c, key);
    int rc = fail(c, "expected a number >= %s (%s), found %s", other, show_num(min).s,
                  show_num(v).s);
    path_pop(c, p);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Strings, names, enums, booleans                                           */

static int opt_str(ctx_t *c, const obj_t *o, const char *key, const char **out)
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return 0;
    if (!cJSON_IsString(j)) {
        path_key(c, key);
        return fail(c, "expected a string, found %s", cdn_json_type(j));
    }
    *out = j->valuestring;
    return 0;
}

/* 1 if s is well-formed UTF-8 (no overlong forms, surrogates or values
 * above U+10FFFF); cJSON passes raw bytes through unchecked. */
static int valid_utf8(const unsigned char *s)
{
    while (*s != '\0') {
        unsigned char c0 = *s;
        size_t len = c0 < 0x80 ? 1 : c0 >= 0xC2 && c0 <= 0xDF ? 2 : c0 >= 0xE0 && c0 <= 0xEF ? 3
                                 : c0 >= 0xF0 && c0 <= 0xF4 ? 4 : 0;
        if (len == 0)
            return 0;
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
        }
        if ((c0 == 0xE0 && s[1] < 0xA0) || (c0 == 0xED && s[1] > 0x9F) ||
            (c0 == 0xF0 && s[1] < 0x90) || (c0 == 0xF4 && s[1] > 0x8F))
            return 0;
        s += len;
    }
    return 1;
}

/* A name: 1..63 bytes of UTF-8 without control characters; with `strict`,
 * only [A-Za-z0-9._-] and not "." or ".." (the scenario name becomes a
 * folder). */
static int valid_name(const char *s, int strict)
{
    size_t n = strlen(s);
    if (n < 1 || n >= CDN_NAME_MAX || !valid_utf8((const unsigned char *)s))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return 0;
        if (strict && !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                        (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return !(strict && (strcmp(s, ".") == 0 || strcmp(s, "..") == 0));
}

static int req_name(ctx_t *c, const obj_t *o, const char *key, int strict, char out[CDN_NAME_MAX])
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return missing(c, key);
    size_t p = path_key(c, key);
    if (!cJSON_IsString(j) || !valid_name(j->valuestring, strict)) {
        if (strict)
            return fail(c, "expected a name of 1 to %d characters from [A-Za-z0-9._-], "
                           "not \".\" or \"..\", found %s",
                        CDN_NAME_MAX - 1, found(j).s);
        return fail(c, "expected a name of 1 to %d bytes of UTF-8 without control "
                       "characters, found %s",
                    CDN_NAME_MAX - 1, found(j).s);
    }
    memcpy(out, j->valuestring, strlen(j->valuestring) + 1);
    path_pop(c, p);
    return 0;
}

/* Leaves *out as is when the key is absent (the caller set the default). */
static int opt_enum(ctx_t *c, const obj_t *o, const char *key, const char *const *names,
                    size_t n, int *out)
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return 0;
    if (cJSON_IsString(j)) {
        for (size_t k = 0; k < n; k++) {
            if (strcmp(names[k], j->valuestring) == 0) {
                *out = (int)k;
                return 0;
            }
        }
    }
    char list[256];
    join(list, sizeof list, names, n, 1);
    path_key(c, key);
    return fail(c, "expected one of %s, found %s", list, found(j).s);
}

static int opt_bool(ctx_t *c, const obj_t *o, const char *key, int *out)
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return 0;
    if (!cJSON_IsBool(j)) {
        path_key(c, key);
        return fail(c, "expected true or false, found %s", found(j).s);
    }
    *out = cJSON_IsTrue(j) ? 1 : 0;
    return 0;
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
        return fail(c, "expected the name of %s, found %s", what, cdn_json_type(j));
    int32_t ix = find_name(base, n, stride, j->valuestring);
    if (ix < 0)
        return fail(c, "expected the name of %s, found %s", what, show_str(j->valuestring).s);
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
    path_push(c, "[%zu].name", bad);
    return fail(c, "expected a unique name, found %s again (first used at index %zu)",
                show_str((const char *)base + bad * stride).s, first);
}

#define CHECK_UNIQUE(c, arr, n) check_unique((c), (arr), (n), sizeof *(arr))

/* ------------------------------------------------------------------------ */
/* Times: "<stem>_utc" (absolute) or "<stem>_s" (offset from the start)    */

/* Reads the pair into *out (sim seconds, >= 0); with neither key present
 * *out is left as is, or the key is missing when `required`. */
static int read_time(ctx_t *c, const obj_t *o, const char *stem, int required, double *out)
{
    char kutc[32], ks[32];
    snprintf(kutc, sizeof kutc, "%s_utc", stem);
    snprintf(ks, sizeof ks, "%s_s", stem);
    const cJSON *ju = obj_get(o, kutc), *js = obj_get(o, ks);
    if (ju != NULL && js != NULL)
        return fail(c, "expected %s one of \"%s\" and \"%s\", found both",
                    required ? "exactly" : "at most", kutc, ks);
    if (ju == NULL && js == NULL)
        return required ? fail(c, "missing required key \"%s\" or \"%s\"", kutc, ks) : 0;
    if (js != NULL)
        return opt_num(c, o, ks, R_GE(0), out);
    size_t p = path_key(c, kutc);
    int64_t e = 0;
    if (!cJSON_IsString(ju) || parse_utc(ju->valuestring, &e) != 0)
        return fail(c, "expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", found %s", found(ju).s);
    if (e < c->s->sim.start_epoch_s)
        return fail(c, "expected a time at or after simulation.start_utc (%s), found %s",
                    c->s->sim.start_utc, found(ju).s);
    *out = (double)(e - c->s->sim.start_epoch_s);
    path_pop(c, p);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                  */

typedef int (*reader_fn)(ctx_t *c, const cJSON *j);

/* Runs `fn` on the value of `key` with the path extended. */
static int section(ctx_t *c, const obj_t *o, const char *key, int required, reader_fn fn)
{
    const cJSON *j = obj_get(o, key);
    if (j == NULL)
        return required ? missing(c, key) : 0;
    size_t p = path_key(c, key);
    TRY(fn(c, j));
    path_pop(c, p);
    return 0;
}

/* "sources": an object of id -> string; its keys are free, so duplicates
 * are found by sorting. */
static int read_sources(ctx_t *c, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return fail(c, "expected an object of id -> string, found %s", cdn_json_type(j));
    size_t n = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = path_key(c, ch->string);
        if (strcmp(ch->string, "notes") == 0)
            TRY(check_notes(c, ch));
        else if (!cJSON_IsString(ch))
            return fail(c, "expected a string, found %s", cdn_json_type(ch));
        path_pop(c, p);
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
    path_key(c, dup);
    return fail(c, "duplicate key");
}

/* The shortest period of an event that reschedules itself (traffic steps,
 * generator runs, alert checks, repairs, overload drains). */
static double min_period(const ctx_t *c)
{
    return c->s->sim.duration_s / SCN_MAX_REPEATS;
}

static const char *const sim_keys[] = {"start_utc", "duration_s", "bin_s", "seed"};

static int read_simulation(ctx_t *c, const cJSON *j)
{
    cdn_sim_spec_t *sim = &c->s->sim;
    obj_t o;
    TRY(obj_open(c, j, sim_keys, ARRAY_LEN(sim_keys), &o));
    const cJSON *ju = obj_get(&o, "start_utc");
    if (ju == NULL)
        return missing(c, "start_utc");
    size_t p = path_push(c, ".start_utc");
    if (!cJSON_IsString(ju) || parse_utc(ju->valuestring, &sim->start_epoch_s) != 0)
        return fail(c, "expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", found %s", found(ju).s);
    memcpy(sim->start_utc, ju->valuestring, strlen(ju->valuestring) + 1);
    path_pop(c, p);
    TRY(req_num(c, &o, "duration_s", R_OC(0, SCN_MAX_DURATION_S), &sim->duration_s));
    sim->bin_s = fmin(60.0, sim->duration_s);
    TRY(opt_num(c, &o, "bin_s", R_OC(0, sim->duration_s), &sim->bin_s));
    uint64_t seed = 1;
    TRY(opt_int(c, &o, "seed", 0, SCN_MAX_SEED, &seed));
    sim->seed = seed;
    return 0;
}

static const char *const traffic_keys[] = {"global_rps", "diurnal_amplitude",
                                           "diurnal_peak_local_h", "step_s",
                                           "baseline_err5xx_frac", "base_latency_ms",
                                           "max_retries", "retry_frac", "surge_frac",
                                           "surge_s"};

static int read_traffic(ctx_t *c, const cJSON *j)
{
    cdn_traffic_spec_t *t = &c->s->traffic;
    obj_t o;
    TRY(obj_open(c, j, traffic_keys, ARRAY_LEN(traffic_keys), &o));
    TRY(req_num(c, &o, "global_rps", R_GT(0), &t->global_rps));
    t->diurnal_amplitude = 0;
    TRY(opt_num(c, &o, "diurnal_amplitude", R_CO(0, 1), &t->diurnal_amplitude));
    t->diurnal_peak_local_h = 20;
    TRY(opt_num(c, &o, "diurnal_peak_local_h", R_CO(0, 24), &t->diurnal_peak_local_h));
    t->step_s = c->s->sim.bin_s;
    TRY(opt_num(c, &o, "step_s", R_GE(min_period(c)), &t->step_s));
    t->baseline_err5xx_frac = 0;
    TRY(opt_num(c, &o, "baseline_err5xx_frac", R_CO(0, 1), &t->baseline_err5xx_frac));
    t->base_latency_ms = 50;
    TRY(opt_num(c, &o, "base_latency_ms", R_GT(0), &t->base_latency_ms));
    uint64_t retries = 0;
    TRY(opt_int(c, &o, "max_retries", 0, 10, &retries));
    t->max_retries = (uint32_t)retries;
    t->retry_frac = 0;
    TRY(opt_num(c, &o, "retry_frac", R_CC(0, 1), &t->retry_frac));
    t->surge_frac = 0;
    TRY(opt_num(c, &o, "surge_frac", R_CC(0, 1), &t->surge_frac));
    t->surge_s = 600;
    TRY(opt_num(c, &o, "surge_s", R_GT(0), &t->surge_s));
    return 0;
}

/* The current path is the array whose elements have `key` shares. */
static int check_sum(ctx_t *c, const char *key, double sum)
{
    if (fabs(sum - 1.0) <= SCN_SUM_TOL)
        return 0;
    return fail(c, "expected %s values that sum to 1, found a sum of %s", key, show_num(sum).s);
}

static const char *const region_keys[] = {"name", "traffic_share", "utc_offset_h", "servers",
                                          "server_capacity_rps", "neighbors", "tier",
                                          "overload_drain_rho", "overload_drain_s",
                                          "latency_factor"};

/* Two passes: each region's own keys; then, with every name known, the
 * "neighbors" references (kept in nb[] between the passes). */
static int read_regions_into(ctx_t *c, const cJSON *j, size_t n, const cJSON **nb)
{
    cdn_scenario_t *s = c->s;
    double sum = 0;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_region_spec_t *r = &s->regions[i];
        obj_t o;
        size_t p = path_push(c, "[%zu]", i);
        TRY(obj_open(c, e, region_keys, ARRAY_LEN(region_keys), &o));
        TRY(req_name(c, &o, "name", 0, r->name));
        TRY(req_num(c, &o, "traffic_share", R_OC(0, 1), &r->traffic_share));
        r->utc_offset_h = 0;
        TRY(opt_num(c, &o, "utc_offset_h", R_CC(-12, 14), &r->utc_offset_h));
        uint64_t servers = 0;
        TRY(req_int(c, &o, "servers", 1, 10000000, &servers));
        r->servers = (uint32_t)servers;
        TRY(req_num(c, &o, "server_capacity_rps", R_GT(0), &r->server_capacity_rps));
        if (obj_get(&o, "tier") != NULL)
            TRY(req_name(c, &o, "tier", 0, r->tier));
        r->overload_drain_rho = 0;
        TRY(opt_num(c, &o, "overload_drain_rho", R_GE(0), &r->overload_drain_rho));
        r->overload_drain_s = 300;
        TRY(opt_num(c, &o, "overload_drain_s", R_GE(min_period(c)), &r->overload_drain_s));
        r->latency_factor = 1;
        TRY(opt_num(c, &o, "latency_factor", R_GT(0), &r->latency_factor));
        nb[i] = obj_get(&o, "neighbors");
        if (nb[i] != NULL) {
            size_t q = path_push(c, ".neighbors");
            TRY(check_array(c, nb[i], 0, CDN_MAX_NEIGHBORS, "region names", &r->nneighbors));
            path_pop(c, q);
        }
        sum += r->traffic_share;
        path_pop(c, p);
    }
    TRY(CHECK_UNIQUE(c, s->regions, n));
    double servers = 0;
    for (i = 0; i < n; i++)
        servers += s->regions[i].servers;
    if (servers > SCN_MAX_SERVERS)
        return fail(c, "expected at most %.0f servers in all regions, found %.0f",
                    SCN_MAX_SERVERS, servers);
    for (i = 0; i < n; i++) {
        size_t k = 0;
        for (const cJSON *e = nb[i] ? nb[i]->child : NULL; e != NULL; e = e->next, k++) {
            int32_t ix = -1;
            size_t p = path_push(c, "[%zu].neighbors[%zu]", i, k);
            TRY(RESOLVE(c, e, "a region", s->regions, n, &ix));
            if ((size_t)ix == i)
                return fail(c, "expected the name of another region, found %s",
                            show_str(e->valuestring).s);
            for (size_t q = 0; q < k; q++)
                if (s->regions[i].neighbors[q] == (uint32_t)ix)
                    return fail(c, "expected each region once, found %s again",
                                show_str(e->valuestring).s);
            s->regions[i].neighbors[k] = (uint32_t)ix;
            path_pop(c, p);
        }
    }
    return check_sum(c, "traffic_share", sum);
}

static int read_regions(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(check_array(c, j, 1, SCN_MAX_REGIONS, "objects", &n));
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
    TRY(check_array(c, j, 1, CDN_MAX_TIERS, "tier names", &n));
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = path_push(c, "[%zu]", i);
        if (!cJSON_IsString(e))
            return fail(c, "expected a tier name, found %s", found(e).s);
        int known = 0;
        for (size_t r = 0; r < s->nregions; r++)
            known |= s->regions[r].tier[0] && strcmp(s->regions[r].tier, e->valuestring) == 0;
        if (!known)
            return fail(c, "expected the tier of some region, found %s", found(e).s);
        for (size_t q = 0; q < i; q++)
            if (strcmp(tiers[q], e->valuestring) == 0)
                return fail(c, "expected each tier once, found %s again", found(e).s);
        snprintf(tiers[i], CDN_NAME_MAX, "%s", e->valuestring);
        path_pop(c, p);
    }
    *ntiers = n;
    return 0;
}

static const char *const proxy_keys[] = {"name", "on_bad_artifact", "scope", "affected_frac",
                                         "wedge_rate_per_h", "error_cpu_frac",
                                         "repair_rate_per_h", "tiers"};

static int read_proxies(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(check_array(c, j, 1, CDN_MAX_PROXIES, "objects", &n));
    s->proxies = sim_xcalloc(n, sizeof *s->proxies);
    s->nproxies = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_proxy_spec_t *px = &s->proxies[i];
        obj_t o;
        size_t p = path_push(c, "[%zu]", i);
        TRY(obj_open(c, e, proxy_keys, ARRAY_LEN(proxy_keys), &o));
        TRY(req_name(c, &o, "name", 0, px->name));
        if (strcmp(px->name, "notes") == 0) { /* would clash with proxy_mix's "notes" */
            path_push(c, ".name");
            return fail(c, "expected a name other than \"notes\", found \"notes\"");
        }
        if (obj_get(&o, "on_bad_artifact") == NULL)
            return missing(c, "on_bad_artifact");
        int effect = CDN_EFFECT_NONE, scope = CDN_SCOPE_ALL;
        TRY(opt_enum(c, &o, "on_bad_artifact", effect_names, ARRAY_LEN(effect_names), &effect));
        TRY(opt_enum(c, &o, "scope", scope_names, ARRAY_LEN(scope_names), &scope));
        px->on_bad_artifact = (cdn_effect_t)effect;
        px->scope = (cdn_scope_t)scope;
        px->affected_frac = 1;
        TRY(opt_num(c, &o, "affected_frac", R_CC(0, 1), &px->affected_frac));
        px->wedge_rate_per_h = 0;
        TRY(opt_num(c, &o, "wedge_rate_per_h", R_CC(0, 3600), &px->wedge_rate_per_h));
        px->error_cpu_frac = 0;
        TRY(opt_num(c, &o, "error_cpu_frac", R_CC(0, 1), &px->error_cpu_frac));
        px->repair_rate_per_h = 60;
        TRY(opt_num(c, &o, "repair_rate_per_h", R_OC(0, 3600.0 / min_period(c)),
                    &px->repair_rate_per_h));
        if (obj_get(&o, "tiers") != NULL) {
            size_t q = path_push(c, ".tiers");
            TRY(read_tiers(c, obj_get(&o, "tiers"), px->tiers, &px->ntiers));
            path_pop(c, q);
        }
        path_pop(c, p);
    }
    return CHECK_UNIQUE(c, s->proxies, n);
}

/* "proxy_mix": an object of proxy name -> share of the plan's sites. */
static int read_proxy_mix(ctx_t *c, const cJSON *j, cdn_plan_spec_t *plan)
{
    const cdn_scenario_t *s = c->s;
    if (!cJSON_IsObject(j))
        return fail(c, "expected an object of proxy name -> share, found %s", cdn_json_type(j));
    int seen[CDN_MAX_PROXIES] = {0}, notes_seen = 0;
    double sum = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = path_key(c, ch->string);
        int32_t k = find_name(s->proxies, s->nproxies, sizeof *s->proxies, ch->string);
        if (strcmp(ch->string, "notes") == 0) {
            if (notes_seen++)
                return fail(c, "duplicate key");
            TRY(check_notes(c, ch));
        } else if (k < 0) {
            char list[CDN_MAX_PROXIES * (CDN_NAME_MAX + 2)];
            const char *names[CDN_MAX_PROXIES];
            for (size_t i = 0; i < s->nproxies; i++)
                names[i] = s->proxies[i].name;
            join(list, sizeof list, names, s->nproxies, 0);
            return fail(c, "expected the name of a proxy (one of: %s), found %s", list,
                        show_str(ch->string).s);
        } else if (seen[k]++) {
            return fail(c, "duplicate key");
        } else {
            TRY(check_num(c, ch, R_GE(0), 0, &plan->proxy_mix[k]));
            sum += plan->proxy_mix[k];
        }
        path_pop(c, p);
    }
    if (fabs(sum - 1.0) > SCN_SUM_TOL)
        return fail(c, "expected shares that sum to 1, found a sum of %s", show_num(sum).s);
    return 0;
}

static const char *const plan_keys[] = {"name", "site_share", "traffic_share",
                                        "bot_management_frac", "bot_block_rules_frac",
                                        "proxy_mix", "failover_frac", "dns_on_provider_frac",
                                        "failover_detect_s", "dns_ttl_s", "failback_s"};

static int read_plans(ctx_t *c, const cJSON *j)
{
    cdn_sites_spec_t *st = &c->s->sites;
    size_t n = 0;
    TRY(check_array(c, j, 1, SCN_MAX_PLANS, "objects", &n));
    st->plans = sim_xcalloc(n, sizeof *st->plans);
    st->nplans = n;
    double site_sum = 0, traffic_sum = 0;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_plan_spec_t *pl = &st->plans[i];
        obj_t o;
        size_t p = path_push(c, "[%zu]", i);
        TRY(obj_open(c, e, plan_keys, ARRAY_LEN(plan_keys), &o));
        TRY(req_name(c, &o, "name", 0, pl->name));
        TRY(req_num(c, &o, "site_share", R_CC(0, 1), &pl->site_share));
        TRY(req_num(c, &o, "traffic_share", R_CC(0, 1), &pl->traffic_share));
        TRY(opt_num(c, &o, "bot_management_frac", R_CC(0, 1), &pl->bot_management_frac));
        TRY(opt_num(c, &o, "bot_block_rules_frac", R_CC(0, 1), &pl->bot_block_rules_frac));
        const cJSON *mix = obj_get(&o, "proxy_mix");
        if (mix == NULL) {
            pl->proxy_mix[0] = 1; /* every site on the first proxy */
        } else {
            size_t pm = path_push(c, ".proxy_mix");
            TRY(read_proxy_mix(c, mix, pl));
            path_pop(c, pm);
        }
        TRY(opt_num(c, &o, "failover_frac", R_CC(0, 1), &pl->failover_frac));
        pl->dns_on_provider_frac = 1;
        TRY(opt_num(c, &o, "dns_on_provider_frac", R_CC(0, 1), &pl->dns_on_provider_frac));
        pl->failover_detect_s = 180;
        TRY(opt_num(c, &o, "failover_detect_s", R_GE(0), &pl->failover_detect_s));
        pl->dns_ttl_s = 300;
        TRY(opt_num(c, &o, "dns_ttl_s", R_GE(0), &pl->dns_ttl_s));
        pl->failback_s = 1800;
        TRY(opt_num(c, &o, "failback_s", R_GT(0), &pl->failback_s)); /* > 0: no failover loop at one instant */
        site_sum += pl->site_share;
        traffic_sum += pl->traffic_share;
        path_pop(c, p);
    }
    TRY(CHECK_UNIQUE(c, st->plans, n));
    TRY(check_sum(c, "site_share", site_sum));
    return check_sum(c, "traffic_share", traffic_sum);
}

static const char *const sites_keys[] = {"count", "zipf_exponent", "down_threshold", "plans",
                                         "control_plane_service", "named"};

static int read_sites(ctx_t *c, const cJSON *j)
{
    cdn_sites_spec_t *st = &c->s->sites;
    obj_t o;
    TRY(obj_open(c, j, sites_keys, ARRAY_LEN(sites_keys), &o));
    uint64_t count = 0;
    TRY(req_int(c, &o, "count", 1, 100000000, &count));
    st->count = (uint32_t)count;
    st->zipf_exponent = 1;
    TRY(opt_num(c, &o, "zipf_exponent", R_OC(0, 3), &st->zipf_exponent));
    st->down_threshold = 0.5;
    TRY(opt_num(c, &o, "down_threshold", R_OC(0, 1), &st->down_threshold));
    st->control_plane_service = -1;
    c->control_plane_ref = obj_get(&o, "control_plane_service"); /* a service: resolved later */
    c->named_ref = obj_get(&o, "named"); /* depends on services: read after them */
    return section(c, &o, "plans", 1, read_plans);
}

static const char *const cluster_keys[] = {"nodes", "migrated_at_start", "migration_start_utc",
                                           "migration_start_s", "migration_step_s"};

static int read_cluster(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    obj_t o;
    TRY(obj_open(c, j, cluster_keys, ARRAY_LEN(cluster_keys), &o));
    uint64_t nodes = 1, migrated = 0;
    TRY(opt_int(c, &o, "nodes", 1, 100000, &nodes));
    TRY(opt_int(c, &o, "migrated_at_start", 0, (double)nodes, &migrated));
    a->cluster_nodes = (uint32_t)nodes;
    a->nodes_migrated_at_start = (uint32_t)migrated;
    TRY(read_time(c, &o, "migration_start", 0, &a->migration_start_s));
    return opt_num(c, &o, "migration_step_s", R_GE(0), &a->migration_step_s);
}

static const char *const distribution_keys[] = {"latency_median_s", "latency_p99_s",
                                                "pull_when_online"};

static int read_distribution(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    obj_t o;
    TRY(obj_open(c, j, distribution_keys, ARRAY_LEN(distribution_keys), &o));
    TRY(opt_num(c, &o, "latency_median_s", R_GT(0), &a->latency_median_s));
    a->latency_p99_s = 3 * a->latency_median_s;
    TRY(opt_num(c, &o, "latency_p99_s", R_GT(0), &a->latency_p99_s));
    TRY(opt_bool(c, &o, "pull_when_online", &a->pull_when_online));
    return check_ge(c, "latency_p99_s", a->latency_p99_s, "latency_median_s",
                    a->latency_median_s);
}

static int read_consumers(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    const cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(check_array(c, j, 1, CDN_MAX_PROXIES, "proxy names", &n));
    size_t k = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, k++) {
        int32_t ix = -1;
        size_t p = path_push(c, "[%zu]", k);
        TRY(RESOLVE(c, e, "a proxy", s->proxies, s->nproxies, &ix));
        for (size_t q = 0; q < k; q++) {
            if (a->consumers[q] == (uint32_t)ix)
                return fail(c, "expected each proxy once, found %s again",
                            show_str(e->valuestring).s);
        }
        a->consumers[k] = (uint32_t)ix;
        path_pop(c, p);
    }
    a->nconsumers = n;
    return 0;
}

static const char *const artifact_keys[] = {
    "name",      "consumers",   "period_s", "first_run_utc",      "first_run_s", "cluster",
    "normal_size", "bad_size", "size_limit", "validate_on_ingest", "distribution", "rollout",
    "tiers", "latent_until_utc", "latent_until_s"};


static const char *const stage_keys[] = {"frac", "tiers", "bake_s"};
static const char *const rollout_keys[] = {"stages", "health_gate"};
static const char *const gate_keys[] = {"max_failing_frac"};

/* "rollout": {"stages": [{"frac", "bake_s"}...], "health_gate": {...}} */
static int read_rollout(ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    obj_t o;
    TRY(obj_open(c, j, rollout_keys, ARRAY_LEN(rollout_keys), &o));
    const cJSON *st = obj_get(&o, "stages");
    if (st == NULL)
        return missing(c, "stages");
    size_t p = path_push(c, ".stages"), n = 0;
    TRY(check_array(c, st, 1, CDN_MAX_STAGES, "objects", &n));
    size_t i = 0;
    for (const cJSON *e = st->child; e != NULL; e = e->next, i++) {
        obj_t so;
        size_t q = path_push(c, "[%zu]", i);
        TRY(obj_open(c, e, stage_keys, ARRAY_LEN(stage_keys), &so));
        const cJSON *tiers = obj_get(&so, "tiers");
        if ((tiers != NULL) == (obj_get(&so, "frac") != NULL))
            return fail(c, "expected exactly one of \"frac\" and \"tiers\"");
        if (tiers != NULL) {
            size_t r = path_push(c, ".tiers");
            TRY(read_tiers(c, tiers, a->stage_tiers[i], &a->stage_ntiers[i]));
            path_pop(c, r);
            a->stage_frac[i] = NAN;
        } else {
            double lo = 0; /* fractions increase over the fraction stages */
            for (size_t k = 0; k < i; k++)
                if (!isnan(a->stage_frac[k]))
                    lo = a->stage_frac[k];
            TRY(req_num(c, &so, "frac", R_OC(lo, 1), &a->stage_frac[i]));
        }
        a->stage_bake_s[i] = 0;
        TRY(opt_num(c, &so, "bake_s", R_GE(0), &a->stage_bake_s[i]));
        path_pop(c, q);
    }
    if (a->stage_frac[n - 1] != 1.0) {
        path_push(c, "[%zu]", n - 1);
        if (isnan(a->stage_frac[n - 1]))
            return fail(c, "expected the last stage to reach every server ({\"frac\": 1}), "
                           "found a tier stage");
        path_push(c, ".frac");
        return fail(c, "expected the last stage to reach every server (1), found %s",
                    show_num(a->stage_frac[n - 1]).s);
    }
    a->nstages = n;
    path_pop(c, p);
    const cJSON *g = obj_get(&o, "health_gate");
    if (g != NULL) {
        obj_t go;
        size_t q = path_push(c, ".health_gate");
        TRY(obj_open(c, g, gate_keys, ARRAY_LEN(gate_keys), &go));
        a->health_gate = 1;
        a->gate_max_failing_frac = 0;
        TRY(opt_num(c, &go, "max_failing_frac", R_CO(0, 1), &a->gate_max_failing_frac));
        path_pop(c, q);
    }
    return 0;
}

static int read_artifacts(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(check_array(c, j, 0, SCN_MAX_ARTIFACTS, "objects", &n));
    if (n == 0)
        return 0;
    s->artifacts = sim_xcalloc(n, sizeof *s->artifacts);
    s->nartifacts = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_artifact_spec_t *a = &s->artifacts[i];
        obj_t o;
        size_t p = path_push(c, "[%zu]", i), q;
        TRY(obj_open(c, e, artifact_keys, ARRAY_LEN(artifact_keys), &o));
        TRY(req_name(c, &o, "name", 0, a->name));
        if (obj_get(&o, "consumers") == NULL)
            return missing(c, "consumers");
        q = path_push(c, ".consumers");
        TRY(read_consumers(c, obj_get(&o, "consumers"), a));
        path_pop(c, q);
        TRY(req_num(c, &o, "period_s", R_GE(min_period(c)), &a->period_s));
        a->first_run_s = 0;
        TRY(read_time(c, &o, "first_run", 0, &a->first_run_s));
        a->cluster_nodes = 1;
        a->nodes_migrated_at_start = 0;
        a->migration_start_s = INFINITY; /* never */
        a->migration_step_s = 0;
        if (obj_get(&o, "cluster") != NULL) {
            q = path_push(c, ".cluster");
            TRY(read_cluster(c, obj_get(&o, "cluster"), a));
            path_pop(c, q);
        }
        TRY(req_num(c, &o, "normal_size", R_GT(0), &a->normal_size));
        TRY(req_num(c, &o, "bad_size", R_GT(0), &a->bad_size));
        TRY(req_num(c, &o, "size_limit", R_GT(0), &a->size_limit));
        if (a->normal_size > a->size_limit) {
            path_push(c, ".normal_size");
            return fail(c, "expected a number <= size_limit (%s), found %s",
                        show_num(a->size_limit).s, show_num(a->normal_size).s);
        }
        TRY(opt_bool(c, &o, "validate_on_ingest", &a->validate_on_ingest));
        a->latent_until_s = 0;
        TRY(read_time(c, &o, "latent_until", 0, &a->latent_until_s));
        a->latency_median_s = 1;
        a->latency_p99_s = 3;
        if (obj_get(&o, "distribution") != NULL) {
            q = path_push(c, ".distribution");
            TRY(read_distribution(c, obj_get(&o, "distribution"), a));
            path_pop(c, q);
        }
        if (obj_get(&o, "tiers") != NULL) {
            q = path_push(c, ".tiers");
            TRY(read_tiers(c, obj_get(&o, "tiers"), a->tiers, &a->ntiers));
            path_pop(c, q);
        }
        if (obj_get(&o, "rollout") != NULL) {
            q = path_push(c, ".rollout");
            TRY(read_rollout(c, obj_get(&o, "rollout"), a));
            path_pop(c, q);
        }
        path_pop(c, p);
    }
    return CHECK_UNIQUE(c, s->artifacts, n);
}

/* "behind_proxy" / "bypass_proxy": a proxy name or null (-1). */
static int opt_proxy_or_null(ctx_t *c, const obj_t *o, const char *key, int32_t *out)
{
    const cdn_scenario_t *s = c->s;
    const cJSON *j = obj_get(o, key);
    *out = -1;
    if (j == NULL || cJSON_IsNull(j))
        return 0;
    size_t p = path_key(c, key);
    if (!cJSON_IsString(j))
        return fail(c, "expected the name of a proxy or null, found %s", cdn_json_type(j));
    TRY(RESOLVE(c, j, "a proxy", s->proxies, s->nproxies, out));
    path_pop(c, p);
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
    path_push(c, "[%zu].depends_on", stack[depth]);
    return fail(c, "expected an acyclic dependency graph, found a cycle through '%s' (%s)",
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

static const char *const service_keys[] = {"name", "behind_proxy", "bypass_proxy",
                                           "depends_on", "capacity", "backlog_frac",
                                           "retry_surge"};

/* Three passes: each service's own keys (and the shape of depends_on);
 * then, with every name known, the depends_on references; then cycles. */
static int read_services(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    const cJSON *deps[SCN_MAX_SERVICES] = {NULL};
    size_t n = 0;
    TRY(check_array(c, j, 0, SCN_MAX_SERVICES, "objects", &n));
    if (n == 0)
        return 0;
    s->services = sim_xcalloc(n, sizeof *s->services);
    s->nservices = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_service_spec_t *sv = &s->services[i];
        obj_t o;
        size_t p = path_push(c, "[%zu]", i);
        TRY(obj_open(c, e, service_keys, ARRAY_LEN(service_keys), &o));
        TRY(req_name(c, &o, "name", 0, sv->name));
        TRY(opt_proxy_or_null(c, &o, "behind_proxy", &sv->behind_proxy));
        TRY(opt_proxy_or_null(c, &o, "bypass_proxy", &sv->bypass_proxy));
        TRY(opt_num(c, &o, "capacity", R_GE(0), &sv->capacity));
        sv->backlog_frac = 1;
        TRY(opt_num(c, &o, "backlog_frac", R_CC(0, 1), &sv->backlog_frac));
        sv->retry_surge = 1;
        TRY(opt_num(c, &o, "retry_surge", R_GE(0), &sv->retry_surge));
        deps[i] = obj_get(&o, "depends_on");
        if (deps[i] != NULL) {
            size_t q = path_push(c, ".depends_on");
            TRY(check_array(c, deps[i], 0, CDN_MAX_DEPS, "service names", &sv->ndeps));
            path_pop(c, q);
        }
        path_pop(c, p);
    }
    TRY(CHECK_UNIQUE(c, s->services, n));
    for (i = 0; i < n; i++) {
        cdn_service_spec_t *sv = &s->services[i];
        size_t k = 0;
        for (const cJSON *e = deps[i] ? deps[i]->child : NULL; e != NULL; e = e->next, k++) {
            int32_t ix = -1;
            size_t p = path_push(c, "[%zu].depends_on[%zu]", i, k);
            TRY(RESOLVE(c, e, "a service", s->services, n, &ix));
            if ((size_t)ix == i)
                return fail(c, "expected the name of another service, found %s "
                               "(a service cannot depend on itself)",
                            show_str(e->valuestring).s);
            for (size_t q = 0; q < k; q++) {
                if (sv->deps[q] == (uint32_t)ix)
                    return fail(c, "expected each service once, found %s again",
                                show_str(e->valuestring).s);
            }
            sv->deps[k] = (uint32_t)ix;
            path_pop(c, p);
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

static int reject_extra_keys(ctx_t *c, const obj_t *o, cdn_action_kind_t kind)
{
    unsigned allowed = action_extra_allowed[kind];
    for (size_t k = 0; k < ARRAY_LEN(action_extra_keys); k++) {
        if ((allowed & (1u << k)) || obj_get(o, action_extra_keys[k]) == NULL)
            continue;
        char list[200] = "kind, at_utc, at_s, after, delay_s, label";
        for (size_t q = 0; q < ARRAY_LEN(action_extra_keys); q++) {
            if (allowed & (1u << q)) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, ", %s", action_extra_keys[q]);
            }
        }
        path_key(c, action_extra_keys[k]);
        return fail(c, "key not allowed for kind \"%s\" (allowed: %s, notes)",
                    cdn_action_name(kind), list);
    }
    return 0;
}

/* The reference `key` of an action of `kind`; *out stays as is (-1) when
 * optional and absent. */
static int action_ref(ctx_t *c, const obj_t *o, cdn_action_kind_t kind, const char *key,
                      int required, const char *what, const void *base, size_t n, size_t stride,
                      int32_t *out)
{
    const cJSON *ref = obj_get(o, key);
    if (ref == NULL)
        return required ? fail(c, "missing required key \"%s\" (for kind \"%s\")", key,
                               cdn_action_name(kind))
                        : 0;
    size_t p = path_key(c, key);
    TRY(resolve_ref(c, ref, what, base, n, stride, out));
    path_pop(c, p);
    return 0;
}

static int read_action(ctx_t *c, const cJSON *j, cdn_action_spec_t *a)
{
    const cdn_scenario_t *s = c->s;
    obj_t o;
    TRY(obj_open(c, j, action_keys, ARRAY_LEN(action_keys), &o));
    if (obj_get(&o, "kind") == NULL)
        return missing(c, "kind");
    int kind = 0;
    TRY(opt_enum(c, &o, "kind", action_names, ARRAY_LEN(action_names), &kind));
    a->kind = (cdn_action_kind_t)kind;
    TRY(reject_extra_keys(c, &o, a->kind));
    /* either a time ("at_utc"/"at_s") or a trigger ("after", "delay_s") */
    a->trigger = CDN_TRIGGER_TIME;
    a->delay_s = 0;
    if (obj_get(&o, "after") != NULL) {
        if (obj_get(&o, "at_utc") != NULL || obj_get(&o, "at_s") != NULL)
            return fail(c, "expected either a time (\"at_utc\" or \"at_s\") or \"after\", "
                           "found both");
        int trig = 0;
        TRY(opt_enum(c, &o, "after", trigger_names + 1, ARRAY_LEN(trigger_names) - 1, &trig));
        a->trigger = (cdn_trigger_t)(trig + 1);
        TRY(opt_num(c, &o, "delay_s", R_GE(0), &a->delay_s));
        a->at_s = INFINITY;
    } else {
        if (obj_get(&o, "delay_s") != NULL) {
            path_push(c, ".delay_s");
            return fail(c, "key allowed only with \"after\"");
        }
        if (obj_get(&o, "at_utc") == NULL && obj_get(&o, "at_s") == NULL)
            return fail(c, "missing required key \"at_utc\", \"at_s\" or \"after\"");
        TRY(read_time(c, &o, "at", 1, &a->at_s));
    }

    const char *label = cdn_action_name(a->kind);
    TRY(opt_str(c, &o, "label", &label));
    if (strlen(label) >= CDN_NAME_MAX) {
        path_push(c, ".label");
        return fail(c, "expected a string of at most %d bytes, found %s", CDN_NAME_MAX - 1,
                    show_str(label).s);
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
        TRY(opt_num(c, &o, "restart_s", R_GE(0), &a->restart_s));
        a->rate_per_s = 0;
        TRY(opt_num(c, &o, "rate_per_s", R_GE(0), &a->rate_per_s));
        TRY(opt_bool(c, &o, "only_failing", &a->only_failing));
        if (a->rate_per_s > 0 && obj_get(&o, "duration_s") != NULL)
            return fail(c, "expected at most one of \"duration_s\" and \"rate_per_s\", found both");
    }
    if (allowed & AK_CAPACITY) {
        if (obj_get(&o, "capacity") == NULL)
            return fail(c, "missing required key \"capacity\" (for kind \"%s\")",
                        cdn_action_name(a->kind));
        TRY(opt_num(c, &o, "capacity", R_GE(0), &a->capacity));
    }
    if (allowed & AK_DURATION) {
        if (a->kind == CDN_ACTION_FAIL_SERVICE && obj_get(&o, "duration_s") == NULL)
            return fail(c, "missing required key \"duration_s\" (for kind \"%s\")",
                        cdn_action_name(a->kind));
        TRY(opt_num(c, &o, "duration_s", R_GE(0), &a->duration_s));
    }
    if (a->trigger == CDN_TRIGGER_DETECTION && !s->detection.enabled) {
        path_push(c, ".after");
        return fail(c, "expected \"$.operators.detection\" for an action after detection");
    }
    if (a->trigger == CDN_TRIGGER_DIAGNOSIS && !s->detection.diagnosis) {
        path_push(c, ".after");
        return fail(c, "expected \"$.operators.diagnosis\" for an action after diagnosis");
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
    TRY(check_array(c, j, 0, SCN_MAX_ACTIONS, "objects", &n));
    if (n == 0)
        return 0;
    s->actions = sim_xcalloc(n, sizeof *s->actions);
    s->nactions = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = path_push(c, "[%zu]", i);
        TRY(read_action(c, e, &s->actions[i]));
        path_pop(c, p);
    }
    sort_actions(s);
    return 0;
}

static const char *const detection_keys[] = {"threshold_frac", "for_s", "check_s"};

static int read_detection(ctx_t *c, const cJSON *j)
{
    cdn_detection_spec_t *d = &c->s->detection;
    obj_t o;
    TRY(obj_open(c, j, detection_keys, ARRAY_LEN(detection_keys), &o));
    d->enabled = 1;
    d->threshold_frac = 0.05;
    TRY(opt_num(c, &o, "threshold_frac", R_OO(0, 1), &d->threshold_frac));
    d->for_s = 120;
    TRY(opt_num(c, &o, "for_s", R_GE(0), &d->for_s));
    d->check_s = 60;
    return opt_num(c, &o, "check_s", R_GE(min_period(c)), &d->check_s);
}

static const char *const diagnosis_keys[] = {"work_s", "confused_progress", "flap_memory_s",
                                             "misleading_services"};

static int read_diagnosis(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    cdn_detection_spec_t *d = &s->detection;
    obj_t o;
    TRY(obj_open(c, j, diagnosis_keys, ARRAY_LEN(diagnosis_keys), &o));
    d->diagnosis = 1;
    d->work_s = 1800;
    TRY(opt_num(c, &o, "work_s", R_GE(0), &d->work_s));
    d->confused_progress = 0.25;
    TRY(opt_num(c, &o, "confused_progress", R_CC(0, 1), &d->confused_progress));
    d->flap_memory_s = 1800;
    TRY(opt_num(c, &o, "flap_memory_s", R_GE(0), &d->flap_memory_s));
    const cJSON *ms = obj_get(&o, "misleading_services");
    if (ms != NULL) {
        size_t p = path_push(c, ".misleading_services"), n = 0, i = 0;
        TRY(check_array(c, ms, 0, CDN_MAX_DEPS, "service names", &n));
        for (const cJSON *e = ms->child; e != NULL; e = e->next, i++) {
            int32_t ix = -1;
            size_t q = path_push(c, "[%zu]", i);
            TRY(RESOLVE(c, e, "a service", s->services, s->nservices, &ix));
            d->misleading[i] = (uint32_t)ix;
            path_pop(c, q);
        }
        d->nmisleading = n;
        path_pop(c, p);
    }
    return 0;
}

static const char *const operators_keys[] = {"detection", "diagnosis", "actions"};

static int read_operators(ctx_t *c, const cJSON *j)
{
    obj_t o;
    TRY(obj_open(c, j, operators_keys, ARRAY_LEN(operators_keys), &o));
    TRY(section(c, &o, "detection", 0, read_detection));
    if (obj_get(&o, "diagnosis") != NULL && !c->s->detection.enabled) {
        path_push(c, ".diagnosis");
        return fail(c, "expected \"$.operators.detection\" too: diagnosis follows detection");
    }
    TRY(section(c, &o, "diagnosis", 0, read_diagnosis));
    return section(c, &o, "actions", 0, read_actions);
}

static const char *const metrics_keys[] = {"impact_threshold_frac", "major_threshold_frac",
                                           "resolved_threshold_frac"};

static int read_metrics(ctx_t *c, const cJSON *j)
{
    cdn_metrics_spec_t *m = &c->s->metrics;
    obj_t o;
    TRY(obj_open(c, j, metrics_keys, ARRAY_LEN(metrics_keys), &o));
    TRY(opt_num(c, &o, "impact_threshold_frac", R_OO(0, 1), &m->impact_threshold_frac));
    TRY(opt_num(c, &o, "major_threshold_frac", R_OC(0, 1), &m->major_threshold_frac));
    TRY(opt_num(c, &o, "resolved_threshold_frac", R_CO(0, 1), &m->resolved_threshold_frac));
    /* resolved <= impact <= major; blame a key the file gave. */
    if (m->impact_threshold_frac > m->major_threshold_frac) {
        if (obj_get(&o, "major_threshold_frac") != NULL) {
            path_push(c, ".major_threshold_frac");
            return fail(c, "expected a number >= impact_threshold_frac (%s), found %s",
                        show_num(m->impact_threshold_frac).s,
                        show_num(m->major_threshold_frac).s);
        }
        path_push(c, ".impact_threshold_frac");
        return fail(c, "expected a number <= major_threshold_frac (%s), found %s",
                    show_num(m->major_threshold_frac).s, show_num(m->impact_threshold_frac).s);
    }
    if (m->resolved_threshold_frac > m->impact_threshold_frac) {
        if (obj_get(&o, "resolved_threshold_frac") != NULL) {
            path_push(c, ".resolved_threshold_frac");
            return fail(c, "expected a number <= impact_threshold_frac (%s), found %s",
                        show_num(m->impact_threshold_frac).s,
                        show_num(m->resolved_threshold_frac).s);
        }
        path_push(c, ".impact_threshold_frac");
        return fail(c, "expected a number >= resolved_threshold_frac (%s), found %s",
                    show_num(m->resolved_threshold_frac).s,
                    show_num(m->impact_threshold_frac).s);
    }
    return 0;
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
    const char *cal_names[CDN_CAL_COUNT];
    for (int k = 0; k < CDN_CAL_COUNT; k++)
        cal_names[k] = cdn_cal_metric_name((cdn_cal_metric_t)k);
    int m = 0;
    TRY(opt_enum(c, &o, "metric", cal_names, ARRAY_LEN(cal_names), &m));
    t->metric = (cdn_cal_metric_t)m;
    t->service = -1;
    cdn_measure_t measure = cdn_cal_metric_measure(t->metric);
    int needs_service = measure == CDN_M_SERVICE_MEAN || measure == CDN_M_SERVICE_MIN;
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

static const char *const named_keys[] = {"name",           "plan",            "proxy",
                                         "traffic_share",  "bot_management",  "bot_block_rules",
                                         "failover",       "depends_on",      "depends_on_sites"};
static const char *const failover_names[] = {"none", "own_dns", "dns_on_provider"};

/* Earlier named sites (by name) that this one needs; index = its own. */
static int read_site_deps(ctx_t *c, const cJSON *deps, cdn_named_site_spec_t *ns, size_t index)
{
    const cdn_scenario_t *s = c->s;
    size_t k = 0;
    TRY(check_array(c, deps, 0, CDN_MAX_DEPS, "names of earlier named sites", &ns->nsite_deps));
    for (const cJSON *e = deps->child; e != NULL; e = e->next, k++) {
        size_t p = path_push(c, "[%zu]", k);
        int32_t ix = -1;
        if (!cJSON_IsString(e))
            return fail(c, "expected the name of an earlier named site, found %s", found(e).s);
        for (size_t q = 0; q < index; q++)
            if (strcmp(s->sites.named[q].name, e->valuestring) == 0)
                ix = (int32_t)q;
        if (ix < 0)
            return fail(c, "expected the name of a named site listed before this one, found %s",
                        found(e).s);
        ns->site_deps[k] = (uint32_t)ix;
        path_pop(c, p);
    }
    return 0;
}

static int read_named_site(ctx_t *c, const cJSON *j, cdn_named_site_spec_t *ns, size_t index)
{
    const cdn_scenario_t *s = c->s;
    obj_t o;
    TRY(obj_open(c, j, named_keys, ARRAY_LEN(named_keys), &o));
    TRY(req_name(c, &o, "name", 0, ns->name));
    const cJSON *pl = obj_get(&o, "plan"), *px = obj_get(&o, "proxy");
    if (pl == NULL)
        return missing(c, "plan");
    if (px == NULL)
        return missing(c, "proxy");
    int32_t ix = -1;
    size_t p = path_key(c, "plan");
    TRY(RESOLVE(c, pl, "a plan", s->sites.plans, s->sites.nplans, &ix));
    path_pop(c, p);
    ns->plan = (uint32_t)ix;
    p = path_key(c, "proxy");
    TRY(RESOLVE(c, px, "a proxy", s->proxies, s->nproxies, &ix));
    path_pop(c, p);
    ns->proxy = (uint32_t)ix;
    TRY(req_num(c, &o, "traffic_share", R_OC(0, 1), &ns->traffic_share));
    TRY(opt_bool(c, &o, "bot_management", &ns->bot_management));
    TRY(opt_bool(c, &o, "bot_block_rules", &ns->bot_block_rules));
    if (ns->bot_block_rules && !ns->bot_management) {
        path_push(c, ".bot_block_rules");
        return fail(c, "expected bot_management too: blocking rules use bot scores");
    }
    TRY(opt_enum(c, &o, "failover", failover_names, ARRAY_LEN(failover_names), &ns->failover));
    const cJSON *deps = obj_get(&o, "depends_on");
    if (deps != NULL) {
        size_t q = path_push(c, ".depends_on"), k = 0;
        TRY(check_array(c, deps, 0, CDN_MAX_DEPS, "service names", &ns->ndeps));
        for (const cJSON *e = deps->child; e != NULL; e = e->next, k++) {
            size_t r = path_push(c, "[%zu]", k);
            TRY(RESOLVE(c, e, "a service", s->services, s->nservices, &ix));
            ns->deps[k] = (uint32_t)ix;
            path_pop(c, r);
        }
        path_pop(c, q);
    }
    const cJSON *sdeps = obj_get(&o, "depends_on_sites");
    if (sdeps != NULL) {
        size_t q = path_push(c, ".depends_on_sites");
        TRY(read_site_deps(c, sdeps, ns, index));
        path_pop(c, q);
    }
    return 0;
}

static int read_named_sites(ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    TRY(check_array(c, j, 0, 256, "objects", &n));
    if (n == 0)
        return 0;
    s->sites.named = sim_xcalloc(n, sizeof *s->sites.named);
    s->sites.nnamed = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = path_push(c, "[%zu]", i);
        TRY(read_named_site(c, e, &s->sites.named[i], i));
        path_pop(c, p);
    }
    TRY(CHECK_UNIQUE(c, s->sites.named, n));
    /* a plan's named sites carry part of its traffic, not more */
    for (size_t pl = 0; pl < s->sites.nplans; pl++) {
        double sum = 0;
        for (i = 0; i < n; i++)
            if (s->sites.named[i].plan == pl)
                sum += s->sites.named[i].traffic_share;
        if (sum > s->sites.plans[pl].traffic_share + 1e-9)
            return fail(c, "expected the named sites of plan \"%s\" to carry at most its "
                           "traffic_share (%s), found %s",
                        s->sites.plans[pl].name, show_num(s->sites.plans[pl].traffic_share).s,
                        show_num(sum).s);
    }
    return 0;
}

static const char *const calibration_keys[] = {"targets"};

static int read_calibration(ctx_t *c, const cJSON *j)
{
    obj_t o;
    TRY(obj_open(c, j, calibration_keys, ARRAY_LEN(calibration_keys), &o));
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
    size_t p = path_push(c, ".simulation.bin_s");
    int rc = fail(c, "expected a bin width with at most %.0f timeline cells (bins x "
                     "(regions + services)), found %s s: %.0f bins x %zu = %.4g cells",
                  SCN_MAX_TIMELINE, show_num(s->sim.bin_s).s, bins,
                  s->nregions + s->nservices, cells);
    path_pop(c, p);
    return rc;
}

static const char *const top_keys[] = {"name",      "description", "sources",   "simulation",
                                       "traffic",   "regions",     "proxies",   "sites",
                                       "artifacts", "services",    "operators", "metrics",
                                       "calibration"};

static int read_scenario(ctx_t *c, const cJSON *root)
{
    cdn_scenario_t *s = c->s;
    obj_t o;
    TRY(obj_open(c, root, top_keys, ARRAY_LEN(top_keys), &o));
    TRY(req_name(c, &o, "name", 1, s->name));
    const char *description = NULL;
    TRY(opt_str(c, &o, "description", &description));
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
        size_t p = path_push(c, ".sites.named");
        TRY(read_named_sites(c, c->named_ref));
        path_pop(c, p);
    }
    if (c->control_plane_ref != NULL) {
        size_t p = path_push(c, ".sites.control_plane_service");
        TRY(RESOLVE(c, c->control_plane_ref, "a service", s->services, s->nservices,
                    &s->sites.control_plane_service));
        path_pop(c, p);
    }
    TRY(section(c, &o, "operators", 0, read_operators));
    s->metrics.impact_threshold_frac = 0.01;
    s->metrics.major_threshold_frac = 0.05;
    s->metrics.resolved_threshold_frac = 0.002;
    TRY(section(c, &o, "metrics", 0, read_metrics));
    return section(c, &o, "calibration", 0, read_calibration);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

/* "FILE:LINE:COL: invalid JSON near '...'" for the byte at `pos`; columns
 * count characters (UTF-8 continuation bytes are not counted). */
static int syntax_error(cdn_error_t *err, const char *file, const char *text, size_t len,
                        size_t pos, const char *why)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    /* what is near: up to 24 bytes of the line, or the character itself */
    char near[32];
    size_t n = 0;
    while (pos + n < len && n < 24) {
        unsigned char ch = (unsigned char)text[pos + n];
        if (ch < 0x20 || ch == 0x7f)
            break;
        near[n++] = (char)ch;
    }
    if (pos + n < len && n == 24) /* do not end inside a UTF-8 sequence */
        while (n > 0 && ((unsigned char)near[n - 1] & 0x80))
            n--;
    near[n] = '\0';
    if (pos >= len)
        snprintf(near, sizeof near, "end of input");
    else if (n == 0 && (text[pos] == '\n' || text[pos] == '\r'))
        snprintf(near, sizeof near, "end of line");
    else if (n == 0)
        snprintf(near, sizeof near, "'\\x%02X'", (unsigned)(unsigned char)text[pos]);
    else {
        memmove(near + 1, near, n);
        near[0] = near[n + 1] = '\'';
        near[n + 2] = '\0';
    }
    snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: invalid JSON near %s%s", file, line, col,
             near, why);
    err->code = CDN_EDATA;
    return CDN_EDATA;
}

int cdn_scenario_parse(const char *text, size_t len, const char *path, cdn_scenario_t **out,
                       cdn_error_t *err)
{
    cdn_error_t local;
    ctx_t c = {0};
    cJSON *root = NULL;
    cdn_scenario_t *s = NULL;
    const char *end = NULL;
    int rc;

    if (err == NULL)
        err = &local;
    err->code = CDN_OK;
    err->msg[0] = '\0';
    *out = NULL;
    if (path == NULL)
        path = "(string)";
    if (text == NULL) {
        text = "";
        len = 0;
    }

    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (end == NULL || end < text || end > text + len)
        end = text;
    if (root == NULL) {
        rc = syntax_error(err, path, text, len, (size_t)(end - text), "");
        goto fail;
    }
    while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != text + len) {
        rc = syntax_error(err, path, text, len, (size_t)(end - text),
                          " (text after the end of the top-level value)");
        goto fail;
    }

    s = sim_xcalloc(1, sizeof *s);
    s->path = sim_xstrdup(path);
    c.file = path;
    c.err = err;
    c.s = s;
    c.path[0] = '$';
    c.plen = 1;
    rc = read_scenario(&c, root);
    if (rc != 0)
        goto fail;
    cJSON_Delete(root);
    *out = s;
    return 0;

fail:
    cJSON_Delete(root);
    cdn_scenario_destroy(s);
    return rc;
}

static int io_error(cdn_error_t *err, const char *path, int errnum)
{
    char why[256];
    if (strerror_r(errnum, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", errnum);
    snprintf(err->msg, sizeof err->msg, "%s: cannot read: %s", path, why);
    err->code = CDN_EIO;
    return CDN_EIO;
}

static int too_large(cdn_error_t *err, const char *path)
{
    snprintf(err->msg, sizeof err->msg, "%s: file is larger than %zu MiB", path,
             SCN_FILE_MAX >> 20);
    err->code = CDN_EDATA;
    return CDN_EDATA;
}

int cdn_scenario_load(const char *path, cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;
    int rc;

    if (err == NULL)
        err = &local;
    *out = NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = io_error(err, path, errno);
        goto fail;
    }
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = io_error(err, path, EISDIR);
            goto fail;
        }
        if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > SCN_FILE_MAX) {
            rc = too_large(err, path);
            goto fail;
        }
    }
    for (;;) { /* also for pipes and files that grow while read */
        if (len == cap) {
            if (cap > SCN_FILE_MAX) {
                rc = too_large(err, path);
                goto fail;
            }
            cap = cap == 0 ? (size_t)1 << 16 : 2 * cap;
            if (cap > SCN_FILE_MAX + 1)
                cap = SCN_FILE_MAX + 1;
            buf = sim_xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                rc = io_error(err, path, errno);
                goto fail;
            }
            break;
        }
    }
    if (len > SCN_FILE_MAX) {
        rc = too_large(err, path);
        goto fail;
    }
    fclose(f);
    f = NULL;
    rc = cdn_scenario_parse(buf, len, path, out, err);
fail:
    if (f != NULL)
        fclose(f);
    free(buf);
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
