/*
 * sim_rng.h -- deterministic random streams for the kernel and models.
 *
 * Contract
 *   A stream is a GSL generator whose seed is derived by hashing
 *   (seed, replication, purpose, entity) with a 64-bit mixer (splitmix64
 *   finaliser).  The same four values give the same stream on every run,
 *   in any thread, in any process; different purposes or entities give
 *   independent-looking streams, so adding a region does not shift another
 *   region's random numbers.  Never rand(), never the clock.
 *
 *   `purpose` is a small constant chosen by the caller (an enum of the
 *   model, never renumbered); `entity` says whom the draws are for.
 *
 * Keying rule (common random numbers)
 *   A draw is keyed by what it is for (purpose) and whom it is for
 *   (entity identity), never by its position in a sequence that another
 *   decision could lengthen or shorten.  Entities with names (regions,
 *   artifacts, actions, plans) are keyed by sim_rng_key(name), not by
 *   their index in an array, so inserting or reordering entities leaves
 *   the others' draws alone; compound identities (a server = region key
 *   and index within the region; an action's effect in a region) combine
 *   keys with sim_rng_key2.  Where an entity draws several values, it
 *   either has a stream of its own per purpose or draws a fixed number of
 *   uniforms in a fixed order whatever the parameters (so a probability
 *   of 0 still consumes its uniform).  For one-off values, sim_rng_u01 of
 *   a derived hash gives a uniform without any stream state at all.
 *
 *   Generators (kinds).  A stream is a gsl_rng, so every GSL distribution
 *   works on stream->g, of one of two kinds:
 *     SIM_RNG_XOSHIRO  xoshiro256++ (32 bytes of state, 64-bit outputs),
 *                      wrapped as a custom gsl_rng_type and seeded with the
 *                      full 64-bit hash: two different hashes never give
 *                      the same stream;
 *     SIM_RNG_TAUS2    GSL's taus2 (24 bytes, 32-bit outputs) seeded with
 *                      the 32-bit fold of the hash: the generator of
 *                      every result before issue 14, kept to reproduce
 *                      them.  Among ~90,000 streams two are expected to
 *                      share a seed.
 *   sim_rng_init uses sim_rng_default_kind(), chosen at build time (CMake
 *   option CDNSIM_RNG=xoshiro|taus2, default xoshiro; README "Building by
 *   hand"); the golden outputs in tests/ are those of the default.  The same (kind, seed,
 *   replication, purpose, entity) always gives the same stream.
 *
 *   Draws per call (both kinds): uniform, uniform_pos, exponential,
 *   lognormal and bernoulli consume exactly one generator output; index
 *   one (or, rarely, more by rejection).  The values differ between kinds.
 *
 * Ownership and threads
 *   A stream belongs to whoever created it; one thread at a time.
 */
#ifndef CDNSIM_SIM_RNG_H
#define CDNSIM_SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The generator kinds, as an X-macro list X(ID, "name"); the names are
 * gsl_rng_name() of the streams. */
#define SIM_RNG_KIND_MAP(X)                                                               \
    X(XOSHIRO, "xoshiro256++")                                                            \
    X(TAUS2, "taus2")

typedef enum sim_rng_kind {
#define SIM_RNG_KIND_ENUM(id, name) SIM_RNG_##id,
    SIM_RNG_KIND_MAP(SIM_RNG_KIND_ENUM)
#undef SIM_RNG_KIND_ENUM
    SIM_RNG_NKINDS
} sim_rng_kind_t;

typedef struct sim_rng {
    gsl_rng *g;  /* the GSL generator: any gsl_ran_* may draw from it */
    uint64_t *x; /* g's state when g is xoshiro256++ (the fast path), else NULL */
} sim_rng_t;

/* The xoshiro256++ generator as a GSL type (gsl_rng_alloc(sim_rng_xoshiro)
 * works like any GSL type; gsl_rng_set takes the full 64-bit seed). */
const gsl_rng_type *sim_rng_xoshiro_type(void);

/* The kind sim_rng_init uses (a build option); its name; NULL for an
 * unknown kind. */
sim_rng_kind_t sim_rng_default_kind(void);
const char *sim_rng_kind_name(sim_rng_kind_t kind);

/* The 64-bit hash that seeds a stream (exposed for tests and for models
 * that need a cheap deterministic per-entity value). */
uint64_t sim_rng_derive(uint64_t seed, uint64_t replication, uint64_t purpose, uint64_t entity);
/* The same hash in two steps, for many draws of one (seed, replication,
 * purpose): sim_rng_derive_entity(sim_rng_derive_prefix(s, r, p), e) ==
 * sim_rng_derive(s, r, p, e), with one mixing round per draw instead of
 * four. */
uint64_t sim_rng_derive_prefix(uint64_t seed, uint64_t replication, uint64_t purpose);
uint64_t sim_rng_derive_entity(uint64_t prefix, uint64_t entity);

/* A 64-bit key of a name (any NUL-terminated string), for `entity`:
 * equal names give equal keys, and distinct names collide with
 * probability about 2^-64 per pair. */
uint64_t sim_rng_key(const char *name);
/* The key of the ordered pair (a, b): (a, b) and (b, a) differ. */
uint64_t sim_rng_key2(uint64_t a, uint64_t b);
/* A uniform on (0, 1) from a 64-bit hash (its top 52 bits, centred in
 * their cell: never exactly 0 or 1).  Stateless: u01(derive(...)) is a
 * draw keyed entirely by its arguments. */
double sim_rng_u01(uint64_t h);
/* The quantile at u in (0, 1) of the log-normal with this median and 99th
 * percentile (see sim_rng_lognormal_median_p99). */
double sim_rng_lognormal_quantile(double u, double median, double p99);

void sim_rng_init(sim_rng_t *r, uint64_t seed, uint64_t replication, uint64_t purpose,
                  uint64_t entity);
/* Same, with a generator of the given kind (an unknown kind aborts). */
void sim_rng_init_kind(sim_rng_t *r, sim_rng_kind_t kind, uint64_t seed, uint64_t replication,
                       uint64_t purpose, uint64_t entity);
void sim_rng_fini(sim_rng_t *r);

/* Uniform on [0, 1) (xoshiro: multiples of 2^-53). */
double sim_rng_uniform(sim_rng_t *r);
/* Uniform on (0, 1) (xoshiro: the 2^52 cell centres, one output). */
double sim_rng_uniform_pos(sim_rng_t *r);
/* Uniform integer on [0, n), n >= 1. */
uint64_t sim_rng_index(sim_rng_t *r, uint64_t n);
/* Exponential with the given mean, by inversion of one uniform. */
double sim_rng_exponential(sim_rng_t *r, double mean);
/* Log-normal with the given median and 99th percentile (p99 >= median > 0). */
double sim_rng_lognormal_median_p99(sim_rng_t *r, double median, double p99);
/* Bernoulli(p). */
int sim_rng_bernoulli(sim_rng_t *r, double p);

#endif /* CDNSIM_SIM_RNG_H */
