# fpeval: accuracy figures, PNG plots and JSON/Markdown reports for the
# benchmark. Included from bench/CMakeLists.txt.
find_package(PNG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)

add_library(fpeval STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/metrics.c
  ${CMAKE_CURRENT_LIST_DIR}/src/distort.c
  ${CMAKE_CURRENT_LIST_DIR}/src/skin.c
  ${CMAKE_CURRENT_LIST_DIR}/src/plot.c
  ${CMAKE_CURRENT_LIST_DIR}/src/report.c
)
# fp/fp.h is used for fp_status only (header-only use, no link to fpcore).
target_include_directories(fpeval PUBLIC
  ${CMAKE_CURRENT_LIST_DIR}/src
  ${CMAKE_CURRENT_LIST_DIR}/../engine/include
)
target_link_libraries(fpeval PUBLIC PNG::PNG PkgConfig::CJSON m)
