/*
 * cdn_report.c -- what the study reports share: the ranking of arms,
 * numbers for people, and replications.csv.
 *
 * Design
 *   Byte-identical output for the same study is the rule, so nothing in
 *   the study reports reads the clock, the host, the jobs or the ranks,
 *   except the manifest (cdn_report_manifest.c).  Doubles in CSV go
 *   through cdn_file_put_num(), the shortest form that reads back as the
 *   same double (cJSON writes the JSON files the same way).  The Markdown
 *   tables round for people; the CSV files never round.
 *
 *   Files: cdn_report_compare.c (compare), cdn_report_sweep.c (sweep),
 *   cdn_report_manifest.c (manifest.json, both), this file (shared).
 *   Ranking is an insertion sort (stable, few arms, no comparator state).
 *   Ties are for display only (cdn_report_tie_ranks): the rank stays a
 *   position, which orders the bars of the figures; neighbours in it whose
 *   ranking metrics are equal replication by replication are shown with
 *   the first one's rank and '='.  Rejected: equal means as the rule (two
 *   strategies can have equal means by chance yet differ run by run).
 */
#include "cdn_report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_file.h"
#include "sim_alloc.h"

/* ------------------------------------------------------------- ranking */

void cdn_report_ranks(const cdn_study_t *st, size_t *rank)
{
    size_t *order = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *order);
    double *key1 = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *key1);
    double *key2 = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *key2);
    for (size_t a = 0; a < st->narms; a++) {
        sim_stats_summary_t s;
        order[a] = a;
        cdn_study_summary(st, a, CDN_MET_FAILED, &s);
        key1[a] = isnan(s.mean) ? INFINITY : s.mean;
        cdn_study_summary(st, a, CDN_MET_USER_MINUTES, &s);
        key2[a] = isnan(s.mean) ? INFINITY : s.mean;
    }
    /* insertion sort: stable, few arms, no global comparator state */
    for (size_t i = 1; i < st->narms; i++) {
        size_t x = order[i], j = i;
        while (j > 0 && (key1[order[j - 1]] > key1[x] ||
                         (key1[order[j - 1]] == key1[x] && key2[order[j - 1]] > key2[x]))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    for (size_t i = 0; i < st->narms; i++)
        rank[order[i]] = i + 1;
    free(order);
    free(key1);
    free(key2);
}

/* 1 if arms a and b have the same ranking metrics in every replication. */
static int same_values(const cdn_study_t *st, size_t a, size_t b)
{
    static const size_t keys[] = {CDN_MET_FAILED, CDN_MET_USER_MINUTES};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (size_t r = 0; r < st->nreps; r++) {
            double x = cdn_study_value(st, a, r, keys[k]), y = cdn_study_value(st, b, r, keys[k]);
            if (!(x == y || (isnan(x) && isnan(y))))
                return 0;
        }
    return 1;
}

void cdn_report_tie_ranks(const cdn_study_t *st, const size_t *rank, size_t *shown, int *tied)
{
    size_t *order = cdn_report_by_rank(st, rank);
    for (size_t i = 0; i < st->narms; i++) {
        size_t a = order[i];
        shown[a] = i + 1;
        tied[a] = 0;
        if (i > 0 && same_values(st, order[i - 1], a)) {
            shown[a] = shown[order[i - 1]];
            tied[a] = tied[order[i - 1]] = 1;
        }
    }
    free(order);
}

size_t *cdn_report_ranks_of(const cdn_study_t *st)
{
    size_t *rank = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *rank);
    cdn_report_ranks(st, rank);
    return rank;
}

/* arms in rank order */
size_t *cdn_report_by_rank(const cdn_study_t *st, const size_t *rank)
{
    size_t *order = sim_xmalloc((st->narms ? st->narms : 1) * sizeof *order);
    for (size_t a = 0; a < st->narms; a++)
        order[rank[a] - 1] = a;
    return order;
}

/* ------------------------------------------------------ human numbers */

/* Scale of a requests count: divisor and suffix. */
static double req_scale(double v, const char **suffix)
{
    double a = fabs(v);
    if (a >= 1e9) {
        *suffix = " bn";
        return 1e9;
    }
    if (a >= 1e6) {
        *suffix = " M";
        return 1e6;
    }
    if (a >= 1e3) {
        *suffix = " k";
        return 1e3;
    }
    *suffix = "";
    return 1.0;
}

/* display factor and unit text for a unit (requests: by magnitude `ref`) */
double cdn_report_display(cdn_unit_t u, double ref, const char **suffix)
{
    switch (u) {
    case CDN_UNIT_SHARE:
        *suffix = "%";
        return 100.0;
    case CDN_UNIT_SECONDS:
        *suffix = " min";
        return 1.0 / 60.0;
    case CDN_UNIT_MINUTES:
        *suffix = " min";
        return 1.0;
    case CDN_UNIT_MS:
        *suffix = " ms";
        return 1.0;
    case CDN_UNIT_REQUESTS:
    default:
        return 1.0 / req_scale(ref, suffix);
    }
}

void cdn_report_fmt_count(char *buf, size_t n, double v)
{
    const char *suf;
    double k = 1.0 / req_scale(v, &suf);
    if (v == 0.0)
        snprintf(buf, n, "0");
    else if (k == 1.0)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.1f%s", v * k, suf);
}

int cdn_report_decimals(cdn_unit_t u)
{
    return u == CDN_UNIT_SHARE ? 2 : u == CDN_UNIT_MS ? 0 : 1;
}

/* "n/a" when there is no value, "0" when it is exactly zero: 1 if one of
 * them was written. */
static int fmt_trivial(char *buf, size_t n, const sim_stats_summary_t *s)
{
    if (s->n == 0 || isnan(s->mean)) {
        snprintf(buf, n, "n/a");
        return 1;
    }
    if (s->mean == 0.0 && (isnan(s->half_width) || s->half_width == 0.0)) {
        snprintf(buf, n, "0");
        return 1;
    }
    return 0;
}

/* "62.60% ± 0.41" */
void cdn_report_fmt_mean(char *buf, size_t n, cdn_unit_t u, const sim_stats_summary_t *s)
{
    if (fmt_trivial(buf, n, s))
        return;
    const char *suf;
    double k = cdn_report_display(u, fmax(fabs(s->mean), isnan(s->half_width) ? 0 : s->half_width), &suf);
    int d = cdn_report_decimals(u);
    if (isnan(s->half_width))
        snprintf(buf, n, "%.*f%s", d, s->mean * k, suf);
    else
        snprintf(buf, n, "%.*f%s ± %.*f", d, s->mean * k, suf, d, s->half_width * k);
}

/* "-563.8 bn [-565.2, -562.3]" */
void cdn_report_fmt_diff(char *buf, size_t n, cdn_unit_t u, const sim_stats_summary_t *s)
{
    if (fmt_trivial(buf, n, s))
        return;
    const char *suf;
    double ref = fmax(fabs(s->mean), fmax(isnan(s->lo) ? 0 : fabs(s->lo), isnan(s->hi) ? 0 : fabs(s->hi)));
    double k = cdn_report_display(u, ref, &suf);
    int d = cdn_report_decimals(u);
    if (u == CDN_UNIT_SHARE)
        suf = " pp";
    if (isnan(s->half_width))
        snprintf(buf, n, "%+.*f%s", d, s->mean * k, suf);
    else
        snprintf(buf, n, "%+.*f%s [%+.*f, %+.*f]", d, s->mean * k, suf, d, s->lo * k, d, s->hi * k);
}

void cdn_report_fmt_rel(char *buf, size_t n, const sim_stats_summary_t *d, const sim_stats_summary_t *ref)
{
    if (d->n == 0 || isnan(d->mean) || isnan(ref->mean) || ref->mean == 0.0)
        snprintf(buf, n, "n/a");
    else if (d->mean == 0.0)
        snprintf(buf, n, "0");
    else
        snprintf(buf, n, "%+.1f%%", 100.0 * d->mean / ref->mean);
}

/* ---------------------------------------------------- replications.csv */

void cdn_report_write_replications(FILE *f, const cdn_study_t *st, const char *first_col)
{
    char nb[CDN_REPORT_NAME_BUF];
    fprintf(f, "%s,replication", first_col);
    for (size_t m = 0; m < st->nmetrics; m++)
        fprintf(f, ",%s", cdn_study_metric_name(st, m, nb, sizeof nb));
    fputc('\n', f);
    for (size_t a = 0; a < st->narms; a++)
        for (size_t r = 0; r < st->nreps; r++) {
            cdn_file_put_csv(f, st->arms[a].label);
            fprintf(f, ",%zu", r);
            for (size_t m = 0; m < st->nmetrics; m++) {
                fputc(',', f);
                cdn_file_put_num(f, cdn_study_value(st, a, r, m));
            }
            fputc('\n', f);
        }
}
