/*
 * cdn_cli_opts.h -- the command line of cdnsim as data: a command table and
 * one option table, from which the argument parser (getopt_long), the
 * usage text and every command's --help are generated.
 *
 * Contract
 *   An option is one row (cdn_cli_opt_t): long name, short letter,
 *   argument name, how the argument is read and checked, the help lines,
 *   and the set of commands that share it (a bit per command).  An option
 *   whose meaning differs between commands (-n: one run's calibration
 *   replications, or a study's replications per arm) has one row per
 *   meaning, with the same id.  A command is one row (cdn_cli_cmd_t) of the
 *   table main() owns: name, function, operands, help.  Tables are const
 *   data, which the manual pages walk too (cdn_cli_man.h,
 *   cdn_cli_opts_rows).
 *
 *   cdn_cli_opts_parse() reads `cmd ARGS...` with getopt_long: long options
 *   as --name VALUE or --name=VALUE, short ones as -j 2, -j2 or clustered
 *   (-qn3); options and operands in any order; "--" ends the options.  A
 *   value is checked against its row (integer range, fraction) before the
 *   command sees it, so every command applies the same limit to a shared
 *   option (-j: 1 to CDN_RUNNER_JOBS_MAX everywhere).
 *
 * Errors
 *   Usage errors are printed on stderr as "cdnsim: MESSAGE" plus a hint,
 *   and reported as CDN_EUSAGE (exit status 64, cdn_error.h).
 *
 * Ownership and threads
 *   cdn_cli_args_t points into argv and owns its operand array
 *   (cdn_cli_args_fini).  The parser uses getopt_long's globals, so parse
 *   from main's thread only, before any other thread starts.
 */
#ifndef CDNSIM_CDN_CLI_OPTS_H
#define CDNSIM_CDN_CLI_OPTS_H

#include <stdint.h>
#include <stdio.h>

/* Commands, in the order of the usage text. */
typedef enum {
    CDN_CMD_RUN,
    CDN_CMD_VALIDATE,
    CDN_CMD_PLOT,
    CDN_CMD_COMPARE,
    CDN_CMD_SWEEP,
    CDN_CMD_INIT,
    CDN_CMD_SCHEMA,
    CDN_CMD_SHOW,
    CDN_CMD_SENSITIVITY,
    CDN_CMD_FIT,
    CDN_CMD_COUNT
} cdn_cli_cmd_id_t;

#define CDN_CMD_BIT(id) (1u << (id))
#define CDN_CMD_GLOBAL (1u << CDN_CMD_COUNT) /* `cdnsim --help`, `--version` */
#define CDN_CMD_STUDY (CDN_CMD_BIT(CDN_CMD_COMPARE) | CDN_CMD_BIT(CDN_CMD_SWEEP))
#define CDN_CMD_SIMULATE (CDN_CMD_BIT(CDN_CMD_RUN) | CDN_CMD_STUDY)

typedef enum {
    CDN_OPT_OUTPUT,
    CDN_OPT_SEED,
    CDN_OPT_REPLICATION,
    CDN_OPT_REPLICATIONS,
    CDN_OPT_JOBS,
    CDN_OPT_STRATEGIES,
    CDN_OPT_STRATEGY,
    CDN_OPT_PARAM,
    CDN_OPT_PARAM2,
    CDN_OPT_METRIC,
    CDN_OPT_PRECISION,
    CDN_OPT_MAX_N,
    CDN_OPT_BUDGET,
    CDN_OPT_QUIET,
    CDN_OPT_NO_PLOT,
    CDN_OPT_HELP,
    CDN_OPT_VERSION,
    CDN_OPT_TEMPLATE,
    CDN_OPT_MAN,
    CDN_OPT_SET,
    CDN_OPT_PRECISION_METRIC,
    CDN_OPT_ASSERT,
    CDN_OPT_STRICT,
    CDN_OPT_UNCERTAINTY,
    CDN_OPT_SEEDS_PER_DRAW,
    /* sensitivity */
    CDN_OPT_METHOD,
    CDN_OPT_TRAJECTORIES,
    CDN_OPT_SAMPLES,
    CDN_OPT_FUNCTION,
    /* fit */
    CDN_OPT_MAX_ITER,
    CDN_OPT_TOL,
    CDN_OPT_COUNT
} cdn_cli_opt_id_t;

/* How an option's argument is read and checked. */
typedef enum {
    CDN_ARG_NONE, /* a flag */
    CDN_ARG_TEXT, /* any string */
    CDN_ARG_UINT, /* a decimal integer in [lo, hi] */
    CDN_ARG_FRAC, /* a real number strictly between 0 and 1 */
    CDN_ARG_LIST  /* any string, repeatable: every value is kept, in order */
} cdn_cli_arg_kind_t;

typedef struct cdn_cli_opt {
    cdn_cli_opt_id_t id;
    const char *name;   /* long name, without "--" */
    char letter;        /* short letter, or 0 */
    const char *arg;    /* argument name in help ("DIR"); NULL for a flag */
    unsigned commands;  /* CDN_CMD_BIT()s of the commands that share it */
    cdn_cli_arg_kind_t kind;
    uint64_t lo, hi;    /* CDN_ARG_UINT: the accepted range */
    const char *needs;  /* the usage error says "--name needs NEEDS" */
    const char *help;   /* help text; '\n' separates its lines */
} cdn_cli_opt_t;

/* What the parser found: options by id, and the operands in order.  A
 * repeatable option (CDN_ARG_LIST) keeps every value in list[id]. */
typedef struct cdn_cli_args {
    int seen[CDN_OPT_COUNT];          /* 1 if the option was given */
    uint64_t num[CDN_OPT_COUNT];      /* CDN_ARG_UINT values */
    double frac[CDN_OPT_COUNT];       /* CDN_ARG_FRAC values */
    const char *text[CDN_OPT_COUNT];  /* CDN_ARG_TEXT values (into argv) */
    const char **list[CDN_OPT_COUNT]; /* CDN_ARG_LIST values in order (into argv) */
    size_t nlist[CDN_OPT_COUNT];
    int argc;                         /* the whole command line, for manifests; */
    char *const *argv;                /* set by main after parsing */
    char **operands;                  /* [noperands], into argv */
    int noperands;
} cdn_cli_args_t;

typedef struct cdn_cli_cmd {
    cdn_cli_cmd_id_t id;
    const char *name;
    int (*fn)(const cdn_cli_args_t *args); /* returns the exit status */
    const char *operands;  /* synopsis after the name: "[SCENARIO]" */
    int min_operands, max_operands; /* max -1: any number */
    const char *too_few;   /* usage error when fewer operands */
    const char *too_many;  /* why more operands are refused: "one scenario per run" */
    const char *summary;   /* the command list's lines ('\n' separated) */
    const char *notes;     /* more lines of the command's help, or NULL */
} cdn_cli_cmd_t;

/* Parses argv[1..argc-1] of command `cmd` (argv[0] is its name) into *a.
 * 0, with *help set if --help was asked (nothing else is then checked), or
 * CDN_EUSAGE after printing the error. */
int cdn_cli_opts_parse(const cdn_cli_cmd_t *cmd, int argc, char **argv, cdn_cli_args_t *a,
                       int *help);
void cdn_cli_args_fini(cdn_cli_args_t *a);

/* `cdnsim COMMAND --help`: the command's usage and its options only. */
void cdn_cli_opts_help(FILE *f, const cdn_cli_cmd_t *cmd);

/* `cdnsim --help`: the commands, the general options, the exit codes. */
void cdn_cli_opts_usage(FILE *f, const cdn_cli_cmd_t *cmds, size_t ncmds);

/* The option table, for the manual page and the tests: *n rows. */
const cdn_cli_opt_t *cdn_cli_opts_rows(size_t *n);

/* Prints "cdnsim: MESSAGE" and a hint on stderr; returns the exit status
 * of a usage error (64). */
int cdn_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit status of a CDN_E* code from the error map (cdn_error.h); an
 * unknown code is an internal error. */
int cdn_cli_exit_for(int code);

/* Prints an error message on stderr as one line ("cdnsim: MSG" when
 * `prefixed`): control characters, which a path or value from the user
 * may carry, are shown as '?'. */
void cdn_cli_print_error(const char *msg, int prefixed);

#endif /* CDNSIM_CDN_CLI_OPTS_H */
