/*
 * cdn_report_fit.h -- the files of a `fit` results folder (formats:
 * docs/uncertainty.md#fitting-cdnsim-fit).
 *
 * Contract
 *   cdn_report_fit() writes into `dir`:
 *     fit.json          the fitted values as a strategy file (a "set" per
 *                       parameter, the value as written into the scenario,
 *                       in shortest round-trip form), so that
 *                       `cdnsim run SCENARIO --strategy fit.json` runs the
 *                       fitted scenario;
 *     fit_targets.md    each calibration target: published, the medians
 *                       over the replications at the start and at the
 *                       fit, |median - published| before and after, each
 *                       target's share of the loss;
 *     fit_targets.csv   the same, unrounded;
 *     fit_loss.csv      one row per iteration: iteration, loss, simplex
 *                       size, the parameters' values at the best point;
 *     fit_loss.gp       the loss over the iterations on a log scale (PNG
 *                       and SVG when run), its data inline;
 *     manifest.json     provenance plus the fit's settings and outcome.
 *   Every file but manifest.json (jobs, wall time) is a pure function of
 *   the inputs, so any number of threads gives the same files.
 *
 * Errors: 0 or CDN_EIO with err set.
 */
#ifndef CDNSIM_CDN_REPORT_FIT_H
#define CDNSIM_CDN_REPORT_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_fit.h"
#include "cdn_priors.h"
#include "cdn_scenario.h"

typedef struct cdn_report_fit {
    int argc; /* the command line, for the manifest */
    char *const *argv;
    const char *scenario_path;   /* as given */
    const char *scenario_sha256; /* hex */
    const cdn_scenario_t *s;     /* the scenario at the start: name, targets */
    const char *strategy;        /* --strategy label, "" if none */
    const char *const *sets;     /* --set texts */
    size_t nsets;
    const cdn_priors_t *priors;
    size_t k;                    /* parameters fitted */
    const size_t *idx;           /* [k] their priors */
    const double *x0, *x1;       /* [k] start and fitted values, as written */
    const double *before, *after; /* [ntargets * nrep] target values per replication */
    double loss0, loss1;         /* loss at the start and at the fit */
    const double *log;           /* [nlog * (3 + k)]: iteration, loss, size, values */
    size_t nlog;
    uint64_t seed, nrep, max_iter;
    double tol, step;
    const cdn_fit_result_t *res;
    unsigned jobs;
    double wall_s;
} cdn_report_fit_t;

int cdn_report_fit(const char *dir, const cdn_report_fit_t *r, cdn_error_t *err);

#endif /* CDNSIM_CDN_REPORT_FIT_H */
