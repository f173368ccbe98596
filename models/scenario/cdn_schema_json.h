/*
 * cdn_schema_json.h -- JSON Schemas (draft 2020-12) of scenario files and
 * of strategy files, for editors and independent validators.
 *
 * Contract
 *   cdn_schema_json_scenario() builds the schema of a scenario file from
 *   the schema table (cdn_schema.h: one "$defs" entry per section, one
 *   property per key, with its type, default, fixed bounds, enum names,
 *   unit and meaning) and from the few shapes the table leaves to hand
 *   readers (arrays, references, actions, calibration targets).
 *   cdn_schema_json_strategy() builds that of a strategy file
 *   (docs/strategies.md).  `cdnsim schema` prints them; the committed
 *   copies are docs/scenario.schema.json and docs/strategy.schema.json.
 *
 *   The schemas are never stricter than `cdnsim validate`: a file the
 *   validator accepts passes them.  They are looser where a rule spans
 *   values (references by name, sums of shares, per-kind action keys, a
 *   bound that depends on another key): those only `validate` checks.
 *
 * Errors: NULL with err set (CDN_EINTERNAL) when a key read by hand has
 *   no shape here: a row added to schema.def without one (a bug the
 *   json_schema test finds).
 * Ownership: the caller frees the tree with cJSON_Delete.
 * Threads: reentrant.
 */
#ifndef CDNSIM_CDN_SCHEMA_JSON_H
#define CDNSIM_CDN_SCHEMA_JSON_H

#include "cdn_error.h"

struct cJSON;

#define CDN_SCHEMA_JSON_DIALECT "https://json-schema.org/draft/2020-12/schema"

struct cJSON *cdn_schema_json_scenario(cdn_error_t *err);
struct cJSON *cdn_schema_json_strategy(cdn_error_t *err);

#endif /* CDNSIM_CDN_SCHEMA_JSON_H */
