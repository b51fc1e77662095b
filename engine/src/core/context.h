#ifndef FP_CONTEXT_H
#define FP_CONTEXT_H

#include "extract/extract.h"
#include "match/match.h"

struct fp_context {
    fp_simd_level level;
    const fpi_kernels *kernels;
    fpi_workspace ws;
    fpi_match_ws match;
};

#endif
