#!/usr/bin/env bash
# Quick start: install the Debian packages, build cdnsim (Release) and run
# the reference scenario, which writes results/cloudflare-2025-11-18/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/cdnsim run "$@"
