/*
 * cdn_summary.h -- the measures of one run (cdn_measure.h), computed from
 * its binned integrals, and the selection that summary.json writes.
 *
 * Contract
 *   cdn_summary_compute() fills every run-wide measure of the map from a
 *   run and the scenario's thresholds ("metrics"); the definitions are the
 *   map's and docs/output-format.md's.  Times are seconds of sim time; NAN
 *   means "did not happen in the simulated span".  Pure function.
 *
 *   CDN_SUMMARY_KEYS lists, in file order, the measures summary.json writes
 *   before its per-site and per-proxy objects, CDN_SUMMARY_TAIL those after
 *   them (report/ writes the file).
 *
 *   The per-bin helpers are the one definition of a bin's shares, used by
 *   the file writers, the comparison timelines and the calibration.
 *
 * Threads: pure functions of their arguments.
 */
#ifndef CDNSIM_CDN_SUMMARY_H
#define CDNSIM_CDN_SUMMARY_H

#include <stddef.h>

#include "cdn_measure.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

#define CDN_SUMMARY_KEYS(X)                                                                    \
    X(CDN_M_FIRST_ERROR) X(CDN_M_PEAK_ERR5XX) X(CDN_M_PEAK) X(CDN_M_MAIN_RESOLVED)             \
    X(CDN_M_ALL_RESOLVED) X(CDN_M_DETECTED) X(CDN_M_DIAGNOSED) X(CDN_M_CYCLES)                 \
    X(CDN_M_OFFERED) X(CDN_M_FAILED) X(CDN_M_FAILED_FRAC) X(CDN_M_BLOCKED)                     \
    X(CDN_M_PEAK_BLOCKED) X(CDN_M_PEAK_LATENCY) X(CDN_M_SITES_AFFECTED)                        \
    X(CDN_M_SITES_FAILED_OVER) X(CDN_M_PEAK_SITES_DOWN) X(CDN_M_SITE_DOWN_MEAN)                \
    X(CDN_M_SITE_DOWN_P50) X(CDN_M_SITE_DOWN_P90) X(CDN_M_SITE_DOWN_P99) X(CDN_M_SITES)       \
    X(CDN_M_SERVERS) X(CDN_M_USER_FAILED) X(CDN_M_USER_FAILED_FRAC) X(CDN_M_PEAK_SERVERS_OUT)   \
    X(CDN_M_RECOVERED_PCT) X(CDN_M_HOSTS_REC_P50) X(CDN_M_HOSTS_REC_P90) X(CDN_M_HOSTS_REC_P99)     \
    X(CDN_M_HOSTS_REC_X) X(CDN_M_TRAFFIC_REC_P50) X(CDN_M_TRAFFIC_REC_P90)                         \
    X(CDN_M_TRAFFIC_REC_P99) X(CDN_M_TRAFFIC_REC_X)
#define CDN_SUMMARY_TAIL(X) X(CDN_M_KERNEL_EVENTS)

void cdn_summary_compute(const cdn_scenario_t *s, const cdn_result_t *r, cdn_summary_t *out);

/* Length of bin b of run r, s (the last bin may be shorter). */
double cdn_summary_bin_len(const cdn_scenario_t *s, const cdn_result_t *r, size_t bin);

/* 5xx share and blocked share of bin b (0 when nothing was offered). */
double cdn_summary_err5xx_frac(const cdn_result_t *r, size_t bin);
double cdn_summary_blocked_frac(const cdn_result_t *r, size_t bin);


/* Time until pct percent recovered (pct in (0, 100]), s after
 * first_error_s: the end of the last bin whose impairment is above
 * (1 - pct/100) x its peak; the impairment is the mean number of servers
 * failing or out of service (hosts = 1) or the users' failed share above
 * cdn_summary_user_baseline_frac (hosts = 0).  NAN when first_error_s is
 * NAN, nothing was impaired, or the span ends above that level. */
double cdn_summary_recovered_s(const cdn_scenario_t *s, const cdn_result_t *r, double first_error_s,
                               int hosts, double pct);
/* The users' failed share of a healthy network: the baseline 5xx share
 * after the retries of traffic.retry_frac and max_retries. */
double cdn_summary_user_baseline_frac(const cdn_scenario_t *s);

/* Downtime of service k: the integral over the span of (1 - availability),
 * seconds. */
double cdn_summary_service_downtime_s(const cdn_scenario_t *s, const cdn_result_t *r, size_t k);

/* Windowed measure m (cdn_measure_windowed) over the bins overlapping
 * [from_s, to_s); `service` is the service index for the service measures.
 * NAN when no bin with requests (or time) overlaps, or m is not windowed. */
double cdn_summary_window(const cdn_scenario_t *s, const cdn_result_t *r, cdn_measure_t m,
                          int service, double from_s, double to_s);

#endif /* CDNSIM_CDN_SUMMARY_H */
