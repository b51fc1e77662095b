/* term_t9.c - multi-tap text input (see term_t9.h). */
#include "term_t9.h"

#include <string.h>

static const char *const lower_keys[10] = {" 0",   ".-_1", "abc2",  "def3", "ghi4",
                                           "jkl5", "mno6", "pqrs7", "tuv8", "wxyz9"};
static const char *const upper_keys[10] = {" 0",   ".-_1", "ABC2",  "DEF3", "GHI4",
                                           "JKL5", "MNO6", "PQRS7", "TUV8", "WXYZ9"};
static const char *const symbol_keys[10] = {" ", ".,!?'\"", "@#$%&", "+-*/=", "()[]{}", "<>", ":;_~", "^|\\`", "", ""};

const char *term_t9_mode_name(term_t9_mode mode)
{
    switch (mode) {
    case TERM_T9_DIGITS:
        return "123";
    case TERM_T9_LOWER:
        return "abc";
    case TERM_T9_UPPER:
        return "ABC";
    case TERM_T9_SYMBOL:
        return "sym";
    }
    return "?";
}

static const char *key_set(const term_t9 *t, int digit)
{
    if (digit < 0 || digit > 9) return "";
    switch (t->mode) {
    case TERM_T9_LOWER:
        return lower_keys[digit];
    case TERM_T9_UPPER:
        return upper_keys[digit];
    case TERM_T9_SYMBOL:
        return symbol_keys[digit];
    case TERM_T9_DIGITS:
        break;
    }
    return "";
}

void term_t9_init(term_t9 *t, size_t max, int letters, const char *initial)
{
    memset(t, 0, sizeof(*t));
    if (max < 1) max = 1;
    if (max > TERM_T9_MAX) max = TERM_T9_MAX;
    t->max = max;
    t->letters = letters != 0;
    t->mode = TERM_T9_DIGITS;
    t->pending_key = -1;
    if (initial) {
        size_t n = strlen(initial);
        if (n > max) n = max;
        memcpy(t->text, initial, n);
        t->len = n;
    }
    t->text[t->len] = '\0';
}

void term_t9_commit(term_t9 *t)
{
    t->pending_key = -1;
}

term_t9_result term_t9_tick(term_t9 *t, uint64_t now_ms)
{
    if (t->pending_key >= 0 && now_ms - t->pending_ms >= TERM_T9_COMMIT_MS) {
        term_t9_commit(t);
        return TERM_T9_CHANGED;
    }
    return TERM_T9_NONE;
}

const char *term_t9_candidates(const term_t9 *t, int *index)
{
    if (t->pending_key < 0) {
        if (index) *index = -1;
        return "";
    }
    if (index) *index = (int)t->pending_i;
    return key_set(t, t->pending_key);
}

static term_t9_result append(term_t9 *t, char c)
{
    if (t->len >= t->max) return TERM_T9_FULL;
    t->text[t->len++] = c;
    t->text[t->len] = '\0';
    return TERM_T9_CHANGED;
}

static term_t9_result digit_key(term_t9 *t, int d, uint64_t now_ms)
{
    if (!t->open || t->mode == TERM_T9_DIGITS) {
        term_t9_commit(t);
        return append(t, (char)('0' + d));
    }
    const char *set = key_set(t, d);
    size_t n = strlen(set);
    if (n == 0) return TERM_T9_NONE;
    if (t->pending_key == d && now_ms - t->pending_ms < TERM_T9_COMMIT_MS) {
        t->pending_i = (uint32_t)((t->pending_i + 1) % n);
        t->text[t->len - 1] = set[t->pending_i];
        t->pending_ms = now_ms;
        return TERM_T9_CHANGED;
    }
    term_t9_commit(t);
    term_t9_result r = append(t, set[0]);
    if (r != TERM_T9_CHANGED) return r;
    t->pending_key = d;
    t->pending_i = 0;
    t->pending_ms = now_ms;
    return TERM_T9_CHANGED;
}

/* ^ / v walk the pending letter's set. */
static term_t9_result walk(term_t9 *t, int step, uint64_t now_ms)
{
    if (t->pending_key < 0) return TERM_T9_NONE;
    const char *set = key_set(t, t->pending_key);
    size_t n = strlen(set);
    t->pending_i = (uint32_t)((t->pending_i + n + (size_t)(step > 0 ? 1 : n - 1)) % n);
    t->text[t->len - 1] = set[t->pending_i];
    t->pending_ms = now_ms;
    return TERM_T9_CHANGED;
}

term_t9_result term_t9_key(term_t9 *t, term_key key, uint64_t now_ms)
{
    if (key >= TERM_KEY_0 && key <= TERM_KEY_9) return digit_key(t, (int)(key - TERM_KEY_0), now_ms);
    switch (key) {
    case TERM_KEY_OK:
        term_t9_commit(t);
        return TERM_T9_DONE;
    case TERM_KEY_ESC:
        term_t9_commit(t);
        if (t->open) {
            t->open = 0;
            t->mode = TERM_T9_DIGITS;
            return TERM_T9_CHANGED;
        }
        return TERM_T9_CANCEL;
    case TERM_KEY_LEFT:
        if (t->pending_key >= 0) {
            term_t9_commit(t);
            t->text[--t->len] = '\0';
            return TERM_T9_CHANGED;
        }
        if (t->len == 0) return TERM_T9_NONE;
        t->text[--t->len] = '\0';
        return TERM_T9_CHANGED;
    case TERM_KEY_RIGHT:
        if (!t->letters) return TERM_T9_NONE;
        term_t9_commit(t);
        if (!t->open) {
            t->open = 1;
            t->mode = TERM_T9_DIGITS;
        } else {
            t->mode = (term_t9_mode)(((int)t->mode + 1) % 4);
        }
        return TERM_T9_CHANGED;
    case TERM_KEY_UP:
        return walk(t, -1, now_ms);
    case TERM_KEY_DOWN:
        return walk(t, +1, now_ms);
    default:
        break;
    }
    return TERM_T9_NONE;
}
