/*
 * cdn_estimate.h -- the work one replication of a scenario will need,
 * estimated from the scenario alone, before anything is simulated: kernel
 * events (time), peak memory and the bytes of the results folder.
 *
 * Contract
 *   cdn_estimate() is a pure function of the validated scenario.  It is an
 *   upper-leaning estimate: every generator run is assumed to reach every
 *   server it may reach (a stop_generation action is ignored), every
 *   restart to reach every server, and a region with overload drains to
 *   drain and be restored as often as overload_drain_s allows.  On the
 *   reference, the full-scale and the example scenarios it is within a
 *   factor of 2 of the measured events and peak memory (tests/cli_test.sh
 *   checks the events; docs/performance.md has the table).  The formulae
 *   are in docs/performance.md ("Work budget").
 *
 *   cdn_estimate_check() compares an estimate with the default budget
 *   (CDN_BUDGET_*) times `scale` (0: no limit) and, when it is over,
 *   writes a one-line message that names the estimate, the budget and how
 *   to raise it; it returns CDN_EBUDGET then, else 0.
 *
 * Threads: no state.
 */
#ifndef CDNSIM_CDN_ESTIMATE_H
#define CDNSIM_CDN_ESTIMATE_H

#include "cdn_scenario.h"

/* The default budget of one replication (scaled by --budget). */
#define CDN_BUDGET_EVENTS 1e8               /* about a minute of simulation here */
#define CDN_BUDGET_MEMORY_BYTES 4294967296.0 /* 4 GiB */
#define CDN_BUDGET_OUTPUT_BYTES 536870912.0  /* 512 MiB of results */

typedef struct cdn_estimate {
    double events;       /* kernel events of one replication */
    double memory_bytes; /* peak resident memory of a process running one */
    double output_bytes; /* bytes of its data files (timelines, events, summary) */
} cdn_estimate_t;

void cdn_estimate(const cdn_scenario_t *s, cdn_estimate_t *out);

int cdn_estimate_check(const cdn_estimate_t *e, double scale, const char *what,
                       cdn_error_t *err);

#endif /* CDNSIM_CDN_ESTIMATE_H */
