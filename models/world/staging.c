/*
 * staging.c -- regional and staged operator actions: an action with a
 * "target" (regions, tiers, a share of each region's servers) and a
 * "rollout" (an order of the regions and a time for each) reaches its
 * servers region by region instead of everywhere at once.
 *
 * Data structure
 *   Per action: a state, and once fired a plan (the target regions in the
 *   order they are reached, with the sim time each is due), the index of
 *   the next step, and a mask over the servers it acts on.  The scenario
 *   resolves the target to a region list once (scn_targets.c); the order
 *   that depends on the run (most_damaged_last) and the share are
 *   settled here, when the action fires.  One step event per region is
 *   scheduled at fire time at its absolute time t0 + offset, so region k of
 *   a step_s rollout is reached at exactly t0 + k * step_s (no sum of
 *   increments).  A step applies the action's per-region function
 *   (artifacts_deliver_region, artifacts_kill_region,
 *   operators_restart_region), which draws what a global action draws for
 *   the same server, so the latencies and delays of a server do not depend
 *   on the staging.
 *
 *   The share: in a region of n servers, the ceil(share * n) servers with
 *   the smallest keyed place (RNG_ACTION_SHARE, per action and server);
 *   changing the share of one action moves no other draw.
 *
 * Staged delivery machine (per targeted action k; untargeted actions stay
 * IDLE and go through operators.c as before):
 *
 *      IDLE --fires--> STAGING (plan of n >= 1 steps, next = 0; the steps
 *      are scheduled at their times, sorted, ties in plan order)
 *      IDLE --fires, a restart walk (rate_per_s)--> DONE (the walk itself
 *      skips servers outside the mask)
 *      STAGING --step i = next--> STAGING (region plan[i] reached, next + 1)
 *      STAGING --step i = next = n - 1--> DONE
 *
 *   | state   | fires                   | step i (i == next)   | step i == n - 1 |
 *   |---------|-------------------------|----------------------|-----------------|
 *   | IDLE    | STAGING, or DONE (walk) | -                    | -               |
 *   | STAGING | - (an action fires once)| STAGING, next = i + 1| DONE            |
 *   | DONE    | -                       | -                    | -               |
 *
 *   Invariants (staging_check): only targeted actions leave IDLE; IDLE has
 *   no plan, no mask, next 0; STAGING and DONE have a mask; STAGING has a
 *   plan with next < nplan and DONE one with next == nplan (a walk: no
 *   plan, next 0); plan times are non-decreasing and the due ones are
 *   not in the future of a step still to come (plan_t[next] >= now); a push
 *   has its generation once fired, no other kind has one.
 *
 * Complexity: firing O(servers log servers) of the target regions (the
 *   share sort) plus O(regions log regions) for the order; a step costs
 *   what the action costs in that region.
 *
 * Rejected alternatives: one chained event per step (t0 + k * step_s
 *   would become a sum of k increments and drift by rounding); a random
 *   subset by a Bernoulli draw per server (the share would not be exact,
 *   and a hand-computed count could not be checked); letting
 *   stop_generation or a service action take a target (a generator and a
 *   service are global in this model: there is no regional meaning to
 *   invent).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "world_int.h"

void staging_init(world_t *w)
{
    staging_t *st = &w->stg;
    size_t n = w->s->nactions ? w->s->nactions : 1;
    st->state = sim_xcalloc(n, sizeof *st->state);
    st->plan = sim_xcalloc(n, sizeof *st->plan);
    st->plan_t = sim_xcalloc(n, sizeof *st->plan_t);
    st->nplan = sim_xcalloc(n, sizeof *st->nplan);
    st->next = sim_xcalloc(n, sizeof *st->next);
    st->mask = sim_xcalloc(n, sizeof *st->mask);
    st->gen = sim_xcalloc(n, sizeof *st->gen);
}

void staging_fini(world_t *w)
{
    staging_t *st = &w->stg;
    for (size_t k = 0; st->plan && k < w->s->nactions; k++) {
        free(st->plan[k]);
        free(st->plan_t[k]);
        free(st->mask[k]);
    }
    free(st->state);
    free(st->plan);
    free(st->plan_t);
    free(st->nplan);
    free(st->next);
    free(st->mask);
    free(st->gen);
    memset(st, 0, sizeof *st);
}

/* A sortable place: a key, then the position it came in (stable ties). */
typedef struct stg_place {
    double key;
    uint64_t hash;
    uint32_t pos, id;
} stg_place_t;

static int place_cmp(const void *pa, const void *pb)
{
    const stg_place_t *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Share of region r's servers failing or out of service now. */
static double region_damage(const world_t *w, size_t r)
{
    const fleet_region_t *rg = &w->fleet.reg[r];
    uint32_t bad = 0;
    for (uint32_t j = 0; j < rg->nservers; j++) {
        uint32_t srv = rg->first_server + j;
        bad += w->fleet.srv_nfail[srv] > 0 || w->fleet.srv_nout[srv] > 0;
    }
    return rg->nservers ? (double)bad / (double)rg->nservers : 0.0;
}

/* The order key of target region r (listed at position i). */
static double order_key(const world_t *w, int order, size_t r, uint32_t i)
{
    switch (order) {
    case CDN_ORDER_LARGEST_FIRST:
        return -(double)w->fleet.reg[r].nservers;
    case CDN_ORDER_SMALLEST_FIRST:
        return (double)w->fleet.reg[r].nservers;
    case CDN_ORDER_MOST_DAMAGED_LAST:
        return region_damage(w, r);
    default:
        return (double)i;
    }
}

/* The plan of action k fired at t0: its target regions in order, each
 * with its time (offsets_s per listed region, else k * step). */
static void make_plan(world_t *w, uint32_t k, double t0)
{
    const cdn_scenario_t *s = w->s;
    const cdn_action_spec_t *act = &s->actions[k];
    staging_t *st = &w->stg;
    uint32_t n = (uint32_t)act->ntreg;
    stg_place_t *pl = sim_xmalloc((n ? n : 1) * sizeof *pl);
    double step = act->rregions_per_s > 0 ? 1.0 / act->rregions_per_s : act->rstep_s;
    for (uint32_t i = 0; i < n; i++) {
        size_t r = s->action_regions[act->treg_first + i];
        pl[i].id = (uint32_t)r;
        pl[i].pos = i;
        pl[i].hash = 0;
        pl[i].key = act->has_offsets ? s->action_offsets_s[act->roff_first + i]
                                     : order_key(w, act->rorder, r, i);
    }
    qsort(pl, n, sizeof *pl, place_cmp);
    st->plan[k] = sim_xmalloc((n ? n : 1) * sizeof *st->plan[k]);
    st->plan_t[k] = sim_xmalloc((n ? n : 1) * sizeof *st->plan_t[k]);
    for (uint32_t i = 0; i < n; i++) {
        st->plan[k][i] = pl[i].id;
        st->plan_t[k][i] = t0 + (act->has_offsets ? pl[i].key : (double)i * step);
    }
    st->nplan[k] = n;
    free(pl);
}

/* Marks the servers of region r that action k acts on: the first
 * ceil(share * n) in the order of their keyed places (all when share 1). */
static void mask_region(world_t *w, uint32_t k, size_t r, uint8_t *mask)
{
    const cdn_action_spec_t *act = &w->s->actions[k];
    const fleet_region_t *rg = &w->fleet.reg[r];
    uint32_t n = rg->nservers;
    double m_real = ceil(act->tshare * (double)n - 1e-9);
    uint32_t m = m_real >= (double)n ? n : (uint32_t)m_real;
    if (m == n) {
        memset(mask + rg->first_server, 1, n);
        return;
    }
    stg_place_t *pl = sim_xmalloc((n ? n : 1) * sizeof *pl);
    for (uint32_t j = 0; j < n; j++) {
        uint32_t srv = rg->first_server + j;
        pl[j].key = 0;
        pl[j].hash = sim_rng_derive(w->seed, w->replication, RNG_ACTION_SHARE,
                                    sim_rng_key2(w->ops.act_key[k], world_server_key(w, srv)));
        pl[j].pos = j;
        pl[j].id = srv;
    }
    qsort(pl, n, sizeof *pl, place_cmp);
    for (uint32_t j = 0; j < m; j++)
        mask[pl[j].id] = 1;
    free(pl);
}

void staging_begin(world_t *w, uint32_t k)
{
    const cdn_scenario_t *s = w->s;
    const cdn_action_spec_t *act = &s->actions[k];
    staging_t *st = &w->stg;
    assert(act->targeted && st->state[k] == STG_IDLE);
    st->mask[k] = sim_xcalloc(w->nserv ? w->nserv : 1, 1);
    for (size_t i = 0; i < act->ntreg; i++)
        mask_region(w, k, s->action_regions[act->treg_first + i], st->mask[k]);
    if (act->kind == CDN_ACTION_RESTART_PROXIES && act->rate_per_s > 0) {
        st->state[k] = STG_DONE; /* the walk skips what the mask leaves out */
        operators_restart(w, k);
        assert(staging_check(w));
        return;
    }
    if (act->kind == CDN_ACTION_PUSH_LAST_KNOWN_GOOD)
        st->gen[k] = artifacts_lkg_generation(w, k);
    make_plan(w, k, sim_now(w->sim));
    st->state[k] = STG_STAGING;
    st->next[k] = 0;
    for (uint32_t i = 0; i < st->nplan[k]; i++)
        sim_schedule(w->sim, st->plan_t[k][i], w->ev_stage_step, k, i);
    assert(staging_check(w));
}

/* Step i of action k: its region is reached. */
void staging_on_step(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t k = ev->a, i = (uint32_t)ev->b;
    staging_t *st = &w->stg;
    const cdn_action_spec_t *act = &w->s->actions[k];
    assert(st->state[k] == STG_STAGING && i == st->next[k]);
    size_t r = st->plan[k][i];
    const uint8_t *mask = st->mask[k];
    const fleet_region_t *rg = &w->fleet.reg[r];
    uint32_t n = 0;
    for (uint32_t j = 0; j < rg->nservers; j++)
        n += mask[rg->first_server + j];
    st->next[k] = i + 1;
    if (st->next[k] == st->nplan[k])
        st->state[k] = STG_DONE;
    cdn_event_rec_t e = world_blank_event();
    e.action = (int32_t)k;
    e.artifact = act->artifact;
    e.region = (int32_t)r;
    e.count = (double)n;
    world_log_event(w, CDN_EV_ACTION_REGION, e);
    switch (act->kind) {
    case CDN_ACTION_PUSH_LAST_KNOWN_GOOD:
        artifacts_deliver_region(w, (uint32_t)act->artifact, st->gen[k], r, mask);
        break;
    case CDN_ACTION_KILL_SWITCH:
        artifacts_kill_region(w, k, r, mask);
        break;
    case CDN_ACTION_RESTART_PROXIES:
        operators_restart_region(w, k, r, mask);
        if (st->state[k] == STG_DONE) { /* report the end even if nothing is pending */
            w->ops.act_pending[k]++;
            operators_restart_ended(w, k);
        }
        break;
    default:
        break;
    }
    assert(staging_check(w));
}

/* The plan of action k: steps due in order, the next one not yet past. */
static int plan_consistent(const staging_t *st, size_t k, double now)
{
    if (st->state[k] == STG_STAGING &&
        (st->plan[k] == NULL || st->next[k] >= st->nplan[k] || st->plan_t[k][st->next[k]] < now))
        return 0;
    if (st->state[k] == STG_DONE && (st->plan[k] ? st->next[k] != st->nplan[k] : st->next[k] != 0))
        return 0;
    for (uint32_t i = 1; st->plan[k] && i < st->nplan[k]; i++)
        if (st->plan_t[k][i] < st->plan_t[k][i - 1])
            return 0;
    return 1;
}

/* The staged delivery machine's invariants (drawn above).
 * O(actions + plan steps). */
int staging_check(const world_t *w)
{
    const staging_t *st = &w->stg;
    double now = sim_now(w->sim);
    for (size_t k = 0; k < w->s->nactions; k++) {
        const cdn_action_spec_t *act = &w->s->actions[k];
        uint8_t state = st->state[k];
        if (state > STG_DONE || (state != STG_IDLE && !act->targeted))
            return 0;
        if (state == STG_IDLE && (st->plan[k] || st->mask[k] || st->next[k] || st->gen[k]))
            return 0;
        if (state != STG_IDLE && st->mask[k] == NULL)
            return 0;
        int push_fired = state != STG_IDLE && act->kind == CDN_ACTION_PUSH_LAST_KNOWN_GOOD;
        if ((st->gen[k] != 0) != push_fired)
            return 0;
        if (!plan_consistent(st, k, now))
            return 0;
    }
    return 1;
}
