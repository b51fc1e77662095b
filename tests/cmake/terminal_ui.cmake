# Terminal user interface (terminal/ui/): renderer, font, icons, QR, PNG and
# the screenshot tests against tests/ui_ref/ (regenerate: scripts/ui-review.sh).
fp_add_test(test_ui SOURCES ${PROJECT_SOURCE_DIR}/tests/test_ui.c ${PROJECT_SOURCE_DIR}/tests/ui_ref_check.c LIBS term_ui
            LABELS unit)
target_compile_definitions(test_ui PRIVATE UI_TEST_OUT_DIR="${CMAKE_BINARY_DIR}/ui_actual")
if(TARGET m1_sim_core OR EXISTS ${PROJECT_SOURCE_DIR}/terminal/app/term_app.c)
  # the application through the simulator core: key@M1 and the menu walk
  fp_add_test(test_ui_sim SOURCES ${PROJECT_SOURCE_DIR}/tests/test_ui_sim.c LIBS m1_sim_core term_store LABELS unit)
  target_compile_definitions(test_ui_sim PRIVATE UI_TEST_OUT_DIR="${CMAKE_BINARY_DIR}/ui_actual")
endif()
# the audio backend; the prompts are spoken by espeak-ng at build time when it is installed
fp_add_test(test_ui_audio SOURCES ${PROJECT_SOURCE_DIR}/tests/test_ui_audio.c LIBS term_ui_audio LABELS unit)
target_compile_definitions(test_ui_audio PRIVATE UI_TEST_OUT_DIR="${CMAKE_BINARY_DIR}/ui_actual"
                           UI_PROMPTS_DIR="${CMAKE_BINARY_DIR}/terminal/ui/prompts")
# parsers and the renderer under the fuzzer (corpora in tests/fuzz/corpus/)
fp_add_fuzz(fuzz_ui_wav SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_ui_wav.c LIBS term_ui_audio)
fp_add_fuzz(fuzz_ui_render SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_ui_render.c LIBS term_ui)
