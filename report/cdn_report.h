/*
 * cdn_report.h -- the files of a `compare` or `sweep` results folder
 * (formats documented in docs/compare.md), and the manifest.json of every
 * results folder, `run` included (docs/output-format.md).
 *
 * Contract
 *   Every file is a pure function of the study (its arms, replications and
 *   values) and of `info` except manifest.json, which also records how the
 *   study was run (jobs, MPI ranks, git describe, the command line, the
 *   SHA-256 of every input file as `sha256sum -c` checks it).  So the other files are
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

struct cJSON;

typedef struct cdn_report_info {
    const char *command;       /* "compare" or "sweep" */
    const char *scenario_path; /* as given */
    const char *scenario_sha256; /* SHA-256 of the scenario file, hex */
    int argc;                  /* the command line, for the manifest */
    char *const *argv;
    const char *const *sets;   /* --set PATH=VALUE texts */
    size_t nsets;
    const char *precision_metric; /* the metric --precision checks */
    const struct cJSON *assertions; /* --assert verdicts, or NULL */
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

/* The ranks as shown, with ties: shown[a] is the rank of the first arm of
 * a's tie group, and tied[a] is 1 when the group has another arm.  Arms
 * next to each other in the ranking tie when their ranking metrics
 * (failed requests, user-minutes lost) are identical in every replication
 * (both missing counts as identical): the strategies made no difference to
 * what the ranking measures, e.g. two names for one change. */
void cdn_report_tie_ranks(const cdn_study_t *st, const size_t *rank, size_t *shown, int *tied);

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

/* With --uncertainty (the study has priors; nothing otherwise):
 * draws.csv, uncertainty.csv, uncertainty_metrics.csv
 * (cdn_report_unc.c); the manifest's "uncertainty" record (NULL without
 * priors); the terminal table with the verdict. */
int cdn_report_unc(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                   cdn_error_t *err);
struct cJSON *cdn_report_unc_manifest(const cdn_study_t *st, const cdn_report_info_t *info);
void cdn_report_unc_table(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info);

/* A count of requests as the tables show it: "1028.0 bn", "58.1 M",
 * "3.2 k", "12", "0" (one decimal above a thousand). */
void cdn_report_fmt_count(char *buf, size_t n, double v);

/* What the manifest of a `run` records. */
typedef struct cdn_report_run_info {
    int argc;                        /* the command line */
    char *const *argv;
    const char *scenario_path;       /* as given */
    const char *scenario_sha256;     /* hex */
    const cdn_scenario_t *s;
    const char *strategy;            /* --strategy label, "" if none */
    const cdn_overlay_t *const *overlays; /* --strategy's, then --set's */
    size_t noverlays;
    const char *const *sets;         /* --set texts */
    size_t nsets;
    uint64_t seed, replication;
    uint64_t replications;           /* -n (calibration), 0 if none */
    unsigned jobs;                   /* threads of -n */
    const struct cJSON *assertions;  /* --assert verdicts, or NULL */
    const struct cJSON *uncertainty; /* -n --uncertainty's record, or NULL */
} cdn_report_run_info_t;

/* manifest.json of a `run` folder. */
int cdn_report_manifest_run(const char *dir, const cdn_report_run_info_t *ri, cdn_error_t *err);

/* The start of a manifest of another command (sensitivity): program,
 * command, version, git describe, command line, argv, and the scenario
 * in "inputs"; the caller adds its keys and writes it (cdn_file.h). */
struct cJSON *cdn_report_manifest_base(const char *command, int argc, char *const *argv,
                                      const char *scenario_path, const char *scenario_sha256);

/* The ranked Markdown table of comparison.md (for stdout). */
void cdn_report_ranked_table(FILE *f, const cdn_study_t *st, const cdn_report_info_t *info);

#endif /* CDNSIM_CDN_REPORT_H */
