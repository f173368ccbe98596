/*
 * scn_repair.c -- reads a proxy's repair and re-provisioning keys: the
 * capacity schedules `repair_schedule` and `reprovision_schedule`, and the
 * rules that tie the scalar keys together.
 *
 * Design
 *   The scalar keys (repair_crews, repair_time_*, damage_*,
 *   reprovision_*) are rows of the proxy section of the schema table and
 *   are read with it; the steps of a schedule are objects of the
 *   `repair_step` section.  This file keeps the composite rules: a p99
 *   that is given is at least its median (also within a step, where a
 *   p99 needs a median); a schedule's steps are in time order.  The
 *   crash-repair median 0 ("3600 / repair_rate_per_h") is kept as written
 *   so `cdnsim show` prints the file's value; models/world/repair.c
 *   resolves it.
 *
 * Complexity: O(steps) per proxy.
 *
 * Rejected alternatives: a nested "repair" object per proxy (one more
 *   level in every overlay path for three scalars; the flat keys read as
 *   the backend retry keys do).
 */
#include <cjson/cJSON.h>

#include "scn.h"

/* One step of a schedule (the current path is the step). */
static int read_step(scn_ctx_t *c, const cJSON *e, double prev_s, cdn_repair_step_t *st)
{
    cdn_json_obj_t o;
    CDN_TRY(cdn_schema_open(&c->j, e, CDN_SCHEMA_SEC_repair_step, &o));
    CDN_TRY(cdn_schema_read(&c->j, &o, CDN_SCHEMA_SEC_repair_step, &c->s->sim, st));
    st->at_s = 0;
    CDN_TRY(scn_read_time(c, &o, "at", 1, &st->at_s));
    if (st->at_s < prev_s) {
        const char *key = cdn_json_obj_get(&o, "at_s") != NULL ? "at_s" : "at_utc";
        cdn_json_key(&c->j, key);
        return cdn_json_fail(&c->j, "expected a time at or after the previous step's (%s s), found %s s",
                             cdn_json_show_num(prev_s).s, cdn_json_show_num(st->at_s).s);
    }
    if (st->time_p99_s > 0 && st->time_median_s == 0) {
        cdn_json_key(&c->j, "time_p99_s");
        return cdn_json_fail(&c->j, "expected no time_p99_s without time_median_s, found %s",
                             cdn_json_show_num(st->time_p99_s).s);
    }
    if (st->time_p99_s > 0)
        CDN_TRY(scn_check_ge(c, "time_p99_s", st->time_p99_s, "time_median_s", st->time_median_s));
    return 0;
}

/* The schedule under `key` of the proxy object o, into rs. */
static int read_schedule(scn_ctx_t *c, const cdn_json_obj_t *o, const char *key,
                         cdn_repair_spec_t *rs)
{
    const cJSON *j = cdn_json_obj_get(o, key);
    rs->nsteps = 0;
    if (j == NULL)
        return 0;
    size_t p = cdn_json_key(&c->j, key), n = 0;
    CDN_TRY(cdn_json_array(&c->j, j, 0, CDN_MAX_REPAIR_STEPS, "objects", &n));
    size_t i = 0;
    double prev = 0;
    for (const cJSON *e = j->child; e != NULL; e = e->next, i++) {
        size_t q = cdn_json_push(&c->j, "[%zu]", i);
        CDN_TRY(read_step(c, e, prev, &rs->steps[i]));
        prev = rs->steps[i].at_s;
        cdn_json_pop(&c->j, q);
    }
    rs->nsteps = n;
    cdn_json_pop(&c->j, p);
    return 0;
}

int scn_read_proxy_repair(scn_ctx_t *c, const cdn_json_obj_t *o, cdn_proxy_spec_t *px)
{
    if (px->repair.time_p99_s > 0)
        CDN_TRY(scn_check_ge(c, "repair_time_p99_s", px->repair.time_p99_s, "the median repair time",
                             px->repair.time_median_s > 0 ? px->repair.time_median_s
                                                          : 3600.0 / px->repair_rate_per_h));
    if (px->reprovision.time_p99_s > 0)
        CDN_TRY(scn_check_ge(c, "reprovision_time_p99_s", px->reprovision.time_p99_s,
                             "reprovision_time_median_s", px->reprovision.time_median_s));
    CDN_TRY(read_schedule(c, o, "repair_schedule", &px->repair));
    return read_schedule(c, o, "reprovision_schedule", &px->reprovision);
}
