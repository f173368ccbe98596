/*
 * cdn_file.c -- opening, closing and formatting for every results file.
 *
 * Design
 *   Byte-identical output for the same inputs is the rule of every
 *   results file, so every writer formats doubles, CSV fields and JSON
 *   strings through these few functions instead of its own copies.  Paths
 *   are dir/file in a fixed 4096-byte buffer; a longer path fails with
 *   ENAMETOOLONG.  Errors are checked once, at close (ferror, then fclose),
 *   instead of after every fprintf.
 */
#include "cdn_file.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_measure.h"
#include "sim_alloc.h"

FILE *cdn_file_open(const char *dir, const char *file)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(path, "w");
}

int cdn_file_close(FILE *f)
{
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

int cdn_file_io_error(cdn_error_t *err, const char *dir, const char *file)
{
    if (err) {
        err->code = CDN_EIO;
        snprintf(err->msg, sizeof err->msg, "%s/%s: cannot write: %s", dir, file, strerror(errno));
    }
    return CDN_EIO;
}

int cdn_file_finish(FILE *f, const char *dir, const char *file, cdn_error_t *err)
{
    errno = 0;
    if (cdn_file_close(f) != 0) {
        if (errno == 0)
            errno = EIO;
        return cdn_file_io_error(err, dir, file);
    }
    return 0;
}

void cdn_file_put_num(FILE *f, double v)
{
    char b[40];
    fputs(cdn_measure_shortest(b, sizeof b, v, 1), f);
}

void cdn_file_put_nums(FILE *f, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', f);
        cdn_file_put_num(f, v[i]);
    }
}

void cdn_file_put_csv_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void cdn_file_put_csv(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL)
        fputs(s, f);
    else
        cdn_file_put_csv_quoted(f, s);
}

void cdn_file_put_json_string(FILE *f, const char *s)
{
    cJSON *j = cJSON_CreateString(s);
    char *t = cJSON_PrintUnformatted(j);
    fputs(t ? t : "\"\"", f);
    cJSON_free(t);
    cJSON_Delete(j);
}

cJSON *cdn_file_json_num(double v)
{
    return isnan(v) || isinf(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

cJSON *cdn_file_json_u64(uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return sim_xcheck(cJSON_CreateRaw(buf), "a JSON number");
}

int cdn_file_write_json(const char *dir, const char *file, const cJSON *root, cdn_error_t *err)
{
    char *text = sim_xcheck(cJSON_Print(root), "printing JSON");
    FILE *f = cdn_file_open(dir, file);
    if (!f) {
        cJSON_free(text);
        return cdn_file_io_error(err, dir, file);
    }
    fputs(text, f);
    fputc('\n', f);
    cJSON_free(text);
    return cdn_file_finish(f, dir, file, err);
}
