/* Picks the kernel table once per context. */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static int cpu_has(fp_simd_level level)
{
    switch (level) {
    case FP_SIMD_REF:
        return 1;
#if defined(FP_HAVE_X86)
    case FP_SIMD_SSE41:
        return __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("popcnt");
    case FP_SIMD_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt");
    case FP_SIMD_AVX512:
        return cpu_has(FP_SIMD_AVX2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vpopcntdq");
#endif
#if defined(FP_HAVE_NEON)
    case FP_SIMD_NEON:
        return 1;
#endif
    default:
        return 0;
    }
}

static const fpi_kernels *table_of(fp_simd_level level)
{
    switch (level) {
#if defined(FP_HAVE_X86)
    case FP_SIMD_SSE41:
        return &fpi_kernels_sse41;
    case FP_SIMD_AVX2:
        return &fpi_kernels_avx2;
    case FP_SIMD_AVX512:
        return &fpi_kernels_avx512;
#endif
#if defined(FP_HAVE_NEON)
    case FP_SIMD_NEON:
        return &fpi_kernels_neon;
#endif
    default:
        return &fpi_kernels_ref;
    }
}

static fp_simd_level level_from_env(void)
{
    const char *v = getenv("FP_SIMD");
    if (!v || !*v) return FP_SIMD_AUTO;
    if (!strcmp(v, "ref")) return FP_SIMD_REF;
    if (!strcmp(v, "sse41")) return FP_SIMD_SSE41;
    if (!strcmp(v, "avx2")) return FP_SIMD_AVX2;
    if (!strcmp(v, "avx512")) return FP_SIMD_AVX512;
    if (!strcmp(v, "neon")) return FP_SIMD_NEON;
    return FP_SIMD_AUTO;
}

fp_status fpi_kernels_select(fp_simd_level want, fp_simd_level *got, const fpi_kernels **table)
{
    if (want == FP_SIMD_AUTO) want = level_from_env();
    if (want == FP_SIMD_AUTO) {
        static const fp_simd_level order[] = {FP_SIMD_AVX512, FP_SIMD_AVX2, FP_SIMD_SSE41, FP_SIMD_NEON, FP_SIMD_REF};
        for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
            if (cpu_has(order[i])) {
                want = order[i];
                break;
            }
        }
    }
    if (!cpu_has(want)) return FP_ERR_UNSUPPORTED;
    *got = want;
    *table = table_of(want);
    return FP_OK;
}

const char *fp_simd_level_name(fp_simd_level level)
{
    switch (level) {
    case FP_SIMD_REF:
        return "ref";
    case FP_SIMD_SSE41:
        return "sse41";
    case FP_SIMD_AVX2:
        return "avx2";
    case FP_SIMD_NEON:
        return "neon";
    case FP_SIMD_AVX512:
        return "avx512";
    default:
        return "auto";
    }
}
