/*
 * cdn_measure.c -- the tables of the measure vocabulary and the bin grid.
 *
 * Design
 *   Constant arrays expanded from CDN_MEASURE_MAP and CDN_UNIT_MAP, indexed
 *   by id; lookups by name are linear scans (a few dozen entries, called
 *   when a scenario or a command line is read, never per bin).  Rejected:
 *   a name-to-id hash table, more code for no measurable gain.
 *
 *   The bin grid lives here, not in the kernel's recorder, because the
 *   span's end (duration_s) is a scenario notion: the recorder only knows
 *   bin widths.  ceil(span - 1e-9) keeps a span that is a whole number of
 *   bins up to floating rounding from getting an empty extra bin.
 */
#include "cdn_measure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CDN_X_NAME(e, s) s,
static const char *const unit_names[] = {CDN_UNIT_MAP(CDN_X_NAME)};
#undef CDN_X_NAME
#define CDN_X_RUN(e, field, ctype, name, unit, label, def) {name, label, def, unit, 0},
#define CDN_X_WIN(e, name, unit, label, def) {name, label, def, unit, 1},
static const struct {
    const char *name, *label, *definition;
    cdn_unit_t unit;
    int windowed;
} measures[] = {CDN_MEASURE_MAP(CDN_X_RUN, CDN_X_WIN)};
#undef CDN_X_RUN
#undef CDN_X_WIN

const char *cdn_unit_name(cdn_unit_t u)
{
    return (unsigned)u < CDN_UNIT_COUNT ? unit_names[u] : "?";
}

const char *cdn_measure_name(cdn_measure_t m)
{
    return (unsigned)m < CDN_MEASURE_COUNT ? measures[m].name : "?";
}

const char *cdn_measure_label(cdn_measure_t m)
{
    return (unsigned)m < CDN_MEASURE_COUNT ? measures[m].label : "?";
}

const char *cdn_measure_definition(cdn_measure_t m)
{
    return (unsigned)m < CDN_MEASURE_COUNT ? measures[m].definition : "?";
}

cdn_unit_t cdn_measure_unit(cdn_measure_t m)
{
    return (unsigned)m < CDN_MEASURE_COUNT ? measures[m].unit : CDN_UNIT_SHARE;
}

int cdn_measure_windowed(cdn_measure_t m)
{
    return (unsigned)m < CDN_MEASURE_COUNT ? measures[m].windowed : 0;
}


double cdn_measure_value(const cdn_summary_t *sum, cdn_measure_t m)
{
    switch (m) {
#define CDN_X_RUN(e, field, ctype, name, unit, label, def) \
    case e:                                                \
        return (double)sum->field;
#define CDN_X_WIN(e, name, unit, label, def) case e:
        CDN_MEASURE_MAP(CDN_X_RUN, CDN_X_WIN)
#undef CDN_X_RUN
#undef CDN_X_WIN
    case CDN_MEASURE_COUNT:
        break;
    }
    return NAN;
}

double cdn_measure_nbins_f(double duration_s, double bin_s)
{
    double n = ceil(duration_s / bin_s - 1e-9);
    return n < 1.0 ? 1.0 : n;
}

size_t cdn_measure_nbins(double duration_s, double bin_s)
{
    return (size_t)cdn_measure_nbins_f(duration_s, bin_s);
}

double cdn_measure_bin_len(double duration_s, double bin_s, size_t b)
{
    double len = duration_s - (double)b * bin_s;
    return len < bin_s ? len : bin_s;
}

char *cdn_measure_shortest(char *buf, size_t n, double v, int empty_if_missing)
{
    if (!isfinite(v) && empty_if_missing) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "%.15g", v);
    if (isfinite(v) && strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
    return buf;
}
