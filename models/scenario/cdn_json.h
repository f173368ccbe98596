/*
 * cdn_json.h -- the one strict JSON reader of cdnsim's input files
 * (scenarios and strategy overlays).
 *
 * Contract
 *   cdn_json_read_file() reads a whole file (at most CDN_JSON_FILE_MAX
 *   bytes); cdn_json_parse() turns text into a cJSON tree, rejecting
 *   trailing text, with "FILE:LINE:COL: invalid JSON near ..." on a syntax
 *   error.  A cdn_json_ctx_t then walks the tree: it carries the file name
 *   and the JSON path of the value being read ("$.regions[3].servers"), and
 *   every check below reports its fault as one line
 *       FILE: $.json.path: expected WHAT, found WHAT
 *   so that the same fault reads the same in every kind of input file.
 *   Objects are opened against a fixed key list (cdn_json_obj_open): an
 *   unknown key, a key given twice and a bad "notes" are decided there.
 *
 *   Paths: cdn_json_push / cdn_json_key extend the path and return the old
 *   length, cdn_json_pop cuts it back.  After an error the path is left as
 *   it was when the error was found (the walk is over).
 *
 * Errors
 *   Every int function returns 0 or a negative CDN_E* code (CDN_EIO for a
 *   file that cannot be read, CDN_EDATA otherwise) with err->msg set.
 *
 * Ownership and threads
 *   The caller owns the text (free) and the tree (cJSON_Delete).  No global
 *   state is used (cJSON's global error pointer is never read), so files are
 *   read in parallel threads safely.
 */
#ifndef CDNSIM_CDN_JSON_H
#define CDNSIM_CDN_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h"

struct cJSON;

#define CDN_JSON_FILE_MAX ((size_t)64 << 20) /* larger files are rejected, bytes */
#define CDN_JSON_SHOW_MAX 40                 /* bytes of a string value shown in a message */
#define CDN_JSON_OBJ_MAX_KEYS 48             /* keys of one fixed-schema object */

/* Reads the file into *text (NUL-terminated, caller frees) and *len. */
int cdn_json_read_file(const char *path, char **text, size_t *len, cdn_error_t *err);
/* Parses len bytes; *root is the tree (caller deletes) or NULL on error. */
int cdn_json_parse(const char *text, size_t len, const char *file, struct cJSON **root,
                   cdn_error_t *err);

typedef struct cdn_json_ctx {
    const char *file;  /* name used in messages */
    cdn_error_t *err;  /* never NULL */
    size_t plen;       /* strlen(path) */
    char path[384];    /* JSON path of the value being read, "$..." */
} cdn_json_ctx_t;

/* A short text shown in a message ("a string", "in (0, 1]", "\"foo\""). */
typedef struct cdn_json_shown {
    char s[2 * CDN_JSON_SHOW_MAX + sizeof "\"...\""]; /* every byte escaped, quotes, "..." */
} cdn_json_shown_t;

/* A number as shown in a message (at most 24 characters). */
typedef struct cdn_json_num {
    char s[32];
} cdn_json_num_t;

#if defined(__GNUC__)
#define CDN_JSON_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CDN_JSON_PRINTF(f, a)
#endif

void cdn_json_ctx_init(cdn_json_ctx_t *c, const char *file, cdn_error_t *err);
CDN_JSON_PRINTF(2, 3) size_t cdn_json_push(cdn_json_ctx_t *c, const char *fmt, ...);
/* Appends ".key"; control characters are shown as '?', long keys cut. */
size_t cdn_json_key(cdn_json_ctx_t *c, const char *key);
void cdn_json_pop(cdn_json_ctx_t *c, size_t old);
/* "FILE: PATH: " + the formatted text; returns CDN_EDATA. */
CDN_JSON_PRINTF(2, 3) int cdn_json_fail(cdn_json_ctx_t *c, const char *fmt, ...);
int cdn_json_missing(cdn_json_ctx_t *c, const char *key);

cdn_json_num_t cdn_json_show_num(double v);
cdn_json_shown_t cdn_json_show_str(const char *s);
/* A string's value (quoted), or the type of anything else. */
cdn_json_shown_t cdn_json_found(const struct cJSON *j);
/* "a, b, c" (quoted: "\"a\", \"b\"") into buf. */
void cdn_json_join(char *buf, size_t n, const char *const *names, size_t count, int quoted);

/* "notes": a string or an array of strings (at the current path). */
int cdn_json_notes(cdn_json_ctx_t *c, const struct cJSON *j);

/* An object with a fixed set of keys (besides "notes"). */
typedef struct cdn_json_obj {
    const char *const *keys;
    size_t nkeys;
    const struct cJSON *val[CDN_JSON_OBJ_MAX_KEYS]; /* value of keys[k], or NULL if absent */
} cdn_json_obj_t;

int cdn_json_obj_open(cdn_json_ctx_t *c, const struct cJSON *j, const char *const *keys,
                      size_t nkeys, cdn_json_obj_t *o);
const struct cJSON *cdn_json_obj_get(const cdn_json_obj_t *o, const char *key);

/* j is an array of min..max elements ("an array of 1 to 8 WHAT"). */
int cdn_json_array(cdn_json_ctx_t *c, const struct cJSON *j, size_t min, size_t max,
                   const char *what, size_t *n);

/* Numeric ranges; an open bound excludes its value. */
typedef struct cdn_json_range {
    double lo, hi;
    int lo_open, hi_open;
} cdn_json_range_t;

cdn_json_shown_t cdn_json_show_range(cdn_json_range_t r);
/* j (at the current path) is a finite number in r, integral if asked. */
int cdn_json_num(cdn_json_ctx_t *c, const struct cJSON *j, cdn_json_range_t r, int integer,
                 double *out);
/* Keys of an opened object; opt_* leave *out as is when the key is absent. */
int cdn_json_opt_num(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key,
                     cdn_json_range_t r, double *out);
int cdn_json_req_num(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key,
                     cdn_json_range_t r, double *out);
int cdn_json_opt_int(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, double lo,
                     double hi, uint64_t *out);
int cdn_json_opt_str(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key,
                     const char **out);
int cdn_json_opt_enum(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key,
                      const char *const *names, size_t n, int *out);
int cdn_json_opt_bool(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, int *out);

/* The one name rule: 1..63 bytes of UTF-8 without control characters;
 * with `strict` (names that become file or folder names: scenarios,
 * strategies) only [A-Za-z0-9._-] and not "." or "..". */
int cdn_json_valid_name(const char *s, int strict);
int cdn_json_req_name(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, int strict,
                      char out[CDN_NAME_MAX]);

#endif /* CDNSIM_CDN_JSON_H */
