/*
 * The comparison built with AVX2 enabled, for contexts at the AVX2 and
 * AVX-512 levels: the compiler vectorises the mapping and hull loops
 * 8 floats wide. No FMA contraction (-ffp-contract=off in the build), so
 * scores are the baseline build's to the bit (test_kernels compares whole
 * comparisons across levels).
 */
#define FPI_MATCH_VARIANT(name) name##_avx2
#include "compare_body.h"
