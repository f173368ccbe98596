/*
 * sim_queue.c -- the pending-event set's public face: creates a queue of the
 * requested kind and forwards every call to that implementation.
 *
 * Data structure
 *   struct sim_queue = {kind, one implementation pointer}.  Invariant: the
 *   union member named by `kind` is the live one and is never NULL.
 *
 * Complexity
 *   One switch on `kind` per call (always the same branch for a queue, so
 *   it is predicted) and one extra direct call; the implementations'
 *   complexities are in their design comments.
 *
 * Rejected alternatives
 *   - A table of function pointers per kind: an indirect call per
 *     operation and a table filled by position; the switch is as fast,
 *     checked by -Wswitch, and greppable.
 *   - Choosing the implementation at compile time (#ifdef): tests need both
 *     kinds in one binary, each the oracle of the other, and the benchmark
 *     runs them side by side.
 *   - Separate public types per kind: every model and the kernel would have
 *     to pick one; the kind is a run-time choice made once, at creation.
 */
#include "sim_queue.h"

#include "sim_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_queue_heap.h"
#include "sim_queue_ladder.h"

struct sim_queue {
    sim_queue_kind_t kind;
    union {
        sim_queue_heap_t *heap;
        sim_queue_ladder_t *ladder;
    } u;
};

/* ---- kinds ---- */

static const char *const kind_names[SIM_QUEUE_NKINDS] = {
#define SIM_QUEUE_KIND_NAME(id, name) [SIM_QUEUE_##id] = name,
    SIM_QUEUE_KIND_MAP(SIM_QUEUE_KIND_NAME)
#undef SIM_QUEUE_KIND_NAME
};

const char *sim_queue_kind_name(sim_queue_kind_t kind) {
    return (unsigned)kind < SIM_QUEUE_NKINDS ? kind_names[kind] : NULL;
}

int sim_queue_kind_from_name(const char *name, sim_queue_kind_t *out) {
    unsigned k;
    for (k = 0; name && k < SIM_QUEUE_NKINDS; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (sim_queue_kind_t)k;
            return SIM_OK;
        }
    }
    return SIM_EINVAL;
}

sim_queue_kind_t sim_queue_kind(const sim_queue_t *q) {
    return q->kind;
}

/* ---- forwarding ---- */

sim_queue_t *sim_queue_create(void) {
    return sim_queue_create_kind(SIM_QUEUE_DEFAULT);
}

sim_queue_t *sim_queue_create_kind(sim_queue_kind_t kind) {
    sim_queue_t *q;
    if ((unsigned)kind >= SIM_QUEUE_NKINDS)
        return NULL;
    q = sim_xcalloc(1, sizeof *q);
    q->kind = kind;
    switch (kind) {
    case SIM_QUEUE_LADDER:
        q->u.ladder = sim_queue_ladder_create();
        break;
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        q->u.heap = sim_queue_heap_create();
        break;
    }
    return q;
}

void sim_queue_destroy(sim_queue_t *q) {
    if (!q)
        return;
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        sim_queue_ladder_destroy(q->u.ladder);
        break;
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        sim_queue_heap_destroy(q->u.heap);
        break;
    }
    free(q);
}

sim_handle_t sim_queue_push(sim_queue_t *q, const sim_event_t *ev) {
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        return sim_queue_ladder_push(q->u.ladder, ev);
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        break;
    }
    return sim_queue_heap_push(q->u.heap, ev);
}

int sim_queue_pop(sim_queue_t *q, sim_event_t *out) {
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        return sim_queue_ladder_pop(q->u.ladder, out);
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        break;
    }
    return sim_queue_heap_pop(q->u.heap, out);
}

const sim_event_t *sim_queue_peek(const sim_queue_t *q) {
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        return sim_queue_ladder_peek(q->u.ladder);
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        break;
    }
    return sim_queue_heap_peek(q->u.heap);
}

int sim_queue_cancel(sim_queue_t *q, sim_handle_t h) {
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        return sim_queue_ladder_cancel(q->u.ladder, h);
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        break;
    }
    return sim_queue_heap_cancel(q->u.heap, h);
}

size_t sim_queue_size(const sim_queue_t *q) {
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        return sim_queue_ladder_size(q->u.ladder);
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        break;
    }
    return sim_queue_heap_size(q->u.heap);
}

int sim_queue_check(const sim_queue_t *q) {
    switch (q->kind) {
    case SIM_QUEUE_LADDER:
        return sim_queue_ladder_check(q->u.ladder);
    case SIM_QUEUE_HEAP:
    case SIM_QUEUE_NKINDS:
        break;
    }
    return sim_queue_heap_check(q->u.heap);
}
