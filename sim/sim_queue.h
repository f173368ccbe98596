/*
 * sim_queue.h -- the pending-event set of the cdnsim kernel.
 *
 * Contract
 *   A priority queue of events keyed by (time_s, seq).  `seq` is assigned by
 *   the queue at push time from a per-queue counter, so the order is total
 *   and FIFO-stable: two events with equal time pop in the order they were
 *   pushed.  This is what makes every run reproducible bit for bit.
 *
 *   Events are small plain values (sim_event_t) copied into storage the queue
 *   owns; there is no malloc per event (storage grows geometrically and is
 *   reused through a free list).
 *
 *   Every push returns a handle that stays valid until the event is popped
 *   or cancelled; a stale handle is detected (generation counter) and
 *   cancelling it is a harmless no-op that returns SIM_ENOTFOUND.
 *
 * Implementations (kinds)
 *   The set has more than one implementation behind this one interface, all
 *   with exactly this contract, so any of them can be the oracle of another
 *   in tests and the baseline of another in benchmarks:
 *     SIM_QUEUE_LADDER  a ladder queue (sim_queue_ladder.c): O(1) expected
 *                       per operation, the default;
 *     SIM_QUEUE_HEAP    a 4-ary heap (sim_queue_heap.c): O(log n), the
 *                       simplest correct one.
 *   Both pop the same events in the same order and return the same seqs for
 *   the same sequence of calls; handles are opaque and may differ.
 *
 * Ownership and threads
 *   A queue belongs to one run and is used by one thread at a time.  It holds
 *   no global state, so many queues may live in parallel threads.
 *
 * Errors
 *   Functions return 0 or a negative SIM_E* code.  Out of memory aborts the
 *   process with a message (sim_alloc.h), in one place.
 */
#ifndef CDNSIM_SIM_QUEUE_H
#define CDNSIM_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

enum {
    SIM_OK = 0,
    SIM_EINVAL = -1,   /* bad argument (time in the past, NaN, unknown type) */
    SIM_ENOTFOUND = -2 /* handle is stale: event already popped or cancelled */
};

/* One pending event.  `type` selects the handler; `a` and `b` are the
 * handler's own payload (an entity index and a small datum, typically). */
typedef struct sim_event {
    double time_s;   /* firing time, seconds of sim time */
    uint64_t seq;    /* scheduling sequence number, set by the queue */
    uint32_t type;   /* event type, from sim_register() */
    uint32_t a;      /* payload: usually an entity index */
    uint64_t b;      /* payload: usually a generation or a small value */
} sim_event_t;

/* A handle to a pending event: slot index plus generation. 0 is never valid. */
typedef uint64_t sim_handle_t;

typedef struct sim_queue sim_queue_t;

/* The implementations, as an X-macro list X(ID, "name") (names are printed
 * by benchmarks and accepted on command lines). */
#define SIM_QUEUE_KIND_MAP(X)                                                             \
    X(LADDER, "ladder")                                                                   \
    X(HEAP, "heap")

typedef enum sim_queue_kind {
#define SIM_QUEUE_KIND_ENUM(id, name) SIM_QUEUE_##id,
    SIM_QUEUE_KIND_MAP(SIM_QUEUE_KIND_ENUM)
#undef SIM_QUEUE_KIND_ENUM
    SIM_QUEUE_NKINDS
} sim_queue_kind_t;

/* The kind sim_queue_create() and sim_create() use. */
#define SIM_QUEUE_DEFAULT SIM_QUEUE_LADDER

/* A queue of the default kind. */
sim_queue_t *sim_queue_create(void);
/* A queue of the given kind, or NULL for an unknown kind. */
sim_queue_t *sim_queue_create_kind(sim_queue_kind_t kind);
void sim_queue_destroy(sim_queue_t *q); /* NULL is a no-op */

sim_queue_kind_t sim_queue_kind(const sim_queue_t *q);
/* "ladder", "heap" ..., or NULL for an unknown kind. */
const char *sim_queue_kind_name(sim_queue_kind_t kind);
/* The kind named `name` into *out: 0, or SIM_EINVAL for an unknown name. */
int sim_queue_kind_from_name(const char *name, sim_queue_kind_t *out);

/* Inserts a copy of *ev (its seq field is overwritten); returns its handle. */
sim_handle_t sim_queue_push(sim_queue_t *q, const sim_event_t *ev);

/* Removes the least (time_s, seq) event into *out; returns 0, or
 * SIM_ENOTFOUND when the queue is empty. */
int sim_queue_pop(sim_queue_t *q, sim_event_t *out);

/* The least event without removing it, or NULL when empty.  The pointer is
 * valid until the next push, pop or cancel on q. */
const sim_event_t *sim_queue_peek(const sim_queue_t *q);

/* Removes a pending event; SIM_ENOTFOUND when the handle is stale. */
int sim_queue_cancel(sim_queue_t *q, sim_handle_t h);

size_t sim_queue_size(const sim_queue_t *q);

/* Checks the implementation's invariants (order, handle table, free list;
 * each implementation's design comment lists them) for tests and debug
 * asserts; returns 1 when consistent.  O(n) or a little more. */
int sim_queue_check(const sim_queue_t *q);


#endif /* CDNSIM_SIM_QUEUE_H */
