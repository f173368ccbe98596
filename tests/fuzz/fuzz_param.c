/*
 * fuzz_param.c -- libFuzzer harness for the value paths of `cdnsim sweep
 * --param PATH=VALUE` and of the strategy files' "path" keys: the bytes up
 * to the first '=' are a path, the rest a value given as text
 * (cdn_overlay_add_set_text); a valid pair is applied to a fixed scenario
 * and the result validated.  Nothing may crash, leak or hang.
 *
 * Design
 *   The input is copied into a NUL-terminated buffer (a path or value
 *   with an embedded NUL is cut there, as a command-line argument would
 *   be).  The scenario is tests/data/good/full.json (CDNSIM_FUZZ_BASE).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_overlay.h"
#include "cdn_scenario.h"
#include "sim_alloc.h"

#ifndef CDNSIM_FUZZ_BASE
#error "CDNSIM_FUZZ_BASE must name the scenario overlays are applied to"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = sim_xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *eq = strchr(text, '=');
    if (!eq) {
        free(text);
        return 0;
    }
    *eq = '\0';
    cdn_overlay_t *o = cdn_overlay_create("param", "--param");
    cdn_error_t err;
    err.msg[0] = '\0';
    int rc = cdn_overlay_add_set_text(o, text, eq + 1, &err);
    if (rc == 0) {
        const cdn_overlay_t *list[1] = {o};
        cdn_scenario_t *s = NULL;
        rc = cdn_overlay_load_scenario(CDNSIM_FUZZ_BASE, list, 1, &s, &err);
        if (rc == 0)
            cdn_scenario_destroy(s);
    }
    if (rc != 0 && (err.code != rc || err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL))
        abort();
    cdn_overlay_destroy(o);
    free(text);
    return 0;
}
