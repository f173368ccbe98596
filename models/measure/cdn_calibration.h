/*
 * cdn_calibration.h -- a scenario's calibration targets set beside the
 * simulated values over replications (calibration.md).
 *
 * Contract
 *   cdn_calibration_value() measures target t of the scenario
 *   ($.calibration.targets, docs/scenario-format.md) on one run: a time in
 *   seconds of sim time, a count or a share; NAN when it did not happen in
 *   the run (no alert fired, say).  cdn_calibration_write() summarises
 *   values[t * nrep + rep] over the replications (median, 5th and 95th
 *   percentiles, mean, standard deviation; NANs are counted as missing) and
 *   writes calibration.md (a table a person reads) and calibration.csv (one
 *   row per target and replication) into an existing folder.  Output is a
 *   pure function of its inputs.
 *
 * Errors: 0, or CDN_EIO with err set when a file cannot be written.
 * Threads: no global state.
 */
#ifndef CDNSIM_CDN_CALIBRATION_H
#define CDNSIM_CDN_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_summary.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

double cdn_calibration_value(const cdn_scenario_t *s, const cdn_result_t *r,
                             const cdn_summary_t *m, size_t t);

int cdn_calibration_write(const char *dir, const cdn_scenario_t *s, const double *values,
                          size_t nrep, uint64_t seed, cdn_error_t *err);

#endif /* CDNSIM_CDN_CALIBRATION_H */
