/*
 * scene_config.h - every scene of the application, listed once (as the
 * Flipper Zero firmware lists its scenes in a config header). From these
 * lists come the scene kinds, the purposes and the menu actions
 * (term_app_internal.h), and the registry the application loop and the
 * scene kit dispatch through (scene_table.c). Adding a scene is a row here
 * and its handlers in its own file; the loop never changes.
 *
 *   APP_SCENES(X)   X(kind, ops): the handlers (scene_ops) of each scene kind
 *   APP_PURPOSES(X) X(purpose, done): who finishes what a generic scene (a
 *                   field, a choice, a confirmation, a spinner, a waiting
 *                   message) was opened for, once it completes
 *   APP_ACTIONS(X)  X(action, run): who runs a menu item's action
 */
#ifndef SCENE_CONFIG_H
#define SCENE_CONFIG_H

#define APP_SCENES(X)                                                                                                  \
    X(SC_MENU, scene_menu_ops)                                                                                         \
    X(SC_FIELD, scene_field_ops)                                                                                       \
    X(SC_CHOICE, scene_choice_ops)                                                                                     \
    X(SC_MESSAGE, scene_message_ops)                                                                                   \
    X(SC_CONFIRM, scene_message_ops)                                                                                   \
    X(SC_SPINNER, scene_spinner_ops)                                                                                   \
    X(SC_USER_LIST, scene_user_list_ops)                                                                               \
    X(SC_USER_EDIT, scene_user_edit_ops)                                                                               \
    X(SC_ENROLL_FINGER, scene_enroll_ops)                                                                              \
    X(SC_ENROLL_CARD, scene_enroll_ops)                                                                                \
    X(SC_WIFI, scene_wifi_ops)                                                                                         \
    X(SC_AUTO_SWITCH, scene_autoswitch_ops)                                                                            \
    X(SC_REC_SUMMARY, scene_record_ops)                                                                                \
    X(SC_REC_DETAIL, scene_record_ops)                                                                                 \
    X(SC_TABLE, scene_capacity_ops) /* a read-only table (device capacity) */                                          \
    X(SC_KEYTEST, scene_keytest_ops)                                                                                   \
    X(SC_LCD, scene_autotest_ops)                                                                                      \
    X(SC_RTC, scene_autotest_ops)                                                                                      \
    X(SC_SENSOR, scene_autotest_ops)

/* Owners: menu_done (scene_menu.c), user_done (scene_user.c), data_done (scene_data.c), storage_done (app_storage.c).
 */
#define APP_PURPOSES(X)                                                                                                \
    X(P_NONE, scene_done_nothing)                                                                                      \
    X(P_SETTING, menu_done)          /* field/choice: store setting `arg` */                                           \
    X(P_NEW_USER_ID, user_done)      /* field: create the user */                                                      \
    X(P_USER_NAME, user_done)        /* field */                                                                       \
    X(P_USER_PIN, user_done)         /* field */                                                                       \
    X(P_USER_ROLE, user_done)        /* choice */                                                                      \
    X(P_DELETE_USER, user_done)      /* confirm */                                                                     \
    X(P_DELETE_FINGERS, user_done)   /* confirm */                                                                     \
    X(P_DELETE_CARD, user_done)      /* confirm */                                                                     \
    X(P_DELETE_PIN, user_done)       /* confirm */                                                                     \
    X(P_FACTORY_RESET, menu_done)    /* confirm */                                                                     \
    X(P_DELETE_ATTLOG, data_done)    /* confirm */                                                                     \
    X(P_SET_DATE, data_done)         /* spinner */                                                                     \
    X(P_SET_TIME, data_done)         /* spinner */                                                                     \
    X(P_REC_UID, data_done)          /* field */                                                                       \
    X(P_REC_FROM, data_done)         /* spinner */                                                                     \
    X(P_REC_TO, data_done)           /* spinner */                                                                     \
    X(P_WIFI_SSID, menu_done)        /* field: add a network by name */                                                \
    X(P_WIFI_PASSWORD, menu_done)    /* field */                                                                       \
    X(P_ONLINE_UPDATE_ON, menu_done) /* confirm the security warning, then enable */                                   \
    X(P_FP_IMAGE_CHOICE, menu_done)  /* confirm the security warning, then set fingerprint_image to arg */             \
    X(P_RESTORE, storage_done)       /* confirm: move the damaged database aside and start a new one */                \
    X(P_SYNC_WAIT, menu_done)        /* message: Check for Updates / USB Upgrade waits for the sync worker */

/* Owners: menu_action (scene_menu.c), user_action, data_action, storage_action. */
#define APP_ACTIONS(X)                                                                                                 \
    X(A_NEW_USER, user_action)                                                                                         \
    X(A_ALL_USERS, user_action)                                                                                        \
    X(A_WIFI, menu_action)                                                                                             \
    X(A_SET_DATE, menu_action)                                                                                         \
    X(A_SET_TIME, menu_action)                                                                                         \
    X(A_AUTO_SWITCH, menu_action)                                                                                      \
    X(A_USB_UPGRADE, menu_action)                                                                                      \
    X(A_CHECK_UPDATE, menu_action)                                                                                     \
    X(A_RESET, menu_action)                                                                                            \
    X(A_DEL_ATTLOG, data_action)                                                                                       \
    X(A_RECORD, data_action)                                                                                           \
    X(A_TEST_ALL, data_action)                                                                                         \
    X(A_TEST_LCD, data_action)                                                                                         \
    X(A_TEST_VOICE, data_action)                                                                                       \
    X(A_TEST_KEYBOARD, data_action)                                                                                    \
    X(A_TEST_SENSOR, data_action)                                                                                      \
    X(A_TEST_RTC, data_action)                                                                                         \
    X(A_CAPACITY, data_action)                                                                                         \
    X(A_DEVINFO, data_action)                                                                                          \
    X(A_FWINFO, data_action)                                                                                           \
    X(A_PRIVACY, data_action)                                                                                          \
    X(A_WIFI_ADD, menu_action)                                                                                         \
    X(A_DEL_USER, user_action)                                                                                         \
    X(A_DEL_FINGERS, user_action)                                                                                      \
    X(A_DEL_CARD, user_action)                                                                                         \
    X(A_DEL_PIN, user_action)                                                                                          \
    X(A_SERVER_STATUS, menu_action) /* Cloud Server Setting > Connection Status (with a sync worker) */                \
    X(A_EXPORT_USB, storage_action) /* recovery: the readable users and records to the USB drive */                    \
    X(A_RESTORE, storage_action)    /* recovery: keep the damaged database aside, start a new one */

#endif /* SCENE_CONFIG_H */
