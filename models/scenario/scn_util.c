/*
 * scn_util.c -- what the scenario's section readers share: the calendar
 * ("..._utc" times), references by name, unique names, time pairs, shares
 * that sum to 1, tier lists.
 *
 * Design
 *   UTC times are converted with H. Hinnant's days_from_civil (proleptic
 *   Gregorian, exact, no time zone or process environment involved).
 *   Entities are looked up by name as the first member of their spec
 *   (a stride and a base pointer), so one lookup serves every kind.
 *   Unique names are checked by sorting (name, file index) pairs, which
 *   gives a deterministic "first duplicate in file order" report.
 *
 * Complexity: a lookup by name is linear (at most 64 services, 16
 *   artifacts, 8 proxies); uniqueness is O(n log n) (up to 100000 regions).
 *
 * Rejected alternatives
 *   - timegm()/TZ juggling: non-standard or touches the environment.
 *   - A hash set for unique names: sorting is simpler and fast enough at
 *     this size.
 */
#include "scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

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
int scn_parse_utc(const char *s, int64_t *epoch_s)
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

/* A number of o that must be >= another key's value (already read). */
int scn_check_ge(scn_ctx_t *c, const char *key, double v, const char *other, double min)
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
int32_t scn_find_name(const void *base, size_t n, size_t stride, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp((const char *)base + i * stride, name) == 0)
            return (int32_t)i;
    }
    return -1;
}

/* j (at the current path) must name one of the n entities; `what` is
 * "a proxy", "an artifact", "a service". */
int scn_resolve_ref(scn_ctx_t *c, const cJSON *j, const char *what, const void *base, size_t n,
                       size_t stride, int32_t *out)
{
    if (!cJSON_IsString(j))
        return cdn_json_fail(&c->j, "expected the name of %s, found %s", what, cdn_json_type(j));
    int32_t ix = scn_find_name(base, n, stride, j->valuestring);
    if (ix < 0)
        return cdn_json_fail(&c->j, "expected the name of %s, found %s", what, cdn_json_show_str(j->valuestring).s);
    *out = ix;
    return 0;
}



static int cmp_name_ix(const void *a, const void *b)
{
    const scn_name_ix_t *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    if (d != 0)
        return d;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Sorts the names; the first duplicate in file order is the smallest index
 * that is second in its group of equal names.  Returns n if none. */
size_t scn_first_duplicate(scn_name_ix_t *v, size_t n, size_t *first_ix)
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
int scn_check_unique(scn_ctx_t *c, const void *base, size_t n, size_t stride)
{
    if (n < 2)
        return 0;
    scn_name_ix_t *v = sim_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (scn_name_ix_t){(const char *)base + i * stride, i};
    size_t first = 0, bad = scn_first_duplicate(v, n, &first);
    free(v);
    if (bad == n)
        return 0;
    cdn_json_push(&c->j, "[%zu].name", bad);
    return cdn_json_fail(&c->j, "expected a unique name, found %s again (first used at index %zu)",
                cdn_json_show_str((const char *)base + bad * stride).s, first);
}


/* ------------------------------------------------------------------------ */
/* Times: "<stem>_utc" (absolute) or "<stem>_s" (offset from the start)    */

/* Reads the pair into *out (sim seconds, >= 0); with neither key present
 * *out is left as is, or the key is missing when `required`. */
int scn_read_time(scn_ctx_t *c, const cdn_json_obj_t *o, const char *stem, int required, double *out)
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
    if (!cJSON_IsString(ju) || scn_parse_utc(ju->valuestring, &e) != 0)
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

typedef int (*scn_reader_fn)(scn_ctx_t *c, const cJSON *j);

/* Runs `fn` on the value of `key` with the path extended. */
int scn_section(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key, int required, scn_reader_fn fn)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return required ? cdn_json_missing(&c->j, key) : 0;
    size_t p = cdn_json_key(&c->j, key);
    CDN_TRY(fn(c, j));
    cdn_json_pop(&c->j, p);
    return 0;
}

/* The current path is the array whose elements have `key` shares. */
int scn_check_sum(scn_ctx_t *c, const char *key, double sum)
{
    if (fabs(sum - 1.0) <= SCN_SUM_TOL)
        return 0;
    return cdn_json_fail(&c->j, "expected %s values that sum to 1, found a sum of %s", key, cdn_json_show_num(sum).s);
}

/* "tiers": names of region tiers; each must be the tier of some region. */
int scn_read_tiers(scn_ctx_t *c, const cJSON *j, char tiers[][CDN_NAME_MAX], size_t *ntiers)
{
    const cdn_scenario_t *s = c->s;
    size_t n = 0, i = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 1, CDN_MAX_TIERS, "tier names", &n));
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

