/*
 * sim_recorder.c -- exact bin integrals of piecewise-constant signals.
 *
 * Data structure
 *   Per series: the time of its last change `last_t`, the bin it falls in
 *   `last_k`, and the value it has held since, `last_v`; one row of `nbins` doubles in `integral`
 *   (row-major, series * nbins + bin) holding value * seconds per bin.
 *   Bin k covers [edge(k), edge(k+1)) with edge(k) = start_s + k * bin_s,
 *   always computed by that one expression so that the pieces of a segment
 *   tile it without gaps or overlaps.
 *
 * set(series, t, v)
 *   t is clamped to [start_s, end_s] and then to >= last_t (time never
 *   runs backwards for a signal).  The segment [last_t, t) at value last_v
 *   is added to the bins it covers: a head piece in the first bin, whole
 *   bins (last_v * bin_s each) in between, a tail piece in the last bin.  A
 *   zero-length segment or a zero value adds nothing.  Then last_t = t and
 *   last_v = v.  Several set() calls at one time: the last value wins.
 *   finish() closes every series at end_s and freezes the recorder.
 *
 * Invariants
 *   start_s <= last_t <= end_s for every series; integral rows hold exactly
 *   the integral of the signal over [start_s, last_t) (up to rounding).
 *
 * Complexity
 *   set(): O(1) + O(bins crossed); memory nseries * nbins doubles.  A model
 *   sets a dozen series per state change, so set() is on the hot path of
 *   every study: the bin of the segment's start is kept (`last_k`) and that
 *   of its end is found from it by one or two edge comparisons, without the
 *   division of bin_of.  That took a comparison's recorder work from ~136
 *   to ~40 instructions per set (callgrind, issue 14); the bins, and so
 *   every sum, are the same.
 *
 * Rejected alternatives
 *   - Sampling the value at bin edges: wrong for signals that change
 *     within a bin, which is the whole point (outage onsets are seconds).
 *   - Storing the change points and binning at the end: memory grows with
 *     the number of events instead of being fixed.
 *   - A running prefix integral per series, differenced at bin edges:
 *     subtracting large accumulated totals loses precision in late bins.
 */
#include "sim_recorder.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim_alloc.h"

typedef struct series {
    double last_t; /* time of the last change, seconds of sim time */
    double last_v; /* value held since last_t */
    size_t last_k; /* bin_of(last_t) */
} series_t;

struct sim_recorder {
    double start_s; /* start of bin 0, seconds of sim time */
    double bin_s;   /* bin width, seconds */
    double end_s;   /* start_s + nbins * bin_s */
    size_t nbins;
    size_t nseries;
    int finished;     /* finish() called: set() is ignored */
    series_t *series; /* [nseries] */
    double *integral; /* [nseries * nbins], value * seconds */
};

static double edge(const sim_recorder_t *r, size_t k) {
    return r->start_s + (double)k * r->bin_s;
}

/* The bin k with edge(k) <= t < edge(k+1), for start_s <= t < end_s. */
static size_t bin_of(const sim_recorder_t *r, double t) {
    double x = floor((t - r->start_s) / r->bin_s);
    size_t k = x <= 0 ? 0 : (x >= (double)(r->nbins - 1) ? r->nbins - 1 : (size_t)x);
    /* The division may round across an edge; settle on edge()'s side. */
    while (k > 0 && t < edge(r, k))
        k--;
    while (k + 1 < r->nbins && t >= edge(r, k + 1))
        k++;
    return k;
}

/* bin_of(t) for t >= edge(k0) (t >= the time whose bin is k0): most
 * changes fall in the bin of the previous one or the next, so two edge
 * comparisons usually settle it without the division; the answer is
 * bin_of's, the one k with edge(k) <= t < edge(k+1). */
static size_t bin_from(const sim_recorder_t *r, size_t k0, double t) {
    if (k0 + 1 >= r->nbins || t < edge(r, k0 + 1))
        return k0;
    if (k0 + 2 >= r->nbins || t < edge(r, k0 + 2))
        return k0 + 1;
    return bin_of(r, t);
}

/* Adds value v over [a, b), start_s <= a < b <= end_s, to row `row`; a is
 * in bin ka, and b in bin kb or, when b = end_s, kb = nbins (no tail). */
static void integrate(sim_recorder_t *r, double *row, double a, size_t ka, double b, size_t kb,
                      double v) {
    size_t k;
    if (v == 0)
        return;
    if (ka == kb) {
        row[ka] += v * (b - a);
        return;
    }
    row[ka] += v * (edge(r, ka + 1) - a);
    for (k = ka + 1; k < kb; k++)
        row[k] += v * (edge(r, k + 1) - edge(r, k));
    if (kb < r->nbins)
        row[kb] += v * (b - edge(r, kb));
}

/* Closes series i's current segment at t (last_t <= t <= end_s). */
static void advance(sim_recorder_t *r, size_t i, double t) {
    series_t *s = &r->series[i];
    if (!(t > s->last_t))
        return;
    size_t kb = t >= r->end_s ? r->nbins : bin_from(r, s->last_k, t);
    integrate(r, &r->integral[i * r->nbins], s->last_t, s->last_k, t, kb, s->last_v);
    s->last_t = t;
    s->last_k = kb < r->nbins ? kb : r->nbins - 1;
}

sim_recorder_t *sim_recorder_create(double start_s, double bin_s, size_t nbins, size_t nseries) {
    sim_recorder_t *r;
    size_t i;
    if (!isfinite(start_s) || !isfinite(bin_s) || !(bin_s > 0) || nbins == 0 ||
        (nseries != 0 && nbins > SIZE_MAX / sizeof(double) / nseries))
        return NULL;
    if (!isfinite(start_s + (double)nbins * bin_s))
        return NULL;
    r = sim_xcalloc(1, sizeof *r);
    r->start_s = start_s;
    r->bin_s = bin_s;
    r->nbins = nbins;
    r->nseries = nseries;
    r->end_s = edge(r, nbins);
    r->series = sim_xcalloc(nseries, sizeof *r->series);
    r->integral = sim_xcalloc(nseries * nbins, sizeof *r->integral);
    for (i = 0; i < nseries; i++) {
        r->series[i].last_t = start_s;
        r->series[i].last_v = 0;
        r->series[i].last_k = 0;
    }
    return r;
}

void sim_recorder_destroy(sim_recorder_t *r) {
    if (!r)
        return;
    free(r->series);
    free(r->integral);
    free(r);
}

void sim_recorder_set(sim_recorder_t *r, size_t series, double t_s, double v) {
    series_t *s;
    assert(series < r->nseries);
    if (r->finished || series >= r->nseries || isnan(t_s))
        return;
    s = &r->series[series];
    if (t_s > r->end_s)
        t_s = r->end_s;
    if (t_s < s->last_t) /* also clamps to start_s, where last_t begins */
        t_s = s->last_t;
    advance(r, series, t_s);
    s->last_v = v;
}

void sim_recorder_set_n(sim_recorder_t *r, size_t first, double t_s, const double *v, size_t n) {
    assert(first <= r->nseries && n <= r->nseries - first);
    if (r->finished || isnan(t_s) || first >= r->nseries)
        return;
    if (n > r->nseries - first)
        n = r->nseries - first;
    if (t_s > r->end_s)
        t_s = r->end_s;
    for (size_t i = 0; i < n; i++) {
        series_t *s = &r->series[first + i];
        advance(r, first + i, t_s < s->last_t ? s->last_t : t_s);
        s->last_v = v[i];
    }
}

double sim_recorder_value(const sim_recorder_t *r, size_t series) {
    return series < r->nseries ? r->series[series].last_v : NAN;
}

void sim_recorder_finish(sim_recorder_t *r) {
    size_t i;
    if (r->finished)
        return;
    for (i = 0; i < r->nseries; i++)
        advance(r, i, r->end_s);
    r->finished = 1;
}

double sim_recorder_integral(const sim_recorder_t *r, size_t series, size_t bin) {
    if (series >= r->nseries || bin >= r->nbins)
        return NAN;
    return r->integral[series * r->nbins + bin];
}

double sim_recorder_mean(const sim_recorder_t *r, size_t series, size_t bin) {
    return sim_recorder_integral(r, series, bin) / r->bin_s;
}

size_t sim_recorder_nbins(const sim_recorder_t *r) {
    return r->nbins;
}

size_t sim_recorder_nseries(const sim_recorder_t *r) {
    return r->nseries;
}

double sim_recorder_bin_s(const sim_recorder_t *r) {
    return r->bin_s;
}

double sim_recorder_start_s(const sim_recorder_t *r) {
    return r->start_s;
}
