/*
 * cdn_world.c -- the CDN outage model: artifact pipeline, servers and their
 * proxies, regions, fluid traffic, dependent sites, internal services and
 * scripted operators, on the sim/ kernel.
 *
 * Data layout
 *   Servers are individuals (their artifact arrival times and restarts
 *   matter one by one) stored as structs of arrays indexed by a global
 *   server index; regions own a contiguous range of servers.  Per
 *   (server, artifact): the generation loaded and whether it is bad.  Per
 *   (server, proxy): `hold` (holds a bad artifact that this proxy consumes
 *   and reacts to), `wedged` (stays failing until restarted) and a restart
 *   counter.  Regions keep counters derived from those, updated by deltas,
 *   so one server change costs O(cohorts), not O(servers).
 *
 *   Traffic is a fluid.  Sites are generated once (plan, proxy version,
 *   features, heavy-tailed popularity) and aggregated into cohorts of
 *   identical exposure: (plan, proxy, bot management on, bot-block rules
 *   on).  All sites of a cohort are served by the same fleet, so they see
 *   the same served share: a cohort is down as a whole.  This aggregation
 *   is exact for the mechanisms modelled here (no per-site failover yet).
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
 *      failing  = (hold || wedged) && not restarting
 *
 *   | state          | bad arrives        | good arrives | restart end        |
 *   |----------------|--------------------|--------------|--------------------|
 *   | healthy        | failing            | healthy      | healthy            |
 *   | failing        | failing            | healthy or   | per artifacts held |
 *   |                |                    | +wedged      |                    |
 *   | failing+wedged | failing+wedged     | failing      | per artifacts held |
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
 *   the model.  Site and service signals are global averages weighted by
 *   regional offered rate; their sums are updated by deltas between traffic
 *   steps and recomputed from scratch at every step.
 *
 * Rejected alternatives: one event per request (far too slow at 80 M
 *   requests/s); per-site state (not needed until sites differ in
 *   behaviour, as with failover); sampling signals at bin edges (misses
 *   short failures; the recorder integrates instead).
 */
#include "cdn_world.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim.h"
#include "sim_alloc.h"
#include "sim_recorder.h"
#include "sim_rng.h"

#define CDN_PI 3.14159265358979323846

#define CDN_X_NAME(e, s) s,
static const char *const rseries_names[] = {CDN_RSERIES_MAP(CDN_X_NAME)};
static const char *const evkind_names[] = {CDN_EVKIND_MAP(CDN_X_NAME)};
#undef CDN_X_NAME

const char *cdn_rseries_name(cdn_rseries_t s)
{
    return (unsigned)s < CDN_RS_COUNT ? rseries_names[s] : "?";
}

const char *cdn_evkind_name(cdn_evkind_t k)
{
    return (unsigned)k < CDN_EV_COUNT ? evkind_names[k] : "?";
}

/* Purposes of the random streams (never renumber: results depend on them). */
enum {
    RNG_SITES = 1,    /* entity 0: site generation */
    RNG_NODE = 2,     /* entity artifact: generator node choice */
    RNG_LATENCY = 3,  /* entity region: distribution latency */
    RNG_WEDGE = 4,    /* entity region: wedge draws */
    RNG_RESTART = 5,  /* entity (action << 32 | region): restart times */
    RNG_ROLLOUT = 6,  /* entity region: order of servers in staged rollouts */
    RNG_KILL = 7      /* entity (action << 32 | region): kill-switch delivery latency */
};

/* Failover state of a cohort of sites with a second CDN (docs/model.md). */
enum {
    FO_NORMAL = 0,     /* served by this CDN */
    FO_DETECTING,      /* down; health checks have not noticed yet */
    FO_WAITING_CP,     /* noticed; DNS is hosted here and the control plane is down */
    FO_SWITCHING,      /* DNS changed; clients move when the TTL expires */
    FO_FAILED_OVER,    /* served by the second CDN */
    FO_FAILBACK_PENDING /* failed over; this CDN is healthy again, waiting failback_s */
};

typedef struct region_state {
    double own_rps;        /* requests/s its own clients send (daily curve) */
    double offered_rps;    /* requests/s it receives: own, or 0 when drained, plus neighbours' */
    int drained;           /* every server out of service, or overload-drained: anycast moves its traffic away */
    int overload_drained;  /* drained by health checks for overload (until an undrain event) */
    double rho;            /* load / capacity at the last recompute */
    uint32_t first_server; /* global index of its first server */
    uint32_t nservers;
    uint32_t n_bad;        /* servers holding >= 1 bad artifact */
    uint32_t n_failing;    /* servers with >= 1 failing proxy */
    uint32_t n_restarting; /* servers with >= 1 proxy restarting */
    uint32_t n_out;        /* servers out of service: a proxy restarting or crashed */
    double err_rps;        /* current 5xx rate, requests/s (for the alert rule) */
    double deferred;       /* requests whose users will come back (surge), requests */
    double surge_rps;      /* of which come back per second over the current step */
    sim_rng_t rng_latency;
    sim_rng_t rng_wedge;
} region_state_t;

typedef struct generation {
    double size;
    int bad;
} generation_t;

typedef struct artifact_state {
    generation_t *gens; /* gens[g - 1] for generation g >= 1; 0 = the initial good one */
    uint32_t ngens, cap;
    int stopped;
    int first_bad_logged;
    sim_handle_t next_run;
    sim_rng_t rng_node;
    uint32_t roll_gen;   /* generation being rolled out in stages, 0 = none */
    int armed;           /* a bad file does harm (0 until a latent artifact's trigger) */
    size_t roll_stage;   /* its current stage */
} artifact_state_t;

typedef struct world {
    const cdn_scenario_t *s;
    uint64_t seed, replication;
    sim_t *sim;
    sim_recorder_t *rec;
    uint32_t ev_traffic, ev_generate, ev_arrive, ev_action, ev_restart_begin, ev_restart_end;
    uint32_t ev_detect, ev_stage, ev_kill, ev_svc_restore, ev_failover, ev_wave, ev_repair;
    uint32_t ev_svc_drain, ev_trigger, ev_undrain;

    size_t nreg, nprox, nart, nsvc, ncoh;
    size_t ncoh_base;       /* cohorts before the named sites' */
    uint32_t nserv;
    region_state_t *reg;
    uint32_t *srv_region;   /* [nserv] */
    uint32_t *srv_gen;      /* [nserv * nart] generation loaded */
    uint8_t *srv_artbad;    /* [nserv * nart] that generation is bad */
    uint8_t *srv_killed;    /* [nserv * nart] the kill switch for the artifact reached it */
    uint32_t *srv_pending;  /* [nserv * nart] newest generation that waits for the server to be back */
    uint32_t *roll_order;   /* [nserv] each region's servers in staged-rollout order */
    uint8_t *srv_nbad;      /* [nserv] artifacts held that are bad */
    uint8_t *srv_nfail;     /* [nserv] proxies failing */
    uint8_t *srv_nrest;     /* [nserv] proxies restarting */
    uint8_t *sp_hold;       /* [nserv * nprox] */
    uint8_t *sp_wedged;     /* [nserv * nprox] */
    double *sp_since;       /* [nserv * nprox] sim time hold last rose, s */
    uint16_t *sp_rest;      /* [nserv * nprox] restarts in progress (one per action at most: <= 10000) */
    uint8_t *sp_counted_fail; /* [nserv * nprox] counted as failing in the region */
    uint8_t *sp_counted_out;  /* [nserv * nprox] counted as out of service */
    uint8_t *srv_nout;        /* [nserv] proxies out of service */
    uint32_t *reg_out_p;      /* [nreg * nprox] servers where the proxy is out */
    /* repair crews (crash_repair): per proxy a FIFO of crashed servers */
    uint32_t **rq;            /* [nprox] ring buffers of nserv + 1 */
    uint32_t *rq_head, *rq_tail;
    uint8_t *rq_busy;         /* [nprox] the crew is working */
    uint8_t *sp_queued;       /* [nserv * nprox] waiting for repair */
    uint32_t *reg_fail_p;   /* [nreg * nprox] failing (and up) proxies */
    uint32_t *reg_down_p;   /* [nreg * nprox] restarting proxies */

    artifact_state_t *art;
    uint8_t *art_consumed;  /* [nart * nprox] 1 when proxy loads artifact */
    uint8_t *art_region;    /* [nart * nreg] 1 when the region's tier loads the artifact */
    uint8_t *prox_region;   /* [nprox * nreg] 1 when the proxy's effect applies in the region */

    /* cohorts */
    double *coh_share;      /* [ncoh] traffic share */
    uint64_t *coh_sites;    /* [ncoh] number of sites */
    uint8_t *coh_scope;     /* [ncoh] bit0 bot management, bit1 bot-block rules */
    uint32_t *coh_proxy;    /* [ncoh] */
    uint32_t *coh_plan;     /* [ncoh] */
    uint8_t *coh_fc;        /* [ncoh] failover class: 0 none, 1 own DNS, 2 DNS hosted here */
    uint8_t *coh_fo;        /* [ncoh] FO_* state */
    uint32_t *coh_fo_token; /* [ncoh] invalidates pending failover timers */
    uint8_t *coh_ever_fo;   /* [ncoh] */
    double fo_share;        /* traffic share of failed-over cohorts */
    uint64_t sites_fo;      /* sites currently failed over */
    uint8_t *coh_down;      /* [ncoh] currently down */
    uint8_t *coh_ever_down; /* [ncoh] */
    double *coh_down_since; /* [ncoh] sim time the cohort last went down */
    double *coh_down_s;     /* [ncoh] total time down so far, s */
    double *okf;            /* [nreg * ncoh] served share */
    double *coh_acc;        /* [ncoh] sum_r offered_r * okf */
    double *path_ok;        /* [nreg * nprox] served share of the proxy path (services) */
    double *path_acc;       /* [nprox] sum_r offered_r * path_ok */
    double total_offered;   /* sum_r offered_r */
    double *scratch;        /* [3 * ncoh] per-cohort work space of recompute_region */
    double *named_served;   /* [nnamed] served share of each named site, as others see it */
    uint64_t sites_down;

    /* services */
    uint32_t *svc_order;    /* dependencies first */
    uint8_t *svc_bypassed;
    uint32_t *svc_forced_down; /* fail_service outages in progress */
    double *svc_backlog;    /* [nsvc] users waiting to come back, s of normal demand */
    double *svc_rate;       /* [nsvc] d backlog / dt since svc_last_t */
    double *svc_last_t;     /* [nsvc] */
    double *svc_capacity;   /* [nsvc] current capacity (scale_service changes it) */
    uint32_t *svc_token;    /* [nsvc] invalidates a pending "backlog empty" event */
    double *svc_avail;

    /* operator actions */
    uint32_t *act_pending;  /* restarts scheduled or running, per action */
    uint32_t **act_order;   /* rate-limited restart waves: servers in random order */
    uint32_t *act_pos;      /* next position in act_order */

    cdn_event_rec_t *events;
    size_t nevents, capevents;

    /* incident response */
    double cond_since;      /* alert condition true since (NAN: false) */
    double last_flap;       /* last time the alert condition cleared */
    double last_check;
    double progress_s;      /* diagnosis work done */
    double detected_s, diagnosed_s; /* NAN until they happen */

    /* recorder series */
    size_t series_svc0, series_sites, series_fo;
} world_t;

/* ---------------------------------------------------------------- events */

static void log_event(world_t *w, cdn_evkind_t kind, cdn_event_rec_t rec)
{
    if (w->nevents == w->capevents) {
        w->capevents = w->capevents ? 2 * w->capevents : 64;
        w->events = sim_xrealloc(w->events, w->capevents * sizeof *w->events);
    }
    rec.t_s = sim_now(w->sim);
    rec.kind = kind;
    w->events[w->nevents++] = rec;
}

static cdn_event_rec_t blank_event(void)
{
    cdn_event_rec_t e;
    memset(&e, 0, sizeof e);
    e.artifact = e.generation = e.node = e.bad = e.region = e.server = e.action = -1;
    e.plan = e.proxy = e.service = -1;
    return e;
}

/* ------------------------------------------------------ rates and signals */

/* Effects that take the server out of service while the proxy fails. */
static int is_out_effect(cdn_effect_t e)
{
    return e == CDN_EFFECT_CRASH || e == CDN_EFFECT_CRASH_REPAIR || e == CDN_EFFECT_WITHDRAW;
}


static double scope_of(const world_t *w, uint32_t p, size_t c)
{
    switch (w->s->proxies[p].scope) {
    case CDN_SCOPE_ALL:
        return 1.0;
    case CDN_SCOPE_BOT_MANAGEMENT:
        return (w->coh_scope[c] & 1u) ? 1.0 : 0.0;
    case CDN_SCOPE_BOT_BLOCK_RULES:
        return (w->coh_scope[c] & 2u) ? 1.0 : 0.0;
    case CDN_SCOPE_COUNT:
        break;
    }
    return 1.0;
}

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
    double b = w->svc_backlog[k] + w->svc_rate[k] * (t - w->svc_last_t[k]);
    if (b < 1e-6)
        b = 0;
    w->svc_backlog[k] = b;
    w->svc_last_t[k] = t;
    double cap = w->svc_capacity[k], raw = a;
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
    if (rate != w->svc_rate[k]) {
        w->svc_rate[k] = rate;
        w->svc_token[k]++;
        if (b > 0 && rate < 0)
            sim_schedule_in(w->sim, b / -rate, w->ev_svc_drain, (uint32_t)k, w->svc_token[k]);
    }
    return a;
}

static void update_services(world_t *w, double t)
{
    const cdn_scenario_t *s = w->s;
    for (size_t i = 0; i < w->nsvc; i++) {
        uint32_t k = w->svc_order[i];
        const cdn_service_spec_t *sv = &s->services[k];
        int32_t path = w->svc_bypassed[k] ? sv->bypass_proxy : sv->behind_proxy;
        double a = 1.0;
        if (path >= 0 && w->total_offered > 0)
            a = w->path_acc[path] / w->total_offered;
        if (a > 1.0)
            a = 1.0;
        if (a < 0.0)
            a = 0.0;
        for (size_t d = 0; d < sv->ndeps; d++)
            a *= w->svc_avail[sv->deps[d]];
        if (w->svc_forced_down[k])
            a = 0.0;
        if (sv->capacity > 0)
            a = service_backlog(w, k, t, a);
        if (a != w->svc_avail[k]) {
            w->svc_avail[k] = a;
            sim_recorder_set(w->rec, w->series_svc0 + k, t, a);
        }
    }
}

static int control_plane_ok(const world_t *w)
{
    int32_t cp = w->s->sites.control_plane_service;
    return cp < 0 || w->svc_avail[cp] >= 0.5;
}

static void fo_timer(world_t *w, size_t c, uint8_t state, double delay_s)
{
    w->coh_fo[c] = state;
    sim_schedule_in(w->sim, delay_s, w->ev_failover, (uint32_t)c, ++w->coh_fo_token[c]);
}

/* Failover transitions that follow from the primary's health (the timed
 * ones are in on_failover).  State machine in docs/model.md. */
static void fo_observe(world_t *w, size_t c, int primary_down)
{
    const cdn_plan_spec_t *pl = &w->s->sites.plans[w->coh_plan[c]];
    switch (w->coh_fo[c]) {
    case FO_NORMAL:
        if (primary_down)
            fo_timer(w, c, FO_DETECTING, pl->failover_detect_s);
        break;
    case FO_DETECTING:
        if (!primary_down) {
            w->coh_fo[c] = FO_NORMAL;
            w->coh_fo_token[c]++;
        }
        break;
    case FO_WAITING_CP:
        /* the control plane is back: the customer logs in, checks again
         * and changes the records (one more detection delay) */
        if (!primary_down)
            w->coh_fo[c] = FO_NORMAL;
        else if (control_plane_ok(w))
            fo_timer(w, c, FO_DETECTING, pl->failover_detect_s);
        break;
    case FO_FAILED_OVER:
        if (!primary_down)
            fo_timer(w, c, FO_FAILBACK_PENDING, pl->failback_s);
        break;
    case FO_FAILBACK_PENDING:
        if (primary_down) {
            w->coh_fo[c] = FO_FAILED_OVER;
            w->coh_fo_token[c]++;
        }
        break;
    default: /* FO_SWITCHING: the TTL runs regardless */
        break;
    }
}

static int fo_served_elsewhere(uint8_t state)
{
    return state == FO_FAILED_OVER || state == FO_FAILBACK_PENDING;
}

static void update_sites(world_t *w, double t)
{
    double thr = w->s->sites.down_threshold;
    uint64_t down = 0, fo_sites = 0;
    for (size_t c = 0; c < w->ncoh; c++) {
        if (w->coh_sites[c] == 0)
            continue;
        double served = w->total_offered > 0 ? w->coh_acc[c] / w->total_offered : 1.0;
        if (c >= w->ncoh_base) { /* a named site also needs services and earlier sites */
            const cdn_named_site_spec_t *ns = &w->s->sites.named[c - w->ncoh_base];
            for (size_t d = 0; d < ns->ndeps; d++)
                served *= w->svc_avail[ns->deps[d]];
            for (size_t d = 0; d < ns->nsite_deps; d++)
                served *= w->named_served[ns->site_deps[d]];
        }
        int primary_down = served < thr;
        if (w->coh_fc[c])
            fo_observe(w, c, primary_down);
        uint8_t is_down = primary_down && !fo_served_elsewhere(w->coh_fo[c]);
        if (c >= w->ncoh_base) /* what sites that need this one see */
            w->named_served[c - w->ncoh_base] = fo_served_elsewhere(w->coh_fo[c]) ? 1.0 : served;
        if (fo_served_elsewhere(w->coh_fo[c]))
            fo_sites += w->coh_sites[c];
        if (is_down && !w->coh_down[c])
            w->coh_down_since[c] = t;
        else if (!is_down && w->coh_down[c])
            w->coh_down_s[c] += t - w->coh_down_since[c];
        w->coh_down[c] = is_down;
        if (is_down) {
            down += w->coh_sites[c];
            w->coh_ever_down[c] = 1;
        }
    }
    if (down != w->sites_down) {
        w->sites_down = down;
        sim_recorder_set(w->rec, w->series_sites, t, (double)down);
    }
    if (fo_sites != w->sites_fo) {
        w->sites_fo = fo_sites;
        sim_recorder_set(w->rec, w->series_fo, t, (double)fo_sites);
    }
}

/* Recomputes region r's rates from its counters and records them; keeps
 * the global weighted sums in step.  `full` skips the deltas (the caller
 * rebuilds the sums). */
static void recompute_region(world_t *w, size_t r, double t, int full)
{
    const cdn_scenario_t *s = w->s;
    region_state_t *rg = &w->reg[r];
    double off = rg->offered_rps;
    double base = s->traffic.baseline_err5xx_frac;
    /* capacity: servers in service, less the CPU failing proxies burn */
    double up_servers = (double)(rg->nservers - rg->n_out);
    for (size_t p = 0; p < w->nprox; p++) {
        const cdn_proxy_spec_t *px = &s->proxies[p];
        double burn = px->on_bad_artifact == CDN_EFFECT_CPU_EXHAUSTION ? px->affected_frac
                                                                       : px->error_cpu_frac;
        if (!is_out_effect(px->on_bad_artifact))
            up_servers -= burn * (double)w->reg_fail_p[r * w->nprox + p];
    }
    if (up_servers < 0)
        up_servers = 0;
    double capacity = up_servers * s->regions[r].server_capacity_rps;

    /* pass 1: each cohort's direct 5xx and block shares (before overload)
     * and its retry multiplier; the load they put on the servers */
    double *ef = w->scratch, *bf = w->scratch + w->ncoh, *mult = w->scratch + 2 * w->ncoh;
    double load = 0;
    for (size_t c = 0; c < w->ncoh; c++) {
        uint32_t p = w->coh_proxy[c];
        uint32_t up = rg->nservers - w->reg_out_p[r * w->nprox + p];
        double e = 0, b = 0;
        if (up == 0) {
            e = 1.0;
        } else {
            double f = (double)w->reg_fail_p[r * w->nprox + p] / (double)up;
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
        ef[c] = e;
        bf[c] = b;
        mult[c] = m;
        if (!fo_served_elsewhere(w->coh_fo[c])) /* failed-over traffic is elsewhere */
            load += off * w->coh_share[c] * m;
    }
    double x = (load > capacity && load > 0) ? 1.0 - capacity / load : 0.0;
    rg->rho = capacity > 0 ? load / capacity : (load > 0 ? INFINITY : 0.0);

    /* pass 2: attempts, with the overload share of the otherwise served */
    double err = 0, blk = 0, ok = 0, fo = 0, attempts = 0;
    for (size_t c = 0; c < w->ncoh; c++) {
        double T = off * w->coh_share[c] * mult[c];
        double e = T * ef[c], b = T * bf[c];
        double o = T - e - b;
        e += o * x;
        o -= o * x;
        if (fo_served_elsewhere(w->coh_fo[c])) {
            fo += off * w->coh_share[c]; /* o / T is still the health the checks see */
            attempts += off * w->coh_share[c];
        } else {
            err += e;
            blk += b;
            ok += o;
            attempts += T;
        }
        double f_ok = w->coh_share[c] > 0 ? (T > 0 ? o / T : 1.0 - x) : 1.0;
        double *slot = &w->okf[r * w->ncoh + c];
        if (!full)
            w->coh_acc[c] += off * (f_ok - *slot);
        *slot = f_ok;
    }
    for (size_t p = 0; p < w->nprox; p++) {
        uint32_t up = rg->nservers - w->reg_out_p[r * w->nprox + p];
        double pok = 0.0;
        if (up > 0) {
            double f = (double)w->reg_fail_p[r * w->nprox + p] / (double)up;
            pok = 1.0;
            if (s->proxies[p].on_bad_artifact == CDN_EFFECT_PANIC)
                pok -= f * s->proxies[p].affected_frac;
            pok *= 1.0 - x;
        }
        double *slot = &w->path_ok[r * w->nprox + p];
        if (!full)
            w->path_acc[p] += off * (pok - *slot);
        *slot = pok;
    }

    size_t b0 = r * CDN_RS_COUNT;
    sim_recorder_set(w->rec, b0 + CDN_RS_OFFERED, t, attempts);
    sim_recorder_set(w->rec, b0 + CDN_RS_OK, t, ok);
    sim_recorder_set(w->rec, b0 + CDN_RS_ERR5XX, t, err);
    sim_recorder_set(w->rec, b0 + CDN_RS_BLOCKED, t, blk);
    sim_recorder_set(w->rec, b0 + CDN_RS_FAILOVER, t, fo);
    rg->err_rps = err;
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_BAD, t, (double)rg->n_bad);
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_FAILING, t, (double)rg->n_failing);
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_RESTARTING, t, (double)rg->n_restarting);
    sim_recorder_set(w->rec, b0 + CDN_RS_SERVERS_OUT, t, (double)rg->n_out);
    /* response time: an M/M/1 sojourn factor on the base latency, with the
     * utilisation of the capacity in service (capped at 0.98) */
    double rho = capacity > 0 ? load * (1.0 - x) / capacity : 1.0;
    if (rho > 0.98)
        rho = 0.98;
    sim_recorder_set(w->rec, b0 + CDN_RS_LATENCY_X_OK, t, ok * s->traffic.base_latency_ms / (1.0 - rho));
}

/* Services, then sites (failover may wait for a service). */
static void refresh(world_t *w, double t)
{
    update_services(w, t);
    update_sites(w, t);
}

/* Anycast: a drained region's own traffic goes, in equal parts, to its
 * neighbours that are not drained (one hop); with none left it stays and
 * fails there. */
static void route_traffic(world_t *w)
{
    for (size_t r = 0; r < w->nreg; r++)
        w->reg[r].offered_rps = w->reg[r].drained ? 0.0 : w->reg[r].own_rps;
    for (size_t d = 0; d < w->nreg; d++) {
        if (!w->reg[d].drained)
            continue;
        const cdn_region_spec_t *rs = &w->s->regions[d];
        size_t avail = 0;
        for (size_t k = 0; k < rs->nneighbors; k++)
            avail += !w->reg[rs->neighbors[k]].drained;
        if (avail == 0) {
            w->reg[d].offered_rps += w->reg[d].own_rps;
            continue;
        }
        for (size_t k = 0; k < rs->nneighbors; k++)
            if (!w->reg[rs->neighbors[k]].drained)
                w->reg[rs->neighbors[k]].offered_rps += w->reg[d].own_rps / (double)avail;
    }
}

static void recompute_all(world_t *w, double t);
static void overload_cascade(world_t *w, double t);

static void region_changed(world_t *w, size_t r)
{
    double t = sim_now(w->sim);
    region_state_t *rg = &w->reg[r];
    int drained = rg->n_out == rg->nservers || rg->overload_drained;
    if (drained != rg->drained) {
        rg->drained = drained;
        cdn_event_rec_t e = blank_event();
        e.region = (int32_t)r;
        log_event(w, drained ? CDN_EV_REGION_DRAINED : CDN_EV_REGION_RESTORED, e);
        route_traffic(w);
        recompute_all(w, t);
        return;
    }
    recompute_region(w, r, t, 0);
    refresh(w, t);
    if (w->s->regions[r].overload_drain_rho > 0)
        overload_cascade(w, t);
}

/* Health checks drain regions whose load exceeds overload_drain_rho times
 * their capacity; their traffic moves to their neighbours, which may then
 * be drained in turn (a cascade), until no region is over its threshold.
 * Each drained region takes traffic again after overload_drain_s. */
static void overload_cascade(world_t *w, double t)
{
    for (size_t round = 0; round <= w->nreg; round++) {
        int any = 0;
        for (size_t r = 0; r < w->nreg; r++) {
            region_state_t *rg = &w->reg[r];
            double thr = w->s->regions[r].overload_drain_rho;
            if (thr <= 0 || rg->drained || rg->rho < thr)
                continue;
            rg->overload_drained = 1;
            rg->drained = 1;
            cdn_event_rec_t e = blank_event();
            e.region = (int32_t)r;
            log_event(w, CDN_EV_REGION_DRAINED, e);
            sim_schedule_in(w->sim, w->s->regions[r].overload_drain_s, w->ev_undrain, (uint32_t)r, 0);
            any = 1;
        }
        if (!any)
            return;
        route_traffic(w);
        recompute_all(w, t);
    }
}

static void on_undrain(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    w->reg[ev->a].overload_drained = 0;
    region_changed(w, ev->a); /* restored unless all its servers are out */
    overload_cascade(w, sim_now(sim));
}

/* Every region at once (offered rates or cohort traffic moved): rates and
 * the weighted sums rebuilt from scratch, so no drift accumulates. */
static void recompute_all(world_t *w, double t)
{
    w->total_offered = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        w->total_offered += w->reg[r].offered_rps;
        recompute_region(w, r, t, 1);
    }
    for (size_t c = 0; c < w->ncoh; c++) {
        double acc = 0;
        for (size_t r = 0; r < w->nreg; r++)
            acc += w->reg[r].offered_rps * w->okf[r * w->ncoh + c];
        w->coh_acc[c] = acc;
    }
    for (size_t p = 0; p < w->nprox; p++) {
        double acc = 0;
        for (size_t r = 0; r < w->nreg; r++)
            acc += w->reg[r].offered_rps * w->path_ok[r * w->nprox + p];
        w->path_acc[p] = acc;
    }
    refresh(w, t);
}

/* -------------------------------------------------- server proxy states */

/* Re-derives whether (server, proxy) counts as failing / restarting and
 * applies the deltas to the server's and the region's counters. */
static void repair_enqueue(world_t *w, uint32_t srv, uint32_t p)
{
    size_t i = (size_t)srv * w->nprox + p;
    if (w->sp_queued[i])
        return;
    w->sp_queued[i] = 1;
    w->rq[p][w->rq_tail[p]] = srv;
    w->rq_tail[p] = (w->rq_tail[p] + 1) % (w->nserv + 1);
    if (!w->rq_busy[p]) {
        w->rq_busy[p] = 1;
        sim_schedule_in(w->sim, 3600.0 / w->s->proxies[p].repair_rate_per_h, w->ev_repair, p, 0);
    }
}

static void sp_apply(world_t *w, uint32_t srv, uint32_t p)
{
    size_t i = (size_t)srv * w->nprox + p;
    size_t r = w->srv_region[srv];
    region_state_t *rg = &w->reg[r];
    cdn_effect_t eff = w->s->proxies[p].on_bad_artifact;
    int failing = (w->sp_hold[i] || w->sp_wedged[i]) && w->sp_rest[i] == 0;
    if (failing && eff == CDN_EFFECT_CRASH_REPAIR && !w->sp_wedged[i]) {
        w->sp_wedged[i] = 1; /* crashed: stays down until the crew repairs it */
        repair_enqueue(w, srv, p);
    }
    int out = w->sp_rest[i] > 0 || (failing && is_out_effect(eff));
    if (out != w->sp_counted_out[i]) {
        if (out) {
            w->reg_out_p[r * w->nprox + p]++;
            if (w->srv_nout[srv]++ == 0)
                rg->n_out++;
        } else {
            w->reg_out_p[r * w->nprox + p]--;
            if (--w->srv_nout[srv] == 0) {
                rg->n_out--;
                /* back in service: it pulls what it missed */
                for (size_t a = 0; a < w->nart; a++) {
                    uint32_t *pend = &w->srv_pending[(size_t)srv * w->nart + a];
                    if (*pend > w->srv_gen[(size_t)srv * w->nart + a])
                        sim_schedule_in(w->sim, 0.0, w->ev_arrive, srv, ((uint64_t)a << 32) | *pend);
                    *pend = 0;
                }
            }
        }
        w->sp_counted_out[i] = (uint8_t)out;
    }
    if (failing != w->sp_counted_fail[i]) {
        if (failing) {
            w->reg_fail_p[r * w->nprox + p]++;
            if (w->srv_nfail[srv]++ == 0)
                rg->n_failing++;
        } else {
            w->reg_fail_p[r * w->nprox + p]--;
            if (--w->srv_nfail[srv] == 0)
                rg->n_failing--;
        }
        w->sp_counted_fail[i] = (uint8_t)failing;
    }
}

/* The proxy stops holding a bad artifact after failing for `held_s`:
 * it entered the wedged state at some time in that span with probability
 * 1 - exp(-rate * held). */
static void sp_hold_falls(world_t *w, uint32_t srv, uint32_t p, double held_s)
{
    size_t i = (size_t)srv * w->nprox + p;
    double rate = w->s->proxies[p].wedge_rate_per_h;
    if (rate > 0 && !w->sp_wedged[i] && held_s > 0 &&
        sim_rng_bernoulli(&w->reg[w->srv_region[srv]].rng_wedge, -expm1(-rate * held_s / 3600.0)))
        w->sp_wedged[i] = 1;
}

/* Recomputes `hold` of every proxy on srv from the artifacts it holds. */
static void server_reevaluate(world_t *w, uint32_t srv)
{
    double now = sim_now(w->sim);
    for (uint32_t p = 0; p < w->nprox; p++) {
        size_t i = (size_t)srv * w->nprox + p;
        uint8_t hold = 0;
        if (w->s->proxies[p].on_bad_artifact != CDN_EFFECT_NONE &&
            w->prox_region[p * w->nreg + w->srv_region[srv]]) {
            for (size_t a = 0; a < w->nart; a++)
                if (w->art_consumed[a * w->nprox + p] && w->srv_artbad[(size_t)srv * w->nart + a] &&
                    !w->srv_killed[(size_t)srv * w->nart + a])
                    hold = 1;
        }
        if (hold && !w->sp_hold[i])
            w->sp_since[i] = now;
        else if (!hold && w->sp_hold[i] && w->sp_rest[i] == 0)
            sp_hold_falls(w, srv, p, now - w->sp_since[i]);
        w->sp_hold[i] = hold;
        sp_apply(w, srv, p);
    }
}

#ifndef NDEBUG
/* The region counters equal what the per-server state implies (the
 * invariant of the delta updates).  O(servers * proxies). */
static int world_check(const world_t *w)
{
    for (size_t r = 0; r < w->nreg; r++) {
        const region_state_t *rg = &w->reg[r];
        uint32_t bad = 0, failing = 0, restarting = 0, outs = 0;
        for (uint32_t k = 0; k < rg->nservers; k++) {
            uint32_t srv = rg->first_server + k;
            uint32_t nbad = 0, nfail = 0, nrest = 0, nout = 0;
            for (size_t a = 0; a < w->nart; a++)
                nbad += w->srv_artbad[(size_t)srv * w->nart + a];
            for (size_t p = 0; p < w->nprox; p++) {
                size_t i = (size_t)srv * w->nprox + p;
                int f = (w->sp_hold[i] || w->sp_wedged[i]) && w->sp_rest[i] == 0;
                if (f != w->sp_counted_fail[i])
                    return 0;
                int out = w->sp_rest[i] > 0 || (f && is_out_effect(w->s->proxies[p].on_bad_artifact));
                if (out != w->sp_counted_out[i])
                    return 0;
                nfail += (uint32_t)f;
                nrest += w->sp_rest[i] > 0;
                nout += (uint32_t)out;
            }
            if (nbad != w->srv_nbad[srv] || nfail != w->srv_nfail[srv] ||
                nrest != w->srv_nrest[srv] || nout != w->srv_nout[srv])
                return 0;
            outs += nout > 0;
            bad += nbad > 0;
            failing += nfail > 0;
            restarting += nrest > 0;
        }
        if (bad != rg->n_bad || failing != rg->n_failing || restarting != rg->n_restarting ||
            outs != rg->n_out)
            return 0;
        for (size_t p = 0; p < w->nprox; p++) {
            uint32_t fp = 0, dp = 0;
            for (uint32_t k = 0; k < rg->nservers; k++) {
                size_t i = (size_t)(rg->first_server + k) * w->nprox + p;
                fp += w->sp_counted_fail[i];
                dp += w->sp_rest[i] > 0;
            }
            if (fp != w->reg_fail_p[r * w->nprox + p] || dp != w->reg_down_p[r * w->nprox + p])
                return 0;
        }
    }
    return 1;
}
#endif

/* ------------------------------------------------------ event handlers */

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
    uint32_t n = w->reg[r].nservers, best = 0;
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
 * each region's rollout order, each after its own distribution latency. */
static void deliver_range(world_t *w, uint32_t a, uint32_t gen, long from, long to)
{
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    for (size_t r = 0; r < w->nreg; r++) {
        region_state_t *rg = &w->reg[r];
        if (!w->art_region[a * w->nreg + r])
            continue; /* a tier that does not load this artifact */
        uint32_t k1 = stage_count(w, a, to, r);
        for (uint32_t k = stage_count(w, a, from, r); k < k1; k++) {
            double f = w->s->regions[r].latency_factor;
            double lat = sim_rng_lognormal_median_p99(&rg->rng_latency, f * as->latency_median_s,
                                                      f * as->latency_p99_s);
            sim_schedule_in(w->sim, lat, w->ev_arrive, w->roll_order[rg->first_server + k],
                            ((uint64_t)a << 32) | gen);
        }
    }
}

/* A generated artifact: to every server at once, or in stages (a newer
 * generation supersedes a rollout still in progress). */
static void distribute(world_t *w, uint32_t a, uint32_t gen)
{
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    artifact_state_t *st = &w->art[a];
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

static uint32_t new_generation(world_t *w, uint32_t a, double size, int bad)
{
    artifact_state_t *st = &w->art[a];
    if (st->ngens == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 64;
        st->gens = sim_xrealloc(st->gens, st->cap * sizeof *st->gens);
    }
    st->gens[st->ngens].size = size;
    st->gens[st->ngens].bad = bad;
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

static void on_generate(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t a = ev->a;
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    artifact_state_t *st = &w->art[a];
    double t = sim_now(sim);
    st->next_run = 0;
    if (st->stopped)
        return;
    uint32_t node = (uint32_t)sim_rng_index(&st->rng_node, as->cluster_nodes);
    int migrated = node < migrated_nodes(as, t);
    double size = migrated ? as->bad_size : as->normal_size;
    int bad = size > as->size_limit;
    cdn_event_rec_t e = blank_event();
    e.artifact = (int32_t)a;
    e.node = (int32_t)node;
    e.bad = bad;
    e.size = size;
    if (bad && as->validate_on_ingest) {
        log_event(w, CDN_EV_ARTIFACT_REJECTED, e);
    } else {
        uint32_t gen = new_generation(w, a, size, bad);
        e.generation = (int32_t)gen;
        log_event(w, CDN_EV_ARTIFACT_GENERATED, e);
        distribute(w, a, gen);
    }
    double next = t + as->period_s;
    if (next <= sim_stop_time(sim))
        st->next_run = sim_schedule(sim, next, w->ev_generate, a, 0);
}

/* Server srv now holds a bad (or good) file of artifact a: counters. */
static void set_artbad(world_t *w, uint32_t srv, uint32_t a, uint8_t bad)
{
    size_t i = (size_t)srv * w->nart + a;
    uint32_t r = w->srv_region[srv];
    w->srv_artbad[i] = bad;
    if (bad) {
        if (w->srv_nbad[srv]++ == 0)
            w->reg[r].n_bad++;
    } else {
        if (--w->srv_nbad[srv] == 0)
            w->reg[r].n_bad--;
    }
}

/* A latent artifact's trigger: every server holding a bad file of it
 * starts to suffer from it at once. */
static void on_trigger(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t a = ev->a;
    w->art[a].armed = 1;
    cdn_event_rec_t e = blank_event();
    e.artifact = (int32_t)a;
    log_event(w, CDN_EV_ARTIFACT_TRIGGERED, e);
    for (uint32_t srv = 0; srv < w->nserv; srv++) {
        size_t i = (size_t)srv * w->nart + a;
        uint32_t g = w->srv_gen[i];
        if (g > 0 && w->art[a].gens[g - 1].bad && !w->srv_artbad[i]) {
            set_artbad(w, srv, a, 1);
            server_reevaluate(w, srv);
        }
    }
    recompute_all(w, sim_now(sim));
}

static int load_generation(world_t *w, uint32_t srv, uint32_t a, uint32_t gen);

static void on_arrive(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t srv = ev->a;
    uint32_t a = (uint32_t)(ev->b >> 32);
    uint32_t gen = (uint32_t)(ev->b & 0xffffffffu);
    size_t i = (size_t)srv * w->nart + a;
    if (gen <= w->srv_gen[i])
        return; /* an older generation overtaken by a newer one */
    if (w->s->artifacts[a].pull_when_online && w->srv_nout[srv] > 0) {
        if (gen > w->srv_pending[i]) /* pulled when the server is back in service */
            w->srv_pending[i] = gen;
        return;
    }
    if (load_generation(w, srv, a, gen)) {
        server_reevaluate(w, srv);
        region_changed(w, w->srv_region[srv]);
    }
}

/* Server srv now has generation gen of artifact a on disk; returns 1 when
 * that changed whether it holds a bad file (the caller re-evaluates). */
static int load_generation(world_t *w, uint32_t srv, uint32_t a, uint32_t gen)
{
    size_t i = (size_t)srv * w->nart + a;
    w->srv_gen[i] = gen;
    uint8_t bad = (uint8_t)(w->art[a].gens[gen - 1].bad && w->art[a].armed);
    uint32_t r = w->srv_region[srv];
    int changed = bad != w->srv_artbad[i];
    if (changed)
        set_artbad(w, srv, a, bad);
    if (bad && !w->art[a].first_bad_logged) {
        w->art[a].first_bad_logged = 1;
        cdn_event_rec_t e = blank_event();
        e.artifact = (int32_t)a;
        e.generation = (int32_t)gen;
        e.bad = 1;
        e.size = w->art[a].gens[gen - 1].size;
        e.region = (int32_t)r;
        e.server = (int32_t)srv;
        log_event(w, CDN_EV_FIRST_BAD_LOAD, e);
    }
    return changed;
}

/* A server that boots (restart, repair) pulls the files it missed while
 * out of service before it loads them. */
static void pull_pending(world_t *w, uint32_t srv)
{
    for (size_t a = 0; a < w->nart; a++) {
        uint32_t *pend = &w->srv_pending[(size_t)srv * w->nart + a];
        if (*pend > w->srv_gen[(size_t)srv * w->nart + a])
            load_generation(w, srv, (uint32_t)a, *pend);
        *pend = 0;
    }
}

static int restart_matches(const cdn_action_spec_t *act, uint32_t p)
{
    return act->proxy < 0 || (uint32_t)act->proxy == p;
}

static void restart_ended(world_t *w, uint32_t k);

/* Whether a restart of this action has anything to do on srv. */
static int restart_wanted(const world_t *w, const cdn_action_spec_t *act, uint32_t srv)
{
    if (!act->only_failing)
        return 1;
    for (uint32_t p = 0; p < w->nprox; p++)
        if (restart_matches(act, p) && w->sp_counted_fail[(size_t)srv * w->nprox + p])
            return 1;
    return 0;
}

static void on_restart_begin(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t srv = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[ev->b];
    uint32_t r = w->srv_region[srv];
    if (!restart_wanted(w, act, srv)) {
        restart_ended(w, (uint32_t)ev->b);
        return;
    }
    for (uint32_t p = 0; p < w->nprox; p++) {
        if (!restart_matches(act, p))
            continue;
        size_t i = (size_t)srv * w->nprox + p;
        if (w->sp_rest[i]++ == 0) {
            w->reg_down_p[r * w->nprox + p]++;
            if (w->srv_nrest[srv]++ == 0)
                w->reg[r].n_restarting++;
        }
        sp_apply(w, srv, p);
    }
    region_changed(w, r);
    sim_schedule_in(sim, act->restart_s, w->ev_restart_end, srv, ev->b);
}

static void on_restart_end(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t srv = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[ev->b];
    uint32_t r = w->srv_region[srv];
    for (uint32_t p = 0; p < w->nprox; p++) {
        if (!restart_matches(act, p))
            continue;
        size_t i = (size_t)srv * w->nprox + p;
        if (--w->sp_rest[i] == 0) {
            w->reg_down_p[r * w->nprox + p]--;
            if (--w->srv_nrest[srv] == 0)
                w->reg[r].n_restarting--;
            w->sp_wedged[i] = 0;
            w->sp_hold[i] = 0; /* a fresh process: re-evaluated below, no wedge draw */
        }
    }
    pull_pending(w, srv);
    server_reevaluate(w, srv);
    region_changed(w, r);
    restart_ended(w, (uint32_t)ev->b);
}

/* One restart of action k is over (or skipped); the wave is done when
 * none is pending and a rate-limited walk has reached its end. */
static void restart_ended(world_t *w, uint32_t k)
{
    int walking = w->act_order[k] != NULL && w->act_pos[k] < w->nserv;
    if (--w->act_pending[k] == 0 && !walking) {
        cdn_event_rec_t e = blank_event();
        e.action = (int32_t)k;
        log_event(w, CDN_EV_RESTART_WAVE_DONE, e);
    }
}

/* A rate-limited wave: the next server in the walk (skipping, at no cost,
 * servers an only_failing wave does not need), then wait 1 / rate. */
static void on_wave(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t k = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[k];
    uint32_t *order = w->act_order[k];
    while (w->act_pos[k] < w->nserv && !restart_wanted(w, act, order[w->act_pos[k]]))
        w->act_pos[k]++;
    if (w->act_pos[k] >= w->nserv) {
        w->act_pending[k]++; /* balanced by restart_ended: reports the end of the walk */
        restart_ended(w, k);
        return;
    }
    w->act_pending[k]++;
    sim_schedule_in(sim, 0.0, w->ev_restart_begin, order[w->act_pos[k]++], k);
    sim_schedule_in(sim, 1.0 / act->rate_per_s, w->ev_wave, k, 0);
}

/* End of a stage's bake: check the health gate on the servers that have
 * the generation, then go on or halt and roll them back. */
static void on_stage(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t a = ev->a, gen = (uint32_t)ev->b;
    const cdn_artifact_spec_t *as = &w->s->artifacts[a];
    artifact_state_t *st = &w->art[a];
    if (st->roll_gen != gen)
        return; /* superseded by a newer generation, or halted */
    size_t i = st->roll_stage;
    if (as->health_gate) {
        uint64_t n = 0, failing = 0;
        for (size_t r = 0; r < w->nreg; r++) {
            const region_state_t *rg = &w->reg[r];
            if (!w->art_region[a * w->nreg + r])
                continue;
            uint32_t k1 = stage_count(w, a, (long)i, r);
            for (uint32_t k = 0; k < k1; k++) {
                uint32_t srv = w->roll_order[rg->first_server + k];
                n++;
                failing += w->srv_nfail[srv] > 0;
            }
        }
        if (n > 0 && (double)failing > as->gate_max_failing_frac * (double)n) {
            cdn_event_rec_t e = blank_event();
            e.artifact = (int32_t)a;
            e.generation = (int32_t)gen;
            e.count = (double)failing;
            log_event(w, CDN_EV_ROLLOUT_HALTED, e);
            st->roll_gen = 0;
            /* roll back: the last known good content, as a new generation,
             * to the servers that got this one */
            uint32_t back = new_generation(w, a, as->normal_size, 0);
            cdn_event_rec_t g = blank_event();
            g.artifact = (int32_t)a;
            g.generation = (int32_t)back;
            g.bad = 0;
            g.size = as->normal_size;
            log_event(w, CDN_EV_ARTIFACT_GENERATED, g);
            deliver_range(w, a, back, -1, (long)i);
            return;
        }
    }
    st->roll_stage = i + 1;
    deliver_range(w, a, gen, (long)i, (long)i + 1);
    if (i + 2 < as->nstages)
        sim_schedule_in(w->sim, as->stage_bake_s[i + 1], w->ev_stage, a, gen);
    else
        st->roll_gen = 0; /* every server has it */
}

/* The repair crew of proxy p fixes the next crashed server (one every
 * 3600 / repair_rate_per_h seconds).  A repaired server loads the files it
 * holds: still bad, it crashes again and queues again. */
static void on_repair(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t p = ev->a;
    if (w->rq_head[p] == w->rq_tail[p]) {
        w->rq_busy[p] = 0;
        return;
    }
    uint32_t srv = w->rq[p][w->rq_head[p]];
    w->rq_head[p] = (w->rq_head[p] + 1) % (w->nserv + 1);
    size_t i = (size_t)srv * w->nprox + p;
    w->sp_queued[i] = 0;
    w->sp_wedged[i] = 0;
    pull_pending(w, srv);     /* the fix a crashed host could not pull */
    server_reevaluate(w, srv); /* crashes again (and queues) if it still holds a bad file */
    region_changed(w, w->srv_region[srv]);
    if (w->rq_head[p] != w->rq_tail[p])
        sim_schedule_in(w->sim, 3600.0 / w->s->proxies[p].repair_rate_per_h, w->ev_repair, p, 0);
    else
        w->rq_busy[p] = 0;
}

static void on_kill(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    uint32_t srv = ev->a, a = (uint32_t)ev->b;
    w->srv_killed[(size_t)srv * w->nart + a] = 1;
    server_reevaluate(w, srv);
    region_changed(w, w->srv_region[srv]);
}

static void refresh(world_t *w, double t);

/* A service's backlog has been worked off (unless things changed since). */
static void on_svc_drain(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    if (ev->b != w->svc_token[ev->a])
        return;
    w->svc_rate[ev->a] = 0;
    w->svc_backlog[ev->a] = 0;
    w->svc_last_t[ev->a] = sim_now(sim);
    refresh(w, sim_now(sim));
}

static void on_svc_restore(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    w->svc_forced_down[ev->a]--;
    cdn_event_rec_t e = blank_event();
    e.service = (int32_t)ev->a;
    log_event(w, CDN_EV_SERVICE_RESTORED, e);
    refresh(w, sim_now(sim));
}

/* Timed failover transitions (the others are in fo_observe). */
static void on_failover(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    size_t c = ev->a;
    if (ev->b != w->coh_fo_token[c])
        return; /* the state moved on since this timer was set */
    const cdn_plan_spec_t *pl = &w->s->sites.plans[w->coh_plan[c]];
    double t = sim_now(sim);
    cdn_event_rec_t e = blank_event();
    e.plan = (int32_t)w->coh_plan[c];
    e.proxy = (int32_t)w->coh_proxy[c];
    e.count = (double)w->coh_sites[c];
    switch (w->coh_fo[c]) {
    case FO_DETECTING:
        if (w->coh_fc[c] == 2 && !control_plane_ok(w))
            w->coh_fo[c] = FO_WAITING_CP; /* fo_observe goes on when the control plane is back */
        else
            fo_timer(w, c, FO_SWITCHING, pl->dns_ttl_s);
        break;
    case FO_SWITCHING:
        w->coh_fo[c] = FO_FAILED_OVER;
        w->coh_ever_fo[c] = 1;
        w->fo_share += w->coh_share[c];
        log_event(w, CDN_EV_SITES_FAILED_OVER, e);
        recompute_all(w, t);
        break;
    case FO_FAILBACK_PENDING:
        w->coh_fo[c] = FO_NORMAL;
        w->fo_share -= w->coh_share[c];
        if (w->fo_share < 1e-12)
            w->fo_share = 0;
        log_event(w, CDN_EV_SITES_FAILED_BACK, e);
        recompute_all(w, t);
        break;
    default:
        break;
    }
}

static void trigger_actions(world_t *w, cdn_trigger_t trig)
{
    for (size_t k = 0; k < w->s->nactions; k++)
        if (w->s->actions[k].trigger == trig)
            sim_schedule_in(w->sim, w->s->actions[k].delay_s, w->ev_action, (uint32_t)k, 0);
}

/* The alert rule and the diagnosis, evaluated every check_s. */
static void on_detect(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)ev;
    const cdn_detection_spec_t *d = &w->s->detection;
    double t = sim_now(sim), off = 0, err = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        off += w->reg[r].offered_rps;
        err += w->reg[r].err_rps;
    }
    int cond = off > 0 && err / off > d->threshold_frac;
    if (cond) {
        if (isnan(w->cond_since))
            w->cond_since = t;
        if (isnan(w->detected_s) && t - w->cond_since >= d->for_s) {
            w->detected_s = t;
            w->last_check = t;
            log_event(w, CDN_EV_DETECTED, blank_event());
            trigger_actions(w, CDN_TRIGGER_DETECTION);
        }
    } else if (!isnan(w->cond_since)) {
        w->last_flap = t; /* the signal recovered: a flap */
        w->cond_since = NAN;
    }
    if (d->diagnosis && !isnan(w->detected_s) && isnan(w->diagnosed_s)) {
        int confused = t - w->last_flap < d->flap_memory_s;
        for (size_t k = 0; k < d->nmisleading; k++)
            if (w->svc_avail[d->misleading[k]] < 0.5)
                confused = 1;
        w->progress_s += (t - w->last_check) * (confused ? d->confused_progress : 1.0);
        w->last_check = t;
        if (w->progress_s >= d->work_s) {
            w->diagnosed_s = t;
            log_event(w, CDN_EV_DIAGNOSED, blank_event());
            trigger_actions(w, CDN_TRIGGER_DIAGNOSIS);
        }
    }
    if (t + d->check_s <= sim_stop_time(sim))
        sim_schedule_in(sim, d->check_s, w->ev_detect, 0, 0);
}

static void on_action(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t k = ev->a;
    const cdn_action_spec_t *act = &w->s->actions[k];
    cdn_event_rec_t e = blank_event();
    e.action = (int32_t)k;
    e.artifact = act->artifact;
    log_event(w, CDN_EV_OPERATOR_ACTION, e);
    switch (act->kind) {
    case CDN_ACTION_STOP_GENERATION: {
        artifact_state_t *st = &w->art[act->artifact];
        st->stopped = 1;
        if (st->next_run) {
            sim_cancel(sim, st->next_run);
            st->next_run = 0;
        }
        break;
    }
    case CDN_ACTION_PUSH_LAST_KNOWN_GOOD: {
        uint32_t a = (uint32_t)act->artifact;
        const cdn_artifact_spec_t *as = &w->s->artifacts[a];
        uint32_t gen = new_generation(w, a, as->normal_size, as->normal_size > as->size_limit);
        cdn_event_rec_t g = blank_event();
        g.artifact = act->artifact;
        g.generation = (int32_t)gen;
        g.bad = w->art[a].gens[gen - 1].bad;
        g.size = as->normal_size;
        g.action = (int32_t)k;
        log_event(w, CDN_EV_ARTIFACT_GENERATED, g);
        w->art[a].roll_gen = 0; /* an emergency push goes everywhere at once */
        deliver_range(w, a, gen, -1, (long)as->nstages);
        break;
    }
    case CDN_ACTION_KILL_SWITCH: {
        const cdn_artifact_spec_t *as = &w->s->artifacts[act->artifact];
        for (size_t r = 0; r < w->nreg; r++) {
            sim_rng_t rng;
            sim_rng_init(&rng, w->seed, w->replication, RNG_KILL, ((uint64_t)k << 32) | r);
            for (uint32_t j = 0; j < w->reg[r].nservers; j++) {
                double f = w->s->regions[r].latency_factor;
                double lat = sim_rng_lognormal_median_p99(&rng, f * as->latency_median_s,
                                                          f * as->latency_p99_s);
                sim_schedule_in(sim, lat, w->ev_kill, w->reg[r].first_server + j,
                                (uint64_t)act->artifact);
            }
            sim_rng_fini(&rng);
        }
        break;
    }
    case CDN_ACTION_FAIL_SERVICE:
        w->svc_forced_down[act->service]++;
        {
            cdn_event_rec_t f = blank_event();
            f.service = act->service;
            log_event(w, CDN_EV_SERVICE_FAILED, f);
        }
        refresh(w, sim_now(sim));
        sim_schedule_in(sim, act->duration_s, w->ev_svc_restore, (uint32_t)act->service, 0);
        break;
    case CDN_ACTION_RESTART_PROXIES: {
        if (act->rate_per_s > 0) {
            /* a walk over every server in a random order, at the rate */
            sim_rng_t rng;
            sim_rng_init(&rng, w->seed, w->replication, RNG_RESTART, ((uint64_t)k << 32) | 0xffffffffu);
            uint32_t *order = sim_xmalloc((w->nserv ? w->nserv : 1) * sizeof *order);
            for (uint32_t j = 0; j < w->nserv; j++)
                order[j] = j;
            for (uint32_t j = w->nserv; j > 1; j--) {
                uint32_t q = (uint32_t)sim_rng_index(&rng, j);
                uint32_t tmp = order[j - 1];
                order[j - 1] = order[q];
                order[q] = tmp;
            }
            sim_rng_fini(&rng);
            free(w->act_order[k]);
            w->act_order[k] = order;
            w->act_pos[k] = 0;
            sim_schedule_in(sim, 0.0, w->ev_wave, k, 0);
            break;
        }
        w->act_pending[k] += w->nserv;
        for (size_t r = 0; r < w->nreg; r++) {
            sim_rng_t rng;
            sim_rng_init(&rng, w->seed, w->replication, RNG_RESTART, ((uint64_t)k << 32) | r);
            for (uint32_t j = 0; j < w->reg[r].nservers; j++) {
                double d = act->duration_s > 0 ? act->duration_s * sim_rng_uniform(&rng) : 0.0;
                sim_schedule_in(sim, d, w->ev_restart_begin, w->reg[r].first_server + j, k);
            }
            sim_rng_fini(&rng);
        }
        break;
    }
    case CDN_ACTION_BYPASS_SERVICE:
        w->svc_bypassed[act->service] = 1;
        refresh(w, sim_now(sim));
        break;
    case CDN_ACTION_SCALE_SERVICE:
        w->svc_capacity[act->service] = act->capacity;
        refresh(w, sim_now(sim));
        break;
    case CDN_ACTION_COUNT:
        break;
    }
}

/* Daily curve of a region at sim time t (mean 1 over a day). */
static double diurnal(const cdn_scenario_t *s, size_t r, double t)
{
    double hours = ((double)s->sim.start_epoch_s + t) / 3600.0 + s->regions[r].utc_offset_h;
    double local = fmod(hours, 24.0);
    if (local < 0)
        local += 24.0;
    return 1.0 + s->traffic.diurnal_amplitude *
                     cos(2.0 * CDN_PI * (local - s->traffic.diurnal_peak_local_h) / 24.0);
}

static void on_traffic(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)ev;
    const cdn_scenario_t *s = w->s;
    double t = sim_now(sim);
    double step = s->traffic.step_s;
    double mid = t + 0.5 * step;
    for (size_t r = 0; r < w->nreg; r++) {
        region_state_t *rg = &w->reg[r];
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
    route_traffic(w);
    recompute_all(w, t);
    overload_cascade(w, t);
    assert(world_check(w));
    if (t + step < sim_stop_time(sim))
        sim_schedule(sim, t + step, w->ev_traffic, 0, 0);
}

/* ------------------------------------------------------------- building */

/* Popularity weight of rank k: k^-s (pow is the costliest part of
 * generating ten million sites, so the common exponent 1 is a division). */
static double zipf_weight(uint32_t k, double s)
{
    return s == 1.0 ? 1.0 / (double)k : pow((double)k, -s);
}

/* Sites: plan counts are multinomial; within a plan the k-th site has
 * popularity k^-s, normalised to the plan's traffic share.  Each site
 * draws its proxy and features; the sums land in cohorts. */
static void build_sites(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    const cdn_sites_spec_t *ss = &s->sites;
    sim_rng_t rng;
    sim_rng_init(&rng, w->seed, w->replication, RNG_SITES, 0);
    size_t np = ss->nplans;
    double *pshare = sim_xcalloc(np, sizeof *pshare);
    unsigned int *pcount = sim_xcalloc(np, sizeof *pcount);
    for (size_t i = 0; i < np; i++)
        pshare[i] = ss->plans[i].site_share;
    gsl_ran_multinomial(rng.g, np, ss->count, pshare, pcount);
    double total_weight = 0;
    /* named sites: one cohort each, their traffic taken from their plan's */
    double *named_in_plan = sim_xcalloc(np, sizeof *named_in_plan);
    for (size_t i = 0; i < ss->nnamed; i++) {
        const cdn_named_site_spec_t *ns = &ss->named[i];
        size_t c = w->ncoh_base + i;
        w->coh_share[c] = ns->traffic_share;
        w->coh_sites[c] = 1;
        total_weight += ns->traffic_share;
        named_in_plan[ns->plan] += ns->traffic_share;
    }
    for (size_t pl = 0; pl < np; pl++) {
        const cdn_plan_spec_t *plan = &ss->plans[pl];
        uint32_t n = pcount[pl];
        double generic = plan->traffic_share - named_in_plan[pl];
        if (n == 0 || generic <= 0)
            continue;
        double h = 0;
        for (uint32_t k = 1; k <= n; k++)
            h += zipf_weight(k, ss->zipf_exponent);
        double cum[CDN_MAX_PROXIES];
        double acc = 0;
        for (size_t p = 0; p < w->nprox; p++) {
            acc += plan->proxy_mix[p];
            cum[p] = acc;
        }
        for (uint32_t k = 1; k <= n; k++) {
            double wt = generic * zipf_weight(k, ss->zipf_exponent) / h;
            double u = sim_rng_uniform(&rng) * acc;
            size_t p = 0;
            while (p + 1 < w->nprox && u >= cum[p])
                p++;
            int bm = sim_rng_bernoulli(&rng, plan->bot_management_frac);
            int rules = bm && sim_rng_bernoulli(&rng, plan->bot_block_rules_frac);
            size_t fc = 0;
            if (plan->failover_frac > 0 && sim_rng_bernoulli(&rng, plan->failover_frac))
                fc = sim_rng_bernoulli(&rng, plan->dns_on_provider_frac) ? 2 : 1;
            size_t c = (((pl * w->nprox + p) * 2 + (size_t)bm) * 2 + (size_t)rules) * 3 + fc;
            w->coh_share[c] += wt;
            w->coh_sites[c]++;
            total_weight += wt;
        }
    }
    if (total_weight > 0)
        for (size_t c = 0; c < w->ncoh; c++)
            w->coh_share[c] /= total_weight;
    free(named_in_plan);
    free(pshare);
    free(pcount);
    sim_rng_fini(&rng);
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
                w->svc_order[n++] = (uint32_t)k;
            }
        }
        if (n == before)
            break; /* cannot happen for a validated scenario */
    }
    free(done);
}

static void world_free(world_t *w)
{
    if (!w)
        return;
    for (size_t r = 0; w->reg && r < w->nreg; r++) {
        sim_rng_fini(&w->reg[r].rng_latency);
        sim_rng_fini(&w->reg[r].rng_wedge);
    }
    for (size_t a = 0; w->art && a < w->nart; a++) {
        free(w->art[a].gens);
        sim_rng_fini(&w->art[a].rng_node);
    }
    free(w->reg);
    free(w->srv_region);
    free(w->srv_gen);
    free(w->srv_artbad);
    free(w->srv_killed);
    free(w->srv_pending);
    free(w->roll_order);
    free(w->srv_nbad);
    free(w->srv_nfail);
    free(w->srv_nrest);
    free(w->sp_hold);
    free(w->sp_wedged);
    free(w->sp_since);
    free(w->sp_rest);
    free(w->sp_counted_fail);
    free(w->sp_counted_out);
    free(w->srv_nout);
    free(w->reg_out_p);
    free(w->sp_queued);
    for (size_t p = 0; w->rq && p < w->nprox; p++)
        free(w->rq[p]);
    free(w->rq);
    free(w->rq_head);
    free(w->rq_tail);
    free(w->rq_busy);
    free(w->reg_fail_p);
    free(w->reg_down_p);
    free(w->art);
    free(w->art_consumed);
    free(w->art_region);
    free(w->prox_region);
    free(w->coh_share);
    free(w->coh_sites);
    free(w->coh_scope);
    free(w->coh_proxy);
    free(w->coh_down);
    free(w->coh_plan);
    free(w->coh_fc);
    free(w->coh_fo);
    free(w->coh_fo_token);
    free(w->coh_ever_fo);
    free(w->coh_ever_down);
    free(w->coh_down_since);
    free(w->coh_down_s);
    free(w->okf);
    free(w->coh_acc);
    free(w->scratch);
    free(w->named_served);
    free(w->path_ok);
    free(w->path_acc);
    free(w->svc_order);
    free(w->svc_bypassed);
    free(w->svc_forced_down);
    free(w->svc_backlog);
    free(w->svc_rate);
    free(w->svc_last_t);
    free(w->svc_capacity);
    free(w->svc_token);
    free(w->svc_avail);
    free(w->act_pending);
    for (size_t k = 0; w->act_order && k < w->s->nactions; k++)
        free(w->act_order[k]);
    free(w->act_order);
    free(w->act_pos);
    free(w->events);
    sim_recorder_destroy(w->rec);
    sim_destroy(w->sim);
}

static int world_build(world_t *w, const cdn_scenario_t *s, uint64_t seed, uint64_t rep,
                       cdn_error_t *err)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->seed = seed;
    w->replication = rep;
    w->nreg = s->nregions;
    w->nprox = s->nproxies;
    w->nart = s->nartifacts;
    w->nsvc = s->nservices;
    /* plan x proxy x bm x rules x failover, then one per named site */
    w->ncoh_base = s->sites.nplans * w->nprox * 4 * 3;
    w->ncoh = w->ncoh_base + s->sites.nnamed;

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

    size_t nbins = (size_t)ceil(s->sim.duration_s / s->sim.bin_s - 1e-9);
    if (nbins == 0)
        nbins = 1;
    w->series_svc0 = w->nreg * CDN_RS_COUNT;
    w->series_sites = w->series_svc0 + w->nsvc;
    w->series_fo = w->series_sites + 1;
    w->rec = sim_recorder_create(0.0, s->sim.bin_s, nbins, w->series_fo + 1);
    w->sim = sim_create(0.0, s->sim.duration_s);
    w->ev_traffic = sim_register(w->sim, "traffic_step", on_traffic, w);
    w->ev_generate = sim_register(w->sim, "generate", on_generate, w);
    w->ev_arrive = sim_register(w->sim, "arrive", on_arrive, w);
    w->ev_action = sim_register(w->sim, "action", on_action, w);
    w->ev_restart_begin = sim_register(w->sim, "restart_begin", on_restart_begin, w);
    w->ev_restart_end = sim_register(w->sim, "restart_end", on_restart_end, w);
    w->ev_detect = sim_register(w->sim, "detect", on_detect, w);
    w->ev_stage = sim_register(w->sim, "rollout_stage", on_stage, w);
    w->ev_kill = sim_register(w->sim, "kill_switch", on_kill, w);
    w->ev_svc_restore = sim_register(w->sim, "service_restore", on_svc_restore, w);
    w->ev_failover = sim_register(w->sim, "failover", on_failover, w);
    w->ev_wave = sim_register(w->sim, "restart_wave", on_wave, w);
    w->ev_repair = sim_register(w->sim, "repair", on_repair, w);
    w->ev_svc_drain = sim_register(w->sim, "service_drain", on_svc_drain, w);
    w->ev_trigger = sim_register(w->sim, "latent_trigger", on_trigger, w);
    w->ev_undrain = sim_register(w->sim, "undrain", on_undrain, w);
    w->cond_since = NAN;
    w->last_flap = -INFINITY;
    w->detected_s = NAN;
    w->diagnosed_s = NAN;

    size_t ns = w->nserv ? w->nserv : 1;
    w->reg = sim_xcalloc(w->nreg, sizeof *w->reg);
    w->srv_region = sim_xcalloc(ns, sizeof *w->srv_region);
    w->srv_gen = sim_xcalloc(ns * (w->nart ? w->nart : 1), sizeof *w->srv_gen);
    w->srv_artbad = sim_xcalloc(ns * (w->nart ? w->nart : 1), 1);
    w->srv_killed = sim_xcalloc(ns * (w->nart ? w->nart : 1), 1);
    w->srv_pending = sim_xcalloc(ns * (w->nart ? w->nart : 1), sizeof *w->srv_pending);
    w->roll_order = sim_xcalloc(ns, sizeof *w->roll_order);
    w->srv_nbad = sim_xcalloc(ns, 1);
    w->srv_nfail = sim_xcalloc(ns, 1);
    w->srv_nrest = sim_xcalloc(ns, 1);
    w->sp_hold = sim_xcalloc(ns * w->nprox, 1);
    w->sp_wedged = sim_xcalloc(ns * w->nprox, 1);
    w->sp_since = sim_xcalloc(ns * w->nprox, sizeof *w->sp_since);
    w->sp_rest = sim_xcalloc(ns * w->nprox, sizeof *w->sp_rest);
    w->sp_counted_fail = sim_xcalloc(ns * w->nprox, 1);
    w->sp_counted_out = sim_xcalloc(ns * w->nprox, 1);
    w->srv_nout = sim_xcalloc(ns, 1);
    w->reg_out_p = sim_xcalloc(w->nreg * w->nprox, sizeof *w->reg_out_p);
    w->sp_queued = sim_xcalloc(ns * w->nprox, 1);
    w->rq = sim_xcalloc(w->nprox, sizeof *w->rq);
    w->rq_head = sim_xcalloc(w->nprox, sizeof *w->rq_head);
    w->rq_tail = sim_xcalloc(w->nprox, sizeof *w->rq_tail);
    w->rq_busy = sim_xcalloc(w->nprox, 1);
    for (size_t p = 0; p < w->nprox; p++)
        if (s->proxies[p].on_bad_artifact == CDN_EFFECT_CRASH_REPAIR)
            w->rq[p] = sim_xcalloc(ns + 1, sizeof *w->rq[p]);
    w->reg_fail_p = sim_xcalloc(w->nreg * w->nprox, sizeof *w->reg_fail_p);
    w->reg_down_p = sim_xcalloc(w->nreg * w->nprox, sizeof *w->reg_down_p);
    uint32_t first = 0;
    for (size_t r = 0; r < w->nreg; r++) {
        region_state_t *rg = &w->reg[r];
        rg->first_server = first;
        rg->nservers = s->regions[r].servers;
        for (uint32_t k = 0; k < rg->nservers; k++)
            w->srv_region[first + k] = (uint32_t)r;
        first += rg->nservers;
        sim_rng_init(&rg->rng_latency, seed, rep, RNG_LATENCY, r);
        sim_rng_init(&rg->rng_wedge, seed, rep, RNG_WEDGE, r);
        /* rollout order: a uniformly random permutation of the region's servers */
        sim_rng_t ro;
        sim_rng_init(&ro, seed, rep, RNG_ROLLOUT, r);
        uint32_t *order = w->roll_order + rg->first_server;
        for (uint32_t k = 0; k < rg->nservers; k++)
            order[k] = rg->first_server + k;
        for (uint32_t k = rg->nservers; k > 1; k--) {
            uint32_t j = (uint32_t)sim_rng_index(&ro, k);
            uint32_t tmp = order[k - 1];
            order[k - 1] = order[j];
            order[j] = tmp;
        }
        sim_rng_fini(&ro);
    }

    w->art = sim_xcalloc(w->nart ? w->nart : 1, sizeof *w->art);
    w->art_consumed = sim_xcalloc((w->nart ? w->nart : 1) * w->nprox, 1);
    w->art_region = sim_xcalloc((w->nart ? w->nart : 1) * w->nreg, 1);
    w->prox_region = sim_xcalloc(w->nprox * w->nreg, 1);
    for (size_t p = 0; p < w->nprox; p++) {
        const cdn_proxy_spec_t *px = &s->proxies[p];
        for (size_t r = 0; r < w->nreg; r++) {
            int in = px->ntiers == 0;
            for (size_t k = 0; k < px->ntiers; k++)
                in |= strcmp(px->tiers[k], s->regions[r].tier) == 0;
            w->prox_region[p * w->nreg + r] = (uint8_t)in;
        }
    }
    for (size_t a = 0; a < w->nart; a++) {
        const cdn_artifact_spec_t *as = &s->artifacts[a];
        for (size_t r = 0; r < w->nreg; r++) {
            int in = as->ntiers == 0;
            for (size_t k = 0; k < as->ntiers; k++)
                in |= strcmp(as->tiers[k], s->regions[r].tier) == 0;
            w->art_region[a * w->nreg + r] = (uint8_t)in;
        }
        sim_rng_init(&w->art[a].rng_node, seed, rep, RNG_NODE, a);
        w->art[a].armed = as->latent_until_s <= 0;
        for (size_t k = 0; k < as->nconsumers; k++)
            w->art_consumed[a * w->nprox + as->consumers[k]] = 1;
    }

    w->coh_share = sim_xcalloc(w->ncoh, sizeof *w->coh_share);
    w->coh_sites = sim_xcalloc(w->ncoh, sizeof *w->coh_sites);
    w->coh_scope = sim_xcalloc(w->ncoh, 1);
    w->coh_proxy = sim_xcalloc(w->ncoh, sizeof *w->coh_proxy);
    w->coh_down = sim_xcalloc(w->ncoh, 1);
    w->coh_plan = sim_xcalloc(w->ncoh, sizeof *w->coh_plan);
    w->coh_fc = sim_xcalloc(w->ncoh, 1);
    w->coh_fo = sim_xcalloc(w->ncoh, 1);
    w->coh_fo_token = sim_xcalloc(w->ncoh, sizeof *w->coh_fo_token);
    w->coh_ever_fo = sim_xcalloc(w->ncoh, 1);
    w->coh_ever_down = sim_xcalloc(w->ncoh, 1);
    w->coh_down_since = sim_xcalloc(w->ncoh, sizeof *w->coh_down_since);
    w->coh_down_s = sim_xcalloc(w->ncoh, sizeof *w->coh_down_s);
    w->okf = sim_xcalloc(w->nreg * w->ncoh, sizeof *w->okf);
    w->coh_acc = sim_xcalloc(w->ncoh, sizeof *w->coh_acc);
    w->scratch = sim_xcalloc(3 * w->ncoh, sizeof *w->scratch);
    w->named_served = sim_xcalloc(s->sites.nnamed ? s->sites.nnamed : 1, sizeof *w->named_served);
    for (size_t i = 0; i < s->sites.nnamed; i++)
        w->named_served[i] = 1.0;
    w->path_ok = sim_xcalloc(w->nreg * w->nprox, sizeof *w->path_ok);
    w->path_acc = sim_xcalloc(w->nprox, sizeof *w->path_acc);
    for (size_t c = 0; c < w->ncoh_base; c++) { /* c = (((plan*P + proxy)*2 + bm)*2 + rules)*3 + fc */
        size_t rest = c / 3;
        w->coh_fc[c] = (uint8_t)(c % 3);
        w->coh_scope[c] = (uint8_t)(((rest >> 1) & 1u) | ((rest & 1u) << 1));
        w->coh_proxy[c] = (uint32_t)((rest / 4) % w->nprox);
        w->coh_plan[c] = (uint32_t)(rest / 4 / w->nprox);
    }
    for (size_t i = 0; i < s->sites.nnamed; i++) {
        const cdn_named_site_spec_t *site = &s->sites.named[i];
        size_t c = w->ncoh_base + i;
        w->coh_fc[c] = (uint8_t)site->failover;
        w->coh_scope[c] = (uint8_t)((site->bot_management ? 1u : 0u) | (site->bot_block_rules ? 2u : 0u));
        w->coh_proxy[c] = site->proxy;
        w->coh_plan[c] = site->plan;
    }
    build_sites(w);

    w->svc_order = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_order);
    w->svc_bypassed = sim_xcalloc(w->nsvc ? w->nsvc : 1, 1);
    w->svc_forced_down = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_forced_down);
    w->svc_backlog = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_backlog);
    w->svc_rate = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_rate);
    w->svc_last_t = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_last_t);
    w->svc_capacity = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_capacity);
    w->svc_token = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_token);
    for (size_t k = 0; k < w->nsvc; k++)
        w->svc_capacity[k] = s->services[k].capacity;
    w->svc_avail = sim_xcalloc(w->nsvc ? w->nsvc : 1, sizeof *w->svc_avail);
    order_services(w);
    w->act_pending = sim_xcalloc(s->nactions ? s->nactions : 1, sizeof *w->act_pending);
    w->act_order = sim_xcalloc(s->nactions ? s->nactions : 1, sizeof *w->act_order);
    w->act_pos = sim_xcalloc(s->nactions ? s->nactions : 1, sizeof *w->act_pos);

    /* initial events: traffic at 0 (before anything else at time 0),
     * generator runs, operator actions */
    sim_schedule(w->sim, 0.0, w->ev_traffic, 0, 0);
    for (size_t a = 0; a < w->nart; a++)
        if (s->artifacts[a].first_run_s <= s->sim.duration_s)
            w->art[a].next_run = sim_schedule(w->sim, s->artifacts[a].first_run_s,
                                              w->ev_generate, (uint32_t)a, 0);
    for (size_t k = 0; k < s->nactions; k++)
        if (s->actions[k].trigger == CDN_TRIGGER_TIME && s->actions[k].at_s <= s->sim.duration_s)
            sim_schedule(w->sim, s->actions[k].at_s, w->ev_action, (uint32_t)k, 0);
    if (s->detection.enabled)
        sim_schedule(w->sim, 0.0, w->ev_detect, 0, 0);
    for (size_t a = 0; a < w->nart; a++)
        if (!w->art[a].armed && s->artifacts[a].latent_until_s <= s->sim.duration_s)
            sim_schedule(w->sim, s->artifacts[a].latent_until_s, w->ev_trigger, (uint32_t)a, 0);
    return 0;
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
        res->cohort_sites[c] = w->coh_sites[c];
        res->cohort_down_s[c] = w->coh_down_s[c];
        if (w->coh_down[c]) /* still down at the end: close the interval */
            res->cohort_down_s[c] += s->sim.duration_s - w->coh_down_since[c];
    }
    for (size_t c = 0; c < w->ncoh; c++) {
        if (w->coh_ever_down[c])
            res->sites_ever_down += w->coh_sites[c];
        if (w->coh_ever_fo[c])
            res->sites_ever_failed_over += w->coh_sites[c];
    }
    res->detected_s = w->detected_s;
    res->diagnosed_s = w->diagnosed_s;
    res->servers_total = w->nserv;
    res->nproxies = w->nprox;
    for (size_t c = 0; c < w->ncoh; c++)
        res->proxy_traffic_share[w->coh_proxy[c]] += w->coh_share[c];
    res->nevents = w->nevents;
    res->events = w->events;
    w->events = NULL;
    res->kernel_events = sim_events_handled(w->sim);
    return res;
}

int cdn_world_run(const cdn_scenario_t *s, uint64_t seed, uint64_t replication,
                  cdn_result_t **out, cdn_error_t *err)
{
    world_t w;
    *out = NULL;
    int rc = world_build(&w, s, seed, replication, err);
    if (rc != 0) {
        world_free(&w);
        return rc;
    }
    /* services start fully available: record that before the first step */
    for (size_t k = 0; k < w.nsvc; k++) {
        w.svc_avail[k] = 1.0;
        sim_recorder_set(w.rec, w.series_svc0 + k, 0.0, 1.0);
    }
    sim_run(w.sim);
    *out = collect(&w);
    world_free(&w);
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
