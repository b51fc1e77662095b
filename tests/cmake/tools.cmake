# The fp command-line tool, run as a user runs it. The test writes TIFF
# files with libtiff itself.
find_package(TIFF REQUIRED)
fp_add_test(test_fp_cli SOURCES ${PROJECT_SOURCE_DIR}/tests/test_fp_cli.c LIBS fpio TIFF::TIFF LABELS unit)
target_compile_definitions(test_fp_cli PRIVATE FP_CLI_BIN="$<TARGET_FILE:fp>")
add_dependencies(test_fp_cli fp)
