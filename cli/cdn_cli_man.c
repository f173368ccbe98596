/*
 * cdn_cli_man.c -- examples per command, and the manual pages cdnsim(1)
 * and cdnsim-scenario(5) written as roff from the tables.
 *
 * Design
 *   cdnsim(1) walks the command table (synopsis, summary, notes) and, per
 *   command, the option rows that command shares (cdn_cli_opts_rows), then
 *   the global options and the error map (exit statuses); so the page
 *   lists exactly what the parser accepts, like --help.  cdnsim-scenario(5)
 *   walks the schema table section by section: one tagged paragraph per
 *   key with its unit, whether it is required, its default and range as
 *   docs/scenario-format.md shows them, and its meaning.  The per-kind
 *   action keys and calibration targets, which the table leaves to hand
 *   readers, are summarised with a pointer to the document.
 *
 *   Text goes through one escaper (roff_text): a backslash becomes \e, a
 *   line never starts with a control character ('.' or '\''; every text
 *   line starts with \&), Markdown `code` becomes bold, a Markdown link
 *   keeps only its text, and the few non-ASCII symbols of the table (≥, ×,
 *   –, −, ·, Σ, ρ, →) become groff special characters, so that the page
 *   renders without warnings in any locale.  '\n' inside a help text (the
 *   terminal's line breaks) becomes a space: man fills its own lines.
 *
 *   The pages carry no date, so the build is reproducible.
 *
 *   Rejected: help2man (it parses --help output, so option rows shared by
 *   several commands would appear once, and it needs Perl at build time);
 *   hand-written pages (they drift from the tables).
 */
#include "cdn_cli_man.h"

#include <string.h>

#include "cdn_cmd.h"
#include "cdn_error.h"
#include "cdn_metrics.h"
#include "cdn_schema.h"

/* The examples of each command, by name. */
static const struct {
    const char *cmd, *lines;
} examples[] = {
    {"run", "cdnsim run\n"
            "cdnsim run scenarios/examples/tiered-staged-rollout.json --seed 7\n"
            "cdnsim run -n 100 -j 2 -o results/calibrated\n"
            "cdnsim run --strategy kill-switch --set '$.traffic.max_retries=2'\n"
            "cdnsim run --assert 'peak_err5xx_frac < 0.05' my-outage.json"},
    {"validate", "cdnsim validate my-outage.json\n"
                 "cdnsim validate scenarios/strategies/*.json\n"
                 "cdnsim validate --strategy kill-switch my-outage.json"},
    {"plot", "cdnsim plot results/cloudflare-2025-11-18"},
    {"compare", "cdnsim compare --strategies baseline,kill-switch,staged-rollout -n 50\n"
                "cdnsim compare my-outage.json -S fail-open+kill-switch --precision 0.05\n"
                "cdnsim compare -S baseline,kill-switch \\\n"
                "    --assert 'kill-switch:failed_requests.diff_rel < -0.5'"},
    {"sweep", "cdnsim sweep --strategy staged-rollout -n 20 \\\n"
              "    --param '$.artifacts[*].rollout.stages[0].frac=0.001,0.01,0.05'"},
    {"init", "cdnsim init my-outage.json\n"
             "cdnsim init --template staged-rollout rollout.json"},
    {"schema", "cdnsim schema > scenario.schema.json\n"
               "cdnsim schema strategy"},
    {"show", "cdnsim show --strategy kill-switch > what-if.json\n"
             "cdnsim show my-outage.json --set '$.traffic.max_retries=2'"},
    {"sensitivity", "cdnsim sensitivity --metric failed_requests\n"
                    "cdnsim sensitivity --method sobol --samples 512 -j 2\n"
                    "cdnsim sensitivity --strategy kill-switch --metric time_to_mitigate_s"},
    {"fit", "cdnsim fit --param '$.operators.diagnosis.work_s' -n 10 -j 2\n"
            "cdnsim fit --param '$.traffic.retry_frac' --max-iter 50 -o fitted\n"
            "cdnsim run --strategy fitted/fit.json -n 10"},
};

void cdn_cli_metric_names(FILE *f, const char *sep)
{
    for (int m = 0; m < CDN_MET_COUNT; m++)
        fprintf(f, "%s%s", m ? sep : "", cdn_metric_name((cdn_metric_t)m));
}

const char *cdn_cli_examples(const char *name)
{
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        if (strcmp(examples[i].cmd, name) == 0)
            return examples[i].lines;
    return NULL;
}

/* ---- roff ------------------------------------------------------------- */

/* The groff name of a non-ASCII symbol starting at p (its UTF-8 bytes
 * counted in *len), or NULL. */
static const char *special(const char *p, size_t *len)
{
    static const struct {
        const char *utf8, *roff;
    } map[] = {{"≥", "\\(>="}, {"≤", "\\(<="}, {"×", "\\(mu"}, {"–", "\\(en"}, {"−", "\\-"},
               {"·", "\\(pc"}, {"Σ", "\\(*S"}, {"ρ", "\\(*r"}, {"→", "\\(->"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t n = strlen(map[i].utf8);
        if (strncmp(p, map[i].utf8, n) == 0) {
            *len = n;
            return map[i].roff;
        }
    }
    return NULL;
}

/* If p starts a Markdown link "[text](target)", where its ')' is. */
static const char *link_end(const char *p)
{
    const char *close = strstr(p, "](");
    if (*p != '[' || close == NULL || memchr(p, ' ', (size_t)(close - p)) != NULL)
        return NULL;
    const char *next = strchr(p + 1, '[');
    if (next != NULL && next < close)
        return NULL;
    return strchr(close, ')');
}

/* Text on the current line: escaped; `code` bold; [text](link) as text;
 * '\n' as a space; '-' as \- when `dashes` (option names). */
static void roff_text(FILE *f, const char *s, int dashes)
{
    int code = 0;
    for (const char *p = s; *p; p++) {
        size_t n = 0;
        const char *sp = special(p, &n);
        const char *end = link_end(p);
        if (sp) {
            fputs(sp, f);
            p += n - 1;
        } else if (*p == '\\') {
            fputs("\\e", f);
        } else if (*p == '`') {
            fputs(code ? "\\fR" : "\\fB", f);
            code = !code;
        } else if (end != NULL) {
            const char *close = strstr(p, "](");
            fprintf(f, "%.*s", (int)(close - p - 1), p + 1); /* a link: its text */
            p = end;
        } else if (*p == '\n') {
            fputc(' ', f);
        } else if (*p == '-' && dashes) {
            fputs("\\-", f);
        } else {
            fputc(*p, f);
        }
    }
    if (code)
        fputs("\\fR", f);
}

/* A filled text line (or paragraph): never starts with a control char. */
static void roff_line(FILE *f, const char *s)
{
    fputs("\\&", f);
    roff_text(f, s, 0);
    fputc('\n', f);
}

/* Example lines, unfilled and indented. */
static void roff_examples(FILE *f, const char *lines)
{
    fputs(".PP\nExamples:\n.nf\n", f);
    const char *p = lines;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fputs("\\&", f);
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '\\')
                fputs("\\e", f);
            else if (p[i] == '-')
                fputs("\\-", f);
            else
                fputc(p[i], f);
        }
        fputc('\n', f);
        p += n + (nl ? 1 : 0);
    }
    fputs(".fi\n", f);
}

static void roff_option(FILE *f, const cdn_cli_opt_t *o)
{
    fputs(".TP\n", f);
    if (o->letter)
        fprintf(f, "\\fB\\-%c\\fR, ", o->letter);
    fputs("\\fB\\-\\-", f);
    roff_text(f, o->name, 1);
    fputs("\\fR", f);
    if (o->arg) {
        fputs(" \\fI", f);
        roff_text(f, o->arg, 0);
        fputs("\\fR", f);
    }
    fputc('\n', f);
    roff_line(f, o->help);
}

static int finish(FILE *f)
{
    return fflush(f) == 0 && !ferror(f) ? 0 : cdn_cli_exit_for(CDN_EWRITE);
}

/* ---- cdnsim(1) -------------------------------------------------------- */

static void man_command(FILE *f, const cdn_cli_cmd_t *c, const cdn_cli_opt_t *rows, size_t nrows)
{
    fputs(".SS \"", f);
    roff_text(f, c->name, 1);
    fputs(" ", f);
    roff_text(f, c->operands, 1);
    fputs("\"\n", f);
    roff_line(f, c->summary);
    if (c->notes) {
        fputs(".PP\n", f);
        roff_line(f, c->notes);
    }
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].commands & CDN_CMD_BIT(c->id))
            roff_option(f, &rows[i]);
    if (CDN_CMD_BIT(c->id) & cdn_cli_metric_commands()) {
        fputs(".PP\n\\&Metric names (\\fB\\-\\-metric\\fR): ", f);
        cdn_cli_metric_names(f, ", ");
        fputs(", and svc_\\fIname\\fR_downtime_s for each internal service.\n", f);
    }
    const char *ex = cdn_cli_examples(c->name);
    if (ex)
        roff_examples(f, ex);
}

int cdn_cli_man_commands(FILE *f, const cdn_cli_cmd_t *cmds, size_t ncmds)
{
    size_t nrows = 0;
    const cdn_cli_opt_t *rows = cdn_cli_opts_rows(&nrows);
    fprintf(f, ".TH CDNSIM 1 \"\" \"cdnsim %s\" \"User Commands\"\n.nh\n.ad l\n", CDNSIM_VERSION);
    fputs(".SH NAME\ncdnsim \\- discrete-event simulator of global CDN outage cascades\n"
          ".SH SYNOPSIS\n",
          f);
    for (size_t i = 0; i < ncmds; i++) {
        fprintf(f, "\\fBcdnsim %s\\fR ", cmds[i].name);
        roff_text(f, cmds[i].operands, 1);
        fputs("\n.br\n", f);
    }
    fputs("\\fBcdnsim\\fR \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR | \\fB\\-\\-man\\fR \\fISECTION\\fR\n"
          ".br\n\\fBcdnsim help\\fR \\fICOMMAND\\fR\n"
          ".SH DESCRIPTION\n"
          "\\&A bad artifact (a configuration file, a feature file, a code push) propagates\n"
          "through a fleet of servers, proxies fail or misbehave, internal services fail\n"
          "with them, dependent sites go dark, and operators act.  \\fBcdnsim\\fR simulates\n"
          "such a cascade from a scenario file (\\fBcdnsim-scenario\\fR(5)) and writes\n"
          "availability timelines, summaries and plots; it compares mitigation strategies\n"
          "with common random numbers.\n"
          ".PP\n"
          "\\&Options follow getopt_long: \\fB\\-\\-seed 7\\fR or \\fB\\-\\-seed=7\\fR, short\n"
          "flags clustered, options before or after the operands, \\fB\\-\\-\\fR ends them.\n"
          "\\fBcdnsim help\\fR \\fICOMMAND\\fR and \\fBcdnsim\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR\n"
          "print one command's usage, options and examples.\n"
          ".SH COMMANDS\n",
          f);
    for (size_t i = 0; i < ncmds; i++)
        man_command(f, &cmds[i], rows, nrows);
    fputs(".SH GENERAL OPTIONS\n", f);
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].commands & CDN_CMD_GLOBAL)
            roff_option(f, &rows[i]);
    fputs(".SH EXIT STATUS\n", f);
#define MAN_EXIT(c, value, name, status, meaning)                                                  \
    fprintf(f, ".TP\n.B %d\n\\&%s (%s)\n", status, meaning, name);
    CDN_ERROR_MAP(MAN_EXIT)
#undef MAN_EXIT
    fputs(".SH FILES\n"
          ".TP\n.I scenarios/\n"
          "\\&Scenario, strategy and template files are looked up in \\fI./scenarios\\fR,\n"
          "then in \\fIshare/cdnsim/scenarios\\fR beside the installed binary.\n"
          ".TP\n.I results/\n"
          "\\&The default results folders: \\fIresults/<scenario>\\fR,\n"
          "\\fIresults/<scenario>\\-compare\\fR, \\fIresults/<scenario>\\-sweep\\fR.\n"
          ".SH SEE ALSO\n"
          "\\fBcdnsim\\-scenario\\fR(5), \\fBgnuplot\\fR(1); the documents in\n"
          "\\fIshare/doc/cdnsim\\fR (README.md, docs/).\n",
          f);
    return finish(f);
}

/* ---- cdnsim-scenario(5) ----------------------------------------------- */

static void man_key(FILE *f, const cdn_schema_row_info_t *r)
{
    fputs(".TP\n\\fB", f);
    if (r->kind == CDN_SCHEMA_KIND_TIME)
        fprintf(f, "%s_utc\\fR | \\fB%s_s", r->key, r->key);
    else
        roff_text(f, r->key, 0);
    fputs("\\fR (", f);
    roff_text(f, r->unit, 0);
    if (r->required) {
        fputs("; required", f);
    } else if (strcmp(r->def_doc, "–") != 0) {
        fputs("; default ", f);
        roff_text(f, r->def_doc, 0);
    }
    if (strcmp(r->range_doc, "–") != 0) {
        fputs("; ", f);
        roff_text(f, r->range_doc, 0);
    }
    fputs(")\n", f);
    const char *end = link_end(r->doc);
    if (end != NULL && end[1] == '\0') /* only a link to its section */
        fputs("\\&The object described under its own heading below.\n", f);
    else
        roff_line(f, r->doc);
}

int cdn_cli_man_scenario(FILE *f)
{
    fprintf(f, ".TH CDNSIM\\-SCENARIO 5 \"\" \"cdnsim %s\" \"File Formats\"\n.nh\n.ad l\n",
            CDNSIM_VERSION);
    fputs(".SH NAME\ncdnsim\\-scenario \\- the scenario file format of cdnsim\n"
          ".SH DESCRIPTION\n"
          "\\&A scenario is one JSON file: the fleet, the traffic, the dependent sites, the\n"
          "bad artifact and how it spreads, the internal services, the operators.\n"
          "\\fBcdnsim validate\\fR checks a file and names the JSON path of the first error;\n"
          "\\fBcdnsim schema\\fR prints a JSON Schema for editors; \\fBcdnsim init\\fR writes a\n"
          "commented starter scenario.\n"
          ".PP\n"
          "\\&Every object accepts only the keys listed for it (an unknown or repeated key\n"
          "is an error) and may also have \\fBnotes\\fR, a string or an array of strings that\n"
          "is never read into the model.  A time comes in two spellings, of which a file\n"
          "uses at most one: \\fIkey\\fB_utc\\fR, an absolute time \\(lqYYYY\\-MM\\-DDTHH:MM:SSZ\\(rq,\n"
          "or \\fIkey\\fB_s\\fR, seconds after \\fBsimulation.start_utc\\fR.  Ranges are written\n"
          "(a, b]: a round bracket excludes the bound.  D/1e7 is the simulated span\n"
          "divided by 10,000,000: the shortest period of a repeating event.\n"
          ".SH KEYS\n",
          f);
    for (int k = 0; k < CDN_SCHEMA_NSECTIONS; k++) {
        cdn_schema_sec_t sec = (cdn_schema_sec_t)k;
        fputs(".SS \"", f);
        roff_text(f, cdn_schema_heading(sec), 0);
        fputs("\"\n", f);
        for (size_t i = 0; i < cdn_schema_nrows(sec); i++) {
            cdn_schema_row_info_t r;
            cdn_schema_row(sec, i, &r);
            man_key(f, &r);
        }
    }
    fputs(".SS \"operators.actions[]\"\n\\&Each action has a \\fBkind\\fR (", f);
    for (int k = 0; k < CDN_ACTION_COUNT; k++)
        fprintf(f, "%s\\fB%s\\fR", k ? ", " : "", cdn_action_name((cdn_action_kind_t)k));
    fputs("), a time (\\fBat_utc\\fR or \\fBat_s\\fR) or a trigger (\\fBafter\\fR: detection or\n"
          "diagnosis, with \\fBdelay_s\\fR), an optional \\fBlabel\\fR, and the keys of its kind\n"
          "(artifact, proxy, service, duration_s, restart_s, rate_per_s, only_failing,\n"
          "capacity); the table of which kind takes which key is in scenario-format.md.\n"
          ".SS \"calibration.targets[]\"\n"
          "\\&Each target has a \\fBname\\fR, a \\fBmetric\\fR (",
          f);
    for (int k = 0; k < CDN_CAL_COUNT; k++)
        fprintf(f, "%s\\fB%s\\fR", k ? ", " : "", cdn_cal_metric_name((cdn_cal_metric_t)k));
    fputs("), the published \\fBtarget\\fR (or \\fBtarget_utc\\fR | \\fBtarget_s\\fR for\n"
          "times), a window (\\fBfrom_utc\\fR | \\fBfrom_s\\fR, \\fBto_utc\\fR | \\fBto_s\\fR), a\n"
          "\\fBservice\\fR for the service metrics, \\fBfitted\\fR and a \\fBsource\\fR.\n"
          ".SH EXAMPLE\n"
          ".RS\n.nf\n"
          "\\&cdnsim init \\-\\-template oneshot\\-push my\\-outage.json\n"
          "\\&cdnsim validate my\\-outage.json\n"
          "\\&cdnsim run my\\-outage.json\n"
          ".fi\n.RE\n"
          ".SH SEE ALSO\n"
          "\\fBcdnsim\\fR(1); in \\fIshare/doc/cdnsim/docs\\fR: scenario\\-format.md (this\n"
          "format with examples and error messages), model.md (the model behind each key),\n"
          "scenario.schema.json (the JSON Schema).\n",
          f);
    return finish(f);
}
