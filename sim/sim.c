/*
 * sim.c -- clock, event-type table, dispatch and the run loop.
 *
 * Data structure
 *   A sim_t owns one sim_queue (the pending events), the clock `now_s`, the
 *   stop time, a growable table of registered types {name, fn, ctx} indexed
 *   by type id, a stop flag and a count of handled events.
 *
 * Run loop (sim_run)
 *   while the least pending event has time <= stop_s and no sim_stop():
 *       pop it, set now_s to its time, call its type's handler.
 *   The handler gets a copy of the event on the run loop's stack, so it may
 *   freely schedule, cancel and register (all of which may move the queue's
 *   or the type table's storage).  Afterwards:
 *       stopped by sim_stop()          -> now_s = time of the last event
 *       reached stop_s or empty queue  -> now_s = stop_s
 *   with one exception: an infinite stop time leaves now_s at the last event
 *   (a clock reading +inf could never be scheduled against again).
 *   The stop flag is cleared when sim_run() starts: sim_stop() only ends a
 *   run in progress, and a later sim_run() resumes where it left off.
 *
 * Invariants
 *   - start_s <= now_s <= stop_s (for a finite stop time); now_s never
 *     decreases.
 *   - every pending event has time_s >= now_s and a registered type, because
 *     sim_schedule() is the only way in and rejects anything else.
 *   Both are checked by sim_check() in debug builds at the edges of a run.
 *
 * Errors
 *   sim_create() returns NULL for a NaN or infinite start, a NaN stop or a
 *   stop before the start (sim_create_with_queue() also for an unknown
 *   queue kind).  sim_register() returns UINT32_MAX (never a valid
 *   id, and rejected by sim_schedule) when `fn` is NULL.  sim_schedule()
 *   returns 0 for a time before now, NaN or an unknown type.
 *   sim_type_name() returns NULL for an unknown type.
 *
 * Complexity
 *   schedule, cancel and each dispatched event: O(log n) in the queue.
 *   register: amortised O(1).
 *
 * Rejected alternatives
 *   - A switch over type ids in a model-owned dispatcher: models would
 *     know each other's ids; the table keeps modules independent.
 *   - Storing a function pointer in each event: 8 more bytes per event and
 *     no place for a diagnostic name.
 */
#include "sim.h"

#include "sim_alloc.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#define TYPE_INVALID UINT32_MAX

typedef struct sim_type {
    const char *name;  /* borrowed, for diagnostics */
    sim_handler_fn fn; /* never NULL */
    void *ctx;         /* borrowed, passed to fn */
} sim_type_t;

struct sim {
    sim_queue_t *queue;
    double now_s;   /* the clock, seconds of sim time */
    double start_s; /* clock at creation, seconds of sim time */
    double stop_s;  /* sim_run() handles events with time <= stop_s */
    sim_type_t *types;
    uint32_t ntypes;
    uint32_t types_cap;
    int stopped;              /* sim_stop() called during this run */
    uint64_t events_handled;  /* over all runs */
};

#ifndef NDEBUG
/* The invariants above; O(n) through sim_queue_check. */
static int sim_check(const sim_t *sim) {
    const sim_event_t *next = sim_queue_peek(sim->queue);
    if (!(sim->now_s >= sim->start_s))
        return 0;
    if (isfinite(sim->stop_s) && !(sim->now_s <= sim->stop_s))
        return 0;
    if (next && (!(next->time_s >= sim->now_s) || next->type >= sim->ntypes))
        return 0;
    return sim_queue_check(sim->queue);
}
#endif

sim_t *sim_create(double start_s, double stop_s) {
    return sim_create_with_queue(start_s, stop_s, SIM_QUEUE_DEFAULT);
}

sim_t *sim_create_with_queue(double start_s, double stop_s, sim_queue_kind_t kind) {
    sim_t *sim;
    if (!isfinite(start_s) || isnan(stop_s) || stop_s < start_s || !sim_queue_kind_name(kind))
        return NULL;
    sim = sim_xcalloc(1, sizeof *sim);
    sim->queue = sim_queue_create_kind(kind);
    sim->now_s = start_s;
    sim->start_s = start_s;
    sim->stop_s = stop_s;
    return sim;
}

void sim_destroy(sim_t *sim) {
    if (!sim)
        return;
    sim_queue_destroy(sim->queue);
    free(sim->types);
    free(sim);
}

uint32_t sim_register(sim_t *sim, const char *name, sim_handler_fn fn, void *ctx) {
    sim_type_t *t;
    if (!fn || sim->ntypes == TYPE_INVALID)
        return TYPE_INVALID;
    if (sim->ntypes == sim->types_cap) {
        uint32_t cap = sim->types_cap ? sim->types_cap * 2u : 16u;
        sim->types = sim_xrealloc(sim->types, (size_t)cap * sizeof *sim->types);
        sim->types_cap = cap;
    }
    t = &sim->types[sim->ntypes];
    t->name = name;
    t->fn = fn;
    t->ctx = ctx;
    return sim->ntypes++;
}

sim_handle_t sim_schedule(sim_t *sim, double time_s, uint32_t type, uint32_t a, uint64_t b) {
    sim_event_t ev;
    /* !(time >= now) is also true for NaN. */
    if (!(time_s >= sim->now_s) || type >= sim->ntypes)
        return 0;
    ev.time_s = time_s;
    ev.seq = 0;
    ev.type = type;
    ev.a = a;
    ev.b = b;
    return sim_queue_push(sim->queue, &ev);
}

sim_handle_t sim_schedule_in(sim_t *sim, double delay_s, uint32_t type, uint32_t a, uint64_t b) {
    if (!(delay_s >= 0))
        return 0;
    return sim_schedule(sim, sim->now_s + delay_s, type, a, b);
}

int sim_cancel(sim_t *sim, sim_handle_t h) {
    return sim_queue_cancel(sim->queue, h);
}

uint64_t sim_run(sim_t *sim) {
    uint64_t handled = 0;
    assert(sim_check(sim));
    sim->stopped = 0;
    for (;;) {
        const sim_event_t *next = sim_queue_peek(sim->queue);
        const sim_type_t *t;
        sim_event_t ev;
        if (!next || next->time_s > sim->stop_s)
            break;
        (void)sim_queue_pop(sim->queue, &ev);
        assert(ev.time_s >= sim->now_s);
        sim->now_s = ev.time_s;
        t = &sim->types[ev.type];
        t->fn(sim, &ev, t->ctx);
        handled++;
        sim->events_handled++;
        if (sim->stopped)
            break;
    }
    if (!sim->stopped && isfinite(sim->stop_s))
        sim->now_s = sim->stop_s;
    assert(sim_check(sim));
    return handled;
}

void sim_stop(sim_t *sim) {
    sim->stopped = 1;
}

double sim_now(const sim_t *sim) {
    return sim->now_s;
}

double sim_stop_time(const sim_t *sim) {
    return sim->stop_s;
}

uint64_t sim_events_handled(const sim_t *sim) {
    return sim->events_handled;
}

size_t sim_pending(const sim_t *sim) {
    return sim_queue_size(sim->queue);
}

const char *sim_type_name(const sim_t *sim, uint32_t type) {
    return type < sim->ntypes ? sim->types[type].name : NULL;
}
