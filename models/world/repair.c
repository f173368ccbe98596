/*
 * repair.c -- repair that looks like real repair: crews whose number
 * changes over time, per-server repair times with a heavy tail, servers
 * that are offline when a bad file goes out and get it when they come
 * online, and damage that outlives the revert until a server is
 * re-provisioned.
 *
 * Model (docs/model.md, "Repair, offline hosts and lasting damage")
 *   Two repair processes per proxy, each a first-come-first-served queue
 *   worked by c(t) crews (a multi-server queue, M/G/c-like but with the
 *   arrivals the model makes):
 *     RP_FIX   the crash_repair crews: a proxy that crashes on a bad file
 *              (effect crash_repair) waits for one of them;
 *     RP_PROV  re-provisioning: a proxy left damaged by a bad file waits
 *              for one of them.
 *   A job begun at t takes a log-normal time with the process's median and
 *   p99 at t (p99 == median: exactly the median, and nothing is drawn).
 *   c(t) and the time distribution change at the steps of the proxy's
 *   schedule (crews added, a self-service fix or automated remediation
 *   released: many crews and a short time).  Jobs in progress finish when
 *   crews are taken away.  With the defaults (one crew, a fixed time of
 *   3600 / repair_rate_per_h, no schedule) RP_FIX is the single crew of
 *   earlier versions, event for event.
 *
 *   Damage: when a proxy stops holding bad files (a good file arrives, a
 *   kill switch), with E the time it has held bad files in all since it
 *   was last re-provisioned, it is left damaged with probability
 *       P(E) = 1 - (1 - damage_frac) exp(-damage_rate_per_h E / 3600)
 *   (one keyed uniform per server, proxy and re-provisioning, so a longer
 *   exposure in another arm damages a superset of servers).  A damaged
 *   proxy fails (fleet.c) whatever file it holds and however often it
 *   restarts, until its re-provisioning ends.
 *
 *   Offline hosts: in a region of n servers with offline_frac f, the
 *   m = min(n - 1, round(f n)) servers with the smallest keyed hash are
 *   offline at time 0: out of service, and every file sent to them waits.
 *   Each comes online at an exponential time of mean online_mean_s (keyed
 *   per server): it boots, loads the newest files (a bad one too, then
 *   fails or crashes like any other) and serves.
 *
 * Repair machine (per process kind, proxy p, server s):
 *
 *      NONE --enqueue (crashed / damaged)--> WAITING at the tail
 *      WAITING --a crew is free (busy < crews), s at the head--> WORKING,
 *                job time drawn, done event scheduled, busy + 1
 *      WORKING --done--> NONE: (PROV: damage and exposure cleared) the
 *                proxy is unwedged, boots, pulls and is re-evaluated (it
 *                may crash and queue again); busy - 1; free crews start
 *                on the head of the queue
 *      a schedule step --> crews and job time change; free crews start
 *
 *   | state   | enqueue       | crew free, at head | done  | step      |
 *   |---------|---------------|--------------------|-------|-----------|
 *   | NONE    | WAITING       | -                  | -     | -         |
 *   | WAITING | WAITING       | WORKING            | -     | WORKING?  |
 *   | WORKING | WORKING       | -                  | NONE  | WORKING   |
 *
 *   Offline machine (per server): OFFLINE --its online time--> ONLINE.
 *
 * Invariants (repair_check, O(servers x proxies)): a shop's ring holds
 *   distinct servers, exactly its WAITING ones; its WORKING servers number
 *   `busy`; a shop with a free crew has an empty queue; a proxy without a
 *   shop has no marks; a damaged proxy waits or is worked on by RP_PROV and
 *   every one RP_PROV holds is damaged; an offline server is out of
 *   service for every proxy and its online time is not past.
 *
 * Random numbers: RNG_ONLINE (which servers are offline, when each comes
 *   online), RNG_REPAIR_TIME (each job's time), RNG_DAMAGE (the damage
 *   uniform): stateless hashes keyed by server and proxy names, so none
 *   of them moves another draw.
 *
 * Complexity: O(1) per enqueue, job start and job end (plus the job's
 *   re-evaluation in fleet.c); O(n log n) per region with offline servers
 *   at init.  Memory: 9 bytes per server per shop, 9 per server and proxy
 *   only when some proxy can be damaged, 9 per server only when some
 *   region has offline servers; nothing else when none of it is used.
 *
 * Rejected alternatives: a fluid of repairs per region (the tail comes
 *   from individual long jobs, and repaired servers come back one by one
 *   with their own files); preempting jobs when crews are taken away (real
 *   crews finish the host they are on); drawing damage when the hold
 *   begins (the hazard must grow with the time held); offline servers as
 *   a Bernoulli draw each (the share would not be exact, and a hand count
 *   could not be checked).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "world_int.h"

static repair_shop_t *shop_of(const world_t *w, int kind, uint32_t p)
{
    return &w->rp.shop[(size_t)kind * w->nprox + p];
}

static const cdn_repair_spec_t *spec_of(const world_t *w, int kind, uint32_t p)
{
    const cdn_proxy_spec_t *px = &w->s->proxies[p];
    return kind == RP_FIX ? &px->repair : &px->reprovision;
}

static void shop_init(world_t *w, int kind, uint32_t p)
{
    repair_shop_t *sh = shop_of(w, kind, p);
    const cdn_repair_spec_t *rs = spec_of(w, kind, p);
    size_t ns = w->nserv ? w->nserv : 1;
    sh->ring = sim_xcalloc(ns + 1, sizeof *sh->ring);
    sh->state = sim_xcalloc(ns, 1);
    sh->jobs = sim_xcalloc(ns, sizeof *sh->jobs);
    sh->crews = rs->crews;
    sh->median_s = rs->time_median_s;
    if (kind == RP_FIX && sh->median_s == 0)
        sh->median_s = 3600.0 / w->s->proxies[p].repair_rate_per_h;
    sh->p99_s = rs->time_p99_s > 0 ? rs->time_p99_s : sh->median_s;
}

static int can_be_damaged(const cdn_proxy_spec_t *px)
{
    return px->on_bad_artifact != CDN_EFFECT_NONE &&
           (px->damage_frac > 0 || px->damage_rate_per_h > 0);
}

/* A sortable place of a server in its region's offline order. */
typedef struct rp_place {
    uint64_t hash;
    uint32_t pos;
} rp_place_t;

static int place_cmp(const void *pa, const void *pb)
{
    const rp_place_t *a = pa, *b = pb;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Marks the offline servers of region r and draws their online times. */
static void offline_region(world_t *w, size_t r)
{
    const cdn_region_spec_t *rs = &w->s->regions[r];
    const fleet_region_t *rg = &w->fleet.reg[r];
    uint32_t n = rg->nservers;
    double m_real = nearbyint(rs->offline_frac * (double)n);
    uint32_t m = m_real >= (double)n ? n - 1 : (uint32_t)m_real;
    if (m == 0)
        return;
    rp_place_t *pl = sim_xmalloc(n * sizeof *pl);
    for (uint32_t j = 0; j < n; j++) {
        uint64_t who = world_server_key(w, rg->first_server + j);
        pl[j].hash = sim_rng_derive(w->seed, w->replication, RNG_ONLINE, sim_rng_key2(who, 0));
        pl[j].pos = j;
    }
    qsort(pl, n, sizeof *pl, place_cmp);
    for (uint32_t k = 0; k < m; k++) {
        uint32_t srv = rg->first_server + pl[k].pos;
        uint64_t who = world_server_key(w, srv);
        double u = world_keyed_u01(w, RNG_ONLINE, sim_rng_key2(who, 1));
        w->rp.srv_offline[srv] = 1;
        w->rp.srv_online_s[srv] = -rs->online_mean_s * log(u);
    }
    free(pl);
}

void repair_init(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    repair_t *rp = &w->rp;
    int damage = 0, offline = 0;
    rp->shop = sim_xcalloc((size_t)RP_KINDS * (w->nprox ? w->nprox : 1), sizeof *rp->shop);
    for (uint32_t p = 0; p < w->nprox; p++) {
        if (s->proxies[p].on_bad_artifact == CDN_EFFECT_CRASH_REPAIR)
            shop_init(w, RP_FIX, p);
        if (can_be_damaged(&s->proxies[p])) {
            shop_init(w, RP_PROV, p);
            damage = 1;
        }
    }
    if (damage && w->nserv > 0) {
        rp->sp_damaged = sim_xcalloc((size_t)w->nserv * w->nprox, 1);
        rp->sp_exposed_s = sim_xcalloc((size_t)w->nserv * w->nprox, sizeof *rp->sp_exposed_s);
    }
    for (size_t r = 0; r < w->nreg; r++)
        offline |= s->regions[r].offline_frac > 0;
    if (!offline || w->nserv == 0)
        return;
    rp->srv_offline = sim_xcalloc(w->nserv, 1);
    rp->srv_online_s = sim_xcalloc(w->nserv, sizeof *rp->srv_online_s);
    for (size_t r = 0; r < w->nreg; r++)
        if (s->regions[r].offline_frac > 0)
            offline_region(w, r);
}

void repair_fini(world_t *w)
{
    repair_t *rp = &w->rp;
    for (size_t k = 0; rp->shop && k < (size_t)RP_KINDS * w->nprox; k++) {
        free(rp->shop[k].ring);
        free(rp->shop[k].state);
        free(rp->shop[k].jobs);
    }
    free(rp->shop);
    free(rp->srv_offline);
    free(rp->srv_online_s);
    free(rp->sp_damaged);
    free(rp->sp_exposed_s);
    memset(rp, 0, sizeof *rp);
}

void repair_start(world_t *w)
{
    repair_t *rp = &w->rp;
    double stop = w->s->sim.duration_s;
    for (uint32_t srv = 0; rp->srv_offline && srv < w->nserv; srv++) {
        if (!rp->srv_offline[srv])
            continue;
        fleet_reevaluate(w, srv); /* counted out of service */
        if (rp->srv_online_s[srv] < stop)
            sim_schedule(w->sim, rp->srv_online_s[srv], w->ev_online, srv, 0);
    }
    for (int kind = 0; kind < RP_KINDS; kind++)
        for (uint32_t p = 0; p < w->nprox; p++) {
            const cdn_repair_spec_t *rs = spec_of(w, kind, p);
            if (shop_of(w, kind, p)->ring == NULL)
                continue;
            for (size_t k = 0; k < rs->nsteps; k++)
                if (rs->steps[k].at_s < stop)
                    sim_schedule(w->sim, rs->steps[k].at_s, w->ev_repair_step, p,
                                 ((uint64_t)kind << 32) | k);
        }
}

/* The time of the next job of `kind` on proxy p of srv, s. */
static double job_time(const world_t *w, int kind, uint32_t srv, uint32_t p)
{
    repair_shop_t *sh = shop_of(w, kind, p);
    uint32_t job = sh->jobs[srv]++;
    if (!(sh->p99_s > sh->median_s))
        return sh->median_s;
    uint64_t who = sim_rng_key2(world_server_key(w, srv), w->fleet.prox_key[p]);
    uint64_t key = sim_rng_key2(sim_rng_key2(who, (uint64_t)kind), job);
    return sim_rng_lognormal_quantile(world_keyed_u01(w, RNG_REPAIR_TIME, key), sh->median_s,
                                      sh->p99_s);
}

/* Free crews start on the head of the queue. */
static void dispatch(world_t *w, int kind, uint32_t p)
{
    repair_shop_t *sh = shop_of(w, kind, p);
    while (sh->busy < sh->crews && sh->head != sh->tail) {
        uint32_t srv = sh->ring[sh->head];
        sh->head = (sh->head + 1) % (w->nserv + 1);
        sh->state[srv] = RS_WORKING;
        sh->busy++;
        sim_schedule_in(w->sim, job_time(w, kind, srv, p), w->ev_repair, srv,
                        ((uint64_t)kind << 8) | p);
    }
}

void repair_enqueue(world_t *w, int kind, uint32_t srv, uint32_t p)
{
    repair_shop_t *sh = shop_of(w, kind, p);
    if (sh->ring == NULL || sh->state[srv] != RS_NONE)
        return;
    sh->state[srv] = RS_WAITING;
    sh->ring[sh->tail] = srv;
    sh->tail = (sh->tail + 1) % (w->nserv + 1);
    dispatch(w, kind, p);
}

void repair_exposure(world_t *w, uint32_t srv, uint32_t p, double held_s)
{
    if (w->rp.sp_damaged != NULL && shop_of(w, RP_PROV, p)->ring != NULL)
        w->rp.sp_exposed_s[(size_t)srv * w->nprox + p] += held_s;
}

void repair_hold_falls(world_t *w, uint32_t srv, uint32_t p, double held_s)
{
    repair_t *rp = &w->rp;
    size_t i = (size_t)srv * w->nprox + p;
    if (rp->sp_damaged == NULL || shop_of(w, RP_PROV, p)->ring == NULL)
        return;
    rp->sp_exposed_s[i] += held_s;
    if (rp->sp_damaged[i])
        return;
    const cdn_proxy_spec_t *px = &w->s->proxies[p];
    /* P = 1 - (1 - f) exp(-rate E), as -expm1(log(1 - f) - rate E) */
    double prob = -expm1(log1p(-px->damage_frac) - px->damage_rate_per_h * rp->sp_exposed_s[i] / 3600.0);
    uint64_t who = sim_rng_key2(world_server_key(w, srv), w->fleet.prox_key[p]);
    uint32_t provs = shop_of(w, RP_PROV, p)->jobs[srv];
    if (world_keyed_u01(w, RNG_DAMAGE, sim_rng_key2(who, provs)) < prob) {
        rp->sp_damaged[i] = 1;
        repair_enqueue(w, RP_PROV, srv, p);
    }
}

void repair_on_done(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t srv = ev->a, p = (uint32_t)(ev->b & 0xffu);
    int kind = (int)(ev->b >> 8);
    repair_shop_t *sh = shop_of(w, kind, p);
    assert(sh->state[srv] == RS_WORKING && sh->busy > 0);
    sh->state[srv] = RS_NONE;
    if (kind == RP_PROV) { /* a fresh install: no damage, no exposure */
        size_t i = (size_t)srv * w->nprox + p;
        w->rp.sp_damaged[i] = 0;
        w->rp.sp_exposed_s[i] = 0;
    }
    fleet_repaired(w, srv, p); /* may crash and queue again: the crew is still busy */
    sh->busy--;
    dispatch(w, kind, p);
}

void repair_on_online(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    assert(w->rp.srv_offline[ev->a]);
    w->rp.srv_offline[ev->a] = 0;
    fleet_online(w, ev->a);
}

void repair_on_step(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t p = ev->a;
    int kind = (int)(ev->b >> 32);
    uint32_t k = (uint32_t)(ev->b & 0xffffffffu);
    repair_shop_t *sh = shop_of(w, kind, p);
    const cdn_repair_step_t *st = &spec_of(w, kind, p)->steps[k];
    assert(k == sh->next_step);
    sh->next_step = k + 1;
    sh->crews = st->crews;
    if (st->time_median_s > 0) {
        sh->median_s = st->time_median_s;
        sh->p99_s = st->time_p99_s > 0 ? st->time_p99_s : st->time_median_s;
    }
    cdn_event_rec_t e = world_blank_event();
    e.proxy = (int32_t)p;
    e.process = kind;
    e.crews = (int32_t)sh->crews;
    e.time_median_s = sh->median_s;
    e.time_p99_s = sh->p99_s;
    world_log_event(w, CDN_EV_REPAIR_CAPACITY, e);
    dispatch(w, kind, p);
}

/* One shop agrees with its marks (machine above); seen: nserv bytes. */
static int shop_check(const world_t *w, const repair_shop_t *sh, uint8_t *seen)
{
    uint32_t slots = w->nserv + 1, waiting = 0, working = 0;
    if (sh->ring == NULL)
        return sh->busy == 0 && sh->head == 0 && sh->tail == 0;
    if (sh->head >= slots || sh->tail >= slots)
        return 0;
    for (uint32_t srv = 0; srv < w->nserv; srv++) {
        waiting += sh->state[srv] == RS_WAITING;
        working += sh->state[srv] == RS_WORKING;
    }
    uint32_t len = (sh->tail + slots - sh->head) % slots;
    if (len != waiting || working != sh->busy || (sh->busy < sh->crews && len > 0))
        return 0;
    memset(seen, 0, w->nserv);
    for (uint32_t j = 0; j < len; j++) {
        uint32_t srv = sh->ring[(sh->head + j) % slots];
        if (srv >= w->nserv || seen[srv] || sh->state[srv] != RS_WAITING)
            return 0;
        seen[srv] = 1;
    }
    return 1;
}

/* Damage marks and re-provisioning agree; offline servers are out. */
static int marks_check(const world_t *w)
{
    const repair_t *rp = &w->rp;
    double now = sim_now(w->sim);
    for (uint32_t srv = 0; srv < w->nserv; srv++) {
        for (uint32_t p = 0; p < w->nprox; p++) {
            size_t i = (size_t)srv * w->nprox + p;
            const repair_shop_t *pv = shop_of(w, RP_PROV, p);
            int held = pv->ring != NULL && pv->state[srv] != RS_NONE;
            if (repair_damaged(w, i) != held)
                return 0;
            if (repair_offline(w, srv) && !w->fleet.sp_counted_out[i])
                return 0;
        }
        if (rp->srv_offline != NULL && (rp->srv_offline[srv] ? rp->srv_online_s[srv] < now
                                                               : rp->srv_online_s[srv] > now))
            return 0;
    }
    return 1;
}

int repair_check(const world_t *w)
{
    uint8_t *seen = sim_xcalloc(w->nserv ? w->nserv : 1, 1);
    int ok = 1;
    for (size_t k = 0; ok && k < (size_t)RP_KINDS * w->nprox; k++)
        ok = shop_check(w, &w->rp.shop[k], seen);
    free(seen);
    return ok && marks_check(w);
}
