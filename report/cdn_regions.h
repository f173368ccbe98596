/*
 * cdn_regions.h -- the cascade across regions: a region x time heat map of
 * the 5xx share and of the servers failing, drawn by regions.gp from
 * timeline_regions.csv (formats in docs/output-format.md).  Private to
 * report/.
 *
 * Contract
 *   cdn_regions_onset_order() orders n regions by onset: frac[g * nbins +
 *   b] is region g's share in bin b; onset[g] receives the first bin whose
 *   share is above `threshold` (nbins when none is), order[0..n-1] the
 *   regions with an onset by that bin (ties in the given order), then the
 *   regions never above it, in the given order.  Pure; no allocation.
 *
 *   cdn_regions_write_gp() writes regions.gp, which draws regions.png and
 *   regions.svg: rows are regions, top first, ordered by the onset of their
 *   5xx share above the scenario's impact threshold
 *   (metrics.impact_threshold_frac, the one that defines the run's impact
 *   onset); the lower panel shows the share of each region's servers whose
 *   proxy is failing, rows in the same order.  The same inputs give the
 *   same script.
 */
#ifndef CDNSIM_CDN_REGIONS_H
#define CDNSIM_CDN_REGIONS_H

#include <stddef.h>
#include <stdio.h>

#include "cdn_scenario.h"
#include "cdn_world.h"

void cdn_regions_onset_order(const double *frac, size_t n, size_t nbins, double threshold,
                             size_t *order, size_t *onset);

void cdn_regions_write_gp(FILE *f, const cdn_scenario_t *s, const cdn_result_t *r);

#endif /* CDNSIM_CDN_REGIONS_H */
