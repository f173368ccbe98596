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

/* The x axis over sim time: defines T0 (epoch0_s, the start in seconds
 * since 1970) and D (span_s) in the script, sets a time axis [T0, T0+D]
 * with clock ticks (date and clock for spans over 36 h) whose format is
 * the variable XFORMAT; a script then plots x = T0 + t_s. */
void cdn_gnuplot_put_time_axis(FILE *f, int64_t epoch0_s, double span_s);

#endif /* CDNSIM_CDN_GNUPLOT_H */
