/*
 * scn_sites.c -- the scenario's "sites" section: plans with their proxy
 * mix, and the named sites (read after the services they depend on).
 *
 * Design
 *   Scalar keys come from the schema table (schema.def, sections sites,
 *   plan, named); this file keeps the composite rules: the proxy mix is an
 *   object of proxy name -> share summing to 1; site and traffic shares
 *   sum to 1 over plans; a plan's named sites carry at most its traffic;
 *   a named site depends only on services and on named sites listed
 *   before it (so site dependencies cannot form a cycle).
 *
 * Complexity: linear in the number of plans and named sites, times the
 *   (at most 8) proxies or dependencies of each.
 */
#include "scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

/* "proxy_mix": an object of proxy name -> share of the plan's sites. */
static int read_proxy_mix(scn_ctx_t *c, const cJSON *j, cdn_plan_spec_t *plan)
{
    const cdn_scenario_t *s = c->s;
    if (!cJSON_IsObject(j))
        return cdn_json_fail(&c->j, "expected an object of proxy name -> share, found %s", cdn_json_type(j));
    int seen[CDN_MAX_PROXIES] = {0}, notes_seen = 0;
    double sum = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = cdn_json_key(&c->j, ch->string);
        int32_t k = scn_find_name(s->proxies, s->nproxies, sizeof *s->proxies, ch->string);
        if (strcmp(ch->string, "notes") == 0) {
            if (notes_seen++)
                return cdn_json_fail(&c->j, "duplicate key");
            CDN_TRY(cdn_json_notes(&c->j, ch));
        } else if (k < 0) {
            char list[CDN_MAX_PROXIES * (CDN_NAME_MAX + 2)];
            const char *names[CDN_MAX_PROXIES];
            for (size_t i = 0; i < s->nproxies; i++)
                names[i] = s->proxies[i].name;
            cdn_json_join(list, sizeof list, names, s->nproxies, 0);
            return cdn_json_fail(&c->j, "expected the name of a proxy (one of: %s), found %s", list,
                        cdn_json_show_str(ch->string).s);
        } else if (seen[k]++) {
            return cdn_json_fail(&c->j, "duplicate key");
        } else {
            CDN_TRY(cdn_json_num(&c->j, ch, R_GE(0), 0, &plan->proxy_mix[k]));
            sum += plan->proxy_mix[k];
        }
        cdn_json_pop(&c->j, p);
    }
    if (fabs(sum - 1.0) > SCN_SUM_TOL)
        return cdn_json_fail(&c->j, "expected shares that sum to 1, found a sum of %s", cdn_json_show_num(sum).s);
    return 0;
}

static int read_plans(scn_ctx_t *c, const cJSON *j)
{
    cdn_sites_spec_t *st = &c->s->sites;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 1, SCN_MAX_PLANS, "objects", &n));
    st->plans = sim_xcalloc(n, sizeof *st->plans);
    st->nplans = n;
    double site_sum = 0, traffic_sum = 0;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_plan_spec_t *pl = &st->plans[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_plan, &o));
        CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_plan, &c->s->sim, pl));
        const cJSON *mix = cdn_json_obj_get(&o, "proxy_mix");
        if (mix == NULL) {
            pl->proxy_mix[0] = 1; /* every site on the first proxy */
        } else {
            size_t pm = cdn_json_push(&c->j, ".proxy_mix");
            CDN_TRY(read_proxy_mix(c, mix, pl));
            cdn_json_pop(&c->j, pm);
        }
        CDN_TRY(scn_read_plan_extras(c, &o, pl));
        site_sum += pl->site_share;
        traffic_sum += pl->traffic_share;
        cdn_json_pop(&c->j, p);
    }
    CDN_TRY(CHECK_UNIQUE(c, st->plans, n));
    CDN_TRY(scn_check_sum(c, "site_share", site_sum));
    return scn_check_sum(c, "traffic_share", traffic_sum);
}

int scn_read_sites(scn_ctx_t *c, const cJSON *j)
{
    cdn_sites_spec_t *st = &c->s->sites;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_sites, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_sites, &c->s->sim, st));
    st->control_plane_service = -1;
    c->control_plane_ref = cdn_json_obj_get(&o, "control_plane_service"); /* a service: resolved later */
    c->named_ref = cdn_json_obj_get(&o, "named"); /* depends on services: read after them */
    return scn_section(c, &o, "plans", 1, read_plans);
}


/* Earlier named sites (by name) that this one needs; index = its own. */
static int read_site_deps(scn_ctx_t *c, const cJSON *deps, cdn_named_site_spec_t *ns, size_t index)
{
    const cdn_scenario_t *s = c->s;
    size_t k = 0;
    CDN_TRY(cdn_json_array(&c->j, deps, 0, CDN_MAX_DEPS, "names of earlier named sites", &ns->nsite_deps));
    for (const cJSON *e = deps->child; e != NULL; e = e->next, k++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", k);
        int32_t ix = -1;
        if (!cJSON_IsString(e))
            return cdn_json_fail(&c->j, "expected the name of an earlier named site, found %s", cdn_json_found(e).s);
        for (size_t q = 0; q < index; q++)
            if (strcmp(s->sites.named[q].name, e->valuestring) == 0)
                ix = (int32_t)q;
        if (ix < 0)
            return cdn_json_fail(&c->j, "expected the name of a named site listed before this one, found %s",
                        cdn_json_found(e).s);
        ns->site_deps[k] = (uint32_t)ix;
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

static int read_named_site(scn_ctx_t *c, const cJSON *j, cdn_named_site_spec_t *ns, size_t index)
{
    const cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_named, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_named, &s->sim, ns));
    const cJSON *pl = cdn_json_obj_get(&o, "plan"), *px = cdn_json_obj_get(&o, "proxy");
    if (pl == NULL)
        return cdn_json_missing(&c->j, "plan");
    if (px == NULL)
        return cdn_json_missing(&c->j, "proxy");
    int32_t ix = -1;
    size_t p = cdn_json_key(&c->j, "plan");
    CDN_TRY(RESOLVE(c, pl, "a plan", s->sites.plans, s->sites.nplans, &ix));
    cdn_json_pop(&c->j, p);
    ns->plan = (uint32_t)ix;
    p = cdn_json_key(&c->j, "proxy");
    CDN_TRY(RESOLVE(c, px, "a proxy", s->proxies, s->nproxies, &ix));
    cdn_json_pop(&c->j, p);
    ns->proxy = (uint32_t)ix;
    CDN_TRY(scn_read_named_extras(c, &o, ns));
    if (ns->bot_block_rules && !ns->bot_management) {
        cdn_json_push(&c->j, ".bot_block_rules");
        return cdn_json_fail(&c->j, "expected bot_management too: blocking rules use bot scores");
    }
    const cJSON *deps = cdn_json_obj_get(&o, "depends_on");
    if (deps != NULL) {
        size_t q = cdn_json_push(&c->j, ".depends_on"), k = 0;
        CDN_TRY(cdn_json_array(&c->j, deps, 0, CDN_MAX_DEPS, "service names", &ns->ndeps));
        for (const cJSON *e = deps->child; e != NULL; e = e->next, k++) {
            size_t r = cdn_json_push(&c->j, "[%zu]", k);
            CDN_TRY(RESOLVE(c, e, "a service", s->services, s->nservices, &ix));
            ns->deps[k] = (uint32_t)ix;
            cdn_json_pop(&c->j, r);
        }
        cdn_json_pop(&c->j, q);
    }
    const cJSON *sdeps = cdn_json_obj_get(&o, "depends_on_sites");
    if (sdeps != NULL) {
        size_t q = cdn_json_push(&c->j, ".depends_on_sites");
        CDN_TRY(read_site_deps(c, sdeps, ns, index));
        cdn_json_pop(&c->j, q);
    }
    return 0;
}

int scn_read_named_sites(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, 256, "objects", &n));
    if (n == 0)
        return 0;
    s->sites.named = sim_xcalloc(n, sizeof *s->sites.named);
    s->sites.nnamed = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(read_named_site(c, e, &s->sites.named[i], i));
        cdn_json_pop(&c->j, p);
    }
    CDN_TRY(CHECK_UNIQUE(c, s->sites.named, n));
    /* a plan's named sites carry part of its traffic, not more */
    for (size_t pl = 0; pl < s->sites.nplans; pl++) {
        double sum = 0;
        for (i = 0; i < n; i++)
            if (s->sites.named[i].plan == pl)
                sum += s->sites.named[i].traffic_share;
        if (sum > s->sites.plans[pl].traffic_share + 1e-9)
            return cdn_json_fail(&c->j, "expected the named sites of plan \"%s\" to carry at most its "
                           "traffic_share (%s), found %s",
                        s->sites.plans[pl].name, cdn_json_show_num(s->sites.plans[pl].traffic_share).s,
                        cdn_json_show_num(sum).s);
    }
    return 0;
}

