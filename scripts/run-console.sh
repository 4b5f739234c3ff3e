#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running console: installs what is missing, builds,
# and starts it. Arguments go to the program (e.g. --data-dir DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${LEARNPULSE_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
if [[ -x $build_dir/app/learnpulse-console ]]; then
    exec "$build_dir/app/learnpulse-console" "$@"
fi
# The desktop console is not part of this build yet: show what the command-line tool can do.
echo "The desktop console is not built yet; the command-line tool is at $build_dir/app/learnpulsectl" >&2
exec "$build_dir/app/learnpulsectl" --help
