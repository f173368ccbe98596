/*
 * cdn_sensitivity.h -- global sensitivity analysis of a metric to k
 * uncertain inputs: Morris elementary effects and Sobol indices (Saltelli
 * sampling), as designs over the unit hypercube and estimators over the
 * model's outputs at the design's points (method: docs/uncertainty.md).
 *
 * Contract
 *   A design is a list of points of [0, 1]^k (cdn_sens_point); the caller
 *   evaluates its model at each (cdnsim: the priors' inverse CDFs at the
 *   point, written into the scenario, simulated) and hands the outputs
 *   y[0..npoints-1] to cdn_sens_analyse, which fills one cdn_sens_index_t
 *   per input.  A NaN output (a metric that does not exist in a run) drops
 *   the elementary effects or Sobol rows that need it; `used` counts what
 *   is left.
 *
 *   Morris (cdn_sens_morris): r trajectories on a grid of `levels` levels
 *   (even, >= 2) with the step delta = levels / (2 (levels - 1)); each
 *   trajectory starts at a random grid point and moves one input at a
 *   time, in a random order, by +delta (or -delta where +delta would leave
 *   [0, 1]): r (k + 1) points.  An elementary effect is the change of y
 *   divided by the signed step, in units of the metric per whole prior
 *   range (quantile 0 to 1).  mu* = mean |EE|, mu = mean EE, sigma = sd EE
 *   (n - 1), mu_star_se = sd |EE| / sqrt(r).  The design's randomness is
 *   the stream (seed, 0, CDN_PRIORS_RNG_DESIGN, key "morris").
 *
 *   Sobol (cdn_sens_sobol): N rows of two k-dimensional blocks A and B from
 *   one 2k-dimensional Sobol sequence (GSL's gsl_qrng_sobol for 2k <= 40,
 *   else gsl_qrng_halton; the sequence's first point, all zeros, skipped),
 *   each row laid out A, B, AB_1 .. AB_k (AB_i: A with column i from B):
 *   N (k + 2) points.  With V the variance of the 2N outputs of A and B:
 *   first order S1_i = mean(f(B) (f(AB_i) - f(A))) / V (Saltelli et al.
 *   2010), total ST_i = mean((f(A) - f(AB_i))^2) / (2 V) (Jansen 1999).
 *   The sampling error is a bootstrap over rows (nboot resamples from the
 *   design stream, key "bootstrap"): s1_se and st_se are the standard
 *   deviations of the resampled indices.
 *
 * Errors: cdn_sens_analyse returns 0, or CDN_EDATA with err set when too
 *   few outputs are defined (fewer than 2 trajectories' worth or rows) or
 *   the outputs do not vary (V = 0).
 * Threads: a design is immutable once made; every function is reentrant.
 */
#ifndef CDNSIM_CDN_SENSITIVITY_H
#define CDNSIM_CDN_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h" /* cdn_error_t */

typedef enum { CDN_SENS_MORRIS, CDN_SENS_SOBOL } cdn_sens_method_t;

#define CDN_SENS_MAX_INPUTS 64

typedef struct cdn_sens_design cdn_sens_design_t;

typedef struct cdn_sens_index {
    size_t used;       /* elementary effects (Morris) or rows (Sobol) with defined outputs */
    double mu;         /* Morris: mean elementary effect, metric units per prior range */
    double mu_star;    /* Morris: mean |elementary effect| */
    double sigma;      /* Morris: sd of the elementary effects */
    double mu_star_se; /* Morris: standard error of mu_star */
    double s1, s1_se;  /* Sobol: first-order index and its bootstrap standard error */
    double st, st_se;  /* Sobol: total index and its bootstrap standard error */
} cdn_sens_index_t;

cdn_sens_design_t *cdn_sens_morris(size_t k, size_t trajectories, unsigned levels, uint64_t seed);
cdn_sens_design_t *cdn_sens_sobol(size_t k, size_t n, size_t nboot, uint64_t seed);
void cdn_sens_destroy(cdn_sens_design_t *d); /* NULL is a no-op */

cdn_sens_method_t cdn_sens_method(const cdn_sens_design_t *d);
size_t cdn_sens_npoints(const cdn_sens_design_t *d);
size_t cdn_sens_inputs(const cdn_sens_design_t *d);
/* Point i: k coordinates in [0, 1]. */
const double *cdn_sens_point(const cdn_sens_design_t *d, size_t i);

/* Indices of every input from the outputs y[0..npoints-1]; *var is the
 * variance of the outputs (Morris: of all points; Sobol: of A and B). */
int cdn_sens_analyse(const cdn_sens_design_t *d, const double *y, cdn_sens_index_t *out,
                     double *var, cdn_error_t *err);

#endif /* CDNSIM_CDN_SENSITIVITY_H */
