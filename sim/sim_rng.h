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
 *   The generator type is gsl_rng_taus2 (small state, 24 bytes, good
 *   equidistribution); it is seeded with the 32-bit fold of the hash.
 *
 * Ownership and threads
 *   A stream belongs to whoever created it; one thread at a time.
 */
#ifndef CDNSIM_SIM_RNG_H
#define CDNSIM_SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct sim_rng {
    gsl_rng *g;
} sim_rng_t;

/* The 64-bit hash that seeds a stream (exposed for tests and for models
 * that need a cheap deterministic per-entity value). */
uint64_t sim_rng_derive(uint64_t seed, uint64_t replication, uint64_t purpose, uint64_t entity);

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
void sim_rng_fini(sim_rng_t *r);

/* Uniform on [0, 1). */
double sim_rng_uniform(sim_rng_t *r);
/* Uniform on (0, 1). */
double sim_rng_uniform_pos(sim_rng_t *r);
/* Uniform integer on [0, n), n >= 1. */
uint64_t sim_rng_index(sim_rng_t *r, uint64_t n);
/* Exponential with the given mean. */
double sim_rng_exponential(sim_rng_t *r, double mean);
/* Log-normal with the given median and 99th percentile (p99 >= median > 0). */
double sim_rng_lognormal_median_p99(sim_rng_t *r, double median, double p99);
/* Bernoulli(p). */
int sim_rng_bernoulli(sim_rng_t *r, double p);

#endif /* CDNSIM_SIM_RNG_H */
