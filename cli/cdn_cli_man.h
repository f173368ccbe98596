/*
 * cdn_cli_man.h -- the manual of cdnsim, generated from the command and
 * option tables (cdn_cli_opts.h) and the schema table (cdn_schema.h):
 * each command's examples, the manual pages cdnsim(1) and
 * cdnsim-scenario(5).
 *
 * Contract
 *   cdn_cli_examples() gives the example lines of a command, shown by
 *   `cdnsim COMMAND --help` and in cdnsim(1); NULL for a command without
 *   examples (the cli_help test requires every command to have some).
 *   cdn_cli_man_commands() and cdn_cli_man_scenario() print a page as
 *   roff (man(7) macros) that `man --warnings -l` renders without a
 *   warning; the build writes them (`cdnsim --man 1`, `--man 5`) and
 *   installs them in share/man/man1 and man5.
 *
 * Errors: the man functions return 0, or the exit status of a write
 *   error (74).
 * Threads: the tables are constant; reentrant.
 */
#ifndef CDNSIM_CDN_CLI_MAN_H
#define CDNSIM_CDN_CLI_MAN_H

#include <stddef.h>
#include <stdio.h>

#include "cdn_cli_opts.h"

/* '\n'-separated example command lines of the command `name`, or NULL. */
const char *cdn_cli_examples(const char *name);

/* The metric names --metric takes, separated by `sep`. */
void cdn_cli_metric_names(FILE *f, const char *sep);
/* CDN_CMD_BIT()s of the commands whose help lists the metric names: those
 * that take an option of metric names. */
unsigned cdn_cli_metric_commands(void);

int cdn_cli_man_commands(FILE *f, const cdn_cli_cmd_t *cmds, size_t ncmds);
int cdn_cli_man_scenario(FILE *f);

#endif /* CDNSIM_CDN_CLI_MAN_H */
