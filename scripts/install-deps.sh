#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the benchmarks need.
# Idempotent: packages already present are left alone. Runs as root or via sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libsimde-dev            # portable SIMD intrinsics (engine core)
  libpng-dev libtiff-dev  # image input/output for the tools
  libcjson-dev            # JSON reports
  libopenblas-dev         # 1:N pre-screening
  libhwloc-dev            # thread placement
  libopenmpi-dev openmpi-bin          # sharded 1:N search over MPI ranks (optional at build time)
  libbenchmark-dev        # micro-benchmarks
  libcmocka-dev           # unit tests
  gcc-arm-linux-gnueabihf qemu-user   # ARM cross build of the core
  libc6-dev-armhf-cross               # its C library headers and start files (crt*.o)
  clang libclang-rt-14-dev            # libFuzzer targets
  libfprint-2-dev libglib2.0-dev      # USB fingerprint readers (sensor libfprint backend)
  libsqlcipher-dev libssl-dev         # terminal: encrypted storage, PIN hashing
  libcurl4-openssl-dev                # terminal: cloud sync (PUSH protocol over HTTP/HTTPS)
  libsdl2-dev libqrencode-dev         # terminal: desktop simulator window, QR binding screen
  espeak-ng xvfb xauth                # terminal: voice prompts at build time, headless simulator
  openssl                             # terminal sync tests: a throw-away TLS server
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# The ARM cross tests link cmocka built for armhf (Debian multiarch).
if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  $SUDO dpkg --add-architecture armhf
fi
PACKAGES+=(libcmocka-dev:armhf)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  # A mirror mid-sync can fail one index; retry a few times before giving up.
  installed=0
  for attempt in 1 2 3; do
    $SUDO apt-get update -qq || true
    if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      installed=1
      break
    fi
    echo "install-deps: attempt $attempt failed, retrying" >&2
    sleep 10
  done
  if [ "$installed" -ne 1 ]; then
    echo "install-deps: could not install ${missing[*]}" >&2
    exit 1
  fi
fi

# A package list can look complete and still leave a toolchain that cannot
# link (packages come without their recommends). Build, link and run a trivial
# cmocka program with every toolchain the test stages use, so that a gap shows
# here and not in the middle of a CI run.
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
cat >"$check_dir/t.c" <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
static void ok(void **state) { (void)state; assert_int_equal(1, 1); }
int main(void) {
    const struct CMUnitTest tests[] = { cmocka_unit_test(ok) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
EOF
cat >"$check_dir/f.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
EOF
failed=0
check() {
  local what=$1
  shift
  if ! "$@" >"$check_dir/log" 2>&1; then
    echo "install-deps: toolchain check failed: $what" >&2
    sed 's/^/  /' "$check_dir/log" >&2
    failed=1
  fi
}
host_and_run() {
  gcc -fsanitize=address,undefined "$check_dir/t.c" -o "$check_dir/host" -lcmocka && "$check_dir/host"
}
arm_and_run() {
  arm-linux-gnueabihf-gcc -mfpu=neon -mfloat-abi=hard "$check_dir/t.c" -o "$check_dir/arm" -lcmocka &&
    qemu-arm -L /usr/arm-linux-gnueabihf "$check_dir/arm"
}
check "host gcc with sanitizers and cmocka (compile, link, run)" host_and_run
check "clang with libFuzzer (compile, link)" \
  clang -fsanitize=fuzzer,address,undefined "$check_dir/f.c" -o "$check_dir/fuzz"
check "armhf gcc with armhf cmocka (compile, link, run under qemu-arm)" arm_and_run
if [ "$failed" -ne 0 ]; then
  echo "install-deps: a toolchain cannot build; see above" >&2
  exit 1
fi
echo "install-deps: host, fuzzer and armhf toolchains compile, link and run"
