/*
 * cdn_json.c -- the one strict JSON reader: file reading, syntax errors,
 * JSON paths and the checks every reader of an input file shares.
 *
 * Design
 *   The text is parsed by cJSON into a tree (cJSON_ParseWithLengthOpts, so
 *   the position of a syntax error comes back through `end` and the global
 *   cJSON_GetErrorPtr() is never read).  Readers then walk the tree with a
 *   cdn_json_ctx_t whose `path` is the JSON path of the value being read:
 *   they append ".key" (cdn_json_key, which also keeps a key from the file
 *   on one line) or "[i]" (cdn_json_push) and cut it back (cdn_json_pop)
 *   when the value was good.  cdn_json_fail() formats
 *   "FILE: PATH: expected WHAT, found WHAT".
 *
 *   cdn_json_obj_open() checks that a value is an object, that each key is
 *   one of the reader's keys or "notes", and that no key appears twice, and
 *   records the value of each known key; readers then fetch keys with
 *   cdn_json_obj_get().  So "unknown key", "duplicate key" and "missing key"
 *   are each decided in one place, for scenarios and strategies alike.
 *
 * Invariants: c->plen == strlen(c->path) < sizeof c->path; a message is one
 *   line (control characters of keys and values are shown as '?').
 *
 * Complexity: reading is linear in the file size (the buffer doubles);
 *   a key is matched against at most CDN_JSON_OBJ_MAX_KEYS names.
 *
 * Rejected alternatives
 *   - cJSON_GetObjectItem per key: would not see duplicate or unknown keys.
 *   - cJSON_GetErrorPtr: a process-wide pointer, racy when files are read
 *     in parallel threads.
 *   - One reader per kind of file (there were two): the same fault gave two
 *     different messages.
 */
#include "cdn_json.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cdn_measure.h" /* cdn_measure_shortest */
#include "sim_alloc.h"

/* ------------------------------------------------------------------------ */
/* Paths and messages                                                        */

void cdn_json_ctx_init(cdn_json_ctx_t *c, const char *file, cdn_error_t *err)
{
    c->file = file;
    c->err = err;
    c->path[0] = '$';
    c->path[1] = '\0';
    c->plen = 1;
}

size_t cdn_json_push(cdn_json_ctx_t *c, const char *fmt, ...)
{
    size_t old = c->plen;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + old, sizeof c->path - old, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->plen = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
    return old;
}

/* Appends ".key"; keys come from the file, so control characters are
 * shown as '?' (messages are one line) and long keys are cut. */
size_t cdn_json_key(cdn_json_ctx_t *c, const char *key)
{
    size_t old = c->plen, o = old;
    if (o + 1 < sizeof c->path)
        c->path[o++] = '.';
    for (size_t i = 0; key[i] != '\0' && i < 2 * CDN_JSON_SHOW_MAX && o + 1 < sizeof c->path; i++) {
        unsigned char ch = (unsigned char)key[i];
        c->path[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    c->path[o] = '\0';
    c->plen = o;
    return old;
}

void cdn_json_pop(cdn_json_ctx_t *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

int cdn_json_fail(cdn_json_ctx_t *c, const char *fmt, ...)
{
    char *msg = c->err->msg;
    int n = snprintf(msg, sizeof c->err->msg, "%s: %s: ", c->file, c->path);
    if (n >= 0 && (size_t)n < sizeof c->err->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof c->err->msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    c->err->code = CDN_EDATA;
    return CDN_EDATA;
}

const char *cdn_json_type(const cJSON *j)
{
    if (cJSON_IsObject(j))
        return "an object";
    if (cJSON_IsArray(j))
        return "an array";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNull(j))
        return "null";
    return "an invalid value";
}

/* Shortest of %.15g / %.17g that reads back as v. */
cdn_json_num_t cdn_json_show_num(double v)
{
    cdn_json_num_t r;
    cdn_measure_shortest(r.s, sizeof r.s, v, 0);
    return r;
}

/* s quoted, truncated to CDN_JSON_SHOW_MAX bytes (on a UTF-8 boundary), with
 * quotes, backslashes and control characters made visible. */
cdn_json_shown_t cdn_json_show_str(const char *s)
{
    cdn_json_shown_t r;
    size_t o = 0, i = 0;
    r.s[o++] = '"';
    for (; s[i] != '\0' && i < CDN_JSON_SHOW_MAX; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            r.s[o++] = '?';
        } else {
            if (ch == '"' || ch == '\\')
                r.s[o++] = '\\';
            r.s[o++] = (char)ch;
        }
    }
    if (s[i] != '\0') {
        while (o > 1 && ((unsigned char)r.s[o - 1] & 0xC0) == 0x80) /* continuation bytes */
            o--;
        if (o > 1 && (unsigned char)r.s[o - 1] >= 0xC0) /* lead byte of a cut sequence */
            o--;
        memcpy(r.s + o, "...", 3);
        o += 3;
    }
    r.s[o++] = '"';
    r.s[o] = '\0';
    return r;
}

/* What was found where something else was expected: a string's value, the
 * type of anything else (numbers are shown by check_num). */
cdn_json_shown_t cdn_json_found(const cJSON *j)
{
    cdn_json_shown_t r;
    if (cJSON_IsString(j))
        return cdn_json_show_str(j->valuestring);
    snprintf(r.s, sizeof r.s, "%s", cdn_json_type(j));
    return r;
}

int cdn_json_missing(cdn_json_ctx_t *c, const char *key)
{
    return cdn_json_fail(c, "missing required key \"%s\"", key);
}

/* "a, b, c" (quoted: "\"a\", \"b\"") into buf. */
void cdn_json_join(char *buf, size_t n, const char *const *names, size_t count, int quoted)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && o < n; i++) {
        int w = snprintf(buf + o, n - o, quoted ? "%s\"%s\"" : "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

int cdn_json_notes(cdn_json_ctx_t *c, const cJSON *j)
{
    if (cJSON_IsString(j))
        return 0;
    if (!cJSON_IsArray(j))
        return cdn_json_fail(c, "expected a string or an array of strings, found %s", cdn_json_type(j));
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            cdn_json_push(c, "[%zu]", i);
            return cdn_json_fail(c, "expected a string, found %s", cdn_json_type(e));
        }
    }
    return 0;
}

int cdn_json_obj_open(cdn_json_ctx_t *c, const cJSON *j, const char *const *keys, size_t nkeys, cdn_json_obj_t *o)
{
    if (!cJSON_IsObject(j))
        return cdn_json_fail(c, "expected an object, found %s", cdn_json_type(j));
    assert(nkeys <= CDN_JSON_OBJ_MAX_KEYS);
    memset(o, 0, sizeof *o);
    o->keys = keys;
    o->nkeys = nkeys;
    int notes_seen = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        const char *key = ch->string;
        size_t p = cdn_json_key(c, key);
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], key) != 0)
            k++;
        if (strcmp(key, "notes") == 0) {
            if (notes_seen++)
                return cdn_json_fail(c, "duplicate key");
            CDN_TRY(cdn_json_notes(c, ch));
        } else if (k == nkeys) {
            char list[512];
            cdn_json_join(list, sizeof list, keys, nkeys, 0);
            return cdn_json_fail(c, "unknown key (expected one of: %s%snotes)", list, nkeys ? ", " : "");
        } else if (o->val[k] != NULL) {
            return cdn_json_fail(c, "duplicate key");
        } else {
            o->val[k] = ch;
        }
        cdn_json_pop(c, p);
    }
    return 0;
}

const cJSON *cdn_json_obj_get(const cdn_json_obj_t *o, const char *key)
{
    for (size_t k = 0; k < o->nkeys; k++) {
        if (strcmp(o->keys[k], key) == 0)
            return o->val[k];
    }
    return NULL; /* not reached for keys the reader declared */
}

/* Checks that j is an array of min..max elements; *n = its length. */
int cdn_json_array(cdn_json_ctx_t *c, const cJSON *j, size_t min, size_t max, const char *what,
                       size_t *n)
{
    char want[96];
    if (min == 0)
        snprintf(want, sizeof want, "an array of at most %zu %s", max, what);
    else
        snprintf(want, sizeof want, "an array of %zu to %zu %s", min, max, what);
    if (!cJSON_IsArray(j))
        return cdn_json_fail(c, "expected %s, found %s", want, cdn_json_type(j));
    size_t len = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next)
        len++;
    if (len < min || len > max)
        return cdn_json_fail(c, "expected %s, found an array of %zu", want, len);
    *n = len;
    return 0;
}

static int in_range(double v, cdn_json_range_t r)
{
    return (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
}

cdn_json_shown_t cdn_json_show_range(cdn_json_range_t r)
{
    cdn_json_shown_t out;
    if (r.hi == INFINITY)
        snprintf(out.s, sizeof out.s, "%s %s", r.lo_open ? ">" : ">=", cdn_json_show_num(r.lo).s);
    else
        snprintf(out.s, sizeof out.s, "in %c%s, %s%c", r.lo_open ? '(' : '[', cdn_json_show_num(r.lo).s,
                 cdn_json_show_num(r.hi).s, r.hi_open ? ')' : ']');
    return out;
}

/* j (at the current path) must be a finite number in r, integral if asked. */
int cdn_json_num(cdn_json_ctx_t *c, const cJSON *j, cdn_json_range_t r, int integer, double *out)
{
    const char *noun = integer ? "an integer" : "a number";
    if (!cJSON_IsNumber(j))
        return cdn_json_fail(c, "expected %s %s, found %s", noun, cdn_json_show_range(r).s, cdn_json_type(j));
    double v = j->valuedouble;
    if (!isfinite(v))
        return cdn_json_fail(c, "expected %s %s, found a number too large for a double", noun,
                    cdn_json_show_range(r).s);
    if ((integer && v != floor(v)) || !in_range(v, r))
        return cdn_json_fail(c, "expected %s %s, found %s", noun, cdn_json_show_range(r).s, cdn_json_show_num(v).s);
    *out = v;
    return 0;
}

int cdn_json_opt_num(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, cdn_json_range_t r, double *out)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    size_t p = cdn_json_key(c, key);
    CDN_TRY(cdn_json_num(c, j, r, 0, out));
    cdn_json_pop(c, p);
    return 0;
}

int cdn_json_req_num(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, cdn_json_range_t r, double *out)
{
    if (cdn_json_obj_get(o, key) == NULL)
        return cdn_json_missing(c, key);
    return cdn_json_opt_num(c, o, key, r, out);
}

/* Integers are read as doubles (exact up to 2^53, the largest bound). */
int cdn_json_opt_int(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, double lo, double hi, uint64_t *out)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    double v = 0;
    size_t p = cdn_json_key(c, key);
    CDN_TRY(cdn_json_num(c, j, ((cdn_json_range_t){(lo), (hi), 0, 0}), 1, &v));
    cdn_json_pop(c, p);
    *out = (uint64_t)v;
    return 0;
}

/* The string value of `key` into *out (left as it is when absent). */
int cdn_json_opt_str(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, const char **out)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    if (!cJSON_IsString(j)) {
        cdn_json_key(c, key);
        return cdn_json_fail(c, "expected a string, found %s", cdn_json_type(j));
    }
    *out = j->valuestring;
    return 0;
}

/* 1 if s is well-formed UTF-8 (no overlong forms, surrogates or values
 * above U+10FFFF); cJSON passes raw bytes through unchecked. */
static int valid_utf8(const unsigned char *s)
{
    while (*s != '\0') {
        unsigned char c0 = *s;
        size_t len = c0 < 0x80 ? 1 : c0 >= 0xC2 && c0 <= 0xDF ? 2 : c0 >= 0xE0 && c0 <= 0xEF ? 3
                                 : c0 >= 0xF0 && c0 <= 0xF4 ? 4 : 0;
        if (len == 0)
            return 0;
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
        }
        if ((c0 == 0xE0 && s[1] < 0xA0) || (c0 == 0xED && s[1] > 0x9F) ||
            (c0 == 0xF0 && s[1] < 0x90) || (c0 == 0xF4 && s[1] > 0x8F))
            return 0;
        s += len;
    }
    return 1;
}

/* A name: 1..63 bytes of UTF-8 without control characters; with `strict`,
 * only [A-Za-z0-9._-] and not "." or ".." (the scenario name becomes a
 * folder). */
int cdn_json_valid_name(const char *s, int strict)
{
    size_t n = strlen(s);
    if (n < 1 || n >= CDN_NAME_MAX || !valid_utf8((const unsigned char *)s))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return 0;
        if (strict && !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                        (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return !(strict && (strcmp(s, ".") == 0 || strcmp(s, "..") == 0));
}

int cdn_json_req_name(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, int strict, char out[CDN_NAME_MAX])
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return cdn_json_missing(c, key);
    size_t p = cdn_json_key(c, key);
    if (!cJSON_IsString(j) || !cdn_json_valid_name(j->valuestring, strict)) {
        if (strict)
            return cdn_json_fail(c, "expected a name of 1 to %d characters from [A-Za-z0-9._-], "
                           "not \".\" or \"..\", found %s",
                        CDN_NAME_MAX - 1, cdn_json_found(j).s);
        return cdn_json_fail(c, "expected a name of 1 to %d bytes of UTF-8 without control "
                       "characters, found %s",
                    CDN_NAME_MAX - 1, cdn_json_found(j).s);
    }
    memcpy(out, j->valuestring, strlen(j->valuestring) + 1);
    cdn_json_pop(c, p);
    return 0;
}

/* Leaves *out as is when the key is absent (the caller set the default). */
int cdn_json_opt_enum(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, const char *const *names,
                    size_t n, int *out)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    if (cJSON_IsString(j)) {
        for (size_t k = 0; k < n; k++) {
            if (strcmp(names[k], j->valuestring) == 0) {
                *out = (int)k;
                return 0;
            }
        }
    }
    char list[256];
    cdn_json_join(list, sizeof list, names, n, 1);
    cdn_json_key(c, key);
    return cdn_json_fail(c, "expected one of %s, found %s", list, cdn_json_found(j).s);
}

int cdn_json_opt_bool(cdn_json_ctx_t *c, const cdn_json_obj_t *o, const char *key, int *out)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    if (!cJSON_IsBool(j)) {
        cdn_json_key(c, key);
        return cdn_json_fail(c, "expected true or false, found %s", cdn_json_found(j).s);
    }
    *out = cJSON_IsTrue(j) ? 1 : 0;
    return 0;
}


/* "FILE:LINE:COL: invalid JSON near '...'" for the byte at `pos`; columns
 * count characters (UTF-8 continuation bytes are not counted). */
static int syntax_error(cdn_error_t *err, const char *file, const char *text, size_t len,
                        size_t pos, const char *why)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    /* what is near: up to 24 bytes of the line, or the character itself */
    char near[32];
    size_t n = 0;
    while (pos + n < len && n < 24) {
        unsigned char ch = (unsigned char)text[pos + n];
        if (ch < 0x20 || ch == 0x7f)
            break;
        near[n++] = (char)ch;
    }
    if (pos + n < len && n == 24) /* do not end inside a UTF-8 sequence */
        while (n > 0 && ((unsigned char)near[n - 1] & 0x80))
            n--;
    near[n] = '\0';
    if (pos >= len)
        snprintf(near, sizeof near, "end of input");
    else if (n == 0 && (text[pos] == '\n' || text[pos] == '\r'))
        snprintf(near, sizeof near, "end of line");
    else if (n == 0)
        snprintf(near, sizeof near, "'\\x%02X'", (unsigned)(unsigned char)text[pos]);
    else {
        memmove(near + 1, near, n);
        near[0] = near[n + 1] = '\'';
        near[n + 2] = '\0';
    }
    snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: invalid JSON near %s%s", file, line, col,
             near, why);
    err->code = CDN_EDATA;
    return CDN_EDATA;
}
static int io_error(cdn_error_t *err, const char *path, int errnum)
{
    char why[256];
    if (strerror_r(errnum, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", errnum);
    snprintf(err->msg, sizeof err->msg, "%s: cannot read: %s", path, why);
    err->code = CDN_EIO;
    return CDN_EIO;
}

static int too_large(cdn_error_t *err, const char *path)
{
    snprintf(err->msg, sizeof err->msg, "%s: file is larger than %zu MiB", path,
             CDN_JSON_FILE_MAX >> 20);
    err->code = CDN_EDATA;
    return CDN_EDATA;
}


/* ------------------------------------------------------------------------ */
/* Files and syntax                                                          */

int cdn_json_read_file(const char *path, char **text, size_t *len, cdn_error_t *err)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    struct stat st;
    int rc;

    *text = NULL;
    *len = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = io_error(err, path, errno);
        goto fail;
    }
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = io_error(err, path, EISDIR);
            goto fail;
        }
        if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > CDN_JSON_FILE_MAX) {
            rc = too_large(err, path);
            goto fail;
        }
    }
    for (;;) { /* also for pipes and files that grow while read */
        if (n == cap) {
            if (cap > CDN_JSON_FILE_MAX) {
                rc = too_large(err, path);
                goto fail;
            }
            cap = cap == 0 ? (size_t)1 << 16 : 2 * cap;
            if (cap > CDN_JSON_FILE_MAX + 1)
                cap = CDN_JSON_FILE_MAX + 1;
            buf = sim_xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                rc = io_error(err, path, errno);
                goto fail;
            }
            break;
        }
    }
    if (n > CDN_JSON_FILE_MAX) {
        rc = too_large(err, path);
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
fail:
    if (f != NULL)
        fclose(f);
    free(buf);
    return rc;
}

/* Offset of the first "\u0000" escape inside a string of well-formed JSON
 * text, or len.  cJSON keeps strings as C strings, so such a string would
 * be cut there ("count\u0000junk" read as "count") without a word. */
static size_t find_nul_escape(const char *text, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_string) {
            in_string = text[i] == '"';
        } else if (text[i] == '\\') {
            if (i + 5 < len && text[i + 1] == 'u' && memcmp(text + i + 2, "0000", 4) == 0)
                return i;
            i++; /* the escaped character */
        } else if (text[i] == '"') {
            in_string = 0;
        }
    }
    return len;
}

int cdn_json_parse(const char *text, size_t len, const char *file, cJSON **root,
                   cdn_error_t *err)
{
    const char *end = NULL;
    if (text == NULL) {
        text = "";
        len = 0;
    }
    *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (end == NULL || end < text || end > text + len)
        end = text;
    if (*root == NULL)
        return syntax_error(err, file, text, len, (size_t)(end - text), "");
    while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != text + len) {
        cJSON_Delete(*root);
        *root = NULL;
        return syntax_error(err, file, text, len, (size_t)(end - text),
                            " (text after the end of the top-level value)");
    }
    size_t nul = find_nul_escape(text, len);
    if (nul < len) {
        cJSON_Delete(*root);
        *root = NULL;
        return syntax_error(err, file, text, len, nul,
                            " (\\u0000 in a string: it would cut the string short)");
    }
    return 0;
}
