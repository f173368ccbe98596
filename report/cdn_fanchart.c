/*
 * cdn_fanchart.c -- ensemble.csv, ensemble_targets.csv and ensemble.gp:
 * the fan chart of `cdnsim run -n N`.
 *
 * Design
 *   The figure is up to three panels sharing one time axis, placed at
 *   fixed screen fractions computed here (gnuplot's automatic layout would
 *   give the strip as much height as a panel):
 *       calibration strip  one row per time target: the published time (a
 *                          open black diamond) and the simulated median with
 *                          its 5-95 % range; dropped without time targets;
 *       5xx share          the 90 % and 50 % bands, the median and the
 *                          folder's own replication (thin);
 *       sites down         the same; dropped when no site is ever down in
 *                          any replication (no empty panel).
 *   One key, in a row of its own above the first data panel, serves both
 *   data panels (same styles).  Published times are also dotted vertical
 *   lines through the data panels, so the eye goes from a target to the
 *   curve.
 *
 *   Bins are drawn as steps: a band is a row of rectangles (boxxyerror
 *   from the bin's start to its end), the lines are `steps`, so a change
 *   appears in the bin where it happens, never a bin early as a line
 *   between bin starts would draw it.  The nested bands are opaque (light
 *   outside, darker inside) rather than translucent: their colours stay
 *   the same whatever is under them; the grid is drawn in front.
 *
 *   Row k of a CSV is point k + 1 of the file for gnuplot (the header is
 *   point 0), hence `every ::1`.
 */
#include "cdn_fanchart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_ensemble.h"
#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

#define FAN_W 1400      /* figure width, px */
#define FAN_H 1000      /* figure height, px */
#define STRIP_ROW_PX 24 /* height of a calibration row, px */

static const char *const SERIES_NAME[CDN_ENS_NSERIES] = {"err5xx", "sites_down"};
static const char *const QUANTILE_NAME[CDN_ENSEMBLE_NQ] = {"p05", "p25", "p50", "p75", "p95"};

/* ------------------------------------------------------------- data */

/* ensemble.csv; *top[k] gets the largest value drawn of series k. */
static void write_csv(FILE *f, const cdn_scenario_t *s, const double *rows, size_t nrep,
                      const cdn_result_t *r, double top[CDN_ENS_NSERIES])
{
    static const double q[CDN_ENSEMBLE_NQ] = CDN_ENSEMBLE_QUANTILES;
    size_t len = cdn_ensemble_row_len(s), nbins = cdn_ensemble_nbins(s);
    double *scratch = sim_xmalloc((nrep ? nrep : 1) * sizeof *scratch);
    fputs("t_s,utc", f);
    for (int k = 0; k < CDN_ENS_NSERIES; k++)
        for (int j = 0; j < CDN_ENSEMBLE_NQ; j++)
            fprintf(f, ",%s_%s", SERIES_NAME[k], QUANTILE_NAME[j]);
    fputs(",run_err5xx_frac,run_sites_down_frac\n", f);
    for (size_t b = 0; b < nbins; b++) {
        char utc[32];
        double t = (double)b * s->sim.bin_s;
        cdn_scenario_utc(s, t, utc, sizeof utc);
        fprintf(f, "%.0f,%s", t, utc);
        for (int k = 0; k < CDN_ENS_NSERIES; k++) {
            double out[CDN_ENSEMBLE_NQ];
            size_t off = cdn_ensemble_series_offset(s, (cdn_ens_series_t)k) + b;
            cdn_ensemble_quantiles(rows + off, nrep, len, q, CDN_ENSEMBLE_NQ, scratch, out);
            fputc(',', f);
            cdn_file_put_nums(f, out, CDN_ENSEMBLE_NQ);
            if (!isnan(out[CDN_ENSEMBLE_NQ - 1]))
                top[k] = fmax(top[k], out[CDN_ENSEMBLE_NQ - 1]);
        }
        for (int k = 0; k < CDN_ENS_NSERIES; k++) {
            double v = cdn_ensemble_series(s, r, (cdn_ens_series_t)k, b);
            fputc(',', f);
            cdn_file_put_num(f, v);
            if (!isnan(v))
                top[k] = fmax(top[k], v);
        }
        fputc('\n', f);
    }
    free(scratch);
}

/* The calibration targets that are times, in file order. */
static size_t time_targets(const cdn_scenario_t *s, size_t *idx)
{
    size_t k = 0;
    for (size_t t = 0; t < s->ntargets; t++)
        if (cdn_cal_metric_is_time(s->targets[t].metric))
            idx[k++] = t;
    return k;
}

/* ensemble_targets.csv: row 1 is the top row of the strip. */
static void write_targets_csv(FILE *f, const cdn_scenario_t *s, const double *rows, size_t nrep,
                              const size_t *idx, size_t nt)
{
    static const double q[3] = {0.05, 0.50, 0.95};
    size_t len = cdn_ensemble_row_len(s);
    double *scratch = sim_xmalloc((nrep ? nrep : 1) * sizeof *scratch);
    fputs("row,target,metric,published_s,sim_p05_s,sim_p50_s,sim_p95_s,runs_with_value\n", f);
    for (size_t i = 0; i < nt; i++) {
        const cdn_cal_target_spec_t *tg = &s->targets[idx[i]];
        double out[3];
        size_t present = 0;
        for (size_t k = 0; k < nrep; k++)
            present += isnan(rows[k * len + idx[i]]) ? 0u : 1u;
        cdn_ensemble_quantiles(rows + idx[i], nrep, len, q, 3, scratch, out);
        fprintf(f, "%zu,", i + 1);
        cdn_file_put_csv(f, tg->name);
        fprintf(f, ",%s,", cdn_cal_metric_name(tg->metric));
        cdn_file_put_num(f, tg->has_target ? tg->target : NAN);
        fputc(',', f);
        cdn_file_put_nums(f, out, 3);
        fprintf(f, ",%zu\n", present);
    }
    free(scratch);
}

/* ----------------------------------------------------------- script */

/* Where the panels go, as screen fractions (0 bottom, 1 top). */
typedef struct layout {
    double left, right;       /* plot area's left and right edges */
    double strip_top, strip_bot;
    double key_y;             /* top of the key row */
    double p_top[2], p_bot[2]; /* 5xx and sites-down panels */
    int has_strip, has_sites;
} layout_t;

static layout_t place(const cdn_scenario_t *s, const size_t *idx, size_t nt, int has_sites)
{
    layout_t l;
    size_t longest = 0;
    for (size_t i = 0; i < nt; i++)
        longest = strlen(s->targets[idx[i]].name) > longest ? strlen(s->targets[idx[i]].name) : longest;
    double left_px = fmax(90.0, 7.0 * (double)longest + 30.0);
    l.left = fmin(left_px, 0.35 * FAN_W) / FAN_W;
    l.right = 1.0 - 30.0 / FAN_W;
    l.has_strip = nt > 0;
    l.has_sites = has_sites;
    double y = 1.0 - 50.0 / FAN_H; /* below the title */
    l.strip_top = y;
    if (l.has_strip)
        y -= (double)(nt * STRIP_ROW_PX + 12) / FAN_H;
    l.strip_bot = y;
    l.key_y = y - 4.0 / FAN_H; /* the strip's key, then the panels' below it */
    y -= (l.has_strip ? 52.0 : 30.0) / FAN_H;
    double bottom = 60.0 / FAN_H, gap = 18.0 / FAN_H;
    double avail = y - bottom - (has_sites ? gap : 0.0);
    l.p_top[0] = y;
    l.p_bot[0] = has_sites ? y - 0.55 * avail : bottom;
    l.p_top[1] = l.p_bot[0] - gap;
    l.p_bot[1] = bottom;
    return l;
}

static void put_margins(FILE *f, const layout_t *l, double top, double bot)
{
    fprintf(f,
            "  set lmargin at screen %.4f\n  set rmargin at screen %.4f\n"
            "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n",
            l->left, l->right, top, bot);
}

static void put_strip(FILE *f, const cdn_scenario_t *s, const layout_t *l, const size_t *idx,
                      size_t nt)
{
    put_margins(f, l, l->strip_top, l->strip_bot);
    fprintf(f, "  set yrange [%zu.5:0.5]\n  set ytics (", nt);
    for (size_t i = 0; i < nt; i++) {
        fputs(i ? ", " : "", f);
        cdn_gnuplot_put_string(f, s->targets[idx[i]].name);
        fprintf(f, " %zu", i + 1);
    }
    fputs(") font ',9' nomirror\n  set format x ''\n  unset ylabel\n  unset xlabel\n"
          "  set key horizontal maxrows 1 right top at screen RIGHT, screen KEYY samplen 1.5 font ',10'\n"
          "  plot 'ensemble_targets.csv' every ::1 using (T0+$6):1:(T0+$5):(T0+$7) with xerrorbars "
          "pt 7 ps 1.1 lw 1.5 lc rgb '#08519c' title 'simulated: median, 5-95% of runs', \\\n"
          "       '' every ::1 using (T0+$4):1 with points pt 12 ps 2.2 lw 1.5 lc rgb '#000000' "
          "title 'published time'\n",
          f);
}

/* One data panel: the bands, the median and the folder's replication of
 * series k (CSV columns from c0: p05 p25 p50 p75 p95; run at crun). */
static void put_panel(FILE *f, const layout_t *l, int k, int c0, int crun, int last,
                      unsigned long long rep, int with_key, int written)
{
    put_margins(f, l, l->p_top[k], l->p_bot[k]);
    fprintf(f, "  set yrange [0:*]\n  set ytics auto font ',10' mirror\n  set ylabel '%s'\n",
            k == 0 ? "HTTP 5xx share (%)" : "dependent sites down (%)");
    fputs(last ? "  set format x XFORMAT\n  set xlabel 'time (UTC)'\n" : "  set format x ''\n  unset xlabel\n", f);
    if (with_key)
        fprintf(f, "  set key horizontal maxrows 1 left top at screen LEFT, screen KEYY - %.4f samplen 2 "
                   "font ',10'\n", l->has_strip ? 22.0 / FAN_H : 0.0);
    else
        fputs("  unset key\n", f);
    fprintf(f,
            "  plot 'ensemble.csv' every ::1 using (T0+$1+B/2):($%d*100):(T0+$1):(T0+E($1)+W):($%d*100):($%d*100) "
            "with boxxyerror fs solid 1.0 noborder lc rgb '#c6dbef' title '90%% of runs', \\\n"
            "       '' every ::1 using (T0+$1+B/2):($%d*100):(T0+$1):(T0+E($1)+W):($%d*100):($%d*100) "
            "with boxxyerror fs solid 1.0 noborder lc rgb '#6baed6' title '50%% of runs', \\\n"
            "       '' every ::1 using (T0+$1):($%d*100) with steps lw 2.5 lc rgb '#08306b' title 'median', \\\n"
            "       '' every ::1 using (T0+$1):($%d*100) with steps lw 1 lc rgb '#d62728' "
            "title 'replication %llu%s'\n",
            c0 + 2, c0, c0 + 4, c0 + 2, c0 + 1, c0 + 3, c0 + 2, crun, rep,
            written ? ", written values" : "");
}

/* Published times as dotted lines through the data panels; a published
 * peak 5xx share as a dashed level in the 5xx panel (arrow 1000 + t). */
static void put_published(FILE *f, const cdn_scenario_t *s)
{
    for (size_t t = 0; t < s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &s->targets[t];
        if (!tg->has_target)
            continue;
        if (cdn_cal_metric_is_time(tg->metric))
            fprintf(f,
                    "set arrow %zu from T0+%.17g, graph 0 to T0+%.17g, graph 1 nohead dt 3 lw 1 "
                    "lc rgb '#555555' back\n",
                    t + 1, tg->target, tg->target);
        else if (tg->metric == CDN_CAL_PEAK_ERR5XX) {
            fprintf(f,
                    "set arrow %zu from graph 0, first %.17g to graph 1, first %.17g nohead dt 2 "
                    "lc rgb '#333333' back\nset label %zu ",
                    1000 + t, 100 * tg->target, 100 * tg->target, 1000 + t);
            cdn_gnuplot_put_string(f, tg->name);
            fprintf(f, " at graph 0.01, first %.17g offset 0,0.6 font ',9'\n", 100 * tg->target);
        }
    }
}

static void write_gp(FILE *f, const cdn_scenario_t *s, size_t nrep, uint64_t seed,
                     const cdn_result_t *r, const layout_t *l, const size_t *idx, size_t nt,
                     size_t m)
{
    char title[512], runs[128];
    fprintf(f, "# cdnsim %s: ensemble of scenario '%s', %zu replications (seed %llu).\n",
            CDNSIM_VERSION, s->name, nrep, (unsigned long long)seed);
    fputs("# Draw it from inside this folder with:  gnuplot ensemble.gp\n"
          "# Reads ensemble.csv and ensemble_targets.csv; writes ensemble.png and .svg.\n"
          "set datafile separator ','\n",
          f);
    cdn_gnuplot_put_time_axis(f, s->sim.start_epoch_s, s->sim.duration_s);
    fprintf(f,
            "B = %.17g\nE(t) = (t + B > D ? D : t + B)\n"
            "# each bin's box overlaps the next by W (drawn over by it) so that no\n"
            "# hairline seam shows between bins\nW = D / 4000.0\n"
            "LEFT = %.4f\nRIGHT = %.4f\nKEYY = %.4f\n"
            "set grid front lc rgb '#bbbbbb' lw 0.6 dt 3\n"
            "set style fill solid 1.0 noborder\n",
            s->sim.bin_s, l->left,
            l->right, l->key_y);
    put_published(f, s);
    cdn_gnuplot_put_outputs(f, "ensemble", FAN_W, FAN_H);
    if (m > 0) /* --uncertainty */
        snprintf(runs, sizeof runs, "%zu prior draws x %zu seeds", nrep / m, m);
    else
        snprintf(runs, sizeof runs, "%zu replications", nrep);
    snprintf(title, sizeof title,
             "cdnsim: %s, %s (seed %llu): median, 50%% and 90%% bands of the runs%s",
             s->name, runs, (unsigned long long)seed,
             l->has_sites ? "" : " (no dependent site down in any run)");
    fputs("  set multiplot title ", f);
    cdn_gnuplot_put_string(f, title);
    fputs(" font ',13'\n", f);
    if (l->has_strip)
        put_strip(f, s, l, idx, nt);
    fputs("  set ytics auto\n", f);
    put_panel(f, l, 0, 3, 3 + 2 * CDN_ENSEMBLE_NQ, !l->has_sites,
              (unsigned long long)r->replication, 1, m > 0);
    if (l->has_sites)
        put_panel(f, l, 1, 3 + CDN_ENSEMBLE_NQ, 4 + 2 * CDN_ENSEMBLE_NQ, 1,
                  (unsigned long long)r->replication, 0, m > 0);
    fputs("  unset multiplot\n  set output\n}\n", f);
}

int cdn_fanchart_write(const char *dir, const cdn_scenario_t *s, const double *rows, size_t nrep,
                       uint64_t seed, const cdn_result_t *r, cdn_error_t *err)
{
    return cdn_fanchart_write_unc(dir, s, rows, nrep, seed, r, 0, err);
}

int cdn_fanchart_write_unc(const char *dir, const cdn_scenario_t *s, const double *rows,
                           size_t nrep, uint64_t seed, const cdn_result_t *r,
                           size_t seeds_per_draw, cdn_error_t *err)
{
    double top[CDN_ENS_NSERIES] = {0, 0};
    size_t *idx = sim_xmalloc((s->ntargets ? s->ntargets : 1) * sizeof *idx);
    size_t nt = time_targets(s, idx);
    int rc = 0;
    FILE *f = cdn_file_open(dir, "ensemble.csv");
    if (!f)
        rc = cdn_file_io_error(err, dir, "ensemble.csv");
    else {
        write_csv(f, s, rows, nrep, r, top);
        rc = cdn_file_finish(f, dir, "ensemble.csv", err);
    }
    if (rc == 0 && (f = cdn_file_open(dir, "ensemble_targets.csv")) == NULL)
        rc = cdn_file_io_error(err, dir, "ensemble_targets.csv");
    else if (rc == 0) {
        write_targets_csv(f, s, rows, nrep, idx, nt);
        rc = cdn_file_finish(f, dir, "ensemble_targets.csv", err);
    }
    layout_t l = place(s, idx, nt, top[CDN_ENS_SITES_DOWN] > 0.0);
    if (rc == 0 && (f = cdn_file_open(dir, "ensemble.gp")) == NULL)
        rc = cdn_file_io_error(err, dir, "ensemble.gp");
    else if (rc == 0) {
        write_gp(f, s, nrep, seed, r, &l, idx, nt, seeds_per_draw);
        rc = cdn_file_finish(f, dir, "ensemble.gp", err);
    }
    free(idx);
    return rc;
}
