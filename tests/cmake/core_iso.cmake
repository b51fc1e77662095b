# ISO/IEC 19794-2:2005 and ANSI/INCITS 378-2004 minutiae records. Core only
# (libc + fpcore + cmocka), so it also runs in the cross build; the cases
# that read ../shared/datasets skip themselves when it is absent.
fp_add_test(test_iso SOURCES ${PROJECT_SOURCE_DIR}/tests/test_iso.c LIBS fpcore LABELS unit)
fp_add_fuzz(fuzz_iso SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_iso.c LIBS fpcore)
