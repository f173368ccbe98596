/*
 * phold.c -- the PHOLD kernel benchmark (spec: ../shared/bench/phold.md in
 * the project's shared notes; bench/README.md has the commands).
 *
 *   phold [--config small|large] [--engine cdnsim|heap2|heap4]
 *         [--queue ladder|heap] [--events K] [--seed S]
 *
 * prints one line on stdout,
 *
 *   engine config events seconds events_per_s peak_rss_mb
 *
 * and one determinism line on stderr,
 *
 *   phold-check config events lp_sum lp_digest last_time
 *
 * which must be identical for every engine and queue kind given the same
 * config, events and seed (the run_phold.sh script checks it).
 *
 * Model
 *   L logical processes (LPs), each starting with E events at
 *   lookahead + Exp(mean).  Handling an event at LP i and time t increments
 *   i's counter and schedules exactly one event at t + (lookahead +
 *   Exp(mean)) for a uniformly random LP with probability `remote`, else for
 *   i.  The run stops after K handled events.  Draws per event, in order:
 *   one uniform (remote or not), one LP index when remote, one exponential;
 *   all from one sim_rng stream (xoshiro256++ by default) derived from (seed, 0,
 *   PHOLD_STREAM, 0).  One stream, not one per LP: the event order is total,
 *   so a single stream is already deterministic, and per-LP streams would
 *   only add a cache miss per event that the baselines would have to copy.
 *
 * Engines
 *   cdnsim    the kernel, exactly as models use it: sim_create_with_queue,
 *             sim_register, sim_schedule from the handler, sim_run (stopped
 *             by sim_stop after K events); --queue picks the event set.
 *   heap2     a plain binary heap of inline 16-byte keys, minimal loop
 *   heap4     the same with a 4-ary heap (phold_baseline.c).
 *
 * Timing
 *   `seconds` is wall time (CLOCK_MONOTONIC) from the start of main to the
 *   end of teardown: setup, the initial L*E events, the run and freeing
 *   everything, i.e. the whole process minus exec and dynamic loading;
 *   events_per_s = K / seconds.  peak_rss_mb is getrusage's ru_maxrss
 *   (KiB on Linux) / 1024.
 *
 * Design
 *   Engines and configurations are X-macro tables (their names are
 *   printed).  No globals: the model state is one struct on main's stack,
 *   passed to the handler as its context.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "phold_baseline.h"
#include "sim.h"
#include "sim_rng.h"

#define PHOLD_STREAM 0x70686f6cu /* "phol": the purpose of the one stream */

/* X(id, name, L, E, remote, lookahead, mean, K) */
#define PHOLD_CONFIG_MAP(X)                                                               \
    X(SMALL, "small", 1024u, 16u, 0.1, 0.1, 0.9, 10000000u)                              \
    X(LARGE, "large", 65536u, 16u, 0.1, 0.1, 0.9, 10000000u)

typedef enum phold_config {
#define PHOLD_CONFIG_ENUM(id, name, l, e, remote, look, mean, k) PHOLD_CONFIG_##id,
    PHOLD_CONFIG_MAP(PHOLD_CONFIG_ENUM)
#undef PHOLD_CONFIG_ENUM
    PHOLD_NCONFIGS
} phold_config_t;

static const struct {
    const char *name;
    phold_params_t p;
} configs[PHOLD_NCONFIGS] = {
#define PHOLD_CONFIG_ROW(id, nm, l, e, rem, look, mn, k)                                    \
    [PHOLD_CONFIG_##id] = {nm, {.nlp = l, .per_lp = e, .remote = rem, .lookahead_s = look, \
                                .mean_s = mn, .events = k}},
    PHOLD_CONFIG_MAP(PHOLD_CONFIG_ROW)
#undef PHOLD_CONFIG_ROW
};

/* X(id, name) */
#define PHOLD_ENGINE_MAP(X)                                                               \
    X(CDNSIM, "cdnsim")                                                                   \
    X(HEAP2, "heap2")                                                                     \
    X(HEAP4, "heap4")

typedef enum phold_engine {
#define PHOLD_ENGINE_ENUM(id, name) PHOLD_ENGINE_##id,
    PHOLD_ENGINE_MAP(PHOLD_ENGINE_ENUM)
#undef PHOLD_ENGINE_ENUM
    PHOLD_NENGINES
} phold_engine_t;

static const char *const engine_names[PHOLD_NENGINES] = {
#define PHOLD_ENGINE_NAME(id, name) [PHOLD_ENGINE_##id] = name,
    PHOLD_ENGINE_MAP(PHOLD_ENGINE_NAME)
#undef PHOLD_ENGINE_NAME
};

/* The kernel engine's model: the handler's context. */
typedef struct phold_model {
    phold_params_t p;
    sim_rng_t rng;
    uint64_t *counts;  /* per-LP handled events */
    uint64_t handled;  /* events handled so far */
    uint32_t type;     /* the one event type */
    double last_s;     /* time of the last handled event, seconds */
} phold_model_t;

static void phold_handle(sim_t *sim, const sim_event_t *ev, void *ctx) {
    phold_model_t *m = ctx;
    uint32_t dst = ev->a;
    double dt;
    m->counts[ev->a]++;
    m->last_s = ev->time_s;
    if (sim_rng_uniform(&m->rng) < m->p.remote)
        dst = (uint32_t)sim_rng_index(&m->rng, m->p.nlp);
    dt = m->p.lookahead_s + sim_rng_exponential(&m->rng, m->p.mean_s);
    sim_schedule(sim, ev->time_s + dt, m->type, dst, 0);
    if (++m->handled == m->p.events)
        sim_stop(sim);
}

/* Runs PHOLD through the kernel; returns the time of the last event. */
static double run_cdnsim(const phold_params_t *p, sim_queue_kind_t kind, uint64_t seed,
                         uint64_t *counts) {
    phold_model_t m;
    sim_t *sim = sim_create_with_queue(0.0, INFINITY, kind);
    uint32_t lp, e;
    memset(&m, 0, sizeof m);
    m.p = *p;
    m.counts = counts;
    sim_rng_init(&m.rng, seed, 0, PHOLD_STREAM, 0);
    m.type = sim_register(sim, "phold", phold_handle, &m);
    for (lp = 0; lp < p->nlp; lp++)
        for (e = 0; e < p->per_lp; e++)
            sim_schedule(sim, p->lookahead_s + sim_rng_exponential(&m.rng, p->mean_s), m.type, lp,
                         0);
    if (p->events > 0)
        sim_run(sim);
    sim_destroy(sim);
    sim_rng_fini(&m.rng);
    return m.last_s;
}

static double run_baseline(const phold_params_t *p, unsigned arity, uint64_t seed,
                           uint64_t *counts) {
    sim_rng_t rng;
    double last;
    sim_rng_init(&rng, seed, 0, PHOLD_STREAM, 0);
    last = phold_baseline_run(p, arity, &rng, counts);
    sim_rng_fini(&rng);
    return last;
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void usage(FILE *f) {
    fprintf(f, "usage: phold [--config small|large] [--engine cdnsim|heap2|heap4]\n"
               "             [--queue ladder|heap] [--events K] [--seed S]\n"
               "prints: engine config events seconds events_per_s peak_rss_mb\n");
}

static int parse_u64(const char *s, uint64_t *out) {
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    *out = strtoull(s, &end, 0);
    return *end ? -1 : 0;
}

/* The command line; -1 to go on, else the exit status. */
typedef struct phold_opts {
    phold_config_t config;
    phold_engine_t engine;
    sim_queue_kind_t kind;
    uint64_t seed, events;
    int have_events;
} phold_opts_t;

static int parse_option(phold_opts_t *o, const char *opt, const char *val) {
    unsigned k;
    if (strcmp(opt, "--config") == 0) {
        for (k = 0; k < PHOLD_NCONFIGS && strcmp(val, configs[k].name) != 0; k++)
            ;
        if (k == PHOLD_NCONFIGS) {
            fprintf(stderr, "phold: unknown config '%s' (small, large)\n", val);
            return 2;
        }
        o->config = (phold_config_t)k;
    } else if (strcmp(opt, "--engine") == 0) {
        for (k = 0; k < PHOLD_NENGINES && strcmp(val, engine_names[k]) != 0; k++)
            ;
        if (k == PHOLD_NENGINES) {
            fprintf(stderr, "phold: unknown engine '%s' (cdnsim, heap2, heap4)\n", val);
            return 2;
        }
        o->engine = (phold_engine_t)k;
    } else if (strcmp(opt, "--queue") == 0) {
        if (sim_queue_kind_from_name(val, &o->kind) != SIM_OK) {
            fprintf(stderr, "phold: unknown queue '%s' (ladder, heap)\n", val);
            return 2;
        }
    } else if (strcmp(opt, "--events") == 0) {
        if (parse_u64(val, &o->events) != 0) {
            fprintf(stderr, "phold: --events wants a count, not '%s'\n", val);
            return 2;
        }
        o->have_events = 1;
    } else if (strcmp(opt, "--seed") == 0) {
        if (parse_u64(val, &o->seed) != 0) {
            fprintf(stderr, "phold: --seed wants an integer, not '%s'\n", val);
            return 2;
        }
    } else {
        fprintf(stderr, "phold: unknown option '%s'\n", opt);
        usage(stderr);
        return 2;
    }
    return -1;
}

static int parse_args(int argc, char **argv, phold_opts_t *o) {
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (!val) {
            fprintf(stderr, "phold: %s needs a value\n", opt);
            usage(stderr);
            return 2;
        }
        i++;
        int rc = parse_option(o, opt, val);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

int main(int argc, char **argv) {
    double t0 = wall_s(), seconds, last_s;
    phold_opts_t o = {PHOLD_CONFIG_SMALL, PHOLD_ENGINE_CDNSIM, SIM_QUEUE_DEFAULT, 1, 0, 0};
    phold_params_t p;
    uint64_t sum = 0, digest = 0;
    int i;
    uint64_t *counts;
    struct rusage ru;
    char engine_label[64];

    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    phold_config_t config = o.config;
    phold_engine_t engine = o.engine;
    sim_queue_kind_t kind = o.kind;
    uint64_t seed = o.seed;
    p = configs[config].p;
    if (o.have_events)
        p.events = o.events;
    if (engine != PHOLD_ENGINE_CDNSIM && p.nlp > PHOLD_BASELINE_MAX_LP) {
        fprintf(stderr, "phold: the baselines address at most %u LPs\n", PHOLD_BASELINE_MAX_LP);
        return 2;
    }

    counts = calloc(p.nlp, sizeof *counts);
    if (!counts) {
        fprintf(stderr, "phold: out of memory\n");
        return 1;
    }
    switch (engine) {
    case PHOLD_ENGINE_HEAP2:
    case PHOLD_ENGINE_HEAP4:
        last_s = run_baseline(&p, engine == PHOLD_ENGINE_HEAP2 ? 2u : 4u, seed, counts);
        snprintf(engine_label, sizeof engine_label, "%s", engine_names[engine]);
        break;
    case PHOLD_ENGINE_CDNSIM:
    case PHOLD_NENGINES:
    default:
        last_s = run_cdnsim(&p, kind, seed, counts);
        snprintf(engine_label, sizeof engine_label, "cdnsim-%s", sim_queue_kind_name(kind));
        break;
    }
    for (i = 0; (uint32_t)i < p.nlp; i++) {
        sum += counts[i];
        digest += counts[i] * mix64((uint64_t)i);
    }
    free(counts);
    seconds = wall_s() - t0;
    getrusage(RUSAGE_SELF, &ru);

    printf("%s %s %" PRIu64 " %.3f %.0f %.1f\n", engine_label, configs[config].name, sum, seconds,
           seconds > 0 ? (double)sum / seconds : 0.0, (double)ru.ru_maxrss / 1024.0);
    fprintf(stderr, "phold-check %s %" PRIu64 " %" PRIu64 " 0x%016" PRIx64 " %.17g\n",
            configs[config].name, p.events, sum, digest, last_s);
    return sum == p.events ? 0 : 1;
}
