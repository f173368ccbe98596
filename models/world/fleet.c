/*
 * fleet.c -- servers and their proxies: artifact loads, the server x proxy
 * state machine, restarts and the repair crews.
 *
 * Data layout
 *   Servers are individuals (their artifact arrival times and restarts
 *   matter one by one) stored as structs of arrays indexed by a global
 *   server index; regions own a contiguous range of servers.  Per
 *   (server, artifact): the generation loaded and whether it is bad.  Per
 *   (server, proxy): `hold` (holds a bad artifact that this proxy consumes
 *   and reacts to), `wedged` (stays failing until restarted) and a restart
 *   counter.  Regions keep counters derived from those, updated by deltas,
 *   so one server change costs O(proxies + artifacts), not O(servers).
 *   Invariant (fleet_check, O(servers x proxies)): every counter equals
 *   what the per-server state implies.
 *
 * Server proxy state machine (per server s, proxy p):
 *
 *      hold=0,wedged=0 --bad artifact arrives--> hold=1 (failing since t0)
 *      hold=1 --good artifact arrives at t--> hold=0, and wedged=1 with
 *      probability 1 - exp(-wedge_rate_per_h * (t - t0) / 3600): a hazard
 *      while failing, drawn when it starts to matter
 *      any state --restart begins--> restarting (serves nothing; the
 *      region's other servers take its share)  --restart ends--> wedged=0,
 *      a fresh process: hold re-evaluated from the artifacts on disk
 *
 *      failing  = (hold || wedged || damaged) && not restarting && not booting
 *      out      = restarting || booting || offline || (failing && the
 *                 effect is crash, crash_repair or withdraw)
 *      withdrawn (SP_WITHDRAWN) = out only by a withdraw_proxy_only
 *                 proxy failing: the proxy's routes are withdrawn but the
 *                 server stays in service for the others (reg_out_p and
 *                 reg_wd_p count it, srv_nout and n_out do not)
 *
 *   booting: a proxy with a `backend` whose restart or repair ended is
 *   starting: out of service until a call to its backend succeeds (the
 *   machine is in backends.c; a restart that begins cancels it).
 *
 *   | state          | bad arrives        | good arrives | restart end        |
 *   |----------------|--------------------|--------------|--------------------|
 *   | healthy        | failing            | healthy      | healthy            |
 *   | failing        | failing            | healthy or   | per artifacts held |
 *   |                |                    | +wedged      |                    |
 *   | failing+wedged | failing+wedged     | failing      | per artifacts held |
 *
 *   A server out of service loads nothing when its artifact is pulled
 *   when online (`pull_when_online`): the newest generation waits in
 *   srv_pending and is loaded when the server boots or comes back.  An
 *   offline server (repair.c) loads nothing whatever the artifact: it
 *   gets the newest files when it comes online.
 *
 *   crash_repair: a proxy that starts failing while it holds a bad file
 *   crashes: wedged=1 and it queues for the repair crews (repair.c), which
 *   call fleet_repaired when its repair ends.  damaged (repair.c): left by
 *   a bad file on some servers; neither a good file nor a restart clears
 *   it, only a re-provisioning (repair.c), which also ends in
 *   fleet_repaired.
 *
 * Rejected alternatives: per-server event timers for wedging (the hazard
 *   is drawn once, when the bad file goes, with the same distribution);
 *   recounting regions from scratch at every change (O(servers) per event,
 *   far too slow at 100k servers).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "world_int.h"

void fleet_init(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    fleet_t *f = &w->fleet;
    size_t ns = w->nserv ? w->nserv : 1, na = w->nart ? w->nart : 1;
    f->reg = sim_xcalloc(w->nreg, sizeof *f->reg);
    f->srv_region = sim_xcalloc(ns, sizeof *f->srv_region);
    f->srv_key = sim_xcalloc(ns, sizeof *f->srv_key);
    f->srv_gen = sim_xcalloc(ns * na, sizeof *f->srv_gen);
    f->srv_artbad = sim_xcalloc(ns * na, 1);
    f->srv_killed = sim_xcalloc(ns * na, 1);
    f->srv_pending = sim_xcalloc(ns * na, sizeof *f->srv_pending);
    f->srv_nbad = sim_xcalloc(ns, 1);
    f->srv_nfail = sim_xcalloc(ns, 1);
    f->srv_nrest = sim_xcalloc(ns, 1);
    f->srv_nout = sim_xcalloc(ns, 1);
    f->sp_hold = sim_xcalloc(ns * w->nprox, 1);
    f->sp_wedged = sim_xcalloc(ns * w->nprox, 1);
    f->sp_since = sim_xcalloc(ns * w->nprox, sizeof *f->sp_since);
    f->sp_rest = sim_xcalloc(ns * w->nprox, sizeof *f->sp_rest);
    f->sp_counted_fail = sim_xcalloc(ns * w->nprox, 1);
    f->sp_counted_out = sim_xcalloc(ns * w->nprox, 1);
    f->reg_out_p = sim_xcalloc(w->nreg * w->nprox, sizeof *f->reg_out_p);
    f->reg_fail_p = sim_xcalloc(w->nreg * w->nprox, sizeof *f->reg_fail_p);
    f->reg_down_p = sim_xcalloc(w->nreg * w->nprox, sizeof *f->reg_down_p);
    f->reg_wd_p = sim_xcalloc(w->nreg * w->nprox, sizeof *f->reg_wd_p);
    uint32_t first = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        fleet_region_t *rg = &f->reg[r];
        rg->first_server = first;
        rg->nservers = s->regions[r].servers;
        for (uint32_t k = 0; k < rg->nservers; k++)
            f->srv_region[first + k] = (uint32_t)r;
        first += rg->nservers;
        rg->key = sim_rng_key(s->regions[r].name);
        for (uint32_t k = 0; k < rg->nservers; k++) /* SERVER keys, drawn on at every delivery */
            f->srv_key[first - rg->nservers + k] = sim_rng_key2(rg->key, k);
    }
    f->sp_episode = sim_xcalloc(ns * (w->nprox ? w->nprox : 1), sizeof *f->sp_episode);
    f->prox_key = sim_xcalloc(w->nprox ? w->nprox : 1, sizeof *f->prox_key);
    for (size_t p = 0; p < w->nprox; p++)
        f->prox_key[p] = sim_rng_key(s->proxies[p].name);
    f->prox_region = sim_xcalloc(w->nprox * w->nreg, 1);
    for (size_t p = 0; p < w->nprox; p++) {
        const cdn_proxy_spec_t *px = &s->proxies[p];
        for (size_t r = 0; r < w->nreg; r++) {
            f->prox_region[p * w->nreg + r] =
                (uint8_t)cdn_scenario_in_tiers(px->tiers, px->ntiers, &s->regions[r]);
        }
    }
}

void fleet_fini(world_t *w)
{
    fleet_t *f = &w->fleet;
    free(f->sp_episode);
    free(f->prox_key);
    free(f->reg);
    free(f->srv_region);
    free(f->srv_key);
    free(f->srv_gen);
    free(f->srv_artbad);
    free(f->srv_killed);
    free(f->srv_pending);
    free(f->srv_nbad);
    free(f->srv_nfail);
    free(f->srv_nrest);
    free(f->srv_nout);
    free(f->sp_hold);
    free(f->sp_wedged);
    free(f->sp_since);
    free(f->sp_rest);
    free(f->sp_counted_fail);
    free(f->sp_counted_out);
    free(f->reg_out_p);
    free(f->reg_fail_p);
    free(f->reg_down_p);
    free(f->reg_wd_p);
    free(f->prox_region);
}

/* Whether (server, proxy) i counts as failing, and as out of service
 * (the machine above); sp_apply and fleet_check share them. */
static inline int sp_failing(const world_t *w, size_t i, int booting)
{
    const fleet_t *fl = &w->fleet;
    return (fl->sp_hold[i] || fl->sp_wedged[i] || repair_damaged(w, i)) && fl->sp_rest[i] == 0 &&
           !booting;
}

/* SP_* state of (server, proxy) i = srv * nprox + p given whether it is
 * failing: a restart, a boot or a failing out-of-service effect takes the
 * server out; a failing withdraw_proxy_only proxy only its own routes. */
static uint8_t sp_out_state(const world_t *w, size_t i, uint32_t p, int failing)
{
    const cdn_proxy_spec_t *px = &w->s->proxies[p];
    if (w->fleet.sp_rest[i] > 0 || backends_booting(w, i) ||
        repair_offline(w, (uint32_t)(i / w->nprox)))
        return SP_OUT;
    if (!failing || !fleet_is_out_effect(px->on_bad_artifact))
        return SP_IN;
    if (px->on_bad_artifact == CDN_EFFECT_WITHDRAW && px->withdraw_proxy_only)
        return SP_WITHDRAWN;
    return SP_OUT;
}

/* Re-derives whether (server, proxy) counts as failing / out of service
 * and applies the deltas to the server's and the region's counters. */
static void sp_apply(world_t *w, uint32_t srv, uint32_t p)
{
    fleet_t *fl = &w->fleet;
    size_t i = (size_t)srv * w->nprox + p;
    size_t r = fl->srv_region[srv];
    fleet_region_t *rg = &fl->reg[r];
    cdn_effect_t eff = w->s->proxies[p].on_bad_artifact;
    int booting = backends_booting(w, i);
    int failing = sp_failing(w, i, booting);
    if (failing && eff == CDN_EFFECT_CRASH_REPAIR && fl->sp_hold[i] && !fl->sp_wedged[i]) {
        fl->sp_wedged[i] = 1; /* crashed: stays down until the crew repairs it */
        repair_enqueue(w, RP_FIX, srv, p);
    }
    uint8_t out = sp_out_state(w, i, p, failing);
    uint8_t was = fl->sp_counted_out[i];
    int was_impaired = fl->srv_nfail[srv] > 0 || fl->srv_nout[srv] > 0;
    if (out != was) {
        if (was == SP_IN)
            fl->reg_out_p[r * w->nprox + p]++;
        else if (out == SP_IN)
            fl->reg_out_p[r * w->nprox + p]--;
        if (out == SP_WITHDRAWN)
            fl->reg_wd_p[r * w->nprox + p]++;
        else if (was == SP_WITHDRAWN)
            fl->reg_wd_p[r * w->nprox + p]--;
        if (out == SP_OUT) {
            if (fl->srv_nout[srv]++ == 0)
                rg->n_out++;
        } else if (was == SP_OUT && --fl->srv_nout[srv] == 0) {
            rg->n_out--;
            /* back in service: it pulls what it missed */
            for (size_t a = 0; a < w->nart; a++) {
                uint32_t *pend = &fl->srv_pending[(size_t)srv * w->nart + a];
                if (*pend > fl->srv_gen[(size_t)srv * w->nart + a])
                    sim_schedule_in(w->sim, 0.0, w->ev_arrive, srv, ((uint64_t)a << 32) | *pend);
                *pend = 0;
            }
        }
        fl->sp_counted_out[i] = out;
    }
    if (failing != fl->sp_counted_fail[i]) {
        if (failing) {
            fl->reg_fail_p[r * w->nprox + p]++;
            if (fl->srv_nfail[srv]++ == 0)
                rg->n_failing++;
        } else {
            fl->reg_fail_p[r * w->nprox + p]--;
            if (--fl->srv_nfail[srv] == 0)
                rg->n_failing--;
        }
        fl->sp_counted_fail[i] = (uint8_t)failing;
    }
    int impaired = fl->srv_nfail[srv] > 0 || fl->srv_nout[srv] > 0;
    if (impaired != was_impaired)
        rg->n_impaired = impaired ? rg->n_impaired + 1 : rg->n_impaired - 1;
}

/* The proxy stops holding a bad artifact after failing for `held_s`:
 * it entered the wedged state at some time in that span with probability
 * 1 - exp(-rate * held).  The uniform is keyed by (server, proxy, hold
 * episode), so a longer hold in another arm wedges the same server with
 * the same uniform against a higher probability (monotone coupling). */
static void sp_hold_falls(world_t *w, uint32_t srv, uint32_t p, double held_s)
{
    fleet_t *fl = &w->fleet;
    size_t i = (size_t)srv * w->nprox + p;
    double rate = w->s->proxies[p].wedge_rate_per_h;
    uint32_t episode = fl->sp_episode[i]++;
    if (rate > 0 && !fl->sp_wedged[i] && held_s > 0) {
        uint64_t who = sim_rng_key2(world_server_key(w, srv), fl->prox_key[p]);
        double u = world_keyed_u01(w, RNG_WEDGE, sim_rng_key2(who, episode));
        if (u < -expm1(-rate * held_s / 3600.0))
            fl->sp_wedged[i] = 1;
    }
}

/* Recomputes `hold` of every proxy on srv from the artifacts it holds. */
void fleet_reevaluate(world_t *w, uint32_t srv)
{
    fleet_t *fl = &w->fleet;
    double now = sim_now(w->sim);
    for (uint32_t p = 0; p < w->nprox; p++) {
        size_t i = (size_t)srv * w->nprox + p;
        uint8_t hold = 0;
        if (w->s->proxies[p].on_bad_artifact != CDN_EFFECT_NONE &&
            fl->prox_region[p * w->nreg + fl->srv_region[srv]]) {
            for (size_t a = 0; a < w->nart; a++)
                if (w->arts.art_consumed[a * w->nprox + p] &&
                    fl->srv_artbad[(size_t)srv * w->nart + a] &&
                    !fl->srv_killed[(size_t)srv * w->nart + a])
                    hold = 1;
        }
        if (hold && !fl->sp_hold[i]) {
            fl->sp_since[i] = now;
        } else if (!hold && fl->sp_hold[i]) {
            if (fl->sp_rest[i] == 0)
                sp_hold_falls(w, srv, p, now - fl->sp_since[i]);
            repair_hold_falls(w, srv, p, now - fl->sp_since[i]);
        }
        fl->sp_hold[i] = hold;
        sp_apply(w, srv, p);
    }
}

/* Region r's counters of proxy p (failing, restarting, out, withdrawn)
 * equal what its servers' marks imply.  O(servers of r). */
static int proxy_counts_ok(const world_t *w, size_t r, size_t p)
{
    const fleet_t *fl = &w->fleet;
    const fleet_region_t *rg = &fl->reg[r];
    uint32_t fp = 0, dp = 0, op = 0, wp = 0;
    for (uint32_t k = 0; k < rg->nservers; k++) {
        size_t i = (size_t)(rg->first_server + k) * w->nprox + p;
        fp += fl->sp_counted_fail[i];
        dp += fl->sp_rest[i] > 0;
        op += fl->sp_counted_out[i] != SP_IN;
        wp += fl->sp_counted_out[i] == SP_WITHDRAWN;
    }
    size_t rp = r * w->nprox + p;
    return fp == fl->reg_fail_p[rp] && dp == fl->reg_down_p[rp] && op == fl->reg_out_p[rp] &&
           wp == fl->reg_wd_p[rp];
}

/* Region r's impaired count is its servers with a failing proxy or one
 * out of service (the per-server counters, checked by fleet_check). */
static int impaired_ok(const world_t *w, size_t r)
{
    const fleet_region_t *rg = &w->fleet.reg[r];
    uint32_t n = 0;
    for (uint32_t k = 0; k < rg->nservers; k++)
        n += w->fleet.srv_nfail[rg->first_server + k] > 0 || w->fleet.srv_nout[rg->first_server + k] > 0;
    return n == rg->n_impaired;
}

static int counters_check(const world_t *w);

/* The region counters equal what the per-server state implies (the
 * invariant of the delta updates).  O(servers * proxies). */
int fleet_check(const world_t *w)
{
    for (size_t r = 0; r < w->nreg; r++)
        if (!impaired_ok(w, r))
            return 0;
    return counters_check(w);
}

static int counters_check(const world_t *w)
{
    const fleet_t *fl = &w->fleet;
    for (size_t r = 0; r < w->nreg; r++) {
        const fleet_region_t *rg = &fl->reg[r];
        uint32_t bad = 0, failing = 0, restarting = 0, outs = 0;
        for (uint32_t k = 0; k < rg->nservers; k++) {
            uint32_t srv = rg->first_server + k;
            uint32_t nbad = 0, nfail = 0, nrest = 0, nout = 0;
            for (size_t a = 0; a < w->nart; a++)
                nbad += fl->srv_artbad[(size_t)srv * w->nart + a];
            for (size_t p = 0; p < w->nprox; p++) {
                size_t i = (size_t)srv * w->nprox + p;
                int boot = backends_booting(w, i);
                int f = sp_failing(w, i, boot);
                if (f != fl->sp_counted_fail[i])
                    return 0;
                uint8_t out = sp_out_state(w, i, (uint32_t)p, f);
                if (out != fl->sp_counted_out[i])
                    return 0;
                nfail += (uint32_t)f;
                nrest += fl->sp_rest[i] > 0;
                nout += out == SP_OUT;
            }
            if (nbad != fl->srv_nbad[srv] || nfail != fl->srv_nfail[srv] ||
                nrest != fl->srv_nrest[srv] || nout != fl->srv_nout[srv])
                return 0;
            outs += nout > 0;
            bad += nbad > 0;
            failing += nfail > 0;
            restarting += nrest > 0;
        }
        if (bad != rg->n_bad || failing != rg->n_failing || restarting != rg->n_restarting ||
            outs != rg->n_out)
            return 0;
        for (size_t p = 0; p < w->nprox; p++)
            if (!proxy_counts_ok(w, r, p))
                return 0;
    }
    return 1;
}

/* Server srv now holds a bad (or good) file of artifact a: counters. */
void fleet_set_artbad(world_t *w, uint32_t srv, uint32_t a, uint8_t bad)
{
    fleet_t *fl = &w->fleet;
    size_t i = (size_t)srv * w->nart + a;
    uint32_t r = fl->srv_region[srv];
    fl->srv_artbad[i] = bad;
    if (bad) {
        if (fl->srv_nbad[srv]++ == 0)
            fl->reg[r].n_bad++;
    } else {
        if (--fl->srv_nbad[srv] == 0)
            fl->reg[r].n_bad--;
    }
}

/* Server srv now has generation gen of artifact a on disk; returns 1 when
 * that changed whether it holds a bad file (the caller re-evaluates). */
static int load_generation(world_t *w, uint32_t srv, uint32_t a, uint32_t gen)
{
    fleet_t *fl = &w->fleet;
    size_t i = (size_t)srv * w->nart + a;
    fl->srv_gen[i] = gen;
    uint8_t bad = (uint8_t)(w->arts.art[a].gens[gen - 1].bad && w->arts.art[a].armed);
    uint32_t r = fl->srv_region[srv];
    int changed = bad != fl->srv_artbad[i];
    if (changed)
        fleet_set_artbad(w, srv, a, bad);
    if (bad && !w->arts.art[a].first_bad_logged) {
        w->arts.art[a].first_bad_logged = 1;
        cdn_event_rec_t e = world_blank_event();
        e.artifact = (int32_t)a;
        e.generation = (int32_t)gen;
        e.bad = 1;
        e.size = w->arts.art[a].gens[gen - 1].size;
        e.region = (int32_t)r;
        e.server = (int32_t)srv;
        world_log_event(w, CDN_EV_FIRST_BAD_LOAD, e);
    }
    return changed;
}

void fleet_on_arrive(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    fleet_t *fl = &w->fleet;
    (void)sim;
    uint32_t srv = ev->a;
    uint32_t a = (uint32_t)(ev->b >> 32);
    uint32_t gen = (uint32_t)(ev->b & 0xffffffffu);
    size_t i = (size_t)srv * w->nart + a;
    if (gen <= fl->srv_gen[i])
        return; /* an older generation overtaken by a newer one */
    if ((w->s->artifacts[a].pull_when_online && fl->srv_nout[srv] > 0) || repair_offline(w, srv)) {
        if (gen > fl->srv_pending[i]) /* pulled when the server is back in service */
            fl->srv_pending[i] = gen;
        return;
    }
    if (load_generation(w, srv, a, gen)) {
        fleet_reevaluate(w, srv);
        propagate_change(w, PROPAGATE_REGION, fl->srv_region[srv]);
    }
}

/* A server that boots (restart, repair) pulls the files it missed while
 * out of service before it loads them. */
static void pull_pending(world_t *w, uint32_t srv)
{
    fleet_t *fl = &w->fleet;
    for (size_t a = 0; a < w->nart; a++) {
        uint32_t *pend = &fl->srv_pending[(size_t)srv * w->nart + a];
        if (*pend > fl->srv_gen[(size_t)srv * w->nart + a])
            load_generation(w, srv, (uint32_t)a, *pend);
        *pend = 0;
    }
}


/* Whether a restart of this action has anything to do on srv. */
int fleet_restart_wanted(const world_t *w, const cdn_action_spec_t *act, uint32_t srv)
{
    const fleet_t *fl = &w->fleet;
    if (repair_offline(w, srv))
        return 0; /* nobody restarts a host that is not there */
    if (!act->only_failing)
        return 1;
    for (uint32_t p = 0; p < w->nprox; p++)
        if (fleet_restart_matches(act, p) && fl->sp_counted_fail[(size_t)srv * w->nprox + p])
            return 1;
    return 0;
}

void fleet_on_restart_begin(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    fleet_t *fl = &w->fleet;
    uint32_t srv = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[ev->b];
    uint32_t r = fl->srv_region[srv];
    if (!fleet_restart_wanted(w, act, srv)) {
        operators_restart_ended(w, (uint32_t)ev->b);
        return;
    }
    for (uint32_t p = 0; p < w->nprox; p++) {
        if (!fleet_restart_matches(act, p))
            continue;
        size_t i = (size_t)srv * w->nprox + p;
        backends_cancel(w, srv, p); /* a start in progress is interrupted */
        if (fl->sp_rest[i]++ == 0) {
            fl->reg_down_p[r * w->nprox + p]++;
            if (fl->srv_nrest[srv]++ == 0)
                fl->reg[r].n_restarting++;
        }
        sp_apply(w, srv, p);
    }
    propagate_change(w, PROPAGATE_REGION, r);
    sim_schedule_in(sim, act->restart_s, w->ev_restart_end, srv, ev->b);
}

void fleet_on_restart_end(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    fleet_t *fl = &w->fleet;
    (void)sim;
    uint32_t srv = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[ev->b];
    uint32_t r = fl->srv_region[srv];
    for (uint32_t p = 0; p < w->nprox; p++) {
        if (!fleet_restart_matches(act, p))
            continue;
        size_t i = (size_t)srv * w->nprox + p;
        if (--fl->sp_rest[i] == 0) {
            fl->reg_down_p[r * w->nprox + p]--;
            if (--fl->srv_nrest[srv] == 0)
                fl->reg[r].n_restarting--;
            if (fl->sp_hold[i]) /* the hold goes on in the fresh process */
                repair_exposure(w, srv, p, sim_now(sim) - fl->sp_since[i]);
            fl->sp_wedged[i] = 0;
            fl->sp_hold[i] = 0; /* a fresh process: re-evaluated below, no wedge draw */
            backends_boot(w, srv, p); /* with a backend: out until a call to it succeeds */
        }
    }
    pull_pending(w, srv);
    fleet_reevaluate(w, srv);
    propagate_change(w, PROPAGATE_REGION, r);
    operators_restart_ended(w, (uint32_t)ev->b);
}

void fleet_repaired(world_t *w, uint32_t srv, uint32_t p)
{
    fleet_t *fl = &w->fleet;
    size_t i = (size_t)srv * w->nprox + p;
    fl->sp_wedged[i] = 0;
    if (fl->sp_rest[i] == 0 && !backends_booting(w, i))
        backends_boot(w, srv, p); /* a repaired host boots like a restarted one */
    pull_pending(w, srv);     /* the fix a crashed host could not pull */
    fleet_reevaluate(w, srv); /* crashes again (and queues) if it still holds a bad file */
    propagate_change(w, PROPAGATE_REGION, fl->srv_region[srv]);
}

void fleet_online(world_t *w, uint32_t srv)
{
    fleet_t *fl = &w->fleet;
    for (uint32_t p = 0; p < w->nprox; p++) {
        size_t i = (size_t)srv * w->nprox + p;
        if (fl->sp_rest[i] == 0 && !backends_booting(w, i))
            backends_boot(w, srv, p); /* a host that comes online starts its proxies */
    }
    pull_pending(w, srv); /* the newest files, a bad one too */
    fleet_reevaluate(w, srv);
    propagate_change(w, PROPAGATE_REGION, fl->srv_region[srv]);
}
