#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a full test run: installs what is missing, builds,
# and runs every test with CTest twice: a normal build (./build, with the libFuzzer targets) and a
# build with AddressSanitizer and UndefinedBehaviorSanitizer (./build-asan). Extra arguments go to
# ctest (e.g. -R tst_detector); LEARNPULSE_SKIP_SANITIZED=1 runs the normal build only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${LEARNPULSE_JOBS:-$(nproc)}

echo "== normal build"
# Warnings are errors in both builds: a new one fails the run.
LEARNPULSE_BUILD_DIR="$root/build" LEARNPULSE_CMAKE_ARGS="-DLEARNPULSE_WERROR=ON" "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure --no-tests=error -j "$jobs" "$@")

if [[ ${LEARNPULSE_SKIP_SANITIZED:-0} != 1 ]]; then
    echo "== AddressSanitizer and UndefinedBehaviorSanitizer build"
    # Debug (-O0): sanitizer builds compile much faster unoptimised, and report more precisely.
    LEARNPULSE_BUILD_DIR="$root/build-asan" LEARNPULSE_BUILD_TYPE=Debug \
        LEARNPULSE_CMAKE_ARGS="-DLEARNPULSE_SANITIZE=ON -DLEARNPULSE_FUZZ=OFF -DLEARNPULSE_WERROR=ON" "$root/scripts/build.sh"
    (cd "$root/build-asan" && ctest --output-on-failure --no-tests=error -j "$jobs" "$@")
fi
