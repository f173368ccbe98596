/*
 * sim_queue_heap.c -- the simplest correct pending-event set: an implicit
 * 4-ary min-heap of small keys over a slot pool of event payloads.  Kept
 * beside the ladder queue (sim_queue_ladder.c, the default) as a selectable
 * kind, SIM_QUEUE_HEAP: it is the oracle the ladder is tested against and
 * the baseline it is measured against.
 *
 * Data structure
 *   heap[0 .. n)      implicit 4-ary min-heap of keys {time_s, seq, slot},
 *                     ordered by (time_s, seq).  Children of i are
 *                     4i+1 .. 4i+4, the parent of i is (i-1)/4.  The key
 *                     repeats the event's time and seq so that sifting
 *                     compares keys that sit next to each other in memory
 *                     and never follows a pointer into the pool.
 *   slots[0 .. cap)   the pool.  A live slot holds the full sim_event_t (so
 *                     peek can return a pointer to it), its current index in
 *                     heap[] (`pos`) and a generation counter.  A free slot
 *                     reuses `pos` as the link of the free list.
 *   free_head         first free slot, or NONE.
 *
 *   Handle of a live event = ((uint64_t)gen << 32) | (slot + 1).  The low
 *   half is never 0, so no handle is 0.  The generation is bumped whenever a
 *   slot is freed (pop or cancel), so every handle issued for an earlier
 *   occupant of the slot stops matching.  A handle is accepted only if its
 *   slot is in range, its generation matches and the slot is live
 *   (pos < n && heap[pos].slot == slot); the last test also rejects forged
 *   handles and the (2^32 reuses of one slot) wrap-around of the generation.
 *
 * Invariants (checked by sim_queue_heap_check)
 *   1. heap order: key(heap[i]) >= key(heap[parent(i)]) for 0 < i < n.
 *   2. heap[i].slot < cap and slots[heap[i].slot].pos == i: each live slot
 *      appears exactly once in heap[] and knows where.
 *   3. heap[i] repeats slots[heap[i].slot].ev.time_s and .seq exactly.
 *   4. the free list holds exactly cap - n slots, none of them live.
 *   5. every seq is < next_seq, so seqs are unique and issued in push order.
 *
 * Complexity
 *   push, pop, cancel: O(log4 n) key moves, each key move also writes one
 *   `pos`.  peek, size: O(1).  Growth doubles both arrays (amortised O(1)
 *   per push); nothing is allocated per event and nothing is ever shrunk:
 *   the queue's footprint is its high-water mark (~64 bytes per event).
 *
 * Rejected alternatives
 *   - Binary heap: twice as deep; every level of a sift-down is a cache
 *     miss on large queues, while a 4-ary node's four 24-byte children span
 *     about one and a half cache lines.  4-ary trades a few more compares
 *     per level for half the levels and is the usual winner for DES
 *     workloads (pop-heavy, sift-down dominated).
 *   - Heap of slot indices (comparing through the pool): one indirection per
 *     compare; the 24-byte inline key avoids it.
 *   - Heap of whole events (no pool): handles would need a position table
 *     anyway for cancel, and every move would copy 32 bytes.
 *   - Pairing heap / other pointer-based heaps: O(1) insert, but a node
 *     allocation per event (or an intrusive pool with pointer chasing) and
 *     poor locality on delete-min.
 *   - Calendar / ladder queue: O(1) expected, but needs tuning to the event
 *     time distribution and more code to get right; that is
 *     sim_queue_ladder.c, and this heap is the reference it is tested
 *     against (see its design comment for the measurements).
 *
 * sim_queue_heap_peek() returns a pointer into the pool: it is valid until the
 * next push, pop or cancel (a push may move the pool).
 *
 * Times are expected to be ordered doubles: NaN cannot be ordered, so
 * sim_queue_heap_push() refuses it (returns 0, the never-valid handle).  +-inf
 * are accepted and ordered like any other value, ties broken by seq.
 */
#include "sim_queue_heap.h"

#include "sim_alloc.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define ARITY 4u
#define INITIAL_CAP 64u
/* Slots are numbered 0 .. MAX_SLOTS-1 so that slot + 1 fits the low half of
 * a handle and NONE is never a valid slot or position. */
#define MAX_SLOTS (UINT32_MAX - 1u)

typedef struct heap_key {
    double time_s; /* copy of the event's firing time, seconds of sim time */
    uint64_t seq;  /* copy of the event's sequence number */
    uint32_t slot; /* index into slots[] */
} heap_key_t;

typedef struct slot {
    sim_event_t ev; /* the payload; valid while the slot is live */
    uint32_t pos;   /* live: index into heap[]; free: next free slot or NONE */
    uint32_t gen;   /* generation, bumped each time the slot is freed */
} slot_t;

struct sim_queue_heap {
    heap_key_t *heap; /* heap[0 .. n), capacity cap */
    slot_t *slots;    /* slots[0 .. cap) */
    uint32_t n;       /* live events */
    uint32_t cap;     /* capacity of both arrays */
    uint32_t free_head;
    uint64_t next_seq; /* seq of the next push */
};

/* ---- heap helpers ---- */

static int key_less(const heap_key_t *x, const heap_key_t *y) {
    return x->time_s < y->time_s || (x->time_s == y->time_s && x->seq < y->seq);
}

static sim_handle_t make_handle(uint32_t slot, uint32_t gen) {
    return ((uint64_t)gen << 32) | (uint64_t)(slot + 1u);
}

/* Places key k at heap[i] and tells its slot. */
static void heap_put(sim_queue_heap_t *q, uint32_t i, heap_key_t k) {
    q->heap[i] = k;
    q->slots[k.slot].pos = i;
}

/* Moves k up from hole i until its parent is not greater. */
static void sift_up(sim_queue_heap_t *q, uint32_t i, heap_key_t k) {
    while (i > 0) {
        uint32_t parent = (i - 1u) / ARITY;
        if (!key_less(&k, &q->heap[parent]))
            break;
        heap_put(q, i, q->heap[parent]);
        i = parent;
    }
    heap_put(q, i, k);
}

/* Moves k down from hole i until no child is less. */
static void sift_down(sim_queue_heap_t *q, uint32_t i, heap_key_t k) {
    uint32_t n = q->n;
    for (;;) {
        uint64_t first = (uint64_t)i * ARITY + 1u;
        uint32_t c, last, best;
        if (first >= n)
            break;
        c = (uint32_t)first;
        last = (first + ARITY <= n) ? c + ARITY : n;
        best = c;
        for (c = c + 1u; c < last; c++)
            if (key_less(&q->heap[c], &q->heap[best]))
                best = c;
        if (!key_less(&q->heap[best], &k))
            break;
        heap_put(q, i, q->heap[best]);
        i = best;
    }
    heap_put(q, i, k);
}

/* Removes heap[i] (its slot stays allocated) and restores heap order. */
static void heap_remove_at(sim_queue_heap_t *q, uint32_t i) {
    heap_key_t moved;
    assert(i < q->n);
    q->n--;
    if (i == q->n)
        return;
    moved = q->heap[q->n];
    if (i > 0 && key_less(&moved, &q->heap[(i - 1u) / ARITY]))
        sift_up(q, i, moved);
    else
        sift_down(q, i, moved);
}

/* ---- slot pool ---- */

static void pool_grow(sim_queue_heap_t *q) {
    uint32_t old = q->cap, cap, s;
    if (old >= MAX_SLOTS) {
        fprintf(stderr, "cdnsim: event queue full (%u events)\n", old);
        abort();
    }
    cap = old == 0 ? INITIAL_CAP : (old > MAX_SLOTS / 2u ? MAX_SLOTS : old * 2u);
    q->slots = sim_xrealloc(q->slots, (size_t)cap * sizeof *q->slots);
    q->heap = sim_xrealloc(q->heap, (size_t)cap * sizeof *q->heap);
    /* Link the new slots in index order in front of the (empty) free list. */
    for (s = old; s < cap; s++) {
        memset(&q->slots[s].ev, 0, sizeof q->slots[s].ev);
        q->slots[s].pos = s + 1u < cap ? s + 1u : q->free_head;
        q->slots[s].gen = 0;
    }
    q->free_head = old;
    q->cap = cap;
}

static uint32_t pool_take(sim_queue_heap_t *q) {
    uint32_t s;
    if (q->free_head == NONE)
        pool_grow(q);
    s = q->free_head;
    q->free_head = q->slots[s].pos;
    return s;
}

static void pool_release(sim_queue_heap_t *q, uint32_t s) {
    q->slots[s].gen++;
    q->slots[s].pos = q->free_head;
    q->free_head = s;
}

/* The slot of a live event named by h, or NONE. */
static uint32_t handle_slot(const sim_queue_heap_t *q, sim_handle_t h) {
    uint32_t low = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    uint32_t s, pos;
    if (low == 0 || low > q->cap)
        return NONE;
    s = low - 1u;
    if (q->slots[s].gen != gen)
        return NONE;
    pos = q->slots[s].pos;
    if (pos >= q->n || q->heap[pos].slot != s)
        return NONE;
    return s;
}

/* ---- public interface ---- */

sim_queue_heap_t *sim_queue_heap_create(void) {
    sim_queue_heap_t *q = sim_xcalloc(1, sizeof *q);
    q->free_head = NONE;
    return q;
}

void sim_queue_heap_destroy(sim_queue_heap_t *q) {
    if (!q)
        return;
    free(q->heap);
    free(q->slots);
    free(q);
}

sim_handle_t sim_queue_heap_push(sim_queue_heap_t *q, const sim_event_t *ev) {
    uint32_t s;
    heap_key_t k;
    if (isnan(ev->time_s))
        return 0;
    s = pool_take(q);
    q->slots[s].ev = *ev;
    q->slots[s].ev.seq = q->next_seq++;
    k.time_s = ev->time_s;
    k.seq = q->slots[s].ev.seq;
    k.slot = s;
    q->n++;
    sift_up(q, q->n - 1u, k);
    return make_handle(s, q->slots[s].gen);
}

int sim_queue_heap_pop(sim_queue_heap_t *q, sim_event_t *out) {
    uint32_t s;
    if (q->n == 0)
        return SIM_ENOTFOUND;
    s = q->heap[0].slot;
    *out = q->slots[s].ev;
    heap_remove_at(q, 0);
    pool_release(q, s);
    return SIM_OK;
}

const sim_event_t *sim_queue_heap_peek(const sim_queue_heap_t *q) {
    return q->n ? &q->slots[q->heap[0].slot].ev : NULL;
}

int sim_queue_heap_cancel(sim_queue_heap_t *q, sim_handle_t h) {
    uint32_t s = handle_slot(q, h);
    if (s == NONE)
        return SIM_ENOTFOUND;
    heap_remove_at(q, q->slots[s].pos);
    pool_release(q, s);
    return SIM_OK;
}

size_t sim_queue_heap_size(const sim_queue_heap_t *q) {
    return q->n;
}

int sim_queue_heap_check(const sim_queue_heap_t *q) {
    uint32_t i, s, nfree = 0;
    if (q->n > q->cap)
        return 0;
    for (i = 0; i < q->n; i++) {
        const heap_key_t *k = &q->heap[i];
        const slot_t *sl;
        if (k->slot >= q->cap)
            return 0;
        sl = &q->slots[k->slot];
        if (sl->pos != i)
            return 0;
        if (!(sl->ev.time_s == k->time_s && sl->ev.seq == k->seq) || isnan(k->time_s))
            return 0;
        if (k->seq >= q->next_seq)
            return 0;
        if (i > 0 && key_less(k, &q->heap[(i - 1u) / ARITY]))
            return 0;
    }
    /* Walk the free list; it cannot be longer than cap - n without a cycle
     * or a live slot on it. */
    for (s = q->free_head; s != NONE; s = q->slots[s].pos) {
        if (s >= q->cap || nfree >= q->cap - q->n)
            return 0;
        if (q->slots[s].pos < q->n && q->heap[q->slots[s].pos].slot == s)
            return 0; /* pos as a heap index points back at s: s is live */
        nfree++;
    }
    return nfree == q->cap - q->n;
}
