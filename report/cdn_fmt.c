/*
 * cdn_fmt.c -- "%.Nf" without printf (contract and reasons: cdn_fmt.h).
 *
 * Design
 *   x = m 2^e exactly, with m the 53-bit significand (frexp scaled by
 *   2^53; subnormals too, their significand having fewer bits).  For the
 *   fast path |x| < 1e12, so e <= -13 and m 10^prec < 2^73: the product p
 *   is exact in 128 bits, and x 10^prec = p / 2^s with s = -e.  The
 *   quotient q = p >> s and the remainder r = p mod 2^s decide the
 *   rounding against half = 2^(s-1): above rounds up, equal rounds to the
 *   even q, below down.  With s >= 128 the value is below 2^-55 and
 *   rounds to 0 (p < 2^73 < half).  q < 1e12 10^6 + 1 < 2^63, so the
 *   digits come from 64-bit division: the integer part q / 10^prec, then
 *   the prec decimals of q mod 10^prec, zero-padded.
 */
#include "cdn_fmt.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define FAST_PREC_MAX 6
#define FAST_ABS_MAX 1e12

static const uint64_t POW10[FAST_PREC_MAX + 1] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* The decimal digits of v (no sign), at p; returns their count. */
static size_t put_u64(char *p, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

size_t cdn_fmt_fixed(char *buf, double x, int prec)
{
    double a = fabs(x);
    if (prec < 0 || prec > FAST_PREC_MAX || !(a < FAST_ABS_MAX)) { /* NaN fails a < max */
        int n = snprintf(buf, CDN_FMT_MAX, "%.*f", prec, x);
        return n < 0 ? 0 : (size_t)n < CDN_FMT_MAX ? (size_t)n : CDN_FMT_MAX - 1;
    }
    uint64_t q = 0;
    if (a > 0) {
        int e;
        double fr = frexp(a, &e); /* a = fr 2^e, fr in [0.5, 1) */
        uint64_t m = (uint64_t)ldexp(fr, 53);
        int s = 53 - e; /* a = m 2^-s, s >= 13 here */
        u128 p = (u128)m * POW10[prec];
        if (s < 128) {
            u128 qq = p >> s;
            u128 r = p & ((((u128)1) << s) - 1);
            u128 half = ((u128)1) << (s - 1);
            if (r > half || (r == half && (qq & 1)))
                qq++;
            q = (uint64_t)qq;
        }
    }
    char *o = buf;
    if (signbit(x))
        *o++ = '-';
    o += put_u64(o, q / POW10[prec]);
    if (prec > 0) {
        *o++ = '.';
        uint64_t frac = q % POW10[prec];
        for (int i = prec - 1; i >= 0; i--) {
            o[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        o += prec;
    }
    *o = '\0';
    return (size_t)(o - buf);
}

void cdn_fmt_put_fixed(FILE *f, double x, int prec)
{
    char buf[CDN_FMT_MAX];
    fwrite(buf, 1, cdn_fmt_fixed(buf, x, prec), f);
}
