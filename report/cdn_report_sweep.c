/*
 * cdn_report_sweep.c -- the files of a `sweep` results folder: sweep.csv,
 * replications.csv and sweep.gp (a line over one parameter, a heat map
 * over two).
 *
 * Design
 *   sweep.csv has one row per (grid point, metric), grid points in the
 *   order of the arms, so the script picks a metric's rows with `every`
 *   as the compare scripts do.  Parameter values are written as given on
 *   the command line, never re-formatted.
 *
 *   One parameter: when every value is a number the x axis is numeric
 *   (0, 300, 900, 1800 spaced by value, so a linear effect looks linear),
 *   logarithmic when the values are positive and span a factor of 50 or
 *   more (0.001, 0.01, 0.05); otherwise the values are categories, equally
 *   spaced in the order given.  Two parameters: a heat map of cells in
 *   the order given (categories on both axes), each cell labelled with its
 *   mean and 95 % half-width, in white on the dark half of the palette so
 *   every label stays readable; a missing mean reads "n/a".
 */
#include "cdn_report_int.h"

#include <inttypes.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_file.h"
#include "cdn_gnuplot.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

/* -------------------------------------------------------------- sweep */

static void write_sweep_csv(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    char nb[CDN_REPORT_NAME_BUF];
    fputs("point,param1,value1_index,value1,param2,value2_index,value2,metric,unit,n,mean,sd,"
          "ci95_lo,ci95_hi\n",
          f);
    for (size_t a = 0; a < st->narms; a++) {
        const cdn_arm_t *arm = &st->arms[a];
        for (size_t m = 0; m < st->nmetrics; m++) {
            sim_stats_summary_t s;
            cdn_study_summary(st, a, m, &s);
            fprintf(f, "%zu,", a);
            cdn_file_put_csv(f, info->param[0]);
            fprintf(f, ",%d,", arm->grid[0]);
            cdn_file_put_csv(f, info->values[0][arm->grid[0]]);
            fputc(',', f);
            if (info->nparams > 1) {
                cdn_file_put_csv(f, info->param[1]);
                fprintf(f, ",%d,", arm->grid[1]);
                cdn_file_put_csv(f, info->values[1][arm->grid[1]]);
            } else {
                fputs(",,", f);
            }
            fprintf(f, ",%s,%s,%zu,", cdn_study_metric_name(st, m, nb, sizeof nb),
                    cdn_unit_name(cdn_study_metric_unit(st, m)), s.n);
            cdn_file_put_nums(f, (const double[]){s.mean, s.sd, s.lo, s.hi}, 4);
            fputc('\n', f);
        }
    }
}

static void gp_tics(FILE *f, const char *axis, const cdn_report_info_t *info, int p)
{
    fprintf(f, "set %stics (", axis);
    for (size_t i = 0; i < info->nvalues[p]; i++) {
        if (i)
            fputs(", ", f);
        cdn_gnuplot_put_string(f, info->values[p][i]);
        fprintf(f, " %zu", i);
    }
    fputs(")\n", f);
}

/* 1 when every value of parameter p is a finite number; its range. */
static int numeric_values(const cdn_report_info_t *info, int p, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < info->nvalues[p]; i++) {
        const char *v = info->values[p][i];
        char *end = NULL;
        double x = strtod(v, &end);
        if (end == v || *end != '\0' || !isfinite(x))
            return 0;
        *lo = fmin(*lo, x);
        *hi = fmax(*hi, x);
    }
    return info->nvalues[p] > 0;
}

/* The x axis of a one-parameter sweep and the column plotted on it. */
static int gp_x_axis(FILE *f, const cdn_report_info_t *info)
{
    double lo, hi;
    if (!numeric_values(info, 0, &lo, &hi)) {
        fprintf(f, "  set xrange [-0.5:%zu.5]\n  ", info->nvalues[0] - 1);
        gp_tics(f, "x", info, 0);
        return 3; /* value1_index */
    }
    if (lo > 0 && hi / lo >= 50.0) {
        fprintf(f, "  set logscale x\n  set xrange [%.17g:%.17g]\n  set xlabel ", lo / 1.5, hi * 1.5);
        char x[CDN_REPORT_NAME_BUF + 1100];
        snprintf(x, sizeof x, "%s (log scale)", info->param[0]);
        cdn_gnuplot_put_string(f, x);
        fputc('\n', f);
    } else {
        double pad = hi > lo ? 0.05 * (hi - lo) : (lo != 0 ? 0.05 * fabs(lo) : 1.0);
        fprintf(f, "  set xrange [%.17g:%.17g]\n", lo - pad, hi + pad);
    }
    fputs("  set xtics (", f); /* a tic at each value swept, and only there */
    for (size_t i = 0; i < info->nvalues[0]; i++)
        fprintf(f, "%s%s", i ? ", " : "", info->values[0][i]);
    fputs(")\n", f);
    return 4; /* value1 */
}

static void write_sweep_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    char nb[CDN_REPORT_NAME_BUF], lb[CDN_REPORT_NAME_BUF], title[1024];
    size_t m = info->metric;
    double ref = 0;
    for (size_t a = 0; a < st->narms; a++) {
        sim_stats_summary_t s;
        cdn_study_summary(st, a, m, &s);
        if (!isnan(s.mean))
            ref = fmax(ref, fabs(s.mean));
    }
    const char *suf;
    double k = cdn_report_display(cdn_study_metric_unit(st, m), ref, &suf);
    const char *unit = suf[0] == ' ' ? suf + 1 : suf[0] ? suf : "requests";
    fprintf(f, "# cdnsim %s: sweep of scenario '%s' (strategy %s), metric %s, %zu replications.\n",
            CDNSIM_VERSION, st->arms[0].scenario->name, info->strategy,
            cdn_study_metric_name(st, m, nb, sizeof nb), st->nreps);
    fputs("# Draw it from inside this folder with:  gnuplot sweep.gp\n"
          "# Reads sweep.csv (rows: grid point, then metric).  To plot another metric, change\n"
          "# the row offset of 'every' below to 1 + that metric's position in the metric list.\n"
          "set datafile separator ','\n"
          "set grid\n"
          "unset key\n",
          f);
    if (info->nparams == 1) {
        cdn_gnuplot_put_outputs(f, "sweep", 1200, 700);
        snprintf(title, sizeof title, "cdnsim sweep: %s (%s), mean and 95%% CI, %zu replications",
                 cdn_study_metric_label(st, m, lb, sizeof lb), unit, st->nreps);
        fputs("  set title ", f);
        cdn_gnuplot_put_string(f, title);
        fputs("\n  set xlabel ", f);
        cdn_gnuplot_put_string(f, info->param[0]);
        snprintf(title, sizeof title, "%s (%s)", cdn_study_metric_label(st, m, lb, sizeof lb), unit);
        fputs("\n  set ylabel ", f);
        cdn_gnuplot_put_string(f, title);
        fputc('\n', f);
        fputs("  set yrange [0:*]\n", f);
        int xc = gp_x_axis(f, info);
        /* categories are not joined by a line: nothing lies between them */
        fprintf(f,
                "  plot 'sweep.csv' every %zu::%zu using %d:($11*%.17g) with %s lw 2 pt 7 ps 1.3 "
                "lc rgb '#1f77b4', \\\n"
                "       '' every %zu::%zu using %d:($11*%.17g):($13*%.17g):($14*%.17g) with yerrorbars "
                "lc rgb '#1f77b4' pt 0, \\\n"
                "       '' every %zu::%zu using %d:(0):(valid(11) ? '' : 'n/a') with labels offset 0,1\n",
                st->nmetrics, m + 1, xc, k, xc == 4 ? "linespoints" : "points", st->nmetrics, m + 1,
                xc, k, k, k, st->nmetrics, m + 1, xc);
    } else {
        cdn_gnuplot_put_outputs(f, "sweep", 1200, 900);
        snprintf(title, sizeof title, "cdnsim sweep: mean %s (%s), %zu replications",
                 cdn_study_metric_label(st, m, lb, sizeof lb), unit, st->nreps);
        fputs("  set title ", f);
        cdn_gnuplot_put_string(f, title);
        fputs("\n  set xlabel ", f);
        cdn_gnuplot_put_string(f, info->param[0]);
        fputs("\n  set ylabel ", f);
        cdn_gnuplot_put_string(f, info->param[1]);
        fputc('\n', f);
        fprintf(f, "  set xrange [-0.5:%zu.5]\n  set yrange [-0.5:%zu.5]\n  ", info->nvalues[0] - 1,
                info->nvalues[1] - 1);
        gp_tics(f, "x", info, 0);
        fputs("  ", f);
        gp_tics(f, "y", info, 1);
        fputs("  set palette defined (0 '#ffffcc', 0.5 '#fd8d3c', 1 '#800026')\n  set cbrange [0:*]\n"
              "  set cblabel ",
              f);
        cdn_gnuplot_put_string(f, unit);
        fputc('\n', f);
        fprintf(f,
                "  DARK = %.17g\n"
                "  plot 'sweep.csv' every %zu::%zu using 3:6:($11*%.17g) with image, \\\n"
                "       '' every %zu::%zu using 3:6:(!valid(11) ? 'n/a' : valid(13) ? "
                "sprintf(\"%%.3g\\n± %%.2g\", column(11)*%.17g, (column(14)-column(13))/2*%.17g) : "
                "sprintf('%%.3g', column(11)*%.17g)):(valid(11) && column(11)*%.17g > DARK ? 0xffffff : 0x000000) "
                "with labels tc rgb variable font ',11'\n",
                0.55 * ref * k, st->nmetrics, m + 1, k, st->nmetrics, m + 1, k, k, k, k);
    }
    fputs("  set output\n}\n", f);
}

int cdn_report_sweep(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                     cdn_error_t *err)
{
    int rc = 0;
    FILE *f;
    CDN_REPORT_WRITE("sweep.csv", write_sweep_csv(f, st, info));
    CDN_REPORT_WRITE("replications.csv", cdn_report_write_replications(f, st, "point"));
    CDN_REPORT_WRITE("sweep.gp", write_sweep_gp(f, st, info));
    return rc;
}
