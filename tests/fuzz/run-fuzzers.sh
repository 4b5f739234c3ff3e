#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan and UBSan on) and runs each for a bounded time from
# a copy of its seed corpus. Usage: run-fuzzers.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?build directory}
seconds=${2:-10}
command -v clang++ >/dev/null || { echo "clang++ is missing (packaging/install-deps.sh installs it)" >&2; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build "$build" -j "${LEARNPULSE_JOBS:-$(nproc)}"
export ASAN_OPTIONS=detect_leaks=0 QT_QPA_PLATFORM=offscreen
status=0
for target in detector sse rules transcript; do
    work=$(mktemp -d)
    cp -r "$here/corpus/$target/." "$work/"
    echo "== fuzz_$target for ${seconds}s"
    if ! "$build/fuzz_$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 "$work" 2>"$work.log"; then
        tail -50 "$work.log"
        status=1
    else
        grep -E 'stat::number_of_executed_units|Done' "$work.log" | tail -2
    fi
    rm -rf "$work" "$work.log"
done
exit $status
