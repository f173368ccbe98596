/*
 * cdnsim.c -- main() and the command table of the command-line interface:
 * run, validate, plot, compare, sweep, init, schema, show, sensitivity, fit.
 *
 * Design
 *   main() looks the command up in `commands` (one row per command: name,
 *   function, operands, help), parses its arguments against the option
 *   table (cdn_cli_opts.h, getopt_long), and calls it; `cdnsim --help`,
 *   `cdnsim COMMAND --help` (= `cdnsim help COMMAND`) and the manual pages
 *   (`cdnsim --man 1|5`, cdn_cli_man.h) are generated from the same two
 *   tables.  The commands live in cdn_cmd*.c (cdn_cmd.h).
 *
 *   Every command writes its results folder atomically (cdn_resultdir.h):
 *   everything goes into a temporary sibling folder, gnuplot draws there,
 *   and only then is the folder renamed into place, so a failed or
 *   interrupted command never leaves a partial results folder.  An
 *   existing target is replaced only if it holds a previous result of the
 *   same command (its marker lists what cdnsim wrote) or is empty.
 *
 *   Exit statuses come from the error map (cdn_error.h) through
 *   cdn_cli_exit_for; only main() returns them to the system.
 *
 *   Third-party global state is set once here: GSL's error handler is
 *   turned off (the model checks its inputs; GSL errors become results, not
 *   aborts), and cJSON allocates through sim_xmalloc, so running out of
 *   memory inside cJSON takes the one out-of-memory path (sim_alloc.h).  getopt's globals are used by the parser, from this thread,
 *   before any other thread starts.
 *
 *   Rejected: a table of function pointers filled by position (the
 *   command rows name their fields' meaning and carry their help).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "cdn_cli_man.h"
#include "cdn_cli_opts.h"
#include "cdn_cmd.h"
#include "cdn_runner.h"
#include "sim_alloc.h"

/* The command table: usage and each command's --help come from it and
 * from the option table (cdn_cli_opts.c). */
static const cdn_cli_cmd_t commands[] = {
    {CDN_CMD_RUN, "run", cdn_cmd_run, "[SCENARIO] [options]", 0, 1, NULL,
     "one scenario per run",
     "simulate a scenario (default: the reference scenario\n"
     "scenarios/" CDN_CMD_DEFAULT_SCENARIO ") and write\n"
     "results/<scenario-name>/",
     NULL},
    {CDN_CMD_VALIDATE, "validate", cdn_cmd_validate, "[--strategy S] [--strict] FILE...", 0, -1,
     "validate needs at least one scenario or strategy file", NULL,
     "check scenario and strategy files; print the first\n"
     "error of each",
     "A FILE whose top level has \"set\" or \"append\" and only the keys of a\n"
     "strategy is checked as a strategy file.  Semantic warnings go to stderr\n"
     "(exit 0; with --strict, exit 2).  Exit status: that of the first\n"
     "failing file."},
    {CDN_CMD_PLOT, "plot", cdn_cmd_plot, "DIR", 1, 1, "plot needs exactly one results folder",
     "plot needs exactly one results folder",
     "(re)draw the figures of a results folder (run, compare,\n"
     "sweep, sensitivity, fit) from its gnuplot scripts (*.gp)", NULL},
    {CDN_CMD_COMPARE, "compare", cdn_cmd_compare, "[SCENARIO] --strategies A,B+C,... [options]", 0, 1,
     NULL, "one scenario per comparison",
     "run every strategy for the same replications (common\n"
     "random numbers), rank them, write results/<name>-compare/",
     "Under mpirun the replications are spread over the ranks; the files are\n"
     "identical to a single-process run (manifest.json records jobs and ranks)."},
    {CDN_CMD_SWEEP, "sweep", cdn_cmd_sweep, "[SCENARIO] --param 'PATH=v1,v2,...' [--param2 'PATH=v1,...'] [options]",
     0, 1, NULL, "one scenario per sweep",
     "the same statistics over a grid of scenario values,\n"
     "written to results/<name>-sweep/",
     "Under mpirun the replications are spread over the ranks; the files are\n"
     "identical to a single-process run (manifest.json records jobs and ranks)."},
    {CDN_CMD_INIT, "init", cdn_cmd_init, "[--template NAME] FILE", 1, 1,
     "init needs the file to write (or - for stdout)", "one file per init",
     "write a commented starter scenario to FILE (never\n"
     "overwrites: exit 73 if FILE exists)",
     "The comments are the template's `notes`; its name becomes FILE's base name."},
    {CDN_CMD_SCHEMA, "schema", cdn_cmd_schema, "[scenario|strategy]", 0, 1, NULL,
     "one schema at a time",
     "print the JSON Schema (draft 2020-12) of scenario files\n"
     "(default) or of strategy files, for editors",
     "The same schemas are installed as docs/scenario.schema.json and\n"
     "docs/strategy.schema.json; a file that passes them may still fail\n"
     "'cdnsim validate' (references, sums of shares, per-kind action keys)."},
    {CDN_CMD_SHOW, "show", cdn_cmd_show, "[SCENARIO] [--strategy S] [--set PATH=VALUE]...", 0, 1,
     NULL, "one scenario at a time",
     "print the effective scenario as JSON: the strategy and\n"
     "--set applied, every default filled in",
     "The output is a scenario file: `cdnsim run` on it gives the same files\n"
     "as `cdnsim run SCENARIO --strategy S --set ...`. Example:\n"
     "  cdnsim show --strategy kill-switch \\\n"
     "      --set '$.traffic.max_retries=2' > what-if.json"},
    {CDN_CMD_SENSITIVITY, "sensitivity", cdn_cmd_sensitivity, "[SCENARIO] [--metric M] [--method morris|sobol] [options]",
     0, 1, NULL, "one scenario per sensitivity analysis",
     "rank the scenario's priors by how much they move a\n"
     "metric, written to results/<name>-sensitivity/",
     "Each design point sets every prior's key to a value of its prior (the\n"
     "inverse CDF of a point of the unit hypercube) and simulates it with the\n"
     "same seeds.  Reading the report: docs/uncertainty.md."},
    {CDN_CMD_FIT, "fit", cdn_cmd_fit, "[SCENARIO] --param PATH [--param PATH]... [options]",
     0, 1, NULL, "one scenario per fit",
     "fit free parameters (priors) to the scenario's\n"
     "calibration targets, written to results/<name>-fit/",
     "Minimises the sum over published targets of ((median - published) /\n"
     "scale)^2 (scale: 1 min, 1 point, 1) with Nelder-Mead in logit(prior\n"
     "CDF) coordinates, so no parameter leaves its prior's support; every\n"
     "evaluation runs the same replications.  fit.json is a strategy file:\n"
     "cdnsim run SCENARIO --strategy fit.json.  Reading the report:\n"
     "docs/uncertainty.md."},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const cdn_cli_cmd_t *command_named(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* run, sensitivity and fit write one folder from one process, plot and
 * init write files in place: started as several ranks, each would do the
 * whole command into the same place (compare and sweep deal their tasks
 * to the ranks, cdn_runner.h; validate, schema and show only print, so
 * repeating them is harmless). */
static int cmd_refuses_ranks(const cdn_cli_cmd_t *cmd)
{
    return cmd->id == CDN_CMD_RUN || cmd->id == CDN_CMD_SENSITIVITY || cmd->id == CDN_CMD_FIT ||
           cmd->id == CDN_CMD_PLOT || cmd->id == CDN_CMD_INIT;
}

int main(int argc, char **argv)
{
    long rank = 0;
    gsl_set_error_handler_off();
    cJSON_Hooks hooks = {sim_xmalloc, free};
    cJSON_InitHooks(&hooks);
    if (argc < 2)
        return cdn_cli_usage_error("missing command");
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        const cdn_cli_cmd_t *cmd = argc > 2 ? command_named(argv[2]) : NULL;
        if (cmd)
            cdn_cli_opts_help(stdout, cmd);
        else
            cdn_cli_opts_usage(stdout, commands, NCOMMANDS);
        return 0;
    }
    if (strncmp(name, "--man", 5) == 0 && (name[5] == '\0' || name[5] == '=')) {
        const char *sec = name[5] == '=' ? name + 6 : argc > 2 ? argv[2] : "";
        if (strcmp(sec, "1") == 0)
            return cdn_cli_man_commands(stdout, commands, NCOMMANDS);
        if (strcmp(sec, "5") == 0)
            return cdn_cli_man_scenario(stdout);
        return cdn_cli_usage_error("--man needs 1 or 5");
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("cdnsim %s\n", CDNSIM_VERSION);
        return 0;
    }
    const cdn_cli_cmd_t *cmd = command_named(name);
    if (!cmd)
        return cdn_cli_usage_error("unknown command '%s'", name);
    cdn_cli_args_t args;
    int help = 0;
    int status = cdn_cli_opts_parse(cmd, argc - 1, argv + 1, &args, &help);
    if (status != 0)
        status = cdn_cli_exit_for(status);
    else if (help)
        cdn_cli_opts_help(stdout, cmd);
    else if (cmd_refuses_ranks(cmd) && cdn_runner_launched_ranks(&rank) > 1) {
        /* every rank would run the whole command into one folder, each
         * waiting on the others' lock: refuse, once, instead of hanging */
        if (rank == 0)
            (void)cdn_cli_usage_error("%s runs as one process (-j for threads); under mpirun "
                                      "use compare or sweep, which share their replications "
                                      "among the ranks",
                                      cmd->name);
        status = cdn_cli_exit_for(CDN_EUSAGE);
    } else {
        args.argc = argc;
        args.argv = argv;
        status = cmd->fn(&args);
    }
    cdn_cli_args_fini(&args);
    return status;
}
