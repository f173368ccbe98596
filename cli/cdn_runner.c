/*
 * cdn_runner.c -- a static deal of tasks to MPI ranks, a thread pool per
 * rank, and an all-gather of the result rows.
 *
 * Design
 *   Determinism comes from storage, not scheduling: every task writes its
 *   own row (ops->row(i)), so neither the thread that ran it nor the
 *   order of completion matters.  Within a rank, threads take the rank's
 *   next task under a mutex (tasks take milliseconds to seconds, so the
 *   lock is never contended in a way that matters).  Across ranks the deal
 *   is static, group g to rank g mod size: with one group per replication
 *   each rank gets whole replications, every strategy of each, which
 *   balances strategies of different cost.  A dynamic master/worker deal
 *   would balance better when replications differ a lot in cost, at the
 *   price of a rank that only coordinates and more messages; the static
 *   deal needs one collective per batch.
 *
 *   After a batch every rank holds every row (MPI_Allgatherv): rank 0 then
 *   writes the outputs, and every rank can take the same decision about
 *   the next batch (adaptive precision) without further messages.
 *
 *   Only the main thread calls MPI (MPI_THREAD_FUNNELED).  A failure in a
 *   task stops the rank's pool (workers stop taking tasks) and is agreed on
 *   by an MPI_Allreduce before the exchange, so all ranks return the error.
 *
 *   Progress is drawn by the main thread while it waits for the pool: it
 *   wakes at least every half second (pthread_cond_timedwait) and rewrites
 *   one stderr line: tasks done of planned, rate, estimated time left.
 */
#include "cdn_runner.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef CDNSIM_HAVE_MPI
#include <mpi.h>
#endif

#include "sim_alloc.h"

struct cdn_runner {
    int rank, size;
    int mpi;          /* MPI was initialised here */
    unsigned jobs;    /* threads per rank */
    int progress;     /* draw progress (rank 0) */
    size_t planned;   /* tasks planned in all, for the progress line */
    size_t done;      /* tasks of this rank done so far, all batches */
    double t0;        /* monotonic time of the first batch, s */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

unsigned cdn_runner_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

static int launched_by_mpi(long *world)
{
    const char *v = getenv("OMPI_COMM_WORLD_SIZE");
    if (!v)
        v = getenv("PMI_SIZE");
    *world = v ? strtol(v, NULL, 10) : 0;
    return v != NULL || getenv("PMIX_RANK") != NULL;
}

cdn_runner_t *cdn_runner_create(int *argc, char ***argv, unsigned jobs, cdn_error_t *err)
{
    long world = 0;
    int launched = launched_by_mpi(&world);
    unsigned local = 1;
    if (jobs > CDN_RUNNER_JOBS_MAX) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg, "%u threads asked; at most %u", jobs,
                 (unsigned)CDN_RUNNER_JOBS_MAX);
        return NULL;
    }
    cdn_runner_t *r = sim_xcalloc(1, sizeof *r);
    r->size = 1;
#ifdef CDNSIM_HAVE_MPI
    if (launched) {
        int provided = 0;
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            err->code = CDN_EIO;
            snprintf(err->msg, sizeof err->msg, "MPI_Init_thread failed");
            free(r);
            return NULL;
        }
        r->mpi = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &r->size);
        MPI_Comm node;
        int nlocal = 1;
        if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, r->rank, MPI_INFO_NULL,
                                &node) == MPI_SUCCESS) {
            MPI_Comm_size(node, &nlocal);
            MPI_Comm_free(&node);
        }
        local = nlocal > 0 ? (unsigned)nlocal : 1u;
    }
#else
    (void)argc;
    (void)argv;
    if (launched && world > 1) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg,
                 "started as one of %ld MPI ranks, but this cdnsim was built without MPI "
                 "(install libopenmpi-dev and rebuild, or run without mpirun)",
                 world);
        free(r);
        return NULL;
    }
#endif
    if (jobs == 0) {
        jobs = cdn_runner_cores() / local;
        if (jobs == 0)
            jobs = 1;
        if (jobs > CDN_RUNNER_JOBS_MAX)
            jobs = CDN_RUNNER_JOBS_MAX;
    }
    r->jobs = jobs;
    return r;
}

void cdn_runner_destroy(cdn_runner_t *r)
{
    if (r == NULL)
        return;
#ifdef CDNSIM_HAVE_MPI
    if (r->mpi)
        MPI_Finalize();
#endif
    free(r);
}

int cdn_runner_rank(const cdn_runner_t *r)
{
    return r->rank;
}

int cdn_runner_size(const cdn_runner_t *r)
{
    return r->size;
}

unsigned cdn_runner_jobs(const cdn_runner_t *r)
{
    return r->jobs;
}

int cdn_runner_is_root(const cdn_runner_t *r)
{
    return r->rank == 0;
}

void cdn_runner_progress(cdn_runner_t *r, int on, size_t planned)
{
    r->progress = on && r->rank == 0;
    r->planned = planned;
}

int cdn_runner_agree(cdn_runner_t *r, int rc)
{
#ifdef CDNSIM_HAVE_MPI
    if (r->mpi) {
        int all = rc;
        MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        return all;
    }
#else
    (void)r;
#endif
    return rc;
}

/* ------------------------------------------------------------ the pool */

typedef struct pool {
    const cdn_runner_ops_t *ops;
    const size_t *tasks; /* this rank's tasks, in index order */
    size_t ntasks;
    size_t next;         /* next position in tasks to hand out */
    size_t done;
    unsigned active;     /* workers still running */
    int rc;              /* first error (lowest task index) or 0 */
    size_t fail_task;
    cdn_error_t err;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool_t;

static void *worker(void *arg)
{
    pool_t *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        if (p->next >= p->ntasks || p->rc != 0) {
            p->active--;
            pthread_cond_signal(&p->cv);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        size_t t = p->tasks[p->next++];
        pthread_mutex_unlock(&p->mu);
        cdn_error_t e = {0, ""};
        int rc = p->ops->run(p->ops->ctx, t, p->ops->row(p->ops->ctx, t), &e);
        pthread_mutex_lock(&p->mu);
        p->done++;
        if (rc != 0 && (p->rc == 0 || t < p->fail_task)) {
            p->rc = rc;
            p->fail_task = t;
            p->err = e;
        }
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

static void draw_progress(cdn_runner_t *r, size_t done_now, int final)
{
    size_t planned = r->size > 1 ? (r->planned + (size_t)r->size - 1) / (size_t)r->size : r->planned;
    double el = now_s() - r->t0;
    double rate = el > 0 ? (double)done_now / el : 0.0;
    char eta[32] = "";
    if (!final && rate > 0 && planned > done_now) {
        double left = (double)(planned - done_now) / rate;
        snprintf(eta, sizeof eta, ", about %.0f s left", ceil(left));
    }
    char who[48] = "";
    if (r->size > 1)
        snprintf(who, sizeof who, " (rank 0 of %d)", r->size);
    fprintf(stderr, "\rcdnsim: %zu/%zu runs%s, %.1f/s%s\033[K", done_now, planned, who, rate, eta);
    if (final)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

static int run_local(cdn_runner_t *r, const size_t *tasks, size_t ntasks,
                     const cdn_runner_ops_t *ops, cdn_error_t *err)
{
    pool_t p;
    memset(&p, 0, sizeof p);
    p.ops = ops;
    p.tasks = tasks;
    p.ntasks = ntasks;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    unsigned nthreads = r->jobs;
    if (nthreads > ntasks)
        nthreads = ntasks > 0 ? (unsigned)ntasks : 1u;
    pthread_t *th = sim_xcalloc(nthreads, sizeof *th);
    unsigned started = 0;
    for (unsigned k = 0; k < nthreads; k++) {
        pthread_mutex_lock(&p.mu);
        p.active++;
        pthread_mutex_unlock(&p.mu);
        if (pthread_create(&th[k], NULL, worker, &p) != 0) {
            pthread_mutex_lock(&p.mu);
            p.active--;
            pthread_mutex_unlock(&p.mu);
            break;
        }
        started++;
    }
    if (started == 0) { /* no thread could start: run here */
        p.active = 1;
        worker(&p);
    }
    double last_draw = 0.0;
    pthread_mutex_lock(&p.mu);
    while (p.active > 0) {
        if (r->progress) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 500000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&p.cv, &p.mu, &ts);
            double t = now_s();
            if (t - last_draw >= 0.25) { /* a few redraws a second, not one per run */
                size_t d = r->done + p.done;
                last_draw = t;
                pthread_mutex_unlock(&p.mu);
                draw_progress(r, d, 0);
                pthread_mutex_lock(&p.mu);
            }
        } else {
            pthread_cond_wait(&p.cv, &p.mu);
        }
    }
    pthread_mutex_unlock(&p.mu);
    for (unsigned k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    free(th);
    r->done += p.done;
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    if (p.rc != 0)
        *err = p.err;
    return p.rc;
}

/* The rank that runs task t of [begin, end). */
static int owner(const cdn_runner_t *r, size_t begin, size_t t, size_t group)
{
    return (int)(((t - begin) / group) % (size_t)r->size);
}

int cdn_runner_run(cdn_runner_t *r, size_t begin, size_t end, size_t group,
                   const cdn_runner_ops_t *ops, cdn_error_t *err)
{
    if (group == 0)
        group = 1;
    if (r->t0 == 0.0)
        r->t0 = now_s();
    size_t n = end > begin ? end - begin : 0;
    size_t *mine = sim_xmalloc((n ? n : 1) * sizeof *mine), nmine = 0;
    for (size_t t = begin; t < end; t++)
        if (owner(r, begin, t, group) == r->rank)
            mine[nmine++] = t;
    int rc = run_local(r, mine, nmine, ops, err);
    if (r->progress && r->done >= r->planned)
        draw_progress(r, r->done, 1);
#ifdef CDNSIM_HAVE_MPI
    if (r->mpi) {
        int all = cdn_runner_agree(r, rc);
        if (all != 0) {
            if (rc != 0 && r->rank != 0)
                fprintf(stderr, "cdnsim (rank %d): %s\n", r->rank, err->msg);
            if (rc == 0) {
                err->code = all;
                snprintf(err->msg, sizeof err->msg, "a replication failed on another MPI rank");
            }
            free(mine);
            return all;
        }
        /* exchange: each rank's rows, packed in task order */
        int *counts = sim_xcalloc((size_t)r->size, sizeof *counts);
        int *displs = sim_xcalloc((size_t)r->size, sizeof *displs);
        size_t total = 0;
        for (size_t t = begin; t < end; t++)
            total += ops->row_len(ops->ctx, t);
        if (total > (size_t)INT32_MAX) {
            err->code = CDN_EUSAGE;
            snprintf(err->msg, sizeof err->msg,
                     "a batch of %zu values is too large for one MPI exchange; use fewer "
                     "replications per batch",
                     total);
            free(counts);
            free(displs);
            free(mine);
            return CDN_EUSAGE;
        }
        for (size_t t = begin; t < end; t++)
            counts[owner(r, begin, t, group)] += (int)ops->row_len(ops->ctx, t);
        for (int q = 1; q < r->size; q++)
            displs[q] = displs[q - 1] + counts[q - 1];
        double *send = sim_xmalloc(((size_t)counts[r->rank] + 1) * sizeof *send);
        double *recv = sim_xmalloc((total + 1) * sizeof *recv);
        size_t o = 0;
        for (size_t k = 0; k < nmine; k++) {
            size_t len = ops->row_len(ops->ctx, mine[k]);
            memcpy(send + o, ops->row(ops->ctx, mine[k]), len * sizeof *send);
            o += len;
        }
        MPI_Allgatherv(send, counts[r->rank], MPI_DOUBLE, recv, counts, displs, MPI_DOUBLE,
                       MPI_COMM_WORLD);
        size_t *at = sim_xcalloc((size_t)r->size, sizeof *at);
        for (int q = 0; q < r->size; q++)
            at[q] = (size_t)displs[q];
        for (size_t t = begin; t < end; t++) {
            int q = owner(r, begin, t, group);
            size_t len = ops->row_len(ops->ctx, t);
            if (q != r->rank)
                memcpy(ops->row(ops->ctx, t), recv + at[q], len * sizeof *recv);
            at[q] += len;
        }
        free(at);
        free(send);
        free(recv);
        free(counts);
        free(displs);
    }
#endif
    free(mine);
    return rc;
}
