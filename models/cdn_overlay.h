/*
 * cdn_overlay.h -- strategies as data: JSON overlays applied to a scenario
 * file before it is validated (format: docs/strategies.md).
 *
 * Contract
 *   A strategy file is
 *       {"name": "fail-open", "description": "...", "notes": "...",
 *        "set":    [{"path": "$.proxies[*].on_bad_artifact", "value": "none"}, ...],
 *        "append": [{"path": "$.operators.actions", "value": {...}}, ...]}
 *   "set" creates or replaces the last key of the path in every object the
 *   rest of the path selects (or, when the path ends in an index or a
 *   filter, replaces the selected array elements); "append" adds a copy of
 *   the value to every array the path selects.  All "set" operations run in
 *   file order, then all "append" operations.  Path syntax, relative to the
 *   scenario's top level `$`:
 *       .key        member `key` of an object   ([A-Za-z0-9_-]+)
 *       [N]         element N (0-based) of an array
 *       [*]         every element of an array
 *       [key=X]     the elements of an array that are objects whose member
 *                   `key` ([A-Za-z0-9_-]+) is the scalar X: a string equal
 *                   to X, a number equal to X read as a number, or true,
 *                   false, null written so (so [name=FL2], [kind=kill_switch],
 *                   [label=good file pushed], [control_plane=true])
 *   An "append" may have "for_each": a path of elements with a "name"
 *   (e.g. "$.artifacts[*]") and "name_into": a key; then a copy of the
 *   value (an object) is added per element, its member name_into set to
 *   the element's name -- so a kill switch is added for every artifact of
 *   any scenario without naming one.
 *
 *   A path that selects nothing in the scenario is an error that names the
 *   strategy file, the operation and the path, and the first part of the
 *   path that matched nothing.  A strategy's "assumes" (text: what it
 *   needs in a scenario) is added to that error and to any validation
 *   error of the scenario it is applied to: "...; strategy 'kill-switch'
 *   assumes ...".
 *
 *   cdn_overlay_load_scenario() reads a scenario file, applies overlays in
 *   order (so "a+b" is a then b: b wins where both set a key), and validates
 *   the resulting tree with the scenario validator, exactly as
 *   cdn_scenario_load() would validate a file with those values written in.  With no overlays
 *   the result is identical to cdn_scenario_load().
 *
 * Errors
 *   0 or a negative CDN_E* code with err->msg set: CDN_EIO when a file
 *   cannot be read, CDN_EDATA for an invalid strategy file, a path that
 *   selects nothing, or a scenario that is invalid after the overlays
 *   (then the message starts "SCENARIO (with a+b): $.json.path: ...").
 *   CDN_EUSAGE for a bad path or value given to cdn_overlay_add_set_text.
 *
 * Ownership and threads
 *   Overlays are immutable after loading and may be shared by threads;
 *   the caller owns them (cdn_overlay_destroy).  Nothing here uses global
 *   state (cJSON's global error pointer is never read).
 */
#ifndef CDNSIM_CDN_OVERLAY_H
#define CDNSIM_CDN_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_scenario.h"

struct cJSON;

typedef struct cdn_overlay cdn_overlay_t;

/* Reads and checks a strategy file. */
int cdn_overlay_load(const char *path, cdn_overlay_t **out, cdn_error_t *err);
/* The same from `len` bytes of text; `path` is used in messages. */
int cdn_overlay_parse(const char *text, size_t len, const char *path, cdn_overlay_t **out,
                      cdn_error_t *err);

/* An overlay built in code, for example a point of a parameter sweep.
 * `name` labels it; `origin` names where it came from in messages (for
 * example "--param"). */
cdn_overlay_t *cdn_overlay_create(const char *name, const char *origin);
/* Adds a "set" of `path` to `value_text`, which is parsed as JSON (so
 * 0.5, true, null, "x", {...}) or, when it is not valid JSON, taken as a
 * string (so `none` means "none"). */
int cdn_overlay_add_set_text(cdn_overlay_t *o, const char *path, const char *value_text,
                             cdn_error_t *err);

void cdn_overlay_destroy(cdn_overlay_t *o); /* NULL is a no-op */

const char *cdn_overlay_name(const cdn_overlay_t *o);
const char *cdn_overlay_description(const cdn_overlay_t *o); /* NULL if none */
const char *cdn_overlay_path(const cdn_overlay_t *o);        /* file, or NULL if built in code */
const char *cdn_overlay_assumes(const cdn_overlay_t *o);     /* what it needs, or NULL */
uint64_t cdn_overlay_hash(const cdn_overlay_t *o); /* FNV-1a 64 of the file bytes; 0 if none */
/* SHA-256 of the file bytes, 64 lowercase hex digits; NULL if built in code */
const char *cdn_overlay_sha256(const cdn_overlay_t *o);
size_t cdn_overlay_count(const cdn_overlay_t *o);  /* set + append operations */

/* 1 if `name` may name a strategy: [A-Za-z0-9._-]+, at most 63 bytes. */
int cdn_overlay_valid_name(const char *name);

/* Applies the overlay to a parsed scenario tree; `scenario_path` is used in
 * messages.  On error the tree is partly modified and should be dropped. */
int cdn_overlay_apply(const cdn_overlay_t *o, struct cJSON *root, const char *scenario_path,
                      cdn_error_t *err);

/* Reads the scenario file, applies overlays[0..n-1] in order, validates. */
int cdn_overlay_load_scenario(const char *path, const cdn_overlay_t *const *overlays, size_t n,
                              cdn_scenario_t **out, cdn_error_t *err);

/* The same on a tree already parsed (cdn_json_parse) from the file `path`:
 * applies the overlays to the tree in place, then validates it.  A caller
 * that loads one scenario for several strategies reads and parses it once
 * and gives each strategy its own copy (cJSON_Duplicate). */
int cdn_overlay_load_tree(struct cJSON *root, const char *path,
                          const cdn_overlay_t *const *overlays, size_t n, cdn_scenario_t **out,
                          cdn_error_t *err);

/* FNV-1a 64-bit hash of a file's bytes (for manifests). */
int cdn_overlay_hash_file(const char *path, uint64_t *hash, cdn_error_t *err);
uint64_t cdn_overlay_fnv1a64(const void *data, size_t len);

#endif /* CDNSIM_CDN_OVERLAY_H */
