/*
 * cdn_fmt.h -- numbers in fixed notation, byte for byte as printf's "%.Nf"
 * prints them, without printf's cost.
 *
 * Contract
 *   cdn_fmt_fixed(buf, x, prec) writes x as snprintf(buf, ..., "%.*f",
 *   prec, x) would in the C locale with the default rounding mode (round
 *   to nearest): the exact binary value of x rounded once to prec decimals,
 *   an exact tie to the even last digit, a minus sign whenever x's sign bit
 *   is set ("-0.0" for -0.0 and for -0.01 at one decimal, as glibc
 *   prints).  It returns the length written (no terminating NUL counted;
 *   one is written).  prec is 0 to 17; buf must hold CDN_FMT_MAX bytes.
 *   Values outside the fast path (prec above 6, |x| >= 1e12, NaN,
 *   infinities) are passed to snprintf itself, so every double is printed
 *   identically.
 *   cdn_fmt_put_fixed() writes the same to a stream.
 *
 * Why
 *   A full-scale run writes a 15 MB timeline_regions.csv of "%.1f" and
 *   "%.6f" fields; glibc's printf of a double goes through multi-precision
 *   arithmetic (__mpn_*) and took 10-12% of that run's time (perf, docs/
 *   performance.md).  Here the exact value m 2^e of x (m < 2^53) is scaled
 *   by 10^prec (< 2^20) in 128-bit integer arithmetic, so the product is
 *   exact and the rounding is decided on the exact remainder: no floating
 *   point rounding anywhere, hence the same digits as printf.
 *
 * Rejected
 *   - Multiplying x by 10^prec in double and rounding: the product rounds,
 *     and near a tie that flips the last digit (0.15 at %.1f); the outputs
 *     must stay byte-identical to printf's, which the test checks against
 *     snprintf on millions of values.
 *   - A shortest round-trip printer (Ryu) for these columns: it changes the
 *     files' text (fixed decimals are the documented format).
 *
 * Threads: no state.
 */
#ifndef CDNSIM_CDN_FMT_H
#define CDNSIM_CDN_FMT_H

#include <stddef.h>
#include <stdio.h>

/* Room for snprintf's fallback of the widest double in fixed notation
 * with 17 decimals: sign, 309 integer digits of DBL_MAX, point, NUL. */
#define CDN_FMT_MAX 330

size_t cdn_fmt_fixed(char *buf, double x, int prec);
void cdn_fmt_put_fixed(FILE *f, double x, int prec);

#endif /* CDNSIM_CDN_FMT_H */
