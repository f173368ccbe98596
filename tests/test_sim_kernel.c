/*
 * test_sim_kernel.c -- unit tests of the kernel: clock, types, dispatch and
 * the run loop (sim.h).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "sim.h"

#define LOG_MAX 64

/* What handlers saw, in dispatch order. */
typedef struct trace {
    size_t n;
    double now_s[LOG_MAX];  /* sim_now() inside the handler */
    double time_s[LOG_MAX]; /* ev->time_s */
    uint32_t type[LOG_MAX];
    uint32_t a[LOG_MAX];
    uint64_t b[LOG_MAX];
    void *ctx_seen[LOG_MAX];
    uint64_t stop_after_b; /* handler calls sim_stop() on this b */
    uint32_t follow_type;  /* type of the follow-up event, see on_follow */
} trace_t;

static void record(trace_t *tr, sim_t *sim, const sim_event_t *ev, void *ctx) {
    ck_assert_uint_lt(tr->n, LOG_MAX);
    tr->now_s[tr->n] = sim_now(sim);
    tr->time_s[tr->n] = ev->time_s;
    tr->type[tr->n] = ev->type;
    tr->a[tr->n] = ev->a;
    tr->b[tr->n] = ev->b;
    tr->ctx_seen[tr->n] = ctx;
    tr->n++;
}

static void on_event(sim_t *sim, const sim_event_t *ev, void *ctx) {
    trace_t *tr = ctx;
    record(tr, sim, ev, ctx);
    if (ev->b == tr->stop_after_b)
        sim_stop(sim);
}

/* Schedules a follow-up event at the current time and one a second later. */
static void on_follow(sim_t *sim, const sim_event_t *ev, void *ctx) {
    trace_t *tr = ctx;
    record(tr, sim, ev, ctx);
    if (ev->a > 0) {
        ck_assert_uint_ne(sim_schedule(sim, sim_now(sim), tr->follow_type, ev->a - 1, ev->b + 1), 0);
        ck_assert_uint_ne(sim_schedule_in(sim, 1.0, tr->follow_type, 0, 1000 + ev->b), 0);
    }
}

static trace_t *trace_new(void) {
    trace_t *tr = calloc(1, sizeof *tr);
    ck_assert_ptr_nonnull(tr);
    tr->stop_after_b = UINT64_MAX;
    return tr;
}

START_TEST(kernel_create_rejects_bad_times) {
    ck_assert_ptr_null(sim_create(10.0, 5.0));
    ck_assert_ptr_null(sim_create(NAN, 5.0));
    ck_assert_ptr_null(sim_create(0.0, NAN));
    ck_assert_ptr_null(sim_create(INFINITY, INFINITY));
    sim_destroy(NULL);
}
END_TEST

START_TEST(kernel_starts_at_start_time_with_nothing_pending) {
    sim_t *sim = sim_create(3.0, 10.0);
    ck_assert_ptr_nonnull(sim);
    ck_assert(sim_now(sim) == 3.0);
    ck_assert(sim_stop_time(sim) == 10.0);
    ck_assert_uint_eq(sim_pending(sim), 0);
    ck_assert_uint_eq(sim_events_handled(sim), 0);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_registers_types_with_names) {
    sim_t *sim = sim_create(0.0, 1.0);
    trace_t *tr = trace_new();
    uint32_t t0 = sim_register(sim, "alpha", on_event, tr);
    uint32_t t1 = sim_register(sim, "beta", on_event, tr);
    ck_assert_uint_ne(t0, t1);
    ck_assert_str_eq(sim_type_name(sim, t0), "alpha");
    ck_assert_str_eq(sim_type_name(sim, t1), "beta");
    ck_assert_ptr_null(sim_type_name(sim, 99));
    ck_assert_uint_eq(sim_register(sim, "no handler", NULL, NULL), UINT32_MAX);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_dispatches_in_time_order_with_payload_and_context) {
    sim_t *sim = sim_create(0.0, 100.0);
    trace_t *tr = trace_new();
    trace_t *other = trace_new();
    uint32_t ta = sim_register(sim, "a", on_event, tr);
    uint32_t tb = sim_register(sim, "b", on_event, other);
    sim_schedule(sim, 30.0, ta, 3, 300);
    sim_schedule(sim, 10.0, tb, 1, 100);
    sim_schedule(sim, 20.0, ta, 2, 200);
    ck_assert_uint_eq(sim_pending(sim), 3);
    ck_assert_uint_eq(sim_run(sim), 3);
    ck_assert_uint_eq(tr->n, 2);
    ck_assert(tr->time_s[0] == 20.0 && tr->now_s[0] == 20.0);
    ck_assert(tr->time_s[1] == 30.0 && tr->now_s[1] == 30.0);
    ck_assert_uint_eq(tr->a[0], 2);
    ck_assert_uint_eq(tr->b[1], 300);
    ck_assert_uint_eq(tr->type[0], ta);
    ck_assert_ptr_eq(tr->ctx_seen[0], tr);
    ck_assert_uint_eq(other->n, 1);
    ck_assert(other->now_s[0] == 10.0);
    ck_assert_uint_eq(other->type[0], tb);
    ck_assert_ptr_eq(other->ctx_seen[0], other);
    ck_assert_uint_eq(sim_events_handled(sim), 3);
    free(tr);
    free(other);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_runs_equal_times_in_schedule_order) {
    sim_t *sim = sim_create(0.0, 10.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    uint64_t i;
    for (i = 0; i < 20; i++)
        sim_schedule(sim, 5.0, t, 0, i);
    sim_run(sim);
    ck_assert_uint_eq(tr->n, 20);
    for (i = 0; i < 20; i++)
        ck_assert_uint_eq(tr->b[i], i);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_runs_events_at_stop_time_but_not_after) {
    sim_t *sim = sim_create(0.0, 10.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    sim_schedule(sim, 10.0, t, 0, 1);
    sim_schedule(sim, nextafter(10.0, INFINITY), t, 0, 2);
    sim_schedule(sim, 11.0, t, 0, 3);
    ck_assert_uint_eq(sim_run(sim), 1);
    ck_assert_uint_eq(tr->n, 1);
    ck_assert_uint_eq(tr->b[0], 1);
    ck_assert(sim_now(sim) == 10.0);
    ck_assert_uint_eq(sim_pending(sim), 2);
    /* Running again does nothing: the rest lies after the stop time. */
    ck_assert_uint_eq(sim_run(sim), 0);
    ck_assert(sim_now(sim) == 10.0);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_clock_reads_stop_time_after_queue_empties) {
    sim_t *sim = sim_create(0.0, 50.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    sim_schedule(sim, 7.0, t, 0, 1);
    sim_run(sim);
    ck_assert(sim_now(sim) == 50.0);
    /* Also with nothing at all to do. */
    sim_destroy(sim);
    sim = sim_create(2.0, 4.0);
    ck_assert_uint_eq(sim_run(sim), 0);
    ck_assert(sim_now(sim) == 4.0);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_infinite_stop_time_leaves_clock_at_last_event) {
    sim_t *sim = sim_create(0.0, INFINITY);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    sim_schedule(sim, 1e6, t, 0, 1);
    ck_assert_uint_eq(sim_run(sim), 1);
    ck_assert(sim_now(sim) == 1e6);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_rejects_past_times) {
    sim_t *sim = sim_create(5.0, 50.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    ck_assert_uint_eq(sim_schedule(sim, 4.999, t, 0, 0), 0);
    ck_assert_uint_eq(sim_schedule(sim, -INFINITY, t, 0, 0), 0);
    ck_assert_uint_eq(sim_schedule_in(sim, -1.0, t, 0, 0), 0);
    ck_assert_uint_ne(sim_schedule(sim, 5.0, t, 0, 0), 0); /* now is fine */
    ck_assert_uint_ne(sim_schedule(sim, 20.0, t, 0, 0), 0);
    sim_run(sim); /* now = 50 */
    ck_assert_uint_eq(sim_schedule(sim, 20.0, t, 0, 0), 0);
    ck_assert_uint_eq(sim_pending(sim), 0);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_rejects_nan_and_unknown_types) {
    sim_t *sim = sim_create(0.0, 50.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    ck_assert_uint_eq(sim_schedule(sim, NAN, t, 0, 0), 0);
    ck_assert_uint_eq(sim_schedule_in(sim, NAN, t, 0, 0), 0);
    ck_assert_uint_eq(sim_schedule(sim, 1.0, t + 1, 0, 0), 0);
    ck_assert_uint_eq(sim_schedule(sim, 1.0, UINT32_MAX, 0, 0), 0);
    ck_assert_uint_eq(sim_pending(sim), 0);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_schedule_in_is_relative_to_now) {
    sim_t *sim = sim_create(0.0, 100.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "f", on_follow, tr);
    tr->follow_type = t;
    /* (10, a=2, b=0) schedules (10, a=1, b=1) and (11, b=1000); then
     * (10, a=1, b=1) schedules (10, a=0, b=2) and (11, b=1001). */
    sim_schedule(sim, 10.0, t, 2, 0);
    ck_assert_uint_eq(sim_run(sim), 5);
    ck_assert_uint_eq(tr->n, 5);
    ck_assert(tr->now_s[0] == 10.0 && tr->b[0] == 0);
    ck_assert(tr->now_s[1] == 10.0 && tr->b[1] == 1); /* at now, runs in this instant */
    ck_assert(tr->now_s[2] == 10.0 && tr->b[2] == 2);
    ck_assert(tr->now_s[3] == 11.0 && tr->b[3] == 1000);
    ck_assert(tr->now_s[4] == 11.0 && tr->b[4] == 1001);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_cancel_prevents_dispatch) {
    sim_t *sim = sim_create(0.0, 100.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    sim_handle_t h1 = sim_schedule(sim, 1.0, t, 0, 1);
    sim_handle_t h2 = sim_schedule(sim, 2.0, t, 0, 2);
    sim_schedule(sim, 3.0, t, 0, 3);
    ck_assert_int_eq(sim_cancel(sim, h2), SIM_OK);
    ck_assert_int_eq(sim_cancel(sim, h2), SIM_ENOTFOUND);
    sim_run(sim);
    ck_assert_uint_eq(tr->n, 2);
    ck_assert_uint_eq(tr->b[0], 1);
    ck_assert_uint_eq(tr->b[1], 3);
    ck_assert_int_eq(sim_cancel(sim, h1), SIM_ENOTFOUND); /* already handled */
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_stop_returns_after_current_handler_with_clock_at_last_event) {
    sim_t *sim = sim_create(0.0, 100.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    sim_schedule(sim, 1.0, t, 0, 1);
    sim_schedule(sim, 2.0, t, 0, 2);
    sim_schedule(sim, 2.0, t, 0, 3);
    sim_schedule(sim, 4.0, t, 0, 4);
    tr->stop_after_b = 2;
    ck_assert_uint_eq(sim_run(sim), 2);
    ck_assert(sim_now(sim) == 2.0);
    ck_assert_uint_eq(sim_pending(sim), 2);
    /* A later run resumes where the stopped one left off. */
    ck_assert_uint_eq(sim_run(sim), 2);
    ck_assert_uint_eq(tr->n, 4);
    ck_assert_uint_eq(tr->b[2], 3);
    ck_assert_uint_eq(tr->b[3], 4);
    ck_assert(sim_now(sim) == 100.0);
    ck_assert_uint_eq(sim_events_handled(sim), 4);
    free(tr);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_stop_on_last_event_leaves_clock_at_that_event) {
    sim_t *sim = sim_create(0.0, 100.0);
    trace_t *tr = trace_new();
    uint32_t t = sim_register(sim, "e", on_event, tr);
    sim_schedule(sim, 3.0, t, 0, 1);
    tr->stop_after_b = 1;
    ck_assert_uint_eq(sim_run(sim), 1);
    ck_assert(sim_now(sim) == 3.0);
    free(tr);
    sim_destroy(sim);
}
END_TEST

typedef struct counter {
    double last_s;   /* time of the previous event */
    uint64_t last_seq;
    uint64_t count;
    int in_order; /* 0 once an event came before its predecessor */
} counter_t;

static void on_count(sim_t *sim, const sim_event_t *ev, void *ctx) {
    counter_t *c = ctx;
    if (c->count > 0 && (ev->time_s < c->last_s ||
                         (ev->time_s == c->last_s && ev->seq < c->last_seq)))
        c->in_order = 0;
    if (ev->time_s != sim_now(sim))
        c->in_order = 0;
    c->last_s = ev->time_s;
    c->last_seq = ev->seq;
    c->count++;
}

START_TEST(kernel_handles_many_events_in_order) {
    sim_t *sim = sim_create(0.0, 1e9);
    counter_t c = {0.0, 0, 0, 1};
    uint32_t t = sim_register(sim, "count", on_count, &c);
    uint32_t i;
    for (i = 0; i < 100000; i++)
        ck_assert_uint_ne(sim_schedule(sim, (double)((i * 7919u) % 1000u), t, i, 0), 0);
    ck_assert_uint_eq(sim_pending(sim), 100000);
    ck_assert_uint_eq(sim_run(sim), 100000);
    ck_assert_uint_eq(c.count, 100000);
    ck_assert_int_eq(c.in_order, 1);
    ck_assert_uint_eq(sim_pending(sim), 0);
    sim_destroy(sim);
}
END_TEST

START_TEST(kernel_destroy_frees_pending_events) {
    sim_t *sim = sim_create(0.0, 10.0);
    counter_t c = {0.0, 0, 0, 1};
    uint32_t t = sim_register(sim, "count", on_count, &c);
    uint32_t i;
    for (i = 0; i < 1000; i++)
        sim_schedule(sim, 20.0 + i, t, i, 0);
    ck_assert_uint_eq(sim_run(sim), 0);
    ck_assert_uint_eq(sim_pending(sim), 1000);
    sim_destroy(sim); /* the sanitizer build checks nothing leaks */
}
END_TEST

static Suite *kernel_suite(void) {
    Suite *s = suite_create("sim_kernel");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kernel_create_rejects_bad_times);
    tcase_add_test(tc, kernel_starts_at_start_time_with_nothing_pending);
    tcase_add_test(tc, kernel_registers_types_with_names);
    tcase_add_test(tc, kernel_dispatches_in_time_order_with_payload_and_context);
    tcase_add_test(tc, kernel_runs_equal_times_in_schedule_order);
    tcase_add_test(tc, kernel_runs_events_at_stop_time_but_not_after);
    tcase_add_test(tc, kernel_clock_reads_stop_time_after_queue_empties);
    tcase_add_test(tc, kernel_infinite_stop_time_leaves_clock_at_last_event);
    tcase_add_test(tc, kernel_rejects_past_times);
    tcase_add_test(tc, kernel_rejects_nan_and_unknown_types);
    tcase_add_test(tc, kernel_schedule_in_is_relative_to_now);
    tcase_add_test(tc, kernel_cancel_prevents_dispatch);
    tcase_add_test(tc, kernel_stop_returns_after_current_handler_with_clock_at_last_event);
    tcase_add_test(tc, kernel_stop_on_last_event_leaves_clock_at_that_event);
    tcase_add_test(tc, kernel_handles_many_events_in_order);
    tcase_add_test(tc, kernel_destroy_frees_pending_events);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(kernel_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
