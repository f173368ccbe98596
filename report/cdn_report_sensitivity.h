/*
 * cdn_report_sensitivity.h -- the files of a `sensitivity` results folder
 * (formats: docs/uncertainty.md#the-sensitivity-report).
 *
 * Contract
 *   cdn_report_sensitivity() writes into `dir`:
 *     sensitivity.csv         one row per prior, ranked (Morris by mu*,
 *                             Sobol by the total index), with its indices
 *                             and their standard errors;
 *     sensitivity_points.csv  every design point: its unit-hypercube
 *                             coordinates, the prior values written into
 *                             the scenario and the metric (mean over the
 *                             replications; empty when undefined);
 *     sensitivity.gp          the bar chart (PNG and SVG when run), its
 *                             data inline, so the script alone redraws it;
 *     manifest.json           provenance (as every results folder) plus
 *                             the method, its settings and the priors.
 *   Every file but manifest.json is a pure function of the inputs (the
 *   design, the outputs, the indices), so any number of threads gives the
 *   same files.
 *
 * Errors: 0 or CDN_EIO with err set ("DIR/FILE: cannot write: ...").
 */
#ifndef CDNSIM_CDN_REPORT_SENSITIVITY_H
#define CDNSIM_CDN_REPORT_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_priors.h"
#include "cdn_sensitivity.h"

typedef struct cdn_report_sens {
    int argc;                       /* the command line, for the manifest */
    char *const *argv;
    const char *scenario_path;      /* as given */
    const char *scenario_sha256;    /* hex */
    const char *scenario_name;
    const char *strategy;           /* --strategy label, "" if none */
    const char *const *sets;        /* --set texts */
    size_t nsets;
    const char *metric;             /* metric name, or the test function's */
    const char *metric_label;       /* title text: "failed requests" */
    const char *metric_unit;        /* axis text: "requests" ("" for a function) */
    const char *function;           /* test function instead of a simulation, or NULL */
    const cdn_sens_design_t *design;
    size_t trajectories, levels;    /* Morris */
    size_t samples, nboot;          /* Sobol */
    uint64_t seed, replications;
    unsigned jobs;
    double wall_s;                  /* wall time of the evaluations, s */
    const cdn_priors_t *priors;
    const double *y;                /* [npoints] metric per point (NaN: undefined) */
    const cdn_sens_index_t *ix;     /* [k] */
    double var;                     /* variance of the metric over the design */
    const size_t *order;            /* [k] prior indices, best-ranked first */
} cdn_report_sens_t;

/* A short label of prior i for tables and the chart: its path without
 * "$.", and while longer than 40 bytes without its leading key segments
 * ("operators.actions[label=x].rate_per_s" -> "actions[label=x].rate_per_s");
 * still longer: cut to 40 bytes, an ellipsis at the front. */
void cdn_report_sens_label(const cdn_priors_t *p, size_t i, char *buf, size_t n);

int cdn_report_sensitivity(const char *dir, const cdn_report_sens_t *r, cdn_error_t *err);

#endif /* CDNSIM_CDN_REPORT_SENSITIVITY_H */
