/*
 * scn_warnings.c -- semantic warnings: a valid scenario that probably does
 * not do what its author meant.
 *
 * Design
 *   Validation (the other scn_*.c files) rejects what cannot be
 *   simulated.  A warning is for a scenario that runs but whose outcome is
 *   very likely an authoring slip; the run goes on.  Each rule is a
 *   function over the validated scenario that calls the caller's callback
 *   with a JSON path and a message; the callback decides where it goes
 *   (validate prints every warning, run prints them unless --quiet).
 *
 * Rules
 *   lkg_before_stop: a push_last_known_good whose artifact's generator can
 *   run again after the push, with no stop_generation of that artifact
 *   that fires no later than the push.  The next generator run replaces
 *   the good file (with a bad one again, on a migrated node) and the
 *   outage may never end -- a push must follow the stop, as on 18 Nov 2025
 *   (stopped 14:24, pushed 14:30).  Whether a stop fires first is known
 *   when both are at fixed times, or both after the same trigger, or the
 *   stop after detection and the push after diagnosis (detection comes
 *   first); otherwise the stop is given the benefit of the doubt.
 *
 *   never_bad: an artifact that can never be bad in the span: its bad_size
 *   is within size_limit, or no node is migrated at the start and no
 *   generator run comes at or after migration_start within the span (a
 *   last-known-good push carries normal_size, never over the limit).
 *
 *   oneshot_runs_again: a generator whose period is longer than half the
 *   span -- the idiom of a one-shot push is a period longer than the run --
 *   that runs a second time within it (first_run_s + period_s <
 *   duration_s), with no stop_generation known to fire before that run.
 *
 *   scope_without_traffic: a proxy whose effect (not "none") is scoped to
 *   bot_management or bot_block_rules traffic, or to a customer feature
 *   (scope_feature), that no plan (with the proxy in its proxy_mix) and no
 *   named site on the proxy has; and a proxy with
 *   no traffic at all: no plan's proxy_mix gives it a share, no named site
 *   uses it, no service runs behind it or is bypassed to it.
 *
 *   action_without_target: a restart_proxies of a proxy (or of every
 *   proxy) that no artifact can make fail (it consumes none, or its effect
 *   is "none"); a kill_switch of an artifact whose every consumer ignores
 *   a bad one (on_bad_artifact "none"); a
 *   bypass_service of a service that runs behind no proxy.
 *
 *   regions_mismatch: with regional users (plans[].regions,
 *   named[].regions), a region where the users the plans put there,
 *   sum_P traffic_share_P * D_Pr, differ from its traffic_share by more
 *   than 1% of it (plans without regions take the rest, so this is a
 *   region the declared plans over-fill, or one left short when every
 *   plan declares).  The run normalises each region's mix, so the plans'
 *   realised traffic shares are not their traffic_share.
 *
 *   key_without_effect: a proxy key that its effect ignores:
 *   extra_cpu_per_request > 0 on a proxy whose effect is "none" or takes
 *   the server out of service (crash, crash_repair, withdraw: it serves
 *   nothing); effect cpu_per_request with extra_cpu_per_request 0 (it
 *   does nothing); withdraw_proxy_only on a proxy that does not withdraw;
 *   withdrawn_fallback_frac > 0 without withdraw_proxy_only (a server-wide
 *   withdrawal drains the region onto its neighbours instead); repair
 *   keys (repair_crews not 1, repair_time_*, repair_schedule) on a proxy
 *   whose effect is not crash_repair; damage_frac or damage_rate_per_h on
 *   a proxy whose effect is "none"; reprovision keys (crews not 1, time
 *   not the default 3600 s, a p99, a schedule) on a proxy that is never
 *   damaged; a region's online_mean_s (not the default) with
 *   offline_frac 0.  A key set to its default is not seen (the loaded
 *   scenario does not say which keys were written).

 *   elsewhere_cannot_fail: a service of operators.diagnosis
 *   .elsewhere_services that the fault can never take down (neither it
 *   nor a service it needs runs behind a proxy an artifact can make
 *   fail), so the condition it names can never be present.
 *
 *   Paths: artifacts and proxies by index ($.artifacts[0]); actions by
 *   label, in the path syntax of strategies ($.operators.actions[label=X]),
 *   because actions are sorted by time once loaded and their file index is
 *   gone.
 *
 * Rejected alternatives: warnings as errors (a scenario may mean it: the
 *   study of what a push without a stop does is legitimate); a list of
 *   strings returned to the caller (a callback needs no allocation and
 *   keeps the order).
 */
#include <math.h>
#include <stdio.h>

#include "scn.h"

static void action_path(char *buf, size_t n, const cdn_action_spec_t *a)
{
    snprintf(buf, n, "$.operators.actions[label=%s]", a->label);
}

/* 1 when action `stop` is known to fire after action `push`; 0 when it
 * fires no later, or when the order cannot be known before the run. */
static int fires_after(const cdn_action_spec_t *stop, const cdn_action_spec_t *push)
{
    if (stop->trigger == CDN_TRIGGER_TIME && push->trigger == CDN_TRIGGER_TIME)
        return stop->at_s > push->at_s;
    if (stop->trigger == push->trigger)
        return stop->delay_s > push->delay_s;
    if (stop->trigger == CDN_TRIGGER_DIAGNOSIS && push->trigger == CDN_TRIGGER_DETECTION)
        return stop->delay_s >= push->delay_s; /* diagnosis comes no earlier than detection */
    return 0;
}

/* 1 when artifact a's generator has a run after the push fires (for a
 * triggered push: a run after the first one). */
static int generator_runs_after(const cdn_scenario_t *s, const cdn_artifact_spec_t *as,
                                const cdn_action_spec_t *push)
{
    double t = push->trigger == CDN_TRIGGER_TIME ? push->at_s : as->first_run_s;
    double next = as->first_run_s;
    if (t >= as->first_run_s)
        next = as->first_run_s + (floor((t - as->first_run_s) / as->period_s) + 1.0) * as->period_s;
    return next < s->sim.duration_s; /* a run at the very end harms nothing */
}

static size_t lkg_before_stop(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    for (size_t k = 0; k < s->nactions; k++) {
        const cdn_action_spec_t *push = &s->actions[k];
        if (push->kind != CDN_ACTION_PUSH_LAST_KNOWN_GOOD)
            continue;
        const cdn_artifact_spec_t *as = &s->artifacts[push->artifact];
        if (!generator_runs_after(s, as, push))
            continue;
        int stopped = 0;
        for (size_t j = 0; j < s->nactions; j++) {
            const cdn_action_spec_t *stop = &s->actions[j];
            if (stop->kind == CDN_ACTION_STOP_GENERATION && stop->artifact == push->artifact &&
                !fires_after(stop, push))
                stopped = 1;
        }
        if (stopped)
            continue;
        char path[CDN_NAME_MAX + 64], msg[3 * CDN_NAME_MAX + 256];
        action_path(path, sizeof path, push);
        snprintf(msg, sizeof msg,
                 "push_last_known_good of \"%s\" fires while its generator still runs (no "
                 "stop_generation of \"%s\" fires before it): the generator's next run (every %g s) "
                 "replaces the good file, so the outage may not end; add a stop_generation that "
                 "fires first",
                 as->name, as->name, as->period_s);
        warn(arg, path, msg);
        n++;
    }
    return n;
}

/* Sim time of the generator's first run at or after t. */
static double run_at_or_after(const cdn_artifact_spec_t *as, double t)
{
    if (t <= as->first_run_s)
        return as->first_run_s;
    return as->first_run_s + ceil((t - as->first_run_s) / as->period_s) * as->period_s;
}

static size_t never_bad(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    for (size_t a = 0; a < s->nartifacts; a++) {
        const cdn_artifact_spec_t *as = &s->artifacts[a];
        char path[64], msg[2 * CDN_NAME_MAX + 256];
        snprintf(path, sizeof path, "$.artifacts[%zu]", a);
        if (as->bad_size <= as->size_limit) {
            snprintf(msg, sizeof msg,
                     "artifact \"%s\" can never be bad: its bad_size (%g) is within its size_limit "
                     "(%g); a bad artifact is one over the limit",
                     as->name, as->bad_size, as->size_limit);
        } else if (as->nodes_migrated_at_start == 0 &&
                   !(run_at_or_after(as, as->migration_start_s) < s->sim.duration_s)) {
            snprintf(msg, sizeof msg,
                     "artifact \"%s\" can never be bad: no cluster node is migrated at the start "
                     "(cluster.migrated_at_start 0) and no generator run comes after "
                     "cluster.migration_start within the span, so every file is good; set "
                     "cluster.migration_start_utc (or migrated_at_start) for an incident",
                     as->name);
        } else {
            continue;
        }
        warn(arg, path, msg);
        n++;
    }
    return n;
}

/* 1 when a stop_generation of artifact a is not known to fire after t. */
static int stopped_by(const cdn_scenario_t *s, size_t a, double t)
{
    for (size_t k = 0; k < s->nactions; k++) {
        const cdn_action_spec_t *x = &s->actions[k];
        if (x->kind == CDN_ACTION_STOP_GENERATION && (size_t)x->artifact == a &&
            (x->trigger != CDN_TRIGGER_TIME || x->at_s <= t))
            return 1;
    }
    return 0;
}

static size_t oneshot_runs_again(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    double span = s->sim.duration_s;
    for (size_t a = 0; a < s->nartifacts; a++) {
        const cdn_artifact_spec_t *as = &s->artifacts[a];
        double second = as->first_run_s + as->period_s;
        if (as->period_s <= span / 2 || !(second < span) || stopped_by(s, a, second))
            continue;
        char path[64], msg[CDN_NAME_MAX + 320];
        snprintf(path, sizeof path, "$.artifacts[%zu].period_s", a);
        snprintf(msg, sizeof msg,
                 "period_s %g s is longer than half the span (%g s), as for a one-shot push, but "
                 "\"%s\"'s generator runs again at %g s (first run %g s + period_s), within the "
                 "span; for one push, set period_s above %g s",
                 as->period_s, span, as->name, second, as->first_run_s, span - as->first_run_s);
        warn(arg, path, msg);
        n++;
    }
    return n;
}

/* 1 when any traffic reaches proxy p: a plan's proxy_mix, a named site,
 * a service in front of or bypassed to it. */
static int proxy_has_traffic(const cdn_scenario_t *s, size_t p)
{
    for (size_t i = 0; i < s->sites.nplans; i++)
        if (s->sites.plans[i].proxy_mix[p] > 0)
            return 1;
    for (size_t i = 0; i < s->sites.nnamed; i++)
        if (s->sites.named[i].proxy == p)
            return 1;
    for (size_t i = 0; i < s->nservices; i++)
        if (s->services[i].behind_proxy == (int32_t)p || s->services[i].bypass_proxy == (int32_t)p)
            return 1;
    return 0;
}

/* 1 when some of proxy p's site traffic is in its scope. */
static int scope_has_traffic(const cdn_scenario_t *s, size_t p, cdn_scope_t scope)
{
    for (size_t i = 0; i < s->sites.nplans; i++) {
        const cdn_plan_spec_t *pl = &s->sites.plans[i];
        double f = pl->bot_management_frac * (scope == CDN_SCOPE_BOT_BLOCK_RULES ? pl->bot_block_rules_frac : 1);
        if (pl->proxy_mix[p] > 0 && f > 0)
            return 1;
    }
    for (size_t i = 0; i < s->sites.nnamed; i++) {
        const cdn_named_site_spec_t *ns = &s->sites.named[i];
        if (ns->proxy == p && (scope == CDN_SCOPE_BOT_BLOCK_RULES ? ns->bot_block_rules : ns->bot_management))
            return 1;
    }
    return 0;
}

/* 1 when some of proxy p's site traffic has feature f (scope_feature). */
static int feature_has_traffic(const cdn_scenario_t *s, size_t p, int32_t f)
{
    for (size_t i = 0; i < s->sites.nplans; i++)
        if (s->sites.plans[i].proxy_mix[p] > 0 && s->sites.plans[i].feature_frac[f] > 0)
            return 1;
    for (size_t i = 0; i < s->sites.nnamed; i++)
        if (s->sites.named[i].proxy == p && (s->sites.named[i].features >> f & 1u))
            return 1;
    return 0;
}

static size_t scope_without_traffic(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    for (size_t p = 0; p < s->nproxies; p++) {
        const cdn_proxy_spec_t *px = &s->proxies[p];
        char path[64], msg[6 * CDN_NAME_MAX + 320];
        if (!proxy_has_traffic(s, p)) {
            snprintf(path, sizeof path, "$.proxies[%zu]", p);
            snprintf(msg, sizeof msg,
                     "proxy \"%s\" carries no traffic: no plan's proxy_mix gives it a share, no "
                     "named site uses it and no service runs behind it, so nothing it does shows",
                     px->name);
        } else if (px->on_bad_artifact != CDN_EFFECT_NONE && px->scope_feature >= 0 &&
                   !feature_has_traffic(s, p, px->scope_feature)) {
            snprintf(path, sizeof path, "$.proxies[%zu].scope_feature", p);
            snprintf(msg, sizeof msg,
                     "proxy \"%s\"'s effect is scoped to sites with feature \"%s\", but no plan with "
                     "\"%s\" in its proxy_mix gives it a share (features.%s > 0) and no named site on "
                     "\"%s\" has it: the effect applies to nothing",
                     px->name, px->scope_feature_name, px->name, px->scope_feature_name, px->name);
        } else if (px->on_bad_artifact != CDN_EFFECT_NONE && px->scope != CDN_SCOPE_ALL &&
                   !scope_has_traffic(s, p, px->scope)) {
            const char *key = px->scope == CDN_SCOPE_BOT_BLOCK_RULES ? "bot_block_rules" : "bot_management";
            snprintf(path, sizeof path, "$.proxies[%zu].scope", p);
            snprintf(msg, sizeof msg,
                     "proxy \"%s\"'s effect is scoped to %s traffic, but no plan with \"%s\" in its "
                     "proxy_mix has %s_frac > 0%s and no named site on \"%s\" has %s: the effect "
                     "applies to nothing",
                     px->name, cdn_scope_name(px->scope), px->name, key,
                     px->scope == CDN_SCOPE_BOT_BLOCK_RULES ? " (and bot_management_frac > 0)" : "",
                     px->name, key);
        } else {
            continue;
        }
        warn(arg, path, msg);
        n++;
    }
    return n;
}

/* 1 when some artifact can make proxy p fail: p consumes it and does
 * something with a bad one. */
static int proxy_can_fail(const cdn_scenario_t *s, size_t p)
{
    if (s->proxies[p].on_bad_artifact == CDN_EFFECT_NONE)
        return 0;
    for (size_t a = 0; a < s->nartifacts; a++)
        for (size_t c = 0; c < s->artifacts[a].nconsumers; c++)
            if (s->artifacts[a].consumers[c] == p)
                return 1;
    return 0;
}

/* Why action x targets nothing, into msg; 0 when it targets something. */
static int target_missing(const cdn_scenario_t *s, const cdn_action_spec_t *x, char *msg, size_t n)
{
    if (x->kind == CDN_ACTION_RESTART_PROXIES && x->only_failing) {
        /* a restart of every server always acts: its servers are out for
         * restart_s, and a proxy with a backend boots against it */
        for (size_t p = 0; p < s->nproxies; p++)
            if ((x->proxy < 0 || (size_t)x->proxy == p) && proxy_can_fail(s, p))
                return 0;
        if (x->proxy >= 0)
            snprintf(msg, n,
                     "restart_proxies of failing \"%s\" targets nothing: no artifact can make "
                     "\"%s\" fail (it consumes none, or its on_bad_artifact is \"none\")",
                     s->proxies[x->proxy].name, s->proxies[x->proxy].name);
        else
            snprintf(msg, n,
                     "restart_proxies of failing proxies targets nothing: no artifact can make any "
                     "proxy fail (none consumes one with an on_bad_artifact other than \"none\")");
        return 1;
    }
    if (x->kind == CDN_ACTION_KILL_SWITCH) {
        const cdn_artifact_spec_t *as = &s->artifacts[x->artifact];
        for (size_t c = 0; c < as->nconsumers; c++)
            if (s->proxies[as->consumers[c]].on_bad_artifact != CDN_EFFECT_NONE)
                return 0;
        snprintf(msg, n,
                 "kill_switch of \"%s\" targets nothing: every proxy that consumes it ignores a "
                 "bad one (on_bad_artifact \"none\")",
                 as->name);
        return 1;
    }
    if (x->kind == CDN_ACTION_BYPASS_SERVICE && s->services[x->service].behind_proxy < 0) {
        snprintf(msg, n,
                 "bypass_service of \"%s\" targets nothing: the service runs behind no proxy "
                 "(behind_proxy)",
                 s->services[x->service].name);
        return 1;
    }
    return 0;
}

static size_t action_without_target(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    for (size_t k = 0; k < s->nactions; k++) {
        char path[CDN_NAME_MAX + 64], msg[2 * CDN_NAME_MAX + 256];
        if (!target_missing(s, &s->actions[k], msg, sizeof msg))
            continue;
        action_path(path, sizeof path, &s->actions[k]);
        warn(arg, path, msg);
        n++;
    }
    return n;
}

static size_t regions_mismatch(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    for (size_t r = 0; s->sites.regional && r < s->nregions; r++) {
        double users = 0, share = s->regions[r].traffic_share;
        for (size_t i = 0; i < s->sites.nplans; i++) /* every plan's region_share is filled */
            users += s->sites.plans[i].traffic_share * s->sites.plans[i].region_share[r];
        for (size_t k = 0; k < s->sites.nnamed; k++) { /* named sites' own users instead of their plan's */
            const cdn_named_site_spec_t *ns = &s->sites.named[k];
            if (ns->region_share != NULL)
                users += ns->traffic_share *
                         (ns->region_share[r] - s->sites.plans[ns->plan].region_share[r]);
        }
        if (fabs(users - share) <= 0.01 * share + 1e-9)
            continue;
        char path[64], msg[CDN_NAME_MAX + 320];
        snprintf(path, sizeof path, "$.regions[%zu].traffic_share", r);
        snprintf(msg, sizeof msg,
                 "the plans' regions put users sending %.4g of all traffic in region \"%s\", but its "
                 "traffic_share is %.4g: each region's traffic is split in proportion, so the plans' "
                 "realised traffic shares differ from their traffic_share",
                 users, s->regions[r].name, share);
        warn(arg, path, msg);
        n++;
    }
    return n;
}

/* Which key of proxy px its effect ignores, with why, into key / msg;
 * 0 when none. */
static int ignored_key(const cdn_proxy_spec_t *px, const char **key, char *msg, size_t n)
{
    cdn_effect_t e = px->on_bad_artifact;
    int out = e == CDN_EFFECT_CRASH || e == CDN_EFFECT_CRASH_REPAIR || e == CDN_EFFECT_WITHDRAW;
    int withdraws = e == CDN_EFFECT_WITHDRAW;
    if (px->extra_cpu_per_request > 0 && (e == CDN_EFFECT_NONE || out)) {
        *key = "extra_cpu_per_request";
        snprintf(msg, n, "proxy \"%s\": extra_cpu_per_request does nothing with on_bad_artifact "
                 "\"%s\" (a proxy it hurts must keep serving: panic, degrade, cpu_exhaustion or "
                 "cpu_per_request)", px->name, cdn_effect_name(e));
    } else if (e == CDN_EFFECT_CPU_PER_REQUEST && !(px->extra_cpu_per_request > 0)) {
        *key = "extra_cpu_per_request";
        snprintf(msg, n, "proxy \"%s\": on_bad_artifact \"cpu_per_request\" with "
                 "extra_cpu_per_request 0 does nothing (set the extra cost of a hit request)",
                 px->name);
    } else if (px->withdraw_proxy_only && !withdraws) {
        *key = "withdraw_proxy_only";
        snprintf(msg, n, "proxy \"%s\": withdraw_proxy_only does nothing unless on_bad_artifact "
                 "is \"withdraw\"", px->name);
    } else if (px->withdrawn_fallback_frac > 0 && !(withdraws && px->withdraw_proxy_only)) {
        *key = "withdrawn_fallback_frac";
        snprintf(msg, n, "proxy \"%s\": withdrawn_fallback_frac does nothing without "
                 "on_bad_artifact \"withdraw\" and withdraw_proxy_only true", px->name);
    } else {
        return 0;
    }
    return 1;
}

/* Which repair or damage key of proxy px does nothing, as ignored_key. */
static int ignored_repair_key(const cdn_proxy_spec_t *px, const char **key, char *msg, size_t n)
{
    cdn_effect_t e = px->on_bad_artifact;
    const cdn_repair_spec_t *fix = &px->repair, *prov = &px->reprovision;
    int damage = px->damage_frac > 0 || px->damage_rate_per_h > 0;
    if (e != CDN_EFFECT_CRASH_REPAIR &&
        (fix->crews != 1 || fix->time_median_s > 0 || fix->time_p99_s > 0 || fix->nsteps > 0)) {
        *key = fix->nsteps > 0 ? "repair_schedule"
               : fix->crews != 1 ? "repair_crews"
               : fix->time_median_s > 0 ? "repair_time_median_s" : "repair_time_p99_s";
        snprintf(msg, n, "proxy \"%s\": %s does nothing unless on_bad_artifact is "
                 "\"crash_repair\" (only a crash that needs a repair by hand is worked by "
                 "repair crews; for damage that outlives the revert see damage_frac and "
                 "reprovision_crews)", px->name, *key);
    } else if (damage && e == CDN_EFFECT_NONE) {
        *key = px->damage_frac > 0 ? "damage_frac" : "damage_rate_per_h";
        snprintf(msg, n, "proxy \"%s\": %s does nothing with on_bad_artifact \"none\" (a "
                 "proxy that ignores bad files is never damaged by them)", px->name, *key);
    } else if (!damage && (prov->crews != 1 || prov->time_median_s != 3600 ||
                           prov->time_p99_s > 0 || prov->nsteps > 0)) {
        *key = prov->nsteps > 0 ? "reprovision_schedule"
               : prov->crews != 1 ? "reprovision_crews"
               : prov->time_median_s != 3600 ? "reprovision_time_median_s"
                                              : "reprovision_time_p99_s";
        snprintf(msg, n, "proxy \"%s\": %s does nothing without damage (set damage_frac or "
                 "damage_rate_per_h above 0)", px->name, *key);
    } else {
        return 0;
    }
    return 1;
}

static size_t key_without_effect(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    size_t n = 0;
    char path[96], msg[CDN_NAME_MAX + 256];
    for (size_t p = 0; p < s->nproxies; p++) {
        int (*const rule[2])(const cdn_proxy_spec_t *, const char **, char *, size_t) = {
            ignored_key, ignored_repair_key};
        for (int k = 0; k < 2; k++) {
            const char *key = NULL;
            if (!rule[k](&s->proxies[p], &key, msg, sizeof msg))
                continue;
            snprintf(path, sizeof path, "$.proxies[%zu].%s", p, key);
            warn(arg, path, msg);
            n++;
        }
    }
    for (size_t r = 0; r < s->nregions; r++) {
        const cdn_region_spec_t *rs = &s->regions[r];
        if (rs->offline_frac > 0 || rs->online_mean_s == 3600)
            continue;
        snprintf(path, sizeof path, "$.regions[%zu].online_mean_s", r);
        snprintf(msg, sizeof msg, "region \"%s\": online_mean_s does nothing with offline_frac 0 "
                 "(no server is offline to come online)", rs->name);
        warn(arg, path, msg);
        n++;
    }
    return n;
}

/* 1 when the fault can take service k down: it runs behind a proxy that
 * an artifact can make fail, or needs a service that can go down so
 * (the graph is acyclic, so the recursion ends). */
static int service_can_fail(const cdn_scenario_t *s, uint32_t k)
{
    const cdn_service_spec_t *sv = &s->services[k];
    if (sv->behind_proxy >= 0 && proxy_can_fail(s, (size_t)sv->behind_proxy))
        return 1;
    for (size_t d = 0; d < sv->ndeps; d++)
        if (service_can_fail(s, sv->deps[d]))
            return 1;
    return 0;
}

static size_t elsewhere_cannot_fail(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    const cdn_detection_spec_t *d = &s->detection;
    size_t n = 0;
    for (size_t i = 0; d->diagnosis && i < d->nelsewhere; i++) {
        if (service_can_fail(s, d->elsewhere[i]))
            continue;
        char path[96], msg[CDN_NAME_MAX + 256];
        snprintf(path, sizeof path, "$.operators.diagnosis.elsewhere_services[%zu]", i);
        snprintf(msg, sizeof msg,
                 "\"%s\" can never point the diagnosis elsewhere: neither it nor a service it "
                 "needs runs behind a proxy that an artifact can make fail (a coincidental outage "
                 "belongs in misleading_services)",
                 s->services[d->elsewhere[i]].name);
        warn(arg, path, msg);
        n++;
    }
    return n;
}

size_t cdn_scenario_warnings(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    return lkg_before_stop(s, warn, arg) + never_bad(s, warn, arg) +
           oneshot_runs_again(s, warn, arg) + scope_without_traffic(s, warn, arg) +
           action_without_target(s, warn, arg) + regions_mismatch(s, warn, arg) +
           key_without_effect(s, warn, arg) + elsewhere_cannot_fail(s, warn, arg);
}
