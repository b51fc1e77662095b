# Terminal (terminal/): storage and the gallery (the pure logic's tests are in
# core_term_logic.cmake, so the ARM cross build runs them too).
# term_logic / term_store are defined later (terminal/ is added after tests/).
fp_add_test(test_term_store SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_store.c
            LIBS term_store fpcore LABELS unit slow)
fp_add_test(test_term_gallery SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_gallery.c
            LIBS term_store fpcore LABELS unit)
