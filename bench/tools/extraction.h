/*
 * extraction.h - fpbench sub-commands that measure the extractor against
 * synthetic ground truth and the synthetic generator against real sets.
 *
 *   fpbench extraction [--json FILE] [--images N] [--seed S]
 *   fpbench realism DIR... [--synthetic N] [--seed S] [--pressure-mix]
 *                   [--profile P] [--difficulty D] [--plots DIR] [--json FILE]
 *   fpbench skin DIR... [--skin S] [--seed N]
 *   fpbench distortion DIR... [--distort PX] [--seed N]
 *
 * argv holds the arguments after the sub-command name. Both print their
 * tables to stdout and return a process exit code (0 success, 1 failure,
 * 2 usage). See docs/realism.md for what they show.
 */
#ifndef FP_BENCH_EXTRACTION_H
#define FP_BENCH_EXTRACTION_H

#ifdef __cplusplus
extern "C" {
#endif

int fpbench_extraction(int argc, char **argv);
int fpbench_realism(int argc, char **argv);
int fpbench_skin(int argc, char **argv);
int fpbench_distortion(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
