# Synthetic fingerprint generator: library fpsynth_lib and tool fpsynth.
# Included by datasets/CMakeLists.txt.

add_library(fpsynth_lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/synth_math.c
  ${CMAKE_CURRENT_LIST_DIR}/src/synth_field.c
  ${CMAKE_CURRENT_LIST_DIR}/src/synth_master.c
  ${CMAKE_CURRENT_LIST_DIR}/src/synth_impression.c
  ${CMAKE_CURRENT_LIST_DIR}/src/synth_fast.c)
target_include_directories(fpsynth_lib PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include
                                       PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(fpsynth_lib PUBLIC fpcore fpio m)
# Byte-identical output on every machine: no fused multiply-add contraction,
# no value-changing float optimisations (see docs/synthetic.md).
target_compile_options(fpsynth_lib PRIVATE -ffp-contract=off -fno-fast-math)

find_package(Threads REQUIRED)
if(NOT TARGET PkgConfig::CJSON)
  pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
endif()
add_executable(fpsynth ${CMAKE_CURRENT_LIST_DIR}/tools/fpsynth.c)
target_link_libraries(fpsynth PRIVATE fpsynth_lib PkgConfig::CJSON Threads::Threads)
