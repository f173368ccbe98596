/*
 * cdn_study_run.h -- running the replications of a study on the runner's
 * threads and MPI ranks.
 *
 * Contract
 *   cdn_study_run() runs replications nreps .. n-1 of every arm of a
 *   sealed study (cdn_study.h) and stores their rows; n <= nreps is a
 *   no-op.  Results do not depend on the number of threads or ranks.
 *
 * Errors: 0, or the first task's error code with err set (the rows exist
 *   and are freed by cdn_study_destroy either way).
 */
#ifndef CDNSIM_CDN_STUDY_RUN_H
#define CDNSIM_CDN_STUDY_RUN_H

#include <stddef.h>

#include "cdn_runner.h"
#include "cdn_study.h"

int cdn_study_run(cdn_study_t *st, cdn_runner_t *runner, size_t n, cdn_error_t *err);

#endif /* CDNSIM_CDN_STUDY_RUN_H */
