# Engine core: kernels (SIMD equivalence), extraction, matching, templates.
# libc + fpcore + cmocka only, so the fragment also runs in the ARM (qemu)
# cross build; cases that read ../shared/datasets skip themselves when it is
# absent, and FP_TEST_QUICK=1 limits the dataset-wide runs.
fp_add_test(test_kernels SOURCES ${PROJECT_SOURCE_DIR}/tests/test_kernels.c LIBS fpcore LABELS equiv)
fp_add_test(test_extract SOURCES ${PROJECT_SOURCE_DIR}/tests/test_extract.c LIBS fpcore LABELS unit)
# The same program with --slow extracts every image of the FVC set B folders.
add_test(NAME test_extract_datasets COMMAND test_extract --slow)
set_tests_properties(test_extract_datasets PROPERTIES LABELS slow TIMEOUT 900)
fp_add_test(test_match SOURCES ${PROJECT_SOURCE_DIR}/tests/test_match.c LIBS fpcore LABELS unit)
fp_add_test(test_enroll SOURCES ${PROJECT_SOURCE_DIR}/tests/test_enroll.c LIBS fpcore m LABELS unit)
fp_add_test(test_template SOURCES ${PROJECT_SOURCE_DIR}/tests/test_template.c LIBS fpcore LABELS unit)
fp_add_fuzz(fuzz_native SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_native.c LIBS fpcore)
fp_add_fuzz(fuzz_match SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_match.c LIBS fpcore m)
fp_add_fuzz(fuzz_extract SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_extract.c LIBS fpcore m)
