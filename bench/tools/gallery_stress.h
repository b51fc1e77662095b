/*
 * gallery_stress.h - fpbench sub-command: the gallery file under
 * concurrent writers, a compactor and readers.
 *
 *   fpbench gallery-stress [--seconds S] [--writers N] [--readers R]
 *                          [--batch B] [--compact-ms M] [--kill-ms K]
 *                          [--file PATH] [--seed S]
 *
 * N writer processes take turns at the writer lock and put (or replace)
 * fingers, each reporting every acknowledged put to the parent; a
 * compactor process compacts the file every M ms; R reader processes load
 * the file (alternately copied and mapped), search it and load it again
 * when it changes; with K > 0 a random writer is killed with SIGKILL every
 * K ms and started again. After S seconds the file is opened and every
 * acknowledged put is looked for, with the template last acknowledged for
 * its id. Prints the counts and "acknowledged puts lost: N"; returns 0
 * when nothing was lost and no process failed, 1 otherwise, 2 on usage
 * errors. See docs/search.md.
 */
#ifndef FP_BENCH_GALLERY_STRESS_H
#define FP_BENCH_GALLERY_STRESS_H

#ifdef __cplusplus
extern "C" {
#endif

int fpbench_gallery_stress(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
