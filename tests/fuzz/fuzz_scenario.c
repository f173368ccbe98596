/*
 * fuzz_scenario.c -- libFuzzer harness for the scenario loader: any bytes
 * given to cdn_scenario_parse() must give a scenario or an error with a
 * one-line message naming the file, never a crash, a leak, undefined
 * behaviour or a hang.
 *
 * Design
 *   Built only with clang (-DCDNSIM_FUZZ=ON, see scripts/fuzz.sh), with
 *   AddressSanitizer and UndefinedBehaviorSanitizer.  The seed corpus is the
 *   repository's scenarios and tests/data.  Besides the sanitizers, the
 *   harness checks the loader's own contract: exactly one of (scenario,
 *   error) comes back, the error code is CDN_EDATA, and the message is one
 *   line that starts with the file name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdn_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    err.msg[0] = '\0';
    int rc = cdn_scenario_parse((const char *)data, size, "fuzz.json", &s, &err);
    if (rc == 0) {
        if (!s)
            abort();
        cdn_scenario_destroy(s);
        return 0;
    }
    if (s || rc != CDN_EDATA || err.code != rc || strncmp(err.msg, "fuzz.json", 9) != 0 ||
        strchr(err.msg, '\n') != NULL)
        abort();
    return 0;
}
