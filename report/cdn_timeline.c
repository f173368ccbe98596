/*
 * cdn_timeline.c -- timeline.csv's columns and rows, the operator-action
 * marks, and the script timeline.gp.
 *
 * Design
 *   The figure is one canvas of stacked panels sharing a time axis, laid
 *   out in pixels here and written as screen fractions (multiplot with
 *   explicit margins), because the label rows of the marks strip, the
 *   legend column and the panel heights depend on the data:
 *
 *     title
 *     strip of operator actions: labels in rows (cdn_gnuplot_stagger), a
 *       line from each label down through every panel
 *     requests: 5xx, blocked, failover (% of requests)
 *     latency of answered requests (s)
 *     servers and sites (% of each)
 *     services' availability (%), when the scenario has services
 *     time axis (UTC; the date under the tic where a day begins)
 *
 *   Legends sit in a column right of the data area, one per panel, so no
 *   legend can hide data.  Series that can coincide (servers holding a bad
 *   artifact / failing / out of service; two services failing together)
 *   differ by width and dash pattern: the first is drawn wide and light,
 *   the next ones narrower and dashed on top, so a coinciding pair shows as
 *   a dashed line inside a band.  y ranges fit the data
 *   (cdn_gnuplot_fit_upper/lower), with a light 100 % line when the full
 *   scale is shown.  Rows are averages over the bin starting at their
 *   time, so curves are steps.  x is epoch seconds (T0 + t_s), so tics and
 *   marks are plain numbers.  Both figures (PNG, SVG) come from one loop
 *   with the same size, fonts and styles (cdn_gnuplot_put_outputs).
 *
 *   Widths of text are estimated from character counts (7 px per
 *   character at 9 pt, 7.5 at 10 pt: measured on pngcairo's sans with
 *   margin), so layout needs no font metrics.
 *
 * Rejected alternatives
 *   - `set multiplot layout N,1`: equal panel heights and margins that
 *     move with tic label widths; the strip and the legend column need
 *     fixed edges.
 *   - Legends inside the panels ("box opaque"): they hid data.
 *   - Vertical mark labels inside the top panel: they sat on the data and
 *     on each other and were cut at the edges.
 */
#include "cdn_timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_gnuplot.h"
#include "cdn_summary.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

#define TL_X_NAME(e, s) s,
static const char *const tl_names[] = {CDN_TL_COLUMN_MAP(TL_X_NAME)};
#undef TL_X_NAME

const char *cdn_timeline_col_name(int c)
{
    return c >= 0 && c < CDN_TL_COUNT ? tl_names[c] : "";
}

int cdn_timeline_col(int c)
{
    return c + 3; /* after t_s and utc, 1-based */
}

static double ratio(double num, double den)
{
    return den > 0 ? num / den : 0.0;
}

void cdn_timeline_row(const cdn_scenario_t *s, const cdn_result_t *r, size_t b,
                      double v[CDN_TL_COUNT])
{
    double len = cdn_summary_bin_len(s, r, b), nserv = (double)r->servers_total;
    double nsites = (double)r->sites_total;
    double off = cdn_result_global(r, CDN_RS_OFFERED, b);
    double err = cdn_result_global(r, CDN_RS_ERR5XX, b);
    double blk = cdn_result_global(r, CDN_RS_BLOCKED, b);
    double fo = cdn_result_global(r, CDN_RS_FAILOVER, b);
    v[CDN_TL_OFFERED_RPS] = off / len;
    v[CDN_TL_OK_RPS] = cdn_result_global(r, CDN_RS_OK, b) / len;
    v[CDN_TL_ERR5XX_RPS] = err / len;
    v[CDN_TL_BLOCKED_RPS] = blk / len;
    v[CDN_TL_FAILOVER_RPS] = fo / len;
    v[CDN_TL_ERR5XX_FRAC] = ratio(err, off);
    v[CDN_TL_BLOCKED_FRAC] = ratio(blk, off);
    v[CDN_TL_FAILOVER_FRAC] = ratio(fo, off);
    v[CDN_TL_SERVERS_BAD_FRAC] = ratio(cdn_result_global(r, CDN_RS_SERVERS_BAD, b), len * nserv);
    v[CDN_TL_SERVERS_FAILING_FRAC] =
        ratio(cdn_result_global(r, CDN_RS_SERVERS_FAILING, b), len * nserv);
    v[CDN_TL_SERVERS_RESTARTING_FRAC] =
        ratio(cdn_result_global(r, CDN_RS_SERVERS_RESTARTING, b), len * nserv);
    v[CDN_TL_SITES_DOWN_FRAC] = ratio(r->sites_down[b], len * nsites);
    v[CDN_TL_SITES_FAILED_OVER_FRAC] = ratio(r->sites_failover[b], len * nsites);
    v[CDN_TL_SERVERS_OUT_FRAC] = ratio(cdn_result_global(r, CDN_RS_SERVERS_OUT, b), len * nserv);
    double ok = cdn_result_global(r, CDN_RS_OK, b); /* no latency while nothing is served */
    v[CDN_TL_LATENCY_MS] = ok > 0 ? cdn_result_global(r, CDN_RS_LATENCY_X_OK, b) / ok : NAN;
}

/* ------------------------------------------------------------ marks */

#define MARK_PX_PER_CHAR 7.0 /* label font ',9' */

static int is_mark(const cdn_event_rec_t *e)
{
    return e->kind == CDN_EV_OPERATOR_ACTION || e->kind == CDN_EV_DETECTED ||
           e->kind == CDN_EV_DIAGNOSED;
}

static const char *mark_label(const cdn_scenario_t *s, const cdn_event_rec_t *e)
{
    if (e->kind == CDN_EV_OPERATOR_ACTION)
        return s->actions[e->action].label;
    return e->kind == CDN_EV_DETECTED ? "alert fires" : "cause diagnosed";
}

/* Cuts label to at most max_chars characters, ending in "...". */
static void cut_label(char *label, size_t max_chars)
{
    if (max_chars < 4)
        max_chars = 4;
    if (strlen(label) > max_chars) {
        size_t k = max_chars - 3;
        while (k > 0 && ((unsigned char)label[k] & 0xC0) == 0x80)
            k--; /* not inside a UTF-8 sequence */
        memcpy(label + k, "...", 4);
    }
}

cdn_timeline_marks_t *cdn_timeline_marks_create(const cdn_scenario_t *s, const cdn_result_t *r,
                                                double left_px, double right_px)
{
    cdn_timeline_marks_t *m = sim_xcalloc(1, sizeof *m);
    m->mark = sim_xcalloc(r->nevents + 1, sizeof *m->mark);
    double span = s->sim.duration_s > 0 ? s->sim.duration_s : 1.0;
    size_t max_chars = (size_t)((right_px - left_px) / 2.0 / MARK_PX_PER_CHAR) - 1;
    for (size_t k = 0; k < r->nevents;) {
        if (!is_mark(&r->events[k])) {
            k++;
            continue;
        }
        double t = r->events[k].t_s;
        if (t > s->sim.duration_s)
            break; /* events are in time order; the figure ends at the duration */
        cdn_timeline_mark_t *mk = &m->mark[m->n++];
        size_t used = 0;
        mk->t_s = t;
        for (; k < r->nevents && r->events[k].t_s == t; k++) {
            if (!is_mark(&r->events[k]))
                continue;
            int n = snprintf(mk->label + used, sizeof mk->label - used, "%s%s",
                             used ? " / " : "", mark_label(s, &r->events[k]));
            used = n > 0 && (size_t)n < sizeof mk->label - used ? used + (size_t)n
                                                                 : sizeof mk->label - 1;
        }
        cut_label(mk->label, max_chars);
    }
    cdn_gnuplot_mark_t *g = sim_xcalloc(m->n + 1, sizeof *g);
    for (size_t i = 0; i < m->n; i++) {
        g[i].x_px = left_px + (right_px - left_px) * m->mark[i].t_s / span;
        g[i].w_px = MARK_PX_PER_CHAR * (double)strlen(m->mark[i].label);
    }
    m->rows = cdn_gnuplot_stagger(g, m->n, left_px, right_px, 10.0);
    for (size_t i = 0; i < m->n; i++) {
        m->mark[i].row = g[i].row;
        m->mark[i].right = g[i].right;
    }
    free(g);
    return m;
}

void cdn_timeline_marks_destroy(cdn_timeline_marks_t *m)
{
    if (!m)
        return;
    free(m->mark);
    free(m);
}

void cdn_timeline_marks_put_strip(FILE *f, const cdn_timeline_marks_t *m, double top, double bottom)
{
    if (m->rows == 0)
        return;
    fprintf(f,
            "  # operator actions: labels in rows, each with a line down to the panels\n"
            "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n"
            "  unset border\n  unset xtics\n  unset ytics\n  unset ylabel\n  unset xlabel\n"
            "  unset grid\n  set yrange [0:%d]\n"
            "  set style textbox opaque noborder margins 1,0\n",
            top, bottom, m->rows);
    for (size_t i = 0; i < m->n; i++) {
        const cdn_timeline_mark_t *k = &m->mark[i];
        fprintf(f,
                "  set arrow %zu from T0+%.0f, 0 to T0+%.0f, %.2f nohead dt 3 lw 1 lc rgb "
                "MARK_COLOR\n",
                i + 1, k->t_s, k->t_s, k->row + 0.5);
        fprintf(f, "  set label %zu ", i + 1);
        cdn_gnuplot_put_string(f, k->label);
        fprintf(f, " at T0+%.0f, %.2f %s offset character %s,0 font ',9' tc rgb '#222222' boxed\n",
                k->t_s, k->row + 0.5, k->right ? "right" : "left", k->right ? "-0.5" : "0.5");
    }
    fputs("  plot NaN notitle\n  unset label\n  unset arrow\n  set border\n  set ytics\n"
          "  set grid\n",
          f);
}

void cdn_timeline_marks_put_lines(FILE *f, const cdn_timeline_marks_t *m, int front)
{
    for (size_t i = 0; i < m->n; i++)
        fprintf(f,
                "  set arrow %zu from T0+%.0f, graph 0 to T0+%.0f, graph 1 nohead dt 3 lw 1 "
                "lc rgb MARK_COLOR %s\n",
                i + 1, m->mark[i].t_s, m->mark[i].t_s, front ? "front" : "back");
}

/* ------------------------------------------------------------ the script */

/* One curve: a timeline column, drawn as a percentage unless `expr` (a
 * gnuplot expression for y) is given. */
typedef struct {
    int col;
    const char *title;
    const char *color;
    double lw;
    const char *dt; /* gnuplot dash type */
    const char *expr;
} series_t;

/* Panel geometry in pixels from the top of the canvas. */
typedef struct {
    int w_px, h_px;
    double left_px, right_px;
} canvas_t;

/* Width of the legend column: the longest title at 7.5 px per character
 * (measured 6.3 on pngcairo's sans at 10 pt) and the line sample. */
#define KEY_PX_PER_CHAR 6.8
#define KEY_SAMPLE_PX 70.0

static double frac_y(const canvas_t *c, double px_from_top)
{
    return 1.0 - px_from_top / c->h_px;
}

/* Data extremes used for the axes. */
typedef struct {
    double peak[CDN_TL_COUNT]; /* max over bins */
    double latency_peak_ms;    /* over bins with answered requests */
    double svc_low;            /* lowest availability of any service, 0..1 */
} peaks_t;

static void find_peaks(const cdn_scenario_t *s, const cdn_result_t *r, peaks_t *p)
{
    memset(p, 0, sizeof *p);
    p->svc_low = 1.0;
    for (size_t b = 0; b < r->nbins; b++) {
        double v[CDN_TL_COUNT];
        cdn_timeline_row(s, r, b, v);
        for (int c = 0; c < CDN_TL_COUNT; c++)
            p->peak[c] = fmax(p->peak[c], v[c]);
        if (v[CDN_TL_OK_RPS] > 0)
            p->latency_peak_ms = fmax(p->latency_peak_ms, v[CDN_TL_LATENCY_MS]);
        for (size_t k = 0; k < s->nservices; k++)
            p->svc_low = fmin(p->svc_low, r->svc_avail[k * r->nbins + b] /
                                              cdn_summary_bin_len(s, r, b));
    }
}

/* A y tic step of 1, 2, 2.5 or 5 x 10^k for about one tic per 50 px. */
static double tic_step(double range, double h_px)
{
    static const double steps[] = {1, 2, 2.5, 5, 10};
    double want = range / fmax(2.0, h_px / 50.0), p = pow(10.0, floor(log10(want)));
    double best = p;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        if (fabs(log(steps[k] * p / want)) < fabs(log(best / want)))
            best = steps[k] * p;
    return best;
}

/* Sets the margins, legend, y axis and marks of one panel, top_px to
 * top_px + h_px; `last`: the panel that shows the time labels. */
static void panel_frame(FILE *f, const cdn_scenario_t *s, const canvas_t *c,
                        const cdn_timeline_marks_t *m, double top_px, double h_px,
                        const char *ylabel, double y0, double y1, int last)
{
    fprintf(f, "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n",
            frac_y(c, top_px), frac_y(c, top_px + h_px));
    fprintf(f, "  set key at screen %.4f, %.4f left top Left reverse samplen 4 font ',10'\n",
            (c->right_px + 14.0) / c->w_px, frac_y(c, top_px));
    fprintf(f, "  set ylabel '%s'\n  set yrange [%g:%g]\n  set ytics %g\n", ylabel, y0, y1,
            tic_step(y1 - y0, h_px));
    fputs("  ", f);
    cdn_gnuplot_put_time_tics(f, s, s->sim.duration_s, last);
    if (!last)
        fputs("  unset xlabel\n", f);
    else /* below the second line of tic labels when they carry dates */
        fprintf(f, "  set xlabel 'time (UTC)' offset 0,%s\n", s->sim.duration_s > 86400.0 ? "-0.8" : "0");
    fputs("  unset arrow\n", f);
    if (y1 > 100.0) /* the full scale: a light line at 100 % */
        fputs("  set arrow 999 from graph 0, first 100 to graph 1, first 100 nohead lw 1.5 "
              "lc rgb '#bbbbbb' back\n",
              f);
    cdn_timeline_marks_put_lines(f, m, 0);
}

/* plot command of the curves in[0..n-1]; `none` appends "(none)" to the
 * title of a curve that is 0 throughout. */
static void panel_plot(FILE *f, const series_t *in, size_t n, const peaks_t *p)
{
    fputs("  plot ", f);
    for (size_t i = 0; i < n; i++) {
        char title[CDN_NAME_MAX + 64];
        snprintf(title, sizeof title, "%s%s", in[i].title,
                 in[i].col >= 0 && p->peak[in[i].col] <= 0 ? " (none)" : "");
        fprintf(f, "%s'timeline.csv' every ::1 using (T0+$1):", i ? ", \\\n       " : "");
        if (in[i].expr)
            fprintf(f, "(%s)", in[i].expr);
        else
            fprintf(f, "($%d*100)", cdn_timeline_col(in[i].col));
        fprintf(f, " with steps lw %.1f dt %s lc rgb '%s' title ", in[i].lw, in[i].dt, in[i].color);
        cdn_gnuplot_put_string(f, title);
    }
    fputc('\n', f);
}

static const series_t requests[] = {
    {CDN_TL_ERR5XX_FRAC, "HTTP 5xx", "#c0392b", 2.5, "1", NULL},
    {CDN_TL_BLOCKED_FRAC, "blocked as bots (false positives)", "#8e44ad", 2.0, "(6,3)", NULL},
    {CDN_TL_FAILOVER_FRAC, "served by a second CDN (failover)", "#1e8449", 2.0, "(2,2)", NULL},
};
static const series_t fleet[] = {
    {CDN_TL_SERVERS_BAD_FRAC, "servers holding a bad artifact", "#f5b041", 7.0, "1", NULL},
    {CDN_TL_SERVERS_FAILING_FRAC, "servers with a failing proxy", "#c0392b", 2.5, "1", NULL},
    {CDN_TL_SERVERS_OUT_FRAC, "servers out of service", "#111111", 2.0, "(7,4)", NULL},
    {CDN_TL_SERVERS_RESTARTING_FRAC, "servers restarting", "#2471a3", 2.0, "(2,3)", NULL},
    {CDN_TL_SITES_DOWN_FRAC, "dependent sites down", "#6c3483", 2.0, "(12,4,2,4)", NULL},
    {CDN_TL_SITES_FAILED_OVER_FRAC, "sites failed over", "#1e8449", 2.0, "(3,6)", NULL},
};
#define NSERIES(a) (sizeof(a) / sizeof((a)[0]))

/* Styles of the services' curves, in turn (the first wide and light). */
static const struct {
    const char *color;
    double lw;
    const char *dt;
} svc_style[] = {{"#85c1e9", 7.0, "1"},     {"#d35400", 2.5, "1"},  {"#111111", 2.0, "(7,4)"},
                 {"#8e44ad", 2.5, "(2,3)"}, {"#1e8449", 2.0, "(12,4,2,4)"},
                 {"#b7950b", 2.0, "(3,6)"}};
#define NSVC_STYLES (sizeof svc_style / sizeof svc_style[0])

static void services_plot(FILE *f, const cdn_scenario_t *s)
{
    fputs("  plot ", f);
    for (size_t k = 0; k < s->nservices; k++) {
        size_t st = k % NSVC_STYLES;
        fprintf(f,
                "%s'timeline.csv' every ::1 using (T0+$1):($%zu*100) with steps lw %.1f dt %s "
                "lc rgb '%s' title ",
                k ? ", \\\n       " : "", (size_t)cdn_timeline_col(CDN_TL_COUNT) + k,
                svc_style[st].lw, svc_style[st].dt, svc_style[st].color);
        cdn_gnuplot_put_string(f, s->services[k].name);
    }
    fputc('\n', f);
}

/* Pixel layout: the data area's right edge leaves room for the longest
 * legend title. */
static void layout(const cdn_scenario_t *s, canvas_t *c)
{
    size_t longest = strlen("served by a second CDN (failover) (none)");
    for (size_t k = 0; k < s->nservices; k++)
        if (strlen(s->services[k].name) > longest)
            longest = strlen(s->services[k].name);
    if (longest > 48)
        longest = 48; /* a longer service name runs off the canvas: it has no data under it */
    c->w_px = 1500;
    c->left_px = 80.0;
    c->right_px = c->w_px - 24.0 - KEY_SAMPLE_PX - KEY_PX_PER_CHAR * (double)longest;
}

/* Panel heights, pixels. */
#define TITLE_PX 40.0
#define GAP_PX 14.0
#define REQ_PX 260.0
#define LAT_PX 130.0
#define FLEET_PX 250.0
#define SVC_PX 200.0
#define BOTTOM_PX 70.0

static void write_header(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r, const canvas_t *c)
{
    fprintf(f, "# cdnsim %s: outage timeline of scenario '%s' (seed %llu).\n", CDNSIM_VERSION,
            s->name, (unsigned long long)r->seed);
    fputs("# Draw it from inside this folder with:  gnuplot timeline.gp\n"
          "# Writes timeline.png and timeline.svg from timeline.csv.  x is in epoch\n"
          "# seconds (T0 is the scenario's start); y ranges fit this run's data.\n"
          "set datafile separator ','\n",
          f);
    fprintf(f, "T0 = %lld\nMARK_COLOR = '#777777'\n", (long long)s->sim.start_epoch_s);
    fprintf(f, "set xrange [T0:T0+%.0f]\n", s->sim.duration_s);
    fputs("set grid lc rgb '#dddddd'\nset lmargin at screen ", f);
    fprintf(f, "%.4f\nset rmargin at screen %.4f\n", c->left_px / c->w_px, c->right_px / c->w_px);
    fputs("set mxtics 1\nset border lw 1\n", f);
}

void cdn_timeline_write_gp(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r)
{
    canvas_t c;
    peaks_t p;
    layout(s, &c);
    find_peaks(s, r, &p);
    cdn_timeline_marks_t *m = cdn_timeline_marks_create(s, r, c.left_px, c.right_px);
    double strip = CDN_TIMELINE_STRIP_PX(m->rows);
    double h = TITLE_PX + strip + REQ_PX + LAT_PX + FLEET_PX + 3 * GAP_PX + BOTTOM_PX;
    if (s->nservices > 0)
        h += SVC_PX + GAP_PX;
    c.h_px = (int)h;
    write_header(f, s, r, &c);
    cdn_gnuplot_put_outputs(f, "timeline", c.w_px, c.h_px);
    char title[512];
    snprintf(title, sizeof title, "cdnsim: %s (seed %llu)", s->name, (unsigned long long)r->seed);
    fputs("  set multiplot title ", f);
    cdn_gnuplot_put_string(f, title);
    fputs(" font ',13'\n", f);
    double y = TITLE_PX;
    cdn_timeline_marks_put_strip(f, m, frac_y(&c, y), frac_y(&c, y + strip));
    y += strip;

    double up = cdn_gnuplot_fit_upper(100.0 * fmax(p.peak[CDN_TL_ERR5XX_FRAC],
                                                   fmax(p.peak[CDN_TL_BLOCKED_FRAC],
                                                        p.peak[CDN_TL_FAILOVER_FRAC])),
                                      100.0, 1.0);
    fputs("  # requests: shares of the offered requests\n", f);
    panel_frame(f, s, &c, m, y, REQ_PX, "share of requests (%)", 0, up, 0);
    panel_plot(f, requests, NSERIES(requests), &p);
    y += REQ_PX + GAP_PX;

    fputs("  # mean latency of the requests answered (no value while none is)\n", f);
    panel_frame(f, s, &c, m, y, LAT_PX, "latency (s)", 0,
                cdn_gnuplot_fit_upper(p.latency_peak_ms / 1000.0, 0.0, 0.1), 0);
    {
        char expr[96];
        /* column(), not $N: gnuplot skips a row whose $N field is empty
         * (latency_ms while nothing is served) and would join the line
         * across it; column() makes it an undefined point, a gap */
        snprintf(expr, sizeof expr, "$%d > 0 ? column(%d)/1000 : NaN",
                 cdn_timeline_col(CDN_TL_OK_RPS), cdn_timeline_col(CDN_TL_LATENCY_MS));
        const series_t lat = {CDN_TL_LATENCY_MS, "latency of answered requests", "#2471a3",
                              2.0, "1", expr};
        panel_plot(f, &lat, 1, &p);
    }
    y += LAT_PX + GAP_PX;

    double fleet_peak = 0;
    for (size_t i = 0; i < NSERIES(fleet); i++)
        fleet_peak = fmax(fleet_peak, 100.0 * p.peak[fleet[i].col]);
    fputs("  # servers (% of the fleet) and dependent sites (% of the sites)\n", f);
    panel_frame(f, s, &c, m, y, FLEET_PX, "servers, sites (%)", 0,
                cdn_gnuplot_fit_upper(fleet_peak, 100.0, 1.0), s->nservices == 0);
    panel_plot(f, fleet, NSERIES(fleet), &p);
    y += FLEET_PX + GAP_PX;

    if (s->nservices > 0) {
        double lo = cdn_gnuplot_fit_lower(100.0 * p.svc_low, 100.0, 1.0);
        fputs("  # internal services: availability\n", f);
        panel_frame(f, s, &c, m, y, SVC_PX, "services available (%)", lo,
                    100.0 + 0.05 * (100.0 - lo), 1);
        services_plot(f, s);
    }
    fputs("  unset multiplot\n  set output\n}\n", f);
    cdn_timeline_marks_destroy(m);
}
