/*
 * cdn_output.h -- the files of a run's results folder (formats
 * documented in docs/output-format.md).
 *
 * Contract
 *   The run's measures are computed by cdn_summary_compute()
 *   (cdn_summary.h, definitions in cdn_measure.h).
 *
 *   cdn_output_write() writes timeline.csv, timeline_regions.csv,
 *   summary.json, events.jsonl, timeline.gp (cdn_timeline.h) and
 *   regions.gp (cdn_regions.h) into an existing folder.
 *   Output is a pure function of (program version, scenario, result): no
 *   wall-clock time, host name or path of the results folder is written,
 *   so the same inputs give byte-identical files.
 *
 *   cdn_output_plot() runs gnuplot on timeline.gp (timeline.png,
 *   timeline.svg), then on regions.gp (regions.png, regions.svg) in that
 *   folder; it stops at the first that fails, with err naming its script.
 *
 * Errors
 *   0 or a negative CDN_E* code with err set; CDN_EIO for file errors.
 *   cdn_output_plot returns 1 (not an error) when gnuplot is not on PATH.
 */
#ifndef CDNSIM_CDN_OUTPUT_H
#define CDNSIM_CDN_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "cdn_scenario.h"
#include "cdn_summary.h"
#include "cdn_world.h"

int cdn_output_write(const char *dir, const cdn_scenario_t *s, const cdn_result_t *r,
                     const cdn_summary_t *sum, cdn_error_t *err);

int cdn_output_plot(const char *dir, cdn_error_t *err);

#endif /* CDNSIM_CDN_OUTPUT_H */
