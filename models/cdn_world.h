/*
 * cdn_world.h -- one replication of a CDN outage scenario.
 *
 * Contract
 *   cdn_world_run() builds the world of a validated scenario for a given
 *   (seed, replication), runs it on the sim/ kernel to the end of the
 *   simulated span and returns a cdn_result_t: per-region and per-service
 *   time-binned integrals, the sites-down signal, the notable events, and
 *   run counters.  The result is plain data owned by the caller
 *   (cdn_result_destroy).  Output formatting lives in cdn_output.h, the
 *   per-replication metrics in cdn_metrics.h; this module only simulates.
 *   The model's code is under models/world/, one file per mechanism, with
 *   the private header world_int.h.
 *
 *   Same scenario, seed and replication give a bit-identical result.
 *
 * Ownership and threads
 *   The scenario is borrowed read-only for the duration of the call.  No
 *   global state: several runs may execute in parallel threads.
 */
#ifndef CDNSIM_CDN_WORLD_H
#define CDNSIM_CDN_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h"

/* Per-region signals: time integrals over each bin.  Rates integrate to
 * requests; counts integrate to server-seconds. */
#define CDN_RSERIES_MAP(X)                                                       \
    X(CDN_RS_OFFERED, "offered")       /* offered requests/s */                  \
    X(CDN_RS_OK, "ok")                 /* served requests/s */                   \
    X(CDN_RS_ERR5XX, "err5xx")         /* HTTP 5xx requests/s */                 \
    X(CDN_RS_BLOCKED, "blocked")       /* falsely blocked requests/s */          \
    X(CDN_RS_FAILOVER, "failover")     /* requests/s served elsewhere after DNS failover */ \
    X(CDN_RS_SERVERS_BAD, "servers_bad_artifact") /* servers holding a bad artifact */ \
    X(CDN_RS_SERVERS_FAILING, "servers_failing")  /* servers with a failing proxy */   \
    X(CDN_RS_SERVERS_RESTARTING, "servers_restarting") /* servers restarting a proxy */ \
    X(CDN_RS_SERVERS_OUT, "servers_out") /* servers out of service (crashed or restarting) */ \
    X(CDN_RS_LATENCY_X_OK, "latency_x_ok") /* ms x served requests/s: mean latency = this / ok */ \
    X(CDN_RS_USER_REQUESTS, "user_requests") /* users' requests/s: first attempts only */ \
    X(CDN_RS_USER_FAILED, "user_failed") /* users' requests/s whose every attempt failed with 5xx */ \
    X(CDN_RS_SERVERS_IMPAIRED, "servers_impaired") /* servers failing or out of service */

#define CDN_X_ENUM(e, s) e,
typedef enum { CDN_RSERIES_MAP(CDN_X_ENUM) CDN_RS_COUNT } cdn_rseries_t;
#undef CDN_X_ENUM

/* Notable events of a run, in the order they happened. */
#define CDN_EVKIND_MAP(X)                                          \
    X(CDN_EV_ARTIFACT_GENERATED, "artifact_generated")             \
    X(CDN_EV_ARTIFACT_REJECTED, "artifact_rejected")               \
    X(CDN_EV_FIRST_BAD_LOAD, "first_bad_load")                     \
    X(CDN_EV_OPERATOR_ACTION, "operator_action")                   \
    X(CDN_EV_RESTART_WAVE_DONE, "restart_wave_done")               \
    X(CDN_EV_DETECTED, "detected")                                 \
    X(CDN_EV_DIAGNOSED, "diagnosed")                               \
    X(CDN_EV_ROLLOUT_HALTED, "rollout_halted")                     \
    X(CDN_EV_SERVICE_FAILED, "service_failed")                     \
    X(CDN_EV_SERVICE_RESTORED, "service_restored")                 \
    X(CDN_EV_SITES_FAILED_OVER, "sites_failed_over")               \
    X(CDN_EV_SITES_FAILED_BACK, "sites_failed_back")               \
    X(CDN_EV_REGION_DRAINED, "region_drained")                     \
    X(CDN_EV_REGION_RESTORED, "region_restored")                   \
    X(CDN_EV_ARTIFACT_TRIGGERED, "artifact_triggered")             \
    X(CDN_EV_ACTION_REGION, "action_region")                       \
    X(CDN_EV_REPAIR_CAPACITY, "repair_capacity")

#define CDN_X_ENUM(e, s) e,
typedef enum { CDN_EVKIND_MAP(CDN_X_ENUM) CDN_EV_COUNT } cdn_evkind_t;
#undef CDN_X_ENUM
const char *cdn_evkind_name(cdn_evkind_t k);

typedef struct cdn_event_rec {
    double t_s;          /* sim time */
    cdn_evkind_t kind;
    int32_t artifact;    /* artifact index or -1 */
    int32_t generation;  /* artifact generation (0, 1, ...) or -1 */
    int32_t node;        /* generator cluster node or -1 */
    int32_t bad;         /* 1 bad artifact, 0 good, -1 n/a */
    double size;         /* artifact size (entries) or 0 */
    int32_t region;      /* region index or -1 */
    int32_t server;      /* server index (global) or -1 */
    int32_t action;      /* scenario action index or -1 */
    int32_t plan;        /* site plan index or -1 */
    int32_t proxy;       /* proxy index or -1 */
    int32_t service;     /* service index or -1 */
    double count;        /* number of sites or servers concerned, or 0 */
    /* repair_capacity: the process (0 crash repair, 1 re-provisioning, -1
     * n/a), its crews and its job times from now on */
    int32_t process;
    int32_t crews;
    double time_median_s, time_p99_s; /* s */
} cdn_event_rec_t;

typedef struct cdn_result {
    uint64_t seed;
    uint64_t replication;
    size_t nbins;
    double bin_s;               /* bin width, s */
    size_t nregions;
    size_t nservices;
    /* region r, series s, bin b: integral at rseries[(r * CDN_RS_COUNT + s) * nbins + b] */
    double *rseries;
    /* Service availability (0..1) integrated over each bin: svc_avail[k * nbins + b] */
    double *svc_avail;
    /* Number of sites down, integrated over each bin (site-seconds) */
    double *sites_down;
    /* Number of sites served by their second CDN, integrated over each bin */
    double *sites_failover;
    uint64_t sites_ever_failed_over; /* sites that failed over at some time */
    double detected_s;          /* sim time the alert fired, or NAN */
    double diagnosed_s;         /* sim time the cause was known, or NAN */
    uint64_t sites_total;
    uint64_t sites_ever_down;   /* sites that were down at some time */
    /* Sites are simulated in cohorts of identical exposure; every site of
     * cohort c was down cohort_down_s[c] seconds in all.  This gives the
     * exact distribution of per-site downtime. */
    size_t ncohorts;
    size_t named0;              /* cohort of the first named site; named site i is cohort named0 + i */
    uint64_t *cohort_sites;     /* [ncohorts] number of sites */
    double *cohort_down_s;      /* [ncohorts] downtime of each of its sites, s */
    uint64_t servers_total;
    size_t nproxies;
    double proxy_traffic_share[CDN_MAX_PROXIES]; /* realised share of requests per proxy */
    size_t nevents;
    cdn_event_rec_t *events;
    uint64_t kernel_events;     /* events handled by the kernel */
} cdn_result_t;

/* Runs one replication.  Returns 0, or a negative CDN_E* code with err set
 * (the scenario is validated already, so only resource limits can fail). */
int cdn_world_run(const cdn_scenario_t *s, uint64_t seed, uint64_t replication,
                  cdn_result_t **out, cdn_error_t *err);
void cdn_result_destroy(cdn_result_t *r); /* NULL is a no-op */

/* A cache of what runs of the same (seed, replication) share whatever the
 * strategy: the generated dependent sites (their cohorts' counts and
 * traffic weights), the costliest part of building a world of a million
 * sites.  cdn_world_run_cached() is cdn_world_run() with the sites taken
 * from the cache when the cache holds this (seed, replication) for a
 * scenario whose site generation reads the same values (plans, their
 * fractions and proxy mixes, counts, named sites' shares; compared value by
 * value, so any strategy that changes one of them misses), else generated
 * and stored.  The result is bit-identical either way.  A cache is used
 * by one thread at a time; it borrows the scenario of its last store,
 * which must outlive the cache or the next store. */
typedef struct cdn_world_cache cdn_world_cache_t;
/* Entries a cache holds: it borrows the scenarios of its last
 * CDN_WORLD_CACHE_WAYS stores, one per store, replaced in store order. */
#define CDN_WORLD_CACHE_WAYS 4
cdn_world_cache_t *cdn_world_cache_create(void);
void cdn_world_cache_destroy(cdn_world_cache_t *c); /* NULL is a no-op */
/* Runs that found their sites in the cache, and runs that generated them. */
uint64_t cdn_world_cache_hits(const cdn_world_cache_t *c);
uint64_t cdn_world_cache_misses(const cdn_world_cache_t *c);
int cdn_world_run_cached(const cdn_scenario_t *s, uint64_t seed, uint64_t replication,
                         cdn_world_cache_t *cache, cdn_result_t **out, cdn_error_t *err);

/* Integral of a region series over bin b. */
double cdn_result_region(const cdn_result_t *r, size_t region, cdn_rseries_t s, size_t bin);
/* The same summed over regions. */
double cdn_result_global(const cdn_result_t *r, cdn_rseries_t s, size_t bin);

#endif /* CDNSIM_CDN_WORLD_H */
