# Benchmark evaluation library (bench/eval.cmake): metrics + reports, plots.
# fpeval is defined later (bench/ is added after tests/); CMake resolves it
# at generation time. The tests call libpng and cJSON themselves, and
# imported targets are scoped to the directory that found them, so they are
# found here too.
find_package(PNG REQUIRED)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
fp_add_test(test_metrics SOURCES ${PROJECT_SOURCE_DIR}/tests/test_metrics.c
            LIBS fpeval PkgConfig::CJSON LABELS unit)
fp_add_test(test_plot SOURCES ${PROJECT_SOURCE_DIR}/tests/test_plot.c
            LIBS fpeval PNG::PNG LABELS unit)
fp_add_test(test_skin SOURCES ${PROJECT_SOURCE_DIR}/tests/test_skin.c
            LIBS fpeval LABELS unit)
