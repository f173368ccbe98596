/*
 * cdn_cmd_compare.c -- `cdnsim compare`: every strategy of a list run for
 * the same replications of one scenario, ranked against a reference.
 *
 * Design
 *   The list "a,b+c,d" goes through a plan (compare_plan_t) in three steps,
 *   each returning 0 or an exit status:
 *       split    on ',' into specs (no empty one, at most MAX_ARMS);
 *       resolve  every spec into overlays and a label before any scenario
 *                is loaded, so that name errors come first; labels must be
 *                unique; "baseline" is the reference, added first if the
 *                list lacks it;
 *       build    one study arm per spec: the scenario loaded with the
 *                spec's overlays (cdn_cmd_study_add_arm).
 *   The plan owns the overlays until an arm takes them (its count is then
 *   zeroed), so compare_plan_free is the one cleanup path whatever step
 *   failed.  The plan is on the heap (~170 KB of labels and pointers).
 *   Every arm uses the reference's seed unless --seed: common random
 *   numbers across strategies.  Running and writing: cdn_cmd_study.h.
 */
#include "cdn_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_cmd_study.h"
#include "cdn_error.h"
#include "cdn_resultdir.h"
#include "sim_alloc.h"

#define MAX_ARMS CDN_CMD_STUDY_MAX_ARMS
#define MAX_PARTS CDN_CMD_STUDY_MAX_PARTS
#define LABEL_MAX 512

typedef struct compare_plan {
    char list[8192];                         /* the --strategies list, split in place */
    char *specs[MAX_ARMS];                   /* into list */
    size_t nspecs;
    cdn_overlay_t *ov[MAX_ARMS][MAX_PARTS + 1];  /* of each resolved spec, owned until built */
    size_t nov[MAX_ARMS];
    char labels[MAX_ARMS][LABEL_MAX];
    size_t nres;                             /* specs resolved */
    size_t ref;                              /* the spec that is "baseline", or nspecs */
    cdn_overlay_t *base_ov[MAX_PARTS + 1];   /* the added reference, owned until built */
    size_t nbase;
    char base_label[LABEL_MAX];
} compare_plan_t;

static void compare_plan_free(compare_plan_t *p)
{
    for (size_t k = 0; k < p->nres; k++)
        for (size_t j = 0; j < p->nov[k]; j++)
            cdn_overlay_destroy(p->ov[k][j]);
    for (size_t j = 0; j < p->nbase; j++)
        cdn_overlay_destroy(p->base_ov[j]);
    free(p);
}

static int compare_split(compare_plan_t *p, const char *list, int root)
{
    if (strlen(list) >= sizeof p->list)
        return root ? cdn_cli_usage_error("--strategies list too long") : cdn_cli_exit_for(CDN_EUSAGE);
    snprintf(p->list, sizeof p->list, "%s", list);
    char *save = NULL;
    for (char *s = strtok_r(p->list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (p->nspecs == MAX_ARMS)
            return root ? cdn_cli_usage_error("too many strategies (at most %d)", MAX_ARMS)
                        : cdn_cli_exit_for(CDN_EUSAGE);
        p->specs[p->nspecs++] = s;
    }
    if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
        return root ? cdn_cli_usage_error("empty strategy in --strategies '%s'", list)
                    : cdn_cli_exit_for(CDN_EUSAGE);
    return 0;
}

static int compare_resolve(compare_plan_t *p, const cdn_cmd_study_opts_t *o,
                           cdn_report_info_t *info, int root)
{
    int status = 0;
    for (size_t k = 0; k < p->nspecs && status == 0; k++) {
        status = cdn_cmd_study_resolve(p->specs[k], p->ov[k], &p->nov[k], MAX_PARTS + 1,
                                       p->labels[k], LABEL_MAX, root);
        if (status == 0) /* --set on every strategy, the reference too */
            status = cdn_cmd_study_add_sets(o->sets, o->nsets, p->ov[k], &p->nov[k], MAX_PARTS + 1,
                                            root && k == 0);
        if (status == 0)
            p->nres++;
        for (size_t j = 0; j < k && status == 0; j++)
            if (strcmp(p->labels[j], p->labels[k]) == 0)
                status = root ? cdn_cli_usage_error("strategy '%s' is listed twice", p->labels[k])
                              : cdn_cli_exit_for(CDN_EUSAGE);
    }
    if (status != 0)
        return status;
    p->ref = p->nspecs;
    for (size_t k = 0; k < p->nres; k++)
        if (strcmp(p->labels[k], "baseline") == 0)
            p->ref = k;
    if (p->ref == p->nspecs) {
        info->ref_added = 1;
        status = cdn_cmd_study_resolve("baseline", p->base_ov, &p->nbase, MAX_PARTS + 1,
                                       p->base_label, LABEL_MAX, root);
        if (status == 0)
            status = cdn_cmd_study_add_sets(o->sets, o->nsets, p->base_ov, &p->nbase, MAX_PARTS + 1,
                                            root && p->nspecs == 0);
    }
    return status;
}

static int compare_build(compare_plan_t *p, cdn_study_t *st, const cdn_loader_t *ld,
                         const cdn_cmd_study_opts_t *o, cdn_report_info_t *info, int root)
{
    int status = 0;
    size_t idx;
    if (info->ref_added) {
        status = cdn_cmd_study_add_arm(st, ld, p->base_label, p->base_ov, p->nbase,
                                       root, &idx);
        p->nbase = 0; /* taken */
        info->ref = 0;
    }
    for (size_t k = 0; k < p->nres && status == 0; k++) {
        status = cdn_cmd_study_add_arm(st, ld, p->labels[k], p->ov[k], p->nov[k], root,
                                       &idx);
        p->nov[k] = 0; /* taken */
        if (status == 0 && k == p->ref)
            info->ref = idx;
    }
    /* the reference's seed unless --seed: every arm uses the same */
    if (status == 0)
        st->seed = o->have_seed ? o->seed : st->arms[info->ref].scenario->sim.seed;
    return status;
}

int cdn_cmd_compare(const cdn_cli_args_t *a)
{
    cdn_cmd_study_opts_t o;
    const char *list = a->text[CDN_OPT_STRATEGIES];
    int status = cdn_cmd_study_opts_from(a, &o);
    if (status != 0)
        return status;
    if (!list || !*list)
        return cdn_cli_usage_error("compare needs --strategies, e.g. --strategies baseline,validate-on-ingest");

    cdn_error_t err = {0, ""};
    cdn_runner_t *runner = cdn_runner_create(NULL, NULL, (unsigned)o.jobs, &err);
    if (!runner) {
        cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(err.code);
    }
    int root = cdn_runner_is_root(runner);
    cdn_report_info_t info;
    memset(&info, 0, sizeof info);
    info.command = "compare";
    info.scenario_path = o.scenario_path;
    compare_plan_t *p = sim_xcalloc(1, sizeof *p);
    cdn_study_t *st = NULL;
    cdn_loader_t *ld = NULL; /* the scenario, read and parsed once for every arm */
    status = compare_split(p, list, root);
    if (status == 0)
        status = cdn_cmd_study_open(o.scenario_path, &ld, &info.scenario_sha256, root);
    if (status == 0)
        status = compare_resolve(p, &o, &info, root);
    if (status == 0) {
        st = cdn_study_create(0, 1);
        status = compare_build(p, st, ld, &o, &info, root);
    }
    if (status == 0 && o.uncertainty)
        status = cdn_cmd_study_priors(st, ld, &o, root);
    compare_plan_free(p);

    char defdir[CDN_RESULTDIR_PATH_MAX];
    snprintf(defdir, sizeof defdir, "results/%s-compare",
             st && st->narms ? st->arms[0].scenario->name : "x");
    status = cdn_cmd_study_run(runner, st, &o, &info, defdir, status);
    cdn_loader_destroy(ld);
    cdn_study_destroy(st);
    cdn_runner_destroy(runner);
    return status;
}
