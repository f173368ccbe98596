/*
 * cdnsim.c -- the command-line interface: run, validate, plot.
 *
 * Design
 *   Parses arguments, loads and validates the scenario, runs one
 *   replication and writes the results folder atomically: everything goes
 *   into a temporary sibling folder (mkdtemp), gnuplot draws there, and
 *   only then is the folder renamed into place, so a failed or interrupted
 *   run never leaves a partial results folder.  An existing target is
 *   replaced only if it looks like a cdnsim results folder (it has a
 *   summary.json) or is empty; anything else is refused.
 *
 *   Exit codes follow sysexits(3): 64 usage, 65 bad scenario data, 66
 *   scenario file missing or unreadable, 70 internal error, 73 cannot
 *   create the output folder, 74 write error.  Only main() exits.
 *
 *   Third-party global state is set once here: GSL's error handler is
 *   turned off (the model checks its inputs; GSL errors become results, not
 *   aborts).
 */
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

#include "cdn_output.h"
#include "cdn_resultdir.h"
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
    "\n"
    "run options:\n"
    "  -o, --output DIR     results folder (default: results/<scenario-name>)\n"
    "  -s, --seed N         seed of the random streams (default: the scenario's)\n"
    "  -r, --replication R  replication index, 0-based (default 0)\n"
    "  -q, --quiet          print nothing but errors\n"
    "      --no-plot        do not run gnuplot (timeline.gp is still written)\n"
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

/* The reference scenario: ./scenarios first, then the copy installed
 * beside the binary (<prefix>/share/cdnsim/scenarios, found from
 * /proc/self/exe so a relocated install works), then the configured install
 * prefix, then the source tree the binary was built from. */
static const char *default_scenario(char *buf, size_t n)
{
    char exe[4096], rel[4096 + 64] = "";
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(rel, sizeof rel, "%s/../share/cdnsim/scenarios", exe);
        }
    }
    const char *dirs[] = {"scenarios", rel,
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
        snprintf(buf, n, "%s/%s", dirs[i], DEFAULT_SCENARIO);
        if (file_exists(buf))
            return buf;
    }
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

static int cmd_run(int argc, char **argv)
{
    const char *scenario_path = NULL, *out_dir = NULL;
    uint64_t seed = 0, replication = 0;
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
               "timeline.gp%s)\n",
               target, plotted ? ", timeline.png, timeline.svg" : "");
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
    return usage_error("unknown command '%s'", cmd);
}
