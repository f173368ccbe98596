/*
 * cdn_priors.h -- priors on a scenario's free parameters: the "priors"
 * section of a scenario file, draws from it, and the overlay that writes
 * drawn values into the scenario (format and meaning: docs/uncertainty.md).
 *
 * Contract
 *   "priors" is an array of objects
 *       {"path": "$.proxies[name=FL2].wedge_rate_per_h",
 *        "dist": "log-uniform", "min": 0.05, "max": 2,
 *        "source": "free", "notes": "why this range"}
 *   `path` uses the path syntax of strategy overlays (cdn_path.h) and
 *   must end in a key; it names one numeric key in every object it
 *   selects.  `dist` and its parameters:
 *       uniform      min < max
 *       log-uniform  0 < min < max
 *       normal       mean, sd > 0; optional min, max (truncation)
 *       log-normal   median > 0, sigma > 0 (of ln x); optional min, max
 *       triangular   min <= mode <= max, min < max
 *       beta         alpha > 0, beta > 0; optional min, max (default 0, 1)
 *       discrete     values (1 to 64 numbers); optional weights (>= 0)
 *   The support of the prior is [min, max] (normal: unbounded where no
 *   bound is given; log-normal: (0, inf) likewise).  A prior is checked
 *   when the scenario is read: its parameters, that the path selects
 *   something, that the key is numeric, that the support lies in the
 *   key's range in the schema table (an open end of the support lies
 *   outside any bounded range), and that the scenario with the key set to
 *   either end of the support (each value, for discrete) still validates
 *   (bounds known only while reading, keys read by hand, composite rules).
 *   Two priors on the same path are an error.  A key of integer type gets
 *   drawn values rounded to the nearest integer.
 *
 *   A plain run ignores priors: the scenario runs with its written values.
 *   A sampling command turns a point into values and the values into an
 *   overlay:
 *     - cdn_priors_draw(): one value per prior from GSL's distributions on
 *       a stream keyed by (seed, index, CDN_PRIORS_RNG_DRAW, the prior's
 *       path), so adding a prior shifts no other prior's draw; --uncertainty
 *       passes the draw d as the index (replication r = d M + s is seed s
 *       of draw d), so every strategy arm and seed of a draw gets the same
 *       values;
 *     - cdn_priors_at(): the inverse CDF of each prior at a point of the
 *       unit hypercube (Morris, Sobol);
 *     - cdn_priors_overlay(): the values as a strategy-style overlay
 *       (cdn_overlay.h) that sets every path, applied like any strategy.
 *
 * Errors: 0 or a negative CDN_E* code with err set; a bad prior is
 *   CDN_EDATA naming the file, the JSON path ($.priors[2].max) and what
 *   was expected.
 * Threads: a prior set is immutable after reading and may be shared.
 */
#ifndef CDNSIM_CDN_PRIORS_H
#define CDNSIM_CDN_PRIORS_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_overlay.h"
#include "cdn_scenario.h"

struct cJSON;

/* RNG purposes of priors (sim_rng.h; the table in docs/model.md). */
#define CDN_PRIORS_RNG_DRAW 22   /* entity: key of the prior's path; one stream per prior */
#define CDN_PRIORS_RNG_DESIGN 23 /* entity 0: a sampling design (Morris trajectories, bootstrap) */

#define CDN_PRIORS_MAX 64 /* priors in one scenario */

#define CDN_PRIOR_DISTS(X)                                                                         \
    X(CDN_PRIOR_UNIFORM, "uniform")                                                                \
    X(CDN_PRIOR_LOG_UNIFORM, "log-uniform")                                                        \
    X(CDN_PRIOR_NORMAL, "normal")                                                                  \
    X(CDN_PRIOR_LOG_NORMAL, "log-normal")                                                          \
    X(CDN_PRIOR_TRIANGULAR, "triangular")                                                          \
    X(CDN_PRIOR_BETA, "beta")                                                                      \
    X(CDN_PRIOR_DISCRETE, "discrete")
#define CDN_PRIOR_X_ENUM(e, name) e,
typedef enum { CDN_PRIOR_DISTS(CDN_PRIOR_X_ENUM) CDN_PRIOR_NDISTS } cdn_prior_dist_t;
#undef CDN_PRIOR_X_ENUM

typedef struct cdn_priors cdn_priors_t;

/* Reads and checks the "priors" of the scenario tree `root` (an empty set
 * if it has none).  `file` names the input in messages, `path` is the
 * scenario's file (as cdn_scenario_from_tree).  The tree is not changed. */
int cdn_priors_read(const struct cJSON *root, const char *file, const char *path,
                    cdn_priors_t **out, cdn_error_t *err);
void cdn_priors_destroy(cdn_priors_t *p); /* NULL is a no-op */

size_t cdn_priors_count(const cdn_priors_t *p);
const char *cdn_priors_path(const cdn_priors_t *p, size_t i);
cdn_prior_dist_t cdn_priors_dist(const cdn_priors_t *p, size_t i);
const char *cdn_priors_dist_name(cdn_prior_dist_t d);
const char *cdn_priors_source(const cdn_priors_t *p, size_t i); /* NULL if none */
/* The support [lo, hi] (infinite where unbounded). */
void cdn_priors_support(const cdn_priors_t *p, size_t i, double *lo, double *hi);
/* "log-uniform(0.05, 2)": the prior as one short text. */
void cdn_priors_describe(const cdn_priors_t *p, size_t i, char *buf, size_t n);

/* The inverse CDF of prior i at u in [0, 1]: 0 and 1 give a bounded end
 * of the support exactly; an unbounded end is approached with u kept
 * 1e-12 inside (0, 1), so every value is finite. */
double cdn_priors_quantile(const cdn_priors_t *p, size_t i, double u);
/* The CDF of prior i at x: the share of its mass at or below x, in
 * [0, 1] (0 below the support, 1 above it); the inverse of
 * cdn_priors_quantile on the interior of a continuous prior's support
 * (`cdnsim fit` maps parameters to logit(CDF) with it).  A discrete
 * prior's CDF is its step function. */
double cdn_priors_cdf(const cdn_priors_t *p, size_t i, double x);
/* The value written into the scenario for prior i: x, rounded to the
 * nearest integer for an integer key (as cdn_priors_overlay writes it). */
double cdn_priors_written(const cdn_priors_t *p, size_t i, double x);
/* values[i] = quantile of prior i at u[i], for every prior. */
void cdn_priors_at(const cdn_priors_t *p, const double *u, double *values);
/* values[i] = a draw of prior i from its keyed stream. */
void cdn_priors_draw(const cdn_priors_t *p, uint64_t seed, uint64_t index, double *values);

/* Prior i as a manifest record: {"path", "prior" (the short text),
 * "source" (when given)}; the caller owns it. */
struct cJSON *cdn_priors_json(const cdn_priors_t *p, size_t i);

/* An overlay that sets every prior's path to values[i] (rounded for an
 * integer key); `name` labels it in messages and manifests. */
cdn_overlay_t *cdn_priors_overlay(const cdn_priors_t *p, const double *values, const char *name);

#endif /* CDNSIM_CDN_PRIORS_H */
