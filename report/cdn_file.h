/*
 * cdn_file.h -- the files of a results folder: open, close, report the
 * error, and the formats every writer shares (numbers, CSV and JSON
 * strings).
 *
 * Contract
 *   cdn_file_open() opens dir/file for writing (NULL with errno set).
 *   cdn_file_close() returns 0 when every write and the close succeeded;
 *   cdn_file_finish() closes and, on failure, fills err like
 *   cdn_file_io_error() ("DIR/FILE: cannot write: REASON", CDN_EIO; EIO
 *   when the failing write left no errno).
 *
 *   Numbers in CSV are written by cdn_file_put_num(): the shortest form
 *   that reads back as the same double (cdn_measure_shortest), nothing
 *   for a missing value.  JSON files are written by cJSON, which prints
 *   doubles the same way; cdn_file_json_num() maps a missing value to null.
 *
 * Errors: 0 or CDN_EIO with err set.  Threads: no state.
 */
#ifndef CDNSIM_CDN_FILE_H
#define CDNSIM_CDN_FILE_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cdn_scenario.h"

FILE *cdn_file_open(const char *dir, const char *file);
int cdn_file_close(FILE *f);
int cdn_file_io_error(cdn_error_t *err, const char *dir, const char *file);
int cdn_file_finish(FILE *f, const char *dir, const char *file, cdn_error_t *err);

/* Shortest round-trip form of v; nothing for NaN or an infinity. */
void cdn_file_put_num(FILE *f, double v);
/* v[0..n-1] with cdn_file_put_num, separated by commas. */
void cdn_file_put_nums(FILE *f, const double *v, size_t n);
/* A CSV field: as is, or double-quoted (quotes doubled) when it holds a
 * comma, quote or line break; cdn_file_put_csv_quoted() always quotes. */
void cdn_file_put_csv(FILE *f, const char *s);
void cdn_file_put_csv_quoted(FILE *f, const char *s);
/* A JSON string, escaped by cJSON, so names cannot break lines. */
void cdn_file_put_json_string(FILE *f, const char *s);

/* A number, or null for NaN and infinities. */
cJSON *cdn_file_json_num(double v);
/* An integer written exactly, digit for digit (cJSON prints numbers as
 * doubles with 15 significant digits when that reads back "close enough",
 * which merges seeds above 10^15). */
cJSON *cdn_file_json_u64(uint64_t v);
/* Writes root, pretty-printed, and a newline to dir/file. */
int cdn_file_write_json(const char *dir, const char *file, const cJSON *root, cdn_error_t *err);

#endif /* CDNSIM_CDN_FILE_H */
