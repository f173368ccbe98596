/*
 * cdn_html.h -- report.html: one self-contained page that ties together
 * the figures, tables, event log and manifest of a results folder.
 *
 * Contract
 *   cdn_html_write(dir, err) reads the files of the results folder `dir`
 *   (manifest.json, summary.json, comparison.csv/json, calibration.csv,
 *   sweep.csv, sensitivity.csv, fit_targets.csv, fit_loss.csv, events.jsonl, every STEM.gp
 *   and its STEM.svg) and writes
 *   dir/report.html from them alone, so `cdnsim plot DIR` can rebuild it
 *   after drawing.  The scenario's description, top-level notes and
 *   sources are read from the scenario file the manifest names, and shown
 *   only when its SHA-256 still matches the manifest's (else the page says
 *   the file changed or is gone).  The page loads nothing: figures are the
 *   SVG files inlined (a figure whose .svg is missing is named with a note
 *   that gnuplot was absent or --no-plot was given), style and the few
 *   lines of script (the event-log filter) are inline, and a
 *   Content-Security-Policy forbids every fetch.  Every string from the
 *   folder is escaped (cdn_html_put_text).  The file is written as
 *   ".report.html.tmp" and renamed, so a reader never sees half a page.
 *   Output is a pure function of the folder's files.
 *
 *   cdn_html_put_text() writes s with & < > " ' escaped (character
 *   references), safe both as element text and in a quoted attribute;
 *   control characters other than tab and line break are dropped.
 *
 * Errors: 0, or CDN_EIO with err set ("DIR/report.html: cannot write:
 *   ..."); a missing or malformed input file is not an error: its section
 *   says so.  Threads: no state.
 */
#ifndef CDNSIM_CDN_HTML_H
#define CDNSIM_CDN_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "cdn_error.h"

#define CDN_HTML_FILE "report.html"
#define CDN_HTML_MAX_EVENTS 5000 /* rows of the event log shown; the rest are counted */

int cdn_html_write(const char *dir, cdn_error_t *err);

void cdn_html_put_text(FILE *f, const char *s);
/* The first n bytes of s, escaped as cdn_html_put_text() does. */
void cdn_html_put_text_n(FILE *f, const char *s, size_t n);

#endif /* CDNSIM_CDN_HTML_H */
