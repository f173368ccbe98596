/*
 * phold_baseline.h -- PHOLD on a minimal loop over a plain-C implicit heap
 * (binary or 4-ary) with inline 16-byte keys: the baselines the kernel is
 * measured against, side by side in the same program (bench/phold.c).
 *
 * Contract
 *   phold_baseline_run() runs exactly the PHOLD of bench/phold.c (same
 *   random draws in the same order, same (time, scheduling order) ties) and
 *   so must end with the same per-LP counters and last event time; it
 *   bypasses the kernel entirely (no handles, no cancellation, no dispatch),
 *   which is what makes it a lower bound for the kernel's overhead.
 *
 * Ownership and threads
 *   No global state; `counts` (nlp entries, zeroed by the caller) and `rng`
 *   are borrowed.
 */
#ifndef CDNSIM_PHOLD_BASELINE_H
#define CDNSIM_PHOLD_BASELINE_H

#include <stdint.h>

#include "sim_rng.h"

/* The PHOLD parameters (one row of the spec's configuration table). */
typedef struct phold_params {
    uint32_t nlp;       /* L: logical processes */
    uint32_t per_lp;    /* E: initial events per LP */
    double remote;      /* probability that a new event goes to a random LP */
    double lookahead_s; /* minimum increment, seconds of sim time */
    double mean_s;      /* mean of the exponential part of an increment, seconds */
    uint64_t events;    /* K: events to process */
} phold_params_t;

/* LPs a baseline can address (the LP sits in the low bits of the key). */
#define PHOLD_BASELINE_MAX_LP (1u << 20)

/* Runs PHOLD on a heap of the given arity (2 or 4); returns the time of
 * the last processed event.  counts[i] is incremented per event at LP i. */
double phold_baseline_run(const phold_params_t *p, unsigned arity, sim_rng_t *rng,
                          uint64_t *counts);

#endif /* CDNSIM_PHOLD_BASELINE_H */
