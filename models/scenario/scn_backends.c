/*
 * scn_backends.c -- reads $.backends (shared backends with limited
 * capacity) and resolves each proxy's `backend` reference.
 *
 * Design
 *   The scalar keys of both come from the schema table (schema.def,
 *   sections `backend` and `proxy`); this file keeps the composite rules:
 *   names unique and a proxy's `backend` names a backend or is null.  The
 *   retry keys of a policy the proxy does not use are read and ignored,
 *   not rejected, so a strategy can switch policies with one overlay
 *   path.  Backends are read before
 *   proxies (cdn_scenario.c), so a proxy resolves its reference at once.
 *   O(backends) per proxy.
 *
 *   Rejected: the retry policy as a nested object (one more schema
 *   section and overlay level for four scalars that a flat key list
 *   expresses as well).
 */
#include <cJSON.h>
#include <string.h>

#include "scn.h"
#include "sim_alloc.h"

#define CHECK_UNIQUE(c, arr, n) scn_check_unique((c), (arr), (n), sizeof *(arr))

int scn_read_backends(scn_ctx_t *c, const cJSON *j)
{
    cdn_scenario_t *s = c->s;
    size_t n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, CDN_MAX_BACKENDS, "objects", &n));
    s->backends = sim_xcalloc(n ? n : 1, sizeof *s->backends);
    s->nbackends = n;
    size_t i = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        cdn_json_obj_t o;
        size_t p = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_backend, &o));
        CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_backend, &s->sim, &s->backends[i]));
        cdn_json_pop(&c->j, p);
    }
    return CHECK_UNIQUE(c, s->backends, n);
}

int scn_read_proxy_backend(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_proxy_spec_t *px)
{
    const cdn_scenario_t *s = c->s;
    const cJSON *j = cdn_json_obj_get(o, "backend");
    px->backend = -1;
    if (j == NULL || cJSON_IsNull(j))
        return 0;
    size_t p = cdn_json_key(&c->j, "backend");
    if (!cJSON_IsString(j))
        return cdn_json_fail(&c->j, "expected the name of a backend or null, found %s",
                             cdn_json_type(j));
    CDN_TRY(RESOLVE(c, j, "a backend", s->backends, s->nbackends, &px->backend));
    cdn_json_pop(&c->j, p);
    return 0;
}
