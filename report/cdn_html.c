/*
 * cdn_html.c -- report.html: the page, the scenario summary, the inlined
 * figures and the manifest (the tables are in cdn_html_tables.c).
 *
 * Design
 *   The page is a view of the results folder's files, made after them
 *   (and after gnuplot), so the commands and `cdnsim plot DIR` share one
 *   writer and the page always agrees with the files beside it.  Sections,
 *   in order: the scenario (name, description, notes, sources), figures,
 *   tables, event log, manifest; a section whose files are absent is
 *   left out (run, compare and sweep folders hold different files).
 *
 *   Self-contained: no src or href reaches outside the page.  Each figure
 *   is its .svg file inlined after the "<svg" tag (the XML prolog is
 *   dropped); gnuplot names its definitions with fixed ids (gpPt0,
 *   gnuplot_canvas, ...), the same in every figure, so every id and every
 *   reference to one (href="#x", url(#x)) is prefixed with the figure's
 *   stem, keeping ids unique in the page.  The <svg> gets role="img" and
 *   aria-labelledby pointing to its <figcaption>, which says what the
 *   figure shows; gnuplot's own <title>Gnuplot</title> becomes the
 *   caption, and each plot's title ("gnuplot_plot_1a") becomes its key
 *   text (the series name a browser shows on hover).  A Content-Security-Policy meta tag (default-src 'none';
 *   img-src data: for the bitmaps gnuplot embeds in an SVG heat map)
 *   makes the browser refuse any fetch a future change might add.
 *   Readable without colour: tables carry the numbers the figures draw,
 *   and the style uses no colour to convey meaning.
 *
 *   Atomic: written to ".report.html.tmp" in the folder, then renamed.
 *   Cost: O(size of the folder's files); each is read once.
 *
 * Rejected alternatives
 *   - gnuplot's SVG "mouse standalone" (coordinates on click, series
 *     toggling): each figure would carry ~1000 lines of script that set
 *     one page-wide object (gnuplot_svg.plot_xmin, ... : the axes of the
 *     last figure loaded) and find elements by the fixed ids above, so
 *     with several figures inlined all but one would report wrong
 *     coordinates; and it would change every .gp script the commands
 *     write.  Hover shows the series name (the <title> rewrite above);
 *     the values are in the tables.
 *   - <img src="x.svg">: a request leaving the file, and the page would
 *     not survive being mailed on its own.
 *   - data: URIs of the PNGs: 4/3 larger, not text, no hover titles.
 */
#include "cdn_html.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cdn_digest.h"
#include "cdn_file.h"
#include "cdn_html_int.h"
#include "sim_alloc.h"

void cdn_html_put_text_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (c >= 0x20 || c == '\n' || c == '\t')
                fputc(c, f);
        }
    }
}

void cdn_html_put_text(FILE *f, const char *s)
{
    cdn_html_put_text_n(f, s, s ? strlen(s) : 0);
}

static const char style[] =
    "<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:76rem;margin:0 auto;padding:0 1rem;"
    "line-height:1.45;color:#111;background:#fff}\n"
    "h1{font-size:1.6rem}h2{border-bottom:1px solid #999;margin-top:2rem}\n"
    "nav ul{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;list-style:none;padding:0}\n"
    "figure{margin:1.5rem 0}figure svg{width:100%;height:auto;border:1px solid #ccc}\n"
    "figcaption{font-style:italic;margin-top:.3rem}\n"
    "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}\n"
    "caption{text-align:left;font-weight:bold;padding:.3rem 0}\n"
    "th,td{border:1px solid #999;padding:.2rem .5rem;vertical-align:top}\n"
    "thead th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tbody tr:nth-child(even){background:#f6f6f6}\n"
    ".scroll{overflow-x:auto}.tall{max-height:40rem;overflow-y:auto}\n"
    ".note{border-left:4px solid #666;padding:.3rem .8rem;background:#f3f3f3}\n"
    "pre{tab-size:2;white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.6rem;"
    "font-size:.8rem}\n"
    "</style>\n";

/* ---- the scenario */

/* The scenario file the manifest names, parsed, if it still has the
 * manifest's SHA-256; else NULL and why[] says what is wrong. */
static cJSON *load_scenario(const cJSON *man, char *why, size_t n)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(man, "scenario");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(sc, "path");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(sc, "sha256");
    if (!cJSON_IsString(path) || !cJSON_IsString(sha)) {
        snprintf(why, n, "The manifest names no scenario file");
        return NULL;
    }
    size_t len = 0;
    char *text = cdn_html_slurp(NULL, path->valuestring, &len);
    if (text == NULL) {
        snprintf(why, n, "The scenario file %.1000s cannot be read from here", path->valuestring);
        return NULL;
    }
    char hex[CDN_DIGEST_HEX_LEN];
    cdn_digest_sha256_hex(text, len, hex);
    cJSON *root = strcmp(hex, sha->valuestring) == 0 ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    if (root == NULL)
        snprintf(why, n, "The scenario file %.1000s has changed since this run", path->valuestring);
    return root;
}

/* "notes": a string or an array of strings, as a list. */
static void put_notes(FILE *f, const cJSON *notes)
{
    if (notes == NULL)
        return;
    fputs("<h3>Notes</h3>\n<ul>\n", f);
    const cJSON *it = cJSON_IsArray(notes) ? notes->child : notes;
    for (; it != NULL; it = cJSON_IsArray(notes) ? it->next : NULL) {
        if (!cJSON_IsString(it))
            continue;
        fputs("<li>", f);
        cdn_html_put_text(f, it->valuestring);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static void put_sources(FILE *f, const cJSON *src)
{
    if (!cJSON_IsObject(src) || src->child == NULL)
        return;
    fputs("<h3>Sources</h3>\n<dl>\n", f);
    for (const cJSON *it = src->child; it != NULL; it = it->next) {
        fputs("<dt>", f);
        cdn_html_put_text(f, it->string);
        fputs("</dt><dd>", f);
        if (cJSON_IsString(it))
            cdn_html_put_text(f, it->valuestring);
        fputs("</dd>\n", f);
    }
    fputs("</dl>\n", f);
}

static void section_scenario(FILE *f, const cJSON *man, const char *name)
{
    fputs("<section id=\"scenario\" aria-labelledby=\"h-scenario\">\n"
          "<h2 id=\"h-scenario\">Scenario</h2>\n<p>Name: <strong>", f);
    cdn_html_put_text(f, name);
    fputs("</strong></p>\n", f);
    char why[1200] = "";
    cJSON *s = load_scenario(man, why, sizeof why);
    if (s == NULL) {
        fputs("<p class=\"note\">", f);
        cdn_html_put_text(f, why);
        fputs(": its description, notes and sources are not shown.</p>\n", f);
    } else {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "description");
        if (cJSON_IsString(d)) {
            fputs("<p>", f);
            cdn_html_put_text(f, d->valuestring);
            fputs("</p>\n", f);
        }
        put_notes(f, cJSON_GetObjectItemCaseSensitive(s, "notes"));
        put_sources(f, cJSON_GetObjectItemCaseSensitive(s, "sources"));
    }
    cJSON_Delete(s);
    fputs("</section>\n", f);
}

/* ---- figures */

/* What each figure kind shows, for its caption and text alternative. */
static const struct {
    const char *stem, *caption;
} captions[] = {
    {"timeline", "Timeline of one replication: the share of requests failing with HTTP 5xx, "
                 "blocked requests, servers failing, sites down, services and latency over "
                 "time (UTC), with the operators' actions marked in the strip above."},
    {"regions", "Regions by time: a heat map of the 5xx share, and of the servers failing, in "
                "each region (one row per region); darker is worse."},
    {"ensemble", "Ensemble fan chart of run -n: the median 5xx share and sites down with their "
                 "50% and 90% bands across replications, the published calibration targets "
                 "marked, and one replication drawn thin."},
    {"compare_timeline", "Each strategy's 5xx share over time (median and band across "
                         "replications), one panel per strategy, the baseline dashed in each."},
    {"compare_metrics", "Each metric's mean per strategy with its 95% interval; n/a where a "
                        "metric is undefined (for example, never detected)."},
    {"sweep", "The chosen metric's mean and 95% interval at each point of the parameter sweep."},
    {"sensitivity", "Which prior moves the metric most: Morris mu* (mean |change| over a "
                    "prior's range, with its standard error) or Sobol first-order and total "
                    "indices (with 95% bootstrap intervals), most influential at the top."},
    {"fit_loss", "The fit's loss at the best point so far over the Nelder-Mead iterations "
                 "(log scale): the sum over published targets of ((median - published) / "
                 "scale)^2."},
};

static void caption_of(const char *stem, char *buf, size_t n)
{
    for (size_t k = 0; k < sizeof captions / sizeof captions[0]; k++)
        if (strcmp(stem, captions[k].stem) == 0) {
            snprintf(buf, n, "%s", captions[k].caption);
            return;
        }
    snprintf(buf, n, "The figure drawn by %.200s.gp.", stem);
}

/* The stem as an id prefix: letters, digits, '-' and '_' only. */
static void id_prefix(const char *stem, char *buf, size_t n)
{
    size_t i = 0;
    for (; stem[i] && i + 2 < n; i++) {
        char c = stem[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        buf[i] = ok ? c : '_';
    }
    buf[i] = '-';
    buf[i + 1] = '\0';
}

/* gnuplot titles each plot's group "gnuplot_plot_1a" (or with the plot
 * command, when it has no title), which a browser shows on hover; the series' key text, the first <text> of the group
 * before anything it draws (a plot without a key entry has none there),
 * says more.  Writes that text (already
 * XML-escaped by gnuplot; inner tags such as <tspan> dropped), or nothing
 * when the plot has no key entry.  Returns the end of the old title. */
static const char *put_series_title(FILE *f, const char *p, const char *end)
{
    const char *close = strstr(p, "</title>");
    if (close == NULL || close > end)
        return p + 7; /* past "<title>": copied as is */
    close += 8;
    const char *limit = end; /* the key text comes before the plot's own drawing */
    static const char *const stops[] = {"<title>", "<path", "<polygon", "<image", "<circle"};
    for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
        const char *q = strstr(close, stops[k]);
        if (q != NULL && q < limit)
            limit = q;
    }
    const char *text = strstr(close, "<text>");
    const char *text_end = text ? strstr(text, "</text>") : NULL;
    if (text == NULL || text_end == NULL || text_end > limit)
        return close;
    char name[512];
    size_t n = 0;
    int in_tag = 0;
    for (const char *q = text + 6; q < text_end && n + 1 < sizeof name; q++) {
        if (*q == '<' || *q == '>')
            in_tag = *q == '<';
        else if (!in_tag && (n > 0 || *q != ' '))
            name[n++] = *q;
    }
    name[n] = '\0';
    if (n > 0)
        fprintf(f, "<title>%s</title>", name);
    return close;
}

/* Writes the SVG from its "<svg" tag on, ids prefixed (see the design
 * comment) and gnuplot's title replaced by the caption. */
static void put_svg(FILE *f, const char *svg, const char *prefix, const char *caption)
{
    static const char *const refs[] = {" id='", " id=\"", "\tid='", "\tid=\"", "\nid='",
                                       "\nid=\"", "href='#", "href=\"#", "url(#"};
    const char *p = strstr(svg, "<svg");
    const char *end = strstr(p, "</svg>");
    fprintf(f, "<svg role=\"img\" aria-labelledby=\"%scap\"", prefix);
    p += 4;
    while (p < end) {
        if (strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
            fputs("<title>", f);
            cdn_html_put_text(f, caption);
            fputs("</title>", f);
            p += 22;
            continue;
        }
        if (strncmp(p, "<title>", 7) == 0) { /* a plot's: its name, or its command */
            p = put_series_title(f, p, end);
            continue;
        }
        size_t k = 0;
        while (k < sizeof refs / sizeof refs[0] && strncmp(p, refs[k], strlen(refs[k])) != 0)
            k++;
        if (k < sizeof refs / sizeof refs[0]) {
            fputs(refs[k], f);
            fputs(prefix, f);
            p += strlen(refs[k]);
            continue;
        }
        fputc(*p++, f);
    }
    fputs("</svg>", f);
}

static void put_figure(FILE *f, const char *dir, const char *stem)
{
    char caption[1024], prefix[256], name[512];
    caption_of(stem, caption, sizeof caption);
    id_prefix(stem, prefix, sizeof prefix);
    snprintf(name, sizeof name, "%s.svg", stem);
    char *svg = cdn_html_slurp(dir, name, NULL);
    int ok = svg != NULL && strstr(svg, "<svg") != NULL && strstr(strstr(svg, "<svg"), "</svg>");
    fprintf(f, "<figure id=\"%sfig\">\n", prefix);
    if (ok)
        put_svg(f, svg, prefix, caption);
    else {
        fputs("<p class=\"note\">Not drawn: <code>", f);
        cdn_html_put_text(f, name);
        fputs("</code> is missing (gnuplot was not on PATH, or --no-plot was given). "
              "<code>cdnsim plot</code> on this folder draws it and rewrites this page.</p>", f);
    }
    fprintf(f, "\n<figcaption id=\"%scap\">", prefix);
    cdn_html_put_text(f, caption);
    fputs(" (<code>", f);
    cdn_html_put_text(f, stem);
    fputs(".gp</code>)</figcaption>\n</figure>\n", f);
    free(svg);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One figure per *.gp script of the folder, by name (as cdnsim plot). */
static void section_figures(FILE *f, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    size_t cap = 8, n = 0;
    char **stems = sim_xmalloc(cap * sizeof *stems);
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || e->d_name[0] == '.' || strcmp(e->d_name + len - 3, ".gp") != 0)
            continue;
        if (n == cap)
            stems = sim_xrealloc(stems, (cap *= 2) * sizeof *stems);
        stems[n] = sim_xstrdup(e->d_name);
        stems[n++][len - 3] = '\0';
    }
    closedir(d);
    qsort(stems, n, sizeof *stems, cmp_name);
    if (n > 0)
        fputs("<section id=\"figures\" aria-labelledby=\"h-figures\">\n"
              "<h2 id=\"h-figures\">Figures</h2>\n"
              "<p>Hover over a line for the name of its series; the tables below hold "
              "the numbers.</p>\n", f);
    for (size_t k = 0; k < n; k++) {
        put_figure(f, dir, stems[k]);
        free(stems[k]);
    }
    if (n > 0)
        fputs("</section>\n", f);
    free(stems);
}

/* ---- tables, events, manifest */

static void section_tables(FILE *f, const char *dir)
{
    fputs("<section id=\"tables\" aria-labelledby=\"h-tables\">\n"
          "<h2 id=\"h-tables\">Tables</h2>\n", f);
    int any = cdn_html_ranked(f, dir);
    any |= cdn_html_csv_table(f, dir, "comparison.csv", "Every metric of every strategy");
    any |= cdn_html_csv_table(f, dir, "sweep.csv", "The sweep, point by point");
    any |= cdn_html_csv_table(f, dir, "calibration.csv", "Calibration against published targets");
    any |= cdn_html_csv_table(f, dir, "sensitivity.csv", "The priors ranked by their effect");
    any |= cdn_html_csv_table(f, dir, "uncertainty.csv",
                              "Parameter spread against seed spread, and the probability of "
                              "being best, over the priors' draws");
    any |= cdn_html_csv_table(f, dir, "draws.csv",
                              "The draws: each prior's drawn value and each strategy's mean over "
                              "the draw's seeds");
    any |= cdn_html_csv_table(f, dir, "fit_targets.csv", "Each target before and after the fit");
    any |= cdn_html_csv_table(f, dir, "fit_loss.csv", "The fit's loss and values per iteration");
    any |= cdn_html_summary(f, dir);
    if (!any)
        fputs("<p>No tables in this folder.</p>\n", f);
    fputs("</section>\n", f);
}

static void section_events(FILE *f, const char *dir)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/events.jsonl", dir);
    if (stat(path, &st) != 0)
        return;
    fputs("<section id=\"log\" aria-labelledby=\"h-log\">\n<h2 id=\"h-log\">Event log</h2>\n", f);
    cdn_html_events(f, dir);
    fputs("</section>\n", f);
}

static void section_manifest(FILE *f, const char *text)
{
    fputs("<section id=\"manifest\" aria-labelledby=\"h-manifest\">\n"
          "<h2 id=\"h-manifest\">Manifest</h2>\n<p>What produced this folder "
          "(<code>manifest.json</code>): program, command line, inputs with their SHA-256, "
          "seed.</p>\n<pre>", f);
    cdn_html_put_text(f, text ? text : "(manifest.json is missing)");
    fputs("</pre>\n</section>\n", f);
}

static const char *json_str(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static void put_page(FILE *f, const char *dir)
{
    char *mtext = cdn_html_slurp(dir, "manifest.json", NULL);
    cJSON *man = mtext ? cJSON_Parse(mtext) : NULL;
    const char *command = json_str(man, "command", "results");
    const char *name = json_str(cJSON_GetObjectItemCaseSensitive(man, "scenario"), "name", "?");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>cdnsim ",
          f);
    cdn_html_put_text(f, command);
    fputs(": ", f);
    cdn_html_put_text(f, name);
    fputs("</title>\n", f);
    fputs(style, f);
    fputs("</head>\n<body>\n<header>\n<h1>cdnsim ", f);
    cdn_html_put_text(f, command);
    fputs(": ", f);
    cdn_html_put_text(f, name);
    fputs("</h1>\n<p>", f);
    cdn_html_put_text(f, json_str(man, "command_line", ""));
    char events[4096];
    struct stat st;
    snprintf(events, sizeof events, "%s/events.jsonl", dir);
    fprintf(f, "</p>\n<nav aria-label=\"Sections\"><ul><li><a href=\"#scenario\">Scenario</a></li>"
               "<li><a href=\"#figures\">Figures</a></li><li><a href=\"#tables\">Tables</a></li>"
               "%s<li><a href=\"#manifest\">Manifest</a></li></ul></nav>\n</header>\n<main>\n",
            stat(events, &st) == 0 ? "<li><a href=\"#log\">Event log</a></li>" : "");
    section_scenario(f, man, name);
    section_figures(f, dir);
    section_tables(f, dir);
    section_events(f, dir);
    section_manifest(f, mtext);
    fputs("</main>\n<footer><p>Written by cdnsim from the files of this folder; it loads "
          "nothing from elsewhere.</p></footer>\n</body>\n</html>\n", f);
    cJSON_Delete(man);
    free(mtext);
}

int cdn_html_write(const char *dir, cdn_error_t *err)
{
    static const char tmp[] = ".report.html.tmp";
    FILE *f = cdn_file_open(dir, tmp);
    if (f == NULL)
        return cdn_file_io_error(err, dir, CDN_HTML_FILE);
    put_page(f, dir);
    char from[4096], to[4096];
    snprintf(from, sizeof from, "%s/%s", dir, tmp);
    snprintf(to, sizeof to, "%s/%s", dir, CDN_HTML_FILE);
    if (cdn_file_finish(f, dir, CDN_HTML_FILE, err) != 0) {
        remove(from);
        return err->code;
    }
    if (rename(from, to) != 0) {
        int e = errno;
        remove(from);
        errno = e;
        return cdn_file_io_error(err, dir, CDN_HTML_FILE);
    }
    return 0;
}
