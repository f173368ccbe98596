/*
 * world_int.h -- private header of the CDN outage model (models/world/).
 *
 * Contract
 *   One replication is one world_t, built from (scenario, seed,
 *   replication) by world_init() and released by world_fini().  The world
 *   is a few structs, one per mechanism, each with its own init/fini and
 *   its own file:
 *
 *     fleet.c      fleet_t      servers x proxies state machine, artifact
 *                               loads, restarts, the repair queues
 *     artifacts.c  artifacts_t  generator, delivery, staged rollout and its
 *                               health gate, latent trigger, kill switch
 *     traffic.c    traffic_t    rates per region and cohort, anycast
 *                               routing, the daily curve, overload drains
 *     sites.c      sites_t      cohorts of sites, the failover machine
 *     services.c   services_t   the internal service graph, backlogs
 *     operators.c  operators_t  alert, diagnosis and operator actions
 *     backends.c   backends_t   shared backends that starting proxies call,
 *                               their overload and the callers' retries
 *     repair.c     repair_t     repair and re-provisioning crews, offline
 *                               hosts, damage that outlives the revert
 *     propagate.c               the one propagation step
 *     world.c                   build, run, result; the event log
 *
 *   Handlers change the state of their mechanism and report the scope of
 *   the change to propagate_change(); only the propagation step re-derives
 *   rates (traffic_region_rates, traffic_all_rates) and signals (services,
 *   sites).  Like SQLite's btreeInt.h or libuv's uv-common.h, this header
 *   is for the files of models/world/ and their unit tests only; the rest
 *   of the program sees cdn_world.h.
 *
 *   Each mechanism with a state machine has a checker (fleet_check,
 *   repair_check, artifacts_rollout_check, traffic_check,
 *   sites_failover_check, services_backlog_check,
 *   operators_incident_check, operators_wave_check, backends_check): 1 when the state is
 *   consistent, 0 when not.  They are compiled in every build (the unit
 *   tests call them on corrupted states) and asserted in debug builds.
 *
 * Ownership and threads
 *   A world_t belongs to one thread; the scenario is borrowed read-only.
 *   Every array is owned by the struct that holds it and freed by that
 *   struct's fini.
 */
#ifndef CDNSIM_WORLD_INT_H
#define CDNSIM_WORLD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h"
#include "cdn_world.h"
#include "sim.h"
#include "sim_recorder.h"
#include "sim_rng.h"

/* Purposes of the random draws: one list, never renumbered (results
 * depend on the numbers; a retired purpose keeps its number unused).
 * Entities follow sim_rng.h's keying rule: by name, never by array index
 * (see docs/model.md, "Random numbers").  REGION = sim_rng_key(region
 * name), likewise ARTIFACT, PROXY, PLAN; ACTION = operators' act_key
 * (label and its ordinal among actions of that label); SERVER =
 * key2(REGION, index within the region); CAUSE of a delivery =
 * key2(1, generator run) or key2(2, ACTION). */
enum {
    RNG_SITES = 1,        /* entity 0: sites per plan (a multinomial over plans) */
    RNG_NODE = 2,         /* ARTIFACT: generator node, one draw per run */
    RNG_LATENCY = 3,      /* key2(key2(ARTIFACT, CAUSE), SERVER): delivery latency (stateless) */
    RNG_WEDGE = 4,        /* key2(key2(SERVER, PROXY), hold episode): wedged after a hold (stateless) */
    RNG_RESTART = 5,      /* key2(ACTION, REGION): restart delays of its servers, in index order */
    RNG_ROLLOUT = 6,      /* REGION: order of its servers in staged rollouts */
    RNG_KILL = 7,         /* key2(ACTION, REGION): kill-switch latency of its servers, in index order */
    RNG_SITE_ATTRS = 8,   /* PLAN: per site five uniforms in this order: proxy, bot management,
                           * block rules, second CDN, DNS on this provider */
    RNG_RESTART_ORDER = 9, /* key2(ACTION, SERVER): the server's place in a restart walk (stateless) */
    RNG_BACKEND_CALL = 10, /* key2(key2(key2(SERVER, PROXY), boot), call): a start call succeeds (stateless) */
    RNG_BACKEND_JITTER = 11, /* key2(key2(key2(SERVER, PROXY), boot), call): jitter of the wait after it (stateless) */
    RNG_ACTION_SHARE = 12, /* key2(ACTION, SERVER): the server's place in a targeted action's
                            * share of its region (stateless) */
    RNG_ONLINE = 13,       /* key2(SERVER, 0): its place in the offline share of its region;
                            * key2(SERVER, 1): its time to come online (stateless) */
    RNG_REPAIR_TIME = 14,  /* key2(key2(key2(SERVER, PROXY), kind), job): the time of a repair
                            * (kind 0) or re-provisioning (kind 1) job (stateless) */
    RNG_DAMAGE = 15,       /* key2(key2(SERVER, PROXY), re-provisionings so far): left damaged
                            * when a hold ends (stateless) */
    RNG_SITE_FEATURE = 16, /* key2(PLAN, FEATURE = sim_rng_key(feature name)): per site one
                            * uniform, in site order: has the feature (only features that
                            * scope a proxy's effect are drawn) */
    /* 17: reserved (customer features, regional sites); 18-19: reserved (cpu-withdraw) */
    RNG_DIAGNOSIS = 20     /* entity 0: the clear-signal diagnosis effort, one hash per run
                            * (21 is reserved for the diagnosis too) */
};

/* Purposes 22 and 23 belong to priors and sensitivity designs, drawn
 * outside the world (models/cdn_priors.h: CDN_PRIORS_RNG_DRAW,
 * CDN_PRIORS_RNG_DESIGN); reserved here so no mechanism reuses them. */
enum { RNG_PRIOR_DRAW = 22, RNG_PRIOR_DESIGN = 23 };

/* Failover state of a cohort of sites with a second CDN (machine in sites.c). */
enum {
    FO_NORMAL = 0,      /* served by this CDN */
    FO_DETECTING,       /* down; health checks have not noticed yet */
    FO_WAITING_CP,      /* noticed; DNS is hosted here and the control plane is down */
    FO_SWITCHING,       /* DNS changed; clients move when the TTL expires */
    FO_FAILED_OVER,     /* served by the second CDN */
    FO_FAILBACK_PENDING, /* failed over; this CDN is healthy again, waiting failback_s */
    FO_COUNT
};

/* ------------------------------------------------------------------ fleet */

/* How a (server, proxy) counts in service (sp_counted_out). */
enum {
    SP_IN = 0,       /* in service */
    SP_OUT = 1,      /* out, and so is its server: restarting, booting, crashed, withdrawn */
    SP_WITHDRAWN = 2 /* only this proxy's routes withdrawn (withdraw_proxy_only) */
};

typedef struct fleet_region {
    uint32_t first_server; /* global index of its first server */
    uint32_t nservers;
    uint32_t n_bad;        /* servers holding >= 1 bad artifact */
    uint32_t n_failing;    /* servers with >= 1 failing proxy */
    uint32_t n_restarting; /* servers with >= 1 proxy restarting */
    uint32_t n_out;        /* servers out of service: a proxy restarting or crashed */
    uint32_t n_impaired;   /* servers failing or out of service (either of the two above) */
    uint64_t key;          /* sim_rng_key of its name (REGION) */
} fleet_region_t;

typedef struct fleet {
    fleet_region_t *reg;    /* [nreg] */
    uint32_t *srv_region;   /* [nserv] */
    uint64_t *srv_key;      /* [nserv] SERVER key: key2(REGION, index within the region) */
    uint32_t *srv_gen;      /* [nserv * nart] generation loaded */
    uint8_t *srv_artbad;    /* [nserv * nart] that generation is bad */
    uint8_t *srv_killed;    /* [nserv * nart] the kill switch for the artifact reached it */
    uint32_t *srv_pending;  /* [nserv * nart] newest generation that waits for the server to be back */
    uint8_t *srv_nbad;      /* [nserv] artifacts held that are bad */
    uint8_t *srv_nfail;     /* [nserv] proxies failing */
    uint8_t *srv_nrest;     /* [nserv] proxies restarting */
    uint8_t *srv_nout;      /* [nserv] proxies out of service */
    uint8_t *sp_hold;       /* [nserv * nprox] holds a bad artifact the proxy consumes */
    uint8_t *sp_wedged;     /* [nserv * nprox] stays failing until restarted (or repaired) */
    double *sp_since;       /* [nserv * nprox] sim time hold last rose, s */
    uint16_t *sp_rest;      /* [nserv * nprox] restarts in progress (one per action at most: <= 10000) */
    uint8_t *sp_counted_fail; /* [nserv * nprox] counted as failing in the region */
    uint8_t *sp_counted_out;  /* [nserv * nprox] SP_IN, SP_OUT (the server is out of service)
                               * or SP_WITHDRAWN (only this proxy's routes) */
    uint32_t *sp_episode;   /* [nserv * nprox] holds ended so far (keys the wedge draws) */
    uint64_t *prox_key;     /* [nprox] sim_rng_key of the proxy's name (PROXY) */
    uint32_t *reg_out_p;    /* [nreg * nprox] servers where the proxy is out */
    uint32_t *reg_fail_p;   /* [nreg * nprox] failing (and up) proxies */
    uint32_t *reg_down_p;   /* [nreg * nprox] restarting proxies */
    uint32_t *reg_wd_p;     /* [nreg * nprox] servers that withdrew only this proxy's routes
                             * (withdraw_proxy_only; counted in reg_out_p, not in n_out) */
    uint8_t *prox_region;   /* [nprox * nreg] 1 when the proxy's effect applies in the region */
} fleet_t;

/* ------------------------------------------------------------- artifacts */

typedef struct generation {
    double size;           /* entries */
    int bad;               /* larger than the size limit */
    uint64_t cause;        /* CAUSE key of its delivery latencies */
} generation_t;

typedef struct artifact_state {
    generation_t *gens;    /* gens[g - 1] for generation g >= 1; 0 = the initial good one */
    uint32_t ngens, cap;
    int stopped;           /* stop_generation happened */
    int first_bad_logged;
    sim_handle_t next_run; /* the pending generator run, 0 = none */
    sim_rng_t rng_node;
    uint64_t key;          /* sim_rng_key of its name (ARTIFACT) */
    uint32_t runs;         /* generator runs so far, rejected ones included */
    uint32_t roll_gen;     /* generation being rolled out in stages, 0 = none */
    int armed;             /* a bad file does harm (0 until a latent artifact's trigger) */
    size_t roll_stage;     /* its current stage */
} artifact_state_t;

typedef struct artifacts {
    artifact_state_t *art;  /* [nart] */
    uint8_t *art_consumed;  /* [nart * nprox] 1 when proxy loads artifact */
    uint8_t *art_region;    /* [nart * nreg] 1 when the region's tier loads the artifact */
    uint32_t *roll_order;   /* [nserv] each region's servers in staged-rollout order */
    /* distribution latency of artifact a in region r, [a * nreg + r]: the
     * parts of sim_rng_lognormal_quantile that do not depend on the draw */
    double *lat_median_s;   /* latency_factor x latency_median_s, s */
    double *lat_sigma;      /* log(p99 / median) / Pinv(0.99) */
    uint8_t *lat_mode;      /* LAT_LOGNORMAL, LAT_FIXED (p99 = median) or LAT_INVALID */
} artifacts_t;

enum { LAT_LOGNORMAL, LAT_FIXED, LAT_INVALID };

/* --------------------------------------------------------------- traffic */

typedef struct traffic_region {
    double own_rps;        /* requests/s its own clients send (daily curve) */
    double offered_rps;    /* requests/s it receives: own, or 0 when drained, plus neighbours' */
    int drained;           /* every server out of service, or overload-drained: anycast moves its traffic away */
    int overload_drained;  /* drained by health checks for overload (until an undrain event) */
    double rho;            /* load / capacity at the last rate update */
    double err_rps;        /* current 5xx rate, requests/s (for the alert rule) */
    double deferred;       /* requests whose users will come back (surge), requests */
    double surge_rps;      /* of which come back per second over the current step */
} traffic_region_t;

/* The numbers of a (proxy, scope) unit in a region, per unit of traffic
 * (traffic.c, unit_shares): every cohort group of the unit has them. */
typedef struct traffic_unit {
    double e, b;   /* direct 5xx and block shares, before overload */
    double m;      /* attempts per request (retries) */
    double cost;   /* CPU cost of an attempt, in normal requests */
    double fb;     /* no route: the share that falls back to another provider */
    double f_ok;   /* served share after overload (pass 2) */
    int no_route;  /* the proxy's routes are withdrawn on every server of the region */
} traffic_unit_t;

typedef struct traffic {
    traffic_region_t *reg;  /* [nreg] */
    double *okf;            /* [nreg * ncoh] served share */
    double *coh_acc;        /* [ncoh] sum_r offered_r * okf, requests/s */
    double *path_ok;        /* [nreg * nprox] served share of the proxy path (services) */
    double *path_acc;       /* [nprox] sum_r offered_r * path_ok, requests/s */
    double total_offered;   /* sum_r offered_r, requests/s */
    double *scratch;        /* [ngrp] work space of traffic_region_rates: each group's
                             * regional mix */
    traffic_unit_t *unit;   /* [2 * nprox] work space: unit 2p + scope (traffic_unit_t) */
    uint16_t *grp_unit;     /* [ngrp] the group's unit */
    uint32_t *grp_live;     /* [nlive] the groups with traffic, ascending */
    size_t nlive;
    double *grp_here;       /* [ngrp] traffic weight of the group's cohorts served here, */
    double *grp_away;       /* [ngrp] and failed over (group_weights), as shares of all */
    int grp_stale;          /* 1: recompute grp_here/away (a cohort failed over or back) */
    /* Regional users (docs/model.md, "Regional sites"); NULL and 0 unless
     * some plan or named site declares `regions`.  Distribution d is plan
     * d, or named site d - nplans with regions of its own. */
    size_t ndist;           /* nplans + nnamed */
    double *dist_m;         /* [nreg * ndist] region r's own traffic to sites of distribution
                             * d, per unit of their traffic weight (1: as everywhere) */
    double *mix;            /* [nreg * ndist] the same for the traffic r is offered (anycast
                             * mixes in its drained neighbours' users) */
    double *dist_offered;   /* [ndist] sum_r offered_r * mix_rd, requests/s */
} traffic_t;

/* ----------------------------------------------------------------- sites */

/* Fixed-point unit of site traffic weights: a site's weight (its share
 * of all traffic) is held as an integer multiple of 2^-58, so sums of
 * weights are exact and do not depend on how sites are split into
 * cohorts (sites.c, "Exact sums"). */
#define SITES_Q_ONE 0x1p58

/* cdn_world_cache_t (cdn_world.h): the cohort sums of the last few
 * generations of sites, each with the scenario, seed and replication that
 * made it (a comparison's arms generate a few distinct sets of sites per
 * replication: the reference's, a failover strategy's, ...). */
#define WORLD_CACHE_WAYS CDN_WORLD_CACHE_WAYS /* cdn_world.h */
typedef struct world_cache_entry {
    const cdn_scenario_t *s; /* borrowed; NULL: empty */
    uint64_t seed, replication;
    size_t ncoh;
    uint64_t *coh_q;         /* [ncoh] as sites_t */
    uint64_t *coh_sites;     /* [ncoh] */
} world_cache_entry_t;

struct cdn_world_cache {
    world_cache_entry_t way[WORLD_CACHE_WAYS];
    size_t next;             /* the way the next store replaces (oldest first) */
    uint64_t hits, misses;   /* runs served from it, runs that filled it */
};

typedef struct sites {
    double *coh_share;      /* [ncoh] traffic share: coh_q / q_total */
    uint64_t *coh_q;        /* [ncoh] traffic weight, units of 1 / SITES_Q_ONE */
    uint64_t q_total;       /* sum of coh_q (> 0 once built) */
    uint64_t *coh_sites;    /* [ncoh] number of sites */
    uint32_t *coh_live;     /* [nlive] the cohorts with sites, ascending (sites_update) */
    size_t nlive;
    uint8_t *coh_seen_down; /* [ncoh] its health at the last sites_update that looked:
                             * served < down_threshold (2: never looked at) */
    uint8_t *coh_seen_fo;   /* [ncoh] FO_* state it left (FO_COUNT: a timer moved it since) */
    uint8_t *coh_scope;     /* [ncoh] bit0 bot management, bit1 bot-block rules, bit 2 + j
                             * scope feature sfeat[j] */
    size_t nsfeat;          /* features (other than the bot ones) that scope a proxy's effect */
    int32_t sfeat[CDN_MAX_SCOPE_FEATURES]; /* their sites.features indices */
    uint8_t prox_mask[CDN_MAX_PROXIES]; /* [nprox] coh_scope bits proxy p's effect is scoped
                                         * to; 0: every request */
    uint32_t *coh_dist;     /* [ncoh] user distribution (traffic.c): its plan, or nplans + i
                             * for named site i with its own regions */
    uint32_t *coh_proxy;    /* [ncoh] */
    uint32_t *coh_plan;     /* [ncoh] */
    uint8_t *coh_fc;        /* [ncoh] failover class: 0 none, 1 own DNS, 2 DNS hosted here */
    uint8_t *coh_fo;        /* [ncoh] FO_* state */
    uint32_t *coh_fo_token; /* [ncoh] invalidates pending failover timers */
    uint8_t *coh_ever_fo;   /* [ncoh] */
    uint64_t sites_fo;      /* sites currently failed over */
    uint8_t *coh_down;      /* [ncoh] currently down */
    uint8_t *coh_ever_down; /* [ncoh] */
    double *coh_down_since; /* [ncoh] sim time the cohort last went down, s */
    double *coh_down_s;     /* [ncoh] total time down so far, s */
    double *named_served;   /* [nnamed] served share of each named site, as others see it */
    uint64_t sites_down;
} sites_t;

/* -------------------------------------------------------------- services */

typedef struct services {
    uint32_t *order;        /* [nsvc] dependencies first */
    uint8_t *bypassed;      /* [nsvc] */
    uint32_t *forced_down;  /* [nsvc] fail_service outages in progress */
    double *backlog;        /* [nsvc] users waiting to come back, s of normal demand */
    double *rate;           /* [nsvc] d backlog / dt since last_t, s per s */
    double *last_t;         /* [nsvc] sim time of the backlog's last update, s */
    double *capacity;       /* [nsvc] current capacity (scale_service changes it), x normal demand */
    uint32_t *token;        /* [nsvc] invalidates a pending "backlog empty" event */
    double *avail;          /* [nsvc] availability 0..1 */
} services_t;

/* ------------------------------------------------------------- operators */

typedef struct operators {
    uint64_t *act_key;      /* [nactions] ACTION: key2(key(label), ordinal among that label's actions) */
    uint32_t *act_pending;  /* [nactions] restarts scheduled or running */
    uint32_t **act_order;   /* [nactions] rate-limited restart waves: servers in random order */
    uint32_t *act_pos;      /* [nactions] next position in act_order */
    double cond_since;      /* alert condition true since (NAN: false), s */
    double last_flap;       /* last time the alert condition cleared, s */
    double last_check;      /* last diagnosis progress update, s */
    double progress_s;      /* diagnosis work done, s */
    double work_s;          /* diagnosis work this replication needs (drawn), s */
    double last_action_s;   /* last operator action other than fail_service (-inf: none), s */
    int cleared_by_action;  /* the signal's last clearing followed an operator action: not a flap */
    double detected_s, diagnosed_s; /* NAN until they happen */
} operators_t;

/* -------------------------------------------------------------- backends */

/* Start state of a (server, proxy) whose proxy calls a backend when it
 * starts (machine in backends.c).  IDLE: started, or not starting. */
enum { BK_IDLE = 0, BK_CALLING, BK_WAITING };

typedef struct backends {
    uint8_t *sp_state;      /* [nserv * nprox] BK_*; NULL when no proxy has a backend */
    uint32_t *sp_boot;      /* [nserv * nprox] boots begun or cancelled: keys draws, stales events */
    uint32_t *sp_call;      /* [nserv * nprox] calls of the current boot so far */
    double *sp_cum0;        /* [nserv * nprox] its backend's offered requests when the call began */
    uint32_t *n_calling;    /* [nbackends * nprox] calls in flight */
    double *cum_req;        /* [nbackends] requests offered to it from 0 to last_t */
    double *last_t;         /* [nbackends] s */
    uint32_t booting;       /* (server, proxy) pairs not IDLE */
    double last_start_s;    /* sim time the last start completed, s (NAN: none yet) */
} backends_t;

/* ---------------------------------------------------------------- repair */

/* The two repair processes of a proxy (machine in repair.c). */
enum { RP_FIX = 0, /* crash_repair crews */
       RP_PROV,    /* re-provisioning of damaged servers */
       RP_KINDS };
/* A server's place in one process. */
enum { RS_NONE = 0, RS_WAITING, RS_WORKING };

typedef struct repair_shop {
    uint32_t *ring;         /* [nserv + 1] FIFO of waiting servers; NULL: the proxy has no shop */
    uint8_t *state;         /* [nserv] RS_* */
    uint32_t *jobs;         /* [nserv] jobs begun on the server so far (keys the time draws) */
    uint32_t head, tail;
    uint32_t busy;          /* jobs in progress (each has a pending done event) */
    uint32_t crews;         /* crews now */
    double median_s, p99_s; /* time of a job begun now: log-normal (p99 == median: fixed), s */
    uint32_t next_step;     /* schedule steps applied so far */
} repair_shop_t;

typedef struct repair {
    repair_shop_t *shop;    /* [RP_KINDS * nprox]: shop[kind * nprox + p] */
    uint8_t *srv_offline;   /* [nserv] offline (NULL: no region has offline servers) */
    double *srv_online_s;   /* [nserv] sim time it comes online, s (INFINITY: never) */
    uint8_t *sp_damaged;    /* [nserv * nprox] damaged (NULL: no proxy can be damaged) */
    double *sp_exposed_s;   /* [nserv * nprox] time held bad files before the current hold, s */
} repair_t;

/* --------------------------------------------------------------- staging */

/* Staged delivery of an action with a target or rollout (machine in staging.c). */
enum {
    STG_IDLE = 0, /* not fired (every untargeted action stays here) */
    STG_STAGING,  /* fired; plan steps next .. nplan - 1 still to come */
    STG_DONE      /* every target region reached (or a restart walk started) */
};

typedef struct staging {
    uint8_t *state;       /* [nactions] STG_* */
    uint32_t **plan;      /* [nactions] target regions in the order reached (NULL until fired) */
    double **plan_t;      /* [nactions] sim time each plan step is due, s, non-decreasing */
    uint32_t *nplan;      /* [nactions] plan steps */
    uint32_t *next;       /* [nactions] next plan step to run */
    uint8_t **mask;       /* [nactions] [nserv] 1: the action acts on the server (NULL until fired) */
    uint32_t *gen;        /* [nactions] push_last_known_good: the generation it pushes, 0 = none */
} staging_t;

/* ----------------------------------------------------------------- world */

#define WORLD_NPURPOSES 24 /* purposes 0 .. RNG_PRIOR_DESIGN */
_Static_assert(RNG_PRIOR_DESIGN < WORLD_NPURPOSES, "a purpose without its world_keyed_u01 prefix");

typedef struct world {
    const cdn_scenario_t *s;
    uint64_t seed, replication;
    uint64_t rng_prefix[WORLD_NPURPOSES]; /* sim_rng_derive_prefix(seed, replication, purpose) */
    cdn_world_cache_t *cache; /* the sites of runs of this replication, or NULL */
    sim_t *sim;
    sim_recorder_t *rec;
    /* kernel event types */
    uint32_t ev_traffic, ev_generate, ev_arrive, ev_action, ev_restart_begin, ev_restart_end;
    uint32_t ev_detect, ev_stage, ev_kill, ev_svc_restore, ev_failover, ev_wave, ev_repair;
    uint32_t ev_svc_drain, ev_trigger, ev_undrain;
    uint32_t ev_bk_call_end, ev_bk_retry;

    size_t nreg, nprox, nart, nsvc, ncoh;
    size_t ncoh_base;       /* cohorts before the named sites' */
    size_t ngrp;            /* cohort groups: ncoh_base / 3 generic (the three failover
                             * classes of one exposure), then one per named site */
    uint32_t nserv;
    size_t series_svc0, series_sites, series_fo; /* recorder series */

    cdn_event_rec_t *events; /* the notable events, in order */
    size_t nevents, capevents;

    fleet_t fleet;
    artifacts_t arts;
    traffic_t traffic;
    sites_t sites;
    services_t svc;
    operators_t ops;
    backends_t bk;
    staging_t stg;
    uint32_t ev_stage_step;  /* a staged action reaches its next region */
    repair_t rp;
    uint32_t ev_online, ev_repair_step; /* a server comes online; a repair capacity change */
} world_t;

/* world.c */
int world_init(world_t *w, const cdn_scenario_t *s, uint64_t seed, uint64_t rep, cdn_error_t *err);
/* world_init with a sites cache (NULL: none). */
int world_init_cached(world_t *w, const cdn_scenario_t *s, uint64_t seed, uint64_t rep,
                      cdn_world_cache_t *cache, cdn_error_t *err);
void world_fini(world_t *w);
void world_log_event(world_t *w, cdn_evkind_t kind, cdn_event_rec_t rec);
cdn_event_rec_t world_blank_event(void);
/* A uniformly random permutation of v[0..n) (Fisher-Yates, n - 1 draws). */
void world_shuffle(uint32_t *v, uint32_t n, sim_rng_t *rng);
/* The cohorts of group g: [*first, *first + return value). */
static inline size_t world_group(const world_t *w, size_t g, size_t *first)
{
    size_t ng = w->ncoh_base / 3;
    if (g < ng) {
        *first = 3 * g;
        return 3;
    }
    *first = w->ncoh_base + (g - ng);
    return 1;
}
/* SERVER key of global server srv (see the purposes above). */
uint64_t world_server_key(const world_t *w, uint32_t srv);
/* The uniform on (0, 1) keyed by (seed, replication, purpose, entity). */
double world_keyed_u01(const world_t *w, uint64_t purpose, uint64_t entity);

/* artifacts.c: sim_rng_lognormal_quantile(u, f median, f p99) for artifact
 * a in region r (f its latency_factor), bit for bit, with what does not
 * depend on u computed once per run (test_world_checks compares them). */
double artifacts_latency(const world_t *w, size_t a, size_t r, double u);

/* propagate.c: what a handler changed, and so what must be re-derived. */
typedef enum {
    PROPAGATE_NONE,    /* nothing rates or signals depend on */
    PROPAGATE_SIGNALS, /* a service or a cohort's failover: services and sites */
    PROPAGATE_REGION,  /* servers of one region: its rates (every rate when it drains
                        * or comes back), signals, health-check drains */
    PROPAGATE_ALL,     /* servers of many regions or cohort traffic: every rate, signals */
    PROPAGATE_ROUTE,   /* which regions take traffic: routing, every rate, signals */
    PROPAGATE_TRAFFIC, /* the regions' own rates: as ROUTE, then health-check drains */
    PROPAGATE_UNDRAIN  /* a health-check drain ended: as REGION, then health-check drains */
} propagate_scope_t;
void propagate_change(world_t *w, propagate_scope_t scope, size_t region);

/* fleet.c */
void fleet_init(world_t *w);
void fleet_fini(world_t *w);
/* 1 if a bad artifact with this effect takes the server out of service.
 * Inline: the rate pass asks it per proxy on every server event. */
static inline int fleet_is_out_effect(cdn_effect_t e)
{
    return e == CDN_EFFECT_CRASH || e == CDN_EFFECT_CRASH_REPAIR || e == CDN_EFFECT_WITHDRAW;
}
/* 1 if a restart_proxies action restarts proxy p (every proxy when -1). */
static inline int fleet_restart_matches(const cdn_action_spec_t *act, uint32_t p)
{
    return act->proxy < 0 || (uint32_t)act->proxy == p;
}
void fleet_reevaluate(world_t *w, uint32_t srv);
void fleet_set_artbad(world_t *w, uint32_t srv, uint32_t a, uint8_t bad);
int fleet_restart_wanted(const world_t *w, const cdn_action_spec_t *act, uint32_t srv);
int fleet_check(const world_t *w);
/* Proxy p of srv was repaired or re-provisioned (repair.c): unwedged, it
 * boots, pulls what it missed and is re-evaluated. */
void fleet_repaired(world_t *w, uint32_t srv, uint32_t p);
/* srv came online (repair.c): every proxy boots, it loads the newest
 * files and is re-evaluated. */
void fleet_online(world_t *w, uint32_t srv);
void fleet_on_arrive(sim_t *sim, const sim_event_t *ev, void *ctx);
void fleet_on_restart_begin(sim_t *sim, const sim_event_t *ev, void *ctx);
void fleet_on_restart_end(sim_t *sim, const sim_event_t *ev, void *ctx);

/* artifacts.c */
void artifacts_init(world_t *w);
void artifacts_fini(world_t *w);
void artifacts_start(world_t *w);
void artifacts_start_triggers(world_t *w);
void artifacts_stop(world_t *w, uint32_t a);
void artifacts_push_last_known_good(world_t *w, uint32_t k);
void artifacts_kill_switch(world_t *w, uint32_t k);
/* The generation push_last_known_good (action k) pushes, logged; it ends
 * a rollout in progress. */
uint32_t artifacts_lkg_generation(world_t *w, uint32_t k);
/* Generation gen of artifact a to the servers of region r that mask
 * selects (NULL: all), each after its keyed latency. */
void artifacts_deliver_region(world_t *w, uint32_t a, uint32_t gen, size_t r, const uint8_t *mask);
/* kill_switch (action k) to the servers of region r that mask selects. */
void artifacts_kill_region(world_t *w, uint32_t k, size_t r, const uint8_t *mask);
int artifacts_rollout_check(const world_t *w);
void artifacts_on_generate(sim_t *sim, const sim_event_t *ev, void *ctx);
void artifacts_on_trigger(sim_t *sim, const sim_event_t *ev, void *ctx);
void artifacts_on_stage(sim_t *sim, const sim_event_t *ev, void *ctx);
void artifacts_on_kill(sim_t *sim, const sim_event_t *ev, void *ctx);

/* traffic.c */
void traffic_init(world_t *w);
void traffic_fini(world_t *w);
/* The regional user mix (dist_m), once the sites are built; nothing when
 * no plan or named site declares regions. */
void traffic_users_init(world_t *w);
/* traffic.c: once the sites exist, the groups' units and which groups have traffic. */
void traffic_groups_init(world_t *w);
void traffic_route(world_t *w);
void traffic_region_rates(world_t *w, size_t r, double t, int full);
void traffic_all_rates(world_t *w, double t);
int traffic_overload_drain(world_t *w);
int traffic_check(const world_t *w);
void traffic_on_step(sim_t *sim, const sim_event_t *ev, void *ctx);
void traffic_on_undrain(sim_t *sim, const sim_event_t *ev, void *ctx);

/* sites.c */
/* The scope features and proxy masks; returns the factor 2^nsfeat by
 * which they multiply the generic cohorts.  Before sites_init. */
size_t sites_dims(world_t *w);
void sites_init(world_t *w);
void sites_fini(world_t *w);
/* 1 if a cohort in this failover state is served by the second CDN.  In
 * the header (static inline): the rate passes call it per cohort and
 * region, and a call into another file there cost 15% of a full-scale
 * run. */
static inline int sites_served_elsewhere(uint8_t fo_state)
{
    return fo_state == FO_FAILED_OVER || fo_state == FO_FAILBACK_PENDING;
}
void sites_update(world_t *w, double t);
int sites_failover_check(const world_t *w);
void sites_on_failover(sim_t *sim, const sim_event_t *ev, void *ctx);

/* services.c */
void services_init(world_t *w);
void services_fini(world_t *w);
void services_update(world_t *w, double t);
void services_fail(world_t *w, uint32_t k, double duration_s);
void services_bypass(world_t *w, uint32_t k);
void services_scale(world_t *w, uint32_t k, double capacity);
int services_backlog_check(const world_t *w);
void services_on_drain(sim_t *sim, const sim_event_t *ev, void *ctx);
void services_on_restore(sim_t *sim, const sim_event_t *ev, void *ctx);

/* backends.c */
void backends_init(world_t *w);
void backends_fini(world_t *w);
/* 1 while (server, proxy) i = srv * nprox + p is starting (calling its
 * backend or waiting to call again): out of service, not failing.
 * Inline: the fleet's delta updates ask it on every change. */
static inline int backends_booting(const world_t *w, size_t i)
{
    return w->bk.sp_state != NULL && w->bk.sp_state[i] != BK_IDLE;
}
/* Proxy p of srv starts (a restart ended, a repair): with a backend it
 * begins calling it (the caller then re-evaluates the server); else
 * nothing. */
void backends_boot(world_t *w, uint32_t srv, uint32_t p);
/* A restart interrupts a start in progress (nothing when none). */
void backends_cancel(world_t *w, uint32_t srv, uint32_t p);
int backends_check(const world_t *w);
void backends_on_call_end(sim_t *sim, const sim_event_t *ev, void *ctx);
void backends_on_retry(sim_t *sim, const sim_event_t *ev, void *ctx);

/* repair.c */
void repair_init(world_t *w);
void repair_fini(world_t *w);
/* Offline servers out of service, the first online and schedule events
 * (after the other first events: see world.c). */
void repair_start(world_t *w);
/* 1 while srv is offline: out of service, sent no file.  Inline: the
 * fleet's delta updates ask it on every change. */
static inline int repair_offline(const world_t *w, uint32_t srv)
{
    return w->rp.srv_offline != NULL && w->rp.srv_offline[srv];
}
/* 1 while (server, proxy) i = srv * nprox + p is damaged: failing until
 * re-provisioned. */
static inline int repair_damaged(const world_t *w, size_t i)
{
    return w->rp.sp_damaged != NULL && w->rp.sp_damaged[i];
}
/* Puts (srv, p) at the tail of process `kind`'s queue (nothing when it is
 * there or being worked on); a free crew starts on it. */
void repair_enqueue(world_t *w, int kind, uint32_t srv, uint32_t p);
/* Proxy p of srv stopped holding bad files after held_s more of them:
 * the damage draw (nothing when the proxy cannot be damaged). */
void repair_hold_falls(world_t *w, uint32_t srv, uint32_t p, double held_s);
/* A hold interrupted by a restart: held_s counts as exposure, no draw. */
void repair_exposure(world_t *w, uint32_t srv, uint32_t p, double held_s);
int repair_check(const world_t *w);
void repair_on_done(sim_t *sim, const sim_event_t *ev, void *ctx);
void repair_on_online(sim_t *sim, const sim_event_t *ev, void *ctx);
void repair_on_step(sim_t *sim, const sim_event_t *ev, void *ctx);

/* operators.c */
void operators_init(world_t *w);
void operators_fini(world_t *w);
void operators_start(world_t *w);
void operators_restart_ended(world_t *w, uint32_t k);
/* restart_proxies (action k, duration_s mode) on the servers of region r
 * that mask selects; returns how many. */
uint32_t operators_restart_region(world_t *w, uint32_t k, size_t r, const uint8_t *mask);
/* restart_proxies (action k) as a rate-limited walk, or every server
 * (restricted by the action's mask) at once. */
void operators_restart(world_t *w, uint32_t k);
int operators_incident_check(const world_t *w);
/* Diagnosis progress rate at t with the alert condition `cond`
 * (docs/model.md "Diagnosis"): 0 once the impact has ended, else the
 * smallest rate of the confusing conditions present, 1 with none. */
double operators_diagnosis_rate(const world_t *w, double t, int cond);
int operators_wave_check(const world_t *w);
void operators_on_detect(sim_t *sim, const sim_event_t *ev, void *ctx);
void operators_on_action(sim_t *sim, const sim_event_t *ev, void *ctx);
void operators_on_wave(sim_t *sim, const sim_event_t *ev, void *ctx);

/* staging.c */
void staging_init(world_t *w);
void staging_fini(world_t *w);
/* Fires targeted action k (act->targeted): plans its regions and servers,
 * and schedules one step per region. */
void staging_begin(world_t *w, uint32_t k);
/* 1 if action k acts on server srv (every server for an untargeted one). */
static inline int staging_wants(const world_t *w, uint32_t k, uint32_t srv)
{
    return w->stg.mask == NULL || w->stg.mask[k] == NULL || w->stg.mask[k][srv];
}
int staging_check(const world_t *w);
void staging_on_step(sim_t *sim, const sim_event_t *ev, void *ctx);

#endif /* CDNSIM_WORLD_INT_H */
