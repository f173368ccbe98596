/*
 * sim_stats.c -- means, standard deviations, Student-t intervals, paired
 * differences and quantiles of replicated outputs.
 *
 * Design
 *   Two passes over the data: the mean first, then the sum of squared
 *   deviations from it.  This is exact for constant data (so identical
 *   paired runs give exactly zero, which a test checks) and more accurate
 *   than the one-pass sum of squares.  Welford's update would allow
 *   streaming, but every caller has its values in memory and the two-pass
 *   form is simpler to check by hand.
 *
 *   Quantiles sort a caller's array with qsort and a total order in which
 *   NaN sorts last, then interpolate (type 7).  Complexity O(n log n); the
 *   callers need a few quantiles of a few hundred values per bin.
 *
 *   The t quantile comes from GSL; nothing else here depends on GSL, so
 *   the formulas are checked against hand-computed values in
 *   tests/test_sim_stats.c.
 */
#include "sim_stats.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

double sim_stats_t_quantile(double p, double dof)
{
    return gsl_cdf_tdist_Pinv(p, dof);
}

/* Shared by summarize and paired: y == NULL means "x alone". */
static void summarize(const double *x, const double *y, size_t n, size_t stride, double level,
                      sim_stats_summary_t *out)
{
    size_t used = 0;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = y ? x[i * stride] - y[i * stride] : x[i * stride];
        if (isnan(v))
            continue;
        sum += v;
        used++;
    }
    out->n = used;
    out->mean = used > 0 ? sum / (double)used : NAN;
    out->sd = out->half_width = out->lo = out->hi = NAN;
    if (used < 2)
        return;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = y ? x[i * stride] - y[i * stride] : x[i * stride];
        if (isnan(v))
            continue;
        ss += (v - out->mean) * (v - out->mean);
    }
    out->sd = sqrt(ss / (double)(used - 1));
    if (out->sd == 0.0) {
        out->half_width = 0.0;
    } else {
        double t = sim_stats_t_quantile(0.5 + 0.5 * level, (double)(used - 1));
        out->half_width = t * out->sd / sqrt((double)used);
    }
    out->lo = out->mean - out->half_width;
    out->hi = out->mean + out->half_width;
}

void sim_stats_summarize(const double *x, size_t n, size_t stride, double level,
                         sim_stats_summary_t *out)
{
    summarize(x, NULL, n, stride, level, out);
}

void sim_stats_paired(const double *x, const double *y, size_t n, size_t stride, double level,
                      sim_stats_summary_t *out)
{
    summarize(x, y, n, stride, level, out);
}

static int cmp_nan_last(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

double sim_stats_quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_nan_last);
    while (n > 0 && isnan(v[n - 1]))
        n--;
    if (n == 0)
        return NAN;
    if (q <= 0.0)
        return v[0];
    if (q >= 1.0)
        return v[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    double frac = h - (double)lo;
    if (lo + 1 >= n)
        return v[n - 1];
    return frac == 0.0 ? v[lo] : v[lo] + frac * (v[lo + 1] - v[lo]);
}

int sim_stats_precise(const sim_stats_summary_t *s, double rel)
{
    if (s->n < 2)
        return 0;
    if (s->mean == 0.0 || s->sd == 0.0)
        return 1;
    return s->half_width < rel * fabs(s->mean);
}
