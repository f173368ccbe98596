/*
 * cdn_metrics.c -- one run reduced to the metrics strategies are compared on.
 *
 * Design
 *   Metrics that summary.json already defines (failed and blocked
 *   requests, peak 5xx share, peak latency, sites affected, per-site
 *   downtime quantiles) are taken from cdn_summary_compute(), so a comparison and
 *   a single `cdnsim run` never disagree on a definition.  The others are
 *   computed here from the bins, with the same thresholds:
 *
 *     time_to_mitigate_s = main_impact_resolved_s - first_error_s
 *         (end of the last bin at or above the major threshold minus the
 *         start of the first bin above the impact threshold); 0 when the
 *         5xx share never reaches the major threshold.  Censored at the end
 *         of the span when the impact lasts to the end.
 *     main_impact_s = total length of the bins at or above the major
 *         threshold (the time actually spent in main impact, without the
 *         good spells of an alternation).
 *     user_minutes_lost = sum over bins of (err5xx + blocked) / offered
 *         * bin length / 60: the minutes of service lost by a user who
 *         sends requests at a steady rate through the whole span, spread
 *         over regions and sites like all requests of that bin.  Time
 *         weighted (a night-time minute counts as much as a peak minute);
 *         failed_requests is the traffic-weighted count.  Both include the
 *         baseline 5xx share, so a perfect strategy reaches the baseline,
 *         not zero.
 *     time_to_detect_s / time_to_diagnose_s = detected_s / diagnosed_s -
 *         first_error_s; missing (NaN) when either did not happen.
 *
 *   Bins are walked once; the last bin may be shorter than bin_s.
 */
#include "cdn_metrics.h"

#include <math.h>
#include <string.h>

#include "cdn_output.h"

#define CDN_X_NAME(e, s) s,
static const char *const unit_names[] = {CDN_UNIT_MAP(CDN_X_NAME)};
#undef CDN_X_NAME
#define CDN_X_FIELD(e, name, unit, label) name,
static const char *const metric_names[] = {CDN_METRIC_MAP(CDN_X_FIELD)};
#undef CDN_X_FIELD
#define CDN_X_FIELD(e, name, unit, label) label,
static const char *const metric_labels[] = {CDN_METRIC_MAP(CDN_X_FIELD)};
#undef CDN_X_FIELD
#define CDN_X_FIELD(e, name, unit, label) unit,
static const cdn_unit_t metric_units[] = {CDN_METRIC_MAP(CDN_X_FIELD)};
#undef CDN_X_FIELD

const char *cdn_unit_name(cdn_unit_t u)
{
    return (unsigned)u < CDN_UNIT_COUNT ? unit_names[u] : "?";
}

const char *cdn_metric_name(cdn_metric_t m)
{
    return (unsigned)m < CDN_MET_COUNT ? metric_names[m] : "?";
}

const char *cdn_metric_label(cdn_metric_t m)
{
    return (unsigned)m < CDN_MET_COUNT ? metric_labels[m] : "?";
}

cdn_unit_t cdn_metric_unit(cdn_metric_t m)
{
    return (unsigned)m < CDN_MET_COUNT ? metric_units[m] : CDN_UNIT_SHARE;
}

int cdn_metric_find(const char *name)
{
    for (int m = 0; m < CDN_MET_COUNT; m++)
        if (strcmp(metric_names[m], name) == 0)
            return m;
    return -1;
}

static double bin_len(const cdn_scenario_t *s, const cdn_result_t *r, size_t b)
{
    double len = s->sim.duration_s - (double)b * r->bin_s;
    return len < r->bin_s ? len : r->bin_s;
}

double cdn_metrics_blocked_frac(const cdn_result_t *r, size_t bin)
{
    double off = cdn_result_global(r, CDN_RS_OFFERED, bin);
    return off > 0 ? cdn_result_global(r, CDN_RS_BLOCKED, bin) / off : 0.0;
}

double cdn_metrics_service_downtime_s(const cdn_scenario_t *s, const cdn_result_t *r, size_t k)
{
    double down = 0.0;
    for (size_t b = 0; b < r->nbins; b++)
        down += bin_len(s, r, b) - r->svc_avail[k * r->nbins + b];
    return down > 0.0 ? down : 0.0;
}

static double after(double t, double t0)
{
    return isnan(t) || isnan(t0) ? NAN : t - t0;
}

void cdn_metrics_compute(const cdn_scenario_t *s, const cdn_result_t *r, double out[CDN_MET_COUNT])
{
    cdn_summary_t sum;
    cdn_summary_compute(s, r, &sum);
    double user_s = 0.0, main_s = 0.0;
    for (size_t b = 0; b < r->nbins; b++) {
        double len = bin_len(s, r, b);
        double f = cdn_output_err5xx_frac(r, b);
        user_s += (f + cdn_metrics_blocked_frac(r, b)) * len;
        if (f >= s->metrics.major_threshold_frac)
            main_s += len;
    }
    out[CDN_MET_FAILED] = sum.failed_requests;
    out[CDN_MET_BLOCKED] = sum.blocked_requests;
    out[CDN_MET_USER_MINUTES] = user_s / 60.0;
    out[CDN_MET_PEAK_ERR5XX] = sum.peak_err5xx_frac;
    out[CDN_MET_PEAK_LATENCY] = sum.peak_latency_ms;
    out[CDN_MET_TIME_TO_MITIGATE] =
        isnan(sum.main_impact_resolved_s) || isnan(sum.first_error_s)
            ? 0.0
            : sum.main_impact_resolved_s - sum.first_error_s;
    out[CDN_MET_MAIN_IMPACT] = main_s;
    out[CDN_MET_TIME_TO_DETECT] = after(r->detected_s, sum.first_error_s);
    out[CDN_MET_TIME_TO_DIAGNOSE] = after(r->diagnosed_s, sum.first_error_s);
    out[CDN_MET_SITES_AFFECTED] = sum.sites_affected_frac;
    out[CDN_MET_SITES_FAILED_OVER] =
        r->sites_total > 0 ? (double)r->sites_ever_failed_over / (double)r->sites_total : 0.0;
    out[CDN_MET_SITE_DOWN_MEAN] = sum.site_downtime_mean_s;
    out[CDN_MET_SITE_DOWN_P50] = sum.site_downtime_p50_s;
    out[CDN_MET_SITE_DOWN_P90] = sum.site_downtime_p90_s;
    out[CDN_MET_SITE_DOWN_P99] = sum.site_downtime_p99_s;
}
