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
 *   T_c   = offered_r * share_c
 *   f_p   = failing_p / up_p           (up_p = servers not restarting p)
 *   err_c = T_c * f_p * affected_p * scope_p(c)   if p panics
 *   blk_c = T_c * f_p * affected_p * scope_p(c)   if p degrades
 *   err_c = T_c                                   if up_p == 0
 *   baseline 5xx on the rest; then overload: if offered exceeds the
 *   capacity of the servers not restarting, that excess share of the
 *   otherwise-served requests fails with 5xx.
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
 *   exposure, sites.c "Exact sums") from the group's exact weight.
 *
 * Complexity: one region's rates O(cohorts + proxies); every region
 *   O(regions x (cohorts + proxies)).
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
    tr->scratch = sim_xcalloc(3 * (w->ngrp ? w->ngrp : 1), sizeof *tr->scratch);
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
    free(tr->path_ok);
    free(tr->path_acc);
}

static double scope_of(const world_t *w, uint32_t p, size_t c)
{
    switch (w->s->proxies[p].scope) {
    case CDN_SCOPE_ALL:
        return 1.0;
    case CDN_SCOPE_BOT_MANAGEMENT:
        return (w->sites.coh_scope[c] & 1u) ? 1.0 : 0.0;
    case CDN_SCOPE_BOT_BLOCK_RULES:
        return (w->sites.coh_scope[c] & 2u) ? 1.0 : 0.0;
    case CDN_SCOPE_COUNT:
        break;
    }
    return 1.0;
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

/* Pass 1 of region r's rates: each cohort group's direct 5xx and block
 * shares (before overload) and its retry multiplier, into the scratch
 * arrays; returns the load they put on the servers, attempts/s.  The
 * cohorts of a group share proxy and scope, so the shares are the first
 * cohort's. */
static double cohort_shares(world_t *w, size_t r, double off)
{
    const cdn_scenario_t *s = w->s;
    const fleet_region_t *rg = &w->fleet.reg[r];
    double base = s->traffic.baseline_err5xx_frac;
    double *ef = w->traffic.scratch, *bf = w->traffic.scratch + w->ngrp,
           *mult = w->traffic.scratch + 2 * w->ngrp;
    double load = 0;
    for (size_t g = 0; g < w->ngrp; g++) {
        size_t c;
        (void)world_group(w, g, &c);
        uint32_t p = w->sites.coh_proxy[c];
        uint32_t up = rg->nservers - w->fleet.reg_out_p[r * w->nprox + p];
        double e = 0, b = 0;
        if (up == 0) {
            e = 1.0;
        } else {
            double f = (double)w->fleet.reg_fail_p[r * w->nprox + p] / (double)up;
            double hit = f * s->proxies[p].affected_frac * scope_of(w, p, c);
            if (s->proxies[p].on_bad_artifact == CDN_EFFECT_PANIC)
                e = hit;
            else if (s->proxies[p].on_bad_artifact == CDN_EFFECT_DEGRADE)
                b = hit;
            e += (1.0 - e - b) * base;
        }
        /* a failed attempt is retried with probability q, at most R times:
         * attempts per request = sum_{k=0..R} (q e)^k */
        double m = 1.0, term = 1.0;
        for (uint32_t k = 0; k < s->traffic.max_retries; k++) {
            term *= s->traffic.retry_frac * e;
            m += term;
        }
        ef[g] = e;
        bf[g] = b;
        mult[g] = m;
        double here, away;
        group_weights(w, g, &here, &away);
        load += off * here * m; /* failed-over traffic is elsewhere */
    }
    return load;
}

/* The totals of pass 2, requests/s. */
typedef struct region_totals {
    double err, blk, ok, fo, attempts;
} region_totals_t;

/* Pass 2 of region r's rates: attempts, with the overload share x of the
 * otherwise served; the served shares of cohorts (the same for every
 * cohort of a group, computed per unit of traffic) and proxy paths (and
 * their weighted sums by delta unless `full`). */
static region_totals_t served_shares(world_t *w, size_t r, double off, double x, int full)
{
    const cdn_scenario_t *s = w->s;
    const fleet_region_t *rg = &w->fleet.reg[r];
    const double *ef = w->traffic.scratch, *bf = w->traffic.scratch + w->ngrp,
                 *mult = w->traffic.scratch + 2 * w->ngrp;
    region_totals_t tot = {0, 0, 0, 0, 0};
    for (size_t g = 0; g < w->ngrp; g++) {
        double here, away;
        group_weights(w, g, &here, &away);
        double T = off * here * mult[g];
        double e = T * ef[g], b = T * bf[g];
        double o = T - e - b;
        e += o * x;
        o -= o * x;
        tot.fo += off * away; /* what health checks see of it is still f_ok */
        tot.err += e;
        tot.blk += b;
        tot.ok += o;
        tot.attempts += T + off * away;
        double unit = 1.0 - ef[g] - bf[g];
        double f_ok = off > 0 ? unit - unit * x : 1.0 - x;
        size_t c0;
        size_t n = world_group(w, g, &c0);
        for (size_t c = c0; c < c0 + n; c++) {
            double fc = w->sites.coh_q[c] > 0 ? f_ok : 1.0;
            double *slot = &w->traffic.okf[r * w->ncoh + c];
            if (!full)
                w->traffic.coh_acc[c] += off * (fc - *slot);
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
        double *slot = &w->traffic.path_ok[r * w->nprox + p];
        if (!full)
            w->traffic.path_acc[p] += off * (pok - *slot);
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
    double load = cohort_shares(w, r, off);
    double x = (load > capacity && load > 0) ? 1.0 - capacity / load : 0.0;
    rg->rho = capacity > 0 ? load / capacity : (load > 0 ? INFINITY : 0.0);
    region_totals_t tot = served_shares(w, r, off, x, full);

    size_t b0 = r * CDN_RS_COUNT;
    sim_recorder_set(w->rec, b0 + CDN_RS_OFFERED, t, tot.attempts);
    sim_recorder_set(w->rec, b0 + CDN_RS_OK, t, tot.ok);
    sim_recorder_set(w->rec, b0 + CDN_RS_ERR5XX, t, tot.err);
    sim_recorder_set(w->rec, b0 + CDN_RS_BLOCKED, t, tot.blk);
    sim_recorder_set(w->rec, b0 + CDN_RS_FAILOVER, t, tot.fo);
    rg->err_rps = tot.err;
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_BAD, t, (double)fr->n_bad);
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_FAILING, t, (double)fr->n_failing);
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_RESTARTING, t, (double)fr->n_restarting);
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_OUT, t, (double)fr->n_out);
    /* response time: an M/M/1 sojourn factor on the base latency, with the
     * utilisation of the capacity in service (capped at 0.98) */
    double rho = capacity > 0 ? load * (1.0 - x) / capacity : 1.0;
    if (rho > 0.98)
        rho = 0.98;
    sim_recorder_set(w->rec, b0 + CDN_RS_LATENCY_X_OK, t,
                     tot.ok * s->traffic.base_latency_ms / (1.0 - rho));
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
        for (size_t r = 0; r < w->nreg; r++)
            acc += w->traffic.reg[r].offered_rps * w->traffic.okf[r * w->ncoh + c];
        w->traffic.coh_acc[c] = acc;
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
