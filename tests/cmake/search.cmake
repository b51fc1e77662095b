# 1:N identification: gallery, scan and thread pool (fpsearch needs
# pthreads/hwloc, so this fragment is skipped in core-only builds).
fp_add_test(test_search SOURCES ${PROJECT_SOURCE_DIR}/tests/test_search.c LIBS fpsearch fpsynth_lib LABELS unit)
fp_add_test(test_gallery_file SOURCES ${PROJECT_SOURCE_DIR}/tests/test_gallery_file.c
            LIBS fpsearch fpsynth_lib LABELS unit)
fp_add_fuzz(fuzz_gallery_file SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_gallery_file.c LIBS fpsearch)

# The gallery file under 3 writer processes (one killed with SIGKILL every
# 500 ms and started again), a compactor and 2 readers for 3 seconds: fails
# when an acknowledged put is lost or a process fails (bench/tools/gallery_stress.c;
# fpbench is defined later, bench/ is added after tests/).
add_test(NAME bench_gallery_stress
         COMMAND fpbench gallery-stress --seconds 3 --writers 3 --readers 2 --compact-ms 300 --kill-ms 500)
set_tests_properties(bench_gallery_stress PROPERTIES LABELS "stress" TIMEOUT 300
                     PASS_REGULAR_EXPRESSION "acknowledged puts lost: 0\n")
# fpbench search --gallery-file never overwrites a file silently: without
# --gallery-file-replace an existing file is refused (exit 2), and with it
# only a gallery file is overwritten; the file is left as it was.
set(FPBENCH_SEARCH_TINY "search --sizes 3 --threads 1 --queries 1 --fpir-sizes none --exhaustive-max 0")
add_test(NAME bench_search_gallery_file_exists
         COMMAND sh -c "f=$(mktemp) && echo precious > $f && $<TARGET_FILE:fpbench> ${FPBENCH_SEARCH_TINY} --gallery-file $f; a=$?; $<TARGET_FILE:fpbench> ${FPBENCH_SEARCH_TINY} --gallery-file $f --gallery-file-replace; b=$?; cat $f; rm -f $f; echo exit=$a,$b")
set_tests_properties(bench_search_gallery_file_exists PROPERTIES LABELS "unit"
                     PASS_REGULAR_EXPRESSION "exists; --gallery-file-replace overwrites it.*unsupported or unrecognised file format.*precious.exit=2,1")
