/*
 * cdn_digest.h -- SHA-256 of the bytes of an input file (scenario,
 * strategy), as the lowercase hex that `sha256sum` prints and checks.
 *
 * Contract
 *   cdn_digest_sha256_hex() hashes `len` bytes with Nettle's SHA-256 (a
 *   maintained library: Debian nettle-dev) and writes 64 hex digits and
 *   a NUL into hex[CDN_DIGEST_HEX_LEN].  The loaders hash the very bytes
 *   they parse, so a manifest names what was simulated even if the file
 *   changes afterwards.
 *
 * Errors: none.  Threads: no state; reentrant.
 */
#ifndef CDNSIM_CDN_DIGEST_H
#define CDNSIM_CDN_DIGEST_H

#include <stddef.h>

#define CDN_DIGEST_HEX_LEN 65 /* 64 hex digits and the NUL */

void cdn_digest_sha256_hex(const void *data, size_t len, char hex[CDN_DIGEST_HEX_LEN]);

#endif /* CDNSIM_CDN_DIGEST_H */
