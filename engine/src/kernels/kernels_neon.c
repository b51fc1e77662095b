/* NEON kernels: the 128-bit bodies, mapped to NEON by SIMDe. */
#include "kernels_simd128.h"
#include "kernels_pcode.h"

FPI_STAGE1_BLOCK_FN(stage1_block_body, scode_best_body)

const fpi_kernels fpi_kernels_neon = {filter_block8_128, tensor_block8_128, scode_best_body,
                                        edge_scan_128, pair_scan_128, stage1_block_body};
