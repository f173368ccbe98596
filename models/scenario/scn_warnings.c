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
 * Rejected alternatives: warnings as errors (a scenario may mean it: the
 *   study of what a push without a stop does is legitimate); a list of
 *   strings returned to the caller (a callback needs no allocation and
 *   keeps the order).
 */
#include <math.h>
#include <stdio.h>

#include "scn.h"

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
        snprintf(path, sizeof path, "$.operators.actions[label \"%s\"]", push->label);
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

size_t cdn_scenario_warnings(const cdn_scenario_t *s, cdn_warn_fn warn, void *arg)
{
    return lkg_before_stop(s, warn, arg);
}
