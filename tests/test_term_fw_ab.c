/*
 * A/B firmware slots: a pending slot is tried a bounded number of times
 * and then given up, confirmation switches slots, the confirmed slot is
 * never written, a damaged state boots slot A, and an install killed at a
 * random moment leaves either the old state or a complete new image.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "term_fw_ab.h"

static char dir[128];

static void put(const char *name, const char *text, size_t len)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static size_t get(const char *name, char *buf, size_t cap)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static char boot(unsigned max)
{
    char slot = 0;
    assert_int_equal(term_fw_ab_boot(dir, max, &slot), PUSH_OK);
    return slot;
}

static void test_try_then_give_up(void **state)
{
    (void)state;
    put("slot_a.img", "old firmware", 12);
    put("new.img", "new firmware", 12);
    assert_int_equal(boot(3), 'A');
    assert_int_equal(term_fw_ab_install(dir, "/nonexistent/image"), PUSH_ERR_IO);
    char img[256];
    snprintf(img, sizeof img, "%s/new.img", dir);
    assert_int_equal(term_fw_ab_install(dir, img), PUSH_OK);
    term_fw_ab_state s;
    int valid;
    assert_int_equal(term_fw_ab_state_read(dir, &s, &valid), PUSH_OK);
    assert_true(valid);
    assert_int_equal(s.confirmed, 'A');
    assert_int_equal(s.pending, 'B');
    /* The new image never confirms itself: three tries, then slot A again, for good. */
    assert_int_equal(boot(3), 'B');
    assert_int_equal(boot(3), 'B');
    assert_int_equal(boot(3), 'B');
    assert_int_equal(boot(3), 'A');
    assert_int_equal(boot(3), 'A');
    char buf[64];
    assert_int_equal(get("slot_a.img", buf, sizeof buf), 12);
    assert_memory_equal(buf, "old firmware", 12);
    /* Confirming a slot that is not pending is refused. */
    assert_int_equal(term_fw_ab_confirm(dir, 'B'), PUSH_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_fw_ab_confirm(dir, 'A'), PUSH_OK);
}

static void test_confirm_switches(void **state)
{
    (void)state;
    put("boot.state", "", 0);
    put("slot_a.img", "first", 5);
    put("second.img", "second", 6);
    put("third.img", "third!", 6);
    char img[256];
    snprintf(img, sizeof img, "%s/second.img", dir);
    assert_int_equal(term_fw_ab_install(dir, img), PUSH_OK);
    assert_int_equal(boot(3), 'B');
    assert_int_equal(term_fw_ab_confirm(dir, 'B'), PUSH_OK);
    assert_int_equal(boot(3), 'B');
    /* The next update goes to A, the slot that is now not confirmed; B stays as it is. */
    snprintf(img, sizeof img, "%s/third.img", dir);
    assert_int_equal(term_fw_ab_install(dir, img), PUSH_OK);
    char buf[64];
    assert_int_equal(get("slot_a.img", buf, sizeof buf), 6);
    assert_memory_equal(buf, "third!", 6);
    assert_int_equal(get("slot_b.img", buf, sizeof buf), 6);
    assert_memory_equal(buf, "second", 6);
    assert_int_equal(boot(1), 'A');
    assert_int_equal(boot(1), 'B'); /* one try only, then back to the confirmed B */
}

static void test_damaged_state(void **state)
{
    (void)state;
    static const char *bad[] = {"garbage", "M1AB1 confirmed=C pending=- tries=0\n",
                                "M1AB1 confirmed=A pending=A tries=0\n", "M1AB1 confirmed=B pending=A tries=7"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put("boot.state", bad[i], strlen(bad[i]));
        term_fw_ab_state s;
        int valid = 1;
        assert_int_equal(term_fw_ab_state_read(dir, &s, &valid), PUSH_OK);
        assert_false(valid);
        assert_int_equal(s.confirmed, 'A');
        assert_int_equal(s.pending, 0);
        assert_int_equal(boot(3), 'A');
    }
    assert_int_equal(term_fw_ab_boot(NULL, 3, NULL), PUSH_ERR_INVALID_ARGUMENT);
}

/* Kill an install at random moments: afterwards the state is either the old
 * one or names a pending slot that holds the whole new image. */
static void test_killed_install(void **state)
{
    (void)state;
    const size_t size = 8u << 20;
    char *big = malloc(size);
    assert_non_null(big);
    for (size_t i = 0; i < size; i++) big[i] = (char)(i * 7 + 3);
    put("boot.state", "M1AB1 confirmed=A pending=- tries=0\n", 36);
    put("slot_a.img", "old", 3);
    put("big.img", big, size);
    char img[256];
    snprintf(img, sizeof img, "%s/big.img", dir);
    srand(99);
    int completed = 0, interrupted = 0;
    for (int round = 0; round < 12; round++) {
        put("boot.state", "M1AB1 confirmed=A pending=- tries=0\n", 36);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) _exit(term_fw_ab_install(dir, img) == PUSH_OK ? 0 : 1);
        usleep((useconds_t)(rand() % 40000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        term_fw_ab_state s;
        int valid;
        assert_int_equal(term_fw_ab_state_read(dir, &s, &valid), PUSH_OK);
        assert_true(valid);
        assert_int_equal(s.confirmed, 'A');
        if (s.pending) {
            assert_int_equal(s.pending, 'B');
            char *back = malloc(size + 1);
            assert_non_null(back);
            assert_int_equal(get("slot_b.img", back, size + 1), size);
            assert_memory_equal(back, big, size);
            free(back);
            completed++;
        } else {
            interrupted++;
        }
        char buf[8];
        assert_int_equal(get("slot_a.img", buf, sizeof buf), 3);
    }
    print_message("killed installs: %d completed before the kill, %d interrupted (old state kept)\n", completed,
                  interrupted);
    free(big);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fw-ab-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_try_then_give_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_switches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_install, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
