# Dataset loaders (datasets/loaders.cmake): layouts, detection, errors, protocol pairs.
# Uses ../shared/datasets/FVC* when present and skips that part otherwise.
fp_add_test(test_dataset
  SOURCES ${PROJECT_SOURCE_DIR}/tests/test_dataset.c
  LIBS fpdataset
  LABELS unit)
