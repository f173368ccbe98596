/*
 * cdn_report_manifest.c -- manifest.json of every results folder (run,
 * compare, sweep): how the results were made.
 *
 * Design
 *   The manifest is the one file that records how a command was run (the
 *   command line, jobs, MPI ranks, the build's `git describe`), so the
 *   other files stay byte-identical for any number of threads or ranks.
 *   Every manifest starts with the same provenance (program, command,
 *   version, git_describe, command_line, argv) and lists its input files
 *   in "inputs": {role, path as given, sha256}, each file once, so that
 *       jq -r '.inputs[] | "\(.sha256)  \(.path)"' manifest.json | sha256sum -c
 *   run from the folder the command ran in checks them (two spaces: the
 *   text mode line of sha256sum).  The digests are of the bytes the
 *   loaders parsed (cdn_loader_sha256, cdn_overlay_sha256).
 *
 *   The command line is kept twice: "argv" exactly, and "command_line" as
 *   one string quoted for a POSIX shell ('...' around any word with a
 *   character outside [A-Za-z0-9_./:=,+@%^-]), to paste back.
 *
 *   git_describe comes from a header generated at every build
 *   (cmake/git_describe.cmake): the commit the binary was built from, with
 *   "-dirty" when the tree had uncommitted changes.
 */
#include "cdn_report_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_file.h"
#include "cdn_git_describe.h"
#include "sim_alloc.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif

/* ----------------------------------------------------------- manifest */

/* 1 if the word needs no quotes in a POSIX shell. */
static int shell_plain(const char *w)
{
    if (!*w)
        return 0;
    for (const char *p = w; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+@%^-", *p))
            return 0;
    return 1;
}

/* argv as one shell-quoted line; the caller frees it. */
static char *command_line(int argc, char *const *argv)
{
    size_t cap = 1;
    for (int i = 0; i < argc; i++)
        cap += 4 * strlen(argv[i]) + 3;
    char *out = sim_xmalloc(cap), *o = out;
    for (int i = 0; i < argc; i++) {
        if (i)
            *o++ = ' ';
        if (shell_plain(argv[i])) {
            o += sprintf(o, "%s", argv[i]);
            continue;
        }
        *o++ = '\'';
        for (const char *p = argv[i]; *p; p++) {
            if (*p == '\'') {
                memcpy(o, "'\\''", 4); /* close, escaped quote, reopen */
                o += 4;
            } else
                *o++ = *p;
        }
        *o++ = '\'';
    }
    *o = '\0';
    return out;
}

static cJSON *provenance(const char *command, int argc, char *const *argv)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddStringToObject(root, "command", command);
    cJSON_AddStringToObject(root, "version", CDNSIM_VERSION);
    cJSON_AddStringToObject(root, "git_describe", CDNSIM_GIT_DESCRIBE);
    char *line = command_line(argc, argv);
    cJSON_AddStringToObject(root, "command_line", line);
    free(line);
    cJSON *args = cJSON_AddArrayToObject(root, "argv");
    for (int i = 0; i < argc; i++)
        cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
    cJSON_AddArrayToObject(root, "inputs");
    return root;
}

/* Adds {role, path, sha256} to the manifest's inputs unless the path is
 * there already. */
static void add_input(cJSON *root, const char *role, const char *path, const char *sha256)
{
    cJSON *inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    cJSON *e;
    cJSON_ArrayForEach(e, inputs)
    {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        if (cJSON_IsString(p) && strcmp(p->valuestring, path) == 0)
            return;
    }
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "role", role);
    cJSON_AddStringToObject(e, "path", path);
    cJSON_AddStringToObject(e, "sha256", sha256 ? sha256 : "");
    cJSON_AddItemToArray(inputs, e);
}

/* [{name, path, sha256}] of an arm's overlays (path and sha256 only for
 * files), each file also listed in the inputs. */
static cJSON *overlay_list(cJSON *root, const cdn_overlay_t *const *ov, size_t n)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t k = 0; k < n; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", cdn_overlay_name(ov[k]));
        if (cdn_overlay_path(ov[k])) {
            cJSON_AddStringToObject(e, "path", cdn_overlay_path(ov[k]));
            cJSON_AddStringToObject(e, "sha256", cdn_overlay_sha256(ov[k]));
            add_input(root, "strategy", cdn_overlay_path(ov[k]), cdn_overlay_sha256(ov[k]));
        }
        cJSON_AddItemToArray(list, e);
    }
    return list;
}

static void add_sets(cJSON *root, const char *const *sets, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(root, "set");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(sets[i]));
}

struct cJSON *cdn_report_manifest_base(const char *command, int argc, char *const *argv,
                                      const char *scenario_path, const char *scenario_sha256)
{
    cJSON *root = provenance(command, argc, argv);
    add_input(root, "scenario", scenario_path, scenario_sha256);
    return root;
}

int cdn_report_manifest_run(const char *dir, const cdn_report_run_info_t *ri, cdn_error_t *err)
{
    cJSON *root = provenance("run", ri->argc, ri->argv);
    add_input(root, "scenario", ri->scenario_path, ri->scenario_sha256);
    cJSON *scn = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scn, "path", ri->scenario_path);
    cJSON_AddStringToObject(scn, "name", ri->s->name);
    cJSON_AddStringToObject(scn, "sha256", ri->scenario_sha256);
    cJSON_AddStringToObject(root, "strategy", ri->strategy);
    cJSON_AddItemToObject(root, "overlays", overlay_list(root, ri->overlays, ri->noverlays));
    add_sets(root, ri->sets, ri->nsets);
    cJSON_AddItemToObject(root, "seed", cdn_file_json_u64(ri->seed));
    cJSON_AddItemToObject(root, "replication", cdn_file_json_u64(ri->replication));
    cJSON_AddItemToObject(root, "replications", cdn_file_json_u64(ri->replications));
    cJSON_AddNumberToObject(root, "jobs", ri->replications ? (double)ri->jobs : 1.0);
    cJSON_AddNumberToObject(root, "mpi_ranks", 1);
    if (ri->assertions)
        cJSON_AddItemToObject(root, "assertions", cJSON_Duplicate(ri->assertions, 1));
    if (ri->uncertainty)
        cJSON_AddItemToObject(root, "uncertainty", cJSON_Duplicate(ri->uncertainty, 1));
    int rc = cdn_file_write_json(dir, "manifest.json", root, err);
    cJSON_Delete(root);
    return rc;
}

int cdn_report_manifest(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                        cdn_error_t *err)
{
    int sweep = strcmp(info->command, "sweep") == 0;
    cJSON *root = provenance(info->command, info->argc, info->argv);
    add_input(root, "scenario", info->scenario_path, info->scenario_sha256);
    cJSON *scn = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scn, "path", info->scenario_path);
    cJSON_AddStringToObject(scn, "name", st->arms[0].scenario->name);
    cJSON_AddStringToObject(scn, "sha256", info->scenario_sha256 ? info->scenario_sha256 : "");
    cJSON_AddItemToObject(root, "seed", cdn_file_json_u64((uint64_t)st->seed));
    add_sets(root, info->sets, info->nsets);
    cJSON *arms = cJSON_AddArrayToObject(root, sweep ? "points" : "strategies");
    for (size_t a = 0; a < st->narms; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", st->arms[a].label);
        cJSON_AddItemToObject(o, "overlays",
                              overlay_list(root, (const cdn_overlay_t *const *)st->arms[a].overlays,
                                           st->arms[a].noverlays));
        cJSON_AddItemToArray(arms, o);
    }
    if (sweep) {
        cJSON *ps = cJSON_AddArrayToObject(root, "parameters");
        for (size_t p = 0; p < info->nparams; p++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "path", info->param[p]);
            cJSON *vs = cJSON_AddArrayToObject(o, "values");
            for (size_t i = 0; i < info->nvalues[p]; i++)
                cJSON_AddItemToArray(vs, cJSON_CreateString(info->values[p][i]));
            cJSON_AddItemToArray(ps, o);
        }
        cJSON_AddStringToObject(root, "strategy", info->strategy);
    }
    cJSON_AddItemToObject(root, "replications", cdn_file_json_u64((uint64_t)st->nreps));
    cJSON_AddItemToObject(root, "replications_asked", cdn_file_json_u64((uint64_t)info->n_asked));
    if (info->precision > 0) {
        cJSON_AddNumberToObject(root, "precision", info->precision);
        cJSON_AddStringToObject(root, "precision_metric", info->precision_metric);
        cJSON_AddNumberToObject(root, "max_n", (double)info->max_n);
        cJSON_AddBoolToObject(root, "precision_reached", info->precise);
    }
    cJSON_AddNumberToObject(root, "jobs", (double)info->jobs);
    cJSON_AddNumberToObject(root, "mpi_ranks", (double)info->ranks);
    if (info->assertions)
        cJSON_AddItemToObject(root, "assertions", cJSON_Duplicate(info->assertions, 1));
    cJSON *unc = cdn_report_unc_manifest(st, info);
    if (unc)
        cJSON_AddItemToObject(root, "uncertainty", unc);
    int rc = cdn_file_write_json(dir, "manifest.json", root, err);
    cJSON_Delete(root);
    return rc;
}
