/* SSE4.1 kernels (this file alone is compiled with -msse4.1). */
#include "kernels_simd128.h"
#include "kernels_pcode.h"

FPI_STAGE1_BLOCK_FN(stage1_block_body, scode_best_body)

const fpi_kernels fpi_kernels_sse41 = {filter_block8_128, tensor_block8_128, scode_best_body,
                                        edge_scan_128, pair_scan_128, stage1_block_body};
