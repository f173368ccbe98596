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
 *   d->tmp is non-empty exactly in "writing"; d->lock_fd is open from
 *   prepare until commit or abort.
 *
 *   Concurrent writers.  prepare takes an exclusive flock(2) on the lock
 *   file ".<name>.lock" beside the target (created if absent and left in
 *   place: deleting a lock file races with its next user) and holds it
 *   until commit or abort, so two commands writing one folder run one
 *   after the other, the second replacing the first's result.  While the
 *   lock is held no other cdnsim can be writing that target, so any
 *   ".<name>.tmp-*" or ".<name>.old-*" sibling is left over from a killed
 *   process: prepare removes the files of a stale temporary folder, and
 *   puts a stale ".old-" folder back when the target is missing (a kill
 *   between the two renames of commit) or removes its listed files.
 *
 *   Signals.  SIGINT, SIGTERM and SIGHUP (those not ignored at start, as
 *   nohup and shells' background jobs ignore some) are blocked in the thread that
 *   first calls begin (the main thread; threads it creates later inherit
 *   the mask) and received by one watcher thread with sigwait(), which is
 *   free to call opendir() and unlink(), unlike a signal handler.  The
 *   watcher removes the temporary folder being written, if any, then
 *   re-raises the signal with its default action, so the process ends as
 *   if it had not been caught (exit status 128 + signal).  The folder being
 *   written is the one process-wide variable of cdnsim: signals are
 *   process-wide; a mutex orders the watcher against commit and abort.
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
 *   - Cleaning up in a signal handler: opendir() and free() are not
 *     async-signal-safe.  atexit(): not run on a signal.
 *   - Refusing (rather than waiting) when another process holds the lock:
 *     a rerun started while the first is still running would fail for a
 *     reason the user cannot see.
 */
#include "cdn_resultdir.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the entries of `dir` except ".", ".." and the marker,
 * sorted; NULL if it cannot be read.  Free with cdn_resultdir_free_list(). */
char **cdn_resultdir_list(const char *dir, size_t *n)
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

void cdn_resultdir_free_list(char **v, size_t n)
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

/* 1 if the marker `m` lists `name`. */
static int listed(const cJSON *m, const char *name)
{
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
    char **names = cdn_resultdir_list(dir, &count);
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
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(m, "state");
    if (!cJSON_IsString(prog) || strcmp(prog->valuestring, "cdnsim") != 0 ||
        !cJSON_IsNumber(fmt) || fmt->valuedouble != MARKER_FORMAT || !cJSON_IsString(cmd) ||
        !cJSON_IsArray(files) || !cJSON_IsString(state) ||
        strcmp(state->valuestring, "complete") != 0) {
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
    cdn_resultdir_free_list(names, count);
    return ok;
}

/* Writes `root` as the marker of dir (replacing it through a temporary
 * file and rename, so a marker is never half-written). */
static int put_marker(const char *dir, const cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root);
    if (!text)
        return -1;
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64], tmp[2 * CDN_RESULTDIR_PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/%s", dir, CDN_RESULTDIR_MARKER);
    snprintf(tmp, sizeof tmp, "%s/%s.new", dir, CDN_RESULTDIR_MARKER);
    FILE *f = fopen(tmp, "wb");
    int rc = f ? 0 : -1;
    if (f) {
        if (fputs(text, f) == EOF || fputc('\n', f) == EOF)
            rc = -1;
        if (fclose(f) != 0)
            rc = -1;
        if (rc == 0 && rename(tmp, path) != 0)
            rc = -1;
        if (rc != 0)
            unlink(tmp);
    }
    free(text);
    return rc;
}

/* Writes the marker into the folder being committed. */
static int write_marker(const char *dir, const char *command, int complete)
{
    size_t count = 0;
    char **names = complete ? cdn_resultdir_list(dir, &count) : NULL;
    if (complete && !names)
        return -1;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddNumberToObject(root, "format", MARKER_FORMAT);
    cJSON_AddStringToObject(root, "command", command);
    cJSON_AddStringToObject(root, "state", complete ? "complete" : "writing");
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(names[i]));
    cdn_resultdir_free_list(names, count);
    int rc = put_marker(dir, root);
    cJSON_Delete(root);
    return rc;
}

/* What a folder's marker says of it. */
typedef enum { MARK_NONE, MARK_WRITING, MARK_COMPLETE } mark_t;

static mark_t mark_of(const cJSON *m)
{
    const cJSON *prog = cJSON_GetObjectItemCaseSensitive(m, "program");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(m, "state");
    if (!cJSON_IsString(prog) || strcmp(prog->valuestring, "cdnsim") != 0 || !cJSON_IsString(state))
        return MARK_NONE;
    if (strcmp(state->valuestring, "writing") == 0)
        return MARK_WRITING;
    return strcmp(state->valuestring, "complete") == 0 ? MARK_COMPLETE : MARK_NONE;
}

/* Removes a folder cdnsim wrote, only as far as it can prove so: a
 * "writing" folder (made by begin, everything in it written by cdnsim)
 * loses its regular files; a "complete" one the regular files its marker
 * lists; a folder without our marker nothing.  The marker goes, and the
 * folder with it, only when nothing else is left, so a folder that still
 * holds something stays "not ours" for every later run. */
static void remove_ours(const char *dir)
{
    cJSON *m = read_marker(dir);
    mark_t mark = mark_of(m);
    size_t count = 0;
    char **names = mark == MARK_NONE ? NULL : cdn_resultdir_list(dir, &count);
    char path[2 * CDN_RESULTDIR_PATH_MAX + 64];
    for (size_t i = 0; names && i < count; i++) {
        int exists;
        if ((mark == MARK_WRITING || listed(m, names[i])) && is_regular(dir, names[i], &exists) &&
            snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path)
            unlink(path);
    }
    cJSON_Delete(m);
    cdn_resultdir_free_list(names, count);
    if (mark == MARK_NONE)
        return;
    names = cdn_resultdir_list(dir, &count);
    int empty = names && count == 0;
    cdn_resultdir_free_list(names, count);
    if (empty && snprintf(path, sizeof path, "%s/%s", dir, CDN_RESULTDIR_MARKER) < (int)sizeof path) {
        unlink(path);
        rmdir(dir);
    }
}

/* ---- the signal watcher ---- */

static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;
static char watch_tmp[2 * CDN_RESULTDIR_PATH_MAX + 32]; /* folder being written, "" if none */
static pid_t watch_child;                               /* a child drawing into it (gnuplot), 0 */

/* The signals watched: SIGINT, SIGTERM, SIGHUP, less those ignored when
 * the process started (nohup, or `cmd &` in a script, ignore some): a
 * blocked signal is queued even when ignored, so watching an ignored one
 * would make it end the process.  Decided once, before they are blocked. */
static sigset_t watched;

static void choose_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    sigemptyset(&watched);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
            sigaddset(&watched, sigs[i]);
    }
}

static void *watcher(void *arg)
{
    (void)arg;
    sigset_t set = watched;
    int sig = SIGTERM;
    while (sigwait(&set, &sig) != 0)
        ;
    pthread_mutex_lock(&watch_mu); /* held to the end: commit cannot start now */
    if (watch_child > 0) {             /* it would write on into the folder */
        kill(watch_child, SIGKILL);
        while (waitpid(watch_child, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (watch_tmp[0])
        remove_ours(watch_tmp);
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached: the default action ends the process */
}

static void start_watcher(void)
{
    choose_signals();
    sigset_t set = watched;
    pthread_t t;
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 || pthread_create(&t, NULL, watcher, NULL) != 0) {
        pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* no watcher: default actions */
        return;
    }
    pthread_detach(t);
}

static void watch(const char *tmp)
{
    pthread_mutex_lock(&watch_mu);
    snprintf(watch_tmp, sizeof watch_tmp, "%s", tmp);
    pthread_mutex_unlock(&watch_mu);
}

void cdn_resultdir_watch_child(pid_t pid)
{
    pthread_mutex_lock(&watch_mu);
    watch_child = pid;
    pthread_mutex_unlock(&watch_mu);
}

void cdn_resultdir_child_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* The state machine of the design comment: prepared (lock held, nothing
 * written: tmp ""), writing (lock held, tmp set), committed/aborted (no
 * lock, tmp "").  `writing` says which of the two lock-holding states d
 * must be in. */
#ifndef NDEBUG
static int resultdir_check(const cdn_resultdir_t *d, int writing)
{
    if (d->lock_fd < 0 || d->target[0] == '\0' || d->command[0] == '\0')
        return 0;
    return writing ? d->tmp[0] != '\0' : d->tmp[0] == '\0';
}
#endif

/* ---- the lock and stale folders of killed runs ---- */

static int take_lock(cdn_resultdir_t *d, cdn_error_t *err)
{
    char path[2 * CDN_RESULTDIR_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/.%s.lock", d->parent, d->base);
    d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (d->lock_fd < 0)
        return fail(err, CDN_RESULTDIR_ECREATE, "cannot create the lock file", path, errno);
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    fprintf(stderr, "cdnsim: %.500s is being written by another cdnsim; waiting for it...\n",
            d->target);
    while (flock(d->lock_fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int e = errno;
            close(d->lock_fd);
            d->lock_fd = -1;
            return fail(err, CDN_RESULTDIR_ECREATE, "cannot lock", path, e);
        }
    }
    return 0;
}

static void release_lock(cdn_resultdir_t *d)
{
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
    d->lock_fd = -1;
}

/* 1 if `name` is ".<base>.<kind>-XXXXXX" (a folder mkdtemp made for base). */
static int sibling_of(const char *name, const char *base, const char *kind)
{
    size_t nb = strlen(base), nk = strlen(kind);
    return name[0] == '.' && strncmp(name + 1, base, nb) == 0 && name[1 + nb] == '.' &&
           strncmp(name + 2 + nb, kind, nk) == 0 && strlen(name) == 2 + nb + nk + 6;
}

/* Under the lock: folders of killed runs of this target, recognised by
 * name and by our marker, are cleaned up (remove_ours); a sibling with a
 * matching name but no marker of ours is left alone. */
static void clean_stale(cdn_resultdir_t *d)
{
    size_t count = 0;
    char **names = cdn_resultdir_list(d->parent, &count);
    char path[3 * CDN_RESULTDIR_PATH_MAX];
    struct stat st;
    for (size_t i = 0; names && i < count; i++) {
        int tmp = sibling_of(names[i], d->base, "tmp-");
        int old = sibling_of(names[i], d->base, "old-");
        if ((!tmp && !old) ||
            snprintf(path, sizeof path, "%s/%s", d->parent, names[i]) >= (int)sizeof path ||
            lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        cJSON *m = read_marker(path);
        mark_t mark = mark_of(m);
        cJSON_Delete(m);
        if (mark == MARK_NONE)
            continue; /* not provably ours: never touched */
        if (old && mark == MARK_COMPLETE && lstat(d->target, &st) != 0 && errno == ENOENT)
            rename(path, d->target); /* killed between the renames: put it back */
        else
            remove_ours(path);
    }
    cdn_resultdir_free_list(names, count);
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

static void strip_slashes(char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
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
    if (S_ISLNK(st.st_mode)) {
        snprintf(why, n, "it is a symbolic link; give the folder it points to");
        return 0;
    }
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
    d->lock_fd = -1;
    snprintf(d->command, sizeof d->command, "%s", command);
    if (target[0] == '\0' || strlen(target) >= CDN_RESULTDIR_PATH_MAX) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg, "output folder name %s (%zu bytes)",
                 target[0] ? "too long" : "empty", strlen(target));
        return CDN_EUSAGE;
    }
    snprintf(d->target, sizeof d->target, "%s", target);
    strip_slashes(d->target); /* "link/" would make lstat follow the link */
    split_path(d);
    if (mkdir_p(d->parent) != 0)
        return fail(err, CDN_RESULTDIR_ECREATE, "cannot create folder", d->parent, errno);
    int rc = take_lock(d, err);
    if (rc != 0)
        return rc;
    clean_stale(d);
    char why[512];
    if (!replaceable(d, why, sizeof why)) {
        release_lock(d);
        err->code = CDN_RESULTDIR_ECREATE;
        snprintf(err->msg, sizeof err->msg,
                 "%.500s: exists and is not a results folder of cdnsim %.20s (%.300s); refusing to "
                 "replace it: remove it or choose another folder with -o",
                 d->target, d->command, why);
        return CDN_RESULTDIR_ECREATE;
    }
    return 0;
}

int cdn_resultdir_begin(cdn_resultdir_t *d, cdn_error_t *err)
{
    assert(resultdir_check(d, 0));
    snprintf(d->tmp, sizeof d->tmp, "%s/.%s.tmp-XXXXXX", d->parent, d->base);
    if (!mkdtemp(d->tmp)) {
        int e = errno;
        d->tmp[0] = '\0';
        return fail(err, CDN_RESULTDIR_ECREATE, "cannot create a temporary folder", d->parent, e);
    }
    chmod(d->tmp, 0755);
    pthread_once(&watch_once, start_watcher);
    watch(d->tmp);
    if (write_marker(d->tmp, d->command, 0) != 0) {
        int e = errno;
        char path[sizeof d->tmp + 64];
        snprintf(path, sizeof path, "%s/%s", d->tmp, CDN_RESULTDIR_MARKER);
        unlink(path); /* an empty folder is left: nothing of it is a result */
        rmdir(d->tmp);
        watch("");
        d->tmp[0] = '\0';
        return fail(err, CDN_EWRITE, "cannot write the marker", d->parent, e);
    }
    assert(resultdir_check(d, 1));
    return 0;
}

static int commit_locked(cdn_resultdir_t *d, cdn_error_t *err)
{
    char old[sizeof d->tmp] = "";
    if (write_marker(d->tmp, d->command, 1) != 0)
        return fail(err, CDN_EWRITE, "cannot write the marker", d->tmp, errno);
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
    watch_tmp[0] = '\0';
    if (old[0])
        remove_ours(old);
    return 0;
}

int cdn_resultdir_commit(cdn_resultdir_t *d, cdn_error_t *err)
{
    assert(resultdir_check(d, 1));
    pthread_mutex_lock(&watch_mu); /* a signal now waits until the rename is done */
    int rc = commit_locked(d, err);
    pthread_mutex_unlock(&watch_mu);
    if (rc == 0)
        release_lock(d);
    return rc;
}

void cdn_resultdir_abort(cdn_resultdir_t *d)
{
    pthread_mutex_lock(&watch_mu);
    if (d->tmp[0])
        remove_ours(d->tmp);
    d->tmp[0] = '\0';
    watch_tmp[0] = '\0';
    pthread_mutex_unlock(&watch_mu);
    release_lock(d);
}

int cdn_resultdir_note_files(const char *dir, const char *const *names, size_t n, cdn_error_t *err)
{
    cJSON *m = read_marker(dir);
    if (!m)
        return 0; /* not a marked folder: nothing to keep up to date */
    cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
    int rc = 0;
    if (!cJSON_IsArray(files)) {
        rc = -1;
        errno = EINVAL;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int exists;
        if (!listed(m, names[i]) && is_regular(dir, names[i], &exists))
            cJSON_AddItemToArray(files, cJSON_CreateString(names[i]));
    }
    if (rc == 0)
        rc = put_marker(dir, m);
    cJSON_Delete(m);
    if (rc != 0)
        return fail(err, CDN_EWRITE, "cannot update the marker", dir, errno);
    return 0;
}

int cdn_resultdir_lock(cdn_resultdir_t *d, const char *target, cdn_error_t *err)
{
    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
    if (target[0] == '\0' || strlen(target) >= CDN_RESULTDIR_PATH_MAX) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg, "folder name %s", target[0] ? "too long" : "empty");
        return CDN_EUSAGE;
    }
    snprintf(d->target, sizeof d->target, "%s", target);
    strip_slashes(d->target);
    split_path(d);
    return take_lock(d, err);
}

void cdn_resultdir_unlock(cdn_resultdir_t *d)
{
    release_lock(d);
}
