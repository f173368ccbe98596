/*
 * cdn_cmd_fit.c -- `cdnsim fit`: the free parameters named by --param
 * fitted to the scenario's calibration targets, written to
 * results/<name>-fit/.
 *
 * Design
 *   Setup is sensitivity's (cdn_cmd_sensitivity.c): the tree is read once,
 *   --strategy and --set are applied, the priors are read and removed from
 *   it (the base every evaluation copies).  Each --param must be the path
 *   of a continuous prior of the scenario: the prior gives the bounds and
 *   the coordinates (cdn_fit.h); the start is the key's value in the
 *   effective scenario (cdn_loader_effective, so a key left to its default
 *   starts at the default).  Parameters without --param keep their
 *   written values; their priors play no part.
 *
 *   An evaluation at z sets each parameter to x = Q(logistic(z)) (at the
 *   start z0 exactly, the written value itself, so "before" is the
 *   scenario as written and not a round trip of it), as one overlay
 *   shared read-only by the threads, and runs replications 0..n-1 with
 *   the one seed on cdn_runner.h: task r copies the base, applies the
 *   overlay, validates (a value the scenario refuses is an error naming
 *   it), simulates and measures every calibration target (one row of
 *   ntargets doubles per task).  Rows are stored by replication, so the
 *   loss, and with it the whole Nelder-Mead path, is the same for any -j.
 *   After the minimiser (cdn_fit_minimize) the best point is evaluated
 *   once more for the "after" column.
 *
 *   The job struct owns everything; fit_free() is the one cleanup path,
 *   and the results folder is aborted on every failure after prepare.
 *
 * Rejected: fitting every prior of the scenario by default (a fit of
 *   many parameters to six targets is under-determined; naming them
 *   makes the user choose what the targets can tell apart).
 */
#include "cdn_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cdn_calibration.h"
#include "cdn_cmd_study.h"
#include "cdn_digest.h"
#include "cdn_error.h"
#include "cdn_fit.h"
#include "cdn_gnuplot.h"
#include "cdn_html.h"
#include "cdn_json.h"
#include "cdn_loader.h"
#include "cdn_measure.h"
#include "cdn_path.h"
#include "cdn_priors.h"
#include "cdn_report_fit.h"
#include "cdn_resultdir.h"
#include "cdn_runner.h"
#include "cdn_summary.h"
#include "cdn_world.h"
#include "sim_alloc.h"

#define FIT_STEP 1.0 /* initial simplex step in z: F moves from 0.5 to 0.73 */

typedef struct fit_job {
    const char *scenario_path;
    cJSON *base;              /* tree with --strategy/--set applied, without "priors" */
    cdn_priors_t *priors;
    cdn_scenario_t *s0;       /* the scenario as written (+ overlays): targets, name */
    size_t k;                 /* parameters */
    size_t idx[CDN_PRIORS_MAX];
    double x0[CDN_PRIORS_MAX], z0[CDN_PRIORS_MAX];
    uint64_t seed, nrep;
    size_t ntargets;
    const cdn_overlay_t *point; /* the evaluation's overlay, shared by the tasks */
    double *rows;             /* [nrep * ntargets] of the current evaluation */
    double *vals;             /* [ntargets * nrep]: rows transposed */
    double *before, *after;   /* [ntargets * nrep] */
    int have_before;
    double *log;              /* [nlog * (3 + k)] */
    size_t nlog, caplog;
    cdn_runner_t *runner;
    int quiet;
    char sha256[CDN_DIGEST_HEX_LEN];
    cdn_overlay_t *ov[CDN_CMD_STUDY_MAX_OVERLAYS];
    size_t nov;
    char label[256];
    cdn_resultdir_t dir;
    int prepared;
} fit_job_t;

static void fit_free(fit_job_t *j)
{
    if (j->prepared)
        cdn_resultdir_abort(&j->dir);
    cJSON_Delete(j->base);
    cdn_priors_destroy(j->priors);
    cdn_scenario_destroy(j->s0);
    free(j->rows);
    free(j->vals);
    free(j->before);
    free(j->after);
    free(j->log);
    cdn_runner_destroy(j->runner);
    for (size_t i = 0; i < j->nov; i++)
        cdn_overlay_destroy(j->ov[i]);
}

/* ---- one task: replication r at the current point ---------------------- */

static size_t task_len(void *ctx, size_t task)
{
    (void)task;
    return ((fit_job_t *)ctx)->ntargets;
}

static double *task_row(void *ctx, size_t task)
{
    fit_job_t *j = ctx;
    return &j->rows[task * j->ntargets];
}

static int task_run(void *ctx, void *wctx, size_t task, double *row, cdn_error_t *err)
{
    (void)wctx; /* every evaluation is another scenario: nothing to share */
    const fit_job_t *j = ctx;
    const cdn_overlay_t *ov[1] = {j->point};
    cJSON *tree = cJSON_Duplicate(j->base, 1);
    cdn_scenario_t *s = NULL;
    cdn_result_t *res = NULL;
    int rc = cdn_overlay_load_tree(tree, j->scenario_path, ov, 1, &s, err);
    if (rc == 0)
        rc = cdn_world_run(s, j->seed, task, &res, err);
    if (rc == 0) {
        cdn_summary_t m;
        cdn_summary_compute(s, res, &m);
        for (size_t t = 0; t < j->ntargets; t++)
            row[t] = cdn_calibration_value(s, res, &m, t);
    }
    cdn_result_destroy(res);
    cdn_scenario_destroy(s);
    cJSON_Delete(tree);
    return rc;
}

/* ---- evaluations -------------------------------------------------------- */

/* x[p] of parameter p at z (the written start exactly at z0). */
static void values_at(const fit_job_t *j, const double *z, double *x)
{
    for (size_t p = 0; p < j->k; p++)
        x[p] = z[p] == j->z0[p] ? j->x0[p]
                                : cdn_priors_written(j->priors, j->idx[p],
                                                     cdn_fit_x_of_z(j->priors, j->idx[p], z[p]));
}

/* Runs the replications at values x into j->vals; 0 or a CDN_E* code. */
static int simulate(fit_job_t *j, const double *x, cdn_error_t *err)
{
    cdn_overlay_t *o = cdn_overlay_create("fit", "--param");
    int rc = 0;
    for (size_t p = 0; rc == 0 && p < j->k; p++) {
        char text[64];
        cdn_measure_shortest(text, sizeof text, x[p], 0);
        rc = cdn_overlay_add_set_text(o, cdn_priors_path(j->priors, j->idx[p]), text, err);
    }
    if (rc == 0) {
        cdn_runner_ops_t ops = {j, task_len, task_row, task_run, NULL, NULL};
        j->point = o;
        rc = cdn_runner_run(j->runner, 0, (size_t)j->nrep, 1, &ops, err);
        j->point = NULL;
    }
    cdn_overlay_destroy(o);
    for (size_t r = 0; rc == 0 && r < j->nrep; r++)
        for (size_t t = 0; t < j->ntargets; t++)
            j->vals[t * j->nrep + r] = j->rows[r * j->ntargets + t];
    return rc;
}

static int evaluate(void *ctx, const double *z, double *loss, cdn_error_t *err)
{
    fit_job_t *j = ctx;
    double x[CDN_PRIORS_MAX];
    values_at(j, z, x);
    int rc = simulate(j, x, err);
    if (rc != 0)
        return rc;
    *loss = cdn_fit_loss(j->s0, j->vals, (size_t)j->nrep);
    if (!j->have_before) { /* the first evaluation is the start's */
        memcpy(j->before, j->vals, j->ntargets * j->nrep * sizeof *j->vals);
        j->have_before = 1;
    }
    return 0;
}

static void on_iter(void *ctx, size_t iter, double loss, double size, const double *z)
{
    fit_job_t *j = ctx;
    size_t w = 3 + j->k;
    if (j->nlog == j->caplog)
        j->log = sim_xrealloc(j->log, (j->caplog = j->caplog ? 2 * j->caplog : 64) * w * sizeof *j->log);
    double *row = j->log + j->nlog++ * w;
    row[0] = (double)iter;
    row[1] = loss;
    row[2] = size;
    values_at(j, z, row + 3);
    if (!j->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "\rcdnsim: fit: iteration %zu, loss %.6g, simplex %.3g   ", iter, loss, size);
}

/* ---- setup -------------------------------------------------------------- */

/* The key's value at a prior's path in the effective tree: *v, and 0; 1
 * if no number is there; 2 if the path selects several keys whose values
 * differ (one parameter sets them all to one value, so "before" would not
 * be the scenario as written). */
static int start_value(cJSON *tree, const char *path, double *v)
{
    cdn_path_seg_t *segs = NULL;
    size_t nsegs = 0;
    char why[256];
    int rc = 1;
    *v = NAN;
    if (cdn_path_compile(path, &segs, &nsegs, why, sizeof why) != 0)
        return 1;
    cdn_path_sel_t sel = {0};
    cdn_path_select(segs, nsegs - 1, tree, &sel);
    for (size_t k = 0; k < sel.n; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(sel.node[k], segs[nsegs - 1].text);
        if (!cJSON_IsNumber(x)) {
            rc = 1;
            break;
        }
        if (k > 0 && x->valuedouble != *v) {
            rc = 2;
            break;
        }
        *v = x->valuedouble;
        rc = 0;
    }
    cdn_path_sel_free(&sel);
    cdn_path_free(segs, nsegs);
    return rc;
}

/* Reads the tree, applies --strategy and --set, reads the priors. */
static int fit_load(fit_job_t *j, const cdn_cli_args_t *a, cdn_error_t *err)
{
    int rc = cdn_cmd_load_priors_base(j->scenario_path, j->ov, j->nov, j->sha256, &j->base,
                                      &j->s0, &j->priors, err);
    if (rc == 0) {
        j->seed = a->seen[CDN_OPT_SEED] ? a->num[CDN_OPT_SEED] : j->s0->sim.seed;
        j->ntargets = j->s0->ntargets;
    }
    size_t published = 0;
    for (size_t t = 0; rc == 0 && t < j->ntargets; t++)
        published += j->s0->targets[t].has_target ? 1 : 0;
    if (rc == 0 && published == 0) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: $.calibration.targets: fit needs at least one target with a published "
                 "value (\"target\" or \"target_utc\"), found %zu targets and none published",
                 j->scenario_path, j->ntargets);
        rc = err->code = CDN_EDATA;
    }
    return rc;
}

/* Each --param names a continuous prior, once; the starts. */
static int fit_params(fit_job_t *j, const cdn_cli_args_t *a, cdn_error_t *err)
{
    size_t np = cdn_priors_count(j->priors);
    for (size_t q = 0; q < a->nlist[CDN_OPT_PARAM]; q++) {
        const char *path = a->list[CDN_OPT_PARAM][q];
        size_t i = 0;
        while (i < np && strcmp(cdn_priors_path(j->priors, i), path) != 0)
            i++;
        for (size_t p = 0; p < j->k; p++)
            if (j->idx[p] == i && i < np) {
                cdn_cli_usage_error("--param '%s' is given twice", path);
                return err->code = CDN_EUSAGE;
            }
        if (i == np) {
            int n = snprintf(err->msg, sizeof err->msg,
                             "%s: --param '%s' is not the path of a prior of the scenario; fit "
                             "takes its bounds from $.priors (docs/uncertainty.md). Its priors:",
                             j->scenario_path, path);
            for (size_t k = 0; k < np && n > 0 && (size_t)n < sizeof err->msg; k++)
                n += snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%s %s", k ? "," : "",
                              cdn_priors_path(j->priors, k));
            if (np == 0 && n > 0 && (size_t)n < sizeof err->msg)
                snprintf(err->msg + n, sizeof err->msg - (size_t)n, " none");
            return err->code = CDN_EDATA;
        }
        if (cdn_priors_dist(j->priors, i) == CDN_PRIOR_DISCRETE) {
            snprintf(err->msg, sizeof err->msg,
                     "%s: --param '%s': its prior is discrete; fit moves a parameter "
                     "continuously and needs a continuous prior", j->scenario_path, path);
            return err->code = CDN_EDATA;
        }
        j->idx[j->k++] = i;
    }
    /* the starts: the effective scenario's values (defaults filled in) */
    cdn_loader_t *ld = NULL;
    cJSON *eff = NULL;
    int rc = cdn_loader_open(j->scenario_path, &ld, err);
    if (rc == 0)
        rc = cdn_loader_effective(ld, (const cdn_overlay_t *const *)j->ov, j->nov, &eff, err);
    for (size_t p = 0; rc == 0 && p < j->k; p++) {
        const char *path = cdn_priors_path(j->priors, j->idx[p]);
        double lo, hi;
        int found = start_value(eff, path, &j->x0[p]);
        cdn_priors_support(j->priors, j->idx[p], &lo, &hi);
        if (found != 0) {
            snprintf(err->msg, sizeof err->msg,
                     found == 1 ? "%s: --param '%s': the scenario has no numeric value there to "
                                  "start from"
                                : "%s: --param '%s' selects several keys with different values; "
                                  "fit would set them all to one value: give a path that "
                                  "selects one, or keys of one value",
                     j->scenario_path, path);
            rc = err->code = CDN_EDATA;
        } else if (j->x0[p] < lo || j->x0[p] > hi) {
            snprintf(err->msg, sizeof err->msg,
                     "%s: --param '%s': the scenario's value %.17g is outside its prior's "
                     "support [%g, %g]; the fit starts from the scenario's value",
                     j->scenario_path, path, j->x0[p], lo, hi);
            rc = err->code = CDN_EDATA;
        } else {
            j->z0[p] = cdn_fit_z_of_x(j->priors, j->idx[p], j->x0[p]);
        }
    }
    cJSON_Delete(eff);
    cdn_loader_destroy(ld);
    return rc;
}

/* ---- results ------------------------------------------------------------ */

static void print_tables(const fit_job_t *j, const double *x1, double loss0, double loss1,
                         const cdn_fit_result_t *res, double wall)
{
    printf("%s: %zu parameter%s fitted to %zu calibration targets (%llu replications per "
           "evaluation, %zu iterations, %zu evaluations, %s, %.1f s)\n\n",
           j->s0->name, j->k, j->k == 1 ? "" : "s", j->ntargets, (unsigned long long)j->nrep,
           res->iters, res->evals, res->converged ? "converged" : "stopped at --max-iter", wall);
    printf("| parameter | start | fitted |\n|---|---|---|\n");
    for (size_t p = 0; p < j->k; p++)
        printf("| %s | %.6g | %.6g |\n", cdn_priors_path(j->priors, j->idx[p]), j->x0[p], x1[p]);
    printf("\nloss %.6g -> %.6g\n", loss0, loss1);
}

static int fit_write(fit_job_t *j, const cdn_cli_args_t *a, const cdn_report_fit_t *rep,
                     cdn_error_t *err)
{
    if (cdn_resultdir_begin(&j->dir, err) != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    int rc = cdn_report_fit(j->dir.tmp, rep, err);
    rc = cdn_cmd_finish_chart_dir(&j->dir, "fit_loss.gp", !a->seen[CDN_OPT_NO_PLOT], j->quiet, rc, err);
    if (rc != 0)
        return rc;
    j->prepared = 0;
    return 0;
}

/* Fits, evaluates the fit, writes.  0 or an exit status. */
static int fit_run(fit_job_t *j, const cdn_cli_args_t *a, cdn_error_t *err)
{
    j->runner = cdn_runner_create(NULL, NULL,
                                  a->seen[CDN_OPT_JOBS] ? (unsigned)a->num[CDN_OPT_JOBS] : 0, err);
    if (j->runner == NULL) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(err->code);
    }
    size_t cells = j->ntargets * (size_t)j->nrep;
    j->rows = sim_xcalloc(cells ? cells : 1, sizeof *j->rows);
    j->vals = sim_xcalloc(cells ? cells : 1, sizeof *j->vals);
    j->before = sim_xcalloc(cells ? cells : 1, sizeof *j->before);
    j->after = sim_xcalloc(cells ? cells : 1, sizeof *j->after);
    cdn_fit_opts_t o = {a->seen[CDN_OPT_MAX_ITER] ? (size_t)a->num[CDN_OPT_MAX_ITER] : 300,
                        a->seen[CDN_OPT_TOL] ? a->frac[CDN_OPT_TOL] : 0.01, FIT_STEP};
    if (!j->quiet)
        fprintf(stderr, "cdnsim: fit of %s: %zu parameters, %llu replications per evaluation, "
                        "at most %zu iterations...\n",
                j->s0->name, j->k, (unsigned long long)j->nrep, o.max_iter);
    double z[CDN_PRIORS_MAX], x1[CDN_PRIORS_MAX];
    memcpy(z, j->z0, j->k * sizeof *z);
    cdn_fit_result_t res;
    double w0 = cdn_cmd_wall_now();
    int rc = cdn_fit_minimize(j->k, z, &o, evaluate, on_iter, j, &res, err);
    if (!j->quiet && isatty(STDERR_FILENO))
        fputc('\n', stderr);
    double loss0 = j->nlog ? j->log[1] : NAN;
    if (rc == 0) { /* the fit's own replications, for the "after" column */
        values_at(j, z, x1);
        rc = simulate(j, x1, err);
        memcpy(j->after, j->vals, cells * sizeof *j->vals);
    }
    double wall = cdn_cmd_wall_now() - w0;
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    double loss1 = cdn_fit_loss(j->s0, j->after, (size_t)j->nrep);
    cdn_report_fit_t rep = {a->argc, a->argv, j->scenario_path, j->sha256, j->s0, j->label,
                            a->list[CDN_OPT_SET], a->nlist[CDN_OPT_SET], j->priors, j->k, j->idx,
                            j->x0, x1, j->before, j->after, loss0, loss1, j->log, j->nlog,
                            j->seed, j->nrep, o.max_iter, o.tol, o.step, &res,
                            cdn_runner_jobs(j->runner), wall};
    if (!cdn_runner_is_root(j->runner))
        return 0;
    if ((rc = fit_write(j, a, &rep, err)) != 0)
        return rc;
    if (!j->quiet) {
        print_tables(j, x1, loss0, loss1, &res, wall);
        printf("\nwrote %s/ (fit.json, fit_targets.md, fit_loss.png, report.html)\n",
               j->dir.target);
    }
    return 0;
}

int cdn_cmd_fit(const cdn_cli_args_t *a)
{
    fit_job_t j = {0};
    cdn_error_t err = {0};
    char buf[4096];
    j.scenario_path = a->noperands ? a->operands[0] : cdn_cmd_default_scenario(buf, sizeof buf);
    j.nrep = a->seen[CDN_OPT_REPLICATIONS] ? a->num[CDN_OPT_REPLICATIONS] : 10;
    j.quiet = a->seen[CDN_OPT_QUIET];
    int status = 0;
    if (a->nlist[CDN_OPT_PARAM] == 0)
        status = cdn_cli_usage_error("fit needs at least one --param PATH (a prior's path)");
    else if (a->nlist[CDN_OPT_PARAM] > CDN_PRIORS_MAX)
        status = cdn_cli_usage_error("fit takes at most %d --param", CDN_PRIORS_MAX);
    if (status == 0)
        status = cdn_cmd_study_whatif(a, j.ov, &j.nov, j.label, sizeof j.label);
    if (status == 0 && (fit_load(&j, a, &err) != 0 || fit_params(&j, a, &err) != 0)) {
        if (err.code == CDN_EUSAGE) /* printed by cdn_cli_usage_error */
            status = cdn_cli_exit_for(CDN_EUSAGE);
        else {
            cdn_cli_print_error(err.msg, 0);
            status = cdn_cli_exit_for(err.code);
        }
    }
    if (status == 0) {
        status = cdn_cmd_prepare_chart_dir(&j.dir, a, j.s0->name, "fit", &err);
        j.prepared = status == 0;
    }
    if (status == 0)
        status = fit_run(&j, a, &err);
    fit_free(&j);
    return status;
}
