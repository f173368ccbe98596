/*
 * test_sim_queue.c -- unit tests of the pending-event set (sim_queue).
 *
 * The randomized differential test replays from a seed: it prints the seed
 * it uses, and CDNSIM_TEST_SEED=<n> in the environment makes it use <n>.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sim_queue.h"

/* ---- helpers ---- */

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

/* ---- deterministic tests ---- */

START_TEST(queue_pop_on_empty_returns_enotfound) {
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
            ck_assert_uint_ne(h[i], h[j]);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_cancel_removes_only_that_event) {
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
    ck_assert_uint_eq(push_at(q, NAN, 1), 0);
    ck_assert_uint_eq(sim_queue_size(q), 0);
    sim_queue_destroy(q);
}
END_TEST

START_TEST(queue_orders_infinite_times_last_and_fifo) {
    sim_queue_t *q = sim_queue_create();
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
    sim_queue_t *q = sim_queue_create();
    uint64_t rng = 7;
    sim_event_t out, prev;
    uint32_t i;
    for (i = 0; i < n; i++)
        push_at(q, (double)test_below(&rng, 1000), i);
    ck_assert_uint_eq(sim_queue_size(q), n);
    ck_assert_int_eq(sim_queue_check(q), 1);
    ck_assert_int_eq(sim_queue_pop(q, &prev), SIM_OK);
    for (i = 1; i < n; i++) {
        ck_assert_int_eq(sim_queue_pop(q, &out), SIM_OK);
        ck_assert(out.time_s > prev.time_s || (out.time_s == prev.time_s && out.seq > prev.seq));
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

/* ---- randomized differential test against a linear-scan oracle ---- */

typedef struct oracle_ev {
    double time_s;
    uint64_t seq; /* the oracle's own push counter */
    uint64_t id;  /* unique, carried in the event's b */
    sim_handle_t h;
} oracle_ev_t;

/* ck_assert_msg records its location on every call (a write in Check's
 * no-fork mode); the million-operation loop checks without that cost. */
#define REQUIRE(cond, ...)                                                                \
    do {                                                                                  \
        if (!(cond))                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

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
    uint64_t seed = test_seed("queue_matches_linear_oracle_under_random_operations");
    uint64_t rng = seed;
    oracle_ev_t *o = malloc(ORACLE_MAX * sizeof *o);
    sim_handle_t dead[DEAD_RING] = {0};
    size_t n = 0, ndead = 0;
    uint64_t oracle_seq = 0, next_id = 0;
    double base = 0.0;
    uint32_t push_pct = 60;
    sim_queue_t *q = sim_queue_create();
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

static Suite *queue_suite(void) {
    Suite *s = suite_create("sim_queue");
    TCase *tc = tcase_create("core");
    TCase *tr = tcase_create("random");
    tcase_add_test(tc, queue_pop_on_empty_returns_enotfound);
    tcase_add_test(tc, queue_destroy_null_is_noop);
    tcase_add_test(tc, queue_pops_in_time_order);
    tcase_add_test(tc, queue_pops_equal_times_in_schedule_order);
    tcase_add_test(tc, queue_push_sets_increasing_seq_and_keeps_payload);
    tcase_add_test(tc, queue_peek_returns_least_without_removing);
    tcase_add_test(tc, queue_handles_are_never_zero_and_distinct);
    tcase_add_test(tc, queue_cancel_removes_only_that_event);
    tcase_add_test(tc, queue_cancel_of_interior_event_restores_heap_order);
    tcase_add_test(tc, queue_stale_handle_cancel_is_noop);
    tcase_add_test(tc, queue_cancel_rejects_forged_handle_of_free_slot);
    tcase_add_test(tc, queue_reused_slot_does_not_revive_old_handle);
    tcase_add_test(tc, queue_rejects_nan_time);
    tcase_add_test(tc, queue_orders_infinite_times_last_and_fifo);
    tcase_add_test(tc, queue_grows_to_many_events_and_drains_sorted);
    tcase_add_test(tc, queue_xalloc_helpers_return_usable_memory);
    tcase_add_test(tr, queue_matches_linear_oracle_under_random_operations);
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
