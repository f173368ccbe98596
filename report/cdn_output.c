/*
 * cdn_output.c -- the files of a run's results folder.
 *
 * Design
 *   The measures come computed (cdn_summary.h); summary.json writes the
 *   selection CDN_SUMMARY_KEYS with the names of the measure map.  Rates
 *   and shares of timeline rows are ratios of bin integrals, with the
 *   length of the (possibly shorter) last bin.
 *
 *   Numbers are printed in fixed formats ("%.1f", "%.6f": the CSV columns
 *   through cdn_fmt.h, which gives printf's digits at a fraction of its
 *   cost) and JSON via cJSON (which prints doubles with %.15g/%.17g), so
 *   files are byte-identical for the same inputs.  Threshold crossings in events.jsonl are derived from the
 *   bins here, so the model does not have to watch thresholds.
 *
 *   The gnuplot scripts are written by cdn_timeline.c and cdn_regions.c;
 *   gnuplot is run in the results folder (cdn_gnuplot.h), so a script
 *   refers to its data by relative names and can be re-run by a user after
 *   editing.
 */
#include "cdn_output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_estimate.h"
#include "cdn_file.h"
#include "cdn_fmt.h"
#include "cdn_gnuplot.h"
#include "cdn_regions.h"
#include "cdn_timeline.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

static double ratio(double num, double den)
{
    return den > 0 ? num / den : 0.0;
}

/* ------------------------------------------------------------- writing */

static void write_timeline(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r)
{
    fputs("t_s,utc", f);
    for (int c = 0; c < CDN_TL_COUNT; c++)
        fprintf(f, ",%s", cdn_timeline_col_name(c));
    for (size_t k = 0; k < s->nservices; k++) {
        char col[CDN_NAME_MAX + 16];
        snprintf(col, sizeof col, "svc_%s_avail", s->services[k].name);
        fputc(',', f);
        cdn_file_put_csv(f, col); /* a name may hold a comma or a quote */
    }
    fputc('\n', f);
    for (size_t b = 0; b < r->nbins; b++) {
        double t0 = (double)b * r->bin_s, v[CDN_TL_COUNT];
        char utc[32];
        cdn_scenario_utc(s, t0, utc, sizeof utc);
        cdn_timeline_row(s, r, b, v);
        cdn_fmt_put_fixed(f, t0, 0);
        fputc(',', f);
        fputs(utc, f);
        /* rates to 0.1 request/s, shares to 1e-6 */
        for (int c = 0; c < CDN_TL_COUNT; c++) {
            fputc(',', f);
            if (!isnan(v[c])) /* latency while nothing is served: empty */
                cdn_fmt_put_fixed(f, v[c], c < CDN_TL_ERR5XX_FRAC || c == CDN_TL_LATENCY_MS ? 1 : 6);
        }
        for (size_t k = 0; k < s->nservices; k++) {
            fputc(',', f);
            cdn_fmt_put_fixed(f, r->svc_avail[k * r->nbins + b] / cdn_summary_bin_len(s, r, b), 6);
        }
        fputc('\n', f);
    }
}

/* Appends ",x" with x in "%.<prec>f" to line at *n (room: CDN_FMT_MAX + 1). */
static void field(char *line, size_t *n, double x, int prec)
{
    line[(*n)++] = ',';
    *n += cdn_fmt_fixed(line + *n, x, prec);
}

static void write_regions(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r)
{
    fputs("t_s,utc,region,offered_rps,ok_rps,err5xx_rps,blocked_rps,failover_rps,err5xx_frac,"
          "blocked_frac,servers_bad_artifact_frac,servers_failing_frac,servers_restarting_frac,"
          "servers_out_frac,latency_ms\n",
          f);
    /* the largest file of a run (15 MB at full scale): each row's numbers
       are formatted into one buffer (cdn_fmt.h, printf's digits exactly)
       and written at once; the time and date prefix once per bin */
    char prefix[64], line[13 * (CDN_FMT_MAX + 1)];
    for (size_t b = 0; b < r->nbins; b++) {
        double t0 = (double)b * r->bin_s;
        double len = cdn_summary_bin_len(s, r, b);
        char utc[32];
        cdn_scenario_utc(s, t0, utc, sizeof utc);
        size_t np = cdn_fmt_fixed(prefix, t0, 0);
        np += (size_t)snprintf(prefix + np, sizeof prefix - np, ",%s,", utc);
        for (size_t g = 0; g < r->nregions; g++) {
            double nserv = (double)s->regions[g].servers;
            double off = cdn_result_region(r, g, CDN_RS_OFFERED, b);
            double err = cdn_result_region(r, g, CDN_RS_ERR5XX, b);
            double blk = cdn_result_region(r, g, CDN_RS_BLOCKED, b);
            double ok = cdn_result_region(r, g, CDN_RS_OK, b);
            fwrite(prefix, 1, np, f);
            cdn_file_put_csv(f, s->regions[g].name); /* a name may hold a comma or a quote */
            size_t n = 0;
            field(line, &n, off / len, 1);
            field(line, &n, ok / len, 1);
            field(line, &n, err / len, 1);
            field(line, &n, blk / len, 1);
            field(line, &n, cdn_result_region(r, g, CDN_RS_FAILOVER, b) / len, 1);
            field(line, &n, ratio(err, off), 6);
            field(line, &n, ratio(blk, off), 6);
            field(line, &n, ratio(cdn_result_region(r, g, CDN_RS_SERVERS_BAD, b), len * nserv), 6);
            field(line, &n, ratio(cdn_result_region(r, g, CDN_RS_SERVERS_FAILING, b), len * nserv), 6);
            field(line, &n, ratio(cdn_result_region(r, g, CDN_RS_SERVERS_RESTARTING, b), len * nserv), 6);
            field(line, &n, ratio(cdn_result_region(r, g, CDN_RS_SERVERS_OUT, b), len * nserv), 6);
            if (ok > 0) /* latency: empty while nothing is served */
                field(line, &n, cdn_result_region(r, g, CDN_RS_LATENCY_X_OK, b) / ok, 1);
            else
                line[n++] = ',';
            line[n++] = '\n';
            fwrite(line, 1, n, f);
        }
    }
}

static void add_time(cJSON *o, const cdn_scenario_t *s, const char *key, double t_s)
{
    char k[96], utc[32];
    snprintf(k, sizeof k, "%s_s", key);
    if (isnan(t_s)) {
        cJSON_AddNullToObject(o, k);
    } else {
        cJSON_AddNumberToObject(o, k, t_s);
    }
    snprintf(k, sizeof k, "%s_utc", key);
    if (isnan(t_s)) {
        cJSON_AddNullToObject(o, k);
    } else {
        cdn_scenario_utc(s, t_s, utc, sizeof utc);
        cJSON_AddStringToObject(o, k, utc);
    }
}

/* One measure: a time as <name>_s and <name>_utc (null when it did not
 * happen), anything else as a number under its name. */
static void add_measure(cJSON *o, const cdn_scenario_t *s, const cdn_summary_t *m, cdn_measure_t id)
{
    double v = cdn_measure_value(m, id);
    if (cdn_measure_unit(id) == CDN_UNIT_INSTANT)
        add_time(o, s, cdn_measure_name(id), v);
    else
        cJSON_AddNumberToObject(o, cdn_measure_name(id), v);
}

static cJSON *summary_json(const cdn_scenario_t *s, const cdn_result_t *r, const cdn_summary_t *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", s->name);
    cJSON_AddStringToObject(o, "program", "cdnsim");
    cJSON_AddStringToObject(o, "version", CDNSIM_VERSION);
    cJSON_AddItemToObject(o, "seed", cdn_file_json_u64((uint64_t)r->seed));
    cJSON_AddItemToObject(o, "replication", cdn_file_json_u64((uint64_t)r->replication));
    cJSON_AddStringToObject(o, "start_utc", s->sim.start_utc);
    cJSON_AddNumberToObject(o, "duration_s", s->sim.duration_s);
    cJSON_AddNumberToObject(o, "bin_s", s->sim.bin_s);
#define ADD_MEASURE(id) add_measure(o, s, m, id);
    CDN_SUMMARY_KEYS(ADD_MEASURE)
    cJSON *named = cJSON_AddArrayToObject(o, "named_sites");
    for (size_t i = 0; i < s->sites.nnamed; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", s->sites.named[i].name);
        cJSON_AddNumberToObject(e, "downtime_s", r->cohort_down_s[r->named0 + i]);
        cJSON_AddItemToArray(named, e);
    }
    cJSON *ps = cJSON_AddObjectToObject(o, "proxy_traffic_share");
    for (size_t p = 0; p < r->nproxies; p++)
        cJSON_AddNumberToObject(ps, s->proxies[p].name, r->proxy_traffic_share[p]);
    CDN_SUMMARY_TAIL(ADD_MEASURE)
#undef ADD_MEASURE
    cJSON *th = cJSON_AddObjectToObject(o, "thresholds");
    cJSON_AddNumberToObject(th, "impact_threshold_frac", s->metrics.impact_threshold_frac);
    cJSON_AddNumberToObject(th, "major_threshold_frac", s->metrics.major_threshold_frac);
    cJSON_AddNumberToObject(th, "resolved_threshold_frac", s->metrics.resolved_threshold_frac);
    cJSON_AddNumberToObject(th, "site_down_threshold", s->sites.down_threshold);
    /* the work estimated before the run (cdn_estimate.h), beside the kernel
     * events it took: "kernel_events" above */
    cdn_estimate_t est;
    cdn_estimate(s, &est);
    cJSON *es = cJSON_AddObjectToObject(o, "estimated");
    cJSON_AddItemToObject(es, "events", cdn_file_json_u64((uint64_t)est.events));
    cJSON_AddItemToObject(es, "memory_bytes", cdn_file_json_u64((uint64_t)est.memory_bytes));
    cJSON_AddItemToObject(es, "output_bytes", cdn_file_json_u64((uint64_t)est.output_bytes));
    return o;
}

static void write_world_event(FILE *f, const cdn_scenario_t *s, const cdn_event_rec_t *e)
{
    char utc[32];
    cdn_scenario_utc(s, e->t_s, utc, sizeof utc);
    fprintf(f, "{\"t_s\":%.3f,\"utc\":\"%s\",\"event\":\"%s\"", e->t_s, utc, cdn_evkind_name(e->kind));
    if (e->action >= 0) {
        const cdn_action_spec_t *a = &s->actions[e->action];
        fprintf(f, ",\"action\":\"%s\",\"label\":", cdn_action_name(a->kind));
        cdn_file_put_json_string(f, a->label);
        if (a->service >= 0 && e->service < 0) {
            fputs(",\"service\":", f);
            cdn_file_put_json_string(f, s->services[a->service].name);
        }
        if (a->trigger != CDN_TRIGGER_TIME)
            fprintf(f, ",\"after\":\"%s\"", cdn_trigger_name(a->trigger));
        if (a->kind == CDN_ACTION_RESTART_PROXIES) {
            fputs(",\"proxy\":", f);
            cdn_file_put_json_string(f, a->proxy >= 0 ? s->proxies[a->proxy].name : "*");
        }
    }
    if (e->artifact >= 0) {
        fputs(",\"artifact\":", f);
        cdn_file_put_json_string(f, s->artifacts[e->artifact].name);
    }
    if (e->generation >= 0)
        fprintf(f, ",\"generation\":%d", (int)e->generation);
    if (e->node >= 0)
        fprintf(f, ",\"node\":%d", (int)e->node);
    if (e->bad >= 0)
        fprintf(f, ",\"bad\":%s,\"size\":%.0f", e->bad ? "true" : "false", e->size);
    if (e->region >= 0) {
        fputs(",\"region\":", f);
        cdn_file_put_json_string(f, s->regions[e->region].name);
    }
    if (e->server >= 0)
        fprintf(f, ",\"server\":%d", (int)e->server);
    if (e->plan >= 0) {
        fputs(",\"plan\":", f);
        cdn_file_put_json_string(f, s->sites.plans[e->plan].name);
    }
    if (e->proxy >= 0) {
        fputs(",\"proxy\":", f);
        cdn_file_put_json_string(f, s->proxies[e->proxy].name);
    }
    if (e->service >= 0) {
        fputs(",\"service\":", f);
        cdn_file_put_json_string(f, s->services[e->service].name);
    }
    if (e->count > 0)
        fprintf(f, ",\"count\":%.0f", e->count);
    if (e->process >= 0)
        fprintf(f, ",\"process\":\"%s\",\"crews\":%d,\"time_median_s\":%.3f,\"time_p99_s\":%.3f",
                e->process == 0 ? "repair" : "reprovision", (int)e->crews, e->time_median_s,
                e->time_p99_s);
    fputs("}\n", f);
}

/* Threshold crossings of the binned 5xx share, interleaved by time with
 * the model's events (model events first at equal times). */
static void write_events(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r)
{
    const double th[2] = {s->metrics.impact_threshold_frac, s->metrics.major_threshold_frac};
    const char *names[2] = {"impact", "major"};
    int above[2] = {0, 0};
    size_t e = 0;
    for (size_t b = 0; b <= r->nbins; b++) {
        double t0 = (double)b * r->bin_s;
        while (e < r->nevents && (b == r->nbins || r->events[e].t_s <= t0))
            write_world_event(f, s, &r->events[e++]);
        if (b == r->nbins)
            break;
        double frac = cdn_summary_err5xx_frac(r, b);
        for (int k = 0; k < 2; k++) {
            int now = k == 0 ? frac > th[k] : frac >= th[k];
            if (now != above[k]) {
                char utc[32];
                cdn_scenario_utc(s, t0, utc, sizeof utc);
                fprintf(f,
                        "{\"t_s\":%.3f,\"utc\":\"%s\",\"event\":\"threshold_crossed\","
                        "\"metric\":\"err5xx_frac\",\"threshold\":\"%s\",\"value\":%.6f,"
                        "\"limit\":%.6f,\"direction\":\"%s\"}\n",
                        t0, utc, names[k], frac, th[k], now ? "up" : "down");
                above[k] = now;
            }
        }
    }
}

int cdn_output_write(const char *dir, const cdn_scenario_t *s, const cdn_result_t *r,
                     const cdn_summary_t *sum, cdn_error_t *err)
{
    FILE *f;
    if (!(f = cdn_file_open(dir, "timeline.csv")))
        return cdn_file_io_error(err, dir, "timeline.csv");
    write_timeline(f, s, r);
    if (cdn_file_finish(f, dir, "timeline.csv", err) != 0)
        return CDN_EIO;

    if (!(f = cdn_file_open(dir, "timeline_regions.csv")))
        return cdn_file_io_error(err, dir, "timeline_regions.csv");
    write_regions(f, s, r);
    if (cdn_file_finish(f, dir, "timeline_regions.csv", err) != 0)
        return CDN_EIO;

    if (!(f = cdn_file_open(dir, "events.jsonl")))
        return cdn_file_io_error(err, dir, "events.jsonl");
    write_events(f, s, r);
    if (cdn_file_finish(f, dir, "events.jsonl", err) != 0)
        return CDN_EIO;

    cJSON *summary = summary_json(s, r, sum);
    int rc = cdn_file_write_json(dir, "summary.json", summary, err);
    cJSON_Delete(summary);
    if (rc != 0)
        return rc;

    if (!(f = cdn_file_open(dir, "timeline.gp")))
        return cdn_file_io_error(err, dir, "timeline.gp");
    cdn_timeline_write_gp(f, s, r);
    if (cdn_file_finish(f, dir, "timeline.gp", err) != 0)
        return CDN_EIO;

    if (!(f = cdn_file_open(dir, "regions.gp")))
        return cdn_file_io_error(err, dir, "regions.gp");
    cdn_regions_write_gp(f, s, r);
    if (cdn_file_finish(f, dir, "regions.gp", err) != 0)
        return CDN_EIO;
    return 0;
}

int cdn_output_plot(const char *dir, cdn_error_t *err)
{
    int rc = cdn_gnuplot_run(dir, "timeline.gp", err);
    if (rc != 0) /* 1: no gnuplot; or the timeline failed: err says why */
        return rc;
    return cdn_gnuplot_run(dir, "regions.gp", err);
}
