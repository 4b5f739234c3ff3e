#!/usr/bin/env bash
# Installs the Debian packages the project needs (idempotent), then configures and builds it with
# Ninja and ccache into ./build. Used by run-console.sh and run-tests.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LEARNPULSE_BUILD_DIR:-$root/build}

"$root/packaging/install-deps.sh"

jobs=${LEARNPULSE_JOBS:-$(nproc)}
if [[ ! -f $build_dir/build.ninja ]]; then
    cmake -S "$root" -B "$build_dir" -G Ninja \
        -DCMAKE_BUILD_TYPE="${LEARNPULSE_BUILD_TYPE:-RelWithDebInfo}" \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
fi
cmake --build "$build_dir" -j "$jobs" "$@"
