#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running console: installs what is missing, builds,
# and starts it. Arguments go to the program (e.g. --data-dir DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LEARNPULSE_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
    echo "run-console: no desktop session (DISPLAY or WAYLAND_DISPLAY is not set)." >&2
    echo "Start it from a desktop, or under Xvfb: xvfb-run -a $0 $*" >&2
    exit 1
fi
exec "$build_dir/app/learnpulse-console" "$@"
