# ISO/IEC 19794-2:2005 and ANSI/INCITS 378-2004 minutiae records. Core only
# (libc + fpcore + cmocka), so it also runs in the cross build; the cases
# that read ../shared/datasets skip themselves when it is absent.
fp_add_test(test_iso SOURCES ${PROJECT_SOURCE_DIR}/tests/test_iso.c LIBS fpcore LABELS unit)
fp_add_fuzz(fuzz_iso SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_iso.c LIBS fpcore)
# The third-party ISO/ANSI records, read from ../shared (not copied into the project); skipped when absent.
# (Host builds only: the shell wrapper would bypass the cross build's emulator.)
if(NOT CMAKE_CROSSCOMPILING)
set(FP_TEMPLATE_VECTORS ${PROJECT_SOURCE_DIR}/../shared/datasets/template-test-vectors)
add_test(NAME fuzz_iso_vectors
         COMMAND sh -c "if [ -d '${FP_TEMPLATE_VECTORS}' ]; then exec \"$0\" \"$@\"; else echo 'template-test-vectors not found: skipped'; exit 77; fi"
                 $<TARGET_FILE:fuzz_iso_replay>
                 ${FP_TEMPLATE_VECTORS}/fingerprintio-java ${FP_TEMPLATE_VECTORS}/sourceafis-java
                 ${FP_TEMPLATE_VECTORS}/fingerjetfxose/templates-iso
                 ${FP_TEMPLATE_VECTORS}/openafis/valid/fvc2002/DB1_B ${FP_TEMPLATE_VECTORS}/openafis/invalid/fvc2004/DB_1B)
set_tests_properties(fuzz_iso_vectors PROPERTIES LABELS "fuzz" SKIP_RETURN_CODE 77)
endif()
