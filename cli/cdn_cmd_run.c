/*
 * cdn_cmd_run.c -- `cdnsim run`: one replication of a scenario, written to
 * a results folder, and with -n the calibration report over replications.
 *
 * Design
 *   A run goes through four phases over one run_job_t, each a function:
 *       prepare  load the scenario, settle seed and target, check that the
 *                target may be written (cdn_resultdir_prepare);
 *       simulate cdn_world_run, then the summary;
 *       write    into a temporary folder: output files, calibration report
 *                (-n), gnuplot; then rename into place;
 *       report   the summary on stdout (unless --quiet).
 *   A phase returns 0 or an exit status; the end of cdn_cmd_run is the one
 *   cleanup path, whatever phase failed (cdn_resultdir_abort once the
 *   target is prepared).  Nothing is written before the scenario
 *   has loaded and the target has been checked, and a failed write leaves
 *   no folder (cdn_resultdir_abort).
 *
 *   With -n, replications 0..N-1 (cli/cdn_ensemble_run.c) give the
 *   calibration report and the fan chart (ensemble.gp), on which this
 *   run is drawn thin.
 *
 *   -n N --uncertainty (cdn_ensemble_run.h) runs the N replications as
 *   N/M draws of the priors x M seeds, --strategy and --set applied after
 *   each draw; the folder's own run keeps the written values.
 *
 *   --strategy and --set become overlays (cdn_cmd_study_whatif, as in
 *   compare) applied by the loader; --assert is parsed and checked in
 *   prepare, judged after simulate, recorded in manifest.json, and turns
 *   the exit status into 1 only after the folder is complete.
 */
#include "cdn_cmd.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cdn_assert.h"
#include "cdn_cmd_study.h" /* strategies and --set, as compare resolves them */
#include "cdn_ensemble_run.h"
#include "cdn_error.h"
#include "cdn_estimate.h"
#include "cdn_gnuplot.h"
#include "cdn_html.h"
#include "cdn_metrics.h"
#include "cdn_output.h"
#include "cdn_priors.h"
#include "cdn_report.h"
#include "cdn_resultdir.h"
#include "cdn_runner.h"
#include "cdn_scenario.h"
#include "cdn_world.h"
#include "sim_alloc.h"

/* The summary's lines: a label column, then the value with its unit. */
#define SUMMARY_LABEL "  %-36s "

/* "2025-11-18T11:17:00Z (+47 min)", or `none` when t is NaN. */
static void print_time(const cdn_scenario_t *s, const char *what, double t, const char *none)
{
    char utc[32];
    if (isnan(t)) {
        printf(SUMMARY_LABEL "%s\n", what, none);
        return;
    }
    cdn_scenario_utc(s, t, utc, sizeof utc);
    printf(SUMMARY_LABEL "%s (+%.0f min)\n", what, utc, t / 60.0);
}

/* The terminal summary: every threshold a line depends on is in its label
 * (docs/output-format.md defines the measures), counts are in the format
 * of comparison.md ("1028.0 bn"), and an incident that never happened
 * reads "no impact", not "never". */
static void print_summary(const cdn_scenario_t *s, const cdn_summary_t *m)
{
    const cdn_metrics_spec_t *th = &s->metrics;
    char label[96], count[64], total[64];
    int impact = !isnan(m->first_error_s);
    snprintf(label, sizeof label, "first 5xx share above %g%%", 100.0 * th->impact_threshold_frac);
    print_time(s, label, m->first_error_s, "no impact");
    printf(SUMMARY_LABEL "%.1f%% of requests\n", "peak 5xx share", 100.0 * m->peak_err5xx_frac);
    snprintf(label, sizeof label, "main impact (5xx >= %g%%) resolved", 100.0 * th->major_threshold_frac);
    print_time(s, label, m->main_impact_resolved_s, impact ? "no main impact" : "no impact");
    snprintf(label, sizeof label, "all resolved (5xx <= %g%%)", 100.0 * th->resolved_threshold_frac);
    print_time(s, label, m->all_resolved_s, impact ? "not within the simulated span" : "no impact");
    printf(SUMMARY_LABEL "%d\n", "fluctuation cycles", m->fluctuation_cycles);
    cdn_report_fmt_count(count, sizeof count, m->failed_requests);
    cdn_report_fmt_count(total, sizeof total, m->offered_requests);
    printf(SUMMARY_LABEL "%s of %s requests (%.2f%%)\n", "failed requests (5xx)", count, total,
           m->offered_requests > 0 ? 100.0 * m->failed_requests / m->offered_requests : 0.0);
    cdn_report_fmt_count(count, sizeof count, m->blocked_requests);
    printf(SUMMARY_LABEL "%s requests\n", "blocked requests (bot score 0)", count);
    snprintf(label, sizeof label, "sites ever down (served < %g%%)", 100.0 * s->sites.down_threshold);
    printf(SUMMARY_LABEL "%.1f%% of %u sites\n", label, 100.0 * m->sites_affected_frac, s->sites.count);
}

/* One `cdnsim run`: the options, then what the phases produce. */
typedef struct run_job {
    const cdn_cli_args_t *args;
    uint64_t seed, replication;
    uint64_t nrep; /* calibration replications, 0 = none */
    int quiet;
    const char *scenario_path;  /* as given, or default_path */
    char default_path[4096];
    cdn_loader_t *ld;
    cdn_overlay_t *ov[CDN_CMD_STUDY_MAX_OVERLAYS]; /* --strategy, then --set */
    size_t nov;
    char strategy[512]; /* label of --strategy, "" if none */
    cdn_scenario_t *s;
    char target[CDN_RESULTDIR_PATH_MAX + 64];
    cdn_resultdir_t dir;
    cdn_result_t *res;
    cdn_summary_t sum;
    int prepared;  /* dir holds the target's lock: abort on failure */
    double wall_s; /* wall-clock seconds of the simulation */
    unsigned jobs_used; /* threads of the calibration replications (-n) */
    cdn_assert_t *asserts; /* --assert, parsed; [args->nlist[CDN_OPT_ASSERT]] */
    cJSON *verdicts;       /* their verdicts, for the manifest */
    int plotted;
    uint64_t seeds_per_draw; /* --uncertainty: M */
    cdn_priors_t *priors;    /* --uncertainty: the scenario's priors, else NULL */
    cJSON *prior_base;       /* ... and its tree without "priors" */
    cJSON *unc_record;       /* ... and the manifest's record */
} run_job_t;

/* Parses --assert and checks its metric names, before anything runs. */
static int run_asserts_parse(run_job_t *j)
{
    size_t n = j->args->nlist[CDN_OPT_ASSERT];
    j->asserts = sim_xcalloc(n ? n : 1, sizeof *j->asserts);
    for (size_t i = 0; i < n; i++) {
        char why[512];
        cdn_assert_t *x = &j->asserts[i];
        if (cdn_assert_parse(j->args->list[CDN_OPT_ASSERT][i], x, why, sizeof why) != 0)
            return cdn_cli_usage_error("--assert '%s': %s", x->text, why);
        if (x->strategy[0] || x->stat_given)
            return cdn_cli_usage_error("--assert '%s': run checks a METRIC of the run (no STRATEGY: "
                                       "or .STAT; those are compare's)", x->text);
        if (cdn_metric_find(x->metric) < 0)
            return cdn_cli_usage_error("--assert '%s': unknown metric '%s' (see docs/compare.md; "
                                       "e.g. failed_requests, peak_err5xx_frac)", x->text, x->metric);
    }
    return 0;
}

/* The verdicts of --assert on the simulated run. */
static void run_asserts_judge(run_job_t *j)
{
    size_t n = j->args->nlist[CDN_OPT_ASSERT];
    if (n == 0)
        return;
    double v[CDN_MET_COUNT];
    cdn_metrics_compute(j->s, j->res, v);
    j->verdicts = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *verdict = cdn_assert_verdict(&j->asserts[i]);
        cdn_assert_verdict_add(verdict, &j->asserts[i], NULL, v[cdn_metric_find(j->asserts[i].metric)]);
        cJSON_AddItemToArray(j->verdicts, verdict);
    }
}

/* --uncertainty and --seeds-per-draw against -n; 0 or a usage error. */
static int run_unc_options(run_job_t *j)
{
    const cdn_cli_args_t *a = j->args;
    if (a->seen[CDN_OPT_UNCERTAINTY] && j->nrep == 0)
        return cdn_cli_usage_error("--uncertainty needs -n N (N/M parameter draws x M seeds)");
    return cdn_cmd_unc_options(a, j->nrep, &j->seeds_per_draw);
}

static int run_prepare(run_job_t *j, cdn_error_t *err)
{
    const cdn_cli_args_t *a = j->args;
    const char *scenario_path = j->scenario_path =
        a->noperands ? a->operands[0] : cdn_cmd_default_scenario(j->default_path, sizeof j->default_path);
    int rc = run_asserts_parse(j);
    if (rc == 0)
        rc = run_unc_options(j);
    if (rc == 0)
        rc = cdn_cmd_study_whatif(a, j->ov, &j->nov, j->strategy, sizeof j->strategy);
    if (rc != 0)
        return rc; /* an exit status, the error printed */
    rc = cdn_loader_open(scenario_path, &j->ld, err);
    if (rc == 0)
        rc = cdn_loader_load(j->ld, (const cdn_overlay_t *const *)j->ov, j->nov, &j->s, err);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    if (a->seen[CDN_OPT_UNCERTAINTY]) {
        rc = cdn_cmd_priors_base(j->ld, scenario_path, &j->priors, &j->prior_base, 1);
        if (rc != 0)
            return rc; /* an exit status, the error printed */
    }
    if (a->seen[CDN_OPT_STRICT] || !a->seen[CDN_OPT_QUIET]) {
        size_t nwarn = cdn_cmd_print_warnings(scenario_path, j->s);
        if (nwarn > 0 && a->seen[CDN_OPT_STRICT]) {
            fprintf(stderr, "cdnsim: %s: %zu warning%s, and --strict: nothing run\n", scenario_path,
                    nwarn, nwarn == 1 ? "" : "s");
            return cdn_cli_exit_for(CDN_EWARNING);
        }
    }
    cdn_estimate_t est; /* refused up front if over the work budget */
    cdn_estimate(j->s, &est);
    rc = cdn_estimate_check(&est, a->seen[CDN_OPT_BUDGET] ? (double)a->num[CDN_OPT_BUDGET] : 1.0,
                            scenario_path, err);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    j->seed = a->seen[CDN_OPT_SEED] ? a->num[CDN_OPT_SEED] : j->s->sim.seed;
    const char *out_dir = a->text[CDN_OPT_OUTPUT];
    if (out_dir)
        snprintf(j->target, sizeof j->target, "%s", out_dir);
    else
        snprintf(j->target, sizeof j->target, "results/%s", j->s->name);
    rc = cdn_resultdir_prepare(&j->dir, out_dir ? out_dir : j->target, "run", err);
    if (rc == CDN_EUSAGE)
        return cdn_cli_usage_error("%s", err->msg);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    j->prepared = 1;
    if (!j->quiet)
        fprintf(stderr, "cdnsim: running %s%s%s from %s (seed %" PRIu64 ", replication %" PRIu64 ")...\n",
                j->s->name, j->strategy[0] ? " with " : "", j->strategy, scenario_path, j->seed,
                j->replication);
    return 0;
}

static int run_simulate(run_job_t *j, cdn_error_t *err)
{
    double w0 = cdn_cmd_wall_now();
    int rc = cdn_world_run(j->s, j->seed, j->replication, &j->res, err);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    j->wall_s = cdn_cmd_wall_now() - w0;
    cdn_summary_compute(j->s, j->res, &j->sum);
    run_asserts_judge(j);
    return 0;
}

/* gnuplot into the temporary folder; a missing gnuplot is not an error. */
static void run_plot(run_job_t *j, cdn_error_t *err)
{
    int prc = cdn_output_plot(j->dir.tmp, err);
    if (prc == 0 && j->nrep > 0) /* the fan chart of -n */
        prc = cdn_gnuplot_run(j->dir.tmp, "ensemble.gp", err);
    if (prc == 0)
        j->plotted = 1;
    else if (prc == 1 && !j->quiet)
        fprintf(stderr,
                "cdnsim: gnuplot is not on PATH; to draw the plot later: "
                "cdnsim plot %s  (or: cd %s && gnuplot timeline.gp)\n",
                j->target, j->target);
    else if (prc < 0)
        fprintf(stderr,
                "cdnsim: warning: %s/%s; the data files are complete; to draw the figure: "
                "cdnsim plot %s\n",
                j->target, err->msg, j->target);
}

static int run_manifest(const run_job_t *j, cdn_error_t *err)
{
    const cdn_cli_args_t *a = j->args;
    cdn_report_run_info_t ri = {
        .argc = a->argc,
        .argv = a->argv,
        .scenario_path = j->scenario_path,
        .scenario_sha256 = cdn_loader_sha256(j->ld),
        .s = j->s,
        .strategy = j->strategy,
        .overlays = (const cdn_overlay_t *const *)j->ov,
        .noverlays = j->nov,
        .sets = a->list[CDN_OPT_SET],
        .nsets = a->nlist[CDN_OPT_SET],
        .seed = j->seed,
        .replication = j->replication,
        .replications = j->nrep,
        .jobs = j->jobs_used ? j->jobs_used : 1,
        .assertions = j->verdicts,
        .uncertainty = j->unc_record,
    };
    return cdn_report_manifest_run(j->dir.tmp, &ri, err);
}

static int run_write(run_job_t *j, cdn_error_t *err)
{
    if (cdn_resultdir_begin(&j->dir, err) != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    int status = 0;
    if (cdn_output_write(j->dir.tmp, j->s, j->res, &j->sum, err) != 0) {
        cdn_cli_print_error(err->msg, 1);
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    if (status == 0 && j->nrep > 0) {
        if (!j->quiet)
            fprintf(stderr, "cdnsim: %" PRIu64 " replications for the calibration report (%zu targets)...\n",
                    j->nrep, j->s->ntargets);
        const cdn_cli_args_t *a = j->args;
        j->jobs_used = (unsigned)a->num[CDN_OPT_JOBS];
        cdn_ensemble_unc_t unc = {j->priors, j->prior_base, j->scenario_path, j->ov, j->nov,
                                  (size_t)j->seeds_per_draw, NULL};
        int rc = cdn_ensemble_run(j->s, j->seed, j->nrep, &j->jobs_used,
                                  a->seen[CDN_OPT_BUDGET] ? (double)a->num[CDN_OPT_BUDGET] : 1.0,
                                  !j->quiet && isatty(STDERR_FILENO), j->res, j->replication,
                                  j->priors ? &unc : NULL, j->dir.tmp, err);
        j->unc_record = unc.record;
        if (rc != 0) {
            cdn_cli_print_error(err->msg, 1);
            status = cdn_cli_exit_for(rc == CDN_EIO ? CDN_EWRITE : rc);
        }
    }
    if (status == 0 && run_manifest(j, err) != 0) { /* after -n: it records the threads */
        cdn_cli_print_error(err->msg, 1);
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    if (status == 0 && !j->args->seen[CDN_OPT_NO_PLOT])
        run_plot(j, err);
    if (status == 0 && cdn_html_write(j->dir.tmp, err) != 0) { /* after the figures it inlines */
        cdn_cli_print_error(err->msg, 1);
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    if (status == 0 && cdn_resultdir_commit(&j->dir, err) != 0) {
        cdn_cli_print_error(err->msg, 1);
        status = cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    return status;
}

static void run_report(const run_job_t *j)
{
    printf("cdnsim %s: scenario %s, seed %" PRIu64 ", replication %" PRIu64 "\n", CDNSIM_VERSION,
           j->s->name, j->seed, j->replication);
    print_summary(j->s, &j->sum);
    printf(SUMMARY_LABEL "%" PRIu64 " in %.3f s wall\n", "kernel events", j->res->kernel_events, j->wall_s);
    printf("results: %s/ (timeline.csv, timeline_regions.csv, summary.json, events.jsonl, "
           "manifest.json, report.html, timeline.gp, regions.gp%s%s%s)\n",
           j->target, j->plotted ? ", timeline.png, timeline.svg, regions.png, regions.svg" : "",
           j->nrep > 0 ? ", calibration.md, calibration.csv, ensemble.csv, ensemble_targets.csv, "
                         "ensemble.gp" : "",
           j->nrep > 0 && j->plotted ? ", ensemble.png, ensemble.svg" : "");
}

int cdn_cmd_run(const cdn_cli_args_t *a)
{
    run_job_t j;
    memset(&j, 0, sizeof j);
    j.args = a;
    j.replication = a->num[CDN_OPT_REPLICATION];
    j.nrep = a->num[CDN_OPT_REPLICATIONS];
    j.quiet = a->seen[CDN_OPT_QUIET];
    cdn_error_t err = {0, ""};
    int status = run_prepare(&j, &err);
    if (status == 0)
        status = run_simulate(&j, &err);
    if (status == 0)
        status = run_write(&j, &err);
    if (status == 0 && !j.quiet)
        run_report(&j);
    if (status == 0 && j.verdicts && cdn_assert_report(j.verdicts, j.quiet) > 0)
        status = cdn_cli_exit_for(CDN_EASSERT); /* the folder is written: the verdicts are in it */
    if (status != 0 && j.prepared)
        cdn_resultdir_abort(&j.dir); /* removes what was written, releases the lock */
    cdn_result_destroy(j.res);
    cdn_scenario_destroy(j.s);
    cdn_loader_destroy(j.ld);
    cJSON_Delete(j.verdicts);
    cJSON_Delete(j.unc_record);
    cJSON_Delete(j.prior_base);
    cdn_priors_destroy(j.priors);
    free(j.asserts);
    for (size_t k = 0; k < j.nov; k++)
        cdn_overlay_destroy(j.ov[k]);
    return status;
}
