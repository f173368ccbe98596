/*
 * cdn_ensemble_run.c -- replications 0..N-1 of `cdnsim run -n N` as tasks
 * of a cdn_runner_t, and the files made from them.
 *
 * Design
 *   Task i runs replication i and writes its row (calibration targets,
 *   then the 5xx share and the sites-down share of every bin;
 *   models/measure/cdn_ensemble.h) by task index, so the files do not
 *   depend on -j.  The rows are the only state kept per replication:
 *   8 x N x (targets + 2 x bins) bytes, checked against the memory budget
 *   before the first run (100 replications of the reference: 0.7 MB).
 *   The calibration report wants the values by target, so they are
 *   copied out target-major once at the end (N x targets doubles).
 *
 *   The folder's own run (replication R of the same scenario and seed) is
 *   already simulated: when R < N its task reduces that result instead of
 *   simulating it a second time (the result is deterministic, so the row
 *   is the same bytes either way).
 *
 *   With --uncertainty (cdn_ensemble_unc_t) each task loads its own
 *   scenario, draw i / M with --strategy and --set after it
 *   (cdn_study_load_drawn, as compare does, which refuses a draw that
 *   changes the duration, the bin width or the targets: the row's shape).  After the runs, every
 *   calibration target is decomposed into parameter and seed variance
 *   (cdn_unc.h) for the manifest.
 *
 *   Rejected: a second pass of runs for the figure (twice the time), and
 *   keeping whole run results (hundreds of MB for 100 replications).
 */
#include "cdn_ensemble_run.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cdn_calreport.h"
#include "cdn_ensemble.h"
#include "cdn_estimate.h"
#include "cdn_fanchart.h"
#include "cdn_file.h"
#include "cdn_runner.h"
#include "cdn_study.h"
#include "cdn_unc.h"
#include "sim_alloc.h"

typedef struct ens_ctx {
    const cdn_scenario_t *s;
    uint64_t seed;
    size_t len;   /* doubles per row */
    double *rows; /* [nrep * len] */
    const cdn_result_t *own; /* the folder's run, replication own_rep: reduced, not run again */
    uint64_t own_rep;
    const cdn_ensemble_unc_t *unc; /* --uncertainty, or NULL */
} ens_ctx_t;

static size_t ens_row_len(void *ctx, size_t task)
{
    (void)task;
    return ((ens_ctx_t *)ctx)->len;
}

static double *ens_row(void *ctx, size_t task)
{
    ens_ctx_t *c = ctx;
    return c->rows + task * c->len;
}

static int ens_run(void *ctx, void *wctx, size_t task, double *row, cdn_error_t *err)
{
    (void)wctx;
    ens_ctx_t *c = ctx;
    if (c->own != NULL && task == c->own_rep) {
        cdn_ensemble_reduce(c->s, c->own, row); /* the same (scenario, seed, replication) */
        return 0;
    }
    const cdn_scenario_t *s = c->s;
    cdn_scenario_t *drawn = NULL;
    if (c->unc) {
        const cdn_ensemble_unc_t *u = c->unc;
        int lrc = cdn_study_load_drawn(u->priors, u->base, u->file, c->seed,
                                       task / u->seeds_per_draw, u->after, u->nafter, c->s, &drawn,
                                       err);
        if (lrc != 0)
            return lrc;
        s = drawn;
    }
    cdn_result_t *r = NULL;
    int rc = cdn_world_run(s, c->seed, task, &r, err);
    if (rc == 0)
        cdn_ensemble_reduce(s, r, row);
    cdn_result_destroy(r);
    cdn_scenario_destroy(drawn);
    return rc;
}

/* The manifest's "uncertainty" record of run -n: each target decomposed. */
static cJSON *unc_record(const cdn_scenario_t *s, const cdn_ensemble_unc_t *u,
                         const double *values, size_t nrep)
{
    size_t m = u->seeds_per_draw, draws = nrep / m;
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "draws", (double)draws);
    cJSON_AddNumberToObject(rec, "seeds_per_draw", (double)m);
    cJSON *pr = cJSON_AddArrayToObject(rec, "priors");
    for (size_t i = 0; i < cdn_priors_count(u->priors); i++) {
        cJSON_AddItemToArray(pr, cdn_priors_json(u->priors, i));
    }
    cJSON_AddStringToObject(rec, "decomposition", "one-way random effects (ANOVA): "
                                                  "var_params = max(0, (MSB - MSW) / n0), "
                                                  "var_seeds = MSW");
    cJSON *ts = cJSON_AddArrayToObject(rec, "targets");
    for (size_t t = 0; t < s->ntargets; t++) {
        cdn_unc_decomp_t d;
        cdn_unc_decompose(values + t * nrep, draws, m, &d);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", s->targets[t].name);
        cJSON_AddNumberToObject(o, "n", (double)d.n);
        cJSON_AddItemToObject(o, "mean", cdn_file_json_num(d.mean));
        cJSON_AddItemToObject(o, "var_params", cdn_file_json_num(d.var_params));
        cJSON_AddItemToObject(o, "var_seeds", cdn_file_json_num(d.var_seeds));
        cJSON_AddItemToObject(o, "share_params", cdn_file_json_num(d.share_params));
        cJSON_AddItemToArray(ts, o);
    }
    return rec;
}

/* CDN_EBUDGET with err set when the rows would not fit the budget. */
static int check_memory(const cdn_scenario_t *s, uint64_t nrep, size_t len, double budget,
                        cdn_error_t *err)
{
    double bytes = 8.0 * (double)nrep * (double)len;
    if (budget <= 0.0 || bytes <= CDN_BUDGET_MEMORY_BYTES * budget)
        return 0;
    err->code = CDN_EBUDGET;
    snprintf(err->msg, sizeof err->msg,
             "%s: -n %llu would keep %.1f GiB of per-bin values (%zu per replication), over "
             "the budget of %.1f GiB; use fewer replications or --budget %.0f (0 lifts it)",
             s->name, (unsigned long long)nrep, bytes / 1073741824.0, len,
             CDN_BUDGET_MEMORY_BYTES * budget / 1073741824.0,
             bytes / CDN_BUDGET_MEMORY_BYTES + 1.0);
    return CDN_EBUDGET;
}

int cdn_ensemble_run(const cdn_scenario_t *s, uint64_t seed, uint64_t nrep, unsigned *jobs,
                     double budget, int progress, const cdn_result_t *r, uint64_t r_rep,
                     cdn_ensemble_unc_t *unc, const char *dir, cdn_error_t *err)
{
    /* under --uncertainty the folder's run (written values) stands for no replication */
    ens_ctx_t c = {s, seed, cdn_ensemble_row_len(s), NULL, unc ? NULL : r, r_rep, unc};
    int rc = check_memory(s, nrep, c.len, budget, err);
    if (rc != 0)
        return rc;
    size_t nt = s->ntargets;
    c.rows = sim_xcalloc((size_t)nrep * c.len, sizeof *c.rows);
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL, *jobs, err);
    rc = runner ? 0 : err->code ? err->code : CDN_EINTERNAL;
    if (rc == 0) {
        *jobs = cdn_runner_jobs(runner);
        cdn_runner_ops_t ops = {&c, ens_row_len, ens_row, ens_run, NULL, NULL};
        cdn_runner_progress(runner, progress, (size_t)nrep);
        rc = cdn_runner_run(runner, 0, (size_t)nrep, 1, &ops, err);
    }
    if (rc == 0) {
        double *values = sim_xcalloc((size_t)nrep * (nt ? nt : 1), sizeof *values);
        for (size_t t = 0; t < nt; t++) /* by target, then replication */
            for (size_t k = 0; k < nrep; k++)
                values[t * nrep + k] = c.rows[k * c.len + t];
        rc = cdn_calreport_write(dir, s, values, (size_t)nrep, seed, err);
        if (rc == 0 && unc)
            unc->record = unc_record(s, unc, values, (size_t)nrep);
        free(values);
    }
    if (rc == 0)
        rc = cdn_fanchart_write_unc(dir, s, c.rows, (size_t)nrep, seed, r,
                                    unc ? unc->seeds_per_draw : 0, err);
    cdn_runner_destroy(runner);
    free(c.rows);
    return rc;
}
