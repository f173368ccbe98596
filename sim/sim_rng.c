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
 *   64-bit hash.
 *
 * Generators
 *   xoshiro256++ (Blackman and Vigna, 2019; the default): state s[0..3],
 *   each output rotl(s0 + s3, 23) + s0, then the xorshift-rotate update.
 *   Period 2^256 - 1, passes BigCrush and PractRand; 32 bytes of state.
 *   Seeding from the 64-bit hash h: s[i] = mix(h + i * golden), the
 *   splitmix64 sequence its authors recommend.  s[0] = mix(h) is a
 *   bijection of h, so distinct hashes give distinct states: no two
 *   derived streams share a seed, however many exist (tested on 10 M).
 *   The all-zero state (a fixed point) is unreachable in practice but
 *   mapped to s[0] = 1 anyway.  It is a gsl_rng_type with max 2^64 - 1
 *   (unsigned long is 64 bits on every platform cdnsim builds on: a
 *   static assertion), so gsl_rng_set passes the whole hash, and every
 *   GSL distribution works on it.
 *
 *   taus2 (the generator before issue 14, SIM_RNG_TAUS2): gsl_rng_taus2
 *   seeded with the 32-bit fold hi ^ lo of the hash (GSL maps seed 0 to
 *   its default seed).  Caveat: a 32-bit seed means that among k streams
 *   some pair is expected to share a seed once k^2 / 2^33 ~ 1, i.e. around
 *   90,000 streams; two such entities draw identical numbers.  Kept only
 *   to reproduce old results (CMake -DCDNSIM_RNG=taus2).
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
 *   The xoshiro streams are drawn directly (r->x points at the state
 *   inside the gsl_rng; no function pointer), each from one output:
 *       uniform      (x >> 11) * 2^-53                  on [0, 1)
 *       uniform_pos  ((x >> 12) + 0.5) * 2^-52          on (0, 1)
 *       exponential  -mean * log(u), u = ((x >> 11) + 1) * 2^-53 on (0, 1]
 *                    (inversion; log, not GSL's log1p(-u))
 *       bernoulli    uniform < p
 *       index(n)     Lemire's multiply-shift on 64 bits, rejecting the
 *                    partial copy (unbiased; one output but with
 *                    probability < n / 2^64)
 *   The taus2 streams keep exactly the old code: GSL's uniform,
 *   uniform_pos (rejects exact 0), exponential and bernoulli, each one
 *   output; index(n) uses gsl_rng_uniform_int while n fits the 32-bit
 *   range and otherwise builds 64-bit words from two outputs with
 *   rejection.
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
 *   - Philox or another counter-based generator: as good, but 4x32-bit
 *     rounds cost more per output than xoshiro's few shifts and adds, and
 *     counter-addressed draws buy nothing here (streams are already keyed
 *     by hash, draws read in order).
 *   - splitmix64 as the stream itself (a Weyl counter through mix): 8
 *     bytes and fast, but its outputs are a fixed bijection of an
 *     arithmetic sequence, so streams of nearby seeds overlap as shifted
 *     copies of one another; xoshiro's states do not.
 *   - xoshiro256+ (one addition fewer): weak low bits, only fit for
 *     doubles, and index() uses all 64 bits.
 *   - gsl_rng_mt19937: 2.5 kB of state per stream; per-entity streams would
 *     not fit the "small state" rule.
 *   - Choosing the kind per run (scenario key or CLI option): every one of
 *     the models' sim_rng_init calls would need the run's kind passed
 *     down; a build option changes all streams at once and the old kind
 *     stays a rebuild away.
 *   - Inline draws in sim_rng.h: exposes the state layout to every model
 *     for a saving of one direct call per draw.
 */
#include "sim_rng.h"

#include <limits.h>
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

uint64_t sim_rng_derive_prefix(uint64_t seed, uint64_t replication, uint64_t purpose) {
    uint64_t h = mix(seed ^ K0);
    h = mix(h ^ replication * K1);
    return mix(h ^ purpose * K2);
}

uint64_t sim_rng_derive_entity(uint64_t prefix, uint64_t entity) {
    return mix(prefix ^ entity * K3);
}

uint64_t sim_rng_derive(uint64_t seed, uint64_t replication, uint64_t purpose, uint64_t entity) {
    return sim_rng_derive_entity(sim_rng_derive_prefix(seed, replication, purpose), entity);
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

/* ---- xoshiro256++ as a gsl_rng_type ---- */

_Static_assert(ULONG_MAX == UINT64_MAX, "the xoshiro gsl_rng_type needs a 64-bit unsigned long");

static inline uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t xo_next(uint64_t *s) {
    uint64_t out = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static void xo_set(void *state, unsigned long seed) {
    uint64_t *s = state, h = (uint64_t)seed;
    for (int i = 0; i < 4; i++)
        s[i] = mix(h + (uint64_t)i * 0x9e3779b97f4a7c15u);
    if ((s[0] | s[1] | s[2] | s[3]) == 0)
        s[0] = 1;
}

static unsigned long xo_get(void *state) {
    return (unsigned long)xo_next(state);
}

static double xo_get_double(void *state) {
    return (double)(xo_next(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256++", ULONG_MAX, 0, 4 * sizeof(uint64_t), xo_set, xo_get, xo_get_double,
};

const gsl_rng_type *sim_rng_xoshiro_type(void) {
    return &xoshiro_type;
}

/* ---- kinds ---- */

static const char *const kind_names[SIM_RNG_NKINDS] = {
#define SIM_RNG_KIND_NAME(id, name) [SIM_RNG_##id] = name,
    SIM_RNG_KIND_MAP(SIM_RNG_KIND_NAME)
#undef SIM_RNG_KIND_NAME
};

const char *sim_rng_kind_name(sim_rng_kind_t kind) {
    return (unsigned)kind < SIM_RNG_NKINDS ? kind_names[kind] : NULL;
}

sim_rng_kind_t sim_rng_default_kind(void) {
#ifdef SIM_RNG_DEFAULT_TAUS2
    return SIM_RNG_TAUS2;
#else
    return SIM_RNG_XOSHIRO;
#endif
}

/* ---- streams ---- */

void sim_rng_init(sim_rng_t *r, uint64_t seed, uint64_t replication, uint64_t purpose,
                  uint64_t entity) {
    sim_rng_init_kind(r, sim_rng_default_kind(), seed, replication, purpose, entity);
}

void sim_rng_init_kind(sim_rng_t *r, sim_rng_kind_t kind, uint64_t seed, uint64_t replication,
                       uint64_t purpose, uint64_t entity) {
    uint64_t h = sim_rng_derive(seed, replication, purpose, entity);
    if ((unsigned)kind >= SIM_RNG_NKINDS) {
        fprintf(stderr, "cdnsim: unknown random generator kind %u\n", (unsigned)kind);
        abort();
    }
    r->g = gsl_rng_alloc(kind == SIM_RNG_XOSHIRO ? &xoshiro_type : gsl_rng_taus2);
    if (!r->g) {
        /* gsl_rng_alloc fails only when malloc does. */
        fprintf(stderr, "cdnsim: out of memory (allocating a random stream)\n");
        abort();
    }
    if (kind == SIM_RNG_XOSHIRO) {
        gsl_rng_set(r->g, (unsigned long)h);
        r->x = r->g->state;
    } else {
        gsl_rng_set(r->g, (unsigned long)((uint32_t)(h >> 32) ^ (uint32_t)h));
        r->x = NULL;
    }
}

void sim_rng_fini(sim_rng_t *r) {
    if (!r)
        return;
    gsl_rng_free(r->g);
    r->g = NULL;
    r->x = NULL;
}

double sim_rng_uniform(sim_rng_t *r) {
    if (r->x)
        return (double)(xo_next(r->x) >> 11) * 0x1.0p-53;
    return gsl_rng_uniform(r->g);
}

double sim_rng_uniform_pos(sim_rng_t *r) {
    if (r->x)
        return ((double)(xo_next(r->x) >> 12) + 0.5) * 0x1.0p-52;
    return gsl_rng_uniform_pos(r->g);
}

/* Unbiased index on 64-bit outputs (Lemire 2019): the high word of x * n,
 * rejecting the low words below 2^64 mod n. */
static uint64_t xo_index(uint64_t *s, uint64_t n) {
    unsigned __int128 m = (unsigned __int128)xo_next(s) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t thresh = (0 - n) % n;
        while (lo < thresh) {
            m = (unsigned __int128)xo_next(s) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

uint64_t sim_rng_index(sim_rng_t *r, uint64_t n) {
    unsigned long range;
    uint64_t limit, x;
    if (n <= 1)
        return 0;
    if (r->x)
        return xo_index(r->x, n);
    range = gsl_rng_max(r->g) - gsl_rng_min(r->g);
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
    if (r->x)
        return -mean * log((double)((xo_next(r->x) >> 11) + 1) * 0x1.0p-53);
    return gsl_ran_exponential(r->g, mean);
}

double sim_rng_lognormal_median_p99(sim_rng_t *r, double median, double p99) {
    return sim_rng_lognormal_quantile(sim_rng_uniform_pos(r), median, p99);
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
    if (r->x)
        return sim_rng_uniform(r) < p;
    return (int)gsl_ran_bernoulli(r->g, p);
}
