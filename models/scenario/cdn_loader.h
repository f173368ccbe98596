/*
 * cdn_loader.h -- the one way every command loads a scenario: the file is
 * read and hashed once and parsed to a tree once; each strategy arm gets a
 * copy of the tree, its overlays are applied to the copy, and the copy is
 * validated (cdn_scenario_from_tree).  No print and re-parse.
 *
 * Contract
 *   cdn_loader_open() reads the file (CDN_EIO if it cannot be read) and
 *   parses it.  A syntax error is not returned by open but by every
 *   cdn_loader_load(), so a command can check its other inputs (strategy
 *   names) before it reports the scenario's content, as `compare` does.
 *   cdn_loader_load() with no overlays gives what cdn_scenario_load() gives.
 *
 * Errors: 0 or a negative CDN_E* code with err->msg set (the messages of
 *   cdn_scenario_load() and cdn_overlay_load_scenario()).
 *
 * Ownership and threads
 *   The caller owns the loader (cdn_loader_destroy) and each scenario.  A
 *   loader is not changed by cdn_loader_load (each load works on its own
 *   copy of the tree), so loads may run in parallel threads.
 */
#ifndef CDNSIM_CDN_LOADER_H
#define CDNSIM_CDN_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "cdn_overlay.h"
#include "cdn_scenario.h"

struct cJSON;
typedef struct cdn_loader cdn_loader_t;

int cdn_loader_open(const char *path, cdn_loader_t **out, cdn_error_t *err);
const char *cdn_loader_path(const cdn_loader_t *ld);
uint64_t cdn_loader_hash(const cdn_loader_t *ld); /* FNV-1a 64 of the file's bytes */
/* SHA-256 of the file's bytes: 64 lowercase hex digits (cdn_digest.h). */
const char *cdn_loader_sha256(const cdn_loader_t *ld);
/* A copy of the tree with overlays[0..n-1] applied, validated. */
int cdn_loader_load(const cdn_loader_t *ld, const cdn_overlay_t *const *overlays, size_t n,
                    cdn_scenario_t **out, cdn_error_t *err);
/* The same, as a tree: the copy with the overlays applied, validated, and
 * every default written in (cdn_schema_fill), for `cdnsim show`.  The
 * caller owns *tree (cJSON_Delete); it loads as the same scenario. */
int cdn_loader_effective(const cdn_loader_t *ld, const cdn_overlay_t *const *overlays, size_t n,
                         struct cJSON **tree, cdn_error_t *err);
/* The parsed tree (NULL after a syntax error); not to be changed. */
const struct cJSON *cdn_loader_tree(const cdn_loader_t *ld);
void cdn_loader_destroy(cdn_loader_t *ld); /* NULL is a no-op */

#endif /* CDNSIM_CDN_LOADER_H */
