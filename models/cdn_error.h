/*
 * cdn_error.h -- the error map: every error code of cdnsim, its name, the
 * exit status the command line turns it into, and what it means.
 *
 * Contract
 *   Functions that can fail return 0 (CDN_OK) or one of the negative codes
 *   below, and put one line of detail into a caller-supplied cdn_error_t
 *   (err->code repeats the code).  CDN_ERROR_MAP is the only list of codes:
 *   the enum, the command line's exit statuses (cdn_cli_exit_for), the
 *   exit-code table of `cdnsim --help` and the one in README.md all come
 *   from it (tests/cli_test.sh checks that the README states the same map).
 *   Exit statuses follow sysexits(3).  Out of memory is not an error code:
 *   sim_xmalloc & co (sim_alloc.h) print a message and abort, in one place.
 *
 *   The same code can be given a different status by context only in one
 *   way: a CDN_EIO met while writing results is reported as CDN_EWRITE
 *   (a file that cannot be written is not "input missing").
 *
 * Threads: plain data; no state.
 */
#ifndef CDNSIM_CDN_ERROR_H
#define CDNSIM_CDN_ERROR_H

#include <stddef.h>

/* X(CODE, value, name, exit status, meaning), in order of exit status */
#define CDN_ERROR_MAP(X)                                                                      \
    X(CDN_OK, 0, "ok", 0, "success")                                                          \
    X(CDN_EASSERT, -23, "assert", 1, "an --assert did not hold (the results are written)")    \
    X(CDN_EWARNING, -24, "warning", 2, "--strict: a valid scenario with semantic warnings (nothing is run)") \
    X(CDN_EUSAGE, -12, "usage", 64, "usage error: bad option, argument or strategy name")     \
    X(CDN_EDATA, -11, "data", 65, "invalid scenario or strategy file")                        \
    X(CDN_EIO, -10, "io", 66, "scenario or strategy file missing or unreadable")              \
    X(CDN_EUNAVAILABLE, -14, "unavailable", 69, "a program cdnsim needs is missing (gnuplot for plot)") \
    X(CDN_EINTERNAL, -13, "internal", 70, "internal error")                                   \
    X(CDN_RESULTDIR_ECREATE, -20, "create", 73, "output file exists, or results folder cannot be created or is not ours") \
    X(CDN_EWRITE, -21, "write", 74, "write error")                                           \
    X(CDN_EBUDGET, -22, "budget", 78, "the run would need more than its work budget (--budget)")

#define CDN_ERROR_ENUM(code, value, name, status, meaning) code = (value),
enum { CDN_ERROR_MAP(CDN_ERROR_ENUM) };
#undef CDN_ERROR_ENUM

/* Propagates a non-zero (error) result of `expr` from the calling
 * function.  Only where nothing needs cleaning up: the error path is the
 * caller's. */
#define CDN_TRY(expr)                                                                              \
    do {                                                                                           \
        int cdn_try_rc_ = (expr);                                                                  \
        if (cdn_try_rc_ != 0)                                                                      \
            return cdn_try_rc_;                                                                    \
    } while (0)

/* s copied into buf[n] on one line: control characters (a line break in
 * a path or value from the user) as '?'.  Every message is one line. */
static inline const char *cdn_error_one_line(char *buf, size_t n, const char *s)
{
    size_t o = 0;
    for (; *s && o + 1 < n; s++)
        buf[o++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    if (n > 0)
        buf[o] = '\0';
    return buf;
}

typedef struct cdn_error {
    int code;       /* CDN_E* */
    char msg[1024]; /* one line, no trailing newline */
} cdn_error_t;

#endif /* CDNSIM_CDN_ERROR_H */
