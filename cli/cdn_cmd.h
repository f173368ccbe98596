/*
 * cdn_cmd.h -- the commands of cdnsim, one function each, and the helpers
 * they share.
 *
 * Contract
 *   A command takes the parsed command line (cdn_cli_opts.h: options
 *   already checked against the option table, operand count already
 *   checked against the command table) and returns the process's exit
 *   status, from the error map (cdn_error.h, cdn_cli_exit_for).  Commands
 *   print their own errors on stderr ("cdnsim: ..."), their results on
 *   stdout unless --quiet, and write a results folder that appears complete
 *   or not at all (cdn_resultdir.h).  Only main() returns the status to the
 *   system.
 *
 *   The functions live in cdn_cmd.c (validate, plot, the helpers),
 *   cdn_cmd_run.c (run), cdn_cmd_compare.c and cdn_cmd_sweep.c, which share
 *   cdn_cmd_study.h, cdn_cmd_author.c (init, schema) and
 *   cdn_cmd_sensitivity.c (sensitivity) and cdn_cmd_fit.c (fit).
 *
 * Threads: call from main's thread; commands start their own threads
 *   through cdn_runner.h.
 */
#ifndef CDNSIM_CDN_CMD_H
#define CDNSIM_CDN_CMD_H

#include <stddef.h>

#include "cdn_cli_opts.h"
#include "cdn_scenario.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

/* The reference scenario, looked up like every data file. */
#define CDN_CMD_DEFAULT_SCENARIO "cloudflare-2025-11-18.json"

int cdn_cmd_run(const cdn_cli_args_t *args);
int cdn_cmd_validate(const cdn_cli_args_t *args);
int cdn_cmd_plot(const cdn_cli_args_t *args);
int cdn_cmd_compare(const cdn_cli_args_t *args);
int cdn_cmd_sweep(const cdn_cli_args_t *args);
int cdn_cmd_show(const cdn_cli_args_t *args);
int cdn_cmd_sensitivity(const cdn_cli_args_t *args); /* cdn_cmd_sensitivity.c */
int cdn_cmd_fit(const cdn_cli_args_t *args);         /* cdn_cmd_fit.c */
int cdn_cmd_init(const cdn_cli_args_t *args);   /* cdn_cmd_author.c */
int cdn_cmd_schema(const cdn_cli_args_t *args); /* cdn_cmd_author.c */

/* The template of `cdnsim init` (scenarios/templates/NAME.json). */
#define CDN_CMD_DEFAULT_TEMPLATE "oneshot-push"

/* Data files (scenarios, strategies) are looked up in ./scenarios first,
 * then beside the binary (<prefix>/share/cdnsim/scenarios, found from
 * /proc/self/exe so a relocated install works), then in the configured
 * install prefix, then in the source tree the binary was built from.
 * Writes the path of `rel` in the first folder that has it; 1 if found,
 * 0 if none. */
int cdn_cmd_find_data(const char *rel, char *buf, size_t n);

/* The reference scenario's path (see cdn_cmd_find_data), in buf. */
const char *cdn_cmd_default_scenario(char *buf, size_t n);

/* 1 if path is a regular file. */
int cdn_cmd_file_exists(const char *path);

/* Monotonic wall-clock seconds, for the "N s wall" lines. */
double cdn_cmd_wall_now(void);

/* Prints the scenario's semantic warnings (cdn_scenario_warnings) on
 * stderr, each naming FILE; returns how many. */
size_t cdn_cmd_print_warnings(const char *file, const cdn_scenario_t *s);

struct cdn_resultdir;
struct cJSON;
struct cdn_overlay;
struct cdn_priors;
/* The scenario a prior-sampling command (sensitivity, fit) varies: the
 * file read and hashed (sha256: CDN_DIGEST_HEX_LEN), its tree with the
 * overlays applied (--strategy, --set) in *base, validated into *s, its
 * priors read and checked against that scenario, then "priors" removed
 * from *base (the tree every evaluation copies).  0 or a CDN_E* code with
 * err set; the caller frees what was set. */
int cdn_cmd_load_priors_base(const char *path, struct cdn_overlay *const *ov, size_t nov,
                             char *sha256, struct cJSON **base, cdn_scenario_t **s,
                             struct cdn_priors **priors, cdn_error_t *err);
/* The start of a one-chart command's folder: -o DIR, else
 * results/<name>-<command>, prepared for `command` (cdn_resultdir.h: a
 * folder that may not be replaced is a usage error).  0, or the exit
 * status after printing the error. */
int cdn_cmd_prepare_chart_dir(struct cdn_resultdir *dir, const cdn_cli_args_t *a,
                              const char *name, const char *command, cdn_error_t *err);
/* The end of a one-chart command's folder (sensitivity, fit), after its
 * report was written into dir->tmp with status rc: unless rc failed or
 * `plot` is 0, draws the chart `gp` (a missing gnuplot or a failed chart
 * is a note on stderr, not an error, as in `run`), writes report.html
 * and commits the folder.  0, or the exit status after printing the
 * error (the caller aborts the folder). */
int cdn_cmd_finish_chart_dir(struct cdn_resultdir *dir, const char *gp, int plot, int quiet,
                             int rc, cdn_error_t *err);

#endif /* CDNSIM_CDN_CMD_H */
