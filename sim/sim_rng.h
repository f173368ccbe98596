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
 *   model); `entity` an index within that purpose (region, artifact ...).
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
