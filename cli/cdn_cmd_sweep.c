/*
 * cdn_cmd_sweep.c -- `cdnsim sweep`: the statistics of one strategy over a
 * grid of scenario values (one or two --param), one study arm per point.
 *
 * Design
 *   The grid (sweep_grid_t) holds each parameter's path and values, parsed
 *   from "PATH=v1,v2,..." ('=' inside [...] belongs to the path); points
 *   are laid out row-major (param, then param2), at most MAX_ARMS.  Each
 *   point is an arm whose overlays are the strategy's (resolved again per
 *   point: an arm owns its overlays), then the --set overlay, then one
 *   overlay per parameter that sets the path to the point's value (so a
 *   --param wins over a --set of the same path).  Every arm uses the first arm's
 *   seed unless --seed (common random numbers across points).  The grid
 *   owns its strings; sweep_grid_free is the one cleanup path.  Running and
 *   writing: cdn_cmd_study.h.
 */
#include "cdn_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_cmd_study.h"
#include "cdn_error.h"
#include "cdn_resultdir.h"
#include "sim_alloc.h"

#define MAX_ARMS CDN_CMD_STUDY_MAX_ARMS
#define MAX_SWEEP_VALUES 100

typedef struct sweep_grid {
    size_t np;          /* parameters: 1 or 2 */
    char *path[2];      /* JSON path of each */
    char **values[2];   /* [nvalues] value texts of each */
    size_t nvalues[2];
} sweep_grid_t;

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

static void sweep_grid_free(sweep_grid_t *g)
{
    for (size_t p = 0; p < 2; p++)
        free_param(g->path[p], g->values[p], g->nvalues[p]);
}

static int sweep_grid_parse(sweep_grid_t *g, const char *const pspec[2])
{
    memset(g, 0, sizeof *g);
    if (!pspec[0])
        return cdn_cli_usage_error("sweep needs --param PATH=v1,v2,...");
    g->np = pspec[1] ? 2 : 1;
    for (size_t p = 0; p < g->np; p++) {
        int rc = parse_param(pspec[p], p ? "--param2" : "--param", &g->path[p], &g->values[p],
                             &g->nvalues[p]);
        if (rc != 0)
            return rc;
    }
    size_t npoints = g->nvalues[0] * (g->np > 1 ? g->nvalues[1] : 1);
    if (npoints > MAX_ARMS)
        return cdn_cli_usage_error("the grid has %zu points; at most %d", npoints, MAX_ARMS);
    return 0;
}

/* Adds grid point (i, j) as an arm: the strategy's overlays, then one per
 * parameter. */
static int sweep_add_point(cdn_study_t *st, const cdn_loader_t *ld, const sweep_grid_t *g,
                           const cdn_cmd_study_opts_t *o, const char *strategy,
                           char *strategy_label, size_t nlabel, size_t i, size_t j, int root)
{
    cdn_overlay_t *ov[CDN_CMD_STUDY_MAX_OVERLAYS + 2];
    size_t nov = 0;
    int loud = root && i == 0 && j == 0;
    int status = cdn_cmd_study_resolve(strategy, ov, &nov, CDN_CMD_STUDY_MAX_PARTS,
                                       strategy_label, nlabel, loud);
    if (status == 0) /* then --set, then the point's values */
        status = cdn_cmd_study_add_sets(o->sets, o->nsets, ov, &nov, CDN_CMD_STUDY_MAX_OVERLAYS, loud);
    if (status != 0)
        return status;
    const size_t at[2] = {i, j};
    char label[1024];
    if (g->np > 1)
        snprintf(label, sizeof label, "%s=%s;%s=%s", short_param(g->path[0]), g->values[0][i],
                 short_param(g->path[1]), g->values[1][j]);
    else
        snprintf(label, sizeof label, "%s=%s", short_param(g->path[0]), g->values[0][i]);
    for (size_t p = 0; p < g->np; p++) {
        char name[256];
        cdn_error_t err = {0, ""};
        const char *value = g->values[p][at[p]];
        snprintf(name, sizeof name, "%s=%s", short_param(g->path[p]), value);
        cdn_overlay_t *pt = cdn_overlay_create(name, p ? "--param2" : "--param");
        ov[nov++] = pt;
        if (cdn_overlay_add_set_text(pt, g->path[p], value, &err) != 0) {
            if (root)
                cdn_cli_usage_error("%s", err.msg);
            for (size_t k = 0; k < nov; k++)
                cdn_overlay_destroy(ov[k]);
            return cdn_cli_exit_for(CDN_EUSAGE);
        }
    }
    size_t idx;
    status = cdn_cmd_study_add_arm(st, ld, label, ov, nov, root, &idx);
    if (status == 0) {
        st->arms[idx].grid[0] = (int)i;
        st->arms[idx].grid[1] = g->np > 1 ? (int)j : -1;
    }
    return status;
}

static int sweep_build(cdn_study_t *st, const cdn_loader_t *ld, const sweep_grid_t *g,
                       const cdn_cmd_study_opts_t *o, const char *strategy, char *strategy_label,
                       size_t nlabel, int root)
{
    size_t n1 = g->np > 1 ? g->nvalues[1] : 1;
    int status = 0;
    for (size_t i = 0; i < g->nvalues[0] && status == 0; i++)
        for (size_t j = 0; j < n1 && status == 0; j++)
            status = sweep_add_point(st, ld, g, o, strategy, strategy_label, nlabel, i, j, root);
    return status;
}

/* Seals the study to find the metric plotted by name. */
static int sweep_metric(cdn_study_t *st, const char *metric, cdn_report_info_t *info, int root)
{
    cdn_study_seal(st);
    int m = cdn_study_metric_find(st, metric);
    if (m < 0)
        return root ? cdn_cli_usage_error("unknown metric '%s' (see docs/compare.md; e.g. "
                                          "failed_requests, user_minutes_lost, peak_err5xx_frac)",
                                          metric)
                    : cdn_cli_exit_for(CDN_EUSAGE);
    info->metric = (size_t)m;
    return 0;
}

int cdn_cmd_sweep(const cdn_cli_args_t *a)
{
    cdn_cmd_study_opts_t o;
    const char *const pspec[2] = {a->text[CDN_OPT_PARAM], a->text[CDN_OPT_PARAM2]};
    const char *strategy = a->seen[CDN_OPT_STRATEGY] ? a->text[CDN_OPT_STRATEGY] : "baseline";
    const char *metric = a->seen[CDN_OPT_METRIC] ? a->text[CDN_OPT_METRIC] : "failed_requests";
    int status = cdn_cmd_study_opts_from(a, &o);
    if (status != 0)
        return status;
    sweep_grid_t g;
    status = sweep_grid_parse(&g, pspec);
    cdn_error_t err = {0, ""};
    cdn_runner_t *runner = NULL;
    if (status == 0) {
        runner = cdn_runner_create(NULL, NULL, (unsigned)o.jobs, &err);
        if (!runner) {
            cdn_cli_print_error(err.msg, 1);
            status = cdn_cli_exit_for(err.code);
        }
    }
    if (status != 0) {
        sweep_grid_free(&g);
        return status;
    }
    int root = cdn_runner_is_root(runner);
    cdn_report_info_t info;
    memset(&info, 0, sizeof info);
    info.command = "sweep";
    info.scenario_path = o.scenario_path;
    info.nparams = g.np;
    info.metric = (size_t)-1;
    for (size_t p = 0; p < g.np; p++) {
        info.param[p] = g.path[p];
        info.values[p] = g.values[p];
        info.nvalues[p] = g.nvalues[p];
    }
    char strategy_label[512] = "";
    cdn_loader_t *ld = NULL; /* the scenario, read and parsed once for every point */
    status = cdn_cmd_study_open(o.scenario_path, &ld, &info.scenario_sha256, root);
    cdn_study_t *st = cdn_study_create(0, 0);
    if (status == 0)
        status = sweep_build(st, ld, &g, &o, strategy, strategy_label, sizeof strategy_label, root);
    info.strategy = strategy_label;
    if (status == 0) {
        st->seed = o.have_seed ? o.seed : st->arms[0].scenario->sim.seed;
        status = sweep_metric(st, metric, &info, root);
    }
    if (status == 0 && o.uncertainty)
        status = cdn_cmd_study_priors(st, ld, &o, root);
    char defdir[CDN_RESULTDIR_PATH_MAX];
    snprintf(defdir, sizeof defdir, "results/%s-sweep", st->narms ? st->arms[0].scenario->name : "x");
    status = cdn_cmd_study_run(runner, st, &o, &info, defdir, status);
    cdn_loader_destroy(ld);
    cdn_study_destroy(st);
    cdn_runner_destroy(runner);
    sweep_grid_free(&g);
    return status;
}
