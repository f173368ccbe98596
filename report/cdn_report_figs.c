/*
 * cdn_report_figs.c -- the gnuplot scripts of a `compare` folder:
 * compare_timeline.gp (small multiples of the 5xx share over time, one
 * panel per strategy) and compare_metrics.gp (one panel per metric,
 * horizontal bars with 95 % intervals).
 *
 * Design
 *   Small multiples, not one panel: nine translucent bands on one axis
 *   blend into one mass.  Each strategy gets its own panel, in rank
 *   order, on one shared y range (so panels compare by eye), with its
 *   5-95 % band and median, the reference's median dashed for contrast,
 *   and its falsely blocked share dotted when anything in the study is
 *   blocked (no empty blocked-requests panel).  Bins are drawn as steps
 *   (bands as one rectangle per bin, boxxyerror; medians `with steps`) so
 *   a change shows in the bin where it happens, not a bin early.
 *
 *   Action marks: the operator actions of each strategy's scenario, as
 *   dotted lines numbered at the top of its panel; an action triggered by
 *   detection or diagnosis sits at the median over the replications of
 *   that time plus its delay (left out when it ran in under half of them).
 *   Numbers are shared by label across panels and listed under the
 *   figure; marks closer than 1 % of the span share one number list, and
 *   nearby ones are staggered in height so labels do not overlap.
 *
 *   compare_metrics: strategy names once, horizontal, on the left of each
 *   row of panels (bars run left to right, rank 1 on top); a metric with
 *   no value for a strategy (an alert that never fired) reads "n/a" where
 *   its bar would start, so it cannot be taken for 0, and an exact 0
 *   reads "0".  A metric that is 0 (or missing) for every strategy gets
 *   no panel, only a mention under the figure: no empty panels.  The panels have
 *   fixed margins (multiplot `margins`/`spacing`) so they line up.
 *   compare_timeline places its panels itself (screen margins) under a
 *   legend that is a plot of key entries only, across the figure.
 *
 *   The scripts read timeline_quantiles.csv and comparison.csv; rows are
 *   picked with `every` (the header is point 0).  A strategy has the same
 *   colour in both figures: the colour of its rank; the reference is dark
 *   grey.
 */
#include "cdn_report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_gnuplot.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

static const char *const COLORS[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                     "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                     "#7f7f7f", "#bcbd22"};
#define NCOLORS (sizeof COLORS / sizeof COLORS[0])
#define REF_COLOR "#333333"

#define TL_W 1500         /* compare_timeline width, px */
#define TL_PANEL_PX 260.0 /* height of one row of panels, px */
#define TL_HEAD_PX 76.0   /* title and legend, px */
#define TL_LEFT_PX 70.0   /* left of the first column (its y label), px */
#define TL_GAP_PX 45.0    /* between columns (tick labels), px */
#define MAX_MARKS 64      /* action marks drawn per panel */
#define MAX_LABELS 128    /* distinct action labels numbered */
#define FOOTER_CHARS 190  /* characters per line of the action list */

/* "20 replications", or under --uncertainty "10 prior draws x 2 seeds",
 * for the figures' titles. */
static void runs_text(char *buf, size_t n, const cdn_study_t *st)
{
    if (st->priors)
        snprintf(buf, n, "%zu prior draws x %zu seeds", cdn_study_draws(st), st->seeds_per_draw);
    else
        snprintf(buf, n, "%zu replications", st->nreps);
}

static const char *arm_color(const size_t *rank, size_t a, size_t ref)
{
    return a == ref ? REF_COLOR : COLORS[(rank[a] - 1) % NCOLORS];
}

/* The band colour of a strategy colour "#rrggbb": BAND_ALPHA of it over
 * white, as an opaque colour.  Bands are drawn as one box per bin, the
 * boxes overlapping by W so that no hairline gap shows between them; a
 * translucent fill would be doubled in every overlap (a darker seam at
 * each bin edge), an opaque one of the same colour is not. */
#define BAND_ALPHA 0.25
static void band_color(const char *col, char out[8])
{
    unsigned rgb = (unsigned)strtoul(col + 1, NULL, 16), mix = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double c = (double)((rgb >> sh) & 0xffu);
        mix |= (unsigned)lround(BAND_ALPHA * c + (1.0 - BAND_ALPHA) * 255.0) << sh;
    }
    snprintf(out, 8, "#%06x", mix);
}

/* --------------------------------------------------------- action marks */

typedef struct mark {
    double t_s; /* sim time */
    size_t id;  /* 1-based number of its label */
} mark_t;

/* The distinct action labels of the study, numbered in first-seen order
 * (arms in rank order). */
typedef struct labels {
    size_t n;
    const char *text[MAX_LABELS];
} labels_t;

static const char *action_text(const cdn_action_spec_t *a)
{
    return a->label[0] ? a->label : cdn_action_name(a->kind);
}

static size_t label_id(labels_t *L, const char *text)
{
    for (size_t i = 0; i < L->n; i++)
        if (strcmp(L->text[i], text) == 0)
            return i + 1;
    if (L->n == MAX_LABELS)
        return 0;
    L->text[L->n++] = text;
    return L->n;
}

/* Median over the replications of the trigger's time, or NAN when it
 * happened in fewer than half. */
static double median_trigger(const cdn_study_t *st, size_t a, int which)
{
    double *v = sim_xmalloc((st->nreps ? st->nreps : 1) * sizeof *v);
    size_t n = 0;
    for (size_t r = 0; r < st->nreps; r++) {
        double t = cdn_study_trigger_s(st, a, r, which);
        if (!isnan(t))
            v[n++] = t;
    }
    double m = 2 * n >= st->nreps && n > 0 ? sim_stats_quantile(v, n, 0.5) : NAN;
    free(v);
    return m;
}

/* The marks of arm a, sorted by time; their count. */
static size_t arm_marks(const cdn_study_t *st, size_t a, labels_t *L, mark_t *m)
{
    const cdn_scenario_t *s = st->arms[a].scenario;
    double trig[2] = {median_trigger(st, a, 0), median_trigger(st, a, 1)};
    size_t n = 0;
    for (size_t k = 0; k < s->nactions && n < MAX_MARKS; k++) {
        const cdn_action_spec_t *act = &s->actions[k];
        double t = act->trigger == CDN_TRIGGER_TIME        ? act->at_s
                   : act->trigger == CDN_TRIGGER_DETECTION ? trig[0] + act->delay_s
                                                           : trig[1] + act->delay_s;
        size_t id = label_id(L, action_text(act));
        if (isnan(t) || t < 0 || t > s->sim.duration_s || id == 0)
            continue;
        size_t j = n++; /* insertion by time, stable */
        while (j > 0 && m[j - 1].t_s > t) {
            m[j] = m[j - 1];
            j--;
        }
        m[j].t_s = t;
        m[j].id = id;
    }
    return n;
}

/* Dotted lines and numbers for the marks of one panel: marks within 1 %
 * of the span share a number list; a list closer than 7 % of the span to
 * the previous one goes one level lower (three levels). */
static void put_marks(FILE *f, const mark_t *m, size_t n, double span_s)
{
    fputs("  unset arrow\n  unset label\n", f);
    double prev_t = -INFINITY;
    int level = 0;
    for (size_t i = 0, obj = 1; i < n; obj++) {
        char text[128];
        size_t used = 0, j = i;
        text[0] = '\0';
        for (; j < n && m[j].t_s - m[i].t_s <= 0.01 * span_s; j++) {
            int dup = 0;
            for (size_t k = i; k < j; k++)
                dup |= m[k].id == m[j].id;
            int w = dup ? 0 : snprintf(text + used, sizeof text - used, "%s%zu", used ? "," : "", m[j].id);
            if (w > 0 && (size_t)w < sizeof text - used)
                used += (size_t)w;
        }
        level = m[i].t_s - prev_t < 0.07 * span_s ? (level + 1) % 3 : 0;
        prev_t = m[i].t_s;
        fprintf(f,
                "  set arrow %zu from T0+%.17g, graph 0 to T0+%.17g, graph 1 nohead dt 3 lw 1 "
                "lc rgb '#888888' back\n"
                "  set label %zu '%s' at T0+%.17g, graph %.2f offset 0.3,0 font ',8' tc rgb '#444444' front\n",
                obj, m[i].t_s, m[i].t_s, obj, text, m[i].t_s, 0.95 - 0.07 * level);
        i = j;
    }
}

/* The numbered list of action labels under the figure, wrapped; lines. */
static size_t footer_lines(const labels_t *L, char lines[][FOOTER_CHARS + 64], size_t max)
{
    size_t nl = 0, used = 0;
    if (L->n == 0)
        return 0;
    lines[0][0] = '\0';
    used = (size_t)snprintf(lines[0], FOOTER_CHARS, "%s",
                            "Actions (dotted; a triggered one at its median time): ");
    for (size_t i = 0; i < L->n && nl < max; i++) {
        char item[CDN_NAME_MAX + 16];
        int w = snprintf(item, sizeof item, "%zu %s%s", i + 1, L->text[i], i + 1 < L->n ? ";  " : "");
        if (w <= 0)
            continue;
        if (used + (size_t)w > FOOTER_CHARS && used > 0) {
            if (++nl == max)
                break;
            lines[nl][0] = '\0';
            used = 0;
        }
        snprintf(lines[nl] + used, FOOTER_CHARS + 64 - used, "%s", item);
        used += strlen(lines[nl] + used);
    }
    return nl < max ? nl + 1 : max;
}

/* ------------------------------------------------------ compare_timeline */

/* Largest 5xx (k = 0) and blocked (k = 1) share of any bin of any run. */
static void timeline_tops(const cdn_study_t *st, double top[2])
{
    top[0] = top[1] = 0;
    for (size_t a = 0; a < st->narms; a++)
        for (size_t r = 0; r < st->nreps; r++)
            for (size_t b = 0; b < st->arms[a].nbins; b++)
                for (int w = 0; w < 2; w++) {
                    double v = cdn_study_timeline(st, a, r, w, b);
                    if (v > top[w])
                        top[w] = v;
                }
}

/* The panel title of arm a: "1. name: failed -99.9%". */
static void panel_title(char *buf, size_t n, const cdn_study_t *st, const cdn_report_info_t *info,
                        const size_t *rank, size_t a)
{
    char rel[64], name[72];
    const char *label = st->arms[a].label;
    if (strlen(label) > 60)
        snprintf(name, sizeof name, "%.57s...", label);
    else
        snprintf(name, sizeof name, "%s", label);
    if (a == info->ref) {
        snprintf(buf, n, "%zu. %s (reference)", rank[a], name);
        return;
    }
    sim_stats_summary_t d, r;
    cdn_study_paired(st, a, info->ref, CDN_MET_FAILED, &d);
    cdn_study_summary(st, info->ref, CDN_MET_FAILED, &r);
    cdn_report_fmt_rel(rel, sizeof rel, &d, &r);
    snprintf(buf, n, "%zu. %s: failed requests %s%s", rank[a], name, rel,
             strcmp(rel, "0") == 0 ? "%" : ""); /* "0" is exactly no change */
}

/* The legend of every panel: a plot of key entries only, across the
 * figure under its title (a key inside one panel would be as narrow as
 * the panel). */
static void put_legend(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info, int blocked,
                       double top, double bot)
{
    char ref[CDN_NAME_MAX + 32];
    fprintf(f,
            "  set lmargin at screen 0.05\n  set rmargin at screen 0.99\n"
            "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n"
            "  unset border\n  unset xtics\n  unset ytics\n  unset grid\n  unset ylabel\n"
            /* the SVG pass starts with the PNG pass's last panel state */
            "  unset title\n  unset arrow\n  unset label\n  set key default\n"
            "  set key horizontal center center samplen 2.5 font ',10'\n"
            "  plot NaN notitle, \\\n"
            "       keyentry with boxes fs solid 1.0 noborder lc rgb '#d4d4d4' "
            "title '5xx share: 5-95%% of runs', \\\n"
            "       keyentry with lines lw 2 lc rgb '#555555' title 'median (strategy colour)', \\\n"
            "       keyentry with lines lw 1.5 dt 2 lc rgb '" REF_COLOR "' title ",
            top, bot);
    snprintf(ref, sizeof ref, "median of %s", st->arms[info->ref].label);
    cdn_gnuplot_put_string(f, ref);
    if (blocked)
        fputs(", \\\n       keyentry with lines lw 1.5 dt 3 lc rgb '#555555' "
              "title 'falsely blocked share (median)'",
              f);
    fputs("\n  unset key\n  set border\n  set xtics font ',9'\n  set ytics font ',9'\n"
          "  set grid lc rgb '#cccccc' dt 3\n  set xrange [T0:T0 + D]\n",
          f);
}

/* One strategy's panel: the band, the median, the reference's median
 * dashed, the blocked share dotted (when shown). */
static void put_arm_panel(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                          const size_t *rank, size_t a, const size_t *off, int blocked)
{
    const char *col = arm_color(rank, a, info->ref);
    char band[8];
    band_color(col, band);
    size_t p0 = off[a] + 1, p1 = off[a] + st->arms[a].nbins;
    size_t r0 = off[info->ref] + 1, r1 = off[info->ref] + st->arms[info->ref].nbins;
    char title[256];
    panel_title(title, sizeof title, st, info, rank, a);
    fputs("  set title ", f);
    cdn_gnuplot_put_string(f, title);
    fprintf(f, " font ',10'\n  B = %.17g\n", st->arms[a].scenario->sim.bin_s);
    fprintf(f,
            "  plot 'timeline_quantiles.csv' every ::%zu::%zu using (T0+$2+B/2):($5*100):(T0+$2):"
            "(T0+E($2)+W):($4*100):($6*100) with boxxyerror fs solid 1.0 noborder "
            "lc rgb '%s' notitle, \\\n"
            "       '' every ::%zu::%zu using (T0+$2):($5*100) with steps lw 2 lc rgb '%s' notitle",
            p0, p1, band, p0, p1, col);
    if (a != info->ref)
        fprintf(f, ", \\\n       '' every ::%zu::%zu using (T0+$2):($5*100) with steps lw 1.5 dt 2 "
                   "lc rgb '" REF_COLOR "' notitle",
                r0, r1);
    if (blocked)
        fprintf(f, ", \\\n       '' every ::%zu::%zu using (T0+$2):($8*100) with steps lw 1.5 dt 3 "
                   "lc rgb '%s' notitle",
                p0, p1, col);
    fputc('\n', f);
}

void cdn_report_compare_timeline_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                                    const size_t *rank)
{
    const cdn_scenario_t *s0 = st->arms[info->ref].scenario;
    double top[2], span = 0;
    timeline_tops(st, top);
    for (size_t a = 0; a < st->narms; a++)
        span = fmax(span, st->arms[a].scenario->sim.duration_s);
    size_t cols = st->narms <= 3 ? st->narms : st->narms == 4 ? 2 : 3;
    size_t rows = (st->narms + cols - 1) / cols;
    labels_t L = {0, {0}};
    mark_t(*marks)[MAX_MARKS] = sim_xmalloc(st->narms * sizeof *marks);
    size_t *nmarks = sim_xmalloc(st->narms * sizeof *nmarks);
    size_t *order = cdn_report_by_rank(st, rank);
    for (size_t i = 0; i < st->narms; i++)
        nmarks[order[i]] = arm_marks(st, order[i], &L, marks[order[i]]);
    char footer[4][FOOTER_CHARS + 64];
    size_t nfoot = footer_lines(&L, footer, 4);
    int h = (int)TL_HEAD_PX + (int)rows * (int)TL_PANEL_PX + 18 * (int)nfoot + 10;
    fprintf(f, "# cdnsim %s: 5xx share per strategy, scenario '%s', %zu replications.\n",
            CDNSIM_VERSION, s0->name, st->nreps);
    fputs("# Draw it from inside this folder with:  gnuplot compare_timeline.gp\n"
          "# Reads timeline_quantiles.csv (rows: strategy, then bin); one panel per strategy,\n"
          "# in rank order; writes compare_timeline.png and .svg.\n"
          "set datafile separator ','\n",
          f);
    cdn_gnuplot_put_time_axis(f, s0->sim.start_epoch_s, span);
    double ymax = top[0] > 0 || top[1] > 0 ? 130.0 * fmax(top[0], top[1]) : 1.0;
    fprintf(f,
            "E(t) = (t + B > D ? D : t + B)\nW = D / 4000.0\n"
            "# head room above the data for the action numbers\nset yrange [0:%.6g]\n",
            ymax);
    cdn_gnuplot_put_outputs(f, "compare_timeline", TL_W, h);
    double pw = (TL_W - TL_LEFT_PX - 30.0 - (double)(cols - 1) * TL_GAP_PX) / (double)cols;
    char title[512];
    char runs[96];
    runs_text(runs, sizeof runs, st);
    snprintf(title, sizeof title, "cdnsim: %s, 5xx share per strategy over %s (rank order)",
             s0->name, runs);
    fputs("  set multiplot title ", f);
    cdn_gnuplot_put_string(f, title);
    fputs(" font ',13'\n", f);
    put_legend(f, st, info, top[1] > 0, 1.0 - 36.0 / h, 1.0 - 66.0 / h);
    if (ymax > 100.0) /* no tic above 100 % in the head room */
        fputs("  set ytics 0, 20, 100\n", f);
    fprintf(f, "  set key horizontal maxrows 1 left top at screen 0.05, screen %.4f samplen 2.5 font ',10'\n",
            1.0 - 44.0 / h);
    size_t *off = sim_xmalloc(st->narms * sizeof *off); /* an arm's first row */
    for (size_t k = 0, o = 0; k < st->narms; k++) {
        off[k] = o;
        o += st->arms[k].nbins;
    }
    for (size_t i = 0; i < st->narms; i++) {
        size_t a = order[i];
        put_marks(f, marks[a], nmarks[a], span); /* unsets the previous panel's labels */
        for (size_t k = 0; i == 0 && k < nfoot; k++) { /* the action list, drawn once */
            fprintf(f, "  set label %zu ", 900 + k);
            cdn_gnuplot_put_string(f, footer[k]);
            fprintf(f, " at screen 0.01, screen %.4f font ',9'\n", (18.0 * (double)(nfoot - k) - 6.0) / h);
        }
        size_t r = i / cols, c = i % cols;
        double x0 = (TL_LEFT_PX + (double)c * (pw + TL_GAP_PX)) / TL_W;
        double y0 = 1.0 - (TL_HEAD_PX + (double)r * TL_PANEL_PX + 28.0) / h;
        fprintf(f,
                "  set lmargin at screen %.4f\n  set rmargin at screen %.4f\n"
                "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n",
                x0, x0 + pw / TL_W, y0, y0 - (TL_PANEL_PX - 72.0) / h);
        fputs(c == 0 ? "  set ylabel 'share of requests (%)'\n" : "  unset ylabel\n", f);
        put_arm_panel(f, st, info, rank, a, off, top[1] > 0);
    }
    free(off);
    fputs("  unset multiplot\n  set output\n}\n", f);
    free(order);
    free(marks);
    free(nmarks);
}

/* ------------------------------------------------------- compare_metrics */

/* What a metric panel would show: 0 no value at all, 1 only zeros (and
 * missing values), 2 some value that is not 0 (drawn). */
static int metric_content(const cdn_study_t *st, size_t m)
{
    int seen = 0;
    for (size_t a = 0; a < st->narms; a++)
        for (size_t r = 0; r < st->nreps; r++) {
            double v = cdn_study_value(st, a, r, m);
            if (!isnan(v) && v != 0.0)
                return 2;
            seen |= !isnan(v);
        }
    return seen;
}

/* The metrics left out (kind 1: all zero; kind 0: no value), as one
 * line of text for under the figure; 1 if there are any. */
static int left_out(const cdn_study_t *st, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int kind = 1; kind >= 0; kind--) {
        int first = 1;
        for (size_t m = 0; m < st->nmetrics; m++) {
            char lb[CDN_REPORT_NAME_BUF];
            if (metric_content(st, m) != kind)
                continue;
            int w = snprintf(buf + used, n - used, "%s%s", first
                             ? (kind ? "Not drawn, 0 for every strategy: " : "; no value for any: ")
                             : ", ", cdn_study_metric_label(st, m, lb, sizeof lb));
            if (w > 0 && (size_t)w < n - used)
                used += (size_t)w;
            first = 0;
        }
    }
    if (used > 0 && buf[0] == ';') /* only metrics without a value */
        memmove(buf, buf + 2, strlen(buf + 2) + 1);
    return used > 0;
}

/* One metric's panel: bars, 95 % intervals, n/a where there is no value;
 * the strategy names only in the first column. */
static void put_metric_panel(FILE *f, const cdn_study_t *st, size_t m, int first_col)
{
    char lb[CDN_REPORT_NAME_BUF], t[CDN_REPORT_NAME_BUF + 32];
    double ref = 0;
    for (size_t a = 0; a < st->narms; a++) {
        sim_stats_summary_t s;
        cdn_study_summary(st, a, m, &s);
        if (!isnan(s.mean))
            ref = fmax(ref, fabs(s.mean));
        if (!isnan(s.hi))
            ref = fmax(ref, fabs(s.hi));
    }
    const char *suf;
    double k = cdn_report_display(cdn_study_metric_unit(st, m), ref, &suf);
    snprintf(t, sizeof t, "%s (%s)", cdn_study_metric_label(st, m, lb, sizeof lb),
             suf[0] == ' ' ? suf + 1 : suf[0] ? suf : "requests");
    fputs("  set title ", f);
    cdn_gnuplot_put_string(f, t);
    /* gnuplot cannot autoscale an all-zero range (and says so) */
    fprintf(f, " font ',10'\n  set xrange [%s]\n", ref > 0 ? "*<0:*" : "0:1");
    size_t every = st->nmetrics, first = m + 1;
    fprintf(f,
            "  plot 'comparison.csv' every %zu::%zu using (0):(Y($2)):(0):($6*%.17g):(Y($2)-0.36):"
            "(Y($2)+0.36):2%s with boxxyerror fs solid 0.8 noborder lc variable, \\\n"
            "       '' every %zu::%zu using ($6*%.17g):(Y($2)):($8*%.17g):($9*%.17g) with xerrorbars "
            "pt 7 ps 0.35 lw 1.2 lc rgb '#222222', \\\n"
            "       '' every %zu::%zu using (0):(Y($2)):(valid(6) ? (column(6) == 0 ? '0' : '') : 'n/a') with labels left "
            "offset 0.4,0 font ',9' tc rgb '#555555'\n",
            every, first, k, first_col ? ":ytic(1)" : "", every, first, k, k, k, every, first);
}

void cdn_report_compare_metrics_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    const cdn_scenario_t *s0 = st->arms[info->ref].scenario;
    char title[512];
    size_t shown = 0, longest = 0;
    char gone[2048];
    int footer = left_out(st, gone, sizeof gone);
    for (size_t m = 0; m < st->nmetrics; m++)
        shown += metric_content(st, m) == 2;
    for (size_t a = 0; a < st->narms; a++)
        longest = strlen(st->arms[a].label) > longest ? strlen(st->arms[a].label) : longest;
    size_t cols = shown < 3 ? (shown ? shown : 1) : 3, rows = (shown + cols - 1) / cols;
    if (rows == 0)
        rows = 1;
    int w = 1600, row_px = 90 + 20 * (int)st->narms, h = 70 + row_px * (int)rows + 24 * footer;
    double left = fmin(0.4, (7.0 * (double)(longest > 60 ? 60 : longest) + 24.0) / w);
    fprintf(f, "# cdnsim %s: metrics per strategy with 95%% confidence intervals, scenario '%s'.\n",
            CDNSIM_VERSION, s0->name);
    fputs("# Draw it from inside this folder with:  gnuplot compare_metrics.gp\n"
          "# Reads comparison.csv (rows: strategy, then metric); rank 1 on top; 'n/a': no value.\n"
          "set datafile separator ','\n"
          "set grid xtics lc rgb '#cccccc' dt 3\n"
          "unset key\n"
          "set xtics font ',9' nomirror\n"
          "set ytics scale 0 font ',9' nomirror\n"
          "set offsets 0, graph 0.04, 0, 0\n",
          f);
    fprintf(f, "N = %zu\nY(rank) = N + 1 - rank\nset yrange [0.4:N + 0.6]\n", st->narms);
    size_t *rank = cdn_report_ranks_of(st);
    for (size_t k = 0; k < st->narms || k < NCOLORS; k++)
        fprintf(f, "set linetype %zu lc rgb '%s'\n", k + 1,
                k < st->narms && rank[info->ref] == k + 1 ? REF_COLOR : COLORS[k % NCOLORS]);
    free(rank);
    cdn_gnuplot_put_outputs(f, "compare_metrics", w, h);
    char runs[96];
    runs_text(runs, sizeof runs, st);
    snprintf(title, sizeof title, "cdnsim: %s, mean and 95%% CI over %s (rank 1 on top)",
             s0->name, runs);
    fputs("  set multiplot title ", f);
    cdn_gnuplot_put_string(f, title);
    fprintf(f, " font ',13' layout %zu,%zu margins %.4f,0.98,%.4f,%.4f spacing 0.03,%.4f\n", rows, cols,
            left, (30.0 + 24 * footer) / h, 1.0 - 60.0 / h, 80.0 / h);
    if (footer) {
        fputs("  set label 900 ", f);
        cdn_gnuplot_put_string(f, gone);
        fputs(" at screen 0.01, screen 0.012 font ',9'\n", f);
    }
    size_t i = 0;
    for (size_t m = 0; m < st->nmetrics; m++) {
        if (metric_content(st, m) != 2)
            continue;
        if (i == 1)
            fputs("  unset label 900\n", f);
        int first_col = i % cols == 0;
        fputs(first_col ? "  set format y '%g'\n" : "  set ytics format ''\n", f);
        put_metric_panel(f, st, m, first_col);
        i++;
    }
    fputs("  unset multiplot\n  set output\n}\n", f);
}
