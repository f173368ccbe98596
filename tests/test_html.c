/*
 * test_html.c -- report.html (cdn_html.h): escaping of every string that
 * comes from a scenario or a results file, figures inlined with their ids
 * made unique, and nothing in the page that would fetch from the network.
 *
 * The folder is made by hand (a manifest, a scenario file with its real
 * SHA-256, an event log, comparison files, two figure scripts, one drawn),
 * with hostile names in every place a string can come from.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdn_digest.h"
#include "cdn_html.h"

static char *escaped(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    cdn_html_put_text(f, s);
    fclose(f);
    return buf;
}

START_TEST(text_is_escaped_for_elements_and_attributes)
{
    char *e = escaped("a<b & \"c\" 'd'>\x01z");
    ck_assert_str_eq(e, "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;z");
    free(e);
    e = escaped("");
    ck_assert_str_eq(e, "");
    free(e);
}
END_TEST

static void put_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *read_all(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* 1 if some src= or href= attribute value leaves the page: starts with a
 * scheme other than a fragment, or with "//". */
static int has_remote_reference(const char *html)
{
    static const char *const attrs[] = {"src=", "href=", "action=", "srcset="};
    for (size_t k = 0; k < sizeof attrs / sizeof attrs[0]; k++) {
        for (const char *p = strstr(html, attrs[k]); p; p = strstr(p + 1, attrs[k])) {
            const char *v = p + strlen(attrs[k]);
            if (*v == '"' || *v == '\'')
                v++;
            if (strncmp(v, "http:", 5) == 0 || strncmp(v, "https:", 6) == 0 ||
                strncmp(v, "//", 2) == 0)
                return 1;
        }
    }
    return 0;
}

START_TEST(remote_reference_check_can_fail)
{
    ck_assert(has_remote_reference("<img src=\"https://x/y.png\">"));
    ck_assert(has_remote_reference("<a href='//x'>"));
    ck_assert(!has_remote_reference("<use xlink:href='#gpPt0'/> see https://x <i>src=x</i>"));
}
END_TEST

static const char scenario[] =
    "{\"name\": \"n\", \"description\": \"<i>desc</i> & more\",\n"
    " \"notes\": [\"see https://example.com/?a=1&b=<2>\", \"two\"],\n"
    " \"sources\": {\"blog\": \"https://blog.example/post \\\"quoted\\\"\"}}\n";

static void make_folder(const char *dir)
{
    char path[4096], hex[CDN_DIGEST_HEX_LEN], manifest[8192];
    put_file(dir, "scenario.json", scenario);
    snprintf(path, sizeof path, "%s/scenario.json", dir);
    cdn_digest_sha256_hex(scenario, strlen(scenario), hex);
    snprintf(manifest, sizeof manifest,
             "{\"program\": \"cdnsim\", \"command\": \"compare\", "
             "\"command_line\": \"cdnsim compare '<script>alert(1)</script>'\", "
             "\"scenario\": {\"path\": \"%s\", \"name\": \"a<b&\\\"c'\", \"sha256\": \"%s\"}}\n",
             path, hex);
    put_file(dir, "manifest.json", manifest);
    put_file(dir, "events.jsonl",
             "{\"t_s\":1,\"utc\":\"2025-11-18T11:00:01Z\",\"event\":\"x<y\",\"who\":\"<b>o</b>\"}\n"
             "{\"t_s\":2,\"utc\":\"2025-11-18T11:00:02Z\",\"event\":\"z\",\"n\":3}\n");
    put_file(dir, "comparison.json", "{\"ranked_by\": \"failed\", \"reference\": \"<ref>\"}\n");
    put_file(dir, "comparison.csv",
             "strategy,rank,metric,unit,n,mean,sd,ci95_lo,ci95_hi,diff_n,diff_mean,"
             "diff_ci95_lo,diff_ci95_hi,diff_rel\n"
             "\"<ref>\",2,failed,requests,3,10,1,8,12,3,0,0,0,\n"
             "\"s, \"\"<two>\"\"\",1,failed,requests,3,5,1,4,6,3,-5,-6,-4,-0.5\n");
    put_file(dir, "t.gp", "# draws t.svg\n");
    put_file(dir, "t.svg",
             "<?xml version=\"1.0\"?>\n<svg viewBox=\"0 0 10 10\" "
             "xmlns=\"http://www.w3.org/2000/svg\">\n<title>Gnuplot</title>\n"
             "<defs><path id='gpPt0' d='M0,0'/></defs><use xlink:href='#gpPt0'/>"
             "<rect fill=\"url(#grad)\"/></svg>\n");
    put_file(dir, "u.gp", "# never drawn\n");
}

START_TEST(the_page_escapes_inlines_and_stays_local)
{
    char dir[] = "/tmp/cdnsim-test-html-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    make_folder(dir);
    cdn_error_t err = {0, ""};
    ck_assert_int_eq(cdn_html_write(dir, &err), 0);
    const char *h = read_all(dir, CDN_HTML_FILE);
    ck_assert(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en\">", 31) == 0);
    ck_assert_ptr_nonnull(strstr(h, "<title>cdnsim compare: a&lt;b&amp;&quot;c&#39;</title>"));
    ck_assert_ptr_null(strstr(h, "<script>alert"));
    ck_assert_ptr_nonnull(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    /* the scenario's description, notes and sources, escaped, not linked */
    ck_assert_ptr_nonnull(strstr(h, "&lt;i&gt;desc&lt;/i&gt; &amp; more"));
    ck_assert_ptr_nonnull(strstr(h, "see https://example.com/?a=1&amp;b=&lt;2&gt;"));
    ck_assert_ptr_nonnull(strstr(h, "https://blog.example/post &quot;quoted&quot;"));
    /* tables and event log */
    ck_assert_ptr_nonnull(strstr(h, "s, &quot;&lt;two&gt;&quot;"));
    ck_assert(strstr(h, "s, &quot;&lt;two&gt;&quot;") < strstr(h, "<th scope=\"row\">&lt;ref&gt;"));
    size_t nna = 0; /* the empty diff_rel: in the ranked table and in the full one */
    for (const char *q = strstr(h, "<td class=\"n\">n/a</td>"); q; q = strstr(q + 1, "<td class=\"n\">n/a</td>"))
        nna++;
    ck_assert_uint_eq(nna, 2);
    ck_assert_ptr_nonnull(strstr(h, "<tr data-event=\"x&lt;y\">"));
    ck_assert_ptr_nonnull(strstr(h, "who=&lt;b&gt;o&lt;/b&gt;"));
    /* the figure: inlined, ids and references prefixed, captioned */
    ck_assert_ptr_null(strstr(h, "<?xml"));
    ck_assert_ptr_nonnull(strstr(h, "<svg role=\"img\" aria-labelledby=\"t-cap\""));
    ck_assert_ptr_nonnull(strstr(h, "id='t-gpPt0'"));
    ck_assert_ptr_nonnull(strstr(h, "xlink:href='#t-gpPt0'"));
    ck_assert_ptr_nonnull(strstr(h, "url(#t-grad)"));
    ck_assert_ptr_null(strstr(h, "<title>Gnuplot</title>"));
    ck_assert_ptr_nonnull(strstr(h, "<figcaption id=\"t-cap\">"));
    ck_assert_ptr_nonnull(strstr(h, "Not drawn: <code>u.svg</code>"));
    ck_assert(!has_remote_reference(h));
    ck_assert_ptr_nonnull(strstr(h, "default-src 'none'"));
    /* no temporary file is left; a changed scenario file is not shown */
    char path[4096];
    snprintf(path, sizeof path, "%s/.report.html.tmp", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    put_file(dir, "scenario.json", "{\"name\": \"changed\", \"description\": \"other\"}");
    ck_assert_int_eq(cdn_html_write(dir, &err), 0);
    h = read_all(dir, CDN_HTML_FILE);
    ck_assert_ptr_null(strstr(h, "other"));
    ck_assert_ptr_nonnull(strstr(h, "has changed since this run"));
    const char *names[] = {"scenario.json", "manifest.json", "events.jsonl", "comparison.json",
                           "comparison.csv", "t.gp", "t.svg", "u.gp", CDN_HTML_FILE};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(an_unwritable_folder_is_an_error)
{
    cdn_error_t err = {0, ""};
    ck_assert_int_eq(cdn_html_write("/nonexistent/cdnsim-html", &err), CDN_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "report.html"));
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, text_is_escaped_for_elements_and_attributes);
    tcase_add_test(tc, remote_reference_check_can_fail);
    tcase_add_test(tc, the_page_escapes_inlines_and_stays_local);
    tcase_add_test(tc, an_unwritable_folder_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(html_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
