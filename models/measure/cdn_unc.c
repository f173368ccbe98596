/*
 * cdn_unc.c -- variance decomposition and draw-by-draw comparisons of
 * `--uncertainty` (contract and formulas: cdn_unc.h).
 *
 * Design
 *   Two passes over the values (means first, then squared deviations),
 *   not running sums of squares, so a metric of 1e12 requests with a
 *   spread of 1e6 keeps its digits.  The estimator is the classical
 *   ANOVA one (Searle, Casella and McCulloch, Variance Components, 1992,
 *   ch. 3), truncated at 0; its n0 handles draws that lost a value to a
 *   missing metric.  Arms are compared on draw means, never on single
 *   runs, so a draw's M seeds vote once.
 *
 * Rejected: REML or a Bayesian hierarchical fit (no closed form, and the
 *   balanced ANOVA estimator is already unbiased for var_params before
 *   truncation); counting a tie as a win for the first arm listed (the
 *   order of --strategies would move the probabilities).
 */
#include "cdn_unc.h"

#include <math.h>

/* The sum of draw d's defined values, in seed order, and their count. */
static double draw_sum(const double *y, size_t d, size_t m, size_t *count)
{
    double s = 0.0;
    size_t n = 0;
    for (size_t k = 0; k < m; k++)
        if (!isnan(y[d * m + k])) {
            s += y[d * m + k];
            n++;
        }
    *count = n;
    return s;
}

void cdn_unc_draw_means(const double *y, size_t ndraws, size_t m, double *means)
{
    for (size_t d = 0; d < ndraws; d++) {
        size_t n;
        double s = draw_sum(y, d, m, &n);
        means[d] = n ? s / (double)n : NAN;
    }
}

void cdn_unc_decompose(const double *y, size_t ndraws, size_t m, cdn_unc_decomp_t *out)
{
    double total = 0.0, sum_n2 = 0.0;
    size_t n = 0, g = 0;
    for (size_t d = 0; d < ndraws; d++) {
        size_t nd = 0;
        for (size_t k = 0; k < m; k++)
            if (!isnan(y[d * m + k])) {
                total += y[d * m + k];
                nd++;
            }
        n += nd;
        g += nd > 0;
        sum_n2 += (double)nd * (double)nd;
    }
    out->n = n;
    out->draws = g;
    out->mean = n ? total / (double)n : NAN;
    out->msb = out->msw = out->var_params = out->var_seeds = out->share_params = NAN;
    if (g < 2 || n <= g)
        return;
    double ssb = 0.0, ssw = 0.0;
    for (size_t d = 0; d < ndraws; d++) {
        size_t nd;
        double s = draw_sum(y, d, m, &nd);
        if (nd == 0)
            continue;
        double md = s / (double)nd;
        ssb += (double)nd * (md - out->mean) * (md - out->mean);
        for (size_t k = 0; k < m; k++)
            if (!isnan(y[d * m + k]))
                ssw += (y[d * m + k] - md) * (y[d * m + k] - md);
    }
    double n0 = ((double)n - sum_n2 / (double)n) / (double)(g - 1);
    out->msb = ssb / (double)(g - 1);
    out->msw = ssw / (double)(n - g);
    out->var_seeds = out->msw;
    out->var_params = out->msb > out->msw ? (out->msb - out->msw) / n0 : 0.0;
    double v = out->var_params + out->var_seeds;
    out->share_params = v > 0.0 ? out->var_params / v : 0.0;
}

/* x is better than y (1), equal (0) or worse (-1). */
static int better(double x, double y, int lower)
{
    if (x == y)
        return 0;
    return (lower ? x < y : x > y) ? 1 : -1;
}

void cdn_unc_p_best(const double *means, size_t ndraws, size_t narms, int lower, double *p)
{
    size_t counted = 0;
    for (size_t a = 0; a < narms; a++)
        p[a] = 0.0;
    for (size_t d = 0; d < ndraws; d++) {
        const double *row = means + d * narms;
        int complete = narms > 0;
        for (size_t a = 0; a < narms; a++)
            complete = complete && !isnan(row[a]);
        if (!complete)
            continue;
        counted++;
        double best = row[0];
        for (size_t a = 1; a < narms; a++)
            if (better(row[a], best, lower) > 0)
                best = row[a];
        size_t ties = 0;
        for (size_t a = 0; a < narms; a++)
            ties += row[a] == best;
        for (size_t a = 0; a < narms; a++)
            if (row[a] == best)
                p[a] += 1.0 / (double)ties;
    }
    for (size_t a = 0; a < narms; a++)
        p[a] = counted ? p[a] / (double)counted : NAN;
}

double cdn_unc_p_beats(const double *means, size_t ndraws, size_t narms, size_t a, size_t b,
                       int lower)
{
    double wins = 0.0;
    size_t counted = 0;
    for (size_t d = 0; d < ndraws; d++) {
        double x = means[d * narms + a], y = means[d * narms + b];
        if (isnan(x) || isnan(y))
            continue;
        counted++;
        int c = better(x, y, lower);
        wins += c > 0 ? 1.0 : c == 0 ? 0.5 : 0.0;
    }
    return counted ? wins / (double)counted : NAN;
}

size_t cdn_unc_ties(const double *means, size_t ndraws, size_t narms, size_t a, size_t b,
                    size_t *counted)
{
    size_t ties = 0;
    *counted = 0;
    for (size_t d = 0; d < ndraws; d++) {
        double x = means[d * narms + a], y = means[d * narms + b];
        if (isnan(x) || isnan(y))
            continue;
        (*counted)++;
        ties += x == y;
    }
    return ties;
}

int cdn_unc_robust(double p_top_beats_runner_up, size_t draws)
{
    return !isnan(p_top_beats_runner_up) && p_top_beats_runner_up >= CDN_UNC_ROBUST_P &&
           draws >= CDN_UNC_ROBUST_MIN_DRAWS;
}
