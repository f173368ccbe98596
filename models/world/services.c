/*
 * services.c -- internal services (KV, Access, Turnstile, the dashboard
 * ...) as a dependency graph, with optional finite capacity and the
 * backlog of users that failed and come back.
 *
 * Data structure
 *   Per service: its availability (0..1), outage and bypass flags, and
 *   the backlog state (backlog at last_t, its slope, the token of the
 *   pending "empty" event).  `order` lists services dependencies first, so
 *   one pass evaluates the graph (acyclic, validated by the loader).
 *   Availability = served share of the proxy path it sits behind (or its
 *   bypass), times its dependencies' availability; 0 during a
 *   fail_service outage; then reduced by the backlog when it has a finite
 *   capacity.
 *
 * Backlog machine (per service with capacity > 0; b the backlog, slope
 *   the rate of change, both updated at every services_update):
 *
 *      CLEAR (b = 0, slope >= 0) --the service fails some users--> GROWING
 *      (slope > 0)
 *      GROWING --the service serves again--> DRAINING (b > 0, slope < 0:
 *      spare capacity works it off; an "empty" event is set at b / -slope)
 *      DRAINING --empty event with the current token--> CLEAR
 *      DRAINING --fails again / capacity changes--> GROWING or DRAINING on
 *      a new line (new token: the old empty event is void)
 *
 *   | state    | fails users (raw < 1) | serves (raw = 1)        | empty event       |
 *   |----------|-----------------------|-------------------------|-------------------|
 *   | CLEAR    | GROWING               | CLEAR                   | (stale: no-op)    |
 *   | GROWING  | GROWING (new slope)   | DRAINING if cap > 1     | (stale: no-op)    |
 *   | DRAINING | GROWING or DRAINING   | DRAINING                | CLEAR             |
 *
 *   Only a new slope bumps the token and sets a new empty event, so
 *   refreshing with an unchanged slope keeps the pending event valid.
 *   Invariants (services_backlog_check): b >= 0 and finite; a negative
 *   slope only with b > 0, and the line b + slope (now - last_t) has not
 *   crossed zero (its empty event is still ahead); last_t <= now; a
 *   service without capacity has no backlog; availability in [0, 1].
 *
 * Complexity: services_update O(services + dependencies).
 *
 * Rejected alternatives: a periodic backlog tick (inexact between ticks
 *   and costly); scheduling an empty event at every refresh (one per
 *   server change at full scale).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "sim_alloc.h"
#include "world_int.h"

/* Backlog of a service with a finite capacity (docs/model.md): users it
 * fails come back (backlog_frac); once it serves again they retry on top
 * of the normal demand (retry_surge), so it runs at capacity and serves
 * the share capacity / (1 + retry_surge) until the backlog is worked off
 * at (capacity - 1) per second of service.  The backlog changes linearly
 * between calls; an event is set for when it empties.  Returns the
 * availability given the raw one `a`. */
static double service_backlog(world_t *w, size_t k, double t, double a)
{
    const cdn_service_spec_t *sv = &w->s->services[k];
    double b = w->svc.backlog[k] + w->svc.rate[k] * (t - w->svc.last_t[k]);
    if (b < 1e-6)
        b = 0;
    w->svc.backlog[k] = b;
    w->svc.last_t[k] = t;
    double cap = w->svc.capacity[k], raw = a;
    double rate = sv->backlog_frac * (1.0 - raw);
    if (b > 0) {
        double share = cap / (1.0 + sv->retry_surge);
        if (share < 1.0)
            a = raw * share;
        if (cap > 1.0)
            rate -= (cap - 1.0) * raw; /* spare capacity works the backlog off */
    }
    /* services are refreshed at every server change; with the same rate
     * the backlog stays on the same line and a pending "empty" event is
     * still right, so only a new rate sets a new one */
    if (rate != w->svc.rate[k]) {
        w->svc.rate[k] = rate;
        w->svc.token[k]++;
        if (b > 0 && rate < 0)
            sim_schedule_in(w->sim, b / -rate, w->ev_svc_drain, (uint32_t)k, w->svc.token[k]);
    }
    return a;
}

void services_update(world_t *w, double t)
{
    const cdn_scenario_t *s = w->s;
    for (size_t i = 0; i < w->nsvc; i++) {
        uint32_t k = w->svc.order[i];
        const cdn_service_spec_t *sv = &s->services[k];
        int32_t path = w->svc.bypassed[k] ? sv->bypass_proxy : sv->behind_proxy;
        double a = 1.0;
        if (path >= 0 && w->traffic.total_offered > 0)
            a = w->traffic.path_acc[path] / w->traffic.total_offered;
        if (a > 1.0)
            a = 1.0;
        if (a < 0.0)
            a = 0.0;
        for (size_t d = 0; d < sv->ndeps; d++)
            a *= w->svc.avail[sv->deps[d]];
        if (w->svc.forced_down[k])
            a = 0.0;
        if (sv->capacity > 0)
            a = service_backlog(w, k, t, a);
        if (a != w->svc.avail[k]) {
            w->svc.avail[k] = a;
            sim_recorder_set(w->rec, w->series_svc0 + k, t, a);
        }
    }
    assert(services_backlog_check(w));
}

/* Orders services so that dependencies come first (the graph is acyclic,
 * validated by the scenario loader). */
static void order_services(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    uint8_t *done = sim_xcalloc(w->nsvc ? w->nsvc : 1, 1);
    size_t n = 0;
    while (n < w->nsvc) {
        size_t before = n;
        for (size_t k = 0; k < w->nsvc; k++) {
            if (done[k])
                continue;
            int ready = 1;
            for (size_t d = 0; d < s->services[k].ndeps; d++)
                if (!done[s->services[k].deps[d]])
                    ready = 0;
            if (ready) {
                done[k] = 1;
                w->svc.order[n++] = (uint32_t)k;
            }
        }
        if (n == before)
            break; /* cannot happen for a validated scenario */
    }
    free(done);
}

/* A service's backlog has been worked off (unless things changed since). */
void services_on_drain(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    if (ev->b != w->svc.token[ev->a])
        return;
    w->svc.rate[ev->a] = 0;
    w->svc.backlog[ev->a] = 0;
    w->svc.last_t[ev->a] = sim_now(sim);
    propagate_change(w, PROPAGATE_SIGNALS, 0);
}

void services_on_restore(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    w->svc.forced_down[ev->a]--;
    cdn_event_rec_t e = world_blank_event();
    e.service = (int32_t)ev->a;
    world_log_event(w, CDN_EV_SERVICE_RESTORED, e);
    propagate_change(w, PROPAGATE_SIGNALS, 0);
}

void services_init(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    services_t *sv = &w->svc;
    size_t n = w->nsvc ? w->nsvc : 1;
    sv->order = sim_xcalloc(n, sizeof *sv->order);
    sv->bypassed = sim_xcalloc(n, 1);
    sv->forced_down = sim_xcalloc(n, sizeof *sv->forced_down);
    sv->backlog = sim_xcalloc(n, sizeof *sv->backlog);
    sv->rate = sim_xcalloc(n, sizeof *sv->rate);
    sv->last_t = sim_xcalloc(n, sizeof *sv->last_t);
    sv->capacity = sim_xcalloc(n, sizeof *sv->capacity);
    sv->token = sim_xcalloc(n, sizeof *sv->token);
    sv->avail = sim_xcalloc(n, sizeof *sv->avail);
    for (size_t k = 0; k < w->nsvc; k++)
        sv->capacity[k] = s->services[k].capacity;
    order_services(w);
    /* services start fully available: recorded before the first step */
    for (size_t k = 0; k < w->nsvc; k++) {
        sv->avail[k] = 1.0;
        sim_recorder_set(w->rec, w->series_svc0 + k, 0.0, 1.0);
    }
}

void services_fini(world_t *w)
{
    services_t *sv = &w->svc;
    free(sv->order);
    free(sv->bypassed);
    free(sv->forced_down);
    free(sv->backlog);
    free(sv->rate);
    free(sv->last_t);
    free(sv->capacity);
    free(sv->token);
    free(sv->avail);
}

/* fail_service: service k is down for duration_s. */
void services_fail(world_t *w, uint32_t k, double duration_s)
{
    w->svc.forced_down[k]++;
    cdn_event_rec_t f = world_blank_event();
    f.service = (int32_t)k;
    world_log_event(w, CDN_EV_SERVICE_FAILED, f);
    propagate_change(w, PROPAGATE_SIGNALS, 0);
    sim_schedule_in(w->sim, duration_s, w->ev_svc_restore, k, 0);
}

/* bypass_service: service k moves to its bypass path. */
void services_bypass(world_t *w, uint32_t k)
{
    w->svc.bypassed[k] = 1;
    propagate_change(w, PROPAGATE_SIGNALS, 0);
}

/* scale_service: service k's capacity becomes `capacity` (x normal demand). */
void services_scale(world_t *w, uint32_t k, double capacity)
{
    w->svc.capacity[k] = capacity;
    propagate_change(w, PROPAGATE_SIGNALS, 0);
}

/* The backlog machine's invariants (drawn above).  O(services). */
int services_backlog_check(const world_t *w)
{
    const services_t *sv = &w->svc;
    double now = sim_now(w->sim);
    for (size_t k = 0; k < w->nsvc; k++) {
        double b = sv->backlog[k], slope = sv->rate[k];
        if (!(b >= 0) || !isfinite(b) || !isfinite(slope) || sv->last_t[k] > now)
            return 0;
        if (!(sv->avail[k] >= 0 && sv->avail[k] <= 1))
            return 0;
        if (w->s->services[k].capacity <= 0 && (b != 0 || slope != 0))
            return 0;
        if (slope < 0 && (b <= 0 || b + slope * (now - sv->last_t[k]) < -1e-6 * (1.0 + b)))
            return 0;
    }
    return 1;
}
