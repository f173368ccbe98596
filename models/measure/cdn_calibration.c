/*
 * cdn_calibration.c -- calibration targets against simulated values.
 *
 * Design
 *   Targets are data in the scenario (what, where from, whether free
 *   parameters were fitted to it); a target's metric selects a measure of
 *   the measure map (CDN_CAL_MAP), so its name, unit and definition are
 *   those of summary.json.  Run-wide measures are read from the run's
 *   summary; windowed ones are measured over the target's window.  Each
 *   value is a pure function of one run, so the report over N replications
 *   is reproducible and its spread is the model's own variability (the
 *   random migration, latency and wedge draws), not noise from the
 *   measurement.
 *
 *   The report over replications is written by report/cdn_calreport.c.
 */
#include "cdn_calibration.h"

#include <math.h>


#define CDN_X_MEASURE(e, measure) measure,
static const cdn_measure_t cal_measures[] = {CDN_CAL_MAP(CDN_X_MEASURE)};
#undef CDN_X_MEASURE

cdn_measure_t cdn_cal_metric_measure(cdn_cal_metric_t m)
{
    return (unsigned)m < CDN_CAL_COUNT ? cal_measures[m] : CDN_MEASURE_COUNT;
}

const char *cdn_cal_metric_name(cdn_cal_metric_t m)
{
    return cdn_measure_name(cdn_cal_metric_measure(m));
}

int cdn_cal_metric_is_time(cdn_cal_metric_t m)
{
    return cdn_measure_unit(cdn_cal_metric_measure(m)) == CDN_UNIT_INSTANT;
}

double cdn_calibration_value(const cdn_scenario_t *s, const cdn_result_t *r,
                             const cdn_summary_t *m, size_t t)
{
    const cdn_cal_target_spec_t *tg = &s->targets[t];
    cdn_measure_t id = cdn_cal_metric_measure(tg->metric);
    if (cdn_measure_windowed(id))
        return cdn_summary_window(s, r, id, tg->service, tg->from_s, tg->to_s);
    return cdn_measure_value(m, id);
}
