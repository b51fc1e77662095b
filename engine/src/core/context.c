#include <stdlib.h>
#include <string.h>

#include "context.h"

void fp_config_init(fp_config *config)
{
    if (!config) return;
    memset(config, 0, sizeof(*config));
    config->max_width = 1024;
    config->max_height = 1024;
    config->simd = FP_SIMD_AUTO;
}

fp_status fp_context_create(const fp_config *config, fp_context **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    fp_config cfg;
    fp_config_init(&cfg);
    if (config) cfg = *config;
    if (cfg.max_width == 0) cfg.max_width = 1024;
    if (cfg.max_height == 0) cfg.max_height = 1024;
    if (cfg.max_width < 32 || cfg.max_height < 32 || cfg.max_width > 4096 || cfg.max_height > 4096 ||
        cfg.simd > FP_SIMD_AVX512)
        return FP_ERR_INVALID_ARGUMENT;
    fp_context *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return FP_ERR_NO_MEMORY;
    fp_status st = fpi_kernels_select(cfg.simd, &ctx->level, &ctx->kernels);
    if (st == FP_OK) st = fpi_workspace_init(&ctx->ws, cfg.max_width, cfg.max_height);
    if (st == FP_OK) st = fpi_match_ws_init(&ctx->match, ctx->kernels);
    if (st != FP_OK) {
        fp_context_destroy(ctx);
        return st;
    }
    *out = ctx;
    return FP_OK;
}

void fp_context_destroy(fp_context *ctx)
{
    if (!ctx) return;
    fpi_workspace_free(&ctx->ws);
    fpi_match_ws_free(&ctx->match);
    free(ctx);
}

fp_simd_level fp_context_simd_level(const fp_context *ctx)
{
    return ctx ? ctx->level : FP_SIMD_REF;
}
