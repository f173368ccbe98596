/*
 * test_report.c -- the report layer (report/): the shared formats (the
 * shortest-double formatter, CSV and gnuplot quoting) and summary.json,
 * whose measure keys must be the measure map's names in the order of
 * CDN_SUMMARY_KEYS.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "cdn_measure.h"
#include "cdn_output.h"
#include "cdn_summary.h"

/* What `put` writes for `s`, in a static buffer. */
static const char *written(void (*put)(FILE *, const char *), const char *s)
{
    static char out[256];
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    put(f, s);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    return out;
}

static void put_num_as_str(FILE *f, const char *s)
{
    cdn_file_put_num(f, strtod(s, NULL));
}

START_TEST(numbers_are_written_in_the_shortest_form_that_reads_back)
{
    char b[40];
    ck_assert_str_eq(cdn_measure_shortest(b, sizeof b, 0.1, 1), "0.1");
    ck_assert_str_eq(cdn_measure_shortest(b, sizeof b, 1e21, 1), "1e+21");
    ck_assert_str_eq(cdn_measure_shortest(b, sizeof b, 1.0 / 3.0, 1), "0.33333333333333331");
    ck_assert_double_eq(strtod(cdn_measure_shortest(b, sizeof b, 1.0 / 3.0, 1), NULL), 1.0 / 3.0);
    ck_assert_str_eq(cdn_measure_shortest(b, sizeof b, NAN, 1), "");
    ck_assert_str_eq(cdn_measure_shortest(b, sizeof b, INFINITY, 0), "inf");
    ck_assert_str_eq(written(put_num_as_str, "2.5"), "2.5");
    ck_assert_str_eq(written(put_num_as_str, "nan"), "");
}
END_TEST

START_TEST(csv_and_gnuplot_strings_are_quoted_once_the_same_way)
{
    ck_assert_str_eq(written(cdn_file_put_csv, "plain"), "plain");
    ck_assert_str_eq(written(cdn_file_put_csv, "a,b"), "\"a,b\"");
    ck_assert_str_eq(written(cdn_file_put_csv, "say \"hi\""), "\"say \"\"hi\"\"\"");
    ck_assert_str_eq(written(cdn_file_put_csv_quoted, "plain"), "\"plain\"");
    ck_assert_str_eq(written(cdn_gnuplot_put_string, "it's"), "'it''s'");
    ck_assert_str_eq(written(cdn_gnuplot_put_string, "two\nlines"), "'twolines'");
    ck_assert_str_eq(written(cdn_file_put_json_string, "q\"\n"), "\"q\\\"\\n\"");
}
END_TEST

/* The keys summary.json writes for the measures, in order. */
static size_t expected_keys(const char *keys[], size_t cap)
{
    static char buf[64][64];
    size_t n = 0;
#define KEY(id)                                                                       \
    if (cdn_measure_unit(id) == CDN_UNIT_INSTANT) {                                   \
        snprintf(buf[n], sizeof buf[n], "%s_s", cdn_measure_name(id));                \
        keys[n] = buf[n], n++;                                                        \
        snprintf(buf[n], sizeof buf[n], "%s_utc", cdn_measure_name(id));              \
        keys[n] = buf[n], n++;                                                        \
    } else {                                                                          \
        keys[n++] = cdn_measure_name(id);                                             \
    }
    CDN_SUMMARY_KEYS(KEY)
    CDN_SUMMARY_TAIL(KEY)
#undef KEY
    ck_assert_uint_le(n, cap);
    return n;
}

START_TEST(summary_json_keys_are_the_measure_map_in_selection_order)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    ck_assert_int_eq(cdn_scenario_load(CDNSIM_TEST_DATA "/golden/small.json", &s, &err), 0);
    cdn_result_t *r = NULL;
    ck_assert_int_eq(cdn_world_run(s, s->sim.seed, 0, &r, &err), 0);
    cdn_summary_t sum;
    cdn_summary_compute(s, r, &sum);
    char dir[] = "/tmp/cdnsim-test-report-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(cdn_output_write(dir, s, r, &sum, &err), 0);

    char path[256];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);

    const char *keys[64];
    size_t nkeys = expected_keys(keys, 64), k = 0;
    for (const cJSON *e = root->child; e != NULL && k < nkeys; e = e->next)
        if (strcmp(e->string, keys[k]) == 0)
            k++;
    ck_assert_uint_eq(k, nkeys); /* every key, in order */
    const cJSON *failed = cJSON_GetObjectItemCaseSensitive(root, "failed_requests");
    ck_assert_double_eq(failed->valuedouble, sum.failed_requests);

    cJSON_Delete(root);
    static const char *const files[] = {"timeline.csv", "timeline_regions.csv", "events.jsonl",
                                        "summary.json", "timeline.gp", "regions.gp"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_int_eq(unlink(path), 0);
    }
    rmdir(dir);
    cdn_result_destroy(r);
    cdn_scenario_destroy(s);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, numbers_are_written_in_the_shortest_form_that_reads_back);
    tcase_add_test(tc, csv_and_gnuplot_strings_are_quoted_once_the_same_way);
    tcase_add_test(tc, summary_json_keys_are_the_measure_map_in_selection_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    SRunner *sr = srunner_create(report_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
