/*
 * cdn_measure.h -- the one vocabulary of what a run measures: every
 * quantity that summary.json writes, that strategies are compared on or
 * that a calibration target names.
 *
 * Contract
 *   CDN_MEASURE_MAP is the single source of a measure's id, its name (the
 *   JSON key, CSV column and scenario "metric" string), its unit, its label
 *   in tables and plots, and its definition (docs/output-format.md and
 *   docs/compare.md say the same in prose).  The three users select from
 *   it and never spell a name themselves:
 *     summary.json          CDN_SUMMARY_KEYS (cdn_summary.h), in file order;
 *     comparison metrics    CDN_METRIC_MAP (cdn_metrics.h);
 *     calibration targets   CDN_CAL_MAP (cdn_scenario.h).
 *   A measure of unit CDN_UNIT_INSTANT is a point in sim time (seconds from
 *   the start, NAN when it did not happen); summary.json writes it as two
 *   keys, <name>_s and <name>_utc.  Windowed measures (cdn_measure_windowed)
 *   are taken over a time window of a calibration target, not the run.
 *
 *   The helpers on bins are the one definition of the bin grid:
 *   cdn_measure_nbins() bins cover [0, duration_s), the last one possibly
 *   shorter (cdn_measure_bin_len()).
 *
 *   Values go to CSV and JSON through cdn_measure_shortest().
 *
 *   This header depends on nothing else in models/, so the scenario reader
 *   can name calibration targets with it.
 *
 * Threads: pure functions and constant tables.
 */
#ifndef CDNSIM_CDN_MEASURE_H
#define CDNSIM_CDN_MEASURE_H

#include <stddef.h>
#include <stdint.h>

/* How a measure's values are measured (and shown to people). */
#define CDN_UNIT_MAP(X)                                                    \
    X(CDN_UNIT_SHARE, "share")       /* 0..1; shown as a percentage */      \
    X(CDN_UNIT_SECONDS, "s")         /* a duration, s; shown in minutes */  \
    X(CDN_UNIT_MINUTES, "min")       /* minutes */                          \
    X(CDN_UNIT_MS, "ms")             /* milliseconds */                     \
    X(CDN_UNIT_REQUESTS, "requests") /* a count of requests */              \
    X(CDN_UNIT_INSTANT, "t_s")       /* a point in sim time, s; shown UTC */ \
    X(CDN_UNIT_NUMBER, "number")     /* a count of things (cycles, sites) */

/* X(id, field of cdn_summary_t, its C type, name, unit, label, definition)
 * for a measure of the whole run; W(id, name, unit, label, definition) for
 * a windowed one.  Order: summary.json's, then the others. */
#define CDN_MEASURE_MAP(X, W)                                                                       \
    X(CDN_M_FIRST_ERROR, first_error_s, double, "first_error", CDN_UNIT_INSTANT,                    \
      "first 5xx above impact",                                                                     \
      "start of the first bin whose 5xx share is above the impact threshold")                       \
    X(CDN_M_PEAK_ERR5XX, peak_err5xx_frac, double, "peak_err5xx_frac", CDN_UNIT_SHARE,              \
      "peak 5xx share", "largest 5xx share of a bin")                                               \
    X(CDN_M_PEAK, peak_t_s, double, "peak", CDN_UNIT_INSTANT,                                       \
      "peak", "start of the (first) bin with the largest 5xx share")                                \
    X(CDN_M_MAIN_RESOLVED, main_impact_resolved_s, double, "main_impact_resolved", CDN_UNIT_INSTANT, \
      "main impact resolved",                                                                       \
      "end of the last bin whose 5xx share is at or above the major threshold")                     \
    X(CDN_M_ALL_RESOLVED, all_resolved_s, double, "all_resolved", CDN_UNIT_INSTANT,                 \
      "all resolved",                                                                               \
      "end of the last bin above the resolved threshold, if errors began and it ended in span")     \
    X(CDN_M_DETECTED, detected_s, double, "detected", CDN_UNIT_INSTANT,                             \
      "alert fires", "time the operators' alert fired")                                             \
    X(CDN_M_DIAGNOSED, diagnosed_s, double, "diagnosed", CDN_UNIT_INSTANT,                          \
      "cause diagnosed", "time the operators knew the cause")                                       \
    X(CDN_M_CYCLES, fluctuation_cycles, int, "fluctuation_cycles", CDN_UNIT_NUMBER,                 \
      "fluctuation cycles",                                                                         \
      "recoveries below the impact threshold followed by a relapse, up to the main impact end")     \
    X(CDN_M_OFFERED, offered_requests, double, "offered_requests", CDN_UNIT_REQUESTS,               \
      "offered requests", "requests offered in the span")                                           \
    X(CDN_M_FAILED, failed_requests, double, "failed_requests", CDN_UNIT_REQUESTS,                  \
      "failed requests", "requests answered with HTTP 5xx in the span")                             \
    X(CDN_M_FAILED_FRAC, failed_frac, double, "failed_frac", CDN_UNIT_SHARE,                        \
      "failed share", "failed requests / offered requests (0 when nothing was offered)")            \
    X(CDN_M_BLOCKED, blocked_requests, double, "blocked_requests", CDN_UNIT_REQUESTS,               \
      "blocked requests", "requests falsely blocked as bots in the span")                           \
    X(CDN_M_PEAK_BLOCKED, peak_blocked_frac, double, "peak_blocked_frac", CDN_UNIT_SHARE,           \
      "peak blocked share", "largest blocked share of a bin")                                       \
    X(CDN_M_PEAK_LATENCY, peak_latency_ms, double, "peak_latency_ms", CDN_UNIT_MS,                  \
      "peak latency", "largest bin mean latency of the requests served; null when none was")                            \
    X(CDN_M_SITES_AFFECTED, sites_affected_frac, double, "sites_affected_frac", CDN_UNIT_SHARE,     \
      "sites affected", "share of dependent sites down at some time")                               \
    X(CDN_M_SITES_FAILED_OVER, sites_failed_over_frac, double, "sites_failed_over_frac", CDN_UNIT_SHARE, \
      "sites failed over", "share of dependent sites that failed over at some time")                \
    X(CDN_M_PEAK_SITES_DOWN, peak_sites_down_frac, double, "peak_sites_down_frac", CDN_UNIT_SHARE,  \
      "peak sites down", "largest bin-average share of sites down")                                 \
    X(CDN_M_SITE_DOWN_MEAN, site_downtime_mean_s, double, "site_downtime_mean_s", CDN_UNIT_SECONDS, \
      "site downtime mean", "mean over all sites of their downtime")                                \
    X(CDN_M_SITE_DOWN_P50, site_downtime_p50_s, double, "site_downtime_p50_s", CDN_UNIT_SECONDS,    \
      "site downtime p50", "median over all sites of their downtime (never down counts 0)")         \
    X(CDN_M_SITE_DOWN_P90, site_downtime_p90_s, double, "site_downtime_p90_s", CDN_UNIT_SECONDS,    \
      "site downtime p90", "90th percentile over all sites of their downtime")                      \
    X(CDN_M_SITE_DOWN_P99, site_downtime_p99_s, double, "site_downtime_p99_s", CDN_UNIT_SECONDS,    \
      "site downtime p99", "99th percentile over all sites of their downtime")                      \
    X(CDN_M_SITES, sites, double, "sites", CDN_UNIT_NUMBER,                                         \
      "sites", "dependent sites simulated")                                                         \
    X(CDN_M_SERVERS, servers, double, "servers", CDN_UNIT_NUMBER,                                   \
      "servers", "CDN servers simulated")                                                           \
    X(CDN_M_KERNEL_EVENTS, kernel_events, uint64_t, "kernel_events", CDN_UNIT_NUMBER,               \
      "kernel events", "events the simulation kernel handled")                                      \
    X(CDN_M_USER_MINUTES, user_minutes_lost, double, "user_minutes_lost", CDN_UNIT_MINUTES,         \
      "user-minutes lost", "sum over bins of (5xx + blocked share) * bin length, in minutes")       \
    X(CDN_M_TIME_TO_MITIGATE, time_to_mitigate_s, double, "time_to_mitigate_s", CDN_UNIT_SECONDS,   \
      "time to mitigate", "main_impact_resolved - first_error; 0 without a main impact")            \
    X(CDN_M_MAIN_IMPACT, main_impact_s, double, "main_impact_s", CDN_UNIT_SECONDS,                  \
      "main impact duration", "total length of the bins at or above the major threshold")           \
    X(CDN_M_TIME_TO_DETECT, time_to_detect_s, double, "time_to_detect_s", CDN_UNIT_SECONDS,         \
      "time to detect", "detected - first_error; missing when either did not happen")               \
    X(CDN_M_TIME_TO_DIAGNOSE, time_to_diagnose_s, double, "time_to_diagnose_s", CDN_UNIT_SECONDS,   \
      "time to diagnose", "diagnosed - first_error; missing when either did not happen")            \
    X(CDN_M_USER_FAILED, user_failed_requests, double, "user_failed_requests", CDN_UNIT_REQUESTS,   \
      "users' failed requests",                                                                     \
      "users' requests that failed on every attempt (each request counted once, retries not)")      \
    X(CDN_M_USER_FAILED_FRAC, user_failed_frac, double, "user_failed_frac", CDN_UNIT_SHARE,         \
      "users' failed share",                                                                        \
      "user_failed_requests / users' requests (first attempts); failed_frac counts every attempt")  \
    X(CDN_M_PEAK_SERVERS_OUT, peak_servers_out_frac, double, "peak_servers_out_frac", CDN_UNIT_SHARE, \
      "peak servers out", "largest bin-average share of servers out of service")                    \
    X(CDN_M_RECOVERED_PCT, recovered_pct, double, "recovered_pct", CDN_UNIT_NUMBER,                 \
      "recovered X", "the X of hosts_recovered_x_s and traffic_recovered_x_s, percent")            \
    X(CDN_M_HOSTS_REC_P50, hosts_recovered_p50_s, double, "hosts_recovered_p50_s", CDN_UNIT_SECONDS, \
      "hosts 50% recovered", "time from first_error until 50% of the peak impaired servers recovered") \
    X(CDN_M_HOSTS_REC_P90, hosts_recovered_p90_s, double, "hosts_recovered_p90_s", CDN_UNIT_SECONDS, \
      "hosts 90% recovered", "time from first_error until 90% of the peak impaired servers recovered") \
    X(CDN_M_HOSTS_REC_P99, hosts_recovered_p99_s, double, "hosts_recovered_p99_s", CDN_UNIT_SECONDS, \
      "hosts 99% recovered", "time from first_error until 99% of the peak impaired servers recovered") \
    X(CDN_M_HOSTS_REC_X, hosts_recovered_x_s, double, "hosts_recovered_x_s", CDN_UNIT_SECONDS,       \
      "hosts X% recovered", "as hosts_recovered_p50_s for X = metrics.recovered_pct")              \
    X(CDN_M_TRAFFIC_REC_P50, traffic_recovered_p50_s, double, "traffic_recovered_p50_s", CDN_UNIT_SECONDS, \
      "traffic 50% recovered",                                                                      \
      "time from first_error until the users' failed share above baseline is 50% below its peak")  \
    X(CDN_M_TRAFFIC_REC_P90, traffic_recovered_p90_s, double, "traffic_recovered_p90_s", CDN_UNIT_SECONDS, \
      "traffic 90% recovered", "as traffic_recovered_p50_s for 90%")                              \
    X(CDN_M_TRAFFIC_REC_P99, traffic_recovered_p99_s, double, "traffic_recovered_p99_s", CDN_UNIT_SECONDS, \
      "traffic 99% recovered", "as traffic_recovered_p50_s for 99%")                              \
    X(CDN_M_TRAFFIC_REC_X, traffic_recovered_x_s, double, "traffic_recovered_x_s", CDN_UNIT_SECONDS, \
      "traffic X% recovered", "as traffic_recovered_p50_s for X = metrics.recovered_pct")          \
    X(CDN_M_STABILISED, stabilised_s, double, "stabilised", CDN_UNIT_INSTANT,                       \
      "stabilised",                                                                                 \
      "start of the last run of bins above the impact threshold ending the main impact")            \
    W(CDN_M_ERR5XX_MEAN, "err5xx_frac_mean", CDN_UNIT_SHARE,                                        \
      "mean 5xx share", "5xx share of the requests offered in a window (windowed)")                 \
    W(CDN_M_SERVICE_MEAN, "service_avail_mean", CDN_UNIT_SHARE,                                     \
      "service availability",                                                                       \
      "mean availability of an internal service over a window (windowed)")                          \
    W(CDN_M_SERVICE_MIN, "service_avail_min", CDN_UNIT_SHARE,                                       \
      "lowest service availability",                                                                \
      "lowest bin availability of an internal service in a window (windowed)")

#define CDN_X_ENUM(e, s) e,
typedef enum { CDN_UNIT_MAP(CDN_X_ENUM) CDN_UNIT_COUNT } cdn_unit_t;
#undef CDN_X_ENUM
#define CDN_X_RUN(e, field, ctype, name, unit, label, def) e,
#define CDN_X_WIN(e, name, unit, label, def) e,
typedef enum { CDN_MEASURE_MAP(CDN_X_RUN, CDN_X_WIN) CDN_MEASURE_COUNT } cdn_measure_t;
#undef CDN_X_RUN
#undef CDN_X_WIN

/* The run-wide measures of one run, one field per X row of the map (the
 * windowed rows have none).  Plain data filled by cdn_summary_compute()
 * (cdn_summary.h); cdn_measure_value() reads a field by measure id. */
#define CDN_X_RUN(e, field, ctype, name, unit, label, def) ctype field;
#define CDN_X_WIN(e, name, unit, label, def)
typedef struct cdn_summary {
    CDN_MEASURE_MAP(CDN_X_RUN, CDN_X_WIN)
} cdn_summary_t;
#undef CDN_X_RUN
#undef CDN_X_WIN

const char *cdn_unit_name(cdn_unit_t u);
const char *cdn_measure_name(cdn_measure_t m);       /* "failed_requests" */
const char *cdn_measure_label(cdn_measure_t m);      /* "failed requests" */
const char *cdn_measure_definition(cdn_measure_t m); /* one sentence */
cdn_unit_t cdn_measure_unit(cdn_measure_t m);
/* 1 for the measures taken over a calibration target's window (W rows). */
int cdn_measure_windowed(cdn_measure_t m);
/* Measure m of a run as a double; NAN for a windowed measure. */
double cdn_measure_value(const cdn_summary_t *sum, cdn_measure_t m);

/* Bins of a span: ceil(duration_s / bin_s), at least 1 (a span that is a
 * multiple of bin_s up to rounding has no extra bin). */
size_t cdn_measure_nbins(double duration_s, double bin_s);
/* The same as a double, for checking a span before it is known to fit a
 * size_t (the scenario's resource limits). */
double cdn_measure_nbins_f(double duration_s, double bin_s);
/* Length of bin b, s: bin_s, or what is left of the span for the last. */
double cdn_measure_bin_len(double duration_s, double bin_s, size_t b);

/* The one shortest-double formatter: v as the shorter of %.15g and %.17g
 * that reads back as the same double, into buf (n >= 32); "" for NaN and
 * infinities when `empty_if_missing`, else what %.15g prints.  Returns buf. */
char *cdn_measure_shortest(char *buf, size_t n, double v, int empty_if_missing);

#endif /* CDNSIM_CDN_MEASURE_H */
