/*
 * cdn_calibration.c -- calibration targets against simulated values.
 *
 * Design
 *   Targets are data in the scenario (what, where from, whether free
 *   parameters were fitted to it); this module only measures and reports.
 *   Each measure is a pure function of one run's bin integrals and its
 *   summary, so the report over N replications is reproducible and its
 *   spread is the model's own variability (the random migration, latency
 *   and wedge draws), not noise from the measurement.
 *
 *   Statistics: NANs (the event did not happen in that run) are dropped and
 *   counted; quantiles are GSL's linear interpolation on the sorted values.
 */
#include "cdn_calibration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim_alloc.h"

static double bin_len(const cdn_scenario_t *s, const cdn_result_t *r, size_t b)
{
    double len = s->sim.duration_s - (double)b * r->bin_s;
    return len < r->bin_s ? len : r->bin_s;
}

double cdn_calibration_stabilised_s(const cdn_scenario_t *s, const cdn_result_t *r,
                                    const cdn_summary_t *m)
{
    if (isnan(m->main_impact_resolved_s))
        return NAN;
    double thr = s->metrics.impact_threshold_frac;
    size_t b = (size_t)(m->main_impact_resolved_s / r->bin_s + 0.5);
    if (b > r->nbins)
        b = r->nbins;
    while (b > 0 && !(cdn_output_err5xx_frac(r, b - 1) > thr))
        b--;
    while (b > 0 && cdn_output_err5xx_frac(r, b - 1) > thr)
        b--;
    return (double)b * r->bin_s;
}

/* Bins overlapping [from, to): the share of `num` in `den` over them, or
 * the lowest per-bin ratio when `lowest`. */
static double window(const cdn_scenario_t *s, const cdn_result_t *r, const double *num,
                     const double *den, double from, double to, int lowest)
{
    double n = 0, d = 0, low = INFINITY;
    for (size_t b = 0; b < r->nbins; b++) {
        double t0 = (double)b * r->bin_s, t1 = t0 + bin_len(s, r, b);
        if (t1 <= from || t0 >= to)
            continue;
        double dd = den ? den[b] : bin_len(s, r, b);
        n += num[b];
        d += dd;
        if (dd > 0 && num[b] / dd < low)
            low = num[b] / dd;
    }
    if (lowest)
        return isinf(low) ? NAN : low;
    return d > 0 ? n / d : NAN;
}

double cdn_calibration_value(const cdn_scenario_t *s, const cdn_result_t *r,
                             const cdn_summary_t *m, size_t t)
{
    const cdn_cal_target_spec_t *tg = &s->targets[t];
    switch (tg->metric) {
    case CDN_CAL_FIRST_ERROR:
        return m->first_error_s;
    case CDN_CAL_DETECTED:
        return r->detected_s;
    case CDN_CAL_DIAGNOSED:
        return r->diagnosed_s;
    case CDN_CAL_STABILISED:
        return cdn_calibration_stabilised_s(s, r, m);
    case CDN_CAL_MAIN_RESOLVED:
        return m->main_impact_resolved_s;
    case CDN_CAL_ALL_RESOLVED:
        return m->all_resolved_s;
    case CDN_CAL_CYCLES:
        return (double)m->fluctuation_cycles;
    case CDN_CAL_PEAK_ERR5XX:
        return m->peak_err5xx_frac;
    case CDN_CAL_FAILED_FRAC:
        return m->offered_requests > 0 ? m->failed_requests / m->offered_requests : 0.0;
    case CDN_CAL_ERR5XX_MEAN: {
        double *num = sim_xmalloc(r->nbins * sizeof *num), *den = sim_xmalloc(r->nbins * sizeof *den);
        for (size_t b = 0; b < r->nbins; b++) {
            num[b] = cdn_result_global(r, CDN_RS_ERR5XX, b);
            den[b] = cdn_result_global(r, CDN_RS_OFFERED, b);
        }
        double v = window(s, r, num, den, tg->from_s, tg->to_s, 0);
        free(num);
        free(den);
        return v;
    }
    case CDN_CAL_SERVICE_MEAN:
    case CDN_CAL_SERVICE_MIN:
        return window(s, r, r->svc_avail + (size_t)tg->service * r->nbins, NULL, tg->from_s,
                      tg->to_s, tg->metric == CDN_CAL_SERVICE_MIN);
    case CDN_CAL_COUNT:
        break;
    }
    return NAN;
}

/* ---------------------------------------------------------------- report */

typedef struct stats {
    size_t n, missing;
    double mean, sd, p5, p50, p95;
} stats_t;

static stats_t describe(const double *v, size_t nrep)
{
    stats_t st;
    memset(&st, 0, sizeof st);
    double *x = sim_xmalloc((nrep ? nrep : 1) * sizeof *x);
    for (size_t i = 0; i < nrep; i++) {
        if (isnan(v[i]))
            st.missing++;
        else
            x[st.n++] = v[i];
    }
    st.mean = st.sd = st.p5 = st.p50 = st.p95 = NAN;
    if (st.n > 0) {
        gsl_sort(x, 1, st.n);
        st.mean = gsl_stats_mean(x, 1, st.n);
        st.sd = st.n > 1 ? gsl_stats_sd(x, 1, st.n) : 0.0;
        st.p5 = gsl_stats_quantile_from_sorted_data(x, 1, st.n, 0.05);
        st.p50 = gsl_stats_quantile_from_sorted_data(x, 1, st.n, 0.50);
        st.p95 = gsl_stats_quantile_from_sorted_data(x, 1, st.n, 0.95);
    }
    free(x);
    return st;
}

/* A value as a person reads it: UTC hh:mm for times, % for shares. */
static void show(char *buf, size_t n, const cdn_scenario_t *s, cdn_cal_metric_t m, double v)
{
    if (isnan(v)) {
        snprintf(buf, n, "–");
    } else if (cdn_cal_metric_is_time(m)) {
        char utc[32];
        cdn_scenario_utc(s, v, utc, sizeof utc);
        snprintf(buf, n, "%.5s", utc + 11);
    } else if (m == CDN_CAL_CYCLES) {
        snprintf(buf, n, "%.1f", v);
    } else {
        snprintf(buf, n, "%.1f%%", 100.0 * v);
    }
}

/* A spread or difference: minutes for times, points for shares. */
static void show_delta(char *buf, size_t n, cdn_cal_metric_t m, double d)
{
    if (isnan(d))
        snprintf(buf, n, "–");
    else if (cdn_cal_metric_is_time(m))
        snprintf(buf, n, "%+.0f min", d / 60.0);
    else if (m == CDN_CAL_CYCLES)
        snprintf(buf, n, "%+.1f", d);
    else
        snprintf(buf, n, "%+.1f pts", 100.0 * d);
}

static void show_sd(char *buf, size_t n, cdn_cal_metric_t m, double sd)
{
    if (isnan(sd))
        snprintf(buf, n, "–");
    else if (cdn_cal_metric_is_time(m))
        snprintf(buf, n, "%.0f min", sd / 60.0);
    else if (m == CDN_CAL_CYCLES)
        snprintf(buf, n, "%.1f", sd);
    else
        snprintf(buf, n, "%.1f pts", 100.0 * sd);
}

int cdn_calibration_write(const char *dir, const cdn_scenario_t *s, const double *values,
                          size_t nrep, uint64_t seed, cdn_error_t *err)
{
    FILE *f = cdn_output_open(dir, "calibration.md");
    if (!f)
        return cdn_output_io_error(err, dir, "calibration.md");
    fprintf(f, "# Calibration: %s\n\n", s->name);
    fprintf(f,
            "%zu replications (seed %llu, replications 0 to %zu). Published values and their "
            "sources are the scenario's `calibration.targets`; \"fitted\" marks targets that free "
            "parameters were fitted to, the others follow from the mechanisms. Times are UTC; a "
            "difference is the simulated median minus the published value.\n\n",
            nrep, (unsigned long long)seed, nrep ? nrep - 1 : 0);
    fputs("| target | published | simulated median | 5%-95% | mean ± sd | difference | fitted | "
          "source |\n|---|---|---|---|---|---|---|---|\n",
          f);
    for (size_t t = 0; t < s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &s->targets[t];
        stats_t st = describe(values + t * nrep, nrep);
        char pub[32], med[32], lo[32], hi[32], mean[32], sd[32], diff[32];
        show(pub, sizeof pub, s, tg->metric, tg->has_target ? tg->target : NAN);
        if (!tg->has_target)
            snprintf(pub, sizeof pub, "not published");
        show(med, sizeof med, s, tg->metric, st.p50);
        show(lo, sizeof lo, s, tg->metric, st.p5);
        show(hi, sizeof hi, s, tg->metric, st.p95);
        show(mean, sizeof mean, s, tg->metric, st.mean);
        show_sd(sd, sizeof sd, tg->metric, st.sd);
        show_delta(diff, sizeof diff, tg->metric, tg->has_target ? st.p50 - tg->target : NAN);
        fprintf(f, "| %s | %s | %s | %s to %s | %s ± %s | %s | %s | %s |", tg->name, pub, med, lo,
                hi, mean, sd, diff, tg->fitted ? "fitted" : "mechanism", tg->source);
        if (st.missing)
            fprintf(f, " (did not happen in %zu of %zu runs)", st.missing, nrep);
        fputc('\n', f);
    }
    fputs("\nMetrics: docs/output-format.md (summary) and docs/scenario-format.md "
          "(calibration targets).\n",
          f);
    if (cdn_output_close(f) != 0)
        return cdn_output_io_error(err, dir, "calibration.md");

    f = cdn_output_open(dir, "calibration.csv");
    if (!f)
        return cdn_output_io_error(err, dir, "calibration.csv");
    fputs("target,metric,replication,value,published\n", f);
    for (size_t t = 0; t < s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &s->targets[t];
        for (size_t k = 0; k < nrep; k++) {
            fputc('"', f);
            for (const char *c = tg->name; *c; c++)
                fputs(*c == '"' ? "\"\"" : (char[2]){*c, 0}, f);
            fprintf(f, "\",%s,%zu,", cdn_cal_metric_name(tg->metric), k);
            double v = values[t * nrep + k];
            if (isnan(v))
                fputs("", f);
            else
                fprintf(f, "%.6g", v);
            if (tg->has_target)
                fprintf(f, ",%.6g\n", tg->target);
            else
                fputs(",\n", f);
        }
    }
    if (cdn_output_close(f) != 0)
        return cdn_output_io_error(err, dir, "calibration.csv");
    return 0;
}
