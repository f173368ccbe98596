/*
 * cdn_metrics.c -- one run reduced to the metrics strategies are compared on.
 *
 * Design
 *   A metric is an index into CDN_METRIC_MAP, which names a measure; the
 *   values come from cdn_summary_compute(), so a comparison, a single
 *   `cdnsim run` and a calibration report never disagree on a definition
 *   (docs/compare.md has them in prose).  Names, units and labels are the
 *   measure map's; this module only selects.
 */
#include "cdn_metrics.h"

#include <string.h>

#include "cdn_summary.h"

#define CDN_X_MEASURE(e, measure) measure,
static const cdn_measure_t metric_measures[] = {CDN_METRIC_MAP(CDN_X_MEASURE)};
#undef CDN_X_MEASURE

cdn_measure_t cdn_metric_measure(cdn_metric_t m)
{
    return (unsigned)m < CDN_MET_COUNT ? metric_measures[m] : CDN_MEASURE_COUNT;
}

const char *cdn_metric_name(cdn_metric_t m)
{
    return cdn_measure_name(cdn_metric_measure(m));
}

const char *cdn_metric_label(cdn_metric_t m)
{
    return cdn_measure_label(cdn_metric_measure(m));
}

cdn_unit_t cdn_metric_unit(cdn_metric_t m)
{
    return cdn_measure_unit(cdn_metric_measure(m));
}

int cdn_metric_find(const char *name)
{
    for (int m = 0; m < CDN_MET_COUNT; m++)
        if (strcmp(cdn_metric_name((cdn_metric_t)m), name) == 0)
            return m;
    return -1;
}

void cdn_metrics_compute(const cdn_scenario_t *s, const cdn_result_t *r, double out[CDN_MET_COUNT])
{
    cdn_summary_t sum;
    cdn_summary_compute(s, r, &sum);
    for (int m = 0; m < CDN_MET_COUNT; m++)
        out[m] = cdn_measure_value(&sum, metric_measures[m]);
}
