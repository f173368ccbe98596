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
 *   Rejected: a second pass of runs for the figure (twice the time), and
 *   keeping whole run results (hundreds of MB for 100 replications).
 */
#include "cdn_ensemble_run.h"

#include <stdio.h>
#include <stdlib.h>

#include "cdn_calreport.h"
#include "cdn_ensemble.h"
#include "cdn_estimate.h"
#include "cdn_fanchart.h"
#include "cdn_runner.h"
#include "sim_alloc.h"

typedef struct ens_ctx {
    const cdn_scenario_t *s;
    uint64_t seed;
    size_t len;   /* doubles per row */
    double *rows; /* [nrep * len] */
    const cdn_result_t *own; /* the folder's run, replication own_rep: reduced, not run again */
    uint64_t own_rep;
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
    cdn_result_t *r = NULL;
    int rc = cdn_world_run(c->s, c->seed, task, &r, err);
    if (rc != 0)
        return rc;
    cdn_ensemble_reduce(c->s, r, row);
    cdn_result_destroy(r);
    return 0;
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
                     const char *dir, cdn_error_t *err)
{
    ens_ctx_t c = {s, seed, cdn_ensemble_row_len(s), NULL, r, r_rep};
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
        free(values);
    }
    if (rc == 0)
        rc = cdn_fanchart_write(dir, s, c.rows, (size_t)nrep, seed, r, err);
    cdn_runner_destroy(runner);
    free(c.rows);
    return rc;
}
