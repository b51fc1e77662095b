# The command-line tools (fp, fpbench), run as a user runs them. The test
# writes TIFF files with libtiff itself.
find_package(TIFF REQUIRED)
fp_add_test(test_cli SOURCES ${PROJECT_SOURCE_DIR}/tests/test_cli.c LIBS fpio TIFF::TIFF LABELS unit)
target_compile_definitions(test_cli PRIVATE FP_CLI_BIN="$<TARGET_FILE:fp>" FPBENCH_BIN="$<TARGET_FILE:fpbench>")
add_dependencies(test_cli fp fpbench)
