/*
 * artifacts.c -- the config pipeline: the generator, delivery to the
 * servers, staged rollouts and their health gate, the latent trigger and
 * the kill switch.
 *
 * Data structure
 *   Per artifact an artifact_state_t: the generations made so far (size
 *   and badness; generation 0 is the initial good file every server
 *   starts with), the pending generator run, and the rollout in progress.
 *   Per region a random rollout order of its servers (roll_order, a
 *   permutation drawn once from RNG_ROLLOUT, keyed by the region's name).
 *   A delivery schedules one `arrive` event per server reached, after a
 *   latency keyed by (artifact, cause, server): the cause of a generation
 *   is its generator run (runs are counted, rejected ones too), the
 *   operator action that pushed it, or the halted generation it rolls
 *   back; so stopping generation early, or adding a push, leaves every
 *   other delivery's latencies as they were.  What a server does with the
 *   file is fleet.c's business.
 *
 * Generator: every period_s one run lands on a random cluster node
 *   (RNG_NODE); migrated nodes emit the bad size.  A bad file is rejected
 *   when validate_on_ingest, else it becomes a new generation and is
 *   distributed.  stop_generation cancels the pending run.
 *
 * Rollout machine (per artifact a; stages 0..n-1 of the scenario):
 *
 *      idle (roll_gen = 0) --generation g, n > 1--> rolling(g, 0): stage 0
 *      delivered, bake timer set
 *      rolling(g, i) --bake ends, gate passes, i + 2 < n--> rolling(g, i+1)
 *      rolling(g, i) --bake ends, gate passes, i + 2 = n--> idle (the last
 *      stage delivered: every server has g)
 *      rolling(g, i) --bake ends, more than gate_max_failing_frac of the
 *      servers reached are failing--> idle (halted; the last known good
 *      content goes as a new generation to stages 0..i)
 *      any --newer generation--> rolling(g', 0) (g superseded: its timer
 *      finds roll_gen != g and does nothing)
 *      any --push_last_known_good--> idle (the push goes everywhere, or
 *      region by region when staged: staging.c)
 *
 *   | state         | new generation | bake end, pass        | bake end, fail | push LKG |
 *   |---------------|----------------|-----------------------|----------------|----------|
 *   | idle          | rolling(g', 0) | (stale timer: no-op)  | (no-op)        | idle     |
 *   | rolling(g, i) | rolling(g', 0) | rolling(g, i+1) / idle| idle + rollback| idle     |
 *
 *   With n = 0 (no staging) or n = 1 a generation goes to its servers at
 *   once and the machine stays idle.  Invariants (artifacts_rollout_check):
 *   rolling implies n > 1, 1 <= roll_gen <= ngens and roll_stage + 1 < n;
 *   a stopped generator has no pending run; an unarmed artifact is latent.
 *
 * Complexity: a delivery costs O(servers reached) events; the gate
 *   O(servers reached) at each stage end.  A server's latency is one
 *   keyed uniform, an inverse normal CDF and an exp: the lognormal's
 *   sigma (a log and a second inverse normal, for the 99th percentile) is
 *   computed once per (artifact, region) in artifacts_init, not per
 *   server and file (artifacts_latency; it was a fifth of a comparison's
 *   time), with the operations of sim_rng_lognormal_quantile, so the bits
 *   are the same.
 *
 * Rejected alternatives: one event per (stage, region) that loads every
 *   server at once (loses the per-server latency that spreads the first
 *   failures); cancelling a superseded rollout's timer (a generation check
 *   in the handler is simpler and as cheap).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sim_alloc.h"
#include "world_int.h"

void artifacts_init(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    artifacts_t *ar = &w->arts;
    size_t na = w->nart ? w->nart : 1;
    ar->art = sim_xcalloc(na, sizeof *ar->art);
    ar->art_consumed = sim_xcalloc(na * w->nprox, 1);
    ar->art_region = sim_xcalloc(na * w->nreg, 1);
    ar->roll_order = sim_xcalloc(w->nserv ? w->nserv : 1, sizeof *ar->roll_order);
    ar->lat_median_s = sim_xcalloc(na * w->nreg + 1, sizeof *ar->lat_median_s);
    ar->lat_sigma = sim_xcalloc(na * w->nreg + 1, sizeof *ar->lat_sigma);
    ar->lat_mode = sim_xcalloc(na * w->nreg + 1, 1);
    for (size_t r = 0; r < w->nreg; r++) {
        const fleet_region_t *rg = &w->fleet.reg[r];
        /* rollout order: a uniformly random permutation of the region's servers */
        sim_rng_t ro;
        sim_rng_init(&ro, w->seed, w->replication, RNG_ROLLOUT, rg->key);
        uint32_t *order = ar->roll_order + rg->first_server;
        for (uint32_t k = 0; k < rg->nservers; k++)
            order[k] = rg->first_server + k;
        world_shuffle(order, rg->nservers, &ro);
        sim_rng_fini(&ro);
    }
    for (size_t a = 0; a < w->nart; a++) {
        const cdn_artifact_spec_t *as = &s->artifacts[a];
        for (size_t r = 0; r < w->nreg; r++) {
            ar->art_region[a * w->nreg + r] =
                (uint8_t)cdn_scenario_in_tiers(as->tiers, as->ntiers, &s->regions[r]);
        }
        for (size_t r = 0; r < w->nreg; r++) {
            double f = s->regions[r].latency_factor;
            double median = f * as->latency_median_s, p99 = f * as->latency_p99_s;
            size_t i = a * w->nreg + r;
            ar->lat_median_s[i] = median;
            if (!(median > 0) || !(p99 >= median) || !isfinite(p99))
                ar->lat_mode[i] = LAT_INVALID;
            else if (p99 == median)
                ar->lat_mode[i] = LAT_FIXED;
            else
                ar->lat_sigma[i] = log(p99 / median) / gsl_cdf_ugaussian_Pinv(0.99);
        }
        ar->art[a].key = sim_rng_key(as->name);
        sim_rng_init(&ar->art[a].rng_node, w->seed, w->replication, RNG_NODE, ar->art[a].key);
        ar->art[a].armed = as->latent_until_s <= 0;
        for (size_t k = 0; k < as->nconsumers; k++)
            ar->art_consumed[a * w->nprox + as->consumers[k]] = 1;
    }
}

void artifacts_fini(world_t *w)
{
    artifacts_t *ar = &w->arts;
    for (size_t a = 0; ar->art && a < w->nart; a++) {
        free(ar->art[a].gens);
        sim_rng_fini(&ar->art[a].rng_node);
    }
    free(ar->art);
    free(ar->art_consumed);
    free(ar->art_region);
    free(ar->roll_order);
    free(ar->lat_median_s);
    free(ar->lat_sigma);
    free(ar->lat_mode);
}

double artifacts_latency(const world_t *w, size_t a, size_t r, double u)
{
    size_t i = a * w->nreg + r;
    switch (w->arts.lat_mode[i]) {
    case LAT_INVALID:
        return NAN;
    case LAT_FIXED:
        return w->arts.lat_median_s[i];
    default:
        return w->arts.lat_median_s[i] * exp(w->arts.lat_sigma[i] * gsl_cdf_ugaussian_Pinv(u));
    }
}

/* The first generator runs (after the first traffic step, which is
 * scheduled before them). */
void artifacts_start(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    for (size_t a = 0; a < w->nart; a++)
        if (s->artifacts[a].first_run_s <= s->sim.duration_s)
            w->arts.art[a].next_run = sim_schedule(w->sim, s->artifacts[a].first_run_s,
                                                   w->ev_generate, (uint32_t)a, 0);
}

/* The triggers of latent artifacts (scheduled after the operators'
 * first events). */
void artifacts_start_triggers(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    for (size_t a = 0; a < w->nart; a++)
        if (!w->arts.art[a].armed && s->artifacts[a].latent_until_s <= s->sim.duration_s)
            sim_schedule(w->sim, s->artifacts[a].latent_until_s, w->ev_trigger, (uint32_t)a, 0);
}

/* Servers [ceil(lo * n_r), ceil(hi * n_r)) of every region's rollout
 * order: a stage takes the same share of every region (at least one
 * server each), so canaries see every region's traffic. */
static uint32_t stage_end(double frac, uint32_t n)
{
    double k = ceil(frac * (double)n - 1e-9);
    return k >= (double)n ? n : (uint32_t)k;
}

/* Servers of region r that stages 0..i of artifact a reach, cumulatively:
 * a fraction stage takes ceil(frac * n_r), a tier stage every server of a
 * region of its tiers (i < 0: none; i >= nstages: all). */
static uint32_t stage_count(const world_t *w, uint32_t a, long i, size_t r)
{
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    uint32_t n = w->fleet.reg[r].nservers, best = 0;
    if (i < 0)
        return 0;
    if (i >= (long)as->nstages)
        return n; /* also every "no staging" delivery */
    for (long j = 0; j <= i; j++) {
        uint32_t k = 0;
        if (!isnan(as->stage_frac[j])) {
            k = stage_end(as->stage_frac[j], n);
        } else {
            for (size_t q = 0; q < as->stage_ntiers[j]; q++)
                if (strcmp(as->stage_tiers[j][q], w->s->regions[r].tier) == 0)
                    k = n;
        }
        if (k > best)
            best = k;
    }
    return best;
}

/* Sends generation `gen` of artifact `a` to the servers that stage `to`
 * reaches and stage `from` did not (stage indices as in stage_count), in
 * each region's rollout order, each after its own distribution latency:
 * a keyed draw per (artifact, cause of the generation, server), so a
 * server's latency does not depend on how many deliveries came before. */
static void deliver_range(world_t *w, uint32_t a, uint32_t gen, long from, long to)
{
    uint64_t what = sim_rng_key2(w->arts.art[a].key, w->arts.art[a].gens[gen - 1].cause);
    for (size_t r = 0; r < w->nreg; r++) {
        const fleet_region_t *rg = &w->fleet.reg[r];
        if (!w->arts.art_region[a * w->nreg + r])
            continue; /* a tier that does not load this artifact */
        uint32_t k1 = stage_count(w, a, to, r);
        for (uint32_t k = stage_count(w, a, from, r); k < k1; k++) {
            uint32_t srv = w->arts.roll_order[rg->first_server + k];
            double u = world_keyed_u01(w, RNG_LATENCY, sim_rng_key2(what, world_server_key(w, srv)));
            double lat = artifacts_latency(w, a, r, u);
            sim_schedule_in(w->sim, lat, w->ev_arrive, srv, ((uint64_t)a << 32) | gen);
        }
    }
}

/* A generated artifact: to every server at once, or in stages (a newer
 * generation supersedes a rollout still in progress). */
static void distribute(world_t *w, uint32_t a, uint32_t gen)
{
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    artifact_state_t *st = &w->arts.art[a];
    if (as->nstages == 0) {
        deliver_range(w, a, gen, -1, 0);
        return;
    }
    st->roll_gen = gen;
    st->roll_stage = 0;
    deliver_range(w, a, gen, -1, 0);
    if (as->nstages > 1)
        sim_schedule_in(w->sim, as->stage_bake_s[0], w->ev_stage, a, gen);
    else
        st->roll_gen = 0;
}

static uint32_t new_generation(world_t *w, uint32_t a, double size, int bad, uint64_t cause)
{
    artifact_state_t *st = &w->arts.art[a];
    if (st->ngens == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 64;
        st->gens = sim_xrealloc(st->gens, st->cap * sizeof *st->gens);
    }
    st->gens[st->ngens].size = size;
    st->gens[st->ngens].bad = bad;
    st->gens[st->ngens].cause = cause;
    return ++st->ngens;
}

static uint32_t migrated_nodes(const cdn_artifact_spec_t *as, double t)
{
    uint64_t m = as->nodes_migrated_at_start;
    if (t >= as->migration_start_s) {
        if (as->migration_step_s <= 0)
            m = as->cluster_nodes;
        else
            m += (uint64_t)floor((t - as->migration_start_s) / as->migration_step_s) + 1;
    }
    return m > as->cluster_nodes ? as->cluster_nodes : (uint32_t)m;
}

void artifacts_on_generate(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t a = ev->a;
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    artifact_state_t *st = &w->arts.art[a];
    double t = sim_now(sim);
    st->next_run = 0;
    if (st->stopped)
        return;
    uint32_t run = st->runs++;
    uint32_t node = (uint32_t)sim_rng_index(&st->rng_node, as->cluster_nodes);
    int migrated = node < migrated_nodes(as, t);
    double size = migrated ? as->bad_size : as->normal_size;
    int bad = size > as->size_limit;
    cdn_event_rec_t e = world_blank_event();
    e.artifact = (int32_t)a;
    e.node = (int32_t)node;
    e.bad = bad;
    e.size = size;
    if (bad && as->validate_on_ingest) {
        world_log_event(w, CDN_EV_ARTIFACT_REJECTED, e);
    } else {
        uint32_t gen = new_generation(w, a, size, bad, sim_rng_key2(1, run));
        e.generation = (int32_t)gen;
        world_log_event(w, CDN_EV_ARTIFACT_GENERATED, e);
        distribute(w, a, gen);
    }
    double next = t + as->period_s;
    if (next <= sim_stop_time(sim))
        st->next_run = sim_schedule(sim, next, w->ev_generate, a, 0);
    assert(artifacts_rollout_check(w));
}

/* A latent artifact's trigger: every server holding a bad file of it
 * starts to suffer from it at once. */
void artifacts_on_trigger(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t a = ev->a;
    w->arts.art[a].armed = 1;
    cdn_event_rec_t e = world_blank_event();
    e.artifact = (int32_t)a;
    world_log_event(w, CDN_EV_ARTIFACT_TRIGGERED, e);
    for (uint32_t srv = 0; srv < w->nserv; srv++) {
        size_t i = (size_t)srv * w->nart + a;
        uint32_t g = w->fleet.srv_gen[i];
        if (g > 0 && w->arts.art[a].gens[g - 1].bad && !w->fleet.srv_artbad[i]) {
            fleet_set_artbad(w, srv, a, 1);
            fleet_reevaluate(w, srv);
        }
    }
    propagate_change(w, PROPAGATE_ALL, 0);
}

/* End of a stage's bake: check the health gate on the servers that have
 * the generation, then go on or halt and roll them back. */
void artifacts_on_stage(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t a = ev->a, gen = (uint32_t)ev->b;
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    artifact_state_t *st = &w->arts.art[a];
    if (st->roll_gen != gen)
        return; /* superseded by a newer generation, or halted */
    size_t i = st->roll_stage;
    if (as->health_gate) {
        uint64_t n = 0, failing = 0;
        for (size_t r = 0; r < w->nreg; r++) {
            const fleet_region_t *rg = &w->fleet.reg[r];
            if (!w->arts.art_region[a * w->nreg + r])
                continue;
            uint32_t k1 = stage_count(w, a, (long)i, r);
            for (uint32_t k = 0; k < k1; k++) {
                uint32_t srv = w->arts.roll_order[rg->first_server + k];
                n++;
                failing += w->fleet.srv_nfail[srv] > 0;
            }
        }
        if (n > 0 && (double)failing > as->gate_max_failing_frac * (double)n) {
            cdn_event_rec_t e = world_blank_event();
            e.artifact = (int32_t)a;
            e.generation = (int32_t)gen;
            e.count = (double)failing;
            world_log_event(w, CDN_EV_ROLLOUT_HALTED, e);
            st->roll_gen = 0;
            /* roll back: the last known good content, as a new generation,
             * to the servers that got this one */
            uint32_t back = new_generation(w, a, as->normal_size, 0,
                                           sim_rng_key2(3, st->gens[gen - 1].cause));
            cdn_event_rec_t g = world_blank_event();
            g.artifact = (int32_t)a;
            g.generation = (int32_t)back;
            g.bad = 0;
            g.size = as->normal_size;
            world_log_event(w, CDN_EV_ARTIFACT_GENERATED, g);
            deliver_range(w, a, back, -1, (long)i);
            assert(artifacts_rollout_check(w));
            return;
        }
    }
    st->roll_stage = i + 1;
    deliver_range(w, a, gen, (long)i, (long)i + 1);
    if (i + 2 < as->nstages)
        sim_schedule_in(w->sim, as->stage_bake_s[i + 1], w->ev_stage, a, gen);
    else
        st->roll_gen = 0; /* every server has it */
    assert(artifacts_rollout_check(w));
}

void artifacts_on_kill(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t srv = ev->a, a = (uint32_t)ev->b;
    w->fleet.srv_killed[(size_t)srv * w->nart + a] = 1;
    fleet_reevaluate(w, srv);
    propagate_change(w, PROPAGATE_REGION, w->fleet.srv_region[srv]);
}

/* stop_generation: no more runs of the generator. */
void artifacts_stop(world_t *w, uint32_t a)
{
    artifact_state_t *st = &w->arts.art[a];
    st->stopped = 1;
    if (st->next_run) {
        sim_cancel(w->sim, st->next_run);
        st->next_run = 0;
    }
}

/* The generation push_last_known_good (action k) pushes: the normal
 * content, logged as generated; an emergency push ends a rollout in
 * progress (its later stages would otherwise bring the bad file back). */
uint32_t artifacts_lkg_generation(world_t *w, uint32_t k)
{
    const cdn_action_spec_t *act = &w->s->actions[k];
    uint32_t a = (uint32_t)act->artifact;
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    uint32_t gen = new_generation(w, a, as->normal_size, as->normal_size > as->size_limit,
                                  sim_rng_key2(2, w->ops.act_key[k]));
    cdn_event_rec_t g = world_blank_event();
    g.artifact = act->artifact;
    g.generation = (int32_t)gen;
    g.bad = w->arts.art[a].gens[gen - 1].bad;
    g.size = as->normal_size;
    g.action = (int32_t)k;
    world_log_event(w, CDN_EV_ARTIFACT_GENERATED, g);
    w->arts.art[a].roll_gen = 0;
    return gen;
}

/* push_last_known_good (action k, untargeted): to every server at once. */
void artifacts_push_last_known_good(world_t *w, uint32_t k)
{
    uint32_t a = (uint32_t)w->s->actions[k].artifact;
    uint32_t gen = artifacts_lkg_generation(w, k);
    deliver_range(w, a, gen, -1, (long)w->s->artifacts[a].nstages);
    assert(artifacts_rollout_check(w));
}

/* A staged push's step: region r's servers that mask selects, in the
 * region's rollout order, each after the latency keyed by (artifact,
 * cause, server) -- the latency the server would have had in a global
 * push. */
void artifacts_deliver_region(world_t *w, uint32_t a, uint32_t gen, size_t r, const uint8_t *mask)
{
    const fleet_region_t *rg = &w->fleet.reg[r];
    if (!w->arts.art_region[a * w->nreg + r])
        return; /* a tier that does not load this artifact */
    uint64_t what = sim_rng_key2(w->arts.art[a].key, w->arts.art[a].gens[gen - 1].cause);
    for (uint32_t k = 0; k < rg->nservers; k++) {
        uint32_t srv = w->arts.roll_order[rg->first_server + k];
        if (mask != NULL && !mask[srv])
            continue;
        double u = world_keyed_u01(w, RNG_LATENCY, sim_rng_key2(what, world_server_key(w, srv)));
        double lat = artifacts_latency(w, a, r, u);
        sim_schedule_in(w->sim, lat, w->ev_arrive, srv, ((uint64_t)a << 32) | gen);
    }
}

/* kill_switch (action k) in region r: every server's latency is drawn
 * from the stream of (action, region) in index order, and the servers
 * mask selects (NULL: all) are scheduled, so a server's latency does not
 * depend on the share. */
void artifacts_kill_region(world_t *w, uint32_t k, size_t r, const uint8_t *mask)
{
    const cdn_action_spec_t *act = &w->s->actions[k];
    const cdn_artifact_spec_t *as = &w->s->artifacts[act->artifact];
    const fleet_region_t *rg = &w->fleet.reg[r];
    double f = w->s->regions[r].latency_factor;
    sim_rng_t rng;
    sim_rng_init(&rng, w->seed, w->replication, RNG_KILL, sim_rng_key2(w->ops.act_key[k], rg->key));
    for (uint32_t j = 0; j < rg->nservers; j++) {
        double lat = sim_rng_lognormal_median_p99(&rng, f * as->latency_median_s, f * as->latency_p99_s);
        if (mask == NULL || mask[rg->first_server + j])
            sim_schedule_in(w->sim, lat, w->ev_kill, rg->first_server + j, (uint64_t)act->artifact);
    }
    sim_rng_fini(&rng);
}

/* kill_switch (action k, untargeted): every server learns, after its own
 * delivery latency, to ignore the artifact. */
void artifacts_kill_switch(world_t *w, uint32_t k)
{
    for (size_t r = 0; r < w->nreg; r++)
        artifacts_kill_region(w, k, r, NULL);
}

/* The rollout machine's invariants (drawn above).  O(artifacts). */
int artifacts_rollout_check(const world_t *w)
{
    for (size_t a = 0; a < w->nart; a++) {
        const cdn_artifact_spec_t *as = &w->s->artifacts[a];
        const artifact_state_t *st = &w->arts.art[a];
        if (st->ngens > st->cap)
            return 0;
        if (st->roll_gen != 0 &&
            (as->nstages < 2 || st->roll_gen > st->ngens || st->roll_stage + 1 >= as->nstages))
            return 0;
        if (st->stopped && st->next_run != 0)
            return 0;
        if (!st->armed && as->latent_until_s <= 0)
            return 0;
    }
    return 1;
}
