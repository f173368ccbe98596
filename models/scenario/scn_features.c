/*
 * scn_features.c -- customer features of sites and where their users are:
 *   plans[].features, named[].features, proxies[].scope_feature, and the
 *   plans[].regions / named[].regions user distributions.
 *
 * Design
 *   A feature is a name.  The names other than bot_management and
 *   bot_block_rules go into one table (sites.features, at most
 *   CDN_MAX_FEATURES), in the order they are first declared (plans, then
 *   named sites), then the names that only a proxy's scope_feature uses
 *   (no site has those: a semantic warning, scn_warnings.c).  A plan holds
 *   a share per table entry, a named site a bit mask.  The two
 *   bot-management features keep their own fields and cohort bits
 *   (sites.c): `features: {"bot_management": x}` is `bot_management_frac:
 *   x`, and a scope_feature of either is the same `scope`, so files written
 *   either way run the same numbers; giving one twice is an error naming
 *   both keys.
 *
 *   A user distribution is an object region name -> share, summing to 1,
 *   held as an array over regions (NULL when absent: the plan's users are
 *   spread like all traffic, which is the model without regions).  Every
 *   region with a traffic share must have some plan's users, else its
 *   traffic would reach no site.
 *
 * Complexity: linear in the keys read, times the (at most 16) feature
 *   names; one pass over regions x plans for the last check.
 */
#include "scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

#define R_CC01 ((cdn_json_range_t){0, 1, 0, 0})

/* Index of feature `name` in sites.features, added when new. */
static int feature_index(scn_ctx_t *c, const char *name, int32_t *out)
{
    cdn_sites_spec_t *st = &c->s->sites;
    if (name[0] == '\0' || strlen(name) >= CDN_NAME_MAX)
        return cdn_json_fail(&c->j, "expected a feature name of 1 to %d characters, found %s",
                             CDN_NAME_MAX - 1, cdn_json_show_str(name).s);
    int32_t k = scn_find_name(st->features, st->nfeatures, sizeof st->features[0], name);
    if (k < 0) {
        if (st->nfeatures == CDN_MAX_FEATURES)
            return cdn_json_fail(&c->j, "expected at most %d feature names in all plans, named sites "
                                 "and proxies (besides bot_management and bot_block_rules), found "
                                 "another: %s", CDN_MAX_FEATURES, cdn_json_show_str(name).s);
        k = (int32_t)st->nfeatures++;
        snprintf(st->features[k], CDN_NAME_MAX, "%s", name);
    }
    *out = k;
    return 0;
}

/* One of the two legacy keys of o, given as a feature too: fine when
 * both say the same or the key has its default (`cdnsim show` writes
 * every default in), else an error. */
static int once(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key, const char *feature, int same)
{
    if (cdn_json_obj_get(o, key) == NULL || same)
        return 0;
    return cdn_json_fail(&c->j, "expected %s once, or the same in both places: \"%s\" and features "
                         "disagree (drop one)", feature, key);
}

/* plans[].features: object of feature name -> share of the plan's sites. */
static int read_plan_features(scn_ctx_t *c, const cdn_json_obj_t *o, const cJSON *j, cdn_plan_spec_t *pl)
{
    if (!cJSON_IsObject(j))
        return cdn_json_fail(&c->j, "expected an object of feature name -> share, found %s", cdn_json_type(j));
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = cdn_json_key(&c->j, ch->string);
        for (const cJSON *d = j->child; d != ch; d = d->next)
            if (strcmp(d->string, ch->string) == 0)
                return cdn_json_fail(&c->j, "duplicate key");
        if (strcmp(ch->string, "notes") == 0) {
            CDN_TRY(cdn_json_notes(&c->j, ch));
        } else if (strcmp(ch->string, "bot_management") == 0) {
            double v, was = pl->bot_management_frac;
            CDN_TRY(cdn_json_num(&c->j, ch, R_CC01, 0, &v));
            CDN_TRY(once(c, o, "bot_management_frac", "bot_management", v == was || was == 0));
            pl->bot_management_frac = v;
        } else if (strcmp(ch->string, "bot_block_rules") == 0) {
            double v, was = pl->bot_block_rules_frac;
            CDN_TRY(cdn_json_num(&c->j, ch, R_CC01, 0, &v));
            CDN_TRY(once(c, o, "bot_block_rules_frac", "bot_block_rules", v == was || was == 0));
            pl->bot_block_rules_frac = v;
        } else {
            int32_t k;
            CDN_TRY(feature_index(c, ch->string, &k));
            CDN_TRY(cdn_json_num(&c->j, ch, R_CC01, 0, &pl->feature_frac[k]));
        }
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

/* "regions": object of region name -> share of the users, summing to 1. */
static int read_region_share(scn_ctx_t *c, const cJSON *j, double **out)
{
    const cdn_scenario_t *s = c->s;
    if (!cJSON_IsObject(j))
        return cdn_json_fail(&c->j, "expected an object of region name -> share, found %s", cdn_json_type(j));
    double *v = sim_xcalloc(s->nregions, sizeof *v);
    *out = v; /* owned by the scenario from here on (freed by its destroy) */
    c->s->sites.regional = 1;
    double sum = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = cdn_json_key(&c->j, ch->string);
        for (const cJSON *d = j->child; d != ch; d = d->next)
            if (strcmp(d->string, ch->string) == 0)
                return cdn_json_fail(&c->j, "duplicate key");
        if (strcmp(ch->string, "notes") == 0) {
            CDN_TRY(cdn_json_notes(&c->j, ch));
        } else {
            int32_t r = scn_find_name(s->regions, s->nregions, sizeof *s->regions, ch->string);
            if (r < 0)
                return cdn_json_fail(&c->j, "expected the name of a region, found %s",
                                     cdn_json_show_str(ch->string).s);
            CDN_TRY(cdn_json_num(&c->j, ch, R_GE(0), 0, &v[r]));
            sum += v[r];
        }
        cdn_json_pop(&c->j, p);
    }
    if (fabs(sum - 1.0) > SCN_SUM_TOL)
        return cdn_json_fail(&c->j, "expected shares that sum to 1, found a sum of %s", cdn_json_show_num(sum).s);
    return 0;
}

int scn_read_plan_extras(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_plan_spec_t *pl)
{
    const cJSON *f = cdn_json_obj_get(o, "features"), *r = cdn_json_obj_get(o, "regions");
    if (f != NULL) {
        size_t p = cdn_json_push(&c->j, ".features");
        CDN_TRY(read_plan_features(c, o, f, pl));
        cdn_json_pop(&c->j, p);
    }
    if (r != NULL) {
        size_t p = cdn_json_push(&c->j, ".regions");
        CDN_TRY(read_region_share(c, r, &pl->region_share));
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

/* named[].features: array of feature names. */
static int read_named_features(scn_ctx_t *c, const cJSON *j, cdn_named_site_spec_t *ns)
{
    size_t n = 0, k = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, CDN_MAX_FEATURES + 2, "feature names", &n));
    for (const cJSON *e = j->child; e != NULL; e = e->next, k++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", k);
        if (!cJSON_IsString(e))
            return cdn_json_fail(&c->j, "expected a feature name, found %s", cdn_json_found(e).s);
        for (const cJSON *d = j->child; d != e; d = d->next)
            if (strcmp(d->valuestring, e->valuestring) == 0)
                return cdn_json_fail(&c->j, "expected no repeats, found %s again",
                                     cdn_json_show_str(e->valuestring).s);
        if (strcmp(e->valuestring, "bot_management") == 0) { /* the key can only agree or be false */
            ns->bot_management = 1;
        } else if (strcmp(e->valuestring, "bot_block_rules") == 0) {
            ns->bot_block_rules = 1;
        } else {
            int32_t ix;
            CDN_TRY(feature_index(c, e->valuestring, &ix));
            ns->features |= 1u << ix;
        }
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

int scn_read_named_extras(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_named_site_spec_t *ns)
{
    const cJSON *f = cdn_json_obj_get(o, "features"), *r = cdn_json_obj_get(o, "regions");
    if (f != NULL) {
        size_t p = cdn_json_push(&c->j, ".features");
        CDN_TRY(read_named_features(c, f, ns));
        cdn_json_pop(&c->j, p);
    }
    if (r != NULL) {
        size_t p = cdn_json_push(&c->j, ".regions");
        CDN_TRY(read_region_share(c, r, &ns->region_share));
        cdn_json_pop(&c->j, p);
    }
    return 0;
}

int scn_read_proxy_scope(scn_ctx_t *c, cdn_proxy_spec_t *px)
{
    px->scope_feature = -1;
    if (px->scope_feature_name[0] == '\0')
        return 0;
    size_t p = cdn_json_push(&c->j, ".scope_feature");
    cdn_scope_t want = CDN_SCOPE_ALL; /* what `scope` says with this scope_feature */
    if (strcmp(px->scope_feature_name, "bot_management") == 0)
        want = CDN_SCOPE_BOT_MANAGEMENT;
    else if (strcmp(px->scope_feature_name, "bot_block_rules") == 0)
        want = CDN_SCOPE_BOT_BLOCK_RULES;
    if (px->scope != CDN_SCOPE_ALL && px->scope != want) /* `show` writes both, scope "all" */
        return cdn_json_fail(&c->j, "expected either scope or scope_feature, found both, and they "
                             "disagree: scope \"%s\" (drop one)", cdn_scope_name(px->scope));
    px->scope = want;
    cdn_json_pop(&c->j, p);
    return 0; /* other names: scn_finish_sites, once every site is read */
}

/* In a regional scenario, plans without `regions` get the rest of each
 * region's traffic: R_r = s_r - (declared users in r), spread as
 * max(R_r, 0) / sum max(R, 0) (like all traffic when nothing is left). */
static void fill_default_users(cdn_scenario_t *s)
{
    cdn_sites_spec_t *st = &s->sites;
    double *rest = sim_xcalloc(s->nregions, sizeof *rest), sum = 0;
    for (size_t r = 0; r < s->nregions; r++) {
        double v = s->regions[r].traffic_share;
        for (size_t i = 0; i < st->nplans; i++) {
            double own = 0; /* traffic of its named sites that have regions of their own */
            for (size_t k = 0; k < st->nnamed; k++)
                if (st->named[k].plan == i && st->named[k].region_share != NULL)
                    own += st->named[k].traffic_share;
            if (st->plans[i].region_share != NULL)
                v -= (st->plans[i].traffic_share - own) * st->plans[i].region_share[r];
        }
        for (size_t k = 0; k < st->nnamed; k++)
            if (st->named[k].region_share != NULL)
                v -= st->named[k].traffic_share * st->named[k].region_share[r];
        rest[r] = v > 0 ? v : 0;
        sum += rest[r];
    }
    for (size_t i = 0; i < st->nplans; i++) {
        if (st->plans[i].region_share != NULL)
            continue;
        double *d = sim_xcalloc(s->nregions, sizeof *d);
        for (size_t r = 0; r < s->nregions; r++)
            d[r] = sum > 0 ? rest[r] / sum : s->regions[r].traffic_share;
        st->plans[i].region_share = d;
    }
    free(rest);
}

/* Every region with a traffic share has some plan's users. */
static int check_region_users(scn_ctx_t *c)
{
    const cdn_scenario_t *s = c->s;
    for (size_t r = 0; r < s->nregions; r++) {
        double users = 0;
        for (size_t i = 0; i < s->sites.nplans; i++) {
            const cdn_plan_spec_t *pl = &s->sites.plans[i];
            users += pl->traffic_share * (pl->region_share ? pl->region_share[r] : s->regions[r].traffic_share);
        }
        if (s->regions[r].traffic_share > 0 && !(users > 0))
            return cdn_json_fail(&c->j, "expected some plan's users in region \"%s\" (traffic_share %s): "
                                 "give it a share in some plan's regions, or traffic_share 0",
                                 s->regions[r].name, cdn_json_show_num(s->regions[r].traffic_share).s);
    }
    return 0;
}

/* After the named sites: the proxies' scope features (named only by a
 * proxy: added to the table, shares 0 everywhere), at most
 * CDN_MAX_SCOPE_FEATURES distinct ones; the regions' users. */
int scn_finish_sites(scn_ctx_t *c)
{
    cdn_scenario_t *s = c->s;
    int32_t used[CDN_MAX_PROXIES];
    size_t nused = 0;
    for (size_t i = 0; i < s->nproxies; i++) {
        cdn_proxy_spec_t *px = &s->proxies[i];
        if (px->scope_feature_name[0] == '\0' || px->scope != CDN_SCOPE_ALL)
            continue;
        size_t p = cdn_json_push(&c->j, ".proxies[%zu].scope_feature", i);
        CDN_TRY(feature_index(c, px->scope_feature_name, &px->scope_feature));
        size_t u = 0;
        while (u < nused && used[u] != px->scope_feature)
            u++;
        if (u == nused && nused++ == CDN_MAX_SCOPE_FEATURES)
            return cdn_json_fail(&c->j, "expected at most %d distinct scope_feature names besides "
                                 "bot_management and bot_block_rules, found another: %s",
                                 CDN_MAX_SCOPE_FEATURES, cdn_json_show_str(px->scope_feature_name).s);
        used[u] = px->scope_feature;
        cdn_json_pop(&c->j, p);
    }
    if (!s->sites.regional)
        return 0;
    fill_default_users(s);
    size_t p = cdn_json_push(&c->j, ".sites.plans");
    CDN_TRY(check_region_users(c));
    cdn_json_pop(&c->j, p);
    return 0;
}
