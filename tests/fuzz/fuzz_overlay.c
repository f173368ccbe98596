/*
 * fuzz_overlay.c -- libFuzzer harness for strategy overlays: the bytes are
 * a strategy file; it is parsed (cdn_overlay_parse) and, when valid,
 * applied to a fixed scenario and the result validated
 * (cdn_overlay_load_scenario), exactly as `cdnsim compare --strategies
 * FILE` does.  Nothing may crash, leak or hang; errors carry a one-line
 * message.
 *
 * Design
 *   The scenario the overlays apply to is tests/data/good/full.json (every
 *   key present, so paths have something to select), named at build time
 *   by CDNSIM_FUZZ_BASE.  It is read from disk for each input that parses,
 *   as the command does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_overlay.h"
#include "cdn_scenario.h"

#ifndef CDNSIM_FUZZ_BASE
#error "CDNSIM_FUZZ_BASE must name the scenario overlays are applied to"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const cdn_error_t *err)
{
    if (rc >= 0 || err->code != rc || err->msg[0] == '\0' || strchr(err->msg, '\n') != NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cdn_overlay_t *o = NULL;
    cdn_error_t err;
    err.msg[0] = '\0';
    int rc = cdn_overlay_parse((const char *)data, size, "strategy.json", &o, &err);
    if (rc != 0) {
        check_error(rc, &err);
        if (o)
            abort();
        return 0;
    }
    const cdn_overlay_t *list[1] = {o};
    cdn_scenario_t *s = NULL;
    rc = cdn_overlay_load_scenario(CDNSIM_FUZZ_BASE, list, 1, &s, &err);
    if (rc == 0)
        cdn_scenario_destroy(s);
    else
        check_error(rc, &err);
    cdn_overlay_destroy(o);
    return 0;
}
