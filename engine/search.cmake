# 1:N identification (engine/src/search). Included by engine/CMakeLists.txt
# after fpcore is defined. Paths use CMAKE_CURRENT_LIST_DIR so the file also
# works when included from another directory.
#
# fpsearch_core: gallery + single-threaded scan; libc + fpcore only, so it
# builds in FP_CORE_ONLY (firmware) configurations.
add_library(fpsearch_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/search/gallery.c
  ${CMAKE_CURRENT_LIST_DIR}/src/search/identify.c
  ${CMAKE_CURRENT_LIST_DIR}/src/search/pcode.c)
target_include_directories(fpsearch_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include
                                         PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(fpsearch_core PUBLIC fpcore PRIVATE m)

# fpsearch: the server thread pool (pthreads, hwloc placement when found).
if(NOT FP_CORE_ONLY)
  find_package(Threads REQUIRED)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(HWLOC IMPORTED_TARGET hwloc)
  add_library(fpsearch STATIC ${CMAKE_CURRENT_LIST_DIR}/src/search/pool.c
                              ${CMAKE_CURRENT_LIST_DIR}/src/search/gallery_file.c
                              ${CMAKE_CURRENT_LIST_DIR}/src/search/gallery_format.c)
  target_include_directories(fpsearch PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src)
  target_link_libraries(fpsearch PUBLIC fpsearch_core Threads::Threads)
  if(HWLOC_FOUND)
    target_link_libraries(fpsearch PRIVATE PkgConfig::HWLOC)
    target_compile_definitions(fpsearch PRIVATE FP_HAVE_HWLOC=1)
  endif()
endif()

# fpsearch_mpi: the search sharded over MPI ranks (fp/search_mpi.h). Open MPI
# is found with pkg-config (libopenmpi-dev); without it the library, its
# tools and its test are skipped.
if(NOT FP_CORE_ONLY)
  pkg_check_modules(FPMPI IMPORTED_TARGET ompi-c)
  if(FPMPI_FOUND)
    add_library(fpsearch_mpi STATIC ${CMAKE_CURRENT_LIST_DIR}/src/search/mpi.c)
    target_include_directories(fpsearch_mpi PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src)
    target_link_libraries(fpsearch_mpi PUBLIC fpsearch PkgConfig::FPMPI)
    find_program(FP_MPIRUN NAMES mpirun mpiexec)
  else()
    message(STATUS "Open MPI (ompi-c) not found: the MPI search is not built")
  endif()
endif()
