/*
 * cdn_calibration.h -- a calibration target of the scenario measured on
 * one run.
 *
 * Contract
 *   cdn_calibration_value() measures target t of the scenario
 *   ($.calibration.targets, docs/scenario-format.md) on one run: a time in
 *   seconds of sim time, a count or a share; NAN when it did not happen in
 *   the run (no alert fired, say): the target's measure (CDN_CAL_MAP) read
 *   from the run's summary, or taken over the target's window.  The report
 *   over replications is report/cdn_calreport.h.
 *
 * Threads: pure functions.
 */
#ifndef CDNSIM_CDN_CALIBRATION_H
#define CDNSIM_CDN_CALIBRATION_H

#include <stddef.h>

#include "cdn_summary.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

double cdn_calibration_value(const cdn_scenario_t *s, const cdn_result_t *r,
                             const cdn_summary_t *m, size_t t);

#endif /* CDNSIM_CDN_CALIBRATION_H */
