/*
 * cdn_path.h -- the path syntax of strategy overlays and priors: a path
 * names the members or array elements of a scenario's JSON tree.
 *
 * Contract
 *   A path is relative to the scenario's top level `$`:
 *       .key        member `key` of an object   ([A-Za-z0-9_-]+)
 *       [N]         element N (0-based) of an array
 *       [*]         every element of an array
 *       [key=X]     the elements of an array that are objects whose member
 *                   `key` is the scalar X: a string equal to X, a number
 *                   equal to X read as a number, or true, false, null
 *                   written so
 *   cdn_path_compile() turns the text into segments once (so a bad path is
 *   reported where it is written, before any scenario is seen); the caller
 *   owns the segments (cdn_path_free).  A selection is a list of
 *   (parent, node) pairs; cdn_path_step() maps one node through one
 *   segment, appending the children it matches (a node of the wrong type
 *   matches nothing); cdn_path_select() walks a whole prefix from the root.
 *   Selections grow with sim_xrealloc; an empty one is {0}.
 *
 * Errors: cdn_path_compile returns 0 or -1 with the reason in `why`.
 * Threads: no state; segments are immutable once compiled and may be
 * shared by threads; a selection belongs to one thread.
 */
#ifndef CDNSIM_CDN_PATH_H
#define CDNSIM_CDN_PATH_H

#include <stddef.h>

struct cJSON;

#define CDN_PATH_MAX 512 /* bytes of a path */

typedef enum { CDN_PATH_KEY, CDN_PATH_INDEX, CDN_PATH_ALL, CDN_PATH_FILTER } cdn_path_kind_t;

typedef struct cdn_path_seg {
    cdn_path_kind_t kind;
    char *text;   /* CDN_PATH_KEY: the key; CDN_PATH_FILTER: the key of [key=value] */
    char *value;  /* CDN_PATH_FILTER: the value as written */
    size_t index; /* CDN_PATH_INDEX */
} cdn_path_seg_t;

typedef struct cdn_path_sel {
    struct cJSON **node;
    struct cJSON **parent; /* NULL for the root */
    size_t n, cap;
} cdn_path_sel_t;

/* Compiles `path` into *out[0..*nout-1]; on error writes why into `why`
 * and returns -1 (a path selects at least one segment below '$'). */
int cdn_path_compile(const char *path, cdn_path_seg_t **out, size_t *nout, char *why,
                     size_t nwhy);
void cdn_path_free(cdn_path_seg_t *segs, size_t n); /* NULL is a no-op */

/* "$" followed by segments [0, upto), into buf (truncated to n bytes). */
void cdn_path_prefix(const cdn_path_seg_t *segs, size_t upto, char *buf, size_t n);

void cdn_path_sel_push(cdn_path_sel_t *s, struct cJSON *parent, struct cJSON *node);
void cdn_path_sel_free(cdn_path_sel_t *s);

/* Children of `node` matched by `sg`, appended to `out`. */
void cdn_path_step(const cdn_path_seg_t *sg, struct cJSON *node, cdn_path_sel_t *out);

/* Walks segments [0, upto) from `root`; `out` (empty on entry) gets the
 * nodes selected.  Returns 0, or the number of segments after which the
 * selection became empty (1..upto) -- the prefix to name in a message. */
size_t cdn_path_select(const cdn_path_seg_t *segs, size_t upto, struct cJSON *root,
                       cdn_path_sel_t *out);

#endif /* CDNSIM_CDN_PATH_H */
