// C wrapper around Google Benchmark (see gbench.h).
#include "gbench.h"

#include <benchmark/benchmark.h>

struct fpb_state {
    benchmark::State *state;
};

extern "C" int fpb_keep_running(fpb_state *s)
{
    return s->state->KeepRunning();
}

extern "C" void fpb_set_items_processed(fpb_state *s, int64_t items)
{
    s->state->SetItemsProcessed(static_cast<int64_t>(s->state->iterations()) * items);
}

extern "C" void fpb_do_not_optimize(const void *value)
{
    benchmark::DoNotOptimize(value);
}

extern "C" void fpb_register(const char *name, void (*fn)(fpb_state *, void *), void *arg)
{
    benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &st) {
        fpb_state s{&st};
        fn(&s, arg);
    });
}

extern "C" int fpb_run(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
