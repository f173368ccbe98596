/*
 * cdn_runner.c -- a dynamic deal of units of tasks to the threads of every
 * MPI rank, and an all-gather of the result rows.
 *
 * Design
 *   Determinism comes from storage, not scheduling: every task writes its
 *   own row (ops->row(i)), so neither the thread or rank that ran it nor
 *   the order of completion matters, and every reduction downstream reads
 *   the rows in task (replication) order.
 *
 *   Units.  A batch [begin, end) is cut into units of `chunk` consecutive
 *   tasks: a whole group (one replication of every arm) when there are at
 *   least two groups per thread of all ranks, so that one thread runs the
 *   arms of a replication one after another and can reuse what they share
 *   (ops->worker_new: the generated sites of that replication); single
 *   tasks otherwise, so that a few replications of many arms still keep
 *   every thread busy.  Rank 0 decides the chunk and broadcasts it.
 *
 *   The deal is dynamic.  Rank 0 holds the batch's next unit under its
 *   pool's mutex; its own threads take units from it, and its main thread
 *   (otherwise idle while the pool works) answers the other ranks' requests
 *   from the same counter.  On another rank the main thread asks rank 0
 *   for a unit whenever its threads have none queued (MPI_Send, MPI_Recv;
 *   all MPI calls are made by main threads: MPI_THREAD_FUNNELED) and hands
 *   the answer to its workers.  Rank 0 polls for requests (MPI_Iprobe)
 *   every millisecond rather than blocking in a receive, because Open MPI
 *   spins in blocking calls and would take a core from the workers.  A
 *   rank leaves the batch when rank 0 has answered "no more"; rank 0
 *   leaves when every rank has had that answer and its own threads are
 *   done.  Every rank knows which units it ran; an MPI_Allreduce (max) of
 *   the owner of every unit tells every rank who ran what, and an
 *   MPI_Allgatherv exchanges the rows, packed by rank in task order.
 *   Rejected: the static deal this replaces (group g to rank g mod size: a
 *   rank on a busier node, or with the costlier replications, held all
 *   others up at the end of every batch), and one-sided atomics on a
 *   counter window (passive-target progress is not guaranteed across
 *   nodes without the target calling MPI).
 *
 *   After a batch every rank holds every row: rank 0 then writes the
 *   outputs, and every rank can take the same decision about the next
 *   batch (adaptive precision) without further messages.  A failure in a
 *   task stops its rank's threads (they take no more units; a rank whose
 *   threads stopped still asks until rank 0 says "no more", so rank 0 is
 *   never left waiting) and is agreed on by an MPI_Allreduce before the
 *   exchange, so all ranks return the error.
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
    if (!v && getenv("PMIX_RANK")) /* a PMIx launch names no size; Slurm's srun does */
        v = getenv("SLURM_NTASKS");
    *world = v ? strtol(v, NULL, 10) : 0;
    return v != NULL || getenv("PMIX_RANK") != NULL;
}

long cdn_runner_launched_ranks(long *rank)
{
    long world = 0;
    if (!launched_by_mpi(&world))
        world = 0;
    const char *v = getenv("OMPI_COMM_WORLD_RANK");
    if (!v)
        v = getenv("PMI_RANK");
    if (!v)
        v = getenv("PMIX_RANK");
    *rank = v ? strtol(v, NULL, 10) : 0;
    return world;
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

#define UNIT_NONE SIZE_MAX /* rank 0's answer: no unit left */

typedef struct pool {
    const cdn_runner_ops_t *ops;
    size_t begin, end;   /* the batch's tasks */
    size_t chunk;        /* tasks per unit */
    size_t nunits;
    int remote;          /* units come from rank 0, through this rank's main thread */
    size_t gnext;        /* !remote: the batch's next unit to hand out */
    size_t *got;         /* units this rank took (!remote) or received (remote) [nunits] */
    size_t ngot;
    size_t next;         /* remote: position in got of the next unit to run */
    int closed;          /* remote: rank 0 has no unit left */
    size_t done;         /* tasks of this batch done here */
    unsigned active;     /* workers still running */
    int rc;              /* first error (lowest task index) or 0 */
    size_t fail_task;
    cdn_error_t err;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* to the main thread: a task done, a unit taken, a worker ended */
    pthread_cond_t work_cv; /* to the workers (remote): a unit arrived, or no more */
} pool_t;

/* The next unit for a worker, under p->mu; 0 when there is none (or a
 * task failed).  A remote worker waits for its main thread to get one. */
static int take_unit(pool_t *p, size_t *u)
{
    for (;;) {
        if (p->rc != 0)
            return 0;
        if (!p->remote) {
            if (p->gnext >= p->nunits)
                return 0;
            *u = p->gnext++;
            p->got[p->ngot++] = *u;
            return 1;
        }
        if (p->next < p->ngot) {
            *u = p->got[p->next++];
            pthread_cond_signal(&p->cv); /* the main thread queues the next one */
            return 1;
        }
        if (p->closed)
            return 0;
        pthread_cond_wait(&p->work_cv, &p->mu);
    }
}

/* Runs the tasks of unit u in order; stops at the first failure. */
static void run_unit(pool_t *p, void *wctx, size_t u)
{
    size_t t0 = p->begin + u * p->chunk;
    size_t t1 = p->end - t0 > p->chunk ? t0 + p->chunk : p->end;
    for (size_t t = t0; t < t1; t++) {
        cdn_error_t e = {0, ""};
        int rc = p->ops->run(p->ops->ctx, wctx, t, p->ops->row(p->ops->ctx, t), &e);
        pthread_mutex_lock(&p->mu);
        p->done++;
        if (rc != 0 && (p->rc == 0 || t < p->fail_task)) {
            p->rc = rc;
            p->fail_task = t;
            p->err = e;
        }
        int stop = p->rc != 0;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return;
    }
}

static void *worker(void *arg)
{
    pool_t *p = arg;
    void *wctx = p->ops->worker_new ? p->ops->worker_new(p->ops->ctx) : NULL;
    size_t u;
    pthread_mutex_lock(&p->mu);
    while (take_unit(p, &u)) {
        pthread_mutex_unlock(&p->mu);
        run_unit(p, wctx, u);
        pthread_mutex_lock(&p->mu);
    }
    p->active--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->ops->worker_free)
        p->ops->worker_free(p->ops->ctx, wctx);
    return NULL;
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

/* Waits on p->cv (held) for at most wait_s; redraws the progress line a
 * few times a second. */
static void pool_wait(cdn_runner_t *r, pool_t *p, double wait_s, double *last_draw)
{
    if (!r->progress && wait_s <= 0.0) {
        pthread_cond_wait(&p->cv, &p->mu);
        return;
    }
    if (wait_s <= 0.0)
        wait_s = 0.5;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long ns = ts.tv_nsec + (long)(wait_s * 1e9);
    ts.tv_sec += ns / 1000000000L;
    ts.tv_nsec = ns % 1000000000L;
    pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    double t = now_s();
    if (r->progress && t - *last_draw >= 0.25) { /* a few redraws a second, not one per run */
        size_t d = r->done + p->done;
        *last_draw = t;
        pthread_mutex_unlock(&p->mu);
        draw_progress(r, d, 0);
        pthread_mutex_lock(&p->mu);
    }
}

#ifdef CDNSIM_HAVE_MPI
#define TAG_ASK 7101 /* a rank asks rank 0 for a unit */
#define TAG_UNIT 7102 /* rank 0's answer: a unit, or UNIT_NONE */

/* Rank 0, p->mu held: answers one waiting request, if any; counts the
 * ranks told that no unit is left. */
static void serve_one(pool_t *p, int *finished)
{
    int flag = 0;
    MPI_Status st;
    pthread_mutex_unlock(&p->mu);
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &flag, &st);
    if (flag) {
        int dummy = 0;
        MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        pthread_mutex_lock(&p->mu);
        uint64_t u = p->rc == 0 && p->gnext < p->nunits ? (uint64_t)p->gnext++ : (uint64_t)UNIT_NONE;
        pthread_mutex_unlock(&p->mu);
        MPI_Send(&u, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_UNIT, MPI_COMM_WORLD);
        if (u == (uint64_t)UNIT_NONE)
            (*finished)++;
    }
    pthread_mutex_lock(&p->mu);
}

/* Another rank, p->mu held: asks rank 0 for one unit and queues it. */
static void ask_one(pool_t *p)
{
    int dummy = 0;
    uint64_t u = 0;
    pthread_mutex_unlock(&p->mu);
    MPI_Send(&dummy, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD);
    MPI_Recv(&u, 1, MPI_UINT64_T, 0, TAG_UNIT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    pthread_mutex_lock(&p->mu);
    if (u == (uint64_t)UNIT_NONE || u >= p->nunits)
        p->closed = 1;
    else
        p->got[p->ngot++] = (size_t)u;
    pthread_cond_broadcast(&p->work_cv);
}
#endif

/* The main thread while the workers run: progress, and under MPI the deal
 * (rank 0 serves, the others ask).  p->mu held. */
static void pool_main_loop(cdn_runner_t *r, pool_t *p)
{
    double last_draw = 0.0;
#ifdef CDNSIM_HAVE_MPI
    if (r->size > 1 && !p->remote) {
        int finished = 0;
        while (p->active > 0 || finished < r->size - 1) {
            serve_one(p, &finished);
            pool_wait(r, p, 0.001, &last_draw);
        }
        return;
    }
    if (p->remote) {
        while (p->active > 0 || !p->closed) {
            if (!p->closed && (p->active == 0 || p->next >= p->ngot))
                ask_one(p);
            else
                pool_wait(r, p, 0.0, &last_draw);
        }
        return;
    }
#endif
    while (p->active > 0)
        pool_wait(r, p, 0.0, &last_draw);
}

static int run_local(cdn_runner_t *r, pool_t *p, cdn_error_t *err)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    unsigned nthreads = r->jobs;
    if (!p->remote && nthreads > p->nunits) /* a remote rank cannot know how many it gets */
        nthreads = p->nunits > 0 ? (unsigned)p->nunits : 1u;
    pthread_t *th = sim_xcalloc(nthreads, sizeof *th);
    unsigned started = 0;
    for (unsigned k = 0; k < nthreads; k++) {
        pthread_mutex_lock(&p->mu);
        p->active++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&th[k], NULL, worker, p) != 0) {
            pthread_mutex_lock(&p->mu);
            p->active--;
            pthread_mutex_unlock(&p->mu);
            break;
        }
        started++;
    }
    if (started == 0 && !p->remote) { /* no thread could start: run here */
        p->active = 1;
        worker(p);
    } else if (started == 0) { /* fail, but still drain rank 0's deal */
        p->rc = CDN_EIO;
        p->err.code = CDN_EIO;
        snprintf(p->err.msg, sizeof p->err.msg, "no worker thread could be started");
    }
    pthread_mutex_lock(&p->mu);
    pool_main_loop(r, p);
    pthread_mutex_unlock(&p->mu);
    for (unsigned k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    free(th);
    r->done += p->done;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    pthread_cond_destroy(&p->work_cv);
    if (p->rc != 0)
        *err = p->err;
    return p->rc;
}

/* Tasks per unit: whole groups when there are at least two per thread of
 * all ranks, else single tasks (rank 0 decides; the same on every rank). */
static size_t unit_size(cdn_runner_t *r, size_t n, size_t group)
{
    unsigned long long chunk = 1;
    size_t groups = (n + group - 1) / group;
    if (group > 1 && groups >= 2 * (size_t)r->jobs * (size_t)r->size)
        chunk = group;
#ifdef CDNSIM_HAVE_MPI
    if (r->mpi)
        MPI_Bcast(&chunk, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
#endif
    return (size_t)chunk;
}

#ifdef CDNSIM_HAVE_MPI
/* After a successful batch: every rank gets every row.  owner[u] is the
 * rank that ran unit u (agreed by an all-reduce), rows travel packed by
 * rank in task order. */
static int exchange(cdn_runner_t *r, pool_t *p, cdn_error_t *err)
{
    const cdn_runner_ops_t *ops = p->ops;
    int *owner = sim_xcalloc(p->nunits ? p->nunits : 1, sizeof *owner);
    for (size_t k = 0; k < p->ngot; k++)
        owner[p->got[k]] = r->rank + 1;
    if (p->nunits > (size_t)INT32_MAX) {
        free(owner);
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg, "too many tasks for one MPI exchange");
        return CDN_EUSAGE;
    }
    MPI_Allreduce(MPI_IN_PLACE, owner, (int)p->nunits, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    int *counts = sim_xcalloc((size_t)r->size, sizeof *counts);
    int *displs = sim_xcalloc((size_t)r->size, sizeof *displs);
    size_t total = 0;
    for (size_t t = p->begin; t < p->end; t++)
        total += ops->row_len(ops->ctx, t);
    int rc = 0;
    if (total > (size_t)INT32_MAX) {
        err->code = CDN_EUSAGE;
        snprintf(err->msg, sizeof err->msg,
                 "a batch of %zu values is too large for one MPI exchange; use fewer "
                 "replications per batch",
                 total);
        rc = CDN_EUSAGE;
    }
    double *send = NULL, *recv = NULL;
    size_t *at = NULL;
    if (rc == 0) {
        for (size_t t = p->begin; t < p->end; t++)
            counts[owner[(t - p->begin) / p->chunk] - 1] += (int)ops->row_len(ops->ctx, t);
        for (int q = 1; q < r->size; q++)
            displs[q] = displs[q - 1] + counts[q - 1];
        send = sim_xmalloc(((size_t)counts[r->rank] + 1) * sizeof *send);
        recv = sim_xmalloc((total + 1) * sizeof *recv);
        size_t o = 0;
        for (size_t t = p->begin; t < p->end; t++) {
            if (owner[(t - p->begin) / p->chunk] - 1 != r->rank)
                continue;
            size_t len = ops->row_len(ops->ctx, t);
            memcpy(send + o, ops->row(ops->ctx, t), len * sizeof *send);
            o += len;
        }
        MPI_Allgatherv(send, counts[r->rank], MPI_DOUBLE, recv, counts, displs, MPI_DOUBLE,
                       MPI_COMM_WORLD);
        at = sim_xcalloc((size_t)r->size, sizeof *at);
        for (int q = 0; q < r->size; q++)
            at[q] = (size_t)displs[q];
        for (size_t t = p->begin; t < p->end; t++) {
            int q = owner[(t - p->begin) / p->chunk] - 1;
            size_t len = ops->row_len(ops->ctx, t);
            if (q != r->rank)
                memcpy(ops->row(ops->ctx, t), recv + at[q], len * sizeof *recv);
            at[q] += len;
        }
    }
    free(at);
    free(send);
    free(recv);
    free(counts);
    free(displs);
    free(owner);
    return rc;
}
#endif

int cdn_runner_run(cdn_runner_t *r, size_t begin, size_t end, size_t group,
                   const cdn_runner_ops_t *ops, cdn_error_t *err)
{
    if (group == 0)
        group = 1;
    if (r->t0 == 0.0)
        r->t0 = now_s();
    pool_t p;
    memset(&p, 0, sizeof p);
    p.ops = ops;
    p.begin = begin;
    p.end = end > begin ? end : begin;
    size_t n = p.end - begin;
    p.chunk = unit_size(r, n, group);
    p.nunits = (n + p.chunk - 1) / p.chunk;
    p.remote = r->size > 1 && r->rank != 0;
    p.got = sim_xmalloc((p.nunits ? p.nunits : 1) * sizeof *p.got);
    int rc = run_local(r, &p, err);
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
            free(p.got);
            return all;
        }
        rc = exchange(r, &p, err);
    }
#endif
    free(p.got);
    return rc;
}
