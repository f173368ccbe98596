/*
 * cdn_resultdir.c -- atomic results folders: write a temporary sibling,
 * then rename it into place.
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
 *   Whether an existing folder may be replaced is the caller's decision
 *   (the probe): `run` recognises summary.json, `compare` and `sweep` a
 *   manifest.json written by that command.  An empty folder may always be
 *   replaced.
 */
#include "cdn_resultdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(cdn_error_t *err, int code, const char *what, const char *path, int errnum)
{
    err->code = code;
    snprintf(err->msg, sizeof err->msg, "%.700s: %s: %s", path, what, strerror(errnum));
    return code;
}

int cdn_resultdir_has_file(const char *dir, const char *name)
{
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Removes a flat folder written by us (files only, no subfolders). */
static void remove_flat_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[4 * CDN_RESULTDIR_PATH_MAX];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
                unlink(path);
        }
        closedir(d);
    }
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
static int replaceable(cdn_resultdir_t *d, cdn_resultdir_probe_fn probe)
{
    struct stat st;
    d->exists = 0;
    if (stat(d->target, &st) != 0)
        return 1;
    d->exists = 1;
    if (!S_ISDIR(st.st_mode))
        return 0;
    if (probe && probe(d->target))
        return 1;
    DIR *dir = opendir(d->target);
    if (!dir)
        return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(dir)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(dir);
    return empty;
}

int cdn_resultdir_prepare(cdn_resultdir_t *d, const char *target, cdn_resultdir_probe_fn probe,
                          const char *why_not_ours, cdn_error_t *err)
{
    memset(d, 0, sizeof *d);
    if (strlen(target) >= CDN_RESULTDIR_PATH_MAX) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg, "output folder name too long (%zu bytes)", strlen(target));
        return CDN_EUSAGE;
    }
    snprintf(d->target, sizeof d->target, "%s", target);
    split_path(d);
    if (!replaceable(d, probe)) {
        err->code = CDN_RESULTDIR_ECREATE;
        snprintf(err->msg, sizeof err->msg,
                 "%.700s: exists and is not a cdnsim results folder (%.200s); refusing to replace it",
                 d->target, why_not_ours);
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
        remove_flat_dir(old);
    return 0;
}

void cdn_resultdir_abort(cdn_resultdir_t *d)
{
    if (d->tmp[0])
        remove_flat_dir(d->tmp);
    d->tmp[0] = '\0';
}
