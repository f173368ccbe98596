/*
 * cdn_cmd_study.h -- what `compare` and `sweep` share: their options,
 * strategy resolution, arms, and running and writing a study.
 *
 * Contract
 *   Both commands build a study (cdn_study.h) of arms, each a scenario
 *   loaded with overlays, then hand it to cdn_cmd_study_run(), which agrees
 *   across MPI ranks, runs the replications (adaptively with --precision),
 *   writes the results folder on rank 0, prints the table and judges
 *   --assert (exit status 1 when one fails, the folder written).  `run`
 *   and `show` use the strategy and --set helpers too.
 *
 *   "loud" arguments say whether to print an error (rank 0 prints, other
 *   ranks stay quiet but fail the same way).
 *
 * Errors
 *   Every function returns 0 or an exit status (cdn_cli_exit_for), after
 *   printing the error when loud.  On failure, overlays handed in are
 *   destroyed (their ownership always passes).
 *
 * Threads: main's thread only.
 */
#ifndef CDNSIM_CDN_CMD_STUDY_H
#define CDNSIM_CDN_CMD_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_cli_opts.h"
#include "cdn_loader.h"
#include "cdn_overlay.h"
#include "cdn_priors.h"
#include "cdn_report.h"
#include "cdn_runner.h"
#include "cdn_study.h"

#define CDN_CMD_STUDY_MAX_ARMS 256   /* strategies of a compare, points of a sweep */
#define CDN_CMD_STUDY_MAX_PARTS 16   /* strategies composed as a+b+... */
#define CDN_CMD_STUDY_MAX_OVERLAYS (CDN_CMD_STUDY_MAX_PARTS + 1) /* and the --set one */

/* The options compare and sweep share. */
typedef struct cdn_cmd_study_opts {
    const char *scenario_path; /* never NULL after cdn_cmd_study_opts_from */
    const char *out_dir;       /* NULL: the command's default folder */
    uint64_t seed;
    int have_seed;
    uint64_t n;          /* replications (first batch with --precision) */
    uint64_t jobs;       /* threads per rank, 0 = cores */
    double precision;    /* relative 95% half-width asked, 0 = off */
    uint64_t max_n;      /* most replications with --precision */
    uint64_t budget;     /* --budget: multiple of the default work budget, 0 = none */
    const char *precision_metric; /* --precision-metric, NULL: failed_requests */
    const char *const *sets; /* --set PATH=VALUE texts, in order */
    size_t nsets;
    const char *const *asserts; /* --assert texts (compare) */
    size_t nasserts;
    int argc;                /* the whole command line, for the manifest */
    char *const *argv;
    int quiet, no_plot;
    int uncertainty;           /* --uncertainty */
    uint64_t seeds_per_draw;   /* --seeds-per-draw, M (default 2) */
    char default_path[4096]; /* the reference scenario, if none given */
} cdn_cmd_study_opts_t;

/* Reads and cross-checks the shared options (--max-n needs --precision,
 * and is not below -n); fills the defaults. */
int cdn_cmd_study_opts_from(const cdn_cli_args_t *a, cdn_cmd_study_opts_t *o);

/* Resolves "a+b+path/c.json" into at most `max` overlays (loaded, owned by
 * the caller) and the label "a+b+c".  Library names are looked up as
 * strategies/NAME.json (cdn_cmd_find_data); anything with a '/' or ending
 * in ".json" is a file. */
int cdn_cmd_study_resolve(const char *spec, cdn_overlay_t **ov, size_t *nov, size_t max,
                          char *label, size_t nlabel, int loud);

/* Appends to ov[*nov] one overlay named "--set" that sets each
 * "PATH=VALUE" of sets[0..nsets-1] in order (VALUE: JSON, else a string);
 * nothing when nsets is 0.  On failure every overlay in ov is destroyed
 * and *nov is 0. */
int cdn_cmd_study_add_sets(const char *const *sets, size_t nsets, cdn_overlay_t **ov, size_t *nov,
                           size_t max, int loud);

/* A what-if of one scenario (run, show): the overlays of --strategy (if
 * given; label "a+b", else "") followed by the --set one, into
 * ov[CDN_CMD_STUDY_MAX_OVERLAYS]. */
int cdn_cmd_study_whatif(const cdn_cli_args_t *a, cdn_overlay_t **ov, size_t *nov, char *label,
                         size_t nlabel);

/* Loads the scenario with the overlays and adds it to the study as an arm,
 * which takes the overlays; *index is the arm's. */
int cdn_cmd_study_add_arm(cdn_study_t *st, const cdn_loader_t *ld, const char *label,
                          cdn_overlay_t **ov, size_t nov, int loud, size_t *index);

/* Reads, hashes and parses the scenario file once (cdn_loader.h): *ld
 * serves every arm; *sha256 (of the file's bytes, owned by *ld) is for
 * the manifest.  0 or an exit status (error printed if loud). */
int cdn_cmd_study_open(const char *scenario_path, cdn_loader_t **ld, const char **sha256,
                       int loud);

/* --uncertainty and --seeds-per-draw against -n N (run -n, compare,
 * sweep): *seeds_per_draw gets M (default 2); the option without
 * --uncertainty, N not a multiple of M and fewer than two draws are usage
 * errors.  0 or the usage exit status (printed). */
int cdn_cmd_unc_options(const cdn_cli_args_t *a, uint64_t n, uint64_t *seeds_per_draw);

/* --uncertainty: the priors of the scenario the loader holds (as written,
 * before any strategy) and a copy of its tree without "priors", which the
 * caller owns.  A scenario without priors is a data error (exit 65). */
int cdn_cmd_priors_base(const cdn_loader_t *ld, const char *path, cdn_priors_t **priors,
                        struct cJSON **base, int loud);

/* --uncertainty: reads the priors of the scenario (as written, before any
 * strategy) and hands them with the tree without "priors" to the study.
 * A scenario without priors is a data error. */
int cdn_cmd_study_priors(cdn_study_t *st, const cdn_loader_t *ld, const cdn_cmd_study_opts_t *o,
                         int loud);

/* Everything after the arms are set up: agree across ranks on setup_rc (an
 * exit status, 0 if the setup went well), prepare the folder (default_dir
 * unless -o), run, write on rank 0, print. */
int cdn_cmd_study_run(cdn_runner_t *runner, cdn_study_t *st, const cdn_cmd_study_opts_t *o,
                      cdn_report_info_t *info, const char *default_dir, int setup_rc);

#endif /* CDNSIM_CDN_CMD_STUDY_H */
