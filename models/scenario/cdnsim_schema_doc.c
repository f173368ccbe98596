/*
 * cdnsim_schema_doc.c -- prints docs/scenario-format.md with its key tables
 * regenerated from the schema table (models/scenario/schema.def).
 *
 * Design
 *   The document keeps its prose; each generated table sits between
 *       <!-- schema:ID -->   and   <!-- /schema -->
 *   where ID names a section of schema.def.  The program copies its input
 *   to stdout line by line and replaces what is between the two markers by
 *   cdn_schema_doc_table(ID).  The drift test (tests/schema_doc_test.sh)
 *   runs it on the committed document and fails on any difference; to
 *   update the document:
 *       build/cdnsim_schema_doc docs/scenario-format.md > x && mv x docs/scenario-format.md
 *
 * Errors: exit status 1 with a message for an unknown ID, a marker left
 *   open, or a file that cannot be read; 0 otherwise.
 *
 * Rejected alternatives
 *   - Generating the whole document: the prose around the tables (formulas,
 *     examples, error codes) is written, not derived.
 */
#include <stdio.h>
#include <string.h>

#include "cdn_schema.h"

#define DOC_LINE_MAX 8192
#define DOC_OPEN "<!-- schema:"
#define DOC_CLOSE "<!-- /schema -->"

int main(int argc, char **argv)
{
    char line[DOC_LINE_MAX];
    int inside = 0, rc = 0;
    size_t lineno = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: cdnsim_schema_doc docs/scenario-format.md\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strncmp(line, DOC_OPEN, strlen(DOC_OPEN)) == 0) {
            char id[64] = "";
            sscanf(line + strlen(DOC_OPEN), "%63[A-Za-z_]", id);
            cdn_schema_sec_t sec = cdn_schema_find(id);
            if (sec == CDN_SCHEMA_NSECTIONS || inside) {
                fprintf(stderr, "%s:%zu: %s\n", argv[1], lineno,
                        inside ? "marker inside a table" : "no such schema section");
                rc = 1;
                break;
            }
            fputs(line, stdout);
            cdn_schema_doc_table(stdout, sec);
            inside = 1;
        } else if (strncmp(line, DOC_CLOSE, strlen(DOC_CLOSE)) == 0) {
            inside = 0;
            fputs(line, stdout);
        } else if (!inside) {
            fputs(line, stdout);
        }
    }
    if (rc == 0 && inside) {
        fprintf(stderr, "%s: a table marker is not closed\n", argv[1]);
        rc = 1;
    }
    fclose(f);
    return rc;
}
