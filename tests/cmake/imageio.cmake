# fpio: image decoders and writers. The test builds PNG and TIFF files with
# libpng and libtiff itself, so it links them directly (imported targets are
# scoped to the directory that found them, hence find_package here too).
find_package(PNG REQUIRED)
find_package(TIFF REQUIRED)
fp_add_test(test_imageio SOURCES ${PROJECT_SOURCE_DIR}/tests/test_imageio.c
            LIBS fpio PNG::PNG TIFF::TIFF LABELS unit)
fp_add_fuzz(fuzz_imageio SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_imageio.c LIBS fpio)
