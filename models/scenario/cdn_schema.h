/*
 * cdn_schema.h -- the scenario schema as one table (rows in schema.def):
 * key lists, scalar reads with their defaults and ranges, and the key
 * tables of docs/scenario-format.md, all from the same rows.
 *
 * Contract
 *   A section is one fixed-schema object of a scenario file (the top level,
 *   "traffic", one element of "regions", ...), read into one C struct.
 *   cdn_schema_open() opens a JSON object against the section's keys (so
 *   unknown and duplicate keys are reported with the section's key list);
 *   cdn_schema_read() then writes the default of every scalar key of the
 *   section into the struct and reads the keys the file gives, checking
 *   type and range, in row order.  Keys of kind TIME and HAND (arrays,
 *   sub-objects, references, per-kind keys) are left to the caller, which
 *   keeps the composite rules (sums, references, cycles).
 *
 *   Some defaults and bounds are known only while reading: they are
 *   symbols resolved from the simulation section already read (DURATION,
 *   BIN, BIN_DEFAULT = min(60, duration_s), MIN_PERIOD = duration_s / 1e7,
 *   REPAIR_MAX = 3600 / MIN_PERIOD) or from the struct being filled (NODES,
 *   P99_DEFAULT = 3 x latency_median_s).
 *
 * Errors: as cdn_json.h (0, or CDN_EDATA with the message in the context).
 * Threads: the table is constant; every function is reentrant.
 */
#ifndef CDNSIM_CDN_SCHEMA_H
#define CDNSIM_CDN_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

#include "cdn_json.h"
#include "cdn_scenario.h"

/* Every periodic event may recur at most this often over the simulated
 * span: the shortest period is duration_s / CDN_SCHEMA_MAX_REPEATS. */
#define CDN_SCHEMA_MAX_REPEATS 10000000.0

#include "schema.def"

#define CDN_SCHEMA_X_ENUM(id, type, heading) CDN_SCHEMA_SEC_##id,
typedef enum { CDN_SCHEMA_SECTIONS(CDN_SCHEMA_X_ENUM) CDN_SCHEMA_NSECTIONS } cdn_schema_sec_t;
#undef CDN_SCHEMA_X_ENUM

/* The shortest period of an event that reschedules itself, s. */
double cdn_schema_min_period(const cdn_sim_spec_t *sim);

/* Opens j as an object of section `sec`. */
int cdn_schema_open(cdn_json_ctx_t *c, const struct cJSON *j, cdn_schema_sec_t sec,
                    cdn_json_obj_t *o);
/* Writes the defaults of the section's scalar keys into `base` (a struct
 * of the section's type); `sim` is the simulation section read so far. */
void cdn_schema_defaults(cdn_schema_sec_t sec, const cdn_sim_spec_t *sim, void *base);
/* Defaults, then every scalar key of the opened object `o`, in row order. */
int cdn_schema_read(cdn_json_ctx_t *c, const cdn_json_obj_t *o, cdn_schema_sec_t sec,
                    const cdn_sim_spec_t *sim, void *base);

/* Writes into a scenario tree that has validated (so every object is
 * well formed) the default of every scalar key it leaves out, in every
 * object of a schema section (after the object's own keys); a missing
 * "cluster", "distribution" or "metrics" object, whose absence means its
 * defaults, is added with them; a HAND key whose default is a plain
 * value (a number, "`[]`", "`null`") gets it.  Keys whose default is not
 * a value ("none", "never", "every region", TIME keys) are left out.
 * `sim` is the simulation section of the scenario the tree loaded as.
 * The tree then loads as the same scenario. */
void cdn_schema_fill(struct cJSON *root, const cdn_sim_spec_t *sim);

/* The section called `id` (its identifier in schema.def: "traffic",
 * "region", ...), or CDN_SCHEMA_NSECTIONS if there is none. */
cdn_schema_sec_t cdn_schema_find(const char *id);
/* The section's key table for docs/scenario-format.md (Markdown, one
 * row per key). */
void cdn_schema_doc_table(FILE *f, cdn_schema_sec_t sec);

/* One row of the table as plain data, for the generators that are not
 * Markdown (the JSON Schema, cdn_schema_json.h; the manual page).  A
 * bound or default known only while reading (a symbol) or only as text
 * is not "has_": it is in the _doc strings, as the document shows it. */
typedef enum {
    CDN_SCHEMA_KIND_NUM,   /* a number */
    CDN_SCHEMA_KIND_INT,   /* an integer (U32, U64) */
    CDN_SCHEMA_KIND_BOOL,  /* true or false */
    CDN_SCHEMA_KIND_ENUM,  /* one of `names` */
    CDN_SCHEMA_KIND_NAME,  /* a name, 1 to CDN_NAME_MAX - 1 bytes */
    CDN_SCHEMA_KIND_SNAME, /* a name of [A-Za-z0-9._-], not "." or ".." */
    CDN_SCHEMA_KIND_TIME,  /* the pair "<key>_utc" / "<key>_s" */
    CDN_SCHEMA_KIND_HAND   /* arrays, objects, references: read by hand */
} cdn_schema_kind_t;

typedef struct cdn_schema_row_info {
    const char *key;
    cdn_schema_kind_t kind;
    int required;
    int has_def;           /* a fixed default: def (0/1 for BOOL, index for ENUM) */
    double def;
    int has_lo, lo_excl;   /* a fixed lower bound, excluded if lo_excl */
    double lo;
    int has_hi, hi_excl;
    double hi;
    const char *const *names; /* ENUM: the accepted names */
    size_t nnames;
    char def_doc[128];     /* the default, as docs/scenario-format.md shows it */
    char range_doc[512];   /* the range, likewise */
    const char *unit, *doc; /* unit (or type) and meaning, Markdown */
} cdn_schema_row_info_t;

/* The section's identifier in schema.def ("traffic") and its heading in
 * docs/scenario-format.md ("traffic", "sites.plans[]"). */
const char *cdn_schema_id(cdn_schema_sec_t sec);
const char *cdn_schema_heading(cdn_schema_sec_t sec);
/* Rows of the section, and row i as plain data. */
size_t cdn_schema_nrows(cdn_schema_sec_t sec);
void cdn_schema_row(cdn_schema_sec_t sec, size_t i, cdn_schema_row_info_t *out);

#endif /* CDNSIM_CDN_SCHEMA_H */
