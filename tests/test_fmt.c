/*
 * test_fmt.c -- cdn_fmt_fixed() prints exactly what snprintf's "%.Nf"
 * prints: on exact ties (round half to even on the exact binary value),
 * on decimals that only look like ties, on signs and zeros, at the edges
 * of the fast path, and on millions of doubles of every magnitude the
 * results files hold.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cdn_fmt.h"

/* cdn_fmt_fixed and snprintf agree on x at prec; on a mismatch the
 * message names the value by its bits. */
static void same(double x, int prec)
{
    char want[CDN_FMT_MAX], got[CDN_FMT_MAX];
    int n = snprintf(want, sizeof want, "%.*f", prec, x);
    size_t len = cdn_fmt_fixed(got, x, prec);
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    ck_assert_msg(strcmp(got, want) == 0 && len == (size_t)n,
                  "%%.%df of %a (bits %016llx): got '%s' (%zu), printf '%s'", prec, x,
                  (unsigned long long)bits, got, len, want);
}

static uint64_t split_state = 0x9e3779b97f4a7c15u;
static uint64_t splitmix(void)
{
    uint64_t z = (split_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

START_TEST(exact_ties_round_to_even_like_printf)
{
    /* binary fractions that are exact ties at the printed precision */
    const double ties[] = {0.5, 1.5, 2.5, 0.25, 0.75, 0.125, 0.375, 1.0625, 2.5e-1, 1234.5, 0.0000005,
                           0.0000015, 0.0000025, 0.03125, 4503599627370.5};
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++)
        for (int p = 0; p <= 6; p++) {
            same(ties[i], p);
            same(-ties[i], p);
        }
    /* by hand: 0.125 at two decimals is a tie, to the even 0.12; 0.375 to 0.38 */
    char b[CDN_FMT_MAX];
    cdn_fmt_fixed(b, 0.125, 2);
    ck_assert_str_eq(b, "0.12");
    cdn_fmt_fixed(b, 0.375, 2);
    ck_assert_str_eq(b, "0.38");
    cdn_fmt_fixed(b, 2.5, 0);
    ck_assert_str_eq(b, "2");
}
END_TEST

START_TEST(decimals_that_look_like_ties_follow_their_exact_value)
{
    /* 0.15 is 0.1499999999999999944..., 0.35 is 0.34999999999999997...,
       2.675 is 2.67499999999999982...: printf rounds the exact value */
    const double near[] = {0.15, 0.35, 2.675, 1.005, 0.0000045, 1e-7, 5e-7, 9.9999995, 999999.95, 0.05, 0.45};
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++)
        for (int p = 0; p <= 6; p++) {
            same(near[i], p);
            same(-near[i], p);
        }
    char b[CDN_FMT_MAX];
    cdn_fmt_fixed(b, 0.15, 1);
    ck_assert_str_eq(b, "0.1");
    cdn_fmt_fixed(b, 2.675, 2);
    ck_assert_str_eq(b, "2.67");
}
END_TEST

START_TEST(signs_zeros_and_the_edges_of_the_fast_path)
{
    const double v[] = {0.0, -0.0, -1e-9, 1e-9, DBL_MIN, -DBL_MIN, DBL_TRUE_MIN, 4.9e-324, 1e12,
                        nextafter(1e12, 0), -nextafter(1e12, 0), 1e12 + 1, 1e15, DBL_MAX, -DBL_MAX,
                        INFINITY, -INFINITY, NAN, 9007199254740993.0, 0.9999995, 0.99999949999999999,
                        123456789012.345678};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        for (int p = 0; p <= 17; p++)
            same(v[i], p);
    char b[CDN_FMT_MAX];
    cdn_fmt_fixed(b, -0.01, 1);
    ck_assert_str_eq(b, "-0.0"); /* the sign stays, as printf keeps it */
    ck_assert_uint_eq(cdn_fmt_fixed(b, 6803212.6, 1), 9);
    ck_assert_str_eq(b, "6803212.6");
}
END_TEST

START_TEST(millions_of_doubles_of_every_magnitude)
{
    /* shares in [0, 1], rates up to 1e11, latencies: uniform mantissas at
       every binary exponent from 2^-60 to 2^40, both signs */
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = splitmix();
        int ex = (int)(r % 101) - 60;
        double m = (double)(splitmix() >> 11) * 0x1p-53; /* [0, 1) */
        double x = ldexp(m, ex);
        if (r & (1u << 20))
            x = -x;
        same(x, (int)((r >> 8) % 7));
    }
    /* decimal-looking values k / 10^j, where the ties hide */
    for (int i = 0; i < 300000; i++) {
        uint64_t r = splitmix();
        double x = (double)(r % 100000000) / pow(10, (double)((r >> 40) % 9));
        same(x, (int)((r >> 50) % 7));
    }
}
END_TEST

static Suite *fmt_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fixed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, exact_ties_round_to_even_like_printf);
    tcase_add_test(tc, decimals_that_look_like_ties_follow_their_exact_value);
    tcase_add_test(tc, signs_zeros_and_the_edges_of_the_fast_path);
    tcase_add_test(tc, millions_of_doubles_of_every_magnitude);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fmt_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
