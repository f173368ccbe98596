/*
 * cdn_overlay.c -- strategy overlays: parsed once into a list of
 * operations (a compiled path and a cJSON value each), applied to a
 * scenario's cJSON tree, which the scenario validator then checks.
 *
 * Design
 *   A path is compiled into segments (key, index, all, [key=value] filter;
 *   models/cdn_path.c, shared with priors) when the strategy is loaded, so
 *   a malformed path is reported against the strategy file even before
 *   any scenario is seen.  Applying an operation walks the tree
 *   breadth-first: the selection starts as {root}; each segment maps
 *   every selected node to the matching children (nodes of the wrong type
 *   match nothing).  When the selection becomes empty the
 *   operation fails, naming the prefix of the path that matched nothing.
 *   The last segment is not walked but acted on: a key is created or
 *   replaced in each selected object, an index/filter replaces elements of
 *   each selected array, an "append" adds to each selected array.
 *
 *   The scenario file is read and parsed once (models/scenario/cdn_json.c,
 *   the one strict JSON reader), the overlays change that tree in place,
 *   and cdn_scenario_from_tree() validates it: no print and re-parse, and
 *   with no overlays the tree is validated as cdn_scenario_load() does.
 *
 *   Strategy files are read by the same reader as scenarios, so unknown
 *   or duplicate keys, wrong types and bad names give the same messages,
 *   naming the file and JSON path.
 *
 *   A selection is a growable array of (parent, node) pairs; paths are
 *   short and scenarios small, so the walk is O(size of the selected
 *   subtrees) per operation.
 *
 * Rejected alternatives
 *   - RFC 6901 JSON Pointer: has no wildcard or filter, and "every proxy"
 *     or "the service named access" are what strategies need.
 *   - Full JSONPath: a large grammar (recursive descent, expressions) for
 *     no case we need; the four segment kinds cover every shipped strategy.  A
 *     filter compares one scalar member with text: no expressions or
 *     conjunctions, which no strategy needs.
 *   - Editing the validated C structs instead of the JSON: every overlay
 *     would need C code per key, and values would bypass validation.
 *   - Printing the changed tree and parsing the text again (what this file
 *     did before): a second parse per strategy for nothing.
 */
#include "cdn_overlay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cdn_path.h"
#include "sim_alloc.h"
#include "scenario/cdn_digest.h"
#include "scenario/cdn_json.h"

typedef enum { OP_SET, OP_APPEND } op_kind_t;

typedef struct op {
    op_kind_t kind;
    char *path;   /* as written */
    cdn_path_seg_t *segs;
    size_t nsegs;
    cJSON *value; /* owned */
    char *where;  /* for messages: "FILE: $.set[2]" or "--param" */
    cdn_path_seg_t *each;  /* append with for_each: the path of the elements, else NULL */
    size_t neach;
    char *name_into; /* ... and the member of each copy that gets an element's name */
} op_t;

struct cdn_overlay {
    char *name;
    char *description;
    char *assumes; /* what the strategy needs in a scenario, or NULL */
    char *path;
    uint64_t hash;
    char sha256[CDN_DIGEST_HEX_LEN]; /* of the file's bytes; "" if built in code */
    char *origin;
    op_t *ops;
    size_t nops, capops;
};

static const char *const OP_NAMES[] = {"set", "append"};

/* ------------------------------------------------------------ utilities */

uint64_t cdn_overlay_fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

int cdn_overlay_valid_name(const char *name)
{
    return cdn_json_valid_name(name, 1);
}

static int set_err(cdn_error_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_err(cdn_error_t *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

int cdn_overlay_hash_file(const char *path, uint64_t *hash, cdn_error_t *err)
{
    char *text;
    size_t len;
    int rc = cdn_json_read_file(path, &text, &len, err);
    if (rc != 0)
        return rc;
    *hash = cdn_overlay_fnv1a64(text, len);
    free(text);
    return 0;
}

/* ------------------------------------------------------------ operations */

static int nothing(const op_t *op, const char *scenario_path, size_t upto, const char *what,
                   cdn_error_t *err)
{
    char prefix[CDN_PATH_MAX + 64], pbuf[CDN_PATH_MAX + 64], shown[CDN_PATH_MAX + 64];
    cdn_path_prefix(op->segs, upto, prefix, sizeof prefix);
    return set_err(err, CDN_EDATA, "%s: path '%s' selects nothing in %s ('%s' %s)", op->where,
                   cdn_error_one_line(pbuf, sizeof pbuf, op->path), scenario_path,
                   cdn_error_one_line(shown, sizeof shown, prefix), what);
}

/* Append of an operation with for_each: for every element E the
 * for_each path selects (in document order), a copy of the value whose
 * member name_into is E's "name" is added to each array in `arrays`. */
static int append_each(const op_t *op, cJSON *root, const cdn_path_sel_t *arrays, const char *scenario_path,
                       cdn_error_t *err)
{
    cdn_path_sel_t cur = {0}, next = {0};
    int rc = 0;
    char pbuf[CDN_PATH_MAX + 64], prefix[CDN_PATH_MAX + 64];
    cdn_path_sel_push(&cur, NULL, root);
    for (size_t i = 0; i < op->neach && cur.n > 0; i++) {
        next.n = 0;
        for (size_t k = 0; k < cur.n; k++)
            cdn_path_step(&op->each[i], cur.node[k], &next);
        cdn_path_sel_t t = cur;
        cur = next;
        next = t;
    }
    cdn_path_prefix(op->each, op->neach, prefix, sizeof prefix);
    if (cur.n == 0) {
        rc = set_err(err, CDN_EDATA, "%s: for_each '%s' selects nothing in %s", op->where,
                     cdn_error_one_line(pbuf, sizeof pbuf, prefix), scenario_path);
        goto done;
    }
    for (size_t e = 0; e < cur.n; e++) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cur.node[e], "name");
        if (!cJSON_IsString(nm)) {
            rc = set_err(err, CDN_EDATA, "%s: for_each '%s' selects an element without a \"name\" in %s",
                         op->where, cdn_error_one_line(pbuf, sizeof pbuf, prefix), scenario_path);
            goto done;
        }
        for (size_t k = 0; k < arrays->n; k++) {
            cJSON *copy = cJSON_Duplicate(op->value, 1);
            cJSON_DeleteItemFromObjectCaseSensitive(copy, op->name_into);
            cJSON_AddItemToObject(copy, op->name_into, cJSON_CreateString(nm->valuestring));
            cJSON_AddItemToArray(arrays->node[k], copy);
        }
    }
done:
    cdn_path_sel_free(&cur);
    cdn_path_sel_free(&next);
    return rc;
}

static int apply_op(const op_t *op, cJSON *root, const char *scenario_path, cdn_error_t *err)
{
    cdn_path_sel_t cur = {0}, next = {0};
    int rc = 0;
    /* "set" acts on the parents of its last segment; "append" on the nodes
     * the whole path selects */
    size_t walk = op->kind == OP_SET ? op->nsegs - 1 : op->nsegs;
    cdn_path_sel_push(&cur, NULL, root);
    for (size_t i = 0; i < walk; i++) {
        next.n = 0;
        for (size_t k = 0; k < cur.n; k++)
            cdn_path_step(&op->segs[i], cur.node[k], &next);
        if (next.n == 0) {
            rc = nothing(op, scenario_path, i + 1, "matches nothing", err);
            goto done;
        }
        cdn_path_sel_t t = cur;
        cur = next;
        next = t;
    }
    if (op->kind == OP_APPEND) {
        for (size_t k = 0; k < cur.n; k++)
            if (!cJSON_IsArray(cur.node[k])) {
                rc = nothing(op, scenario_path, walk, "is not an array", err);
                goto done;
            }
        if (op->each != NULL) {
            rc = append_each(op, root, &cur, scenario_path, err);
            goto done;
        }
        for (size_t k = 0; k < cur.n; k++)
            cJSON_AddItemToArray(cur.node[k], cJSON_Duplicate(op->value, 1));
        goto done;
    }
    const cdn_path_seg_t *last = &op->segs[op->nsegs - 1];
    if (last->kind == CDN_PATH_KEY) {
        for (size_t k = 0; k < cur.n; k++)
            if (!cJSON_IsObject(cur.node[k])) {
                rc = nothing(op, scenario_path, walk, "is not an object", err);
                goto done;
            }
        for (size_t k = 0; k < cur.n; k++) {
            cJSON *copy = cJSON_Duplicate(op->value, 1);
            if (cJSON_GetObjectItemCaseSensitive(cur.node[k], last->text))
                cJSON_ReplaceItemInObjectCaseSensitive(cur.node[k], last->text, copy);
            else
                cJSON_AddItemToObject(cur.node[k], last->text, copy);
        }
        goto done;
    }
    next.n = 0;
    for (size_t k = 0; k < cur.n; k++)
        cdn_path_step(last, cur.node[k], &next);
    if (next.n == 0) {
        rc = nothing(op, scenario_path, op->nsegs, "matches nothing", err);
        goto done;
    }
    for (size_t k = 0; k < next.n; k++)
        cJSON_ReplaceItemViaPointer(next.parent[k], next.node[k], cJSON_Duplicate(op->value, 1));
done:
    cdn_path_sel_free(&cur);
    cdn_path_sel_free(&next);
    return rc;
}

/* Adds to err->msg what strategy `o` assumes, if it says. */
static void add_assumes(const cdn_overlay_t *o, cdn_error_t *err)
{
    if (o->assumes == NULL)
        return;
    char shown[512];
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof err->msg - len, "; strategy '%s' assumes %s", o->name,
             cdn_error_one_line(shown, sizeof shown, o->assumes));
}

int cdn_overlay_apply(const cdn_overlay_t *o, cJSON *root, const char *scenario_path,
                      cdn_error_t *err)
{
    cdn_error_t local;
    if (err == NULL)
        err = &local;
    for (size_t i = 0; i < o->nops; i++) {
        int rc = apply_op(&o->ops[i], root, scenario_path, err);
        if (rc != 0) {
            add_assumes(o, err);
            return rc;
        }
    }
    return 0;
}

/* ------------------------------------------------------ overlay objects */

static cdn_overlay_t *overlay_new(void)
{
    return sim_xcalloc(1, sizeof(cdn_overlay_t));
}

static op_t *add_op(cdn_overlay_t *o)
{
    if (o->nops == o->capops) {
        o->capops = o->capops ? 2 * o->capops : 8;
        o->ops = sim_xrealloc(o->ops, o->capops * sizeof *o->ops);
    }
    op_t *op = &o->ops[o->nops++];
    memset(op, 0, sizeof *op);
    return op;
}

void cdn_overlay_destroy(cdn_overlay_t *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->nops; i++) {
        free(o->ops[i].path);
        cdn_path_free(o->ops[i].segs, o->ops[i].nsegs);
        cJSON_Delete(o->ops[i].value);
        free(o->ops[i].where);
        cdn_path_free(o->ops[i].each, o->ops[i].neach);
        free(o->ops[i].name_into);
    }
    free(o->ops);
    free(o->name);
    free(o->description);
    free(o->assumes);
    free(o->path);
    free(o->origin);
    free(o);
}

const char *cdn_overlay_name(const cdn_overlay_t *o)
{
    return o->name;
}

const char *cdn_overlay_description(const cdn_overlay_t *o)
{
    return o->description;
}

const char *cdn_overlay_assumes(const cdn_overlay_t *o)
{
    return o->assumes;
}

const char *cdn_overlay_path(const cdn_overlay_t *o)
{
    return o->path;
}

uint64_t cdn_overlay_hash(const cdn_overlay_t *o)
{
    return o->hash;
}

const char *cdn_overlay_sha256(const cdn_overlay_t *o)
{
    return o->sha256[0] ? o->sha256 : NULL;
}

size_t cdn_overlay_count(const cdn_overlay_t *o)
{
    return o->nops;
}

cdn_overlay_t *cdn_overlay_create(const char *name, const char *origin)
{
    cdn_overlay_t *o = overlay_new();
    o->name = sim_xstrdup(name);
    o->origin = sim_xstrdup(origin ? origin : name);
    return o;
}

int cdn_overlay_add_set_text(cdn_overlay_t *o, const char *path, const char *value_text,
                             cdn_error_t *err)
{
    cdn_error_t local;
    char why[256];
    cdn_path_seg_t *segs;
    size_t nsegs;
    if (err == NULL)
        err = &local;
    if (cdn_path_compile(path, &segs, &nsegs, why, sizeof why) != 0) {
        char shown[CDN_PATH_MAX + 64];
        return set_err(err, CDN_EUSAGE, "%s: bad path '%s': %s", o->origin,
                       cdn_error_one_line(shown, sizeof shown, path), why);
    }
    const char *end = NULL;
    size_t len = strlen(value_text);
    cJSON *v = cJSON_ParseWithLengthOpts(value_text, len, &end, 0);
    if (v == NULL || end != value_text + len) {
        cJSON_Delete(v);
        v = cJSON_CreateString(value_text);
    }
    op_t *op = add_op(o);
    op->kind = OP_SET;
    op->path = sim_xstrdup(path);
    op->segs = segs;
    op->nsegs = nsegs;
    op->value = v;
    op->where = sim_xstrdup(o->origin);
    return 0;
}

/* ------------------------------------------------- strategy file parser */

/* "$schema" names the JSON Schema an editor uses; it is not read. */
static const char *const top_keys[] = {"name", "description", "assumes", "set", "append", "$schema"};
static const char *const op_keys[] = {"path", "value", "for_each", "name_into"};

/* "for_each" and "name_into" of an append: both or neither; the value
 * an object.  `op` is already in the overlay (freed with it on error). */
static int read_for_each(cdn_json_ctx_t *c, const cdn_json_obj_t *eo, op_t *op)
{
    const cJSON *each = cdn_json_obj_get(eo, "for_each");
    const cJSON *into = cdn_json_obj_get(eo, "name_into");
    if (each == NULL && into == NULL)
        return 0;
    if (each == NULL)
        return cdn_json_missing(c, "for_each");
    if (into == NULL)
        return cdn_json_missing(c, "name_into");
    if (!cJSON_IsObject(op->value)) {
        cdn_json_key(c, "value");
        return cdn_json_fail(c, "expected an object (for_each adds a copy per element), found %s",
                             cdn_json_type(op->value));
    }
    size_t p = cdn_json_key(c, "name_into");
    if (!cJSON_IsString(into) || !cdn_json_valid_name(into->valuestring, 0))
        return cdn_json_fail(c, "expected a key name, found %s", cdn_json_type(into));
    cdn_json_pop(c, p);
    op->name_into = sim_xstrdup(into->valuestring);
    cdn_json_key(c, "for_each");
    char why[256];
    if (!cJSON_IsString(each))
        return cdn_json_fail(c, "expected a path, found %s", cdn_json_type(each));
    if (cdn_path_compile(each->valuestring, &op->each, &op->neach, why, sizeof why) != 0)
        return cdn_json_fail(c, "expected a path like '$.artifacts[*]', found %s (%s)",
                             cdn_json_show_str(each->valuestring).s, why);
    cdn_json_pop(c, p);
    return 0;
}

/* One element of "set" or "append" (the path is at the element). */
static int read_op(cdn_overlay_t *o, cdn_json_ctx_t *c, const cJSON *e, op_kind_t kind)
{
    cdn_json_obj_t eo;
    if (!cJSON_IsObject(e))
        return cdn_json_fail(c, "expected an object {\"path\", \"value\"}, found %s",
                             cdn_json_type(e));
    int rc = cdn_json_obj_open(c, e, op_keys, kind == OP_APPEND ? 4 : 2, &eo);
    if (rc != 0)
        return rc;
    const cJSON *path = cdn_json_obj_get(&eo, "path");
    const cJSON *value = cdn_json_obj_get(&eo, "value");
    if (path == NULL)
        return cdn_json_missing(c, "path");
    if (value == NULL)
        return cdn_json_missing(c, "value");
    cdn_json_key(c, "path");
    if (!cJSON_IsString(path))
        return cdn_json_fail(c, "expected a string, found %s", cdn_json_type(path));
    cdn_path_seg_t *segs;
    size_t nsegs;
    char why[256];
    if (cdn_path_compile(path->valuestring, &segs, &nsegs, why, sizeof why) != 0)
        return cdn_json_fail(c, "expected a path like '$.key[N][*][key=X].key', found %s (%s)",
                             cdn_json_show_str(path->valuestring).s, why);
    op_t *op = add_op(o);
    op->kind = kind;
    op->path = sim_xstrdup(path->valuestring);
    op->segs = segs;
    op->nsegs = nsegs;
    op->value = cJSON_Duplicate(value, 1);
    cdn_json_pop(c, c->plen - strlen(".path"));
    if ((rc = read_for_each(c, &eo, op)) != 0)
        return rc;
    char full[4096 + 64];
    snprintf(full, sizeof full, "%s: %s", c->file, c->path);
    op->where = sim_xstrdup(full);
    return 0;
}

static int read_ops(cdn_overlay_t *o, cdn_json_ctx_t *c, const cJSON *list, op_kind_t kind)
{
    const char *key = OP_NAMES[kind];
    if (list == NULL)
        return 0;
    size_t p = cdn_json_key(c, key);
    if (!cJSON_IsArray(list))
        return cdn_json_fail(c, "expected an array of {\"path\", \"value\"}, found %s",
                             cdn_json_type(list));
    size_t i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        size_t q = cdn_json_push(c, "[%zu]", i);
        int rc = read_op(o, c, e, kind);
        if (rc != 0)
            return rc;
        cdn_json_pop(c, q);
    }
    cdn_json_pop(c, p);
    return 0;
}

/* The strategy object at the top level of the tree. */
static int read_strategy(cdn_overlay_t *o, cdn_json_ctx_t *c, const cJSON *root)
{
    cdn_json_obj_t ro;
    char name[CDN_NAME_MAX];
    const char *desc = NULL;
    int rc;
    if (!cJSON_IsObject(root))
        return cdn_json_fail(c, "expected a strategy object {\"name\", \"set\"}, found %s",
                             cdn_json_type(root));
    if ((rc = cdn_json_obj_open(c, root, top_keys, sizeof top_keys / sizeof top_keys[0], &ro)) != 0 ||
        (rc = cdn_json_req_name(c, &ro, "name", 1, name)) != 0 ||
        (rc = cdn_json_opt_str(c, &ro, "description", &desc)) != 0)
        return rc;
    o->name = sim_xstrdup(name);
    o->description = desc ? sim_xstrdup(desc) : NULL;
    const char *assumes = NULL;
    if ((rc = cdn_json_opt_str(c, &ro, "assumes", &assumes)) != 0)
        return rc;
    o->assumes = assumes ? sim_xstrdup(assumes) : NULL;
    if ((rc = read_ops(o, c, cdn_json_obj_get(&ro, "set"), OP_SET)) != 0)
        return rc;
    return read_ops(o, c, cdn_json_obj_get(&ro, "append"), OP_APPEND);
}

int cdn_overlay_parse(const char *text, size_t len, const char *path, cdn_overlay_t **out,
                      cdn_error_t *err)
{
    cdn_error_t local;
    cdn_overlay_t *o = NULL;
    cJSON *root = NULL;
    cdn_json_ctx_t c;
    int rc;
    if (err == NULL)
        err = &local;
    err->code = 0;
    err->msg[0] = '\0';
    *out = NULL;
    if (path == NULL)
        path = "(string)";
    if ((rc = cdn_json_parse(text, len, path, &root, err)) != 0)
        goto fail;
    o = overlay_new();
    o->path = sim_xstrdup(path);
    o->origin = sim_xstrdup(path);
    o->hash = cdn_overlay_fnv1a64(text, len);
    cdn_digest_sha256_hex(text, len, o->sha256);
    cdn_json_ctx_init(&c, path, err);
    if ((rc = read_strategy(o, &c, root)) != 0)
        goto fail;
    cJSON_Delete(root);
    *out = o;
    return 0;
fail:
    cJSON_Delete(root);
    cdn_overlay_destroy(o);
    return rc;
}

int cdn_overlay_load(const char *path, cdn_overlay_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    char *text;
    size_t len;
    if (err == NULL)
        err = &local;
    *out = NULL;
    int rc = cdn_json_read_file(path, &text, &len, err);
    if (rc != 0)
        return rc;
    rc = cdn_overlay_parse(text, len, path, out, err);
    free(text);
    return rc;
}

/* ------------------------------------------------------ overlaid loads */

int cdn_overlay_load_scenario(const char *path, const cdn_overlay_t *const *overlays, size_t n,
                              cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    char *text = NULL;
    size_t len;
    cJSON *root = NULL;
    int rc;
    if (err == NULL)
        err = &local;
    *out = NULL;
    if ((rc = cdn_json_read_file(path, &text, &len, err)) != 0)
        return rc;
    if ((rc = cdn_json_parse(text, len, path, &root, err)) != 0)
        goto done;
    rc = cdn_overlay_load_tree(root, path, overlays, n, out, err);
done:
    cJSON_Delete(root);
    free(text);
    return rc;
}

int cdn_overlay_load_tree(cJSON *root, const char *path, const cdn_overlay_t *const *overlays,
                          size_t n, cdn_scenario_t **out, cdn_error_t *err)
{
    cdn_error_t local;
    char label[4096 + 256];
    int rc;
    if (err == NULL)
        err = &local;
    *out = NULL;
    if (n == 0)
        return cdn_scenario_from_tree(root, path, path, out, err);
    int used = snprintf(label, sizeof label, "%s (with ", path);
    for (size_t i = 0; i < n; i++) {
        if ((rc = cdn_overlay_apply(overlays[i], root, path, err)) != 0)
            return rc;
        if (used > 0 && (size_t)used < sizeof label)
            used += snprintf(label + used, sizeof label - (size_t)used, "%s%s", i ? "+" : "",
                             overlays[i]->name);
    }
    if (used > 0 && (size_t)used < sizeof label)
        snprintf(label + used, sizeof label - (size_t)used, ")");
    rc = cdn_scenario_from_tree(root, label, path, out, err);
    if (rc == CDN_EDATA) /* the scenario may lack what a strategy needs */
        for (size_t i = 0; i < n; i++)
            add_assumes(overlays[i], err);
    return rc;
}
