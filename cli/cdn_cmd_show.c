/*
 * cdn_cmd_show.c -- `cdnsim show`: the effective scenario of a what-if
 * (the scenario with --strategy and --set applied, every default written
 * in) printed as JSON on stdout.
 *
 * Design
 *   The overlays are resolved as `run` resolves them (cdn_cmd_study_whatif)
 *   and the loader gives the overlaid, validated tree with its defaults
 *   filled (cdn_loader_effective), so what is printed is what `run` with
 *   the same options simulates.  Before printing, every number of the tree
 *   is turned into its shortest round-trip text (cdn_measure_shortest) and
 *   printed raw: cJSON's own printer stops at 15 significant digits when
 *   that reads back "close enough", which would change a 17-digit value
 *   and so the run.  Output: cJSON's pretty printer, then a newline.
 *
 *   Rejected: printing the C structs back as JSON (a second description
 *   of the format beside the schema table and the readers, and the keys a
 *   user wrote, such as notes and sources, would be lost).
 */
#include "cdn_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_cmd_study.h"
#include "cdn_error.h"
#include "cdn_loader.h"
#include "cdn_measure.h"
#include "sim_alloc.h"

/* Every number of the tree as raw text that reads back as the same double. */
static void exact_numbers(cJSON *j)
{
    for (; j != NULL; j = j->next) {
        if (cJSON_IsNumber(j)) {
            char buf[64];
            cdn_measure_shortest(buf, sizeof buf, j->valuedouble, 0);
            j->type = cJSON_Raw | (j->type & cJSON_StringIsConst);
            j->valuestring = sim_xstrdup(buf);
        } else if (cJSON_IsArray(j) || cJSON_IsObject(j))
            exact_numbers(j->child);
    }
}

int cdn_cmd_show(const cdn_cli_args_t *a)
{
    char defbuf[4096];
    const char *path = a->noperands ? a->operands[0] : cdn_cmd_default_scenario(defbuf, sizeof defbuf);
    cdn_overlay_t *ov[CDN_CMD_STUDY_MAX_OVERLAYS];
    size_t nov = 0;
    char label[512];
    int status = cdn_cmd_study_whatif(a, ov, &nov, label, sizeof label);
    if (status != 0)
        return status;
    cdn_error_t err = {0, ""};
    cdn_loader_t *ld = NULL;
    cJSON *tree = NULL;
    int rc = cdn_loader_open(path, &ld, &err);
    if (rc == 0)
        rc = cdn_loader_effective(ld, (const cdn_overlay_t *const *)ov, nov, &tree, &err);
    if (rc != 0) {
        cdn_cli_print_error(err.msg, 1);
        status = cdn_cli_exit_for(rc);
    } else {
        exact_numbers(tree);
        char *text = sim_xcheck(cJSON_Print(tree), "printing the scenario");
        if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
            cdn_cli_print_error("stdout: cannot write", 1);
            status = cdn_cli_exit_for(CDN_EWRITE);
        }
        free(text);
    }
    cJSON_Delete(tree);
    cdn_loader_destroy(ld);
    for (size_t k = 0; k < nov; k++)
        cdn_overlay_destroy(ov[k]);
    return status;
}
