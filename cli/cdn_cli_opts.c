/*
 * cdn_cli_opts.c -- option table, getopt_long parsing, generated help.
 *
 * Design
 *   One static table of option rows (cdn_cli_opt_t) is the only place an
 *   option is named, checked or described.  For a command, the rows whose
 *   `commands` include it become a `struct option` array and an optstring
 *   ("-:" + letters) for getopt_long; getopt's `val` is the short letter,
 *   or 256 + id for a long-only option, and maps back to its row.  The
 *   leading '-' makes getopt return operands in place (as code 1), so that
 *   options may follow the scenario even under POSIXLY_CORRECT; the ':'
 *   makes it report a missing argument apart from an unknown option and
 *   print nothing itself: every message is ours.  optind is reset to 0
 *   (glibc: full reinitialisation) before each parse.
 *
 *   Invariants: within one command, no two rows share a long name or a
 *   letter (two rows of one id, like -n, never share a command).  Checked
 *   by assert in debug builds when a command's rows are gathered.
 *
 *   Help is laid out in two columns: the option or command (indented 2)
 *   and its help from column 23; a left part too wide for the column puts
 *   the help on the next line, as do the '\n's inside a help text.  A
 *   command's help ends with the metric names when it takes --metric
 *   (from the model's list, so never stale) and its examples
 *   (cdn_cli_man.h).  Every option that takes a value says its default,
 *   or "(required)", in its help (the manual test checks it).
 *
 *   Complexity: parsing is O(argc * rows); rows are a few dozen.
 *
 *   Rejected: a hand-written loop per command (the same option parsed
 *   twice, with different limits, and a usage text that drifted from the
 *   parsers); argp (glibc only, and its help layout is not ours to
 *   generate man pages from).
 */
#include "cdn_cli_opts.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_cli_man.h"  /* cdn_cli_examples */
#include "cdn_cmd.h"      /* CDN_CMD_DEFAULT_TEMPLATE */
#include "cdn_error.h"
#include "cdn_metrics.h"  /* metric names in the help */
#include "cdn_runner.h"   /* CDN_RUNNER_JOBS_MAX */
#include "cdn_scenario.h" /* CDN_SEED_MAX */
#include "sim_alloc.h"

#define HELP_COLUMN 23
#define LONG_ONLY 256 /* getopt val of a long-only option: LONG_ONLY + id */
#define MAX_REPS 1000000

#define RUN CDN_CMD_BIT(CDN_CMD_RUN)
#define SHOW CDN_CMD_BIT(CDN_CMD_SHOW)
#define SENS CDN_CMD_BIT(CDN_CMD_SENSITIVITY)
#define FIT CDN_CMD_BIT(CDN_CMD_FIT)
#define ALL_COMMANDS (CDN_CMD_BIT(CDN_CMD_COUNT) - 1u)

static const cdn_cli_opt_t opt_rows[] = {
    {CDN_OPT_OUTPUT, "output", 'o', "DIR", CDN_CMD_SIMULATE, CDN_ARG_TEXT, 0, 0, "a folder",
     "results folder (default: results/<scenario-name>,\n"
     "with -compare or -sweep appended for those commands)"},
    {CDN_OPT_SEED, "seed", 's', "N", CDN_CMD_SIMULATE | SENS | FIT, CDN_ARG_UINT, 0, CDN_SEED_MAX,
     "a non-negative integer", "seed of the random streams (default: the scenario's)"},
    {CDN_OPT_REPLICATION, "replication", 'r', "R", RUN, CDN_ARG_UINT, 0, CDN_SEED_MAX,
     "a non-negative integer", "replication index, 0-based (default 0)"},
    {CDN_OPT_REPLICATIONS, "replications", 'n', "N", RUN, CDN_ARG_UINT, 1, MAX_REPS,
     "a number of replications",
     "also run replications 0..N-1 and write calibration.md\n"
     "and calibration.csv: the scenario's calibration targets\n"
     "beside the simulated values (median, 5-95%, mean, sd)\n"
     "(default: one replication, no calibration report)"},
    {CDN_OPT_REPLICATIONS, "replications", 'n', "N", CDN_CMD_STUDY, CDN_ARG_UINT, 2, MAX_REPS,
     "a number of replications", "replications of each strategy or point (default 20)"},
    {CDN_OPT_JOBS, "jobs", 'j', "J", CDN_CMD_SIMULATE | SENS | FIT, CDN_ARG_UINT, 1, CDN_RUNNER_JOBS_MAX,
     "a number of threads",
     "threads for the replications (default: the online\n"
     "cores; per MPI rank under mpirun)"},
    {CDN_OPT_STRATEGIES, "strategies", 'S', "LIST", CDN_CMD_BIT(CDN_CMD_COMPARE), CDN_ARG_TEXT, 0,
     0, "a list such as baseline,fail-open",
     "comma-separated strategies; a+b applies a then b;\n"
     "a name from scenarios/strategies/ or a .json file;\n"
     "'baseline' is added as the reference if not listed\n"
     "(required)"},
    {CDN_OPT_STRATEGY, "strategy", 0, "S", CDN_CMD_BIT(CDN_CMD_SWEEP), CDN_ARG_TEXT, 0, 0,
     "a strategy (name, file, or a+b)", "the strategy the grid is laid over (default baseline)"},
    {CDN_OPT_STRATEGY, "strategy", 0, "S", RUN | SHOW | SENS | FIT, CDN_ARG_TEXT, 0, 0,
     "a strategy (name, file, or a+b)",
     "apply a strategy first: a name of the library\n"
     "(scenarios/strategies/), a .json file, or a+b (as in\n"
     "compare), e.g. kill-switch (default: none)"},
    {CDN_OPT_SET, "set", 0, "PATH=VALUE", CDN_CMD_SIMULATE | SHOW | SENS | FIT, CDN_ARG_LIST, 0, 0,
     "PATH=VALUE, e.g. '$.traffic.max_retries=2'",
     "override one scenario value, after the strategies;\n"
     "repeatable; PATH as in strategies ($.key, [N], [*],\n"
     "[key=X]); VALUE is JSON, else a plain string\n"
     "(default: none)"},
    {CDN_OPT_PARAM, "param", 0, "'PATH=v1,v2,...'", CDN_CMD_BIT(CDN_CMD_SWEEP), CDN_ARG_TEXT, 0, 0,
     "PATH=v1,v2,...",
     "a scenario value ($.key, [N], [*], [key=X]) and\n"
     "its values (JSON, or a plain string) (required)"},
    {CDN_OPT_PARAM2, "param2", 0, "'PATH=v1,...'", CDN_CMD_BIT(CDN_CMD_SWEEP), CDN_ARG_TEXT, 0, 0,
     "PATH=v1,v2,...",
     "a second scenario value: the grid is param x param2\n"
     "(default: none, a line over --param)"},
    {CDN_OPT_METRIC, "metric", 0, "M", CDN_CMD_BIT(CDN_CMD_SWEEP), CDN_ARG_TEXT, 0, 0,
     "a metric name such as failed_requests", "the metric plotted (default failed_requests)"},
    {CDN_OPT_PRECISION, "precision", 0, "P", CDN_CMD_STUDY, CDN_ARG_FRAC, 0, 0,
     "a relative half-width between 0 and 1, e.g. 0.05",
     "add batches of N replications until the 95% interval\n"
     "of the metric chosen by --precision-metric has a\n"
     "half-width below P times its mean for every strategy\n"
     "or point, up to --max-n M (default: off, exactly N)"},
    {CDN_OPT_PRECISION_METRIC, "precision-metric", 0, "M", CDN_CMD_STUDY, CDN_ARG_TEXT, 0, 0,
     "a metric name such as failed_requests",
     "the metric whose intervals --precision checks\n"
     "(default failed_requests, the primary metric)"},
    {CDN_OPT_ASSERT, "assert", 0, "'EXPR'", RUN, CDN_ARG_LIST, 0, 0,
     "an expression such as 'peak_err5xx_frac < 0.05'",
     "check METRIC OP NUMBER on the run (OP: < <= > >= == !=),\n"
     "e.g. 'peak_err5xx_frac < 0.05'; repeatable; exit 1 if\n"
     "one fails (results still written; verdicts in manifest)\n"
     "(default: none)"},
    {CDN_OPT_ASSERT, "assert", 0, "'EXPR'", CDN_CMD_BIT(CDN_CMD_COMPARE), CDN_ARG_LIST, 0, 0,
     "an expression such as 'kill-switch:failed_requests.diff_rel < -0.5'",
     "check [STRATEGY:]METRIC[.STAT] OP NUMBER, STAT a column\n"
     "of comparison.csv (mean, ci95_hi, diff_rel, ...), for\n"
     "STRATEGY or every one; repeatable; exit 1 if one fails\n"
     "(default: none)"},
    {CDN_OPT_MAX_N, "max-n", 0, "M", CDN_CMD_STUDY, CDN_ARG_UINT, 2, MAX_REPS,
     "a number of replications", "the most replications of --precision (default 10 N)"},
    {CDN_OPT_UNCERTAINTY, "uncertainty", 0, NULL, CDN_CMD_STUDY, CDN_ARG_NONE, 0, 0, NULL,
     "draw the scenario's priors: the N replications are\n"
     "N/M parameter draws x M seeds, the same draws and seeds\n"
     "for every strategy or point; adds draws.csv and\n"
     "uncertainty.csv (parameter vs seed spread, P(best))\n"
     "(default: off, the written values)"},
    {CDN_OPT_UNCERTAINTY, "uncertainty", 0, NULL, RUN, CDN_ARG_NONE, 0, 0, NULL,
     "with -n: draw the scenario's priors: the N replications\n"
     "are N/M parameter draws x M seeds; the fan chart and\n"
     "calibration span both, the manifest splits each target's\n"
     "variance into parameters and seeds (default: off)"},
    {CDN_OPT_SEEDS_PER_DRAW, "seeds-per-draw", 0, "M", RUN, CDN_ARG_UINT, 2, MAX_REPS,
     "a number of seeds from 2",
     "with --uncertainty: seeds run per parameter draw; -n\n"
     "must be a multiple of M (default 2)"},
    {CDN_OPT_SEEDS_PER_DRAW, "seeds-per-draw", 0, "M", CDN_CMD_STUDY, CDN_ARG_UINT, 2, MAX_REPS,
     "a number of seeds from 2",
     "with --uncertainty: seeds run per parameter draw; -n\n"
     "must be a multiple of M (default 2)"},
    {CDN_OPT_BUDGET, "budget", 0, "X", CDN_CMD_SIMULATE, CDN_ARG_UINT, 0, 1000000,
     "a non-negative integer",
     "work one replication may need, in multiples of the\n"
     "default budget (1e8 events, 4 GiB, 512 MiB of results);\n"
     "a run estimated above it is refused (exit 78); 0: no limit\n"
     "(default 1)"},
    {CDN_OPT_QUIET, "quiet", 'q', NULL, CDN_CMD_SIMULATE | SENS | FIT, CDN_ARG_NONE, 0, 0, NULL,
     "print nothing but errors"},
    {CDN_OPT_STRICT, "strict", 0, NULL, CDN_CMD_BIT(CDN_CMD_VALIDATE) | RUN, CDN_ARG_NONE, 0, 0, NULL,
     "treat semantic warnings as errors: print them and exit 2\n"
     "(validate: after checking every file; run: before simulating)"},
    {CDN_OPT_NO_PLOT, "no-plot", 0, NULL, CDN_CMD_SIMULATE | SENS | FIT, CDN_ARG_NONE, 0, 0, NULL,
     "do not run gnuplot (the .gp scripts are still written)"},
    {CDN_OPT_HELP, "help", 'h', NULL, ALL_COMMANDS | CDN_CMD_GLOBAL, CDN_ARG_NONE, 0, 0, NULL,
     "this text"},
    {CDN_OPT_VERSION, "version", 'V', NULL, CDN_CMD_GLOBAL, CDN_ARG_NONE, 0, 0, NULL,
     "program version"},
    {CDN_OPT_MAN, "man", 0, "SECTION", CDN_CMD_GLOBAL, CDN_ARG_UINT, 1, 5, "1 or 5",
     "print a manual page as roff: 1 for cdnsim(1), 5 for\n"
     "cdnsim-scenario(5) (cdnsim --man 1 | man -l -)"},
    {CDN_OPT_TEMPLATE, "template", 't', "NAME", CDN_CMD_BIT(CDN_CMD_INIT), CDN_ARG_TEXT, 0, 0,
     "a template name",
     "the starter scenario: oneshot-push, periodic-migrating,\n"
     "staged-rollout or crash-manual-repair\n"
     "(default " CDN_CMD_DEFAULT_TEMPLATE ")"},
    /* sensitivity */
    {CDN_OPT_OUTPUT, "output", 'o', "DIR", SENS, CDN_ARG_TEXT, 0, 0, "a folder",
     "results folder (default: results/<scenario-name>-sensitivity)"},
    {CDN_OPT_METRIC, "metric", 0, "M", SENS, CDN_ARG_TEXT, 0, 0,
     "a metric name such as failed_requests",
     "the metric the priors are ranked by (default\n"
     "failed_requests)"},
    {CDN_OPT_METHOD, "method", 0, "NAME", SENS, CDN_ARG_TEXT, 0, 0, "morris or sobol",
     "morris: elementary effects, mu* and sigma, cheap:\n"
     "trajectories x (priors + 1) runs; sobol: first-order\n"
     "and total indices with bootstrap errors (Saltelli\n"
     "sampling): samples x (priors + 2) runs (default morris)"},
    {CDN_OPT_TRAJECTORIES, "trajectories", 0, "R", SENS, CDN_ARG_UINT, 2, 10000,
     "a number of trajectories from 2 to 10000",
     "Morris trajectories on a 4-level grid (default 10)"},
    {CDN_OPT_SAMPLES, "samples", 0, "N", SENS, CDN_ARG_UINT, 2, 1000000,
     "a number of samples from 2 to 1000000",
     "Sobol base samples N (default 256)"},
    {CDN_OPT_REPLICATIONS, "replications", 'n', "N", SENS, CDN_ARG_UINT, 1, MAX_REPS,
     "a number of replications",
     "replications per design point, averaged; every point\n"
     "uses the same seeds (common random numbers) (default 1)"},
    {CDN_OPT_FUNCTION, "function", 0, "NAME", SENS, CDN_ARG_TEXT, 0, 0, "ishigami",
     "test the method: instead of simulating, the metric is\n"
     "the Ishigami function of the 3 priors' values, each\n"
     "mapped from its support onto [-pi, pi] (default: none)"},
    /* fit */
    {CDN_OPT_PARAM, "param", 0, "PATH", FIT, CDN_ARG_LIST, 0, 0, "the path of one of the scenario's priors",
     "a free parameter to fit: the path of one of the\n"
     "scenario's priors, which gives its bounds; its start\n"
     "is the scenario's value; repeatable (required)"},
    {CDN_OPT_OUTPUT, "output", 'o', "DIR", FIT, CDN_ARG_TEXT, 0, 0, "a folder",
     "results folder (default: results/<scenario-name>-fit)"},
    {CDN_OPT_REPLICATIONS, "replications", 'n', "N", FIT, CDN_ARG_UINT, 1, MAX_REPS,
     "a number of replications",
     "replications per evaluation, the same seeds for every\n"
     "evaluation (common random numbers); the loss uses\n"
     "each target's median over them (default 10)"},
    {CDN_OPT_MAX_ITER, "max-iter", 0, "I", FIT, CDN_ARG_UINT, 1, 100000,
     "a number of iterations",
     "Nelder-Mead iterations in all, restarts included\n"
     "(default 300)"},
    {CDN_OPT_TOL, "tol", 0, "T", FIT, CDN_ARG_FRAC, 0, 0, "a real number between 0 and 1, e.g. 0.01",
     "stop when the simplex size (in logit(prior CDF)\n"
     "units) is below T (default 0.01)"},
    {CDN_OPT_STRATEGY, "strategy", 0, "S", CDN_CMD_BIT(CDN_CMD_VALIDATE), CDN_ARG_TEXT, 0, 0,
     "a strategy (name, file, or a+b)",
     "also check strategy S (a library name, a .json file, or\n"
     "a+b); each SCENARIO is then checked with S applied\n"
     "(default: none; a FILE that is a strategy is found anyway)"},
};

#define NROWS (sizeof opt_rows / sizeof opt_rows[0])


void cdn_cli_print_error(const char *msg, int prefixed)
{
    char buf[2048];
    fprintf(stderr, "%s%s\n", prefixed ? "cdnsim: " : "", cdn_error_one_line(buf, sizeof buf, msg));
}

int cdn_cli_usage_error(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cdn_cli_print_error(msg, 1); /* an argument's line break stays on one line */
    fputs("Try 'cdnsim --help'.\n", stderr);
    return cdn_cli_exit_for(CDN_EUSAGE);
}

int cdn_cli_exit_for(int code)
{
#define EXIT_CASE(c, value, name, status, meaning) \
    case c:                                       \
        return status;
    switch (code) {
        CDN_ERROR_MAP(EXIT_CASE)
    default:
        break;
    }
#undef EXIT_CASE
    return cdn_cli_exit_for(CDN_EINTERNAL);
}

/* ---- parsing ---------------------------------------------------------- */

static int getopt_val(const cdn_cli_opt_t *o)
{
    return o->letter ? o->letter : LONG_ONLY + (int)o->id;
}

/* The rows of `commands`, as getopt_long wants them.  Returns the count. */
static size_t gather(unsigned commands, const cdn_cli_opt_t **rows, struct option *longs,
                     char *shorts)
{
    size_t n = 0, ns = 0;
    shorts[ns++] = '-';
    shorts[ns++] = ':';
    for (size_t i = 0; i < NROWS; i++) {
        const cdn_cli_opt_t *o = &opt_rows[i];
        if (!(o->commands & commands))
            continue;
        for (size_t k = 0; k < n; k++)
            assert(strcmp(rows[k]->name, o->name) != 0 && (!o->letter || rows[k]->letter != o->letter));
        rows[n] = o;
        longs[n] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, getopt_val(o)};
        if (o->letter) {
            shorts[ns++] = o->letter;
            if (o->arg)
                shorts[ns++] = ':';
        }
        n++;
    }
    longs[n] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = '\0';
    return n;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s)) /* strtoull would take " -1" */
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* "--name" if the option was given by its long name, else "-x". */
static const char *spelled(const cdn_cli_opt_t *o, int as_long, char *buf, size_t n)
{
    if (as_long || !o->letter)
        snprintf(buf, n, "--%s", o->name);
    else
        snprintf(buf, n, "-%c", o->letter);
    return buf;
}

static int needs_error(const cdn_cli_opt_t *o, int as_long)
{
    char b[64];
    if (o->kind == CDN_ARG_UINT && o->hi != UINT64_MAX)
        return cdn_cli_usage_error("%s needs %s from %" PRIu64 " to %" PRIu64, spelled(o, as_long, b, sizeof b),
                                   o->needs, o->lo, o->hi);
    return cdn_cli_usage_error("%s needs %s", spelled(o, as_long, b, sizeof b), o->needs);
}

/* Checks and stores the value of option o. 0 or a usage error. */
static int take(const cdn_cli_opt_t *o, const char *val, int as_long, cdn_cli_args_t *a)
{
    a->seen[o->id] = 1;
    switch (o->kind) {
    case CDN_ARG_NONE:
        return 0;
    case CDN_ARG_TEXT:
        a->text[o->id] = val;
        return 0;
    case CDN_ARG_LIST:
        a->list[o->id][a->nlist[o->id]++] = val;
        return 0;
    case CDN_ARG_UINT:
        if (parse_u64(val, &a->num[o->id]) != 0 || a->num[o->id] < o->lo || a->num[o->id] > o->hi)
            return needs_error(o, as_long);
        return 0;
    case CDN_ARG_FRAC: {
        char *end = NULL;
        double v = strtod(val, &end);
        if (!end || end == val || *end || !(v > 0 && v < 1))
            return needs_error(o, as_long);
        a->frac[o->id] = v;
        return 0;
    }
    }
    return needs_error(o, as_long);
}

static const cdn_cli_opt_t *row_of(const cdn_cli_opt_t *const *rows, size_t n, int val)
{
    for (size_t i = 0; i < n; i++)
        if (getopt_val(rows[i]) == val)
            return rows[i];
    return NULL;
}

/* A getopt error: '?' (unknown option) or ':' (missing argument). */
static int getopt_error(int c, const cdn_cli_opt_t *const *rows, size_t n, int argc, char **argv)
{
    const char *elem = argv[optind - 1 < argc ? optind - 1 : argc - 1];
    if (c == ':') {
        const cdn_cli_opt_t *o = row_of(rows, n, optopt);
        if (o)
            return needs_error(o, strncmp(argv[argc - 1], "--", 2) == 0);
    }
    if (c == '?' && row_of(rows, n, optopt))
        return cdn_cli_usage_error("option '%s' takes no value", elem);
    if (optopt > 0 && optopt < LONG_ONLY)
        return cdn_cli_usage_error("unknown option '-%c'", optopt);
    return cdn_cli_usage_error("unknown option '%s'", elem);
}

static int check_operands(const cdn_cli_cmd_t *cmd, const cdn_cli_args_t *a)
{
    if (a->noperands < cmd->min_operands)
        return cdn_cli_usage_error("%s", cmd->too_few);
    if (cmd->max_operands >= 0 && a->noperands > cmd->max_operands)
        return cdn_cli_usage_error("unexpected argument '%s' (%s)", a->operands[cmd->max_operands],
                                   cmd->too_many);
    return 0;
}

int cdn_cli_opts_parse(const cdn_cli_cmd_t *cmd, int argc, char **argv, cdn_cli_args_t *a,
                       int *help)
{
    const cdn_cli_opt_t *rows[NROWS];
    struct option longs[NROWS + 1];
    char shorts[2 + 2 * NROWS + 1];
    size_t n = gather(CDN_CMD_BIT(cmd->id), rows, longs, shorts);
    memset(a, 0, sizeof *a);
    a->operands = sim_xcalloc((size_t)argc + 1, sizeof *a->operands);
    for (size_t i = 0; i < n; i++) /* at most argc values each */
        if (rows[i]->kind == CDN_ARG_LIST && !a->list[rows[i]->id])
            a->list[rows[i]->id] = sim_xcalloc((size_t)argc + 1, sizeof *a->list[rows[i]->id]);
    *help = 0;
    opterr = 0;
    optind = 0;
    for (;;) {
        int li = -1;
        int c = getopt_long(argc, argv, shorts, longs, &li);
        if (c == -1)
            break;
        if (c == 1) {
            a->operands[a->noperands++] = optarg;
            continue;
        }
        const cdn_cli_opt_t *o = c == '?' || c == ':' ? NULL : row_of(rows, n, c);
        if (!o) {
            getopt_error(c, rows, n, argc, argv);
            return CDN_EUSAGE;
        }
        if (o->id == CDN_OPT_HELP) {
            *help = 1;
            return 0;
        }
        if (take(o, optarg, li >= 0, a) != 0)
            return CDN_EUSAGE;
    }
    while (optind < argc) /* after "--" */
        a->operands[a->noperands++] = argv[optind++];
    return check_operands(cmd, a) ? CDN_EUSAGE : 0;
}

void cdn_cli_args_fini(cdn_cli_args_t *a)
{
    free(a->operands);
    a->operands = NULL;
    for (size_t i = 0; i < CDN_OPT_COUNT; i++) {
        free(a->list[i]);
        a->list[i] = NULL;
    }
}

/* ---- help ------------------------------------------------------------- */

const cdn_cli_opt_t *cdn_cli_opts_rows(size_t *n)
{
    *n = NROWS;
    return opt_rows;
}

unsigned cdn_cli_metric_commands(void)
{
    unsigned bits = 0;
    for (size_t i = 0; i < NROWS; i++)
        if (opt_rows[i].id == CDN_OPT_METRIC)
            bits |= opt_rows[i].commands;
    return bits;
}

/* "  LEFT   help line 1\n" + continuation lines at HELP_COLUMN. */
static void two_columns(FILE *f, const char *left, const char *help)
{
    int w = fprintf(f, "  %s", left);
    if (w >= HELP_COLUMN - 1) {
        fputc('\n', f);
        w = 0;
    }
    fprintf(f, "%*s", HELP_COLUMN - w, "");
    for (const char *p = help; *p; p++) {
        fputc(*p, f);
        if (*p == '\n')
            fprintf(f, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', f);
}

static void option_line(FILE *f, const cdn_cli_opt_t *o)
{
    char left[128];
    char letter[8] = "    ";
    if (o->letter)
        snprintf(letter, sizeof letter, "-%c, ", o->letter);
    snprintf(left, sizeof left, "%s--%s%s%s", letter, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    two_columns(f, left, o->help);
}

static void options_of(FILE *f, unsigned commands)
{
    for (size_t i = 0; i < NROWS; i++)
        if (opt_rows[i].commands & commands)
            option_line(f, &opt_rows[i]);
}

/* "  line\n" for each line of a '\n'-separated text. */
static void indented(FILE *f, const char *text)
{
    fputs("  ", f);
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n')
            fputs("  ", f);
    }
    fputc('\n', f);
}

void cdn_cli_opts_help(FILE *f, const cdn_cli_cmd_t *cmd)
{
    fprintf(f, "usage: cdnsim %s %s\n\n", cmd->name, cmd->operands);
    indented(f, cmd->summary);
    if (cmd->notes) {
        fputc('\n', f);
        indented(f, cmd->notes);
    }
    fputs("\noptions:\n", f);
    options_of(f, CDN_CMD_BIT(cmd->id));
    if (CDN_CMD_BIT(cmd->id) & cdn_cli_metric_commands()) {
        fputs("\nmetric names (--metric):\n ", f);
        int col = 1;
        for (int m = 0; m < CDN_MET_COUNT; m++) {
            const char *name = cdn_metric_name((cdn_metric_t)m);
            if (col + 2 + (int)strlen(name) > 78) {
                fputs("\n ", f);
                col = 1;
            }
            col += fprintf(f, " %s,", name);
        }
        fputs("\n  and svc_<name>_downtime_s for each internal service\n", f);
    }
    const char *ex = cdn_cli_examples(cmd->name);
    if (ex) {
        fputs("\nexamples:\n", f);
        indented(f, ex);
    }
}

void cdn_cli_opts_usage(FILE *f, const cdn_cli_cmd_t *cmds, size_t ncmds)
{
    fputs("usage: cdnsim <command> [options]\n\n"
          "Discrete-event simulator of global CDN outage cascades.\n\ncommands:\n",
          f);
    for (size_t i = 0; i < ncmds; i++) {
        char left[256];
        snprintf(left, sizeof left, "%s %s", cmds[i].name, cmds[i].operands);
        two_columns(f, left, cmds[i].summary);
    }
    fputs("\nThe options and examples of a command: cdnsim help COMMAND\n\ngeneral:\n", f);
    options_of(f, CDN_CMD_GLOBAL);
    fputs("\nexit codes (sysexits):\n", f);
#define EXIT_ROW(c, value, name, status, meaning) fprintf(f, "  %-3d %-9s %s\n", status, name, meaning);
    CDN_ERROR_MAP(EXIT_ROW)
#undef EXIT_ROW
}
