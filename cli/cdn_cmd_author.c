/*
 * cdn_cmd_author.c -- the commands that help write scenarios: `init`
 * (a commented starter scenario from a template) and `schema` (the JSON
 * Schema of scenario or strategy files, for editors).
 *
 * Design
 *   Templates are data: scenarios/templates/NAME.json, found like every
 *   data file (cdn_cmd_find_data), validated and run by the tests; their
 *   `notes` carry the comments JSON has no syntax for.  init copies the
 *   template's bytes, replacing only the value of the first "name" key
 *   (the template's own name, its first key) by the new file's base name
 *   when that is a valid scenario name, so the layout and the notes stay
 *   as written.  The target is created with O_CREAT | O_EXCL: an existing
 *   file is never overwritten, with no window between a check and the
 *   write (exit 73, the error map's "cannot create"); a failed write
 *   removes the partial file.  "-" writes to stdout.
 *
 *   schema prints cdn_schema_json_scenario() or _strategy() with cJSON's
 *   formatter; docs/scenario.schema.json and docs/strategy.schema.json are
 *   that output, checked by the json_schema test.
 *
 *   Rejected: templates compiled into the binary (they could not be read,
 *   validated and run as files by the tests and by users), and writing
 *   the template through cJSON (its formatter would reflow the notes).
 */
#include "cdn_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cdn_error.h"
#include "cdn_json.h"
#include "cdn_overlay.h"
#include "cdn_schema_json.h"

/* ---- init ------------------------------------------------------------- */

/* "a, b, c": the templates in the folder of `any` (a template's path). */
static void template_names(const char *any, char *buf, size_t n)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", any);
    char *slash = strrchr(dir, '/');
    buf[0] = '\0';
    if (slash == NULL)
        return;
    *slash = '\0';
    struct dirent **list = NULL;
    int k = scandir(dir, &list, NULL, alphasort);
    size_t used = 0;
    for (int i = 0; i < k; i++) {
        size_t len = strlen(list[i]->d_name);
        if (len > 5 && strcmp(list[i]->d_name + len - 5, ".json") == 0 && list[i]->d_name[0] != '.') {
            int w = snprintf(buf + used, n - used, "%s%.*s", used ? ", " : "", (int)(len - 5),
                             list[i]->d_name);
            if (w > 0 && (size_t)w < n - used)
                used += (size_t)w;
        }
        free(list[i]);
    }
    free(list);
}

/* The scenario name of FILE: its base name without ".json", if valid. */
static int name_of_file(const char *file, char *name, size_t n)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".json") == 0)
        len -= 5;
    if (len == 0 || len >= n)
        return 0;
    snprintf(name, n, "%.*s", (int)len, base);
    return cdn_overlay_valid_name(name) && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Writes text to fd, with the value of the first "name" key replaced by
 * `name` (if not NULL).  0 or -1 (errno set). */
static int write_renamed(int fd, const char *text, size_t len, const char *name)
{
    const char *at = name ? strstr(text, "\"name\": \"") : NULL;
    const char *end = at ? strchr(at + 9, '"') : NULL;
    struct {
        const char *p;
        size_t n;
    } parts[3] = {{text, len}, {NULL, 0}, {NULL, 0}};
    if (end != NULL) {
        parts[0].n = (size_t)(at + 9 - text);
        parts[1].p = name;
        parts[1].n = strlen(name);
        parts[2].p = end;
        parts[2].n = len - (size_t)(end - text);
    }
    for (int i = 0; i < 3; i++) {
        for (size_t off = 0; off < parts[i].n;) {
            ssize_t w = write(fd, parts[i].p + off, parts[i].n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            off += (size_t)w;
        }
    }
    return 0;
}

int cdn_cmd_init(const cdn_cli_args_t *a)
{
    const char *tname = a->text[CDN_OPT_TEMPLATE] ? a->text[CDN_OPT_TEMPLATE] : CDN_CMD_DEFAULT_TEMPLATE;
    const char *file = a->operands[0];
    char rel[256], path[4096], names[1024], name[CDN_NAME_MAX];
    if (!cdn_overlay_valid_name(tname) || strlen(tname) > 100) {
        return cdn_cli_usage_error("'%s' is not a template name", tname);
    }
    snprintf(rel, sizeof rel, "templates/%s.json", tname);
    if (!cdn_cmd_find_data(rel, path, sizeof path)) {
        snprintf(rel, sizeof rel, "templates/%s.json", CDN_CMD_DEFAULT_TEMPLATE);
        names[0] = '\0';
        if (cdn_cmd_find_data(rel, path, sizeof path))
            template_names(path, names, sizeof names);
        return cdn_cli_usage_error("unknown template '%s' (the templates are: %s)", tname,
                                   names[0] ? names : "none: scenarios/templates not found");
    }
    cdn_error_t err = {0, ""};
    char *text = NULL;
    size_t len = 0;
    int rc = cdn_json_read_file(path, &text, &len, &err);
    if (rc != 0) {
        cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(rc);
    }
    int to_stdout = strcmp(file, "-") == 0;
    const char *rename = !to_stdout && name_of_file(file, name, sizeof name) ? name : NULL;
    int fd = to_stdout ? STDOUT_FILENO : open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int status = 0;
    if (fd < 0) {
        fprintf(stderr, "cdnsim: %s: %s%s\n", file, strerror(errno),
                errno == EEXIST ? " (init never overwrites a file; remove it or choose another name)" : "");
        status = cdn_cli_exit_for(CDN_RESULTDIR_ECREATE);
    } else if (write_renamed(fd, text, len, rename) != 0 || (!to_stdout && close(fd) != 0)) {
        fprintf(stderr, "cdnsim: %s: cannot write: %s\n", file, strerror(errno));
        if (!to_stdout)
            unlink(file);
        status = cdn_cli_exit_for(CDN_EWRITE);
    } else if (!to_stdout) {
        fprintf(stderr,
                "cdnsim: wrote %s (scenario %s, template %s); check it with 'cdnsim validate %s', "
                "run it with 'cdnsim run %s'\n",
                file, rename ? rename : tname, tname, file, file);
    }
    free(text);
    return status;
}

/* ---- schema ----------------------------------------------------------- */

int cdn_cmd_schema(const cdn_cli_args_t *a)
{
    const char *which = a->noperands ? a->operands[0] : "scenario";
    int strategy = strcmp(which, "strategy") == 0;
    if (!strategy && strcmp(which, "scenario") != 0)
        return cdn_cli_usage_error("schema of '%s'? (scenario or strategy)", which);
    cdn_error_t err = {0, ""};
    cJSON *s = strategy ? cdn_schema_json_strategy(&err) : cdn_schema_json_scenario(&err);
    if (s == NULL) {
        cdn_cli_print_error(err.msg, 1);
        return cdn_cli_exit_for(err.code ? err.code : CDN_EINTERNAL);
    }
    char *text = cJSON_Print(s);
    cJSON_Delete(s);
    int status = 0;
    if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "cdnsim: cannot write the schema: %s\n", strerror(errno));
        status = cdn_cli_exit_for(CDN_EWRITE);
    }
    free(text);
    return status;
}
