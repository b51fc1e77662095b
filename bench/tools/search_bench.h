/*
 * search_bench.h - fpbench sub-command for 1:N identification.
 *
 *   fpbench search [--sizes N,...] [--threads T,...] [--queries Q]
 *                  [--fpir-sizes N,...|none] [--fpir-probes P] [--mated-probes M]
 *                  [--threshold T] [--seed S]
 *                  [--gallery-file PATH [--gallery-file-replace] [--gallery-load copy|map]
 *                   [--query-gallery heap|file]] (and more: usage())
 *
 * Builds a gallery of fast synthetic templates (fp_synth_fast_batch) and
 * prints, per gallery size: bytes per enrolled finger, query latency with
 * each thread count, and for the --fpir-sizes the measured false positive
 * identification rate of unenrolled fingers at the 1:N threshold and the
 * rank-1 identification rate of enrolled fingers. --gallery-file writes each
 * gallery to PATH and times loading it; an existing PATH is refused unless
 * --gallery-file-replace is given, and then only a gallery file is
 * overwritten. argv holds the arguments
 * after the sub-command name; returns a process exit code (0 success,
 * 1 failure, 2 usage). See docs/search.md.
 */
#ifndef FP_BENCH_SEARCH_H
#define FP_BENCH_SEARCH_H

#ifdef __cplusplus
extern "C" {
#endif

int fpbench_search(int argc, char **argv);
/* fpbench search --mpi ... (search_mpi_bench.c; argv after --mpi), started
 * with mpirun; built when Open MPI was found. */
int fpbench_search_mpi(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
