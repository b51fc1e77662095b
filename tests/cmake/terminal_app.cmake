# Terminal application (terminal/app): scenario tests, one script per manual
# section, run through the m1-terminal driver (targets are defined later,
# terminal/ is added after tests/; add_test resolves them at generate time).
#
# Building a synthetic finger takes seconds under the sanitizers, so three
# fixture tests record presses of synthetic fingers 0-2 once (through the
# synthetic sensor backend) and the scenarios replay them.
set(TERM_SCENARIO_FINGERS ${CMAKE_BINARY_DIR}/scenario-fingers)
foreach(finger 0 1 2)
  add_test(NAME term_scenario_fingers_${finger}
           COMMAND m1-terminal --make-fingers ${TERM_SCENARIO_FINGERS} --finger ${finger} --impressions 6)
  set_tests_properties(term_scenario_fingers_${finger} PROPERTIES FIXTURES_SETUP term_fingers
                       LABELS "scenario" TIMEOUT 300)
endforeach()

file(GLOB TERM_SCENARIOS ${PROJECT_SOURCE_DIR}/tests/scenarios/*.txt)
foreach(script ${TERM_SCENARIOS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME term_scenario_${name}
           COMMAND m1-terminal --script ${script} --fingers ${TERM_SCENARIO_FINGERS} --quiet)
  set_tests_properties(term_scenario_${name} PROPERTIES FIXTURES_REQUIRED term_fingers
                       LABELS "scenario" TIMEOUT 120)
endforeach()

# The application through its API on the simulator HAL (raw SQL for ids kept
# from earlier firmware and for the database's page size; pkg target from
# tests/cmake/terminal.cmake, made here when that fragment is skipped).
if(NOT TARGET PkgConfig::TEST_SQLCIPHER)
  pkg_check_modules(TEST_SQLCIPHER REQUIRED IMPORTED_TARGET sqlcipher)
endif()
fp_add_test(test_term_app SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_app.c
            LIBS term_app term_hal_sim PkgConfig::TEST_SQLCIPHER LABELS unit)

# The driver's own errors: a bad line stops with its number (exit 2), a
# failed expectation names the line (exit 1).
add_test(NAME term_scenario_error_bad_line_message
         COMMAND sh -c "$<TARGET_FILE:m1-terminal> --script ${PROJECT_SOURCE_DIR}/tests/scenarios/errors/bad_line.txt --quiet 2>&1; echo exit=$?")
set_tests_properties(term_scenario_error_bad_line_message PROPERTIES LABELS "scenario"
                     PASS_REGULAR_EXPRESSION "bad_line.txt:3: unknown key: BANANA.*exit=2")
add_test(NAME term_scenario_error_expectation
         COMMAND sh -c "$<TARGET_FILE:m1-terminal> --script ${PROJECT_SOURCE_DIR}/tests/scenarios/errors/failed_expectation.txt --quiet 2>&1; echo exit=$?")
set_tests_properties(term_scenario_error_expectation PROPERTIES LABELS "scenario"
                     PASS_REGULAR_EXPRESSION "failed_expectation.txt:4: expectation failed: screen.*exit=1")

# Arbitrary input sequences through the whole application.
fp_add_fuzz(fuzz_term_app SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_term_app.c LIBS term_app term_hal_sim)

# No call circle between the application loop and the scenes: the graph of the app's object files (nm) has no
# cycle, and the loop reaches the scenes only through the registry (scripts/scene-graph.sh, docs/terminal.md).
add_test(NAME term_app_scene_graph
         COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/scene-graph.sh "$<TARGET_OBJECTS:term_app>"
                 "$<$<TARGET_EXISTS:term_app_sync>:$<TARGET_OBJECTS:term_app_sync>>")
set_tests_properties(term_app_scene_graph PROPERTIES LABELS "unit")

