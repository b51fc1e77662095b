/*
 * libFuzzer target for the PUSH server-reply parsers: the options
 * response (with the unified-template and options-push keys), the upload
 * acknowledgement and the HTTP Date header. Whatever
 * is accepted must satisfy the documented ranges.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "push_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    push_options o;
    char why[160];
    push_status st = push_options_parse(text, size, "SN1", &o, why, sizeof(why));
    if (st == PUSH_OK || st == PUSH_ADJUSTED) {
        if (o.error_delay_s < PUSH_ERROR_DELAY_MIN || o.error_delay_s > PUSH_ERROR_DELAY_MAX) __builtin_trap();
        if (o.delay_s < PUSH_DELAY_MIN || o.delay_s > PUSH_DELAY_MAX) __builtin_trap();
        if (o.trans_interval_min > PUSH_TRANS_INTERVAL_MAX) __builtin_trap();
        if (o.timezone_min < -720 || o.timezone_min > 840) __builtin_trap();
        if (o.n_trans_times > PUSH_TRANS_TIMES_MAX) __builtin_trap();
        for (uint32_t i = 0; i < o.n_trans_times; i++)
            if (o.trans_times[i] >= 1440) __builtin_trap();
        if (strlen(o.att_stamp) > PUSH_STAMP_MAX || strlen(o.op_stamp) > PUSH_STAMP_MAX) __builtin_trap();
        if (o.realtime != 0 && o.realtime != 1) __builtin_trap();
        if (strlen(o.bio_stamp) > PUSH_STAMP_MAX) __builtin_trap();
        if (o.bio_data_support >= 1u << PUSH_BIO_TYPES) __builtin_trap();
        if (o.push_options_flag != 0 && o.push_options_flag != 1) __builtin_trap();
        /* PushOptions: keys of letters, digits, '_' and '~', one comma between two */
        size_t kl = strlen(o.push_options);
        if (kl > PUSH_OPTIONS_KEYS_MAX) __builtin_trap();
        for (size_t i = 0; i < kl; i++) {
            char c = o.push_options[i];
            int key =
                (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '~';
            if (!key && !(c == ',' && i > 0 && i + 1 < kl && o.push_options[i - 1] != ',')) __builtin_trap();
        }
        if ((st == PUSH_ADJUSTED) != (o.adjusted != 0)) __builtin_trap();
    }
    if (memchr(why, '\0', sizeof(why)) == NULL) __builtin_trap();
    push_options_parse(text, size, NULL, &o, NULL, 0);

    int64_t n;
    if (push_ack_parse(text, size, &n) == PUSH_OK && n < -1) __builtin_trap();
    int64_t t;
    if (push_http_date_parse(text, size, &t) == PUSH_OK) {
        char back[20];
        push_time_format(t, back);
        int64_t again;
        if (push_time_parse(back, 19, &again) != PUSH_OK || again != t) __builtin_trap();
    }
    size_t w;
    uint8_t out[256];
    push_base64_decode(text, size, out, sizeof(out), &w);
    return 0;
}
