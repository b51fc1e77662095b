# Allocations of the engine, counted by the counting allocator
# (bench/embedded, defined after tests/; resolved at generation time):
# comparison and identification allocate nothing, extraction only its
# template. Core only, so it also runs under qemu-arm.
fp_add_test(test_alloc SOURCES ${PROJECT_SOURCE_DIR}/tests/test_alloc.c
            LIBS fp_alloc_count fpsearch_core fpcore LABELS unit)
