/*
 * cdnsim.c -- the command-line interface: run, validate, plot, compare,
 * sweep.
 *
 * Design
 *   Parses arguments, loads and validates the scenario, runs replications
 *   and writes the results folder atomically (cdn_resultdir.h): everything
 *   goes into a temporary sibling folder, gnuplot draws there, and only
 *   then is the folder renamed into place, so a failed or interrupted
 *   command never leaves a partial results folder.  An existing target is
 *   replaced only if it holds a previous result of the same command (run:
 *   a summary.json; compare, sweep: their manifest.json) or is empty.
 *
 *   compare and sweep build a study (cdn_study.h): one arm per strategy or
 *   grid point, each a scenario loaded with strategy overlays
 *   (cdn_overlay.h), run for the same replications on threads and MPI ranks
 *   (cdn_runner.h), written by cdn_report.h.  Strategy names are looked up
 *   in the library scenarios/strategies/ like the default scenario (see
 *   find_data).  Under MPI every rank parses the same arguments and loads
 *   the same files; only rank 0 prints errors and writes the folder, and a
 *   setup error on any rank stops all of them (cdn_runner_agree).
 *
 *   Exit codes come from the error map (cdn_error.h) through exit_for;
 *   only main() returns them.
 *
 *   Third-party global state is set once here: GSL's error handler is
 *   turned off (the model checks its inputs; GSL errors become results, not
 *   aborts).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cdn_calibration.h"
#include "cdn_cli_opts.h"
#include "cdn_output.h"
#include "cdn_overlay.h"
#include "cdn_report.h"
#include "cdn_resultdir.h"
#include "cdn_runner.h"
#include "cdn_study.h"
#include "cdn_scenario.h"
#include "sim_alloc.h"
#include "cdn_world.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif


#define DEFAULT_SCENARIO "cloudflare-2025-11-18.json"

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Data files (scenarios, strategies) are looked up in ./scenarios first,
 * then beside the binary (<prefix>/share/cdnsim/scenarios, found from
 * /proc/self/exe so a relocated install works), then in the configured
 * install prefix, then in the source tree the binary was built from.
 * Writes the path of `rel` in the first folder that has it; 0 if none. */
static int find_data(const char *rel, char *buf, size_t n)
{
    char exe[4096], beside[4096 + 64] = "";
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(beside, sizeof beside, "%s/../share/cdnsim/scenarios", exe);
        }
    }
    const char *dirs[] = {"scenarios", beside,
#ifdef CDNSIM_INSTALLED_SCENARIO_DIR
                          CDNSIM_INSTALLED_SCENARIO_DIR,
#endif
#ifdef CDNSIM_SOURCE_SCENARIO_DIR
                          CDNSIM_SOURCE_SCENARIO_DIR,
#endif
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i][0])
            continue;
        snprintf(buf, n, "%s/%s", dirs[i], rel);
        if (file_exists(buf))
            return 1;
    }
    return 0;
}

/* The reference scenario (see find_data). */
static const char *default_scenario(char *buf, size_t n)
{
    if (!find_data(DEFAULT_SCENARIO, buf, n))
        snprintf(buf, n, "scenarios/%s", DEFAULT_SCENARIO);
    return buf;
}

/* `run` replaces a folder holding a previous run's summary.json. */
static int run_probe(const char *dir)
{
    return cdn_resultdir_has_file(dir, "summary.json");
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_time(const cdn_scenario_t *s, const char *what, double t)
{
    char utc[32];
    if (isnan(t)) {
        printf("  %-26s never\n", what);
        return;
    }
    cdn_scenario_utc(s, t, utc, sizeof utc);
    printf("  %-26s %s (+%.0f min)\n", what, utc, t / 60.0);
}

static void print_summary(const cdn_scenario_t *s, const cdn_summary_t *m)
{
    print_time(s, "first 5xx above impact", m->first_error_s);
    printf("  %-26s %.1f%%\n", "peak 5xx share", 100.0 * m->peak_err5xx_frac);
    print_time(s, "main impact resolved", m->main_impact_resolved_s);
    print_time(s, "all resolved", m->all_resolved_s);
    printf("  %-26s %d\n", "fluctuation cycles", m->fluctuation_cycles);
    printf("  %-26s %.4g of %.4g (%.2f%%)\n", "failed requests (5xx)", m->failed_requests,
           m->offered_requests,
           m->offered_requests > 0 ? 100.0 * m->failed_requests / m->offered_requests : 0.0);
    printf("  %-26s %.4g\n", "blocked requests", m->blocked_requests);
    printf("  %-26s %.1f%%\n", "sites affected", 100.0 * m->sites_affected_frac);
}

/* Replications for the calibration report: task i is replication i; its
 * row holds the value of every calibration target. */
typedef struct calib_ctx {
    const cdn_scenario_t *s;
    uint64_t seed;
    double *rows; /* [nrep * ntargets] */
} calib_ctx_t;

static size_t calib_row_len(void *ctx, size_t task)
{
    (void)task;
    return ((calib_ctx_t *)ctx)->s->ntargets;
}

static double *calib_row(void *ctx, size_t task)
{
    calib_ctx_t *c = ctx;
    return c->rows + task * c->s->ntargets;
}

static int calib_run(void *ctx, size_t task, double *row, cdn_error_t *err)
{
    calib_ctx_t *c = ctx;
    cdn_result_t *r = NULL;
    int rc = cdn_world_run(c->s, c->seed, task, &r, err);
    if (rc != 0)
        return rc;
    cdn_summary_t m;
    cdn_summary_compute(c->s, r, &m);
    for (size_t t = 0; t < c->s->ntargets; t++)
        row[t] = cdn_calibration_value(c->s, r, &m, t);
    cdn_result_destroy(r);
    return 0;
}

/* Runs the replications and writes calibration.md/.csv into dir. */
static int run_calibration(const cdn_scenario_t *s, uint64_t seed, uint64_t nrep, unsigned jobs,
                           int progress, const char *dir, cdn_error_t *err)
{
    calib_ctx_t c = {s, seed, NULL};
    size_t nt = s->ntargets;
    c.rows = sim_xcalloc((size_t)nrep * (nt ? nt : 1), sizeof *c.rows);
    double *values = sim_xcalloc((size_t)nrep * (nt ? nt : 1), sizeof *values);
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL, jobs, err);
    int rc = runner ? 0 : err->code ? err->code : CDN_EIO;
    if (rc == 0) {
        cdn_runner_ops_t ops = {&c, calib_row_len, calib_row, calib_run};
        cdn_runner_progress(runner, progress, (size_t)nrep);
        rc = cdn_runner_run(runner, 0, (size_t)nrep, 1, &ops, err);
    }
    if (rc == 0) {
        for (size_t t = 0; t < nt; t++) /* by target, then replication */
            for (size_t k = 0; k < nrep; k++)
                values[t * nrep + k] = c.rows[k * nt + t];
        rc = cdn_calibration_write(dir, s, values, (size_t)nrep, seed, err);
    }
    cdn_runner_destroy(runner);
    free(c.rows);
    free(values);
    return rc;
}

static int cmd_run(const cdn_cli_args_t *a)
{
    const char *scenario_path = a->noperands ? a->operands[0] : NULL;
    const char *out_dir = a->text[CDN_OPT_OUTPUT];
    uint64_t seed = a->num[CDN_OPT_SEED], replication = a->num[CDN_OPT_REPLICATION];
    uint64_t nrep = a->num[CDN_OPT_REPLICATIONS], jobs = a->num[CDN_OPT_JOBS];
    int have_seed = a->seen[CDN_OPT_SEED], quiet = a->seen[CDN_OPT_QUIET];
    int no_plot = a->seen[CDN_OPT_NO_PLOT];
    char defbuf[4096];
    if (!scenario_path)
        scenario_path = default_scenario(defbuf, sizeof defbuf);

    cdn_error_t err = {0, ""};
    cdn_scenario_t *s = NULL;
    int rc = cdn_scenario_load(scenario_path, &s, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(rc);
    }
    if (!have_seed)
        seed = s->sim.seed;

    char target[CDN_RESULTDIR_PATH_MAX + 64];
    if (out_dir)
        snprintf(target, sizeof target, "%s", out_dir);
    else
        snprintf(target, sizeof target, "results/%s", s->name);
    cdn_resultdir_t dir;
    rc = cdn_resultdir_prepare(&dir, out_dir ? out_dir : target, run_probe, "no summary.json", &err);
    if (rc != 0) {
        cdn_scenario_destroy(s);
        if (rc == CDN_EUSAGE)
            return cdn_cli_usage_error("%s", err.msg);
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }

    if (!quiet)
        fprintf(stderr, "cdnsim: running %s from %s (seed %" PRIu64 ", replication %" PRIu64 ")...\n",
                s->name, scenario_path, seed, replication);
    double w0 = wall_now();
    cdn_result_t *res = NULL;
    rc = cdn_world_run(s, seed, replication, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        cdn_scenario_destroy(s);
        return cdn_cli_exit_for(rc);
    }
    double w1 = wall_now();
    cdn_summary_t sum;
    cdn_summary_compute(s, res, &sum);

    if (cdn_resultdir_begin(&dir, &err) != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        cdn_result_destroy(res);
        cdn_scenario_destroy(s);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    int status = 0;
    rc = cdn_output_write(dir.tmp, s, res, &sum, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    if (status == 0 && nrep > 0) {
        if (!quiet)
            fprintf(stderr, "cdnsim: %" PRIu64 " replications for the calibration report (%zu targets)...\n",
                    nrep, s->ntargets);
        rc = run_calibration(s, seed, nrep, (unsigned)jobs, !quiet && isatty(STDERR_FILENO), dir.tmp,
                             &err);
        if (rc != 0) {
            fprintf(stderr, "cdnsim: %s\n", err.msg);
            status = cdn_cli_exit_for(rc == CDN_EIO ? CDN_EWRITE : CDN_EINTERNAL);
        }
    }
    int plotted = 0;
    if (status == 0 && !no_plot) {
        int prc = cdn_output_plot(dir.tmp, &err);
        if (prc == 0)
            plotted = 1;
        else if (prc == 1 && !quiet)
            fprintf(stderr,
                    "cdnsim: gnuplot is not on PATH; to draw the plot later: "
                    "cdnsim plot %s  (or: cd %s && gnuplot timeline.gp)\n",
                    target, target);
        else if (prc < 0)
            fprintf(stderr, "cdnsim: warning: %s; the data files are complete\n", err.msg);
    }
    if (status == 0 && cdn_resultdir_commit(&dir, &err) != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    if (status != 0)
        cdn_resultdir_abort(&dir);

    if (status == 0 && !quiet) {
        printf("cdnsim %s: scenario %s, seed %" PRIu64 ", replication %" PRIu64 "\n", CDNSIM_VERSION,
               s->name, seed, replication);
        print_summary(s, &sum);
        printf("  %-26s %" PRIu64 " in %.3f s wall\n", "kernel events", res->kernel_events, w1 - w0);
        printf("results: %s/ (timeline.csv, timeline_regions.csv, summary.json, events.jsonl, "
               "timeline.gp%s%s)\n",
               target, plotted ? ", timeline.png, timeline.svg" : "",
               nrep > 0 ? ", calibration.md, calibration.csv" : "");
    }
    cdn_result_destroy(res);
    cdn_scenario_destroy(s);
    return status;
}

static int cmd_validate(const cdn_cli_args_t *a)
{
    int worst = 0;
    int argc = a->noperands;
    char **argv = a->operands;
    for (int i = 0; i < argc; i++) {
        cdn_error_t err = {0, ""};
        cdn_scenario_t *s = NULL;
        int rc = cdn_scenario_load(argv[i], &s, &err);
        if (rc != 0) {
            fprintf(stderr, "%s\n", err.msg);
            if (!worst)
                worst = cdn_cli_exit_for(rc);
        } else {
            uint64_t servers = 0;
            for (size_t r = 0; r < s->nregions; r++)
                servers += s->regions[r].servers;
            printf("%s: ok (scenario %s: %zu regions, %" PRIu64 " servers, %u sites, %zu artifacts, "
                   "%zu services, %zu actions)\n",
                   argv[i], s->name, s->nregions, servers, s->sites.count, s->nartifacts,
                   s->nservices, s->nactions);
            cdn_scenario_destroy(s);
        }
    }
    return worst;
}

static int cmd_plot(const cdn_cli_args_t *a)
{
    char **argv = a->operands;
    char gp[4096];
    snprintf(gp, sizeof gp, "%s/timeline.gp", argv[0]);
    if (!file_exists(gp)) {
        fprintf(stderr, "cdnsim: %s: not found (is %s a cdnsim results folder?)\n", gp, argv[0]);
        return cdn_cli_exit_for(CDN_EIO);
    }
    cdn_error_t err = {0, ""};
    int rc = cdn_output_plot(argv[0], &err);
    if (rc == 1) {
        fprintf(stderr, "cdnsim: gnuplot is not on PATH (Debian: apt-get install gnuplot-nox)\n");
        return cdn_cli_exit_for(CDN_EINTERNAL);
    }
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(CDN_EWRITE);
    }
    printf("%s/timeline.png, %s/timeline.svg\n", argv[0], argv[0]);
    return 0;
}

/* ------------------------------------------------------------------ */
/* compare and sweep                                                   */

#define DEFAULT_REPLICATIONS 20
#define MAX_ARMS 256
#define MAX_SWEEP_VALUES 100

/* Options shared by compare and sweep. */
typedef struct study_opts {
    const char *scenario_path;
    const char *out_dir;
    uint64_t seed;
    int have_seed;
    uint64_t n;          /* replications (first batch with --precision) */
    uint64_t jobs;       /* 0 = cores */
    double precision;    /* 0 = off */
    uint64_t max_n;      /* 0 = 10 n */
    int quiet, no_plot;
} study_opts_t;

/* The options compare and sweep share, checked together. */
static int study_opts_from(const cdn_cli_args_t *a, study_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->scenario_path = a->noperands ? a->operands[0] : NULL;
    o->out_dir = a->text[CDN_OPT_OUTPUT];
    o->seed = a->num[CDN_OPT_SEED];
    o->have_seed = a->seen[CDN_OPT_SEED];
    o->n = a->num[CDN_OPT_REPLICATIONS];
    o->jobs = a->num[CDN_OPT_JOBS];
    o->precision = a->frac[CDN_OPT_PRECISION];
    o->max_n = a->num[CDN_OPT_MAX_N];
    o->quiet = a->seen[CDN_OPT_QUIET];
    o->no_plot = a->seen[CDN_OPT_NO_PLOT];
    if (o->n == 0)
        o->n = DEFAULT_REPLICATIONS;
    if (o->max_n && !o->precision)
        return cdn_cli_usage_error("--max-n needs --precision");
    if (o->precision && o->max_n == 0)
        o->max_n = 10 * o->n;
    if (o->precision && o->max_n < o->n)
        return cdn_cli_usage_error("--max-n (%" PRIu64 ") is smaller than -n (%" PRIu64 ")", o->max_n, o->n);
    return 0;
}

/* Names of the strategy library, for messages: "a, b, c". */
static void library_names(char *buf, size_t n)
{
    char dir[4096];
    buf[0] = '\0';
    if (!find_data("strategies/baseline.json", dir, sizeof dir))
        return;
    *strrchr(dir, '/') = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[256];
    size_t k = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && k < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && e->d_name[0] != '.') {
            names[k] = sim_xmalloc(len - 4);
            memcpy(names[k], e->d_name, len - 5);
            names[k++][len - 5] = '\0';
        }
    }
    closedir(d);
    for (size_t i = 1; i < k; i++) /* sort for a stable message */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    size_t used = 0;
    for (size_t i = 0; i < k; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", names[i]);
        if (w > 0 && (size_t)w < n - used)
            used += (size_t)w;
        free(names[i]);
    }
}

/* Resolves "a+b+path/c.json" into overlays (loaded, owned by the caller)
 * and the label "a+b+c".  Library names are looked up as
 * strategies/NAME.json (see find_data); anything with a '/' or ending in
 * ".json" is a file.  Returns 0 or an exit code, after printing the error
 * when `loud`. */
static int resolve_strategy(const char *spec, cdn_overlay_t **ov, size_t *nov, size_t max,
                            char *label, size_t nlabel, int loud)
{
    char buf[4096];
    *nov = 0;
    label[0] = '\0';
    if (strlen(spec) >= sizeof buf) {
        if (loud)
            cdn_cli_usage_error("strategy '%.40s...' is too long", spec);
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    snprintf(buf, sizeof buf, "%s", spec);
    size_t used = 0;
    char *save = NULL, *part;
    if (spec[0] == '\0' || spec[0] == '+' || spec[strlen(spec) - 1] == '+' || strstr(spec, "++")) {
        if (loud)
            cdn_cli_usage_error("empty strategy name in '%s' (compose strategies as a+b)", spec);
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    for (part = strtok_r(buf, "+", &save); part; part = strtok_r(NULL, "+", &save)) {
        char path[4096];
        size_t len = strlen(part);
        int is_file = strchr(part, '/') != NULL || (len > 5 && strcmp(part + len - 5, ".json") == 0);
        if (*nov == max) {
            if (loud)
                cdn_cli_usage_error("too many strategies composed in '%s' (at most %zu)", spec, max);
            goto fail_usage;
        }
        if (is_file) {
            snprintf(path, sizeof path, "%s", part);
        } else {
            char rel[256];
            if (!cdn_overlay_valid_name(part)) {
                if (loud)
                    cdn_cli_usage_error("'%s' is not a strategy name ([A-Za-z0-9._-]) or a .json file", part);
                goto fail_usage;
            }
            snprintf(rel, sizeof rel, "strategies/%s.json", part);
            if (!find_data(rel, path, sizeof path)) {
                if (loud) {
                    char names[2048];
                    library_names(names, sizeof names);
                    cdn_cli_usage_error("unknown strategy '%s' (the library has: %s; or give a .json file)",
                                part, names[0] ? names : "nothing: scenarios/strategies not found");
                }
                goto fail_usage;
            }
        }
        cdn_error_t err = {0, ""};
        cdn_overlay_t *o = NULL;
        int rc = cdn_overlay_load(path, &o, &err);
        if (rc != 0) {
            if (loud)
                fprintf(stderr, "cdnsim: %s\n", err.msg);
            for (size_t k = 0; k < *nov; k++)
                cdn_overlay_destroy(ov[k]);
            *nov = 0;
            return cdn_cli_exit_for(rc);
        }
        ov[(*nov)++] = o;
        int w = snprintf(label + used, nlabel - used, "%s%s", used ? "+" : "", cdn_overlay_name(o));
        if (w > 0 && (size_t)w < nlabel - used)
            used += (size_t)w;
    }
    return 0;
fail_usage:
    for (size_t k = 0; k < *nov; k++)
        cdn_overlay_destroy(ov[k]);
    *nov = 0;
    return cdn_cli_exit_for(CDN_EUSAGE);
}

/* Loads the scenario with the overlays and adds it to the study as an arm
 * (which takes the overlays).  0 or an exit code (error printed if loud). */
static int add_arm(cdn_study_t *st, const char *scenario_path, const char *label,
                   cdn_overlay_t **ov, size_t nov, int loud, size_t *index)
{
    cdn_error_t err = {0, ""};
    cdn_scenario_t *s = NULL;
    int rc = cdn_overlay_load_scenario(scenario_path, (const cdn_overlay_t *const *)ov, nov, &s, &err);
    if (rc != 0) {
        if (loud)
            fprintf(stderr, "cdnsim: %s\n", err.msg);
        for (size_t k = 0; k < nov; k++)
            cdn_overlay_destroy(ov[k]);
        return cdn_cli_exit_for(rc);
    }
    *index = cdn_study_add_arm(st, label, s, ov, nov);
    return 0;
}

/* `compare` and `sweep` replace a folder holding their own manifest.json. */
static int compare_probe(const char *dir)
{
    return cdn_report_is_ours(dir, "compare");
}

static int sweep_probe(const char *dir)
{
    return cdn_report_is_ours(dir, "sweep");
}

/* Everything after the arms are set up, common to compare and sweep: agree
 * across ranks, run (adaptively), write the folder on rank 0, print. */
static int run_study(cdn_runner_t *runner, cdn_study_t *st, study_opts_t *o,
                     cdn_report_info_t *info, const char *default_dir, int setup_rc)
{
    int root = cdn_runner_is_root(runner);
    cdn_error_t err = {0, ""};
    cdn_resultdir_t dir;
    char target[CDN_RESULTDIR_PATH_MAX + 64];
    int is_sweep = strcmp(info->command, "sweep") == 0;
    snprintf(target, sizeof target, "%s", o->out_dir ? o->out_dir : default_dir);

    /* setup errors on any rank stop every rank */
    int status = setup_rc;
    if (status == 0 && root) {
        int rc = cdn_resultdir_prepare(&dir, target, is_sweep ? sweep_probe : compare_probe,
                                       is_sweep ? "no manifest.json of a cdnsim sweep"
                                                : "no manifest.json of a cdnsim compare",
                                       &err);
        if (rc == CDN_EUSAGE)
            status = cdn_cli_usage_error("%s", err.msg);
        else if (rc != 0) {
            fprintf(stderr, "cdnsim: %s\n", err.msg);
            status = cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
        }
    }
    status = -cdn_runner_agree(runner, -status); /* the largest exit code wins */
    if (status != 0)
        return status;

    cdn_study_seal(st);
    info->jobs = cdn_runner_jobs(runner);
    info->ranks = cdn_runner_size(runner);
    info->n_asked = (size_t)o->n;
    info->precision = o->precision;
    info->max_n = (size_t)o->max_n;
    if (is_sweep && info->metric == (size_t)-1)
        info->metric = CDN_MET_FAILED;

    int progress = !o->quiet && isatty(STDERR_FILENO);
    size_t n = (size_t)o->n;
    cdn_runner_progress(runner, progress, n * st->narms);
    if (root && !o->quiet)
        fprintf(stderr, "cdnsim: %s: %zu %s x %zu replications (seed %" PRIu64 ", %u threads x %d ranks)...\n",
                info->command, st->narms, is_sweep ? "grid points" : "strategies", n, st->seed,
                cdn_runner_jobs(runner), cdn_runner_size(runner));
    double w0 = wall_now();
    int rc = cdn_study_run(st, runner, n, &err);
    info->precise = 1;
    while (rc == 0 && o->precision > 0) {
        size_t wa = 0, wm = 0;
        info->precise = cdn_study_precise(st, o->precision, &wa, &wm);
        if (info->precise || n >= o->max_n) {
            if (!info->precise && root && !o->quiet) {
                char nb[CDN_NAME_MAX + 32];
                fprintf(stderr,
                        "cdnsim: precision %g not reached after %zu replications (--max-n); "
                        "widest: %s of %s\n",
                        o->precision, n, cdn_study_metric_name(st, wm, nb, sizeof nb),
                        st->arms[wa].label);
            }
            break;
        }
        n = n + (size_t)o->n < o->max_n ? n + (size_t)o->n : (size_t)o->max_n;
        cdn_runner_progress(runner, progress, n * st->narms);
        rc = cdn_study_run(st, runner, n, &err);
    }
    double w1 = wall_now();
    if (rc != 0) {
        if (root)
            fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(rc);
    }
    if (!root)
        return 0;

    if (cdn_resultdir_begin(&dir, &err) != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    status = 0;
    rc = is_sweep ? cdn_report_sweep(dir.tmp, st, info, &err) : cdn_report_compare(dir.tmp, st, info, &err);
    if (rc == 0)
        rc = cdn_report_manifest(dir.tmp, st, info, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    int plotted = 0;
    if (status == 0 && !o->no_plot) {
        const char *scripts[2] = {"compare_timeline.gp", "compare_metrics.gp"};
        size_t nscripts = 2;
        if (is_sweep) {
            scripts[0] = "sweep.gp";
            nscripts = 1;
        }
        for (size_t k = 0; k < nscripts; k++) {
            int prc = cdn_output_gnuplot(dir.tmp, scripts[k], &err);
            if (prc == 0)
                plotted++;
            else if (prc == 1) {
                if (!o->quiet)
                    fprintf(stderr, "cdnsim: gnuplot is not on PATH; to draw the plots later: "
                                    "cd %s && gnuplot *.gp\n", target);
                break;
            } else
                fprintf(stderr, "cdnsim: warning: %s; the data files are complete\n", err.msg);
        }
    }
    if (status == 0 && cdn_resultdir_commit(&dir, &err) != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    if (status != 0) {
        cdn_resultdir_abort(&dir);
        return status;
    }
    if (!o->quiet) {
        printf("cdnsim %s %s: scenario %s, %zu replications x %zu %s, seed %" PRIu64
               ", %.1f s wall (%u threads x %d ranks)\n\n",
               CDNSIM_VERSION, info->command, st->arms[0].scenario->name, st->nreps, st->narms,
               is_sweep ? "grid points" : "strategies", st->seed, w1 - w0, cdn_runner_jobs(runner),
               cdn_runner_size(runner));
        if (!is_sweep)
            cdn_report_ranked_table(stdout, st, info);
        else {
            char nb[CDN_NAME_MAX + 32];
            printf("| point | %s (mean) | 95%% CI |\n|---|---:|---|\n",
                   cdn_study_metric_name(st, info->metric, nb, sizeof nb));
            for (size_t a = 0; a < st->narms; a++) {
                sim_stats_summary_t s;
                cdn_study_summary(st, a, info->metric, &s);
                printf("| %s | %.6g | [%.6g, %.6g] |\n", st->arms[a].label, s.mean, s.lo, s.hi);
            }
        }
        printf("\nresults: %s/ (%s%s)\n", target,
               is_sweep ? "sweep.csv, replications.csv, manifest.json, sweep.gp"
                        : "comparison.md, comparison.csv, comparison.json, replications.csv, "
                          "timeline_quantiles.csv, manifest.json, *.gp",
               plotted ? ", *.png, *.svg" : "");
    }
    return 0;
}

static int cmd_compare(const cdn_cli_args_t *a)
{
    study_opts_t o;
    const char *list = a->text[CDN_OPT_STRATEGIES];
    int rc = study_opts_from(a, &o);
    if (rc != 0)
        return rc;
    if (!list || !*list)
        return cdn_cli_usage_error("compare needs --strategies, e.g. --strategies baseline,validate-on-ingest");
    char defbuf[4096];
    if (!o.scenario_path)
        o.scenario_path = default_scenario(defbuf, sizeof defbuf);

    cdn_error_t err = {0, ""};
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL, (unsigned)o.jobs, &err);
    if (!runner) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(err.code);
    }
    int root = cdn_runner_is_root(runner);
    cdn_study_t *st = NULL;
    cdn_report_info_t info;
    memset(&info, 0, sizeof info);
    info.command = "compare";
    info.scenario_path = o.scenario_path;

    /* strategies: split the list, resolve, check labels are unique */
    char *specs[MAX_ARMS];
    size_t nspecs = 0;
    char listbuf[8192];
    int status = 0;
    if (strlen(list) >= sizeof listbuf) {
        status = root ? cdn_cli_usage_error("--strategies list too long") : cdn_cli_exit_for(CDN_EUSAGE);
    } else {
        snprintf(listbuf, sizeof listbuf, "%s", list);
        char *save = NULL;
        for (char *p = strtok_r(listbuf, ",", &save); p && status == 0; p = strtok_r(NULL, ",", &save)) {
            if (nspecs == MAX_ARMS)
                status = root ? cdn_cli_usage_error("too many strategies (at most %d)", MAX_ARMS) : cdn_cli_exit_for(CDN_EUSAGE);
            else
                specs[nspecs++] = p;
        }
        if (status == 0 && (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,")))
            status = root ? cdn_cli_usage_error("empty strategy in --strategies '%s'", list) : cdn_cli_exit_for(CDN_EUSAGE);
    }
    uint64_t hash = 0;
    if (status == 0) {
        rc = cdn_overlay_hash_file(o.scenario_path, &hash, &err);
        if (rc != 0) {
            if (root)
                fprintf(stderr, "cdnsim: %s\n", err.msg);
            status = cdn_cli_exit_for(rc);
        }
    }
    info.scenario_hash = hash;
    /* resolve every strategy before loading any scenario, so that name
     * errors come first; the reference "baseline" is added if missing */
    cdn_overlay_t *ov[MAX_ARMS][16];
    size_t nov[MAX_ARMS];
    char labels[MAX_ARMS][512];
    size_t nres = 0;
    for (size_t k = 0; k < nspecs && status == 0; k++) {
        status = resolve_strategy(specs[k], ov[k], &nov[k], 16, labels[k], sizeof labels[k], root);
        if (status == 0)
            nres++;
        for (size_t j = 0; j < k && status == 0; j++)
            if (strcmp(labels[j], labels[k]) == 0)
                status = root ? cdn_cli_usage_error("strategy '%s' is listed twice", labels[k]) : cdn_cli_exit_for(CDN_EUSAGE);
    }
    size_t ref = nspecs;
    for (size_t k = 0; k < nres && status == 0; k++)
        if (strcmp(labels[k], "baseline") == 0)
            ref = k;
    cdn_overlay_t *base_ov[16];
    size_t nbase = 0;
    char base_label[512];
    if (status == 0 && ref == nspecs) {
        status = resolve_strategy("baseline", base_ov, &nbase, 16, base_label, sizeof base_label, root);
        info.ref_added = 1;
    }
    if (status == 0) {
        size_t idx;
        st = cdn_study_create(0, 1);
        if (info.ref_added) {
            status = add_arm(st, o.scenario_path, base_label, base_ov, nbase, root, &idx);
            nbase = 0;
            info.ref = 0;
        }
        for (size_t k = 0; k < nres; k++) {
            if (status == 0) {
                status = add_arm(st, o.scenario_path, labels[k], ov[k], nov[k], root, &idx);
                if (k == ref)
                    info.ref = idx;
            } else {
                for (size_t j = 0; j < nov[k]; j++)
                    cdn_overlay_destroy(ov[k][j]);
            }
        }
        /* the reference's seed unless --seed: every arm uses the same */
        if (status == 0)
            st->seed = o.have_seed ? o.seed : st->arms[info.ref].scenario->sim.seed;
    } else {
        for (size_t k = 0; k < nres; k++)
            for (size_t j = 0; j < nov[k]; j++)
                cdn_overlay_destroy(ov[k][j]);
    }
    for (size_t j = 0; j < nbase; j++)
        cdn_overlay_destroy(base_ov[j]);

    char defdir[CDN_RESULTDIR_PATH_MAX];
    snprintf(defdir, sizeof defdir, "results/%s-compare",
             st && st->narms ? st->arms[0].scenario->name : "x");
    status = run_study(runner, st, &o, &info, defdir, status);
    cdn_study_destroy(st);
    cdn_runner_destroy(runner);
    return status;
}

/* "PATH=v1,v2" -> path and values; '=' inside [...] belongs to the path. */
static int parse_param(const char *spec, const char *opt, char **path, char ***values, size_t *nvalues)
{
    int depth = 0;
    const char *eq = NULL;
    for (const char *p = spec; *p && !eq; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (*p == '=' && depth == 0)
            eq = p;
    }
    if (!eq || eq == spec || !eq[1])
        return cdn_cli_usage_error("%s needs PATH=v1,v2,... (for example '$.artifacts[*].validate_on_ingest=false,true'), "
                           "found '%s'", opt, spec);
    *path = sim_xmalloc((size_t)(eq - spec) + 1);
    char *vals = sim_xstrdup(eq + 1);
    memcpy(*path, spec, (size_t)(eq - spec));
    (*path)[eq - spec] = '\0';
    *values = sim_xcalloc(MAX_SWEEP_VALUES, sizeof **values);
    *nvalues = 0;
    char *save = NULL;
    size_t vl = strlen(vals);
    int bad = vals[0] == ',' || vals[vl - 1] == ',' || strstr(vals, ",,") != NULL;
    for (char *p = strtok_r(vals, ",", &save); p && !bad; p = strtok_r(NULL, ",", &save)) {
        if (*nvalues == MAX_SWEEP_VALUES) {
            free(vals);
            return cdn_cli_usage_error("%s: at most %d values", opt, MAX_SWEEP_VALUES);
        }
        (*values)[(*nvalues)++] = sim_xstrdup(p);
    }
    free(vals);
    if (bad)
        return cdn_cli_usage_error("%s: empty value in '%s'", opt, spec);
    return 0;
}

static void free_param(char *path, char **values, size_t n)
{
    free(path);
    for (size_t i = 0; i < n; i++)
        free(values[i]);
    free(values);
}

/* "...validate_on_ingest" -> "validate_on_ingest": the last key of a path */
static const char *short_param(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && dot[1] ? dot + 1 : path;
}

static int cmd_sweep(const cdn_cli_args_t *a)
{
    study_opts_t o;
    const char *pspec[2] = {a->text[CDN_OPT_PARAM], a->text[CDN_OPT_PARAM2]};
    const char *strategy = a->seen[CDN_OPT_STRATEGY] ? a->text[CDN_OPT_STRATEGY] : "baseline";
    const char *metric = a->seen[CDN_OPT_METRIC] ? a->text[CDN_OPT_METRIC] : "failed_requests";
    int rc = study_opts_from(a, &o);
    if (rc != 0)
        return rc;
    if (!pspec[0])
        return cdn_cli_usage_error("sweep needs --param PATH=v1,v2,...");
    char *ppath[2] = {NULL, NULL};
    char **pvals[2] = {NULL, NULL};
    size_t npv[2] = {0, 0};
    size_t np = pspec[1] ? 2 : 1;
    for (size_t p = 0; p < np; p++) {
        rc = parse_param(pspec[p], p ? "--param2" : "--param", &ppath[p], &pvals[p], &npv[p]);
        if (rc != 0) {
            for (size_t q = 0; q <= p; q++)
                free_param(ppath[q], pvals[q], npv[q]);
            return rc;
        }
    }
    if (npv[0] * (np > 1 ? npv[1] : 1) > MAX_ARMS) {
        for (size_t q = 0; q < np; q++)
            free_param(ppath[q], pvals[q], npv[q]);
        return cdn_cli_usage_error("the grid has %zu points; at most %d", npv[0] * (np > 1 ? npv[1] : 1), MAX_ARMS);
    }
    char defbuf[4096];
    if (!o.scenario_path)
        o.scenario_path = default_scenario(defbuf, sizeof defbuf);

    cdn_error_t err = {0, ""};
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL, (unsigned)o.jobs, &err);
    if (!runner) {
        for (size_t q = 0; q < np; q++)
            free_param(ppath[q], pvals[q], npv[q]);
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return cdn_cli_exit_for(err.code);
    }
    int root = cdn_runner_is_root(runner);
    cdn_report_info_t info;
    memset(&info, 0, sizeof info);
    info.command = "sweep";
    info.scenario_path = o.scenario_path;
    info.nparams = np;
    info.metric = (size_t)-1;
    char strategy_label[512] = "";
    for (size_t p = 0; p < np; p++) {
        info.param[p] = ppath[p];
        info.values[p] = pvals[p];
        info.nvalues[p] = npv[p];
    }
    int status = 0;
    uint64_t hash = 0;
    rc = cdn_overlay_hash_file(o.scenario_path, &hash, &err);
    if (rc != 0) {
        if (root)
            fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = cdn_cli_exit_for(rc);
    }
    info.scenario_hash = hash;
    cdn_study_t *st = cdn_study_create(0, 0);
    size_t n1 = np > 1 ? npv[1] : 1;
    for (size_t i = 0; i < npv[0] && status == 0; i++)
        for (size_t j = 0; j < n1 && status == 0; j++) {
            cdn_overlay_t *ov[16 + 2]; /* the strategy's (at most 16) and one per --param */
            size_t nov = 0;
            status = resolve_strategy(strategy, ov, &nov, 16, strategy_label, sizeof strategy_label,
                                      root && i == 0 && j == 0);
            if (status != 0)
                break;
            char label[1024];
            if (np > 1)
                snprintf(label, sizeof label, "%s=%s;%s=%s", short_param(ppath[0]), pvals[0][i],
                         short_param(ppath[1]), pvals[1][j]);
            else
                snprintf(label, sizeof label, "%s=%s", short_param(ppath[0]), pvals[0][i]);
            for (size_t p = 0; p < np && status == 0; p++) {
                char name[256];
                snprintf(name, sizeof name, "%s=%s", short_param(ppath[p]), pvals[p][p ? j : i]);
                cdn_overlay_t *pt = cdn_overlay_create(name, p ? "--param2" : "--param");
                ov[nov++] = pt;
                rc = cdn_overlay_add_set_text(pt, ppath[p], pvals[p][p ? j : i], &err);
                if (rc != 0) {
                    if (root)
                        cdn_cli_usage_error("%s", err.msg);
                    for (size_t k = 0; k < nov; k++)
                        cdn_overlay_destroy(ov[k]);
                    status = cdn_cli_exit_for(CDN_EUSAGE);
                }
            }
            if (status != 0)
                break;
            size_t idx;
            status = add_arm(st, o.scenario_path, label, ov, nov, root, &idx);
            if (status == 0) {
                st->arms[idx].grid[0] = (int)i;
                st->arms[idx].grid[1] = np > 1 ? (int)j : -1;
            }
        }
    info.strategy = strategy_label;
    if (status == 0) {
        st->seed = o.have_seed ? o.seed : st->arms[0].scenario->sim.seed;
        cdn_study_seal(st);
        int m = cdn_study_metric_find(st, metric);
        if (m < 0)
            status = root ? cdn_cli_usage_error("unknown metric '%s' (see docs/compare.md; e.g. "
                                        "failed_requests, user_minutes_lost, peak_err5xx_frac)",
                                        metric)
                          : cdn_cli_exit_for(CDN_EUSAGE);
        else
            info.metric = (size_t)m;
    }
    char defdir[CDN_RESULTDIR_PATH_MAX];
    snprintf(defdir, sizeof defdir, "results/%s-sweep", st->narms ? st->arms[0].scenario->name : "x");
    status = run_study(runner, st, &o, &info, defdir, status);
    cdn_study_destroy(st);
    cdn_runner_destroy(runner);
    for (size_t q = 0; q < np; q++)
        free_param(ppath[q], pvals[q], npv[q]);
    return status;
}

/* The command table: usage and each command's --help come from it and
 * from the option table (cdn_cli_opts.c). */
static const cdn_cli_cmd_t commands[] = {
    {CDN_CMD_RUN, "run", cmd_run, "[SCENARIO] [options]", 0, 1, NULL,
     "one scenario per run",
     "simulate a scenario (default: the reference scenario\n"
     "scenarios/" DEFAULT_SCENARIO ") and write\n"
     "results/<scenario-name>/",
     NULL},
    {CDN_CMD_VALIDATE, "validate", cmd_validate, "SCENARIO...", 1, -1,
     "validate needs at least one scenario file", NULL,
     "check scenario files; print the first error of each", NULL},
    {CDN_CMD_PLOT, "plot", cmd_plot, "DIR", 1, 1, "plot needs exactly one results folder",
     "plot needs exactly one results folder",
     "(re)draw DIR/timeline.png and .svg from DIR/timeline.gp", NULL},
    {CDN_CMD_COMPARE, "compare", cmd_compare, "[SCENARIO] --strategies A,B+C,... [options]", 0, 1,
     NULL, "one scenario per comparison",
     "run every strategy for the same replications (common\n"
     "random numbers), rank them, write results/<name>-compare/",
     "Under mpirun the replications are spread over the ranks; the files are\n"
     "identical to a single-process run (manifest.json records jobs and ranks)."},
    {CDN_CMD_SWEEP, "sweep", cmd_sweep, "[SCENARIO] --param 'PATH=v1,v2,...' [--param2 'PATH=v1,...'] [options]",
     0, 1, NULL, "one scenario per sweep",
     "the same statistics over a grid of scenario values,\n"
     "written to results/<name>-sweep/",
     "Under mpirun the replications are spread over the ranks; the files are\n"
     "identical to a single-process run (manifest.json records jobs and ranks)."},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const cdn_cli_cmd_t *command_named(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2)
        return cdn_cli_usage_error("missing command");
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        const cdn_cli_cmd_t *cmd = argc > 2 ? command_named(argv[2]) : NULL;
        if (cmd)
            cdn_cli_opts_help(stdout, cmd);
        else
            cdn_cli_opts_usage(stdout, commands, NCOMMANDS);
        return 0;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("cdnsim %s\n", CDNSIM_VERSION);
        return 0;
    }
    const cdn_cli_cmd_t *cmd = command_named(name);
    if (!cmd)
        return cdn_cli_usage_error("unknown command '%s'", name);
    cdn_cli_args_t args;
    int help = 0;
    int status = cdn_cli_opts_parse(cmd, argc - 1, argv + 1, &args, &help);
    if (status != 0)
        status = cdn_cli_exit_for(status);
    else if (help)
        cdn_cli_opts_help(stdout, cmd);
    else
        status = cmd->fn(&args);
    cdn_cli_args_fini(&args);
    return status;
}
