/*
 * cdn_timeline.h -- the global timeline of a run: the columns of
 * timeline.csv, the values of one of its rows, the script timeline.gp that
 * draws it, and the operator-action marks that a run's figures share.
 * Private to report/ (cdn_output.c, cdn_regions.c); formats in
 * docs/output-format.md.
 *
 * Contract
 *   CDN_TL_COLUMN_MAP lists the columns of timeline.csv after t_s and utc
 *   (one per service follows them); cdn_timeline_col() is gnuplot's
 *   1-based column number of one.  cdn_timeline_row() computes the values
 *   of bin b: rates in requests per second, shares in [0, 1], latency in ms.
 *
 *   cdn_timeline_write_gp() writes timeline.gp, which draws timeline.png
 *   and timeline.svg from timeline.csv; its axis ranges, tics and mark
 *   rows are computed here from the result (cdn_gnuplot.h), so the same
 *   inputs give the same script.
 *
 *   Marks: operator actions as they happened, the alert and the diagnosis;
 *   events at one time share one mark whose label joins theirs with " / ".
 *   cdn_timeline_marks_create() collects them and places their labels in
 *   rows over a data area from left_px to right_px (cdn_gnuplot_stagger;
 *   a label is cut to fit, with "..."), cdn_timeline_marks_put_strip()
 *   writes the strip of labels as one plot of a multiplot, and
 *   cdn_timeline_marks_put_lines() the marks' lines for a data panel
 *   (arrows numbered from 1, behind the data or, `front`, over it; the
 *   caller unsets them).  x is in epoch
 *   seconds, T0 (defined by the script) plus the time since the start.
 *   cdn_timeline_marks_destroy(NULL) is a no-op.
 */
#ifndef CDNSIM_CDN_TIMELINE_H
#define CDNSIM_CDN_TIMELINE_H

#include <stddef.h>
#include <stdio.h>

#include "cdn_scenario.h"
#include "cdn_world.h"

#define CDN_TL_COLUMN_MAP(X)                                                                      \
    X(CDN_TL_OFFERED_RPS, "offered_rps")                                                          \
    X(CDN_TL_OK_RPS, "ok_rps")                                                                    \
    X(CDN_TL_ERR5XX_RPS, "err5xx_rps")                                                            \
    X(CDN_TL_BLOCKED_RPS, "blocked_rps")                                                          \
    X(CDN_TL_FAILOVER_RPS, "failover_rps")                                                        \
    X(CDN_TL_ERR5XX_FRAC, "err5xx_frac")                                                          \
    X(CDN_TL_BLOCKED_FRAC, "blocked_frac")                                                        \
    X(CDN_TL_FAILOVER_FRAC, "failover_frac")                                                      \
    X(CDN_TL_SERVERS_BAD_FRAC, "servers_bad_artifact_frac")                                       \
    X(CDN_TL_SERVERS_FAILING_FRAC, "servers_failing_frac")                                        \
    X(CDN_TL_SERVERS_RESTARTING_FRAC, "servers_restarting_frac")                                  \
    X(CDN_TL_SERVERS_OUT_FRAC, "servers_out_frac")                                                \
    X(CDN_TL_SITES_DOWN_FRAC, "sites_down_frac")                                                  \
    X(CDN_TL_SITES_FAILED_OVER_FRAC, "sites_failed_over_frac")                                    \
    X(CDN_TL_LATENCY_MS, "latency_ms")

#define CDN_TL_X_ENUM(e, s) e,
enum { CDN_TL_COLUMN_MAP(CDN_TL_X_ENUM) CDN_TL_COUNT };
#undef CDN_TL_X_ENUM

const char *cdn_timeline_col_name(int c);
int cdn_timeline_col(int c);
void cdn_timeline_row(const cdn_scenario_t *s, const cdn_result_t *r, size_t b,
                      double v[CDN_TL_COUNT]);

void cdn_timeline_write_gp(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r);

typedef struct {
    double t_s;      /* time of the mark, seconds since the start */
    char label[256]; /* what happened, cut to fit the strip */
    int row;         /* row of the label in the strip, 0 = nearest the panels */
    int right;       /* 1: the label ends at the mark */
} cdn_timeline_mark_t;

typedef struct {
    cdn_timeline_mark_t *mark; /* by time */
    size_t n;
    int rows; /* rows of labels in the strip (0 without marks) */
} cdn_timeline_marks_t;

/* Strip height in pixels for `rows` rows of labels (0 for none). */
#define CDN_TIMELINE_STRIP_PX(rows) ((rows) > 0 ? 17.0 * (rows) + 8.0 : 0.0)

cdn_timeline_marks_t *cdn_timeline_marks_create(const cdn_scenario_t *s, const cdn_result_t *r,
                                                double left_px, double right_px);
void cdn_timeline_marks_destroy(cdn_timeline_marks_t *m);
void cdn_timeline_marks_put_strip(FILE *f, const cdn_timeline_marks_t *m, double top, double bottom);
void cdn_timeline_marks_put_lines(FILE *f, const cdn_timeline_marks_t *m, int front);

#endif /* CDNSIM_CDN_TIMELINE_H */
