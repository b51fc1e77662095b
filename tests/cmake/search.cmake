# 1:N identification: gallery, scan and thread pool (fpsearch needs
# pthreads/hwloc, so this fragment is skipped in core-only builds).
fp_add_test(test_search SOURCES ${PROJECT_SOURCE_DIR}/tests/test_search.c LIBS fpsearch fpsynth_lib LABELS unit)
fp_add_test(test_gallery_file SOURCES ${PROJECT_SOURCE_DIR}/tests/test_gallery_file.c
            LIBS fpsearch fpsynth_lib LABELS unit)
fp_add_fuzz(fuzz_gallery_file SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_gallery_file.c LIBS fpsearch)
