/*
 * cdn_gnuplot.c -- gnuplot as a child process, and gnuplot quoting.
 *
 * Design
 *   fork, chdir into the results folder, exec gnuplot from PATH; the
 *   parent waits (retrying on EINTR).  PATH is searched first so a machine
 *   without gnuplot is told apart from a failing script (returns 1, and the
 *   caller says how to draw later) without a failed exec.  Rejected:
 *   popen()/system(), which go through a shell and would need the script
 *   name quoted for it.
 */
#include "cdn_gnuplot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void cdn_gnuplot_put_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            fputc('\'', f);
        if (*p != '\n')
            fputc(*p, f);
    }
    fputc('\'', f);
}

static int gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    const char *p = path;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char buf[4096];
        if (n > 0 && n + 9 < sizeof buf) {
            memcpy(buf, p, n);
            memcpy(buf + n, "/gnuplot", 9);
            if (access(buf, X_OK) == 0)
                return 1;
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    return 0;
}

int cdn_gnuplot_run(const char *dir, const char *script, cdn_error_t *err)
{
    if (!gnuplot_on_path())
        return 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        if (err) {
            err->code = CDN_EIO;
            snprintf(err->msg, sizeof err->msg, "cannot start gnuplot: %s", strerror(errno));
        }
        return CDN_EIO;
    }
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    if (status != 0) {
        if (err) {
            err->code = CDN_EIO;
            snprintf(err->msg, sizeof err->msg, "%s/%s: gnuplot failed (status %d)", dir, script,
                     status);
        }
        return CDN_EIO;
    }
    return 0;
}

void cdn_gnuplot_put_outputs(FILE *f, const char *stem, int w, int h)
{
    fprintf(f,
            "do for [out = 1:2] {\n"
            "  if (out == 1) {\n"
            "    set terminal pngcairo size %d,%d font 'sans,11'\n"
            "    set output '%s.png'\n"
            "  } else {\n"
            "    set terminal svg size %d,%d font 'sans,11' dynamic\n"
            "    set output '%s.svg'\n"
            "  }\n"
            "  set termoption noenhanced\n",
            w, h, stem, w, h, stem);
}
