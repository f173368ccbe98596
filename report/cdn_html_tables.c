/*
 * cdn_html_tables.c -- the tables of report.html, read back from the
 * results folder's CSV and JSON files.
 *
 * Design
 *   A CSV file is parsed into one array of fields per record (RFC 4180:
 *   a field in double quotes may hold commas, doubled quotes and line
 *   breaks, as cdn_file_put_csv writes them); the whole file is in memory,
 *   O(size).  A field that reads wholly as a number is shown to 6
 *   significant digits and right-aligned; everything else is escaped text.
 *   The event log is one row per line of events.jsonl: time, event kind,
 *   and the other keys as "key=value"; each row carries its kind in
 *   data-event, which the inline filter script compares (a text box and a
 *   kind selector, hidden until the script shows them, so without
 *   JavaScript the page shows the whole table and no dead controls).
 *   Rejected: making the tables from the in-memory results (plot DIR has
 *   only the files, and one path for both keeps them equal); a generic
 *   JSON-to-table for comparison.json (the CSV is already flat).
 */
#include "cdn_html_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_html.h"
#include "sim_alloc.h"

char *cdn_html_slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = sim_xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= CDN_HTML_SLURP_MAX) {
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = sim_xrealloc(buf, cap + 1);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* ---- CSV */

typedef struct {
    char **field; /* every field of every record, in order */
    size_t *start; /* record r is field[start[r] .. start[r+1]-1] */
    size_t nrec;
} csv_t;

static void csv_free(csv_t *c)
{
    size_t nf = c->nrec ? c->start[c->nrec] : 0;
    for (size_t k = 0; k < nf; k++)
        free(c->field[k]);
    free(c->field);
    free(c->start);
}

/* One field from *p (quoted or not); *p is left on the delimiter. */
static char *csv_field(const char **p)
{
    const char *s = *p;
    size_t cap = 16, n = 0;
    char *out = sim_xmalloc(cap);
    int quoted = *s == '"';
    if (quoted)
        s++;
    while (*s) {
        if (quoted && *s == '"') {
            if (s[1] != '"') {
                s++;
                quoted = 0;
                continue;
            }
            s++;
        } else if (!quoted && (*s == ',' || *s == '\n' || *s == '\r'))
            break;
        if (n + 2 > cap)
            out = sim_xrealloc(out, cap *= 2);
        out[n++] = *s++;
    }
    out[n] = '\0';
    *p = s;
    return out;
}

static void csv_parse(const char *text, csv_t *c)
{
    size_t cap = 64, capr = 16, nf = 0;
    c->field = sim_xmalloc(cap * sizeof *c->field);
    c->start = sim_xmalloc(capr * sizeof *c->start);
    c->nrec = 0;
    const char *p = text;
    while (*p) {
        if (c->nrec + 2 > capr)
            c->start = sim_xrealloc(c->start, (capr *= 2) * sizeof *c->start);
        c->start[c->nrec++] = nf;
        for (;;) {
            if (nf == cap)
                c->field = sim_xrealloc(c->field, (cap *= 2) * sizeof *c->field);
            c->field[nf++] = csv_field(&p);
            if (*p != ',')
                break;
            p++;
        }
        while (*p == '\r' || *p == '\n')
            p++;
    }
    c->start[c->nrec] = nf;
}

static size_t csv_nf(const csv_t *c, size_t r)
{
    return c->start[r + 1] - c->start[r];
}

static const char *csv_get(const csv_t *c, size_t r, size_t k)
{
    return k < csv_nf(c, r) ? c->field[c->start[r] + k] : "";
}

/* Column of the header named `name`, or (size_t)-1. */
static size_t csv_col(const csv_t *c, const char *name)
{
    for (size_t k = 0; c->nrec > 0 && k < csv_nf(c, 0); k++)
        if (strcmp(csv_get(c, 0, k), name) == 0)
            return k;
    return (size_t)-1;
}

static int is_number(const char *s, double *v)
{
    if (*s == '\0')
        return 0;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0' && errno == 0;
}

/* A table cell: numbers right-aligned to 6 significant digits. */
static void put_cell(FILE *f, const char *s)
{
    double v;
    if (is_number(s, &v))
        fprintf(f, "<td class=\"n\">%.6g</td>", v);
    else {
        fputs("<td>", f);
        cdn_html_put_text(f, s);
        fputs("</td>", f);
    }
}

int cdn_html_csv_table(FILE *f, const char *dir, const char *file, const char *caption)
{
    char *text = cdn_html_slurp(dir, file, NULL);
    if (text == NULL)
        return 0;
    csv_t c;
    csv_parse(text, &c);
    free(text);
    fputs("<div class=\"scroll\"><table>\n<caption>", f);
    cdn_html_put_text(f, caption);
    fputs(" (<code>", f);
    cdn_html_put_text(f, file);
    fputs("</code>)</caption>\n", f);
    for (size_t r = 0; r < c.nrec; r++) {
        fputs(r == 0 ? "<thead><tr>" : "<tr>", f);
        for (size_t k = 0; k < csv_nf(&c, r); k++) {
            if (r == 0) {
                fputs("<th scope=\"col\">", f);
                cdn_html_put_text(f, csv_get(&c, r, k));
                fputs("</th>", f);
            } else if (csv_get(&c, r, k)[0] == '\0')
                fputs("<td class=\"n\">n/a</td>", f); /* no value, not 0 */
            else
                put_cell(f, csv_get(&c, r, k));
        }
        fputs(r == 0 ? "</tr></thead>\n<tbody>\n" : "</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (c.nrec <= 1)
        fputs("<p>(no rows)</p>\n", f);
    csv_free(&c);
    return 1;
}

/* ---- the ranked comparison */

/* Sorts rows[0..n-1] by the number in column `col`, stably (insertion
 * sort: one row per strategy). */
static void sort_by_col(size_t *rows, size_t n, const csv_t *c, size_t col)
{
    for (size_t i = 1; i < n; i++) {
        size_t r = rows[i], j = i;
        double v = atof(csv_get(c, r, col));
        while (j > 0 && atof(csv_get(c, rows[j - 1], col)) > v) {
            rows[j] = rows[j - 1];
            j--;
        }
        rows[j] = r;
    }
}

/* "[lo, hi]" of two numeric cells. */
static void put_interval(FILE *f, const char *lo, const char *hi)
{
    double a, b;
    if (is_number(lo, &a) && is_number(hi, &b))
        fprintf(f, "<td class=\"n\">[%.4g, %.4g]</td>", a, b);
    else
        fputs("<td class=\"n\">n/a</td>", f);
}

static void ranked_rows(FILE *f, const csv_t *c, const char *metric)
{
    static const char *const cols[] = {"strategy", "rank", "metric", "mean", "ci95_lo", "ci95_hi",
                                       "diff_mean", "diff_ci95_lo", "diff_ci95_hi", "diff_rel"};
    size_t k[10];
    for (size_t i = 0; i < 10; i++)
        k[i] = csv_col(c, cols[i]);
    size_t *rows = sim_xmalloc((c->nrec + 1) * sizeof *rows), n = 0;
    for (size_t r = 1; r < c->nrec; r++)
        if (strcmp(csv_get(c, r, k[2]), metric) == 0)
            rows[n++] = r;
    sort_by_col(rows, n, c, k[1]);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        fputs("<tr>", f);
        put_cell(f, csv_get(c, r, k[1]));
        fputs("<th scope=\"row\">", f);
        cdn_html_put_text(f, csv_get(c, r, k[0]));
        fputs("</th>", f);
        put_cell(f, csv_get(c, r, k[3]));
        put_interval(f, csv_get(c, r, k[4]), csv_get(c, r, k[5]));
        put_cell(f, csv_get(c, r, k[6]));
        put_interval(f, csv_get(c, r, k[7]), csv_get(c, r, k[8]));
        double rel;
        if (is_number(csv_get(c, r, k[9]), &rel))
            fprintf(f, "<td class=\"n\">%+.1f%%</td>", 100.0 * rel);
        else
            fputs("<td class=\"n\">n/a</td>", f);
        fputs("</tr>\n", f);
    }
    free(rows);
}

int cdn_html_ranked(FILE *f, const char *dir)
{
    char *js = cdn_html_slurp(dir, "comparison.json", NULL);
    char *text = cdn_html_slurp(dir, "comparison.csv", NULL);
    cJSON *root = js ? cJSON_Parse(js) : NULL;
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(root, "ranked_by");
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(root, "reference");
    int ok = text != NULL && cJSON_IsString(by);
    if (ok) {
        csv_t c;
        csv_parse(text, &c);
        fputs("<div class=\"scroll\"><table>\n<caption>Strategies ranked by mean ", f);
        cdn_html_put_text(f, by->valuestring);
        fputs(" (best first), with 95&#37; confidence intervals; &#916; is the paired "
              "difference to ", f);
        cdn_html_put_text(f, cJSON_IsString(ref) ? ref->valuestring : "the reference");
        fputs(" (<code>comparison.csv</code>)</caption>\n<thead><tr><th scope=\"col\">rank</th>"
              "<th scope=\"col\">strategy</th><th scope=\"col\">mean</th>"
              "<th scope=\"col\">95&#37; CI</th><th scope=\"col\">&#916; mean</th>"
              "<th scope=\"col\">&#916; 95&#37; CI</th><th scope=\"col\">&#916; &#37;</th>"
              "</tr></thead>\n<tbody>\n", f);
        ranked_rows(f, &c, by->valuestring);
        fputs("</tbody></table></div>\n", f);
        csv_free(&c);
    }
    cJSON_Delete(root);
    free(js);
    free(text);
    return ok;
}

/* ---- summary.json */

static void summary_rows(FILE *f, const cJSON *obj, const char *prefix)
{
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        char key[512];
        snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "", it->string ? it->string : "");
        if (cJSON_IsObject(it)) {
            summary_rows(f, it, key);
            continue;
        }
        fputs("<tr><th scope=\"row\">", f);
        cdn_html_put_text(f, key);
        fputs("</th>", f);
        if (cJSON_IsString(it))
            put_cell(f, it->valuestring);
        else {
            char *v = cJSON_PrintUnformatted(it);
            put_cell(f, v ? v : "");
            free(v);
        }
        fputs("</tr>\n", f);
    }
}

int cdn_html_summary(FILE *f, const char *dir)
{
    char *js = cdn_html_slurp(dir, "summary.json", NULL);
    cJSON *root = js ? cJSON_Parse(js) : NULL;
    free(js);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return 0;
    }
    fputs("<div class=\"scroll\"><table>\n<caption>Run summary (<code>summary.json</code>; "
          "null: did not happen)</caption>\n<thead><tr><th scope=\"col\">measure</th>"
          "<th scope=\"col\">value</th></tr></thead>\n<tbody>\n", f);
    summary_rows(f, root, "");
    fputs("</tbody></table></div>\n", f);
    cJSON_Delete(root);
    return 1;
}

/* ---- events.jsonl */

/* Adds name to the sorted set kinds[0..*n-1] (at most max). */
static void add_kind(const char **kinds, size_t *n, size_t max, const char *name)
{
    size_t i = 0;
    while (i < *n && strcmp(kinds[i], name) < 0)
        i++;
    if ((i < *n && strcmp(kinds[i], name) == 0) || *n == max)
        return;
    memmove(kinds + i + 1, kinds + i, (*n - i) * sizeof *kinds);
    kinds[i] = name;
    (*n)++;
}

static void event_row(FILE *f, const cJSON *ev)
{
    const cJSON *utc = cJSON_GetObjectItemCaseSensitive(ev, "utc");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(ev, "event");
    const char *k = cJSON_IsString(kind) ? kind->valuestring : "";
    fputs("<tr data-event=\"", f);
    cdn_html_put_text(f, k);
    fputs("\"><td>", f);
    cdn_html_put_text(f, cJSON_IsString(utc) ? utc->valuestring : "");
    fputs("</td><td>", f);
    cdn_html_put_text(f, k);
    fputs("</td><td>", f);
    const char *sep = "";
    for (const cJSON *it = ev->child; it != NULL; it = it->next) {
        if (it->string == NULL || strcmp(it->string, "utc") == 0 ||
            strcmp(it->string, "event") == 0 || strcmp(it->string, "t_s") == 0)
            continue;
        fputs(sep, f);
        cdn_html_put_text(f, it->string);
        fputs("=", f);
        char *v = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);
        cdn_html_put_text(f, v ? v : cJSON_IsString(it) ? it->valuestring : "");
        free(v);
        sep = "; ";
    }
    fputs("</td></tr>\n", f);
}

static const char filter_script[] =
    "<script>\n(function () {\n"
    "  var form = document.getElementById('evfilter');\n"
    "  var q = document.getElementById('evq'), kind = document.getElementById('evkind');\n"
    "  var count = document.getElementById('evcount');\n"
    "  var rows = document.querySelectorAll('#events tbody tr');\n"
    "  function update() {\n"
    "    var t = q.value.toLowerCase(), k = kind.value, shown = 0;\n"
    "    for (var i = 0; i < rows.length; i++) {\n"
    "      var r = rows[i];\n"
    "      var ok = (!k || r.getAttribute('data-event') === k) &&\n"
    "               (!t || r.textContent.toLowerCase().indexOf(t) >= 0);\n"
    "      r.hidden = !ok;\n"
    "      if (ok) shown++;\n"
    "    }\n"
    "    count.textContent = shown + ' of ' + rows.length + ' events shown';\n"
    "  }\n"
    "  q.addEventListener('input', update);\n"
    "  kind.addEventListener('change', update);\n"
    "  form.hidden = false;\n"
    "  update();\n"
    "})();\n</script>\n";

static void event_filter(FILE *f, const char *const *kinds, size_t nkinds)
{
    fputs("<form id=\"evfilter\" class=\"filter\" hidden onsubmit=\"return false\">"
          "<label for=\"evq\">Filter events by text</label> <input id=\"evq\" type=\"search\"> "
          "<label for=\"evkind\">kind</label> <select id=\"evkind\"><option value=\"\">all"
          "</option>", f);
    for (size_t i = 0; i < nkinds; i++) {
        fputs("<option>", f);
        cdn_html_put_text(f, kinds[i]);
        fputs("</option>", f);
    }
    fputs("</select> <output id=\"evcount\" aria-live=\"polite\"></output></form>\n", f);
}

int cdn_html_events(FILE *f, const char *dir)
{
    char *text = cdn_html_slurp(dir, "events.jsonl", NULL);
    if (text == NULL)
        return 0;
    size_t cap = 64, n = 0, total = 0, nkinds = 0;
    cJSON **ev = sim_xmalloc(cap * sizeof *ev);
    const char *kinds[64];
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        cJSON *e = cJSON_Parse(line);
        if (!cJSON_IsObject(e) || n == CDN_HTML_MAX_EVENTS) {
            total += cJSON_IsObject(e) ? 1u : 0u;
            cJSON_Delete(e);
            continue;
        }
        total++;
        if (n == cap)
            ev = sim_xrealloc(ev, (cap *= 2) * sizeof *ev);
        ev[n++] = e;
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "event");
        if (cJSON_IsString(k))
            add_kind(kinds, &nkinds, 64, k->valuestring);
    }
    event_filter(f, kinds, nkinds);
    fputs("<div class=\"scroll tall\"><table id=\"events\">\n<caption>Event log "
          "(<code>events.jsonl</code>)", f);
    if (total > n)
        fprintf(f, ": the first %zu of %zu events", n, total);
    fputs("</caption>\n<thead><tr><th scope=\"col\">time (UTC)</th><th scope=\"col\">event</th>"
          "<th scope=\"col\">details</th></tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < n; i++) {
        event_row(f, ev[i]);
        cJSON_Delete(ev[i]);
    }
    fputs("</tbody></table></div>\n", f);
    fputs(filter_script, f);
    free(ev);
    free(text);
    return 1;
}
