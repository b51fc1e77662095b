# The search sharded over MPI ranks (engine/src/search/mpi.c): identical to
# one process over the whole gallery, changes routed to the owning shard.
# Run as one process and with `mpirun --oversubscribe -np 4` on this
# machine; skipped (not failed) when Open MPI was not found at configure time.
if(TARGET fpsearch_mpi AND FP_MPIRUN)
  fp_add_test(test_search_mpi SOURCES ${PROJECT_SOURCE_DIR}/tests/test_search_mpi.c
              LIBS fpsearch_mpi fpsynth_lib LABELS unit)
  add_test(NAME test_search_mpi_np4
           COMMAND ${FP_MPIRUN} --oversubscribe -np 4 $<TARGET_FILE:test_search_mpi>)
  # Open MPI refuses root unless told; its own allocations at start-up and
  # exit are not this project's leaks.
  set(FP_MPI_TEST_ENV "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;ASAN_OPTIONS=detect_leaks=0")
  set_tests_properties(test_search_mpi test_search_mpi_np4 PROPERTIES ENVIRONMENT "${FP_MPI_TEST_ENV}")
  set_tests_properties(test_search_mpi_np4 PROPERTIES LABELS "unit" TIMEOUT 300 PROCESSORS 2)
  # The tool as a user runs it (fpsearch shard / export / serve under mpirun).
  add_test(NAME fpsearch_cli
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/test_fpsearch_cli.sh $<TARGET_FILE:fpbench>
                   $<TARGET_FILE:fpsearch_cli> ${FP_MPIRUN} ${CMAKE_CURRENT_BINARY_DIR}/fpsearch_cli)
  set_tests_properties(fpsearch_cli PROPERTIES LABELS "unit" TIMEOUT 300 ENVIRONMENT "${FP_MPI_TEST_ENV}")
else()
  add_test(NAME test_search_mpi_np4
           COMMAND sh -c "echo 'Open MPI (libopenmpi-dev, openmpi-bin) not found at configure time: skipped'; exit 77")
  set_tests_properties(test_search_mpi_np4 PROPERTIES LABELS "unit" SKIP_RETURN_CODE 77)
endif()
