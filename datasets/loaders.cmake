# Dataset loaders: list the samples of public fingerprint set layouts (FVC,
# NIST SD4/SD14 pairs, SOCOFing, CSV manifests) and the protocol pairs.
# POSIX folder listing only; no image decoding.
add_library(fpdataset STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/dataset.c
  ${CMAKE_CURRENT_LIST_DIR}/src/pairs.c
  ${CMAKE_CURRENT_LIST_DIR}/src/layout_fvc.c
  ${CMAKE_CURRENT_LIST_DIR}/src/layout_nist.c
  ${CMAKE_CURRENT_LIST_DIR}/src/layout_socofing.c
  ${CMAKE_CURRENT_LIST_DIR}/src/layout_manifest.c
  ${CMAKE_CURRENT_LIST_DIR}/src/foreign.c
)
target_include_directories(fpdataset
  PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(fpdataset PUBLIC fpcore)
