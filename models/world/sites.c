/*
 * sites.c -- the dependent sites: cohorts of identical exposure, their
 * downtime, and the DNS failover machine of sites with a second CDN.
 *
 * Data structure
 *   Sites are generated once (plan, proxy version, features, failover
 *   class, heavy-tailed popularity) and aggregated into
 *   cohorts of identical exposure: (plan, proxy, bot management on,
 *   bot-block rules on, scope features, failover class), index
 *   c = ((((plan * P + proxy) * 2 + bm) * 2 + rules) * F + fb) * 3 + fc,
 *   then one cohort per named site.  Of the other customer features only
 *   those that scope some proxy's effect (nsfeat <= 4, F = 2^nsfeat, fb
 *   bit j: the site has feature sfeat[j]) split cohorts: a feature no
 *   effect looks at changes no rate.  Without scope features F = 1 and the
 *   layout is the one before features existed.  All sites of a cohort are served by
 *   the same fleet and have the same failover timers, so they see the same
 *   served share and are down (or failed over) as a whole: the
 *   aggregation is exact for the mechanisms modelled here.  A cohort's
 *   served share is the offered-weighted mean of its per-region served
 *   shares (traffic.c keeps the sums), weighted also by where its users
 *   are when plans declare regions (coh_dist: its plan, or its named
 *   site's own distribution); a named site also multiplies in the
 *   services and earlier named sites it needs.
 *
 * Random draws (common random numbers, sim_rng.h's keying rule)
 *   How many sites each plan has is one multinomial (RNG_SITES); each
 *   plan's sites then draw from the plan's own stream (RNG_SITE_ATTRS,
 *   keyed by the plan's name) five uniforms each, always, in a fixed
 *   order, and each attribute compares its own uniform with its own
 *   fraction.  So a strategy that changes failover_frac,
 *   bot_management_frac or dns_on_provider_frac changes that attribute
 *   for some sites and nothing else: no other site gets another proxy.
 *   Each scope feature f has a stream of its own (RNG_SITE_FEATURE, keyed
 *   by plan and feature name), one uniform per site in site order: adding
 *   a feature, or scoping an effect to one, leaves every other draw as it
 *   was, and the bot features keep their uniforms of RNG_SITE_ATTRS.
 *
 * Exact sums
 *   A site's traffic weight is rounded once to a multiple of 2^-58
 *   (SITES_Q_ONE; relative error below 1e-9 for the least popular of ten
 *   million sites at Zipf exponent 1.1) and summed in integers.  A cohort
 *   whose weight rounds to 0 (below 2^-59 of all traffic: only with steep
 *   exponents, for sites nobody visits) is treated like an empty one:
 *   never counted down.  The three failover classes of
 *   one exposure form a group; traffic.c computes rates per group from the
 *   group's exact integer sums.  So splitting a cohort into failover
 *   classes that behave alike (failover that never completes) gives the
 *   same floating-point numbers to the last bit, not merely the same up to
 *   rounding -- the inert-overlay test of `compare` relies on it.
 *   Rejected: double weights summed per cohort (a + b for two halves of a
 *   cohort differs from the whole in its last bits, and paired differences
 *   of inert strategies came out 1e-13 instead of 0).
 *
 * Failover machine (per cohort with a second CDN; class 1 own DNS,
 *   class 2 DNS hosted on this CDN; "down": served share below
 *   sites.down_threshold; table also in docs/model.md):
 *
 *      NORMAL --down--> DETECTING (timer failover_detect_s)
 *      DETECTING --up--> NORMAL
 *      DETECTING --timer, class 2 and control plane < 0.5--> WAITING_CP
 *      DETECTING --timer, otherwise--> SWITCHING (timer dns_ttl_s)
 *      WAITING_CP --up--> NORMAL
 *      WAITING_CP --control plane >= 0.5--> DETECTING (checks again)
 *      SWITCHING --timer--> FAILED_OVER (traffic moves to the second CDN)
 *      FAILED_OVER --up--> FAILBACK_PENDING (timer failback_s)
 *      FAILBACK_PENDING --down--> FAILED_OVER
 *      FAILBACK_PENDING --timer--> NORMAL (traffic comes back)
 *
 *   | state            | down        | up               | timer             |
 *   |------------------|-------------|------------------|-------------------|
 *   | NORMAL           | DETECTING   | -                | (stale)           |
 *   | DETECTING        | -           | NORMAL           | WAITING_CP or     |
 *   |                  |             |                  | SWITCHING         |
 *   | WAITING_CP       | DETECTING   | NORMAL           | (none set)        |
 *   |                  | if cp is up |                  |                   |
 *   | SWITCHING        | -           | -                | FAILED_OVER       |
 *   | FAILED_OVER      | -           | FAILBACK_PENDING | (stale)           |
 *   | FAILBACK_PENDING | FAILED_OVER | -                | NORMAL            |
 *
 *   Timers carry a token; every state change that must void the pending
 *   timer bumps it (coh_fo_token), so a stale timer does nothing.  The
 *   health transitions are taken in sites_update (fo_observe), the timed
 *   ones in sites_on_failover.
 *   Invariants (sites_failover_check): a cohort without a second CDN stays
 *   NORMAL; only class 2 waits for the control plane; a cohort served
 *   elsewhere has failed over at some time and is not down; a down cohort
 *   has been down; sites_fo counts the sites served elsewhere.
 *
 * Cache
 *   Generating a million sites is a third of a run of the reference
 *   scenario, and the arms of a comparison mostly generate the very same
 *   sites: the draws depend on (seed, replication) and on the plan values
 *   that build_sites reads.  With a cdn_world_cache_t (one per thread of
 *   `compare`/`sweep`, which hand a thread the arms of a replication one
 *   after another) the cohort sums of the last few generations (four)
 *   are kept with the scenario that made them; a run of the same (seed, replication)
 *   whose scenario has the same values (same_site_inputs, compared
 *   exactly) copies them instead of generating.  A strategy that changes
 *   one of them (failover_frac, say) generates its own.  Rejected: a key
 *   hashed from the values (a collision would be silent), and caching
 *   across replications (nothing is shared: the draws differ).
 *
 * Complexity: sites_update O(cohorts + named-site dependencies); site
 *   generation O(sites) once per run, or O(cohorts + plans) from the cache.
 *
 * Unchanged cohorts (sites_update)
 *   sites_update runs after every propagation (a comparison: ~6,000 per
 *   run); it moves the served share of many cohorts but rarely across the
 *   down threshold.  A cohort whose health (served < down_threshold) and
 *   failover state are what the last look left, and that does not wait
 *   for the control plane, is skipped but for its counts (and, for a named
 *   site, the share others see): fo_observe with the same health is a
 *   no-op in every state the last look can have left (each transition the
 *   table above takes on "down" leads to a state with nothing to do on
 *   "down", likewise "up"), and so are is_down and its interval; nothing
 *   else reads the share.  WAITING_CP also reads the control plane, so it
 *   is always looked at; a timer that moves a cohort marks it
 *   (coh_seen_fo = FO_COUNT).  Same results.  The loop's own
 *   instructions in a 9 x 2 comparison (callgrind, non-LTO build, issue
 *   14): 627 M looking at every cohort, 556 M skipping an unchanged share,
 *   463 M with the health test.
 *   Rejected, both because a region update moves the share of about half
 *   the cohorts, so most of the looks stay: a bitmap of the cohorts the
 *   rate pass changed, with running site counts (the marking cost the rate
 *   pass +113 M, the looks saved -55 M); the same per group of three
 *   cohorts (world_group), skipping a group nothing marked with its counts
 *   of the last look (+69 M in the rate pass and a look still for 59 of
 *   ~300 cohorts per call: 659 M against 463 M).
 *
 * Rejected alternatives: per-site state (ten million sites; cohorts are
 *   exact while sites of a cohort behave alike); one timer event per site.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim_alloc.h"
#include "world_int.h"

static int control_plane_ok(const world_t *w)
{
    int32_t cp = w->s->sites.control_plane_service;
    return cp < 0 || w->svc.avail[cp] >= 0.5;
}

static void fo_timer(world_t *w, size_t c, uint8_t state, double delay_s)
{
    w->sites.coh_fo[c] = state;
    sim_schedule_in(w->sim, delay_s, w->ev_failover, (uint32_t)c, ++w->sites.coh_fo_token[c]);
}

/* Failover transitions that follow from the primary's health (the timed
 * ones are in sites_on_failover).  Machine drawn above. */
static void fo_observe(world_t *w, size_t c, int primary_down)
{
    const cdn_plan_spec_t *pl = &w->s->sites.plans[w->sites.coh_plan[c]];
    switch (w->sites.coh_fo[c]) {
    case FO_NORMAL:
        if (primary_down)
            fo_timer(w, c, FO_DETECTING, pl->failover_detect_s);
        break;
    case FO_DETECTING:
        if (!primary_down) {
            w->sites.coh_fo[c] = FO_NORMAL;
            w->sites.coh_fo_token[c]++;
        }
        break;
    case FO_WAITING_CP:
        /* the control plane is back: the customer logs in, checks again
         * and changes the records (one more detection delay) */
        if (!primary_down)
            w->sites.coh_fo[c] = FO_NORMAL;
        else if (control_plane_ok(w))
            fo_timer(w, c, FO_DETECTING, pl->failover_detect_s);
        break;
    case FO_FAILED_OVER:
        if (!primary_down)
            fo_timer(w, c, FO_FAILBACK_PENDING, pl->failback_s);
        break;
    case FO_FAILBACK_PENDING:
        if (primary_down) {
            w->sites.coh_fo[c] = FO_FAILED_OVER;
            w->sites.coh_fo_token[c]++;
        }
        break;
    default: /* FO_SWITCHING: the TTL runs regardless */
        break;
    }
}

/* Cohort c's served share, as its sites' users see it: of its users'
 * requests, and for a named site times the services and earlier named
 * sites it needs. */
static inline double cohort_served(const world_t *w, size_t c)
{
    double total = w->traffic.mix ? w->traffic.dist_offered[w->sites.coh_dist[c]]
                                  : w->traffic.total_offered; /* its users' requests */
    double served = total > 0 ? w->traffic.coh_acc[c] / total : 1.0;
    if (c >= w->ncoh_base) { /* a named site also needs services and earlier sites */
        const cdn_named_site_spec_t *ns = &w->s->sites.named[c - w->ncoh_base];
        for (size_t d = 0; d < ns->ndeps; d++)
            served *= w->svc.avail[ns->deps[d]];
        for (size_t d = 0; d < ns->nsite_deps; d++)
            served *= w->sites.named_served[ns->site_deps[d]];
    }
    return served;
}

/* A look at cohort c with this health: its failover machine, whether it
 * is down and since when, and what the look left ("Unchanged cohorts"). */
static inline void cohort_look(world_t *w, size_t c, int primary_down, double t)
{
    sites_t *st = &w->sites;
    if (st->coh_fc[c])
        fo_observe(w, c, primary_down);
    uint8_t is_down = primary_down && !sites_served_elsewhere(st->coh_fo[c]);
    if (is_down && !st->coh_down[c])
        st->coh_down_since[c] = t;
    else if (!is_down && st->coh_down[c])
        st->coh_down_s[c] += t - st->coh_down_since[c];
    st->coh_down[c] = is_down;
    if (is_down)
        st->coh_ever_down[c] = 1;
    st->coh_seen_down[c] = (uint8_t)primary_down;
    st->coh_seen_fo[c] = st->coh_fo[c];
}

void sites_update(world_t *w, double t)
{
    sites_t *st = &w->sites;
    uint64_t down = 0, fo_sites = 0;
    for (size_t i = 0; i < st->nlive; i++) { /* cohorts with sites; the others are never down */
        size_t c = st->coh_live[i];
        double served = cohort_served(w, c);
        int primary_down = served < w->s->sites.down_threshold;
        if (primary_down != st->coh_seen_down[c] || st->coh_fo[c] != st->coh_seen_fo[c] ||
            st->coh_fo[c] == FO_WAITING_CP) /* else a look is a no-op ("Unchanged cohorts") */
            cohort_look(w, c, primary_down, t);
        int elsewhere = sites_served_elsewhere(st->coh_fo[c]);
        if (c >= w->ncoh_base) /* what sites that need this one see */
            st->named_served[c - w->ncoh_base] = elsewhere ? 1.0 : served;
        if (elsewhere)
            fo_sites += st->coh_sites[c];
        if (st->coh_down[c])
            down += st->coh_sites[c];
    }
    if (down != st->sites_down) {
        st->sites_down = down;
        sim_recorder_set(w->rec, w->series_sites, t, (double)down);
    }
    if (fo_sites != st->sites_fo) {
        st->sites_fo = fo_sites;
        sim_recorder_set(w->rec, w->series_fo, t, (double)fo_sites);
    }
    assert(sites_failover_check(w));
}

/* Timed failover transitions (the others are in fo_observe). */
void sites_on_failover(sim_t *sim, const sim_event_t *ev, void *ctx)
{
    world_t *w = ctx;
    (void)sim;
    size_t c = ev->a;
    if (ev->b != w->sites.coh_fo_token[c])
        return; /* the state moved on since this timer was set */
    w->sites.coh_seen_fo[c] = FO_COUNT; /* sites_update looks at it again */
    const cdn_plan_spec_t *pl = &w->s->sites.plans[w->sites.coh_plan[c]];
    cdn_event_rec_t e = world_blank_event();
    e.plan = (int32_t)w->sites.coh_plan[c];
    e.proxy = (int32_t)w->sites.coh_proxy[c];
    e.count = (double)w->sites.coh_sites[c];
    switch (w->sites.coh_fo[c]) {
    case FO_DETECTING:
        if (w->sites.coh_fc[c] == 2 && !control_plane_ok(w))
            w->sites.coh_fo[c] = FO_WAITING_CP; /* fo_observe goes on when the control plane is back */
        else
            fo_timer(w, c, FO_SWITCHING, pl->dns_ttl_s);
        break;
    case FO_SWITCHING:
        w->sites.coh_fo[c] = FO_FAILED_OVER;
        w->traffic.grp_stale = 1; /* served elsewhere now (traffic.c, group_weights_all) */
        w->sites.coh_ever_fo[c] = 1;
        world_log_event(w, CDN_EV_SITES_FAILED_OVER, e);
        propagate_change(w, PROPAGATE_ALL, 0);
        break;
    case FO_FAILBACK_PENDING:
        w->sites.coh_fo[c] = FO_NORMAL;
        w->traffic.grp_stale = 1; /* served here again */
        world_log_event(w, CDN_EV_SITES_FAILED_BACK, e);
        propagate_change(w, PROPAGATE_ALL, 0);
        break;
    default:
        break;
    }
}

/* Popularity weight of rank k: k^-s (pow is the costliest part of
 * generating ten million sites, so the common exponent 1 is a division). */
static double zipf_weight(uint32_t k, double s)
{
    return s == 1.0 ? 1.0 / (double)k : pow((double)k, -s);
}

/* The attributes of one generic site, from its five uniforms and one per
 * scope feature. */
typedef struct site_draw {
    double u[5];           /* proxy, bot management, block rules, second CDN, DNS on provider */
    double f[CDN_MAX_SCOPE_FEATURES]; /* scope feature j (sites.sfeat[j]) */
} site_draw_t;

/* Cohort of a site of plan pl with uniforms d: each attribute compares its
 * own uniform with its own probability, so changing one fraction changes
 * that attribute alone, and monotonically (a larger failover_frac adds
 * sites to failover and removes none). */
static size_t site_cohort(const world_t *w, size_t pl, const cdn_plan_spec_t *plan,
                          const double *cum, double acc, const site_draw_t *d)
{
    double u = d->u[0] * acc;
    size_t p = 0;
    while (p + 1 < w->nprox && u >= cum[p])
        p++;
    size_t bm = d->u[1] < plan->bot_management_frac;
    size_t rules = bm && d->u[2] < plan->bot_block_rules_frac;
    size_t fc = 0;
    if (d->u[3] < plan->failover_frac)
        fc = d->u[4] < plan->dns_on_provider_frac ? 2 : 1;
    size_t fb = 0;
    for (size_t j = 0; j < w->sites.nsfeat; j++)
        fb |= (size_t)(d->f[j] < plan->feature_frac[w->sites.sfeat[j]]) << j;
    return ((((pl * w->nprox + p) * 2 + bm) * 2 + rules) * ((size_t)1 << w->sites.nsfeat) + fb) * 3 + fc;
}

/* Sites are weighed and drawn in blocks: the weights of a block first
 * (divisions with no call between them, so they overlap in the pipeline),
 * then its draws.  Each site's weight and draws are those of one loop. */
#define SITES_BLOCK 256

/* The generic sites of plan pl (n of them, `generic` traffic share):
 * the k-th site has popularity k^-s, normalised to the plan's share, and
 * takes five uniforms, in order, from the plan's own stream (keyed by the
 * plan's name) whatever the plan's fractions are: site k's draws are the
 * same in every arm of a comparison. */
static void build_plan_sites(world_t *w, size_t pl, uint32_t n, double generic)
{
    const cdn_sites_spec_t *ss = &w->s->sites;
    const cdn_plan_spec_t *plan = &ss->plans[pl];
    double h = 0;
    for (uint32_t k = 1; k <= n; k++)
        h += zipf_weight(k, ss->zipf_exponent);
    double cum[CDN_MAX_PROXIES];
    double acc = 0;
    for (size_t p = 0; p < w->nprox; p++) {
        acc += plan->proxy_mix[p];
        cum[p] = acc;
    }
    sim_rng_t rng, frng[CDN_MAX_SCOPE_FEATURES];
    uint64_t pkey = sim_rng_key(plan->name);
    sim_rng_init(&rng, w->seed, w->replication, RNG_SITE_ATTRS, pkey);
    for (size_t j = 0; j < w->sites.nsfeat; j++)
        sim_rng_init(&frng[j], w->seed, w->replication, RNG_SITE_FEATURE,
                     sim_rng_key2(pkey, sim_rng_key(ss->features[w->sites.sfeat[j]])));
    uint64_t q[SITES_BLOCK];
    for (uint64_t k0 = 1; k0 <= n; k0 += SITES_BLOCK) {
        size_t m = (uint64_t)n + 1 - k0 < SITES_BLOCK ? (size_t)((uint64_t)n + 1 - k0) : SITES_BLOCK;
        for (size_t i = 0; i < m; i++) {
            double wt = generic * zipf_weight((uint32_t)(k0 + i), ss->zipf_exponent) / h;
            q[i] = (uint64_t)(wt * SITES_Q_ONE + 0.5);
        }
        for (size_t i = 0; i < m; i++) {
            site_draw_t d;
            for (size_t j = 0; j < 5; j++)
                d.u[j] = sim_rng_uniform(&rng);
            for (size_t j = 0; j < w->sites.nsfeat; j++)
                d.f[j] = sim_rng_uniform(&frng[j]);
            size_t c = site_cohort(w, pl, plan, cum, acc, &d);
            w->sites.coh_q[c] += q[i];
            w->sites.coh_sites[c]++;
        }
    }
    for (size_t j = 0; j < w->sites.nsfeat; j++)
        sim_rng_fini(&frng[j]);
    sim_rng_fini(&rng);
}

/* Plans p and q give the same sites (see same_site_inputs). */
static int same_plan(const cdn_plan_spec_t *p, const cdn_plan_spec_t *q, size_t nprox, size_t nfeat)
{
    if (strcmp(p->name, q->name) != 0 || p->site_share != q->site_share ||
        p->traffic_share != q->traffic_share || p->bot_management_frac != q->bot_management_frac ||
        p->bot_block_rules_frac != q->bot_block_rules_frac || p->failover_frac != q->failover_frac ||
        p->dns_on_provider_frac != q->dns_on_provider_frac)
        return 0;
    for (size_t k = 0; k < nprox; k++)
        if (p->proxy_mix[k] != q->proxy_mix[k])
            return 0;
    for (size_t f = 0; f < nfeat; f++)
        if (p->feature_frac[f] != q->feature_frac[f])
            return 0;
    return 1;
}

/* The features drawn (those that scope an effect, in proxy order) and the
 * names that key their streams. */
static int same_features(const cdn_scenario_t *a, const cdn_scenario_t *b)
{
    const cdn_sites_spec_t *x = &a->sites, *y = &b->sites;
    if (x->nfeatures != y->nfeatures)
        return 0;
    for (size_t f = 0; f < x->nfeatures; f++)
        if (strcmp(x->features[f], y->features[f]) != 0)
            return 0;
    for (size_t k = 0; k < a->nproxies; k++)
        if (a->proxies[k].scope_feature != b->proxies[k].scope_feature ||
            a->proxies[k].scope != b->proxies[k].scope)
            return 0;
    return 1;
}

/* 1 when scenarios a and b generate the same sites for one (seed,
 * replication): every value that build_sites and build_plan_sites read is
 * equal (doubles compared exactly).  A change to what they read must be
 * mirrored here, or the cache would serve stale sites. */
static int same_site_inputs(const cdn_scenario_t *a, const cdn_scenario_t *b)
{
    const cdn_sites_spec_t *x = &a->sites, *y = &b->sites;
    if (a == b)
        return 1;
    if (a->nproxies != b->nproxies || x->count != y->count || x->zipf_exponent != y->zipf_exponent ||
        x->nplans != y->nplans || x->nnamed != y->nnamed || !same_features(a, b))
        return 0;
    for (size_t i = 0; i < x->nplans; i++)
        if (!same_plan(&x->plans[i], &y->plans[i], a->nproxies, x->nfeatures))
            return 0;
    for (size_t i = 0; i < x->nnamed; i++)
        if (x->named[i].plan != y->named[i].plan ||
            x->named[i].traffic_share != y->named[i].traffic_share)
            return 0;
    return 1;
}

/* The cohort sums from the cache, if it holds this run's sites. */
static int cache_lookup(world_t *w)
{
    cdn_world_cache_t *c = w->cache;
    if (c == NULL)
        return 0;
    for (size_t k = 0; k < WORLD_CACHE_WAYS; k++) {
        const world_cache_entry_t *e = &c->way[k];
        if (e->s == NULL || e->seed != w->seed || e->replication != w->replication ||
            e->ncoh != w->ncoh || !same_site_inputs(e->s, w->s))
            continue;
        memcpy(w->sites.coh_q, e->coh_q, w->ncoh * sizeof *e->coh_q);
        memcpy(w->sites.coh_sites, e->coh_sites, w->ncoh * sizeof *e->coh_sites);
        c->hits++;
        return 1;
    }
    return 0;
}

/* Into the oldest way (entries of other replications are never used
 * again, so they go first in a thread that runs replications in turn). */
static void cache_store(world_t *w)
{
    cdn_world_cache_t *c = w->cache;
    if (c == NULL)
        return;
    world_cache_entry_t *e = &c->way[c->next];
    c->next = (c->next + 1) % WORLD_CACHE_WAYS;
    if (e->ncoh != w->ncoh || e->coh_q == NULL) {
        e->coh_q = sim_xrealloc(e->coh_q, (w->ncoh ? w->ncoh : 1) * sizeof *e->coh_q);
        e->coh_sites = sim_xrealloc(e->coh_sites, (w->ncoh ? w->ncoh : 1) * sizeof *e->coh_sites);
        e->ncoh = w->ncoh;
    }
    memcpy(e->coh_q, w->sites.coh_q, w->ncoh * sizeof *e->coh_q);
    memcpy(e->coh_sites, w->sites.coh_sites, w->ncoh * sizeof *e->coh_sites);
    e->s = w->s;
    e->seed = w->seed;
    e->replication = w->replication;
    c->misses++;
}

/* Sites: plan counts are multinomial (RNG_SITES); then each plan's
 * generic sites (build_plan_sites); the sums land in cohorts. */
static void generate_sites(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    const cdn_sites_spec_t *ss = &s->sites;
    sim_rng_t rng;
    sim_rng_init(&rng, w->seed, w->replication, RNG_SITES, 0);
    size_t np = ss->nplans;
    double *pshare = sim_xcalloc(np, sizeof *pshare);
    unsigned int *pcount = sim_xcalloc(np, sizeof *pcount);
    for (size_t i = 0; i < np; i++)
        pshare[i] = ss->plans[i].site_share;
    /* The guard is for the compiler: with no plans (never in a valid
     * scenario) sim_xcalloc returns one byte, and GCC 12's link-time
     * optimiser warns that the multinomial might read 8 from it. */
    if (np > 0)
        gsl_ran_multinomial(rng.g, np, ss->count, pshare, pcount);
    sim_rng_fini(&rng);
    /* named sites: one cohort each, their traffic taken from their plan's */
    double *named_in_plan = sim_xcalloc(np, sizeof *named_in_plan);
    for (size_t i = 0; i < ss->nnamed; i++) {
        const cdn_named_site_spec_t *ns = &ss->named[i];
        size_t c = w->ncoh_base + i;
        w->sites.coh_q[c] = (uint64_t)(ns->traffic_share * SITES_Q_ONE + 0.5);
        w->sites.coh_sites[c] = 1;
        named_in_plan[ns->plan] += ns->traffic_share;
    }
    for (size_t pl = 0; pl < np; pl++) {
        double generic = ss->plans[pl].traffic_share - named_in_plan[pl];
        if (pcount[pl] > 0 && generic > 0)
            build_plan_sites(w, pl, pcount[pl], generic);
    }
    free(named_in_plan);
    free(pshare);
    free(pcount);
}

/* The cohorts' sites and weights (from the cache or generated), their
 * total and shares. */
static void build_sites(world_t *w)
{
    if (!cache_lookup(w)) {
        generate_sites(w);
        cache_store(w);
    }
    uint64_t q = 0;
    for (size_t c = 0; c < w->ncoh; c++)
        q += w->sites.coh_q[c];
    w->sites.q_total = q > 0 ? q : 1;
    for (size_t c = 0; c < w->ncoh; c++)
        w->sites.coh_share[c] = (double)w->sites.coh_q[c] / (double)w->sites.q_total;
}

size_t sites_dims(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    sites_t *st = &w->sites;
    st->nsfeat = 0;
    for (size_t p = 0; p < s->nproxies; p++) {
        const cdn_proxy_spec_t *px = &s->proxies[p];
        st->prox_mask[p] = px->scope == CDN_SCOPE_BOT_MANAGEMENT    ? 1u
                           : px->scope == CDN_SCOPE_BOT_BLOCK_RULES ? 2u
                                                                    : 0u;
        if (px->scope_feature < 0)
            continue;
        size_t j = 0;
        while (j < st->nsfeat && st->sfeat[j] != px->scope_feature)
            j++;
        if (j == st->nsfeat) /* the loader allows at most CDN_MAX_SCOPE_FEATURES */
            st->sfeat[st->nsfeat++] = px->scope_feature;
        st->prox_mask[p] = (uint8_t)(4u << j);
    }
    return (size_t)1 << st->nsfeat;
}

/* Cohort c's plan, proxy, features, failover class and user distribution,
 * from its index (generic cohorts) or its named site. */
static void cohort_layout(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    sites_t *st = &w->sites;
    size_t nf = (size_t)1 << st->nsfeat;
    for (size_t c = 0; c < w->ncoh_base; c++) { /* c = ((((plan*P + proxy)*2 + bm)*2 + rules)*F + fb)*3 + fc */
        size_t fb = (c / 3) % nf, rest = c / 3 / nf;
        st->coh_fc[c] = (uint8_t)(c % 3);
        st->coh_scope[c] = (uint8_t)(((rest >> 1) & 1u) | ((rest & 1u) << 1) | (fb << 2));
        st->coh_proxy[c] = (uint32_t)((rest / 4) % w->nprox);
        st->coh_plan[c] = (uint32_t)(rest / 4 / w->nprox);
        st->coh_dist[c] = st->coh_plan[c];
    }
    for (size_t i = 0; i < s->sites.nnamed; i++) {
        const cdn_named_site_spec_t *site = &s->sites.named[i];
        size_t c = w->ncoh_base + i;
        unsigned fb = 0;
        for (size_t j = 0; j < st->nsfeat; j++)
            fb |= ((site->features >> st->sfeat[j]) & 1u) << j;
        st->coh_fc[c] = (uint8_t)site->failover;
        st->coh_scope[c] = (uint8_t)((site->bot_management ? 1u : 0u) | (site->bot_block_rules ? 2u : 0u) |
                                     (fb << 2));
        st->coh_proxy[c] = site->proxy;
        st->coh_plan[c] = site->plan;
        st->coh_dist[c] = site->region_share ? (uint32_t)(s->sites.nplans + i) : site->plan;
    }
}

void sites_init(world_t *w)
{
    const cdn_scenario_t *s = w->s;
    sites_t *st = &w->sites;
    st->coh_share = sim_xcalloc(w->ncoh, sizeof *st->coh_share);
    st->coh_q = sim_xcalloc(w->ncoh, sizeof *st->coh_q);
    st->coh_sites = sim_xcalloc(w->ncoh, sizeof *st->coh_sites);
    st->coh_scope = sim_xcalloc(w->ncoh, 1);
    st->coh_proxy = sim_xcalloc(w->ncoh, sizeof *st->coh_proxy);
    st->coh_plan = sim_xcalloc(w->ncoh, sizeof *st->coh_plan);
    st->coh_dist = sim_xcalloc(w->ncoh, sizeof *st->coh_dist);
    st->coh_fc = sim_xcalloc(w->ncoh, 1);
    st->coh_fo = sim_xcalloc(w->ncoh, 1);
    st->coh_fo_token = sim_xcalloc(w->ncoh, sizeof *st->coh_fo_token);
    st->coh_ever_fo = sim_xcalloc(w->ncoh, 1);
    st->coh_down = sim_xcalloc(w->ncoh, 1);
    st->coh_ever_down = sim_xcalloc(w->ncoh, 1);
    st->coh_down_since = sim_xcalloc(w->ncoh, sizeof *st->coh_down_since);
    st->coh_down_s = sim_xcalloc(w->ncoh, sizeof *st->coh_down_s);
    st->named_served = sim_xcalloc(s->sites.nnamed ? s->sites.nnamed : 1, sizeof *st->named_served);
    for (size_t i = 0; i < s->sites.nnamed; i++)
        st->named_served[i] = 1.0;
    cohort_layout(w);
    build_sites(w);
    /* a cohort without sites is skipped by sites_update: it is never down,
     * never fails over and counts 0 (most of a plan's cohorts are empty
     * when the plan does not use every proxy or feature) */
    st->coh_live = sim_xcalloc(w->ncoh ? w->ncoh : 1, sizeof *st->coh_live);
    st->nlive = 0;
    for (size_t c = 0; c < w->ncoh; c++)
        if (st->coh_sites[c] > 0)
            st->coh_live[st->nlive++] = (uint32_t)c;
    st->coh_seen_down = sim_xcalloc(w->ncoh ? w->ncoh : 1, 1);
    st->coh_seen_fo = sim_xcalloc(w->ncoh ? w->ncoh : 1, 1);
    for (size_t c = 0; c < w->ncoh; c++) {
        st->coh_seen_down[c] = 2; /* never looked at */
        st->coh_seen_fo[c] = FO_COUNT;
    }
}

void sites_fini(world_t *w)
{
    sites_t *st = &w->sites;
    free(st->coh_share);
    free(st->coh_q);
    free(st->coh_sites);
    free(st->coh_live);
    free(st->coh_seen_down);
    free(st->coh_seen_fo);
    free(st->coh_scope);
    free(st->coh_proxy);
    free(st->coh_plan);
    free(st->coh_dist);
    free(st->coh_fc);
    free(st->coh_fo);
    free(st->coh_fo_token);
    free(st->coh_ever_fo);
    free(st->coh_down);
    free(st->coh_ever_down);
    free(st->coh_down_since);
    free(st->coh_down_s);
    free(st->named_served);
}

/* The failover machine's invariants (drawn above).  Holds between
 * propagations.  O(cohorts). */
int sites_failover_check(const world_t *w)
{
    const sites_t *st = &w->sites;
    uint64_t fo_sites = 0;
    for (size_t c = 0; c < w->ncoh; c++) {
        uint8_t fo = st->coh_fo[c];
        int elsewhere = sites_served_elsewhere(fo);
        if (fo >= FO_COUNT || st->coh_fc[c] > 2)
            return 0;
        if (st->coh_fc[c] == 0 && fo != FO_NORMAL)
            return 0;
        if (fo == FO_WAITING_CP && st->coh_fc[c] != 2)
            return 0;
        if (elsewhere && (!st->coh_ever_fo[c] || st->coh_down[c]))
            return 0;
        if (st->coh_down[c] && !st->coh_ever_down[c])
            return 0;
        if (elsewhere && st->coh_sites[c] > 0)
            fo_sites += st->coh_sites[c];
    }
    return fo_sites == st->sites_fo;
}
