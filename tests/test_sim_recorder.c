/*
 * test_sim_recorder.c -- unit tests of the time-weighted timeline recorder
 * (sim_recorder.h).  Hand-computed cases use binary-exact numbers so the
 * expected integrals are exact; the randomized test compares against a
 * brute-force overlap sum and replays from a printed seed
 * (CDNSIM_TEST_SEED=<n> overrides it).
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sim_recorder.h"

static uint64_t test_next(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double test_unit(uint64_t *state) {
    return (double)(test_next(state) >> 11) * 0x1.0p-53;
}

static uint64_t test_seed(const char *test) {
    const char *env = getenv("CDNSIM_TEST_SEED");
    uint64_t seed;
    if (env && *env) {
        seed = strtoull(env, NULL, 0);
    } else {
        seed = 20251118; /* fixed default: CI runs are repeatable */
    }
    printf("%s: seed %" PRIu64 " (replay with CDNSIM_TEST_SEED=%" PRIu64 ")\n", test, seed,
           seed);
    fflush(stdout);
    return seed;
}

START_TEST(recorder_create_rejects_bad_arguments) {
    ck_assert_ptr_null(sim_recorder_create(0.0, 0.0, 10, 1));
    ck_assert_ptr_null(sim_recorder_create(0.0, -1.0, 10, 1));
    ck_assert_ptr_null(sim_recorder_create(0.0, NAN, 10, 1));
    ck_assert_ptr_null(sim_recorder_create(NAN, 1.0, 10, 1));
    ck_assert_ptr_null(sim_recorder_create(0.0, INFINITY, 10, 1));
    ck_assert_ptr_null(sim_recorder_create(0.0, 1.0, 0, 1));
    ck_assert_ptr_null(sim_recorder_create(0.0, 1.0, SIZE_MAX / 2, 4));
    sim_recorder_destroy(NULL);
}
END_TEST

START_TEST(recorder_reports_its_shape) {
    sim_recorder_t *r = sim_recorder_create(-30.0, 2.5, 12, 3);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(sim_recorder_nbins(r), 12);
    ck_assert_uint_eq(sim_recorder_nseries(r), 3);
    ck_assert(sim_recorder_bin_s(r) == 2.5);
    ck_assert(sim_recorder_start_s(r) == -30.0);
    ck_assert(isnan(sim_recorder_integral(r, 3, 0)));
    ck_assert(isnan(sim_recorder_integral(r, 0, 12)));
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_signal_is_zero_before_first_set) {
    sim_recorder_t *r = sim_recorder_create(0.0, 10.0, 4, 2);
    size_t k;
    ck_assert(sim_recorder_value(r, 0) == 0.0);
    sim_recorder_set(r, 1, 25.0, 3.0);
    sim_recorder_finish(r);
    for (k = 0; k < 4; k++)
        ck_assert(sim_recorder_integral(r, 0, k) == 0.0);
    ck_assert(sim_recorder_integral(r, 1, 0) == 0.0);
    ck_assert(sim_recorder_integral(r, 1, 1) == 0.0);
    ck_assert(sim_recorder_integral(r, 1, 2) == 15.0); /* [25, 30) * 3 */
    ck_assert(sim_recorder_integral(r, 1, 3) == 30.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_integrates_step_exactly_across_bins) {
    /* Bins of 10 s from 0: the signal is 0 until 5, 2 until 27, 4 until 42,
     * then 0.5 to the end (50).
     *   bin 0 [ 0,10): 2*5            = 10
     *   bin 1 [10,20): 2*10           = 20
     *   bin 2 [20,30): 2*7 + 4*3      = 26
     *   bin 3 [30,40): 4*10           = 40
     *   bin 4 [40,50): 4*2 + 0.5*8    = 12 */
    static const double want[5] = {10.0, 20.0, 26.0, 40.0, 12.0};
    sim_recorder_t *r = sim_recorder_create(0.0, 10.0, 5, 1);
    size_t k;
    sim_recorder_set(r, 0, 5.0, 2.0);
    sim_recorder_set(r, 0, 27.0, 4.0);
    sim_recorder_set(r, 0, 42.0, 0.5);
    ck_assert(sim_recorder_value(r, 0) == 0.5);
    sim_recorder_finish(r);
    for (k = 0; k < 5; k++) {
        ck_assert(sim_recorder_integral(r, 0, k) == want[k]);
        ck_assert(sim_recorder_mean(r, 0, k) == want[k] / 10.0);
    }
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_changes_on_bin_edges_fill_whole_bins) {
    sim_recorder_t *r = sim_recorder_create(100.0, 0.25, 4, 1);
    sim_recorder_set(r, 0, 100.25, 8.0);
    sim_recorder_set(r, 0, 100.5, 16.0);
    sim_recorder_set(r, 0, 100.75, 0.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 0) == 0.0);
    ck_assert(sim_recorder_integral(r, 0, 1) == 2.0);
    ck_assert(sim_recorder_integral(r, 0, 2) == 4.0);
    ck_assert(sim_recorder_integral(r, 0, 3) == 0.0);
    ck_assert(sim_recorder_mean(r, 0, 2) == 16.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_segment_spanning_many_bins) {
    const size_t nbins = 10000;
    sim_recorder_t *r = sim_recorder_create(0.0, 1.0, nbins, 1);
    size_t k;
    sim_recorder_set(r, 0, 0.5, 3.0);
    sim_recorder_set(r, 0, 9999.25, 1.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 0) == 1.5);
    for (k = 1; k < nbins - 1; k++)
        ck_assert(sim_recorder_integral(r, 0, k) == 3.0);
    ck_assert(sim_recorder_integral(r, 0, nbins - 1) == 3.0 * 0.25 + 0.75);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_splits_at_computed_edges_when_division_rounds_up) {
    /* With bins of 0.1 s, 1.7 / 0.1 rounds to 17 while the edge of bin 17,
     * 17 * 0.1, is 1.7000000000000002 > 1.7: the time 1.7 lies in bin 16.
     * Pieces must be split at the edges themselves: never negative, never
     * wider than their bin. */
    const double t = 1.7;
    const double e16 = 16 * 0.1, e17 = 17 * 0.1, e18 = 18 * 0.1;
    sim_recorder_t *r = sim_recorder_create(0.0, 0.1, 30, 2);
    ck_assert(e17 > t); /* the premise of the test */
    sim_recorder_set(r, 0, t, 1.0); /* 0 before 1.7, 1 after */
    sim_recorder_set(r, 1, 0.0, 1.0); /* 1 before 1.7, 0 after */
    sim_recorder_set(r, 1, t, 0.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 15) == 0.0);
    ck_assert(sim_recorder_integral(r, 0, 16) == e17 - t);
    ck_assert(sim_recorder_integral(r, 0, 17) == e18 - e17);
    ck_assert(sim_recorder_integral(r, 1, 16) == t - e16);
    ck_assert(sim_recorder_integral(r, 1, 17) == 0.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_splits_at_computed_edges_when_division_rounds_down) {
    /* The other direction: from -50 in bins of 0.1, (-15.6 + 50) / 0.1
     * rounds to 343.99..., while the edge of bin 344, -50 + 344 * 0.1, is
     * -15.600000000000001 < -15.6: the time -15.6 lies in bin 344. */
    const double t = -15.6;
    const double e343 = -50.0 + 343 * 0.1, e344 = -50.0 + 344 * 0.1, e345 = -50.0 + 345 * 0.1;
    sim_recorder_t *r = sim_recorder_create(-50.0, 0.1, 400, 2);
    ck_assert(e344 < t && floor((t + 50.0) / 0.1) == 343.0); /* the premise */
    sim_recorder_set(r, 0, t, 1.0);
    sim_recorder_set(r, 1, -50.0, 1.0);
    sim_recorder_set(r, 1, t, 0.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 343) == 0.0);
    ck_assert(sim_recorder_integral(r, 0, 344) == e345 - t);
    ck_assert(sim_recorder_integral(r, 1, 343) == e344 - e343);
    ck_assert(sim_recorder_integral(r, 1, 344) == t - e344);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_clamps_outside_range) {
    /* Range [100, 140) in 4 bins of 10. */
    sim_recorder_t *r = sim_recorder_create(100.0, 10.0, 4, 2);
    sim_recorder_set(r, 0, 50.0, 2.0);  /* before start: holds from 100 */
    sim_recorder_set(r, 0, 500.0, 7.0); /* after end: closes at 140 */
    sim_recorder_set(r, 1, -1e9, 1.0);
    sim_recorder_set(r, 1, 115.0, 3.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 0) == 20.0);
    ck_assert(sim_recorder_integral(r, 0, 3) == 20.0);
    ck_assert(sim_recorder_value(r, 0) == 7.0);
    ck_assert(sim_recorder_integral(r, 1, 0) == 10.0);
    ck_assert(sim_recorder_integral(r, 1, 1) == 5.0 + 15.0);
    ck_assert(sim_recorder_integral(r, 1, 3) == 30.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_zero_length_segments_contribute_nothing) {
    sim_recorder_t *r = sim_recorder_create(0.0, 10.0, 2, 1);
    sim_recorder_set(r, 0, 5.0, 1000.0);
    sim_recorder_set(r, 0, 5.0, INFINITY); /* held for zero seconds */
    sim_recorder_set(r, 0, 5.0, 1.0);      /* the last value at a time wins */
    sim_recorder_set(r, 0, 10.0, 2.0);
    sim_recorder_set(r, 0, 10.0, 4.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 0) == 5.0);
    ck_assert(sim_recorder_integral(r, 0, 1) == 40.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_ignores_time_going_backwards) {
    sim_recorder_t *r = sim_recorder_create(0.0, 10.0, 2, 1);
    sim_recorder_set(r, 0, 12.0, 1.0);
    sim_recorder_set(r, 0, 4.0, 2.0); /* taken as happening at 12 */
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 0) == 0.0);
    ck_assert(sim_recorder_integral(r, 0, 1) == 16.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_finish_closes_and_ignores_later_sets) {
    sim_recorder_t *r = sim_recorder_create(0.0, 10.0, 2, 1);
    sim_recorder_set(r, 0, 0.0, 1.0);
    sim_recorder_finish(r);
    sim_recorder_finish(r); /* twice is harmless */
    sim_recorder_set(r, 0, 15.0, 100.0);
    ck_assert(sim_recorder_integral(r, 0, 0) == 10.0);
    ck_assert(sim_recorder_integral(r, 0, 1) == 10.0);
    ck_assert(sim_recorder_value(r, 0) == 1.0);
    sim_recorder_destroy(r);
}
END_TEST

START_TEST(recorder_series_are_independent) {
    sim_recorder_t *r = sim_recorder_create(0.0, 1.0, 3, 3);
    sim_recorder_set(r, 0, 0.0, 1.0);
    sim_recorder_set(r, 2, 1.5, -2.0);
    sim_recorder_set(r, 0, 2.0, 5.0);
    sim_recorder_finish(r);
    ck_assert(sim_recorder_integral(r, 0, 0) == 1.0);
    ck_assert(sim_recorder_integral(r, 0, 2) == 5.0);
    ck_assert(sim_recorder_integral(r, 1, 1) == 0.0);
    ck_assert(sim_recorder_integral(r, 2, 1) == -1.0);
    ck_assert(sim_recorder_integral(r, 2, 2) == -2.0);
    sim_recorder_destroy(r);
}
END_TEST

/* set_n gives the bits of one set() per series, whatever the times. */
START_TEST(recorder_set_n_is_n_sets) {
    sim_recorder_t *a = sim_recorder_create(3.0, 7.0, 40, 6);
    sim_recorder_t *b = sim_recorder_create(3.0, 7.0, 40, 6);
    uint64_t x = 88172645463325252u;
    double t = 0.0;
    for (int step = 0; step < 400; step++) {
        double v[4];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t first = x % 3;            /* series first .. first + 3 */
        t += (double)(x >> 40 & 0xff) * 0.0137 - 0.3; /* sometimes backwards */
        for (int i = 0; i < 4; i++)
            v[i] = (double)((x >> (8 * i)) & 0xff) / 7.0 - 10.0;
        sim_recorder_set_n(a, first, t, v, 4);
        for (size_t i = 0; i < 4; i++)
            sim_recorder_set(b, first + i, t, v[i]);
    }
    sim_recorder_finish(a);
    sim_recorder_finish(b);
    for (size_t s = 0; s < 6; s++)
        for (size_t k = 0; k < 40; k++)
            ck_assert(sim_recorder_integral(a, s, k) == sim_recorder_integral(b, s, k));
    ck_assert(sim_recorder_integral(a, 1, 5) != 0.0); /* the test saw data */
    sim_recorder_destroy(a);
    sim_recorder_destroy(b);
}
END_TEST

/* Randomized: bins against a brute-force overlap sum of the same segments. */

#define RAND_BINS 97
#define RAND_STEPS 300

START_TEST(recorder_matches_brute_force_overlap_sums) {
    uint64_t seed = test_seed("recorder_matches_brute_force_overlap_sums");
    uint64_t rng = seed;
    int round;
    for (round = 0; round < 50; round++) {
        const double start = -50.0 + 100.0 * test_unit(&rng);
        const double bin = 0.1 + 10.0 * test_unit(&rng);
        const double end = start + RAND_BINS * bin;
        double seg_a[RAND_STEPS + 1], seg_b[RAND_STEPS + 1], seg_v[RAND_STEPS + 1];
        double last_t = start, last_v = 0.0, total = 0.0;
        size_t nseg = 0, k, i;
        sim_recorder_t *r = sim_recorder_create(start, bin, RAND_BINS, 1);
        for (i = 0; i < RAND_STEPS; i++) {
            /* Mostly forward steps, some repeats, some outside the range,
             * some backwards. */
            double u = test_unit(&rng), t, v = floor(test_unit(&rng) * 20.0) - 5.0;
            if (u < 0.1)
                t = last_t;
            else if (u < 0.15)
                t = start - 10.0;
            else if (u < 0.2)
                t = last_t - bin * test_unit(&rng);
            else
                t = last_t + (end - start) * 0.02 * test_unit(&rng) * (u < 0.3 ? 20.0 : 1.0);
            sim_recorder_set(r, 0, t, v);
            /* The oracle's own reading of the clamping rules. */
            t = fmin(fmax(t, last_t), end);
            seg_a[nseg] = last_t;
            seg_b[nseg] = t;
            seg_v[nseg] = last_v;
            nseg++;
            last_t = t;
            last_v = v;
        }
        sim_recorder_finish(r);
        seg_a[nseg] = last_t;
        seg_b[nseg] = end;
        seg_v[nseg] = last_v;
        nseg++;
        for (k = 0; k < RAND_BINS; k++) {
            double e0 = start + (double)k * bin, e1 = start + (double)(k + 1) * bin;
            double want = 0.0, got = sim_recorder_integral(r, 0, k);
            for (i = 0; i < nseg; i++) {
                double overlap = fmin(seg_b[i], e1) - fmax(seg_a[i], e0);
                if (overlap > 0)
                    want += seg_v[i] * overlap;
            }
            ck_assert_msg(fabs(got - want) <= 1e-9 * (1.0 + 15.0 * bin),
                          "seed %" PRIu64 " round %d bin %zu: got %.17g want %.17g", seed, round,
                          k, got, want);
            total += got;
        }
        {
            double want_total = 0.0;
            for (i = 0; i < nseg; i++)
                want_total += seg_v[i] * (seg_b[i] - seg_a[i]);
            ck_assert_msg(fabs(total - want_total) <= 1e-8 * (1.0 + 15.0 * (end - start)),
                          "seed %" PRIu64 " round %d: total %.17g want %.17g", seed, round, total,
                          want_total);
        }
        sim_recorder_destroy(r);
    }
}
END_TEST

static Suite *recorder_suite(void) {
    Suite *s = suite_create("sim_recorder");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, recorder_create_rejects_bad_arguments);
    tcase_add_test(tc, recorder_reports_its_shape);
    tcase_add_test(tc, recorder_signal_is_zero_before_first_set);
    tcase_add_test(tc, recorder_integrates_step_exactly_across_bins);
    tcase_add_test(tc, recorder_changes_on_bin_edges_fill_whole_bins);
    tcase_add_test(tc, recorder_segment_spanning_many_bins);
    tcase_add_test(tc, recorder_splits_at_computed_edges_when_division_rounds_up);
    tcase_add_test(tc, recorder_splits_at_computed_edges_when_division_rounds_down);
    tcase_add_test(tc, recorder_clamps_outside_range);
    tcase_add_test(tc, recorder_zero_length_segments_contribute_nothing);
    tcase_add_test(tc, recorder_ignores_time_going_backwards);
    tcase_add_test(tc, recorder_finish_closes_and_ignores_later_sets);
    tcase_add_test(tc, recorder_series_are_independent);
    tcase_add_test(tc, recorder_set_n_is_n_sets);
    tcase_add_test(tc, recorder_matches_brute_force_overlap_sums);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(recorder_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
