#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a full test run: installs what is missing, builds,
# and runs every test with CTest. Extra arguments go to ctest (e.g. -R tst_detector).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LEARNPULSE_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
cd "$build_dir"
ctest --output-on-failure --no-tests=error -j "${LEARNPULSE_JOBS:-$(nproc)}" "$@"
