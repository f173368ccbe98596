/*
 * cdn_cmd.c -- the small commands (validate, plot) and the helpers every
 * command shares (data-file lookup, the reference scenario, wall time).
 *
 * Design
 *   Data files are found by trying a fixed list of folders in order (see
 *   cdn_cmd.h); the first that has the file wins, so a scenario in the
 *   working directory's scenarios/ overrides the installed one.  No cache:
 *   a command looks up a handful of files, each lookup is a few stat(2)
 *   calls.  Rejected: an environment variable for the data folder (one
 *   more thing a run would depend on that the manifest does not record).
 *
 *   validate loads every file and reports the first error of each; its
 *   exit status is that of the first failing file (cdn_error.h), so a
 *   missing file (66) is told from an invalid one (65).  A file whose top
 *   level has "set" or "append" and only the keys of a strategy file is
 *   checked as a strategy
 *   (so every file of scenarios/strategies/ validates); --strategy S loads
 *   S as compare does and checks every scenario with it applied, which
 *   also tells whether each path of S selects something there.  plot runs
 *   gnuplot on every *.gp script of an existing results folder (sorted by
 *   name; no fixed list, so a new figure kind needs no edit here), then
 *   rewrites its report.html (cdn_html.h) so that it holds the figures.
 *   Rejected: a fixed list of scripts (it fell behind the figures).
 */
#include "cdn_cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sim_alloc.h"

#include "cdn_cmd_study.h"
#include "cdn_digest.h"
#include "cdn_gnuplot.h"
#include "cdn_html.h"
#include "cdn_json.h"
#include "cdn_output.h"
#include "cdn_overlay.h"
#include "cdn_priors.h"
#include "cdn_resultdir.h"
#include "cdn_scenario.h"

int cdn_cmd_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* See cdn_cmd.h for the search order. */
int cdn_cmd_find_data(const char *rel, char *buf, size_t n)
{
    char exe[4096], beside[4096 + 64] = "";
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(beside, sizeof beside, "%s/../share/cdnsim/scenarios", exe);
        }
    }
    const char *dirs[] = {"scenarios", beside,
#ifdef CDNSIM_INSTALLED_SCENARIO_DIR
                          CDNSIM_INSTALLED_SCENARIO_DIR,
#endif
#ifdef CDNSIM_SOURCE_SCENARIO_DIR
                          CDNSIM_SOURCE_SCENARIO_DIR,
#endif
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i][0])
            continue;
        snprintf(buf, n, "%s/%s", dirs[i], rel);
        if (cdn_cmd_file_exists(buf))
            return 1;
    }
    return 0;
}

const char *cdn_cmd_default_scenario(char *buf, size_t n)
{
    if (!cdn_cmd_find_data(CDN_CMD_DEFAULT_SCENARIO, buf, n))
        snprintf(buf, n, "scenarios/%s", CDN_CMD_DEFAULT_SCENARIO);
    return buf;
}

double cdn_cmd_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Prints a semantic warning on stderr: "cdnsim: warning: FILE: PATH: MSG". */
static void print_warning(void *arg, const char *json_path, const char *message)
{
    fprintf(stderr, "cdnsim: warning: %s: %s: %s\n", (const char *)arg, json_path, message);
}

size_t cdn_cmd_print_warnings(const char *file, const cdn_scenario_t *s)
{
    return cdn_scenario_warnings(s, print_warning, (void *)file);
}

/* 1 if the file's top level is an object with "set" or "append" and no
 * key but those of a strategy file (docs/strategies.md): then it is
 * checked as one.  Any other file, unreadable or invalid JSON included,
 * is a scenario, whose loader reports the problem (so {"name": "x"} is
 * an incomplete scenario, not an empty strategy). */
static int looks_like_strategy(const char *path)
{
    static const char *const keys[] = {"name", "description", "notes", "assumes", "set", "append", "$schema"};
    char *text = NULL;
    size_t len = 0;
    cdn_error_t err = {0, ""};
    if (cdn_json_read_file(path, &text, &len, &err) != 0)
        return 0;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    int yes = cJSON_IsObject(root) && root->child != NULL;
    for (const cJSON *k = yes ? root->child : NULL; k != NULL && yes; k = k->next) {
        size_t i = 0;
        while (i < sizeof keys / sizeof keys[0] && strcmp(k->string, keys[i]) != 0)
            i++;
        yes = i < sizeof keys / sizeof keys[0];
    }
    yes = yes && (cJSON_GetObjectItemCaseSensitive(root, "set") != NULL ||
                  cJSON_GetObjectItemCaseSensitive(root, "append") != NULL);
    cJSON_Delete(root);
    return yes;
}

static int validate_strategy_file(const char *path)
{
    cdn_error_t err = {0, ""};
    cdn_overlay_t *o = NULL;
    int rc = cdn_overlay_load(path, &o, &err);
    if (rc != 0) {
        cdn_cli_print_error(err.msg, 0);
        return cdn_cli_exit_for(rc);
    }
    size_t n = cdn_overlay_count(o);
    printf("%s: ok (strategy %s: %zu operation%s)\n", path, cdn_overlay_name(o), n, n == 1 ? "" : "s");
    cdn_overlay_destroy(o);
    return 0;
}

/* 1 when the overlays, applied to the scenario file at `path` (which
 * loads with them), leave its tree as it was: a strategy that changes
 * nothing in this scenario.  0 when there is no overlay with an
 * operation, or the file cannot be read again. */
static int overlays_change_nothing(const char *path, cdn_overlay_t *const *ov, size_t nov)
{
    size_t nops = 0;
    for (size_t k = 0; k < nov; k++)
        nops += cdn_overlay_count(ov[k]);
    char *text = NULL;
    size_t len = 0;
    cdn_error_t err = {0, ""};
    cJSON *root = NULL;
    if (nops == 0 || cdn_json_read_file(path, &text, &len, &err) != 0)
        return 0;
    int same = 0;
    if (cdn_json_parse(text, len, path, &root, &err) == 0) {
        cJSON *after = cJSON_Duplicate(root, 1);
        int rc = 0;
        for (size_t k = 0; k < nov && rc == 0; k++)
            rc = cdn_overlay_apply(ov[k], after, path, &err);
        same = rc == 0 && cJSON_Compare(root, after, 1);
        cJSON_Delete(after);
    }
    cJSON_Delete(root);
    free(text);
    return same;
}

/* A scenario file, with the overlays of --strategy applied if any. */
static int validate_scenario_file(const char *path, cdn_overlay_t *const *ov, size_t nov,
                                  const char *label, int strict)
{
    cdn_error_t err = {0, ""};
    cdn_scenario_t *s = NULL;
    int rc = cdn_overlay_load_scenario(path, (const cdn_overlay_t *const *)ov, nov, &s, &err);
    if (rc != 0) {
        cdn_cli_print_error(err.msg, 0);
        return cdn_cli_exit_for(rc);
    }
    uint64_t servers = 0;
    for (size_t r = 0; r < s->nregions; r++)
        servers += s->regions[r].servers;
    size_t nwarn = cdn_cmd_print_warnings(path, s);
    if (overlays_change_nothing(path, ov, nov)) {
        fprintf(stderr, "cdnsim: warning: %s: $: strategy %s changes nothing in this scenario (every "
                "value it sets is already there)\n", path, label);
        nwarn++;
    }
    printf("%s%s%s%s: ok (scenario %s: %zu regions, %" PRIu64 " servers, %u sites, %zu artifacts, "
           "%zu services, %zu actions)%s\n",
           path, nov ? " (with " : "", nov ? label : "", nov ? ")" : "", s->name, s->nregions, servers,
           s->sites.count, s->nartifacts, s->nservices, s->nactions,
           nwarn ? (strict ? ", with warnings (on stderr), errors with --strict"
                           : ", with warnings (on stderr)")
                 : "");
    cdn_scenario_destroy(s);
    return nwarn > 0 && strict ? cdn_cli_exit_for(CDN_EWARNING) : 0;
}

int cdn_cmd_validate(const cdn_cli_args_t *a)
{
    cdn_overlay_t *ov[CDN_CMD_STUDY_MAX_PARTS];
    size_t nov = 0;
    char label[4096] = "";
    const char *spec = a->text[CDN_OPT_STRATEGY];
    if (a->noperands == 0 && spec == NULL)
        return cdn_cli_usage_error("validate needs at least one scenario or strategy file");
    int worst = 0;
    if (spec != NULL) {
        worst = cdn_cmd_study_resolve(spec, ov, &nov, CDN_CMD_STUDY_MAX_PARTS, label, sizeof label, 1);
        if (worst != 0)
            return worst;
        printf("%s: ok (strategy %s: ", spec, label);
        for (size_t k = 0; k < nov; k++) {
            size_t n = cdn_overlay_count(ov[k]);
            printf("%s%zu operation%s", k ? " + " : "", n, n == 1 ? "" : "s");
        }
        printf(")\n");
    }
    for (int i = 0; i < a->noperands; i++) {
        const char *path = a->operands[i];
        int st = looks_like_strategy(path) ? validate_strategy_file(path)
                                           : validate_scenario_file(path, ov, nov, label,
                                                                    a->seen[CDN_OPT_STRICT]);
        if (!worst)
            worst = st;
    }
    for (size_t k = 0; k < nov; k++)
        cdn_overlay_destroy(ov[k]);
    return worst;
}

/* The gnuplot scripts of a results folder: every regular file named
 * *.gp in it (the marker lists only files the folder holds, so this
 * covers them), in strcmp order, so that a new figure kind needs no edit
 * here.  STEM.gp draws STEM.png and STEM.svg.  The names are returned as
 * cdn_resultdir_list returns them (free with cdn_resultdir_free_list);
 * NULL with *n == 0 when the folder cannot be read. */
static char **find_scripts(const char *dir, size_t *n)
{
    size_t all = 0;
    char **v = cdn_resultdir_list(dir, &all);
    *n = 0;
    for (size_t k = 0; k < all; k++) {
        size_t len = strlen(v[k]);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, v[k]);
        if (len < 4 || v[k][0] == '.' || strcmp(v[k] + len - 3, ".gp") != 0 ||
            !cdn_cmd_file_exists(path))
            free(v[k]);
        else
            v[(*n)++] = v[k];
    }
    if (v != NULL && *n == 0) {
        free(v);
        v = NULL;
    }
    return v;
}

/* Draws one script's figures and notes them in the folder's marker; an
 * exit status (0 when drawn). */
static int plot_one(const char *dir, const char *script)
{
    cdn_error_t err = {0, ""};
    int rc = cdn_gnuplot_run(dir, script, &err);
    if (rc == 1) {
        fprintf(stderr, "cdnsim: gnuplot is not on PATH (Debian: apt-get install gnuplot-nox)\n");
        return cdn_cli_exit_for(CDN_EUNAVAILABLE);
    }
    if (rc != 0) {
        char msg[sizeof err.msg + 4096];
        snprintf(msg, sizeof msg, "%s/%s", dir, err.msg);
        cdn_cli_print_error(msg, 1);
        return cdn_cli_exit_for(CDN_EWRITE);
    }
    size_t stem = strlen(script) - 3; /* without ".gp" */
    char png[128], svg[128];
    snprintf(png, sizeof png, "%.*s.png", (int)stem, script);
    snprintf(svg, sizeof svg, "%.*s.svg", (int)stem, script);
    const char *const figures[] = {png, svg};
    if (cdn_resultdir_note_files(dir, figures, 2, &err) != 0) {
        cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(CDN_EWRITE);
    }
    printf("%s/%s, %s/%s\n", dir, png, dir, svg);
    return 0;
}

/* After the figures: report.html again, so that it holds them. */
static int plot_html(const char *dir)
{
    cdn_error_t err = {0, ""};
    const char *const names[] = {CDN_HTML_FILE};
    if (cdn_html_write(dir, &err) != 0 || cdn_resultdir_note_files(dir, names, 1, &err) != 0) {
        cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(CDN_EWRITE);
    }
    printf("%s/%s\n", dir, CDN_HTML_FILE);
    return 0;
}

int cdn_cmd_plot(const cdn_cli_args_t *a)
{
    const char *dir = a->operands[0];
    size_t nscripts = 0;
    char **scripts = find_scripts(dir, &nscripts);
    if (nscripts == 0) {
        cdn_resultdir_free_list(scripts, nscripts);
        char msg[4200];
        snprintf(msg, sizeof msg,
                 "%s: no gnuplot script (*.gp) in it; is it a cdnsim results folder?", dir);
        cdn_cli_print_error(msg, 1);
        return cdn_cli_exit_for(CDN_EIO);
    }
    cdn_error_t err = {0, ""};
    cdn_resultdir_t lock; /* no run may replace the folder while it is drawn */
    int rc = cdn_resultdir_lock(&lock, dir, &err);
    if (rc != 0) {
        cdn_resultdir_free_list(scripts, nscripts);
        cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(rc);
    }
    int status = 0;
    for (size_t k = 0; k < nscripts; k++) {
        int st = plot_one(dir, scripts[k]);
        if (st == cdn_cli_exit_for(CDN_EUNAVAILABLE)) {
            status = st; /* no gnuplot: the other scripts would fail alike */
            break;
        }
        if (status == 0)
            status = st;
    }
    int st = plot_html(dir); /* also without gnuplot: it then says so */
    if (status == 0)
        status = st;
    cdn_resultdir_unlock(&lock);
    cdn_resultdir_free_list(scripts, nscripts);
    return status;
}

int cdn_cmd_prepare_chart_dir(cdn_resultdir_t *dir, const cdn_cli_args_t *a, const char *name,
                              const char *command, cdn_error_t *err)
{
    char target[CDN_RESULTDIR_PATH_MAX];
    snprintf(target, sizeof target, "results/%s-%s", name, command);
    const char *out = a->text[CDN_OPT_OUTPUT] ? a->text[CDN_OPT_OUTPUT] : target;
    int rc = cdn_resultdir_prepare(dir, out, command, err);
    if (rc == CDN_EUSAGE)
        return cdn_cli_usage_error("%s", err->msg);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    }
    return 0;
}

int cdn_cmd_finish_chart_dir(cdn_resultdir_t *dir, const char *gp, int plot, int quiet, int rc,
                             cdn_error_t *err)
{
    if (rc == 0 && plot) {
        int prc = cdn_gnuplot_run(dir->tmp, gp, err);
        if (prc == 1 && !quiet)
            fprintf(stderr, "cdnsim: gnuplot is not on PATH; to draw the chart later: "
                            "cdnsim plot %s\n", dir->target);
        else if (prc < 0 && !quiet)
            fprintf(stderr, "cdnsim: %s: %s (the chart is missing)\n", gp, err->msg);
    }
    if (rc == 0)
        rc = cdn_html_write(dir->tmp, err);
    if (rc == 0)
        rc = cdn_resultdir_commit(dir, err);
    if (rc != 0) {
        cdn_cli_print_error(err->msg, 1);
        return cdn_cli_exit_for(rc);
    }
    return 0;
}

int cdn_cmd_load_priors_base(const char *path, cdn_overlay_t *const *ov, size_t nov, char *sha256,
                             cJSON **base, cdn_scenario_t **s, cdn_priors_t **priors,
                             cdn_error_t *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = cdn_json_read_file(path, &text, &len, err);
    if (rc == 0) {
        cdn_digest_sha256_hex(text, len, sha256);
        rc = cdn_json_parse(text, len, path, base, err);
    }
    free(text);
    for (size_t i = 0; rc == 0 && i < nov; i++)
        rc = cdn_overlay_apply(ov[i], *base, path, err);
    if (rc == 0)
        rc = cdn_scenario_from_tree(*base, path, path, s, err);
    if (rc == 0)
        rc = cdn_priors_read(*base, path, path, priors, err);
    if (rc == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(*base, "priors");
    return rc;
}
