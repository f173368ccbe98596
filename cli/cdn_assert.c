/*
 * cdn_assert.c -- parsing and judging `--assert` expressions.
 *
 * Design
 *   An expression is split at its comparison operator (the first of
 *   "<=", ">=", "==", "!=", "<", ">" found scanning left to right); the
 *   left side is [STRATEGY:]METRIC[.STAT] (the last '.' starts a STAT only
 *   when what follows is a statistic's name, so a metric name with a '.'
 *   stays whole), the right side a number for strtod with nothing after
 *   it.  Verdicts are built as cJSON directly: the manifest is their only
 *   reader besides the terminal lines.
 *
 *   Rejected: a general expression language (and/or, arithmetic): one
 *   comparison per --assert, repeated, covers an SLO list and keeps every
 *   failure message pointing at one number.
 */
#include "cdn_assert.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_error.h"

static const char *const stat_names[CDN_ASSERT_NSTATS] = {
    "mean", "sd", "ci95_lo", "ci95_hi", "diff_mean", "diff_ci95_lo", "diff_ci95_hi", "diff_rel"};

static const struct {
    const char *text;
    cdn_assert_op_t op;
} ops[] = {{"<=", CDN_ASSERT_LE}, {">=", CDN_ASSERT_GE}, {"==", CDN_ASSERT_EQ},
           {"!=", CDN_ASSERT_NE}, {"<", CDN_ASSERT_LT},  {">", CDN_ASSERT_GT}};

/* Copies [b, e) without surrounding spaces into out; 0, or -1 if empty
 * or too long. */
static int trimmed(const char *b, const char *e, char *out, size_t n)
{
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if (e == b || (size_t)(e - b) >= n)
        return -1;
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return 0;
}

/* The operator: its position and length in text, or NULL. */
static const char *find_op(const char *text, cdn_assert_op_t *op, size_t *len)
{
    for (const char *p = text; *p; p++)
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
            if (strncmp(p, ops[k].text, strlen(ops[k].text)) == 0) {
                *op = ops[k].op;
                *len = strlen(ops[k].text);
                return p;
            }
    return NULL;
}

/* "STRATEGY:METRIC.STAT" into the assertion's fields. */
static int parse_left(char *left, cdn_assert_t *a)
{
    char *colon = strchr(left, ':');
    char *m = left;
    if (colon) {
        *colon = '\0';
        if (!*left || strlen(left) >= sizeof a->strategy)
            return -1;
        snprintf(a->strategy, sizeof a->strategy, "%s", left);
        m = colon + 1;
    }
    char *dot = strrchr(m, '.');
    a->stat = CDN_ASSERT_MEAN;
    if (dot)
        for (size_t s = 0; s < CDN_ASSERT_NSTATS; s++)
            if (strcmp(dot + 1, stat_names[s]) == 0) {
                *dot = '\0';
                a->stat = (cdn_assert_stat_t)s;
                a->stat_given = 1;
            }
    if (!*m || strlen(m) >= sizeof a->metric)
        return -1;
    snprintf(a->metric, sizeof a->metric, "%s", m);
    return 0;
}

int cdn_assert_parse(const char *text, cdn_assert_t *a, char *why, size_t nwhy)
{
    memset(a, 0, sizeof *a);
    a->text = text;
    size_t oplen = 0;
    const char *p = find_op(text, &a->op, &oplen);
    char left[2 * CDN_ASSERT_NAME_MAX + 16], right[64];
    if (!p || trimmed(text, p, left, sizeof left) != 0 ||
        trimmed(p + oplen, p + strlen(p), right, sizeof right) != 0) {
        snprintf(why, nwhy, "expected [STRATEGY:]METRIC[.STAT] OP NUMBER with OP one of "
                            "< <= > >= == != (for example 'peak_err5xx_frac < 0.05')");
        return CDN_EUSAGE;
    }
    char *end = NULL;
    a->rhs = strtod(right, &end);
    if (end == right || *end || !isfinite(a->rhs)) {
        snprintf(why, nwhy, "expected a number after the operator, found '%s'", right);
        return CDN_EUSAGE;
    }
    if (parse_left(left, a) != 0) {
        snprintf(why, nwhy, "expected [STRATEGY:]METRIC[.STAT] before the operator, found '%s'",
                 left);
        return CDN_EUSAGE;
    }
    return 0;
}

int cdn_assert_holds(const cdn_assert_t *a, double v)
{
    if (isnan(v))
        return 0;
    switch (a->op) {
    case CDN_ASSERT_LT:
        return v < a->rhs;
    case CDN_ASSERT_LE:
        return v <= a->rhs;
    case CDN_ASSERT_GT:
        return v > a->rhs;
    case CDN_ASSERT_GE:
        return v >= a->rhs;
    case CDN_ASSERT_EQ:
        return v == a->rhs;
    case CDN_ASSERT_NE:
        return v != a->rhs;
    }
    return 0;
}

cJSON *cdn_assert_verdict(const cdn_assert_t *a)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "expr", a->text);
    cJSON_AddBoolToObject(v, "holds", 1);
    cJSON_AddArrayToObject(v, "values");
    return v;
}

int cdn_assert_verdict_add(cJSON *verdict, const cdn_assert_t *a, const char *strategy, double value)
{
    int ok = cdn_assert_holds(a, value);
    cJSON *e = cJSON_CreateObject();
    if (strategy)
        cJSON_AddStringToObject(e, "strategy", strategy);
    cJSON_AddItemToObject(e, "value", isfinite(value) ? cJSON_CreateNumber(value) : cJSON_CreateNull());
    cJSON_AddBoolToObject(e, "holds", ok);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(verdict, "values"), e);
    if (!ok)
        cJSON_ReplaceItemInObjectCaseSensitive(verdict, "holds", cJSON_CreateFalse());
    return ok;
}

size_t cdn_assert_failed(const cJSON *verdicts)
{
    size_t failed = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, verdicts)
        failed += !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "holds"));
    return failed;
}

size_t cdn_assert_report(const cJSON *verdicts, int quiet)
{
    size_t failed = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, verdicts)
    {
        const char *expr = cJSON_GetObjectItemCaseSensitive(v, "expr")->valuestring;
        int holds = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "holds"));
        if (holds) {
            if (!quiet)
                printf("assert %s: ok\n", expr);
            continue;
        }
        failed++;
        fprintf(stderr, "cdnsim: assert %s: FAILED (", expr);
        const cJSON *e;
        int first = 1;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "values"))
        {
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "holds")))
                continue;
            const cJSON *who = cJSON_GetObjectItemCaseSensitive(e, "strategy");
            const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "value");
            fprintf(stderr, "%s%s%s", first ? "" : ", ", who ? who->valuestring : "", who ? " " : "");
            if (cJSON_IsNumber(val))
                fprintf(stderr, "%.6g", val->valuedouble);
            else
                fputs("missing", stderr);
            first = 0;
        }
        fputs(")\n", stderr);
    }
    return failed;
}
