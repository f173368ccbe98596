/*
 * cdn_study.c -- arms x replications: one row of numbers per
 * (replication, arm), and their statistics.  The command line runs the
 * tasks (cli/cdn_study_run.c, threads and MPI ranks).
 *
 * Design
 *   A row holds the metrics of one run, then, if timelines are kept, the
 *   5xx share of every bin, the blocked share of every bin, and the times
 *   of detection and diagnosis (which place the triggered actions on the
 *   comparison figure).  Rows are
 *   separate allocations indexed rep * narms + arm, so adding a batch of
 *   replications appends rows without moving the earlier ones, and a task
 *   (one run) writes only its own row: no locking, no dependence on the
 *   order tasks finish.  Task t of a batch is replication t / narms of arm
 *   t % narms; the runner hands out whole replications (groups of narms
 *   tasks) to threads and MPI ranks.
 *
 *   The world result of a run is reduced to its row inside the task and
 *   freed at once, so memory is O(rows), not O(results): a 100-replication
 *   comparison of the reference scenario keeps about 3 MB.
 *
 *   With priors (--uncertainty) a task loads its own scenario
 *   (cdn_study_load_drawn: a copy of the tree, the draw, the arm's
 *   overlays, validation: about a millisecond for the reference) and
 *   keeps it while the thread's sites cache borrows it (the cache holds
 *   the scenarios of its last CDN_WORLD_CACHE_WAYS stores, replaced in
 *   store order: a run that stored puts its scenario in the slot of the
 *   entry it replaced, freeing that one), so the arms of one draw and
 *   seed still share their sites.  Rejected: loading every
 *   (draw, arm) scenario before running (draws x arms scenarios held at
 *   once), and running drawn tasks without the cache (CPU time on the
 *   reference, 9 strategies x 10 replications: 5.8 s uncached, 4.2 s
 *   cached, 4.1 s plain; the rows are the same bytes either way).
 *
 *   Summaries copy a metric's values into a contiguous vector (the rows
 *   are not one array) and call sim_stats; with a few hundred replications
 *   this costs microseconds.
 */
#include "cdn_study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_summary.h"
#include "cdn_world.h"
#include "sim_alloc.h"

cdn_study_t *cdn_study_create(uint64_t seed, int keep_timelines)
{
    cdn_study_t *st = sim_xcalloc(1, sizeof *st);
    st->seed = seed;
    st->keep_timelines = keep_timelines;
    return st;
}

void cdn_study_destroy(cdn_study_t *st)
{
    if (st == NULL)
        return;
    for (size_t a = 0; a < st->narms; a++) {
        free(st->arms[a].label);
        cdn_scenario_destroy(st->arms[a].scenario);
        for (size_t k = 0; k < st->arms[a].noverlays; k++)
            cdn_overlay_destroy(st->arms[a].overlays[k]);
        free(st->arms[a].overlays);
    }
    free(st->arms);
    for (size_t j = 0; j < st->nsvc; j++)
        free(st->svc_names[j]);
    free(st->svc_names);
    free(st->svc_index);
    for (size_t i = 0; i < st->nreps * st->narms; i++)
        free(st->rows[i]);
    free(st->rows);
    cdn_priors_destroy(st->priors);
    cJSON_Delete(st->prior_base);
    free(st->prior_file);
    free(st);
}

void cdn_study_set_priors(cdn_study_t *st, cdn_priors_t *priors, cJSON *base, const char *file,
                          size_t seeds_per_draw)
{
    st->priors = priors;
    st->prior_base = base;
    st->prior_file = sim_xstrdup(file);
    st->seeds_per_draw = seeds_per_draw ? seeds_per_draw : 1;
}

size_t cdn_study_draws(const cdn_study_t *st)
{
    return st->priors ? st->nreps / st->seeds_per_draw : 0;
}

int cdn_study_load_drawn(const cdn_priors_t *priors, const cJSON *base, const char *file,
                         uint64_t seed, size_t draw, cdn_overlay_t *const *after, size_t nafter,
                         const cdn_scenario_t *like, cdn_scenario_t **out, cdn_error_t *err)
{
    double v[CDN_PRIORS_MAX];
    char name[64];
    cdn_priors_draw(priors, seed, draw, v);
    snprintf(name, sizeof name, "draw %zu", draw);
    cdn_overlay_t *po = cdn_priors_overlay(priors, v, name);
    const cdn_overlay_t **ov = sim_xmalloc((nafter + 1) * sizeof *ov);
    ov[0] = po;
    for (size_t k = 0; k < nafter; k++)
        ov[k + 1] = after[k];
    cJSON *tree = sim_xcheck(cJSON_Duplicate(base, 1), "copying a scenario tree");
    int rc = cdn_overlay_load_tree(tree, file, ov, nafter + 1, out, err);
    cJSON_Delete(tree);
    free(ov);
    cdn_overlay_destroy(po);
    if (rc == 0 && ((*out)->sim.duration_s != like->sim.duration_s ||
                    (*out)->sim.bin_s != like->sim.bin_s || (*out)->ntargets != like->ntargets)) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: draw %zu changes simulation.duration_s or bin_s; --uncertainty needs "
                 "priors that leave them alone (every arm and draw is compared over the same "
                 "bins)",
                 file, draw);
        err->code = CDN_EDATA;
        cdn_scenario_destroy(*out);
        *out = NULL;
        rc = CDN_EDATA;
    }
    return rc;
}

/* The scenario of replication rep of arm a under priors: draw rep / M,
 * then the arm's overlays. */
static int load_drawn(const cdn_study_t *st, const cdn_arm_t *arm, size_t rep,
                      cdn_scenario_t **out, cdn_error_t *err)
{
    return cdn_study_load_drawn(st->priors, st->prior_base, st->prior_file, st->seed,
                                rep / st->seeds_per_draw, arm->overlays, arm->noverlays,
                                arm->scenario, out, err);
}

size_t cdn_study_add_arm(cdn_study_t *st, const char *label, cdn_scenario_t *scenario,
                         cdn_overlay_t **overlays, size_t noverlays)
{
    st->arms = sim_xrealloc(st->arms, (st->narms + 1) * sizeof *st->arms);
    cdn_arm_t *a = &st->arms[st->narms];
    memset(a, 0, sizeof *a);
    a->label = sim_xstrdup(label);
    a->scenario = scenario;
    a->noverlays = noverlays;
    a->overlays = sim_xmalloc((noverlays ? noverlays : 1) * sizeof *a->overlays);
    for (size_t k = 0; k < noverlays; k++)
        a->overlays[k] = overlays[k];
    a->grid[0] = a->grid[1] = -1;
    a->nbins = cdn_measure_nbins(scenario->sim.duration_s, scenario->sim.bin_s);
    return st->narms++;
}

void cdn_study_seal(cdn_study_t *st)
{
    for (size_t a = 0; a < st->narms; a++) {
        const cdn_scenario_t *s = st->arms[a].scenario;
        for (size_t k = 0; k < s->nservices; k++) {
            size_t j = 0;
            while (j < st->nsvc && strcmp(st->svc_names[j], s->services[k].name) != 0)
                j++;
            if (j == st->nsvc) {
                st->svc_names = sim_xrealloc(st->svc_names, (st->nsvc + 1) * sizeof *st->svc_names);
                st->svc_names[st->nsvc++] = sim_xstrdup(s->services[k].name);
            }
        }
    }
    free(st->svc_index);
    st->svc_index = sim_xmalloc((st->narms * st->nsvc + 1) * sizeof *st->svc_index);
    for (size_t a = 0; a < st->narms; a++) {
        const cdn_scenario_t *s = st->arms[a].scenario;
        for (size_t j = 0; j < st->nsvc; j++) {
            int ix = -1;
            for (size_t k = 0; k < s->nservices && ix < 0; k++)
                if (strcmp(st->svc_names[j], s->services[k].name) == 0)
                    ix = (int)k;
            st->svc_index[a * st->nsvc + j] = ix;
        }
    }
    st->nmetrics = CDN_MET_COUNT + st->nsvc;
    for (size_t a = 0; a < st->narms; a++)
        st->arms[a].row_len = st->nmetrics + (st->keep_timelines ? 2 * st->arms[a].nbins + 2 : 0);
}

/* ------------------------------------------------------------- running */

size_t cdn_study_task_row_len(const cdn_study_t *st, size_t t)
{
    return st->arms[t % st->narms].row_len;
}

double *cdn_study_task_row(const cdn_study_t *st, size_t t)
{
    return st->rows[t];
}

int cdn_study_task_run(const cdn_study_t *st, size_t t, double *row, cdn_error_t *err)
{
    return cdn_study_task_run_cached(st, t, NULL, row, err);
}

int cdn_study_task_run_cached(const cdn_study_t *st, size_t t, cdn_world_cache_t *cache,
                              double *row, cdn_error_t *err)
{
    return cdn_study_task_run_kept(st, t, cache, NULL, row, err);
}

int cdn_study_task_run_kept(const cdn_study_t *st, size_t t, cdn_world_cache_t *cache,
                            cdn_scenario_t **kept, double *row, cdn_error_t *err)
{
    size_t a = t % st->narms, rep = t / st->narms;
    const cdn_arm_t *arm = &st->arms[a];
    const cdn_scenario_t *s = arm->scenario;
    cdn_scenario_t *drawn = NULL;
    cdn_result_t *r = NULL;
    if (st->priors) {
        int lrc = load_drawn(st, arm, rep, &drawn, err);
        if (lrc != 0)
            return lrc;
        s = drawn;
        if (kept == NULL)
            cache = NULL; /* nowhere to keep this task's scenario while the cache borrows it */
    }
    uint64_t stores = cache ? cdn_world_cache_misses(cache) : 0;
    int rc = cdn_world_run_cached(s, st->seed, rep, cache, &r, err);
    if (drawn && cache && cdn_world_cache_misses(cache) != stores) {
        /* the store replaced the entry of CDN_WORLD_CACHE_WAYS stores ago,
         * whose scenario is in this slot; the cache now borrows this one */
        size_t slot = (size_t)(stores % CDN_WORLD_CACHE_WAYS);
        cdn_scenario_destroy(kept[slot]);
        kept[slot] = drawn;
        drawn = NULL;
    }
    if (rc != 0) {
        cdn_scenario_destroy(drawn);
        return rc;
    }
    cdn_metrics_compute(s, r, row);
    for (size_t j = 0; j < st->nsvc; j++) {
        int k = st->svc_index[a * st->nsvc + j];
        row[CDN_MET_COUNT + j] = k < 0 ? NAN : cdn_summary_service_downtime_s(s, r, (size_t)k);
    }
    if (st->keep_timelines) {
        double *e = row + st->nmetrics, *b = e + arm->nbins;
        for (size_t i = 0; i < arm->nbins; i++) {
            e[i] = i < r->nbins ? cdn_summary_err5xx_frac(r, i) : NAN;
            b[i] = i < r->nbins ? cdn_summary_blocked_frac(r, i) : NAN;
        }
        b[arm->nbins] = r->detected_s; /* when triggered actions ran */
        b[arm->nbins + 1] = r->diagnosed_s;
    }
    cdn_result_destroy(r);
    cdn_scenario_destroy(drawn);
    return 0;
}

size_t cdn_study_reserve(cdn_study_t *st, size_t n)
{
    size_t first = st->nreps * st->narms;
    if (n <= st->nreps)
        return first;
    size_t need = n * st->narms;
    if (need > st->cap_rows) {
        st->rows = sim_xrealloc(st->rows, need * sizeof *st->rows);
        st->cap_rows = need;
    }
    for (size_t t = first; t < need; t++) {
        const cdn_arm_t *arm = &st->arms[t % st->narms];
        st->rows[t] = sim_xmalloc(arm->row_len * sizeof(double));
        for (size_t i = 0; i < arm->row_len; i++)
            st->rows[t][i] = NAN;
    }
    /* the rows exist whatever the run does; count them so destroy frees them */
    st->nreps = n;
    return first;
}

/* ------------------------------------------------------------- metrics */

const char *cdn_study_metric_name(const cdn_study_t *st, size_t m, char *buf, size_t n)
{
    if (m < CDN_MET_COUNT)
        return cdn_metric_name((cdn_metric_t)m);
    snprintf(buf, n, "svc_%s_downtime_s", st->svc_names[m - CDN_MET_COUNT]);
    return buf;
}

const char *cdn_study_metric_label(const cdn_study_t *st, size_t m, char *buf, size_t n)
{
    if (m < CDN_MET_COUNT)
        return cdn_metric_label((cdn_metric_t)m);
    snprintf(buf, n, "%s downtime", st->svc_names[m - CDN_MET_COUNT]);
    return buf;
}

cdn_unit_t cdn_study_metric_unit(const cdn_study_t *st, size_t m)
{
    (void)st;
    return m < CDN_MET_COUNT ? cdn_metric_unit((cdn_metric_t)m) : CDN_UNIT_SECONDS;
}

int cdn_study_metric_find(const cdn_study_t *st, const char *name)
{
    char buf[CDN_NAME_MAX + 32];
    for (size_t m = 0; m < st->nmetrics; m++)
        if (strcmp(cdn_study_metric_name(st, m, buf, sizeof buf), name) == 0)
            return (int)m;
    return -1;
}

double cdn_study_value(const cdn_study_t *st, size_t arm, size_t rep, size_t m)
{
    return st->rows[rep * st->narms + arm][m];
}

double cdn_study_timeline(const cdn_study_t *st, size_t arm, size_t rep, int which, size_t b)
{
    const double *row = st->rows[rep * st->narms + arm];
    return row[st->nmetrics + (which ? st->arms[arm].nbins : 0) + b];
}

double cdn_study_trigger_s(const cdn_study_t *st, size_t arm, size_t rep, int which)
{
    if (!st->keep_timelines)
        return NAN;
    const double *row = st->rows[rep * st->narms + arm];
    return row[st->nmetrics + 2 * st->arms[arm].nbins + (which ? 1 : 0)];
}

static double *column(const cdn_study_t *st, size_t arm, size_t m)
{
    double *v = sim_xmalloc((st->nreps ? st->nreps : 1) * sizeof *v);
    for (size_t r = 0; r < st->nreps; r++)
        v[r] = cdn_study_value(st, arm, r, m);
    return v;
}

void cdn_study_summary(const cdn_study_t *st, size_t arm, size_t m, sim_stats_summary_t *out)
{
    double *v = column(st, arm, m);
    sim_stats_summarize(v, st->nreps, 1, CDN_STUDY_LEVEL, out);
    free(v);
}

void cdn_study_paired(const cdn_study_t *st, size_t arm, size_t ref, size_t m,
                      sim_stats_summary_t *out)
{
    double *x = column(st, arm, m), *y = column(st, ref, m);
    sim_stats_paired(x, y, st->nreps, 1, CDN_STUDY_LEVEL, out);
    free(x);
    free(y);
}

/* cdn_study_precise over metrics [m0, m1). */
static int precise_over(const cdn_study_t *st, double rel, size_t m0, size_t m1, size_t *worst_arm,
                        size_t *worst_metric)
{
    double worst = -1.0;
    for (size_t a = 0; a < st->narms; a++)
        for (size_t m = m0; m < m1; m++) {
            sim_stats_summary_t s;
            cdn_study_summary(st, a, m, &s);
            if (s.n < 2 || sim_stats_precise(&s, rel))
                continue;
            double ratio = s.half_width / fabs(s.mean);
            if (ratio > worst) {
                worst = ratio;
                *worst_arm = a;
                *worst_metric = m;
            }
        }
    return worst < 0.0;
}

int cdn_study_precise(const cdn_study_t *st, double rel, size_t *worst_arm, size_t *worst_metric)
{
    return precise_over(st, rel, 0, st->nmetrics, worst_arm, worst_metric);
}

int cdn_study_precise_metric(const cdn_study_t *st, double rel, size_t m, size_t *worst_arm)
{
    size_t wm = m;
    return precise_over(st, rel, m, m + 1 <= st->nmetrics ? m + 1 : m, worst_arm, &wm);
}
