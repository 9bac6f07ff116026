#!/usr/bin/env bash
# Installs the Debian packages the build needs, only those missing (so repeated runs are quick).
# Arguments name extra packages for an optional build (`make fuzz-deps`: clang and libFuzzer).
set -euo pipefail

packages=(
  g++ make cmake ninja-build python3-venv python3-dev
  libhwy-dev        # Highway: SIMD kernels with runtime dispatch
  libcli11-dev      # CLI11: command-line parsing
  nlohmann-json3-dev  # nlohmann::json: the parameters every PNG records
  zlib1g-dev        # zlib: PNG compression (--best and the other zlib levels)
  libdeflate-dev pkgconf  # libdeflate: vectorised Adler-32 and CRC-32 for the PNG writer
  libgtest-dev libgmock-dev  # GoogleTest
  libbenchmark-dev  # Google Benchmark
  help2man          # the juliaset(1) manual page, generated from --help
  chromium chromium-driver  # the explorer's browser tests (Selenium, headless); ~40 s to install
  libmpfr-dev libgmp-dev  # MPFR: the deep engine's reference orbits and oracle
)
packages+=("$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
