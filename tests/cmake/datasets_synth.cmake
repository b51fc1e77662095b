# Synthetic fingerprint generator (datasets/src/synth*.c). fpsynth_lib is
# defined later (datasets/ is added after tests/); CMake resolves it at
# generation time. Core-only builds skip this fragment.
fp_add_test(test_synth SOURCES ${PROJECT_SOURCE_DIR}/tests/test_synth.c LIBS fpsynth_lib LABELS unit)
# White-box checks of the orientation model use the internal header.
target_include_directories(test_synth PRIVATE ${PROJECT_SOURCE_DIR}/datasets/src)
