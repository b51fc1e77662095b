/*
 * sync_fw.c - UPGRADE: download, verification, staging; and the USB
 * staging entry point. See term_sync_internal.h and docs/sync.md "Firmware".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term_sync_internal.h"

static push_status fetch(term_sync *s, const char *url, const char *suffix, const char *path, uint64_t max,
                         uint64_t *got)
{
    char full[PUSH_URL_MAX + 8], enc[3 * (PUSH_URL_MAX + 8) + 1], target[3 * (PUSH_URL_MAX + 8) + 96];
    snprintf(full, sizeof(full), "%s%s", url, suffix);
    if (strncmp(full, "http://", 7) == 0 || strncmp(full, "https://", 8) == 0) {
        snprintf(target, sizeof(target), "%s", full);
    } else {
        /* The protocol's download request for a server-relative file. */
        sync_pct(full, enc, sizeof(enc));
        snprintf(target, sizeof(target), "/iclock/file?SN=%s&url=%s", s->sn, enc);
    }
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return PUSH_ERR_IO;
    push_status st = s->tp->ops->download(s->tp->ctx, target, fd, max, got);
    if (st == PUSH_OK && fsync(fd) != 0) st = PUSH_ERR_IO;
    if (close(fd) != 0 && st == PUSH_OK) st = PUSH_ERR_IO;
    return st;
}

int sync_exec_upgrade(term_sync *s, const push_cmd *c)
{
    if (s->staging[0] == '\0' || !s->have_key || s->tp->ops->download == NULL) return PUSH_RET_NOT_SUPPORTED;
    /* Manual 6.7: online update happens only when the operator switched it on at the terminal. */
    if (!s->online_update) {
        sync_log(s, TERM_SYNC_LOG_WARN, "UPGRADE refused: online update is off on this terminal");
        return PUSH_RET_CONFIG;
    }
    char part[512], sig[520], img[512], why[160] = "";
    snprintf(part, sizeof(part), "%s/firmware.part", s->staging);
    snprintf(sig, sizeof(sig), "%s/firmware.part.sig", s->staging);
    snprintf(img, sizeof(img), "%s/firmware.img", s->staging);
    uint64_t got = 0, got_sig = 0;
    push_status st = fetch(s, c->url, "", part, c->size, &got);
    if (st == PUSH_OK) st = fetch(s, c->url, ".sig", sig, TERM_FW_SIG_BYTES, &got_sig);
    int ret = 0;
    if (st != PUSH_OK) {
        sync_log(s, TERM_SYNC_LOG_ERROR, "UPGRADE download failed: %s", push_status_message(st));
        ret = st == PUSH_ERR_IO ? PUSH_RET_READ_WRITE : PUSH_RET_FETCH_FAILED;
        unlink(part);
        unlink(sig);
        return ret;
    }
    st = term_fw_stage(s->staging, part, sig, c->size, c->checksum, s->pubkey, why, sizeof(why));
    if (st != PUSH_OK) {
        sync_log(s, TERM_SYNC_LOG_ERROR, "UPGRADE rejected: %s (%s)", why, push_status_name(st));
        return st == PUSH_ERR_IO ? PUSH_RET_READ_WRITE : PUSH_RET_BAD_PARAMETER;
    }
    sync_log(s, TERM_SYNC_LOG_INFO, "firmware verified and staged: %s (%llu bytes)", img, (unsigned long long)got);
    if (s->dev.firmware_ready) s->dev.firmware_ready(s->dev.ctx, img);
    return 0;
}

push_status term_sync_stage_file(term_sync *s, const char *image_path, const char *sig_path, char *why, size_t why_cap)
{
    if (why && why_cap) why[0] = '\0';
    if (!s || !image_path || !sig_path) return PUSH_ERR_INVALID_ARGUMENT;
    if (s->staging[0] == '\0' || !s->have_key) return PUSH_ERR_UNSUPPORTED;
    char img[512];
    snprintf(img, sizeof(img), "%s/firmware.img", s->staging);
    push_status st = term_fw_stage(s->staging, image_path, sig_path, 0, NULL, s->pubkey, why, why_cap);
    if (st != PUSH_OK) {
        sync_log(s, TERM_SYNC_LOG_ERROR, "USB upgrade rejected: %s (%s)", why ? why : "", push_status_name(st));
        return st;
    }
    sync_log(s, TERM_SYNC_LOG_INFO, "firmware from USB verified and staged: %s", img);
    if (s->dev.firmware_ready) s->dev.firmware_ready(s->dev.ctx, img);
    return PUSH_OK;
}
