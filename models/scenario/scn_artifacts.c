/*
 * scn_artifacts.c -- the scenario's "artifacts": generator, cluster
 * migration, distribution latency, consumers, tiers and staged rollout.
 *
 * Design
 *   Scalar keys come from the schema table (schema.def, sections artifact,
 *   cluster, distribution, rollout, stage, gate), with their defaults
 *   written even when the sub-object is absent; this file keeps the
 *   composite rules: consumers name proxies once each; normal_size is at
 *   most size_limit; the p99 latency is at least the median; rollout
 *   stages are fraction stages (increasing, the last exactly 1) or tier
 *   stages.
 *
 * Complexity: linear in artifacts x (stages + consumers).
 */
#include "scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

static int read_cluster(scn_ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_cluster, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_cluster, &c->s->sim, a));
    return scn_read_time(c, &o, "migration_start", 0, &a->migration_start_s);
}

static int read_distribution(scn_ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_distribution, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_distribution, &c->s->sim, a));
    return scn_check_ge(c, "latency_p99_s", a->latency_p99_s, "latency_median_s",
                    a->latency_median_s);
}

static int read_consumers(scn_ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    const cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 1, CDN_MAX_PROXIES, "proxy names", &n));
    size_t k = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, k++) {
        int32_t ix = -1;
        size_t p = cdn_json_push(&c->j, "[%zu]", k);
        CDN_TRY(RESOLVE(c, e, "a proxy", s->proxies, s->nproxies, &ix));
        for (size_t q = 0; q < k; q++) {
            if (a->consumers[q] == (uint32_t)ix)
                return cdn_json_fail(&c->j, "expected each proxy once, found %s again",
                            cdn_json_show_str(e->valuestring).s);
        }
        a->consumers[k] = (uint32_t)ix;
        cdn_json_pop(&c->j, p);
    }
    a->nconsumers = n;
    return 0;
}

/* "rollout": {"stages": [{"frac", "bake_s"}...], "health_gate": {...}} */
static int read_rollout(scn_ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_rollout, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_rollout, &c->s->sim, a));
    const cJSON *st = cdn_json_obj_get(&o, "stages");
    if (st == NULL)
        return cdn_json_missing(&c->j, "stages");
    size_t p = cdn_json_push(&c->j, ".stages"), n = 0;
    CDN_TRY(cdn_json_array(&c->j, st, 1, CDN_MAX_STAGES, "objects", &n));
    size_t i = 0;
    for (const cJSON *e = st->child; e != NULL; e = e->next, i++) {
        cdn_json_obj_t so;
        size_t q = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_stage, &so));
        const cJSON *tiers = cdn_json_obj_get(&so, "tiers");
        if ((tiers != NULL) == (cdn_json_obj_get(&so, "frac") != NULL))
            return cdn_json_fail(&c->j, "expected exactly one of \"frac\" and \"tiers\"");
        if (tiers != NULL) {
            size_t r = cdn_json_push(&c->j, ".tiers");
            CDN_TRY(scn_read_tiers(c, tiers, a->stage_tiers[i], &a->stage_ntiers[i]));
            cdn_json_pop(&c->j, r);
            a->stage_frac[i] = NAN;
        } else {
            double lo = 0; /* fractions increase over the fraction stages */
            for (size_t k = 0; k < i; k++)
                if (!isnan(a->stage_frac[k]))
                    lo = a->stage_frac[k];
            CDN_TRY(cdn_json_req_num(&c->j, &so, "frac", R_OC(lo, 1), &a->stage_frac[i]));
        }
        a->stage_bake_s[i] = 0;
        CDN_TRY(cdn_json_opt_num(&c->j, &so, "bake_s", R_GE(0), &a->stage_bake_s[i]));
        cdn_json_pop(&c->j, q);
    }
    if (a->stage_frac[n - 1] != 1.0) {
        cdn_json_push(&c->j, "[%zu]", n - 1);
        if (isnan(a->stage_frac[n - 1]))
            return cdn_json_fail(&c->j, "expected the last stage to reach every server ({\"frac\": 1}), "
                           "found a tier stage");
        cdn_json_push(&c->j, ".frac");
        return cdn_json_fail(&c->j, "expected the last stage to reach every server (1), found %s",
                    cdn_json_show_num(a->stage_frac[n - 1]).s);
    }
    a->nstages = n;
    cdn_json_pop(&c->j, p);
    const cJSON *g = cdn_json_obj_get(&o, "health_gate");
    if (g != NULL) {
        cdn_json_obj_t go;
        size_t q = cdn_json_push(&c->j, ".health_gate");
        CDN_TRY(cdn_schema_open(&c->j, g, CDN_SCHEMA_SEC_gate, &go));
        a->health_gate = 1;
        CDN_TRY(cdn_schema_read(&c->j, &go, CDN_SCHEMA_SEC_gate, &c->s->sim, a));
        cdn_json_pop(&c->j, q);
    }
    return 0;
}

typedef int (*artifact_part_fn)(scn_ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a);

/* Runs `fn` on the value of `key` of the artifact, if present. */
static int artifact_part(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key, artifact_part_fn fn,
                         cdn_artifact_spec_t *a)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    if (j == NULL)
        return 0;
    size_t p = cdn_json_key(&c->j, key);
    CDN_TRY(fn(c, j, a));
    cdn_json_pop(&c->j, p);
    return 0;
}

static int read_artifact_tiers(scn_ctx_t *c, const cJSON *j, cdn_artifact_spec_t *a)
{
    return scn_read_tiers(c, j, a->tiers, &a->ntiers);
}

static int read_artifact(scn_ctx_t *c, const cJSON *e, cdn_artifact_spec_t *a)
{
    const cdn_sim_spec_t *sim = &c->s->sim;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_artifact, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_artifact, sim, a));
    if (cdn_json_obj_get(&o, "consumers") == NULL)
        return cdn_json_missing(&c->j, "consumers");
    CDN_TRY(artifact_part(c, &o, "consumers", read_consumers, a));
    a->first_run_s = 0;
    CDN_TRY(scn_read_time(c, &o, "first_run", 0, &a->first_run_s));
    cdn_schema_defaults(CDN_SCHEMA_SEC_cluster, sim, a);
    a->migration_start_s = INFINITY; /* never */
    CDN_TRY(artifact_part(c, &o, "cluster", read_cluster, a));
    if (a->normal_size > a->size_limit) {
        cdn_json_push(&c->j, ".normal_size");
        return cdn_json_fail(&c->j, "expected a number <= size_limit (%s), found %s",
                             cdn_json_show_num(a->size_limit).s,
                             cdn_json_show_num(a->normal_size).s);
    }
    a->latent_until_s = 0;
    CDN_TRY(scn_read_time(c, &o, "latent_until", 0, &a->latent_until_s));
    cdn_schema_defaults(CDN_SCHEMA_SEC_distribution, sim, a);
    CDN_TRY(artifact_part(c, &o, "distribution", read_distribution, a));
    CDN_TRY(artifact_part(c, &o, "tiers", read_artifact_tiers, a));
    return artifact_part(c, &o, "rollout", read_rollout, a);
}

int scn_read_artifacts(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, SCN_MAX_ARTIFACTS, "objects", &n));
    if (n == 0)
        return 0;
    s->artifacts = sim_xcalloc(n, sizeof *s->artifacts);
    s->nartifacts = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(read_artifact(c, e, &s->artifacts[i]));
        cdn_json_pop(&c->j, p);
    }
    return CHECK_UNIQUE(c, s->artifacts, n);
}

