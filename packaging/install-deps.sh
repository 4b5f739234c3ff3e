#!/usr/bin/env bash
# Installs the Debian 12 packages LearnPulse Support Console needs to build, run and test.
# Idempotent: packages already present are skipped, and apt is not touched when nothing is missing.
# Runs as root, or through sudo when available.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-qpa-plugins
    libqt6opengl6-dev libqt6sql6-sqlite libqt6sql6-psql libgl-dev
    libhiredis-dev libcurl4-openssl-dev libsodium-dev libsqlite3-dev libfasttext-dev fasttext
    redis-server stunnel4 openssl postgresql python3 python3-aiosmtpd
    dpkg-dev appstream desktop-file-utils
    xvfb xauth trayer fonts-noto-color-emoji
    clang libclang-rt-14-dev clang-format
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    else
        echo "install-deps: these packages are missing and I am not root (no sudo): ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
