/*
 * cdn_metrics.h -- the per-replication metrics that strategies are compared
 * and swept on (definitions in docs/compare.md): a selection of measures.
 *
 * Contract
 *   CDN_METRIC_MAP selects, in the order of the comparison files, the
 *   measures of cdn_measure.h that a comparison reports; their names (CSV
 *   columns, JSON keys), units and labels are the measure map's.
 *   cdn_metrics_compute() reduces one run to that vector.  Internal
 *   services add one metric each, svc_<name>_downtime_s
 *   (cdn_summary_service_downtime_s), so the list of metrics of a
 *   comparison is CDN_MET_COUNT + services.
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

#include "cdn_measure.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

/* Metric id, the measure it reports. */
#define CDN_METRIC_MAP(X)                                  \
    X(CDN_MET_FAILED, CDN_M_FAILED)                        \
    X(CDN_MET_BLOCKED, CDN_M_BLOCKED)                      \
    X(CDN_MET_USER_MINUTES, CDN_M_USER_MINUTES)            \
    X(CDN_MET_PEAK_ERR5XX, CDN_M_PEAK_ERR5XX)              \
    X(CDN_MET_PEAK_LATENCY, CDN_M_PEAK_LATENCY)            \
    X(CDN_MET_TIME_TO_MITIGATE, CDN_M_TIME_TO_MITIGATE)    \
    X(CDN_MET_MAIN_IMPACT, CDN_M_MAIN_IMPACT)              \
    X(CDN_MET_TIME_TO_DETECT, CDN_M_TIME_TO_DETECT)        \
    X(CDN_MET_TIME_TO_DIAGNOSE, CDN_M_TIME_TO_DIAGNOSE)    \
    X(CDN_MET_SITES_AFFECTED, CDN_M_SITES_AFFECTED)        \
    X(CDN_MET_SITES_FAILED_OVER, CDN_M_SITES_FAILED_OVER)  \
    X(CDN_MET_SITE_DOWN_MEAN, CDN_M_SITE_DOWN_MEAN)        \
    X(CDN_MET_SITE_DOWN_P50, CDN_M_SITE_DOWN_P50)          \
    X(CDN_MET_SITE_DOWN_P90, CDN_M_SITE_DOWN_P90)          \
    X(CDN_MET_SITE_DOWN_P99, CDN_M_SITE_DOWN_P99)          \
    X(CDN_MET_USER_FAILED_FRAC, CDN_M_USER_FAILED_FRAC)    \
    X(CDN_MET_FAILED_FRAC, CDN_M_FAILED_FRAC)              \
    X(CDN_MET_PEAK_SERVERS_OUT, CDN_M_PEAK_SERVERS_OUT)    \
    X(CDN_MET_HOSTS_REC_P50, CDN_M_HOSTS_REC_P50)          \
    X(CDN_MET_HOSTS_REC_P90, CDN_M_HOSTS_REC_P90)          \
    X(CDN_MET_HOSTS_REC_P99, CDN_M_HOSTS_REC_P99)          \
    X(CDN_MET_HOSTS_REC_X, CDN_M_HOSTS_REC_X)              \
    X(CDN_MET_TRAFFIC_REC_P50, CDN_M_TRAFFIC_REC_P50)      \
    X(CDN_MET_TRAFFIC_REC_P90, CDN_M_TRAFFIC_REC_P90)      \
    X(CDN_MET_TRAFFIC_REC_P99, CDN_M_TRAFFIC_REC_P99)      \
    X(CDN_MET_TRAFFIC_REC_X, CDN_M_TRAFFIC_REC_X)

#define CDN_X_ENUM(e, measure) e,
typedef enum { CDN_METRIC_MAP(CDN_X_ENUM) CDN_MET_COUNT } cdn_metric_t;
#undef CDN_X_ENUM

cdn_measure_t cdn_metric_measure(cdn_metric_t m);
const char *cdn_metric_name(cdn_metric_t m);  /* "failed_requests" */
const char *cdn_metric_label(cdn_metric_t m); /* "failed requests" */
cdn_unit_t cdn_metric_unit(cdn_metric_t m);
/* The metric called `name`, or -1. */
int cdn_metric_find(const char *name);

/* out[m] for every m < CDN_MET_COUNT. */
void cdn_metrics_compute(const cdn_scenario_t *s, const cdn_result_t *r, double out[CDN_MET_COUNT]);

#endif /* CDNSIM_CDN_METRICS_H */
