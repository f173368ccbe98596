/*
 * sim_recorder.h -- a time-weighted timeline recorder with fixed bins.
 *
 * Contract
 *   The recorder holds `nseries` piecewise-constant signals over
 *   [start_s, start_s + nbins * bin_s).  A model calls sim_recorder_set()
 *   whenever a signal changes value; the recorder integrates the previous
 *   value exactly over the elapsed time and spreads the integral over the
 *   bins it crossed (no sampling).  sim_recorder_finish() closes every
 *   signal at the end time.  Afterwards sim_recorder_integral() gives the
 *   exact integral of a signal over a bin (value * seconds) and
 *   sim_recorder_mean() the time average over the bin.
 *
 *   Before the first set() a signal is 0.  Times must be non-decreasing per
 *   signal; times before start_s are clamped to start_s and times after the
 *   end are clamped to the end.
 *
 *   Cost: O(1) per set() plus O(bins crossed).  Memory: nseries * nbins
 *   doubles.
 *
 * Ownership and threads
 *   Owned by one run; one thread at a time; no global state.
 */
#ifndef CDNSIM_SIM_RECORDER_H
#define CDNSIM_SIM_RECORDER_H

#include <stddef.h>

typedef struct sim_recorder sim_recorder_t;

sim_recorder_t *sim_recorder_create(double start_s, double bin_s, size_t nbins, size_t nseries);
void sim_recorder_destroy(sim_recorder_t *r); /* NULL is a no-op */

/* Signal `series` takes value `v` from time `t_s` on. */
void sim_recorder_set(sim_recorder_t *r, size_t series, double t_s, double v);
/* Signals first .. first + n - 1 take values v[0 .. n-1] from t_s on: the
 * same as n set() calls (series out of range are ignored), with the
 * checks of t_s done once (a model sets a region's dozen series at each
 * of its changes). */
void sim_recorder_set_n(sim_recorder_t *r, size_t first, double t_s, const double *v, size_t n);

/* The value the signal has now (as last set). */
double sim_recorder_value(const sim_recorder_t *r, size_t series);

/* Closes every signal at the end time; further set() calls are ignored. */
void sim_recorder_finish(sim_recorder_t *r);

double sim_recorder_integral(const sim_recorder_t *r, size_t series, size_t bin);
double sim_recorder_mean(const sim_recorder_t *r, size_t series, size_t bin);

size_t sim_recorder_nbins(const sim_recorder_t *r);
size_t sim_recorder_nseries(const sim_recorder_t *r);
double sim_recorder_bin_s(const sim_recorder_t *r);
double sim_recorder_start_s(const sim_recorder_t *r);

#endif /* CDNSIM_SIM_RECORDER_H */
