/*
 * cdn_report_compare.c -- the files of a `compare` results folder:
 * comparison.csv/.json/.md, replications.csv, timeline_quantiles.csv,
 * compare_timeline.gp, compare_metrics.gp; and the ranked table on stdout.
 *
 * Design
 *   The gnuplot scripts (cdn_report_figs.c) read the CSV files next to
 *   them, so a user can edit and re-run them.  They pick rows with
 *   `every`: in gnuplot the CSV header is point 0 of the file, so data row
 *   k is point k + 1.  comparison.csv is ordered strategy-major (strategy
 *   in the order given, then metric), so `every M::(1+m)` selects metric m
 *   of every strategy; timeline_quantiles.csv holds each strategy's bins
 *   as one run of rows.  Only the process that writes the folder (MPI
 *   rank 0, after all threads have joined) draws the figures
 *   (cdn_gnuplot.h).
 */
#include "cdn_report_int.h"

#include <inttypes.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

/* ------------------------------------------------------ ranked table */

static const cdn_metric_t HEADLINE[] = {CDN_MET_PEAK_ERR5XX,   CDN_MET_TIME_TO_MITIGATE,
                                        CDN_MET_USER_MINUTES,  CDN_MET_BLOCKED,
                                        CDN_MET_SITES_AFFECTED, CDN_MET_SITE_DOWN_MEAN};
#define NHEADLINE (sizeof HEADLINE / sizeof HEADLINE[0])

void cdn_report_ranked_table(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    size_t *rank = cdn_report_ranks_of(st), *order = cdn_report_by_rank(st, rank);
    size_t *shown = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *shown);
    int *tied = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *tied);
    cdn_report_tie_ranks(st, rank, shown, tied);
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
        cdn_report_fmt_mean(cell, sizeof cell, CDN_UNIT_REQUESTS, &s);
        fprintf(f, "| %zu%s | %s | %s |", shown[a], tied[a] ? "=" : "", st->arms[a].label, cell);
        if (a == info->ref) {
            fputs(" (reference) | |", f);
        } else {
            cdn_study_paired(st, a, info->ref, CDN_MET_FAILED, &d);
            cdn_report_fmt_diff(cell, sizeof cell, CDN_UNIT_REQUESTS, &d);
            fprintf(f, " %s |", cell);
            cdn_report_fmt_rel(cell, sizeof cell, &d, &ref_failed);
            fprintf(f, " %s |", cell);
        }
        for (size_t h = 0; h < NHEADLINE; h++) {
            cdn_study_summary(st, a, HEADLINE[h], &s);
            cdn_report_fmt_mean(cell, sizeof cell, cdn_metric_unit(HEADLINE[h]), &s);
            fprintf(f, " %s |", cell);
        }
        fputc('\n', f);
    }
    free(rank);
    free(order);
    free(shown);
    free(tied);
}

/* ------------------------------------------------------------ compare */

static void write_comparison_csv(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                                 const size_t *rank)
{
    char nb[CDN_REPORT_NAME_BUF];
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
            cdn_file_put_nums(f, (const double[]){s.mean, s.sd, s.lo, s.hi}, 4);
            fprintf(f, ",%zu,", d.n);
            cdn_file_put_nums(f, (const double[]){d.mean, d.lo, d.hi}, 3);
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
    char nb[CDN_REPORT_NAME_BUF], lb[CDN_REPORT_NAME_BUF];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddStringToObject(root, "command", "compare");
    cJSON_AddStringToObject(root, "version", CDNSIM_VERSION);
    cJSON_AddStringToObject(root, "scenario", st->arms[info->ref].scenario->name);
    cJSON_AddItemToObject(root, "seed", cdn_file_json_u64((uint64_t)st->seed));
    cJSON_AddItemToObject(root, "replications", cdn_file_json_u64((uint64_t)st->nreps));
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
    size_t *shown = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *shown);
    int *tied = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *tied);
    cdn_report_tie_ranks(st, rank, shown, tied);
    for (size_t a = 0; a < st->narms; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", st->arms[a].label);
        cJSON_AddNumberToObject(o, "rank", (double)shown[a]);
        cJSON_AddBoolToObject(o, "tied", tied[a]);
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
    free(shown);
    free(tied);
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

static void write_md(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info,
                     const size_t *rank)
{
    const cdn_scenario_t *s0 = st->arms[info->ref].scenario;
    size_t *order = cdn_report_by_rank(st, rank);
    char nb[CDN_REPORT_NAME_BUF], lb[CDN_REPORT_NAME_BUF], c1[256], c2[256], c3[64];
    fprintf(f, "# Strategy comparison: %s\n\n", s0->name);
    fprintf(f,
            "%zu replications of each strategy, seed %" PRIu64 ", with common random numbers "
            "(replication r of every strategy uses the same random streams, so differences "
            "are paired). Cells are means ± the half-width of their 95%% confidence interval "
            "(Student t); Δ is the mean paired difference to `%s` with its 95%% interval "
            "(pp: percentage points), and Δ %% is that difference relative to the `%s` mean. "
            "Ranked by mean failed requests (HTTP 5xx); `2=`: tied, the same failed requests and "
            "user-minutes lost in every replication.\n\n",
            st->nreps, st->seed, st->arms[info->ref].label, st->arms[info->ref].label);
    if (st->priors) /* --uncertainty */
        fprintf(f,
                "With `--uncertainty`: the replications are %zu draws of the scenario's priors x "
                "%zu seeds each, the same for every strategy. The intervals below treat the runs "
                "as independent, which the seeds of one draw are not; the spread due to the "
                "parameters and to the seeds, P(best) and whether the ranking is robust are in "
                "the section \"Uncertainty\" and uncertainty.csv (docs/uncertainty.md).\n\n",
                cdn_study_draws(st), st->seeds_per_draw);
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
            cdn_report_fmt_mean(c1, sizeof c1, u, &s);
            if (a == info->ref) {
                snprintf(c2, sizeof c2, "(reference)");
                c3[0] = '\0';
            } else {
                cdn_report_fmt_diff(c2, sizeof c2, u, &d);
                cdn_report_fmt_rel(c3, sizeof c3, &d, &r);
            }
            fprintf(f, "| %s | %s | %s | %s | %s |\n",
                    i == 0 ? cdn_study_metric_label(st, m, lb, sizeof lb) : "", st->arms[a].label,
                    c1, c2, c3);
        }
    }
    if (st->priors) {
        fputs("\n## Uncertainty\n", f);
        cdn_report_unc_table(f, st, info);
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

int cdn_report_compare(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                       cdn_error_t *err)
{
    size_t *rank = cdn_report_ranks_of(st);
    int rc = 0;
    FILE *f;
    CDN_REPORT_WRITE("comparison.csv", write_comparison_csv(f, st, info, rank));
    CDN_REPORT_WRITE("replications.csv", cdn_report_write_replications(f, st, "strategy"));
    CDN_REPORT_WRITE("comparison.md", write_md(f, st, info, rank));
    if (st->keep_timelines) {
        CDN_REPORT_WRITE("timeline_quantiles.csv", write_quantiles(f, st));
        CDN_REPORT_WRITE("compare_timeline.gp", cdn_report_compare_timeline_gp(f, st, info, rank));
    }
    CDN_REPORT_WRITE("compare_metrics.gp", cdn_report_compare_metrics_gp(f, st, info));
    if (rc == 0) {
        cJSON *root = comparison_json(st, info, rank);
        rc = cdn_file_write_json(dir, "comparison.json", root, err);
        cJSON_Delete(root);
    }
    free(rank);
    return rc;
}
