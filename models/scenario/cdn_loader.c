/*
 * cdn_loader.c -- a scenario file read, hashed and parsed once, loaded as
 * many times as there are strategy arms.
 *
 * Design
 *   The loader holds the file's path, the FNV-1a hash and the SHA-256 (for
 *   manifests, cdn_digest.h) of its bytes, and
 *   either the parsed tree or the syntax error the parse gave (then `tree`
 *   is NULL and `syntax` holds the message).  A load duplicates the tree
 *   (cJSON_Duplicate), so overlays, which change a tree in place, never
 *   touch the loader's; then cdn_overlay_load_tree() applies the overlays
 *   and validates.  The text is dropped once parsed: nothing reads it again.
 *   cdn_loader_effective() keeps the overlaid copy instead and writes the
 *   defaults into it (cdn_schema_fill), for `cdnsim show`.
 *
 * Invariants: exactly one of tree and syntax.code != 0.
 *
 * Complexity: one read and one parse per file; a load costs a copy of the
 *   tree (linear in its size) plus the validation it would cost anyway.
 *
 * Rejected alternatives
 *   - Printing the overlaid tree and parsing the text again (what compare
 *     did per strategy): a second parse per arm, and a 1e999 in the file
 *     came back as null.
 *   - Reporting a syntax error at open: compare reports unknown strategy
 *     names before the scenario's content, and keeps doing so.
 */
#include "cdn_loader.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cdn_digest.h"
#include "cdn_json.h"
#include "cdn_schema.h"
#include "sim_alloc.h"

struct cdn_loader {
    char *path;
    uint64_t hash;      /* FNV-1a 64 of the file's bytes */
    char sha256[CDN_DIGEST_HEX_LEN]; /* SHA-256 of the same bytes, hex */
    cJSON *tree;        /* the parsed file, or NULL after a syntax error */
    cdn_error_t syntax; /* the syntax error, when tree is NULL */
};

int cdn_loader_open(const char *path, cdn_loader_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    char *text = NULL;
    size_t len = 0;
    if (err == NULL)
        err = &local;
    *out = NULL;
    int rc = cdn_json_read_file(path, &text, &len, err);
    if (rc != 0)
        return rc;
    cdn_loader_t *ld = sim_xcalloc(1, sizeof *ld);
    ld->path = sim_xstrdup(path);
    ld->hash = cdn_overlay_fnv1a64(text, len);
    cdn_digest_sha256_hex(text, len, ld->sha256);
    cdn_json_parse(text, len, path, &ld->tree, &ld->syntax);
    free(text);
    *out = ld;
    return 0;
}

const char *cdn_loader_path(const cdn_loader_t *ld)
{
    return ld->path;
}

uint64_t cdn_loader_hash(const cdn_loader_t *ld)
{
    return ld->hash;
}

const cJSON *cdn_loader_tree(const cdn_loader_t *ld)
{
    return ld->tree;
}

const char *cdn_loader_sha256(const cdn_loader_t *ld)
{
    return ld->sha256;
}

int cdn_loader_load(const cdn_loader_t *ld, const cdn_overlay_t *const *overlays, size_t n,
                    cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    if (err == NULL)
        err = &local;
    *out = NULL;
    if (ld->tree == NULL) {
        *err = ld->syntax;
        return err->code;
    }
    cJSON *copy = sim_xcheck(cJSON_Duplicate(ld->tree, 1), "copying a scenario tree");
    int rc = cdn_overlay_load_tree(copy, ld->path, overlays, n, out, err);
    cJSON_Delete(copy);
    return rc;
}

int cdn_loader_effective(const cdn_loader_t *ld, const cdn_overlay_t *const *overlays, size_t n,
                         cJSON **tree, cdn_error_t *err)
{
    cdn_error_t local;
    cdn_scenario_t *s = NULL;
    if (err == NULL)
        err = &local;
    *tree = NULL;
    if (ld->tree == NULL) {
        *err = ld->syntax;
        return err->code;
    }
    cJSON *copy = sim_xcheck(cJSON_Duplicate(ld->tree, 1), "copying a scenario tree");
    int rc = cdn_overlay_load_tree(copy, ld->path, overlays, n, &s, err);
    if (rc != 0) {
        cJSON_Delete(copy);
        return rc;
    }
    cdn_schema_fill(copy, &s->sim);
    cdn_scenario_destroy(s);
    *tree = copy;
    return 0;
}

void cdn_loader_destroy(cdn_loader_t *ld)
{
    if (ld == NULL)
        return;
    cJSON_Delete(ld->tree);
    free(ld->path);
    free(ld);
}
