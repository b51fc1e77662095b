/*
 * term_fw.h - firmware image verification for online (UPGRADE) and USB
 * update.
 *
 * Scheme (docs/sync.md): an image is accepted only when
 *   1. its size equals the size the server announced,
 *   2. its MD5 equals the announced checksum (what the PUSH protocol
 *      itself checks), and
 *   3. its Ed25519 signature verifies under the device's public key.
 * The signature is 64 raw bytes (the file "<image url>.sig") over the
 * 48-byte message "M1FWSIG1" || SHA-256(image) || size (8 bytes, little
 * endian), built by term_fw_message(). Signing a digest keeps
 * verification streaming: the image is never held in memory.
 *
 * A verified image is renamed to "<staging>/firmware.img" with its signature
 * beside it ("firmware.img.sig"): that pair is what the boot loader's A/B
 * installer takes. Anything that fails is deleted; the running firmware and
 * the inactive slot are never touched here.
 *
 * Thread safety: reentrant. Uses OpenSSL libcrypto.
 */
#ifndef TERM_FW_H
#define TERM_FW_H

#include <stddef.h>
#include <stdint.h>

#include "push_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TERM_FW_PUBKEY_BYTES 32
#define TERM_FW_SIG_BYTES 64
#define TERM_FW_MESSAGE_BYTES 48

/* The signed message for an image with this SHA-256 and size. */
void term_fw_message(const uint8_t sha256[32], uint64_t size, uint8_t out[TERM_FW_MESSAGE_BYTES]);

/*
 * Hashes a file: MD5 (hex, lower case) and SHA-256, and its size.
 * Errors: PUSH_ERR_IO, PUSH_ERR_CRYPTO.
 */
push_status term_fw_hash_file(const char *path, char md5_hex[33], uint8_t sha256[32], uint64_t *size);

/*
 * Verifies an image file against the announced size and MD5 (either may be
 * skipped: size 0 / md5_hex NULL, as for a USB update that has no
 * announcement) and the signature file. Errors: PUSH_ERR_SIZE,
 * PUSH_ERR_CHECKSUM, PUSH_ERR_SIGNATURE, PUSH_ERR_IO, PUSH_ERR_CRYPTO;
 * `why` (optional) says which.
 */
push_status term_fw_verify(const char *image_path, const char *sig_path, uint64_t expect_size, const char *md5_hex,
                           const uint8_t pubkey[TERM_FW_PUBKEY_BYTES], char *why, size_t why_cap);

/*
 * Verifies an image and stages it as "<staging_dir>/firmware.img" (+ ".sig")
 * for the A/B installer: the one path for online (UPGRADE) and USB updates.
 * image/sig are copied into the staging directory first unless they are
 * already "<staging_dir>/firmware.part" / ".part.sig" (the download names).
 * Checks as term_fw_verify (expect_size 0 / md5_hex NULL skip those checks,
 * for USB). On any failure the staged copies are deleted and an already
 * staged firmware.img is left as it was. Errors: as term_fw_verify,
 * PUSH_ERR_INVALID_ARGUMENT (path too long).
 */
push_status term_fw_stage(const char *staging_dir, const char *image_path, const char *sig_path, uint64_t expect_size,
                          const char *md5_hex, const uint8_t pubkey[TERM_FW_PUBKEY_BYTES], char *why, size_t why_cap);

/* Reads a raw 32-byte public key file. Errors: PUSH_ERR_IO (missing, or not 32 bytes). */
push_status term_fw_pubkey_load(const char *path, uint8_t out[TERM_FW_PUBKEY_BYTES]);

#ifdef __cplusplus
}
#endif

#endif /* TERM_FW_H */
