# The application connected to the cloud sync engine (terminal/app/term_app_sync.[ch]):
# end to end over libcurl against the loopback PUSH server of the sync tests.
# docs/terminal.md "Cloud sync", docs/sync.md "The application".
if(NOT DEFINED FP_TERMINAL_LAYERS OR "sync" IN_LIST FP_TERMINAL_LAYERS)
  fp_add_test(test_term_app_sync SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_app_sync.c
              ${PROJECT_SOURCE_DIR}/tests/test_term_sync_server.c
              LIBS term_app_sync term_hal_sim pthread LABELS unit)
  if(NOT DEFINED FP_TERMINAL_LAYERS OR "ui" IN_LIST FP_TERMINAL_LAYERS)
    # the Connection Status screen with held records is also a screenshot test (tests/ui_ref/, the renderer)
    target_sources(test_term_app_sync PRIVATE ${PROJECT_SOURCE_DIR}/tests/ui_ref_check.c)
    target_link_libraries(test_term_app_sync PRIVATE term_ui)
    target_compile_definitions(test_term_app_sync PRIVATE APP_SCREENSHOTS=1
                               UI_TEST_OUT_DIR="${CMAKE_BINARY_DIR}/ui_actual")
  endif()
  # punch to screen with the server up, stalling past the transport timeout, and gone (real clock)
  fp_add_test(test_term_app_sync_latency SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_app_sync_latency.c
              ${PROJECT_SOURCE_DIR}/tests/test_term_sync_server.c
              LIBS term_app_sync term_hal_sim pthread LABELS "unit;slow")
  # one case runs the m1-terminal driver with --server against the same server
  target_compile_definitions(test_term_app_sync PRIVATE M1_TERMINAL_PATH="$<TARGET_FILE:m1-terminal>")
  add_dependencies(test_term_app_sync m1-terminal)
endif()
