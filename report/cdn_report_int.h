/*
 * cdn_report_int.h -- private to report/cdn_report*.c: what the compare,
 * sweep and manifest writers share (ranking, numbers for people, the
 * replications table).
 *
 * Contract
 *   cdn_report_ranks_of() and cdn_report_by_rank() return arrays of narms
 *   entries that the caller frees: the 1-based rank of each arm, and the
 *   arms in rank order.  The fmt_* helpers write a value of a unit as a
 *   person reads it ("62.60% ± 0.41", "+1.2 min", "-35%") into buf.
 *   Not part of the report library's interface (cdn_report.h).
 */
#ifndef CDNSIM_CDN_REPORT_INT_H
#define CDNSIM_CDN_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include "cdn_file.h"
#include "cdn_report.h"
#include "sim_stats.h"

/* a metric name or label with a service name in it */
#define CDN_REPORT_NAME_BUF (CDN_NAME_MAX + 32)

size_t *cdn_report_ranks_of(const cdn_study_t *st);
size_t *cdn_report_by_rank(const cdn_study_t *st, const size_t *rank);

/* Display factor and unit text of unit u (requests: by the magnitude of
 * ref); decimals shown for u. */
double cdn_report_display(cdn_unit_t u, double ref, const char **suffix);
int cdn_report_decimals(cdn_unit_t u);
void cdn_report_fmt_mean(char *buf, size_t n, cdn_unit_t u, const sim_stats_summary_t *s);
void cdn_report_fmt_diff(char *buf, size_t n, cdn_unit_t u, const sim_stats_summary_t *s);
void cdn_report_fmt_rel(char *buf, size_t n, const sim_stats_summary_t *d,
                        const sim_stats_summary_t *ref);

/* Writes one file of the folder with `body` (which writes to f) unless
 * an earlier file failed; uses the caller's dir, err, rc and f. */
#define CDN_REPORT_WRITE(file, body)                                \
    do {                                                            \
        if (rc == 0) {                                              \
            if ((f = cdn_file_open(dir, file)) == NULL) {           \
                rc = cdn_file_io_error(err, dir, file);             \
            } else {                                                \
                body;                                               \
                rc = cdn_file_finish(f, dir, file, err);            \
            }                                                       \
        }                                                           \
    } while (0)

/* replications.csv: one row per (arm, replication), every metric. */
void cdn_report_write_replications(FILE *f, const cdn_study_t *st, const char *first_col);

/* compare_timeline.gp and compare_metrics.gp (cdn_report_figs.c). */
void cdn_report_compare_timeline_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                                    const size_t *rank);
void cdn_report_compare_metrics_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info);

#endif /* CDNSIM_CDN_REPORT_INT_H */
