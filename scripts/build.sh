#!/usr/bin/env bash
# Installs the Debian packages the project needs (idempotent), then configures and builds it with
# Ninja and ccache. Build directory: $LEARNPULSE_BUILD_DIR (default ./build); extra CMake options:
# $LEARNPULSE_CMAKE_ARGS (e.g. -DLEARNPULSE_SANITIZE=ON). Used by run-console.sh and run-tests.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LEARNPULSE_BUILD_DIR:-$root/build}

"$root/packaging/install-deps.sh"

jobs=${LEARNPULSE_JOBS:-$(nproc)}
# Paths relative to the checkout in ccache keys, so that a fresh clone reuses earlier compilations.
export CCACHE_BASEDIR="$root"
read -r -a extra <<<"${LEARNPULSE_CMAKE_ARGS:-}"
cmake -S "$root" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE="${LEARNPULSE_BUILD_TYPE:-RelWithDebInfo}" \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs" "$@"
