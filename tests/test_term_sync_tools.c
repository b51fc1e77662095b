/*
 * test_term_sync_tools.c - the fw-sign tool with the device's verifier, and
 * the libcurl transport's TLS rules against a real TLS server on loopback
 * (openssl s_server with a throw-away certificate): an untrusted
 * certificate, a wrong host name and a wrong pinned key are refused; the
 * right CA and the right pinned key are accepted.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "push_transport.h"
#include "term_fw.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/term_sync_tools_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void fw_sign_tool(void **state)
{
    (void)state;
    char img[300], pub[300], priv[300], sig[320];
    snprintf(img, sizeof(img), "%s/fw.img", dir);
    snprintf(pub, sizeof(pub), "%s/fw.pub", dir);
    snprintf(priv, sizeof(priv), "%s/fw.pem", dir);
    snprintf(sig, sizeof(sig), "%s.sig", img);
    FILE *f = fopen(img, "wb");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++) fputc(i * 31 & 0xff, f);
    fclose(f);
    assert_int_equal(sh("'%s' keygen '%s' '%s' > /dev/null", FW_SIGN_PATH, priv, pub), 0);
    assert_int_not_equal(sh("'%s' keygen '%s' '%s' 2> /dev/null", FW_SIGN_PATH, priv, pub), 0); /* never overwrites */
    assert_int_equal(sh("'%s' sign '%s' '%s' > /dev/null", FW_SIGN_PATH, priv, img), 0);
    uint8_t key[32];
    assert_int_equal(term_fw_pubkey_load(pub, key), PUSH_OK);
    char why[128], md5[33];
    uint8_t sha[32];
    uint64_t size;
    assert_int_equal(term_fw_hash_file(img, md5, sha, &size), PUSH_OK);
    assert_int_equal(size, 100000);
    assert_int_equal(term_fw_verify(img, sig, size, md5, key, why, sizeof(why)), PUSH_OK);
    assert_int_equal(sh("'%s' verify '%s' '%s' > /dev/null", FW_SIGN_PATH, pub, img), 0);
    /* One byte changed: the signature no longer verifies, in the tool and on the device. */
    f = fopen(img, "r+b");
    assert_non_null(f);
    fseek(f, 5000, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    assert_int_equal(term_fw_verify(img, sig, 0, NULL, key, why, sizeof(why)), PUSH_ERR_SIGNATURE);
    assert_int_not_equal(sh("'%s' verify '%s' '%s' 2> /dev/null", FW_SIGN_PATH, pub, img), 0);
    assert_int_equal(term_fw_verify(img, sig, 0, md5, key, why, sizeof(why)), PUSH_ERR_CHECKSUM);
    assert_int_equal(term_fw_verify(img, sig, 99, NULL, key, why, sizeof(why)), PUSH_ERR_SIZE);
    assert_int_equal(term_fw_pubkey_load(img, key), PUSH_ERR_IO); /* not 32 bytes */

    /* USB update (manual 6.6): the same staging and the same checks, without an announced size or MD5. */
    char staging[300], staged[320], part[320];
    snprintf(staging, sizeof(staging), "%s/staging", dir);
    snprintf(staged, sizeof(staged), "%s/firmware.img", staging);
    snprintf(part, sizeof(part), "%s/firmware.part", staging);
    assert_int_equal(sh("mkdir '%s'", staging), 0);
    assert_int_equal(term_fw_stage(staging, img, sig, 0, NULL, key, why, sizeof(why)), PUSH_ERR_SIGNATURE);
    assert_int_not_equal(access(part, F_OK), 0);
    assert_int_not_equal(access(staged, F_OK), 0);
    assert_int_equal(sh("'%s' sign '%s' '%s' > /dev/null", FW_SIGN_PATH, priv, img), 0); /* re-signed as changed */
    assert_int_equal(term_fw_stage(staging, img, sig, 0, NULL, key, why, sizeof(why)), PUSH_OK);
    assert_int_equal(access(staged, F_OK), 0);
    char staged_sig[330];
    snprintf(staged_sig, sizeof(staged_sig), "%s.sig", staged);
    assert_int_equal(term_fw_verify(staged, staged_sig, 100000, NULL, key, why, sizeof(why)), PUSH_OK);
    /* A later bad image leaves the staged good one alone. */
    f = fopen(img, "r+b");
    assert_non_null(f);
    fputc(0xa5, f); /* byte 0 was 0x00 */
    fclose(f);
    assert_int_equal(term_fw_stage(staging, img, sig, 0, NULL, key, why, sizeof(why)), PUSH_ERR_SIGNATURE);
    assert_int_equal(term_fw_verify(staged, staged_sig, 100000, NULL, key, why, sizeof(why)), PUSH_OK);
    assert_int_not_equal(access(part, F_OK), 0);
    char nosig[320];
    snprintf(nosig, sizeof(nosig), "%s/missing.sig", dir);
    assert_int_equal(term_fw_stage(staging, img, nosig, 0, NULL, key, why, sizeof(why)), PUSH_ERR_SIGNATURE);
    assert_int_equal(sh("'%s' bogus 2> /dev/null", FW_SIGN_PATH), 2);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(fd, (struct sockaddr *)&a, &l) != 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static push_status get(const char *server, const char *ca, const char *pinned, long *http)
{
    push_curl_config cc = {0};
    cc.server = server;
    cc.ca_file = ca;
    cc.pinned_pubkey = pinned;
    cc.timeout_ms = 3000;
    push_transport *t = NULL;
    if (push_curl_create(&cc, &t) != PUSH_OK) return PUSH_ERR_INVALID_ARGUMENT;
    push_response r;
    push_status st = t->ops->request(t->ctx, "GET", "/iclock/ping?SN=TLS1", NULL, 0, &r);
    *http = r.status;
    push_response_clear(&r);
    push_transport_destroy(t);
    return st;
}

static void tls_verification(void **state)
{
    (void)state;
    if (sh("command -v openssl > /dev/null") != 0) skip();
    char cert[300], key[300], pub[300], other[300], otherpub[300];
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(pub, sizeof(pub), "%s/pub.pem", dir);
    snprintf(other, sizeof(other), "%s/other.pem", dir);
    snprintf(otherpub, sizeof(otherpub), "%s/otherpub.pem", dir);
    assert_int_equal(sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '%s' -out '%s' "
                        "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 > /dev/null 2>&1",
                        key, cert),
                     0);
    assert_int_equal(sh("openssl pkey -in '%s' -pubout -out '%s' 2> /dev/null", key, pub), 0);
    assert_int_equal(sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '%s' 2> /dev/null", other),
                     0);
    assert_int_equal(sh("openssl pkey -in '%s' -pubout -out '%s' 2> /dev/null", other, otherpub), 0);
    int port = free_port();
    assert_true(port > 0);
    char accept_arg[32];
    snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%d", port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execlp("openssl", "openssl", "s_server", "-accept", accept_arg, "-cert", cert, "-key", key, "-www", "-quiet",
               (char *)NULL);
        _exit(127);
    }
    char url[64], url_name[64];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d", port);
    snprintf(url_name, sizeof(url_name), "https://localhost:%d", port);
    long http = 0;
    push_status st = PUSH_ERR_NETWORK;
    for (int i = 0; i < 100 && st == PUSH_ERR_NETWORK; i++) { /* wait for the server to listen */
        st = get(url, cert, NULL, &http);
        if (st == PUSH_ERR_NETWORK) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(st, PUSH_OK);
    assert_int_equal(http, 200);
    /* Only the system CA store: the self-signed certificate is not trusted. */
    assert_int_equal(get(url, NULL, NULL, &http), PUSH_ERR_TLS);
    /* The certificate names 127.0.0.1, not localhost. */
    assert_int_equal(get(url_name, cert, NULL, &http), PUSH_ERR_TLS);
    /* Pinned key: the server's own is accepted, another is refused. */
    assert_int_equal(get(url, cert, pub, &http), PUSH_OK);
    assert_int_equal(get(url, cert, otherpub, &http), PUSH_ERR_TLS);
    kill(pid, SIGTERM);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fw_sign_tool, setup, teardown),
        cmocka_unit_test_setup_teardown(tls_verification, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
