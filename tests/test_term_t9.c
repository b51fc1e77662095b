/*
 * test_term_t9.c - multi-tap text input (manual 1.3): the manual's example
 * key@M1 typed key by key, modes, deletion, the commit timeout, ESC and
 * digit-only fields.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <string.h>

#include "term_t9.h"

typedef struct typist {
    term_t9 t;
    uint64_t now;
} typist;

/* Presses keys written as a string: digits, '>' right, '<' left, '^' up, 'v' down, 'E' ESC, 'O' OK, ' ' a pause. */
static term_t9_result type(typist *ty, const char *keys)
{
    term_t9_result last = TERM_T9_NONE;
    for (const char *k = keys; *k; k++) {
        ty->now += 200;
        term_key key;
        switch (*k) {
        case '>':
            key = TERM_KEY_RIGHT;
            break;
        case '<':
            key = TERM_KEY_LEFT;
            break;
        case '^':
            key = TERM_KEY_UP;
            break;
        case 'v':
            key = TERM_KEY_DOWN;
            break;
        case 'E':
            key = TERM_KEY_ESC;
            break;
        case 'O':
            key = TERM_KEY_OK;
            break;
        case ' ':
            ty->now += TERM_T9_COMMIT_MS;
            term_t9_tick(&ty->t, ty->now);
            continue;
        default:
            key = (term_key)(TERM_KEY_0 + (*k - '0'));
            break;
        }
        last = term_t9_key(&ty->t, key, ty->now);
    }
    return last;
}

static void test_manual_example_key_at_m1(void **state)
{
    (void)state;
    typist ty = {.now = 1000};
    term_t9_init(&ty.t, 16, 1, NULL);
    /* ">" shows the input method (123), ">" again switches to abc. */
    type(&ty, ">");
    assert_true(ty.t.open);
    assert_string_equal(term_t9_mode_name(ty.t.mode), "123");
    type(&ty, ">");
    assert_string_equal(term_t9_mode_name(ty.t.mode), "abc");
    /* 5JKL twice: k. */
    type(&ty, "55");
    assert_string_equal(ty.t.text, "k");
    int idx = -1;
    assert_string_equal(term_t9_candidates(&ty.t, &idx), "jkl5");
    assert_int_equal(idx, 1);
    /* 3DEF twice: e; then y (9 three times). */
    type(&ty, "33");
    assert_string_equal(ty.t.text, "ke");
    type(&ty, "999");
    assert_string_equal(ty.t.text, "key");
    /* ">" to ABC, ">" to symbols, 2ABC: @. */
    type(&ty, ">>");
    assert_string_equal(term_t9_mode_name(ty.t.mode), "sym");
    type(&ty, "2");
    assert_string_equal(ty.t.text, "key@");
    /* > 123, > abc, > ABC: M is 6 once. */
    type(&ty, ">>>6");
    assert_string_equal(ty.t.text, "key@M");
    /* > sym, > 123: 1. */
    type(&ty, ">>1");
    assert_string_equal(term_t9_mode_name(ty.t.mode), "123");
    assert_string_equal(ty.t.text, "key@M1");
    /* ESC leaves the input method, M/OK saves. */
    assert_int_equal(type(&ty, "E"), TERM_T9_CHANGED);
    assert_false(ty.t.open);
    assert_int_equal(type(&ty, "O"), TERM_T9_DONE);
    assert_string_equal(ty.t.text, "key@M1");
}

static void test_same_key_after_pause_starts_new_letter(void **state)
{
    (void)state;
    typist ty = {.now = 5};
    term_t9_init(&ty.t, 16, 1, NULL);
    type(&ty, ">>");
    type(&ty, "2 22 2222");
    /* a, then b, then the key's fourth entry: the digit 2. */
    assert_string_equal(ty.t.text, "ab2");
    /* walking wraps around. */
    type(&ty, " 22222");
    assert_string_equal(ty.t.text, "ab2a");
    /* ^ and v walk the pending letter */
    type(&ty, " 7vv");
    assert_string_equal(ty.t.text, "ab2ar");
    type(&ty, "^");
    assert_string_equal(ty.t.text, "ab2aq");
}

static void test_delete_and_limits(void **state)
{
    (void)state;
    typist ty = {.now = 5};
    term_t9_init(&ty.t, 3, 1, "12");
    assert_string_equal(ty.t.text, "12");
    assert_int_equal(type(&ty, "3"), TERM_T9_CHANGED);
    assert_int_equal(type(&ty, "4"), TERM_T9_FULL);
    assert_string_equal(ty.t.text, "123");
    type(&ty, "<<");
    assert_string_equal(ty.t.text, "1");
    /* "<" on a pending letter drops only that letter */
    type(&ty, ">>66<");
    assert_string_equal(ty.t.text, "1");
    type(&ty, "<");
    assert_string_equal(ty.t.text, "");
    assert_int_equal(type(&ty, "<"), TERM_T9_NONE);
    /* ESC with the method open closes it; a second ESC leaves the field */
    type(&ty, ">");
    assert_int_equal(type(&ty, "E"), TERM_T9_CHANGED);
    assert_int_equal(type(&ty, "E"), TERM_T9_CANCEL);
}

static void test_digits_only_field(void **state)
{
    (void)state;
    typist ty = {.now = 5};
    term_t9_init(&ty.t, 24, 0, NULL);
    assert_int_equal(type(&ty, ">"), TERM_T9_NONE);
    assert_false(ty.t.open);
    type(&ty, "5551");
    assert_string_equal(ty.t.text, "5551");
    assert_int_equal(type(&ty, "O"), TERM_T9_DONE);
}

static void test_upper_and_symbol_sets(void **state)
{
    (void)state;
    typist ty = {.now = 5};
    term_t9_init(&ty.t, 20, 1, NULL);
    type(&ty, ">>>");
    assert_string_equal(term_t9_mode_name(ty.t.mode), "ABC");
    type(&ty, "9999 0");
    assert_string_equal(ty.t.text, "Z ");
    type(&ty, " >1 11");
    assert_string_equal(ty.t.text, "Z .,");
    /* the cycle goes back to digits */
    type(&ty, " >");
    assert_string_equal(term_t9_mode_name(ty.t.mode), "123");
    assert_string_equal(term_t9_mode_name((term_t9_mode)9), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manual_example_key_at_m1), cmocka_unit_test(test_same_key_after_pause_starts_new_letter),
        cmocka_unit_test(test_delete_and_limits),        cmocka_unit_test(test_digits_only_field),
        cmocka_unit_test(test_upper_and_symbol_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
