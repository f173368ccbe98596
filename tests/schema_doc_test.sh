#!/bin/bash
# The key tables of docs/scenario-format.md are generated from the schema
# table (models/scenario/schema.def); fails when the committed document
# differs from what cdnsim_schema_doc makes of it.
# usage: schema_doc_test.sh CDNSIM_SCHEMA_DOC DOC
set -u
gen=$1
doc=$2
if ! "$gen" "$doc" | diff -u "$doc" -; then
    echo "docs/scenario-format.md differs from the schema table; regenerate it:" >&2
    echo "  build/cdnsim_schema_doc docs/scenario-format.md > x && mv x docs/scenario-format.md" >&2
    exit 1
fi
