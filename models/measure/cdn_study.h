/*
 * cdn_study.h -- a replicated experiment: several variants ("arms") of a
 * scenario, each run for the same replications with common random numbers,
 * reduced to per-replication metrics and summarised with confidence
 * intervals.  `cdnsim compare` (arms = strategies) and `cdnsim sweep`
 * (arms = grid points) are both studies.
 *
 * Contract
 *   Replication r of every arm is cdn_world_run(arm scenario, seed, r):
 *   the same random streams, so arm differences are paired.  Results are
 *   stored by (replication, arm), never by completion order, so they do
 *   not depend on threads or ranks (cdn_runner.h).
 *
 *   Metrics: the CDN_METRIC_MAP list, then svc_<name>_downtime_s for the
 *   union of the arms' internal services in first-seen order (an arm
 *   without that service has it missing).  With timelines kept, each
 *   replication also stores the 5xx and blocked shares of every bin and
 *   the times of detection and diagnosis.
 *
 *   With priors (cdn_study_set_priors, `--uncertainty`), replication r is
 *   seed s = r % M of draw d = r / M (M seeds per draw): the task draws the
 *   priors' values for d (cdn_priors_draw(priors, seed, d)), the same for
 *   every arm, and loads the arm's scenario afresh from the tree without
 *   "priors", the drawn values applied first and the arm's overlays after
 *   them (so a strategy or --set that writes a prior's key wins: it is a
 *   decision, not an unknown).  The arm's own scenario (written values)
 *   still gives the study its bins and services.
 *
 *   Statistics use a 95% level (CDN_STUDY_LEVEL) and skip missing values.
 *
 * Ownership: the study owns the scenarios and overlays given to
 *   cdn_study_add_arm().  Not thread-safe, except cdn_study_task_run()
 *   on distinct tasks, which cdn_study_run() (cli/cdn_study_run.h) calls
 *   from threads and MPI ranks.
 */
#ifndef CDNSIM_CDN_STUDY_H
#define CDNSIM_CDN_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_metrics.h"
#include "cdn_overlay.h"
#include "cdn_priors.h"
#include "cdn_scenario.h"
#include "cdn_world.h"
#include "sim_stats.h"

#define CDN_STUDY_LEVEL 0.95

typedef struct cdn_arm {
    char *label;              /* strategy ("a+b") or grid point label */
    cdn_scenario_t *scenario; /* owned */
    size_t noverlays;
    cdn_overlay_t **overlays; /* owned, in the order applied */
    int grid[2];              /* sweep: value index of each parameter, or -1 */
    size_t nbins;             /* timeline bins of this arm */
    size_t row_len;           /* doubles per replication */
} cdn_arm_t;

typedef struct cdn_study {
    uint64_t seed;
    int keep_timelines;
    size_t narms;
    cdn_arm_t *arms;
    size_t nmetrics;          /* CDN_MET_COUNT + nsvc */
    size_t nsvc;
    char **svc_names;         /* [nsvc] */
    int *svc_index;           /* [arm * nsvc + j]: service index in that arm, or -1 */
    size_t nreps;             /* replications done for every arm */
    double **rows;            /* [rep * narms + arm] */
    size_t cap_rows;
    /* --uncertainty (cdn_study_set_priors); priors NULL without */
    cdn_priors_t *priors;     /* owned */
    struct cJSON *prior_base; /* owned: the scenario tree without "priors" */
    char *prior_file;         /* the scenario file, for messages */
    size_t seeds_per_draw;    /* M */
} cdn_study_t;

cdn_study_t *cdn_study_create(uint64_t seed, int keep_timelines);
void cdn_study_destroy(cdn_study_t *st); /* NULL is a no-op */

/* Adds an arm; the study takes ownership of label copy, scenario and
 * overlays (the array itself is copied).  Returns its index. */
size_t cdn_study_add_arm(cdn_study_t *st, const char *label, cdn_scenario_t *scenario,
                         cdn_overlay_t **overlays, size_t noverlays);

/* Makes the study draw its parameters from `priors` (taken), M seeds per
 * draw; `base` (taken) is the scenario tree without "priors", `file` the
 * scenario's file.  Call before running. */
void cdn_study_set_priors(cdn_study_t *st, cdn_priors_t *priors, struct cJSON *base,
                          const char *file, size_t seeds_per_draw);
/* Draws done (nreps / M). */
size_t cdn_study_draws(const cdn_study_t *st);

/* The scenario of draw `draw` (cdn_priors_draw(priors, seed, draw)): a copy
 * of `base` (a tree without "priors") with the drawn values applied, then
 * after[0..nafter-1], validated; `file` names it in messages.  What every
 * --uncertainty run loads (compare, sweep, run -n).  A draw must keep the
 * simulated span, bin width and targets of `like` (the scenario with its
 * written values): runs are compared and reduced bin by bin and target by
 * target, so a draw that changes them is CDN_EDATA. */
int cdn_study_load_drawn(const cdn_priors_t *priors, const struct cJSON *base, const char *file,
                         uint64_t seed, size_t draw, cdn_overlay_t *const *after, size_t nafter,
                         const cdn_scenario_t *like, cdn_scenario_t **out, cdn_error_t *err);

/* Fixes the metric list; call after the last arm, before running. */
void cdn_study_seal(cdn_study_t *st);

/* Adds rows (every value missing) for replications nreps .. n-1 of every
 * arm and sets nreps to n; returns the first new task.  Task t is
 * replication t / narms of arm t % narms.  cdn_study_run (cli) runs them. */
size_t cdn_study_reserve(cdn_study_t *st, size_t n);
/* The row of task t, its length, and the task itself: run replication
 * t / narms of arm t % narms and reduce it into row.  Tasks write only
 * their own row, so they run in any order and in parallel. */
size_t cdn_study_task_row_len(const cdn_study_t *st, size_t t);
double *cdn_study_task_row(const cdn_study_t *st, size_t t);
int cdn_study_task_run(const cdn_study_t *st, size_t t, double *row, cdn_error_t *err);
/* The same, with the sites of the replication taken from (or stored in) a
 * cache of the calling thread (cdn_world.h; NULL: none): the row is the
 * same bytes. */
int cdn_study_task_run_cached(const cdn_study_t *st, size_t t, cdn_world_cache_t *cache,
                              double *row, cdn_error_t *err);
/* The same, and with priors the task's drawn scenario is kept in
 * kept[CDN_WORLD_CACHE_WAYS] (in the slot of the entry its store replaced,
 * whose scenario is freed) when the cache stored its sites, since the
 * cache borrows it; the caller frees kept[] after the cache.  kept NULL:
 * drawn tasks run without the cache. */
int cdn_study_task_run_kept(const cdn_study_t *st, size_t t, cdn_world_cache_t *cache,
                            cdn_scenario_t **kept, double *row, cdn_error_t *err);

/* Name, label and unit of metric m (m < nmetrics). */
const char *cdn_study_metric_name(const cdn_study_t *st, size_t m, char *buf, size_t n);
const char *cdn_study_metric_label(const cdn_study_t *st, size_t m, char *buf, size_t n);
cdn_unit_t cdn_study_metric_unit(const cdn_study_t *st, size_t m);
/* The metric called `name`, or -1. */
int cdn_study_metric_find(const cdn_study_t *st, const char *name);

/* Value of metric m in replication rep of arm a (NaN if missing). */
double cdn_study_value(const cdn_study_t *st, size_t arm, size_t rep, size_t m);
/* 5xx (which 0) or blocked (which 1) share of bin b in replication rep. */
double cdn_study_timeline(const cdn_study_t *st, size_t arm, size_t rep, int which, size_t b);
/* With timelines kept, the sim time of detection (which 0) or diagnosis
 * (which 1) in replication rep, s; NAN if it did not happen or timelines
 * are not kept. */
double cdn_study_trigger_s(const cdn_study_t *st, size_t arm, size_t rep, int which);

void cdn_study_summary(const cdn_study_t *st, size_t arm, size_t m, sim_stats_summary_t *out);
/* Paired difference arm - ref. */
void cdn_study_paired(const cdn_study_t *st, size_t arm, size_t ref, size_t m,
                      sim_stats_summary_t *out);

/* 1 when every arm x metric interval has half-width < rel * |mean| (means
 * of exactly 0, zero spread, and metrics with fewer than two values
 * present are skipped).  Otherwise 0, and *worst names one that is not. */
int cdn_study_precise(const cdn_study_t *st, double rel, size_t *worst_arm, size_t *worst_metric);
/* The same for metric m alone (`--precision-metric`): a noisy secondary
 * metric does not decide when to stop. */
int cdn_study_precise_metric(const cdn_study_t *st, double rel, size_t m, size_t *worst_arm);

#endif /* CDNSIM_CDN_STUDY_H */
