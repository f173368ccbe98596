/*
 * backends.c -- shared backends with limited capacity that proxies call
 * when they start, their overload, and the callers' retries.
 *
 * Model (docs/model.md, "Shared backends")
 *   A proxy with a `backend` is not back in service when its restart (or
 *   repair) ends: it boots, and the boot makes calls to the backend until
 *   one succeeds.  A call sends R = requests_per_start requests and lasts
 *   T = timeout_s; while it lasts it offers R / T requests/s.  At the end
 *   of the call, with O the requests every caller offered the backend
 *   during [t - T, t] (the integral of the offered rate, its own R
 *   included) and C T what the backend serves in that time,
 *
 *       P(success) = min(1, C T / O)^e,     e = waste_exponent
 *
 *   e = 1 is a backend that serves its capacity whatever the load; e = 2
 *   (default) is congestion collapse: under overload a share 1 - C T / O
 *   of its work goes to requests whose calls time out anyway, so goodput
 *   falls as C^2 / offered.  A failed call waits by the proxy's `retry`
 *   policy (immediate: 0; fixed: retry_interval_s; exponential:
 *   min(cap, base * 2^(k-1)) after the k-th failure), with `retry_jitter`
 *   a keyed uniform share of that wait, then calls again.
 *
 * Boot state machine (per server s, proxy p with a backend):
 *
 *      IDLE --boot (restart end, repair)--> CALLING (call k = 1 begins)
 *      CALLING --call end, u < P--> IDLE (started: back in service)
 *      CALLING --call end, u >= P, wait 0--> CALLING (call k + 1)
 *      CALLING --call end, u >= P, wait > 0--> WAITING
 *      WAITING --retry event--> CALLING (call k + 1)
 *      CALLING, WAITING --a restart begins--> IDLE (cancelled; boots again
 *                                             when that restart ends)
 *
 *   | state   | boot    | call end: success | call end: fail | retry   | restart begins |
 *   |---------|---------|-------------------|----------------|---------|----------------|
 *   | IDLE    | CALLING | -                 | -              | -       | IDLE           |
 *   | CALLING | -       | IDLE              | CALLING/WAITING| -       | IDLE           |
 *   | WAITING | -       | -                 | -              | CALLING | IDLE           |
 *
 *   A non-IDLE pair is out of service and not failing (fleet.c's sp_apply
 *   asks backends_booting).  Events carry the boot number: a call end or
 *   retry of a cancelled boot is stale and ignored.
 *
 * Invariants (backends_check, O(servers x proxies)): states are BK_*;
 *   only proxies with a backend leave IDLE, and only while not restarting;
 *   every non-IDLE pair is counted out of service by the fleet; the calls
 *   in flight per (backend, proxy) and the booting count equal the per-pair
 *   states.
 *
 * Random numbers: the success uniform and the jitter uniform of a call
 *   are hashes keyed by (server, proxy, boot, call), so a strategy that
 *   changes the retry policy or the capacity compares each call with the
 *   same uniform (common random numbers).
 *
 * Complexity: O(1) per call end and retry (the offered rate is summed over
 *   at most 8 proxies); memory O(servers x proxies) only when some proxy
 *   has a backend, else nothing is allocated and no event is scheduled.
 *
 * Rejected alternatives: a fluid of starters per region (the issue asks
 *   for per-server jitter and per-server recovery, and a herd of 10^4
 *   servers is cheap as individuals); a queue with explicit timeouts
 *   (more state and no closed form for the herd; the waste exponent keeps
 *   the collapse and gives the recurrence of docs/model.md); the success
 *   share judged at the call's start (calls starting together would not
 *   see each other).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "sim_alloc.h"
#include "world_int.h"

/* The backend of proxy p, or -1.  Guarded: a scenario built by hand with
 * calloc has backend 0 and no backends. */
static int32_t proxy_backend(const world_t *w, uint32_t p)
{
    int32_t b = w->s->proxies[p].backend;
    return b >= 0 && (size_t)b < w->s->nbackends ? b : -1;
}

void backends_init(world_t *w)
{
    backends_t *bk = &w->bk;
    int any = 0;
    bk->last_start_s = NAN;
    for (uint32_t p = 0; p < w->nprox; p++)
        any |= proxy_backend(w, p) >= 0;
    if (!any || w->nserv == 0)
        return;
    size_t n = (size_t)w->nserv * w->nprox, nb = w->s->nbackends;
    bk->sp_state = sim_xcalloc(n, 1);
    bk->sp_boot = sim_xcalloc(n, sizeof *bk->sp_boot);
    bk->sp_call = sim_xcalloc(n, sizeof *bk->sp_call);
    bk->sp_cum0 = sim_xcalloc(n, sizeof *bk->sp_cum0);
    bk->n_calling = sim_xcalloc(nb * w->nprox, sizeof *bk->n_calling);
    bk->cum_req = sim_xcalloc(nb, sizeof *bk->cum_req);
    bk->last_t = sim_xcalloc(nb, sizeof *bk->last_t);
}

void backends_fini(world_t *w)
{
    backends_t *bk = &w->bk;
    free(bk->sp_state);
    free(bk->sp_boot);
    free(bk->sp_call);
    free(bk->sp_cum0);
    free(bk->n_calling);
    free(bk->cum_req);
    free(bk->last_t);
    bk->sp_state = NULL;
}

/* Requests/s offered to backend b now: its calls in flight. */
static double offered_rps(const world_t *w, size_t b)
{
    double rps = 0.0;
    for (uint32_t p = 0; p < w->nprox; p++)
        rps += w->bk.n_calling[b * w->nprox + p] * w->s->proxies[p].requests_per_start;
    return rps / w->s->backends[b].timeout_s;
}

/* Integrates the offered rate of backend b up to now. */
static void advance(world_t *w, size_t b, double now)
{
    backends_t *bk = &w->bk;
    bk->cum_req[b] += offered_rps(w, b) * (now - bk->last_t[b]);
    bk->last_t[b] = now;
}

/* Key of (server, proxy, boot): the calls of one boot are keyed below it. */
static uint64_t boot_key(const world_t *w, uint32_t srv, uint32_t p)
{
    size_t i = (size_t)srv * w->nprox + p;
    uint64_t who = sim_rng_key2(world_server_key(w, srv), w->fleet.prox_key[p]);
    return sim_rng_key2(who, w->bk.sp_boot[i]);
}

static void call_begin(world_t *w, uint32_t srv, uint32_t p)
{
    backends_t *bk = &w->bk;
    size_t i = (size_t)srv * w->nprox + p;
    size_t b = (size_t)proxy_backend(w, p);
    double now = sim_now(w->sim);
    advance(w, b, now);
    bk->n_calling[b * w->nprox + p]++;
    bk->sp_state[i] = BK_CALLING;
    bk->sp_call[i]++;
    bk->sp_cum0[i] = bk->cum_req[b];
    sim_schedule_in(w->sim, w->s->backends[b].timeout_s, w->ev_bk_call_end, srv,
                    ((uint64_t)bk->sp_boot[i] << 8) | p);
}

void backends_boot(world_t *w, uint32_t srv, uint32_t p)
{
    backends_t *bk = &w->bk;
    if (bk->sp_state == NULL || proxy_backend(w, p) < 0)
        return;
    size_t i = (size_t)srv * w->nprox + p;
    assert(bk->sp_state[i] == BK_IDLE);
    bk->sp_boot[i]++;
    bk->sp_call[i] = 0;
    bk->booting++;
    call_begin(w, srv, p);
}

void backends_cancel(world_t *w, uint32_t srv, uint32_t p)
{
    backends_t *bk = &w->bk;
    size_t i = (size_t)srv * w->nprox + p;
    if (bk->sp_state == NULL || bk->sp_state[i] == BK_IDLE)
        return;
    if (bk->sp_state[i] == BK_CALLING) {
        size_t b = (size_t)proxy_backend(w, p);
        advance(w, b, sim_now(w->sim));
        bk->n_calling[b * w->nprox + p]--;
    }
    bk->sp_state[i] = BK_IDLE;
    bk->sp_boot[i]++; /* its pending call end or retry is stale now */
    bk->booting--;
}

/* The wait after the k-th failed call of a boot, s. */
static double retry_wait(const world_t *w, uint32_t p, uint64_t boot, uint32_t k)
{
    const cdn_proxy_spec_t *px = &w->s->proxies[p];
    double wait = 0.0;
    if (px->retry == CDN_RETRY_FIXED)
        wait = px->retry_interval_s;
    else if (px->retry == CDN_RETRY_EXPONENTIAL)
        wait = fmin(px->retry_cap_s, ldexp(px->retry_base_s, (int)(k < 64 ? k - 1 : 63)));
    if (px->retry_jitter && wait > 0)
        wait *= world_keyed_u01(w, RNG_BACKEND_JITTER, sim_rng_key2(boot, k));
    return wait;
}

/* A stale event (its boot was cancelled) or the pair's (server, proxy). */
static int event_pair(const world_t *w, const sim_event_t *ev, uint8_t state, uint32_t *p)
{
    *p = (uint32_t)(ev->b & 0xffu);
    size_t i = (size_t)ev->a * w->nprox + *p;
    return w->bk.sp_boot[i] == (uint32_t)(ev->b >> 8) && w->bk.sp_state[i] == state;
}

void backends_on_call_end(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    backends_t *bk = &w->bk;
    uint32_t srv = ev->a, p;
    if (!event_pair(w, ev, BK_CALLING, &p))
        return;
    size_t i = (size_t)srv * w->nprox + p;
    size_t b = (size_t)proxy_backend(w, p);
    const cdn_backend_spec_t *be = &w->s->backends[b];
    double now = sim_now(sim);
    advance(w, b, now);
    bk->n_calling[b * w->nprox + p]--;
    double offered = bk->cum_req[b] - bk->sp_cum0[i];
    double served = be->capacity_rps * be->timeout_s;
    double ps = offered <= served ? 1.0 : pow(served / offered, be->waste_exponent);
    uint64_t boot = boot_key(w, srv, p);
    uint32_t k = bk->sp_call[i];
    if (world_keyed_u01(w, RNG_BACKEND_CALL, sim_rng_key2(boot, k)) < ps) {
        bk->sp_state[i] = BK_IDLE;
        bk->booting--;
        bk->last_start_s = now;
        fleet_reevaluate(w, srv); /* back in service: pulls what it missed */
        propagate_change(w, PROPAGATE_REGION, w->fleet.srv_region[srv]);
        return;
    }
    double wait = retry_wait(w, p, boot, k);
    if (wait > 0) {
        bk->sp_state[i] = BK_WAITING;
        sim_schedule_in(sim, wait, w->ev_bk_retry, srv, ev->b);
    } else {
        call_begin(w, srv, p);
    }
}

void backends_on_retry(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    uint32_t p;
    (void)sim;
    if (event_pair(w, ev, BK_WAITING, &p))
        call_begin(w, ev->a, p);
}

int backends_check(const world_t *w)
{
    const backends_t *bk = &w->bk;
    if (bk->sp_state == NULL)
        return bk->booting == 0;
    size_t nb = w->s->nbackends;
    uint32_t *calling = sim_xcalloc(nb * w->nprox + 1, sizeof *calling);
    uint32_t booting = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < (size_t)w->nserv * w->nprox; i++) {
        uint8_t st = bk->sp_state[i];
        uint32_t p = (uint32_t)(i % w->nprox);
        if (st == BK_IDLE)
            continue;
        int32_t b = proxy_backend(w, p);
        ok = st <= BK_WAITING && b >= 0 && w->fleet.sp_rest[i] == 0 && w->fleet.sp_counted_out[i];
        if (ok && st == BK_CALLING)
            calling[(size_t)b * w->nprox + p]++;
        booting++;
    }
    for (size_t k = 0; ok && k < nb * w->nprox; k++)
        ok = calling[k] == bk->n_calling[k];
    free(calling);
    return ok && booting == bk->booting;
}
