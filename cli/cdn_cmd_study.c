/*
 * cdn_cmd_study.c -- the part of `compare` and `sweep` they share: options,
 * strategies, arms, and running and writing a study.
 *
 * Design
 *   A study runs in four phases (cdn_cmd_study_run), each a function that
 *   returns 0 or an exit status:
 *       prepare  rank 0 checks the target folder; every rank then agrees
 *                on the worst setup status (cdn_runner_agree), so a setup
 *                error on any rank stops all of them;
 *       run      replications in batches of -n until every arm's 95%
 *                interval of one metric (--precision-metric, default
 *                failed_requests) is narrow enough (--precision) or
 *                --max-n is reached;
 *       write    rank 0 writes the reports into a temporary folder, draws
 *                the plots and renames the folder into place;
 *       print    the ranked table (compare) or the grid (sweep).
 *   Names given by the user (--precision-metric, --assert's metrics and
 *   strategies) are checked in prepare, before the folder is touched;
 *   --assert is judged after the run on every rank alike, its verdicts go
 *   into the manifest, and a failed one makes the exit status 1 only after
 *   the folder is complete (it is never aborted for it).
 *   Under MPI every rank parses the same arguments and loads the same
 *   files; only rank 0 prints errors and writes.
 *
 *   Strategies: "a+b+c" is split on '+', each part found in the library
 *   (scenarios/strategies/NAME.json, cdn_cmd_find_data) or read as a file;
 *   the overlays are applied in order by cdn_loader_load to a copy of the
 *   scenario tree, read and parsed once (cdn_cmd_study_open).  The
 *   library's names are listed, sorted, in the error for an unknown name.
 *
 *   Rejected: running the replications of each arm separately (the arms
 *   would not share replications, i.e. common random numbers would be
 *   lost, and the batches would not interleave across ranks).
 */
#include "cdn_cmd_study.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cdn_assert.h"
#include "cdn_cmd.h"
#include "cdn_error.h"
#include "cdn_estimate.h"
#include "cdn_metrics.h"
#include "cdn_gnuplot.h"
#include "cdn_html.h"
#include "cdn_output.h"
#include "cdn_priors.h"
#include "cdn_resultdir.h"
#include "cdn_study_run.h"
#include "sim_alloc.h"

#define DEFAULT_REPLICATIONS 20

int cdn_cmd_study_opts_from(const cdn_cli_args_t *a, cdn_cmd_study_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->scenario_path = a->noperands ? a->operands[0]
                                    : cdn_cmd_default_scenario(o->default_path, sizeof o->default_path);
    o->out_dir = a->text[CDN_OPT_OUTPUT];
    o->seed = a->num[CDN_OPT_SEED];
    o->have_seed = a->seen[CDN_OPT_SEED];
    o->n = a->seen[CDN_OPT_REPLICATIONS] ? a->num[CDN_OPT_REPLICATIONS] : DEFAULT_REPLICATIONS;
    o->jobs = a->num[CDN_OPT_JOBS];
    o->precision = a->frac[CDN_OPT_PRECISION];
    o->max_n = a->num[CDN_OPT_MAX_N];
    o->budget = a->seen[CDN_OPT_BUDGET] ? a->num[CDN_OPT_BUDGET] : 1;
    o->quiet = a->seen[CDN_OPT_QUIET];
    o->no_plot = a->seen[CDN_OPT_NO_PLOT];
    o->precision_metric = a->text[CDN_OPT_PRECISION_METRIC];
    o->sets = a->list[CDN_OPT_SET];
    o->nsets = a->nlist[CDN_OPT_SET];
    o->asserts = a->list[CDN_OPT_ASSERT];
    o->nasserts = a->nlist[CDN_OPT_ASSERT];
    o->argc = a->argc;
    o->argv = a->argv;
    o->uncertainty = a->seen[CDN_OPT_UNCERTAINTY];
    if (o->uncertainty && o->precision)
        return cdn_cli_usage_error("--uncertainty and --precision exclude each other (under "
                                   "--uncertainty, -n fixes the draws: N/M draws x M seeds)");
    int urc = cdn_cmd_unc_options(a, o->n, &o->seeds_per_draw);
    if (urc != 0)
        return urc;
    if (o->precision_metric && !o->precision)
        return cdn_cli_usage_error("--precision-metric needs --precision");
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
    if (!cdn_cmd_find_data("strategies/baseline.json", dir, sizeof dir))
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

/* The file of one strategy name or path, in path; 0 or an exit status. */
static int strategy_file(const char *part, char *path, size_t npath, int loud)
{
    size_t len = strlen(part);
    if (strchr(part, '/') != NULL || (len > 5 && strcmp(part + len - 5, ".json") == 0)) {
        snprintf(path, npath, "%s", part);
        return 0;
    }
    char rel[256];
    if (!cdn_overlay_valid_name(part)) {
        if (loud)
            cdn_cli_usage_error("'%s' is not a strategy name ([A-Za-z0-9._-]) or a .json file", part);
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    snprintf(rel, sizeof rel, "strategies/%s.json", part);
    if (!cdn_cmd_find_data(rel, path, npath)) {
        if (loud) {
            char names[2048];
            library_names(names, sizeof names);
            cdn_cli_usage_error("unknown strategy '%s' (the library has: %s; or give a .json file)", part,
                                names[0] ? names : "nothing: scenarios/strategies not found");
        }
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    return 0;
}

/* A strategy spec's form: no empty part, not too long. */
static int check_spec(const char *spec, size_t nbuf, int loud)
{
    if (strlen(spec) >= nbuf) {
        if (loud)
            cdn_cli_usage_error("strategy '%.40s...' is too long", spec);
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    if (spec[0] == '\0' || spec[0] == '+' || spec[strlen(spec) - 1] == '+' || strstr(spec, "++")) {
        if (loud)
            cdn_cli_usage_error("empty strategy name in '%s' (compose strategies as a+b)", spec);
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    return 0;
}

int cdn_cmd_study_resolve(const char *spec, cdn_overlay_t **ov, size_t *nov, size_t max,
                          char *label, size_t nlabel, int loud)
{
    char buf[4096];
    *nov = 0;
    label[0] = '\0';
    int status = check_spec(spec, sizeof buf, loud);
    if (status != 0)
        return status;
    snprintf(buf, sizeof buf, "%s", spec);
    size_t used = 0;
    char *save = NULL;
    for (char *part = strtok_r(buf, "+", &save); part && status == 0; part = strtok_r(NULL, "+", &save)) {
        char path[4096];
        if (*nov == max) {
            if (loud)
                cdn_cli_usage_error("too many strategies composed in '%s' (at most %zu)", spec, max);
            status = cdn_cli_exit_for(CDN_EUSAGE);
            break;
        }
        status = strategy_file(part, path, sizeof path, loud);
        if (status != 0)
            break;
        cdn_error_t err = {0, ""};
        cdn_overlay_t *o = NULL;
        int rc = cdn_overlay_load(path, &o, &err);
        if (rc != 0) {
            if (loud)
                cdn_cli_print_error(err.msg, 1);
            status = cdn_cli_exit_for(rc);
            break;
        }
        ov[(*nov)++] = o;
        int w = snprintf(label + used, nlabel - used, "%s%s", used ? "+" : "", cdn_overlay_name(o));
        if (w > 0 && (size_t)w < nlabel - used)
            used += (size_t)w;
    }
    if (status != 0) {
        for (size_t k = 0; k < *nov; k++)
            cdn_overlay_destroy(ov[k]);
        *nov = 0;
    }
    return status;
}

/* "PATH=VALUE": the first '=' outside [...] ends the path ('=' of a
 * [key=X] filter belongs to it).  NULL if there is none. */
static const char *assignment_eq(const char *spec)
{
    int depth = 0;
    for (const char *p = spec; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (*p == '=' && depth == 0)
            return p;
    }
    return NULL;
}

static void destroy_all(cdn_overlay_t **ov, size_t *nov)
{
    for (size_t k = 0; k < *nov; k++)
        cdn_overlay_destroy(ov[k]);
    *nov = 0;
}

int cdn_cmd_study_add_sets(const char *const *sets, size_t nsets, cdn_overlay_t **ov, size_t *nov,
                           size_t max, int loud)
{
    if (nsets == 0)
        return 0;
    if (*nov == max) {
        destroy_all(ov, nov);
        if (loud) /* callers leave room for it: not reached */
            cdn_cli_usage_error("too many overlays with --set (at most %zu)", max);
        return cdn_cli_exit_for(CDN_EUSAGE);
    }
    cdn_overlay_t *o = cdn_overlay_create("--set", "--set");
    ov[(*nov)++] = o;
    for (size_t i = 0; i < nsets; i++) {
        const char *eq = assignment_eq(sets[i]);
        cdn_error_t err = {0, ""};
        if (!eq || eq == sets[i]) {
            destroy_all(ov, nov);
            if (loud)
                cdn_cli_usage_error("--set needs PATH=VALUE (for example '$.traffic.max_retries=2'), "
                                    "found '%s'", sets[i]);
            return cdn_cli_exit_for(CDN_EUSAGE);
        }
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)(eq - sets[i]), sets[i]);
        if (cdn_overlay_add_set_text(o, path, eq + 1, &err) != 0) {
            destroy_all(ov, nov);
            if (loud)
                cdn_cli_usage_error("%s", err.msg);
            return cdn_cli_exit_for(CDN_EUSAGE);
        }
    }
    return 0;
}

int cdn_cmd_study_whatif(const cdn_cli_args_t *a, cdn_overlay_t **ov, size_t *nov, char *label,
                         size_t nlabel)
{
    *nov = 0;
    label[0] = '\0';
    if (a->text[CDN_OPT_STRATEGY]) {
        int status = cdn_cmd_study_resolve(a->text[CDN_OPT_STRATEGY], ov, nov,
                                           CDN_CMD_STUDY_MAX_PARTS, label, nlabel, 1);
        if (status != 0)
            return status;
    }
    return cdn_cmd_study_add_sets(a->list[CDN_OPT_SET], a->nlist[CDN_OPT_SET], ov, nov,
                                  CDN_CMD_STUDY_MAX_OVERLAYS, 1);
}

/* Loads the scenario with the overlays and adds it to the study as an arm
 * (which takes the overlays); see cdn_cmd_study.h. */
int cdn_cmd_study_add_arm(cdn_study_t *st, const cdn_loader_t *ld, const char *label,
                          cdn_overlay_t **ov, size_t nov, int loud, size_t *index)
{
    cdn_error_t err = {0, ""};
    cdn_scenario_t *s = NULL;
    int rc = cdn_loader_load(ld, (const cdn_overlay_t *const *)ov, nov, &s, &err);
    if (rc != 0) {
        if (loud)
            cdn_cli_print_error(err.msg, 1);
        for (size_t k = 0; k < nov; k++)
            cdn_overlay_destroy(ov[k]);
        return cdn_cli_exit_for(rc);
    }
    *index = cdn_study_add_arm(st, label, s, ov, nov);
    return 0;
}

int cdn_cmd_study_open(const char *scenario_path, cdn_loader_t **ld, const char **sha256,
                       int loud)
{
    cdn_error_t err = {0, ""};
    *sha256 = NULL;
    int rc = cdn_loader_open(scenario_path, ld, &err);
    if (rc == 0)
        *sha256 = cdn_loader_sha256(*ld);
    if (rc != 0) {
        if (loud)
            cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(rc);
    }
    return 0;
}

int cdn_cmd_unc_options(const cdn_cli_args_t *a, uint64_t n, uint64_t *seeds_per_draw)
{
    uint64_t m = *seeds_per_draw =
        a->seen[CDN_OPT_SEEDS_PER_DRAW] ? a->num[CDN_OPT_SEEDS_PER_DRAW] : 2;
    if (a->seen[CDN_OPT_SEEDS_PER_DRAW] && !a->seen[CDN_OPT_UNCERTAINTY])
        return cdn_cli_usage_error("--seeds-per-draw needs --uncertainty");
    if (!a->seen[CDN_OPT_UNCERTAINTY])
        return 0;
    if (n % m != 0)
        return cdn_cli_usage_error("--uncertainty: -n %" PRIu64 " is not a multiple of "
                                   "--seeds-per-draw %" PRIu64 " (N replications are N/M "
                                   "parameter draws x M seeds each)", n, m);
    if (n / m < 2)
        return cdn_cli_usage_error("--uncertainty: -n %" PRIu64 " with --seeds-per-draw %" PRIu64
                                   " is one draw; give at least two (-n %" PRIu64 ")",
                                   n, m, 2 * m);
    return 0;
}

int cdn_cmd_priors_base(const cdn_loader_t *ld, const char *path, cdn_priors_t **priors,
                        cJSON **base, int loud)
{
    cdn_error_t err = {0, ""};
    cdn_priors_t *p = NULL;
    const cJSON *tree = cdn_loader_tree(ld); /* parsed: the scenario loaded */
    *priors = NULL;
    *base = NULL;
    int rc = tree ? cdn_priors_read(tree, path, path, &p, &err) : CDN_EDATA;
    if (rc == 0 && cdn_priors_count(p) == 0) {
        snprintf(err.msg, sizeof err.msg,
                 "%s: --uncertainty draws the scenario's priors, but it has no \"priors\" "
                 "section (give its free parameters priors: docs/uncertainty.md)", path);
        rc = err.code = CDN_EDATA;
    }
    if (rc != 0) {
        cdn_priors_destroy(p);
        if (loud)
            cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(rc);
    }
    *base = sim_xcheck(cJSON_Duplicate(tree, 1), "copying a scenario tree");
    cJSON_DeleteItemFromObjectCaseSensitive(*base, "priors");
    *priors = p;
    return 0;
}

int cdn_cmd_study_priors(cdn_study_t *st, const cdn_loader_t *ld, const cdn_cmd_study_opts_t *o,
                         int loud)
{
    cdn_priors_t *p = NULL;
    cJSON *base = NULL;
    int status = cdn_cmd_priors_base(ld, o->scenario_path, &p, &base, loud);
    if (status == 0)
        cdn_study_set_priors(st, p, base, o->scenario_path, (size_t)o->seeds_per_draw);
    return status;
}

/* One study being run and written (cdn_cmd_study_run's phases). */
typedef struct study_job {
    cdn_runner_t *runner;
    cdn_study_t *st;
    const cdn_cmd_study_opts_t *o;
    cdn_report_info_t *info;
    int root, is_sweep;
    char target[CDN_RESULTDIR_PATH_MAX + 64];
    cdn_resultdir_t dir;
    int prepared;  /* rank 0 holds the target's lock: abort on failure */
    double wall_s; /* wall-clock seconds of the replications */
    int plotted;   /* plots drawn */
    size_t precision_metric; /* the metric --precision checks */
    cdn_assert_t *asserts;   /* --assert, parsed and checked */
    cJSON *verdicts;         /* their verdicts, for the manifest */
} study_job_t;

/* Rank 0 checks the target; then every rank agrees on the worst status. */
/* Every arm's replication within the work budget (cdn_estimate.h); an
 * exit status.  Each rank checks the same scenarios alike. */
static int study_budget(study_job_t *j, cdn_error_t *err)
{
    for (size_t a = 0; a < j->st->narms; a++) {
        cdn_estimate_t e;
        cdn_estimate(j->st->arms[a].scenario, &e);
        char what[512];
        snprintf(what, sizeof what, "%s (%s)", j->o->scenario_path, j->st->arms[a].label);
        int rc = cdn_estimate_check(&e, (double)j->o->budget, what, err);
        if (rc != 0) {
            if (j->root)
                cdn_cli_print_error(err->msg, 1);
            return cdn_cli_exit_for(rc);
        }
    }
    return 0;
}

/* The metric of --precision, by name, before any folder is touched. */
static int study_precision_metric(study_job_t *j)
{
    cdn_report_info_t *info = j->info;
    info->precision_metric = j->o->precision_metric ? j->o->precision_metric : "failed_requests";
    cdn_study_seal(j->st);
    int m = cdn_study_metric_find(j->st, info->precision_metric);
    if (m < 0)
        return j->root ? cdn_cli_usage_error("unknown metric '%s' for --precision-metric (see "
                                             "docs/compare.md; e.g. failed_requests, "
                                             "user_minutes_lost, peak_err5xx_frac)",
                                             info->precision_metric)
                       : cdn_cli_exit_for(CDN_EUSAGE);
    j->precision_metric = (size_t)m;
    return 0;
}

/* One --assert against the study's names; 0 or a usage error's status. */
static int study_assert_check(const study_job_t *j, const cdn_assert_t *x, int *metric)
{
    const char *why = NULL;
    char buf[CDN_ASSERT_NAME_MAX + 64];
    *metric = cdn_study_metric_find(j->st, x->metric);
    int found = !x->strategy[0];
    for (size_t a = 0; a < j->st->narms && !found; a++)
        found = strcmp(j->st->arms[a].label, x->strategy) == 0;
    if (*metric < 0) {
        snprintf(buf, sizeof buf, "unknown metric '%s' (see docs/compare.md)", x->metric);
        why = buf;
    } else if (!found) {
        snprintf(buf, sizeof buf, "'%s' is not one of the strategies compared", x->strategy);
        why = buf;
    } else if (x->stat >= CDN_ASSERT_DIFF_MEAN &&
               strcmp(x->strategy, j->st->arms[j->info->ref].label) == 0)
        why = "the reference has no difference to itself";
    if (!why)
        return 0;
    return j->root ? cdn_cli_usage_error("--assert '%s': %s", x->text, why) : cdn_cli_exit_for(CDN_EUSAGE);
}

/* Parses and checks every --assert before anything runs. */
static int study_asserts_parse(study_job_t *j)
{
    j->asserts = sim_xcalloc(j->o->nasserts ? j->o->nasserts : 1, sizeof *j->asserts);
    for (size_t i = 0; i < j->o->nasserts; i++) {
        char why[512];
        int m;
        if (cdn_assert_parse(j->o->asserts[i], &j->asserts[i], why, sizeof why) != 0)
            return j->root ? cdn_cli_usage_error("--assert '%s': %s", j->o->asserts[i], why)
                           : cdn_cli_exit_for(CDN_EUSAGE);
        int status = study_assert_check(j, &j->asserts[i], &m);
        if (status != 0)
            return status;
    }
    return 0;
}

/* The statistic `stat` of metric m for arm a (comparison.csv's columns). */
static double study_stat(const cdn_study_t *st, size_t a, size_t ref, size_t m, cdn_assert_stat_t stat)
{
    sim_stats_summary_t s, d, r;
    cdn_study_summary(st, a, m, &s);
    cdn_study_paired(st, a, ref, m, &d);
    cdn_study_summary(st, ref, m, &r);
    switch (stat) {
    case CDN_ASSERT_MEAN:
        return s.mean;
    case CDN_ASSERT_SD:
        return s.sd;
    case CDN_ASSERT_CI_LO:
        return s.lo;
    case CDN_ASSERT_CI_HI:
        return s.hi;
    case CDN_ASSERT_DIFF_MEAN:
        return d.mean;
    case CDN_ASSERT_DIFF_LO:
        return d.lo;
    case CDN_ASSERT_DIFF_HI:
        return d.hi;
    case CDN_ASSERT_DIFF_REL:
        return d.n > 0 && !isnan(r.mean) && r.mean != 0.0 ? d.mean / r.mean : NAN;
    default:
        return NAN;
    }
}

/* The verdicts of --assert on the replications run. */
static void study_asserts_judge(study_job_t *j)
{
    const cdn_study_t *st = j->st;
    size_t ref = j->info->ref;
    if (j->o->nasserts == 0)
        return;
    j->verdicts = cJSON_CreateArray();
    for (size_t i = 0; i < j->o->nasserts; i++) {
        const cdn_assert_t *x = &j->asserts[i];
        cJSON *verdict = cdn_assert_verdict(x);
        size_t m = (size_t)cdn_study_metric_find(st, x->metric);
        for (size_t a = 0; a < st->narms; a++) {
            if ((x->strategy[0] && strcmp(st->arms[a].label, x->strategy) != 0) ||
                (x->stat >= CDN_ASSERT_DIFF_MEAN && a == ref))
                continue;
            cdn_assert_verdict_add(verdict, x, st->arms[a].label, study_stat(st, a, ref, m, x->stat));
        }
        cJSON_AddItemToArray(j->verdicts, verdict);
    }
    j->info->assertions = j->verdicts;
}

static int study_prepare(study_job_t *j, int setup_rc, cdn_error_t *err)
{
    int status = setup_rc;
    if (status == 0 && j->st)
        status = study_precision_metric(j);
    if (status == 0 && j->st)
        status = study_asserts_parse(j);
    if (status == 0 && j->st)
        status = study_budget(j, err);
    if (status == 0 && j->root) {
        int rc = cdn_resultdir_prepare(&j->dir, j->target, j->info->command, err);
        if (rc == CDN_EUSAGE)
            status = cdn_cli_usage_error("%s", err->msg);
        else if (rc != 0) {
            cdn_cli_print_error(err->msg, 1);
            status = cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
        } else
            j->prepared = 1;
    }
    return -cdn_runner_agree(j->runner, -status); /* the largest exit status wins */
}

/* Batches of n replications until precise enough (or --max-n). */
static int study_replicate(study_job_t *j, cdn_error_t *err)
{
    const cdn_cmd_study_opts_t *o = j->o;
    cdn_study_t *st = j->st;
    int progress = !o->quiet && isatty(STDERR_FILENO);
    size_t n = (size_t)o->n;
    cdn_runner_progress(j->runner, progress, n * st->narms);
    unsigned nthreads = cdn_runner_jobs(j->runner);
    int nranks = cdn_runner_size(j->runner);
    if (j->root && !o->quiet)
        fprintf(stderr, "cdnsim: %s: %zu %s x %zu replications (seed %" PRIu64 ", %u thread%s x %d rank%s)...\n",
                j->info->command, st->narms, j->is_sweep ? "grid points" : "strategies", n, st->seed,
                nthreads, nthreads == 1 ? "" : "s", nranks, nranks == 1 ? "" : "s");
    double w0 = cdn_cmd_wall_now();
    int rc = cdn_study_run(st, j->runner, n, err);
    j->info->precise = 1;
    while (rc == 0 && o->precision > 0) {
        size_t wa = 0, wm = j->precision_metric;
        j->info->precise = cdn_study_precise_metric(st, o->precision, wm, &wa);
        if (j->info->precise || n >= o->max_n) {
            if (!j->info->precise && j->root && !o->quiet) {
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
        cdn_runner_progress(j->runner, progress, n * st->narms);
        rc = cdn_study_run(st, j->runner, n, err);
    }
    j->wall_s = cdn_cmd_wall_now() - w0;
    if (rc != 0) {
        if (j->root)
            cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    study_asserts_judge(j);
    return 0;
}

/* gnuplot on the scripts in the temporary folder; never an error. */
static void study_plot(study_job_t *j, cdn_error_t *err)
{
    const char *scripts[2] = {"compare_timeline.gp", "compare_metrics.gp"};
    size_t nscripts = 2;
    if (j->is_sweep) {
        scripts[0] = "sweep.gp";
        nscripts = 1;
    }
    for (size_t k = 0; k < nscripts; k++) {
        int prc = cdn_gnuplot_run(j->dir.tmp, scripts[k], err);
        if (prc == 0)
            j->plotted++;
        else if (prc == 1) {
            if (!j->o->quiet)
                fprintf(stderr, "cdnsim: gnuplot is not on PATH; to draw the plots later: "
                                "cdnsim plot %s\n", j->target);
            break;
        } else
            fprintf(stderr,
                    "cdnsim: warning: %s/%s; the data files are complete; to draw the figure: "
                    "cdnsim plot %s\n",
                    j->target, err->msg, j->target);
    }
}

/* Rank 0: the reports into a temporary folder, renamed into place. */
static int study_write(study_job_t *j, cdn_error_t *err)
{
    if (cdn_resultdir_begin(&j->dir, err) != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    int status = 0;
    int rc = j->is_sweep ? cdn_report_sweep(j->dir.tmp, j->st, j->info, err)
                         : cdn_report_compare(j->dir.tmp, j->st, j->info, err);
    if (rc == 0)
        rc = cdn_report_unc(j->dir.tmp, j->st, j->info, err);
    if (rc == 0)
        rc = cdn_report_manifest(j->dir.tmp, j->st, j->info, err);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    if (status == 0 && !j->o->no_plot)
        study_plot(j, err);
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

static void study_print(const study_job_t *j)
{
    const cdn_study_t *st = j->st;
    unsigned nthreads = cdn_runner_jobs(j->runner);
    int nranks = cdn_runner_size(j->runner);
    printf("cdnsim %s %s: scenario %s, %zu replications x %zu %s, seed %" PRIu64
           ", %.1f s wall (%u thread%s x %d rank%s)\n\n",
           CDNSIM_VERSION, j->info->command, st->arms[0].scenario->name, st->nreps, st->narms,
           j->is_sweep ? "grid points" : "strategies", st->seed, j->wall_s, nthreads,
           nthreads == 1 ? "" : "s", nranks, nranks == 1 ? "" : "s");
    if (!j->is_sweep)
        cdn_report_ranked_table(stdout, st, j->info);
    else {
        char nb[CDN_NAME_MAX + 32];
        printf("| point | %s (mean) | 95%% CI |\n|---|---:|---|\n",
               cdn_study_metric_name(st, j->info->metric, nb, sizeof nb));
        for (size_t a = 0; a < st->narms; a++) {
            sim_stats_summary_t s;
            cdn_study_summary(st, a, j->info->metric, &s);
            printf("| %s | %.6g | [%.6g, %.6g] |\n", st->arms[a].label, s.mean, s.lo, s.hi);
        }
    }
    cdn_report_unc_table(stdout, st, j->info);
    printf("\nresults: %s/ (%s%s%s)\n", j->target,
           j->is_sweep ? "sweep.csv, replications.csv, manifest.json, report.html, sweep.gp"
                       : "comparison.md, comparison.csv, comparison.json, replications.csv, "
                         "timeline_quantiles.csv, manifest.json, report.html, *.gp",
           st->priors ? ", draws.csv, uncertainty.csv, uncertainty_metrics.csv" : "",
           j->plotted ? ", *.png, *.svg" : "");
}

/* Seals the study, records the run's shape for the reports, runs it. */
static int study_seal_and_run(study_job_t *j, cdn_error_t *err)
{
    cdn_report_info_t *info = j->info;
    cdn_study_seal(j->st);
    info->jobs = cdn_runner_jobs(j->runner);
    info->ranks = cdn_runner_size(j->runner);
    info->n_asked = (size_t)j->o->n;
    info->precision = j->o->precision;
    info->max_n = (size_t)j->o->max_n;
    info->argc = j->o->argc;
    info->argv = j->o->argv;
    info->sets = j->o->sets;
    info->nsets = j->o->nsets;
    if (j->is_sweep && info->metric == (size_t)-1)
        info->metric = CDN_MET_FAILED;
    return study_replicate(j, err);
}

int cdn_cmd_study_run(cdn_runner_t *runner, cdn_study_t *st, const cdn_cmd_study_opts_t *o,
                      cdn_report_info_t *info, const char *default_dir, int setup_rc)
{
    study_job_t j;
    memset(&j, 0, sizeof j);
    j.runner = runner;
    j.st = st;
    j.o = o;
    j.info = info;
    j.root = cdn_runner_is_root(runner);
    j.is_sweep = strcmp(info->command, "sweep") == 0;
    snprintf(j.target, sizeof j.target, "%s", o->out_dir ? o->out_dir : default_dir);
    cdn_error_t err = {0, ""};
    int status = study_prepare(&j, setup_rc, &err);
    if (status == 0)
        status = study_seal_and_run(&j, &err);
    if (status == 0 && j.root)
        status = study_write(&j, &err);
    if (status == 0 && j.root && !o->quiet)
        study_print(&j);
    if (status != 0 && j.prepared)
        cdn_resultdir_abort(&j.dir); /* removes what was written, releases the lock */
    if (status == 0 && j.verdicts && /* every rank judged alike; rank 0 says so */
        (j.root ? cdn_assert_report(j.verdicts, o->quiet) : cdn_assert_failed(j.verdicts)) > 0)
        status = cdn_cli_exit_for(CDN_EASSERT); /* the folder is written: the verdicts are in it */
    cJSON_Delete(j.verdicts);
    free(j.asserts);
    return status;
}
