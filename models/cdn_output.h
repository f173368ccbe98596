/*
 * cdn_output.h -- summary metrics of a run and the files of a results
 * folder (formats documented in docs/output-format.md).
 *
 * Contract
 *   cdn_summary_compute() derives the headline metrics from a run's binned
 *   integrals; every definition (and its thresholds, from the scenario's
 *   "metrics") is in docs/output-format.md.  Times are seconds of sim time;
 *   NAN means "did not happen in the simulated span".
 *
 *   cdn_output_write() writes timeline.csv, timeline_regions.csv,
 *   summary.json, events.jsonl and timeline.gp into an existing folder.
 *   Output is a pure function of (program version, scenario, result): no
 *   wall-clock time, host name or path of the results folder is written,
 *   so the same inputs give byte-identical files.
 *
 *   cdn_output_plot() runs gnuplot on timeline.gp in that folder
 *   (timeline.png, timeline.svg).
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
#include "cdn_world.h"

typedef struct cdn_summary {
    double first_error_s;          /* start of the first bin with 5xx share > impact threshold */
    double peak_err5xx_frac;       /* largest bin 5xx share */
    double peak_t_s;               /* start of that bin */
    double main_impact_resolved_s; /* end of the last bin with 5xx share >= major threshold */
    double all_resolved_s;         /* end of the last bin with 5xx share > resolved threshold */
    int fluctuation_cycles;        /* recoveries below the impact threshold followed by a relapse */
    double offered_requests;       /* all requests offered in the span */
    double failed_requests;        /* requests answered with HTTP 5xx */
    double blocked_requests;       /* requests falsely blocked as bots */
    double peak_blocked_frac;      /* largest bin blocked share */
    double peak_latency_ms;        /* largest bin mean latency of served requests, ms */
    double sites_affected_frac;    /* share of sites down at some time */
    double peak_sites_down_frac;   /* largest bin-average share of sites down */
    double site_downtime_mean_s;   /* mean over sites of their downtime, s */
    double site_downtime_p50_s;    /* quantiles over sites (all sites, those never down count 0) */
    double site_downtime_p90_s;
    double site_downtime_p99_s;
    uint64_t kernel_events;        /* events the kernel handled */
} cdn_summary_t;

/* 5xx share of bin b (0 when nothing was offered). */
double cdn_output_err5xx_frac(const cdn_result_t *r, size_t bin);

/* Quantile q in [0, 1] of per-site downtime over all sites (the smallest
 * downtime d such that at least a share q of sites were down <= d). */
double cdn_output_site_downtime_quantile(const cdn_result_t *r, double q);

void cdn_summary_compute(const cdn_scenario_t *s, const cdn_result_t *r, cdn_summary_t *out);

int cdn_output_write(const char *dir, const cdn_scenario_t *s, const cdn_result_t *r,
                     const cdn_summary_t *sum, cdn_error_t *err);

int cdn_output_plot(const char *dir, cdn_error_t *err);

/* Runs gnuplot on `script` inside `dir` (0; 1 when gnuplot is not on PATH;
 * CDN_EIO when it fails).  Shared by every command that draws. */
int cdn_output_gnuplot(const char *dir, const char *script, cdn_error_t *err);

/* dir/file opened for writing (NULL with errno set); cdn_output_close()
 * returns 0 when every write and the close succeeded; cdn_output_io_error()
 * fills err for dir/file from errno and returns CDN_EIO. */
FILE *cdn_output_open(const char *dir, const char *file);
int cdn_output_close(FILE *f);
int cdn_output_io_error(cdn_error_t *err, const char *dir, const char *file);

#endif /* CDNSIM_CDN_OUTPUT_H */
