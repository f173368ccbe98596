/*
 * cdn_ensemble_run.h -- the replications of `cdnsim run -n N`: runs
 * replications 0..N-1 of one scenario on threads and writes the
 * calibration report (report/cdn_calreport.h) and the fan chart's files
 * (report/cdn_fanchart.h) into a folder.
 *
 * Contract
 *   Replication i is cdn_world_run(s, seed, i), reduced to one row
 *   (cdn_ensemble_reduce) and freed, so memory is N rows of
 *   cdn_ensemble_row_len(s) doubles; a run whose rows would exceed the
 *   memory budget (CDN_BUDGET_MEMORY_BYTES times `budget`, 0 = none) is
 *   refused with CDN_EBUDGET before anything runs.  `r` is the folder's own
 *   run, replication r_rep of the same scenario and seed, drawn thin on the
 *   fan chart; if r_rep < N it stands for that replication, which is not
 *   simulated again.  *jobs is the threads asked for (0:
 *   the online cores) and on return the threads used; the files do not
 *   depend on it.
 *
 * Errors: 0 or a negative CDN_E* code with err set.
 * Threads: main's thread; starts and joins its own workers.
 */
#ifndef CDNSIM_CDN_ENSEMBLE_RUN_H
#define CDNSIM_CDN_ENSEMBLE_RUN_H

#include <stdint.h>

#include "cdn_scenario.h"
#include "cdn_world.h"

int cdn_ensemble_run(const cdn_scenario_t *s, uint64_t seed, uint64_t nrep, unsigned *jobs,
                     double budget, int progress, const cdn_result_t *r, uint64_t r_rep,
                     const char *dir, cdn_error_t *err);

#endif /* CDNSIM_CDN_ENSEMBLE_RUN_H */
