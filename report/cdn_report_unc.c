/*
 * cdn_report_unc.c -- what `--uncertainty` adds to a compare or sweep
 * folder: draws.csv, uncertainty.csv, uncertainty_metrics.csv, the
 * manifest's "uncertainty" record and the terminal table (formats:
 * docs/output-format.md; how to read them: docs/uncertainty.md).
 *
 * Design
 *   Everything is computed once into a view (unc_view_t) from the study's
 *   rows and the statistics of cdn_unc.h, then written by each writer:
 *   the files, the record and the table cannot disagree.  Replication r
 *   is seed r % M of draw r / M (cdn_study.h), so a metric's values of one
 *   arm, in replication order, are already the nested table y[d * M + s]
 *   that cdn_unc_decompose() takes.
 *
 *   The headline metric: compare ranks by failed requests (cdn_report.h),
 *   so its P(best) and P(beats baseline) are on failed requests, lower is
 *   better; a sweep's is the metric it plots (--metric), and a sweep has
 *   no P columns (its points are settings, not rivals).  The verdict is
 *   cdn_unc_robust() on the top arm against the runner-up of the ranking.
 *
 *   The drawn values in draws.csv are drawn again from the priors
 *   (cdn_study_draw_values: keyed streams, so the same values the tasks
 *   used), not stored by the tasks.
 *
 * Errors: 0 or CDN_EIO with err set.  Threads: main's thread only.
 */
#include "cdn_report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_metrics.h"
#include "cdn_unc.h"
#include "sim_alloc.h"

typedef struct unc_view {
    size_t draws, m, narms, metric, nprior;
    int compare;          /* P columns and verdict */
    double *means;        /* [draw * narms + arm]: draw means of the headline metric */
    cdn_unc_decomp_t *dec; /* [arm]: of the headline metric */
    double *p_best, *p_beats_ref; /* [arm] (compare) */
    size_t *rank, *order; /* compare: 1-based rank of each arm, arms by rank */
    size_t *shown;        /* compare: rank shown, ties sharing the first's */
    int *tied;
    size_t ref;
    size_t runner;        /* order index of the runner-up: the first outside the top's tie */
    double p_top; /* P(top beats runner-up), NaN when every arm ties */
    size_t top_ties, top_counted; /* draws they tie in, of the draws both have (cdn_unc_ties) */
} unc_view_t;

/* The metric's values of arm a in replication order: y[d * M + s]. */
static double *arm_values(const cdn_study_t *st, size_t a, size_t metric, size_t n)
{
    double *y = sim_xmalloc((n ? n : 1) * sizeof *y);
    for (size_t r = 0; r < n; r++)
        y[r] = cdn_study_value(st, a, r, metric);
    return y;
}

static void view_make(unc_view_t *v, const cdn_study_t *st, const cdn_report_info_t *info)
{
    memset(v, 0, sizeof *v);
    v->compare = strcmp(info->command, "compare") == 0;
    v->m = st->seeds_per_draw;
    v->draws = cdn_study_draws(st);
    v->narms = st->narms;
    v->nprior = cdn_priors_count(st->priors);
    v->metric = v->compare ? (size_t)CDN_MET_FAILED : info->metric;
    v->ref = info->ref;
    size_t n = v->draws * v->m;
    v->means = sim_xmalloc((v->draws * v->narms + 1) * sizeof *v->means);
    v->dec = sim_xcalloc(v->narms, sizeof *v->dec);
    double *dm = sim_xmalloc((v->draws + 1) * sizeof *dm);
    for (size_t a = 0; a < v->narms; a++) {
        double *y = arm_values(st, a, v->metric, n);
        cdn_unc_decompose(y, v->draws, v->m, &v->dec[a]);
        cdn_unc_draw_means(y, v->draws, v->m, dm);
        for (size_t d = 0; d < v->draws; d++)
            v->means[d * v->narms + a] = dm[d];
        free(y);
    }
    free(dm);
    v->p_top = NAN;
    if (!v->compare)
        return;
    v->p_best = sim_xmalloc(v->narms * sizeof *v->p_best);
    v->p_beats_ref = sim_xmalloc(v->narms * sizeof *v->p_beats_ref);
    cdn_unc_p_best(v->means, v->draws, v->narms, 1, v->p_best);
    for (size_t a = 0; a < v->narms; a++)
        v->p_beats_ref[a] = a == v->ref ? NAN
                                        : cdn_unc_p_beats(v->means, v->draws, v->narms, a, v->ref, 1);
    v->rank = cdn_report_ranks_of(st);
    v->order = cdn_report_by_rank(st, v->rank);
    v->shown = sim_xmalloc(v->narms * sizeof *v->shown);
    v->tied = sim_xmalloc(v->narms * sizeof *v->tied);
    cdn_report_tie_ranks(st, v->rank, v->shown, v->tied);
    /* arms tied with the top ran identically: the runner-up is the next other one */
    v->runner = 1;
    while (v->runner < v->narms && v->shown[v->order[v->runner]] == v->shown[v->order[0]])
        v->runner++;
    if (v->runner < v->narms) {
        v->p_top = cdn_unc_p_beats(v->means, v->draws, v->narms, v->order[0],
                                   v->order[v->runner], 1);
        v->top_ties = cdn_unc_ties(v->means, v->draws, v->narms, v->order[0], v->order[v->runner],
                                   &v->top_counted);
    }
}

static void view_free(unc_view_t *v)
{
    free(v->means);
    free(v->dec);
    free(v->p_best);
    free(v->p_beats_ref);
    free(v->rank);
    free(v->order);
    free(v->shown);
    free(v->tied);
}

/* Arm shown in row i: by rank for compare, as given for sweep. */
static size_t row_arm(const unc_view_t *v, size_t i)
{
    return v->compare ? v->order[i] : i;
}

static void write_draws(FILE *f, const cdn_study_t *st, const unc_view_t *v)
{
    fputs("draw", f);
    for (size_t i = 0; i < v->nprior; i++) {
        fputc(',', f);
        cdn_file_put_csv(f, cdn_priors_path(st->priors, i));
    }
    for (size_t a = 0; a < v->narms; a++) {
        fputc(',', f);
        cdn_file_put_csv(f, st->arms[a].label);
    }
    fputc('\n', f);
    double values[CDN_PRIORS_MAX];
    for (size_t d = 0; d < v->draws; d++) {
        cdn_priors_draw(st->priors, st->seed, d, values); /* as the runs drew them */
        fprintf(f, "%zu,", d);
        cdn_file_put_nums(f, values, v->nprior);
        fputc(',', f);
        cdn_file_put_nums(f, v->means + d * v->narms, v->narms);
        fputc('\n', f);
    }
}

static void write_unc_csv(FILE *f, const cdn_study_t *st, const unc_view_t *v)
{
    char nb[CDN_REPORT_NAME_BUF];
    const char *metric = cdn_study_metric_name(st, v->metric, nb, sizeof nb);
    fputs(v->compare ? "rank,strategy," : "point,", f);
    fputs("metric,draws,seeds_per_draw,n,mean,sd_params,sd_seeds,share_params", f);
    fputs(v->compare ? ",p_best,p_beats_baseline\n" : "\n", f);
    for (size_t i = 0; i < v->narms; i++) {
        size_t a = row_arm(v, i);
        const cdn_unc_decomp_t *u = &v->dec[a];
        if (v->compare)
            fprintf(f, "%zu,", v->shown[a]);
        cdn_file_put_csv(f, st->arms[a].label);
        fputc(',', f);
        cdn_file_put_csv(f, metric);
        fprintf(f, ",%zu,%zu,%zu,", v->draws, v->m, u->n);
        double row[4] = {u->mean, sqrt(u->var_params), sqrt(u->var_seeds), u->share_params};
        cdn_file_put_nums(f, row, 4);
        if (v->compare) {
            fputc(',', f);
            cdn_file_put_num(f, v->p_best[a]);
            fputc(',', f);
            cdn_file_put_num(f, v->p_beats_ref[a]);
        }
        fputc('\n', f);
    }
}

static void write_unc_metrics(FILE *f, const cdn_study_t *st, const unc_view_t *v)
{
    char nb[CDN_REPORT_NAME_BUF];
    size_t n = v->draws * v->m;
    fputs(v->compare ? "strategy," : "point,", f);
    fputs("metric,n,mean,var_params,var_seeds,share_params\n", f);
    for (size_t a = 0; a < v->narms; a++)
        for (size_t m = 0; m < st->nmetrics; m++) {
            cdn_unc_decomp_t u;
            double *y = arm_values(st, a, m, n);
            cdn_unc_decompose(y, v->draws, v->m, &u);
            free(y);
            cdn_file_put_csv(f, st->arms[a].label);
            fputc(',', f);
            cdn_file_put_csv(f, cdn_study_metric_name(st, m, nb, sizeof nb));
            fprintf(f, ",%zu,", u.n);
            double row[4] = {u.mean, u.var_params, u.var_seeds, u.share_params};
            cdn_file_put_nums(f, row, 4);
            fputc('\n', f);
        }
}

/* The verdict as one sentence. */
static void verdict(char *buf, size_t n, const cdn_study_t *st, const unc_view_t *v)
{
    if (v->runner >= v->narms) {
        snprintf(buf, n, "nothing to rank: %s", v->narms < 2 ? "one strategy"
                                                             : "every strategy ran identically");
        return;
    }
    if (isnan(v->p_top)) {
        snprintf(buf, n, "ranking not robust: no draw has failed requests for both %s and %s",
                 st->arms[v->order[0]].label, st->arms[v->order[v->runner]].label);
        return;
    }
    size_t top = v->order[0], next = v->order[v->runner];
    char with[512] = "", tied[96] = "";
    if (v->runner > 1)
        snprintf(with, sizeof with, " (tied with %zu other%s that ran identically)", v->runner - 1,
                 v->runner > 2 ? "s" : "");
    if (v->top_ties == v->top_counted) { /* no draw separates them: the other metrics rank them */
        snprintf(buf, n,
                 "ranking not robust: %s%s and the runner-up %s tie on failed requests in every "
                 "one of %zu draws; user-minutes lost orders them, which this verdict does not judge",
                 st->arms[top].label, with, st->arms[next].label, v->top_counted);
        return;
    }
    if (v->top_ties > 0) /* p_top counts them as half: say so */
        snprintf(tied, sizeof tied, ", %zu of them tied and counted as half", v->top_ties);
    if (v->draws < CDN_UNC_ROBUST_MIN_DRAWS) {
        snprintf(buf, n,
                 "ranking not judged: %s%s beats the runner-up %s on failed requests in %.0f%% "
                 "of %zu draws%s, too few to judge (at least %d draws)",
                 st->arms[top].label, with, st->arms[next].label, 100.0 * v->p_top, v->draws,
                 tied, CDN_UNC_ROBUST_MIN_DRAWS);
        return;
    }
    snprintf(buf, n,
             "ranking %s: %s%s beats the runner-up %s on failed requests in %.0f%% of %zu draws%s "
             "(robust when >= %.0f%%)",
             cdn_unc_robust(v->p_top, v->draws) ? "robust" : "not robust", st->arms[top].label,
             with, st->arms[next].label, 100.0 * v->p_top, v->draws, tied,
             100.0 * CDN_UNC_ROBUST_P);
}

int cdn_report_unc(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                   cdn_error_t *err)
{
    if (st->priors == NULL)
        return 0;
    unc_view_t v;
    view_make(&v, st, info);
    int rc = 0;
    FILE *f;
    CDN_REPORT_WRITE("draws.csv", write_draws(f, st, &v));
    CDN_REPORT_WRITE("uncertainty.csv", write_unc_csv(f, st, &v));
    CDN_REPORT_WRITE("uncertainty_metrics.csv", write_unc_metrics(f, st, &v));
    view_free(&v);
    return rc;
}

cJSON *cdn_report_unc_manifest(const cdn_study_t *st, const cdn_report_info_t *info)
{
    if (st->priors == NULL)
        return NULL;
    unc_view_t v;
    char nb[CDN_REPORT_NAME_BUF];
    view_make(&v, st, info);
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "draws", (double)v.draws);
    cJSON_AddNumberToObject(u, "seeds_per_draw", (double)v.m);
    cJSON *pr = cJSON_AddArrayToObject(u, "priors");
    for (size_t i = 0; i < v.nprior; i++) {
        cJSON_AddItemToArray(pr, cdn_priors_json(st->priors, i));
    }
    cJSON_AddStringToObject(u, "metric", cdn_study_metric_name(st, v.metric, nb, sizeof nb));
    cJSON_AddStringToObject(u, "decomposition", "one-way random effects (ANOVA): "
                                                "var_params = max(0, (MSB - MSW) / n0), "
                                                "var_seeds = MSW");
    cJSON *arms = cJSON_AddArrayToObject(u, v.compare ? "strategies" : "points");
    for (size_t i = 0; i < v.narms; i++) {
        size_t a = row_arm(&v, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", st->arms[a].label);
        cJSON_AddItemToObject(o, "mean", cdn_file_json_num(v.dec[a].mean));
        cJSON_AddItemToObject(o, "var_params", cdn_file_json_num(v.dec[a].var_params));
        cJSON_AddItemToObject(o, "var_seeds", cdn_file_json_num(v.dec[a].var_seeds));
        cJSON_AddItemToObject(o, "share_params", cdn_file_json_num(v.dec[a].share_params));
        if (v.compare) {
            cJSON_AddItemToObject(o, "p_best", cdn_file_json_num(v.p_best[a]));
            cJSON_AddItemToObject(o, "p_beats_baseline", cdn_file_json_num(v.p_beats_ref[a]));
        }
        cJSON_AddItemToArray(arms, o);
    }
    if (v.compare) {
        char buf[1024];
        verdict(buf, sizeof buf, st, &v);
        cJSON_AddBoolToObject(u, "lower_is_better", 1);
        cJSON_AddItemToObject(u, "p_top_beats_runner_up", cdn_file_json_num(v.p_top));
        cJSON_AddBoolToObject(u, "robust", cdn_unc_robust(v.p_top, v.draws));
        cJSON_AddStringToObject(u, "verdict", buf);
    }
    view_free(&v);
    return u;
}


/* One table cell: the value with dec decimals and its unit, or "—" where
 * it is undefined (NaN: a metric no run of the arm defined), as the CSV
 * leaves the field empty. */
static void put_cell(FILE *f, double v, int dec, const char *suffix)
{
    if (isnan(v))
        fputs("| — ", f);
    else
        fprintf(f, "| %.*f%s ", dec, v, suffix);
}
void cdn_report_unc_table(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info)
{
    if (st->priors == NULL)
        return;
    unc_view_t v;
    char nb[CDN_REPORT_NAME_BUF];
    view_make(&v, st, info);
    const char *metric = cdn_study_metric_name(st, v.metric, nb, sizeof nb);
    cdn_unit_t unit = cdn_study_metric_unit(st, v.metric);
    fprintf(f, "\nUncertainty: %zu parameter draws x %zu seeds; %s (sd: parameters | seeds)\n\n",
            v.draws, v.m, metric);
    fputs(v.compare ? "| rank | strategy | mean | sd params | sd seeds | share params | P(best) "
                      "| P(beats baseline) |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
                    : "| point | mean | sd params | sd seeds | share params |\n"
                      "|---|---:|---:|---:|---:|\n",
          f);
    for (size_t i = 0; i < v.narms; i++) {
        size_t a = row_arm(&v, i);
        const cdn_unc_decomp_t *u = &v.dec[a];
        const char *suffix;
        double k = cdn_report_display(unit, u->mean, &suffix);
        int dec = cdn_report_decimals(unit);
        if (v.compare)
            fprintf(f, "| %zu%s ", v.shown[a], v.tied[a] ? "=" : "");
        fprintf(f, "| %s ", st->arms[a].label);
        put_cell(f, u->mean * k, dec, suffix);
        put_cell(f, sqrt(u->var_params) * k, dec, suffix);
        put_cell(f, sqrt(u->var_seeds) * k, dec, suffix);
        put_cell(f, u->share_params, 2, "");
        if (v.compare) {
            put_cell(f, v.p_best[a], 2, "");
            if (a == v.ref)
                fputs("| — ", f);
            else
                put_cell(f, v.p_beats_ref[a], 2, "");
        }
        fputs("|\n", f);
    }
    if (v.compare) {
        char buf[1024];
        verdict(buf, sizeof buf, st, &v);
        fprintf(f, "\n%s\n", buf);
    }
    view_free(&v);
}
