#!/usr/bin/env python3
"""The JSON Schemas of docs/ checked by an independent validator
(python3-jsonschema, Debian's package): both are valid draft 2020-12
schemas; every scenario file of the repository (scenarios/, its examples
and templates, tests/data/good and budget, the golden scenario) passes the scenario
schema and every strategy file passes the strategy schema; the schema
rejects a file with an unknown key, a wrong type, an out-of-range value;
and every bad fixture of tests/data/bad that the schema rejects is also
rejected by `cdnsim validate` (the schema is never stricter than the
validator).  Exits 77 (skipped) without python3-jsonschema.

usage: json_schema_test.py CDNSIM_BINARY SOURCE_DIR
"""
import copy
import glob
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed (Debian: apt-get install "
          "python3-jsonschema; scripts/deps.sh installs it)")
    sys.exit(77)

binary, src = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(name, cond):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + name)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def errors(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: e.json_path)


def first(errs):
    return "%s: %s" % (errs[0].json_path, errs[0].message[:200]) if errs else ""


V = jsonschema.Draft202012Validator
scen_schema = load(os.path.join(src, "docs", "scenario.schema.json"))
strat_schema = load(os.path.join(src, "docs", "strategy.schema.json"))
for name, schema in (("scenario", scen_schema), ("strategy", strat_schema)):
    try:
        V.check_schema(schema)
        check("%s schema is a valid draft 2020-12 schema" % name, True)
    except jsonschema.SchemaError as e:
        check("%s schema is a valid draft 2020-12 schema: %s" % (name, e.message), False)
    check("%s schema declares draft 2020-12" % name,
          schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema")
scen = V(scen_schema)
strat = V(strat_schema)

scenarios = [f for f in glob.glob(os.path.join(src, "scenarios", "**", "*.json"), recursive=True)
             if os.sep + "strategies" + os.sep not in f]
scenarios += glob.glob(os.path.join(src, "tests", "data", "good", "*.json"))
scenarios += glob.glob(os.path.join(src, "tests", "data", "budget", "*.json"))
scenarios.append(os.path.join(src, "tests", "data", "golden", "small.json"))
strategies = glob.glob(os.path.join(src, "scenarios", "strategies", "*.json"))
check("there are scenario files (%d)" % len(scenarios), len(scenarios) >= 10)
check("there are strategy files (%d)" % len(strategies), len(strategies) >= 5)
for f in sorted(scenarios):
    errs = errors(scen, load(f))
    check("%s passes the scenario schema %s" % (os.path.relpath(f, src), first(errs)), not errs)
for f in sorted(strategies):
    errs = errors(strat, load(f))
    check("%s passes the strategy schema %s" % (os.path.relpath(f, src), first(errs)), not errs)
    check("%s fails the scenario schema" % os.path.relpath(f, src), errors(scen, load(f)))

# The schema is not vacuous: each of these changes of a good file fails it.
good = load(os.path.join(src, "tests", "data", "good", "full.json"))
mutations = {
    "an unknown key": lambda d: d["traffic"].__setitem__("rate", 1),
    "a wrong type": lambda d: d["simulation"].__setitem__("duration_s", "3600"),
    "a value out of range": lambda d: d["regions"][0].__setitem__("traffic_share", 1.5),
    "a non-integer count": lambda d: d["regions"][0].__setitem__("servers", 2.5),
    "an unknown enum name": lambda d: d["proxies"][0].__setitem__("on_bad_artifact", "explode"),
    "both spellings of a time": lambda d: d["operators"]["actions"][0].update(
        {"at_utc": "2025-11-18T12:00:00Z", "at_s": 60}),
    "a missing required key": lambda d: d["sites"].pop("count"),
    "notes of a number": lambda d: d.__setitem__("notes", 3),
}
for what, change in mutations.items():
    d = copy.deepcopy(good)
    change(d)
    check("the scenario schema rejects %s" % what, errors(scen, d))
check("the strategy schema rejects an operation without a value",
      errors(strat, {"name": "x", "set": [{"path": "$.a"}]}))

# Every bad fixture the schema rejects, validate rejects too.
rejected = 0
for f in sorted(glob.glob(os.path.join(src, "tests", "data", "bad", "*.json"))):
    try:
        doc = load(f)
    except (ValueError, UnicodeDecodeError):
        continue  # not JSON: no schema applies
    errs = errors(scen, doc)
    if not errs:
        continue
    rejected += 1
    rc = subprocess.run([binary, "validate", f], capture_output=True).returncode
    check("%s: rejected by the schema (%s) and by validate (exit %d)"
          % (os.path.basename(f), first(errs), rc), rc == 65)
check("the schema rejects several bad fixtures (%d)" % rejected, rejected >= 10)

print("json_schema: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
