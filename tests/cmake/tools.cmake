# The command-line tools (fp, fpbench), run as a user runs them. The test
# writes TIFF files with libtiff itself.
find_package(TIFF REQUIRED)
fp_add_test(test_cli SOURCES ${PROJECT_SOURCE_DIR}/tests/test_cli.c LIBS fpio TIFF::TIFF LABELS unit)
target_compile_definitions(test_cli PRIVATE FP_CLI_BIN="$<TARGET_FILE:fp>" FPBENCH_BIN="$<TARGET_FILE:fpbench>")
add_dependencies(test_cli fp fpbench)

# Accuracy gate: mean EER of the six FVC B sets, as they are and distorted,
# and of two small hard synthetic sets, through the build's own fpbench and
# fpsynth (slow: it renders 192 images and extracts 1,152).
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
fp_add_test(test_accuracy_gate SOURCES ${PROJECT_SOURCE_DIR}/tests/test_accuracy_gate.c LIBS PkgConfig::CJSON LABELS slow)
target_compile_definitions(test_accuracy_gate PRIVATE FPBENCH_BIN="$<TARGET_FILE:fpbench>"
                           FPSYNTH_BIN="$<TARGET_FILE:fpsynth>")
add_dependencies(test_accuracy_gate fpbench fpsynth)
