/*
 * traffic.c -- fluid traffic: the daily curve and surges, anycast routing
 * around drained regions, overload drains by health checks, and the rates
 * of every region and cohort.
 *
 * Data structure
 *   Traffic is a fluid.  Per region a traffic_region_t (its own and
 *   offered rates, drain flags, load); per (region, cohort) the served
 *   share okf and per (region, proxy) the served share of the proxy path;
 *   and their sums weighted by offered rate (coh_acc, path_acc), which
 *   sites.c and services.c read.
 *
 * Rates in region r, for cohort c on proxy p (equations in docs/model.md):
 *   T_c   = offered_r * share_c * mix_{d(c),r}   (mix = 1 without regional users)
 *   f_p   = failing_p / up_p           (up_p = servers not restarting p)
 *   err_c = T_c * f_p * affected_p * scope_p(c)   if p panics
 *   blk_c = T_c * f_p * affected_p * scope_p(c)   if p degrades
 *   err_c = T_c                                   if up_p == 0
 *   baseline 5xx on the rest; then overload: if the CPU work exceeds the
 *   capacity of the servers not restarting, that excess share of the
 *   otherwise-served requests fails with 5xx.  Work counts each attempt
 *   at its cost in normal requests: 1 + extra_cpu_per_request x the
 *   share the bad file hits (load-proportional CPU; exactly the load when
 *   no proxy has the key).  A proxy whose routes every server of the
 *   region withdrew (withdraw_proxy_only) gets none of its traffic: a
 *   share withdrawn_fallback_frac goes to another provider (failover),
 *   the rest fails fast (5xx, one attempt), and neither loads a server.
 *
 * Exactness: between events every rate is constant (the daily curve is
 *   held over traffic steps), so the recorder's integrals are exact for
 *   the model.  The weighted sums are updated by deltas between traffic
 *   steps (traffic_region_rates with full = 0) and rebuilt from scratch at
 *   every step (traffic_all_rates), so no drift accumulates.  Only the
 *   propagation step (propagate.c) calls the rate functions.
 *
 * Region drain machine (anycast and health checks):
 *
 *      SERVING --every server out of service--> DRAINED
 *      SERVING --load > overload_drain_rho x capacity--> OVERLOAD_DRAINED
 *      (undrain timer overload_drain_s)
 *      DRAINED --a server back in service--> SERVING
 *      OVERLOAD_DRAINED --undrain timer--> SERVING, or DRAINED when every
 *      server is out by then
 *
 *   | state            | all out | one back | over threshold   | undrain timer     |
 *   |------------------|---------|----------|------------------|-------------------|
 *   | SERVING          | DRAINED | -        | OVERLOAD_DRAINED | -                 |
 *   | DRAINED          | -       | SERVING  | -                | -                 |
 *   | OVERLOAD_DRAINED | (stays) | (stays)  | -                | SERVING / DRAINED |
 *
 *   A drained region's own traffic goes in equal parts to its neighbours
 *   that are not drained (one hop); with none left it stays and fails
 *   there.  Invariants (traffic_check): an overload drain is a drain;
 *   routing moves traffic and never loses it (sum of offered = sum of
 *   own); a drained region receives nothing but, when every neighbour is
 *   drained too, its own; total_offered is the sum of offered rates.
 *
 *   Rates are computed per cohort group (the failover classes of one
 *   exposure, sites.c "Exact sums") from the group's exact weight, and a
 *   group's shares per unit of traffic are those of its (proxy, scope)
 *   unit, computed once per region update (unit_shares); groups without
 *   traffic are skipped (traffic_groups_init).
 *
 * Regional users (docs/model.md, "Regional sites"): when a plan or named
 *   site declares where its users are, region r's traffic is split over
 *   the cohorts by share_c * mix_{d,r}, a factor per user distribution d
 *   (plan, or named site with its own regions) and region: dist_m for a
 *   region's own traffic (from the sites' exact weights, once), mix for
 *   what it is offered (re-mixed at every routing, since anycast brings
 *   in drained neighbours' users).  A cohort's served share is then
 *   weighted by where its users are (coh_acc / dist_offered).  The factor
 *   is the last one of each product, so without regional users (mix
 *   NULL, factor 1) every number is the same bits as before.
 *   Rejected: one cohort per (site, home region) (multiplies cohorts by
 *   the regions, hundreds); per-region site weights q_{c,r} (nreg x ncoh
 *   integers, and the exact-sum argument would have to hold per region).
 *
 * Complexity: one region's rates O(proxies + the cohorts of groups with
 *   traffic); every region O(regions x (cohorts + proxies)); with regional users a routing adds
 *   O(regions x distributions).
 *
 * Rejected alternatives: one event per request (far too slow at 80 M
 *   requests/s); sampling signals at bin edges (misses short failures; the
 *   recorder integrates instead); a continuous daily curve (the integrals
 *   would no longer be exact).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "sim_alloc.h"
#include "world_int.h"

#define TRAFFIC_PI 3.14159265358979323846

void traffic_init(world_t *w)
{
    traffic_t *tr = &w->traffic;
    tr->reg = sim_xcalloc(w->nreg ? w->nreg : 1, sizeof *tr->reg);
    tr->okf = sim_xcalloc(w->nreg * w->ncoh, sizeof *tr->okf);
    tr->coh_acc = sim_xcalloc(w->ncoh, sizeof *tr->coh_acc);
    tr->scratch = sim_xcalloc(w->ngrp ? w->ngrp : 1, sizeof *tr->scratch);
    tr->unit = sim_xcalloc(2 * (w->nprox ? w->nprox : 1), sizeof *tr->unit);
    tr->grp_unit = sim_xcalloc(w->ngrp ? w->ngrp : 1, sizeof *tr->grp_unit);
    tr->grp_live = sim_xcalloc(w->ngrp ? w->ngrp : 1, sizeof *tr->grp_live);
    tr->grp_here = sim_xcalloc(w->ngrp ? w->ngrp : 1, sizeof *tr->grp_here);
    tr->grp_away = sim_xcalloc(w->ngrp ? w->ngrp : 1, sizeof *tr->grp_away);
    tr->grp_stale = 1;
    tr->path_ok = sim_xcalloc(w->nreg * w->nprox, sizeof *tr->path_ok);
    tr->path_acc = sim_xcalloc(w->nprox, sizeof *tr->path_acc);
}

void traffic_fini(world_t *w)
{
    traffic_t *tr = &w->traffic;
    free(tr->reg);
    free(tr->okf);
    free(tr->coh_acc);
    free(tr->scratch);
    free(tr->unit);
    free(tr->grp_unit);
    free(tr->grp_live);
    free(tr->grp_here);
    free(tr->grp_away);
    free(tr->path_ok);
    free(tr->path_acc);
    free(tr->dist_m);
    free(tr->mix);
    free(tr->dist_offered);
}

/* Users of distribution d in region r: the share of d's requests sent
 * from r. */
static double dist_users(const cdn_sites_spec_t *ss, size_t d, size_t r)
{
    if (d < ss->nplans)
        return ss->plans[d].region_share[r]; /* filled for every plan when regional */
    const double *v = ss->named[d - ss->nplans].region_share;
    return v ? v[r] : 0.0;
}

/* m_dr = D_dr / sum_d' W_d' D_d'r, with W_d the traffic weight of the
 * sites of distribution d (exact integer sums) and D_dr their users in
 * region r: so region r's own traffic splits over the cohorts as
 * share_c * m_{d(c) r}, which sums to 1 (docs/model.md). */
void traffic_users_init(world_t *w)
{
    const cdn_sites_spec_t *ss = &w->s->sites;
    traffic_t *tr = &w->traffic;
    if (!ss->regional)
        return;
    size_t nd = ss->nplans + ss->nnamed;
    tr->ndist = nd;
    tr->dist_m = sim_xcalloc(w->nreg * nd, sizeof *tr->dist_m);
    tr->mix = sim_xcalloc(w->nreg * nd, sizeof *tr->mix);
    tr->dist_offered = sim_xcalloc(nd, sizeof *tr->dist_offered);
    uint64_t *q = sim_xcalloc(nd, sizeof *q);
    for (size_t c = 0; c < w->ncoh; c++)
        q[w->sites.coh_dist[c]] += w->sites.coh_q[c];
    for (size_t r = 0; r < w->nreg; r++) {
        double z = 0;
        for (size_t d = 0; d < nd; d++)
            z += (double)q[d] / (double)w->sites.q_total * dist_users(ss, d, r);
        for (size_t d = 0; d < nd; d++)
            tr->dist_m[r * nd + d] = z > 0 ? dist_users(ss, d, r) / z : 1.0;
    }
    free(q);
}

/* The user mix of what each region is offered: its own users unless
 * drained, plus those of drained neighbours sending it traffic (the
 * flows of traffic_route). O(regions x distributions). */
static void route_mix(world_t *w)
{
    traffic_t *tr = &w->traffic;
    size_t nd = tr->ndist;
    for (size_t i = 0; i < w->nreg * nd; i++)
        tr->mix[i] = 0;
    for (size_t src = 0; src < w->nreg; src++) {
        const traffic_region_t *rg = &tr->reg[src];
        const cdn_region_spec_t *rs = &w->s->regions[src];
        size_t avail = 0;
        for (size_t k = 0; rg->drained && k < rs->nneighbors; k++)
            avail += !tr->reg[rs->neighbors[k]].drained;
        for (size_t k = 0; k < (avail ? rs->nneighbors : 1); k++) {
            size_t dst = avail ? rs->neighbors[k] : src;
            if (avail && tr->reg[dst].drained)
                continue;
            double flow = rg->own_rps / (double)(avail ? avail : 1);
            for (size_t d = 0; d < nd; d++)
                tr->mix[dst * nd + d] += flow * tr->dist_m[src * nd + d];
        }
    }
    for (size_t r = 0; r < w->nreg; r++) {
        double off = tr->reg[r].offered_rps;
        for (size_t d = 0; d < nd; d++)
            tr->mix[r * nd + d] = off > 0 ? tr->mix[r * nd + d] / off : tr->dist_m[r * nd + d];
    }
}

/* The user-mix factor of cohort c's traffic in region r (1 without
 * regional users). */
static inline double mix_of(const world_t *w, size_t r, size_t c)
{
    return w->traffic.mix ? w->traffic.mix[r * w->traffic.ndist + w->sites.coh_dist[c]] : 1.0;
}

/* 1 when cohort c's requests depend on proxy p's module: p's effect is
 * unscoped, or c's sites have the feature it is scoped to. */
static unsigned scope_of(const world_t *w, uint32_t p, size_t c)
{
    uint8_t mask = w->sites.prox_mask[p];
    return mask == 0 || (w->sites.coh_scope[c] & mask) ? 1u : 0u;
}

/* Capacity of region r, requests/s: servers in service, less the CPU
 * failing proxies burn. */
static double region_capacity(const world_t *w, size_t r)
{
    const cdn_scenario_t *s = w->s;
    const fleet_region_t *rg = &w->fleet.reg[r];
    double up_servers = (double)(rg->nservers - rg->n_out);
    for (size_t p = 0; p < w->nprox; p++) {
        const cdn_proxy_spec_t *px = &s->proxies[p];
        double burn = px->on_bad_artifact == CDN_EFFECT_CPU_EXHAUSTION ? px->affected_frac
                                                                       : px->error_cpu_frac;
        if (!fleet_is_out_effect(px->on_bad_artifact))
            up_servers -= burn * (double)w->fleet.reg_fail_p[r * w->nprox + p];
    }
    if (up_servers < 0)
        up_servers = 0;
    return up_servers * s->regions[r].server_capacity_rps;
}

/* Traffic weight of group g's cohorts served here and elsewhere (failed
 * over), as shares of all traffic: exact integer sums, so a group's
 * numbers do not depend on how its sites split into failover classes. */
static void group_weights(const world_t *w, size_t g, double *here, double *away)
{
    size_t c0;
    size_t n = world_group(w, g, &c0);
    uint64_t qh = 0, qa = 0;
    for (size_t c = c0; c < c0 + n; c++) {
        if (sites_served_elsewhere(w->sites.coh_fo[c]))
            qa += w->sites.coh_q[c];
        else
            qh += w->sites.coh_q[c];
    }
    *here = (double)qh / (double)w->sites.q_total;
    *away = (double)qa / (double)w->sites.q_total;
}

/* CPU cost, in normal requests, of an attempt of cohort c on proxy p in
 * service with failing share f (scope: scope_of as a number): 1 +
 * extra_cpu_per_request x the share the bad artifact hits (f x
 * affected_frac x scope; f x scope for cpu_exhaustion, whose
 * affected_frac is a CPU share).  Exactly 1 when the key is 0. */
static double request_cost(const world_t *w, uint32_t p, double f, double scope)
{
    const cdn_proxy_spec_t *px = &w->s->proxies[p];
    if (px->extra_cpu_per_request <= 0 || fleet_is_out_effect(px->on_bad_artifact))
        return 1.0;
    double hit = f * scope;
    if (px->on_bad_artifact != CDN_EFFECT_CPU_EXHAUSTION)
        hit *= px->affected_frac;
    return 1.0 + px->extra_cpu_per_request * hit;
}

/* 1 if proxy p's routes are withdrawn on every server of region r
 * (withdraw_proxy_only): its traffic there has no route. */
static int unroutable(const world_t *w, size_t r, uint32_t p)
{
    const cdn_proxy_spec_t *px = &w->s->proxies[p];
    return px->on_bad_artifact == CDN_EFFECT_WITHDRAW && px->withdraw_proxy_only &&
           w->fleet.reg_wd_p[r * w->nprox + p] == w->fleet.reg[r].nservers;
}

/* The groups' traffic weights here and away, recomputed only when a
 * cohort has failed over or back since the last call (sites.c marks
 * grp_stale; the weights depend on nothing else once the sites exist).
 * They were once summed per region and call, 4% of a comparison's
 * instructions for numbers that change a few times a run; the cached
 * values are the same bits, and debug builds check them against a
 * recount at every use. */
static void group_weights_all(world_t *w)
{
    traffic_t *tr = &w->traffic;
    if (tr->grp_stale) {
        for (size_t g = 0; g < w->ngrp; g++)
            group_weights(w, g, &tr->grp_here[g], &tr->grp_away[g]);
        tr->grp_stale = 0;
    }
#ifndef NDEBUG
    for (size_t g = 0; g < w->ngrp; g++) {
        double h, a;
        group_weights(w, g, &h, &a);
        assert(h == tr->grp_here[g] && a == tr->grp_away[g]);
    }
#endif
}

/* Once the sites exist: each group's unit (its proxy and scope, from its
 * first cohort: a group's cohorts share them) and the groups with traffic.
 * A group without traffic (no cohort with weight: a plan's proxy it does
 * not use, a feature no site of it has) has here = away = 0, so it adds
 * exactly +0 to every sum of both passes and its cohorts' served share is
 * 1 for ever: it is set here and the passes skip the group (in the
 * reference scenario 10 of its 35 groups; issue 14). */
void traffic_groups_init(world_t *w)
{
    traffic_t *tr = &w->traffic;
    tr->nlive = 0;
    for (size_t g = 0; g < w->ngrp; g++) {
        size_t c0;
        size_t n = world_group(w, g, &c0);
        uint32_t p = w->sites.coh_proxy[c0];
        tr->grp_unit[g] = (uint16_t)(2 * p + scope_of(w, p, c0));
        uint64_t q = 0;
        for (size_t c = c0; c < c0 + n; c++)
            q += w->sites.coh_q[c];
        if (q > 0) {
            tr->grp_live[tr->nlive++] = (uint32_t)g;
            continue;
        }
        for (size_t r = 0; r < w->nreg; r++)
            for (size_t c = c0; c < c0 + n; c++)
                tr->okf[r * w->ncoh + c] = 1.0;
    }
}

/* The numbers of one (proxy, scope) unit in region r, per unit of
 * traffic, into w->traffic.unit: the direct 5xx and block shares (before
 * overload), the retry multiplier, the CPU cost of an attempt and, for
 * traffic with no route, the share that falls back to another provider.
 * Every group of the unit shares them (a group's cohorts share proxy and
 * scope), so they are computed once per unit rather than once per group:
 * the same expressions on the same operands, so the same bits. */
static void unit_shares(world_t *w, size_t r)
{
    const cdn_scenario_t *s = w->s;
    const fleet_region_t *rg = &w->fleet.reg[r];
    double base = s->traffic.baseline_err5xx_frac;
    for (uint32_t p = 0; p < w->nprox; p++) {
        uint32_t up = rg->nservers - w->fleet.reg_out_p[r * w->nprox + p];
        int no_route = unroutable(w, r, p);
        for (unsigned sc = 0; sc < 2; sc++) {
            traffic_unit_t *u = &w->traffic.unit[2 * p + sc];
            double e = 0, b = 0, cost = 1.0;
            u->fb = 0;
            u->no_route = no_route;
            if (no_route) {
                /* no route: clients fail fast or fall back, never retry, and
                 * put no load on any server */
                u->e = 1.0;
                u->b = 0;
                u->m = 1.0;
                u->cost = 1.0;
                u->fb = s->proxies[p].withdrawn_fallback_frac;
                continue;
            }
            if (up == 0) {
                e = 1.0;
            } else {
                double f = (double)w->fleet.reg_fail_p[r * w->nprox + p] / (double)up;
                double hit = f * s->proxies[p].affected_frac * (double)sc;
                if (s->proxies[p].on_bad_artifact == CDN_EFFECT_PANIC)
                    e = hit;
                else if (s->proxies[p].on_bad_artifact == CDN_EFFECT_DEGRADE)
                    b = hit;
                e += (1.0 - e - b) * base;
                cost = request_cost(w, p, f, (double)sc);
            }
            /* a failed attempt is retried with probability q, at most R
             * times: attempts per request = sum_{k=0..R} (q e)^k */
            double m = 1.0, term = 1.0;
            for (uint32_t k = 0; k < s->traffic.max_retries; k++) {
                term *= s->traffic.retry_frac * e;
                m += term;
            }
            u->e = e;
            u->b = b;
            u->m = m;
            u->cost = cost;
        }
    }
}

/* Pass 1 of region r's rates: the units' shares (unit_shares), and the
 * load the groups with traffic put on the servers, attempts/s, returned,
 * with their CPU work in normal requests/s in *work.  Groups without
 * traffic add exactly 0 to every sum and are left out (traffic_groups_init). */
static double cohort_shares(world_t *w, size_t r, double off, double *work)
{
    const traffic_t *tr = &w->traffic;
    double *mx = w->traffic.scratch;
    unit_shares(w, r);
    group_weights_all(w); /* pass 2 reads them too */
    const double *here = tr->grp_here;
    double load = 0;
    *work = 0;
    for (size_t i = 0; i < tr->nlive; i++) {
        uint32_t g = tr->grp_live[i];
        size_t c;
        (void)world_group(w, g, &c);
        mx[g] = mix_of(w, r, c); /* the cohorts of a group share their plan or site */
        const traffic_unit_t *u = &tr->unit[tr->grp_unit[g]];
        if (u->no_route)
            continue; /* no route: no load */
        load += off * here[g] * u->m * mx[g]; /* failed-over traffic is elsewhere */
        *work += off * here[g] * u->m * u->cost * mx[g];
    }
    return load;
}

/* max(v, 0), NaN to 0, as fmax(0.0, v) but inline (fmax is a libm call
 * here); the two differ only in the sign of a zero result, which adding
 * it to a sum that starts at +0 cannot see. */
static inline double nonneg(double v)
{
    return v > 0.0 ? v : 0.0;
}

/* The totals of pass 2, requests/s. */
typedef struct region_totals {
    double err, blk, ok, fo, attempts;
    double user, user_failed; /* users' requests (first attempts) and those that failed in the end */
} region_totals_t;

/* Pass 2 of region r's rates: attempts, with the overload share x of the
 * otherwise served; the served shares of cohorts (the same for every
 * cohort of a group, computed per unit of traffic) and proxy paths (and
 * their weighted sums by delta unless `full`). */
static region_totals_t served_shares(world_t *w, size_t r, double off, double x, int full)
{
    const cdn_scenario_t *s = w->s;
    const fleet_region_t *rg = &w->fleet.reg[r];
    traffic_t *tr = &w->traffic;
    const double *here_g = tr->grp_here, *away_g = tr->grp_away, *mx_g = tr->scratch;
    for (size_t k = 0; k < 2 * w->nprox; k++) { /* a group's served share, per unit of traffic */
        traffic_unit_t *u = &tr->unit[k];
        double unit = 1.0 - u->e - u->b;
        u->f_ok = off > 0 ? unit - unit * x : 1.0 - x;
    }
    region_totals_t tot = {0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < tr->nlive; i++) {
        uint32_t g = tr->grp_live[i];
        const traffic_unit_t *u = &tr->unit[tr->grp_unit[g]];
        double here = here_g[g], away = away_g[g], mx = mx_g[g]; /* from pass 1 */
        size_t c0;
        size_t n = world_group(w, g, &c0);
        double T = off * here * u->m * mx;
        double e = T * u->e, b = T * u->b, o = T - e - b, fell_back = 0;
        if (u->fb > 0) { /* unroutable: the fallback share is served elsewhere */
            fell_back = T * u->fb;
            tot.fo += fell_back;
            e = T - fell_back;
            o = 0;
        }
        e += o * x;
        o -= o * x;
        tot.fo += off * away * mx; /* what health checks see of it is still f_ok */
        tot.err += e;
        tot.blk += b;
        tot.ok += o;
        tot.attempts += T + off * away * mx;
        /* a request ends at its first attempt that is served or blocked,
         * so those attempts are requests; the rest of the users' requests
         * here failed on every attempt (docs/model.md "Users' requests") */
        tot.user += off * (here + away) * mx;
        tot.user_failed += nonneg(off * here * mx - o - b - fell_back);
        double f_ok = u->f_ok;
        for (size_t c = c0; c < c0 + n; c++) {
            double fc = w->sites.coh_q[c] > 0 ? f_ok : 1.0;
            double *slot = &tr->okf[r * w->ncoh + c];
            if (!full)
                tr->coh_acc[c] += off * mx * (fc - *slot);
            *slot = fc;
        }
    }
    for (size_t p = 0; p < w->nprox; p++) {
        uint32_t up = rg->nservers - w->fleet.reg_out_p[r * w->nprox + p];
        double pok = 0.0;
        if (up > 0) {
            double f = (double)w->fleet.reg_fail_p[r * w->nprox + p] / (double)up;
            pok = 1.0;
            if (s->proxies[p].on_bad_artifact == CDN_EFFECT_PANIC)
                pok -= f * s->proxies[p].affected_frac;
            pok *= 1.0 - x;
        }
        double *slot = &tr->path_ok[r * w->nprox + p];
        if (!full)
            tr->path_acc[p] += off * (pok - *slot);
        *slot = pok;
    }
    return tot;
}

/* Recomputes region r's rates from its counters and records them; keeps
 * the global weighted sums in step.  `full` skips the deltas (the caller
 * rebuilds the sums). */
void traffic_region_rates(world_t *w, size_t r, double t, int full)
{
    const cdn_scenario_t *s = w->s;
    const fleet_region_t *fr = &w->fleet.reg[r];
    traffic_region_t *rg = &w->traffic.reg[r];
    double off = rg->offered_rps;
    double capacity = region_capacity(w, r);
    double work;
    double load = cohort_shares(w, r, off, &work);
    /* overload on the CPU work (load when no request costs extra) */
    double x = (work > capacity && work > 0) ? 1.0 - capacity / work : 0.0;
    rg->rho = capacity > 0 ? work / capacity : (work > 0 ? INFINITY : 0.0);
    region_totals_t tot = served_shares(w, r, off, x, full);

    rg->err_rps = tot.err;
    /* response time: an M/M/1 sojourn factor on the base latency, with the
     * utilisation of the capacity in service (capped at 0.98); the mean
     * service time grows with the mean cost of a request, work / load */
    double rho = capacity > 0 ? work * (1.0 - x) / capacity : 1.0;
    if (rho > 0.98)
        rho = 0.98;
    double service_ms = s->traffic.base_latency_ms;
    if (work != load && load > 0)
        service_ms *= work / load;
    double v[CDN_RS_COUNT]; /* the region's series, recorded at once */
    v[CDN_RS_OFFERED] = tot.attempts;
    v[CDN_RS_OK] = tot.ok;
    v[CDN_RS_ERR5XX] = tot.err;
    v[CDN_RS_BLOCKED] = tot.blk;
    v[CDN_RS_FAILOVER] = tot.fo;
    v[CDN_RS_SERVERS_BAD] = (double)fr->n_bad;
    v[CDN_RS_SERVERS_FAILING] = (double)fr->n_failing;
    v[CDN_RS_SERVERS_RESTARTING] = (double)fr->n_restarting;
    v[CDN_RS_SERVERS_OUT] = (double)fr->n_out;
    v[CDN_RS_LATENCY_X_OK] = tot.ok * service_ms / (1.0 - rho);
    v[CDN_RS_USER_REQUESTS] = tot.user;
    v[CDN_RS_USER_FAILED] = tot.user_failed;
    v[CDN_RS_SERVERS_IMPAIRED] = (double)fr->n_impaired;
    _Static_assert(CDN_RS_COUNT == 13, "a region series without its value here");
    sim_recorder_set_n(w->rec, r * CDN_RS_COUNT, t, v, CDN_RS_COUNT);
}

/* Every region at once (offered rates or cohort traffic moved): rates and
 * the weighted sums rebuilt from scratch, so no drift accumulates. */
void traffic_all_rates(world_t *w, double t)
{
    w->traffic.total_offered = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        w->traffic.total_offered += w->traffic.reg[r].offered_rps;
        traffic_region_rates(w, r, t, 1);
    }
    for (size_t c = 0; c < w->ncoh; c++) {
        double acc = 0;
        if (w->traffic.mix == NULL)
            for (size_t r = 0; r < w->nreg; r++)
                acc += w->traffic.reg[r].offered_rps * w->traffic.okf[r * w->ncoh + c];
        else
            for (size_t r = 0; r < w->nreg; r++)
                acc += w->traffic.reg[r].offered_rps * mix_of(w, r, c) * w->traffic.okf[r * w->ncoh + c];
        w->traffic.coh_acc[c] = acc;
    }
    for (size_t d = 0; d < w->traffic.ndist; d++) {
        double acc = 0;
        for (size_t r = 0; r < w->nreg; r++)
            acc += w->traffic.reg[r].offered_rps * w->traffic.mix[r * w->traffic.ndist + d];
        w->traffic.dist_offered[d] = acc;
    }
    for (size_t p = 0; p < w->nprox; p++) {
        double acc = 0;
        for (size_t r = 0; r < w->nreg; r++)
            acc += w->traffic.reg[r].offered_rps * w->traffic.path_ok[r * w->nprox + p];
        w->traffic.path_acc[p] = acc;
    }
}

/* Anycast: a drained region's own traffic goes, in equal parts, to its
 * neighbours that are not drained (one hop); with none left it stays and
 * fails there. */
void traffic_route(world_t *w)
{
    traffic_region_t *reg = w->traffic.reg;
    for (size_t r = 0; r < w->nreg; r++)
        reg[r].offered_rps = reg[r].drained ? 0.0 : reg[r].own_rps;
    for (size_t d = 0; d < w->nreg; d++) {
        if (!reg[d].drained)
            continue;
        const cdn_region_spec_t *rs = &w->s->regions[d];
        size_t avail = 0;
        for (size_t k = 0; k < rs->nneighbors; k++)
            avail += !reg[rs->neighbors[k]].drained;
        if (avail == 0) {
            reg[d].offered_rps += reg[d].own_rps;
            continue;
        }
        for (size_t k = 0; k < rs->nneighbors; k++)
            if (!reg[rs->neighbors[k]].drained)
                reg[rs->neighbors[k]].offered_rps += reg[d].own_rps / (double)avail;
    }
    if (w->traffic.mix != NULL)
        route_mix(w);
}

/* One round of health-check drains: every region whose load exceeds
 * overload_drain_rho times its capacity is drained, and takes traffic
 * again after overload_drain_s.  Returns whether any was (the caller
 * re-routes and goes on, a cascade). */
int traffic_overload_drain(world_t *w)
{
    int any = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        traffic_region_t *rg = &w->traffic.reg[r];
        double thr = w->s->regions[r].overload_drain_rho;
        if (thr <= 0 || rg->drained || rg->rho < thr)
            continue;
        rg->overload_drained = 1;
        rg->drained = 1;
        cdn_event_rec_t e = world_blank_event();
        e.region = (int32_t)r;
        world_log_event(w, CDN_EV_REGION_DRAINED, e);
        sim_schedule_in(w->sim, w->s->regions[r].overload_drain_s, w->ev_undrain, (uint32_t)r, 0);
        any = 1;
    }
    return any;
}

void traffic_on_undrain(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    w->traffic.reg[ev->a].overload_drained = 0;
    /* restored unless all its servers are out */
    propagate_change(w, PROPAGATE_UNDRAIN, ev->a);
}

/* The drain machine's invariants (drawn above); they hold after every
 * propagation.  O(regions + neighbours). */
int traffic_check(const world_t *w)
{
    const traffic_region_t *reg = w->traffic.reg;
    double own = 0, offered = 0, total = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        if (reg[r].overload_drained && !reg[r].drained)
            return 0;
        if (!(reg[r].offered_rps >= 0) || !(reg[r].own_rps >= 0))
            return 0;
        own += reg[r].own_rps;
        offered += reg[r].offered_rps;
        total += reg[r].offered_rps;
        if (!reg[r].drained || reg[r].offered_rps == 0)
            continue;
        const cdn_region_spec_t *rs = &w->s->regions[r];
        for (size_t k = 0; k < rs->nneighbors; k++)
            if (!reg[rs->neighbors[k]].drained)
                return 0; /* it should have gone there */
        if (reg[r].offered_rps != reg[r].own_rps)
            return 0;
    }
    return fabs(offered - own) <= 1e-9 * own && total == w->traffic.total_offered;
}

/* Daily curve of a region at sim time t (mean 1 over a day). */
static double diurnal(const cdn_scenario_t *s, size_t r, double t)
{
    double hours = ((double)s->sim.start_epoch_s + t) / 3600.0 + s->regions[r].utc_offset_h;
    double local = fmod(hours, 24.0);
    if (local < 0)
        local += 24.0;
    return 1.0 + s->traffic.diurnal_amplitude *
                     cos(2.0 * TRAFFIC_PI * (local - s->traffic.diurnal_peak_local_h) / 24.0);
}

/* A traffic step: every region's own rate for the step (daily curve at
 * its middle, plus the surge), then the whole world re-derived. */
void traffic_on_step(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)ev;
    const cdn_scenario_t *s = w->s;
    double t = sim_now(sim);
    double step = s->traffic.step_s;
    double mid = t + 0.5 * step;
    for (size_t r = 0; r < w->nreg; r++) {
        traffic_region_t *rg = &w->traffic.reg[r];
        /* surge: a share of the requests that failed over the last step
         * (at the rate of its end) comes back, spread over surge_s; held
         * constant over the step (docs/model.md) */
        if (s->traffic.surge_frac > 0) {
            rg->deferred += s->traffic.surge_frac * rg->err_rps * step - rg->surge_rps * step;
            if (rg->deferred < 0)
                rg->deferred = 0;
            rg->surge_rps = rg->deferred / s->traffic.surge_s;
        }
        rg->own_rps = s->traffic.global_rps * s->regions[r].traffic_share * diurnal(s, r, mid) +
                      rg->surge_rps;
    }
    propagate_change(w, PROPAGATE_TRAFFIC, 0);
    assert(traffic_check(w));
    assert(fleet_check(w));
    assert(repair_check(w));
    assert(artifacts_rollout_check(w));
    assert(sites_failover_check(w));
    assert(services_backlog_check(w));
    assert(operators_incident_check(w));
    assert(operators_wave_check(w));
    assert(backends_check(w));
    assert(staging_check(w));
    if (t + step < sim_stop_time(sim))
        sim_schedule(sim, t + step, w->ev_traffic, 0, 0);
}
