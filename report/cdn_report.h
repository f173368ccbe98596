/*
 * cdn_report.h -- the files of a `compare` or `sweep` results folder
 * (formats documented in docs/compare.md).
 *
 * Contract
 *   Every file is a pure function of the study (its arms, replications and
 *   values) and of `info` except manifest.json, which also records how the
 *   study was run (jobs, MPI ranks, git commit).  So the other files are
 *   byte-identical for any number of threads or ranks.  Numbers in CSV and
 *   JSON are written in the shortest form that reads back as the same
 *   double; a missing value is an empty CSV field or JSON null.
 *
 *   Strategies are ranked by mean failed requests (ties: mean user-minutes
 *   lost, then the order given); rank 1 is best.
 *
 *   The figures are drawn by running the .gp scripts with
 *   cdn_gnuplot_run() (cdn_gnuplot.h).  Implemented in report/cdn_report*.c.
 *
 * Errors: 0 or CDN_EIO with err set ("DIR/FILE: cannot write: ...").
 */
#ifndef CDNSIM_CDN_REPORT_H
#define CDNSIM_CDN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "cdn_study.h"

typedef struct cdn_report_info {
    const char *command;       /* "compare" or "sweep" */
    const char *scenario_path; /* as given */
    uint64_t scenario_hash;    /* FNV-1a 64 of the scenario file */
    size_t ref;                /* compare: the reference arm ("baseline") */
    int ref_added;             /* compare: the reference was not asked for, added */
    size_t n_asked;            /* -n */
    double precision;          /* --precision, 0 if not given */
    size_t max_n;              /* --max-n */
    int precise;               /* the precision target was reached */
    unsigned jobs;             /* threads per rank */
    int ranks;                 /* MPI ranks */
    /* sweep */
    size_t nparams;            /* 1 or 2 */
    const char *param[2];      /* overlay paths */
    size_t nvalues[2];
    char **values[2];          /* values as given */
    const char *strategy;      /* strategy the grid is laid over */
    size_t metric;             /* metric plotted */
} cdn_report_info_t;

/* rank[a] = 1-based rank of arm a. */
void cdn_report_ranks(const cdn_study_t *st, size_t *rank);

/* comparison.csv, comparison.json, comparison.md, replications.csv,
 * timeline_quantiles.csv, compare_timeline.gp, compare_metrics.gp */
int cdn_report_compare(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                       cdn_error_t *err);
/* sweep.csv, replications.csv, sweep.gp */
int cdn_report_sweep(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                     cdn_error_t *err);
/* manifest.json */
int cdn_report_manifest(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                        cdn_error_t *err);

/* A count of requests as the tables show it: "1028.0 bn", "58.1 M",
 * "3.2 k", "12", "0" (one decimal above a thousand). */
void cdn_report_fmt_count(char *buf, size_t n, double v);

/* The ranked Markdown table of comparison.md (for stdout). */
void cdn_report_ranked_table(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info);

#endif /* CDNSIM_CDN_REPORT_H */
