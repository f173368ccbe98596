/*
 * cdn_summary.c -- every run-wide measure of one run, from its bins.
 *
 * Design
 *   Everything is computed from the run's exact bin integrals: a share is
 *   a ratio of integrals (err5xx / offered over the bin), never an average
 *   of instantaneous ratios.  The last bin may be shorter than bin_s when
 *   the span is not a multiple of it; its length is used for the averages.
 *
 *   One pass over the bins gathers the peaks, totals and threshold
 *   crossings (bin_pass); a second, bounded by the end of the main impact,
 *   counts the good/bad alternation; the derived measures (time to
 *   mitigate, time to detect, ...) are differences of the first pass's
 *   times.  O(bins + cohorts^2) per run; the cohorts (plans x proxies x 4)
 *   are few, so the per-site downtime quantiles select by repeated scans
 *   rather than sort a copy.
 *
 *   Rejected: computing the comparison metrics and calibration values in
 *   their own modules (as before): three walks over the bins with three
 *   copies of the bin length and share formulas, which had drifted apart
 *   in naming if not yet in value.
 */
#include "cdn_summary.h"

#include <math.h>
#include <string.h>

static double ratio(double num, double den)
{
    return den > 0 ? num / den : 0.0;
}

static double after(double t, double t0)
{
    return isnan(t) || isnan(t0) ? NAN : t - t0;
}

double cdn_summary_bin_len(const cdn_scenario_t *s, const cdn_result_t *r, size_t bin)
{
    return cdn_measure_bin_len(s->sim.duration_s, r->bin_s, bin);
}

double cdn_summary_err5xx_frac(const cdn_result_t *r, size_t bin)
{
    return ratio(cdn_result_global(r, CDN_RS_ERR5XX, bin), cdn_result_global(r, CDN_RS_OFFERED, bin));
}

double cdn_summary_blocked_frac(const cdn_result_t *r, size_t bin)
{
    return ratio(cdn_result_global(r, CDN_RS_BLOCKED, bin), cdn_result_global(r, CDN_RS_OFFERED, bin));
}

/* Walks the distinct per-site downtimes in increasing order: calls
 * step(d, sites down exactly d, arg) for each until it returns nonzero,
 * and returns that d (or -1 when the walk ends).  Sites are counted per
 * distinct downtime, so cohorts that split one group of alike sites give
 * the same counts and sums as the whole group. */
static double downtime_walk(const cdn_result_t *r, int (*step)(double, double, void *), void *arg)
{
    double last = -1.0;
    for (;;) {
        double next = INFINITY, count = 0;
        for (size_t c = 0; c < r->ncohorts; c++) {
            double d = r->cohort_down_s[c];
            if (r->cohort_sites[c] == 0 || d <= last)
                continue;
            if (d < next) {
                next = d;
                count = 0;
            }
            if (d == next)
                count += (double)r->cohort_sites[c];
        }
        if (isinf(next))
            return -1.0;
        if (step(next, count, arg))
            return next;
        last = next;
    }
}

typedef struct downtime_acc {
    double need, below, last, site_s, nsites;
} downtime_acc_t;

static int quantile_step(double d, double count, void *arg)
{
    downtime_acc_t *a = arg;
    a->below += count;
    a->last = d;
    return a->below >= a->need;
}

static int mean_step(double d, double count, void *arg)
{
    downtime_acc_t *a = arg;
    a->site_s += count * d;
    a->nsites += count;
    return 0;
}

/* Quantile q in [0, 1] of per-site downtime over all sites (the smallest
 * downtime d such that at least a share q of sites were down <= d). */
static double site_downtime_quantile(const cdn_result_t *r, double q)
{
    double total = 0;
    for (size_t c = 0; c < r->ncohorts; c++)
        total += (double)r->cohort_sites[c];
    if (total <= 0)
        return 0.0;
    downtime_acc_t a = {q * total, 0, -1.0, 0, 0};
    double d = downtime_walk(r, quantile_step, &a);
    if (d >= 0)
        return d;
    return a.last < 0 ? 0.0 : a.last;
}

double cdn_summary_service_downtime_s(const cdn_scenario_t *s, const cdn_result_t *r, size_t k)
{
    double down = 0.0;
    for (size_t b = 0; b < r->nbins; b++)
        down += cdn_summary_bin_len(s, r, b) - r->svc_avail[k * r->nbins + b];
    return down > 0.0 ? down : 0.0;
}

/* The first pass: totals, peaks and the ends of threshold runs. */
static void bin_pass(const cdn_scenario_t *s, const cdn_result_t *r, cdn_summary_t *out,
                     double *last_over_resolved_end)
{
    const cdn_metrics_spec_t *m = &s->metrics;
    double user_s = 0.0, user_requests = 0.0;
    for (size_t b = 0; b < r->nbins; b++) {
        double len = cdn_summary_bin_len(s, r, b);
        double t0 = (double)b * r->bin_s, t1 = t0 + len;
        double off = cdn_result_global(r, CDN_RS_OFFERED, b);
        double err = cdn_result_global(r, CDN_RS_ERR5XX, b);
        double blk = cdn_result_global(r, CDN_RS_BLOCKED, b);
        double f = ratio(err, off), bf = ratio(blk, off);
        out->offered_requests += off;
        out->failed_requests += err;
        out->blocked_requests += blk;
        if (bf > out->peak_blocked_frac)
            out->peak_blocked_frac = bf;
        double ok = cdn_result_global(r, CDN_RS_OK, b);
        if (ok > 0) { /* a bin where nothing is served has no latency */
            double lat = cdn_result_global(r, CDN_RS_LATENCY_X_OK, b) / ok;
            if (isnan(out->peak_latency_ms) || lat > out->peak_latency_ms)
                out->peak_latency_ms = lat;
        }
        if (b == 0 || f > out->peak_err5xx_frac) {
            out->peak_err5xx_frac = f;
            out->peak_t_s = t0;
        }
        if (f > m->impact_threshold_frac && isnan(out->first_error_s))
            out->first_error_s = t0;
        if (f >= m->major_threshold_frac) {
            out->main_impact_resolved_s = t1;
            out->main_impact_s += len;
        }
        if (f > m->resolved_threshold_frac)
            *last_over_resolved_end = t1;
        double down = ratio(r->sites_down[b], len * (double)r->sites_total);
        if (down > out->peak_sites_down_frac)
            out->peak_sites_down_frac = down;
        double sout = ratio(cdn_result_global(r, CDN_RS_SERVERS_OUT, b), len * (double)r->servers_total);
        if (sout > out->peak_servers_out_frac)
            out->peak_servers_out_frac = sout;
        out->user_failed_requests += cdn_result_global(r, CDN_RS_USER_FAILED, b);
        user_requests += cdn_result_global(r, CDN_RS_USER_REQUESTS, b);
        user_s += (f + bf) * len;
    }
    out->user_minutes_lost = user_s / 60.0;
    out->user_failed_frac = ratio(out->user_failed_requests, user_requests);
}

double cdn_summary_user_baseline_frac(const cdn_scenario_t *s)
{
    double e = s->traffic.baseline_err5xx_frac, m = 1.0, term = 1.0;
    for (uint32_t k = 0; k < s->traffic.max_retries; k++) {
        term *= s->traffic.retry_frac * e;
        m += term;
    }
    return fmax(0.0, 1.0 - (1.0 - e) * m);
}

/* The impairment of bin b that recovery is measured on: mean servers
 * impaired (hosts), or the users' failed share above its baseline. */
static double impairment(const cdn_scenario_t *s, const cdn_result_t *r, size_t b, int hosts,
                         double base)
{
    if (hosts)
        return cdn_result_global(r, CDN_RS_SERVERS_IMPAIRED, b) / cdn_summary_bin_len(s, r, b);
    double f = ratio(cdn_result_global(r, CDN_RS_USER_FAILED, b),
                     cdn_result_global(r, CDN_RS_USER_REQUESTS, b));
    return fmax(0.0, f - base);
}

double cdn_summary_recovered_s(const cdn_scenario_t *s, const cdn_result_t *r, double first_error_s,
                               int hosts, double pct)
{
    double base = hosts ? 0.0 : cdn_summary_user_baseline_frac(s), peak = 0.0;
    if (isnan(first_error_s) || !(pct > 0 && pct <= 100))
        return NAN;
    for (size_t b = 0; b < r->nbins; b++)
        peak = fmax(peak, impairment(s, r, b, hosts, base));
    if (!(peak > 0))
        return NAN;
    double level = peak * (100.0 - pct) / 100.0; /* exact for whole percentages */
    size_t b = r->nbins;
    while (b > 0 && !(impairment(s, r, b - 1, hosts, base) > level))
        b--;
    if (b == r->nbins) /* still above the level when the span ends */
        return NAN;
    double end = b == 0 ? 0.0 : (double)(b - 1) * r->bin_s + cdn_summary_bin_len(s, r, b - 1);
    return fmax(0.0, end - first_error_s);
}

static void recovery_measures(const cdn_scenario_t *s, const cdn_result_t *r, cdn_summary_t *out)
{
    double x = s->metrics.recovered_pct, t0 = out->first_error_s;
    out->recovered_pct = x;
    out->hosts_recovered_p50_s = cdn_summary_recovered_s(s, r, t0, 1, 50.0);
    out->hosts_recovered_p90_s = cdn_summary_recovered_s(s, r, t0, 1, 90.0);
    out->hosts_recovered_p99_s = cdn_summary_recovered_s(s, r, t0, 1, 99.0);
    out->hosts_recovered_x_s = cdn_summary_recovered_s(s, r, t0, 1, x);
    out->traffic_recovered_p50_s = cdn_summary_recovered_s(s, r, t0, 0, 50.0);
    out->traffic_recovered_p90_s = cdn_summary_recovered_s(s, r, t0, 0, 90.0);
    out->traffic_recovered_p99_s = cdn_summary_recovered_s(s, r, t0, 0, 99.0);
    out->traffic_recovered_x_s = cdn_summary_recovered_s(s, r, t0, 0, x);
}

/* Alternation: a recovery below the impact threshold followed by a
 * relapse above it, counted up to the end of the main impact (relapses in
 * the tail are not the good/bad alternation).  Without a main impact (no
 * bin at the major threshold, main_end NaN) there is no alternation of it
 * to count: 0, whatever minor ups and downs there were. */
static int fluctuation_cycles(const cdn_scenario_t *s, const cdn_result_t *r, double main_end)
{
    int impacted = 0, recovered = 0, cycles = 0;
    if (isnan(main_end))
        return 0;
    for (size_t b = 0; b < r->nbins && (double)b * r->bin_s < main_end; b++) {
        if (cdn_summary_err5xx_frac(r, b) > s->metrics.impact_threshold_frac) {
            if (recovered)
                cycles++;
            impacted = 1;
            recovered = 0;
        } else if (impacted) {
            recovered = 1;
        }
    }
    return cycles;
}

/* Start of the last run of bins above the impact threshold that ends at
 * the end of the main impact: when the good/bad alternation stabilised in
 * the failing state.  NAN without a main impact. */
static double stabilised_s(const cdn_scenario_t *s, const cdn_result_t *r, double main_end)
{
    if (isnan(main_end))
        return NAN;
    double thr = s->metrics.impact_threshold_frac;
    size_t b = (size_t)(main_end / r->bin_s + 0.5);
    if (b > r->nbins)
        b = r->nbins;
    while (b > 0 && !(cdn_summary_err5xx_frac(r, b - 1) > thr))
        b--;
    while (b > 0 && cdn_summary_err5xx_frac(r, b - 1) > thr)
        b--;
    return (double)b * r->bin_s;
}

static void site_measures(const cdn_result_t *r, cdn_summary_t *out)
{
    out->sites_affected_frac = ratio((double)r->sites_ever_down, (double)r->sites_total);
    out->sites_failed_over_frac = ratio((double)r->sites_ever_failed_over, (double)r->sites_total);
    downtime_acc_t a = {0, 0, -1.0, 0, 0};
    (void)downtime_walk(r, mean_step, &a);
    out->site_downtime_mean_s = ratio(a.site_s, a.nsites);
    out->site_downtime_p50_s = site_downtime_quantile(r, 0.50);
    out->site_downtime_p90_s = site_downtime_quantile(r, 0.90);
    out->site_downtime_p99_s = site_downtime_quantile(r, 0.99);
    out->sites = (double)r->sites_total;
    out->servers = (double)r->servers_total;
}

void cdn_summary_compute(const cdn_scenario_t *s, const cdn_result_t *r, cdn_summary_t *out)
{
    memset(out, 0, sizeof *out);
    out->first_error_s = NAN;
    out->main_impact_resolved_s = NAN;
    out->all_resolved_s = NAN;
    out->peak_t_s = NAN;
    out->peak_latency_ms = NAN; /* missing until a bin serves something */
    double last_over_resolved_end = NAN;
    bin_pass(s, r, out, &last_over_resolved_end);
    out->fluctuation_cycles = fluctuation_cycles(s, r, out->main_impact_resolved_s);
    if (!isnan(out->first_error_s) && !isnan(last_over_resolved_end) &&
        last_over_resolved_end < s->sim.duration_s)
        out->all_resolved_s = last_over_resolved_end;
    out->detected_s = r->detected_s;
    out->diagnosed_s = r->diagnosed_s;
    out->failed_frac = ratio(out->failed_requests, out->offered_requests);
    site_measures(r, out);
    out->kernel_events = r->kernel_events;
    out->time_to_mitigate_s = isnan(out->main_impact_resolved_s) || isnan(out->first_error_s)
                                  ? 0.0
                                  : out->main_impact_resolved_s - out->first_error_s;
    out->time_to_detect_s = after(r->detected_s, out->first_error_s);
    out->time_to_diagnose_s = after(r->diagnosed_s, out->first_error_s);
    out->stabilised_s = stabilised_s(s, r, out->main_impact_resolved_s);
    recovery_measures(s, r, out);
}

/* Numerator and denominator of windowed measure m in bin b. */
static void window_bin(const cdn_scenario_t *s, const cdn_result_t *r, cdn_measure_t m, int service,
                       size_t b, double *num, double *den)
{
    if (m == CDN_M_ERR5XX_MEAN) {
        *num = cdn_result_global(r, CDN_RS_ERR5XX, b);
        *den = cdn_result_global(r, CDN_RS_OFFERED, b);
    } else {
        *num = r->svc_avail[(size_t)service * r->nbins + b];
        *den = cdn_summary_bin_len(s, r, b);
    }
}

double cdn_summary_window(const cdn_scenario_t *s, const cdn_result_t *r, cdn_measure_t m,
                          int service, double from_s, double to_s)
{
    if (!cdn_measure_windowed(m) || (m != CDN_M_ERR5XX_MEAN && service < 0))
        return NAN;
    double n = 0, d = 0, low = INFINITY;
    for (size_t b = 0; b < r->nbins; b++) {
        double t0 = (double)b * r->bin_s, t1 = t0 + cdn_summary_bin_len(s, r, b);
        if (t1 <= from_s || t0 >= to_s)
            continue;
        double num, den;
        window_bin(s, r, m, service, b, &num, &den);
        n += num;
        d += den;
        if (den > 0 && num / den < low)
            low = num / den;
    }
    if (m == CDN_M_SERVICE_MIN)
        return isinf(low) ? NAN : low;
    return d > 0 ? n / d : NAN;
}
