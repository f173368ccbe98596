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
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cdn_resultdir.h"
#include "sim_alloc.h"

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

/* ---- axes and operator-action marks shared by the figures
 *
 * Axis ends are computed here from the data, once, and written into the
 * scripts as numbers: a user who edits a script sees and can change them,
 * and the choice is testable without gnuplot.  Time tics are explicit
 * lists so that a tic's label can carry the date only where the day
 * changes (gnuplot's time format applies one format to every tic).
 * Label placement estimates text widths from the character count (the
 * caller's pixels per character); a conservative estimate only costs a
 * row more. */

/* The first of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above v > 0. */
static double nice_ceil(double v)
{
    static const double steps[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    double p = pow(10.0, floor(log10(v)));
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        if (steps[k] * p >= v * (1.0 - 1e-12))
            return steps[k] * p;
    return 10.0 * p;
}

double cdn_gnuplot_fit_upper(double peak, double full, double min_upper)
{
    if (full > 0 && peak > 0.5 * full)
        return 1.05 * full;
    double v = peak > 0 && isfinite(peak) ? nice_ceil(1.1 * peak) : 0.0;
    return v > min_upper ? v : min_upper;
}

double cdn_gnuplot_fit_lower(double low, double full, double min_drop)
{
    double drop = full - low;
    if (!(drop <= 0.5 * full))
        return 0.0;
    return full - cdn_gnuplot_fit_upper(drop, 0.0, min_drop);
}

double cdn_gnuplot_time_step(double span_s)
{
    static const double steps[] = {60,    120,   300,   600,   900,    1800,   3600,
                                   7200,  10800, 21600, 43200, 86400, 172800, 604800};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        if (span_s / steps[k] <= 10.0)
            return steps[k];
    return 604800.0 * ceil(span_s / 604800.0 / 10.0);
}

void cdn_gnuplot_put_time_tics(FILE *f, const cdn_scenario_t *s, double span_s, int labels)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    double step = cdn_gnuplot_time_step(span_s);
    double t0 = (double)s->sim.start_epoch_s;
    double first = ceil(t0 / step) * step - t0; /* offset of the first UTC-aligned tic */
    char prev_day[16] = "";
    fputs("set xtics (", f);
    for (double t = first; t <= span_s + 1e-6; t += step) {
        char utc[32];
        cdn_scenario_utc(s, t, utc, sizeof utc); /* YYYY-MM-DDTHH:MM:SSZ */
        fputs(t > first ? ", " : "", f);
        if (!labels) {
            fprintf(f, "\"\" %.0f", t0 + t);
            continue;
        }
        int new_day = strncmp(prev_day, utc, 10) != 0;
        int month = atoi(utc + 5);
        if (new_day && span_s > 86400.0 && month >= 1 && month <= 12)
            fprintf(f, "\"%.5s\\n%d %s\" %.0f", utc + 11, atoi(utc + 8), months[month - 1], t0 + t);
        else
            fprintf(f, "\"%.5s\" %.0f", utc + 11, t0 + t);
        snprintf(prev_day, sizeof prev_day, "%.10s", utc);
    }
    fputs(")\n", f);
}

/* 1 if [a0,a1] and [b0,b1] overlap with less than gap between them. */
static int overlaps(double a0, double a1, double b0, double b1, double gap)
{
    return a0 < b1 + gap && b0 < a1 + gap;
}

/* The extent of mark m's label when aligned at its right (right) or left. */
static void extent(const cdn_gnuplot_mark_t *m, int right, double *x0, double *x1)
{
    const double pad = 4.0; /* pixels between the mark and its label */
    *x0 = right ? m->x_px - pad - m->w_px : m->x_px + pad;
    *x1 = right ? m->x_px - pad : m->x_px + pad + m->w_px;
}

/* 1 if mark j's label fits in row r with alignment `right` beside the
 * labels placed so far (row >= 0); strict: no line passes behind a label
 * either. */
static int fits(const cdn_gnuplot_mark_t *m, size_t n, size_t j, int r, int right, double gap,
                int strict)
{
    double x0, x1;
    extent(&m[j], right, &x0, &x1);
    for (size_t i = 0; i < n; i++) {
        if (i == j || m[i].row < 0)
            continue;
        double y0, y1;
        extent(&m[i], m[i].right, &y0, &y1);
        if (m[i].row == r && overlaps(x0, x1, y0, y1, gap))
            return 0;
        if (!strict)
            continue;
        if (m[i].row < r && m[j].x_px >= y0 - 1 && m[j].x_px <= y1 + 1)
            return 0; /* j's line would pass behind i's label */
        if (m[i].row > r && m[i].x_px >= x0 - 1 && m[i].x_px <= x1 + 1)
            return 0; /* i's line would pass behind j's label */
    }
    return 1;
}

/* Places mark j in the lowest row (strict rows first); 1 if only a loose
 * row was found. */
static int place(cdn_gnuplot_mark_t *m, size_t n, size_t j, int *rows, double left_px,
                 double right_px, double gap_px)
{
    double x0, x1;
    extent(&m[j], 0, &x0, &x1);
    int right = x1 > right_px; /* ending at its mark reads less well: only at the edge */
    (void)left_px;
    for (int strict = 1; strict >= 0; strict--)
        for (int r = 0; r <= *rows; r++)
            if (fits(m, n, j, r, right, gap_px, strict)) {
                m[j].row = r;
                m[j].right = right;
                *rows = r + 1 > *rows ? r + 1 : *rows;
                return !strict;
            }
    m[j].row = *rows; /* not reached: row *rows is empty */
    m[j].right = right;
    return 1;
}

/* Places every mark, latest first when `reverse`; the number placed
 * loosely (a line behind a label) times n + 1, plus the rows: lower is
 * better. */
static size_t place_all(cdn_gnuplot_mark_t *m, size_t n, int reverse, int *rows, double left_px,
                        double right_px, double gap_px)
{
    size_t loose = 0;
    *rows = 0;
    for (size_t i = 0; i < n; i++)
        m[i].row = -1;
    for (size_t k = 0; k < n; k++)
        loose += (size_t)place(m, n, reverse ? n - 1 - k : k, rows, left_px, right_px, gap_px);
    return loose * (n + 1) + (size_t)*rows;
}

int cdn_gnuplot_stagger(cdn_gnuplot_mark_t *m, size_t n, double left_px, double right_px,
                        double gap_px)
{
    int rows = 0;
    if (n == 0)
        return 0;
    size_t fwd = place_all(m, n, 0, &rows, left_px, right_px, gap_px);
    int rev_rows = 0;
    cdn_gnuplot_mark_t *alt = sim_xmalloc(n * sizeof *alt);
    memcpy(alt, m, n * sizeof *alt);
    size_t rev = place_all(alt, n, 1, &rev_rows, left_px, right_px, gap_px);
    if (rev < fwd) {
        memcpy(m, alt, n * sizeof *alt);
        rows = rev_rows;
    }
    free(alt);
    return rows;
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
