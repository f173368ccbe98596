/*
 * cdn_report_manifest.c -- manifest.json of a `compare` or `sweep` results
 * folder, and recognising one.
 *
 * Design
 *   The manifest is the one file that records how a study was run (jobs,
 *   MPI ranks, git commit), so the other files stay byte-identical for any
 *   number of threads or ranks.  Hashes are written as hex strings: a
 *   64-bit FNV-1a does not fit a JSON number's 53-bit mantissa.  A folder
 *   is "ours" when its manifest parses and names cdnsim and the command;
 *   the manifest is read whole (it lists every strategy) up to 16 MiB.
 */
#include "cdn_report_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_file.h"

#ifndef CDNSIM_VERSION
#define CDNSIM_VERSION "0.0.0"
#endif
#ifndef CDNSIM_GIT_COMMIT
#define CDNSIM_GIT_COMMIT "unknown"
#endif

/* ----------------------------------------------------------- manifest */

static cJSON *hash_str(uint64_t h)
{
    char b[24];
    snprintf(b, sizeof b, "%016" PRIx64, h);
    return cJSON_CreateString(b);
}

int cdn_report_manifest(const char *dir, const cdn_study_t *st, const cdn_report_info_t *info,
                        cdn_error_t *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "cdnsim");
    cJSON_AddStringToObject(root, "command", info->command);
    cJSON_AddStringToObject(root, "version", CDNSIM_VERSION);
    cJSON_AddStringToObject(root, "git_commit", CDNSIM_GIT_COMMIT);
    cJSON *scn = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scn, "path", info->scenario_path);
    cJSON_AddStringToObject(scn, "name", st->arms[0].scenario->name);
    cJSON_AddItemToObject(scn, "fnv1a64", hash_str(info->scenario_hash));
    cJSON_AddItemToObject(root, "seed", cdn_file_json_u64((uint64_t)st->seed));
    cJSON *arms = cJSON_AddArrayToObject(root, strcmp(info->command, "sweep") == 0 ? "points" : "strategies");
    for (size_t a = 0; a < st->narms; a++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", st->arms[a].label);
        cJSON *ov = cJSON_AddArrayToObject(o, "overlays");
        for (size_t k = 0; k < st->arms[a].noverlays; k++) {
            const cdn_overlay_t *x = st->arms[a].overlays[k];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", cdn_overlay_name(x));
            if (cdn_overlay_path(x)) {
                cJSON_AddStringToObject(e, "path", cdn_overlay_path(x));
                cJSON_AddItemToObject(e, "fnv1a64", hash_str(cdn_overlay_hash(x)));
            }
            cJSON_AddItemToArray(ov, e);
        }
        cJSON_AddItemToArray(arms, o);
    }
    if (strcmp(info->command, "sweep") == 0) {
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
        cJSON_AddNumberToObject(root, "max_n", (double)info->max_n);
        cJSON_AddBoolToObject(root, "precision_reached", info->precise);
    }
    cJSON_AddNumberToObject(root, "jobs", (double)info->jobs);
    cJSON_AddNumberToObject(root, "mpi_ranks", (double)info->ranks);
    int rc = cdn_file_write_json(dir, "manifest.json", root, err);
    cJSON_Delete(root);
    return rc;
}
