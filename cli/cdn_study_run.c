/*
 * cdn_study_run.c -- a study's tasks handed to the runner.
 *
 * Design
 *   The study (models/measure/cdn_study.c) owns the rows and knows how to
 *   run one task; the runner (cdn_runner.c) owns threads and ranks.  This
 *   file only adapts one to the other, so the study's data and statistics
 *   stay below report/ and the threads stay in the command line.  Task t
 *   of a batch is replication t / narms of arm t % narms; the runner deals
 *   whole replications (groups of narms tasks) to MPI ranks.
 */
#include "cdn_study_run.h"

static size_t task_row_len(void *ctx, size_t t)
{
    return cdn_study_task_row_len(ctx, t);
}

static double *task_row(void *ctx, size_t t)
{
    return cdn_study_task_row(ctx, t);
}

static int task_run(void *ctx, size_t t, double *row, cdn_error_t *err)
{
    return cdn_study_task_run(ctx, t, row, err);
}

int cdn_study_run(cdn_study_t *st, cdn_runner_t *runner, size_t n, cdn_error_t *err)
{
    if (n <= st->nreps)
        return 0;
    size_t first = cdn_study_reserve(st, n);
    cdn_runner_ops_t ops = {st, task_row_len, task_row, task_run};
    return cdn_runner_run(runner, first, n * st->narms, st->narms, &ops, err);
}
