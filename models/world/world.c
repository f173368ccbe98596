/*
 * world.c -- one replication of the CDN outage model: builds the world of
 * a scenario from its mechanisms (world_int.h lists them), runs it on the
 * sim/ kernel and collects the result; the event log.
 *
 * Design
 *   world_init sets the dimensions, creates the kernel and the recorder,
 *   registers the event types, then lets each mechanism initialise its
 *   own struct (fleet first: the others use its regions' server ranges),
 *   and schedules the first events: the traffic step at 0 (before
 *   anything else at time 0), the generator runs, the scripted actions,
 *   the first alert check, the latent triggers, then repair.c's offline
 *   servers and capacity steps.  That order, like the
 *   registration order, is part of the results (equal-time events run in
 *   the order scheduled) and must not change.
 *
 *   Recorder series: CDN_RS_COUNT per region, then one availability per
 *   service, then sites down, then sites failed over.
 *
 *   Random streams are derived from (seed, replication, purpose, entity)
 *   (RNG_* in world_int.h), so the order of initialisation draws nothing
 *   from another mechanism's numbers.  That is also what makes the sites
 *   cache (cdn_world_cache_t) exact: the sites of a replication depend on
 *   (seed, replication) and the values sites.c reads, nothing else, so
 *   the arms of a comparison that leave those values alone can share one
 *   generation (sites.c, "Cache").
 *
 * Rejected alternatives: one world_t of flat arrays (was: 112 members and
 *   a 209-line builder: models/cdn_world.c before issue #8); an arena for the run's
 *   arrays (every array is sized once at init, so each struct's fini is a
 *   flat list of frees; an arena would save little).
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "world_int.h"

#define CDN_X_NAME(e, s) s,
static const char *const evkind_names[] = {CDN_EVKIND_MAP(CDN_X_NAME)};
#undef CDN_X_NAME


const char *cdn_evkind_name(cdn_evkind_t k)
{
    return (unsigned)k < CDN_EV_COUNT ? evkind_names[k] : "?";
}

void world_log_event(world_t *w, cdn_evkind_t kind, cdn_event_rec_t rec)
{
    if (w->nevents == w->capevents) {
        w->capevents = w->capevents ? 2 * w->capevents : 64;
        w->events = sim_xrealloc(w->events, w->capevents * sizeof *w->events);
    }
    rec.t_s = sim_now(w->sim);
    rec.kind = kind;
    w->events[w->nevents++] = rec;
}

cdn_event_rec_t world_blank_event(void)
{
    cdn_event_rec_t e;
    memset(&e, 0, sizeof e);
    e.artifact = e.generation = e.node = e.bad = e.region = e.server = e.action = -1;
    e.plan = e.proxy = e.service = e.process = -1;
    return e;
}

void world_shuffle(uint32_t *v, uint32_t n, sim_rng_t *rng)
{
    for (uint32_t k = n; k > 1; k--) {
        uint32_t j = (uint32_t)sim_rng_index(rng, k);
        uint32_t tmp = v[k - 1];
        v[k - 1] = v[j];
        v[j] = tmp;
    }
}

uint64_t world_server_key(const world_t *w, uint32_t srv)
{
    return w->fleet.srv_key[srv]; /* fleet_init: key2(REGION, index in the region) */
}

/* The hash's first three rounds are the world's (rng_prefix): a delivery
 * draws one of these per server and generation, and the four rounds of
 * sim_rng_derive were 3% of a comparison's instructions (issue 14). */
double world_keyed_u01(const world_t *w, uint64_t purpose, uint64_t entity)
{
    assert(purpose < WORLD_NPURPOSES); /* the RNG_* purposes; world_int.h checks the last */
    return sim_rng_u01(sim_rng_derive_entity(w->rng_prefix[purpose], entity));
}

/* Dimensions of the world; CDN_EDATA when they exceed the index types. */
static int world_dims(world_t *w, cdn_error_t *err)
{
    const cdn_scenario_t *s = w->s;
    w->nreg = s->nregions;
    w->nprox = s->nproxies;
    w->nart = s->nartifacts;
    w->nsvc = s->nservices;
    /* plan x proxy x bm x rules x scope features x failover, then one per named site */
    w->ncoh_base = s->sites.nplans * w->nprox * 4 * sites_dims(w) * 3;
    w->ncoh = w->ncoh_base + s->sites.nnamed;
    w->ngrp = w->ncoh_base / 3 + s->sites.nnamed;
    uint64_t nserv = 0;
    for (size_t r = 0; r < w->nreg; r++)
        nserv += s->regions[r].servers;
    if (nserv > UINT32_MAX - 1 || w->nprox > 255 || w->nart > 255) {
        if (err) {
            err->code = CDN_EDATA;
            snprintf(err->msg, sizeof err->msg, "%s: $.regions: too many servers (%llu)",
                     s->path ? s->path : "scenario", (unsigned long long)nserv);
        }
        return CDN_EDATA;
    }
    w->nserv = (uint32_t)nserv;
    return 0;
}

/* The kernel, the recorder and the event types (in this order: the type
 * numbers are part of the run). */
static void world_kernel(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    size_t nbins = cdn_measure_nbins(s->sim.duration_s, s->sim.bin_s);
    w->series_svc0 = w->nreg * CDN_RS_COUNT;
    w->series_sites = w->series_svc0 + w->nsvc;
    w->series_fo = w->series_sites + 1;
    w->rec = sim_recorder_create(0.0, s->sim.bin_s, nbins, w->series_fo + 1);
    w->sim = sim_create(0.0, s->sim.duration_s);
    w->ev_traffic = sim_register(w->sim, "traffic_step", traffic_on_step, w);
    w->ev_generate = sim_register(w->sim, "generate", artifacts_on_generate, w);
    w->ev_arrive = sim_register(w->sim, "arrive", fleet_on_arrive, w);
    w->ev_action = sim_register(w->sim, "action", operators_on_action, w);
    w->ev_restart_begin = sim_register(w->sim, "restart_begin", fleet_on_restart_begin, w);
    w->ev_restart_end = sim_register(w->sim, "restart_end", fleet_on_restart_end, w);
    w->ev_detect = sim_register(w->sim, "detect", operators_on_detect, w);
    w->ev_stage = sim_register(w->sim, "rollout_stage", artifacts_on_stage, w);
    w->ev_kill = sim_register(w->sim, "kill_switch", artifacts_on_kill, w);
    w->ev_svc_restore = sim_register(w->sim, "service_restore", services_on_restore, w);
    w->ev_failover = sim_register(w->sim, "failover", sites_on_failover, w);
    w->ev_wave = sim_register(w->sim, "restart_wave", operators_on_wave, w);
    w->ev_repair = sim_register(w->sim, "repair", repair_on_done, w);
    w->ev_svc_drain = sim_register(w->sim, "service_drain", services_on_drain, w);
    w->ev_trigger = sim_register(w->sim, "latent_trigger", artifacts_on_trigger, w);
    w->ev_undrain = sim_register(w->sim, "undrain", traffic_on_undrain, w);
    w->ev_bk_call_end = sim_register(w->sim, "backend_call_end", backends_on_call_end, w);
    w->ev_bk_retry = sim_register(w->sim, "backend_retry", backends_on_retry, w);
    w->ev_stage_step = sim_register(w->sim, "action_region", staging_on_step, w);
    w->ev_online = sim_register(w->sim, "online", repair_on_online, w);
    w->ev_repair_step = sim_register(w->sim, "repair_capacity", repair_on_step, w);
}

int world_init(world_t *w, const cdn_scenario_t *s, uint64_t seed, uint64_t rep, cdn_error_t *err)
{
    return world_init_cached(w, s, seed, rep, NULL, err);
}

int world_init_cached(world_t *w, const cdn_scenario_t *s, uint64_t seed, uint64_t rep,
                      cdn_world_cache_t *cache, cdn_error_t *err)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->seed = seed;
    w->replication = rep;
    for (uint64_t p = 0; p < WORLD_NPURPOSES; p++) /* world_keyed_u01 */
        w->rng_prefix[p] = sim_rng_derive_prefix(seed, rep, p);
    w->cache = cache;
    int rc = world_dims(w, err);
    if (rc != 0)
        return rc;
    world_kernel(w);
    fleet_init(w);
    artifacts_init(w);
    traffic_init(w);
    sites_init(w);
    traffic_groups_init(w);
    traffic_users_init(w);
    services_init(w);
    operators_init(w);
    backends_init(w);
    staging_init(w);
    repair_init(w);
    /* the first events, in this order (see the design comment) */
    sim_schedule(w->sim, 0.0, w->ev_traffic, 0, 0);
    artifacts_start(w);
    operators_start(w);
    artifacts_start_triggers(w);
    repair_start(w);
    return 0;
}

void world_fini(world_t *w)
{
    if (!w)
        return;
    repair_fini(w);
    backends_fini(w);
    staging_fini(w);
    operators_fini(w);
    services_fini(w);
    sites_fini(w);
    traffic_fini(w);
    artifacts_fini(w);
    fleet_fini(w);
    free(w->events);
    w->events = NULL;
    sim_recorder_destroy(w->rec);
    sim_destroy(w->sim);
}

static cdn_result_t *collect(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    /* Every signal ends with the simulated span.  The recorder's last bin
     * may reach past duration_s (a shorter last bin); finish() alone would
     * hold the last values over [duration_s, nbins * bin_s) too, and the
     * outputs, which divide by the bin's true length, would overstate it. */
    for (size_t k = 0; k < sim_recorder_nseries(w->rec); k++)
        sim_recorder_set(w->rec, k, s->sim.duration_s, 0.0);
    sim_recorder_finish(w->rec);
    cdn_result_t *res = sim_xcalloc(1, sizeof *res);
    size_t nb = sim_recorder_nbins(w->rec);
    res->seed = w->seed;
    res->replication = w->replication;
    res->nbins = nb;
    res->bin_s = s->sim.bin_s;
    res->nregions = w->nreg;
    res->nservices = w->nsvc;
    res->rseries = sim_xcalloc(w->nreg * CDN_RS_COUNT * nb, sizeof *res->rseries);
    res->svc_avail = sim_xcalloc((w->nsvc ? w->nsvc : 1) * nb, sizeof *res->svc_avail);
    res->sites_down = sim_xcalloc(nb, sizeof *res->sites_down);
    res->sites_failover = sim_xcalloc(nb, sizeof *res->sites_failover);
    for (size_t k = 0; k < w->nreg * CDN_RS_COUNT; k++)
        for (size_t b = 0; b < nb; b++)
            res->rseries[k * nb + b] = sim_recorder_integral(w->rec, k, b);
    for (size_t k = 0; k < w->nsvc; k++)
        for (size_t b = 0; b < nb; b++)
            res->svc_avail[k * nb + b] = sim_recorder_integral(w->rec, w->series_svc0 + k, b);
    for (size_t b = 0; b < nb; b++) {
        res->sites_down[b] = sim_recorder_integral(w->rec, w->series_sites, b);
        res->sites_failover[b] = sim_recorder_integral(w->rec, w->series_fo, b);
    }
    res->sites_total = s->sites.count + s->sites.nnamed; /* the named sites are besides count */
    res->ncohorts = w->ncoh;
    res->named0 = w->ncoh_base;
    res->cohort_sites = sim_xcalloc(w->ncoh, sizeof *res->cohort_sites);
    res->cohort_down_s = sim_xcalloc(w->ncoh, sizeof *res->cohort_down_s);
    for (size_t c = 0; c < w->ncoh; c++) {
        res->cohort_sites[c] = w->sites.coh_sites[c];
        res->cohort_down_s[c] = w->sites.coh_down_s[c];
        if (w->sites.coh_down[c]) /* still down at the end: close the interval */
            res->cohort_down_s[c] += s->sim.duration_s - w->sites.coh_down_since[c];
    }
    for (size_t c = 0; c < w->ncoh; c++) {
        if (w->sites.coh_ever_down[c])
            res->sites_ever_down += w->sites.coh_sites[c];
        if (w->sites.coh_ever_fo[c])
            res->sites_ever_failed_over += w->sites.coh_sites[c];
    }
    res->detected_s = w->ops.detected_s;
    res->diagnosed_s = w->ops.diagnosed_s;
    res->servers_total = w->nserv;
    res->nproxies = w->nprox;
    uint64_t qp[CDN_MAX_PROXIES] = {0}; /* exact sums (sites.c, "Exact sums") */
    for (size_t c = 0; c < w->ncoh; c++)
        qp[w->sites.coh_proxy[c]] += w->sites.coh_q[c];
    for (size_t p = 0; p < w->nprox; p++)
        res->proxy_traffic_share[p] = (double)qp[p] / (double)w->sites.q_total;
    res->nevents = w->nevents;
    res->events = w->events;
    w->events = NULL;
    res->kernel_events = sim_events_handled(w->sim);
    return res;
}

int cdn_world_run(const cdn_scenario_t *s, uint64_t seed, uint64_t replication,
                  cdn_result_t **out, cdn_error_t *err)
{
    return cdn_world_run_cached(s, seed, replication, NULL, out, err);
}

cdn_world_cache_t *cdn_world_cache_create(void)
{
    return sim_xcalloc(1, sizeof(cdn_world_cache_t));
}

void cdn_world_cache_destroy(cdn_world_cache_t *c)
{
    if (c == NULL)
        return;
    for (size_t k = 0; k < WORLD_CACHE_WAYS; k++) {
        free(c->way[k].coh_q);
        free(c->way[k].coh_sites);
    }
    free(c);
}

uint64_t cdn_world_cache_hits(const cdn_world_cache_t *c)
{
    return c->hits;
}

uint64_t cdn_world_cache_misses(const cdn_world_cache_t *c)
{
    return c->misses;
}

int cdn_world_run_cached(const cdn_scenario_t *s, uint64_t seed, uint64_t replication,
                         cdn_world_cache_t *cache, cdn_result_t **out, cdn_error_t *err)
{
    world_t w;
    *out = NULL;
    int rc = world_init_cached(&w, s, seed, replication, cache, err);
    if (rc != 0) {
        world_fini(&w);
        return rc;
    }
    sim_run(w.sim);
    *out = collect(&w);
    world_fini(&w);
    return 0;
}

void cdn_result_destroy(cdn_result_t *r)
{
    if (!r)
        return;
    free(r->rseries);
    free(r->svc_avail);
    free(r->sites_down);
    free(r->sites_failover);
    free(r->events);
    free(r->cohort_sites);
    free(r->cohort_down_s);
    free(r);
}

double cdn_result_region(const cdn_result_t *r, size_t region, cdn_rseries_t s, size_t bin)
{
    return r->rseries[(region * CDN_RS_COUNT + (size_t)s) * r->nbins + bin];
}

double cdn_result_global(const cdn_result_t *r, cdn_rseries_t s, size_t bin)
{
    double acc = 0;
    for (size_t k = 0; k < r->nregions; k++)
        acc += cdn_result_region(r, k, s, bin);
    return acc;
}
