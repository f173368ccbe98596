/*
 * cdn_calreport.c -- calibration.md and calibration.csv.
 *
 * Design
 *   Statistics come from sim_stats.h (two-pass mean and sd, type-7
 *   quantiles); NANs (the event did not happen in that run) are skipped
 *   and counted.  A value is shown as its measure's unit says: UTC hh:mm
 *   for a time (with its date when the span is longer than a day or
 *   crosses midnight UTC), a count with one decimal, a share in percent; spreads and
 *   differences in minutes, counts and points.  The CSV keeps every value
 *   unrounded to 6 significant digits.
 */
#include "cdn_calreport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_file.h"
#include "sim_alloc.h"
#include "sim_stats.h"

typedef struct stats {
    size_t n, missing;
    double mean, sd, p5, p50, p95;
} stats_t;

static stats_t describe(const double *v, size_t nrep)
{
    stats_t st;
    sim_stats_summary_t sum;
    sim_stats_summarize(v, nrep, 1, 0.95, &sum);
    st.n = sum.n;
    st.missing = nrep - sum.n;
    st.mean = sum.mean;
    st.sd = sum.n == 1 ? 0.0 : sum.sd;
    double *x = sim_xmalloc((nrep ? nrep : 1) * sizeof *x);
    memcpy(x, v, nrep * sizeof *x);
    st.p5 = sim_stats_quantile(x, nrep, 0.05);
    st.p50 = sim_stats_quantile(x, nrep, 0.50);
    st.p95 = sim_stats_quantile(x, nrep, 0.95);
    free(x);
    return st;
}

static int is_count(cdn_cal_metric_t m)
{
    return cdn_measure_unit(cdn_cal_metric_measure(m)) == CDN_UNIT_NUMBER;
}

/* 1 when times need their date: the span is longer than a day or its
 * start and end fall on different UTC dates. */
static int needs_date(const cdn_scenario_t *s)
{
    char a[32], b[32];
    cdn_scenario_utc(s, 0.0, a, sizeof a);
    cdn_scenario_utc(s, s->sim.duration_s, b, sizeof b);
    return s->sim.duration_s > 86400.0 || strncmp(a, b, 10) != 0;
}

/* A value as a person reads it: UTC hh:mm for times (yyyy-mm-dd hh:mm
 * when needs_date), % for shares. */
static void show(char *buf, size_t n, const cdn_scenario_t *s, cdn_cal_metric_t m, double v)
{
    if (isnan(v)) {
        snprintf(buf, n, "–");
    } else if (cdn_cal_metric_is_time(m)) {
        char utc[32];
        cdn_scenario_utc(s, v, utc, sizeof utc);
        if (needs_date(s))
            snprintf(buf, n, "%.10s %.5s", utc, utc + 11);
        else
            snprintf(buf, n, "%.5s", utc + 11);
    } else if (is_count(m)) {
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
    else if (is_count(m))
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
    else if (is_count(m))
        snprintf(buf, n, "%.1f", sd);
    else
        snprintf(buf, n, "%.1f pts", 100.0 * sd);
}

int cdn_calreport_write(const char *dir, const cdn_scenario_t *s, const double *values,
                          size_t nrep, uint64_t seed, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "calibration.md");
    if (!f)
        return cdn_file_io_error(err, dir, "calibration.md");
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
    if (cdn_file_finish(f, dir, "calibration.md", err) != 0)
        return CDN_EIO;

    f = cdn_file_open(dir, "calibration.csv");
    if (!f)
        return cdn_file_io_error(err, dir, "calibration.csv");
    fputs("target,metric,replication,value,published\n", f);
    for (size_t t = 0; t < s->ntargets; t++) {
        const cdn_cal_target_spec_t *tg = &s->targets[t];
        for (size_t k = 0; k < nrep; k++) {
            cdn_file_put_csv_quoted(f, tg->name);
            fprintf(f, ",%s,%zu,", cdn_cal_metric_name(tg->metric), k);
            double v = values[t * nrep + k];
            if (!isnan(v))
                fprintf(f, "%.6g", v);
            if (tg->has_target)
                fprintf(f, ",%.6g\n", tg->target);
            else
                fputs(",\n", f);
        }
    }
    if (cdn_file_finish(f, dir, "calibration.csv", err) != 0)
        return CDN_EIO;
    return 0;
}

void cdn_calreport_show(char *buf, size_t n, const cdn_scenario_t *s, cdn_cal_metric_t m, double v)
{
    show(buf, n, s, m, v);
}

void cdn_calreport_show_delta(char *buf, size_t n, cdn_cal_metric_t m, double d)
{
    show_delta(buf, n, m, d);
}

void cdn_calreport_show_spread(char *buf, size_t n, cdn_cal_metric_t m, double d)
{
    show_sd(buf, n, m, d);
}
