/*
 * test_sim_queue.c -- unit tests of the pending-event set (sim_queue).
 *
 * Every test that uses a queue runs once per implementation (Check loop
 * tests over sim_queue_kind_t; the loop index _i is the kind), so each kind
 * is held to the same specification.
 *
 * Two randomized differential tests: every kind against a linear-scan
 * oracle (small queues, any operation), and every fast kind in lockstep
 * with the 4-ary heap (SIM_QUEUE_HEAP, the simplest correct one) over
 * millions of operations in phases shaped like real loads: PHOLD-like
 * exponential holds, heavy ties, bursts of equal times, cancellation
 * storms, growth to a few hundred thousand events and drains, zero-delay
 * and past pushes, +inf and far-future times.  Both replay from a seed:
 * they print it, and CDNSIM_TEST_SEED=<n> in the environment makes them
 * use <n> (the default is fixed so CI runs are repeatable).
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_alloc.h"
#include "sim_queue.h"

/* ---- helpers ---- */

/* ck_assert_msg records its location on every call (a write in Check's
 * no-fork mode); loops of many thousands of checks use this instead. */
#define REQUIRE(cond, ...)                                                                \
    do {                                                                                  \
        if (!(cond))                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

/* A queue of kind i (the loop index of a loop test). */
static sim_queue_t *queue_of(int i) {
    sim_queue_t *q = sim_queue_create_kind((sim_queue_kind_t)i);
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(sim_queue_kind(q), i);
    return q;
}

static sim_event_t ev_at(double t, uint32_t type, uint32_t a, uint64_t b) {
    sim_event_t ev;
    ev.time_s = t;
    ev.seq = 12345; /* must be overwritten by push */
    ev.type = type;
    ev.a = a;
    ev.b = b;
    return ev;
}

static sim_handle_t push_at(sim_queue_t *q, double t, uint64_t b) {
    sim_event_t ev = ev_at(t, 1, 0, b);
    return sim_queue_push(q, &ev);
}

/* splitmix64: the test's own generator, independent of the code under test. */
static uint64_t test_next(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t test_below(uint64_t *state, uint32_t n) {
    return (uint32_t)(test_next(state) % n);
}

static double test_unit(uint64_t *state) {
    return (double)(test_next(state) >> 11) * 0x1.0p-53;
}

/* The seed of a randomized test: CDNSIM_TEST_SEED, or a fixed default.
 * Printed so that any run can be replayed; set CDNSIM_TEST_SEED to explore. */
static uint64_t test_seed(const char *test, int kind) {
    const char *env = getenv("CDNSIM_TEST_SEED");
    uint64_t seed;
    if (env && *env) {
        seed = strtoull(env, NULL, 0);
    } else {
        seed = 20251118; /* fixed default: CI runs are repeatable */
    }
    printf("%s [%s]: seed %" PRIu64 " (replay with CDNSIM_TEST_SEED=%" PRIu64 ")\n", test,
           sim_queue_kind_name((sim_queue_kind_t)kind), seed, seed);
    fflush(stdout);
    return seed;
}

/* ---- deterministic tests ---- */

START_TEST(queue_pop_on_empty_returns_enotfound) {
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_ENOTFOUND);
    ck_assert_ptr_null(sim_queue_peek(q));
    ck_assert_uint_eq(sim_queue_size(q), 0);
    ck_assert_int_eq(sim_queue_check(q), 1);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_destroy_null_is_noop) {
    sim_queue_destroy(NULL);
}
END_TEST

START_TEST(queue_pops_in_time_order) {
    static const double times[] = {5.0, 1.0, 3.5, -2.0, 8.0, 0.0, 3.25, 1e9, 2.0, 7.0};
    const size_t n = sizeof times / sizeof times[0];
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    double last = -INFINITY;
    size_t i;
    for (i = 0; i < n; i++)
        push_at(q, times[i], i);
    ck_assert_uint_eq(sim_queue_size(q), n);
    ck_assert_int_eq(sim_queue_check(q), 1);
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert(out.time_s >= last);
        ck_assert(times[out.b] == out.time_s);
        last = out.time_s;
    }
    ck_assert_uint_eq(sim_queue_size(q), 0);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_pops_equal_times_in_schedule_order) {
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    uint64_t i;
    /* Interleave two times so that equal-time events are not pushed
     * consecutively. */
    for (i = 0; i < 200; i++)
        push_at(q, (i % 2) ? 1.0 : 2.0, i);
    for (i = 0; i < 100; i++) {
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert(out.time_s == 1.0);
        ck_assert_uint_eq(out.b, 2 * i + 1);
    }
    for (i = 0; i < 100; i++) {
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert(out.time_s == 2.0);
        ck_assert_uint_eq(out.b, 2 * i);
    }
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_push_sets_increasing_seq_and_keeps_payload) {
    sim_queue_t *q = queue_of(_i);
    sim_event_t ev = ev_at(4.0, 7, 42, 0xdeadbeefcafeULL), out;
    sim_queue_push(q, &ev);
    ev.time_s = 3.0;
    sim_queue_push(q, &ev);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert(out.time_s == 3.0);
    ck_assert_uint_eq(out.seq, 1);
    ck_assert_uint_eq(out.type, 7);
    ck_assert_uint_eq(out.a, 42);
    ck_assert_uint_eq(out.b, 0xdeadbeefcafeULL);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.seq, 0);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_peek_returns_least_without_removing) {
    sim_queue_t *q = queue_of(_i);
    const sim_event_t *p;
    push_at(q, 2.0, 20);
    push_at(q, 1.0, 10);
    push_at(q, 1.0, 11);
    p = sim_queue_peek(q);
    ck_assert_ptr_nonnull(p);
    ck_assert(p->time_s == 1.0);
    ck_assert_uint_eq(p->b, 10);
    ck_assert_uint_eq(sim_queue_size(q), 3);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_handles_are_never_zero_and_distinct) {
    sim_queue_t *q = queue_of(_i);
    sim_handle_t h[1000];
    sim_event_t out;
    int i, j;
    for (i = 0; i < 1000; i++) {
        h[i] = push_at(q, (double)(i % 7), (uint64_t)i);
        ck_assert_uint_ne(h[i], 0);
        if (i % 3 == 0) { /* free a slot so the next push reuses it */
            ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        }
    }
    for (i = 0; i < 1000; i++)
        for (j = i + 1; j < 1000; j++)
            REQUIRE(h[i] != h[j], "handles %d and %d are equal", i, j);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_cancel_removes_only_that_event) {
    sim_queue_t *q = queue_of(_i);
    sim_handle_t h[10];
    sim_event_t out;
    uint64_t i;
    for (i = 0; i < 10; i++)
        h[i] = push_at(q, (double)i, i);
    ck_assert_int_eq(sim_queue_cancel(q, h[4]), SIM_OK);
    ck_assert_int_eq(sim_queue_cancel(q, h[0]), SIM_OK); /* the root */
    ck_assert_int_eq(sim_queue_cancel(q, h[9]), SIM_OK); /* the last leaf */
    ck_assert_uint_eq(sim_queue_size(q), 7);
    ck_assert_int_eq(sim_queue_check(q), 1);
    for (i = 1; i < 9; i++) {
        if (i == 4)
            continue;
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert_uint_eq(out.b, i);
    }
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_ENOTFOUND);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_cancel_of_interior_event_restores_heap_order) {
    /* Cancelling deep in the heap must sift the moved last key up when it
     * is smaller than its new parent. */
    sim_queue_t *q = queue_of(_i);
    sim_handle_t h[64];
    sim_event_t out;
    double last = -INFINITY;
    int i;
    for (i = 0; i < 64; i++)
        h[i] = push_at(q, (i < 32) ? 100.0 + i : 1.0 + i * 0.01, (uint64_t)i);
    for (i = 5; i < 64; i += 7) {
        ck_assert_int_eq(sim_queue_cancel(q, h[i]), SIM_OK);
        ck_assert_int_eq(sim_queue_check(q), 1);
    }
    while (sim_queue_pop(q, &out) == SIM_OK) {
        ck_assert(out.time_s >= last);
        ck_assert_uint_ne(out.b % 7, 5);
        last = out.time_s;
    }
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_stale_handle_cancel_is_noop) {
    sim_queue_t *q = queue_of(_i);
    sim_handle_t popped, cancelled, live;
    sim_event_t out;
    popped = push_at(q, 1.0, 1);
    cancelled = push_at(q, 2.0, 2);
    live = push_at(q, 3.0, 3);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_int_eq(sim_queue_cancel(q, cancelled), SIM_OK);
    ck_assert_int_eq(sim_queue_cancel(q, popped), SIM_ENOTFOUND);
    ck_assert_int_eq(sim_queue_cancel(q, cancelled), SIM_ENOTFOUND);
    ck_assert_int_eq(sim_queue_cancel(q, 0), SIM_ENOTFOUND);
    ck_assert_int_eq(sim_queue_cancel(q, 0xffffffffu), SIM_ENOTFOUND); /* slot out of range */
    ck_assert_int_eq(sim_queue_cancel(q, live + (1ULL << 32)), SIM_ENOTFOUND); /* wrong gen */
    ck_assert_uint_eq(sim_queue_size(q), 1);
    ck_assert_int_eq(sim_queue_check(q), 1);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 3);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_cancel_rejects_forged_handle_of_free_slot) {
    /* A handle naming a free slot with the generation that slot will have
     * next time it is used: never issued, must not remove anything. */
    sim_queue_t *q = queue_of(_i);
    sim_handle_t h[10], forged;
    uint64_t i;
    for (i = 0; i < 10; i++)
        h[i] = push_at(q, (double)i, i);
    ck_assert_int_eq(sim_queue_cancel(q, h[5]), SIM_OK);
    ck_assert_int_eq(sim_queue_cancel(q, h[0]), SIM_OK);
    forged = h[0] + (1ULL << 32);
    ck_assert_int_eq(sim_queue_cancel(q, forged), SIM_ENOTFOUND);
    ck_assert_uint_eq(sim_queue_size(q), 8);
    ck_assert_int_eq(sim_queue_check(q), 1);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_reused_slot_does_not_revive_old_handle) {
    sim_queue_t *q = queue_of(_i);
    sim_handle_t old, fresh;
    sim_event_t out;
    old = push_at(q, 1.0, 1);
    ck_assert_int_eq(sim_queue_cancel(q, old), SIM_OK);
    fresh = push_at(q, 2.0, 2); /* takes the slot `old` had */
    ck_assert_uint_eq(fresh & 0xffffffffu, old & 0xffffffffu);
    ck_assert_uint_ne(fresh, old);
    ck_assert_int_eq(sim_queue_cancel(q, old), SIM_ENOTFOUND);
    ck_assert_uint_eq(sim_queue_size(q), 1);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 2);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_rejects_nan_time) {
    sim_queue_t *q = queue_of(_i);
    ck_assert_uint_eq(push_at(q, NAN, 1), 0);
    ck_assert_uint_eq(sim_queue_size(q), 0);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_orders_infinite_times_last_and_fifo) {
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    push_at(q, INFINITY, 1);
    push_at(q, 5.0, 2);
    push_at(q, INFINITY, 3);
    push_at(q, -INFINITY, 4);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 4);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 2);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 1);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 3);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_grows_to_many_events_and_drains_sorted) {
    const uint32_t n = 200000;
    sim_queue_t *q = queue_of(_i);
    uint64_t rng = 7;
    sim_event_t out, prev;
    uint32_t i;
    for (i = 0; i < n; i++)
        push_at(q, (double)test_below(&rng, 1000), i);
    ck_assert_uint_eq(sim_queue_size(q), n);
    ck_assert_int_eq(sim_queue_check(q), 1);
    ck_assert_int_eq(sim_queue_pop(q, &prev), SIM_OK);
    for (i = 1; i < n; i++) {
        REQUIRE(sim_queue_pop(q, &out) == SIM_OK, "pop %u failed", i);
        REQUIRE(out.time_s > prev.time_s || (out.time_s == prev.time_s && out.seq > prev.seq),
                "pop %u out of order", i);
        prev = out;
    }
    ck_assert_int_eq(sim_queue_check(q), 1);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_xalloc_helpers_return_usable_memory) {
    char *s = sim_xstrdup("cdnsim");
    char *z = sim_xmalloc(0);
    int *c = sim_xcalloc(4, sizeof *c);
    ck_assert_str_eq(s, "cdnsim");
    ck_assert_ptr_null(sim_xstrdup(NULL));
    ck_assert_ptr_nonnull(z);
    ck_assert_int_eq(c[0] | c[1] | c[2] | c[3], 0);
    c = sim_xrealloc(c, 1000 * sizeof *c);
    c[999] = 1;
    free(s);
    free(z);
    free(c);
}
END_TEST

START_TEST(queue_kind_names_round_trip) {
    int k;
    sim_queue_kind_t out;
    sim_queue_t *q;
    for (k = 0; k < SIM_QUEUE_NKINDS; k++) {
        const char *name = sim_queue_kind_name((sim_queue_kind_t)k);
        ck_assert_ptr_nonnull(name);
        ck_assert_int_eq(sim_queue_kind_from_name(name, &out), SIM_OK);
        ck_assert_int_eq(out, k);
    }
    ck_assert_ptr_null(sim_queue_kind_name(SIM_QUEUE_NKINDS));
    ck_assert_int_eq(sim_queue_kind_from_name("splay", &out), SIM_EINVAL);
    ck_assert_int_eq(sim_queue_kind_from_name(NULL, &out), SIM_EINVAL);
    ck_assert_ptr_null(sim_queue_create_kind(SIM_QUEUE_NKINDS));
    q = sim_queue_create();
    ck_assert_int_eq(sim_queue_kind(q), SIM_QUEUE_DEFAULT);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_burst_of_equal_times_pops_fifo_while_growing) {
    /* A burst of equal times larger than any bucket, then more of the same
     * time pushed while popping: all in push order. */
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    uint64_t i, next = 0;
    push_at(q, 1.0, UINT64_MAX); /* an earlier event, so the burst is not first */
    for (i = 0; i < 50000; i++)
        push_at(q, 5.0, i);
    push_at(q, 7.0, UINT64_MAX - 1);
    ck_assert_int_eq(sim_queue_check(q), 1);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, UINT64_MAX);
    for (i = 0; i < 50000; i++) {
        REQUIRE(sim_queue_pop(q, &out) == SIM_OK && out.time_s == 5.0 && out.b == next,
                "burst pop %" PRIu64 ": got b=%" PRIu64, i, out.b);
        next++;
        if (i % 2 == 0)
            push_at(q, 5.0, 50000 + i / 2);
    }
    while (next < 75000) {
        REQUIRE(sim_queue_pop(q, &out) == SIM_OK && out.time_s == 5.0 && out.b == next,
                "late burst pop: got b=%" PRIu64 " expected %" PRIu64, out.b, next);
        next++;
    }
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, UINT64_MAX - 1);
    ck_assert_int_eq(sim_queue_check(q), 1);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_zero_delay_pushes_run_after_equal_times) {
    /* A simulation that schedules at "now" while handling: the new event
     * follows every pending event of the same time. */
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    uint64_t i, t, j;
    for (i = 0; i < 1000; i++)
        push_at(q, (double)(i / 10), i); /* ten events per time */
    for (t = 0; t < 100; t++) {
        for (j = 0; j < 10; j++) {
            ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
            ck_assert_uint_eq(out.b, 10 * t + j);
            if (j == 0)
                push_at(q, out.time_s, 100000 + t);
        }
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert_uint_eq(out.b, 100000 + t);
        ck_assert(out.time_s == (double)t);
    }
    ck_assert_uint_eq(sim_queue_size(q), 0);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_cancelled_far_future_events_do_not_accumulate) {
    /* A model that arms a far timeout per event and cancels it: the queue
     * must stay consistent and drain exactly the survivors. */
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    uint64_t i;
    double now = 0.0;
    for (i = 0; i < 100; i++)
        push_at(q, (double)i * 0.5, i);
    for (i = 0; i < 200000; i++) {
        sim_handle_t h = push_at(q, now + 1e6 + (double)i, 1000000 + i);
        REQUIRE(h != 0, "push %" PRIu64 " returned 0", i);
        REQUIRE(sim_queue_cancel(q, h) == SIM_OK, "cancel %" PRIu64 " failed", i);
        REQUIRE(sim_queue_cancel(q, h) == SIM_ENOTFOUND, "second cancel %" PRIu64 " worked", i);
        if (i % 2000 == 0) {
            REQUIRE(sim_queue_pop(q, &out) == SIM_OK && out.b < 100, "pop at %" PRIu64, i);
            now = out.time_s;
            push_at(q, now + 50.0, out.b);
        }
    }
    ck_assert_uint_eq(sim_queue_size(q), 100);
    ck_assert_int_eq(sim_queue_check(q), 1);
    for (i = 0; i < 100; i++) {
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert_uint_lt(out.b, 100);
    }
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_ENOTFOUND);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_cancel_of_least_event_updates_peek) {
    sim_queue_t *q = queue_of(_i);
    sim_handle_t h[300];
    const sim_event_t *p;
    uint64_t i;
    for (i = 0; i < 300; i++)
        h[i] = push_at(q, 10.0 + (double)i, i);
    for (i = 0; i < 299; i++) {
        ck_assert_int_eq(sim_queue_cancel(q, h[i]), SIM_OK);
        p = sim_queue_peek(q);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(p->b, i + 1);
    }
    ck_assert_int_eq(sim_queue_cancel(q, h[299]), SIM_OK);
    ck_assert_ptr_null(sim_queue_peek(q));
    ck_assert_int_eq(sim_queue_check(q), 1);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_mixes_infinite_and_finite_times_after_draining) {
    /* Only +inf events pending, then finite ones arrive: they go first. */
    sim_queue_t *q = queue_of(_i);
    sim_event_t out;
    sim_handle_t inf2;
    push_at(q, INFINITY, 1);
    inf2 = push_at(q, INFINITY, 2);
    push_at(q, INFINITY, 3);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 1);
    push_at(q, 3.0, 4);
    push_at(q, -INFINITY, 5);
    push_at(q, 2.0, 6);
    ck_assert_int_eq(sim_queue_cancel(q, inf2), SIM_OK);
    ck_assert_int_eq(sim_queue_check(q), 1);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 5);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 6);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 4);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
    ck_assert_uint_eq(out.b, 3);
    ck_assert_int_eq(sim_queue_pop(q, &out), SIM_ENOTFOUND);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_orders_times_across_many_magnitudes) {
    /* Times from 1e-300 to 1e300 and neighbours one ulp apart: bucket
     * arithmetic must neither overflow nor lose the order. */
    sim_queue_t *q = queue_of(_i);
    sim_event_t out, prev;
    uint64_t rng = 99, i;
    int first = 1;
    for (i = 0; i < 20000; i++) {
        double t;
        switch (i % 4) {
        case 0:
            t = ldexp(1.0 + test_unit(&rng), (int)test_below(&rng, 1990) - 995);
            break;
        case 1:
            t = nextafter(1.0, 2.0 + (double)test_below(&rng, 3));
            break;
        case 2:
            t = -ldexp(1.0 + test_unit(&rng), (int)test_below(&rng, 1990) - 995);
            break;
        default:
            t = 1.0;
            break;
        }
        push_at(q, t, i);
    }
    ck_assert_int_eq(sim_queue_check(q), 1);
    while (sim_queue_pop(q, &out) == SIM_OK) {
        if (!first)
            REQUIRE(out.time_s > prev.time_s || (out.time_s == prev.time_s && out.seq > prev.seq),
                    "out of order: %a after %a", out.time_s, prev.time_s);
        first = 0;
        prev = out;
    }
    sim_queue_destroy(q);
}
END_TEST

/* ---- randomized differential test against a linear-scan oracle ---- */

typedef struct oracle_ev {
    double time_s;
    uint64_t seq; /* the oracle's own push counter */
    uint64_t id;  /* unique, carried in the event's b */
    sim_handle_t h;
} oracle_ev_t;


#define ORACLE_MAX 4096
#define DEAD_RING 64

/* Index of the least (time, seq) in o[0 .. n), n > 0. */
static size_t oracle_min(const oracle_ev_t *o, size_t n) {
    size_t i, best = 0;
    for (i = 1; i < n; i++)
        if (o[i].time_s < o[best].time_s ||
            (o[i].time_s == o[best].time_s && o[i].seq < o[best].seq))
            best = i;
    return best;
}

static double random_time(uint64_t *rng, double base) {
    switch (test_below(rng, 8)) {
    case 0:
        return base; /* many exact ties */
    case 1:
    case 2:
        return base + (double)test_below(rng, 8) * 0.25; /* small tie set */
    case 3:
        return base - test_unit(rng) * 10.0; /* "in the past" of base */
    case 4:
        return test_below(rng, 200) == 0 ? INFINITY : base + 1e6 * test_unit(rng);
    default:
        return base + test_unit(rng) * 100.0;
    }
}

START_TEST(queue_matches_linear_oracle_under_random_operations) {
    const long nops = 1000000;
    uint64_t seed = test_seed("queue_matches_linear_oracle_under_random_operations", _i);
    uint64_t rng = seed;
    oracle_ev_t *o = malloc(ORACLE_MAX * sizeof *o);
    sim_handle_t dead[DEAD_RING] = {0};
    size_t n = 0, ndead = 0;
    uint64_t oracle_seq = 0, next_id = 0;
    double base = 0.0;
    uint32_t push_pct = 60;
    sim_queue_t *q = queue_of(_i);
    long op, npush = 0, npop = 0, ncancel = 0, nstale = 0;
    size_t max_n = 0;

    ck_assert_ptr_nonnull(o);
    for (op = 0; op < nops; op++) {
        uint32_t r = test_below(&rng, 100);
        if (op % 20000 == 0) /* phases: grow, shrink, hover */
            push_pct = 35 + test_below(&rng, 35);
        if (n == ORACLE_MAX)
            r = 84; /* force a pop (push_pct <= 69 < 84 < 85) */
        if (r < push_pct || n == 0) {
            sim_event_t ev = ev_at(random_time(&rng, base), test_below(&rng, 5),
                                   test_below(&rng, 1000), next_id);
            sim_handle_t h = sim_queue_push(q, &ev);
            REQUIRE(h != 0, "seed %" PRIu64 " op %ld: push returned 0", seed, op);
            o[n].time_s = ev.time_s;
            o[n].seq = oracle_seq++;
            o[n].id = next_id++;
            o[n].h = h;
            n++;
            npush++;
            if (n > max_n)
                max_n = n;
        } else if (r < 85) {
            size_t m = oracle_min(o, n);
            const sim_event_t *p = sim_queue_peek(q);
            sim_event_t out = ev_at(0, 0, 0, UINT64_MAX);
            REQUIRE(p && p->b == o[m].id, "seed %" PRIu64 " op %ld: peek disagrees", seed,
                          op);
            REQUIRE(sim_queue_pop(q, &out) == SIM_OK && out.b == o[m].id &&
                              out.time_s == o[m].time_s && out.seq == o[m].seq,
                          "seed %" PRIu64 " op %ld: popped id %" PRIu64 " expected %" PRIu64,
                          seed, op, out.b, o[m].id);
            if (isfinite(out.time_s) && out.time_s > base)
                base = out.time_s; /* the clock moves like a simulation's */
            dead[ndead++ % DEAD_RING] = o[m].h;
            o[m] = o[--n];
            npop++;
        } else if (r < 97) {
            size_t k = test_below(&rng, (uint32_t)n);
            REQUIRE(sim_queue_cancel(q, o[k].h) == SIM_OK,
                          "seed %" PRIu64 " op %ld: cancel of live handle failed", seed, op);
            dead[ndead++ % DEAD_RING] = o[k].h;
            o[k] = o[--n];
            ncancel++;
        } else if (ndead > 0) {
            size_t k = test_below(&rng, (uint32_t)(ndead < DEAD_RING ? ndead : DEAD_RING));
            REQUIRE(sim_queue_cancel(q, dead[k]) == SIM_ENOTFOUND,
                          "seed %" PRIu64 " op %ld: stale handle cancelled an event", seed, op);
            nstale++;
        }
        REQUIRE(sim_queue_size(q) == n, "seed %" PRIu64 " op %ld: size %zu expected %zu",
                      seed, op, sim_queue_size(q), n);
        if (op % 4096 == 0)
            REQUIRE(sim_queue_check(q), "seed %" PRIu64 " op %ld: check failed", seed, op);
    }
    printf("  %ld pushes, %ld pops, %ld cancels, %ld stale cancels, at most %zu pending\n", npush,
           npop, ncancel, nstale, max_n);
    /* Drain: the rest must come out in the oracle's order. */
    while (n > 0) {
        size_t m = oracle_min(o, n);
        sim_event_t out = ev_at(0, 0, 0, UINT64_MAX);
        REQUIRE(sim_queue_pop(q, &out) == SIM_OK && out.b == o[m].id,
                      "seed %" PRIu64 " drain: wrong event", seed);
        o[m] = o[--n];
    }
    REQUIRE(sim_queue_check(q), "seed %" PRIu64 " final check failed", seed);
    ck_assert_uint_eq(sim_queue_size(q), 0);
    free(o);
    sim_queue_destroy(q);
}
END_TEST

/* ---- lockstep differential test: each fast kind against the heap ---- */

#define LOCKSTEP_OPS 4000000L /* operations per run of the test */

typedef struct live_ev {
    sim_handle_t ha; /* handle in the queue under test */
    sim_handle_t hb; /* handle in the heap */
    uint64_t id;     /* carried in the event's b */
} live_ev_t;

typedef struct lockstep {
    sim_queue_t *a; /* under test */
    sim_queue_t *b; /* oracle: the 4-ary heap */
    live_ev_t *live; /* the pending events, in no order */
    size_t n, cap;
    uint32_t *where; /* id -> index into live[] while pending */
    uint64_t nid;    /* ids issued */
    size_t wcap;
    sim_handle_t dead_a[DEAD_RING], dead_b[DEAD_RING];
    size_t ndead;
    double now;      /* the clock: the greatest finite time popped */
    uint64_t seed;
    uint64_t rng;
    long op;
    const char *phase;
    long npush, npop, ncancel, nstale;
    size_t max_n;
} lockstep_t;

#define LS_REQUIRE(ls, cond, what)                                                          \
    REQUIRE(cond, "%s: seed %" PRIu64 " op %ld (phase %s, %zu pending): %s",                \
            sim_queue_kind_name(sim_queue_kind((ls)->a)), (ls)->seed, (ls)->op, (ls)->phase, \
            (ls)->n, what)

static double test_exp(uint64_t *rng, double mean) {
    return -mean * log1p(-test_unit(rng));
}

static void ls_push(lockstep_t *ls, double t) {
    sim_event_t ev = ev_at(t, (uint32_t)(ls->nid % 7u), (uint32_t)ls->nid, ls->nid);
    sim_handle_t ha = sim_queue_push(ls->a, &ev);
    sim_handle_t hb = sim_queue_push(ls->b, &ev);
    LS_REQUIRE(ls, ha != 0 && hb != 0, "push returned 0");
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? 2 * ls->cap : 1024;
        ls->live = realloc(ls->live, ls->cap * sizeof *ls->live);
        ck_assert_ptr_nonnull(ls->live);
    }
    if (ls->nid == ls->wcap) {
        ls->wcap = ls->wcap ? 2 * ls->wcap : 1024;
        ls->where = realloc(ls->where, ls->wcap * sizeof *ls->where);
        ck_assert_ptr_nonnull(ls->where);
    }
    ls->where[ls->nid] = (uint32_t)ls->n;
    ls->live[ls->n].ha = ha;
    ls->live[ls->n].hb = hb;
    ls->live[ls->n].id = ls->nid++;
    ls->n++;
    ls->npush++;
    if (ls->n > ls->max_n)
        ls->max_n = ls->n;
}

static void ls_forget(lockstep_t *ls, size_t k) {
    ls->dead_a[ls->ndead % DEAD_RING] = ls->live[k].ha;
    ls->dead_b[ls->ndead % DEAD_RING] = ls->live[k].hb;
    ls->ndead++;
    ls->live[k] = ls->live[--ls->n];
    if (k < ls->n)
        ls->where[ls->live[k].id] = (uint32_t)k;
}

/* Pops from both and compares everything; returns the popped time (NAN
 * when empty). */
static double ls_pop(lockstep_t *ls) {
    const sim_event_t *pa = sim_queue_peek(ls->a), *pb = sim_queue_peek(ls->b);
    sim_event_t x = ev_at(0, 0, 0, 0), y = ev_at(0, 0, 0, 0);
    int ra, rb;
    LS_REQUIRE(ls, (pa == NULL) == (pb == NULL), "peek: one queue empty, the other not");
    LS_REQUIRE(ls, !pa || (pa->seq == pb->seq && pa->b == pb->b), "peek: different events");
    ra = sim_queue_pop(ls->a, &x);
    rb = sim_queue_pop(ls->b, &y);
    LS_REQUIRE(ls, ra == rb, "pop: different results");
    if (ra != SIM_OK)
        return NAN;
    LS_REQUIRE(ls,
               x.seq == y.seq && x.b == y.b && x.a == y.a && x.type == y.type &&
                   (x.time_s == y.time_s) && signbit(x.time_s) == signbit(y.time_s),
               "pop: different events");
    LS_REQUIRE(ls, x.b < ls->nid && ls->where[x.b] < ls->n && ls->live[ls->where[x.b]].id == x.b,
               "pop: an event that is not pending");
    ls_forget(ls, ls->where[x.b]);
    if (isfinite(x.time_s) && x.time_s > ls->now)
        ls->now = x.time_s;
    ls->npop++;
    return x.time_s;
}

static void ls_cancel_random(lockstep_t *ls) {
    size_t k;
    if (ls->n == 0)
        return;
    k = test_below(&ls->rng, (uint32_t)ls->n);
    LS_REQUIRE(ls, sim_queue_cancel(ls->a, ls->live[k].ha) == SIM_OK, "cancel of pending failed");
    LS_REQUIRE(ls, sim_queue_cancel(ls->b, ls->live[k].hb) == SIM_OK, "oracle cancel failed");
    ls_forget(ls, k);
    ls->ncancel++;
}

static void ls_cancel_stale(lockstep_t *ls) {
    size_t k;
    if (ls->ndead == 0)
        return;
    k = test_below(&ls->rng, (uint32_t)(ls->ndead < DEAD_RING ? ls->ndead : DEAD_RING));
    LS_REQUIRE(ls, sim_queue_cancel(ls->a, ls->dead_a[k]) == SIM_ENOTFOUND,
               "stale handle cancelled an event");
    LS_REQUIRE(ls, sim_queue_cancel(ls->b, ls->dead_b[k]) == SIM_ENOTFOUND,
               "stale oracle handle cancelled an event");
    ls->nstale++;
}

static void ls_step_end(lockstep_t *ls) {
    LS_REQUIRE(ls, sim_queue_size(ls->a) == ls->n && sim_queue_size(ls->b) == ls->n,
               "size disagrees");
    ls->op++;
}

static void ls_check(lockstep_t *ls) {
    LS_REQUIRE(ls, sim_queue_check(ls->a), "check failed");
    LS_REQUIRE(ls, sim_queue_check(ls->b), "oracle check failed");
}

/* PHOLD: grow to `target` events, then hold: each pop schedules one event
 * lookahead + Exp(mean) after it (sometimes cancels or cancels stale). */
static void phase_phold(lockstep_t *ls, long nops, size_t target, double lookahead, double mean) {
    long end = ls->op + nops;
    ls->phase = "phold";
    while (ls->n < target && ls->op < end) {
        ls_push(ls, ls->now + lookahead + test_exp(&ls->rng, mean));
        ls_step_end(ls);
    }
    while (ls->op < end) {
        uint32_t r = test_below(&ls->rng, 1000);
        if (r < 5)
            ls_cancel_random(ls);
        else if (r < 8)
            ls_cancel_stale(ls);
        else {
            double t = ls_pop(ls);
            if (isnan(t) || !isfinite(t))
                t = ls->now;
            ls_push(ls, t + lookahead + test_exp(&ls->rng, mean));
        }
        ls_step_end(ls);
    }
}

/* Heavy ties: a handful of distinct times near the clock. */
static void phase_ties(lockstep_t *ls, long nops, size_t target) {
    long end = ls->op + nops;
    ls->phase = "ties";
    while (ls->op < end) {
        uint32_t r = test_below(&ls->rng, 100);
        if (r < 3)
            ls_cancel_random(ls);
        else if (ls->n < target && r < 60)
            ls_push(ls, floor(ls->now) + (double)test_below(&ls->rng, 4));
        else if (r < 50)
            ls_push(ls, floor(ls->now) + (double)test_below(&ls->rng, 4));
        else
            (void)ls_pop(ls);
        ls_step_end(ls);
    }
}

/* Bursts: many events at exactly one time (now, or a little later), then
 * popped while more of the same time arrive. */
static void phase_bursts(lockstep_t *ls, long nops) {
    long end = ls->op + nops;
    ls->phase = "bursts";
    while (ls->op < end) {
        uint32_t i, size = 1 + test_below(&ls->rng, 6000);
        double t = ls->now + (test_below(&ls->rng, 3) == 0 ? 0.0 : (double)test_below(&ls->rng, 3));
        for (i = 0; i < size && ls->op < end; i++) {
            ls_push(ls, t);
            ls_step_end(ls);
        }
        for (i = 0; i < size && ls->op < end; i++) {
            (void)ls_pop(ls);
            if (test_below(&ls->rng, 4) == 0)
                ls_push(ls, ls->now);
            ls_step_end(ls);
        }
    }
}

/* Cancellation storm: timers armed far ahead and mostly cancelled, among
 * ordinary events. */
static void phase_cancels(lockstep_t *ls, long nops) {
    long end = ls->op + nops;
    ls->phase = "cancels";
    while (ls->op < end) {
        uint32_t r = test_below(&ls->rng, 100);
        if (r < 35)
            ls_push(ls, ls->now + 1e3 + 1e6 * test_unit(&ls->rng));
        else if (r < 50)
            ls_push(ls, ls->now + test_exp(&ls->rng, 1.0));
        else if (r < 82)
            ls_cancel_random(ls);
        else if (r < 87)
            ls_cancel_stale(ls);
        else
            (void)ls_pop(ls);
        ls_step_end(ls);
    }
}

/* Odd times: zero delay, the past, +-inf, one ulp apart, far future. */
static double odd_time(lockstep_t *ls) {
    switch (test_below(&ls->rng, 10)) {
    case 0:
        return ls->now;
    case 1:
        return ls->now - 10.0 * test_unit(&ls->rng);
    case 2:
        return test_below(&ls->rng, 4) == 0 ? -INFINITY : INFINITY;
    case 3:
        return nextafter(ls->now, INFINITY);
    case 4:
        return ls->now + 1e12 * test_unit(&ls->rng);
    case 5:
        return ls->now + 1e-9 * test_unit(&ls->rng);
    default:
        return ls->now + test_exp(&ls->rng, 1.0);
    }
}

/* Growth to `peak`, then a drain to empty, with mixed times. */
static void phase_grow_drain(lockstep_t *ls, size_t peak) {
    ls->phase = "grow";
    while (ls->n < peak) {
        uint32_t r = test_below(&ls->rng, 100);
        if (r < 75)
            ls_push(ls, r < 5 ? odd_time(ls) : ls->now + test_exp(&ls->rng, 5.0));
        else if (r < 80)
            ls_cancel_random(ls);
        else
            (void)ls_pop(ls);
        ls_step_end(ls);
    }
    ls_check(ls);
    ls->phase = "drain";
    while (ls->n > 0) {
        uint32_t r = test_below(&ls->rng, 100);
        if (r < 20)
            ls_push(ls, r < 3 ? odd_time(ls) : ls->now + test_exp(&ls->rng, 5.0));
        else if (r < 25)
            ls_cancel_random(ls);
        else
            (void)ls_pop(ls);
        ls_step_end(ls);
    }
    LS_REQUIRE(ls, isnan(ls_pop(ls)), "drained queue popped an event");
    ls->op++;
}

START_TEST(queue_agrees_with_heap_over_millions_of_operations) {
    lockstep_t ls;
    long phases = 0;
    if (_i == SIM_QUEUE_HEAP)
        return; /* the heap is the oracle */
    memset(&ls, 0, sizeof ls);
    ls.seed = test_seed("queue_agrees_with_heap_over_millions_of_operations", _i);
    ls.rng = ls.seed;
    ls.a = queue_of(_i);
    ls.b = queue_of(SIM_QUEUE_HEAP);
    ls.phase = "start";
    while (ls.op < LOCKSTEP_OPS) {
        switch (phases % 6) {
        case 0:
            phase_phold(&ls, 400000, 1000 + test_below(&ls.rng, 100000), 0.1, 0.9);
            break;
        case 1:
            phase_ties(&ls, 200000, 100 + test_below(&ls.rng, 20000));
            break;
        case 2:
            phase_bursts(&ls, 200000);
            break;
        case 3:
            phase_cancels(&ls, 200000);
            break;
        case 4:
            phase_grow_drain(&ls, 1000 + test_below(&ls.rng, 250000));
            break;
        default:
            phase_phold(&ls, 200000, 100 + test_below(&ls.rng, 5000), 0.0,
                        test_below(&ls.rng, 2) ? 1e-3 : 1e3);
            break;
        }
        ls_check(&ls);
        phases++;
    }
    printf("  %ld operations in %ld phases: %ld pushes, %ld pops, %ld cancels, %ld stale "
           "cancels, at most %zu pending\n",
           ls.op, phases, ls.npush, ls.npop, ls.ncancel, ls.nstale, ls.max_n);
    ls.phase = "final drain";
    while (ls.n > 0) {
        (void)ls_pop(&ls);
        ls_step_end(&ls);
    }
    ls_check(&ls);
    free(ls.live);
    free(ls.where);
    sim_queue_destroy(ls.a);
    sim_queue_destroy(ls.b);
}
END_TEST

static Suite *queue_suite(void) {
    Suite *s = suite_create("sim_queue");
    TCase *tc = tcase_create("core");
    TCase *tr = tcase_create("random");
    /* Loop tests run once per kind; _i is the kind. */
    tcase_add_loop_test(tc, queue_pop_on_empty_returns_enotfound, 0, SIM_QUEUE_NKINDS);
    tcase_add_test(tc, queue_destroy_null_is_noop);
    tcase_add_loop_test(tc, queue_pops_in_time_order, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_pops_equal_times_in_schedule_order, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_push_sets_increasing_seq_and_keeps_payload, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_peek_returns_least_without_removing, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_handles_are_never_zero_and_distinct, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_cancel_removes_only_that_event, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_cancel_of_interior_event_restores_heap_order, 0,
                        SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_stale_handle_cancel_is_noop, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_cancel_rejects_forged_handle_of_free_slot, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_reused_slot_does_not_revive_old_handle, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_rejects_nan_time, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_orders_infinite_times_last_and_fifo, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_grows_to_many_events_and_drains_sorted, 0, SIM_QUEUE_NKINDS);
    tcase_add_test(tc, queue_xalloc_helpers_return_usable_memory);
    tcase_add_test(tc, queue_kind_names_round_trip);
    tcase_add_loop_test(tc, queue_burst_of_equal_times_pops_fifo_while_growing, 0,
                        SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_zero_delay_pushes_run_after_equal_times, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_cancelled_far_future_events_do_not_accumulate, 0,
                        SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_cancel_of_least_event_updates_peek, 0, SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_mixes_infinite_and_finite_times_after_draining, 0,
                        SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tc, queue_orders_times_across_many_magnitudes, 0, SIM_QUEUE_NKINDS);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tr, queue_matches_linear_oracle_under_random_operations, 0,
                        SIM_QUEUE_NKINDS);
    tcase_add_loop_test(tr, queue_agrees_with_heap_over_millions_of_operations, 0,
                        SIM_QUEUE_NKINDS);
    tcase_set_timeout(tr, 600);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, tr);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(queue_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
