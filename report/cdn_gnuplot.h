/*
 * cdn_gnuplot.h -- running gnuplot on a script in a results folder, and
 * quoting text for gnuplot scripts.
 *
 * Contract
 *   cdn_gnuplot_run() runs `gnuplot script` with dir as the working
 *   directory, so a script names its data files relative to the folder and
 *   a user can re-run it there.  A script STEM.gp draws STEM.png and
 *   STEM.svg; after gnuplot each must be whole (a PNG's IEND chunk, an
 *   SVG's </svg>) or it is removed, so a folder never holds a truncated
 *   figure.  gnuplot is killed after CDNSIM_GNUPLOT_TIMEOUT_S seconds
 *   (environment; default CDN_GNUPLOT_TIMEOUT_S).  Returns 0; 1 (not an
 *   error) when gnuplot is not on PATH; CDN_EIO with err set when it cannot
 *   start, fails, times out or leaves a figure incomplete (the message
 *   names the script, not the folder: the caller adds the folder).
 *   Only the process that writes the folder calls it (MPI rank 0, after
 *   every thread has joined): it forks.
 *
 *   cdn_gnuplot_put_string() writes s as a gnuplot single-quoted string
 *   (quotes doubled, line breaks dropped).
 */
#ifndef CDNSIM_CDN_GNUPLOT_H
#define CDNSIM_CDN_GNUPLOT_H

#include <stdint.h>
#include <stdio.h>

#include "cdn_scenario.h"

#define CDN_GNUPLOT_TIMEOUT_S 120.0 /* default time limit of one gnuplot run */

int cdn_gnuplot_run(const char *dir, const char *script, cdn_error_t *err);

void cdn_gnuplot_put_string(FILE *f, const char *s);

/* The loop that draws a figure twice, as stem.png (pngcairo) and stem.svg,
 * w x h pixels; the caller closes it with "}" after its plots. */
void cdn_gnuplot_put_outputs(FILE *f, const char *stem, int w, int h);

/* ---- axes and operator-action marks shared by the figures
 *
 * cdn_gnuplot_fit_upper() is the upper end of a y axis for data peaking at
 * `peak` (>= 0): a peak above half of `full` (> 0: a share whose full scale
 * is `full`, e.g. 100 %) keeps the whole scale, `full` * 1.05; otherwise
 * the first of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above
 * 1.1 * peak, and at least `min_upper`.  `full` <= 0: no full scale.
 * cdn_gnuplot_fit_lower() is the lower end for data between `low` and
 * `full` (an availability): 0 when it falls below half of `full`, else
 * `full` less the fitted upper end of the drop (at least `min_drop`).
 *
 * cdn_gnuplot_time_step() is the distance of x tics for a span of span_s
 * seconds: the smallest of 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1,
 * 2, 7 days giving at most 10 tics.  cdn_gnuplot_put_time_tics() writes
 * `set xtics (...)` for an x axis of epoch seconds from the scenario's
 * start over span_s: tics at multiples of that step in UTC, labelled
 * HH:MM, with the date ("18 Nov") under the first tic and under each tic
 * of a new day when the span passes a day; with labels == 0 the tics get
 * empty labels (panels above the bottom one).
 *
 * cdn_gnuplot_stagger() places the labels of n marks (sorted by x_px) in
 * rows of a strip above the panels: each label starts just after its
 * mark, or ends just before it when it would pass right_px; labels of one row never overlap (gap_px
 * apart), and a row is chosen, when one exists, where no mark's line (from
 * its label down to the panels) passes behind another label.  Marks are
 * placed greedily, earliest first and latest first, and the placement
 * with fewer lines behind labels (then fewer rows) is kept.  Each w_px
 * must be at most half of right_px - left_px.
 * Returns the number of rows used (0 when n == 0).
 */
typedef struct {
    double x_px; /* the mark's position on the canvas, pixels from the left */
    double w_px; /* width of its label, pixels */
    int row;     /* out: row of the label, 0 = nearest the panels */
    int right;   /* out: 1 when the label ends at the mark instead of starting there */
} cdn_gnuplot_mark_t;

double cdn_gnuplot_fit_upper(double peak, double full, double min_upper);
double cdn_gnuplot_fit_lower(double low, double full, double min_drop);
double cdn_gnuplot_time_step(double span_s);
void cdn_gnuplot_put_time_tics(FILE *f, const cdn_scenario_t *s, double span_s, int labels);
int cdn_gnuplot_stagger(cdn_gnuplot_mark_t *m, size_t n, double left_px, double right_px,
                        double gap_px);

/* The x axis over sim time: defines T0 (epoch0_s, the start in seconds
 * since 1970) and D (span_s) in the script, sets a time axis [T0, T0+D]
 * with clock ticks (date and clock for spans over 36 h) whose format is
 * the variable XFORMAT; a script then plots x = T0 + t_s. */
void cdn_gnuplot_put_time_axis(FILE *f, int64_t epoch0_s, double span_s);

#endif /* CDNSIM_CDN_GNUPLOT_H */
