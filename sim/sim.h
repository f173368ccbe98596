/*
 * sim.h -- the cdnsim discrete-event kernel: clock, event types, dispatch and
 * the run loop.  Knows nothing about CDNs.
 *
 * Contract
 *   A sim_t is one simulation run: it owns its pending-event set (sim_queue)
 *   and its clock.  Models register event types once, each with a handler
 *   and a context pointer, and then schedule events of those types.  The run
 *   loop pops events in (time, seq) order, advances the clock to the event
 *   time and calls the handler; it stops when the queue is empty, when the
 *   next event lies after the stop time, or when a handler calls sim_stop().
 *   After sim_run() returns, the clock reads the stop time (or the time of
 *   the last event if stopped early), so callers can close open integrals.
 *
 *   Events at exactly the stop time still run; events after it do not.
 *
 * Ownership and threads
 *   No global state: a process may run many sim_t in parallel threads.  A
 *   sim_t is used by one thread at a time.  Handler contexts are borrowed.
 */
#ifndef CDNSIM_SIM_H
#define CDNSIM_SIM_H

#include <stdint.h>

#include "sim_queue.h"

typedef struct sim sim_t;

typedef void (*sim_handler_fn)(sim_t *sim, const sim_event_t *ev, void *ctx);

sim_t *sim_create(double start_s, double stop_s);
/* Same, with a pending-event set of the given kind (sim_create uses
 * SIM_QUEUE_DEFAULT); NULL also for an unknown kind.  All kinds give the
 * same run: the kind only changes speed and memory. */
sim_t *sim_create_with_queue(double start_s, double stop_s, sim_queue_kind_t kind);
void sim_destroy(sim_t *sim); /* NULL is a no-op */

/* Registers an event type; returns its id (>= 0).  `name` is kept for
 * diagnostics (borrowed; must outlive the sim). */
uint32_t sim_register(sim_t *sim, const char *name, sim_handler_fn fn, void *ctx);

/* Schedules an event of `type` at absolute time `time_s` (>= now).
 * Returns its handle, or 0 for a time in the past, NaN or an unknown type. */
sim_handle_t sim_schedule(sim_t *sim, double time_s, uint32_t type, uint32_t a, uint64_t b);

/* Same, `delay_s` (>= 0) after now. */
sim_handle_t sim_schedule_in(sim_t *sim, double delay_s, uint32_t type, uint32_t a, uint64_t b);

int sim_cancel(sim_t *sim, sim_handle_t h);

/* Runs until the stop time, an empty queue or sim_stop(); returns the
 * number of events handled. */
uint64_t sim_run(sim_t *sim);

/* Asks the run loop to return after the current handler. */
void sim_stop(sim_t *sim);

double sim_now(const sim_t *sim);
double sim_stop_time(const sim_t *sim);
uint64_t sim_events_handled(const sim_t *sim);
size_t sim_pending(const sim_t *sim);
const char *sim_type_name(const sim_t *sim, uint32_t type);

#endif /* CDNSIM_SIM_H */
