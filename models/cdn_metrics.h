/*
 * cdn_metrics.h -- the per-replication metrics that strategies are compared
 * and swept on (definitions in docs/compare.md).
 *
 * Contract
 *   cdn_metrics_compute() reduces one run to a fixed vector of numbers,
 *   one per entry of CDN_METRIC_MAP, from the run's exact bin integrals and
 *   the scenario's metric thresholds.  The X-macro list is the single
 *   source of the metric names (CSV columns, JSON keys), their units and
 *   their labels in tables and plots.  Internal services add one metric
 *   each, svc_<name>_downtime_s (cdn_metrics_service_downtime_s), so the
 *   list of metrics of a comparison is CDN_MET_COUNT + services.
 *
 *   A metric that does not exist in a run (a detection that never fired)
 *   is NaN, "missing"; statistics skip it (sim_stats.h).  Every other
 *   metric is always defined: for example time to mitigate is 0 when the
 *   5xx share never reached the major threshold.
 *
 * Threads: pure functions of their arguments.
 */
#ifndef CDNSIM_CDN_METRICS_H
#define CDNSIM_CDN_METRICS_H

#include <stddef.h>

#include "cdn_scenario.h"
#include "cdn_world.h"

/* How a metric's values are measured (and shown to people). */
#define CDN_UNIT_MAP(X)                                               \
    X(CDN_UNIT_SHARE, "share")       /* 0..1; shown as a percentage */ \
    X(CDN_UNIT_SECONDS, "s")         /* seconds; shown in minutes */   \
    X(CDN_UNIT_MINUTES, "min")       /* minutes */                     \
    X(CDN_UNIT_MS, "ms")             /* milliseconds */                \
    X(CDN_UNIT_REQUESTS, "requests") /* a count of requests */

/* Metric id, CSV/JSON name, unit, label for tables and plots. */
#define CDN_METRIC_MAP(X)                                                                      \
    X(CDN_MET_FAILED, "failed_requests", CDN_UNIT_REQUESTS, "failed requests")                 \
    X(CDN_MET_BLOCKED, "blocked_requests", CDN_UNIT_REQUESTS, "blocked requests")              \
    X(CDN_MET_USER_MINUTES, "user_minutes_lost", CDN_UNIT_MINUTES, "user-minutes lost")        \
    X(CDN_MET_PEAK_ERR5XX, "peak_err5xx_frac", CDN_UNIT_SHARE, "peak 5xx share")               \
    X(CDN_MET_PEAK_LATENCY, "peak_latency_ms", CDN_UNIT_MS, "peak latency")                    \
    X(CDN_MET_TIME_TO_MITIGATE, "time_to_mitigate_s", CDN_UNIT_SECONDS, "time to mitigate")    \
    X(CDN_MET_MAIN_IMPACT, "main_impact_s", CDN_UNIT_SECONDS, "main impact duration")          \
    X(CDN_MET_TIME_TO_DETECT, "time_to_detect_s", CDN_UNIT_SECONDS, "time to detect")          \
    X(CDN_MET_TIME_TO_DIAGNOSE, "time_to_diagnose_s", CDN_UNIT_SECONDS, "time to diagnose")    \
    X(CDN_MET_SITES_AFFECTED, "sites_affected_frac", CDN_UNIT_SHARE, "sites affected")         \
    X(CDN_MET_SITES_FAILED_OVER, "sites_failed_over_frac", CDN_UNIT_SHARE, "sites failed over") \
    X(CDN_MET_SITE_DOWN_MEAN, "site_downtime_mean_s", CDN_UNIT_SECONDS, "site downtime mean")  \
    X(CDN_MET_SITE_DOWN_P50, "site_downtime_p50_s", CDN_UNIT_SECONDS, "site downtime p50")     \
    X(CDN_MET_SITE_DOWN_P90, "site_downtime_p90_s", CDN_UNIT_SECONDS, "site downtime p90")     \
    X(CDN_MET_SITE_DOWN_P99, "site_downtime_p99_s", CDN_UNIT_SECONDS, "site downtime p99")

#define CDN_X_ENUM(e, s) e,
typedef enum { CDN_UNIT_MAP(CDN_X_ENUM) CDN_UNIT_COUNT } cdn_unit_t;
#undef CDN_X_ENUM
#define CDN_X_ENUM(e, name, unit, label) e,
typedef enum { CDN_METRIC_MAP(CDN_X_ENUM) CDN_MET_COUNT } cdn_metric_t;
#undef CDN_X_ENUM

const char *cdn_unit_name(cdn_unit_t u);
const char *cdn_metric_name(cdn_metric_t m);  /* "failed_requests" */
const char *cdn_metric_label(cdn_metric_t m); /* "failed requests" */
cdn_unit_t cdn_metric_unit(cdn_metric_t m);
/* The metric called `name`, or -1. */
int cdn_metric_find(const char *name);

/* out[m] for every m < CDN_MET_COUNT. */
void cdn_metrics_compute(const cdn_scenario_t *s, const cdn_result_t *r, double out[CDN_MET_COUNT]);

/* Downtime of service k: the integral over the span of (1 - availability),
 * seconds. */
double cdn_metrics_service_downtime_s(const cdn_scenario_t *s, const cdn_result_t *r, size_t k);

/* Blocked share of bin b (0 when nothing was offered); the 5xx share is
 * cdn_output_err5xx_frac(). */
double cdn_metrics_blocked_frac(const cdn_result_t *r, size_t bin);

#endif /* CDNSIM_CDN_METRICS_H */
