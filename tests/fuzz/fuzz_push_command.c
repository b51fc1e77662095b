/*
 * libFuzzer target for the PUSH command parsers: getrequest lines
 * ("C:<id>:<cmd>") and every command's arguments. Accepted commands must
 * hold only validated values.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "push_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int alnum(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return 0;
    return 1;
}

static void check_cmd(const char *text, size_t len)
{
    push_cmd c;
    char why[160];
    push_status st = push_cmd_parse(text, len, &c, why, sizeof(why));
    if (st != PUSH_OK) {
        if (c.error_ret >= 0) __builtin_trap();
        return;
    }
    if (c.kind == PUSH_CMD_UNKNOWN || c.kind == PUSH_CMD_REFUSED) __builtin_trap();
    if (c.pin[0] && (!alnum(c.pin) || strlen(c.pin) > PUSH_PIN_MAX)) __builtin_trap();
    if (c.fid > 9) __builtin_trap();
    if (c.tmp != NULL && (c.tmp < text || c.tmp + c.tmp_len > text + len || c.tmp_len > PUSH_TMP_B64_MAX))
        __builtin_trap();
    if (c.kind == PUSH_CMD_UPGRADE && (strlen(c.checksum) != 32 || c.size == 0 || c.url[0] == '\0')) __builtin_trap();
    if (c.kind == PUSH_CMD_QUERY_ATTLOG && c.start > c.end) __builtin_trap();
    if (c.privilege != 0 && c.privilege != 1) __builtin_trap();
    if (c.kind == PUSH_CMD_VERIFY_SUM && (c.start > c.end || strcmp(c.reply_cmd, "VERIFY SUM") != 0)) __builtin_trap();
    /* BIODATA: every number within the protocol's range, Tmp present */
    if (c.bio_type < 0 || c.bio_type >= PUSH_BIO_TYPES || c.bio_index > 9 || c.duress < 0 || c.duress > 1 ||
        c.bio_format < 0 || c.bio_format > 9 || c.major_ver < 0 || c.major_ver > 99 || c.minor_ver < 0 ||
        c.minor_ver > 99)
        __builtin_trap();
    if (c.kind == PUSH_CMD_UPDATE_BIO && (c.tmp == NULL || c.tmp_len == 0 || c.valid < 0 || c.valid > 1))
        __builtin_trap();
    if ((c.kind == PUSH_CMD_DELETE_BIO || c.kind == PUSH_CMD_QUERY_FP) && c.pin[0] == '\0') __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    /* Every line as getrequest would split it. */
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || text[i] == '\n') {
            push_cmd_line cl;
            if (push_cmd_line_parse(text + start, i - start, &cl) == PUSH_OK) {
                if (strlen(cl.id) == 0 || strlen(cl.id) > PUSH_CMD_ID_MAX || !alnum(cl.id)) __builtin_trap();
                if (cl.text < text + start || cl.text + cl.text_len > text + i) __builtin_trap();
                check_cmd(cl.text, cl.text_len);
            }
            start = i + 1;
        }
    }
    /* And the whole input as one command text. */
    check_cmd(text, size);
    return 0;
}
