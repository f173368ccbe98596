/*
 * cdn_assert.h -- `--assert 'EXPR'`: service-level checks of a run or a
 * comparison, for pipelines (exit status 1, "assert", when one fails).
 *
 * Contract
 *   EXPR is  [STRATEGY:]METRIC[.STAT] OP NUMBER  with OP one of
 *   < <= > >= == != and spaces allowed around OP.  METRIC is a metric name
 *   of replications.csv (failed_requests, peak_err5xx_frac, ...).  In
 *   `run` it is the run's value and takes no STAT or STRATEGY.  In
 *   `compare`, STAT is a column of comparison.csv: mean (default), sd,
 *   ci95_lo, ci95_hi, diff_mean, diff_ci95_lo, diff_ci95_hi, diff_rel
 *   (diff_*: the paired difference to the reference); without STRATEGY
 *   the check must hold for every strategy (diff_* for every one but the
 *   reference).  A missing value (NaN) never satisfies a check.
 *
 *   cdn_assert_parse() reads the text (usage errors: a malformed
 *   expression); the commands then check names against what they run
 *   before anything is simulated, and evaluate after.  The verdicts are a
 *   cJSON array for the manifest: {expr, holds, values: [{strategy,
 *   value, holds}]}.
 *
 * Errors: cdn_assert_parse() returns 0 or CDN_EUSAGE with `why` set.
 * Threads: no state.
 */
#ifndef CDNSIM_CDN_ASSERT_H
#define CDNSIM_CDN_ASSERT_H

#include <stddef.h>

struct cJSON;

#define CDN_ASSERT_NAME_MAX 256

typedef enum { CDN_ASSERT_LT, CDN_ASSERT_LE, CDN_ASSERT_GT, CDN_ASSERT_GE, CDN_ASSERT_EQ,
               CDN_ASSERT_NE } cdn_assert_op_t;

/* The statistics of a comparison an assertion can name (comparison.csv). */
typedef enum { CDN_ASSERT_MEAN, CDN_ASSERT_SD, CDN_ASSERT_CI_LO, CDN_ASSERT_CI_HI,
               CDN_ASSERT_DIFF_MEAN, CDN_ASSERT_DIFF_LO, CDN_ASSERT_DIFF_HI, CDN_ASSERT_DIFF_REL,
               CDN_ASSERT_NSTATS } cdn_assert_stat_t;

typedef struct cdn_assert {
    const char *text;                   /* as given */
    char strategy[CDN_ASSERT_NAME_MAX]; /* "" = every strategy */
    char metric[CDN_ASSERT_NAME_MAX];
    cdn_assert_stat_t stat;
    int stat_given;                     /* a .STAT was written */
    cdn_assert_op_t op;
    double rhs;
} cdn_assert_t;

int cdn_assert_parse(const char *text, cdn_assert_t *a, char *why, size_t nwhy);

/* 1 if `value OP rhs` holds (never for NaN). */
int cdn_assert_holds(const cdn_assert_t *a, double value);

/* The verdict of one assertion, to fill with cdn_assert_verdict_add and
 * append to an array of verdicts. */
struct cJSON *cdn_assert_verdict(const cdn_assert_t *a);
/* Adds {strategy (unless NULL), value, holds} and clears "holds" of the
 * verdict when the value fails; returns whether it held. */
int cdn_assert_verdict_add(struct cJSON *verdict, const cdn_assert_t *a, const char *strategy,
                           double value);
/* Prints "assert EXPR: ok" (stdout, unless quiet) or "cdnsim: assert
 * EXPR: FAILED (who value, ...)" (stderr) for each verdict; returns the
 * number that failed. */
size_t cdn_assert_report(const struct cJSON *verdicts, int quiet);
/* The number of verdicts that failed, printing nothing. */
size_t cdn_assert_failed(const struct cJSON *verdicts);

#endif /* CDNSIM_CDN_ASSERT_H */
