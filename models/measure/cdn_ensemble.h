/*
 * cdn_ensemble.h -- an ensemble of replications of one scenario (`cdnsim
 * run -n N`) reduced to what its figure and its calibration report need:
 * per replication the calibration targets and two timeline series, and
 * across replications the quantiles of each bin.
 *
 * Contract
 *   A replication is reduced to one row of cdn_ensemble_row_len() doubles
 *   (cdn_ensemble_reduce): the value of every calibration target
 *   (cdn_calibration_value; NAN when it did not happen), then the 5xx
 *   share of every bin, then the share of dependent sites down in every
 *   bin.  Rows of replications 0..N-1 laid end to end are the ensemble;
 *   memory is N x (targets + 2 x bins) doubles, nothing else per run.
 *
 *   cdn_ensemble_quantiles() is the one quantile computation of the fan
 *   chart: the type-7 sample quantiles (sim_stats_quantile) of the n
 *   values v[0], v[stride], ..., v[(n-1) stride], NaNs skipped; every
 *   out[k] is NAN when no value is present.  The fan chart's levels are
 *   CDN_ENSEMBLE_QUANTILES (5, 25, 50, 75 and 95 %: a 90 % band, a 50 %
 *   band and the median).
 *
 * Threads: pure functions of their arguments.
 */
#ifndef CDNSIM_CDN_ENSEMBLE_H
#define CDNSIM_CDN_ENSEMBLE_H

#include <stddef.h>

#include "cdn_scenario.h"
#include "cdn_world.h"

/* The quantile levels of the fan chart, in increasing order. */
#define CDN_ENSEMBLE_QUANTILES {0.05, 0.25, 0.50, 0.75, 0.95}
#define CDN_ENSEMBLE_NQ 5

/* The two series kept per replication, in row order. */
typedef enum { CDN_ENS_ERR5XX = 0, CDN_ENS_SITES_DOWN = 1, CDN_ENS_NSERIES = 2 } cdn_ens_series_t;

/* Bins of a run of s (every replication has the same). */
size_t cdn_ensemble_nbins(const cdn_scenario_t *s);
/* Doubles per replication: targets, then 2 x bins. */
size_t cdn_ensemble_row_len(const cdn_scenario_t *s);
/* Offset in a row of series k's bin 0. */
size_t cdn_ensemble_series_offset(const cdn_scenario_t *s, cdn_ens_series_t k);

/* Series k of run r in bin b: 5xx share of requests, or share of
 * dependent sites down (time-weighted over the bin); 0 when nothing was
 * offered or there are no sites. */
double cdn_ensemble_series(const cdn_scenario_t *s, const cdn_result_t *r, cdn_ens_series_t k,
                           size_t b);

/* Reduces run r of s into row (cdn_ensemble_row_len(s) doubles). */
void cdn_ensemble_reduce(const cdn_scenario_t *s, const cdn_result_t *r, double *row);

/* Quantiles q[0..nq-1] (each in [0, 1]) of v[0], v[stride], ...,
 * v[(n-1) stride] into out[0..nq-1]; scratch holds n doubles. */
void cdn_ensemble_quantiles(const double *v, size_t n, size_t stride, const double *q, size_t nq,
                            double *scratch, double *out);

#endif /* CDNSIM_CDN_ENSEMBLE_H */
