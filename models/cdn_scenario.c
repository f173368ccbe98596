/*
 * cdn_scenario.c -- a JSON scenario file turned into a validated
 * cdn_scenario_t (format: docs/scenario-format.md).
 *
 * Design
 *   The file is read and parsed into a cJSON tree by the one strict JSON
 *   reader (scenario/cdn_json.c), which also owns the JSON path, the
 *   message format, and the checks shared with strategy files (object keys,
 *   numbers and ranges, names).  Every key of every fixed-schema object is a
 *   row of the schema table (scenario/schema.def): the rows give each
 *   object's key list and read its scalar keys with their defaults and
 *   ranges (scenario/cdn_schema.c).  What no row can say stays here and in
 *   scenario/scn_*.c: references by name, shares that sum to 1, the
 *   service graph's cycles, per-kind action keys, time pairs.
 *
 *   The tree is walked once, one reader per JSON object, in dependency
 *   order rather than file order: simulation (start time, needed by every
 *   "_utc" key), traffic (default step is bin_s), regions, proxies, sites
 *   (proxy_mix names proxies; scn_sites.c), artifacts (consumers;
 *   scn_artifacts.c), services (depends_on; scn_operators.c), named sites
 *   (services), operators (name artifacts, proxies, services), metrics,
 *   calibration, then the priors (cdn_priors.h: checked, not kept; a
 *   plain run ignores them).  The first error stops the walk.  cdn_scenario_from_tree()
 *   is the one entry to that walk: every loader (a file, a string, a tree
 *   changed by strategy overlays, scenario/cdn_loader.c) ends there.
 *
 *   Everything allocated hangs off the cdn_scenario_t being filled (arrays
 *   are stored with their counts as soon as they are allocated), so the one
 *   cleanup path is cdn_scenario_destroy() plus cJSON_Delete().  Temporary
 *   sort arrays are freed by the function that made them before it returns.
 *   Out of memory aborts in sim_xmalloc (the kernel's one place for it).
 *
 * Invariants of a returned scenario: every documented range holds; shares
 *   sum to 1 within 1e-6; names are unique per kind; every index refers to
 *   an existing entity or is -1 where the header allows it; the service
 *   graph is acyclic; actions are sorted by at_s, ties in file order.
 *
 * Complexity: linear in the size of the file, except the name uniqueness
 *   checks (sort, O(n log n); up to 100000 regions) and the duplicate check
 *   of the free-form "sources" object (also a sort).  Keys of fixed-schema
 *   objects are matched against at most CDN_JSON_OBJ_MAX_KEYS (48) names.
 *
 * Rejected alternatives
 *   - One read call per key with its default and range written at the
 *     call (as before the schema table): the key list, the read, the
 *     header comment and the document described each key four times and
 *     drifted apart.
 *   - Generic readers for the composite rules too: each rule is read once,
 *     and a table of special cases would be harder to read than the code.
 */
#include "cdn_scenario.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_priors.h"
#include "sim_alloc.h"
#include "scenario/scn.h"

/* Names are looked up generically as the first member of each spec. */
_Static_assert(offsetof(cdn_region_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_proxy_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_plan_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_artifact_spec_t, name) == 0, "name first");
_Static_assert(offsetof(cdn_service_spec_t, name) == 0, "name first");

/* ------------------------------------------------------------------------ */
/* Enum names (X-macro lists of the header)                                  */

#define CDN_X_NAME(e, s) s,
static const char *const effect_names[] = {CDN_EFFECT_MAP(CDN_X_NAME)};
static const char *const scope_names[] = {CDN_SCOPE_MAP(CDN_X_NAME)};
static const char *const action_names[] = {CDN_ACTION_MAP(CDN_X_NAME)};
static const char *const trigger_names[] = {CDN_TRIGGER_MAP(CDN_X_NAME)};
static const char *const order_names[] = {CDN_ROLLOUT_ORDER_MAP(CDN_X_NAME)};
#undef CDN_X_NAME

const char *cdn_effect_name(cdn_effect_t e)
{
    return (size_t)e < ARRAY_LEN(effect_names) ? effect_names[e] : "?";
}

const char *cdn_scope_name(cdn_scope_t sc)
{
    return (size_t)sc < ARRAY_LEN(scope_names) ? scope_names[sc] : "?";
}

const char *cdn_trigger_name(cdn_trigger_t t)
{
    return (unsigned)t < CDN_TRIGGER_COUNT ? trigger_names[t] : "?";
}

const char *cdn_rollout_order_name(cdn_rollout_order_t o)
{
    return (unsigned)o < CDN_ORDER_COUNT ? order_names[o] : "?";
}

const char *cdn_action_name(cdn_action_kind_t a)
{
    return (size_t)a < ARRAY_LEN(action_names) ? action_names[a] : "?";
}

/* "sources": an object of id -> string; its keys are free, so duplicates
 * are found by sorting. */
static int read_sources(scn_ctx_t *c, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return cdn_json_fail(&c->j, "expected an object of id -> string, found %s", cdn_json_type(j));
    size_t n = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next) {
        size_t p = cdn_json_key(&c->j, ch->string);
        if (strcmp(ch->string, "notes") == 0)
            CDN_TRY(cdn_json_notes(&c->j, ch));
        else if (!cJSON_IsString(ch))
            return cdn_json_fail(&c->j, "expected a string, found %s", cdn_json_type(ch));
        cdn_json_pop(&c->j, p);
        n++;
    }
    if (n < 2)
        return 0;
    scn_name_ix_t *v = sim_xmalloc(n * sizeof *v);
    n = 0;
    for (const cJSON *ch = j->child; ch != NULL; ch = ch->next, n++)
        v[n] = (scn_name_ix_t){ch->string, n};
    size_t first = 0, bad = scn_first_duplicate(v, n, &first);
    const char *dup = NULL;
    for (size_t i = 0; i < n && bad < n; i++) {
        if (v[i].ix == bad)
            dup = v[i].name;
    }
    free(v);
    if (dup == NULL)
        return 0;
    cdn_json_key(&c->j, dup);
    return cdn_json_fail(&c->j, "duplicate key");
}

/* The shortest period of an event that reschedules itself (traffic steps,
 * generator runs, alert checks, repairs, overload drains). */

static int read_simulation(scn_ctx_t *c, const cJSON *j)
{
    cdn_sim_spec_t *sim = &c->s->sim;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_simulation, &o));
    const cJSON *ju = cdn_json_obj_get(&o, "start_utc");
    if (ju == NULL)
        return cdn_json_missing(&c->j, "start_utc");
    size_t p = cdn_json_push(&c->j, ".start_utc");
    if (!cJSON_IsString(ju) || scn_parse_utc(ju->valuestring, &sim->start_epoch_s) != 0)
        return cdn_json_fail(&c->j, "expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", found %s", cdn_json_found(ju).s);
    memcpy(sim->start_utc, ju->valuestring, strlen(ju->valuestring) + 1);
    cdn_json_pop(&c->j, p);
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_simulation, sim, sim));
    /* every instant of the run must have a UTC name (cdn_scenario_utc) */
    if ((double)sim->start_epoch_s + sim->duration_s > SCN_LAST_EPOCH_S) {
        cdn_json_push(&c->j, ".start_utc");
        return cdn_json_fail(&c->j, "expected a start at least duration_s (%s s) before "
                                    "9999-12-31T23:59:59Z, found %s",
                             cdn_json_show_num(sim->duration_s).s, cdn_json_found(ju).s);
    }
    return 0;
}

static int read_traffic(scn_ctx_t *c, const cJSON *j)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_traffic, &o));
    return cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_traffic, &c->s->sim, &c->s->traffic);
}

/* Two passes: each region's own keys; then, with every name known, the
 * "neighbors" references (kept in nb[] between the passes). */
static int read_regions_into(scn_ctx_t *c, const cJSON *j, size_t n, const cJSON **nb)
{
    cdn_scenario_t *s = c->s;
    double sum = 0;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_region_spec_t *r = &s->regions[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_region, &o));
        CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_region, &s->sim, r));
        nb[i] = cdn_json_obj_get(&o, "neighbors");
        if (nb[i] != NULL) {
            size_t q = cdn_json_push(&c->j, ".neighbors");
            CDN_TRY(cdn_json_array(&c->j, nb[i], 0, CDN_MAX_NEIGHBORS, "region names", &r->nneighbors));
            cdn_json_pop(&c->j, q);
        }
        sum += r->traffic_share;
        cdn_json_pop(&c->j, p);
    }
    CDN_TRY(CHECK_UNIQUE(c, s->regions, n));
    double servers = 0;
    for (i = 0; i < n; i++)
        servers += s->regions[i].servers;
    if (servers > SCN_MAX_SERVERS)
        return cdn_json_fail(&c->j, "expected at most %.0f servers in all regions, found %.0f",
                    SCN_MAX_SERVERS, servers);
    for (i = 0; i < n; i++) {
        size_t k = 0;
        for (const cJSON *e = nb[i] ? nb[i]->child : NULL; e != NULL; e = e->next, k++) {
            int32_t ix = -1;
            size_t p = cdn_json_push(&c->j, "[%zu].neighbors[%zu]", i, k);
            CDN_TRY(RESOLVE(c, e, "a region", s->regions, n, &ix));
            if ((size_t)ix == i)
                return cdn_json_fail(&c->j, "expected the name of another region, found %s",
                            cdn_json_show_str(e->valuestring).s);
            for (size_t q = 0; q < k; q++)
                if (s->regions[i].neighbors[q] == (uint32_t)ix)
                    return cdn_json_fail(&c->j, "expected each region once, found %s again",
                                cdn_json_show_str(e->valuestring).s);
            s->regions[i].neighbors[k] = (uint32_t)ix;
            cdn_json_pop(&c->j, p);
        }
    }
    return scn_check_sum(c, "traffic_share", sum);
}

static int read_regions(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 1, SCN_MAX_REGIONS, "objects", &n));
    s->regions = sim_xcalloc(n, sizeof *s->regions);
    s->nregions = n;
    const cJSON **nb = sim_xcalloc(n, sizeof *nb);
    int rc = read_regions_into(c, j, n, nb);
    free(nb);
    return rc;
}

static int read_proxies(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 1, CDN_MAX_PROXIES, "objects", &n));
    s->proxies = sim_xcalloc(n, sizeof *s->proxies);
    s->nproxies = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_proxy_spec_t *px = &s->proxies[i];
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_proxy, &o));
        CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_proxy, &s->sim, px));
        if (strcmp(px->name, "notes") == 0) { /* would clash with proxy_mix's "notes" */
            cdn_json_push(&c->j, ".name");
            return cdn_json_fail(&c->j, "expected a name other than \"notes\", found \"notes\"");
        }
        if (cdn_json_obj_get(&o, "tiers") != NULL) {
            size_t q = cdn_json_push(&c->j, ".tiers");
            CDN_TRY(scn_read_tiers(c, cdn_json_obj_get(&o, "tiers"), px->tiers, &px->ntiers));
            cdn_json_pop(&c->j, q);
        }
        CDN_TRY(scn_read_proxy_backend(c, &o, px));
        CDN_TRY(scn_read_proxy_scope(c, px));
        CDN_TRY(scn_read_proxy_repair(c, &o, px));
        cdn_json_pop(&c->j, p);
    }
    return CHECK_UNIQUE(c, s->proxies, n);
}

static int read_metrics(scn_ctx_t *c, const cJSON *j)
{
    cdn_metrics_spec_t *m = &c->s->metrics;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_metrics, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_metrics, &c->s->sim, m));
    /* resolved <= impact <= major; blame a key the file gave. */
    if (m->impact_threshold_frac > m->major_threshold_frac) {
        if (cdn_json_obj_get(&o, "major_threshold_frac") != NULL) {
            cdn_json_push(&c->j, ".major_threshold_frac");
            return cdn_json_fail(&c->j, "expected a number >= impact_threshold_frac (%s), found %s",
                        cdn_json_show_num(m->impact_threshold_frac).s,
                        cdn_json_show_num(m->major_threshold_frac).s);
        }
        cdn_json_push(&c->j, ".impact_threshold_frac");
        return cdn_json_fail(&c->j, "expected a number <= major_threshold_frac (%s), found %s",
                    cdn_json_show_num(m->major_threshold_frac).s, cdn_json_show_num(m->impact_threshold_frac).s);
    }
    if (m->resolved_threshold_frac > m->impact_threshold_frac) {
        if (cdn_json_obj_get(&o, "resolved_threshold_frac") != NULL) {
            cdn_json_push(&c->j, ".resolved_threshold_frac");
            return cdn_json_fail(&c->j, "expected a number <= impact_threshold_frac (%s), found %s",
                        cdn_json_show_num(m->impact_threshold_frac).s,
                        cdn_json_show_num(m->resolved_threshold_frac).s);
        }
        cdn_json_push(&c->j, ".impact_threshold_frac");
        return cdn_json_fail(&c->j, "expected a number >= resolved_threshold_frac (%s), found %s",
                    cdn_json_show_num(m->resolved_threshold_frac).s,
                    cdn_json_show_num(m->impact_threshold_frac).s);
    }
    return 0;
}

/* Calibration targets: published values set beside the simulation. */
static const char *const target_keys[] = {"name",     "metric",   "service", "from_utc",
                                          "from_s",   "to_utc",   "to_s",    "target_utc",
                                          "target_s", "target",   "fitted",  "source"};

static int read_target(scn_ctx_t *c, const cJSON *j, cdn_cal_target_spec_t *t)
{
    const cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    CDN_TRY(cdn_json_obj_open(&c->j, j, target_keys, ARRAY_LEN(target_keys), &o));
    const char *name = NULL;
    if (cdn_json_obj_get(&o, "name") == NULL)
        return cdn_json_missing(&c->j, "name");
    CDN_TRY(cdn_json_opt_str(&c->j, &o, "name", &name));
    snprintf(t->name, sizeof t->name, "%s", name);
    if (cdn_json_obj_get(&o, "metric") == NULL)
        return cdn_json_missing(&c->j, "metric");
    const char *cal_names[CDN_CAL_COUNT];
    for (int k = 0; k < CDN_CAL_COUNT; k++)
        cal_names[k] = cdn_cal_metric_name((cdn_cal_metric_t)k);
    int m = 0;
    CDN_TRY(cdn_json_opt_enum(&c->j, &o, "metric", cal_names, ARRAY_LEN(cal_names), &m));
    t->metric = (cdn_cal_metric_t)m;
    t->service = -1;
    cdn_measure_t measure = cdn_cal_metric_measure(t->metric);
    int needs_service = measure == CDN_M_SERVICE_MEAN || measure == CDN_M_SERVICE_MIN;
    const cJSON *sv = cdn_json_obj_get(&o, "service");
    if (needs_service && sv == NULL)
        return cdn_json_fail(&c->j, "missing required key \"service\" (for metric \"%s\")", cal_names[m]);
    if (sv != NULL) {
        if (!needs_service) {
            cdn_json_push(&c->j, ".service");
            return cdn_json_fail(&c->j, "key allowed only for the service metrics");
        }
        size_t p = cdn_json_key(&c->j, "service");
        CDN_TRY(RESOLVE(c, sv, "a service", s->services, s->nservices, &t->service));
        cdn_json_pop(&c->j, p);
    }
    t->from_s = 0;
    t->to_s = s->sim.duration_s;
    CDN_TRY(scn_read_time(c, &o, "from", 0, &t->from_s));
    CDN_TRY(scn_read_time(c, &o, "to", 0, &t->to_s));
    if (t->to_s < t->from_s)
        return cdn_json_fail(&c->j, "expected \"to\" at or after \"from\"");
    t->has_target = 0;
    if (cdn_cal_metric_is_time(t->metric)) {
        if (cdn_json_obj_get(&o, "target") != NULL) {
            cdn_json_push(&c->j, ".target");
            return cdn_json_fail(&c->j, "expected \"target_utc\" or \"target_s\" for a time metric");
        }
        double v = NAN;
        CDN_TRY(scn_read_time(c, &o, "target", 0, &v));
        t->has_target = !isnan(v);
        t->target = v;
    } else {
        if (cdn_json_obj_get(&o, "target_utc") != NULL || cdn_json_obj_get(&o, "target_s") != NULL)
            return cdn_json_fail(&c->j, "expected \"target\" (a number) for metric \"%s\"", cal_names[m]);
        if (cdn_json_obj_get(&o, "target") != NULL) {
            CDN_TRY(cdn_json_opt_num(&c->j, &o, "target", R_GE(0), &t->target));
            t->has_target = 1;
        }
    }
    CDN_TRY(cdn_json_opt_bool(&c->j, &o, "fitted", &t->fitted));
    const char *src = "";
    CDN_TRY(cdn_json_opt_str(&c->j, &o, "source", &src));
    snprintf(t->source, sizeof t->source, "%s", src);
    return 0;
}

static int read_calibration_targets(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, 256, "objects", &n));
    if (n == 0)
        return 0;
    s->targets = sim_xcalloc(n, sizeof *s->targets);
    s->ntargets = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(read_target(c, e, &s->targets[i]));
        cdn_json_pop(&c->j, p);
    }
    return 0;
}


static int read_calibration(scn_ctx_t *c, const cJSON *j)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, j, CDN_SCHEMA_SEC_calibration, &o));
    return scn_section(c, &o, "targets", 0, read_calibration_targets);
}

/* The timeline (bins x (regions + services)) fits SCN_MAX_TIMELINE; bins
 * are counted as the world counts them (cdn_measure_nbins). */
static int check_timeline(scn_ctx_t *c)
{
    const cdn_scenario_t *s = c->s;
    double bins = cdn_measure_nbins_f(s->sim.duration_s, s->sim.bin_s);
    double cells = bins * (double)(s->nregions + s->nservices);
    if (cells <= SCN_MAX_TIMELINE)
        return 0;
    size_t p = cdn_json_push(&c->j, ".simulation.bin_s");
    int rc = cdn_json_fail(&c->j, "expected a bin width with at most %.0f timeline cells (bins x "
                     "(regions + services)), found %s s: %.0f bins x %zu = %.4g cells",
                  SCN_MAX_TIMELINE, cdn_json_show_num(s->sim.bin_s).s, bins,
                  s->nregions + s->nservices, cells);
    cdn_json_pop(&c->j, p);
    return rc;
}

static int read_scenario(scn_ctx_t *c, const cJSON *root)
{
    cdn_scenario_t *s = c->s;
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, root, CDN_SCHEMA_SEC_top, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_top, &s->sim, s));
    const char *description = NULL;
    CDN_TRY(cdn_json_opt_str(&c->j, &o, "description", &description));
    if (description != NULL)
        s->description = sim_xstrdup(description);
    CDN_TRY(scn_section(c, &o, "sources", 0, read_sources));
    CDN_TRY(scn_section(c, &o, "simulation", 1, read_simulation));
    CDN_TRY(scn_section(c, &o, "traffic", 1, read_traffic));
    CDN_TRY(scn_section(c, &o, "regions", 1, read_regions));
    CDN_TRY(scn_section(c, &o, "backends", 0, scn_read_backends));
    CDN_TRY(scn_section(c, &o, "proxies", 1, read_proxies));
    CDN_TRY(scn_section(c, &o, "sites", 1, scn_read_sites));
    CDN_TRY(scn_section(c, &o, "artifacts", 0, scn_read_artifacts));
    CDN_TRY(scn_section(c, &o, "services", 0, scn_read_services));
    CDN_TRY(check_timeline(c));
    if (c->named_ref != NULL) {
        size_t p = cdn_json_push(&c->j, ".sites.named");
        CDN_TRY(scn_read_named_sites(c, c->named_ref));
        cdn_json_pop(&c->j, p);
    }
    CDN_TRY(scn_finish_sites(c));
    if (c->control_plane_ref != NULL) {
        size_t p = cdn_json_push(&c->j, ".sites.control_plane_service");
        CDN_TRY(RESOLVE(c, c->control_plane_ref, "a service", s->services, s->nservices,
                    &s->sites.control_plane_service));
        cdn_json_pop(&c->j, p);
    }
    CDN_TRY(scn_section(c, &o, "operators", 0, scn_read_operators));
    cdn_schema_defaults(CDN_SCHEMA_SEC_metrics, &s->sim, &s->metrics);
    CDN_TRY(scn_section(c, &o, "metrics", 0, read_metrics));
    return scn_section(c, &o, "calibration", 0, read_calibration);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

int cdn_scenario_from_tree(const cJSON *root, const char *file, const char *path,
                           cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    scn_ctx_t c = {0};
    cdn_scenario_t *s = NULL;
    int rc;

    if (err == NULL)
        err = &local;
    err->code = CDN_OK;
    err->msg[0] = '\0';
    *out = NULL;
    s = sim_xcalloc(1, sizeof *s);
    s->path = sim_xstrdup(path);
    cdn_json_ctx_init(&c.j, file, err);
    c.s = s;
    rc = read_scenario(&c, root);
    if (rc == 0 && cJSON_GetObjectItemCaseSensitive(root, "priors") != NULL) {
        cdn_priors_t *priors = NULL; /* checked here, used by sampling commands */
        rc = cdn_priors_read(root, file, path, &priors, err);
        cdn_priors_destroy(priors);
    }
    if (rc != 0) {
        cdn_scenario_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

int cdn_scenario_parse(const char *text, size_t len, const char *path, cdn_scenario_t **out,
                       cdn_error_t *err)
{
    cdn_error_t local;
    cJSON *root = NULL;

    if (err == NULL)
        err = &local;
    err->code = CDN_OK;
    err->msg[0] = '\0';
    *out = NULL;
    if (path == NULL)
        path = "(string)";
    int rc = cdn_json_parse(text, len, path, &root, err);
    if (rc == 0)
        rc = cdn_scenario_from_tree(root, path, path, out, err);
    cJSON_Delete(root);
    return rc;
}

int cdn_scenario_load(const char *path, cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    char *text = NULL;
    size_t len = 0;

    if (err == NULL)
        err = &local;
    *out = NULL;
    int rc = cdn_json_read_file(path, &text, &len, err);
    if (rc == 0)
        rc = cdn_scenario_parse(text, len, path, out, err);
    free(text);
    return rc;
}


int cdn_scenario_in_tiers(const char tiers[][CDN_NAME_MAX], size_t ntiers,
                          const cdn_region_spec_t *r)
{
    if (ntiers == 0)
        return 1;
    for (size_t k = 0; k < ntiers; k++)
        if (strcmp(tiers[k], r->tier) == 0)
            return 1;
    return 0;
}

void cdn_scenario_destroy(cdn_scenario_t *s)
{
    if (s == NULL)
        return;
    free(s->description);
    free(s->path);
    free(s->regions);
    free(s->proxies);
    free(s->backends);
    for (size_t i = 0; s->sites.plans != NULL && i < s->sites.nplans; i++)
        free(s->sites.plans[i].region_share);
    for (size_t i = 0; s->sites.named != NULL && i < s->sites.nnamed; i++)
        free(s->sites.named[i].region_share);
    free(s->sites.plans);
    free(s->sites.named);
    free(s->artifacts);
    free(s->services);
    free(s->actions);
    free(s->action_regions);
    free(s->action_offsets_s);
    free(s->targets);
    free(s);
}
