/*
 * term_fw.c - firmware verification: size, MD5 and Ed25519 (OpenSSL).
 */
#include "term_fw.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void term_fw_message(const uint8_t sha256[32], uint64_t size, uint8_t out[TERM_FW_MESSAGE_BYTES])
{
    memcpy(out, "M1FWSIG1", 8);
    memcpy(out + 8, sha256, 32);
    for (int i = 0; i < 8; i++) out[40 + i] = (uint8_t)(size >> (8 * i));
}

push_status term_fw_hash_file(const char *path, char md5_hex[33], uint8_t sha256[32], uint64_t *size)
{
    if (path == NULL || md5_hex == NULL || sha256 == NULL || size == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return PUSH_ERR_IO;
    EVP_MD_CTX *md5 = EVP_MD_CTX_new(), *sha = EVP_MD_CTX_new();
    push_status st = PUSH_OK;
    if (md5 == NULL || sha == NULL || EVP_DigestInit_ex(md5, EVP_md5(), NULL) != 1 ||
        EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1)
        st = PUSH_ERR_CRYPTO;
    uint64_t total = 0;
    unsigned char buf[16384];
    while (st == PUSH_OK) {
        size_t n = fread(buf, 1, sizeof(buf), f);
        if (n == 0) {
            if (ferror(f)) st = PUSH_ERR_IO;
            break;
        }
        total += n;
        if (EVP_DigestUpdate(md5, buf, n) != 1 || EVP_DigestUpdate(sha, buf, n) != 1) st = PUSH_ERR_CRYPTO;
    }
    unsigned char d5[16];
    unsigned int len5 = 0, len2 = 0;
    if (st == PUSH_OK && (EVP_DigestFinal_ex(md5, d5, &len5) != 1 || EVP_DigestFinal_ex(sha, sha256, &len2) != 1))
        st = PUSH_ERR_CRYPTO;
    if (st == PUSH_OK) {
        for (int i = 0; i < 16; i++) snprintf(md5_hex + 2 * i, 3, "%02x", d5[i]);
        *size = total;
    }
    EVP_MD_CTX_free(md5);
    EVP_MD_CTX_free(sha);
    fclose(f);
    return st;
}

static push_status fail(char *why, size_t cap, push_status st, const char *msg)
{
    if (why != NULL && cap > 0) snprintf(why, cap, "%s", msg);
    return st;
}

push_status term_fw_verify(const char *image_path, const char *sig_path, uint64_t expect_size, const char *md5_hex,
                           const uint8_t pubkey[TERM_FW_PUBKEY_BYTES], char *why, size_t why_cap)
{
    if (image_path == NULL || sig_path == NULL || pubkey == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    char md5[33];
    uint8_t sha[32];
    uint64_t size = 0;
    push_status st = term_fw_hash_file(image_path, md5, sha, &size);
    if (st != PUSH_OK) return fail(why, why_cap, st, "cannot read the downloaded image");
    if (expect_size != 0 && size != expect_size)
        return fail(why, why_cap, PUSH_ERR_SIZE, "image size differs from the announced size");
    if (md5_hex != NULL && strcmp(md5, md5_hex) != 0)
        return fail(why, why_cap, PUSH_ERR_CHECKSUM, "image MD5 differs from the announced checksum");

    uint8_t sig[TERM_FW_SIG_BYTES + 1];
    FILE *f = fopen(sig_path, "rb");
    if (f == NULL) return fail(why, why_cap, PUSH_ERR_SIGNATURE, "no signature file");
    size_t n = fread(sig, 1, sizeof(sig), f);
    fclose(f);
    if (n != TERM_FW_SIG_BYTES) return fail(why, why_cap, PUSH_ERR_SIGNATURE, "signature is not 64 bytes");

    uint8_t msg[TERM_FW_MESSAGE_BYTES];
    term_fw_message(sha, size, msg);
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pubkey, TERM_FW_PUBKEY_BYTES);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    st = PUSH_ERR_CRYPTO;
    if (key != NULL && ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1) {
        int rc = EVP_DigestVerify(ctx, sig, TERM_FW_SIG_BYTES, msg, sizeof(msg));
        st = rc == 1 ? PUSH_OK : PUSH_ERR_SIGNATURE;
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (st == PUSH_ERR_SIGNATURE) return fail(why, why_cap, st, "Ed25519 signature does not verify");
    if (st != PUSH_OK) return fail(why, why_cap, st, "crypto library failure");
    return PUSH_OK;
}

push_status term_fw_pubkey_load(const char *path, uint8_t out[TERM_FW_PUBKEY_BYTES])
{
    if (path == NULL || out == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return PUSH_ERR_IO;
    uint8_t buf[TERM_FW_PUBKEY_BYTES + 1];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (n != TERM_FW_PUBKEY_BYTES) return PUSH_ERR_IO;
    memcpy(out, buf, TERM_FW_PUBKEY_BYTES);
    return PUSH_OK;
}

/* Copies src to dst (created 0600, fsynced). */
static push_status copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY);
    if (in < 0) return PUSH_ERR_IO;
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0) {
        close(in);
        return PUSH_ERR_IO;
    }
    push_status st = PUSH_OK;
    char buf[16384];
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n == 0) break;
        if (n < 0) {
            st = PUSH_ERR_IO;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w <= 0) {
                st = PUSH_ERR_IO;
                break;
            }
            off += w;
        }
        if (st != PUSH_OK) break;
    }
    if (st == PUSH_OK && fsync(out) != 0) st = PUSH_ERR_IO;
    if (close(out) != 0 && st == PUSH_OK) st = PUSH_ERR_IO;
    close(in);
    return st;
}

push_status term_fw_stage(const char *staging_dir, const char *image_path, const char *sig_path, uint64_t expect_size,
                          const char *md5_hex, const uint8_t pubkey[TERM_FW_PUBKEY_BYTES], char *why, size_t why_cap)
{
    if (staging_dir == NULL || image_path == NULL || sig_path == NULL || pubkey == NULL)
        return PUSH_ERR_INVALID_ARGUMENT;
    char part[512], psig[512], img[512], isig[512];
    if (snprintf(part, sizeof(part), "%s/firmware.part", staging_dir) >= (int)sizeof(part) ||
        snprintf(psig, sizeof(psig), "%s/firmware.part.sig", staging_dir) >= (int)sizeof(psig) ||
        snprintf(img, sizeof(img), "%s/firmware.img", staging_dir) >= (int)sizeof(img) ||
        snprintf(isig, sizeof(isig), "%s/firmware.img.sig", staging_dir) >= (int)sizeof(isig))
        return PUSH_ERR_INVALID_ARGUMENT;
    push_status st = PUSH_OK;
    if (strcmp(image_path, part) != 0) st = copy_file(image_path, part);
    if (st == PUSH_OK && strcmp(sig_path, psig) != 0) {
        st = copy_file(sig_path, psig);
        if (st != PUSH_OK) st = PUSH_ERR_SIGNATURE; /* no signature file to be had */
    }
    if (st != PUSH_OK)
        fail(why, why_cap, st, st == PUSH_ERR_SIGNATURE ? "no signature file" : "cannot copy the image to staging");
    else
        st = term_fw_verify(part, psig, expect_size, md5_hex, pubkey, why, why_cap);
    if (st == PUSH_OK) {
        /* Signature first, image last: firmware.img present means a verified pair is complete. */
        if (rename(psig, isig) != 0 || rename(part, img) != 0)
            st = fail(why, why_cap, PUSH_ERR_IO, "cannot rename the verified image");
        int dfd = open(staging_dir, O_RDONLY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    if (st != PUSH_OK) {
        unlink(part);
        unlink(psig);
    }
    return st;
}
