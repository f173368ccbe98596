/*
 * cdn_priors.c -- the "priors" section: reading and checking it, inverse
 * CDFs and keyed draws, and the overlay of drawn values.
 *
 * Design
 *   A prior set is an array of prior_t: the path as written and compiled
 *   (cdn_path.h), the distribution and its parameters (a, b, c: see
 *   prior_t), the support [lo, hi], and for a discrete prior its values,
 *   weights and GSL's lookup table.  Reading goes: the object's keys (a
 *   key that the distribution does not take is an error naming the keys
 *   it takes), the parameters and their relations, then the target: the
 *   path must end in a key; the schema section of the selected objects is
 *   found by the path's shape (keys with every index or filter dropped,
 *   compared with the sections' headings in schema.def), the row must be
 *   numeric and its fixed bounds must contain the support.  Last, the
 *   scenario is validated with the key set to each end of the support, on
 *   a copy of the tree without "priors" (so it does not recurse).
 *
 *   Quantiles are closed forms (uniform, log-uniform, triangular,
 *   discrete) or GSL's inverse CDFs (gsl_cdf_ugaussian_Pinv,
 *   gsl_cdf_beta_Pinv); a truncated normal or log-normal maps u into
 *   [F(lo), F(hi)] first.  CDFs are their inverses, from the same closed
 *   forms or GSL's CDFs (gsl_cdf_ugaussian_P, gsl_cdf_beta_P), rescaled
 *   from [F(lo), F(hi)] for a truncation.  Keyed draws use GSL's samplers (gsl_ran_flat,
 *   gsl_ran_gaussian, gsl_ran_lognormal, gsl_ran_beta, gsl_ran_discrete)
 *   and, where GSL has none (triangular, truncations), the quantile of one
 *   uniform: a fixed number of uniforms per draw, never rejection.
 *
 * Invariants: lo < hi (a discrete prior of one value has lo == hi);
 *   every prior's path differs from the others'.
 *
 * Complexity: reading is O(priors x validation of the scenario), twice
 *   per prior; draws and quantiles are O(1) (discrete: O(values)).
 *
 * Rejected alternatives
 *   - Checking only the schema table's bounds: many keys are read by hand
 *     (action keys) or have bounds known only while reading; validating
 *     the ends of the support covers them with the validator's message.
 *   - Rejection sampling for truncated priors: the number of uniforms
 *     would depend on the values, breaking the fixed-draws-per-stream rule.
 */
#include "cdn_priors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "cdn_path.h"
#include "scenario/cdn_json.h"
#include "scenario/cdn_schema.h"
#include "sim_alloc.h"
#include "sim_rng.h"

#define MAX_VALUES 64
#define U_EPS 1e-12

typedef struct prior {
    char *path;
    cdn_path_seg_t *segs;
    size_t nsegs;
    cdn_prior_dist_t dist;
    double a, b, c;  /* uniform, log-uniform, triangular: min, max, mode; normal: mean, sd;
                      * log-normal: ln median, sigma; beta: alpha, beta */
    double lo, hi;   /* support, in the key's unit (infinite where unbounded) */
    double flo, fhi; /* normal, log-normal: CDF of the standard normal at lo and hi */
    double *values, *weights; /* discrete: nvalues each (weights sum to 1) */
    size_t nvalues;
    gsl_ran_discrete_t *table; /* discrete */
    int lo_open;     /* log-normal without min: the support is open at 0 */
    int integer;     /* the key is an integer: values are rounded */
    char *source;
} prior_t;

struct cdn_priors {
    prior_t *p;
    size_t n;
};

static const char *const DIST_NAMES[] = {
#define X(e, name) name,
    CDN_PRIOR_DISTS(X)
#undef X
};

/* Keys each distribution takes besides path, dist, source, notes. */
static const char *const DIST_KEYS[CDN_PRIOR_NDISTS] = {
    "min max", "min max", "mean sd min max", "median sigma min max",
    "min mode max", "alpha beta min max", "values weights"};

static const char *const PRIOR_KEYS[] = {"path", "dist", "source", "min", "max", "mode",
                                         "mean", "sd", "median", "sigma", "alpha", "beta",
                                         "values", "weights"};
#define NPRIOR_KEYS (sizeof PRIOR_KEYS / sizeof PRIOR_KEYS[0])

static const cdn_json_range_t ANY = {-HUGE_VAL, HUGE_VAL, 0, 0};
static const cdn_json_range_t POS = {0, HUGE_VAL, 1, 0};

const char *cdn_priors_dist_name(cdn_prior_dist_t d)
{
    return (unsigned)d < CDN_PRIOR_NDISTS ? DIST_NAMES[d] : "?";
}

/* ------------------------------------------------------------- quantiles */

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

double cdn_priors_quantile(const cdn_priors_t *ps, size_t i, double u)
{
    const prior_t *p = &ps->p[i];
    double x = 0;
    if (u <= 0 && isfinite(p->lo) && !p->lo_open && p->dist != CDN_PRIOR_DISCRETE)
        return p->lo; /* a bounded end is reached exactly */
    if (u >= 1 && isfinite(p->hi) && p->dist != CDN_PRIOR_DISCRETE)
        return p->hi;
    u = clamp(u, U_EPS, 1 - U_EPS);
    switch (p->dist) {
    case CDN_PRIOR_UNIFORM:
        x = p->a + u * (p->b - p->a);
        break;
    case CDN_PRIOR_LOG_UNIFORM:
        x = exp(log(p->a) + u * (log(p->b) - log(p->a)));
        break;
    case CDN_PRIOR_NORMAL:
        x = p->a + p->b * gsl_cdf_ugaussian_Pinv(p->flo + u * (p->fhi - p->flo));
        break;
    case CDN_PRIOR_LOG_NORMAL:
        x = exp(p->a + p->b * gsl_cdf_ugaussian_Pinv(p->flo + u * (p->fhi - p->flo)));
        break;
    case CDN_PRIOR_TRIANGULAR: {
        double w = p->b - p->a, fc = (p->c - p->a) / w;
        x = u < fc ? p->a + sqrt(u * w * (p->c - p->a)) : p->b - sqrt((1 - u) * w * (p->b - p->c));
        break;
    }
    case CDN_PRIOR_BETA:
        x = p->lo + (p->hi - p->lo) * gsl_cdf_beta_Pinv(u, p->a, p->b);
        break;
    case CDN_PRIOR_DISCRETE: {
        double cum = 0;
        x = p->values[p->nvalues - 1];
        for (size_t k = 0; k < p->nvalues; k++) {
            cum += p->weights[k];
            if (u < cum) {
                x = p->values[k];
                break;
            }
        }
        break;
    }
    case CDN_PRIOR_NDISTS:
        break;
    }
    return clamp(x, p->lo, p->hi);
}

double cdn_priors_cdf(const cdn_priors_t *ps, size_t i, double x)
{
    const prior_t *p = &ps->p[i];
    double F = 0;
    if (isnan(x))
        return NAN;
    if (x < p->lo || (x <= p->lo && p->dist != CDN_PRIOR_DISCRETE))
        return 0;
    if (x >= p->hi)
        return 1;
    switch (p->dist) {
    case CDN_PRIOR_UNIFORM:
        F = (x - p->a) / (p->b - p->a);
        break;
    case CDN_PRIOR_LOG_UNIFORM:
        F = (log(x) - log(p->a)) / (log(p->b) - log(p->a));
        break;
    case CDN_PRIOR_NORMAL:
        F = (gsl_cdf_ugaussian_P((x - p->a) / p->b) - p->flo) / (p->fhi - p->flo);
        break;
    case CDN_PRIOR_LOG_NORMAL:
        F = (gsl_cdf_ugaussian_P((log(x) - p->a) / p->b) - p->flo) / (p->fhi - p->flo);
        break;
    case CDN_PRIOR_TRIANGULAR: {
        double w = p->b - p->a;
        F = x < p->c ? (x - p->a) * (x - p->a) / (w * (p->c - p->a))
                     : 1 - (p->b - x) * (p->b - x) / (w * (p->b - p->c));
        break;
    }
    case CDN_PRIOR_BETA:
        F = gsl_cdf_beta_P((x - p->lo) / (p->hi - p->lo), p->a, p->b);
        break;
    case CDN_PRIOR_DISCRETE:
        for (size_t k = 0; k < p->nvalues; k++)
            if (p->values[k] <= x)
                F += p->weights[k];
        break;
    case CDN_PRIOR_NDISTS:
        break;
    }
    return clamp(F, 0, 1);
}

void cdn_priors_at(const cdn_priors_t *p, const double *u, double *values)
{
    for (size_t i = 0; i < p->n; i++)
        values[i] = cdn_priors_quantile(p, i, u[i]);
}

static double draw_one(const cdn_priors_t *ps, size_t i, gsl_rng *g)
{
    const prior_t *p = &ps->p[i];
    int truncated = p->flo > 0 || p->fhi < 1;
    switch (p->dist) {
    case CDN_PRIOR_UNIFORM:
        return gsl_ran_flat(g, p->a, p->b);
    case CDN_PRIOR_LOG_UNIFORM:
        return exp(gsl_ran_flat(g, log(p->a), log(p->b)));
    case CDN_PRIOR_NORMAL:
        return truncated ? cdn_priors_quantile(ps, i, gsl_rng_uniform_pos(g))
                         : p->a + gsl_ran_gaussian(g, p->b);
    case CDN_PRIOR_LOG_NORMAL:
        return truncated ? cdn_priors_quantile(ps, i, gsl_rng_uniform_pos(g))
                         : gsl_ran_lognormal(g, p->a, p->b);
    case CDN_PRIOR_BETA:
        return p->lo + (p->hi - p->lo) * gsl_ran_beta(g, p->a, p->b);
    case CDN_PRIOR_DISCRETE:
        return p->values[gsl_ran_discrete(g, p->table)];
    case CDN_PRIOR_TRIANGULAR:
    case CDN_PRIOR_NDISTS:
        break;
    }
    return cdn_priors_quantile(ps, i, gsl_rng_uniform_pos(g));
}

void cdn_priors_draw(const cdn_priors_t *p, uint64_t seed, uint64_t index, double *values)
{
    for (size_t i = 0; i < p->n; i++) {
        sim_rng_t r;
        sim_rng_init(&r, seed, index, CDN_PRIORS_RNG_DRAW, sim_rng_key(p->p[i].path));
        values[i] = draw_one(p, i, r.g);
        sim_rng_fini(&r);
    }
}

/* The value written for prior i: rounded for an integer key. */
static double written(const prior_t *p, double v)
{
    return p->integer ? nearbyint(v) : v;
}

double cdn_priors_written(const cdn_priors_t *p, size_t i, double x)
{
    return written(&p->p[i], x);
}

cdn_overlay_t *cdn_priors_overlay(const cdn_priors_t *p, const double *values, const char *name)
{
    cdn_overlay_t *o = cdn_overlay_create(name, "priors");
    for (size_t i = 0; i < p->n; i++) {
        char text[40];
        snprintf(text, sizeof text, "%.17g", written(&p->p[i], values[i]));
        if (cdn_overlay_add_set_text(o, p->p[i].path, text, NULL) != 0) {
            /* cannot happen: the path compiled when the prior was read */
            fprintf(stderr, "cdnsim: prior path '%s' does not compile again\n", p->p[i].path);
            abort();
        }
    }
    return o;
}

/* ------------------------------------------------------------- accessors */

size_t cdn_priors_count(const cdn_priors_t *p)
{
    return p->n;
}

const char *cdn_priors_path(const cdn_priors_t *p, size_t i)
{
    return p->p[i].path;
}

cdn_prior_dist_t cdn_priors_dist(const cdn_priors_t *p, size_t i)
{
    return p->p[i].dist;
}

const char *cdn_priors_source(const cdn_priors_t *p, size_t i)
{
    return p->p[i].source;
}

void cdn_priors_support(const cdn_priors_t *p, size_t i, double *lo, double *hi)
{
    *lo = p->p[i].lo;
    *hi = p->p[i].hi;
}

void cdn_priors_describe(const cdn_priors_t *ps, size_t i, char *buf, size_t n)
{
    const prior_t *p = &ps->p[i];
    const char *d = DIST_NAMES[p->dist];
    switch (p->dist) {
    case CDN_PRIOR_NORMAL:
        snprintf(buf, n, "%s(%g, %g) in [%g, %g]", d, p->a, p->b, p->lo, p->hi);
        break;
    case CDN_PRIOR_LOG_NORMAL:
        snprintf(buf, n, "%s(median %g, sigma %g) in [%g, %g]", d, exp(p->a), p->b, p->lo, p->hi);
        break;
    case CDN_PRIOR_TRIANGULAR:
        snprintf(buf, n, "%s(%g, %g, %g)", d, p->a, p->c, p->b);
        break;
    case CDN_PRIOR_BETA:
        snprintf(buf, n, "%s(%g, %g) on [%g, %g]", d, p->a, p->b, p->lo, p->hi);
        break;
    case CDN_PRIOR_DISCRETE:
        snprintf(buf, n, "%s(%zu values in [%g, %g])", d, p->nvalues, p->lo, p->hi);
        break;
    default:
        snprintf(buf, n, "%s(%g, %g)", d, p->lo, p->hi);
        break;
    }
}

void cdn_priors_destroy(cdn_priors_t *ps)
{
    if (ps == NULL)
        return;
    for (size_t i = 0; i < ps->n; i++) {
        prior_t *p = &ps->p[i];
        free(p->path);
        cdn_path_free(p->segs, p->nsegs);
        free(p->values);
        free(p->weights);
        if (p->table)
            gsl_ran_discrete_free(p->table);
        free(p->source);
    }
    free(ps->p);
    free(ps);
}

/* ------------------------------------------------------ reading a prior */

/* 1 if `key` is one of the space-separated words of `list`. */
static int in_list(const char *list, const char *key)
{
    size_t k = strlen(key);
    for (const char *w = strstr(list, key); w; w = strstr(w + 1, key))
        if ((w == list || w[-1] == ' ') && (w[k] == ' ' || w[k] == '\0'))
            return 1;
    return 0;
}

/* Keys the distribution does not take are errors. */
static int check_dist_keys(cdn_json_ctx_t *c, const cdn_json_obj_t *o, cdn_prior_dist_t d)
{
    for (size_t k = 3; k < NPRIOR_KEYS; k++)
        if (cdn_json_obj_get(o, PRIOR_KEYS[k]) && !in_list(DIST_KEYS[d], PRIOR_KEYS[k])) {
            size_t p = cdn_json_key(c, PRIOR_KEYS[k]);
            int rc = cdn_json_fail(c, "a %s prior takes path, dist, source, notes and %s, not %s",
                                   DIST_NAMES[d], DIST_KEYS[d], PRIOR_KEYS[k]);
            cdn_json_pop(c, p);
            return rc;
        }
    return 0;
}

/* The error "expected KEY ..." at $.priors[i].KEY. */
static int fail_at(cdn_json_ctx_t *c, const char *key, const char *what, double found)
{
    cdn_json_key(c, key);
    return cdn_json_fail(c, "expected %s, found %s", what, cdn_json_show_num(found).s);
}

/* The optional truncation [min, max] of normal, log-normal and beta. */
static int read_bounds(cdn_json_ctx_t *c, const cdn_json_obj_t *o, prior_t *p, double lo0,
                       double hi0)
{
    p->lo = lo0;
    p->hi = hi0;
    CDN_TRY(cdn_json_opt_num(c, o, "min", ANY, &p->lo));
    CDN_TRY(cdn_json_opt_num(c, o, "max", ANY, &p->hi));
    if (p->lo < lo0)
        return fail_at(c, "min", "a lower bound inside the distribution's support", p->lo);
    if (!(p->hi > p->lo))
        return fail_at(c, "max", "a bound above min", p->hi);
    return 0;
}

static int read_discrete(cdn_json_ctx_t *c, const cdn_json_obj_t *o, prior_t *p)
{
    const cJSON *vals = cdn_json_obj_get(o, "values"), *ws = cdn_json_obj_get(o, "weights");
    size_t n, nw, i = 0, pk;
    if (vals == NULL)
        return cdn_json_missing(c, "values");
    pk = cdn_json_key(c, "values");
    CDN_TRY(cdn_json_array(c, vals, 1, MAX_VALUES, "numbers", &n));
    p->values = sim_xcalloc(n, sizeof *p->values);
    p->weights = sim_xcalloc(n, sizeof *p->weights);
    p->nvalues = n;
    for (const cJSON *e = vals->child; e; e = e->next, i++) {
        size_t q = cdn_json_push(c, "[%zu]", i);
        CDN_TRY(cdn_json_num(c, e, ANY, 0, &p->values[i]));
        cdn_json_pop(c, q);
        p->weights[i] = 1.0 / (double)n;
    }
    cdn_json_pop(c, pk);
    if (ws != NULL) {
        double sum = 0;
        pk = cdn_json_key(c, "weights");
        CDN_TRY(cdn_json_array(c, ws, n, n, "weights, one per value,", &nw));
        i = 0;
        for (const cJSON *e = ws->child; e; e = e->next, i++) {
            size_t q = cdn_json_push(c, "[%zu]", i);
            CDN_TRY(cdn_json_num(c, e, (cdn_json_range_t){0, HUGE_VAL, 0, 0}, 0, &p->weights[i]));
            cdn_json_pop(c, q);
            sum += p->weights[i];
        }
        if (!(sum > 0))
            return cdn_json_fail(c, "expected weights with a positive sum, found a sum of 0");
        for (i = 0; i < n; i++)
            p->weights[i] /= sum;
        cdn_json_pop(c, pk);
    }
    p->lo = p->hi = p->values[0];
    for (i = 1; i < n; i++) {
        p->lo = fmin(p->lo, p->values[i]);
        p->hi = fmax(p->hi, p->values[i]);
    }
    p->table = gsl_ran_discrete_preproc(n, p->weights);
    return 0;
}

/* The parameters of the distribution, checked against each other. */
static int read_params(cdn_json_ctx_t *c, const cdn_json_obj_t *o, prior_t *p)
{
    switch (p->dist) {
    case CDN_PRIOR_UNIFORM:
    case CDN_PRIOR_LOG_UNIFORM:
        CDN_TRY(cdn_json_req_num(c, o, "min", p->dist == CDN_PRIOR_UNIFORM ? ANY : POS, &p->a));
        CDN_TRY(cdn_json_req_num(c, o, "max", ANY, &p->b));
        if (!(p->b > p->a))
            return fail_at(c, "max", "a number above min", p->b);
        p->lo = p->a;
        p->hi = p->b;
        return 0;
    case CDN_PRIOR_TRIANGULAR:
        CDN_TRY(cdn_json_req_num(c, o, "min", ANY, &p->a));
        CDN_TRY(cdn_json_req_num(c, o, "max", ANY, &p->b));
        CDN_TRY(cdn_json_req_num(c, o, "mode", ANY, &p->c));
        if (!(p->b > p->a))
            return fail_at(c, "max", "a number above min", p->b);
        if (p->c < p->a || p->c > p->b)
            return fail_at(c, "mode", "a number in [min, max]", p->c);
        p->lo = p->a;
        p->hi = p->b;
        return 0;
    case CDN_PRIOR_NORMAL:
        CDN_TRY(cdn_json_req_num(c, o, "mean", ANY, &p->a));
        CDN_TRY(cdn_json_req_num(c, o, "sd", POS, &p->b));
        CDN_TRY(read_bounds(c, o, p, -HUGE_VAL, HUGE_VAL));
        p->flo = gsl_cdf_ugaussian_P((p->lo - p->a) / p->b);
        p->fhi = gsl_cdf_ugaussian_P((p->hi - p->a) / p->b);
        break;
    case CDN_PRIOR_LOG_NORMAL: {
        double median = 0;
        CDN_TRY(cdn_json_req_num(c, o, "median", POS, &median));
        CDN_TRY(cdn_json_req_num(c, o, "sigma", POS, &p->b));
        p->a = log(median);
        CDN_TRY(read_bounds(c, o, p, 0, HUGE_VAL));
        p->flo = p->lo > 0 ? gsl_cdf_ugaussian_P((log(p->lo) - p->a) / p->b) : 0;
        p->lo_open = !(p->lo > 0);
        p->fhi = gsl_cdf_ugaussian_P((log(p->hi) - p->a) / p->b);
        break;
    }
    case CDN_PRIOR_BETA:
        CDN_TRY(cdn_json_req_num(c, o, "alpha", POS, &p->a));
        CDN_TRY(cdn_json_req_num(c, o, "beta", POS, &p->b));
        p->lo = 0;
        p->hi = 1;
        CDN_TRY(cdn_json_opt_num(c, o, "min", ANY, &p->lo));
        CDN_TRY(cdn_json_opt_num(c, o, "max", ANY, &p->hi));
        if (!(p->hi > p->lo))
            return fail_at(c, "max", "a bound above min", p->hi);
        return 0;
    case CDN_PRIOR_DISCRETE:
        return read_discrete(c, o, p);
    case CDN_PRIOR_NDISTS:
        break;
    }
    if (!(p->fhi - p->flo > 1e-9))
        return cdn_json_fail(c, "expected min and max that keep some of the distribution, found "
                                "a probability of %.3g between them", p->fhi - p->flo);
    return 0;
}

/* ------------------------------------------------------- the target key */

/* "a.b.c" from the keys of segs[0, n): indices and filters dropped. */
static void shape_of(const cdn_path_seg_t *segs, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < len; i++)
        if (segs[i].kind == CDN_PATH_KEY) {
            int w = snprintf(buf + o, len - o, "%s%s", o ? "." : "", segs[i].text);
            o += w > 0 ? (size_t)w : 0;
        }
}

/* The schema row of the path's key, if its section is in the table. */
static int find_row(const prior_t *p, cdn_schema_row_info_t *row)
{
    char shape[CDN_PATH_MAX], head[128];
    shape_of(p->segs, p->nsegs - 1, shape, sizeof shape);
    const char *key = p->segs[p->nsegs - 1].text;
    for (int s = 0; s < CDN_SCHEMA_NSECTIONS; s++) {
        const char *h = s == CDN_SCHEMA_SEC_top ? "" : cdn_schema_heading((cdn_schema_sec_t)s);
        size_t o = 0;
        for (const char *q = h; *q && o + 1 < sizeof head; q++)
            if (*q != '[' && *q != ']')
                head[o++] = *q;
        head[o] = '\0';
        if (strcmp(head, shape) != 0)
            continue;
        for (size_t r = 0; r < cdn_schema_nrows((cdn_schema_sec_t)s); r++) {
            cdn_schema_row((cdn_schema_sec_t)s, r, row);
            if (strcmp(row->key, key) == 0)
                return 1;
        }
    }
    return 0;
}

/* The support lies within the row's fixed bounds. */
static int check_row(cdn_json_ctx_t *c, prior_t *p, const cdn_schema_row_info_t *row)
{
    if (row->kind != CDN_SCHEMA_KIND_NUM && row->kind != CDN_SCHEMA_KIND_INT)
        return cdn_json_fail(c, "expected a path to a numeric key, found '%s', a key of %s",
                             p->path, row->unit);
    p->integer = row->kind == CDN_SCHEMA_KIND_INT;
    int lo_bad = row->has_lo && (row->lo_excl ? !(p->lo > row->lo || (p->lo_open && p->lo == row->lo))
                                              : !(p->lo >= row->lo));
    int hi_bad = row->has_hi && (row->hi_excl ? !(p->hi < row->hi) : !(p->hi <= row->hi));
    if (lo_bad || hi_bad)
        return cdn_json_fail(c, "expected a prior whose support lies in the range of %s (%s), "
                                "found support [%s, %s]",
                             p->path, row->range_doc, cdn_json_show_num(p->lo).s,
                             cdn_json_show_num(p->hi).s);
    return 0;
}

/* The scenario validates with the key at `v`. */
static int try_value(cdn_json_ctx_t *c, const cJSON *root, const char *path, const prior_t *p,
                     double v, const char *which)
{
    cJSON *dup = cJSON_Duplicate(root, 1);
    cdn_error_t e = {0};
    cdn_scenario_t *s = NULL;
    char text[40];
    cJSON_DeleteItemFromObjectCaseSensitive(dup, "priors");
    cdn_overlay_t *o = cdn_overlay_create("prior", "prior");
    snprintf(text, sizeof text, "%.17g", written(p, v));
    int rc = cdn_overlay_add_set_text(o, p->path, text, &e);
    if (rc == 0)
        rc = cdn_overlay_apply(o, dup, path, &e);
    if (rc == 0)
        rc = cdn_scenario_from_tree(dup, "the scenario", path, &s, &e);
    cdn_scenario_destroy(s);
    cdn_overlay_destroy(o);
    cJSON_Delete(dup);
    if (rc == 0)
        return 0;
    return cdn_json_fail(c, "expected a prior whose %s (%s) gives a valid scenario, found: %s",
                         which, cdn_json_show_num(v).s, e.msg);
}

static int check_target(cdn_json_ctx_t *c, const cJSON *root, const char *path, prior_t *p)
{
    cdn_path_sel_t sel = {0};
    cdn_schema_row_info_t row;
    const cdn_path_seg_t *last = &p->segs[p->nsegs - 1];
    size_t pk = cdn_json_key(c, "path");
    if (last->kind != CDN_PATH_KEY)
        return cdn_json_fail(c, "expected a path that ends in a key (.key), found '%s'", p->path);
    size_t failed = cdn_path_select(p->segs, p->nsegs - 1, (cJSON *)root, &sel);
    int rc = 0;
    if (failed) {
        char prefix[CDN_PATH_MAX + 64];
        cdn_path_prefix(p->segs, failed, prefix, sizeof prefix);
        rc = cdn_json_fail(c, "expected a path that selects a key of the scenario, found '%s' "
                              "('%s' matches nothing)", p->path, prefix);
    }
    for (size_t k = 0; k < sel.n && rc == 0; k++) {
        const cJSON *v = cJSON_IsObject(sel.node[k])
                             ? cJSON_GetObjectItemCaseSensitive(sel.node[k], last->text) : NULL;
        if (!cJSON_IsObject(sel.node[k]) || (v != NULL && !cJSON_IsNumber(v)))
            rc = cdn_json_fail(c, "expected a path to a numeric key, found '%s' (it selects %s)",
                               p->path, v ? cdn_json_type(v) : cdn_json_type(sel.node[k]));
    }
    cdn_path_sel_free(&sel);
    if (rc != 0)
        return rc;
    if (find_row(p, &row))
        CDN_TRY(check_row(c, p, &row));
    cdn_json_pop(c, pk);
    if (p->dist == CDN_PRIOR_DISCRETE) {
        for (size_t k = 0; k < p->nvalues; k++)
            CDN_TRY(try_value(c, root, path, p, p->values[k], "value"));
        return 0;
    }
    /* the extreme values a draw or a design can give (finite: u is kept
     * inside (0, 1)) */
    cdn_priors_t one = {p, 1};
    CDN_TRY(try_value(c, root, path, p, cdn_priors_quantile(&one, 0, 0), "lowest value"));
    return try_value(c, root, path, p, cdn_priors_quantile(&one, 0, 1), "highest value");
}

static int read_prior(cdn_json_ctx_t *c, const cJSON *j, const cJSON *root, const char *path,
                      prior_t *p)
{
    cdn_json_obj_t o;
    const char *text = NULL, *source = NULL;
    int d = -1;
    char why[256];
    if (!cJSON_IsObject(j))
        return cdn_json_fail(c, "expected a prior {\"path\", \"dist\", ...}, found %s",
                             cdn_json_type(j));
    CDN_TRY(cdn_json_obj_open(c, j, PRIOR_KEYS, NPRIOR_KEYS, &o));
    if (cdn_json_obj_get(&o, "path") == NULL)
        return cdn_json_missing(c, "path");
    if (cdn_json_obj_get(&o, "dist") == NULL)
        return cdn_json_missing(c, "dist");
    CDN_TRY(cdn_json_opt_str(c, &o, "path", &text));
    CDN_TRY(cdn_json_opt_enum(c, &o, "dist", DIST_NAMES, CDN_PRIOR_NDISTS, &d));
    CDN_TRY(cdn_json_opt_str(c, &o, "source", &source));
    p->dist = (cdn_prior_dist_t)d;
    p->source = source ? sim_xstrdup(source) : NULL;
    p->flo = 0;
    p->fhi = 1;
    size_t pk = cdn_json_key(c, "path");
    if (cdn_path_compile(text, &p->segs, &p->nsegs, why, sizeof why) != 0)
        return cdn_json_fail(c, "expected a path like '$.proxies[name=FL2].wedge_rate_per_h', "
                                "found %s (%s)", cdn_json_show_str(text).s, why);
    cdn_json_pop(c, pk);
    p->path = sim_xstrdup(text);
    CDN_TRY(check_dist_keys(c, &o, p->dist));
    CDN_TRY(read_params(c, &o, p));
    return check_target(c, root, path, p);
}

int cdn_priors_read(const cJSON *root, const char *file, const char *path, cdn_priors_t **out,
                    cdn_error_t *err)
{
    cdn_error_t local;
    cdn_json_ctx_t c;
    size_t n = 0, i = 0;
    if (err == NULL)
        err = &local;
    *out = NULL;
    cdn_priors_t *ps = sim_xcalloc(1, sizeof *ps);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "priors");
    cdn_json_ctx_init(&c, file, err);
    if (list == NULL) {
        *out = ps;
        return 0;
    }
    cdn_json_key(&c, "priors");
    int rc = cdn_json_array(&c, list, 0, CDN_PRIORS_MAX, "priors", &n);
    if (rc != 0)
        goto fail;
    ps->p = sim_xcalloc(n ? n : 1, sizeof *ps->p);
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        size_t q = cdn_json_push(&c, "[%zu]", i);
        ps->n = i + 1;
        if ((rc = read_prior(&c, e, root, path, &ps->p[i])) != 0)
            goto fail;
        for (size_t k = 0; k < i; k++)
            if (strcmp(ps->p[k].path, ps->p[i].path) == 0) {
                cdn_json_key(&c, "path");
                rc = cdn_json_fail(&c, "expected one prior per path, found '%s' again (first "
                                       "at $.priors[%zu])", ps->p[i].path, k);
                goto fail;
            }
        cdn_json_pop(&c, q);
    }
    *out = ps;
    return 0;
fail:
    cdn_priors_destroy(ps);
    return rc;
}

cJSON *cdn_priors_json(const cdn_priors_t *p, size_t i)
{
    char text[256];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", cdn_priors_path(p, i));
    cdn_priors_describe(p, i, text, sizeof text);
    cJSON_AddStringToObject(o, "prior", text);
    if (cdn_priors_source(p, i))
        cJSON_AddStringToObject(o, "source", cdn_priors_source(p, i));
    return o;
}
