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
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
# A mirror mid-sync can fail one index; retry a few times before giving up.
for attempt in 1 2 3; do
  $SUDO apt-get update -qq || true
  if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    exit 0
  fi
  echo "install-deps: attempt $attempt failed, retrying" >&2
  sleep 10
done
echo "install-deps: could not install ${missing[*]}" >&2
exit 1
