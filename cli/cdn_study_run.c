/*
 * cdn_study_run.c -- a study's tasks handed to the runner.
 *
 * Design
 *   The study (models/measure/cdn_study.c) owns the rows and knows how to
 *   run one task; the runner (cdn_runner.c) owns threads and ranks.  This
 *   file only adapts one to the other, so the study's data and statistics
 *   stay below report/ and the threads stay in the command line.  Task t
 *   of a batch is replication t / narms of arm t % narms; the runner hands
 *   out whole replications (groups of narms tasks) to threads and MPI
 *   ranks when there are enough of them, and each thread keeps a sites
 *   cache (cdn_world_cache_t): the arms of a replication that generate the
 *   same sites generate them once.
 */
#include "cdn_study_run.h"

#include <stdlib.h>

#include "sim_alloc.h"

static size_t task_row_len(void *ctx, size_t t)
{
    return cdn_study_task_row_len(ctx, t);
}

static double *task_row(void *ctx, size_t t)
{
    return cdn_study_task_row(ctx, t);
}

/* A thread's state: its sites cache, and under --uncertainty the drawn
 * scenarios the cache borrows. */
typedef struct task_worker {
    cdn_world_cache_t *cache;
    cdn_scenario_t *kept[CDN_WORLD_CACHE_WAYS];
} task_worker_t;

static int task_run(void *ctx, void *wctx, size_t t, double *row, cdn_error_t *err)
{
    task_worker_t *w = wctx;
    return cdn_study_task_run_kept(ctx, t, w->cache, w->kept, row, err);
}

/* Each thread keeps the sites of the replication it is running, for the
 * next arm of that replication (cdn_world.h). */
static void *task_worker_new(void *ctx)
{
    (void)ctx;
    task_worker_t *w = sim_xcalloc(1, sizeof *w);
    w->cache = cdn_world_cache_create();
    return w;
}

static void task_worker_free(void *ctx, void *wctx)
{
    (void)ctx;
    task_worker_t *w = wctx;
    cdn_world_cache_destroy(w->cache); /* before the scenario it borrows */
    for (size_t k = 0; k < CDN_WORLD_CACHE_WAYS; k++)
        cdn_scenario_destroy(w->kept[k]);
    free(w);
}

int cdn_study_run(cdn_study_t *st, cdn_runner_t *runner, size_t n, cdn_error_t *err)
{
    if (n <= st->nreps)
        return 0;
    size_t first = cdn_study_reserve(st, n);
    cdn_runner_ops_t ops = {st, task_row_len, task_row, task_run, task_worker_new, task_worker_free};
    return cdn_runner_run(runner, first, n * st->narms, st->narms, &ops, err);
}
