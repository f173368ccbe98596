/*
 * propagate.c -- the one propagation step: from a change a handler made
 * and its scope, re-derive rates (traffic.c) and signals (services.c, then
 * sites.c) and let health checks drain overloaded regions.
 *
 * Design
 *   Handlers change the state of their own mechanism (a server's proxies,
 *   a cohort's failover state, a service's outage ...) and then call
 *   propagate_change() with the scope of the change.  No other code calls
 *   the rate or signal functions.  The scopes, from the smallest:
 *
 *   | scope    | caused by                        | re-derives                        |
 *   |----------|----------------------------------|-----------------------------------|
 *   | NONE     | nothing rates depend on          | nothing                           |
 *   | SIGNALS  | a service fails, is restored,    | services, then sites              |
 *   |          | bypassed, scaled; backlog empty  |                                   |
 *   | REGION r | servers of region r (loads,      | r's rates by delta, signals, and  |
 *   |          | restarts, repairs, kill switch)  | drains if r has a drain threshold;|
 *   |          |                                  | if r drains or comes back: ROUTE  |
 *   | ALL      | servers everywhere (latent       | every rate from scratch, signals  |
 *   |          | trigger), cohort traffic moved   |                                   |
 *   |          | (failover, failback)             |                                   |
 *   | ROUTE    | which regions take traffic       | routing, then as ALL              |
 *   | TRAFFIC  | every region's own rate (a step) | as ROUTE, then drains             |
 *   | UNDRAIN  | a health-check drain ended       | as REGION, then drains            |
 *
 *   Drains: while some region is over its threshold, drain it (and set
 *   its undrain timer), then ROUTE; at most regions + 1 rounds.
 *
 *   Services come before sites because failover may wait for the control
 *   plane service and named sites need services.
 *
 * Invariant: after a propagation the recorder holds, for the current
 *   time, the rates and signals that the state implies (the weighted sums
 *   exactly so after ALL, up to rounding after REGION deltas).
 *
 * Rejected alternatives: running propagation after the handler returns,
 *   from one dispatch trampoline (the handlers would only return a scope).
 *   Several handlers schedule events or log events after their change
 *   (a restart's end, the next repair, "restart wave done"); propagation
 *   also schedules (failover timers, backlog-empty, undrain) and logs
 *   (region drained).  Moving it after the handler would reorder
 *   equal-time events and the event log, and so change results; so a
 *   handler calls propagate_change at the point of its change, once (the
 *   latent trigger changes many servers and propagates one ALL).
 */
#include "world_int.h"

/* Services, then sites (failover may wait for a service). */
static void signals(world_t *w, double t)
{
    services_update(w, t);
    sites_update(w, t);
}

static void all_rates(world_t *w, double t)
{
    traffic_all_rates(w, t);
    signals(w, t);
}

static void reroute(world_t *w, double t)
{
    traffic_route(w);
    all_rates(w, t);
}

/* Health checks drain regions over their threshold; their traffic moves
 * to their neighbours, which may then be drained in turn (a cascade),
 * until no region is over its threshold. */
static void drains(world_t *w, double t)
{
    for (size_t round = 0; round <= w->nreg; round++) {
        if (!traffic_overload_drain(w))
            return;
        reroute(w, t);
    }
}

static void region(world_t *w, size_t r, double t)
{
    const fleet_region_t *fr = &w->fleet.reg[r];
    traffic_region_t *rg = &w->traffic.reg[r];
    int drained = fr->n_out == fr->nservers || rg->overload_drained;
    if (drained != rg->drained) {
        rg->drained = drained;
        cdn_event_rec_t e = world_blank_event();
        e.region = (int32_t)r;
        world_log_event(w, drained ? CDN_EV_REGION_DRAINED : CDN_EV_REGION_RESTORED, e);
        reroute(w, t);
        return;
    }
    traffic_region_rates(w, r, t, 0);
    signals(w, t);
    if (w->s->regions[r].overload_drain_rho > 0)
        drains(w, t);
}

void propagate_change(world_t *w, propagate_scope_t scope, size_t r)
{
    double t = sim_now(w->sim);
    switch (scope) {
    case PROPAGATE_NONE:
        break;
    case PROPAGATE_SIGNALS:
        signals(w, t);
        break;
    case PROPAGATE_REGION:
        region(w, r, t);
        break;
    case PROPAGATE_ALL:
        all_rates(w, t);
        break;
    case PROPAGATE_ROUTE:
        reroute(w, t);
        break;
    case PROPAGATE_TRAFFIC:
        reroute(w, t);
        drains(w, t);
        break;
    case PROPAGATE_UNDRAIN:
        region(w, r, t);
        drains(w, t);
        break;
    }
}
