/*
 * fw_sign.c - signs firmware images for the terminal (scheme: term_fw.h).
 *
 *   fw-sign keygen <private.pem> <public.key>   new Ed25519 pair; public.key is the raw 32 bytes
 *                                               the device loads, also printed as a C array
 *   fw-sign sign <private.pem> <image> [<sig>]  writes <image>.sig (64 bytes) unless <sig> given
 *   fw-sign verify <public.key> <image> [<sig>] exit 0 when the signature verifies
 *
 * The private key file is written with mode 0600 and never overwritten.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "term_fw.h"

static int usage(void)
{
    fprintf(stderr, "usage: fw-sign keygen <private.pem> <public.key>\n"
                    "       fw-sign sign <private.pem> <image> [<sig>]\n"
                    "       fw-sign verify <public.key> <image> [<sig>]\n");
    return 2;
}

static int write_new_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        perror(path);
        return -1;
    }
    int ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    if (close(fd) != 0) ok = 0;
    if (!ok) fprintf(stderr, "%s: write failed\n", path);
    return ok ? 0 : -1;
}

static int keygen(const char *priv_path, const char *pub_path)
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    int rc = 1;
    if (pctx == NULL || EVP_PKEY_keygen_init(pctx) != 1 || EVP_PKEY_keygen(pctx, &key) != 1) {
        fprintf(stderr, "key generation failed\n");
        goto done;
    }
    uint8_t pub[TERM_FW_PUBKEY_BYTES];
    size_t publen = sizeof(pub);
    if (EVP_PKEY_get_raw_public_key(key, pub, &publen) != 1 || publen != sizeof(pub)) goto done;
    int fd = open(priv_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        perror(priv_path);
        goto done;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1) {
        fprintf(stderr, "%s: cannot write the private key\n", priv_path);
        if (f)
            fclose(f);
        else
            close(fd);
        goto done;
    }
    fclose(f);
    if (write_new_file(pub_path, pub, sizeof(pub), 0644) != 0) goto done;
    printf("static const uint8_t fw_pubkey[32] = {");
    for (size_t i = 0; i < sizeof(pub); i++) printf("%s0x%02x", i ? ", " : "", pub[i]);
    printf("};\n");
    rc = 0;
done:
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

static int sign(const char *priv_path, const char *image, const char *sig_path)
{
    FILE *f = fopen(priv_path, "r");
    if (f == NULL) {
        perror(priv_path);
        return 1;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (key == NULL || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
        fprintf(stderr, "%s: not an Ed25519 private key\n", priv_path);
        EVP_PKEY_free(key);
        return 1;
    }
    char md5[33];
    uint8_t sha[32], msg[TERM_FW_MESSAGE_BYTES], sig[TERM_FW_SIG_BYTES];
    uint64_t size;
    int rc = 1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = sizeof(sig);
    if (term_fw_hash_file(image, md5, sha, &size) != PUSH_OK) {
        fprintf(stderr, "%s: cannot read\n", image);
        goto done;
    }
    term_fw_message(sha, size, msg);
    if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) != 1 || siglen != sizeof(sig)) {
        fprintf(stderr, "signing failed\n");
        goto done;
    }
    char def[4096];
    if (sig_path == NULL) {
        if (snprintf(def, sizeof(def), "%s.sig", image) >= (int)sizeof(def)) goto done;
        sig_path = def;
    }
    unlink(sig_path); /* a signature is replaced, never a key */
    if (write_new_file(sig_path, sig, sizeof(sig), 0644) != 0) goto done;
    printf("signed %s: %llu bytes, md5 %s -> %s\n", image, (unsigned long long)size, md5, sig_path);
    rc = 0;
done:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return rc;
}

static int verify(const char *pub_path, const char *image, const char *sig_path)
{
    uint8_t pub[TERM_FW_PUBKEY_BYTES];
    char def[4096], why[128] = "";
    if (term_fw_pubkey_load(pub_path, pub) != PUSH_OK) {
        fprintf(stderr, "%s: not a 32-byte public key\n", pub_path);
        return 1;
    }
    if (sig_path == NULL) {
        if (snprintf(def, sizeof(def), "%s.sig", image) >= (int)sizeof(def)) return 1;
        sig_path = def;
    }
    push_status st = term_fw_verify(image, sig_path, 0, NULL, pub, why, sizeof(why));
    if (st != PUSH_OK) {
        fprintf(stderr, "%s: REJECTED (%s: %s)\n", image, push_status_name(st), why);
        return 1;
    }
    printf("%s: signature OK\n", image);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "keygen") == 0) return keygen(argv[2], argv[3]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "sign") == 0)
        return sign(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "verify") == 0)
        return verify(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    return usage();
}
