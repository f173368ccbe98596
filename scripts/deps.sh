#!/usr/bin/env bash
# Installs the Debian packages cdnsim needs to build, test and plot.
# The one list of dependencies: used by scripts/quickstart.sh and .ci/run.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libgsl-dev libcjson-dev nettle-dev check gnuplot-nox
      openmpi-bin libopenmpi-dev clang libclang-rt-dev man-db python3-jsonschema
      zsh chromium)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ] && [ "${1:-}" != "--force" ]; then
    echo "deps: all packages present (${pkgs[*]})"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
