/*
 * cdn_resultdir.h -- results folders that appear complete or not at all.
 *
 * Contract
 *   A command writes its results folder in four steps:
 *       cdn_resultdir_prepare(&d, "results/x", "run", &err)
 *           before any work: checks that the target may be written (absent,
 *           empty, or a previous result of the same command: a folder with
 *           our marker, CDN_RESULTDIR_MARKER, and nothing but the files it
 *           lists) and creates its parent folders;
 *       cdn_resultdir_begin(&d, &err)
 *           creates a temporary sibling folder, d.tmp, to write into;
 *       cdn_resultdir_commit(&d, &err)
 *           writes the marker (program, format, command, the files in
 *           d.tmp) and renames d.tmp to the target (a previous result is
 *           moved aside first and its listed files removed after, or put
 *           back if the rename fails);
 *       cdn_resultdir_abort(&d)
 *           removes d.tmp after a failure (safe to call at any time after
 *           prepare, and to be called on every failure path after it).
 *   prepare locks the target (a lock file ".<name>.lock" beside it) until
 *   commit or abort, waiting, with a message on stderr, while another
 *   process writes it; it also cleans up the temporary folders of killed
 *   runs of the same target.  From begin on, SIGINT, SIGTERM and SIGHUP
 *   remove the folder being written before the process ends by them.
 *   So an interrupted or failed command never leaves a partial folder, and
 *   a folder that is not ours, or holds anything we did not write, is
 *   never deleted or moved.  Results folders are flat: files only.
 *
 * Errors
 *   0, or CDN_EUSAGE (target name too long), CDN_EWRITE (the marker cannot be
 *   written) or CDN_RESULTDIR_ECREATE with
 *   err->msg set to one line without the "cdnsim: " prefix.
 *
 * Threads: not thread-safe for the same cdn_resultdir_t.  One process-wide
 *   state: the folder being written, for the signal watcher thread that
 *   the first begin starts (it blocks those signals in the calling thread,
 *   which must be the main thread before it starts worker threads).
 */
#ifndef CDNSIM_CDN_RESULTDIR_H
#define CDNSIM_CDN_RESULTDIR_H

#include <stddef.h>
#include <sys/types.h>

#include "cdn_error.h" /* cdn_error_t, CDN_E*, CDN_RESULTDIR_ECREATE (exit 73) */

#define CDN_RESULTDIR_PATH_MAX 2048 /* longest target accepted */

/* The marker file that makes a folder a cdnsim results folder. */
#define CDN_RESULTDIR_MARKER ".cdnsim-results"

typedef struct cdn_resultdir {
    char target[CDN_RESULTDIR_PATH_MAX];
    char parent[CDN_RESULTDIR_PATH_MAX];
    char base[CDN_RESULTDIR_PATH_MAX];
    char tmp[2 * CDN_RESULTDIR_PATH_MAX + 32]; /* folder being written; "" if none */
    char command[32]; /* "run", "compare", "sweep": recorded in the marker */
    int exists;       /* the target existed when last checked */
    int lock_fd;      /* the flock on ".<base>.lock", held from prepare to commit/abort; -1 */
} cdn_resultdir_t;

int cdn_resultdir_prepare(cdn_resultdir_t *d, const char *target, const char *command,
                          cdn_error_t *err);
int cdn_resultdir_begin(cdn_resultdir_t *d, cdn_error_t *err);
int cdn_resultdir_commit(cdn_resultdir_t *d, cdn_error_t *err);
void cdn_resultdir_abort(cdn_resultdir_t *d);

/* For a command that changes a finished results folder in place (`cdnsim
 * plot`): takes the folder's lock as prepare does (waiting for a writer),
 * without checking or creating anything; cdn_resultdir_unlock releases
 * it.  0, CDN_EUSAGE or CDN_RESULTDIR_ECREATE. */
int cdn_resultdir_lock(cdn_resultdir_t *d, const char *target, cdn_error_t *err);
void cdn_resultdir_unlock(cdn_resultdir_t *d);

/* A child process drawing into the folder being written (gnuplot): on a
 * signal the watcher kills it before it removes the folder (pid 0: none).
 * The child itself calls cdn_resultdir_child_signals() before exec, which
 * unblocks the signals the watcher took, so that it is not left immune. */
void cdn_resultdir_watch_child(pid_t pid);
void cdn_resultdir_child_signals(void);

/* After files were added to a finished results folder in place (`cdnsim
 * plot` draws the figures of a run made with --no-plot): adds those of
 * names[0..n-1] that exist to the folder's marker, so the folder stays
 * replaceable.  A folder without a marker is left as it is.  0 or
 * CDN_EWRITE. */
int cdn_resultdir_note_files(const char *dir, const char *const *names, size_t n, cdn_error_t *err);

/* The names of the entries of `dir` except ".", ".." and the marker, in
 * strcmp order, as a sim_xmalloc'd array of sim_xmalloc'd strings (free
 * with cdn_resultdir_free_list); NULL with *n == 0 when `dir` cannot be
 * read. */
char **cdn_resultdir_list(const char *dir, size_t *n);
void cdn_resultdir_free_list(char **v, size_t n);

#endif /* CDNSIM_CDN_RESULTDIR_H */
