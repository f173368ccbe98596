/*
 * cdn_gnuplot.c -- gnuplot as a child process, and gnuplot quoting.
 *
 * Design
 *   fork, chdir into the results folder, exec gnuplot from PATH; the
 *   parent polls waitpid(WNOHANG) every 10 ms until gnuplot ends or the
 *   time limit (CDNSIM_GNUPLOT_TIMEOUT_S, default 120 s) passes, then kills
 *   it.  PATH is searched first so a machine without gnuplot is told apart
 *   from a failing script (returns 1, and the caller says how to draw
 *   later) without a failed exec.
 *
 *   Every script STEM.gp draws STEM.png and STEM.svg (cdn_gnuplot_put_
 *   outputs).  gnuplot exits 0 even when it could not write them (a full
 *   disk leaves a truncated PNG and an empty SVG), so after it ends each
 *   figure is checked: a PNG must end with its IEND chunk, an SVG with its
 *   closing </svg> tag.  When either fails the check, or gnuplot fails,
 *   both new figures are removed: a results folder holds whole figures or
 *   none, and the caller warns with the command that draws them later.
 *   Figures drawn over in place (`cdnsim plot`) are first set aside as
 *   .STEM.png.prev and put back when the new ones fail, so a failed
 *   redraw keeps the previous figures.
 *
 *   Messages name the script, not the folder: the folder is usually the
 *   temporary one that is renamed at the end, so the caller adds the name
 *   the user will see.
 *
 * Rejected alternatives
 *   - popen()/system(): go through a shell and would need the script name
 *     quoted for it.
 *   - alarm()/SIGALRM for the time limit: a process-wide timer that a
 *     threaded caller cannot own.
 *   - Trusting gnuplot's exit status: 0 after a failed write.
 */
#include "cdn_gnuplot.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cdn_resultdir.h"

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

/* "SCRIPT: WHY" into err; CDN_EIO. */
static int fail(cdn_error_t *err, const char *script, const char *why)
{
    if (err) {
        err->code = CDN_EIO;
        snprintf(err->msg, sizeof err->msg, "%.200s: %.700s", script, why);
    }
    return CDN_EIO;
}

/* The time limit in seconds: CDNSIM_GNUPLOT_TIMEOUT_S if set to a number
 * > 0, else CDN_GNUPLOT_TIMEOUT_S. */
static double time_limit_s(void)
{
    const char *v = getenv("CDNSIM_GNUPLOT_TIMEOUT_S");
    char *end = NULL;
    double t = v ? strtod(v, &end) : 0.0;
    return (v && end != v && *end == '\0' && t > 0.0 && t < 1e6) ? t : CDN_GNUPLOT_TIMEOUT_S;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Waits for gnuplot; 0 when it exited 0, else why not into why[n]. */
static int wait_for(pid_t pid, char *why, size_t n)
{
    double deadline = now_s() + time_limit_s();
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            snprintf(why, n, "cannot wait for gnuplot: %s", strerror(errno));
            return -1;
        }
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            snprintf(why, n, "gnuplot did not finish within %g s (CDNSIM_GNUPLOT_TIMEOUT_S)",
                     time_limit_s());
            return -1;
        }
        struct timespec step = {0, 10000000}; /* 10 ms */
        nanosleep(&step, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        snprintf(why, n, "gnuplot exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(why, n, "gnuplot was ended by signal %d", WTERMSIG(status));
    else
        snprintf(why, n, "gnuplot failed");
    return -1;
}

/* 1 if the last bytes of path, less trailing white space, end with
 * `tail` (tail_len bytes); 0 for a missing or empty file. */
static int ends_with(const char *path, const char *tail, size_t tail_len, int skip_space)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char buf[64];
    size_t got = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        long from = size > (long)sizeof buf ? size - (long)sizeof buf : 0;
        if (size > 0 && fseek(f, from, SEEK_SET) == 0)
            got = fread(buf, 1, sizeof buf, f);
    }
    fclose(f);
    while (skip_space && got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' ' ||
                                     buf[got - 1] == '\r' || buf[got - 1] == '\t'))
        got--;
    return got >= tail_len && memcmp(buf + got - tail_len, tail, tail_len) == 0;
}

/* Checks STEM.png and STEM.svg in dir; removes each that is not whole (or
 * every one, when `remove_all`).  0 when both are whole. */
static int check_figures(const char *dir, const char *script, int remove_all, char *why, size_t n)
{
    static const char png_end[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (char)0xAE, 0x42, 0x60,
                                   (char)0x82};
    size_t stem = strlen(script) > 3 && strcmp(script + strlen(script) - 3, ".gp") == 0
                      ? strlen(script) - 3
                      : strlen(script);
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        char path[4096];
        const char *ext = k == 0 ? "png" : "svg";
        if (snprintf(path, sizeof path, "%s/%.*s.%s", dir, (int)stem, script, ext) >=
            (int)sizeof path)
            continue;
        int whole = k == 0 ? ends_with(path, png_end, sizeof png_end, 0)
                           : ends_with(path, "</svg>", 6, 1);
        if (!whole && !bad)
            snprintf(why, n, "%.*s.%s is missing or incomplete (a full disk?)", (int)stem, script,
                     ext);
        if (!whole || remove_all)
            unlink(path);
        bad |= !whole;
    }
    return bad ? -1 : 0;
}

/* What to do with a script's previous figures (`cdnsim plot` draws over
 * them in place): set them aside as .STEM.png.prev, drop them, or put
 * them back. */
typedef enum { PREV_ASIDE, PREV_DROP, PREV_RESTORE } prev_op_t;

static void previous_figures(const char *dir, const char *script, prev_op_t op)
{
    size_t stem = strlen(script) > 3 ? strlen(script) - 3 : strlen(script);
    for (int k = 0; k < 2; k++) {
        char path[4096], prev[4200];
        const char *ext = k == 0 ? "png" : "svg";
        if (snprintf(path, sizeof path, "%s/%.*s.%s", dir, (int)stem, script, ext) >=
            (int)sizeof path)
            continue;
        snprintf(prev, sizeof prev, "%s/.%.*s.%s.prev", dir, (int)stem, script, ext);
        if (op == PREV_ASIDE)
            rename(path, prev); /* fails harmlessly when there is none */
        else if (op == PREV_DROP)
            unlink(prev);
        else
            rename(prev, path);
    }
}

int cdn_gnuplot_run(const char *dir, const char *script, cdn_error_t *err)
{
    if (!gnuplot_on_path())
        return 1;
    fflush(NULL);
    previous_figures(dir, script, PREV_ASIDE);
    pid_t pid = fork();
    if (pid < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot start gnuplot: %s", strerror(errno));
        previous_figures(dir, script, PREV_RESTORE);
        return fail(err, script, why);
    }
    if (pid == 0) {
        cdn_resultdir_child_signals(); /* not immune to Ctrl-C like its parent */
        if (chdir(dir) != 0)
            _exit(127);
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    cdn_resultdir_watch_child(pid); /* a signal to cdnsim ends gnuplot too */
    char why[256];
    int waited = wait_for(pid, why, sizeof why);
    cdn_resultdir_watch_child(0);
    if (waited == 0 && check_figures(dir, script, 0, why, sizeof why) == 0) {
        previous_figures(dir, script, PREV_DROP);
        return 0;
    }
    char unused[256]; /* neither new figure is kept: the previous pair comes back */
    check_figures(dir, script, 1, unused, sizeof unused);
    previous_figures(dir, script, PREV_RESTORE);
    return fail(err, script, why);
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

/* The x axis of a figure over sim time: T0 (the start, seconds since
 * 1970, gnuplot's time origin) and D (the span, s) as gnuplot variables,
 * so a script plots x = T0 + t_s; clock ticks for a span of up to a day
 * and a half, date and clock beyond, in XFORMAT (for a panel that turns
 * its tick labels off and another that turns them back on). */
void cdn_gnuplot_put_time_axis(FILE *f, int64_t epoch0_s, double span_s)
{
    fprintf(f,
            "T0 = %lld.0\n"
            "D = %.17g\n"
            "set xdata time\n"
            "set timefmt '%%s'\n"
            "XFORMAT = \"%s\"\n"
            "set format x XFORMAT\n"
            "set xrange [T0:T0 + D]\n",
            (long long)epoch0_s, span_s, span_s <= 36 * 3600.0 ? "%H:%M" : "%d %b\\n%H:%M");
}
