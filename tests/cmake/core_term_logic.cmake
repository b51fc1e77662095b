# The terminal's pure logic (terminal/logic: settings table, verification
# state machine, multi-tap input): libc only, so this fragment also runs in
# the ARM cross build under qemu-arm. term_logic is defined by terminal/ (or
# by the top-level CMakeLists.txt in core-only builds).
fp_add_test(test_term_settings SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_settings.c
            LIBS term_logic LABELS unit)
fp_add_test(test_term_verify SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_verify.c
            LIBS term_logic LABELS unit)
fp_add_test(test_term_t9 SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_t9.c
            LIBS term_logic LABELS unit)
