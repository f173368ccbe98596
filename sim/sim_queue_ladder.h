/*
 * sim_queue_ladder.h -- the ladder-queue implementation of the pending-event
 * set (kind SIM_QUEUE_LADDER, the default).  Kernel-internal: models and the
 * kernel use it only through sim_queue.h, which forwards to it.
 *
 * Contract
 *   Exactly the contract of sim_queue.h (total FIFO-stable (time, seq)
 *   order, no malloc per event, generation-checked handles, NaN refused),
 *   function for function; sim_queue.h documents each call.
 */
#ifndef CDNSIM_SIM_QUEUE_LADDER_H
#define CDNSIM_SIM_QUEUE_LADDER_H

#include "sim_queue.h"

typedef struct sim_queue_ladder sim_queue_ladder_t;

sim_queue_ladder_t *sim_queue_ladder_create(void);
void sim_queue_ladder_destroy(sim_queue_ladder_t *q); /* NULL is a no-op */
sim_handle_t sim_queue_ladder_push(sim_queue_ladder_t *q, const sim_event_t *ev);
int sim_queue_ladder_pop(sim_queue_ladder_t *q, sim_event_t *out);
const sim_event_t *sim_queue_ladder_peek(const sim_queue_ladder_t *q);
int sim_queue_ladder_cancel(sim_queue_ladder_t *q, sim_handle_t h);
size_t sim_queue_ladder_size(const sim_queue_ladder_t *q);
int sim_queue_ladder_check(const sim_queue_ladder_t *q);

#endif /* CDNSIM_SIM_QUEUE_LADDER_H */
