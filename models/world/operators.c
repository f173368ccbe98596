/*
 * operators.c -- incident response: the alert rule, the diagnosis, and
 * operator actions (scripted at given times or triggered by detection or
 * diagnosis), including restart waves.
 *
 * Data structure
 *   The incident state (alert condition, detection and diagnosis times,
 *   diagnosis work done) and per action the restarts it still has pending
 *   and, for a rate-limited wave, its walk over the servers in a random
 *   order.  Each action has a key (act_key: its label and its ordinal
 *   among the actions with that label), so its draws do not move when
 *   another action is added or removed.  Actions change other mechanisms
 *   through their functions (artifacts_*, services_*); each reports its
 *   own propagation scope.
 *
 * Incident machine (evaluated every detection.check_s):
 *
 *      QUIET (cond_since NaN) --5xx share > threshold--> FIRING (cond_since = t)
 *      FIRING --share back under--> QUIET (last_flap = t: a flap)
 *      FIRING --for for_s--> DETECTED (detected_s; detection actions fire)
 *      DETECTED --diagnosis work reaches work_s--> DIAGNOSED (diagnosed_s;
 *      diagnosis actions fire).  Work accrues at 1 s per s, or at
 *      confused_progress while a flap is recent or a misleading service
 *      is down.
 *
 *   | state     | over threshold     | under threshold | check, work >= work_s |
 *   |-----------|--------------------|-----------------|-----------------------|
 *   | QUIET     | FIRING             | QUIET           | -                     |
 *   | FIRING    | FIRING / DETECTED  | QUIET (flap)    | -                     |
 *   | DETECTED  | DETECTED           | DETECTED (flap) | DIAGNOSED             |
 *   | DIAGNOSED | DIAGNOSED          | DIAGNOSED       | -                     |
 *
 *   The alert condition keeps being tracked after detection (flaps slow
 *   the diagnosis).  Invariants (operators_incident_check): diagnosed
 *   implies detected, not earlier; no work before detection; work below
 *   work_s until diagnosed (none without diagnosis); every recorded time
 *   is not in the future.
 *
 * Restart wave machine (per restart_proxies action k): every server at
 *   once (each after a uniform delay over duration_s, a stream per action
 *   and region key), or a walk at rate_per_s, in the order of a keyed
 *   hash per (action, server), that skips, at no cost, servers
 *   an only_failing wave does not need (or that the action's target does
 *   not select: staging.c).  act_pending counts restarts
 *   scheduled or running (fleet.c ends them); the wave is done when it
 *   falls to zero and the walk, if any, has reached its end:
 *
 *   | state    | action fires           | walk tick               | a restart ends or is skipped |
 *   |----------|------------------------|-------------------------|------------------------------|
 *   | IDLE     | RUNNING (pending += n) | -                       | -                            |
 *   |          | or WALKING (pos 0)     |                         |                              |
 *   | WALKING  | WALKING (a new walk)   | WALKING, pending + 1;   | WALKING                      |
 *   |          |                        | at the end: RUNNING     |                              |
 *   | RUNNING  | RUNNING / WALKING      | -                       | pending 0: DONE (logged)     |
 *
 *   Invariants (operators_wave_check): only restart actions have restarts
 *   or walks; a walk's position is within the fleet and no walk means
 *   position 0; the restarts in progress on any proxy are at most the
 *   pending restarts of the actions that restart it.
 *
 * Rejected alternatives: operators as a generic rule engine (the
 *   scenario format has the few triggers real responses used); sampling
 *   the alert signal continuously (the check period is part of the model);
 *   the walk as a Fisher-Yates shuffle of the whole fleet (one stream
 *   over global server indices: adding a region would reorder every
 *   other region's servers in the walk); action keys by index in the
 *   sorted action list (a strategy adding an earlier action would change
 *   the draws of every later one).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "world_int.h"

/* The clear-signal diagnosis effort of this replication: a lognormal of
 * median work_s and 90th percentile work_s * work_p90_factor, one keyed
 * uniform per run
 * (docs/model.md "Diagnosis").  z(0.99) / z(0.90) converts the p90 into
 * the p99 sim_rng_lognormal_quantile takes. */
static double diagnosis_effort(const world_t *w)
{
    const cdn_detection_spec_t *d = &w->s->detection;
    if (!d->diagnosis || !(d->work_s > 0) || !(d->work_p90_factor > 1))
        return d->work_s;
    const double z99_over_z90 = 2.3263478740408408 / 1.2815515655446004;
    double p99 = d->work_s * pow(d->work_p90_factor, z99_over_z90);
    return sim_rng_lognormal_quantile(world_keyed_u01(w, RNG_DIAGNOSIS, 0), d->work_s, p99);
}

void operators_init(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    operators_t *op = &w->ops;
    size_t n = s->nactions ? s->nactions : 1;
    op->act_key = sim_xcalloc(n, sizeof *op->act_key);
    for (size_t k = 0; k < s->nactions; k++) {
        uint64_t ordinal = 0;
        for (size_t j = 0; j < k; j++)
            ordinal += strcmp(s->actions[j].label, s->actions[k].label) == 0;
        op->act_key[k] = sim_rng_key2(sim_rng_key(s->actions[k].label), ordinal);
    }
    op->act_pending = sim_xcalloc(n, sizeof *op->act_pending);
    op->act_order = sim_xcalloc(n, sizeof *op->act_order);
    op->act_pos = sim_xcalloc(n, sizeof *op->act_pos);
    op->cond_since = NAN;
    op->last_flap = -INFINITY;
    op->last_check = 0;
    op->progress_s = 0;
    op->detected_s = NAN;
    op->diagnosed_s = NAN;
    op->last_action_s = -INFINITY;
    op->cleared_by_action = 0;
    op->work_s = diagnosis_effort(w);
}

void operators_fini(world_t *w)
{
    operators_t *op = &w->ops;
    free(op->act_key);
    free(op->act_pending);
    for (size_t k = 0; op->act_order && k < w->s->nactions; k++)
        free(op->act_order[k]);
    free(op->act_order);
    free(op->act_pos);
}

/* Scripted actions at their times, then the first alert check. */
void operators_start(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    for (size_t k = 0; k < s->nactions; k++)
        if (s->actions[k].trigger == CDN_TRIGGER_TIME && s->actions[k].at_s <= s->sim.duration_s)
            sim_schedule(w->sim, s->actions[k].at_s, w->ev_action, (uint32_t)k, 0);
    if (s->detection.enabled)
        sim_schedule(w->sim, 0.0, w->ev_detect, 0, 0);
}

/* One restart of action k is over (or skipped); the wave is done when
 * none is pending and a rate-limited walk has reached its end. */
void operators_restart_ended(world_t *w, uint32_t k)
{
    int walking = (w->ops.act_order[k] != NULL && w->ops.act_pos[k] < w->nserv) ||
                  w->stg.state[k] == STG_STAGING; /* regions still to come */
    if (--w->ops.act_pending[k] == 0 && !walking) {
        cdn_event_rec_t e = world_blank_event();
        e.action = (int32_t)k;
        world_log_event(w, CDN_EV_RESTART_WAVE_DONE, e);
    }
}

/* A rate-limited wave: the next server in the walk (skipping, at no cost,
 * servers an only_failing wave does not need), then wait 1 / rate. */
void operators_on_wave(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t k = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[k];
    uint32_t *order = w->ops.act_order[k];
    while (w->ops.act_pos[k] < w->nserv && (!staging_wants(w, k, order[w->ops.act_pos[k]]) ||
                                           !fleet_restart_wanted(w, act, order[w->ops.act_pos[k]])))
        w->ops.act_pos[k]++;
    if (w->ops.act_pos[k] >= w->nserv) {
        w->ops.act_pending[k]++; /* balanced by operators_restart_ended: reports the end of the walk */
        operators_restart_ended(w, k);
        return;
    }
    w->ops.act_pending[k]++;
    sim_schedule_in(sim, 0.0, w->ev_restart_begin, order[w->ops.act_pos[k]++], k);
    sim_schedule_in(sim, 1.0 / act->rate_per_s, w->ev_wave, k, 0);
}

static void trigger_actions(world_t *w, cdn_trigger_t trig)
{
    for (size_t k = 0; k < w->s->nactions; k++)
        if (w->s->actions[k].trigger == trig)
            sim_schedule_in(w->sim, w->s->actions[k].delay_s, w->ev_action, (uint32_t)k, 0);
}

/* The progress rate of the diagnosis at t: the slowest rate of the
 * confusing conditions present (1 with none), or 0 once the impact has
 * ended (the signal is clear and either an operator action cleared it or
 * no flap is recent). */
double operators_diagnosis_rate(const world_t *w, double t, int cond)
{
    const cdn_detection_spec_t *d = &w->s->detection;
    int recent_flap = t - w->ops.last_flap < d->flap_memory_s;
    if (!cond && (w->ops.cleared_by_action || !recent_flap))
        return 0.0;
    double rate = 1.0;
    if (recent_flap)
        rate = fmin(rate, d->flap_progress);
    for (size_t k = 0; k < d->nmisleading; k++)
        if (w->svc.avail[d->misleading[k]] < 0.5)
            rate = fmin(rate, d->misleading_progress);
    for (size_t k = 0; k < d->nelsewhere; k++)
        if (w->svc.avail[d->elsewhere[k]] < 0.5 && !w->svc.forced_down[d->elsewhere[k]])
            rate = fmin(rate, d->elsewhere_progress);
    return rate;
}

/* Diagnosis work since the last evaluation, at the rate of now (times are
 * resolved to check_s); the cause is known once it reaches the effort. */
static void diagnosis_step(world_t *w, double t, int cond)
{
    w->ops.progress_s += (t - w->ops.last_check) * operators_diagnosis_rate(w, t, cond);
    w->ops.last_check = t;
    if (w->ops.progress_s >= w->ops.work_s) {
        w->ops.diagnosed_s = t;
        world_log_event(w, CDN_EV_DIAGNOSED, world_blank_event());
        trigger_actions(w, CDN_TRIGGER_DIAGNOSIS);
    }
}

/* The alert rule and the diagnosis, evaluated every check_s. */
void operators_on_detect(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)ev;
    const cdn_detection_spec_t *d = &w->s->detection;
    double t = sim_now(sim), off = 0, err = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        off += w->traffic.reg[r].offered_rps;
        err += w->traffic.reg[r].err_rps;
    }
    int cond = off > 0 && err / off > d->threshold_frac;
    if (cond) {
        if (isnan(w->ops.cond_since)) {
            w->ops.cond_since = t;
            w->ops.cleared_by_action = 0;
        }
        if (isnan(w->ops.detected_s) && t - w->ops.cond_since >= d->for_s) {
            w->ops.detected_s = t;
            w->ops.last_check = t;
            world_log_event(w, CDN_EV_DETECTED, world_blank_event());
            trigger_actions(w, CDN_TRIGGER_DETECTION);
        }
    } else if (!isnan(w->ops.cond_since)) {
        /* the signal recovered: after an operator action in this bout the
         * action did it; otherwise it is a flap */
        if (w->ops.last_action_s >= w->ops.cond_since)
            w->ops.cleared_by_action = 1;
        else
            w->ops.last_flap = t;
        w->ops.cond_since = NAN;
    }
    if (d->diagnosis && !isnan(w->ops.detected_s) && isnan(w->ops.diagnosed_s))
        diagnosis_step(w, t, cond);
    if (t + d->check_s <= sim_stop_time(sim))
        sim_schedule_in(sim, d->check_s, w->ev_detect, 0, 0);
    assert(operators_incident_check(w));
}


/* A server's place in a restart walk, and the comparison of two places
 * (ties, at odds of 2^-64, go by server index). */
typedef struct walk_place {
    uint64_t place;
    uint32_t srv;
} walk_place_t;

static int walk_cmp(const void *pa, const void *pb)
{
    const walk_place_t *a = pa, *b = pb;
    if (a->place != b->place)
        return a->place < b->place ? -1 : 1;
    return (a->srv > b->srv) - (a->srv < b->srv);
}

/* The walk of action k: every server sorted by a keyed hash of (action,
 * server) -- a uniformly random order in which any two servers keep their
 * relative order when a region is added, removed or moved. */
static uint32_t *walk_order(world_t *w, uint32_t k)
{
    uint32_t n = w->nserv;
    walk_place_t *pl = sim_xmalloc((n ? n : 1) * sizeof *pl);
    for (uint32_t j = 0; j < n; j++) {
        pl[j].srv = j;
        pl[j].place = sim_rng_derive(w->seed, w->replication, RNG_RESTART_ORDER,
                                     sim_rng_key2(w->ops.act_key[k], world_server_key(w, j)));
    }
    qsort(pl, n, sizeof *pl, walk_cmp);
    uint32_t *order = sim_xmalloc((n ? n : 1) * sizeof *order);
    for (uint32_t j = 0; j < n; j++)
        order[j] = pl[j].srv;
    free(pl);
    return order;
}

/* restart_proxies (action k) in region r: every server's delay is drawn
 * from the stream of (action, region) in index order, and the servers
 * mask selects (NULL: all) restart after theirs. */
uint32_t operators_restart_region(world_t *w, uint32_t k, size_t r, const uint8_t *mask)
{
    const cdn_action_spec_t *act = &w->s->actions[k];
    const fleet_region_t *rg = &w->fleet.reg[r];
    uint32_t n = 0;
    for (uint32_t j = 0; j < rg->nservers; j++)
        n += mask == NULL || mask[rg->first_server + j];
    w->ops.act_pending[k] += n;
    sim_rng_t rng;
    sim_rng_init(&rng, w->seed, w->replication, RNG_RESTART, sim_rng_key2(w->ops.act_key[k], rg->key));
    for (uint32_t j = 0; j < rg->nservers; j++) {
        double d = act->duration_s > 0 ? act->duration_s * sim_rng_uniform(&rng) : 0.0;
        if (mask == NULL || mask[rg->first_server + j])
            sim_schedule_in(w->sim, d, w->ev_restart_begin, rg->first_server + j, k);
    }
    sim_rng_fini(&rng);
    return n;
}

/* restart_proxies (action k): a walk over every server (that its target
 * selects) in a random order at rate_per_s, or every server at once,
 * each after a uniform delay. */
void operators_restart(world_t *w, uint32_t k)
{
    const cdn_action_spec_t *act = &w->s->actions[k];
    if (act->rate_per_s > 0) {
        uint32_t *order = walk_order(w, k);
        free(w->ops.act_order[k]);
        w->ops.act_order[k] = order;
        w->ops.act_pos[k] = 0;
        sim_schedule_in(w->sim, 0.0, w->ev_wave, k, 0);
        return;
    }
    const uint8_t *mask = w->stg.mask ? w->stg.mask[k] : NULL;
    for (size_t r = 0; r < w->nreg; r++)
        operators_restart_region(w, k, r, mask);
}

void operators_on_action(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t k = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[k];
    cdn_event_rec_t e = world_blank_event();
    e.action = (int32_t)k;
    e.artifact = act->artifact;
    world_log_event(w, CDN_EV_OPERATOR_ACTION, e);
    if (act->kind != CDN_ACTION_FAIL_SERVICE) /* a mitigation: the signal's next recovery is not a flap */
        w->ops.last_action_s = sim_now(sim);
    if (act->targeted) {
        staging_begin(w, k); /* regional or staged: staging.c */
        return;
    }
    switch (act->kind) {
    case CDN_ACTION_STOP_GENERATION:
        artifacts_stop(w, (uint32_t)act->artifact);
        break;
    case CDN_ACTION_PUSH_LAST_KNOWN_GOOD:
        artifacts_push_last_known_good(w, k);
        break;
    case CDN_ACTION_KILL_SWITCH:
        artifacts_kill_switch(w, k);
        break;
    case CDN_ACTION_FAIL_SERVICE:
        services_fail(w, (uint32_t)act->service, act->duration_s);
        break;
    case CDN_ACTION_RESTART_PROXIES:
        operators_restart(w, k);
        break;
    case CDN_ACTION_BYPASS_SERVICE:
        services_bypass(w, (uint32_t)act->service);
        break;
    case CDN_ACTION_SCALE_SERVICE:
        services_scale(w, (uint32_t)act->service, act->capacity);
        break;
    case CDN_ACTION_COUNT:
        break;
    }
}

/* The incident machine's invariants (drawn above).  O(1). */
int operators_incident_check(const world_t *w)
{
    const operators_t *op = &w->ops;
    const cdn_detection_spec_t *d = &w->s->detection;
    double now = sim_now(w->sim);
    int detected = !isnan(op->detected_s), diagnosed = !isnan(op->diagnosed_s);
    if (diagnosed && (!detected || op->diagnosed_s < op->detected_s))
        return 0;
    if (!(op->progress_s >= 0) || (!detected && op->progress_s != 0))
        return 0;
    if (!diagnosed && op->progress_s >= op->work_s && op->progress_s > 0)
        return 0;
    if (!(op->work_s >= 0) || op->last_action_s > now)
        return 0;
    if (!d->diagnosis && (diagnosed || op->progress_s != 0))
        return 0;
    if ((detected && op->detected_s > now) || (diagnosed && op->diagnosed_s > now) ||
        op->last_check > now || op->last_flap > now || op->cond_since > now)
        return 0;
    return 1;
}

/* The restart wave machine's invariants (drawn above).
 * O(servers x proxies + actions x proxies). */
int operators_wave_check(const world_t *w)
{
    const operators_t *op = &w->ops;
    for (size_t k = 0; k < w->s->nactions; k++) {
        if (w->s->actions[k].kind != CDN_ACTION_RESTART_PROXIES &&
            (op->act_pending[k] != 0 || op->act_order[k] != NULL))
            return 0;
        if (op->act_pos[k] > w->nserv || (op->act_order[k] == NULL && op->act_pos[k] != 0))
            return 0;
    }
    for (size_t p = 0; p < w->nprox; p++) {
        uint64_t running = 0, pending = 0;
        for (uint32_t srv = 0; srv < w->nserv; srv++)
            running += w->fleet.sp_rest[(size_t)srv * w->nprox + p];
        for (size_t k = 0; k < w->s->nactions; k++) {
            const cdn_action_spec_t *act = &w->s->actions[k];
            if (fleet_restart_matches(act, (uint32_t)p))
                pending += op->act_pending[k];
        }
        if (running > pending)
            return 0;
    }
    return 1;
}
