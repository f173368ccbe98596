/*
 * cdn_path.c -- compiled paths and selections over a cJSON tree, shared
 * by strategy overlays (cdn_overlay.c) and priors (cdn_priors.c).
 *
 * Design
 *   A path is compiled into an array of segments (key, index, all,
 *   [key=value] filter); the text is not kept by the segments.  Walking
 *   is breadth-first: a selection starts as {root}; each segment maps
 *   every selected node to its matching children (nodes of the wrong type
 *   match nothing), so "[*]" fans out and a filter narrows.  A selection
 *   is a growable pair of arrays (node, parent): the parent is what a
 *   "set" that replaces an array element needs.
 *
 * Invariants
 *   A compiled path has at least one segment; every CDN_PATH_KEY and
 *   CDN_PATH_FILTER segment owns its `text` (and the filter its `value`).
 *
 * Complexity
 *   Compiling is O(path length); a walk is O(size of the selected
 *   subtrees); paths are short and scenarios small.
 *
 * Rejected alternatives
 *   - RFC 6901 JSON Pointer: has no wildcard or filter, and "every proxy"
 *     or "the service named access" are what strategies and priors need.
 *   - Full JSONPath: a large grammar (recursive descent, expressions) for
 *     no case we need; a filter compares one scalar member with text.
 *   - Keeping this inside cdn_overlay.c: priors use the same syntax, and
 *     one copy of the grammar keeps both in step.
 */
#include "cdn_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

/* ----------------------------------------------------------------- paths */

static int key_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

void cdn_path_free(cdn_path_seg_t *segs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(segs[i].text);
        free(segs[i].value);
    }
    free(segs);
}

/* Compiles `path`; on error writes why into `why` and returns -1. */
int cdn_path_compile(const char *path, cdn_path_seg_t **out, size_t *nout, char *why, size_t nwhy)
{
    size_t n = 0, cap = 4, len = strlen(path);
    cdn_path_seg_t *segs = sim_xmalloc(cap * sizeof *segs);
    const char *p = path;
    *out = NULL;
    *nout = 0;
    if (len > CDN_PATH_MAX) {
        snprintf(why, nwhy, "longer than %d bytes", CDN_PATH_MAX);
        goto fail;
    }
    if (*p != '$') {
        snprintf(why, nwhy, "a path starts with '$'");
        goto fail;
    }
    p++;
    while (*p) {
        cdn_path_seg_t sg = {CDN_PATH_KEY, NULL, NULL, 0};
        if (*p == '.') {
            const char *k = ++p;
            while (key_char(*p))
                p++;
            if (p == k) {
                snprintf(why, nwhy, "'.' must be followed by a key of [A-Za-z0-9_-] at byte %zu",
                         (size_t)(k - path));
                goto fail;
            }
            sg.text = sim_xmalloc((size_t)(p - k) + 1);
            memcpy(sg.text, k, (size_t)(p - k));
            sg.text[p - k] = '\0';
        } else if (*p == '[') {
            const char *close = strchr(p, ']');
            const char *in = p + 1;
            if (!close) {
                snprintf(why, nwhy, "'[' at byte %zu is not closed", (size_t)(p - path));
                goto fail;
            }
            size_t m = (size_t)(close - in);
            size_t klen = 0;
            while (klen < m && key_char(in[klen]))
                klen++;
            if (m == 1 && *in == '*') {
                sg.kind = CDN_PATH_ALL;
            } else if (klen > 0 && klen + 1 < m && in[klen] == '=') {
                sg.kind = CDN_PATH_FILTER;
                sg.text = sim_xmalloc(klen + 1);
                memcpy(sg.text, in, klen);
                sg.text[klen] = '\0';
                sg.value = sim_xmalloc(m - klen);
                memcpy(sg.value, in + klen + 1, m - klen - 1);
                sg.value[m - klen - 1] = '\0';
            } else if (m > 0 && m <= 9 && strspn(in, "0123456789") >= m) {
                sg.kind = CDN_PATH_INDEX;
                sg.index = (size_t)strtoul(in, NULL, 10);
            } else {
                snprintf(why, nwhy,
                         "'[...]' at byte %zu must hold an index, '*' or 'key=value'",
                         (size_t)(p - path));
                goto fail;
            }
            p = close + 1;
        } else {
            snprintf(why, nwhy, "expected '.' or '[' at byte %zu", (size_t)(p - path));
            goto fail;
        }
        if (n == cap) {
            cap *= 2;
            segs = sim_xrealloc(segs, cap * sizeof *segs);
        }
        segs[n++] = sg;
    }
    if (n == 0) {
        snprintf(why, nwhy, "the whole scenario cannot be replaced; name a key below '$'");
        goto fail;
    }
    *out = segs;
    *nout = n;
    return 0;
fail:
    cdn_path_free(segs, n);
    return -1;
}

/* "$" followed by segments [0, upto) */
void cdn_path_prefix(const cdn_path_seg_t *segs, size_t upto, char *buf, size_t n)
{
    size_t o = 0;
    int w = snprintf(buf, n, "$");
    o = w > 0 ? (size_t)w : 0;
    for (size_t i = 0; i < upto && o < n; i++) {
        switch (segs[i].kind) {
        case CDN_PATH_KEY:
            w = snprintf(buf + o, n - o, ".%s", segs[i].text);
            break;
        case CDN_PATH_INDEX:
            w = snprintf(buf + o, n - o, "[%zu]", segs[i].index);
            break;
        case CDN_PATH_ALL:
            w = snprintf(buf + o, n - o, "[*]");
            break;
        case CDN_PATH_FILTER:
            w = snprintf(buf + o, n - o, "[%s=%s]", segs[i].text, segs[i].value);
            break;
        }
        o += w > 0 ? (size_t)w : 0;
    }
}

/* ------------------------------------------------------------- selection */

void cdn_path_sel_push(cdn_path_sel_t *s, cJSON *parent, cJSON *node)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->node = sim_xrealloc(s->node, s->cap * sizeof *s->node);
        s->parent = sim_xrealloc(s->parent, s->cap * sizeof *s->parent);
    }
    s->node[s->n] = node;
    s->parent[s->n] = parent;
    s->n++;
}

void cdn_path_sel_free(cdn_path_sel_t *s)
{
    free(s->node);
    free(s->parent);
}

/* 1 when the member `v` of an element matches the `value` of a
 * [key=value] filter: a string equal to it, a number equal to it read as
 * a number, or a boolean or null written as true, false or null.  Objects,
 * arrays and absent members never match. */
static int filter_matches(const cJSON *v, const char *value)
{
    if (cJSON_IsString(v))
        return strcmp(v->valuestring, value) == 0;
    if (cJSON_IsNumber(v)) {
        char *end;
        errno = 0;
        double x = strtod(value, &end);
        return end != value && *end == '\0' && errno == 0 && x == v->valuedouble;
    }
    if (cJSON_IsBool(v))
        return strcmp(value, cJSON_IsTrue(v) ? "true" : "false") == 0;
    if (cJSON_IsNull(v))
        return strcmp(value, "null") == 0;
    return 0;
}

/* Children of `node` matched by `sg`, appended to `out`. */
void cdn_path_step(const cdn_path_seg_t *sg, cJSON *node, cdn_path_sel_t *out)
{
    switch (sg->kind) {
    case CDN_PATH_KEY:
        if (cJSON_IsObject(node)) {
            cJSON *c = cJSON_GetObjectItemCaseSensitive(node, sg->text);
            if (c)
                cdn_path_sel_push(out, node, c);
        }
        break;
    case CDN_PATH_INDEX:
        if (cJSON_IsArray(node)) {
            size_t i = 0;
            for (cJSON *c = node->child; c; c = c->next, i++)
                if (i == sg->index) {
                    cdn_path_sel_push(out, node, c);
                    break;
                }
        }
        break;
    case CDN_PATH_ALL:
        if (cJSON_IsArray(node))
            for (cJSON *c = node->child; c; c = c->next)
                cdn_path_sel_push(out, node, c);
        break;
    case CDN_PATH_FILTER:
        if (cJSON_IsArray(node))
            for (cJSON *c = node->child; c; c = c->next)
                if (cJSON_IsObject(c) &&
                    filter_matches(cJSON_GetObjectItemCaseSensitive(c, sg->text), sg->value))
                    cdn_path_sel_push(out, node, c);
        break;
    }
}

size_t cdn_path_select(const cdn_path_seg_t *segs, size_t upto, cJSON *root, cdn_path_sel_t *out)
{
    cdn_path_sel_t cur = {0}, next = {0};
    size_t failed = 0;
    cdn_path_sel_push(&cur, NULL, root);
    for (size_t i = 0; i < upto; i++) {
        next.n = 0;
        for (size_t k = 0; k < cur.n; k++)
            cdn_path_step(&segs[i], cur.node[k], &next);
        cdn_path_sel_t t = cur;
        cur = next;
        next = t;
        if (cur.n == 0) {
            failed = i + 1;
            break;
        }
    }
    for (size_t k = 0; k < cur.n; k++)
        cdn_path_sel_push(out, cur.parent[k], cur.node[k]);
    cdn_path_sel_free(&cur);
    cdn_path_sel_free(&next);
    return failed;
}
