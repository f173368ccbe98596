/*
 * cdn_fit.c -- the loss of a fit, its coordinates and the Nelder-Mead
 * driver (contract: cdn_fit.h).
 *
 * Design
 *   The loss is a sum of squared, scaled misses of medians: the median,
 *   not the mean, because a time target's distribution over replications
 *   is skewed (a long restart tail) and a post-mortem reports what
 *   happened once, which the median represents better; squared, so that
 *   Nelder-Mead sees a smooth bowl near the fit.  Scales make one unit a
 *   minute or a percentage point, the resolution of a post-mortem's
 *   timeline, so targets of different kinds weigh alike.
 *
 *   The driver wraps the caller's evaluation in a gsl_multimin_function
 *   that adds the tie-breaker and remembers the best point evaluated
 *   (f, loss, z).  That point is the answer and what every iteration
 *   reports: Nelder-Mead's best vertex is the best point it has kept, and
 *   the best evaluated is never worse, so the loss curve is monotone.  The
 *   wrapper answers a repeated evaluation of the best point from memory
 *   (GSL's set() evaluates the start again at every restart).  After an
 *   evaluation fails, the wrapper returns NaN without calling the
 *   caller again; GSL then stops with GSL_EBADFUNC and the driver returns
 *   the evaluation's own error.
 *
 * Rejected alternatives
 *   - Box constraints by penalty or clamping: Nelder-Mead stalls on the
 *     flat of a clamp; the logit of the prior's CDF has no boundary.
 *   - A gradient method (GSL's BFGS): the loss is piecewise constant at
 *     the scale of a bin and of integer counts; finite differences see
 *     steps, not slopes.
 *   - ABC (issue 13 allows it): it needs thousands of evaluations of a
 *     scenario that takes seconds each; a point estimate with its
 *     before/after table is what the calibration report compares.
 */
#include "cdn_fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>

#include "cdn_measure.h"
#include "sim_alloc.h"
#include "sim_stats.h"

double cdn_fit_scale(cdn_cal_metric_t m)
{
    switch (cdn_measure_unit(cdn_cal_metric_measure(m))) {
    case CDN_UNIT_INSTANT:
    case CDN_UNIT_SECONDS:
        return 60.0; /* one minute */
    case CDN_UNIT_SHARE:
        return 0.01; /* one percentage point */
    default:
        return 1.0;
    }
}

double cdn_fit_z_of_x(const cdn_priors_t *p, size_t i, double x)
{
    double u = cdn_priors_cdf(p, i, x);
    if (u < CDN_FIT_U_MIN)
        u = CDN_FIT_U_MIN;
    if (u > 1 - CDN_FIT_U_MIN)
        u = 1 - CDN_FIT_U_MIN;
    return log(u) - log1p(-u);
}

double cdn_fit_x_of_z(const cdn_priors_t *p, size_t i, double z)
{
    /* the logistic function, written so that neither branch overflows */
    double u = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
    return cdn_priors_quantile(p, i, u);
}

double cdn_fit_median(const double *v, size_t n, size_t *missing)
{
    double *x = sim_xmalloc((n ? n : 1) * sizeof *x);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (!isnan(v[r]))
            x[k++] = v[r];
    *missing = n - k;
    double med = k ? sim_stats_quantile(x, k, 0.5) : NAN;
    free(x);
    return med;
}

double cdn_fit_term(double median, size_t missing, size_t n, double published, double scale)
{
    if (isnan(median) || missing >= n)
        return 2 * CDN_FIT_MISSING;
    double d = (median - published) / scale;
    return d * d + CDN_FIT_MISSING * (double)missing / (double)n;
}

double cdn_fit_loss(const cdn_scenario_t *s, const double *values, size_t nrep)
{
    double loss = 0;
    for (size_t t = 0; t < s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &s->targets[t];
        if (!tg->has_target)
            continue;
        size_t missing;
        double med = cdn_fit_median(values + t * nrep, nrep, &missing);
        loss += cdn_fit_term(med, missing, nrep, tg->target, cdn_fit_scale(tg->metric));
    }
    return loss;
}

/* ---- the driver ------------------------------------------------------- */

typedef struct wrap {
    size_t k;
    const double *z0;
    cdn_fit_eval_fn eval;
    void *ctx;
    cdn_error_t *err;
    int rc;          /* the first failed evaluation's code */
    size_t evals;
    int have_best;
    double best_f, best_loss;
    double *best_z, *z; /* [k] */
} wrap_t;

static double tie(const wrap_t *w, const double *z)
{
    double d2 = 0;
    for (size_t i = 0; i < w->k; i++)
        d2 += (z[i] - w->z0[i]) * (z[i] - w->z0[i]);
    return CDN_FIT_TIE * d2;
}

static double wrapped(const gsl_vector *v, void *params)
{
    wrap_t *w = params;
    if (w->rc != 0)
        return GSL_NAN;
    for (size_t i = 0; i < w->k; i++)
        w->z[i] = gsl_vector_get(v, i);
    if (w->have_best && memcmp(w->z, w->best_z, w->k * sizeof *w->z) == 0)
        return w->best_f;
    double loss = NAN;
    w->rc = w->eval(w->ctx, w->z, &loss, w->err);
    w->evals++;
    if (w->rc != 0)
        return GSL_NAN;
    double f = loss + tie(w, w->z);
    if (!w->have_best || f < w->best_f) {
        w->have_best = 1;
        w->best_f = f;
        w->best_loss = loss;
        memcpy(w->best_z, w->z, w->k * sizeof *w->z);
    }
    return f;
}

/* The first simplex's step along coordinate i from z0: o->step, unless
 * that moves the prior's CDF u by less than FIT_MIN_DU, as it does near
 * the ends of the support (from u = 1e-9, a step of 1 in z reaches only
 * 2.7e-9: the simulated loss is flat at that scale and the simplex shrank
 * to --tol, "converged" at the start).  Then the step goes a quarter of
 * the prior's mass towards its middle.  Steps of o->step elsewhere keep
 * every fit that started inside the same, bit for bit. */
#define FIT_MIN_DU 0.05
static double first_step(double z0, double step)
{
    double u0 = 1.0 / (1.0 + exp(-z0));
    double u1 = 1.0 / (1.0 + exp(-(z0 + step)));
    if (fabs(u1 - u0) >= FIT_MIN_DU)
        return step;
    double to = u0 < 0.5 ? u0 + 0.25 : u0 - 0.25;
    return log(to / (1.0 - to)) - z0;
}

int cdn_fit_minimize(size_t k, double *z, const cdn_fit_opts_t *o, cdn_fit_eval_fn eval,
                     cdn_fit_iter_fn on_iter, void *ctx, cdn_fit_result_t *res, cdn_error_t *err)
{
    double *z0 = sim_xmalloc(k * sizeof *z0);
    memcpy(z0, z, k * sizeof *z0);
    wrap_t w = {k, z0, eval, ctx, err, 0, 0, 0, 0, 0, sim_xmalloc(k * sizeof(double)),
                sim_xmalloc(k * sizeof(double))};
    memset(res, 0, sizeof *res);
    gsl_multimin_function fn = {wrapped, k, &w};
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
    gsl_vector *x = gsl_vector_alloc(k), *ss = gsl_vector_alloc(k);
    if (m == NULL || x == NULL || ss == NULL)
        sim_xcheck(NULL, "the Nelder-Mead simplex");
    for (size_t i = 0; i < k; i++)
        gsl_vector_set(ss, i, first_step(z[i], o->step));
    int rc = 0;
    double size = o->step;
    gsl_vector_view start = gsl_vector_view_array(z, k);
    (void)wrapped(&start.vector, &w); /* the start: iteration 0 */
    if (w.rc == 0 && on_iter)
        on_iter(ctx, 0, w.best_loss, size, w.best_z);
    while (w.rc == 0 && res->iters < o->max_iter) {
        double f_before = w.best_f;
        for (size_t i = 0; i < k; i++)
            gsl_vector_set(x, i, w.best_z[i]);
        int status = gsl_multimin_fminimizer_set(m, &fn, x, ss);
        res->converged = 0;
        while (status == GSL_SUCCESS && w.rc == 0 && res->iters < o->max_iter) {
            status = gsl_multimin_fminimizer_iterate(m);
            if (w.rc != 0)
                break;
            res->iters++;
            size = gsl_multimin_fminimizer_size(m);
            if (on_iter)
                on_iter(ctx, res->iters, w.best_loss, size, w.best_z);
            if (status == GSL_SUCCESS && size < o->tol) {
                res->converged = 1;
                break;
            }
        }
        if (w.rc != 0)
            break;
        if (status != GSL_SUCCESS) {
            snprintf(err->msg, sizeof err->msg, "the Nelder-Mead minimiser stopped: %s",
                     gsl_strerror(status));
            rc = err->code = CDN_EDATA;
            break;
        }
        /* a restart only while the last round improved on its start */
        if (!res->converged || res->restarts >= CDN_FIT_RESTARTS ||
            (res->restarts > 0 && !(w.best_f < f_before)))
            break;
        res->restarts++;
    }
    if (w.rc != 0)
        rc = w.rc;
    res->loss = w.best_loss;
    res->size = size;
    res->evals = w.evals;
    memcpy(z, w.best_z, k * sizeof *z);
    gsl_vector_free(x);
    gsl_vector_free(ss);
    gsl_multimin_fminimizer_free(m);
    free(w.best_z);
    free(w.z);
    free(z0);
    return rc;
}
