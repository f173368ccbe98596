/*
 * cdn_resultdir.c -- atomic results folders that are provably ours: write a
 * temporary sibling, mark it, then rename it into place.
 *
 * Design
 *   rename(2) of a folder is atomic within a file system, and a sibling
 *   (".<name>.tmp-XXXXXX" next to the target, made by mkdtemp) is on the
 *   same file system.  An existing previous result cannot be replaced by
 *   rename() directly (the target folder is not empty), so it is first
 *   renamed aside to ".<name>.old-XXXXXX", the new folder renamed in, and
 *   the old one deleted; if the second rename fails the old one is put
 *   back.  The window in which the target is absent is two renames long.
 *
 *   Ownership.  Just before the rename, commit writes the marker
 *   CDN_RESULTDIR_MARKER into the folder: {"program": "cdnsim", "format": 1,
 *   "command": "run", "files": [every file the command wrote, sorted]}.
 *   An existing folder may be replaced only when it is empty, or when it
 *   holds a marker of the same command and nothing but the regular files
 *   that marker lists.  Anything else (no marker, another command's marker,
 *   a file or subfolder the user added, a symbolic link) makes prepare
 *   refuse and name what it found, so a user's file is never deleted or
 *   moved.  The check is repeated just before the previous result is moved
 *   aside, and deletion removes only the listed files, then rmdir().
 *
 *   State of a cdn_resultdir_t:
 *
 *       prepared --begin--> writing --commit--> committed
 *           |                  |
 *           |                  +--abort--> aborted (tmp removed)
 *           +--(nothing written; abort is a no-op)
 *
 *   d->tmp is non-empty exactly in "writing".
 *
 * Rejected alternatives
 *   - Recognising a previous result by a file it contains (summary.json,
 *     a manifest naming the program): any folder holding a file of that
 *     name passed, and everything else in it was deleted (issue #10).
 *   - A fixed list of file names per command: the list drifts from the
 *     writers (calibration files, plots when gnuplot is absent); the
 *     marker records what was really written.
 *   - Moving foreign entries aside instead of refusing: they would end
 *     in a hidden folder the user does not know about.
 */
#include "cdn_resultdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

static int fail(cdn_error_t *err, int code, const char *what, const char *path, int errnum)
{
    err->code = code;
    snprintf(err->msg, sizeof err->msg, "%.700s: %s: %s", path, what, strerror(errnum));
    return code;
}

#define MARKER_FORMAT 1
#define MARKER_MAX_BYTES ((long)1 << 20) /* larger markers are not ours */
#define MARKER_MAX_FILES 4096

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the entries of `dir` except ".", ".." and the marker,
 * sorted; NULL if it cannot be read.  Free with free_names(). */
static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 16;
    char **v = sim_xmalloc(cap * sizeof *v);
    *n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, CDN_RESULTDIR_MARKER) == 0)
            continue;
        if (*n == cap) {
            cap *= 2;
            v = sim_xrealloc(v, cap * sizeof *v);
        }
        v[(*n)++] = sim_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* 1 if dir/name exists as an entry of any kind (lstat: links not followed)
 * and is a regular file; *exists says whether it exists at all. */
static int is_regular(const char *dir, const char *name, int *exists)
{
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64];
    struct stat st;
    *exists = 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    if (lstat(path, &st) != 0)
        return 0;
    *exists = 1;
    return S_ISREG(st.st_mode);
}

/* The marker of `dir` parsed, or NULL when absent or not a marker. */
static cJSON *read_marker(const char *dir)
{
    int exists;
    if (!is_regular(dir, CDN_RESULTDIR_MARKER, &exists))
        return NULL;
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, CDN_RESULTDIR_MARKER);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = sim_xmalloc((size_t)MARKER_MAX_BYTES);
    size_t len = fread(buf, 1, (size_t)MARKER_MAX_BYTES, f);
    int whole = len < (size_t)MARKER_MAX_BYTES && !ferror(f);
    fclose(f);
    cJSON *root = whole ? cJSON_ParseWithLength(buf, len) : NULL;
    free(buf);
    return root;
}

/* 1 if the marker `m` lists `name` (any name when there is no marker: a
 * temporary folder holds only what this process wrote). */
static int listed(const cJSON *m, const char *name)
{
    if (!m)
        return 1;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(m, "files"))
    {
        if (cJSON_IsString(f) && strcmp(f->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

/* Whether the folder may be replaced; if not, why (into why[n]). */
static int owned(const char *dir, const char *command, char *why, size_t n)
{
    size_t count = 0;
    char **names = list_dir(dir, &count);
    if (!names) {
        snprintf(why, n, "it cannot be read: %s", strerror(errno));
        return 0;
    }
    int exists, ok = 1;
    cJSON *m = NULL;
    if (!is_regular(dir, CDN_RESULTDIR_MARKER, &exists)) {
        if (count == 0 && !exists)
            goto done; /* an empty folder */
        snprintf(why, n, "it has no %s marker of a cdnsim %s", CDN_RESULTDIR_MARKER, command);
        ok = 0;
        goto done;
    }
    m = read_marker(dir);
    const cJSON *prog = cJSON_GetObjectItemCaseSensitive(m, "program");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(m, "format");
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(m, "command");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
    if (!cJSON_IsString(prog) || strcmp(prog->valuestring, "cdnsim") != 0 ||
        !cJSON_IsNumber(fmt) || fmt->valuedouble != MARKER_FORMAT || !cJSON_IsString(cmd) ||
        !cJSON_IsArray(files)) {
        snprintf(why, n, "its %s is not a marker of this version of cdnsim", CDN_RESULTDIR_MARKER);
        ok = 0;
        goto done;
    }
    if (strcmp(cmd->valuestring, command) != 0) {
        snprintf(why, n, "it holds the results of a cdnsim %.40s, not of a %s",
                 cmd->valuestring, command);
        ok = 0;
        goto done;
    }
    for (size_t i = 0; i < count && ok; i++) {
        if (!listed(m, names[i]) || !is_regular(dir, names[i], &exists)) {
            snprintf(why, n, "it holds '%.200s', which cdnsim did not write", names[i]);
            ok = 0;
        }
    }
done:
    cJSON_Delete(m);
    free_names(names, count);
    return ok;
}

/* Writes the marker into the folder being committed. */
static int write_marker(const char *dir, const char *command)
{
    size_t count = 0;
    char **names = list_dir(dir, &count);
    if (!names)
        return -1;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddNumberToObject(root, "format", MARKER_FORMAT);
    cJSON_AddStringToObject(root, "command", command);
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(names[i]));
    free_names(names, count);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        return -1;
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, CDN_RESULTDIR_MARKER);
    FILE *f = fopen(path, "wb");
    int rc = f ? 0 : -1;
    if (f) {
        if (fputs(text, f) == EOF || fputc('\n', f) == EOF)
            rc = -1;
        if (fclose(f) != 0)
            rc = -1;
    }
    free(text);
    return rc;
}

/* Removes a folder written by us: the regular files its marker lists, the
 * marker, then the folder itself (rmdir, which keeps it if anything else
 * is in it). */
static void remove_ours(const char *dir)
{
    size_t count = 0;
    char **names = list_dir(dir, &count);
    cJSON *m = read_marker(dir);
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64];
    for (size_t i = 0; names && i < count; i++) {
        int exists;
        if (listed(m, names[i]) && is_regular(dir, names[i], &exists) &&
            snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path)
            unlink(path);
    }
    cJSON_Delete(m);
    free_names(names, count);
    if (snprintf(path, sizeof path, "%s/%s", dir, CDN_RESULTDIR_MARKER) < (int)sizeof path)
        unlink(path);
    rmdir(dir);
}

static int mkdir_p(const char *dir)
{
    char buf[CDN_RESULTDIR_PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

static void split_path(cdn_resultdir_t *d)
{
    char tmp[CDN_RESULTDIR_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", d->target);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    char *slash = strrchr(tmp, '/');
    if (!slash) {
        snprintf(d->parent, sizeof d->parent, ".");
        snprintf(d->base, sizeof d->base, "%s", tmp);
    } else if (slash == tmp) {
        snprintf(d->parent, sizeof d->parent, "/");
        snprintf(d->base, sizeof d->base, "%s", slash + 1);
    } else {
        *slash = '\0';
        snprintf(d->parent, sizeof d->parent, "%s", tmp);
        snprintf(d->base, sizeof d->base, "%s", slash + 1);
    }
}

/* 1 if the target may be written (absent, empty, or ours). */
static int replaceable(cdn_resultdir_t *d, char *why, size_t n)
{
    struct stat st;
    d->exists = 0;
    if (lstat(d->target, &st) != 0)
        return 1;
    d->exists = 1;
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, n, "it is not a folder");
        return 0;
    }
    return owned(d->target, d->command, why, n);
}

int cdn_resultdir_prepare(cdn_resultdir_t *d, const char *target, const char *command,
                          cdn_error_t *err)
{
    memset(d, 0, sizeof *d);
    snprintf(d->command, sizeof d->command, "%s", command);
    if (strlen(target) >= CDN_RESULTDIR_PATH_MAX) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg, "output folder name too long (%zu bytes)", strlen(target));
        return CDN_EUSAGE;
    }
    snprintf(d->target, sizeof d->target, "%s", target);
    split_path(d);
    char why[512];
    if (!replaceable(d, why, sizeof why)) {
        err->code = CDN_RESULTDIR_ECREATE;
        snprintf(err->msg, sizeof err->msg,
                 "%.500s: exists and is not a results folder of cdnsim %.20s (%.300s); refusing to "
                 "replace it: remove it or choose another folder with -o",
                 d->target, d->command, why);
        return CDN_RESULTDIR_ECREATE;
    }
    if (mkdir_p(d->parent) != 0)
        return fail(err, CDN_RESULTDIR_ECREATE, "cannot create folder", d->parent, errno);
    return 0;
}

int cdn_resultdir_begin(cdn_resultdir_t *d, cdn_error_t *err)
{
    snprintf(d->tmp, sizeof d->tmp, "%s/.%s.tmp-XXXXXX", d->parent, d->base);
    if (!mkdtemp(d->tmp)) {
        int e = errno;
        d->tmp[0] = '\0';
        return fail(err, CDN_RESULTDIR_ECREATE, "cannot create a temporary folder", d->parent, e);
    }
    chmod(d->tmp, 0755);
    return 0;
}

int cdn_resultdir_commit(cdn_resultdir_t *d, cdn_error_t *err)
{
    char old[sizeof d->tmp] = "";
    if (write_marker(d->tmp, d->command) != 0)
        return fail(err, CDN_EIO, "cannot write the marker", d->tmp, errno);
    char why[512];
    if (!replaceable(d, why, sizeof why)) { /* changed since prepare */
        err->code = CDN_RESULTDIR_ECREATE;
        snprintf(err->msg, sizeof err->msg,
                 "%.500s: changed while cdnsim ran and is no longer replaceable (%.300s)", d->target,
                 why);
        return CDN_RESULTDIR_ECREATE;
    }
    if (d->exists) {
        snprintf(old, sizeof old, "%s/.%s.old-XXXXXX", d->parent, d->base);
        if (!mkdtemp(old)) {
            int e = errno;
            return fail(err, CDN_RESULTDIR_ECREATE, "cannot move the previous results aside",
                        d->target, e);
        }
        if (rename(d->target, old) != 0) {
            int e = errno;
            rmdir(old);
            return fail(err, CDN_RESULTDIR_ECREATE, "cannot move the previous results aside",
                        d->target, e);
        }
    }
    if (rename(d->tmp, d->target) != 0) {
        int e = errno;
        if (old[0])
            rename(old, d->target); /* put the previous results back */
        return fail(err, CDN_RESULTDIR_ECREATE, "cannot create", d->target, e);
    }
    d->tmp[0] = '\0';
    if (old[0])
        remove_ours(old);
    return 0;
}

void cdn_resultdir_abort(cdn_resultdir_t *d)
{
    if (d->tmp[0])
        remove_ours(d->tmp);
    d->tmp[0] = '\0';
}
