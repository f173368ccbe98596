/*
 * cdn_cmd_sensitivity.c -- `cdnsim sensitivity`: which prior moves a
 * metric most (Morris elementary effects, or Sobol indices with
 * --method sobol), written to results/<name>-sensitivity/.
 *
 * Design
 *   Setup reads the scenario tree once, applies --strategy and --set to it
 *   (so the priors are checked against the scenario they will vary), reads
 *   the priors (cdn_priors.h), then removes "priors" from the tree: the
 *   base every design point copies.  The design (cdn_sensitivity.h) gives
 *   npoints points of the unit hypercube; task t = (point t / N,
 *   replication t % N) maps its point through the priors' inverse CDFs,
 *   writes the values into a copy of the base as an overlay
 *   (cdn_priors_overlay), validates it (cdn_overlay_load_tree: a value the
 *   scenario refuses is an error naming it) and simulates replication r
 *   with the one seed (common random numbers: every point sees the same
 *   seeds, so differences between points are the parameters' doing).  The
 *   tasks run on cdn_runner.h (threads; ranks under mpirun), one double
 *   per task; a point's metric is the mean of its replications' defined
 *   values.
 *
 *   --function ishigami replaces the simulation by the Ishigami function
 *   of the values read back from the validated tree, each mapped from its
 *   prior's support onto [-pi, pi]: the same design, inverse CDFs,
 *   overlays and validation, with known indices (the test of this
 *   command).
 *
 *   The job struct owns everything; sens_free() is the one cleanup path,
 *   and the results folder is aborted on every failure after prepare.
 */
#include "cdn_cmd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cdn_cmd_study.h"
#include "cdn_digest.h"
#include "cdn_error.h"
#include "cdn_gnuplot.h"
#include "cdn_html.h"
#include "cdn_json.h"
#include "cdn_metrics.h"
#include "cdn_path.h"
#include "cdn_priors.h"
#include "cdn_report_sensitivity.h"
#include "cdn_resultdir.h"
#include "cdn_runner.h"
#include "cdn_sensitivity.h"
#include "cdn_summary.h"
#include "cdn_world.h"
#include "sim_alloc.h"

#define MORRIS_LEVELS 4
#define SOBOL_BOOTSTRAP 500
#define PI 3.14159265358979323846
#define MAX_POINTS 1000000

typedef struct sens_job {
    const char *scenario_path;
    cJSON *base;                /* tree with --strategy/--set applied, without "priors" */
    cdn_priors_t *priors;
    cdn_path_seg_t *segs[CDN_PRIORS_MAX]; /* --function: each prior's path, compiled */
    size_t nsegs[CDN_PRIORS_MAX];
    cdn_sens_design_t *design;
    int metric;                 /* cdn_metric_t, or -1 with a function or a service's */
    char service_metric[CDN_NAME_MAX + 32]; /* "svc_<name>_downtime_s", or "" */
    size_t service;             /* ... and the service's index */
    const char *function;       /* "ishigami" or NULL */
    uint64_t seed, nrep;
    double *rows;               /* [npoints * nrep] */
    double *y;                  /* [npoints] */
    char sha256[CDN_DIGEST_HEX_LEN];
    char name[CDN_NAME_MAX];
    cdn_overlay_t *ov[CDN_CMD_STUDY_MAX_OVERLAYS];
    size_t nov;
    char label[256];            /* --strategy label */
    cdn_resultdir_t dir;
    int prepared;
} sens_job_t;

static void sens_free(sens_job_t *j)
{
    if (j->prepared)
        cdn_resultdir_abort(&j->dir);
    cJSON_Delete(j->base);
    for (size_t i = 0; i < CDN_PRIORS_MAX; i++)
        cdn_path_free(j->segs[i], j->nsegs[i]);
    cdn_priors_destroy(j->priors);
    cdn_sens_destroy(j->design);
    free(j->rows);
    free(j->y);
    for (size_t i = 0; i < j->nov; i++)
        cdn_overlay_destroy(j->ov[i]);
}

/* ---- one task ---------------------------------------------------------- */

/* The value of prior i in the validated tree, on [-pi, pi]. */
static double on_pi(const sens_job_t *j, cJSON *tree, size_t i)
{
    cdn_path_sel_t sel = {0};
    double lo, hi, v = NAN;
    cdn_path_select(j->segs[i], j->nsegs[i] - 1, tree, &sel);
    if (sel.n > 0) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(sel.node[0],
                                                          j->segs[i][j->nsegs[i] - 1].text);
        v = cJSON_IsNumber(x) ? x->valuedouble : NAN;
    }
    cdn_path_sel_free(&sel);
    cdn_priors_support(j->priors, i, &lo, &hi);
    return -PI + 2 * PI * (v - lo) / (hi - lo);
}

static double ishigami(const sens_job_t *j, cJSON *tree)
{
    double x1 = on_pi(j, tree, 0), x2 = on_pi(j, tree, 1), x3 = on_pi(j, tree, 2);
    return sin(x1) + 7 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1);
}

static size_t task_len(void *ctx, size_t task)
{
    (void)ctx;
    (void)task;
    return 1;
}

static double *task_row(void *ctx, size_t task)
{
    return &((sens_job_t *)ctx)->rows[task];
}

static int task_run(void *ctx, void *wctx, size_t task, double *row, cdn_error_t *err)
{
    (void)wctx; /* no per-thread state: every point is another scenario, no sites to share */
    const sens_job_t *j = ctx;
    size_t p = task / j->nrep, r = task % j->nrep;
    double v[CDN_PRIORS_MAX];
    char name[32];
    cdn_priors_at(j->priors, cdn_sens_point(j->design, p), v);
    snprintf(name, sizeof name, "point %zu", p);
    cdn_overlay_t *o = cdn_priors_overlay(j->priors, v, name);
    const cdn_overlay_t *ov[1] = {o};
    cJSON *tree = cJSON_Duplicate(j->base, 1);
    cdn_scenario_t *s = NULL;
    cdn_result_t *res = NULL;
    int rc = cdn_overlay_load_tree(tree, j->scenario_path, ov, 1, &s, err);
    if (rc == 0 && j->function != NULL) {
        row[0] = ishigami(j, tree);
    } else if (rc == 0) {
        double m[CDN_MET_COUNT];
        rc = cdn_world_run(s, j->seed, r, &res, err);
        if (rc == 0 && j->service_metric[0]) {
            row[0] = cdn_summary_service_downtime_s(s, res, j->service);
        } else if (rc == 0) {
            cdn_metrics_compute(s, res, m);
            row[0] = m[j->metric];
        }
    }
    cdn_result_destroy(res);
    cdn_scenario_destroy(s);
    cJSON_Delete(tree);
    cdn_overlay_destroy(o);
    return rc;
}

/* ---- setup ------------------------------------------------------------- */

/* Reads the tree, applies --strategy and --set, reads the priors. */
static int sens_load(sens_job_t *j, const cdn_cli_args_t *a, cdn_error_t *err)
{
    cdn_scenario_t *s = NULL;
    int rc = cdn_cmd_load_priors_base(j->scenario_path, j->ov, j->nov, j->sha256, &j->base, &s,
                                      &j->priors, err);
    if (rc == 0 && j->service_metric[0]) {
        size_t nlen = strlen(j->service_metric) - 15; /* the name between svc_ and _downtime_s */
        for (j->service = 0; j->service < s->nservices; j->service++)
            if (strlen(s->services[j->service].name) == nlen &&
                strncmp(s->services[j->service].name, j->service_metric + 4, nlen) == 0)
                break;
        if (j->service == s->nservices) {
            snprintf(err->msg, sizeof err->msg, "--metric: the scenario %s has no service named in "
                     "'%s'", j->scenario_path, j->service_metric);
            rc = err->code = CDN_EUSAGE;
        }
    }
    if (rc == 0) {
        snprintf(j->name, sizeof j->name, "%s", s->name);
        j->seed = a->seen[CDN_OPT_SEED] ? a->num[CDN_OPT_SEED] : s->sim.seed;
    }
    cdn_scenario_destroy(s);
    if (rc == 0 && cdn_priors_count(j->priors) == 0) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: the scenario has no priors; sensitivity ranks the priors of its "
                 "\"priors\" section (docs/uncertainty.md)", j->scenario_path);
        rc = err->code = CDN_EDATA;
    }
    return rc;
}

/* The metric or --function, checked against the priors. */
static int sens_target(sens_job_t *j, const cdn_cli_args_t *a)
{
    const char *metric = a->text[CDN_OPT_METRIC] ? a->text[CDN_OPT_METRIC] : "failed_requests";
    j->function = a->text[CDN_OPT_FUNCTION];
    j->metric = -1;
    if (j->function != NULL) {
        if (strcmp(j->function, "ishigami") != 0)
            return cdn_cli_usage_error("--function needs ishigami, found '%s'", j->function);
        if (a->seen[CDN_OPT_METRIC])
            return cdn_cli_usage_error("--function and --metric exclude each other");
        return 0;
    }
    j->metric = cdn_metric_find(metric);
    size_t len = strlen(metric);
    if (j->metric < 0 && strncmp(metric, "svc_", 4) == 0 && len > 15 &&
        strcmp(metric + len - 11, "_downtime_s") == 0 && len < sizeof j->service_metric) {
        snprintf(j->service_metric, sizeof j->service_metric, "%s", metric);
        return 0; /* the service is looked up in the scenario (sens_load) */
    }
    if (j->metric < 0)
        return cdn_cli_usage_error("--metric: unknown metric '%s' (see cdnsim help sensitivity)",
                                   metric);
    return 0;
}

/* --function ishigami needs 3 priors with bounded supports. */
static int sens_function_paths(sens_job_t *j, cdn_error_t *err)
{
    size_t k = cdn_priors_count(j->priors);
    char why[256];
    if (k != 3) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: --function ishigami needs exactly 3 priors, found %zu", j->scenario_path, k);
        return err->code = CDN_EDATA;
    }
    for (size_t i = 0; i < k; i++) {
        double lo, hi;
        cdn_priors_support(j->priors, i, &lo, &hi);
        if (!isfinite(lo) || !isfinite(hi) || !(hi > lo) ||
            cdn_path_compile(cdn_priors_path(j->priors, i), &j->segs[i], &j->nsegs[i], why,
                             sizeof why) != 0) {
            snprintf(err->msg, sizeof err->msg,
                     "%s: --function ishigami needs priors with a bounded support; prior %zu "
                     "has [%g, %g]", j->scenario_path, i + 1, lo, hi);
            return err->code = CDN_EDATA;
        }
    }
    return 0;
}

static int sens_design(sens_job_t *j, const cdn_cli_args_t *a)
{
    const char *method = a->text[CDN_OPT_METHOD] ? a->text[CDN_OPT_METHOD] : "morris";
    size_t k = cdn_priors_count(j->priors);
    if (strcmp(method, "sobol") == 0) {
        if (a->seen[CDN_OPT_TRAJECTORIES])
            return cdn_cli_usage_error("--trajectories is for --method morris; sobol takes --samples");
        size_t n = a->seen[CDN_OPT_SAMPLES] ? (size_t)a->num[CDN_OPT_SAMPLES] : 256;
        if (n * (k + 2) * j->nrep > MAX_POINTS)
            return cdn_cli_usage_error("--samples %zu x (%zu priors + 2) x %zu replications is "
                                       "over %d runs", n, k, (size_t)j->nrep, MAX_POINTS);
        j->design = cdn_sens_sobol(k, n, SOBOL_BOOTSTRAP, j->seed);
    } else if (strcmp(method, "morris") == 0) {
        if (a->seen[CDN_OPT_SAMPLES])
            return cdn_cli_usage_error("--samples is for --method sobol; morris takes --trajectories");
        size_t r = a->seen[CDN_OPT_TRAJECTORIES] ? (size_t)a->num[CDN_OPT_TRAJECTORIES] : 10;
        if (r * (k + 1) * j->nrep > MAX_POINTS)
            return cdn_cli_usage_error("--trajectories %zu x (%zu priors + 1) x %zu replications "
                                       "is over %d runs", r, k, (size_t)j->nrep, MAX_POINTS);
        j->design = cdn_sens_morris(k, r, MORRIS_LEVELS, j->seed);
    } else {
        return cdn_cli_usage_error("--method needs morris or sobol, found '%s'", method);
    }
    return 0;
}

/* ---- results ----------------------------------------------------------- */

static int by_rank(const cdn_sens_index_t *ix, int sobol, size_t a, size_t b)
{
    double x = sobol ? ix[a].st : ix[a].mu_star, y = sobol ? ix[b].st : ix[b].mu_star;
    return x > y || (x == y && a < b);
}

/* order[0..k-1]: the priors, best-ranked first (insertion sort: k <= 64). */
static void rank_order(const cdn_sens_index_t *ix, int sobol, size_t k, size_t *order)
{
    for (size_t i = 0; i < k; i++) {
        size_t q = i;
        for (; q > 0 && by_rank(ix, sobol, i, order[q - 1]); q--)
            order[q] = order[q - 1];
        order[q] = i;
    }
}

/* y[p]: the mean of point p's defined replications (NaN if none). */
static void sens_reduce(sens_job_t *j, size_t np)
{
    for (size_t p = 0; p < np; p++) {
        double s = 0;
        size_t n = 0;
        for (size_t r = 0; r < j->nrep; r++)
            if (!isnan(j->rows[p * j->nrep + r])) {
                s += j->rows[p * j->nrep + r];
                n++;
            }
        j->y[p] = n ? s / (double)n : NAN;
    }
}

static void print_table(const sens_job_t *j, const cdn_sens_index_t *ix, const size_t *order,
                        const char *metric)
{
    int sobol = cdn_sens_method(j->design) == CDN_SENS_SOBOL;
    size_t k = cdn_priors_count(j->priors);
    printf("%s: which prior moves %s most (%s, %zu runs)\n\n", j->name, metric,
           sobol ? "Sobol indices, +- 1.96 bootstrap s.e." : "Morris mu*, +- s.e.",
           cdn_sens_npoints(j->design) * (size_t)j->nrep);
    printf(sobol ? "| rank | prior | S1 | ST |\n|---|---|---|---|\n"
                 : "| rank | prior | mu* | mu | sigma |\n|---|---|---|---|---|\n");
    for (size_t q = 0; q < k; q++) {
        const cdn_sens_index_t *x = &ix[order[q]];
        char label[64];
        cdn_report_sens_label(j->priors, order[q], label, sizeof label);
        if (sobol)
            printf("| %zu | %s | %.3f ± %.3f | %.3f ± %.3f |\n", q + 1, label, x->s1,
                   1.96 * x->s1_se, x->st, 1.96 * x->st_se);
        else
            printf("| %zu | %s | %.4g ± %.2g | %.4g | %.4g |\n", q + 1, label, x->mu_star,
                   x->mu_star_se, x->mu, x->sigma);
    }
}

static int sens_write(sens_job_t *j, const cdn_cli_args_t *a, cdn_report_sens_t *rep,
                      cdn_error_t *err)
{
    int quiet = a->seen[CDN_OPT_QUIET];
    if (cdn_resultdir_begin(&j->dir, err) != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    int rc = cdn_report_sensitivity(j->dir.tmp, rep, err);
    rc = cdn_cmd_finish_chart_dir(&j->dir, "sensitivity.gp", !a->seen[CDN_OPT_NO_PLOT], quiet, rc, err);
    if (rc != 0)
        return rc;
    j->prepared = 0;
    return 0;
}

/* Runs the design, estimates, writes.  0 or an exit status. */
static int sens_run(sens_job_t *j, const cdn_cli_args_t *a, cdn_error_t *err)
{
    size_t np = cdn_sens_npoints(j->design), k = cdn_priors_count(j->priors);
    int quiet = a->seen[CDN_OPT_QUIET];
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL,
                                             a->seen[CDN_OPT_JOBS] ? (unsigned)a->num[CDN_OPT_JOBS] : 0, err);
    if (runner == NULL) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(err->code);
    }
    cdn_runner_ops_t ops = {j, task_len, task_row, task_run, NULL, NULL};
    j->rows = sim_xcalloc(np * j->nrep, sizeof *j->rows);
    j->y = sim_xcalloc(np, sizeof *j->y);
    if (!quiet)
        fprintf(stderr, "cdnsim: sensitivity of %s: %zu priors, %zu points x %zu replications...\n",
                j->name, k, np, (size_t)j->nrep);
    cdn_runner_progress(runner, !quiet && isatty(STDERR_FILENO), np * j->nrep);
    double w0 = cdn_cmd_wall_now();
    int rc = cdn_runner_run(runner, 0, np * j->nrep, 1, &ops, err);
    double wall = cdn_cmd_wall_now() - w0;
    unsigned jobs = cdn_runner_jobs(runner);
    int root = cdn_runner_is_root(runner);
    cdn_runner_destroy(runner);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    sens_reduce(j, np);
    cdn_sens_index_t ix[CDN_PRIORS_MAX];
    size_t order[CDN_PRIORS_MAX];
    double var = 0;
    int sobol = cdn_sens_method(j->design) == CDN_SENS_SOBOL;
    if ((rc = cdn_sens_analyse(j->design, j->y, ix, &var, err)) != 0) {
        fprintf(stderr, "cdnsim: %s: %s\n", j->scenario_path, err->msg);
        return cdn_cli_exit_for(rc);
    }
    rank_order(ix, sobol, k, order);
    const char *metric = j->function ? j->function
                         : j->service_metric[0] ? j->service_metric
                                                : cdn_metric_name((cdn_metric_t)j->metric);
    int plain = j->function == NULL && j->service_metric[0] == '\0';
    cdn_report_sens_t rep = {
        a->argc, a->argv, j->scenario_path, j->sha256, j->name, j->label,
        a->list[CDN_OPT_SET], a->nlist[CDN_OPT_SET], metric,
        j->function ? "the Ishigami function" : plain ? cdn_metric_label((cdn_metric_t)j->metric) : metric,
        j->function ? "" : plain ? cdn_unit_name(cdn_metric_unit((cdn_metric_t)j->metric)) : "s",
        j->function, j->design, a->seen[CDN_OPT_TRAJECTORIES] ? a->num[CDN_OPT_TRAJECTORIES] : 10,
        MORRIS_LEVELS, a->seen[CDN_OPT_SAMPLES] ? a->num[CDN_OPT_SAMPLES] : 256, SOBOL_BOOTSTRAP,
        j->seed, j->nrep, jobs, wall, j->priors, j->y, ix, var, order};
    if (!root)
        return 0;
    if ((rc = sens_write(j, a, &rep, err)) != 0)
        return rc;
    if (!quiet) {
        print_table(j, ix, order, metric);
        printf("\nwrote %s/ (sensitivity.csv, sensitivity.png, report.html; %.1f s)\n",
               j->dir.target, wall);
    }
    return 0;
}

int cdn_cmd_sensitivity(const cdn_cli_args_t *a)
{
    sens_job_t j = {0};
    cdn_error_t err = {0};
    char buf[4096];
    j.scenario_path = a->noperands ? a->operands[0] : cdn_cmd_default_scenario(buf, sizeof buf);
    j.nrep = a->seen[CDN_OPT_REPLICATIONS] ? a->num[CDN_OPT_REPLICATIONS] : 1;
    int status = sens_target(&j, a);
    if (status == 0)
        status = cdn_cmd_study_whatif(a, j.ov, &j.nov, j.label, sizeof j.label);
    if (status == 0 && sens_load(&j, a, &err) != 0) {
        cdn_cli_print_error(err.msg, 0);
        status = cdn_cli_exit_for(err.code);
    }
    if (status == 0 && j.function && sens_function_paths(&j, &err) != 0) {
        cdn_cli_print_error(err.msg, 0);
        status = cdn_cli_exit_for(err.code);
    }
    if (status == 0)
        status = sens_design(&j, a);
    if (status == 0) {
        status = cdn_cmd_prepare_chart_dir(&j.dir, a, j.name, "sensitivity", &err);
        j.prepared = status == 0;
    }
    if (status == 0)
        status = sens_run(&j, a, &err);
    sens_free(&j);
    return status;
}
