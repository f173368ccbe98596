/*
 * scn_targets.c -- the "target" and "rollout" objects of an operator
 * action: which regions, tiers and share of servers a regional action
 * reaches, and when it reaches each region.
 *
 * Design
 *   The scalar keys (share, step_s, regions_per_s) come from the schema
 *   table (sections action_target, action_rollout); the lists are read
 *   here.  The target is resolved once, at load, to a list of region
 *   indices in the `listed` order (the order of target.regions, else file
 *   order), filtered by target.tiers; the list goes into one pool per
 *   scenario (s->action_regions; rollout.offsets_s likewise into
 *   s->action_offsets_s) so an action stays a plain struct that can be
 *   copied by value (the actions are sorted by time after reading).
 *   Which order the regions are reached in, when it depends on the state
 *   of the run (most_damaged_last), is the world's business
 *   (models/world/staging.c).
 *
 *   Only push_last_known_good, kill_switch and restart_proxies take the two
 *   objects (scn_operators.c's key table): stop_generation, bypass_service,
 *   scale_service and fail_service act on a generator or a service, which
 *   is global in this model, and reject them with a message that says so.
 *
 * Complexity: O(regions) per action with a target (a seen-mask).
 *
 * Rejected alternatives: a per-action array of region indices (an action
 *   would own memory, and every copy of the actions array would have to
 *   deep-copy it); keeping tier names and matching them during the run
 *   (the match is the same every time: do it once).
 */
#include "scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

#define CDN_X_NAME(e, s) s,
static const char *const order_names[] = {CDN_ROLLOUT_ORDER_MAP(CDN_X_NAME)};
#undef CDN_X_NAME

/* Appends region r to the action's list in the pool. */
static void pool_region(cdn_scenario_t *s, uint32_t r)
{
    if ((s->naction_regions & (s->naction_regions - 1)) == 0) /* 0, 1, 2, 4, ...: grow */
        s->action_regions = sim_xrealloc(s->action_regions,
                                         (s->naction_regions ? 2 * s->naction_regions : 1) *
                                             sizeof *s->action_regions);
    s->action_regions[s->naction_regions++] = r;
}

static int region_in_tiers(const cdn_region_spec_t *rg, char tiers[][CDN_NAME_MAX], size_t ntiers)
{
    if (ntiers == 0)
        return 1;
    for (size_t q = 0; q < ntiers; q++)
        if (strcmp(rg->tier, tiers[q]) == 0)
            return 1;
    return 0;
}

/* target.regions (the listed ones, no repeats) or every region, kept
 * when of one of the tiers. */
static int target_regions(scn_ctx_t *c, const cJSON *regs, char tiers[][CDN_NAME_MAX], size_t ntiers,
                          cdn_action_spec_t *a)
{
    cdn_scenario_t *s = c->s;
    a->treg_first = s->naction_regions;
    if (regs == NULL) {
        for (uint32_t r = 0; r < s->nregions; r++)
            if (region_in_tiers(&s->regions[r], tiers, ntiers))
                pool_region(s, r);
    } else {
        size_t p = cdn_json_key(&c->j, "regions"), n = 0, i = 0;
        CDN_TRY(cdn_json_array(&c->j, regs, 1, s->nregions, "region names", &n));
        uint8_t *seen = sim_xcalloc(s->nregions, 1);
        int rc = 0;
        for (const cJSON *e = regs->child; e != NULL && rc == 0; e = e->next, i++) {
            int32_t ix = -1;
            size_t q = cdn_json_push(&c->j, "[%zu]", i);
            rc = RESOLVE(c, e, "a region", s->regions, s->nregions, &ix);
            if (rc == 0 && seen[ix])
                rc = cdn_json_fail(&c->j, "expected each region once, found %s again",
                                   cdn_json_show_str(e->valuestring).s);
            if (rc == 0) {
                seen[ix] = 1;
                if (region_in_tiers(&s->regions[ix], tiers, ntiers))
                    pool_region(s, (uint32_t)ix);
                cdn_json_pop(&c->j, q);
            }
        }
        free(seen);
        CDN_TRY(rc);
        cdn_json_pop(&c->j, p);
    }
    a->ntreg = s->naction_regions - a->treg_first;
    if (a->ntreg == 0)
        return cdn_json_fail(&c->j, "expected a target with at least one region, found none of "
                                    "the listed regions in the listed tiers");
    return 0;
}

static int read_target(scn_ctx_t *c, const cJSON *j, cdn_action_spec_t *a)
{
    cdn_json_obj_t o;
    char tiers[CDN_MAX_TIERS][CDN_NAME_MAX];
    size_t ntiers = 0;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_action_target, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_action_target, &c->s->sim, a));
    const cJSON *t = cdn_json_obj_get(&o, "tiers");
    if (t != NULL) {
        size_t p = cdn_json_key(&c->j, "tiers");
        CDN_TRY(scn_read_tiers(c, t, tiers, &ntiers));
        cdn_json_pop(&c->j, p);
    }
    return target_regions(c, cdn_json_obj_get(&o, "regions"), tiers, ntiers, a);
}

/* rollout.offsets_s: one time per target region, in the listed order. */
static int read_offsets(scn_ctx_t *c, const cJSON *j, cdn_action_spec_t *a)
{
    cdn_scenario_t *s = c->s;
    size_t p = cdn_json_key(&c->j, "offsets_s"), n = 0, i = 0;
    CDN_TRY(cdn_json_array(&c->j, j, a->ntreg, a->ntreg, "numbers, one per target region", &n));
    a->roff_first = s->naction_offsets;
    s->action_offsets_s = sim_xrealloc(s->action_offsets_s,
                                       (s->naction_offsets + n) * sizeof *s->action_offsets_s);
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t q = cdn_json_push(&c->j, "[%zu]", i);
        if (!cJSON_IsNumber(e) || !(e->valuedouble >= 0) || !isfinite(e->valuedouble))
            return cdn_json_fail(&c->j, "expected a number of seconds >= 0, found %s",
                                 cdn_json_found(e).s);
        s->action_offsets_s[s->naction_offsets++] = e->valuedouble;
        cdn_json_pop(&c->j, q);
    }
    a->has_offsets = 1;
    cdn_json_pop(&c->j, p);
    return 0;
}

static int read_rollout(scn_ctx_t *c, const cJSON *j, cdn_action_spec_t *a, int listed)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_action_rollout, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_action_rollout, &c->s->sim, a));
    int order = CDN_ORDER_LISTED;
    CDN_TRY(cdn_json_opt_enum(&c->j, &o, "order", order_names, ARRAY_LEN(order_names), &order));
    a->rorder = order;
    int has_step = cdn_json_obj_get(&o, "step_s") != NULL;
    int has_rate = cdn_json_obj_get(&o, "regions_per_s") != NULL;
    if (has_step && has_rate)
        return cdn_json_fail(&c->j, "expected at most one of \"step_s\" and \"regions_per_s\", found both");
    const cJSON *off = cdn_json_obj_get(&o, "offsets_s");
    if (off == NULL)
        return 0;
    if (has_step || has_rate || cdn_json_obj_get(&o, "order") != NULL)
        return cdn_json_fail(&c->j, "expected either \"offsets_s\" or \"order\" / \"step_s\" / "
                                    "\"regions_per_s\", found both");
    if (!listed) {
        cdn_json_key(&c->j, "offsets_s");
        return cdn_json_fail(&c->j, "expected \"target.regions\" too: offsets_s gives one time per "
                                    "listed region");
    }
    return read_offsets(c, off, a);
}

int scn_read_action_target(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_action_spec_t *a)
{
    const cJSON *t = cdn_json_obj_get(o, "target"), *r = cdn_json_obj_get(o, "rollout");
    a->tshare = 1;
    a->rorder = CDN_ORDER_LISTED;
    a->rstep_s = a->rregions_per_s = 0;
    a->has_offsets = 0;
    a->targeted = t != NULL || r != NULL;
    if (!a->targeted)
        return 0;
    if (t != NULL) {
        size_t p = cdn_json_key(&c->j, "target");
        CDN_TRY(read_target(c, t, a));
        cdn_json_pop(&c->j, p);
    } else {
        a->treg_first = c->s->naction_regions;
        for (uint32_t k = 0; k < c->s->nregions; k++)
            pool_region(c->s, k);
        a->ntreg = c->s->nregions;
    }
    if (r != NULL) {
        size_t p = cdn_json_key(&c->j, "rollout");
        int listed = t != NULL && cJSON_IsObject(t) && cJSON_GetObjectItemCaseSensitive(t, "regions") != NULL;
        CDN_TRY(read_rollout(c, r, a, listed));
        cdn_json_pop(&c->j, p);
        if (a->kind == CDN_ACTION_RESTART_PROXIES && a->rate_per_s > 0) {
            cdn_json_key(&c->j, "rollout");
            return cdn_json_fail(&c->j, "expected no \"rollout\" with \"rate_per_s\": a restart walk "
                                        "goes at its own pace (use \"target\" to limit it, or "
                                        "\"duration_s\" with a rollout)");
        }
    }
    return 0;
}
