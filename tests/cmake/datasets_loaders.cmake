# Dataset loaders (datasets/loaders.cmake): layouts, detection, errors, protocol pairs.
# Uses ../shared/datasets/FVC* when present and skips that part otherwise.
fp_add_test(test_dataset
  SOURCES ${PROJECT_SOURCE_DIR}/tests/test_dataset.c
  LIBS fpdataset
  LABELS unit)
# Templates made by other extractors, mapped into the images' frame, and the
# matcher's accuracy on them (skips when ../shared/datasets is absent).
fp_add_test(test_foreign
  SOURCES ${PROJECT_SOURCE_DIR}/tests/test_foreign.c
  LIBS fpdataset m
  LABELS unit)
