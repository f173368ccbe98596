/*
 * sim_queue_ladder.c -- the default pending-event set (SIM_QUEUE_LADDER): a
 * ladder queue (Tang, Goh and Thng, ACM TOMACS 15(3), 2005) whose buckets
 * are chains of array chunks, whose keys are whole events, and whose
 * cancellation is lazy.  O(1) expected per operation.
 *
 * Data structure, in the order events leave it
 *   front   sorted array front[fhead .. flen) of the least keys; a pop takes
 *           front[fhead].  Short: one bucket's worth.
 *   rungs   rungs[0 .. nrungs), coarse to fine.  Rung r cuts [lo, hi] into
 *           nb equal buckets, bucket_of(r, t) = floor((t - lo) * nb /
 *           (hi - lo)) clamped to [0, nb).  Buckets below `next` are empty;
 *           bucket next - 1 was handed down (to rung r + 1 or, from the last
 *           rung, to the front).  A bucket is an unsorted chain of 1 KB
 *           chunks (25 keys) from one chunk pool, with its key count (a
 *           16-byte header; a split scans the bucket for its least and
 *           greatest time).
 *   top     one more such bucket: the keys with time > top_bound, where
 *           top_bound is the greatest time the ladder was last built over;
 *           its least and greatest time are kept as keys arrive.
 *   inf     the +inf keys, in push (= seq) order: they pop last, FIFO.
 *   slots   what handles name, {gen, link} per event: 8 bytes.
 *
 *   A key is the whole sim_event_t (time, seq, type, payload) plus its
 *   slot index, 40 bytes; peek returns a pointer into the front.
 *
 * Operations
 *   push   +inf: append to inf.  t > top_bound: append to top.  Else the
 *          first rung, coarse to fine, with bucket_of(r, t) >= next_r takes
 *          it (an append); if none does, t is in the front's range: binary
 *          search and shift (and a front grown past FRONT_MAX becomes a
 *          rung of its own).
 *   pop    front[fhead++].  When the front runs dry, refill: take the last
 *          rung's next non-empty bucket; with more than SPLIT_MIN keys
 *          split it into a new, finer rung over [its least time, its upper
 *          edge] (keys that arrive later for that range then land in their
 *          own buckets rather than piling into the last one), else sort it
 *          into the front (a rank sort: each key's place is the number of
 *          smaller times in the bucket, counted without branches, and each
 *          key is copied once, straight from its chunk to its place; equal
 *          times, seen as a place taken twice, are ranked again by (time,
 *          seq)).  A rung with no bucket left is
 *          dropped; with no rung left, rung 0 is built from top over
 *          [top's least, greatest time], which becomes top_bound.
 *   cancel lazy: the slot turns DEAD (its generation is bumped, so the
 *          handle goes stale) and the key stays where it is, moving with
 *          the others.  Dead keys are dropped when they reach the front
 *          head, and all at once (compact()) when they outnumber the
 *          pending events, which bounds the memory they hold.
 *
 * Why the order is exactly (time, seq)
 *   bucket_of is monotone in t: a rounded subtraction and a rounded
 *   product by a positive constant are monotone, and so is clamping.  So
 *   bucket_of(t1) < bucket_of(t2) implies t1 < t2, whatever the rounding.
 *   A key goes to the first rung whose bucket for it is >= next, so every
 *   key in rung r's buckets is later than every key handed down from r
 *   (finer rungs, the front), and every key in top (t > top_bound) is later
 *   than every key in the ladder (t <= top_bound).  Equal times always take
 *   the same route, so ties meet in one bucket and are put in seq order
 *   when it is sorted into the front; a push into the front's range has the
 *   greatest seq so far and goes after the equal times already there.
 *
 * Invariants (checked by sim_queue_ladder_check)
 *   1. The containers front, last rung's buckets from next up, ..., rung
 *      0's buckets, top, inf hold strictly increasing (time, seq) ranges;
 *      the front is sorted; each rung key maps to its bucket and, in every
 *      coarser rung, below next; top keys are finite and > top_bound, all
 *      other finite keys <= top_bound; inf keys are +inf, in seq order.
 *   2. The front head and the inf head are pending, and the front is empty
 *      only when no finite event is pending (then there are no rungs and
 *      top is empty): peek is O(1) and const.
 *   3. Each LIVE or DEAD slot is named by exactly one stored key; there are
 *      n LIVE and ndead DEAD slots; the others are on the free list.
 *   4. Every chunk of a bucket but its tail is full (so a chunk needs no
 *      fill count); every chunk is in one bucket or on the free list.
 *
 * Complexity
 *   push O(1): one bucket_of per rung walked (usually one).  pop O(1)
 *   amortised: a key is appended once per rung it passes through (two in
 *   PHOLD, at most MAX_RUNGS) and sorted once, in a bucket of at most
 *   SPLIT_MIN keys (the rank sort is O(m^2) in a bucket of m <=
 *   SORTED_MAX keys, so O(SORTED_MAX) per key, no more than a small
 *   constant).  cancel O(1), plus compaction amortised over cancels.
 *   Not O(1) when the times defeat splitting: a bucket whose keys all have
 *   one time (a burst) is sorted whole -- O(m) when, as it is in practice,
 *   it is already in seq order, else heapsort -- and pushes into a long
 *   front of one time cost a binary search each.  Memory: 40 bytes per
 *   stored key, 8 per slot, less than a chunk per non-empty bucket.
 *   Nothing is allocated per event: pools grow by doubling and their
 *   never-used tails are never written (so not resident).
 *
 * Measurements (PHOLD, bench/phold.c, 10 M events; docs/performance.md
 * has the final table)
 *   The first version had 24-byte keys {time, seq, slot} with the event in
 *   a 40-byte slot, tested liveness whenever keys moved and built rung 0
 *   with up to 4096 buckets: large ran at ~4.5 M events/s, and a profile
 *   put a quarter of the time in slot reads for the liveness test during
 *   transfers, the rest mostly in misses on popped slots.  Dropping the
 *   test on moves, then whole-event keys with 8-byte slots, brought large
 *   from 1.9 to 1.3 user CPU seconds.  Then, best of 5 interleaved runs,
 *   user seconds, large: rung 0 capped at 512 / 1024 / 2048 / 4096
 *   buckets: 1.33 / 1.18 / 1.21 / 1.26 (small 0.85 / 0.86 / 0.90 / 0.92);
 *   chunks of 6 keys 1.55 against 1.33 for 12 or 25; 8 keys per child
 *   bucket 1.51 against 1.31 for 16 or 32; prefetching 4 pops ahead 1.61,
 *   8 ahead 1.87, 16 ahead 2.29 (with the 40-byte slots).  Sorting
 *   proxies instead of moving 40-byte keys: large 1.22 -> 1.16, small
 *   0.86 either way.  Calling the ladder directly from sim.c instead of
 *   through the sim_queue switch: no measurable change.  small is bound
 *   by the GSL exponential draw (a quarter of its time is log1p) and moved
 *   little.
 *
 *   Issue 14, small (1,024 LPs, 16,384 pending): cachegrind (2 M events,
 *   --branch-sim) found 4.0 M mispredicted branches, 2.5 M of them in the
 *   insertion sort of bucket_to_front (each key's inner loop stops at a
 *   data-dependent place: about one mispredict per key), against 2.4 M in
 *   all of the plain 4-ary heap baseline.  The rank sort (above) has no
 *   data-dependent branch: 1.6 M mispredicts in all, the same
 *   instructions (1,045 M), and whole-process CPU time, median of 5
 *   interleaved runs, 0.61 -> 0.49 s on small and 1.07 -> 0.90 s on large
 *   (3 runs).
 *   perf then had a quarter of push's samples on the copy of the event
 *   into the key: 16-byte loads of an event that sim_schedule had just
 *   stored in 8-byte pieces, so each waited for those stores to reach the
 *   cache instead of being forwarded from them, twice per push, and again
 *   when the key was copied into its bucket.  Keys are now written field
 *   by field straight into their place (bucket_add, key_write): small
 *   0.46 -> 0.45 s best of 9, 0.57 -> 0.51 s median (a loaded machine).
 *   Bucket headers without time bounds (16 bytes instead of 32; a split
 *   scans its bucket for them, top keeps its own): small, 2 M events,
 *   D1 misses 7.77 -> 7.29 M (cachegrind), instructions 1,018 -> 1,014 M;
 *   CPU time best of 9 0.45 -> 0.44 s, large median of 5 0.95 -> 0.92 s.
 *   bucket_add inlined (GCC kept it out of line): small 1,014 -> 993 M
 *   instructions; CPU time best of 9 0.46 -> 0.45 s, large median of 5
 *   1.18 -> 1.10 s (a loaded machine).
 *   A rung 0 built from the measured event rate, so that its buckets
 *   hold about RATE keys when handed down and need no split (keys handed
 *   down since the last rebuild over the time they spanned): small, 2 M
 *   events, 1,045 M instructions -> 926 / 974 / 1,028 M for RATE = 16 /
 *   32 / 48 (1.2 appends per key instead of 2.1), but the same CPU time
 *   (0.47 s against 0.48 / 0.49 / 0.47 s, median of 7): 4,000 to 9,000
 *   bucket tails and headers miss the caches that 1,024 tails and a
 *   split's few children hit.  Not kept.  Nor, for the same reason (no
 *   change in CPU time, best and median of 9 interleaved runs of small):
 *   CHILD_PER_BUCKET 32 instead of 16 (instructions +6%, D1 misses -5%,
 *   mispredicts 2.3 -> 1.8 M; 8: -0.4%, +1%, 3.1 M), and choosing the
 *   pop's prefetch target by a mask instead of a branch (cachegrind's
 *   simple predictor missed that branch on a quarter of the pops, 0.5 M;
 *   the machine's own apparently did not).  Also not kept: the tail
 *   chunk's free places kept in the header instead of count % CHUNK_KEYS
 *   on every append (instructions -1% on small and large; CPU time the
 *   same on small, median of 9, and 1.05 -> 1.10 s on large, median of
 *   5, on a loaded machine).
 *
 * Rejected alternatives
 *   - Calendar queue (Brown 1988) with resizing: one bucket width for the
 *     whole set, re-estimated from samples; skewed time distributions
 *     crowd a few buckets, and each resize rehashes everything.  The ladder
 *     refines only the buckets that fill up.
 *   - Buckets as linked lists through the event pool (the paper's): one
 *     dependent cache miss per key at each transfer.  Chunks are read
 *     sequentially.
 *   - A growable array per bucket: each keeps its high-water capacity, so
 *     memory can reach nb times the largest bucket; chunks go back to one
 *     pool.
 *   - Rung 0 with a bucket per event (the paper's): a million bucket tails
 *     fit no cache; 1024 tails stay in L2, and splitting a full bucket is
 *     one sequential pass.
 *   - Payload in the slot pool, 24-byte keys: a random slot read per pop
 *     (the pool of a million events was 40 MB).  Whole-event keys move 40
 *     bytes instead of 24, but a pop reads only the front, and the 8-byte
 *     slots of a million events (8 MB) fit the last-level cache.
 *   - Eager cancellation: needs each key's position, updated on every
 *     move.  Lazy deletion moves nothing, and when no cancel is pending
 *     (ndead == 0, as in PHOLD) a pop reads no slot but the one it frees.
 *   - Insertion sort of 16-byte {time, key pointer} proxies (issue 5's):
 *     fewer instructions than the rank sort at 17 keys a bucket, but a
 *     mispredicted branch per key (see Measurements).
 *   - Comparing through the pool on ties, or relying on buckets being in
 *     seq order for a stable sort: the seq is in the key, so sorting is a
 *     plain total order and every container is free to reorder keys.
 */
#include "sim_queue_ladder.h"

#include "sim_alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX          /* no slot, no chunk, end of a list */
#define LIVE (UINT32_MAX - 1u)   /* slot link of a pending event */
#define DEAD (UINT32_MAX - 2u)   /* slot link of a cancelled event whose key is still stored */
#define MAX_SLOTS (UINT32_MAX - 3u) /* slot indices stay below the three marks */

/* Tuning: see "Measurements" above for how these were chosen. */
#define CHUNK_KEYS 25u        /* keys per chunk: 4 + 25 * 40 + 4 = 1008 bytes */
#define SPLIT_MIN 64u         /* a bucket with more keys is split, not sorted */
#define CHILD_PER_BUCKET 16u  /* target keys per bucket of a split rung */
#define CHILD_NB_MAX 4096u    /* buckets of a split rung, at most */
#define TOP_PER_BUCKET 4u     /* target keys per bucket of a rung built from top */
#define TOP_NB_MAX 1024u      /* buckets of a rung built from top, at most */
#define FRONT_MAX 256u        /* a longer front is turned into a rung */
#define MAX_RUNGS 16u         /* at this depth full buckets are sorted, not split */
#define SORTED_MAX 64u        /* buckets up to this size are sorted through proxies */
#define PREFETCH_AHEAD 4u     /* pops between a slot's prefetch and its use */
#define COMPACT_MIN 1024u     /* cancelled keys tolerated before compaction */
#define INITIAL_SLOTS 64u
#define INITIAL_CHUNKS 16u

/* A key is the whole event (so moving keys moves the payload, and a pop
 * reads nothing but the front) plus the slot that its handle names. */
typedef struct lkey {
    sim_event_t ev; /* the event; (ev.time_s, ev.seq) orders keys */
    uint32_t slot;  /* its slot in slots[] */
} lkey_t;

/* A slot is what a handle names: 8 bytes, so the pool of a million
 * pending events (8 MB) stays in the last-level cache. */
typedef struct lslot {
    uint32_t gen;  /* generation, bumped when the event is popped or cancelled */
    uint32_t link; /* LIVE, DEAD, or (free) the next free slot or NONE */
} lslot_t;

/* Every chunk of a bucket but the last is full, so a chunk needs no fill
 * count: the bucket's count gives the last one's (chunk_fill()). */
typedef struct chunk {
    uint32_t next; /* next chunk of the bucket (or of the free list), NONE at the end */
    lkey_t k[CHUNK_KEYS];
} chunk_t;

/* 16 bytes, so that the 1,024 headers of a rung 0 take 16 KB of L1: no
 * time bounds (a split scans the bucket for them; top's are kept in the
 * queue). */
typedef struct bucket {
    uint32_t head;  /* first chunk, NONE when empty */
    uint32_t tail;  /* last chunk, NONE when empty */
    uint32_t count; /* keys stored, cancelled ones included */
    uint32_t spare; /* padding to 16 bytes */
} bucket_t;

typedef struct rung {
    double lo;        /* keys map to buckets by position in [lo, hi], seconds */
    double hi;        /* upper edge, seconds (the last bucket also takes keys above) */
    double width;     /* (hi - lo) / nb, seconds */
    double inv_width; /* nb / (hi - lo), buckets per second, finite and > 0 */
    double nbf;       /* nb as a double */
    uint32_t nb;      /* buckets in use */
    uint32_t next;    /* buckets < next are empty; next - 1 was handed down */
    uint32_t bcap;    /* capacity of b[] */
    bucket_t *b;
} rung_t;

struct sim_queue_ladder {
    lkey_t *front;    /* front[fhead .. flen): sorted, the least keys */
    uint32_t fhead, flen, fcap;
    rung_t rungs[MAX_RUNGS]; /* rungs[0 .. nrungs): coarse to fine */
    uint32_t nrungs;
    bucket_t top;     /* unsorted, every time > top_bound */
    double top_lo, top_hi; /* least and greatest time in top (when not empty), seconds */
    double top_bound; /* keys above it go to top, seconds */
    lkey_t *inf;      /* inf[ihead .. ilen): time +inf, in seq order */
    uint32_t ihead, ilen, icap;
    chunk_t *chunks;  /* chunk pool: chunks[0 .. cused) handed out, ccap allocated */
    uint32_t cused, ccap, cfree;
    lslot_t *slots;   /* slot pool: slots[0 .. used) handed out, cap allocated */
    uint32_t used, cap, free_head;
    uint32_t n;       /* pending (live) events */
    uint32_t ndead;   /* cancelled events whose keys are still stored */
    uint64_t next_seq;
};

static void prefetch(const void *p) {
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

static void prefetch_w(const void *p) {
#if defined(__GNUC__)
    __builtin_prefetch(p, 1);
#else
    (void)p;
#endif
}

/* (time, seq) order.  Stored times are never NaN, so "not greater" is
 * "equal" after the first test; written so, the compiler needs no parity
 * branch for the equality test. */
static int key_less(const lkey_t *x, const lkey_t *y) {
    double a = x->ev.time_s, b = y->ev.time_s;
    return a < b || (!(b < a) && x->ev.seq < y->ev.seq);
}

static sim_handle_t make_handle(uint32_t slot, uint32_t gen) {
    return ((uint64_t)gen << 32) | (uint64_t)(slot + 1u);
}

static uint32_t grown(uint32_t cap, uint32_t need, uint32_t initial, uint32_t max) {
    uint64_t c = cap ? cap : initial;
    if (need > max) {
        fprintf(stderr, "cdnsim: event queue full (%u entries)\n", cap);
        abort();
    }
    while (c < need)
        c *= 2u;
    return c > max ? max : (uint32_t)c;
}

/* Makes room for `need` keys in *a (capacity *cap). */
static void keys_reserve(lkey_t **a, uint32_t *cap, uint32_t need) {
    if (need <= *cap)
        return;
    *cap = grown(*cap, need, 64u, UINT32_MAX);
    *a = sim_xrealloc(*a, (size_t)*cap * sizeof **a);
}

/* ---- slot pool ---- */

/* Slots and chunks come from the free list, else from the untouched end
 * of their array (grown by doubling; never-used memory is not written, so
 * it is not resident either). */
static uint32_t slot_take(sim_queue_ladder_t *q) {
    uint32_t s = q->free_head;
    if (s != NONE) {
        q->free_head = q->slots[s].link;
        return s;
    }
    if (q->used == q->cap) {
        q->cap = grown(q->cap, q->cap + 1u, INITIAL_SLOTS, MAX_SLOTS);
        q->slots = sim_xrealloc(q->slots, (size_t)q->cap * sizeof *q->slots);
    }
    s = q->used++;
    q->slots[s].gen = 0;
    return s;
}

static void slot_free(sim_queue_ladder_t *q, uint32_t s) {
    q->slots[s].link = q->free_head;
    q->free_head = s;
}

/* 1 when k's event is pending; a cancelled one's slot is freed and 0
 * returned (the key is being dropped by the caller). */
static int key_keep(sim_queue_ladder_t *q, const lkey_t *k) {
    if (q->slots[k->slot].link != DEAD)
        return 1;
    slot_free(q, k->slot);
    q->ndead--;
    return 0;
}

/* ---- chunk pool and buckets ---- */

static uint32_t chunk_take(sim_queue_ladder_t *q) {
    uint32_t c = q->cfree;
    if (c != NONE) {
        q->cfree = q->chunks[c].next;
    } else {
        if (q->cused == q->ccap) {
            q->ccap = grown(q->ccap, q->ccap + 1u, INITIAL_CHUNKS, NONE - 1u);
            q->chunks = sim_xrealloc(q->chunks, (size_t)q->ccap * sizeof *q->chunks);
        }
        c = q->cused++;
    }
    q->chunks[c].next = NONE;
    return c;
}

static void chunk_give(sim_queue_ladder_t *q, uint32_t c) {
    q->chunks[c].next = q->cfree;
    q->cfree = c;
}

/* Keys in chunk c of bucket bk. */
static uint32_t chunk_fill(const bucket_t *bk, uint32_t c) {
    return c != bk->tail ? CHUNK_KEYS : (bk->count - 1u) % CHUNK_KEYS + 1u;
}

/* Inlined into push and the spill loop whatever the compiler's estimate
 * (see Measurements). */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* Makes room for one more key at the end of bk and
 * returns where it goes (the caller writes it there: the pool may have
 * moved, so a key read from it is read after this call).  Reads only the
 * bucket header, so a cold tail chunk costs a store, not a load. */
static ALWAYS_INLINE lkey_t *bucket_add(sim_queue_ladder_t *q, bucket_t *bk) {
    uint32_t t = bk->tail, pos = bk->count % CHUNK_KEYS;
    if (pos == 0) { /* empty, or the tail is full */
        uint32_t fresh = chunk_take(q);
        if (t == NONE)
            bk->head = fresh;
        else
            q->chunks[t].next = fresh;
        bk->tail = t = fresh;
    }
    bk->count++;
    return &q->chunks[t].k[pos];
}

/* Appends a copy of k, which is not in the chunk pool. */
static void bucket_append(sim_queue_ladder_t *q, bucket_t *bk, const lkey_t *k) {
    *bucket_add(q, bk) = *k;
}

static void bucket_reset(bucket_t *bk) {
    bk->head = bk->tail = NONE;
    bk->count = 0;
}

/* The least and greatest time in a non-empty bucket. */
static void bucket_bounds(const sim_queue_ladder_t *q, const bucket_t *bk, double *lo,
                          double *hi) {
    uint32_t c, i;
    double l = INFINITY, h = -INFINITY;
    for (c = bk->head; c != NONE; c = q->chunks[c].next) {
        const chunk_t *ch = &q->chunks[c];
        uint32_t n = chunk_fill(bk, c);
        for (i = 0; i < n; i++) {
            double t = ch->k[i].ev.time_s;
            l = t < l ? t : l;
            h = t > h ? t : h;
        }
    }
    *lo = l;
    *hi = h;
}

/* Drops the keys of cancelled events from a bucket, in place, keeping the
 * order of the others; frees the chunks left over. */
static void bucket_compact(sim_queue_ladder_t *q, bucket_t *bk) {
    uint32_t rc = bk->head, wc = bk->head, wi = 0, count = 0, c;
    while (rc != NONE) {
        uint32_t i, rn = chunk_fill(bk, rc);
        for (i = 0; i < rn; i++) {
            lkey_t k = q->chunks[rc].k[i];
            if (!key_keep(q, &k))
                continue;
            if (wi == CHUNK_KEYS) { /* the writer never passes the reader */
                wc = q->chunks[wc].next;
                wi = 0;
            }
            q->chunks[wc].k[wi++] = k;
            count++;
        }
        rc = q->chunks[rc].next;
    }
    if (count == 0) {
        c = bk->head;
        bucket_reset(bk);
    } else {
        c = q->chunks[wc].next;
        q->chunks[wc].next = NONE;
        bk->tail = wc;
        bk->count = count;
    }
    while (c != NONE) {
        uint32_t nx = q->chunks[c].next;
        chunk_give(q, c);
        c = nx;
    }
}

/* ---- rungs ---- */

/* Sets r up as nb empty buckets over [lo, hi]; 0 (r untouched) when that
 * range cannot be cut: not finite, empty, or too wide or too narrow for
 * the bucket arithmetic. */
static int rung_init(rung_t *r, double lo, double hi, uint32_t nb) {
    double inv;
    uint32_t i;
    if (!(isfinite(lo) && isfinite(hi) && hi > lo))
        return 0;
    inv = (double)nb / (hi - lo);
    if (!(isfinite(inv) && inv > 0.0))
        return 0;
    if (nb > r->bcap) {
        r->b = sim_xrealloc(r->b, (size_t)nb * sizeof *r->b);
        r->bcap = nb;
    }
    for (i = 0; i < nb; i++)
        bucket_reset(&r->b[i]);
    r->lo = lo;
    r->hi = hi;
    r->width = (hi - lo) / (double)nb;
    r->inv_width = inv;
    r->nbf = (double)nb;
    r->nb = nb;
    r->next = 0;
    return 1;
}

/* The bucket of time t: floor((t - lo) / width) clamped to [0, nb).  It is
 * monotone in t (a rounded subtraction and a rounded product by a positive
 * constant are), which is all the ordering argument needs: t1 < t2 implies
 * bucket(t1) <= bucket(t2).  -inf maps to 0, +inf to nb - 1. */
static uint32_t bucket_of(const rung_t *r, double t) {
    double x = (t - r->lo) * r->inv_width;
    if (x >= 0.0 && x < r->nbf)
        return (uint32_t)x;
    return t < r->lo ? 0u : r->nb - 1u;
}

/* Upper edge of bucket b of r, seconds. */
static double bucket_hi(const rung_t *r, uint32_t b) {
    double e;
    if (b + 1u >= r->nb)
        return r->hi;
    e = r->lo + (double)(b + 1u) * r->width;
    return e < r->hi ? e : r->hi;
}

static uint32_t clamp_nb(uint32_t count, uint32_t per, uint32_t max) {
    uint32_t nb = count / per;
    return nb < 2u ? 2u : (nb > max ? max : nb);
}

/* ---- sorting keys (front refills) ---- */

static void sift_max(lkey_t *a, uint32_t i, uint32_t n) {
    lkey_t k = a[i];
    for (;;) {
        uint64_t c = 2u * (uint64_t)i + 1u;
        if (c >= n)
            break;
        if (c + 1u < n && key_less(&a[c], &a[c + 1u]))
            c++;
        if (!key_less(&k, &a[c]))
            break;
        a[i] = a[c];
        i = (uint32_t)c;
    }
    a[i] = k;
}

/* Sorts a large array by (time, seq).  Large fronts only come from
 * buckets that could not be split, which are mostly equal times already in
 * seq order: checked for order first (O(n)), heapsorted otherwise
 * (O(n log n), no recursion, no buffer). */
static void sort_keys(lkey_t *a, uint32_t n) {
    uint32_t i;
    for (i = 1; i < n && key_less(&a[i - 1u], &a[i]); i++)
        ;
    if (i == n)
        return;
    for (i = n / 2u; i-- > 0;)
        sift_max(a, i, n);
    for (i = n; i-- > 1;) {
        lkey_t t = a[0];
        a[0] = a[i];
        a[i] = t;
        sift_max(a, 0, i);
    }
}

/* ---- moving keys down the ladder ---- */

/* The times of a bucket being sorted, padded to a multiple of RANK_STEP
 * with +inf; as vectors of two where the compiler has them. */
#define RANK_STEP 4u
_Static_assert(SORTED_MAX <= 64u, "a sorted bucket's ranks fit one 64-bit mask");
#if defined(__GNUC__)
typedef double rank_v2d __attribute__((vector_size(16)));
typedef long long rank_v2i __attribute__((vector_size(16)));
#endif
typedef union rank_times {
    double d[SORTED_MAX + RANK_STEP];
#if defined(__GNUC__)
    rank_v2d v[(SORTED_MAX + RANK_STEP) / 2u];
#endif
} rank_times_t;

/* How many of t->d[0 .. n) (n a multiple of RANK_STEP) are less than x. */
static uint32_t rank_of(const rank_times_t *t, uint32_t n, double x) {
#if defined(__GNUC__)
    rank_v2d xv = {x, x};
    rank_v2i a0 = {0, 0}, a1 = {0, 0};
    uint32_t j;
    for (j = 0; j < n / 2u; j += 2u) { /* a true compare is -1 */
        a0 += (rank_v2i)(t->v[j] < xv);
        a1 += (rank_v2i)(t->v[j + 1u] < xv);
    }
    a0 += a1;
    return (uint32_t)-(a0[0] + a0[1]);
#else
    uint32_t j, r = 0;
    for (j = 0; j < n; j++)
        r += (uint32_t)(t->d[j] < x);
    return r;
#endif
}

/* The slots the next pops will write (and check, with cancels pending). */
static void prefetch_front(const sim_queue_ladder_t *q) {
    uint32_t i, end = q->fhead + PREFETCH_AHEAD;
    for (i = q->fhead; i < end && i < q->flen; i++)
        prefetch_w(&q->slots[q->front[i].slot]);
}
/* Moves the keys of bucket bk into the (empty) front, sorted.  Small
 * buckets (all but unsplittable ones) are sorted through proxies.  Keys of
 * cancelled events move too: telling them apart means reading their slots,
 * a cache miss per key on a large queue, so that waits until a key reaches
 * the front head (and is skipped when no cancel is pending at all). */
static void bucket_to_front(sim_queue_ladder_t *q, bucket_t *bk) {
    uint32_t c, m = bk->count;
    keys_reserve(&q->front, &q->fcap, m);
    if (m <= SORTED_MAX) {
        /* Rank sort: gather the times, count for each key the keys with
         * a smaller time (branch-free, two at a time), and copy it to
         * that place.  Equal times give equal ranks, seen as a rank taken
         * twice: then the (rare) exact ranks by (time, seq). */
        rank_times_t t;
        const lkey_t *src[SORTED_MAX];
        uint32_t i, n = 0;
        uint64_t taken = 0;
        for (c = bk->head; c != NONE; c = q->chunks[c].next) {
            const chunk_t *ch = &q->chunks[c];
            uint32_t fill = chunk_fill(bk, c);
            for (i = 0; i < fill; i++, n++) {
                t.d[n] = ch->k[i].ev.time_s;
                src[n] = &ch->k[i];
            }
        }
        for (; n % RANK_STEP; n++)
            t.d[n] = INFINITY; /* never less than a stored (finite) time */
        for (i = 0; i < m; i++) {
            uint32_t r = rank_of(&t, n, t.d[i]);
            taken |= (uint64_t)1 << r;
            q->front[r] = *src[i];
        }
        if (taken != (m == 64u ? ~(uint64_t)0 : ((uint64_t)1 << m) - 1u)) {
            for (i = 0; i < m; i++) {
                uint32_t j, r = 0;
                for (j = 0; j < m; j++)
                    r += (uint32_t)key_less(src[j], src[i]);
                q->front[r] = *src[i];
            }
        }
        for (c = bk->head; c != NONE;) {
            uint32_t nx = q->chunks[c].next;
            chunk_give(q, c);
            c = nx;
        }
    } else {
        uint32_t k = 0;
        for (c = bk->head; c != NONE;) {
            const chunk_t *ch = &q->chunks[c];
            uint32_t nx = ch->next, n = chunk_fill(bk, c);
            if (nx != NONE)
                prefetch(&q->chunks[nx]);
            memcpy(q->front + k, ch->k, (size_t)n * sizeof *ch->k);
            k += n;
            chunk_give(q, c);
            c = nx;
        }
        sort_keys(q->front, m);
    }
    bucket_reset(bk);
    q->fhead = 0;
    q->flen = m;
    prefetch_front(q);
}

/* Moves every key of bk into the buckets of rung dst; bk ends empty. */
static void bucket_spill(sim_queue_ladder_t *q, bucket_t *bk, rung_t *dst) {
    uint32_t c = bk->head;
    while (c != NONE) {
        uint32_t i, n = chunk_fill(bk, c), nx = q->chunks[c].next;
        if (nx != NONE)
            prefetch(&q->chunks[nx]);
        for (i = 0; i < n; i++) {
            lkey_t *to = bucket_add(q, &dst->b[bucket_of(dst, q->chunks[c].k[i].ev.time_s)]);
            *to = q->chunks[c].k[i]; /* read after bucket_add: the pool may have moved */
        }
        chunk_give(q, c); /* read out: the next append may reuse it */
        c = nx;
    }
    bucket_reset(bk);
}

/* Splits bucket b of the last rung into a new, finer rung below it; 0 when
 * the bucket cannot be split (equal times, or a range the arithmetic
 * cannot cut).  The new rung spans [least key time, upper edge of b]: no
 * later key of b's range can be less than the least (they are not in the
 * past), and keys that arrive later for the rest of b's range land in
 * their own buckets instead of piling into the last one. */
static int split_bucket(sim_queue_ladder_t *q, uint32_t b) {
    rung_t *r = &q->rungs[q->nrungs - 1u];
    rung_t *child = &q->rungs[q->nrungs];
    bucket_t *bk = &r->b[b];
    double lo, hi;
    bucket_bounds(q, bk, &lo, &hi);
    if (!(hi > lo) ||
        !rung_init(child, lo, bucket_hi(r, b),
                   clamp_nb(bk->count, CHILD_PER_BUCKET, CHILD_NB_MAX)))
        return 0;
    bucket_spill(q, bk, child);
    q->nrungs++;
    return 1;
}

/* Empties top into the ladder (which is empty): one rung over the keys'
 * range, or straight into the front when they are few or all equal. */
static void top_to_ladder(sim_queue_ladder_t *q) {
    bucket_t *top = &q->top;
    rung_t *r = &q->rungs[0];
    q->top_bound = q->top_hi;
    if (top->count > SPLIT_MIN && q->top_hi > q->top_lo &&
        rung_init(r, q->top_lo, q->top_hi, clamp_nb(top->count, TOP_PER_BUCKET, TOP_NB_MAX))) {
        bucket_spill(q, top, r);
        q->nrungs = 1;
        return;
    }
    bucket_to_front(q, top);
}

/* Drops the keys of cancelled events from the head of the front; returns
 * 1 when a pending event is left at the head, else 0 (and the front is
 * reset to empty). */
static int drop_dead_head(sim_queue_ladder_t *q) {
    if (q->ndead > 0) /* else no stored key is dead: no slot to read */
        while (q->fhead < q->flen && !key_keep(q, &q->front[q->fhead]))
            q->fhead++;
    if (q->fhead < q->flen)
        return 1;
    q->fhead = q->flen = 0;
    return 0;
}

/* Fills the empty front with the least keys, if any event is pending at a
 * finite time: descends to the first non-empty bucket of the finest rung,
 * splitting buckets that are too full, dropping exhausted rungs, and
 * rebuilding the ladder from top when it is empty. */
static void refill(sim_queue_ladder_t *q) {
    for (;;) {
        rung_t *r;
        uint32_t b;
        if (q->nrungs == 0) {
            if (q->top.count == 0)
                return;
            top_to_ladder(q);
            if (drop_dead_head(q))
                return;
            continue;
        }
        r = &q->rungs[q->nrungs - 1u];
        for (b = r->next; b < r->nb && r->b[b].count == 0; b++)
            ;
        if (b == r->nb) {
            q->nrungs--;
            continue;
        }
        r->next = b + 1u;
        if (r->b[b].count > SPLIT_MIN && q->nrungs < MAX_RUNGS && split_bucket(q, b))
            continue;
        bucket_to_front(q, &r->b[b]);
        if (drop_dead_head(q))
            return;
    }
}

/* Restores "the front head is pending" after it was popped or cancelled. */
static void purge_front(sim_queue_ladder_t *q) {
    if (!drop_dead_head(q))
        refill(q);
}

static void purge_inf(sim_queue_ladder_t *q) {
    while (q->ndead > 0 && q->ihead < q->ilen && !key_keep(q, &q->inf[q->ihead]))
        q->ihead++;
    if (q->ihead == q->ilen)
        q->ihead = q->ilen = 0;
}

/* The front grew past FRONT_MAX (inserts into the current bucket's range):
 * turn it into a rung of its own, as if it were a bucket to split. */
static void split_front(sim_queue_ladder_t *q) {
    rung_t *child = &q->rungs[q->nrungs];
    double lo = q->front[q->fhead].ev.time_s, hi;
    uint32_t i;
    if (!(q->front[q->flen - 1u].ev.time_s > lo))
        return;
    hi = q->nrungs ? bucket_hi(&q->rungs[q->nrungs - 1u], q->rungs[q->nrungs - 1u].next - 1u)
                   : q->top_bound;
    if (!rung_init(child, lo, hi, clamp_nb(q->flen - q->fhead, CHILD_PER_BUCKET, CHILD_NB_MAX)))
        return;
    for (i = q->fhead; i < q->flen; i++)
        bucket_append(q, &child->b[bucket_of(child, q->front[i].ev.time_s)], &q->front[i]);
    q->fhead = q->flen = 0;
    q->nrungs++;
    refill(q);
}

/* Inserts k (the newest key: its seq is the largest) into the sorted front. */
static void front_insert(sim_queue_ladder_t *q, const lkey_t *k) {
    uint32_t lo, hi, pos;
    if (q->flen == q->fcap) {
        if (q->fhead > 0) {
            memmove(q->front, q->front + q->fhead, (size_t)(q->flen - q->fhead) * sizeof *q->front);
            q->flen -= q->fhead;
            q->fhead = 0;
        } else {
            keys_reserve(&q->front, &q->fcap, q->flen + 1u);
        }
    }
    /* After every key with time <= k's: those have smaller seqs. */
    lo = q->fhead;
    hi = q->flen;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (q->front[mid].ev.time_s <= k->ev.time_s)
            lo = mid + 1u;
        else
            hi = mid;
    }
    pos = lo;
    if (q->fhead > 0 && pos - q->fhead < q->flen - pos) {
        memmove(q->front + q->fhead - 1u, q->front + q->fhead,
                (size_t)(pos - q->fhead) * sizeof *q->front);
        q->fhead--;
        q->front[pos - 1u] = *k;
    } else {
        memmove(q->front + pos + 1u, q->front + pos, (size_t)(q->flen - pos) * sizeof *q->front);
        q->front[pos] = *k;
        q->flen++;
    }
    if (q->flen - q->fhead > FRONT_MAX && q->nrungs < MAX_RUNGS)
        split_front(q);
}

/* Drops every stored key of a cancelled event (amortised against the
 * cancels that made them: runs when they outnumber the pending events). */
static void compact(sim_queue_ladder_t *q) {
    uint32_t i, j, r, b;
    for (i = j = q->fhead; i < q->flen; i++)
        if (key_keep(q, &q->front[i]))
            q->front[j++] = q->front[i];
    q->flen = j;
    for (r = 0; r < q->nrungs; r++)
        for (b = q->rungs[r].next; b < q->rungs[r].nb; b++)
            if (q->rungs[r].b[b].count)
                bucket_compact(q, &q->rungs[r].b[b]);
    if (q->top.count) {
        bucket_compact(q, &q->top);
        if (q->top.count)
            bucket_bounds(q, &q->top, &q->top_lo, &q->top_hi);
    }
    for (i = j = q->ihead; i < q->ilen; i++)
        if (key_keep(q, &q->inf[i]))
            q->inf[j++] = q->inf[i];
    q->ilen = j;
}

/* The slot of a pending event named by h, or NONE. */
static uint32_t handle_slot(const sim_queue_ladder_t *q, sim_handle_t h) {
    uint32_t low = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    uint32_t s;
    if (low == 0 || low > q->used)
        return NONE;
    s = low - 1u;
    if (q->slots[s].gen != gen || q->slots[s].link != LIVE)
        return NONE;
    return s;
}

/* ---- public interface ---- */

sim_queue_ladder_t *sim_queue_ladder_create(void) {
    sim_queue_ladder_t *q = sim_xcalloc(1, sizeof *q);
    q->top_bound = -INFINITY;
    bucket_reset(&q->top);
    q->cfree = NONE;
    q->free_head = NONE;
    return q;
}

void sim_queue_ladder_destroy(sim_queue_ladder_t *q) {
    uint32_t r;
    if (!q)
        return;
    for (r = 0; r < MAX_RUNGS; r++)
        free(q->rungs[r].b);
    free(q->front);
    free(q->inf);
    free(q->chunks);
    free(q->slots);
    free(q);
}

/* Writes the key of *ev, numbered seq, in slot s, to *to: field by field,
 * as the caller stored them (one wide copy of a struct just stored in
 * narrower pieces would wait for those stores to reach the cache). */
static void key_write(lkey_t *to, const sim_event_t *ev, uint64_t seq, uint32_t s) {
    to->ev.time_s = ev->time_s;
    to->ev.seq = seq;
    to->ev.type = ev->type;
    to->ev.a = ev->a;
    to->ev.b = ev->b;
    to->slot = s;
}

sim_handle_t sim_queue_ladder_push(sim_queue_ladder_t *q, const sim_event_t *ev) {
    double t = ev->time_s;
    uint64_t seq;
    uint32_t s, r;
    if (isnan(t))
        return 0;
    s = slot_take(q);
    q->slots[s].link = LIVE;
    seq = q->next_seq++;
    q->n++;
    if (t == INFINITY) {
        keys_reserve(&q->inf, &q->icap, q->ilen + 1u);
        key_write(&q->inf[q->ilen++], ev, seq, s);
    } else if (t > q->top_bound) {
        key_write(bucket_add(q, &q->top), ev, seq, s);
        if (q->top.count == 1u) {
            q->top_lo = q->top_hi = t;
        } else {
            q->top_lo = t < q->top_lo ? t : q->top_lo;
            q->top_hi = t > q->top_hi ? t : q->top_hi;
        }
        if (q->fhead == q->flen)
            refill(q);
    } else {
        lkey_t k;
        for (r = 0; r < q->nrungs; r++) {
            rung_t *rg = &q->rungs[r];
            uint32_t b = bucket_of(rg, t);
            if (b >= rg->next) {
                key_write(bucket_add(q, &rg->b[b]), ev, seq, s);
                return make_handle(s, q->slots[s].gen);
            }
        }
        key_write(&k, ev, seq, s);
        front_insert(q, &k);
    }
    return make_handle(s, q->slots[s].gen);
}

int sim_queue_ladder_pop(sim_queue_ladder_t *q, sim_event_t *out) {
    uint32_t s;
    if (q->fhead < q->flen) {
        const lkey_t *k = &q->front[q->fhead++];
        *out = k->ev;
        s = k->slot;
        if (q->fhead + PREFETCH_AHEAD < q->flen)
            prefetch_w(&q->slots[q->front[q->fhead + PREFETCH_AHEAD].slot]);
    } else if (q->ihead < q->ilen) {
        const lkey_t *k = &q->inf[q->ihead++];
        *out = k->ev;
        s = k->slot;
    } else {
        return SIM_ENOTFOUND;
    }
    q->slots[s].gen++;
    slot_free(q, s);
    q->n--;
    if (out->time_s == INFINITY)
        purge_inf(q);
    else
        purge_front(q);
    return SIM_OK;
}

const sim_event_t *sim_queue_ladder_peek(const sim_queue_ladder_t *q) {
    if (q->fhead < q->flen)
        return &q->front[q->fhead].ev;
    if (q->ihead < q->ilen)
        return &q->inf[q->ihead].ev;
    return NULL;
}

int sim_queue_ladder_cancel(sim_queue_ladder_t *q, sim_handle_t h) {
    uint32_t s = handle_slot(q, h);
    if (s == NONE)
        return SIM_ENOTFOUND;
    q->slots[s].gen++;
    q->slots[s].link = DEAD;
    q->n--;
    q->ndead++;
    /* The least finite or the least +inf event may be the one cancelled:
     * peek must not return it. */
    if (q->fhead < q->flen && q->front[q->fhead].slot == s)
        purge_front(q);
    else if (q->ihead < q->ilen && q->inf[q->ihead].slot == s)
        purge_inf(q);
    if (q->ndead > COMPACT_MIN && q->ndead > q->n)
        compact(q);
    return SIM_OK;
}

size_t sim_queue_ladder_size(const sim_queue_ladder_t *q) {
    return q->n;
}

/* ---- invariant checker ---- */

typedef struct check_state {
    const sim_queue_ladder_t *q;
    unsigned char *seen; /* per slot: referenced by a key already */
    uint32_t live, dead; /* keys of pending / cancelled events met */
    uint32_t chunks;     /* chunks met in buckets */
    int have_prev;       /* a key was met in an earlier container */
    lkey_t prev_max;     /* the greatest key of the earlier containers */
    int have_cur;
    lkey_t cur_min, cur_max; /* of the container being walked */
} check_state_t;

/* One stored key: it names a pending or cancelled slot, and is the only
 * key that does. */
static int check_key(check_state_t *st, const lkey_t *k) {
    const sim_queue_ladder_t *q = st->q;
    uint32_t link;
    if (k->slot >= q->used || st->seen[k->slot] || isnan(k->ev.time_s) ||
        k->ev.seq >= q->next_seq)
        return 0;
    link = q->slots[k->slot].link;
    if (link != LIVE && link != DEAD)
        return 0;
    st->seen[k->slot] = 1;
    if (link == LIVE)
        st->live++;
    else
        st->dead++;
    if (!st->have_cur || key_less(k, &st->cur_min))
        st->cur_min = *k;
    if (!st->have_cur || key_less(&st->cur_max, k))
        st->cur_max = *k;
    st->have_cur = 1;
    return 1;
}

/* Ends a container: everything in it follows everything before it. */
static int check_container_end(check_state_t *st) {
    if (!st->have_cur)
        return 1;
    if (st->have_prev && !key_less(&st->prev_max, &st->cur_min))
        return 0;
    st->prev_max = st->cur_max;
    st->have_prev = 1;
    st->have_cur = 0;
    return 1;
}

/* A key below rung `below` (in a finer rung or the front) was handed down
 * by every rung above: it maps before their `next`; and it is not in top. */
static int check_routed(const sim_queue_ladder_t *q, const lkey_t *k, uint32_t below) {
    uint32_t r;
    if (k->ev.time_s == INFINITY || !(k->ev.time_s <= q->top_bound))
        return 0;
    for (r = 0; r < below; r++)
        if (bucket_of(&q->rungs[r], k->ev.time_s) >= q->rungs[r].next)
            return 0;
    return 1;
}

/* A bucket: its chain (all chunks full but the tail), count, bounds, and
 * where its keys belong -- bucket b of rung ri, or top when ri is
 * MAX_RUNGS. */
static int check_bucket(check_state_t *st, const bucket_t *bk, uint32_t ri, uint32_t b) {
    const sim_queue_ladder_t *q = st->q;
    uint32_t c, count = 0, last = NONE, nchunks = 0;
    if ((bk->head == NONE) != (bk->tail == NONE) || (bk->head == NONE) != (bk->count == 0))
        return 0;
    for (c = bk->head; c != NONE; c = q->chunks[c].next) {
        const chunk_t *ch = &q->chunks[c];
        uint32_t i, n;
        if (c >= q->cused || ++nchunks > q->cused || (ch->next == NONE) != (c == bk->tail))
            return 0;
        n = chunk_fill(bk, c);
        for (i = 0; i < n; i++) {
            double t = ch->k[i].ev.time_s;
            if (!check_key(st, &ch->k[i]) ||
                (ri == MAX_RUNGS && (!(q->top_lo <= t) || !(t <= q->top_hi))))
                return 0;
            if (ri < MAX_RUNGS ? bucket_of(&q->rungs[ri], t) != b || !check_routed(q, &ch->k[i], ri)
                               : !(t > q->top_bound) || !isfinite(t))
                return 0;
        }
        count += n;
        last = c;
    }
    if (count != bk->count || last != bk->tail ||
        nchunks != (count + CHUNK_KEYS - 1u) / CHUNK_KEYS)
        return 0;
    st->chunks += nchunks;
    return check_container_end(st);
}

static int check_rung(check_state_t *st, uint32_t ri) {
    const rung_t *r = &st->q->rungs[ri];
    uint32_t b;
    if (!(isfinite(r->lo) && isfinite(r->hi) && r->hi > r->lo) || r->nb < 1 || r->nb > r->bcap ||
        r->next > r->nb || !(r->inv_width > 0) || !isfinite(r->inv_width))
        return 0;
    for (b = 0; b < r->nb; b++) {
        if (b < r->next && r->b[b].count != 0)
            return 0;
        if (!check_bucket(st, &r->b[b], ri, b))
            return 0;
    }
    return 1;
}

/* Front: sorted, its head pending; empty only when nothing finite is. */
static int check_front(check_state_t *st) {
    const sim_queue_ladder_t *q = st->q;
    for (uint32_t i = q->fhead; i < q->flen; i++) {
        if (!check_key(st, &q->front[i]) || !check_routed(q, &q->front[i], q->nrungs))
            return 0;
        if (i > q->fhead && !key_less(&q->front[i - 1u], &q->front[i]))
            return 0;
    }
    if (q->fhead < q->flen && q->slots[q->front[q->fhead].slot].link != LIVE)
        return 0;
    if (q->fhead == q->flen && (q->nrungs != 0 || q->top.count != 0))
        return 0;
    if (q->fhead < q->flen && q->nrungs > 0 && q->rungs[q->nrungs - 1u].next == 0)
        return 0; /* the front holds the last rung's current bucket */
    return check_container_end(st);
}

/* Rungs, finest first (the order they are consumed in), then top. */
static int check_rungs_and_top(check_state_t *st) {
    const sim_queue_ladder_t *q = st->q;
    for (uint32_t r = q->nrungs; r-- > 0;) {
        if (!check_rung(st, r))
            return 0;
        if (r + 1u < q->nrungs && q->rungs[r].next == 0)
            return 0; /* a rung with a rung below it handed a bucket down */
    }
    return check_bucket(st, &q->top, MAX_RUNGS, 0);
}

/* +inf, in seq order, head pending. */
static int check_inf(check_state_t *st) {
    const sim_queue_ladder_t *q = st->q;
    for (uint32_t i = q->ihead; i < q->ilen; i++) {
        if (!check_key(st, &q->inf[i]) || q->inf[i].ev.time_s != INFINITY)
            return 0;
        if (i > q->ihead && !(q->inf[i - 1u].ev.seq < q->inf[i].ev.seq))
            return 0;
    }
    if (q->ihead < q->ilen && q->slots[q->inf[q->ihead].slot].link != LIVE)
        return 0;
    return check_container_end(st);
}

/* Slots: every pending or cancelled slot has its key; the rest are free. */
static int check_slots(const check_state_t *st) {
    const sim_queue_ladder_t *q = st->q;
    uint32_t nlive = 0, ndead = 0, nfree = 0;
    for (uint32_t s = 0; s < q->used; s++) {
        if (q->slots[s].link == LIVE)
            nlive++;
        else if (q->slots[s].link == DEAD)
            ndead++;
    }
    if (nlive != q->n || ndead != q->ndead)
        return 0;
    for (uint32_t s = q->free_head; s != NONE; s = q->slots[s].link) {
        if (s >= q->used || st->seen[s] || nfree >= q->used - q->n - q->ndead)
            return 0;
        nfree++;
    }
    return nfree == q->used - q->n - q->ndead;
}

/* Chunks: in a bucket or free, nothing lost. */
static int check_chunks(const check_state_t *st) {
    const sim_queue_ladder_t *q = st->q;
    uint32_t nfree = 0;
    for (uint32_t i = q->cfree; i != NONE; i = q->chunks[i].next)
        if (i >= q->cused || ++nfree > q->cused)
            return 0;
    return nfree + st->chunks == q->cused;
}

int sim_queue_ladder_check(const sim_queue_ladder_t *q) {
    check_state_t st;
    memset(&st, 0, sizeof st);
    st.q = q;
    st.seen = sim_xcalloc(q->used ? q->used : 1u, 1);
    int ok = !(q->fhead > q->flen || q->flen > q->fcap || q->ihead > q->ilen ||
               q->ilen > q->icap || q->nrungs > MAX_RUNGS || isnan(q->top_bound) ||
               q->used > q->cap || q->cused > q->ccap) &&
             check_front(&st) && check_rungs_and_top(&st) && check_inf(&st) &&
             st.live == q->n && st.dead == q->ndead && check_slots(&st) && check_chunks(&st);
    free(st.seen);
    return ok;
}
