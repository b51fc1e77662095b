# Terminal (terminal/): storage and the gallery (the pure logic's tests are in
# core_term_logic.cmake, so the ARM cross build runs them too).
# term_logic / term_store are defined later (terminal/ is added after tests/).
# test_term_store also edits databases with raw SQL (as other firmware or damage would leave them).
if(NOT TARGET PkgConfig::TEST_SQLCIPHER)
  pkg_check_modules(TEST_SQLCIPHER REQUIRED IMPORTED_TARGET sqlcipher)
endif()
fp_add_test(test_term_store SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_store.c
            LIBS term_store fpcore PkgConfig::TEST_SQLCIPHER LABELS unit slow)
fp_add_test(test_term_gallery SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_gallery.c
            LIBS term_store fpcore LABELS unit)
