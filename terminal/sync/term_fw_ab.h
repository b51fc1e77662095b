/*
 * term_fw_ab.h - A/B firmware slots: installing a verified image so that a
 * failed update boots the old one.
 *
 * A firmware directory holds two slots, "slot_a.img" and "slot_b.img", and
 * "boot.state": which slot is confirmed (the one known to start), which is
 * pending (installed, not yet confirmed) and how many times the pending
 * slot has been tried. The three parties:
 *
 *  - the updater (online UPGRADE or USB upgrade, after term_fw_stage has
 *    verified size, MD5 and signature) calls term_fw_ab_install: the image
 *    is copied into the slot that is not confirmed, flushed, renamed into
 *    place, and only then the state says "pending: that slot, 0 tries";
 *  - the boot loader calls term_fw_ab_boot at every start: a pending slot
 *    is tried at most max_tries times, then given up (the confirmed slot
 *    boots again and the pending one is forgotten);
 *  - the new firmware, once it has started well, calls term_fw_ab_confirm:
 *    the pending slot becomes the confirmed one.
 *
 * Every state change is a whole new state file written to "boot.state.tmp",
 * flushed and renamed, so a power cut leaves the old or the new state. A
 * state file that cannot be read (missing, damaged) is read as "slot A
 * confirmed, nothing pending", so the device always has a slot to boot.
 */
#ifndef TERM_FW_AB_H
#define TERM_FW_AB_H

#include "push_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct term_fw_ab_state {
    char confirmed; /* 'A' or 'B' */
    char pending;   /* 'A', 'B' or 0 (none) */
    unsigned tries; /* starts of the pending slot so far */
} term_fw_ab_state;

/* Reads dir's state (the safe default when it is missing or damaged; *valid,
 * optional, says which). Errors: PUSH_ERR_INVALID_ARGUMENT. */
push_status term_fw_ab_state_read(const char *dir, term_fw_ab_state *out, int *valid);

/*
 * Copies a verified image into the slot that is not confirmed and marks it
 * pending. The confirmed slot is never written. Errors:
 * PUSH_ERR_INVALID_ARGUMENT, PUSH_ERR_IO (the state is unchanged).
 */
push_status term_fw_ab_install(const char *dir, const char *image_path);

/* The boot loader's choice at a start (see above); *slot gets 'A' or 'B'. */
push_status term_fw_ab_boot(const char *dir, unsigned max_tries, char *slot);

/* The running firmware (slot running) declares itself good. Confirming the
 * already confirmed slot changes nothing. Errors: PUSH_ERR_INVALID_ARGUMENT
 * (running is neither the pending nor the confirmed slot), PUSH_ERR_IO. */
push_status term_fw_ab_confirm(const char *dir, char running);

#ifdef __cplusplus
}
#endif

#endif /* TERM_FW_AB_H */
