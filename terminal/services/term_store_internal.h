/*
 * term_store_internal.h - helpers shared by the store's source files
 * (term_store.c, term_store_recover.c). Not part of the API; "termi_" is
 * the terminal's prefix for internal non-static names, as "fpi_" is the
 * engine's.
 */
#ifndef TERM_STORE_INTERNAL_H
#define TERM_STORE_INTERNAL_H

#include "term_status.h"

/* A SQLite result code as a terminal status (SQLITE_FULL is TERM_ERR_STORAGE_FULL, and so on). */
term_status termi_map_rc(int rc);
/* fsync of the directory holding path, so a rename or a new file in it survives a power cut. */
term_status termi_sync_dir(const char *path);

#endif /* TERM_STORE_INTERNAL_H */
