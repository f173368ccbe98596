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

#include "cdn_priors.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* `run -n N --uncertainty`: replication i is seed i % M of draw i / M, run
 * on cdn_study_load_drawn(priors, base, file, seed, i / M, after, nafter, s)
 * (the drawn values, then --strategy and --set); `r` is then not reused
 * (it ran the written values) and *record gets the manifest's
 * "uncertainty" record: the decomposition of every calibration target
 * (cdn_unc.h). */
typedef struct cdn_ensemble_unc {
    const cdn_priors_t *priors;
    const struct cJSON *base; /* the scenario tree without "priors" */
    const char *file;
    cdn_overlay_t *const *after;
    size_t nafter;
    size_t seeds_per_draw;
    struct cJSON *record; /* out, owned by the caller */
} cdn_ensemble_unc_t;

/* unc: NULL without --uncertainty. */
int cdn_ensemble_run(const cdn_scenario_t *s, uint64_t seed, uint64_t nrep, unsigned *jobs,
                     double budget, int progress, const cdn_result_t *r, uint64_t r_rep,
                     cdn_ensemble_unc_t *unc, const char *dir, cdn_error_t *err);

#endif /* CDNSIM_CDN_ENSEMBLE_RUN_H */
