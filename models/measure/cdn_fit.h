/*
 * cdn_fit.h -- fitting free parameters to a scenario's calibration
 * targets: the loss, the unbounded coordinates the minimiser moves in,
 * and the Nelder-Mead driver (`cdnsim fit`, docs/uncertainty.md#fitting-cdnsim-fit).
 *
 * Contract
 *   Loss.  For each calibration target with a published value
 *   (has_target), the median over the n replications of the simulated
 *   value (the replications where it happened) is compared with the
 *   published value on the target's scale (cdn_fit_scale: 60 s for times
 *   and durations, so one unit is one minute; 0.01 for shares, one
 *   percentage point; 1 for anything else):
 *       term = ((median - published) / scale)^2 + CDN_FIT_MISSING * m / n
 *   where m of the n replications did not produce the target (an alert
 *   that never fired); a target missing from every replication costs
 *   2 CDN_FIT_MISSING (as if about 450 units, 7.5 hours, off: more than a
 *   miss within any span the reference simulates), so the minimiser is
 *   pushed back to where the published event happens.
 *   The loss is the sum of the terms.  Targets without a published value
 *   are reported but not fitted.  The loss is a pure function of the
 *   values, so with the same seeds for every evaluation (common random
 *   numbers) it is a deterministic function of the parameters.
 *
 *   Coordinates.  Parameter i with prior F_i moves in z_i = logit(F_i(x_i));
 *   x = Q_i(logistic(z)) with Q_i the prior's quantile.  Every z maps into
 *   the prior's support, so no bound can be left and no penalty is needed;
 *   F_i(x) is kept in [CDN_FIT_U_MIN, 1 - CDN_FIT_U_MIN] so a start on a
 *   bound has a finite z.  The prior's shape sets the scale: a log-uniform
 *   prior is searched in log x.
 *
 *   Minimiser.  cdn_fit_minimize() runs GSL's nmsimplex2 on
 *       f(z) = loss(x(z)) + CDN_FIT_TIE * |z - z0|^2
 *   (the small tie-breaker keeps a direction the targets do not see at
 *   its start, the hand-fitted value) from z0 with a step of `step` in
 *   every coordinate, until the simplex size is below `tol` or max_iter
 *   iterations in all; after a convergence with iterations left it
 *   restarts from the best point (at most CDN_FIT_RESTARTS times, and
 *   only while a restart lowers f), because a Nelder-Mead simplex can
 *   collapse before the minimum.  Each iteration is reported through
 *   `on_iter` (the iteration, the loss without the tie-breaker at the best
 *   vertex, the simplex size, that vertex's z).
 *
 * Errors: the driver returns 0, the evaluation's own negative code (its
 *   message in err), or CDN_EDATA when GSL refuses (message set).
 * Threads: pure functions; the driver calls back on the caller's thread.
 */
#ifndef CDNSIM_CDN_FIT_H
#define CDNSIM_CDN_FIT_H

#include <stddef.h>

#include "cdn_priors.h"
#include "cdn_scenario.h"

#define CDN_FIT_MISSING 1e5   /* loss of a target missing from every replication, half of it */
#define CDN_FIT_TIE 1e-6      /* weight of |z - z0|^2 */
#define CDN_FIT_U_MIN 1e-9    /* F(x) is kept in [U_MIN, 1 - U_MIN] */
#define CDN_FIT_RESTARTS 3    /* restarts from the best point after a convergence */

/* The scale of target metric m's misfit, in its unit. */
double cdn_fit_scale(cdn_cal_metric_t m);

/* z of parameter i at x, and back. */
double cdn_fit_z_of_x(const cdn_priors_t *p, size_t i, double x);
double cdn_fit_x_of_z(const cdn_priors_t *p, size_t i, double z);

/* The median of v[0..n-1] over the values that are not NaN (NaN if none);
 * *missing = how many were NaN.  v is not changed. */
double cdn_fit_median(const double *v, size_t n, size_t *missing);

/* One target's term (above); median NaN means missing == n. */
double cdn_fit_term(double median, size_t missing, size_t n, double published, double scale);

/* The loss of values[t * nrep + r] (target t of the scenario in
 * replication r, cdn_calibration_value), over the published targets. */
double cdn_fit_loss(const cdn_scenario_t *s, const double *values, size_t nrep);

/* Evaluates the loss at z[0..k-1]: 0 and *loss, or a negative code with
 * err set (the driver stops). */
typedef int (*cdn_fit_eval_fn)(void *ctx, const double *z, double *loss, cdn_error_t *err);
typedef void (*cdn_fit_iter_fn)(void *ctx, size_t iter, double loss, double size, const double *z);

typedef struct cdn_fit_opts {
    size_t max_iter; /* iterations in all, restarts included */
    double tol;      /* stop when the simplex size (GSL's) is below it, in z */
    double step;     /* initial simplex step in every z (near an end of the support:
                      * a quarter of the prior towards its middle, cdn_fit.c) */
} cdn_fit_opts_t;

typedef struct cdn_fit_result {
    double loss;   /* at z: without the tie-breaker */
    double size;   /* the last simplex size */
    size_t iters;  /* iterations done */
    size_t evals;  /* loss evaluations */
    size_t restarts;
    int converged; /* 1 if the last simplex was smaller than tol */
} cdn_fit_result_t;

/* Minimises from z (k values, overwritten with the best point found). */
int cdn_fit_minimize(size_t k, double *z, const cdn_fit_opts_t *o, cdn_fit_eval_fn eval,
                     cdn_fit_iter_fn on_iter, void *ctx, cdn_fit_result_t *res, cdn_error_t *err);

#endif /* CDNSIM_CDN_FIT_H */
