/*
 * cdn_runner.h -- runs many independent tasks (replications) on threads
 * and, when started under mpirun, on MPI ranks; every rank ends with every
 * task's result.
 *
 * Contract
 *   A task i produces a row of row_len(i) doubles.  cdn_runner_run(r,
 *   begin, end, group, ops) computes tasks [begin, end) and, on return,
 *   every rank has written every row to ops->row(i).  The tasks are cut
 *   into units, consecutive runs of tasks: whole groups of `group` tasks
 *   (one replication of every strategy, say) when there are at least two
 *   groups per thread of all ranks, else single tasks.  Units are handed
 *   out dynamically, in index order, to whichever thread of whichever
 *   rank is free (rank 0 hands them out to the other ranks), so a slow
 *   replication or a loaded machine does not leave the others idle.  Rows
 *   are stored by task index, never by completion order, so the results
 *   do not depend on the number of threads or ranks, nor on who ran what.
 *
 *   ops->run() is called concurrently from several threads, each with its
 *   own task and row; it must not touch shared mutable state.  row_len()
 *   and row() must give the same answers on every rank.  A thread runs
 *   the tasks of a unit one after another, in index order; if
 *   ops->worker_new is set, each thread calls it once per batch and passes
 *   what it returns to every run() of that thread (a cache of what the
 *   tasks of one replication share), then hands it to ops->worker_free.
 *
 *   MPI is used only when cdnsim was built with it (CDNSIM_HAVE_MPI) and
 *   the process was started by an MPI launcher (the environment has
 *   OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK).  Otherwise size is 1.  A
 *   build without MPI started as one of several ranks refuses to run
 *   (every rank would write the same results folder).
 *
 *   Progress (tasks done, rate, estimated time left) is printed on stderr
 *   by rank 0 when enabled; the caller enables it only for a terminal.
 *
 * Errors
 *   0 or a negative CDN_E* code with err set.  A task failure on any rank
 *   fails cdn_runner_run on every rank (so no rank waits forever); the rank
 *   that failed prints its message.
 *
 * Lifecycle: cdn_runner_create() initialises MPI (once per process, from
 *   main's thread), cdn_runner_destroy() finalises it.
 */
#ifndef CDNSIM_CDN_RUNNER_H
#define CDNSIM_CDN_RUNNER_H

#include <stddef.h>

#include "cdn_scenario.h" /* cdn_error_t */

typedef struct cdn_runner cdn_runner_t;

typedef struct cdn_runner_ops {
    void *ctx;
    size_t (*row_len)(void *ctx, size_t task);
    double *(*row)(void *ctx, size_t task);
    /* wctx: this thread's worker_new() result, or NULL */
    int (*run)(void *ctx, void *wctx, size_t task, double *row, cdn_error_t *err);
    void *(*worker_new)(void *ctx);            /* optional (NULL) */
    void (*worker_free)(void *ctx, void *wctx); /* required with worker_new */
} cdn_runner_ops_t;

/* The most threads per rank: the one limit of every command's -j. */
#define CDN_RUNNER_JOBS_MAX 1024

/* jobs: threads per rank, 1 to CDN_RUNNER_JOBS_MAX, or 0 = the online
 * cores shared by the ranks of this node (at most CDN_RUNNER_JOBS_MAX).
 * Returns NULL with err set if MPI is needed but unavailable (CDN_EIO or
 * CDN_EUSAGE) or jobs is out of range (CDN_EUSAGE). */
cdn_runner_t *cdn_runner_create(int *argc, char ***argv, unsigned jobs, cdn_error_t *err);
void cdn_runner_destroy(cdn_runner_t *r); /* NULL is a no-op */

int cdn_runner_rank(const cdn_runner_t *r);
int cdn_runner_size(const cdn_runner_t *r);
unsigned cdn_runner_jobs(const cdn_runner_t *r);
int cdn_runner_is_root(const cdn_runner_t *r);

/* Progress on stderr (rank 0 only); `planned` is the total shown. */
void cdn_runner_progress(cdn_runner_t *r, int on, size_t planned);

int cdn_runner_run(cdn_runner_t *r, size_t begin, size_t end, size_t group,
                   const cdn_runner_ops_t *ops, cdn_error_t *err);

/* Collective: the worst (most negative) of every rank's rc, so that all
 * ranks take the same branch after a step that may fail on some. */
int cdn_runner_agree(cdn_runner_t *r, int rc);

/* How many ranks the MPI launcher started this process among (0 when
 * not started by one), from its environment, before any MPI call; *rank
 * gets this process's rank (0 when unknown).  For commands that do not
 * use ranks (cdnsim.c refuses them under several). */
long cdn_runner_launched_ranks(long *rank);

/* Online processor count, at least 1. */
unsigned cdn_runner_cores(void);

#endif /* CDNSIM_CDN_RUNNER_H */
