/*
 * test_sim_rng.c -- unit tests of the deterministic random streams
 * (sim_rng.h).  Statistical checks use fixed streams, so they are
 * deterministic; their tolerances are 4-5 standard errors, loose enough to
 * hold for any healthy stream and tight enough to catch a wrong formula.
 * Every test of a stream's draws runs once per generator kind (Check's
 * loop index _i is the sim_rng_kind_t).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim_rng.h"

#define NDRAWS 100000

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int popcount64(uint64_t x) {
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Empirical quantile p of sorted v[0 .. n). */
static double quantile(const double *v, size_t n, double p) {
    return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

START_TEST(rng_derive_matches_documented_formula) {
    /* Expected values computed independently from the formula in
     * sim_rng.c's design comment (splitmix64 mix, constants K0..K3).  They
     * pin every stream of every golden output: change them knowingly. */
    ck_assert_uint_eq(sim_rng_derive(0, 0, 0, 0), 0x4534183a9817a9a3ULL);
    ck_assert_uint_eq(sim_rng_derive(42, 1, 2, 3), 0xf96e52792d85ff48ULL);
    ck_assert_uint_eq(sim_rng_derive(UINT64_MAX, 7, 1, 123456), 0x2b663800aebc286dULL);
}
END_TEST

START_TEST(rng_derive_in_two_steps_is_the_same_hash) {
    const uint64_t v[] = {0, 1, 2, 20251118, UINT64_MAX, 0x243f6a8885a308d3u};
    for (size_t a = 0; a < 6; a++)
        for (size_t b = 0; b < 6; b++)
            for (size_t c = 0; c < 6; c++)
                for (size_t d = 0; d < 6; d++)
                    ck_assert_uint_eq(sim_rng_derive_entity(sim_rng_derive_prefix(v[a], v[b], v[c]), v[d]),
                                      sim_rng_derive(v[a], v[b], v[c], v[d]));
    /* and the entity still matters */
    ck_assert_uint_ne(sim_rng_derive_entity(sim_rng_derive_prefix(1, 2, 3), 4),
                      sim_rng_derive_entity(sim_rng_derive_prefix(1, 2, 3), 5));
}
END_TEST

START_TEST(rng_derive_is_sensitive_to_every_argument) {
    uint64_t base = sim_rng_derive(1, 2, 3, 4);
    ck_assert_uint_ne(base, sim_rng_derive(0, 2, 3, 4));
    ck_assert_uint_ne(base, sim_rng_derive(1, 3, 3, 4));
    ck_assert_uint_ne(base, sim_rng_derive(1, 2, 4, 4));
    ck_assert_uint_ne(base, sim_rng_derive(1, 2, 3, 5));
    /* Swapping arguments between positions gives another value. */
    ck_assert_uint_ne(sim_rng_derive(0, 0, 1, 0), sim_rng_derive(0, 0, 0, 1));
    ck_assert_uint_ne(sim_rng_derive(0, 1, 0, 0), sim_rng_derive(0, 0, 1, 0));
    ck_assert_uint_ne(sim_rng_derive(1, 0, 0, 0), sim_rng_derive(0, 1, 0, 0));
}
END_TEST

START_TEST(rng_derive_flips_about_half_the_bits_per_entity_step) {
    /* Avalanche: consecutive entities differ in ~32 of 64 bits. */
    uint64_t e;
    double total = 0;
    for (e = 0; e < 10000; e++) {
        uint64_t d = sim_rng_derive(9, 0, 1, e) ^ sim_rng_derive(9, 0, 1, e + 1);
        total += (double)popcount64(d);
    }
    ck_assert_double_eq_tol(total / 10000.0, 32.0, 0.5);
}
END_TEST

START_TEST(rng_stream_is_taus2_seeded_with_folded_hash) {
    uint64_t h = sim_rng_derive(5, 6, 7, 8);
    gsl_rng *ref = gsl_rng_alloc(gsl_rng_taus2);
    sim_rng_t r;
    int i;
    gsl_rng_set(ref, (unsigned long)((uint32_t)(h >> 32) ^ (uint32_t)h));
    sim_rng_init_kind(&r, SIM_RNG_TAUS2, 5, 6, 7, 8);
    ck_assert_str_eq(gsl_rng_name(r.g), "taus2");
    for (i = 0; i < 100; i++)
        ck_assert(sim_rng_uniform(&r) == gsl_rng_uniform(ref));
    sim_rng_fini(&r);
    gsl_rng_free(ref);
}
END_TEST

START_TEST(rng_same_inputs_same_stream) {
    sim_rng_t a, b;
    int i;
    sim_rng_init_kind(&a, (sim_rng_kind_t)_i, 2025, 3, 1, 17);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 2025, 3, 1, 17);
    for (i = 0; i < 10000; i++) {
        ck_assert(sim_rng_uniform(&a) == sim_rng_uniform(&b));
        ck_assert(sim_rng_exponential(&a, 2.0) == sim_rng_exponential(&b, 2.0));
        ck_assert(sim_rng_lognormal_median_p99(&a, 1.0, 5.0) ==
                  sim_rng_lognormal_median_p99(&b, 1.0, 5.0));
        ck_assert_uint_eq(sim_rng_index(&a, 1000), sim_rng_index(&b, 1000));
    }
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

/* Counts equal draws among the first n of two streams. */
static int count_equal(sim_rng_t *a, sim_rng_t *b, int n) {
    int i, eq = 0;
    for (i = 0; i < n; i++)
        eq += sim_rng_uniform(a) == sim_rng_uniform(b);
    return eq;
}

START_TEST(rng_different_entity_different_stream) {
    sim_rng_t a, b;
    sim_rng_init_kind(&a, (sim_rng_kind_t)_i, 2025, 0, 1, 17);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 2025, 0, 1, 18);
    ck_assert_int_eq(count_equal(&a, &b, 1000), 0);
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

START_TEST(rng_different_purpose_replication_or_seed_different_stream) {
    sim_rng_t a, b;
    sim_rng_init_kind(&a, (sim_rng_kind_t)_i, 2025, 0, 1, 17);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 2025, 0, 2, 17);
    ck_assert_int_eq(count_equal(&a, &b, 1000), 0);
    sim_rng_fini(&b);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 2025, 1, 1, 17);
    ck_assert_int_eq(count_equal(&a, &b, 1000), 0);
    sim_rng_fini(&b);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 2026, 0, 1, 17);
    ck_assert_int_eq(count_equal(&a, &b, 1000), 0);
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

START_TEST(rng_neighbouring_entities_are_uncorrelated) {
    /* Pearson correlation of 10,000 paired uniforms; |r| < 0.04 (4 SE). */
    sim_rng_t a, b;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, r;
    const int n = 10000;
    int i;
    sim_rng_init_kind(&a, (sim_rng_kind_t)_i, 1, 0, 3, 100);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 1, 0, 3, 101);
    for (i = 0; i < n; i++) {
        double x = sim_rng_uniform(&a), y = sim_rng_uniform(&b);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    r = (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
    ck_assert_double_lt(fabs(r), 0.04);
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

START_TEST(rng_uniforms_stay_in_their_intervals) {
    sim_rng_t r;
    double sum = 0;
    int i;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 7, 0, 0, 0);
    for (i = 0; i < NDRAWS; i++) {
        double u = sim_rng_uniform(&r), v = sim_rng_uniform_pos(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        ck_assert(v > 0.0 && v < 1.0);
        sum += u;
    }
    ck_assert_double_eq_tol(sum / NDRAWS, 0.5, 0.005); /* SE 0.0009 */
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_index_is_in_range_and_uniform) {
    sim_rng_t r;
    int counts[10] = {0};
    int i;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 7, 0, 1, 0);
    ck_assert_uint_eq(sim_rng_index(&r, 1), 0);
    for (i = 0; i < NDRAWS; i++) {
        uint64_t k = sim_rng_index(&r, 10);
        ck_assert_uint_lt(k, 10);
        counts[k]++;
    }
    for (i = 0; i < 10; i++) /* expected 10,000, SE 95 */
        ck_assert_int_lt(abs(counts[i] - NDRAWS / 10), 500);
    for (i = 0; i < 1000; i++)
        ck_assert_uint_lt(sim_rng_index(&r, 0xffffffffULL), 0xffffffffULL);
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_index_wider_than_32_bits_covers_the_range) {
    const uint64_t n = (1ULL << 40) + 3;
    sim_rng_t r;
    double sum = 0;
    int i, high = 0;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 7, 0, 2, 0);
    for (i = 0; i < NDRAWS; i++) {
        uint64_t k = sim_rng_index(&r, n);
        ck_assert_uint_lt(k, n);
        high += k >= (1ULL << 39);
        sum += (double)k / (double)n;
    }
    ck_assert_double_eq_tol(sum / NDRAWS, 0.5, 0.005);
    ck_assert_int_lt(abs(high - NDRAWS / 2), 800); /* SE 158 */
    for (i = 0; i < 1000; i++)
        ck_assert_uint_lt(sim_rng_index(&r, 1ULL << 32), 1ULL << 32);
    for (i = 0; i < 1000; i++)
        (void)sim_rng_index(&r, UINT64_MAX); /* any value is in range */
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_exponential_has_requested_mean) {
    sim_rng_t r;
    double sum = 0;
    int i;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 11, 0, 4, 0);
    for (i = 0; i < NDRAWS; i++) {
        double x = sim_rng_exponential(&r, 300.0);
        ck_assert(x >= 0.0);
        sum += x;
    }
    ck_assert_double_eq_tol(sum / NDRAWS / 300.0, 1.0, 0.02); /* SE 0.32% */
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_lognormal_matches_median_and_p99) {
    static const double params[][2] = {{1.0, 10.0}, {30.0, 45.0}, {0.05, 2.0}};
    double *v = malloc(NDRAWS * sizeof *v);
    size_t p;
    int i;
    ck_assert_ptr_nonnull(v);
    for (p = 0; p < sizeof params / sizeof params[0]; p++) {
        double m = params[p][0], p99 = params[p][1];
        sim_rng_t r;
        sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 13, 0, 5, p);
        for (i = 0; i < NDRAWS; i++) {
            v[i] = sim_rng_lognormal_median_p99(&r, m, p99);
            ck_assert(v[i] > 0.0);
        }
        sim_rng_fini(&r);
        qsort(v, NDRAWS, sizeof *v, cmp_double);
        /* Median SE <= 0.5%, p99 SE <= 1.5% for these sigmas. */
        ck_assert_double_eq_tol(quantile(v, NDRAWS, 0.5) / m, 1.0, 0.02);
        ck_assert_double_eq_tol(quantile(v, NDRAWS, 0.99) / p99, 1.0, 0.06);
        /* And the 90th percentile of the same distribution: exp(mu + 1.2816 sigma). */
        ck_assert_double_eq_tol(quantile(v, NDRAWS, 0.9) /
                                    (m * exp(1.2815515655 * log(p99 / m) / 2.3263478740)),
                                1.0, 0.03);
    }
    free(v);
}
END_TEST

START_TEST(rng_lognormal_with_p99_equal_median_returns_median) {
    sim_rng_t r;
    int i;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 1, 0, 0, 0);
    for (i = 0; i < 100; i++)
        ck_assert(sim_rng_lognormal_median_p99(&r, 2.5, 2.5) == 2.5);
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_lognormal_rejects_bad_parameters_with_nan) {
    sim_rng_t r;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 1, 0, 0, 0);
    ck_assert(isnan(sim_rng_lognormal_median_p99(&r, 0.0, 1.0)));
    ck_assert(isnan(sim_rng_lognormal_median_p99(&r, -1.0, 1.0)));
    ck_assert(isnan(sim_rng_lognormal_median_p99(&r, 2.0, 1.0)));
    ck_assert(isnan(sim_rng_lognormal_median_p99(&r, NAN, 1.0)));
    ck_assert(isnan(sim_rng_lognormal_median_p99(&r, 1.0, INFINITY)));
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_lognormal_uses_one_uniform_per_draw_and_is_monotone) {
    /* Common random numbers: two parameter sets on the same stream stay in
     * step, and a larger p99 never gives a smaller sample above the median. */
    sim_rng_t a, b;
    int i;
    sim_rng_init_kind(&a, (sim_rng_kind_t)_i, 3, 0, 6, 0);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 3, 0, 6, 0);
    for (i = 0; i < 10000; i++) {
        double x = sim_rng_lognormal_median_p99(&a, 1.0, 4.0);
        double y = sim_rng_lognormal_median_p99(&b, 1.0, 8.0);
        if (x >= 1.0)
            ck_assert(y >= x);
        else
            ck_assert(y <= x);
    }
    (void)sim_rng_lognormal_median_p99(&a, 1.0, 1.0); /* degenerate: still one draw */
    (void)sim_rng_lognormal_median_p99(&b, 1.0, 3.0);
    ck_assert(sim_rng_uniform(&a) == sim_rng_uniform(&b));
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

START_TEST(rng_bernoulli_has_requested_probability) {
    sim_rng_t r;
    int i, ones = 0;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 17, 0, 7, 0);
    for (i = 0; i < 1000; i++) {
        ck_assert_int_eq(sim_rng_bernoulli(&r, 0.0), 0);
        ck_assert_int_eq(sim_rng_bernoulli(&r, 1.0), 1);
    }
    for (i = 0; i < NDRAWS; i++)
        ones += sim_rng_bernoulli(&r, 0.3);
    ck_assert_double_eq_tol((double)ones / NDRAWS, 0.3, 0.007); /* SE 0.00145 */
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_fini_releases_and_tolerates_null) {
    sim_rng_t r;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 1, 2, 3, 4);
    sim_rng_fini(&r);
    ck_assert_ptr_null(r.g);
    sim_rng_fini(&r); /* twice is harmless */
    sim_rng_fini(NULL);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(rng_keys_of_names_are_stable_distinct_and_ordered_pairs)
{
    ck_assert_uint_eq(sim_rng_key("us-east"), sim_rng_key("us-east"));
    ck_assert_uint_ne(sim_rng_key("us-east"), sim_rng_key("us-west"));
    ck_assert_uint_ne(sim_rng_key("ab"), sim_rng_key("ba"));
    ck_assert_uint_ne(sim_rng_key(""), sim_rng_key("a"));
    /* a name that is a prefix of another, at and across the 8-byte words */
    ck_assert_uint_ne(sim_rng_key("abcdefgh"), sim_rng_key("abcdefghi"));
    ck_assert_uint_ne(sim_rng_key("abcdefg"), sim_rng_key("abcdefgh"));
    ck_assert_uint_ne(sim_rng_key2(1, 2), sim_rng_key2(2, 1));
    ck_assert_uint_ne(sim_rng_key2(0, 0), 0);
    /* 100,000 names region-0 ... region-99999: no two keys equal */
    enum { N = 100000 };
    uint64_t *k = malloc(N * sizeof *k);
    ck_assert_ptr_nonnull(k);
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "region-%d", i);
        k[i] = sim_rng_key(name);
    }
    qsort(k, N, sizeof *k, cmp_u64);
    for (int i = 1; i < N; i++)
        ck_assert_uint_ne(k[i - 1], k[i]);
    free(k);
}
END_TEST

START_TEST(rng_u01_is_open_and_lognormal_quantile_hits_its_percentiles)
{
    ck_assert(sim_rng_u01(0) > 0.0);
    ck_assert(sim_rng_u01(UINT64_MAX) < 1.0);
    ck_assert(sim_rng_u01(1ULL << 63) == 0.5 + 0x1.0p-53);
    ck_assert(sim_rng_u01(UINT64_MAX) == 1.0 - 0x1.0p-53);
    ck_assert_double_eq_tol(sim_rng_lognormal_quantile(0.5, 2.0, 8.0), 2.0, 1e-12);
    ck_assert_double_eq_tol(sim_rng_lognormal_quantile(0.99, 2.0, 8.0), 8.0, 1e-9);
    ck_assert(sim_rng_lognormal_quantile(0.3, 2.0, 2.0) == 2.0);
    ck_assert(isnan(sim_rng_lognormal_quantile(0.3, 2.0, 1.0)));
    /* the stream draw is the quantile of its uniform */
    sim_rng_t a, b;
    sim_rng_init_kind(&a, (sim_rng_kind_t)_i, 3, 1, 4, 1);
    sim_rng_init_kind(&b, (sim_rng_kind_t)_i, 3, 1, 4, 1);
    double u = sim_rng_uniform_pos(&b);
    ck_assert(sim_rng_lognormal_median_p99(&a, 1.0, 5.0) == sim_rng_lognormal_quantile(u, 1.0, 5.0));
    sim_rng_fini(&a);
    sim_rng_fini(&b);
}
END_TEST

/* ---- xoshiro256++ (issue 14) ---- */

START_TEST(rng_xoshiro_matches_reference_outputs) {
    /* The published first outputs of xoshiro256++ from state {1, 2, 3, 4}
     * (computed independently with a Python transcription of the paper's
     * algorithm). */
    gsl_rng *g = gsl_rng_alloc(sim_rng_xoshiro_type());
    uint64_t *st = g->state;
    st[0] = 1;
    st[1] = 2;
    st[2] = 3;
    st[3] = 4;
    ck_assert_uint_eq(gsl_rng_get(g), 0x2800001u);
    ck_assert_uint_eq(gsl_rng_get(g), 0x3800067u);
    ck_assert_uint_eq(gsl_rng_get(g), 0xcc00003800067u);
    ck_assert_uint_eq(gsl_rng_get(g), 0xcc201994400b2u);
    ck_assert_str_eq(gsl_rng_name(g), "xoshiro256++");
    ck_assert_uint_eq(gsl_rng_max(g), UINT64_MAX);
    ck_assert_uint_eq(gsl_rng_min(g), 0);
    gsl_rng_free(g);
}
END_TEST

START_TEST(rng_xoshiro_stream_is_seeded_with_the_full_hash) {
    /* derive(5,6,7,8) = 0x42bc2b4ea52a2792; state = splitmix64 sequence of
     * it; first outputs from the same Python transcription. */
    sim_rng_t r;
    sim_rng_init_kind(&r, SIM_RNG_XOSHIRO, 5, 6, 7, 8);
    ck_assert_uint_eq(sim_rng_derive(5, 6, 7, 8), 0x42bc2b4ea52a2792u);
    ck_assert_str_eq(gsl_rng_name(r.g), "xoshiro256++");
    ck_assert_uint_eq(gsl_rng_get(r.g), 0x9b16365be4155e51u);
    ck_assert_uint_eq(gsl_rng_get(r.g), 0x75b7f84da7c5bb56u);
    ck_assert_uint_eq(gsl_rng_get(r.g), 0x140dd3d68afd347bu);
    sim_rng_fini(&r);
    /* The fast path draws the same outputs as the GSL type. */
    sim_rng_init_kind(&r, SIM_RNG_XOSHIRO, 5, 6, 7, 8);
    ck_assert(sim_rng_uniform(&r) == (double)(0x9b16365be4155e51u >> 11) * 0x1.0p-53);
    sim_rng_fini(&r);
}
END_TEST

/* First output of the stream of each of n server-like entities (100
 * regions keyed by name, n / 100 servers each), sorted; returns the number
 * of adjacent equal pairs. */
static size_t shared_first_outputs(const gsl_rng_type *type, int fold, size_t n) {
    gsl_rng *g = gsl_rng_alloc(type);
    uint64_t *v = malloc(n * sizeof *v);
    size_t i, dup = 0;
    ck_assert_ptr_nonnull(v);
    for (i = 0; i < n; i++) {
        char name[32];
        uint64_t h;
        snprintf(name, sizeof name, "region-%zu", i % 100);
        h = sim_rng_derive(1, 0, 9, sim_rng_key2(sim_rng_key(name), i / 100));
        gsl_rng_set(g, fold ? (unsigned long)((uint32_t)(h >> 32) ^ (uint32_t)h) : h);
        v[i] = (uint64_t)gsl_rng_get(g) << 32 ^ (uint64_t)gsl_rng_get(g);
    }
    qsort(v, n, sizeof *v, cmp_u64);
    for (i = 1; i < n; i++)
        dup += v[i] == v[i - 1];
    free(v);
    gsl_rng_free(g);
    return dup;
}

START_TEST(rng_xoshiro_no_shared_seeds_among_10m_streams) {
    /* 10 M derived streams start with 10 M distinct 128 bits of output.
     * The same check on taus2 (32-bit seeds) finds the ~11,600 pairs that
     * k^2 / 2^33 predicts, so the check can fail. */
    ck_assert_uint_eq(shared_first_outputs(sim_rng_xoshiro_type(), 0, 10000000u), 0);
    ck_assert_uint_gt(shared_first_outputs(gsl_rng_taus2, 1, 10000000u), 5000);
}
END_TEST

START_TEST(rng_first_draws_of_neighbouring_streams_are_independent) {
    /* Pairs (first uniform of entity e, of entity e + 1) for 100,000 e
     * fall evenly on a 10 x 10 grid: chi-square with 99 degrees of
     * freedom (mean 99, sd 14) below 99 + 5 sd. */
    enum { N = 100000, B = 10 };
    static unsigned cell[B][B];
    sim_rng_t r;
    double prev = 0, chi2 = 0, expect = (double)N / (B * B);
    int e, i, j;
    memset(cell, 0, sizeof cell);
    for (e = 0; e <= N; e++) {
        double u;
        sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 4, 0, 2, (uint64_t)e);
        u = sim_rng_uniform(&r);
        sim_rng_fini(&r);
        if (e > 0)
            cell[(int)(prev * B)][(int)(u * B)]++;
        prev = u;
    }
    for (i = 0; i < B; i++)
        for (j = 0; j < B; j++)
            chi2 += ((double)cell[i][j] - expect) * ((double)cell[i][j] - expect) / expect;
    ck_assert_double_lt(chi2, 99.0 + 5 * 14.0);
}
END_TEST

START_TEST(rng_uniform_passes_chi_square_on_1000_bins) {
    /* 1 M uniforms in 1000 bins: chi-square, 999 df (sd 44.7), below
     * 999 + 5 sd. */
    enum { N = 1000000, B = 1000 };
    static unsigned bin[B];
    sim_rng_t r;
    double chi2 = 0, expect = (double)N / B;
    int i;
    memset(bin, 0, sizeof bin);
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 8, 1, 2, 3);
    for (i = 0; i < N; i++)
        bin[(int)(sim_rng_uniform(&r) * B)]++;
    sim_rng_fini(&r);
    for (i = 0; i < B; i++)
        chi2 += ((double)bin[i] - expect) * ((double)bin[i] - expect) / expect;
    ck_assert_double_lt(chi2, 999.0 + 5 * 44.7);
}
END_TEST

START_TEST(rng_gsl_distributions_work_on_every_kind) {
    /* GSL's own samplers on the stream's gsl_rng: Gaussian (mean 0, sd 1),
     * Poisson (mean 3), gsl_rng_uniform_int and the multinomial. */
    sim_rng_t r;
    double s = 0, ss = 0, ps = 0;
    unsigned cnt[3];
    const double p[3] = {0.2, 0.3, 0.5};
    int i;
    sim_rng_init_kind(&r, (sim_rng_kind_t)_i, 1, 2, 3, 4);
    for (i = 0; i < NDRAWS; i++) {
        double z = gsl_ran_gaussian(r.g, 1.0);
        s += z;
        ss += z * z;
        ps += gsl_ran_poisson(r.g, 3.0);
        ck_assert_uint_lt(gsl_rng_uniform_int(r.g, 7), 7);
    }
    ck_assert_double_eq_tol(s / NDRAWS, 0.0, 0.02);
    ck_assert_double_eq_tol(ss / NDRAWS, 1.0, 0.03);
    ck_assert_double_eq_tol(ps / NDRAWS, 3.0, 0.03);
    gsl_ran_multinomial(r.g, 3, 100000, p, cnt);
    ck_assert_uint_eq(cnt[0] + cnt[1] + cnt[2], 100000);
    ck_assert_double_eq_tol(cnt[2] / 100000.0, 0.5, 0.01);
    sim_rng_fini(&r);
}
END_TEST

START_TEST(rng_kinds_have_names_and_a_default) {
    ck_assert_str_eq(sim_rng_kind_name(SIM_RNG_XOSHIRO), "xoshiro256++");
    ck_assert_str_eq(sim_rng_kind_name(SIM_RNG_TAUS2), "taus2");
    ck_assert_ptr_null(sim_rng_kind_name(SIM_RNG_NKINDS));
    ck_assert_ptr_nonnull(sim_rng_kind_name(sim_rng_default_kind()));
}
END_TEST

static Suite *rng_suite(void) {
    Suite *s = suite_create("sim_rng");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60); /* every kind: twice the draws, on a shared machine */
    tcase_add_test(tc, rng_derive_matches_documented_formula);
    tcase_add_test(tc, rng_derive_is_sensitive_to_every_argument);
    tcase_add_test(tc, rng_derive_in_two_steps_is_the_same_hash);
    tcase_add_test(tc, rng_derive_flips_about_half_the_bits_per_entity_step);
    tcase_add_test(tc, rng_stream_is_taus2_seeded_with_folded_hash);
    tcase_add_loop_test(tc, rng_same_inputs_same_stream, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_different_entity_different_stream, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_different_purpose_replication_or_seed_different_stream, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_neighbouring_entities_are_uncorrelated, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_uniforms_stay_in_their_intervals, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_index_is_in_range_and_uniform, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_index_wider_than_32_bits_covers_the_range, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_exponential_has_requested_mean, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_lognormal_matches_median_and_p99, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_lognormal_with_p99_equal_median_returns_median, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_lognormal_rejects_bad_parameters_with_nan, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_lognormal_uses_one_uniform_per_draw_and_is_monotone, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_bernoulli_has_requested_probability, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_fini_releases_and_tolerates_null, 0, SIM_RNG_NKINDS);
    tcase_add_test(tc, rng_keys_of_names_are_stable_distinct_and_ordered_pairs);
    tcase_add_test(tc, rng_u01_is_open_and_lognormal_quantile_hits_its_percentiles);
    tcase_add_test(tc, rng_xoshiro_matches_reference_outputs);
    tcase_add_test(tc, rng_xoshiro_stream_is_seeded_with_the_full_hash);
    tcase_add_test(tc, rng_kinds_have_names_and_a_default);
    tcase_add_loop_test(tc, rng_first_draws_of_neighbouring_streams_are_independent, 0,
                        SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_uniform_passes_chi_square_on_1000_bins, 0, SIM_RNG_NKINDS);
    tcase_add_loop_test(tc, rng_gsl_distributions_work_on_every_kind, 0, SIM_RNG_NKINDS);
    suite_add_tcase(s, tc);
    /* 10 M streams: seconds, more under the sanitizers. */
    tc = tcase_create("many_streams");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, rng_xoshiro_no_shared_seeds_among_10m_streams);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rng_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
