#!/usr/bin/env bash
# Runs the whole test suite the way CI does:
#  1. every test under AddressSanitizer + UndefinedBehaviorSanitizer, warnings as errors;
#  2. the Release build of everything (scripts/bench.sh's configuration) must compile;
#     then the unit and SIMD-equivalence tests again with the scalar reference kernels forced (FP_SIMD=ref);
#  3. the terminal's threaded tests (the sync worker, the engine, the app with the worker) under
#     ThreadSanitizer, in a build of their own (TSan cannot share a build with ASan);
#  4. the engine core, the terminal's pure logic and their tests cross-compiled for 32-bit ARM
#     with NEON, run under qemu-arm.
# Build trees go to build/ (override with BUILD_ROOT).
set -euo pipefail
cd "$(dirname "$0")/.."
root=${BUILD_ROOT:-build}
jobs=${JOBS:-2}

echo "== sanitizer build (ASan + UBSan) =="
cmake -S . -B "$root/asan" -DFP_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/asan" -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$root/asan" && ctest --output-on-failure -j"$jobs")

echo "== Release build (the configuration scripts/bench.sh builds; warnings differ at -O3) =="
cmake -S . -B "$root/release" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/release" -j"$jobs"

echo "== scalar reference kernels forced (FP_SIMD=ref) =="
(cd "$root/asan" && FP_SIMD=ref ctest --output-on-failure -j"$jobs" -L "unit|equiv")

echo "== ThreadSanitizer: the terminal's sync worker, engine and app tests =="
tsan_tests=(test_term_sync_worker test_term_sync_e2e test_term_sync_peers test_term_sync_fault
            test_term_app_sync test_term_app_sync_latency)
cmake -S . -B "$root/tsan" -DFP_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/tsan" -j"$jobs" --target "${tsan_tests[@]}" m1-terminal
(cd "$root/tsan" && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
   ctest --output-on-failure -j"$jobs" -R "^($(IFS='|'; echo "${tsan_tests[*]}"))\$")

if command -v arm-linux-gnueabihf-gcc >/dev/null && command -v qemu-arm >/dev/null \
   && [ -f /usr/lib/arm-linux-gnueabihf/pkgconfig/cmocka.pc ]; then
  echo "== ARM (armhf, NEON) cross build of the core and terminal logic, tests under qemu-arm =="
  cmake -S . -B "$root/arm" -DFP_CORE_ONLY=ON -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE=cmake/arm-linux-gnueabihf.cmake >/dev/null
  cmake --build "$root/arm" -j"$jobs"
  (cd "$root/arm" && FP_TEST_QUICK=1 ctest --output-on-failure -j"$jobs")
else
  echo "ARM cross toolchain, qemu-arm or armhf cmocka missing: run scripts/install-deps.sh" >&2
  exit 1
fi
echo "all test stages passed"
