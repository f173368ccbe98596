/*
 * cdn_fanchart.h -- the ensemble figure of `cdnsim run -n N`: a fan chart
 * of the 5xx share and of the dependent sites down over time (median,
 * 50 % and 90 % of the replications in each bin), the folder's own
 * replication drawn thin on top, and the scenario's published calibration
 * times beside the simulated ones.
 *
 * Contract
 *   cdn_fanchart_write() writes into an existing folder:
 *     ensemble.csv          one row per bin: t_s, utc, the quantiles
 *                           (CDN_ENSEMBLE_QUANTILES) of each series over
 *                           the replications, then the series of the
 *                           folder's own run `r`;
 *     ensemble_targets.csv  one row per calibration target that is a time
 *                           (first_error, detected, ...): the published
 *                           time and the simulated 5 %, 50 % and 95 %;
 *     ensemble.gp           the gnuplot script that draws ensemble.png and
 *                           ensemble.svg from the two files.
 *   rows are nrep rows of cdn_ensemble_row_len(s) doubles
 *   (cdn_ensemble_reduce, replications 0..nrep-1).  Every file is a pure
 *   function of its arguments.
 *
 * Errors: 0, or CDN_EIO with err set ("DIR/FILE: cannot write: ...").
 * Threads: no state.
 */
#ifndef CDNSIM_CDN_FANCHART_H
#define CDNSIM_CDN_FANCHART_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h"
#include "cdn_world.h"

int cdn_fanchart_write(const char *dir, const cdn_scenario_t *s, const double *rows, size_t nrep,
                       uint64_t seed, const cdn_result_t *r, cdn_error_t *err);
/* The same for `run -n --uncertainty`: the title says "N/M prior draws x
 * M seeds" and the thin run's key "replication R, written values" (it
 * ran without a draw); seeds_per_draw 0 is cdn_fanchart_write(). */
int cdn_fanchart_write_unc(const char *dir, const cdn_scenario_t *s, const double *rows,
                           size_t nrep, uint64_t seed, const cdn_result_t *r,
                           size_t seeds_per_draw, cdn_error_t *err);

#endif /* CDNSIM_CDN_FANCHART_H */
