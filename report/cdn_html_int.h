/*
 * cdn_html_int.h -- private to cdn_html*.c: the sections of report.html
 * made from the folder's tables (cdn_html_tables.c).
 *
 * Contract
 *   Each function writes one part of the page's body to f from the file of
 *   the folder it names; a missing or malformed file gives a sentence
 *   saying so (never an error: the page is a view of what is there).
 *   cdn_html_slurp() reads dir/name (name alone when dir is NULL) whole (NUL-terminated, at most
 *   CDN_HTML_SLURP_MAX bytes), or NULL.  Threads: no state.
 */
#ifndef CDNSIM_CDN_HTML_INT_H
#define CDNSIM_CDN_HTML_INT_H

#include <stddef.h>
#include <stdio.h>

#define CDN_HTML_SLURP_MAX ((size_t)64 << 20) /* larger files are not shown, bytes */

char *cdn_html_slurp(const char *dir, const char *name, size_t *len);

/* The rows of the ranked metric of comparison.csv (comparison.json's
 * "ranked_by"), by rank, with 95 % intervals; returns 1 if written. */
int cdn_html_ranked(FILE *f, const char *dir);
/* A CSV file as a table (numbers to 6 significant digits); returns 1 if
 * the file exists. */
int cdn_html_csv_table(FILE *f, const char *dir, const char *file, const char *caption);
/* summary.json as a key / value table (nested keys dotted); 1 if written. */
int cdn_html_summary(FILE *f, const char *dir);
/* events.jsonl as a table with a filter (hidden until its script runs);
 * 1 if written. */
int cdn_html_events(FILE *f, const char *dir);

#endif /* CDNSIM_CDN_HTML_INT_H */
