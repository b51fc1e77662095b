# Sensor driver (sensor/): capture state machine, gate, backends.
# fpsensor is defined later (sensor/ is added after tests/).
fp_add_test(test_sensor SOURCES ${PROJECT_SOURCE_DIR}/tests/test_sensor.c
            LIBS fpsensor fpsynth_lib fpio LABELS unit slow)

# The libfprint backend on libfprint's virtual image reader, fed real
# images (skips by itself when the backend or the virtual reader is missing).
find_package(Threads REQUIRED)
fp_add_test(test_sensor_libfprint SOURCES ${PROJECT_SOURCE_DIR}/tests/test_sensor_libfprint.c
            LIBS fpsensor fpsensor_vimage fpio Threads::Threads LABELS unit)
target_compile_definitions(test_sensor_libfprint PRIVATE FP_CAPTURE_EXE="$<TARGET_FILE:fp-capture>")
add_dependencies(test_sensor_libfprint fp-capture)

# The terminal's enrolment and verification with every press through
# libfprint: m1-terminal --sensor libfprint on the virtual image reader, fed
# the recorded presses of the scenario fixture (terminal_app.cmake writes them
# to this folder). m1-terminal exits 4 when libfprint gives no reader (the
# backend not built, or no virtual image driver): the test is then skipped.
add_test(NAME term_scenario_libfprint
         COMMAND sh -c "d=$(mktemp -d /tmp/fp-vimage.XXXXXX) || exit 1; \
FP_VIRTUAL_IMAGE=$d/reader FP_DRIVERS_WHITELIST=virtual_image FP_DRIVERS_ALLOWLIST=virtual_image \
\"$0\" --sensor libfprint \
--script ${PROJECT_SOURCE_DIR}/tests/scenarios/libfprint/enrol_verify.txt \
--fingers ${CMAKE_BINARY_DIR}/scenario-fingers --quiet; rc=$?; rm -rf \"$d\"; exit $rc"
                 $<TARGET_FILE:m1-terminal>)
set_tests_properties(term_scenario_libfprint PROPERTIES FIXTURES_REQUIRED term_fingers
                     LABELS "scenario" TIMEOUT 120 SKIP_RETURN_CODE 4)

# The latency benchmark (bench/tools/sensor_latency.c) still runs: three
# presses; exit 3 (no data set or no virtual reader here) skips.
add_test(NAME fpsensorbench_smoke COMMAND fpsensorbench --count 3
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(fpsensorbench_smoke PROPERTIES LABELS "unit" TIMEOUT 120 SKIP_RETURN_CODE 3)
