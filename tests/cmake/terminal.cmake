# Terminal (terminal/): settings table, verification state machine, storage.
# term_logic / term_store are defined later (terminal/ is added after tests/).
fp_add_test(test_term_settings SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_settings.c
            LIBS term_logic LABELS unit)
fp_add_test(test_term_verify SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_verify.c
            LIBS term_logic LABELS unit)
# test_term_store also edits databases with raw SQL (as other firmware or damage would leave them).
if(NOT TARGET PkgConfig::TEST_SQLCIPHER)
  pkg_check_modules(TEST_SQLCIPHER REQUIRED IMPORTED_TARGET sqlcipher)
endif()
fp_add_test(test_term_store SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_store.c
            LIBS term_store fpcore PkgConfig::TEST_SQLCIPHER LABELS unit slow)
fp_add_test(test_term_gallery SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_gallery.c
            LIBS term_store fpcore LABELS unit)
fp_add_test(test_term_t9 SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_t9.c
            LIBS term_logic LABELS unit)
