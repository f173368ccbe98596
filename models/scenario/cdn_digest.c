/*
 * cdn_digest.c -- SHA-256 through Nettle.
 *
 * Design
 *   One call: init, update, digest into 32 bytes, then hex.  Nettle's
 *   update takes a size_t length, so a file of any size is one update.
 *
 *   Rejected: the FNV-1a 64 the manifests used before (not a standard
 *   checksum tool's format, so nobody could check a manifest), OpenSSL's
 *   libcrypto (a larger dependency, and its one-shot SHA256() is
 *   deprecated in 3.0), and a SHA-256 of our own (code to get wrong).
 */
#include "cdn_digest.h"

#include <stdint.h>

#include <nettle/sha2.h>

void cdn_digest_sha256_hex(const void *data, size_t len, char hex[CDN_DIGEST_HEX_LEN])
{
    static const char digits[] = "0123456789abcdef";
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * sizeof d] = '\0';
}
