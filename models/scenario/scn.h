/*
 * scn.h -- private to the scenario reader: models/cdn_scenario.c (entry
 * points, top level, regions, proxies, metrics, calibration) and the
 * section readers in models/scenario/scn_*.c.  Not for other modules.
 *
 * Contract
 *   A scn_ctx_t is the state of one walk over a scenario tree: the JSON
 *   reader context (file, error, JSON path) and the cdn_scenario_t being
 *   filled.  Every reader takes the context and the JSON value at the
 *   context's path, returns 0 or CDN_EDATA (message in c->j.err), and on
 *   success leaves the path as it found it.  Everything a reader allocates
 *   hangs off c->s, so cdn_scenario_destroy() is the one cleanup path.
 *   Readers run in dependency order (see cdn_scenario.c); each reads only
 *   sections read before it.
 */
#ifndef CDNSIM_SCN_H
#define CDNSIM_SCN_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "cdn_json.h"
#include "cdn_scenario.h"
#include "cdn_schema.h"

struct cJSON;

#define SCN_SUM_TOL 1e-6 /* tolerance of "sums to 1" */
#define SCN_MAX_REGIONS 100000
#define SCN_MAX_PLANS 64
#define SCN_MAX_ARTIFACTS 16
#define SCN_MAX_SERVICES 64
#define SCN_MAX_ACTIONS 10000
#define SCN_LAST_EPOCH_S 253402300799.0 /* 9999-12-31T23:59:59Z: the last instant with a UTC name */
/* Resource limits, so that no valid file makes a run abort for memory or
 * loop without end: servers in all regions; timeline cells, bins x
 * (regions + services); how often a periodic event may recur is a bound
 * of the schema (CDN_SCHEMA_MAX_REPEATS). */
#define SCN_MAX_SERVERS 10000000.0
#define SCN_MAX_TIMELINE 4000000.0

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct scn_ctx {
    cdn_json_ctx_t j;  /* file, error and JSON path of the value being read */
    cdn_scenario_t *s; /* being filled */
    const struct cJSON *control_plane_ref; /* $.sites.control_plane_service, resolved after services */
    const struct cJSON *named_ref;         /* $.sites.named, read after services */
} scn_ctx_t;

/* Ranges (cdn_json_range_t) of the keys read by hand; the others are in
 * the schema table (scenario/schema.def). */
#define R_OC(a, b) ((cdn_json_range_t){(a), (b), 1, 0}) /* (a, b] */
#define R_GE(a) ((cdn_json_range_t){(a), INFINITY, 0, 1})

/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ"; 0 on success, -1 otherwise. */
int scn_parse_utc(const char *s, int64_t *epoch_s);

/* A number of o that must be >= another key's value (already read). */
int scn_check_ge(scn_ctx_t *c, const char *key, double v, const char *other, double min);
/* Index of the entity called `name` in an array of specs whose first member
 * is the name, or -1. */
int32_t scn_find_name(const void *base, size_t n, size_t stride, const char *name);
/* j (at the current path) must name one of the n entities; `what` is
 * "a proxy", "an artifact", "a service". */
int scn_resolve_ref(scn_ctx_t *c, const struct cJSON *j, const char *what, const void *base,
                    size_t n, size_t stride, int32_t *out);
#define RESOLVE(c, j, what, arr, n, out)                                                           \
    scn_resolve_ref((c), (j), (what), (arr), (n), sizeof *(arr), (out))

typedef struct scn_name_ix {
    const char *name;
    size_t ix;
} scn_name_ix_t;
/* Sorts the names; returns the file index of the first duplicate (and in
 * *first_ix the index of its first use), or n if none. */
size_t scn_first_duplicate(scn_name_ix_t *v, size_t n, size_t *first_ix);
/* Names unique in an array of specs (the current path is the array). */
int scn_check_unique(scn_ctx_t *c, const void *base, size_t n, size_t stride);
#define CHECK_UNIQUE(c, arr, n) scn_check_unique((c), (arr), (n), sizeof *(arr))

/* "<stem>_utc" or "<stem>_s" into *out (sim seconds, >= 0); with neither
 * key present *out is left as is, or the key is missing when `required`. */
int scn_read_time(scn_ctx_t *c, const cdn_json_obj_t *o, const char *stem, int required,
                  double *out);
typedef int (*scn_reader_fn)(scn_ctx_t *c, const struct cJSON *j);
/* Runs `fn` on the value of `key` with the path extended. */
int scn_section(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key, int required,
                scn_reader_fn fn);
/* The current path is the array whose elements have `key` shares. */
int scn_check_sum(scn_ctx_t *c, const char *key, double sum);
/* "tiers": names of region tiers; each must be the tier of some region. */
/* An action's "target" and "rollout" (scn_targets.c); sets the defaults
 * (global, at once) when both are absent. */
int scn_read_action_target(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_action_spec_t *a);
int scn_read_tiers(scn_ctx_t *c, const struct cJSON *j, char tiers[][CDN_NAME_MAX],
                   size_t *ntiers);

/* Section readers, in the order cdn_scenario.c runs them. */
int scn_read_sites(scn_ctx_t *c, const struct cJSON *j);       /* scn_sites.c */
int scn_read_artifacts(scn_ctx_t *c, const struct cJSON *j);   /* scn_artifacts.c */
int scn_read_services(scn_ctx_t *c, const struct cJSON *j);    /* scn_operators.c */
int scn_read_named_sites(scn_ctx_t *c, const struct cJSON *j); /* scn_sites.c */
int scn_read_operators(scn_ctx_t *c, const struct cJSON *j);   /* scn_operators.c */
int scn_read_backends(scn_ctx_t *c, const struct cJSON *j);    /* scn_backends.c */
/* A proxy's `backend`: a backend name or null (-1); backends read first. */
/* Customer features and user regions (scn_features.c): the extra keys of a
 * plan, a named site and a proxy; scn_finish_sites once the named sites
 * are read. */
int scn_read_plan_extras(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_plan_spec_t *pl);
int scn_read_named_extras(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_named_site_spec_t *ns);
int scn_read_proxy_scope(scn_ctx_t *c, cdn_proxy_spec_t *px);
int scn_finish_sites(scn_ctx_t *c);
int scn_read_proxy_backend(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_proxy_spec_t *px); /* scn_backends.c */
/* A proxy's repair and re-provisioning schedules and their rules
 * (scn_repair.c); its scalar keys are read already. */
int scn_read_proxy_repair(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_proxy_spec_t *px);

#endif /* CDNSIM_SCN_H */
