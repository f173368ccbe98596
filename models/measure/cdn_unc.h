/*
 * cdn_unc.h -- the statistics of `--uncertainty`: how much of a metric's
 * spread is due to the parameters (the priors' draws) and how much to the
 * seeds, and how often a strategy is best or beats the reference over the
 * draws (formulas and how to read them: docs/uncertainty.md).
 *
 * Contract
 *   Values are nested: draw d (a point drawn from the priors) was run with
 *   M seeds, and y[d * M + s] is the metric of seed s of draw d.  NaN is a
 *   missing value (a metric undefined in that run) and is skipped.
 *
 *   cdn_unc_decompose() is the one-way random-effects analysis of variance
 *   (draws are the groups; unbalanced when values are missing):
 *       n_d   defined values of draw d, N = sum n_d, g = draws with n_d > 0
 *       MSB = sum_d n_d (mean_d - mean)^2 / (g - 1)
 *       MSW = sum_d sum_s (y_ds - mean_d)^2 / (N - g)
 *       n0  = (N - sum_d n_d^2 / N) / (g - 1)
 *       var_seeds  = MSW
 *       var_params = max(0, (MSB - MSW) / n0)
 *       share_params = var_params / (var_params + var_seeds)  (0 when both 0)
 *   var_params estimates the variance of the draw's expected metric (the
 *   spread the priors cause), var_seeds the variance of one run around
 *   its draw's expectation (the seeds' spread).  With fewer than two
 *   draws with values, or no draw with two values (N = g), the variances
 *   and share are NaN.
 *
 *   cdn_unc_draw_means() reduces y to one mean per draw (NaN if none).
 *
 *   cdn_unc_p_best() and cdn_unc_p_beats() compare arms draw by draw on
 *   their draw means, m[d * narms + a]; `lower` says lower is better.  A
 *   draw counts only if every arm compared has a value in it.  Ties share:
 *   k arms tied for best get 1/k each; a tie in a pairwise comparison
 *   counts 1/2.  The result is a fraction of the counted draws (NaN if
 *   none is counted).
 *
 *   cdn_unc_robust() is the verdict on a ranking: robust when the top arm
 *   (best overall mean) beats the runner-up (second-best overall mean) in
 *   at least CDN_UNC_ROBUST_P of the draws, and there are at least
 *   CDN_UNC_ROBUST_MIN_DRAWS draws.  The minimum is there because a share
 *   from few draws says little: winning 2 draws of 2 is 100%, yet the
 *   one-sided 95% lower bound on the true share is 0.05^(1/2) = 0.22;
 *   a clean sweep of 20 draws bounds it at 0.05^(1/20) = 0.86, of 59 at
 *   0.95.  Rejected: requiring that lower bound itself to reach 0.95 (59
 *   draws at the least, and no verdict at all for the README's 100 draws
 *   with a single loss).
 *
 * Errors: none; undefined results are NaN.
 * Threads: pure functions, no state.
 *
 * Rejected: pooling every replication and reporting one interval (the
 *   interval would mix ignorance and randomness, the thing to keep apart);
 *   the law of total variance on sample moments without the n0 correction
 *   (the between-draw variance of means of M seeds contains var_seeds / M,
 *   so it would credit seed noise to the parameters: a flat prior would
 *   show a share of about 1/M instead of 0).
 */
#ifndef CDNSIM_CDN_UNC_H
#define CDNSIM_CDN_UNC_H

#include <stddef.h>

#define CDN_UNC_ROBUST_P 0.95       /* P(top beats runner-up) needed for "robust" */
#define CDN_UNC_ROBUST_MIN_DRAWS 20 /* and the draws needed to judge at all */

typedef struct cdn_unc_decomp {
    size_t n;          /* defined values */
    size_t draws;      /* draws with at least one value */
    double mean;       /* of every defined value */
    double msb, msw;   /* mean squares between and within draws */
    double var_params; /* variance component of the draws */
    double var_seeds;  /* variance component of the seeds */
    double share_params; /* var_params / (var_params + var_seeds) */
} cdn_unc_decomp_t;

void cdn_unc_decompose(const double *y, size_t ndraws, size_t m, cdn_unc_decomp_t *out);

/* means[d] = mean of the defined y[d * m .. d * m + m - 1], NaN if none. */
void cdn_unc_draw_means(const double *y, size_t ndraws, size_t m, double *means);

/* p[a] for every arm a: the share of counted draws in which a is best. */
void cdn_unc_p_best(const double *means, size_t ndraws, size_t narms, int lower, double *p);

/* The share of draws (with both values) in which arm a beats arm b. */
double cdn_unc_p_beats(const double *means, size_t ndraws, size_t narms, size_t a, size_t b,
                       int lower);

/* 1 if p_top_beats_runner_up >= CDN_UNC_ROBUST_P over at least
 * CDN_UNC_ROBUST_MIN_DRAWS draws, else 0 (NaN: 0). */
int cdn_unc_robust(double p_top_beats_runner_up, size_t draws);
/* The draws in which arms a and b both have a value, into *counted, and
 * of them those where their means are equal (returned): the draws that
 * cdn_unc_p_beats counts as half.  When every counted draw ties, the two
 * arms differ in other metrics only, and no share of wins can judge them. */
size_t cdn_unc_ties(const double *means, size_t ndraws, size_t narms, size_t a, size_t b,
                    size_t *counted);

#endif /* CDNSIM_CDN_UNC_H */
