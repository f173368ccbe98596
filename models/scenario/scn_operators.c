/*
 * scn_operators.c -- the scenario's "services" (dependency graph) and
 * "operators" (detection, diagnosis, actions).
 *
 * Design
 *   Services are read in three passes: each service's own keys (scalars
 *   from the schema table), then the depends_on references with every name
 *   known, then a depth-first search that reports the first cycle with its
 *   chain of names.  Actions take the keys of their kind only: the per-kind
 *   key sets are a bit mask per kind (action_extra_allowed), the one place
 *   that says which kind takes which key.  Actions are sorted by time,
 *   stable (ties in file order; triggered ones last, at INFINITY).
 *
 * Complexity: services O(V + E) for the cycle search; actions
 *   O(n log n) for the sort (up to 10000).
 */
#include "scn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

#define CDN_X_NAME(e, s) s,
static const char *const action_names[] = {CDN_ACTION_MAP(CDN_X_NAME)};
static const char *const trigger_names[] = {CDN_TRIGGER_MAP(CDN_X_NAME)};
#undef CDN_X_NAME

/* "behind_proxy" / "bypass_proxy": a proxy name or null (-1). */
static int opt_proxy_or_null(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key, int32_t *out)
{
    const cdn_scenario_t *s = c->s;
    const cJSON *j = cdn_json_obj_get(o, key);
    *out = -1;
    if (j == NULL || cJSON_IsNull(j))
        return 0;
    size_t p = cdn_json_key(&c->j, key);
    if (!cJSON_IsString(j))
        return cdn_json_fail(&c->j, "expected the name of a proxy or null, found %s", cdn_json_type(j));
    CDN_TRY(RESOLVE(c, j, "a proxy", s->proxies, s->nproxies, out));
    cdn_json_pop(&c->j, p);
    return 0;
}

/* On a back edge u -> v of the depth-first search, reports the cycle
 * stack[pos] -> ... -> stack[depth] (= u) -> v (= stack[pos]). */
static int cycle_error(scn_ctx_t *c, const size_t *stack, size_t depth, size_t v)
{
    const cdn_service_spec_t *sv = c->s->services;
    char chain[512];
    size_t pos = 0, o = 0;
    while (stack[pos] != v)
        pos++;
    chain[0] = '\0';
    for (size_t k = pos; k <= depth + 1 && o < sizeof chain; k++) {
        int w = snprintf(chain + o, sizeof chain - o, "%s'%s'", k > pos ? " -> " : "",
                         sv[k <= depth ? stack[k] : v].name);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    cdn_json_push(&c->j, "[%zu].depends_on", stack[depth]);
    return cdn_json_fail(&c->j, "expected an acyclic dependency graph, found a cycle through '%s' (%s)",
                sv[v].name, chain);
}

/* color: 0 not visited, 1 on the current path, 2 done. */
static int dfs_services(scn_ctx_t *c, size_t u, unsigned char *color, size_t *stack, size_t depth)
{
    const cdn_service_spec_t *sv = &c->s->services[u];
    color[u] = 1;
    stack[depth] = u;
    for (size_t k = 0; k < sv->ndeps; k++) {
        size_t v = sv->deps[k];
        if (color[v] == 1)
            return cycle_error(c, stack, depth, v);
        if (color[v] == 0)
            CDN_TRY(dfs_services(c, v, color, stack, depth + 1));
    }
    color[u] = 2;
    return 0;
}

/* Three passes: each service's own keys (and the shape of depends_on);
 * then, with every name known, the depends_on references; then cycles. */
int scn_read_services(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    const cJSON *deps[SCN_MAX_SERVICES] = {NULL};
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, SCN_MAX_SERVICES, "objects", &n));
    if (n == 0)
        return 0;
    s->services = sim_xcalloc(n, sizeof *s->services);
    s->nservices = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_service_spec_t *sv = &s->services[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_service, &o));
        CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_service, &s->sim, sv));
        CDN_TRY(opt_proxy_or_null(c, &o, "behind_proxy", &sv->behind_proxy));
        CDN_TRY(opt_proxy_or_null(c, &o, "bypass_proxy", &sv->bypass_proxy));
        deps[i] = cdn_json_obj_get(&o, "depends_on");
        if (deps[i] != NULL) {
            size_t q = cdn_json_push(&c->j, ".depends_on");
            CDN_TRY(cdn_json_array(&c->j, deps[i], 0, CDN_MAX_DEPS, "service names", &sv->ndeps));
            cdn_json_pop(&c->j, q);
        }
        cdn_json_pop(&c->j, p);
    }
    CDN_TRY(CHECK_UNIQUE(c, s->services, n));
    for (i = 0; i < n; i++) {
        cdn_service_spec_t *sv = &s->services[i];
        size_t k = 0;
        for (const cJSON *e = deps[i] ? deps[i]->child : NULL; e != NULL; e = e->next, k++) {
            int32_t ix = -1;
            size_t p = cdn_json_push(&c->j, "[%zu].depends_on[%zu]", i, k);
            CDN_TRY(RESOLVE(c, e, "a service", s->services, n, &ix));
            if ((size_t)ix == i)
                return cdn_json_fail(&c->j, "expected the name of another service, found %s "
                               "(a service cannot depend on itself)",
                            cdn_json_show_str(e->valuestring).s);
            for (size_t q = 0; q < k; q++) {
                if (sv->deps[q] == (uint32_t)ix)
                    return cdn_json_fail(&c->j, "expected each service once, found %s again",
                                cdn_json_show_str(e->valuestring).s);
            }
            sv->deps[k] = (uint32_t)ix;
            cdn_json_pop(&c->j, p);
        }
    }
    unsigned char color[SCN_MAX_SERVICES] = {0};
    size_t stack[SCN_MAX_SERVICES];
    for (i = 0; i < n; i++) {
        if (color[i] == 0)
            CDN_TRY(dfs_services(c, i, color, stack, 0));
    }
    return 0;
}

/* Keys of an action beyond kind, at_utc, at_s and label, and which kinds
 * take them. */
enum {
    AK_ARTIFACT = 1u << 0,
    AK_PROXY = 1u << 1,
    AK_SERVICE = 1u << 2,
    AK_DURATION = 1u << 3,
    AK_RESTART = 1u << 4,
    AK_RATE = 1u << 5,
    AK_ONLY_FAILING = 1u << 6,
    AK_CAPACITY = 1u << 7,
    AK_TARGET = 1u << 8,  /* "target" (scn_targets.c) */
    AK_ROLLOUT = 1u << 9  /* "rollout" (scn_targets.c) */
};
static const char *const action_extra_keys[] = {"artifact",   "proxy",        "service",
                                                "duration_s", "restart_s",    "rate_per_s",
                                                "only_failing", "capacity", "target",
                                                "rollout"};
static const unsigned action_extra_allowed[CDN_ACTION_COUNT] = {
    [CDN_ACTION_STOP_GENERATION] = AK_ARTIFACT,
    [CDN_ACTION_PUSH_LAST_KNOWN_GOOD] = AK_ARTIFACT | AK_TARGET | AK_ROLLOUT,
    [CDN_ACTION_RESTART_PROXIES] = AK_PROXY | AK_DURATION | AK_RESTART | AK_RATE |
                                   AK_ONLY_FAILING | AK_TARGET | AK_ROLLOUT,
    [CDN_ACTION_BYPASS_SERVICE] = AK_SERVICE,
    [CDN_ACTION_KILL_SWITCH] = AK_ARTIFACT | AK_TARGET | AK_ROLLOUT,
    [CDN_ACTION_FAIL_SERVICE] = AK_SERVICE | AK_DURATION,
    [CDN_ACTION_SCALE_SERVICE] = AK_SERVICE | AK_CAPACITY,
};

static const char *const action_keys[] = {"kind",     "at_utc",  "at_s",    "after",
                                          "delay_s",  "label",   "artifact", "proxy",
                                          "service",  "duration_s", "restart_s",
                                          "rate_per_s", "only_failing", "capacity",
                                          "target", "rollout"};

static int reject_extra_keys(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_action_kind_t kind)
{
    unsigned allowed = action_extra_allowed[kind];
    for (size_t k = 0; k < ARRAY_LEN(action_extra_keys); k++) {
        if ((allowed & (1u << k)) || cdn_json_obj_get(o, action_extra_keys[k]) == NULL)
            continue;
        char list[240] = "kind, at_utc, at_s, after, delay_s, label";
        for (size_t q = 0; q < ARRAY_LEN(action_extra_keys); q++) {
            if (allowed & (1u << q)) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, ", %s", action_extra_keys[q]);
            }
        }
        cdn_json_key(&c->j, action_extra_keys[k]);
        if ((1u << k) & (AK_TARGET | AK_ROLLOUT))
            return cdn_json_fail(&c->j, "key not allowed for kind \"%s\": it acts on a generator or "
                                 "a service, which is global (\"target\" and \"rollout\" are for "
                                 "push_last_known_good, kill_switch and restart_proxies)",
                                 cdn_action_name(kind));
        return cdn_json_fail(&c->j, "key not allowed for kind \"%s\" (allowed: %s, notes)",
                    cdn_action_name(kind), list);
    }
    return 0;
}

/* The reference `key` of an action of `kind`; *out stays as is (-1) when
 * optional and absent. */
static int action_ref(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_action_kind_t kind, const char *key,
                      int required, const char *what, const void *base, size_t n, size_t stride,
                      int32_t *out)
{
    const cJSON *ref = cdn_json_obj_get(o, key);
    if (ref == NULL)
        return required ? cdn_json_fail(&c->j, "missing required key \"%s\" (for kind \"%s\")", key,
                               cdn_action_name(kind))
                        : 0;
    size_t p = cdn_json_key(&c->j, key);
    CDN_TRY(scn_resolve_ref(c, ref, what, base, n, stride, out));
    cdn_json_pop(&c->j, p);
    return 0;
}

static int read_action(scn_ctx_t *c, const cJSON *j, cdn_action_spec_t *a)
{
    const cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    CDN_TRY(cdn_json_obj_open(&c->j, j, action_keys, ARRAY_LEN(action_keys), &o));
    if (cdn_json_obj_get(&o, "kind") == NULL)
        return cdn_json_missing(&c->j, "kind");
    int kind = 0;
    CDN_TRY(cdn_json_opt_enum(&c->j, &o, "kind", action_names, ARRAY_LEN(action_names), &kind));
    a->kind = (cdn_action_kind_t)kind;
    CDN_TRY(reject_extra_keys(c, &o, a->kind));
    /* either a time ("at_utc"/"at_s") or a trigger ("after", "delay_s") */
    a->trigger = CDN_TRIGGER_TIME;
    a->delay_s = 0;
    if (cdn_json_obj_get(&o, "after") != NULL) {
        if (cdn_json_obj_get(&o, "at_utc") != NULL || cdn_json_obj_get(&o, "at_s") != NULL)
            return cdn_json_fail(&c->j, "expected either a time (\"at_utc\" or \"at_s\") or \"after\", "
                           "found both");
        int trig = 0;
        CDN_TRY(cdn_json_opt_enum(&c->j, &o, "after", trigger_names + 1, ARRAY_LEN(trigger_names) - 1, &trig));
        a->trigger = (cdn_trigger_t)(trig + 1);
        CDN_TRY(cdn_json_opt_num(&c->j, &o, "delay_s", R_GE(0), &a->delay_s));
        a->at_s = INFINITY;
    } else {
        if (cdn_json_obj_get(&o, "delay_s") != NULL) {
            cdn_json_push(&c->j, ".delay_s");
            return cdn_json_fail(&c->j, "key allowed only with \"after\"");
        }
        if (cdn_json_obj_get(&o, "at_utc") == NULL && cdn_json_obj_get(&o, "at_s") == NULL)
            return cdn_json_fail(&c->j, "missing required key \"at_utc\", \"at_s\" or \"after\"");
        CDN_TRY(scn_read_time(c, &o, "at", 1, &a->at_s));
    }

    const char *label = cdn_action_name(a->kind);
    CDN_TRY(cdn_json_opt_str(&c->j, &o, "label", &label));
    if (strlen(label) >= CDN_NAME_MAX) {
        cdn_json_push(&c->j, ".label");
        return cdn_json_fail(&c->j, "expected a string of at most %d bytes, found %s", CDN_NAME_MAX - 1,
                    cdn_json_show_str(label).s);
    }
    memcpy(a->label, label, strlen(label) + 1);

    a->artifact = a->proxy = a->service = -1;
    a->duration_s = 0;
    a->restart_s = 0;
    unsigned allowed = action_extra_allowed[a->kind];
    if (allowed & AK_ARTIFACT)
        CDN_TRY(action_ref(c, &o, a->kind, "artifact", 1, "an artifact", s->artifacts, s->nartifacts,
                       sizeof *s->artifacts, &a->artifact));
    if (allowed & AK_SERVICE)
        CDN_TRY(action_ref(c, &o, a->kind, "service", 1, "a service", s->services, s->nservices,
                       sizeof *s->services, &a->service));
    if (allowed & AK_PROXY) {
        CDN_TRY(action_ref(c, &o, a->kind, "proxy", 0, "a proxy", s->proxies, s->nproxies,
                       sizeof *s->proxies, &a->proxy));
        a->restart_s = 60;
        CDN_TRY(cdn_json_opt_num(&c->j, &o, "restart_s", R_GE(0), &a->restart_s));
        a->rate_per_s = 0;
        CDN_TRY(cdn_json_opt_num(&c->j, &o, "rate_per_s", R_GE(0), &a->rate_per_s));
        CDN_TRY(cdn_json_opt_bool(&c->j, &o, "only_failing", &a->only_failing));
        if (a->rate_per_s > 0 && cdn_json_obj_get(&o, "duration_s") != NULL)
            return cdn_json_fail(&c->j, "expected at most one of \"duration_s\" and \"rate_per_s\", found both");
    }
    if (allowed & AK_CAPACITY) {
        if (cdn_json_obj_get(&o, "capacity") == NULL)
            return cdn_json_fail(&c->j, "missing required key \"capacity\" (for kind \"%s\")",
                        cdn_action_name(a->kind));
        CDN_TRY(cdn_json_opt_num(&c->j, &o, "capacity", R_GE(0), &a->capacity));
    }
    if (allowed & AK_DURATION) {
        if (a->kind == CDN_ACTION_FAIL_SERVICE && cdn_json_obj_get(&o, "duration_s") == NULL)
            return cdn_json_fail(&c->j, "missing required key \"duration_s\" (for kind \"%s\")",
                        cdn_action_name(a->kind));
        CDN_TRY(cdn_json_opt_num(&c->j, &o, "duration_s", R_GE(0), &a->duration_s));
    }
    CDN_TRY(scn_read_action_target(c, &o, a));
    if (a->trigger == CDN_TRIGGER_DETECTION && !s->detection.enabled) {
        cdn_json_push(&c->j, ".after");
        return cdn_json_fail(&c->j, "expected \"$.operators.detection\" for an action after detection");
    }
    if (a->trigger == CDN_TRIGGER_DIAGNOSIS && !s->detection.diagnosis) {
        cdn_json_push(&c->j, ".after");
        return cdn_json_fail(&c->j, "expected \"$.operators.diagnosis\" for an action after diagnosis");
    }
    return 0;
}

typedef struct at_ix {
    double at_s;
    size_t ix;
} at_ix_t;

static int cmp_at_ix(const void *a, const void *b)
{
    const at_ix_t *x = a, *y = b;
    if (x->at_s != y->at_s)
        return x->at_s < y->at_s ? -1 : 1;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

/* Stable sort by at_s: qsort on (at_s, file index). */
static void sort_actions(cdn_scenario_t *s)
{
    size_t n = s->nactions;
    at_ix_t *order = sim_xmalloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (at_ix_t){s->actions[i].at_s, i};
    qsort(order, n, sizeof *order, cmp_at_ix);
    cdn_action_spec_t *sorted = sim_xmalloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = s->actions[order[i].ix];
    free(order);
    free(s->actions);
    s->actions = sorted;
}

static int read_actions(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, SCN_MAX_ACTIONS, "objects", &n));
    if (n == 0)
        return 0;
    s->actions = sim_xcalloc(n, sizeof *s->actions);
    s->nactions = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(read_action(c, e, &s->actions[i]));
        cdn_json_pop(&c->j, p);
    }
    sort_actions(s);
    return 0;
}

static int read_detection(scn_ctx_t *c, const cJSON *j)
{
    cdn_detection_spec_t *d = &c->s->detection;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_detection, &o));
    d->enabled = 1;
    return cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_detection, &c->s->sim, d);
}

/* An optional array of at most CDN_MAX_DEPS service names under `key`,
 * into out[] and *n. */
static int read_service_list(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key, uint32_t *out,
                             size_t *n)
{
    const cJSON *ms = cdn_json_obj_get(o, key);
    if (ms == NULL)
        return 0;
    size_t p = cdn_json_push(&c->j, ".%s", key), i = 0;
    CDN_TRY(cdn_json_array(&c->j, ms, 0, CDN_MAX_DEPS, "service names", n));
    for (const cJSON *e = ms->child; e != NULL; e = e->next, i++) {
        int32_t ix = -1;
        size_t q = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(RESOLVE(c, e, "a service", c->s->services, c->s->nservices, &ix));
        out[i] = (uint32_t)ix;
        cdn_json_pop(&c->j, q);
    }
    cdn_json_pop(&c->j, p);
    return 0;
}

static int read_diagnosis(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    cdn_detection_spec_t *d = &s->detection;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_diagnosis, &o));
    d->diagnosis = 1;
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_diagnosis, &s->sim, d));
    CDN_TRY(read_service_list(c, &o, "misleading_services", d->misleading, &d->nmisleading));
    return read_service_list(c, &o, "elsewhere_services", d->elsewhere, &d->nelsewhere);
}

int scn_read_operators(scn_ctx_t *c, const cJSON *j)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_operators, &o));
    CDN_TRY(scn_section(c, &o, "detection", 0, read_detection));
    if (cdn_json_obj_get(&o, "diagnosis") != NULL && !c->s->detection.enabled) {
        cdn_json_push(&c->j, ".diagnosis");
        return cdn_json_fail(&c->j, "expected \"$.operators.detection\" too: diagnosis follows detection");
    }
    CDN_TRY(scn_section(c, &o, "diagnosis", 0, read_diagnosis));
    return scn_section(c, &o, "actions", 0, read_actions);
}

