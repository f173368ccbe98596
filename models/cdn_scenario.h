/*
 * cdn_scenario.h -- a scenario file turned into plain, validated, const C data.
 *
 * Contract
 *   cdn_scenario_load() reads a JSON scenario file (format documented key by
 *   key in docs/scenario-format.md), rejects anything that is not exactly
 *   the documented format (unknown keys, wrong types, values out of range,
 *   references to undefined names, shares that do not sum to 1), fills
 *   defaults and returns a cdn_scenario_t that models read and never modify.
 *   Models never see cJSON.
 *
 *   Times: the file gives absolute times as UTC strings ("..._utc":
 *   "2025-11-18T11:05:00Z") or as offsets from the simulation start
 *   ("..._s"); exactly one of the two per field.  In the structs every time
 *   is seconds of sim time, where 0 is simulation.start_utc.
 *
 *   Every object in the file may carry "notes" (a string or an array of
 *   strings) to cite sources or to mark a value as a free parameter; the top
 *   level may also carry "sources" (an object of id -> string).  Both are
 *   kept only as documentation (not parsed into the structs).
 *
 * Errors
 *   0 on success, or a negative CDN_E* code with err->msg set to one line:
 *       FILE: $.json.path: expected WHAT, found WHAT
 *   (JSON syntax errors: "FILE:LINE:COL: invalid JSON: ...").  On error
 *   *out is NULL and nothing leaks.
 *
 * Ownership and threads
 *   The caller owns the scenario (cdn_scenario_destroy).  Loading is
 *   thread-safe (no cJSON global error pointer is used).
 */
#ifndef CDNSIM_CDN_SCENARIO_H
#define CDNSIM_CDN_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_error.h" /* cdn_error_t, CDN_E* */
#include "cdn_measure.h"

#define CDN_NAME_MAX 64
/* The largest seed (and replication index), from a file or the command
 * line: 2^53 - 1, the largest integer below which every integer is exact in
 * a JSON number (a double), so no seed is silently rounded to another. */
#define CDN_SEED_MAX 9007199254740991ULL
#define CDN_MAX_PROXIES 8
#define CDN_MAX_DEPS 8
#define CDN_MAX_STAGES 16
#define CDN_MAX_NEIGHBORS 16
#define CDN_MAX_TIERS 8
#define CDN_MAX_BACKENDS 16
/* Customer features (docs/model.md, "Customer features"): named features
 * over all plans and named sites; of them, at most CDN_MAX_SCOPE_FEATURES
 * other than the two bot-management ones may scope a proxy's effect (each
 * doubles the cohorts). */
#define CDN_MAX_FEATURES 16
#define CDN_MAX_SCOPE_FEATURES 4
#define CDN_MAX_REPAIR_STEPS 16

/* What a proxy does with a bad artifact. */
#define CDN_EFFECT_MAP(X)                                                              \
    X(CDN_EFFECT_NONE, "none")       /* ignores it */                                  \
    X(CDN_EFFECT_PANIC, "panic")     /* scoped traffic gets HTTP 5xx */                \
    X(CDN_EFFECT_DEGRADE, "degrade") /* bot score 0: rules block requests */           \
    X(CDN_EFFECT_CRASH, "crash")     /* server out of service while it holds the file */ \
    X(CDN_EFFECT_CRASH_REPAIR, "crash_repair") /* out until repaired by hand */         \
    X(CDN_EFFECT_CPU_EXHAUSTION, "cpu_exhaustion") /* burns affected_frac of its CPU */ \
    X(CDN_EFFECT_WITHDRAW, "withdraw") /* server withdraws its routes while it holds the file */ \
    X(CDN_EFFECT_CPU_PER_REQUEST, "cpu_per_request") /* hit requests cost extra_cpu_per_request more CPU */

/* Which traffic of the proxy depends on the artifact's module. */
#define CDN_SCOPE_MAP(X)                                                         \
    X(CDN_SCOPE_ALL, "all")                       /* every request */            \
    X(CDN_SCOPE_BOT_MANAGEMENT, "bot_management") /* sites with bot mgmt on */   \
    X(CDN_SCOPE_BOT_BLOCK_RULES, "bot_block_rules") /* sites that block bots */

/* Operator actions (scripted at a time, or triggered by detection or
 * diagnosis). */
#define CDN_ACTION_MAP(X)                                                             \
    X(CDN_ACTION_STOP_GENERATION, "stop_generation")     /* no more runs */          \
    X(CDN_ACTION_PUSH_LAST_KNOWN_GOOD, "push_last_known_good") /* distribute good */ \
    X(CDN_ACTION_RESTART_PROXIES, "restart_proxies")     /* restart wave */          \
    X(CDN_ACTION_BYPASS_SERVICE, "bypass_service")       /* service off the path */  \
    X(CDN_ACTION_KILL_SWITCH, "kill_switch")   /* consumers stop using the module */ \
    X(CDN_ACTION_FAIL_SERVICE, "fail_service") /* a service is down for a while */    \
    X(CDN_ACTION_SCALE_SERVICE, "scale_service") /* a service gets a new capacity */

/* How a proxy that failed to start against its backend calls again. */
#define CDN_RETRY_MAP(X)                                                              \
    X(CDN_RETRY_IMMEDIATE, "immediate")     /* calls again at once */                  \
    X(CDN_RETRY_FIXED, "fixed")             /* after retry_interval_s */               \
    X(CDN_RETRY_EXPONENTIAL, "exponential") /* after min(cap, base * 2^(k-1)) */

/* What starts an action. */
#define CDN_TRIGGER_MAP(X)                                            \
    X(CDN_TRIGGER_TIME, "time")           /* at a given time */       \
    X(CDN_TRIGGER_DETECTION, "detection") /* after the alert fires */ \
    X(CDN_TRIGGER_DIAGNOSIS, "diagnosis") /* after the cause is known */

/* In which order a staged action (rollout) reaches its target regions. */
#define CDN_ROLLOUT_ORDER_MAP(X)                                                        \
    X(CDN_ORDER_LISTED, "listed")             /* target.regions order, else file order */ \
    X(CDN_ORDER_LARGEST_FIRST, "largest_first") /* most servers first */                 \
    X(CDN_ORDER_SMALLEST_FIRST, "smallest_first") /* fewest servers first */             \
    X(CDN_ORDER_MOST_DAMAGED_LAST, "most_damaged_last") /* least damaged share first */

#define CDN_X_ENUM(e, s) e,
typedef enum { CDN_EFFECT_MAP(CDN_X_ENUM) CDN_EFFECT_COUNT } cdn_effect_t;
typedef enum { CDN_SCOPE_MAP(CDN_X_ENUM) CDN_SCOPE_COUNT } cdn_scope_t;
typedef enum { CDN_ACTION_MAP(CDN_X_ENUM) CDN_ACTION_COUNT } cdn_action_kind_t;
typedef enum { CDN_TRIGGER_MAP(CDN_X_ENUM) CDN_TRIGGER_COUNT } cdn_trigger_t;
typedef enum { CDN_RETRY_MAP(CDN_X_ENUM) CDN_RETRY_COUNT } cdn_retry_t;
typedef enum { CDN_ROLLOUT_ORDER_MAP(CDN_X_ENUM) CDN_ORDER_COUNT } cdn_rollout_order_t;
#undef CDN_X_ENUM

const char *cdn_effect_name(cdn_effect_t e);
const char *cdn_scope_name(cdn_scope_t s);
const char *cdn_action_name(cdn_action_kind_t a);
const char *cdn_trigger_name(cdn_trigger_t t);
const char *cdn_rollout_order_name(cdn_rollout_order_t o);

typedef struct cdn_sim_spec {
    char start_utc[32];   /* as written, normalised "YYYY-MM-DDTHH:MM:SSZ" */
    int64_t start_epoch_s; /* the same instant, seconds since 1970-01-01 UTC */
    double duration_s;    /* simulated span, seconds (> 0, <= 30 days) */
    double bin_s;         /* timeline bin width, seconds (> 0, <= duration_s) */
    uint64_t seed;        /* default seed of the random streams */
} cdn_sim_spec_t;

typedef struct cdn_traffic_spec {
    double global_rps;            /* mean global request rate, requests/s (> 0) */
    double diurnal_amplitude;     /* relative swing of the daily curve, [0, 1) */
    double diurnal_peak_local_h;  /* local hour of the daily peak, [0, 24) */
    double step_s;                /* the daily curve is held constant over steps of this length, s */
    double baseline_err5xx_frac;  /* 5xx share with no incident, [0, 1) */
    double base_latency_ms;       /* response time at zero load, ms (> 0) */
    uint32_t max_retries;         /* clients retry a failed request at most this often, [0, 10] */
    double retry_frac;            /* probability that a failed attempt is retried, [0, 1] */
    double surge_frac;            /* share of failed requests whose users come back later, [0, 1] */
    double surge_s;               /* they come back at (deferred / surge_s) per second, s (> 0) */
} cdn_traffic_spec_t;

typedef struct cdn_region_spec {
    char name[CDN_NAME_MAX];
    double traffic_share;       /* share of global traffic; all regions sum to 1 */
    double utc_offset_h;        /* time zone of the daily curve, hours, [-12, 14] */
    uint32_t servers;           /* number of servers, >= 1 */
    double server_capacity_rps; /* requests/s one healthy server can serve, > 0 */
    size_t nneighbors;
    uint32_t neighbors[CDN_MAX_NEIGHBORS]; /* regions that take its traffic when it is drained */
    char tier[CDN_NAME_MAX];    /* server tier of the region ("" = none) */
    double overload_drain_rho;  /* load / capacity at which health checks drain it (0 = never) */
    double overload_drain_s;    /* it stays drained this long, then takes traffic again, s */
    double latency_factor;      /* scales every artifact's distribution latency here, > 0 */
    /* Offline hosts (models/world/repair.c): a share of the servers is
     * offline at time 0 and comes online over time. */
    double offline_frac;        /* share of its servers offline at time 0, [0, 1] */
    double online_mean_s;       /* mean of an offline server's (exponential) time to come online, s */
} cdn_region_spec_t;

/* A change of repair capacity at a time (crews added, a self-service fix
 * or automated remediation released). */
typedef struct cdn_repair_step {
    double at_s;                /* sim time it takes effect, s */
    uint32_t crews;             /* crews working at once from then on */
    double time_median_s;       /* > 0: median repair time of jobs begun from then on, s (0: unchanged) */
    double time_p99_s;          /* with time_median_s: their 99th percentile, s (0: the median) */
} cdn_repair_step_t;

/* A repair process with limited capacity (models/world/repair.c): the
 * crash_repair crews of a proxy, or its re-provisioning of damaged
 * servers.  Servers wait first come, first served; each job takes a
 * log-normal time (median, p99; p99 == median: fixed). */
typedef struct cdn_repair_spec {
    uint32_t crews;             /* crews working at once from time 0 */
    double time_median_s;       /* median time of one job, s (crash repair: 0 means 3600 / repair_rate_per_h) */
    double time_p99_s;          /* its 99th percentile, s (0: the median, every job takes the same time) */
    size_t nsteps;
    cdn_repair_step_t steps[CDN_MAX_REPAIR_STEPS]; /* capacity changes, in time order */
} cdn_repair_spec_t;

typedef struct cdn_proxy_spec {
    char name[CDN_NAME_MAX];
    cdn_effect_t on_bad_artifact; /* what a bad artifact does to this proxy */
    cdn_scope_t scope;            /* which of its traffic depends on the module */
    char scope_feature_name[CDN_NAME_MAX]; /* "scope_feature" as written ("" = none) */
    int32_t scope_feature;        /* index into sites.features the effect is scoped to, or -1
                                   * (then `scope` says; bot_management and bot_block_rules
                                   * are always `scope`) */
    double affected_frac;         /* share of the scoped requests that fail or are blocked, [0, 1] */
    double wedge_rate_per_h;      /* hazard, per hour of failing, of entering a state only a restart clears, [0, 3600] */
    double error_cpu_frac;        /* share of its server's CPU a failing proxy burns (error reporting), [0, 1] */
    double repair_rate_per_h;     /* crash_repair: servers the repair crew fixes per hour, > 0 */
    size_t ntiers;                /* 0: everywhere; else the effect applies only in these tiers */
    char tiers[CDN_MAX_TIERS][CDN_NAME_MAX];
    /* Shared backend (models/world/backends.c): a start of the proxy (the
     * end of a restart, a repair) needs a call to it to succeed. */
    int32_t backend;              /* backend index, or -1: starts need nothing */
    double requests_per_start;    /* requests one call (one start attempt) sends, > 0 */
    cdn_retry_t retry;            /* what a caller whose call failed does */
    double retry_interval_s;      /* fixed: wait between calls, s */
    double retry_base_s;          /* exponential: first wait, s */
    double retry_cap_s;           /* exponential: longest wait, s */
    int retry_jitter;             /* 1: each wait is uniform on [0, wait] (keyed draw) */
    /* Load-proportional CPU and per-proxy withdrawal (traffic.c, fleet.c). */
    double extra_cpu_per_request; /* a hit request of a failing proxy costs 1 + this normal requests' CPU, [0, 1000] */
    int withdraw_proxy_only;      /* withdraw: 1 withdraws this proxy's routes only (the server stays in service) */
    double withdrawn_fallback_frac; /* withdraw_proxy_only: share of unroutable requests sent to another provider, [0, 1] */
    /* Repair (models/world/repair.c): crash_repair crews, and damage that
     * outlives the revert, cleared only by re-provisioning. */
    cdn_repair_spec_t repair;     /* crash_repair: crews, repair times, capacity schedule */
    double damage_frac;           /* share of servers whose proxy held a bad file left damaged, [0, 1] */
    double damage_rate_per_h;     /* damage hazard per hour of holding a bad file, [0, 3600] */
    cdn_repair_spec_t reprovision; /* re-provisioning of damaged servers */
} cdn_proxy_spec_t;

/* A shared backend with limited capacity (configuration store, identity
 * provider, origin) that proxies call when they start. */
typedef struct cdn_backend_spec {
    char name[CDN_NAME_MAX];
    double capacity_rps;          /* requests/s it serves, > 0 */
    double timeout_s;             /* a call's duration: its outcome is known this long after it starts, s */
    double waste_exponent;        /* overload: a call succeeds with probability (capacity/offered)^this, [1, 4] */
} cdn_backend_spec_t;

typedef struct cdn_plan_spec {
    char name[CDN_NAME_MAX];
    double site_share;           /* share of sites on this plan; plans sum to 1 */
    double traffic_share;        /* share of requests to this plan's sites; plans sum to 1 */
    double bot_management_frac;  /* share of the plan's sites with bot management on, [0, 1] */
    double bot_block_rules_frac; /* share of those sites whose rules block bots, [0, 1] */
    double proxy_mix[CDN_MAX_PROXIES]; /* share of the plan's sites per proxy index; sums to 1 */
    double failover_frac;        /* share of the plan's sites with a second CDN and DNS failover, [0, 1] */
    double dns_on_provider_frac; /* share of those whose DNS is hosted on this CDN (need its control plane), [0, 1] */
    double failover_detect_s;    /* health checks notice a down site after this long, s */
    double dns_ttl_s;            /* DNS TTL: clients move this long after the record changes, s */
    double failback_s;           /* back to this CDN after it served well for this long, s */
    double feature_frac[CDN_MAX_FEATURES]; /* share of its sites with sites.features[i], [0, 1] */
    double *region_share;        /* [nregions] share of its users (requests) per region, sums
                                  * to 1; NULL: spread like all traffic (regions[].traffic_share) */
} cdn_plan_spec_t;

/* A site simulated on its own (a big site the press names, an outage
 * reporter): its own traffic share, proxy, features and failover, and the
 * provider services its pages need. */
typedef struct cdn_named_site_spec {
    char name[CDN_NAME_MAX];
    uint32_t plan;             /* plan index (its traffic is part of the plan's) */
    uint32_t proxy;            /* proxy index */
    double traffic_share;      /* share of all requests, (0, plan's traffic_share] */
    int bot_management;        /* bot management on */
    int bot_block_rules;       /* rules that block bots (needs bot_management) */
    int failover;              /* 0 none, 1 second CDN with its own DNS, 2 DNS hosted here */
    size_t ndeps;
    uint32_t deps[CDN_MAX_DEPS]; /* services its pages need (e.g. Turnstile on the login) */
    size_t nsite_deps;
    uint32_t site_deps[CDN_MAX_DEPS]; /* earlier named sites it needs (an API, a login provider) */
    uint32_t features;         /* bit i: it has sites.features[i] */
    double *region_share;      /* [nregions] its users per region, or NULL: its plan's */
} cdn_named_site_spec_t;

typedef struct cdn_sites_spec {
    uint32_t count;          /* number of dependent sites, >= 1 */
    double zipf_exponent;    /* popularity of rank k is proportional to k^-s, (0, 3] */
    double down_threshold;   /* a site is down while its served share is below this, (0, 1] */
    int32_t control_plane_service; /* service needed to change DNS hosted here, or -1 (none) */
    size_t nnamed;
    cdn_named_site_spec_t *named;  /* sites simulated one by one, besides the `count` others */
    size_t nplans;
    cdn_plan_spec_t *plans;
    size_t nfeatures;        /* features other than bot_management and bot_block_rules */
    char features[CDN_MAX_FEATURES][CDN_NAME_MAX]; /* their names: declared by plans and named
                                                    * sites, then those only proxies name */
    int regional;            /* some plan or named site has region_share */
} cdn_sites_spec_t;

typedef struct cdn_artifact_spec {
    char name[CDN_NAME_MAX];
    double period_s;           /* generator period, seconds (> 0) */
    double first_run_s;        /* sim time of the first generator run */
    uint32_t cluster_nodes;    /* nodes the generator query may land on, >= 1 */
    uint32_t nodes_migrated_at_start; /* nodes already updated at time 0, <= cluster_nodes */
    double migration_start_s;  /* sim time the node-by-node change starts */
    double migration_step_s;   /* seconds between two nodes being updated (>= 0; 0 = all at once) */
    double normal_size;        /* entries in a good artifact, > 0 */
    double bad_size;           /* entries in an artifact made on an updated node, > 0 */
    double size_limit;         /* consumer limit: an artifact above it is bad, > 0 */
    int validate_on_ingest;    /* 1: artifacts over the limit are rejected, last-known-good kept */
    double latent_until_s;     /* a bad artifact does no harm before this sim time (0: none) */
    double latency_median_s;   /* distribution latency to a server, median, s (> 0) */
    double latency_p99_s;      /* distribution latency, 99th percentile, s (>= median) */
    size_t nstages;            /* staged rollout: 0 = every server at once */
    double stage_frac[CDN_MAX_STAGES]; /* cumulative share of servers per stage (NAN: a tier stage), last 1 */
    size_t stage_ntiers[CDN_MAX_STAGES]; /* a tier stage: every server of these tiers' regions */
    char stage_tiers[CDN_MAX_STAGES][CDN_MAX_TIERS][CDN_NAME_MAX];
    double stage_bake_s[CDN_MAX_STAGES]; /* wait after a stage before the next, s */
    int health_gate;           /* 1: halt and roll back when a stage's servers fail */
    double gate_max_failing_frac; /* halt when more than this share of a stage's servers fail */
    size_t nconsumers;
    uint32_t consumers[CDN_MAX_PROXIES]; /* proxy indices that load this artifact */
    size_t ntiers;             /* 0: every region; else only regions of these tiers load it */
    char tiers[CDN_MAX_TIERS][CDN_NAME_MAX];
    int pull_when_online;      /* 1: a server out of service gets the file when it is back */
} cdn_artifact_spec_t;

typedef struct cdn_service_spec {
    char name[CDN_NAME_MAX];
    int32_t behind_proxy;  /* proxy index its front end runs through, or -1 (independent) */
    int32_t bypass_proxy;  /* proxy index it moves to when bypassed, or -1 (off every proxy) */
    size_t ndeps;
    uint32_t deps[CDN_MAX_DEPS]; /* indices of services it needs; the graph is acyclic */
    double capacity;       /* work it can serve, in units of its normal demand (0 = unlimited) */
    double backlog_frac;   /* share of the users it failed who come back later, [0, 1] */
    double retry_surge;    /* extra demand, in normal-demand units, while a backlog retries */
    int control_plane;     /* tag: part of the provider's control plane (strategies select it) */
} cdn_service_spec_t;

typedef struct cdn_action_spec {
    cdn_action_kind_t kind;
    cdn_trigger_t trigger; /* time, or after detection / diagnosis */
    double at_s;           /* trigger "time": sim time of the action; else INFINITY */
    double delay_s;        /* other triggers: seconds after the trigger */
    int32_t artifact;      /* stop_generation, push_last_known_good, kill_switch: artifact index */
    int32_t proxy;         /* restart_proxies: proxy index, or -1 for every proxy */
    int32_t service;       /* bypass_service, fail_service: service index */
    double duration_s;     /* restart_proxies: restarts spread over this span; fail_service: outage length, s */
    double restart_s;      /* restart_proxies: a server's proxy is down this long, s (>= 0) */
    double rate_per_s;     /* restart_proxies: > 0 walks the servers in random order at this rate */
    double capacity;       /* scale_service: the service's new capacity (normal-demand units) */
    int only_failing;      /* restart_proxies: 1 skips servers whose proxy is not failing then */
    char label[CDN_NAME_MAX]; /* short label for plots and the event log */
    /* "target" and "rollout" (push_last_known_good, kill_switch,
     * restart_proxies): which regions and share of servers, and when each
     * region is reached.  targeted 0: every server at once, as before. */
    int targeted;          /* 1 when "target" or "rollout" is given */
    size_t treg_first;     /* target regions: s->action_regions[treg_first ..] */
    size_t ntreg;          /* how many (every region matching, in listed or file order) */
    double tshare;         /* target.share: share of each target region's servers, (0, 1] */
    int rorder;            /* rollout.order (cdn_rollout_order_t) */
    double rstep_s;        /* rollout.step_s: time between two regions, s (>= 0) */
    double rregions_per_s; /* rollout.regions_per_s: regions reached per s (0: use step_s) */
    size_t roff_first;     /* rollout.offsets_s: s->action_offsets_s[roff_first ..], ntreg of them */
    int has_offsets;       /* 1 when rollout.offsets_s is given */
} cdn_action_spec_t;

/* Incident response: an alert on the simulated 5xx share, and a diagnosis
 * that progresses more slowly while the signal is confusing. */
typedef struct cdn_detection_spec {
    int enabled;            /* 0: nobody is alerted (no detection-triggered actions) */
    double threshold_frac;  /* alert when the global 5xx share exceeds this ... */
    double for_s;           /* ... continuously for this long, s */
    double check_s;         /* the alert rule is evaluated every check_s, s */
    int diagnosis;          /* 1: a diagnosis follows detection */
    double work_s;          /* median diagnosis effort, in seconds of clear-signal work */
    double work_p90_factor; /* its 90th percentile over work_s (lognormal, drawn per
                             * replication; 1: no spread) */
    double confused_progress; /* default of the three progress rates below, [0, 1] */
    double flap_progress;   /* progress rate while a flap is recent, [0, 1] */
    double flap_memory_s;   /* a recovery of the signal confuses for this long, s */
    double misleading_progress; /* progress rate while a misleading service is down, [0, 1] */
    size_t nmisleading;
    uint32_t misleading[CDN_MAX_DEPS]; /* services whose outage misleads (e.g. a status page) */
    double elsewhere_progress; /* progress rate while symptoms point elsewhere, [0, 1] */
    size_t nelsewhere;
    uint32_t elsewhere[CDN_MAX_DEPS]; /* services whose fault-caused outage points elsewhere */
} cdn_detection_spec_t;

/* Calibration targets: what the simulation is compared with.  A target's
 * "metric" selects a measure of cdn_measure.h (its name is the measure's);
 * a time measure (unit CDN_UNIT_INSTANT) takes target_utc / target_s, a
 * windowed one from/to, the service ones a service. */
#define CDN_CAL_MAP(X)                                   \
    X(CDN_CAL_FIRST_ERROR, CDN_M_FIRST_ERROR)            \
    X(CDN_CAL_DETECTED, CDN_M_DETECTED)                  \
    X(CDN_CAL_DIAGNOSED, CDN_M_DIAGNOSED)                \
    X(CDN_CAL_STABILISED, CDN_M_STABILISED)              \
    X(CDN_CAL_MAIN_RESOLVED, CDN_M_MAIN_RESOLVED)        \
    X(CDN_CAL_ALL_RESOLVED, CDN_M_ALL_RESOLVED)          \
    X(CDN_CAL_CYCLES, CDN_M_CYCLES)                      \
    X(CDN_CAL_PEAK_ERR5XX, CDN_M_PEAK_ERR5XX)            \
    X(CDN_CAL_FAILED_FRAC, CDN_M_FAILED_FRAC)            \
    X(CDN_CAL_ERR5XX_MEAN, CDN_M_ERR5XX_MEAN)            \
    X(CDN_CAL_SERVICE_MEAN, CDN_M_SERVICE_MEAN)          \
    X(CDN_CAL_SERVICE_MIN, CDN_M_SERVICE_MIN)

#define CDN_X_ENUM(e, measure) e,
typedef enum { CDN_CAL_MAP(CDN_X_ENUM) CDN_CAL_COUNT } cdn_cal_metric_t;
#undef CDN_X_ENUM
/* Defined in models/measure/cdn_calibration.c. */
cdn_measure_t cdn_cal_metric_measure(cdn_cal_metric_t m);
const char *cdn_cal_metric_name(cdn_cal_metric_t m);
int cdn_cal_metric_is_time(cdn_cal_metric_t m);

typedef struct cdn_cal_target_spec {
    char name[CDN_NAME_MAX];   /* what is compared, for the report */
    cdn_cal_metric_t metric;
    int32_t service;           /* service metrics: service index, else -1 */
    double from_s, to_s;       /* window metrics: sim times (else 0, duration) */
    int has_target;            /* 0: not published (the report shows the simulation only) */
    double target;             /* sim time for time metrics, else the value */
    int fitted;                /* 1: free parameters were fitted to it */
    char source[CDN_NAME_MAX]; /* citation, e.g. "P" */
} cdn_cal_target_spec_t;

typedef struct cdn_metrics_spec {
    double impact_threshold_frac;   /* 5xx share above which a bin counts as impacted */
    double major_threshold_frac;    /* 5xx share at or above which impact is "main impact" */
    double resolved_threshold_frac; /* 5xx share at or below which all is resolved */
    double recovered_pct;           /* X of hosts_recovered_x_s / traffic_recovered_x_s, percent (0, 100] */
} cdn_metrics_spec_t;

typedef struct cdn_scenario {
    char name[CDN_NAME_MAX];  /* used as the results folder name: [A-Za-z0-9._-]+ */
    char *description;        /* may be NULL */
    char *path;               /* file it was loaded from (for messages) */
    cdn_sim_spec_t sim;
    cdn_traffic_spec_t traffic;
    size_t nregions;
    cdn_region_spec_t *regions;
    size_t nproxies;
    cdn_proxy_spec_t *proxies;
    size_t nbackends;
    cdn_backend_spec_t *backends; /* in file order */
    cdn_sites_spec_t sites;
    size_t nartifacts;
    cdn_artifact_spec_t *artifacts;
    size_t nservices;
    cdn_service_spec_t *services; /* in file order; the dependency graph is acyclic */
    size_t nactions;
    cdn_action_spec_t *actions;   /* sorted by at_s, stable (triggered ones last) */
    size_t naction_regions;
    uint32_t *action_regions;     /* target regions of every action (region indices), a pool */
    size_t naction_offsets;
    double *action_offsets_s;     /* rollout.offsets_s of every action, s after the action, a pool */
    cdn_detection_spec_t detection;
    size_t ntargets;
    cdn_cal_target_spec_t *targets; /* calibration targets, in file order */
    cdn_metrics_spec_t metrics;
} cdn_scenario_t;

struct cJSON;
/* How an error message names a JSON value's type ("a string", "null", ...);
 * shared by every reader of JSON input so messages read the same. */
const char *cdn_json_type(const struct cJSON *j);

int cdn_scenario_load(const char *path, cdn_scenario_t **out, cdn_error_t *err);
/* Parses `len` bytes of JSON text; `path` is only used in messages. */
int cdn_scenario_parse(const char *text, size_t len, const char *path, cdn_scenario_t **out,
                       cdn_error_t *err);
/* Validates a tree already parsed (by cdn_json_parse) and perhaps changed
 * by overlays: the one validator behind every loader.  `file` names the
 * input in messages (for example "scn.json (with a+b)"); `path` is kept in
 * the scenario's `path`.  The tree is not modified. */
int cdn_scenario_from_tree(const struct cJSON *root, const char *file, const char *path,
                           cdn_scenario_t **out, cdn_error_t *err);
void cdn_scenario_destroy(cdn_scenario_t *s); /* NULL is a no-op */

/* Formats sim time t_s as "YYYY-MM-DDTHH:MM:SSZ" (seconds rounded down)
 * into buf (>= 21 bytes). */
void cdn_scenario_utc(const cdn_scenario_t *s, double t_s, char *buf, size_t n);

/* 1 if region r is one of the tiers tiers[0..ntiers-1]; every region is
 * when ntiers is 0 (an artifact or a proxy effect without tiers). */
/* Semantic warnings of a valid scenario (models/scenario/scn_warnings.c):
 * calls warn(arg, json_path, message) for each, in a fixed order, and
 * returns how many.  Nothing is printed here. */
typedef void (*cdn_warn_fn)(void *arg, const char *json_path, const char *message);
size_t cdn_scenario_warnings(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg);

int cdn_scenario_in_tiers(const char tiers[][CDN_NAME_MAX], size_t ntiers,
                          const cdn_region_spec_t *r);

#endif /* CDNSIM_CDN_SCENARIO_H */
