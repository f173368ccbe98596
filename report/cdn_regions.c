/*
 * cdn_regions.c -- regions.gp: the cascade across regions as a heat map.
 *
 * Design
 *   Two panels share the time axis and the row order: the 5xx share of
 *   each region's requests, and the share of its servers whose proxy is
 *   failing; the operator-action strip of the timeline figure sits above
 *   (cdn_timeline.h).  Rows are ordered by onset, computed here from the
 *   result (cdn_regions_onset_order): the region that broke first on top,
 *   regions never above the threshold last in scenario order.  Each row's
 *   label carries its onset time.
 *
 *   gnuplot's `with image` draws pixels in the order of the data and needs
 *   them in scan lines, while timeline_regions.csv holds one line per
 *   (time step, region) in scenario order.  The script therefore reads the
 *   file once per region, in display order (`every N::line`), into a
 *   datablock of scan lines, and draws that: no extra data file, and the
 *   script stays readable and editable.  Cost: N passes over the file
 *   (about 15 s for the 330 regions of scenarios/scale/full.json; well
 *   under a second for the examples).  A cell is centred in its bin.
 *
 *   Colour scales start at 0 and end at the fitted peak
 *   (cdn_gnuplot_fit_upper), so a 16 % peak is not a pale smear; the scale
 *   beside each panel says where it ends.
 *
 * Rejected alternatives
 *   - `with boxxyerror` per cell: one SVG element per region and bin
 *     (over 100 000 for the full-scale scenario).
 *   - Filling gnuplot arrays in one pass and printing them in order: the
 *     interpreter loop is slower than the N passes.
 *   - Writing a pre-ordered matrix file: a second copy of the data.
 *   - `with image pixels` (one rectangle per cell): antialiased seams
 *     between the cells stripe the map; pngcairo draws images unblurred.
 *   - A geographic map of regions coloured by peak impact (issue #12
 *     allowed one "if it can be drawn with gnuplot and data the project
 *     ships"): gnuplot can draw it, but a map needs coastlines, and the
 *     project ships none (a world outline is megabytes of third-party
 *     data to vet and keep); points on a bare latitude/longitude grid
 *     read worse than this figure, whose rows already say where and when.
 *     Regions therefore carry no coordinates.
 */
#include "cdn_regions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_gnuplot.h"
#include "cdn_summary.h"
#include "cdn_timeline.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

void cdn_regions_onset_order(const double *frac, size_t n, size_t nbins, double threshold,
                             size_t *order, size_t *onset)
{
    for (size_t g = 0; g < n; g++) {
        onset[g] = nbins;
        for (size_t b = 0; b < nbins; b++) {
            if (frac[g * nbins + b] > threshold) {
                onset[g] = b;
                break;
            }
        }
    }
    /* insertion sort by onset, stable: n is the number of regions */
    for (size_t g = 0; g < n; g++) {
        size_t k = g;
        while (k > 0 && onset[order[k - 1]] > onset[g])
            k--;
        memmove(order + k + 1, order + k, (g - k) * sizeof *order);
        order[k] = g;
    }
}

/* Canvas in pixels. */
#define W_PX 1500
#define TITLE_PX 40.0
#define GAP_PX 14.0
#define BOTTOM_PX 70.0
#define ROW_LABEL_PX_PER_CHAR 6.8 /* ytic font ',10' */

typedef struct {
    size_t n;      /* regions */
    size_t *order; /* regions top first */
    size_t *onset; /* bin of each region's onset, nbins when none */
    double peak_err, peak_failing; /* highest share of any region and bin, % */
} rows_t;

static void find_rows(const cdn_scenario_t *s, const cdn_result_t *r, rows_t *w)
{
    size_t n = r->nregions, nb = r->nbins;
    double *frac = sim_xcalloc(n * nb + 1, sizeof *frac);
    w->n = n;
    w->order = sim_xcalloc(n + 1, sizeof *w->order);
    w->onset = sim_xcalloc(n + 1, sizeof *w->onset);
    w->peak_err = w->peak_failing = 0.0;
    for (size_t g = 0; g < n; g++) {
        double nserv = (double)s->regions[g].servers;
        for (size_t b = 0; b < nb; b++) {
            double off = cdn_result_region(r, g, CDN_RS_OFFERED, b);
            double err = cdn_result_region(r, g, CDN_RS_ERR5XX, b);
            double len = cdn_summary_bin_len(s, r, b);
            double failing = cdn_result_region(r, g, CDN_RS_SERVERS_FAILING, b);
            frac[g * nb + b] = off > 0 ? err / off : 0.0;
            w->peak_err = fmax(w->peak_err, 100.0 * frac[g * nb + b]);
            if (nserv > 0 && len > 0)
                w->peak_failing = fmax(w->peak_failing, 100.0 * failing / (len * nserv));
        }
    }
    cdn_regions_onset_order(frac, n, nb, s->metrics.impact_threshold_frac, w->order, w->onset);
    free(frac);
}

/* Row label of region g: its name and onset ("eu-west  11:21"; with the
 * date, "eu-west  12 May 11:21", when the run is longer than a day). */
static void row_label(const cdn_scenario_t *s, const cdn_result_t *r, const rows_t *w, size_t g,
                      char *buf, size_t n)
{
    if (w->onset[g] >= r->nbins) {
        snprintf(buf, n, "%s", s->regions[g].name);
        return;
    }
    char utc[32];
    cdn_scenario_utc(s, (double)w->onset[g] * r->bin_s, utc, sizeof utc);
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int month = atoi(utc + 5);
    if (s->sim.duration_s > 86400.0 && month >= 1 && month <= 12)
        snprintf(buf, n, "%s  %d %s %.5s", s->regions[g].name, atoi(utc + 8), months[month - 1],
                 utc + 11);
    else
        snprintf(buf, n, "%s  %.5s", s->regions[g].name, utc + 11);
}

/* `set ytics (...)`: every k-th row labelled, k so labels are >= 14 px apart. */
static void put_row_tics(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r, const rows_t *w,
                         double panel_px)
{
    size_t every = (size_t)ceil(14.0 * (double)w->n / panel_px);
    if (every < 1)
        every = 1;
    fputs("  set ytics (", f);
    for (size_t i = 0; i < w->n; i += every) {
        char label[CDN_NAME_MAX + 32];
        row_label(s, r, w, w->order[i], label, sizeof label);
        fputs(i ? ", " : "", f);
        cdn_gnuplot_put_string(f, label);
        fprintf(f, " %zu", i + 1);
    }
    fputs(") scale 0 font ',10'\n", f);
}

/* One heat panel from `top_px`, `h_px` high: column `col` of $heat as a
 * percentage, colour scale 0..up. */
static void put_panel(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r, const rows_t *w,
                      const cdn_timeline_marks_t *m, double right_px, double h_total, double top_px,
                      double h_px, int col, double up, const char *cblabel, int last)
{
    double bottom = 1.0 - (top_px + h_px) / h_total;
    fprintf(f, "  set tmargin at screen %.4f\n  set bmargin at screen %.4f\n", 1.0 - top_px / h_total,
            bottom);
    fprintf(f, "  set cbrange [0:%g]\n  set cblabel '%s'\n", up, cblabel);
    fprintf(f, "  set colorbox user origin screen %.4f, %.4f size screen %.4f, %.4f\n",
            (right_px + 16.0) / W_PX, bottom, 18.0 / W_PX, h_px / h_total);
    put_row_tics(f, s, r, w, h_px);
    fputs("  ", f);
    cdn_gnuplot_put_time_tics(f, s, s->sim.duration_s, last);
    if (!last)
        fputs("  unset xlabel\n", f);
    else
        fprintf(f, "  set xlabel 'time (UTC)' offset 0,%s\n",
                s->sim.duration_s > 86400.0 ? "-0.8" : "0");
    fputs("  unset arrow\n", f);
    cdn_timeline_marks_put_lines(f, m, 1);
    fprintf(f, "  plot $heat using (T0+$1+BIN/2):2:($%d*100) with image notitle\n", col);
}

void cdn_regions_write_gp(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r)
{
    rows_t w;
    find_rows(s, r, &w);
    size_t longest = 8;
    for (size_t g = 0; g < w.n; g++) {
        char label[CDN_NAME_MAX + 32];
        row_label(s, r, &w, g, label, sizeof label);
        longest = strlen(label) > longest ? strlen(label) : longest;
    }
    double left_px = fmin(30.0 + ROW_LABEL_PX_PER_CHAR * (double)longest, 420.0);
    double right_px = W_PX - 130.0;
    cdn_timeline_marks_t *m = cdn_timeline_marks_create(s, r, left_px, right_px);
    double strip = CDN_TIMELINE_STRIP_PX(m->rows);
    double panel = fmin(fmax(22.0 * (double)w.n, 180.0), 560.0);
    double h = TITLE_PX + strip + 2 * panel + GAP_PX + BOTTOM_PX;

    fprintf(f, "# cdnsim %s: the cascade across regions, scenario '%s' (seed %llu).\n",
            CDNSIM_VERSION, s->name, (unsigned long long)r->seed);
    fprintf(f,
            "# Draw it from inside this folder with:  gnuplot regions.gp\n"
            "# Writes regions.png and regions.svg from timeline_regions.csv.  Rows are\n"
            "# regions, ordered by onset: the first bin whose 5xx share is above\n"
            "# %g (metrics.impact_threshold_frac); regions never above it last,\n"
            "# in scenario order.\n",
            s->metrics.impact_threshold_frac);
    fprintf(f, "set datafile separator ','\nT0 = %lld\nBIN = %g\nN = %zu\nMARK_COLOR = '#555555'\n",
            (long long)s->sim.start_epoch_s, r->bin_s, w.n);
    fputs("# line of each row's region (top first) in a time step of timeline_regions.csv\n"
          "array line[N] = [",
          f);
    for (size_t i = 0; i < w.n; i++)
        fprintf(f, "%s%zu", i ? ", " : "", w.order[i] + 1);
    fputs("]\n# scan lines for `with image`: t_s, row, err5xx_frac, servers_failing_frac\n"
          "set table $heat\n",
          f);
    if (w.n > 1)
        fputs("plot for [i=1:N] 'timeline_regions.csv' every N::line[i] using 1:(i):9:12 with table\n",
              f);
    else /* `with image` needs two scan lines to size a row: the one region twice */
        fputs("plot 'timeline_regions.csv' every 1::1 using 1:(0.75):9:12 with table, \\\n"
              "     '' every 1::1 using 1:(1.25):9:12 with table\n",
              f);
    fputs("unset table\nset datafile separator whitespace\n", f);
    fprintf(f, "set xrange [T0:T0+%.0f]\nset yrange [N+0.5:0.5]\n", s->sim.duration_s);
    fprintf(f, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", left_px / W_PX,
            right_px / W_PX);
    fputs("set palette defined (0 '#ffffff', 0.1 '#fee8c8', 0.35 '#fdbb84', 0.65 '#e34a33', "
          "1 '#7f0000')\nset tics out\nunset key\n",
          f);
    cdn_gnuplot_put_outputs(f, "regions", W_PX, (int)h);
    char title[512];
    snprintf(title, sizeof title, "cdnsim: %s (seed %llu): regions by onset of 5xx above %g%%",
             s->name, (unsigned long long)r->seed, 100.0 * s->metrics.impact_threshold_frac);
    fputs("  set multiplot title ", f);
    cdn_gnuplot_put_string(f, title);
    fputs(" font ',13'\n", f);
    double y = TITLE_PX;
    cdn_timeline_marks_put_strip(f, m, 1.0 - y / h, 1.0 - (y + strip) / h);
    fputs("  unset grid\n  set yrange [N+0.5:0.5]\n", f);
    y += strip;
    put_panel(f, s, r, &w, m, right_px, h, y, panel, 3,
              cdn_gnuplot_fit_upper(w.peak_err, 100.0, 1.0), "HTTP 5xx (%)", 0);
    y += panel + GAP_PX;
    put_panel(f, s, r, &w, m, right_px, h, y, panel, 4,
              cdn_gnuplot_fit_upper(w.peak_failing, 100.0, 1.0), "servers failing (%)", 1);
    fputs("  unset multiplot\n  set output\n}\n", f);
    cdn_timeline_marks_destroy(m);
    free(w.order);
    free(w.onset);
}
