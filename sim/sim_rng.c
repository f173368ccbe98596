/*
 * sim_rng.c -- deterministic random streams derived from
 * (seed, replication, purpose, entity).
 *
 * Derivation
 *   mix() is the splitmix64 step (add the golden-ratio increment, then the
 *   Stafford "mix13" finaliser): a bijection on 64-bit words with full
 *   avalanche.  The four inputs are absorbed one at a time, each multiplied
 *   by its own odd constant (a bijection, and it keeps e.g. (purpose 1,
 *   entity 0) apart from (purpose 0, entity 1)):
 *       h = mix(seed ^ K0)
 *       h = mix(h ^ replication * K1)
 *       h = mix(h ^ purpose * K2)
 *       h = mix(h ^ entity * K3)
 *   For fixed other inputs each step is a bijection of the varying one, so
 *   two different entities (or purposes, replications, seeds) never share a
 *   64-bit hash.  The stream is gsl_rng_taus2 seeded with the 32-bit fold
 *   hi ^ lo of the hash (GSL maps seed 0 to its default seed).
 *
 *   Caveat (fixed by the contract in sim_rng.h): a 32-bit seed means that
 *   among k streams some pair is expected to share a seed once
 *   k^2 / 2^33 ~ 1, i.e. around 90,000 streams.  Two such entities would draw
 *   identical numbers.  Models with that many per-entity streams should use
 *   sim_rng_derive() directly for per-entity values, or share one stream.
 *
 * Keys
 *   sim_rng_key absorbs the name's bytes eight at a time (little-endian,
 *   the last word zero-padded) and then its length, each word through
 *   mix() with K3: names that differ in any byte or in length give
 *   different inputs to a chain of bijections, so they collide only by
 *   chance.  sim_rng_key2(a, b) = mix(mix(a ^ K1) ^ b * K2): a bijection of
 *   b for fixed a and of a for fixed b, and not symmetric.
 *   sim_rng_u01(h) = ((h >> 12) + 0.5) * 2^-52: the 2^52 cell centres of
 *   (0, 1), all exact doubles (with 53 bits the top centre, 1 - 2^-54,
 *   would round to 1), so inverse-CDF draws never see 0 or 1.
 *
 * Draws
 *   uniform, uniform_pos, exponential and bernoulli are GSL's, and each
 *   consumes exactly one generator output (uniform_pos rejects exact 0).
 *   index(n) uses gsl_rng_uniform_int while n fits the generator's range
 *   (2^32 - 1 for taus2) and otherwise builds 64-bit words from two outputs
 *   with rejection, so it is unbiased for every n.
 *
 *   Log-normal by (median m, p99): mu = ln m, sigma = ln(p99/m) / z99 with
 *   z99 = Phi^-1(0.99) = 2.326..., and a draw is exp(mu + sigma * z).  z is
 *   drawn by inversion, Phi^-1(u) with u from gsl_rng_uniform_pos, rather
 *   than with gsl_ran_lognormal (Box-Muller polar with rejection): inversion
 *   uses exactly one uniform per draw and is monotone in it, so paired runs
 *   with common random numbers (a mitigation changing a latency's
 *   parameters) stay in step draw for draw and move each sample in the same
 *   direction.  p99 == m gives m (still consuming its uniform); parameters
 *   outside p99 >= m > 0 (or NaN) give NaN, which sim_schedule() rejects.
 *
 * Rejected alternatives
 *   - A counter-based generator (Philox, splitmix64 as the stream itself):
 *     no GSL distributions on top of it without a custom gsl_rng_type.
 *   - gsl_rng_mt19937: 2.5 kB of state per stream; per-entity streams would
 *     not fit the "small state" rule.
 */
#include "sim_rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#define K0 0x243f6a8885a308d3u /* pi */
#define K1 0x9e3779b97f4a7c15u /* golden ratio */
#define K2 0xd6e8feb86659fd93u
#define K3 0xc2b2ae3d27d4eb4fu /* odd constants, pairwise distinct */

static uint64_t mix(uint64_t z) {
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

uint64_t sim_rng_derive(uint64_t seed, uint64_t replication, uint64_t purpose, uint64_t entity) {
    uint64_t h = mix(seed ^ K0);
    h = mix(h ^ replication * K1);
    h = mix(h ^ purpose * K2);
    h = mix(h ^ entity * K3);
    return h;
}

uint64_t sim_rng_key(const char *name) {
    uint64_t h = K0;
    size_t n = 0;
    for (;;) {
        uint64_t word = 0;
        size_t k = 0;
        while (k < 8 && name[n + k] != '\0') {
            word |= (uint64_t)(unsigned char)name[n + k] << (8 * k);
            k++;
        }
        if (k == 0)
            break;
        h = mix(h ^ word * K3);
        n += k;
        if (k < 8)
            break;
    }
    return mix(h ^ (uint64_t)n * K2);
}

uint64_t sim_rng_key2(uint64_t a, uint64_t b) {
    return mix(mix(a ^ K1) ^ b * K2);
}

double sim_rng_u01(uint64_t h) {
    return ((double)(h >> 12) + 0.5) * 0x1.0p-52;
}

void sim_rng_init(sim_rng_t *r, uint64_t seed, uint64_t replication, uint64_t purpose,
                  uint64_t entity) {
    uint64_t h = sim_rng_derive(seed, replication, purpose, entity);
    uint32_t fold = (uint32_t)(h >> 32) ^ (uint32_t)h;
    r->g = gsl_rng_alloc(gsl_rng_taus2);
    if (!r->g) {
        /* gsl_rng_alloc fails only when malloc does. */
        fprintf(stderr, "cdnsim: out of memory (allocating a random stream)\n");
        abort();
    }
    gsl_rng_set(r->g, (unsigned long)fold);
}

void sim_rng_fini(sim_rng_t *r) {
    if (!r)
        return;
    gsl_rng_free(r->g);
    r->g = NULL;
}

double sim_rng_uniform(sim_rng_t *r) {
    return gsl_rng_uniform(r->g);
}

double sim_rng_uniform_pos(sim_rng_t *r) {
    return gsl_rng_uniform_pos(r->g);
}

uint64_t sim_rng_index(sim_rng_t *r, uint64_t n) {
    unsigned long range = gsl_rng_max(r->g) - gsl_rng_min(r->g);
    uint64_t limit, x;
    if (n <= 1)
        return 0;
    if (n <= (uint64_t)range)
        return (uint64_t)gsl_rng_uniform_int(r->g, (unsigned long)n);
    /* Wider than the generator (taus2 gives 32 bits per output): build
     * 64-bit words and reject the top partial copy of [0, n). */
    limit = UINT64_MAX - UINT64_MAX % n;
    do {
        uint64_t hi = (uint64_t)(gsl_rng_get(r->g) - gsl_rng_min(r->g)) & 0xffffffffu;
        uint64_t lo = (uint64_t)(gsl_rng_get(r->g) - gsl_rng_min(r->g)) & 0xffffffffu;
        x = (hi << 32) | lo;
    } while (x >= limit);
    return x % n;
}

double sim_rng_exponential(sim_rng_t *r, double mean) {
    return gsl_ran_exponential(r->g, mean);
}

double sim_rng_lognormal_median_p99(sim_rng_t *r, double median, double p99) {
    return sim_rng_lognormal_quantile(gsl_rng_uniform_pos(r->g), median, p99);
}

double sim_rng_lognormal_quantile(double u, double median, double p99) {
    double sigma;
    if (!(median > 0) || !(p99 >= median) || !isfinite(p99))
        return NAN;
    if (p99 == median)
        return median;
    sigma = log(p99 / median) / gsl_cdf_ugaussian_Pinv(0.99);
    return median * exp(sigma * gsl_cdf_ugaussian_Pinv(u));
}

int sim_rng_bernoulli(sim_rng_t *r, double p) {
    return (int)gsl_ran_bernoulli(r->g, p);
}
