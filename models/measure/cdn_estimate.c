/*
 * cdn_estimate.c -- the work of one replication, from the scenario alone
 * (contract in cdn_estimate.h; formulae in docs/performance.md).
 *
 * Design
 *   A sum over the model's event sources, each bounded from its keys:
 *     traffic steps      ceil(D / step_s)
 *     alert checks       D / check_s + 1                  (when enabled)
 *     generator runs     R_a = floor((D - first_run_s) / period_s) + 1
 *     deliveries         R_a x S_a (+ a stage event per run and stage)
 *     actions            1 each; a push or kill switch S_a more; a
 *                        restart 2 S (begin, end; S more with a rate)
 *     repairs            S per proxy that crashes into hand repair
 *     backend calls      1 per call (its end), 2 when a failed call waits
 *                        before the next (a retry event); a herd of N starts against a backend
 *                        answering a = C T / R starts per call round
 *                        makes (N^(e+1) - a^(e+1)) / ((e+1) a^e) calls
 *                        when every start retries at once (docs/model.md,
 *                        "Shared backends": the sum of n over the rounds
 *                        of dn/dk = -a^e n^(1-e)); N when N <= a; a
 *                        restart is taken as a herd of all its servers
 *     region drains      D / overload_drain_s per region that drains
 *     failover, backlog  plans x proxies x 16, services x steps
 *   where D is the duration, S all servers and S_a the servers an
 *   artifact reaches (its tiers).  Memory is a fixed process size plus
 *   per-server state, the largest set of pending events (a run delivered
 *   to every server at once, every restart scheduled at once) and the
 *   recorder's cells; output is rows of the two timelines and lines of
 *   the event log.  The constants (bytes per server, per pending event,
 *   per row) were measured on the reference, full-scale and example
 *   scenarios (docs/performance.md).
 *
 * Rejected alternatives
 *   - A dry run of the model for a short span, scaled: the expensive cases
 *     (one artifact every second for 30 days) are expensive from the first
 *     event on, and scaling a short span misses actions later in the run.
 *   - Exact counts (which runs happen before a stop_generation, which
 *     servers are failing when a restart comes): they depend on the
 *     simulation itself.  An upper-leaning bound errs on the side of
 *     refusing, and is within a factor of 2 on the scenarios we ship.
 */
#include "cdn_estimate.h"

#include <math.h>
#include <stdio.h>

#include "cdn_world.h" /* CDN_RS_COUNT: the recorder's series per region */

#define PROCESS_BYTES 5.5e6         /* the binary, libraries, stdio: a run of nothing */
#define SERVER_BYTES 200.0          /* per-server state (counters, generations, order) */
#define SERVER_ART_BYTES 8.0        /* per server and artifact (generation, pending) */
#define PENDING_EVENT_BYTES 64.0    /* a pending event in the ladder queue */
#define CELL_BYTES 16.0             /* a recorder cell: the integral and the result copy */
#define TIMELINE_ROW_BYTES 120.0    /* timeline.csv, less the service columns */
#define SERVICE_COLUMN_BYTES 9.0    /* ",0.999000" */
#define REGION_ROW_BYTES 135.0      /* timeline_regions.csv */
#define EVENT_LINE_BYTES 150.0      /* events.jsonl */
#define FIXED_FILE_BYTES 8192.0     /* summary.json, timeline.gp */

static double artifact_servers(const cdn_scenario_t *s, const cdn_artifact_spec_t *a)
{
    double n = 0;
    for (size_t r = 0; r < s->nregions; r++)
        if (cdn_scenario_in_tiers(a->tiers, a->ntiers, &s->regions[r]))
            n += s->regions[r].servers;
    return n;
}

static double runs_of(const cdn_artifact_spec_t *a, double duration_s)
{
    return a->first_run_s <= duration_s ? floor((duration_s - a->first_run_s) / a->period_s) + 1.0
                                        : 0.0;
}

/* Events of the calls of a herd of n starts of proxy p against its
 * backend, at worst (every failed start calls again in the next round);
 * 0 without a backend. */
static double herd_calls(const cdn_scenario_t *s, size_t p, double n)
{
    const cdn_proxy_spec_t *px = &s->proxies[p];
    if (px->backend < 0)
        return 0.0;
    const cdn_backend_spec_t *b = &s->backends[px->backend];
    double a = b->capacity_rps * b->timeout_s / px->requests_per_start, e = b->waste_exponent;
    double per_call = px->retry == CDN_RETRY_IMMEDIATE ? 1.0 : 2.0;
    if (n <= a)
        return per_call * n;
    return per_call * (pow(n, e + 1.0) - pow(a, e + 1.0)) / ((e + 1.0) * pow(a, e));
}

/* Events of the actions; *pending grows by what they schedule at once. */
static double action_events(const cdn_scenario_t *s, double servers, double *pending)
{
    double e = 0;
    for (size_t k = 0; k < s->nactions; k++) {
        const cdn_action_spec_t *ac = &s->actions[k];
        double sa = ac->artifact >= 0 ? artifact_servers(s, &s->artifacts[ac->artifact]) : 0;
        e += 1;
        switch (ac->kind) {
        case CDN_ACTION_PUSH_LAST_KNOWN_GOOD:
        case CDN_ACTION_KILL_SWITCH:
            e += sa;
            break;
        case CDN_ACTION_RESTART_PROXIES:
            e += 2 * servers + (ac->rate_per_s > 0 ? servers : 0);
            *pending += servers;
            for (size_t p = 0; p < s->nproxies; p++)
                if (ac->proxy < 0 || (size_t)ac->proxy == p)
                    e += herd_calls(s, p, servers);
            break;
        case CDN_ACTION_FAIL_SERVICE:
            e += 1;
            break;
        default:
            break;
        }
    }
    return e;
}

void cdn_estimate(const cdn_scenario_t *s, cdn_estimate_t *out)
{
    double d = s->sim.duration_s, servers = 0, drain_cycles = 0;
    for (size_t r = 0; r < s->nregions; r++) {
        servers += s->regions[r].servers;
        if (s->regions[r].overload_drain_rho > 0)
            drain_cycles += d / s->regions[r].overload_drain_s;
    }
    double steps = ceil(d / s->traffic.step_s), bins = cdn_measure_nbins_f(d, s->sim.bin_s);
    double events = steps + (s->detection.enabled ? d / s->detection.check_s + 1 : 0);
    double runs = 0, pending = 0, widest = 0;
    for (size_t a = 0; a < s->nartifacts; a++) {
        const cdn_artifact_spec_t *as = &s->artifacts[a];
        double ra = runs_of(as, d), sa = artifact_servers(s, as);
        runs += ra;
        events += ra * (1 + sa + (double)as->nstages) + 1;
        widest = fmax(widest, sa);
    }
    pending += widest;
    events += action_events(s, servers, &pending);
    for (size_t p = 0; p < s->nproxies; p++)
        if (s->proxies[p].on_bad_artifact == CDN_EFFECT_CRASH_REPAIR)
            events += servers + herd_calls(s, p, 1.0) * servers; /* repaired one by one */
    events += drain_cycles + (double)(s->sites.nplans * s->nproxies) * 16.0 +
              (double)s->nservices * steps;

    double cells = bins * ((double)s->nregions * CDN_RS_COUNT + (double)s->nservices + 4);
    out->events = events;
    out->memory_bytes = PROCESS_BYTES + servers * (SERVER_BYTES + SERVER_ART_BYTES * (double)s->nartifacts) +
                        pending * PENDING_EVENT_BYTES + cells * CELL_BYTES;
    double lines = runs + (double)s->nactions + 2 * drain_cycles + 2 * (double)s->nregions +
                   2 * (double)s->sites.nnamed;
    out->output_bytes = bins * (TIMELINE_ROW_BYTES + SERVICE_COLUMN_BYTES * (double)s->nservices) +
                        bins * (double)s->nregions * REGION_ROW_BYTES + lines * EVENT_LINE_BYTES +
                        FIXED_FILE_BYTES;
}

int cdn_estimate_check(const cdn_estimate_t *e, double scale, const char *what, cdn_error_t *err)
{
    if (scale <= 0)
        return 0;
    const char *dim = NULL;
    double need = 0, have = 0, unit = 1;
    const char *u = "";
    if (e->events > CDN_BUDGET_EVENTS * scale) {
        dim = " kernel events", need = e->events, have = CDN_BUDGET_EVENTS * scale;
    } else if (e->memory_bytes > CDN_BUDGET_MEMORY_BYTES * scale) {
        dim = " of memory", need = e->memory_bytes, have = CDN_BUDGET_MEMORY_BYTES * scale;
        unit = 1048576.0, u = " MiB";
    } else if (e->output_bytes > CDN_BUDGET_OUTPUT_BYTES * scale) {
        dim = " of results", need = e->output_bytes, have = CDN_BUDGET_OUTPUT_BYTES * scale;
        unit = 1048576.0, u = " MiB";
    }
    if (!dim)
        return 0;
    err->code = CDN_EBUDGET;
    char needs[96], budget[64];
    snprintf(needs, sizeof needs, unit > 1 ? "%.0f%s%s" : "%.3g%s%s", need / unit, u, dim);
    snprintf(budget, sizeof budget, unit > 1 ? "%.0f%s" : "%.3g%s", have / unit, u);
    snprintf(err->msg, sizeof err->msg,
             "%.300s: one replication would need about %s, more than the budget of %s "
             "(estimate: %.3g events, %.0f MiB of memory, %.0f MiB of results); refusing to start: "
             "raise the budget with --budget %.0f (a multiple of the default; 0: no limit)",
             what, needs, budget, e->events, e->memory_bytes / 1048576.0,
             e->output_bytes / 1048576.0, ceil(need / have * scale));
    return CDN_EBUDGET;
}
