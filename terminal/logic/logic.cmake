# term_logic: the terminal's pure rules (settings, verification flows,
# multi-tap input): libc only, no I/O, no clock, no allocation. Included by
# terminal/CMakeLists.txt, and by the top-level CMakeLists.txt in
# FP_CORE_ONLY builds so the firmware cross build compiles and tests it too.
add_library(term_logic STATIC
  ${CMAKE_CURRENT_LIST_DIR}/term_status.c
  ${CMAKE_CURRENT_LIST_DIR}/term_settings.c
  ${CMAKE_CURRENT_LIST_DIR}/term_verify.c
  ${CMAKE_CURRENT_LIST_DIR}/term_t9.c
  ${CMAKE_CURRENT_LIST_DIR}/term_calendar.c)
target_include_directories(term_logic PUBLIC ${CMAKE_CURRENT_LIST_DIR})
