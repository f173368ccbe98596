/*
 * cdn_sensitivity.c -- Morris and Sobol/Saltelli designs and estimators.
 *
 * Design
 *   A design is a flat array of npoints x k coordinates plus what the
 *   estimators need to read the outputs back: for Morris, which input
 *   moves at each step of each trajectory (`moved`, r x k) and the signed
 *   step (`step`, same shape); for Sobol, the row count N, the layout
 *   being fixed (row j: A at j (k + 2), B next, then AB_1 .. AB_k).
 *   Estimators walk the outputs once per input; the bootstrap draws N row
 *   indices per resample from the design's own keyed stream, so the
 *   reported errors reproduce bit for bit.
 *
 * Invariants: every coordinate is in [0, 1]; in a Morris trajectory two
 *   consecutive points differ in exactly the input `moved` names, by
 *   `step` (+-delta).
 *
 * Complexity: Morris O(r k) memory and time; Sobol O(N k^2) to lay out
 *   and O(nboot N k) to bootstrap.
 *
 * Rejected alternatives
 *   - Radial or optimised Morris designs (Campolongo's trajectory
 *     selection): better spread for the same cost, but more code than the
 *     ranking this command needs; r random trajectories are the textbook
 *     method and their mu* standard error is reported.
 *   - Pseudo-random A and B for Sobol: the quasi-random sequence converges
 *     faster for the same number of runs; the bootstrap over its rows is
 *     then a conservative error, which is what the report states.
 *   - The Saltelli 2002 S1 estimator (f(A) f(AB_i) - f0^2): biased when
 *     the mean is large against the spread, which is typical of metrics
 *     like failed requests.
 */
#include "cdn_sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "cdn_priors.h" /* CDN_PRIORS_RNG_DESIGN */
#include "sim_alloc.h"
#include "sim_rng.h"

struct cdn_sens_design {
    cdn_sens_method_t method;
    size_t k, npoints;
    double *u;       /* npoints x k */
    size_t r;        /* Morris: trajectories; Sobol: rows N */
    size_t *moved;   /* Morris: r x k, the input moved at step j of trajectory t */
    double *step;    /* Morris: r x k, its signed step */
    size_t nboot;    /* Sobol: bootstrap resamples */
    uint64_t seed;
};

static cdn_sens_design_t *design_new(cdn_sens_method_t m, size_t k, size_t npoints)
{
    cdn_sens_design_t *d = sim_xcalloc(1, sizeof *d);
    d->method = m;
    d->k = k;
    d->npoints = npoints;
    d->u = sim_xcalloc(npoints * k, sizeof *d->u);
    return d;
}

cdn_sens_design_t *cdn_sens_morris(size_t k, size_t r, unsigned levels, uint64_t seed)
{
    cdn_sens_design_t *d = design_new(CDN_SENS_MORRIS, k, r * (k + 1));
    double delta = (double)levels / (2.0 * (double)(levels - 1));
    size_t *order = sim_xcalloc(k, sizeof *order);
    sim_rng_t g;
    sim_rng_init(&g, seed, 0, CDN_PRIORS_RNG_DESIGN, sim_rng_key("morris"));
    d->r = r;
    d->seed = seed;
    d->moved = sim_xcalloc(r * k, sizeof *d->moved);
    d->step = sim_xcalloc(r * k, sizeof *d->step);
    for (size_t t = 0; t < r; t++) {
        double *x = &d->u[t * (k + 1) * k];
        for (size_t i = 0; i < k; i++) {
            x[i] = (double)sim_rng_index(&g, levels) / (double)(levels - 1);
            order[i] = i;
        }
        for (size_t i = k; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)sim_rng_index(&g, i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t j = 0; j < k; j++) {
            double *next = x + k;
            size_t i = order[j];
            memcpy(next, x, k * sizeof *x);
            double s = x[i] + delta <= 1.0 + 1e-12 ? delta : -delta;
            next[i] = fmin(1.0, fmax(0.0, x[i] + s));
            d->moved[t * k + j] = i;
            d->step[t * k + j] = next[i] - x[i];
            x = next;
        }
    }
    sim_rng_fini(&g);
    free(order);
    return d;
}

cdn_sens_design_t *cdn_sens_sobol(size_t k, size_t n, size_t nboot, uint64_t seed)
{
    cdn_sens_design_t *d = design_new(CDN_SENS_SOBOL, k, n * (k + 2));
    unsigned dim = (unsigned)(2 * k);
    gsl_qrng *q = sim_xcheck(gsl_qrng_alloc(dim <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, dim),
                             "quasi-random generator");
    double *v = sim_xcalloc(2 * k, sizeof *v);
    d->r = n;
    d->nboot = nboot;
    d->seed = seed;
    gsl_qrng_get(q, v); /* the all-zero first point */
    for (size_t j = 0; j < n; j++) {
        gsl_qrng_get(q, v);
        double *row = &d->u[j * (k + 2) * k];
        memcpy(row, v, k * sizeof *v);          /* A */
        memcpy(row + k, v + k, k * sizeof *v);  /* B */
        for (size_t i = 0; i < k; i++) {        /* AB_i */
            double *ab = row + (2 + i) * k;
            memcpy(ab, v, k * sizeof *v);
            ab[i] = v[k + i];
        }
    }
    free(v);
    gsl_qrng_free(q);
    return d;
}

void cdn_sens_destroy(cdn_sens_design_t *d)
{
    if (d == NULL)
        return;
    free(d->u);
    free(d->moved);
    free(d->step);
    free(d);
}

cdn_sens_method_t cdn_sens_method(const cdn_sens_design_t *d)
{
    return d->method;
}

size_t cdn_sens_npoints(const cdn_sens_design_t *d)
{
    return d->npoints;
}

size_t cdn_sens_inputs(const cdn_sens_design_t *d)
{
    return d->k;
}

const double *cdn_sens_point(const cdn_sens_design_t *d, size_t i)
{
    return &d->u[i * d->k];
}

/* Variance (n - 1) of the defined values of y[0..n-1] at stride 1. */
static double variance(const double *y, size_t n)
{
    double s = 0, s2 = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            s += y[i];
            m++;
        }
    if (m < 2)
        return 0;
    double mean = s / (double)m;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i]))
            s2 += (y[i] - mean) * (y[i] - mean);
    return s2 / (double)(m - 1);
}

static int analyse_morris(const cdn_sens_design_t *d, const double *y, cdn_sens_index_t *out,
                          cdn_error_t *err)
{
    size_t k = d->k;
    double *ee = sim_xcalloc(d->r, sizeof *ee);
    for (size_t i = 0; i < k; i++) {
        size_t n = 0;
        for (size_t t = 0; t < d->r; t++)
            for (size_t j = 0; j < k; j++) {
                if (d->moved[t * k + j] != i)
                    continue;
                double y0 = y[t * (k + 1) + j], y1 = y[t * (k + 1) + j + 1];
                if (!isnan(y0) && !isnan(y1))
                    ee[n++] = (y1 - y0) / d->step[t * k + j];
            }
        cdn_sens_index_t *x = &out[i];
        memset(x, 0, sizeof *x);
        x->used = n;
        if (n < 2)
            continue;
        double s = 0, sa = 0, v = 0, va = 0;
        for (size_t m = 0; m < n; m++) {
            s += ee[m];
            sa += fabs(ee[m]);
        }
        x->mu = s / (double)n;
        x->mu_star = sa / (double)n;
        for (size_t m = 0; m < n; m++) {
            v += (ee[m] - x->mu) * (ee[m] - x->mu);
            va += (fabs(ee[m]) - x->mu_star) * (fabs(ee[m]) - x->mu_star);
        }
        x->sigma = sqrt(v / (double)(n - 1));
        x->mu_star_se = sqrt(va / (double)(n - 1) / (double)n);
    }
    free(ee);
    for (size_t i = 0; i < k; i++)
        if (out[i].used < 2) {
            snprintf(err->msg, sizeof err->msg,
                     "Morris: input %zu has %zu elementary effects with a defined metric; "
                     "at least 2 are needed (more trajectories, or a metric defined in every run)",
                     i + 1, out[i].used);
            return err->code = CDN_EDATA;
        }
    return 0;
}

/* S1 and ST of input i over rows rows[0..n-1] (defined rows only). */
static void sobol_one(const cdn_sens_design_t *d, const double *y, size_t i, const size_t *rows,
                      size_t n, double *s1, double *st)
{
    size_t w = d->k + 2;
    double sa = 0, sa2 = 0, a1 = 0, a2 = 0;
    for (size_t m = 0; m < n; m++) {
        const double *r = &y[rows[m] * w];
        sa += r[0] + r[1];
        sa2 += r[0] * r[0] + r[1] * r[1];
        a1 += r[1] * (r[2 + i] - r[0]);
        a2 += (r[0] - r[2 + i]) * (r[0] - r[2 + i]);
    }
    double mean = sa / (double)(2 * n);
    double v = sa2 / (double)(2 * n) - mean * mean;
    *s1 = v > 0 ? a1 / (double)n / v : NAN;
    *st = v > 0 ? a2 / (2.0 * (double)n) / v : NAN;
}

static int analyse_sobol(const cdn_sens_design_t *d, const double *y, cdn_sens_index_t *out,
                         double *var, cdn_error_t *err)
{
    size_t k = d->k, w = k + 2, n = 0;
    size_t *rows = sim_xcalloc(d->r, sizeof *rows), *boot = sim_xcalloc(d->r, sizeof *boot);
    double *sum = sim_xcalloc(4 * k, sizeof *sum);
    for (size_t j = 0; j < d->r; j++) {
        int ok = 1;
        for (size_t c = 0; c < w; c++)
            ok = ok && !isnan(y[j * w + c]);
        if (ok)
            rows[n++] = j;
    }
    double sa = 0, sa2 = 0;
    for (size_t m = 0; m < n; m++) {
        const double *r = &y[rows[m] * w];
        sa += r[0] + r[1];
        sa2 += r[0] * r[0] + r[1] * r[1];
    }
    *var = n ? sa2 / (double)(2 * n) - (sa / (double)(2 * n)) * (sa / (double)(2 * n)) : 0;
    int rc = 0;
    if (n < 2 || !(*var > 0)) {
        snprintf(err->msg, sizeof err->msg,
                 "Sobol: %zu of %zu rows have a defined metric and their variance is %g; the "
                 "indices need at least 2 rows and a metric that varies", n, d->r, *var);
        rc = err->code = CDN_EDATA;
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].used = n;
        sobol_one(d, y, i, rows, n, &out[i].s1, &out[i].st);
    }
    sim_rng_t g;
    sim_rng_init(&g, d->seed, 0, CDN_PRIORS_RNG_DESIGN, sim_rng_key("bootstrap"));
    for (size_t b = 0; b < d->nboot; b++) {
        for (size_t m = 0; m < n; m++)
            boot[m] = rows[sim_rng_index(&g, n)];
        for (size_t i = 0; i < k; i++) {
            double s1, st;
            sobol_one(d, y, i, boot, n, &s1, &st);
            sum[4 * i] += s1;
            sum[4 * i + 1] += s1 * s1;
            sum[4 * i + 2] += st;
            sum[4 * i + 3] += st * st;
        }
    }
    sim_rng_fini(&g);
    for (size_t i = 0; i < k && d->nboot > 1; i++) {
        double nb = (double)d->nboot;
        double m1 = sum[4 * i] / nb, m2 = sum[4 * i + 2] / nb;
        out[i].s1_se = sqrt(fmax(0, (sum[4 * i + 1] - nb * m1 * m1) / (nb - 1)));
        out[i].st_se = sqrt(fmax(0, (sum[4 * i + 3] - nb * m2 * m2) / (nb - 1)));
    }
done:
    free(rows);
    free(boot);
    free(sum);
    return rc;
}

int cdn_sens_analyse(const cdn_sens_design_t *d, const double *y, cdn_sens_index_t *out,
                     double *var, cdn_error_t *err)
{
    cdn_error_t local;
    if (err == NULL)
        err = &local;
    if (d->method == CDN_SENS_SOBOL)
        return analyse_sobol(d, y, out, var, err);
    *var = variance(y, d->npoints);
    return analyse_morris(d, y, out, err);
}
