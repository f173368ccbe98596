/*
 * cdn_calreport.h -- the calibration report: a scenario's calibration
 * targets set beside the simulated values over replications.
 *
 * Contract
 *   cdn_calreport_write() summarises values[t * nrep + rep] (target t's
 *   value in replication rep, cdn_calibration_value()) over the
 *   replications: median, 5th and 95th percentiles, mean, standard
 *   deviation; NANs are counted as missing.  It writes calibration.md (a
 *   table a person reads) and calibration.csv (one row per target and
 *   replication) into an existing folder.  Output is a pure function of
 *   its inputs.
 *
 * Errors: 0, or CDN_EIO with err set when a file cannot be written.
 * Threads: no global state.
 */
#ifndef CDNSIM_CDN_CALREPORT_H
#define CDNSIM_CDN_CALREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h"

int cdn_calreport_write(const char *dir, const cdn_scenario_t *s, const double *values,
                        size_t nrep, uint64_t seed, cdn_error_t *err);

/* A value of target metric m as calibration.md shows it (UTC hh:mm for a
 * time, % for a share, "–" for NaN), and a difference (minutes, points). */
void cdn_calreport_show(char *buf, size_t n, const cdn_scenario_t *s, cdn_cal_metric_t m, double v);
void cdn_calreport_show_delta(char *buf, size_t n, cdn_cal_metric_t m, double d);
/* A spread or an absolute difference, without a sign. */
void cdn_calreport_show_spread(char *buf, size_t n, cdn_cal_metric_t m, double d);

#endif /* CDNSIM_CDN_CALREPORT_H */
