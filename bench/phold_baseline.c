/*
 * phold_baseline.c -- the plain-C heaps PHOLD is measured against.
 *
 * Data structure
 *   An implicit d-ary min-heap (d = 2 or 4) of 16-byte keys
 *       { double time_s; uint64_t order; }   order = seq << 20 | lp
 *   ordered by (time_s, order).  seq is the scheduling counter, so the
 *   order is (time, scheduling order) exactly as in the kernel, and the LP
 *   rides in the low 20 bits: the key is the whole event.  Children of i
 *   are d*i+1 .. d*i+d.  Sifts move a hole instead of swapping.
 *
 *   The loop is PHOLD with pop then push (not a fused replace-top), the
 *   same two operations the kernel performs per event; each arity gets its
 *   own copy of the sift code (the arity is a compile-time constant inside
 *   each run function), as a hand-written heap would.
 *
 *   Tuned as a plain heap fairly can be: a key compares as one 128-bit
 *   integer (PHOLD times are never negative, and non-negative doubles
 *   order like their bit patterns), full nodes are scanned unrolled, and
 *   the least child is selected with conditional moves.  The first,
 *   branchy version mispredicted on most compares and ran small at about
 *   7 M events/s for both arities.
 *
 * Invariants
 *   heap order; seq < 2^44 (checked: the run stops short otherwise);
 *   lp < PHOLD_BASELINE_MAX_LP (checked by the caller).
 *
 * Complexity
 *   O(log_d n) per pop and per push; 16 bytes per pending event, grown by
 *   doubling.
 *
 * Rejected alternatives
 *   - Using the kernel's queue here: this file exists to measure what the
 *     kernel's generality (handles, cancellation, dispatch, typed payload)
 *     costs against the simplest fast code.
 *   - Aligning each 4-ary sibling group to a cache line, or a fused
 *     pop-and-push: faster heaps, but no longer the plain heap the kernel
 *     is compared with (the kernel cannot fuse: a handler schedules after
 *     the pop).
 */
#include "phold_baseline.h"

#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "sim_queue.h"

#define LP_BITS 20u
#define LP_MASK ((1u << LP_BITS) - 1u)

typedef struct bkey {
    double time_s;  /* event time, seconds of sim time */
    uint64_t order; /* seq << LP_BITS | lp */
} bkey_t;

typedef struct bheap {
    bkey_t *a;
    size_t n, cap;
} bheap_t;

/* PHOLD times are never negative, and for non-negative doubles the IEEE
 * bit patterns order like the values: the key compares as one 128-bit
 * unsigned integer (time bits, order), which the compiler does with
 * cmp/sbb and selects children with conditional moves -- no
 * data-dependent branch to mispredict. */
static int bkey_less(const bkey_t *x, const bkey_t *y) {
    uint64_t xt, yt;
    memcpy(&xt, &x->time_s, sizeof xt);
    memcpy(&yt, &y->time_s, sizeof yt);
    return ((unsigned __int128)xt << 64 | x->order) < ((unsigned __int128)yt << 64 | y->order);
}

static void bheap_reserve(bheap_t *h) {
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->a = sim_xrealloc(h->a, h->cap * sizeof *h->a);
    }
}

#define BHEAP_DEFINE(D)                                                                    \
    static void bheap##D##_push(bheap_t *h, bkey_t k) {                                    \
        size_t i;                                                                          \
        bheap_reserve(h);                                                                  \
        i = h->n++;                                                                        \
        while (i > 0) {                                                                    \
            size_t parent = (i - 1) / (D);                                                 \
            if (!bkey_less(&k, &h->a[parent]))                                             \
                break;                                                                     \
            h->a[i] = h->a[parent];                                                        \
            i = parent;                                                                    \
        }                                                                                  \
        h->a[i] = k;                                                                       \
    }                                                                                      \
    static bkey_t bheap##D##_pop(bheap_t *h) {                                             \
        bkey_t top = h->a[0], k = h->a[--h->n];                                            \
        size_t i = 0, n = h->n;                                                            \
        for (;;) {                                                                         \
            size_t c = (D) * i + 1, best = c, j;                                           \
            const bkey_t *b = &h->a[c];                                                    \
            if (c + (D) <= n) { /* a full node: a fixed, unrolled scan */                  \
                for (j = 1; j < (D); j++) {                                                \
                    int less = bkey_less(&h->a[c + j], b);                                 \
                    best = less ? c + j : best;                                            \
                    b = less ? &h->a[c + j] : b;                                           \
                }                                                                          \
            } else {                                                                       \
                if (c >= n)                                                                \
                    break;                                                                 \
                for (j = c + 1; j < n; j++) {                                              \
                    int less = bkey_less(&h->a[j], b);                                     \
                    best = less ? j : best;                                                \
                    b = less ? &h->a[j] : b;                                               \
                }                                                                          \
            }                                                                              \
            if (!bkey_less(b, &k))                                                         \
                break;                                                                     \
            h->a[i] = *b;                                                                  \
            i = best;                                                                      \
        }                                                                                  \
        if (n > 0)                                                                         \
            h->a[i] = k;                                                                   \
        return top;                                                                        \
    }                                                                                      \
    static double run_heap##D(const phold_params_t *p, sim_rng_t *rng, uint64_t *counts) { \
        bheap_t h = {NULL, 0, 0};                                                          \
        uint64_t seq = 0, done;                                                            \
        uint32_t lp, e;                                                                    \
        double last = 0.0;                                                                 \
        for (lp = 0; lp < p->nlp; lp++)                                                    \
            for (e = 0; e < p->per_lp; e++) {                                              \
                bkey_t k;                                                                  \
                k.time_s = p->lookahead_s + sim_rng_exponential(rng, p->mean_s);           \
                k.order = seq++ << LP_BITS | lp;                                           \
                bheap##D##_push(&h, k);                                                    \
            }                                                                              \
        for (done = 0; done < p->events && h.n > 0 && seq >> 44 == 0; done++) {           \
            bkey_t k = bheap##D##_pop(&h);                                                 \
            uint32_t src = (uint32_t)(k.order & LP_MASK), dst = src;                       \
            counts[src]++;                                                                 \
            last = k.time_s;                                                               \
            if (sim_rng_uniform(rng) < p->remote)                                          \
                dst = (uint32_t)sim_rng_index(rng, p->nlp);                                \
            k.time_s += p->lookahead_s + sim_rng_exponential(rng, p->mean_s);              \
            k.order = seq++ << LP_BITS | dst;                                              \
            bheap##D##_push(&h, k);                                                        \
        }                                                                                  \
        free(h.a);                                                                         \
        return last;                                                                       \
    }

BHEAP_DEFINE(2)
BHEAP_DEFINE(4)

double phold_baseline_run(const phold_params_t *p, unsigned arity, sim_rng_t *rng,
                          uint64_t *counts) {
    return arity == 2 ? run_heap2(p, rng, counts) : run_heap4(p, rng, counts);
}
