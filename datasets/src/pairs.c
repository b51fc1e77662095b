/* Comparison protocols over a dataset's finger groups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ds_internal.h"

const char *fp_dataset_protocol_name(fp_protocol protocol)
{
    switch (protocol) {
    case FP_PROTOCOL_FVC:
        return "fvc";
    case FP_PROTOCOL_ALL_PAIRS:
        return "all";
    }
    return "?";
}

fp_status fp_dataset_protocol_parse(const char *name, fp_protocol *out)
{
    if (!name || !out) return FP_ERR_INVALID_ARGUMENT;
    if (strcasecmp(name, "fvc") == 0) {
        *out = FP_PROTOCOL_FVC;
        return FP_OK;
    }
    if (strcasecmp(name, "all") == 0 || strcasecmp(name, "all-pairs") == 0) {
        *out = FP_PROTOCOL_ALL_PAIRS;
        return FP_OK;
    }
    return FP_ERR_INVALID_ARGUMENT;
}

/* n * (n - 1) / 2 into *out; 0 when it does not fit a size_t. */
static int half_square(size_t n, size_t *out)
{
    size_t a = n, b = n ? n - 1 : 0;
    if (a % 2 == 0)
        a /= 2;
    else
        b /= 2;
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

static fp_status alloc_pairs(size_t n, fp_pair **out)
{
    *out = NULL;
    if (n == 0) return FP_OK;
    if (n > SIZE_MAX / sizeof(fp_pair)) return FP_ERR_NO_MEMORY;
    *out = malloc(n * sizeof(fp_pair));
    return *out ? FP_OK : FP_ERR_NO_MEMORY;
}

fp_status fp_dataset_pairs(const fp_dataset *ds, fp_protocol protocol, fp_pair **genuine, size_t *n_genuine,
                           fp_pair **impostor, size_t *n_impostor)
{
    if (genuine) *genuine = NULL;
    if (impostor) *impostor = NULL;
    if (n_genuine) *n_genuine = 0;
    if (n_impostor) *n_impostor = 0;
    if (!ds || !n_genuine || !n_impostor) return FP_ERR_INVALID_ARGUMENT;
    if (protocol != FP_PROTOCOL_FVC && protocol != FP_PROTOCOL_ALL_PAIRS) return FP_ERR_INVALID_ARGUMENT;

    const size_t *gs = ds->group_start;
    size_t groups = ds->n_fingers;
    size_t ng = 0, ni = 0, all = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t k;
        if (!half_square(gs[g + 1] - gs[g], &k) || k > SIZE_MAX - ng) return FP_ERR_NO_MEMORY;
        ng += k;
    }
    if (protocol == FP_PROTOCOL_FVC) {
        if (!half_square(groups, &ni)) return FP_ERR_NO_MEMORY;
    } else {
        if (!half_square(ds->count, &all)) return FP_ERR_NO_MEMORY;
        ni = all - ng;
    }

    fp_pair *gl = NULL, *il = NULL;
    fp_status st = FP_OK;
    if (genuine) FPI_DS_TRY(alloc_pairs(ng, &gl));
    if (impostor) FPI_DS_TRY(alloc_pairs(ni, &il));

    if (gl) {
        size_t k = 0;
        for (size_t g = 0; g < groups; g++) {
            for (size_t a = gs[g]; a < gs[g + 1]; a++) {
                for (size_t b = a + 1; b < gs[g + 1]; b++) gl[k++] = (fp_pair){(uint32_t)a, (uint32_t)b};
            }
        }
    }
    if (il && protocol == FP_PROTOCOL_FVC) {
        size_t k = 0;
        for (size_t g = 0; g < groups; g++) {
            for (size_t h = g + 1; h < groups; h++) il[k++] = (fp_pair){(uint32_t)gs[g], (uint32_t)gs[h]};
        }
    } else if (il) {
        size_t k = 0;
        for (size_t g = 0; g < groups; g++) {
            for (size_t a = gs[g]; a < gs[g + 1]; a++) {
                /* Samples of later fingers start at the next group. */
                for (size_t b = gs[g + 1]; b < ds->count; b++) il[k++] = (fp_pair){(uint32_t)a, (uint32_t)b};
            }
        }
    }

done:
    if (st != FP_OK) {
        free(gl);
        free(il);
        return st;
    }
    if (genuine) *genuine = gl;
    if (impostor) *impostor = il;
    *n_genuine = ng;
    *n_impostor = ni;
    return FP_OK;
}
