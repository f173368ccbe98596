/*
 * cdn_resultdir.h -- results folders that appear complete or not at all.
 *
 * Contract
 *   A command writes its results folder in four steps:
 *       cdn_resultdir_prepare(&d, "results/x", probe, "no summary.json", &err)
 *           before any work: checks that the target may be written (absent,
 *           empty, or a previous result of ours as decided by `probe`) and
 *           creates its parent folders;
 *       cdn_resultdir_begin(&d, &err)
 *           creates a temporary sibling folder, d.tmp, to write into;
 *       cdn_resultdir_commit(&d, &err)
 *           renames d.tmp to the target (a previous result is moved aside
 *           first and removed after, or put back if the rename fails);
 *       cdn_resultdir_abort(&d)
 *           removes d.tmp after a failure (safe to call at any time).
 *   So an interrupted or failed command never leaves a partial folder, and
 *   a folder that is not ours is never replaced.  Folders are flat: the
 *   cleanup removes files, not subfolders.
 *
 * Errors
 *   0, or CDN_EUSAGE (target name too long) or CDN_RESULTDIR_ECREATE with
 *   err->msg set to one line without the "cdnsim: " prefix.
 *
 * Threads: not thread-safe for the same cdn_resultdir_t; no global state.
 */
#ifndef CDNSIM_CDN_RESULTDIR_H
#define CDNSIM_CDN_RESULTDIR_H

#include "cdn_error.h" /* cdn_error_t, CDN_E*, CDN_RESULTDIR_ECREATE (exit 73) */

#define CDN_RESULTDIR_PATH_MAX 2048 /* longest target accepted */

/* 1 if `dir` holds a previous result that may be replaced. */
typedef int (*cdn_resultdir_probe_fn)(const char *dir);

typedef struct cdn_resultdir {
    char target[CDN_RESULTDIR_PATH_MAX];
    char parent[CDN_RESULTDIR_PATH_MAX];
    char base[CDN_RESULTDIR_PATH_MAX];
    char tmp[2 * CDN_RESULTDIR_PATH_MAX + 32]; /* folder being written; "" if none */
    int exists; /* the target existed when prepared */
} cdn_resultdir_t;

int cdn_resultdir_prepare(cdn_resultdir_t *d, const char *target, cdn_resultdir_probe_fn probe,
                          const char *why_not_ours, cdn_error_t *err);
int cdn_resultdir_begin(cdn_resultdir_t *d, cdn_error_t *err);
int cdn_resultdir_commit(cdn_resultdir_t *d, cdn_error_t *err);
void cdn_resultdir_abort(cdn_resultdir_t *d);

/* 1 if dir/name is a regular file (a building block for probes). */
int cdn_resultdir_has_file(const char *dir, const char *name);

#endif /* CDNSIM_CDN_RESULTDIR_H */
