/*
 * cdn_report.c -- writes the results of a study: tables for programs (CSV,
 * JSON), a table for people (Markdown), gnuplot scripts, a manifest.
 *
 * Design
 *   Byte-identical output for the same study is the rule, so nothing here
 *   reads the clock, the host, the jobs or the ranks, except the manifest.
 *   Doubles go through one function, cdn_file_put_num(), which writes the shortest
 *   of %.15g / %.17g that reads back as the same double (the approach of
 *   cJSON, which writes the JSON files).  The Markdown tables round for
 *   people; the CSV files never round.
 *
 *   The gnuplot scripts read the CSV files next to them, so a user can edit
 *   and re-run them.  They pick rows with `every`: in gnuplot the CSV
 *   header is point 0 of the file, so data row k is point k + 1.
 *   comparison.csv is ordered strategy-major (strategy in the order given,
 *   then metric), so `every M::(1+m)` selects metric m of every strategy;
 *   timeline_quantiles.csv holds each strategy's bins as one run of rows.
 *   A strategy has the same colour in both figures: the colour of its rank.
 *
 *   Files are opened, closed and their errors reported by cdn_file.h, and
 *   gnuplot is run by cdn_gnuplot.h, shared with `cdnsim run`.  Only the
 *   process that writes the folder (MPI rank 0, after all threads have
 *   joined) forks gnuplot.
 */
#include "cdn_report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "cdn_resultdir.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif
#ifndef CDNSIM_GIT_COMMIT
#define CDNSIM_GIT_COMMIT "unknown"
#endif

#define NAME_BUF (CDN_NAME_MAX + 32)

static const char *const COLORS[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                     "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                     "#7f7f7f", "#bcbd22"};
#define NCOLORS (sizeof COLORS / sizeof COLORS[0])

/* ---------------------------------------------------------------- files */

/* ------------------------------------------------------------- ranking */

void cdn_report_ranks(const cdn_study_t *st, size_t *rank)
{
    size_t *order = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *order);
    double *key1 = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *key1);
    double *key2 = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *key2);
    for (size_t a = 0; a < st->narms; a++) {
        sim_stats_summary_t s;
        order[a] = a;
        cdn_study_summary(st, a, CDN_MET_FAILED, &s);
        key1[a] = isnan(s.mean) ? INFINITY : s.mean;
        cdn_study_summary(st, a, CDN_MET_USER_MINUTES, &s);
        key2[a] = isnan(s.mean) ? INFINITY : s.mean;
    }
    /* insertion sort: stable, few arms, no global comparator state */
    for (size_t i = 1; i < st->narms; i++) {
        size_t x = order[i], j = i;
        while (j > 0 && (key1[order[j - 1]] > key1[x] ||
                         (key1[order[j - 1]] == key1[x] && key2[order[j - 1]] > key2[x]))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    for (size_t i = 0; i < st->narms; i++)
        rank[order[i]] = i + 1;
    free(order);
    free(key1);
    free(key2);
}

static size_t *ranks_of(const cdn_study_t *st)
{
    size_t *rank = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *rank);
    cdn_report_ranks(st, rank);
    return rank;
}

/* arms in rank order */
static size_t *by_rank(const cdn_study_t *st, const size_t *rank)
{
    size_t *order = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *order);
    for (size_t a = 0; a < st->narms; a++)
        order[rank[a] - 1] = a;
    return order;
}

/* ------------------------------------------------------ human numbers */

/* Scale of a requests count: divisor and suffix. */
static double req_scale(double v, const char **suffix)
{
    double a = fabs(v);
    if (a >= 1e9) {
        *suffix = " bn";
        return 1e9;
    }
    if (a >= 1e6) {
        *suffix = " M";
        return 1e6;
    }
    if (a >= 1e3) {
        *suffix = " k";
        return 1e3;
    }
    *suffix = "";
    return 1.0;
}

/* display factor and unit text for a unit (requests: by magnitude `ref`) */
static double display(cdn_unit_t u, double ref, const char **suffix)
{
    switch (u) {
    case CDN_UNIT_SHARE:
        *suffix = "%";
        return 100.0;
    case CDN_UNIT_SECONDS:
        *suffix = " min";
        return 1.0 / 60.0;
    case CDN_UNIT_MINUTES:
        *suffix = " min";
        return 1.0;
    case CDN_UNIT_MS:
        *suffix = " ms";
        return 1.0;
    case CDN_UNIT_REQUESTS:
    default:
        return 1.0 / req_scale(ref, suffix);
    }
}

static int decimals(cdn_unit_t u)
{
    return u == CDN_UNIT_SHARE ? 2 : u == CDN_UNIT_MS ? 0 : 1;
}

/* "62.60% ± 0.41" */
static void fmt_mean(char *buf, size_t n, cdn_unit_t u, const sim_stats_summary_t *s)
{
    if (s->n == 0 || isnan(s->mean)) {
        snprintf(buf, n, "n/a");
        return;
    }
    if (s->mean == 0.0 && (isnan(s->half_width) || s->half_width == 0.0)) {
        snprintf(buf, n, "0");
        return;
    }
    const char *suf;
    double k = display(u, fmax(fabs(s->mean), isnan(s->half_width) ? 0 : s->half_width), &suf);
    int d = decimals(u);
    if (isnan(s->half_width))
        snprintf(buf, n, "%.*f%s", d, s->mean * k, suf);
    else
        snprintf(buf, n, "%.*f%s ± %.*f", d, s->mean * k, suf, d, s->half_width * k);
}

/* "-563.8 bn [-565.2, -562.3]" */
static void fmt_diff(char *buf, size_t n, cdn_unit_t u, const sim_stats_summary_t *s)
{
    if (s->n == 0 || isnan(s->mean)) {
        snprintf(buf, n, "n/a");
        return;
    }
    if (s->mean == 0.0 && (isnan(s->half_width) || s->half_width == 0.0)) {
        snprintf(buf, n, "0");
        return;
    }
    const char *suf;
    double ref = fmax(fabs(s->mean), fmax(isnan(s->lo) ? 0 : fabs(s->lo), isnan(s->hi) ? 0 : fabs(s->hi)));
    double k = display(u, ref, &suf);
    int d = decimals(u);
    if (u == CDN_UNIT_SHARE)
        suf = " pp";
    if (isnan(s->half_width))
        snprintf(buf, n, "%+.*f%s", d, s->mean * k, suf);
    else
        snprintf(buf, n, "%+.*f%s [%+.*f, %+.*f]", d, s->mean * k, suf, d, s->lo * k, d, s->hi * k);
}

static void fmt_rel(char *buf, size_t n, const sim_stats_summary_t *d, const sim_stats_summary_t *ref)
{
    if (d->n == 0 || isnan(d->mean) || isnan(ref->mean) || ref->mean == 0.0)
        snprintf(buf, n, "n/a");
    else if (d->mean == 0.0)
        snprintf(buf, n, "0");
    else
        snprintf(buf, n, "%+.1f%%", 100.0 * d->mean / ref->mean);
}

/* ------------------------------------------------------ ranked table */

static const cdn_metric_t HEADLINE[] = {CDN_MET_PEAK_ERR5XX,   CDN_MET_TIME_TO_MITIGATE,
                                        CDN_MET_USER_MINUTES,  CDN_MET_BLOCKED,
                                        CDN_MET_SITES_AFFECTED, CDN_MET_SITE_DOWN_MEAN};
#define NHEADLINE (sizeof HEADLINE / sizeof HEADLINE[0])

void cdn_report_ranked_table(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    size_t *rank = ranks_of(st), *order = by_rank(st, rank);
    char cell[256];
    fputs("| rank | strategy | failed requests | Δ failed vs baseline | Δ % |", f);
    for (size_t h = 0; h < NHEADLINE; h++)
        fprintf(f, " %s |", cdn_metric_label(HEADLINE[h]));
    fputs("\n|---:|---|---:|---:|---:|", f);
    for (size_t h = 0; h < NHEADLINE; h++)
        fputs("---:|", f);
    fputc('\n', f);
    sim_stats_summary_t ref_failed;
    cdn_study_summary(st, info->ref, CDN_MET_FAILED, &ref_failed);
    for (size_t i = 0; i < st->narms; i++) {
        size_t a = order[i];
        sim_stats_summary_t s, d;
        cdn_study_summary(st, a, CDN_MET_FAILED, &s);
        fmt_mean(cell, sizeof cell, CDN_UNIT_REQUESTS, &s);
        fprintf(f, "| %zu | %s | %s |", rank[a], st->arms[a].label, cell);
        if (a == info->ref) {
            fputs(" (reference) | |", f);
        } else {
            cdn_study_paired(st, a, info->ref, CDN_MET_FAILED, &d);
            fmt_diff(cell, sizeof cell, CDN_UNIT_REQUESTS, &d);
            fprintf(f, " %s |", cell);
            fmt_rel(cell, sizeof cell, &d, &ref_failed);
            fprintf(f, " %s |", cell);
        }
        for (size_t h = 0; h < NHEADLINE; h++) {
            cdn_study_summary(st, a, HEADLINE[h], &s);
            fmt_mean(cell, sizeof cell, cdn_metric_unit(HEADLINE[h]), &s);
            fprintf(f, " %s |", cell);
        }
        fputc('\n', f);
    }
    free(rank);
    free(order);
}

/* ------------------------------------------------------------ compare */

static void write_comparison_csv(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                                 const size_t *rank)
{
    char nb[NAME_BUF];
    fputs("strategy,rank,metric,unit,n,mean,sd,ci95_lo,ci95_hi,diff_n,diff_mean,diff_ci95_lo,"
          "diff_ci95_hi,diff_rel\n",
          f);
    for (size_t a = 0; a < st->narms; a++)
        for (size_t m = 0; m < st->nmetrics; m++) {
            sim_stats_summary_t s, d, r;
            cdn_study_summary(st, a, m, &s);
            cdn_study_paired(st, a, info->ref, m, &d);
            cdn_study_summary(st, info->ref, m, &r);
            cdn_file_put_csv(f, st->arms[a].label);
            fprintf(f, ",%zu,%s,%s,%zu,", rank[a], cdn_study_metric_name(st, m, nb, sizeof nb),
                    cdn_unit_name(cdn_study_metric_unit(st, m)), s.n);
            cdn_file_put_num(f, s.mean);
            fputc(',', f);
            cdn_file_put_num(f, s.sd);
            fputc(',', f);
            cdn_file_put_num(f, s.lo);
            fputc(',', f);
            cdn_file_put_num(f, s.hi);
            fprintf(f, ",%zu,", d.n);
            cdn_file_put_num(f, d.mean);
            fputc(',', f);
            cdn_file_put_num(f, d.lo);
            fputc(',', f);
            cdn_file_put_num(f, d.hi);
            fputc(',', f);
            if (d.n > 0 && !isnan(r.mean) && r.mean != 0.0)
                cdn_file_put_num(f, d.mean / r.mean);
            fputc('\n', f);
        }
}

static cJSON *interval(double lo, double hi)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cdn_file_json_num(lo));
    cJSON_AddItemToArray(a, cdn_file_json_num(hi));
    return a;
}

static cJSON *comparison_json(const cdn_study_t *st, const cdn_report_info_t *info,
                              const size_t *rank)
{
    char nb[NAME_BUF], lb[NAME_BUF];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddStringToObject(root, "command", "compare");
    cJSON_AddStringToObject(root, "version", CDNSIM_VERSION);
    cJSON_AddStringToObject(root, "scenario", st->arms[info->ref].scenario->name);
    cJSON_AddNumberToObject(root, "seed", (double)st->seed);
    cJSON_AddNumberToObject(root, "replications", (double)st->nreps);
    cJSON_AddNumberToObject(root, "confidence", CDN_STUDY_LEVEL);
    cJSON_AddStringToObject(root, "reference", st->arms[info->ref].label);
    cJSON_AddStringToObject(root, "ranked_by", "failed_requests");
    cJSON *metrics = cJSON_AddArrayToObject(root, "metrics");
    for (size_t m = 0; m < st->nmetrics; m++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", cdn_study_metric_name(st, m, nb, sizeof nb));
        cJSON_AddStringToObject(o, "unit", cdn_unit_name(cdn_study_metric_unit(st, m)));
        cJSON_AddStringToObject(o, "label", cdn_study_metric_label(st, m, lb, sizeof lb));
        cJSON_AddItemToArray(metrics, o);
    }
    cJSON *strategies = cJSON_AddArrayToObject(root, "strategies");
    for (size_t a = 0; a < st->narms; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", st->arms[a].label);
        cJSON_AddNumberToObject(o, "rank", (double)rank[a]);
        cJSON *ov = cJSON_AddArrayToObject(o, "overlays");
        for (size_t k = 0; k < st->arms[a].noverlays; k++) {
            const cdn_overlay_t *x = st->arms[a].overlays[k];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", cdn_overlay_name(x));
            if (cdn_overlay_description(x))
                cJSON_AddStringToObject(e, "description", cdn_overlay_description(x));
            cJSON_AddItemToArray(ov, e);
        }
        cJSON_AddItemToArray(strategies, o);
    }
    cJSON *rows = cJSON_AddArrayToObject(root, "rows");
    for (size_t a = 0; a < st->narms; a++)
        for (size_t m = 0; m < st->nmetrics; m++) {
            sim_stats_summary_t s, d, r;
            cdn_study_summary(st, a, m, &s);
            cdn_study_paired(st, a, info->ref, m, &d);
            cdn_study_summary(st, info->ref, m, &r);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "strategy", st->arms[a].label);
            cJSON_AddStringToObject(o, "metric", cdn_study_metric_name(st, m, nb, sizeof nb));
            cJSON_AddNumberToObject(o, "n", (double)s.n);
            cJSON_AddItemToObject(o, "mean", cdn_file_json_num(s.mean));
            cJSON_AddItemToObject(o, "sd", cdn_file_json_num(s.sd));
            cJSON_AddItemToObject(o, "ci95", interval(s.lo, s.hi));
            cJSON *df = cJSON_CreateObject();
            cJSON_AddNumberToObject(df, "n", (double)d.n);
            cJSON_AddItemToObject(df, "mean", cdn_file_json_num(d.mean));
            cJSON_AddItemToObject(df, "ci95", interval(d.lo, d.hi));
            cJSON_AddItemToObject(df, "rel", cdn_file_json_num(d.n > 0 && r.mean != 0.0 ? d.mean / r.mean : NAN));
            cJSON_AddItemToObject(o, "diff_vs_reference", df);
            cJSON_AddItemToArray(rows, o);
        }
    return root;
}

static void write_replications(FILE *f, const cdn_study_t *st, const char *first_col)
{
    char nb[NAME_BUF];
    fprintf(f, "%s,replication", first_col);
    for (size_t m = 0; m < st->nmetrics; m++)
        fprintf(f, ",%s", cdn_study_metric_name(st, m, nb, sizeof nb));
    fputc('\n', f);
    for (size_t a = 0; a < st->narms; a++)
        for (size_t r = 0; r < st->nreps; r++) {
            cdn_file_put_csv(f, st->arms[a].label);
            fprintf(f, ",%zu", r);
            for (size_t m = 0; m < st->nmetrics; m++) {
                fputc(',', f);
                cdn_file_put_num(f, cdn_study_value(st, a, r, m));
            }
            fputc('\n', f);
        }
}

static void write_md(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                     const size_t *rank)
{
    const cdn_scenario_t *s0 = st->arms[info->ref].scenario;
    size_t *order = by_rank(st, rank);
    char nb[NAME_BUF], lb[NAME_BUF], c1[256], c2[256], c3[64];
    fprintf(f, "# Strategy comparison: %s\n\n", s0->name);
    fprintf(f,
            "%zu replications of each strategy, seed %" PRIu64 ", with common random numbers "
            "(replication r of every strategy uses the same random streams, so differences "
            "are paired). Cells are means ± the half-width of their 95%% confidence interval "
            "(Student t); Δ is the mean paired difference to `%s` with its 95%% interval "
            "(pp: percentage points), and Δ %% is that difference relative to the `%s` mean. "
            "Ranked by mean failed requests (HTTP 5xx).\n\n",
            st->nreps, st->seed, st->arms[info->ref].label, st->arms[info->ref].label);
    cdn_report_ranked_table(f, st, info);
    fprintf(f, "\n## Every metric, with the paired difference to `%s`\n\n",
            st->arms[info->ref].label);
    fputs("| metric | strategy | mean ± 95% CI | Δ vs reference [95% CI] | Δ % |\n"
          "|---|---|---:|---:|---:|\n",
          f);
    for (size_t m = 0; m < st->nmetrics; m++) {
        sim_stats_summary_t r;
        cdn_study_summary(st, info->ref, m, &r);
        for (size_t i = 0; i < st->narms; i++) {
            size_t a = order[i];
            sim_stats_summary_t s, d;
            cdn_study_summary(st, a, m, &s);
            cdn_study_paired(st, a, info->ref, m, &d);
            cdn_unit_t u = cdn_study_metric_unit(st, m);
            fmt_mean(c1, sizeof c1, u, &s);
            if (a == info->ref) {
                snprintf(c2, sizeof c2, "(reference)");
                c3[0] = '\0';
            } else {
                fmt_diff(c2, sizeof c2, u, &d);
                fmt_rel(c3, sizeof c3, &d, &r);
            }
            fprintf(f, "| %s | %s | %s | %s | %s |\n",
                    i == 0 ? cdn_study_metric_label(st, m, lb, sizeof lb) : "", st->arms[a].label,
                    c1, c2, c3);
        }
    }
    fputs("\n## Strategies\n\n", f);
    for (size_t i = 0; i < st->narms; i++) {
        const cdn_arm_t *arm = &st->arms[order[i]];
        fprintf(f, "- **%s**", arm->label);
        if (arm->noverlays == 1 && cdn_overlay_description(arm->overlays[0]))
            fprintf(f, ": %s", cdn_overlay_description(arm->overlays[0]));
        else
            for (size_t k = 0; k < arm->noverlays; k++)
                fprintf(f, "%s%s%s%s", k ? "; then " : ": ", cdn_overlay_name(arm->overlays[k]),
                        cdn_overlay_description(arm->overlays[k]) ? ": " : "",
                        cdn_overlay_description(arm->overlays[k])
                            ? cdn_overlay_description(arm->overlays[k])
                            : "");
        if (order[i] == info->ref && info->ref_added)
            fputs(" (added as the reference)", f);
        fputc('\n', f);
    }
    fprintf(f,
            "\nMetric definitions: docs/compare.md. Data: comparison.csv, comparison.json, "
            "replications.csv; figures: compare_timeline.png, compare_metrics.png. "
            "Scenario %s; cdnsim %s.\n",
            s0->name, CDNSIM_VERSION);
    (void)nb;
    free(order);
}

/* quantiles of the 5xx / blocked share per strategy and bin */
static void write_quantiles(FILE *f, const cdn_study_t *st)
{
    static const double q[3] = {0.05, 0.50, 0.95};
    double *v = sim_xmalloc((st->nreps ? st->nreps : 1) * sizeof *v);
    fputs("strategy,t_s,utc,err5xx_p05,err5xx_p50,err5xx_p95,blocked_p05,blocked_p50,blocked_p95\n", f);
    for (size_t a = 0; a < st->narms; a++) {
        const cdn_arm_t *arm = &st->arms[a];
        for (size_t b = 0; b < arm->nbins; b++) {
            char utc[32];
            double t = (double)b * arm->scenario->sim.bin_s;
            cdn_scenario_utc(arm->scenario, t, utc, sizeof utc);
            cdn_file_put_csv(f, arm->label);
            fprintf(f, ",%.0f,%s", t, utc);
            for (int which = 0; which < 2; which++)
                for (int k = 0; k < 3; k++) {
                    for (size_t r = 0; r < st->nreps; r++)
                        v[r] = cdn_study_timeline(st, a, r, which, b);
                    double x = sim_stats_quantile(v, st->nreps, q[k]);
                    if (isnan(x))
                        fputc(',', f);
                    else
                        fprintf(f, ",%.6f", x);
                }
            fputc('\n', f);
        }
    }
    free(v);
}

static void gp_terminal(FILE *f, const char *stem, int w, int h)
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

#define REF_COLOR "#333333"

/* the colour of an arm in both figures: by rank, the reference dark grey */
static const char *arm_color(const size_t *rank, size_t a, size_t ref)
{
    return a == ref ? REF_COLOR : COLORS[(rank[a] - 1) % NCOLORS];
}

/* One strategy in a panel of the timeline figure: the 5-95% band (5xx
 * panel only) and the median. */
static void write_timeline_arm(FILE *f, const cdn_study_t *st, size_t a, size_t off, int which,
                               const char *col, int is_ref, int first)
{
    size_t p0 = off + 1, p1 = off + st->arms[a].nbins;
    int c = which == 0 ? 4 : 7;
    fputs(first ? "" : ", \\\n       ", f);
    if (which == 0)
        fprintf(f,
                "'timeline_quantiles.csv' every ::%zu::%zu using 3:($%d*100):($%d*100) "
                "with filledcurves fs transparent solid 0.10 noborder lc rgb '%s' notitle, \\\n       ",
                p0, p1, c, c + 2, col);
    fprintf(f, "'timeline_quantiles.csv' every ::%zu::%zu using 3:($%d*100) with lines lw %s%s lc rgb '%s' title ",
            p0, p1, c + 1, is_ref ? "2.5" : "2", is_ref ? " dt 2" : "", col);
    cdn_gnuplot_put_string(f, st->arms[a].label);
}

static void write_timeline_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                              const size_t *rank)
{
    const cdn_scenario_t *s0 = st->arms[info->ref].scenario;
    char t_end[32], title[512];
    double end = 0;
    for (size_t a = 0; a < st->narms; a++)
        end = fmax(end, st->arms[a].scenario->sim.duration_s);
    cdn_scenario_utc(s0, end, t_end, sizeof t_end);
    fprintf(f, "# cdnsim %s: 5xx share per strategy, scenario '%s', %zu replications.\n",
            CDNSIM_VERSION, s0->name, st->nreps);
    fputs("# Draw it from inside this folder with:  gnuplot compare_timeline.gp\n"
          "# Reads timeline_quantiles.csv; writes compare_timeline.png and .svg.\n"
          "set datafile separator ','\n"
          "set xdata time\n"
          "set timefmt '%Y-%m-%dT%H:%M:%SZ'\n"
          "set format x '%H:%M'\n",
          f);
    fprintf(f, "set xrange ['%s':'%s']\n", s0->sim.start_utc, t_end);
    fputs("set grid\nset key top right box opaque invert\n", f);
    double top[2] = {0, 0}; /* largest share in each panel */
    for (size_t a = 0; a < st->narms; a++)
        for (size_t r = 0; r < st->nreps; r++)
            for (size_t b = 0; b < st->arms[a].nbins; b++)
                for (int w = 0; w < 2; w++) {
                    double v = cdn_study_timeline(st, a, r, w, b);
                    if (v > top[w])
                        top[w] = v;
                }
    gp_terminal(f, "compare_timeline", 1400, 1000);
    snprintf(title, sizeof title,
             "cdnsim: %s, median over %zu replications per strategy, band 5-95%%", s0->name,
             st->nreps);
    fputs("  set multiplot layout 2,1 title ", f);
    cdn_gnuplot_put_string(f, title);
    fputs(" font ',13'\n", f);
    size_t *off = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *off);
    for (size_t a = 0, o = 0; a < st->narms; a++) {
        off[a] = o;
        o += st->arms[a].nbins;
    }
    for (int which = 0; which < 2; which++) {
        fprintf(f, "  set ylabel '%s (%%)'\n", which == 0 ? "HTTP 5xx share (median, 5-95% band)"
                                                         : "falsely blocked share (median)");
        fprintf(f, "  set xlabel %s\n  set yrange [0:%s]\n", which == 0 ? "''" : "'time (UTC)'",
                top[which] > 0 ? "*" : "1");
        fputs("  plot ", f);
        /* worst first, so that better strategies are drawn on top; the
         * reference last, dashed, so that it shows where another
         * strategy coincides with it */
        size_t *order = by_rank(st, rank);
        int first = 1;
        for (size_t i = st->narms; i-- > 0;) {
            size_t a = order[i];
            if (a == info->ref)
                continue;
            write_timeline_arm(f, st, a, off[a], which, arm_color(rank, a, info->ref), 0, first);
            first = 0;
        }
        write_timeline_arm(f, st, info->ref, off[info->ref], which, REF_COLOR, 1, first);
        free(order);
        fputc('\n', f);
    }
    free(off);
    fputs("  unset multiplot\n  set output\n}\n", f);
}

/* metrics that have at least one value */
static int has_values(const cdn_study_t *st, size_t m)
{
    for (size_t a = 0; a < st->narms; a++)
        for (size_t r = 0; r < st->nreps; r++)
            if (!isnan(cdn_study_value(st, a, r, m)))
                return 1;
    return 0;
}

static void write_metrics_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    const cdn_scenario_t *s0 = st->arms[info->ref].scenario;
    char lb[NAME_BUF], title[512];
    size_t shown = 0;
    for (size_t m = 0; m < st->nmetrics; m++)
        shown += (size_t)has_values(st, m);
    size_t cols = 4, rows = (shown + cols - 1) / cols;
    if (rows == 0)
        rows = 1;
    fprintf(f, "# cdnsim %s: metrics per strategy with 95%% confidence intervals, scenario '%s'.\n",
            CDNSIM_VERSION, s0->name);
    fputs("# Draw it from inside this folder with:  gnuplot compare_metrics.gp\n"
          "# Reads comparison.csv (rows: strategy, then metric); bars are ordered by rank.\n"
          "set datafile separator ','\n"
          "set style fill solid 0.75 border -1\n"
          "set boxwidth 0.7\n"
          "set grid ytics\n"
          "unset key\n"
          "set xtics rotate by 30 right font ',8' nomirror\n"
          "set lmargin 12\n",
          f);
    size_t *rank = ranks_of(st);
    for (size_t k = 0; k < st->narms || k < NCOLORS; k++)
        fprintf(f, "set linetype %zu lc rgb '%s'\n", k + 1,
                k < st->narms && rank[info->ref] == k + 1 ? REF_COLOR : COLORS[k % NCOLORS]);
    free(rank);
    fprintf(f, "set xrange [0.4:%zu.6]\n", st->narms);
    gp_terminal(f, "compare_metrics", 1600, (int)(60 + 300 * rows));
    snprintf(title, sizeof title, "cdnsim: %s, mean and 95%% CI over %zu replications", s0->name,
             st->nreps);
    fprintf(f, "  set multiplot layout %zu,%zu title ", rows, cols);
    cdn_gnuplot_put_string(f, title);
    fputs(" font ',13'\n", f);
    for (size_t m = 0; m < st->nmetrics; m++) {
        if (!has_values(st, m))
            continue;
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
        cdn_unit_t u = cdn_study_metric_unit(st, m);
        double k = display(u, ref, &suf);
        char t[NAME_BUF + 32];
        snprintf(t, sizeof t, "%s (%s)", cdn_study_metric_label(st, m, lb, sizeof lb),
                 suf[0] == ' ' ? suf + 1 : suf[0] ? suf : "requests");
        fputs("  set title ", f);
        cdn_gnuplot_put_string(f, t);
        /* gnuplot cannot autoscale an all-zero range (and says so) */
        fprintf(f, " font ',10'\n  set yrange [0:%s]\n", ref > 0 ? "*" : "1");
        fprintf(f,
                "  plot 'comparison.csv' every %zu::%zu using 2:($6*%.17g):2:xtic(1) with boxes lc variable, \\\n"
                "       '' every %zu::%zu using 2:($6*%.17g):($8*%.17g):($9*%.17g) with yerrorbars "
                "lc rgb '#222222' pt 7 ps 0.3 lw 1.5\n",
                st->nmetrics, m + 1, k, st->nmetrics, m + 1, k, k, k);
    }
    fputs("  unset multiplot\n  set output\n}\n", f);
}

int cdn_report_compare(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                       cdn_error_t *err)
{
    size_t *rank = ranks_of(st);
    int rc = 0;
    FILE *f;
#define WRITE(file, body)                                                                          \
    do {                                                                                           \
        if (rc == 0) {                                                                             \
            if ((f = cdn_file_open(dir, file)) == NULL) {                                        \
                rc = cdn_file_io_error(err, dir, file);                                          \
            } else {                                                                               \
                body;                                                                              \
                rc = cdn_file_finish(f, dir, file, err);                                                 \
            }                                                                                      \
        }                                                                                          \
    } while (0)
    WRITE("comparison.csv", write_comparison_csv(f, st, info, rank));
    WRITE("replications.csv", write_replications(f, st, "strategy"));
    WRITE("comparison.md", write_md(f, st, info, rank));
    if (st->keep_timelines) {
        WRITE("timeline_quantiles.csv", write_quantiles(f, st));
        WRITE("compare_timeline.gp", write_timeline_gp(f, st, info, rank));
    }
    WRITE("compare_metrics.gp", write_metrics_gp(f, st, info));
    if (rc == 0) {
        cJSON *root = comparison_json(st, info, rank);
        rc = cdn_file_write_json(dir, "comparison.json", root, err);
        cJSON_Delete(root);
    }
    free(rank);
    return rc;
}

/* -------------------------------------------------------------- sweep */

static void write_sweep_csv(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    char nb[NAME_BUF];
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
            cdn_file_put_num(f, s.mean);
            fputc(',', f);
            cdn_file_put_num(f, s.sd);
            fputc(',', f);
            cdn_file_put_num(f, s.lo);
            fputc(',', f);
            cdn_file_put_num(f, s.hi);
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

static void write_sweep_gp(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    char nb[NAME_BUF], lb[NAME_BUF], title[1024];
    size_t m = info->metric;
    double ref = 0;
    for (size_t a = 0; a < st->narms; a++) {
        sim_stats_summary_t s;
        cdn_study_summary(st, a, m, &s);
        if (!isnan(s.mean))
            ref = fmax(ref, fabs(s.mean));
    }
    const char *suf;
    double k = display(cdn_study_metric_unit(st, m), ref, &suf);
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
        gp_terminal(f, "sweep", 1200, 700);
        snprintf(title, sizeof title, "cdnsim sweep: %s (%s), mean and 95%% CI, %zu replications",
                 cdn_study_metric_label(st, m, lb, sizeof lb), unit, st->nreps);
        fputs("  set title ", f);
        cdn_gnuplot_put_string(f, title);
        fputs("\n  set xlabel ", f);
        cdn_gnuplot_put_string(f, info->param[0]);
        fputs("\n  set ylabel ", f);
        cdn_gnuplot_put_string(f, unit);
        fputc('\n', f);
        fprintf(f, "  set xrange [-0.5:%zu.5]\n  set yrange [0:*]\n  ", info->nvalues[0] - 1);
        gp_tics(f, "x", info, 0);
        fprintf(f,
                "  plot 'sweep.csv' every %zu::%zu using 3:($11*%.17g) with linespoints lw 2 pt 7 "
                "lc rgb '#1f77b4', \\\n"
                "       '' every %zu::%zu using 3:($11*%.17g):($13*%.17g):($14*%.17g) with yerrorbars "
                "lc rgb '#1f77b4' pt 0\n",
                st->nmetrics, m + 1, k, st->nmetrics, m + 1, k, k, k);
    } else {
        gp_terminal(f, "sweep", 1200, 900);
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
        fputs("  set palette defined (0 '#ffffcc', 0.5 '#fd8d3c', 1 '#800026')\n"
              "  set cblabel ",
              f);
        cdn_gnuplot_put_string(f, unit);
        fputc('\n', f);
        fprintf(f,
                "  plot 'sweep.csv' every %zu::%zu using 3:6:($11*%.17g) with image, \\\n"
                "       '' every %zu::%zu using 3:6:(sprintf('%%.3g', $11*%.17g)) with labels "
                "font ',9'\n",
                st->nmetrics, m + 1, k, st->nmetrics, m + 1, k);
    }
    fputs("  set output\n}\n", f);
}

int cdn_report_sweep(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                     cdn_error_t *err)
{
    int rc = 0;
    FILE *f;
    WRITE("sweep.csv", write_sweep_csv(f, st, info));
    WRITE("replications.csv", write_replications(f, st, "point"));
    WRITE("sweep.gp", write_sweep_gp(f, st, info));
#undef WRITE
    return rc;
}

/* ----------------------------------------------------------- manifest */

static cJSON *hash_str(uint64_t h)
{
    char b[24];
    snprintf(b, sizeof b, "%016" PRIx64, h);
    return cJSON_CreateString(b);
}

int cdn_report_manifest(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                        cdn_error_t *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddStringToObject(root, "command", info->command);
    cJSON_AddStringToObject(root, "version", CDNSIM_VERSION);
    cJSON_AddStringToObject(root, "git_commit", CDNSIM_GIT_COMMIT);
    cJSON *scn = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scn, "path", info->scenario_path);
    cJSON_AddStringToObject(scn, "name", st->arms[0].scenario->name);
    cJSON_AddItemToObject(scn, "fnv1a64", hash_str(info->scenario_hash));
    cJSON_AddNumberToObject(root, "seed", (double)st->seed);
    cJSON *arms = cJSON_AddArrayToObject(root, strcmp(info->command, "sweep") == 0 ? "points" : "strategies");
    for (size_t a = 0; a < st->narms; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", st->arms[a].label);
        cJSON *ov = cJSON_AddArrayToObject(o, "overlays");
        for (size_t k = 0; k < st->arms[a].noverlays; k++) {
            const cdn_overlay_t *x = st->arms[a].overlays[k];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", cdn_overlay_name(x));
            if (cdn_overlay_path(x)) {
                cJSON_AddStringToObject(e, "path", cdn_overlay_path(x));
                cJSON_AddItemToObject(e, "fnv1a64", hash_str(cdn_overlay_hash(x)));
            }
            cJSON_AddItemToArray(ov, e);
        }
        cJSON_AddItemToArray(arms, o);
    }
    if (strcmp(info->command, "sweep") == 0) {
        cJSON *ps = cJSON_AddArrayToObject(root, "parameters");
        for (size_t p = 0; p < info->nparams; p++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "path", info->param[p]);
            cJSON *vs = cJSON_AddArrayToObject(o, "values");
            for (size_t i = 0; i < info->nvalues[p]; i++)
                cJSON_AddItemToArray(vs, cJSON_CreateString(info->values[p][i]));
            cJSON_AddItemToArray(ps, o);
        }
        cJSON_AddStringToObject(root, "strategy", info->strategy);
    }
    cJSON_AddNumberToObject(root, "replications", (double)st->nreps);
    cJSON_AddNumberToObject(root, "replications_asked", (double)info->n_asked);
    if (info->precision > 0) {
        cJSON_AddNumberToObject(root, "precision", info->precision);
        cJSON_AddNumberToObject(root, "max_n", (double)info->max_n);
        cJSON_AddBoolToObject(root, "precision_reached", info->precise);
    }
    cJSON_AddNumberToObject(root, "jobs", (double)info->jobs);
    cJSON_AddNumberToObject(root, "mpi_ranks", (double)info->ranks);
    int rc = cdn_file_write_json(dir, "manifest.json", root, err);
    cJSON_Delete(root);
    return rc;
}

int cdn_report_is_ours(const char *dir, const char *command)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/manifest.json", dir) >= (int)sizeof path)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = 0, cap = 0;
    char *buf = NULL;
    for (;;) { /* a manifest lists every strategy: no fixed size */
        if (n == cap) {
            if (cap >= ((size_t)16 << 20)) /* not a manifest of ours */
                break;
            cap = cap ? 2 * cap : 65536;
            buf = sim_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    cJSON *root = cJSON_ParseWithLengthOpts(buf, n, NULL, 0);
    free(buf);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "program");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "command");
    int ours = cJSON_IsString(p) && strcmp(p->valuestring, "cdnsim") == 0 && cJSON_IsString(c) &&
               strcmp(c->valuestring, command) == 0;
    cJSON_Delete(root);
    return ours;
}
