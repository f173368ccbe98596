/*
 * cdn_report_fit.c -- fit.json, fit_targets.md/.csv, fit_loss.csv/.gp and
 * manifest.json of a `fit` folder (contract: cdn_report_fit.h).
 *
 * Design
 *   Each file is one function over the plain-data cdn_report_fit_t.
 *   Medians and terms are recomputed here from the replication values
 *   with the loss's own functions (cdn_fit_median, cdn_fit_term), so the
 *   table and the loss cannot disagree.  Values are shown as
 *   calibration.md shows them (cdn_calreport_show*).  fit.json's numbers
 *   are written as raw shortest round-trip text (cdn_measure_shortest):
 *   cJSON's printer may drop digits that change the run.  The loss chart
 *   has a log y axis over the whole decades the loss spans; a loss of
 *   exactly 0 (a synthetic fit that lands on its targets) is drawn at
 *   LOSS_FLOOR, written into the script.
 *
 * Rejected: reusing calibration.md for before and after (two files that
 *   a reader must put side by side; the question is the difference).
 */
#include "cdn_report_fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_calreport.h"
#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "cdn_measure.h"
#include "cdn_report.h"
#include "sim_alloc.h"

#define LOSS_FLOOR 1e-6 /* the log axis's floor; a loss of 0 is drawn there */

/* A raw JSON number that reads back as v exactly. */
static cJSON *exact_num(double v)
{
    char buf[64];
    cdn_measure_shortest(buf, sizeof buf, v, 0);
    return sim_xcheck(cJSON_CreateRaw(buf), "a JSON number");
}

static int write_strategy(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    char name[CDN_NAME_MAX], text[4096], apply[2048];
    /* a strategy name is at most 63 characters: the scenario's, cut, + "-fit" */
    snprintf(name, sizeof name, "%.59s-fit", r->s->name);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", name);
    snprintf(text, sizeof text,
             "%zu free parameter%s of %s fitted by cdnsim fit to its calibration targets "
             "(loss %.6g -> %.6g).", r->k, r->k == 1 ? "" : "s", r->s->name, r->loss0, r->loss1);
    cJSON_AddStringToObject(root, "description", text);
    /* the fit holds for the scenario it was fitted on: with the same
     * strategy first and the same --set after */
    size_t n = (size_t)snprintf(apply, sizeof apply, "cdnsim run %s --strategy %s%sfit.json",
                                r->scenario_path, r->strategy, r->strategy[0] ? "+" : "");
    for (size_t i = 0; i < r->nsets && n < sizeof apply; i++)
        n += (size_t)snprintf(apply + n, sizeof apply - n, " --set '%s'", r->sets[i]);
    snprintf(text, sizeof text,
             "Nelder-Mead in logit(prior CDF) coordinates; medians of %llu replications (seed "
             "%llu, replications 0 to %llu, the same for every evaluation); %zu iterations, %zu "
             "evaluations. Apply with: %s. The values are fitted, not measured: see "
             "fit_targets.md for what they reproduce.",
             (unsigned long long)r->nrep, (unsigned long long)r->seed,
             (unsigned long long)(r->nrep - 1), r->res->iters, r->res->evals, apply);
    cJSON_AddStringToObject(root, "notes", text);
    cJSON *set = cJSON_AddArrayToObject(root, "set");
    for (size_t p = 0; p < r->k; p++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", cdn_priors_path(r->priors, r->idx[p]));
        cJSON_AddItemToObject(o, "value", exact_num(r->x1[p]));
        cJSON_AddItemToArray(set, o);
    }
    int rc = cdn_file_write_json(dir, "fit.json", root, err);
    cJSON_Delete(root);
    return rc;
}

typedef struct row {
    double pub, med0, med1, d0, d1, term0, term1;
    size_t miss0, miss1;
} row_t;

static row_t target_row(const cdn_report_fit_t *r, size_t t)
{
    const cdn_cal_target_spec_t *tg = &r->s->targets[t];
    row_t w;
    size_t n = (size_t)r->nrep;
    w.pub = tg->has_target ? tg->target : NAN;
    w.med0 = cdn_fit_median(r->before + t * n, n, &w.miss0);
    w.med1 = cdn_fit_median(r->after + t * n, n, &w.miss1);
    w.d0 = fabs(w.med0 - w.pub);
    w.d1 = fabs(w.med1 - w.pub);
    double scale = cdn_fit_scale(tg->metric);
    w.term0 = tg->has_target ? cdn_fit_term(w.med0, w.miss0, n, w.pub, scale) : NAN;
    w.term1 = tg->has_target ? cdn_fit_term(w.med1, w.miss1, n, w.pub, scale) : NAN;
    return w;
}

static int write_targets_md(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "fit_targets.md");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "fit_targets.md");
    fprintf(f, "# Fit: %s\n\n", r->s->name);
    fprintf(f,
            "Medians over %llu replications (seed %llu; the same replications at the start and "
            "at the fit). \"before\" is the scenario as written%s, \"after\" with fit.json "
            "applied. |diff| is |median - published|; \"loss\" is the target's term "
            "((median - published) / scale)^2, scale 1 min for times, 1 point for shares, 1 "
            "otherwise, plus the penalty for replications where it did not happen. Targets "
            "without a published value are shown, not fitted.\n\n",
            (unsigned long long)r->nrep, (unsigned long long)r->seed,
            r->strategy[0] || r->nsets ? " (with --strategy/--set)" : "");
    fputs("| parameter | prior | start | fitted |\n|---|---|---|---|\n", f);
    for (size_t p = 0; p < r->k; p++) {
        char prior[256];
        cdn_priors_describe(r->priors, r->idx[p], prior, sizeof prior);
        fprintf(f, "| `%s` | %s | %.6g | %.6g |\n", cdn_priors_path(r->priors, r->idx[p]), prior,
                r->x0[p], r->x1[p]);
    }
    fprintf(f, "\nLoss %.6g before, %.6g after (%zu iterations, %zu evaluations of %llu "
               "replications, %s).\n\n",
            r->loss0, r->loss1, r->res->iters, r->res->evals, (unsigned long long)r->nrep,
            r->res->converged ? "converged" : "stopped at --max-iter");
    fputs("| target | published | before | after | \\|diff\\| before | \\|diff\\| after | loss "
          "before | loss after |\n|---|---|---|---|---|---|---|---|\n", f);
    for (size_t t = 0; t < r->s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &r->s->targets[t];
        row_t w = target_row(r, t);
        char pub[48], b[48], a[48], d0[48], d1[48], l0[32], l1[32];
        if (tg->has_target)
            cdn_calreport_show(pub, sizeof pub, r->s, tg->metric, w.pub);
        else
            snprintf(pub, sizeof pub, "not published");
        cdn_calreport_show(b, sizeof b, r->s, tg->metric, w.med0);
        cdn_calreport_show(a, sizeof a, r->s, tg->metric, w.med1);
        cdn_calreport_show_spread(d0, sizeof d0, tg->metric, w.d0);
        cdn_calreport_show_spread(d1, sizeof d1, tg->metric, w.d1);
        snprintf(l0, sizeof l0, tg->has_target ? "%.4g" : "–", w.term0);
        snprintf(l1, sizeof l1, tg->has_target ? "%.4g" : "–", w.term1);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |", tg->name, pub, b, a, d0, d1, l0,
                l1);
        if (w.miss0 || w.miss1)
            fprintf(f, " (did not happen in %zu / %zu of %llu runs)", w.miss0, w.miss1,
                    (unsigned long long)r->nrep);
        fputc('\n', f);
    }
    return cdn_file_finish(f, dir, "fit_targets.md", err);
}

static int write_targets_csv(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "fit_targets.csv");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "fit_targets.csv");
    fputs("target,metric,published,before_median,after_median,before_absdiff,after_absdiff,"
          "before_missing,after_missing,before_term,after_term,in_loss\n", f);
    for (size_t t = 0; t < r->s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &r->s->targets[t];
        row_t w = target_row(r, t);
        cdn_file_put_csv(f, tg->name);
        fprintf(f, ",%s,", cdn_cal_metric_name(tg->metric));
        double v[5] = {w.pub, w.med0, w.med1, w.d0, w.d1};
        cdn_file_put_nums(f, v, 5);
        fprintf(f, ",%zu,%zu,", w.miss0, w.miss1);
        double t2[2] = {w.term0, w.term1};
        cdn_file_put_nums(f, t2, 2);
        fprintf(f, ",%d\n", tg->has_target);
    }
    return cdn_file_finish(f, dir, "fit_targets.csv", err);
}

static int write_loss_csv(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "fit_loss.csv");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "fit_loss.csv");
    fputs("iteration,loss,simplex_size", f);
    for (size_t p = 0; p < r->k; p++) {
        fputc(',', f);
        cdn_file_put_csv(f, cdn_priors_path(r->priors, r->idx[p]));
    }
    fputc('\n', f);
    size_t w = 3 + r->k;
    for (size_t i = 0; i < r->nlog; i++) {
        const double *row = r->log + i * w;
        fprintf(f, "%.0f,", row[0]);
        cdn_file_put_nums(f, row + 1, w - 1);
        fputc('\n', f);
    }
    return cdn_file_finish(f, dir, "fit_loss.csv", err);
}

static int write_loss_chart(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "fit_loss.gp");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "fit_loss.gp");
    size_t w = 3 + r->k;
    double top = LOSS_FLOOR, low = HUGE_VAL, last = 1;
    for (size_t i = 0; i < r->nlog; i++) {
        top = fmax(top, r->log[i * w + 1]);
        low = fmin(low, fmax(r->log[i * w + 1], LOSS_FLOOR));
        last = fmax(last, r->log[i * w]);
    }
    /* whole decades around the data; a loss at the floor (0, an exact
     * fit) gets a decade of room below it and a label saying what it is,
     * so the line neither hides in the axis nor reads as 1e-6 */
    int at_floor = low <= LOSS_FLOOR;
    double ylo = pow(10, floor(log10(low < HUGE_VAL ? low : LOSS_FLOOR)));
    if (at_floor)
        ylo = LOSS_FLOOR / 10;
    double yhi = pow(10, ceil(log10(top)));
    if (!(yhi > ylo))
        yhi = 10 * ylo;
    fprintf(f, "# cdnsim fit: the loss over the iterations (%s); redraw: gnuplot fit_loss.gp\n",
            r->s->name);
    fputs("# columns: iteration, loss (at the best point so far), simplex size\n$data << EOD\n", f);
    for (size_t i = 0; i < r->nlog; i++) {
        const double *row = r->log + i * w;
        fprintf(f, "%.0f %.9g %.9g\n", row[0], fmax(row[1], LOSS_FLOOR), row[2]);
    }
    fputs("EOD\n", f);
    cdn_gnuplot_put_outputs(f, "fit_loss", 900, 420);
    fprintf(f, "  set logscale y\n  set format y '%%g'\n  set grid\n  unset key\n"
               "  set xrange [0:%g]\n  set yrange [%g:%g]\n",
            last, ylo * 0.9, yhi * 1.1);
    if (yhi / ylo <= 1000.5) { /* few decades: label 1, 2 and 5 of each */
        fputs("  set ytics (", f);
        const char *sep = "";
        for (double d = ylo; d < yhi * 1.001; d *= 10)
            for (int m = 0; m < 3; m++) {
                double v = d * (m == 0 ? 1 : m == 1 ? 2 : 5);
                if (v <= yhi * 1.001) {
                    fprintf(f, "%s%g", sep, v);
                    sep = ", ";
                }
            }
        fputs(")\n", f);
    }
    if (at_floor)
        fprintf(f, "  set label 1 'loss below %g (0: every target met) drawn at %g' "
                   "at graph 0.98, first %g right\n",
                LOSS_FLOOR, LOSS_FLOOR, LOSS_FLOOR * 2.5);
    char title[512];
    snprintf(title, sizeof title, "%s: fit loss, %zu parameter%s, %llu replications per evaluation",
             r->s->name, r->k, r->k == 1 ? "" : "s", (unsigned long long)r->nrep);
    fputs("  set title ", f);
    cdn_gnuplot_put_string(f, title);
    fputs("\n  set xlabel 'Nelder-Mead iteration'\n"
          "  set ylabel 'loss: sum of ((median - published) / scale)^2'\n"
          "  plot $data using 1:2 with steps lw 2 lc rgb '#4c72b0' title 'loss at the best point'\n}\n",
          f);
    return cdn_file_finish(f, dir, "fit_loss.gp", err);
}

static int write_manifest(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    cJSON *root = cdn_report_manifest_base("fit", r->argc, r->argv, r->scenario_path,
                                           r->scenario_sha256);
    cJSON *scn = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scn, "path", r->scenario_path);
    cJSON_AddStringToObject(scn, "name", r->s->name);
    cJSON_AddStringToObject(scn, "sha256", r->scenario_sha256);
    cJSON_AddStringToObject(root, "strategy", r->strategy);
    cJSON *sets = cJSON_AddArrayToObject(root, "set");
    for (size_t i = 0; i < r->nsets; i++)
        cJSON_AddItemToArray(sets, cJSON_CreateString(r->sets[i]));
    cJSON_AddStringToObject(root, "method", "nelder-mead (gsl nmsimplex2) in logit(prior CDF)");
    cJSON_AddItemToObject(root, "seed", cdn_file_json_u64(r->seed));
    cJSON_AddItemToObject(root, "replications", cdn_file_json_u64(r->nrep));
    cJSON_AddItemToObject(root, "max_iter", cdn_file_json_u64(r->max_iter));
    cJSON_AddItemToObject(root, "tol", cdn_file_json_num(r->tol));
    cJSON_AddItemToObject(root, "step", cdn_file_json_num(r->step));
    cJSON_AddItemToObject(root, "tie_breaker", cdn_file_json_num(CDN_FIT_TIE));
    cJSON_AddItemToObject(root, "missing_penalty", cdn_file_json_num(CDN_FIT_MISSING));
    cJSON_AddNumberToObject(root, "iterations", (double)r->res->iters);
    cJSON_AddNumberToObject(root, "evaluations", (double)r->res->evals);
    cJSON_AddNumberToObject(root, "restarts", (double)r->res->restarts);
    cJSON_AddBoolToObject(root, "converged", r->res->converged);
    cJSON_AddItemToObject(root, "loss_before", cdn_file_json_num(r->loss0));
    cJSON_AddItemToObject(root, "loss_after", cdn_file_json_num(r->loss1));
    cJSON_AddNumberToObject(root, "jobs", (double)r->jobs);
    cJSON_AddItemToObject(root, "wall_s", cdn_file_json_num(r->wall_s));
    cJSON *par = cJSON_AddArrayToObject(root, "parameters");
    for (size_t p = 0; p < r->k; p++) {
        cJSON *o = cdn_priors_json(r->priors, r->idx[p]);
        cJSON_AddItemToObject(o, "start", exact_num(r->x0[p]));
        cJSON_AddItemToObject(o, "fitted", exact_num(r->x1[p]));
        cJSON_AddItemToArray(par, o);
    }
    int rc = cdn_file_write_json(dir, "manifest.json", root, err);
    cJSON_Delete(root);
    return rc;
}

int cdn_report_fit(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err)
{
    int rc = write_strategy(dir, r, err);
    if (rc == 0)
        rc = write_targets_md(dir, r, err);
    if (rc == 0)
        rc = write_targets_csv(dir, r, err);
    if (rc == 0)
        rc = write_loss_csv(dir, r, err);
    if (rc == 0)
        rc = write_loss_chart(dir, r, err);
    if (rc == 0)
        rc = write_manifest(dir, r, err);
    return rc;
}
