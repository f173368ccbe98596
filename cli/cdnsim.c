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
 *   Exit codes follow sysexits(3): 64 usage, 65 bad scenario data, 66
 *   scenario file missing or unreadable, 70 internal error, 73 cannot
 *   create the output folder, 74 write error.  Only main() exits.
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
#include "cdn_output.h"
#include "cdn_loader.h"
#include "cdn_overlay.h"
#include "cdn_report.h"
#include "cdn_resultdir.h"
#include "cdn_runner.h"
#include "cdn_study.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

enum {
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,
    EXIT_NOINPUT = 66,
    EXIT_SOFTWARE = 70,
    EXIT_CANTCREAT = 73,
    EXIT_IOERR = 74
};

#define DEFAULT_SCENARIO "cloudflare-2025-11-18.json"

static const char usage_text[] =
    "usage: cdnsim <command> [options]\n"
    "\n"
    "Discrete-event simulator of global CDN outage cascades.\n"
    "\n"
    "commands:\n"
    "  run [SCENARIO]       simulate a scenario (default: the reference scenario\n"
    "                       scenarios/" DEFAULT_SCENARIO ") and write\n"
    "                       results/<scenario-name>/\n"
    "  validate SCENARIO... check scenario files; print the first error of each\n"
    "  plot DIR             (re)draw DIR/timeline.png and .svg from DIR/timeline.gp\n"
    "  compare [SCENARIO] --strategies A,B+C,...\n"
    "                       run every strategy for the same replications (common\n"
    "                       random numbers), rank them, write results/<name>-compare/\n"
    "  sweep [SCENARIO] --param 'PATH=v1,v2,...' [--param2 'PATH=v1,...']\n"
    "                       the same statistics over a grid of scenario values,\n"
    "                       written to results/<name>-sweep/\n"
    "\n"
    "run options:\n"
    "  -o, --output DIR     results folder (default: results/<scenario-name>)\n"
    "  -s, --seed N         seed of the random streams (default: the scenario's)\n"
    "  -r, --replication R  replication index, 0-based (default 0)\n"
    "  -n, --replications N also run replications 0..N-1 and write calibration.md\n"
    "                       and calibration.csv: the scenario's calibration targets\n"
    "                       beside the simulated values (median, 5-95%, mean, sd)\n"
    "  -j, --jobs J         threads for the replications (default: all cores)\n"
    "  -q, --quiet          print nothing but errors\n"
    "      --no-plot        do not run gnuplot (timeline.gp is still written)\n"
    "\n"
    "compare and sweep options:\n"
    "  -S, --strategies LIST compare: comma-separated strategies; a+b applies a then b;\n"
    "                       a name from scenarios/strategies/ or a .json file;\n"
    "                       'baseline' is added as the reference if not listed\n"
    "      --strategy S     sweep: the strategy the grid is laid over (default baseline)\n"
    "      --param, --param2 'PATH=v1,v2,...'\n"
    "                       sweep: a scenario value ($.key, [N], [*], [name=X]) and\n"
    "                       its values (JSON, or a plain string)\n"
    "      --metric M       sweep: the metric plotted (default failed_requests)\n"
    "  -n, --replications N replications of each strategy or point (default 20)\n"
    "  -s, --seed N         seed (default: the scenario's)\n"
    "  -j, --jobs J         threads (per MPI rank; default: the online cores)\n"
    "      --precision P    add batches of N replications until every 95% interval's\n"
    "                       half-width is below P times its mean, up to --max-n M\n"
    "                       (default 10 N)\n"
    "  -o, --output DIR     results folder\n"
    "  -q, --quiet          print nothing but errors\n"
    "      --no-plot        do not run gnuplot (the .gp scripts are still written)\n"
    "  Under mpirun the replications are spread over the ranks; the files are\n"
    "  identical to a single-process run (manifest.json records jobs and ranks).\n"
    "\n"
    "general:\n"
    "  -h, --help           this text\n"
    "  -V, --version        program version\n"
    "\n"
    "exit codes: 0 ok, 64 usage, 65 invalid scenario, 66 scenario not readable,\n"
    "            70 internal error, 73 cannot create output, 74 write error\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("cdnsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'cdnsim --help'.\n", stderr);
    return EXIT_USAGE;
}

static int exit_for(int code)
{
    switch (code) {
    case CDN_EIO:
        return EXIT_NOINPUT;
    case CDN_EDATA:
        return EXIT_DATAERR;
    case CDN_EUSAGE:
        return EXIT_USAGE;
    default:
        return EXIT_SOFTWARE;
    }
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

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
    c.rows = calloc((size_t)nrep * (nt ? nt : 1), sizeof *c.rows);
    double *values = calloc((size_t)nrep * (nt ? nt : 1), sizeof *values);
    if (!c.rows || !values) {
        free(c.rows);
        free(values);
        err->code = CDN_EIO;
        snprintf(err->msg, sizeof err->msg, "out of memory for %" PRIu64 " replications", nrep);
        return CDN_EIO;
    }
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

static int cmd_run(int argc, char **argv)
{
    const char *scenario_path = NULL, *out_dir = NULL;
    uint64_t seed = 0, replication = 0, nrep = 0, jobs = 0;
    int have_seed = 0, quiet = 0, no_plot = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (++i >= argc)
                return usage_error("%s needs a folder", a);
            out_dir = argv[i];
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--seed") == 0) {
            if (++i >= argc || parse_u64(argv[i], &seed) != 0)
                return usage_error("%s needs a non-negative integer", a);
            have_seed = 1;
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--replication") == 0) {
            if (++i >= argc || parse_u64(argv[i], &replication) != 0)
                return usage_error("%s needs a non-negative integer", a);
        } else if (strcmp(a, "-n") == 0 || strcmp(a, "--replications") == 0) {
            if (++i >= argc || parse_u64(argv[i], &nrep) != 0 || nrep < 1 || nrep > 1000000)
                return usage_error("%s needs a number of replications from 1 to 1000000", a);
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            if (++i >= argc || parse_u64(argv[i], &jobs) != 0 || jobs < 1 || jobs > 1024)
                return usage_error("%s needs a number of threads from 1 to 1024", a);
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--no-plot") == 0) {
            no_plot = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!scenario_path) {
            scenario_path = a;
        } else {
            return usage_error("unexpected argument '%s' (one scenario per run)", a);
        }
    }
    char defbuf[4096];
    if (!scenario_path)
        scenario_path = default_scenario(defbuf, sizeof defbuf);

    cdn_error_t err = {0, ""};
    cdn_scenario_t *s = NULL;
    int rc = cdn_scenario_load(scenario_path, &s, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return exit_for(rc);
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
            return usage_error("%s", err.msg);
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return EXIT_CANTCREAT;
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
        return exit_for(rc);
    }
    double w1 = wall_now();
    cdn_summary_t sum;
    cdn_summary_compute(s, res, &sum);

    if (cdn_resultdir_begin(&dir, &err) != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        cdn_result_destroy(res);
        cdn_scenario_destroy(s);
        return EXIT_CANTCREAT;
    }
    int status = 0;
    rc = cdn_output_write(dir.tmp, s, res, &sum, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = EXIT_IOERR;
    }
    if (status == 0 && nrep > 0) {
        if (!quiet)
            fprintf(stderr, "cdnsim: %" PRIu64 " replications for the calibration report (%zu targets)...\n",
                    nrep, s->ntargets);
        rc = run_calibration(s, seed, nrep, (unsigned)jobs, !quiet && isatty(STDERR_FILENO), dir.tmp,
                             &err);
        if (rc != 0) {
            fprintf(stderr, "cdnsim: %s\n", err.msg);
            status = rc == CDN_EIO ? EXIT_IOERR : EXIT_SOFTWARE;
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
        status = EXIT_CANTCREAT;
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

static int cmd_validate(int argc, char **argv)
{
    int worst = 0, nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usage_error("unknown option '%s'", argv[i]);
    }
    for (int i = 0; i < argc; i++) {
        cdn_error_t err = {0, ""};
        cdn_scenario_t *s = NULL;
        nfiles++;
        int rc = cdn_scenario_load(argv[i], &s, &err);
        if (rc != 0) {
            fprintf(stderr, "%s\n", err.msg);
            if (!worst)
                worst = exit_for(rc);
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
    if (nfiles == 0)
        return usage_error("validate needs at least one scenario file");
    return worst;
}

static int cmd_plot(int argc, char **argv)
{
    if (argc == 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc != 1)
        return usage_error("plot needs exactly one results folder");
    char gp[4096];
    snprintf(gp, sizeof gp, "%s/timeline.gp", argv[0]);
    if (!file_exists(gp)) {
        fprintf(stderr, "cdnsim: %s: not found (is %s a cdnsim results folder?)\n", gp, argv[0]);
        return EXIT_NOINPUT;
    }
    cdn_error_t err = {0, ""};
    int rc = cdn_output_plot(argv[0], &err);
    if (rc == 1) {
        fprintf(stderr, "cdnsim: gnuplot is not on PATH (Debian: apt-get install gnuplot-nox)\n");
        return EXIT_SOFTWARE;
    }
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return EXIT_IOERR;
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

/* Parses a shared option at argv[*i]: 1 if it was one, 0 if not, or an
 * exit code (> 1) after a usage error. */
static int parse_study_opt(int argc, char **argv, int *i, study_opts_t *o)
{
    const char *a = argv[*i];
    if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
        if (++*i >= argc)
            return usage_error("%s needs a folder", a);
        o->out_dir = argv[*i];
    } else if (strcmp(a, "-s") == 0 || strcmp(a, "--seed") == 0) {
        if (++*i >= argc || parse_u64(argv[*i], &o->seed) != 0)
            return usage_error("%s needs a non-negative integer", a);
        o->have_seed = 1;
    } else if (strcmp(a, "-n") == 0 || strcmp(a, "--replications") == 0) {
        if (++*i >= argc || parse_u64(argv[*i], &o->n) != 0 || o->n < 2 || o->n > 1000000)
            return usage_error("%s needs a number of replications from 2 to 1000000", a);
    } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
        if (++*i >= argc || parse_u64(argv[*i], &o->jobs) != 0 || o->jobs < 1 || o->jobs > 4096)
            return usage_error("%s needs a number of threads from 1 to 4096", a);
    } else if (strcmp(a, "--precision") == 0) {
        char *end = NULL;
        if (++*i < argc)
            o->precision = strtod(argv[*i], &end);
        if (*i >= argc || !end || *end || !(o->precision > 0 && o->precision < 1))
            return usage_error("%s needs a relative half-width between 0 and 1, e.g. 0.05", a);
    } else if (strcmp(a, "--max-n") == 0) {
        if (++*i >= argc || parse_u64(argv[*i], &o->max_n) != 0 || o->max_n < 2 ||
            o->max_n > 1000000)
            return usage_error("%s needs a number of replications from 2 to 1000000", a);
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
        o->quiet = 1;
    } else if (strcmp(a, "--no-plot") == 0) {
        o->no_plot = 1;
    } else {
        return 0;
    }
    return 1;
}

static int check_study_opts(study_opts_t *o)
{
    if (o->n == 0)
        o->n = DEFAULT_REPLICATIONS;
    if (o->max_n && !o->precision)
        return usage_error("--max-n needs --precision");
    if (o->precision && o->max_n == 0)
        o->max_n = 10 * o->n;
    if (o->precision && o->max_n < o->n)
        return usage_error("--max-n (%" PRIu64 ") is smaller than -n (%" PRIu64 ")", o->max_n, o->n);
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
            names[k] = malloc(len - 4);
            if (!names[k])
                break;
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
            usage_error("strategy '%.40s...' is too long", spec);
        return EXIT_USAGE;
    }
    snprintf(buf, sizeof buf, "%s", spec);
    size_t used = 0;
    char *save = NULL, *part;
    if (spec[0] == '\0' || spec[0] == '+' || spec[strlen(spec) - 1] == '+' || strstr(spec, "++")) {
        if (loud)
            usage_error("empty strategy name in '%s' (compose strategies as a+b)", spec);
        return EXIT_USAGE;
    }
    for (part = strtok_r(buf, "+", &save); part; part = strtok_r(NULL, "+", &save)) {
        char path[4096];
        size_t len = strlen(part);
        int is_file = strchr(part, '/') != NULL || (len > 5 && strcmp(part + len - 5, ".json") == 0);
        if (*nov == max) {
            if (loud)
                usage_error("too many strategies composed in '%s' (at most %zu)", spec, max);
            goto fail_usage;
        }
        if (is_file) {
            snprintf(path, sizeof path, "%s", part);
        } else {
            char rel[256];
            if (!cdn_overlay_valid_name(part)) {
                if (loud)
                    usage_error("'%s' is not a strategy name ([A-Za-z0-9._-]) or a .json file", part);
                goto fail_usage;
            }
            snprintf(rel, sizeof rel, "strategies/%s.json", part);
            if (!find_data(rel, path, sizeof path)) {
                if (loud) {
                    char names[2048];
                    library_names(names, sizeof names);
                    usage_error("unknown strategy '%s' (the library has: %s; or give a .json file)",
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
            return exit_for(rc);
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
    return EXIT_USAGE;
}

/* Loads the scenario with the overlays and adds it to the study as an arm
 * (which takes the overlays).  0 or an exit code (error printed if loud). */
static int add_arm(cdn_study_t *st, const cdn_loader_t *ld, const char *label,
                   cdn_overlay_t **ov, size_t nov, int loud, size_t *index)
{
    cdn_error_t err = {0, ""};
    cdn_scenario_t *s = NULL;
    int rc = cdn_loader_load(ld, (const cdn_overlay_t *const *)ov, nov, &s, &err);
    if (rc != 0) {
        if (loud)
            fprintf(stderr, "cdnsim: %s\n", err.msg);
        for (size_t k = 0; k < nov; k++)
            cdn_overlay_destroy(ov[k]);
        return exit_for(rc);
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
            status = usage_error("%s", err.msg);
        else if (rc != 0) {
            fprintf(stderr, "cdnsim: %s\n", err.msg);
            status = EXIT_CANTCREAT;
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
        return exit_for(rc);
    }
    if (!root)
        return 0;

    if (cdn_resultdir_begin(&dir, &err) != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return EXIT_CANTCREAT;
    }
    status = 0;
    rc = is_sweep ? cdn_report_sweep(dir.tmp, st, info, &err) : cdn_report_compare(dir.tmp, st, info, &err);
    if (rc == 0)
        rc = cdn_report_manifest(dir.tmp, st, info, &err);
    if (rc != 0) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = EXIT_IOERR;
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
        status = EXIT_CANTCREAT;
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

static int cmd_compare(int argc, char **argv)
{
    study_opts_t o;
    memset(&o, 0, sizeof o);
    const char *list = NULL;
    for (int i = 0; i < argc; i++) {
        int rc = parse_study_opt(argc, argv, &i, &o);
        if (rc > 1)
            return rc;
        if (rc == 1)
            continue;
        const char *a = argv[i];
        if (strcmp(a, "--strategies") == 0 || strcmp(a, "-S") == 0) {
            if (++i >= argc)
                return usage_error("%s needs a list such as baseline,fail-open", a);
            list = argv[i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!o.scenario_path) {
            o.scenario_path = a;
        } else {
            return usage_error("unexpected argument '%s' (one scenario per comparison)", a);
        }
    }
    int rc = check_study_opts(&o);
    if (rc != 0)
        return rc;
    if (!list || !*list)
        return usage_error("compare needs --strategies, e.g. --strategies baseline,validate-on-ingest");
    char defbuf[4096];
    if (!o.scenario_path)
        o.scenario_path = default_scenario(defbuf, sizeof defbuf);

    cdn_error_t err = {0, ""};
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL, (unsigned)o.jobs, &err);
    if (!runner) {
        fprintf(stderr, "cdnsim: %s\n", err.msg);
        return exit_for(err.code);
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
        status = root ? usage_error("--strategies list too long") : EXIT_USAGE;
    } else {
        snprintf(listbuf, sizeof listbuf, "%s", list);
        char *save = NULL;
        for (char *p = strtok_r(listbuf, ",", &save); p && status == 0; p = strtok_r(NULL, ",", &save)) {
            if (nspecs == MAX_ARMS)
                status = root ? usage_error("too many strategies (at most %d)", MAX_ARMS) : EXIT_USAGE;
            else
                specs[nspecs++] = p;
        }
        if (status == 0 && (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,")))
            status = root ? usage_error("empty strategy in --strategies '%s'", list) : EXIT_USAGE;
    }
    uint64_t hash = 0;
    cdn_loader_t *ld = NULL; /* the scenario, read and parsed once for every arm */
    if (status == 0) {
        rc = cdn_loader_open(o.scenario_path, &ld, &err);
        hash = rc == 0 ? cdn_loader_hash(ld) : 0;
        if (rc != 0) {
            if (root)
                fprintf(stderr, "cdnsim: %s\n", err.msg);
            status = exit_for(rc);
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
                status = root ? usage_error("strategy '%s' is listed twice", labels[k]) : EXIT_USAGE;
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
            status = add_arm(st, ld, base_label, base_ov, nbase, root, &idx);
            nbase = 0;
            info.ref = 0;
        }
        for (size_t k = 0; k < nres; k++) {
            if (status == 0) {
                status = add_arm(st, ld, labels[k], ov[k], nov[k], root, &idx);
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
    cdn_loader_destroy(ld);
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
        return usage_error("%s needs PATH=v1,v2,... (for example '$.artifacts[*].validate_on_ingest=false,true'), "
                           "found '%s'", opt, spec);
    *path = malloc((size_t)(eq - spec) + 1);
    char *vals = strdup(eq + 1);
    if (!*path || !vals) {
        fprintf(stderr, "cdnsim: out of memory\n");
        abort();
    }
    memcpy(*path, spec, (size_t)(eq - spec));
    (*path)[eq - spec] = '\0';
    *values = calloc(MAX_SWEEP_VALUES, sizeof **values);
    *nvalues = 0;
    char *save = NULL;
    size_t vl = strlen(vals);
    int bad = vals[0] == ',' || vals[vl - 1] == ',' || strstr(vals, ",,") != NULL;
    for (char *p = strtok_r(vals, ",", &save); p && !bad; p = strtok_r(NULL, ",", &save)) {
        if (*nvalues == MAX_SWEEP_VALUES) {
            free(vals);
            return usage_error("%s: at most %d values", opt, MAX_SWEEP_VALUES);
        }
        (*values)[(*nvalues)++] = strdup(p);
    }
    free(vals);
    if (bad)
        return usage_error("%s: empty value in '%s'", opt, spec);
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

static int cmd_sweep(int argc, char **argv)
{
    study_opts_t o;
    memset(&o, 0, sizeof o);
    const char *pspec[2] = {NULL, NULL}, *strategy = "baseline", *metric = "failed_requests";
    for (int i = 0; i < argc; i++) {
        int rc = parse_study_opt(argc, argv, &i, &o);
        if (rc > 1)
            return rc;
        if (rc == 1)
            continue;
        const char *a = argv[i];
        if (strcmp(a, "--param") == 0 || strcmp(a, "--param2") == 0) {
            if (++i >= argc)
                return usage_error("%s needs PATH=v1,v2,...", a);
            pspec[a[7] == '2'] = argv[i];
        } else if (strcmp(a, "--strategy") == 0) {
            if (++i >= argc)
                return usage_error("%s needs a strategy (name, file, or a+b)", a);
            strategy = argv[i];
        } else if (strcmp(a, "--metric") == 0) {
            if (++i >= argc)
                return usage_error("%s needs a metric name such as failed_requests", a);
            metric = argv[i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!o.scenario_path) {
            o.scenario_path = a;
        } else {
            return usage_error("unexpected argument '%s' (one scenario per sweep)", a);
        }
    }
    int rc = check_study_opts(&o);
    if (rc != 0)
        return rc;
    if (!pspec[0])
        return usage_error("sweep needs --param PATH=v1,v2,...");
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
        return usage_error("the grid has %zu points; at most %d", npv[0] * (np > 1 ? npv[1] : 1), MAX_ARMS);
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
        return exit_for(err.code);
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
    cdn_loader_t *ld = NULL; /* the scenario, read and parsed once for every point */
    rc = cdn_loader_open(o.scenario_path, &ld, &err);
    hash = rc == 0 ? cdn_loader_hash(ld) : 0;
    if (rc != 0) {
        if (root)
            fprintf(stderr, "cdnsim: %s\n", err.msg);
        status = exit_for(rc);
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
                        usage_error("%s", err.msg);
                    for (size_t k = 0; k < nov; k++)
                        cdn_overlay_destroy(ov[k]);
                    status = EXIT_USAGE;
                }
            }
            if (status != 0)
                break;
            size_t idx;
            status = add_arm(st, ld, label, ov, nov, root, &idx);
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
            status = root ? usage_error("unknown metric '%s' (see docs/compare.md; e.g. "
                                        "failed_requests, user_minutes_lost, peak_err5xx_frac)",
                                        metric)
                          : EXIT_USAGE;
        else
            info.metric = (size_t)m;
    }
    char defdir[CDN_RESULTDIR_PATH_MAX];
    snprintf(defdir, sizeof defdir, "results/%s-sweep", st->narms ? st->arms[0].scenario->name : "x");
    status = run_study(runner, st, &o, &info, defdir, status);
    cdn_loader_destroy(ld);
    cdn_study_destroy(st);
    cdn_runner_destroy(runner);
    for (size_t q = 0; q < np; q++)
        free_param(ppath[q], pvals[q], npv[q]);
    return status;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2)
        return usage_error("missing command");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("cdnsim %s\n", CDNSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 2, argv + 2);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 2, argv + 2);
    return usage_error("unknown command '%s'", cmd);
}
