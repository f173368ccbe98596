/*
 * sim_stats.h -- statistics of replicated simulation outputs: mean,
 * standard deviation, Student-t confidence intervals, paired differences
 * (common random numbers) and sample quantiles.
 *
 * Contract
 *   Pure functions of their inputs, no state, no knowledge of what the
 *   numbers mean.  A NaN value is "missing": it is skipped, and `n` counts
 *   only the values used (for a paired difference, the pairs where both
 *   values are present).  Sums run in index order, so the same inputs give
 *   bit-identical results on every call, thread and process.
 *
 *   Confidence intervals are the classical two-sided Student-t intervals
 *   for a mean, mean +- t_{(1+level)/2, n-1} * sd / sqrt(n), with t from
 *   GSL (gsl_cdf_tdist_Pinv).  With fewer than two values sd, the
 *   half-width and the interval are NaN; with n >= 2 values that are all
 *   equal they are exactly 0 and the interval is [mean, mean].
 *
 * Threads: every function is reentrant.  GSL's error handler must not
 *   abort (main() turns it off), though valid inputs never raise one.
 */
#ifndef CDNSIM_SIM_STATS_H
#define CDNSIM_SIM_STATS_H

#include <stddef.h>

typedef struct sim_stats_summary {
    size_t n;          /* values used (missing ones skipped) */
    double mean;       /* arithmetic mean; NaN if n == 0 */
    double sd;         /* sample standard deviation (divisor n - 1); NaN if n < 2 */
    double half_width; /* t_{(1+level)/2, n-1} * sd / sqrt(n); NaN if n < 2 */
    double lo, hi;     /* mean - half_width, mean + half_width */
} sim_stats_summary_t;

/* Summary of x[0], x[stride], ..., x[(n-1)*stride] with a confidence
 * interval at `level` (for example 0.95, in (0, 1)). */
void sim_stats_summarize(const double *x, size_t n, size_t stride, double level,
                         sim_stats_summary_t *out);

/* Summary of the paired differences x[i*stride] - y[i*stride]: the
 * interval of the mean difference under common random numbers.  Identical
 * inputs give exactly mean 0, sd 0, interval [0, 0]. */
void sim_stats_paired(const double *x, const double *y, size_t n, size_t stride, double level,
                      sim_stats_summary_t *out);

/* The p-quantile of Student's t distribution with `dof` > 0 degrees of
 * freedom (p in (0, 1)). */
double sim_stats_t_quantile(double p, double dof);

/* Sample quantile q in [0, 1] of n values by linear interpolation between
 * order statistics (Hyndman and Fan type 7, R's default): with the sorted
 * values v[0..n-1], h = (n-1) q, the result is
 * v[floor h] + (h - floor h) (v[floor h + 1] - v[floor h]).
 * Sorts v in place; missing values are moved to the end and not used.
 * NaN if no value is present. */
double sim_stats_quantile(double *v, size_t n, double q);

/* 1 when the interval is tight enough: half_width < rel * |mean|, or the
 * mean is exactly 0 (nothing to be relative to) or sd is exactly 0.
 * 0 otherwise, including when there are fewer than two values. */
int sim_stats_precise(const sim_stats_summary_t *s, double rel);

#endif /* CDNSIM_SIM_STATS_H */
