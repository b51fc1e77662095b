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
  libbenchmark-dev        # micro-benchmarks
  libcmocka-dev           # unit tests
  gcc-arm-linux-gnueabihf qemu-user   # ARM cross build of the core
  clang libclang-rt-14-dev            # libFuzzer targets
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
