#!/usr/bin/env bash
# Quick start: install the Debian packages, build cdnsim (Release) and run
# the reference scenario, which writes results/cloudflare-2025-11-18/: the
# timeline plot of one replication, and over 100 replications the
# calibration report and the fan chart (ensemble.png).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/cdnsim run -n 100 "$@"
