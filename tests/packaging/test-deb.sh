#!/usr/bin/env bash
# Builds the .deb from a configured and built tree, checks its control data and contents, unpacks it
# into a scratch root (dpkg -x) and starts the installed binaries from there.
# Usage: test-deb.sh BUILD_DIR VERSION
set -euo pipefail
build=$1
version=$2
work=$(mktemp -d)
console_pid=
cleanup() {
    [[ -n $console_pid ]] && kill "$console_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/out/*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one .deb, got: ${debs[*]}"
deb=${debs[0]}
[[ $(basename "$deb") == "learnpulse-support-console_${version}_amd64.deb" ]] || fail "file name $(basename "$deb")"

# Control data: name, version, and the run-time dependencies (libraries and Qt plug-ins).
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == learnpulse-support-console ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version)"
depends=$(field Depends)
for dep in libqt6core6 libqt6widgets6 libqt6network6 libqt6sql6 libqt6charts6 libqt6sql6-sqlite qt6-qpa-plugins \
           libhiredis0.14 libcurl4 libsodium23; do
    grep -Eq "(^|, )$dep( |,|$)" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
! grep -q -- '-dev' <<<"$depends" || fail "Depends names a -dev package: $depends"
grep -q redis-server <<<"$(field Recommends)" || fail "Recommends lacks redis-server"
grep -q fonts-noto-color-emoji <<<"$(field Recommends)" || fail "Recommends lacks fonts-noto-color-emoji"
grep -q stunnel4 <<<"$(field Recommends)" || fail "Recommends lacks stunnel4 (rediss://)"
[[ -n $(field Description) ]] || fail "no Description"

# Contents: exactly the application, its desktop integration and the copyright file.
dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sort >"$work/contents"
cat >"$work/expected" <<LIST
./usr/bin/learnpulse-console
./usr/bin/learnpulsectl
./usr/share/applications/ai.learnpulse.SupportConsole.desktop
./usr/share/doc/learnpulse-support-console/copyright
./usr/share/icons/hicolor/256x256/apps/ai.learnpulse.SupportConsole.png
./usr/share/icons/hicolor/scalable/apps/ai.learnpulse.SupportConsole.svg
./usr/share/metainfo/ai.learnpulse.SupportConsole.metainfo.xml
LIST
diff -u "$work/expected" "$work/contents" || fail "unexpected package contents"

# Unpacked into a scratch root: the desktop file and AppStream metadata are valid and agree.
root=$work/root
dpkg -x "$deb" "$root"
desktop-file-validate "$root/usr/share/applications/ai.learnpulse.SupportConsole.desktop" || fail "desktop file"
appstreamcli validate --no-net "$root/usr/share/metainfo/ai.learnpulse.SupportConsole.metainfo.xml" >"$work/as.log" 2>&1 \
    || { cat "$work/as.log"; fail "AppStream metadata"; }
grep -q '^Exec=learnpulse-console$' "$root/usr/share/applications/ai.learnpulse.SupportConsole.desktop" || fail "Exec"
grep -q '<launchable type="desktop-id">ai.learnpulse.SupportConsole.desktop</launchable>' \
    "$root/usr/share/metainfo/ai.learnpulse.SupportConsole.metainfo.xml" || fail "launchable"
[[ -x $root/usr/bin/learnpulse-console && -x $root/usr/bin/learnpulsectl ]] || fail "binaries not executable"
if ldd "$root/usr/bin/learnpulse-console" "$root/usr/bin/learnpulsectl" | grep -E 'not found|'"$build"; then
    fail "the installed binaries need libraries that are missing or in the build tree"
fi

# The installed command-line tool works.
[[ $("$root/usr/bin/learnpulsectl" --version) == "learnpulsectl $version" ]] || fail "learnpulsectl --version"
out=$("$root/usr/bin/learnpulsectl" detect --json --data-dir "$work/data" "This answer is wrong and useless")
grep -q '"dissatisfied":true' <<<"$out" || fail "learnpulsectl detect: $out"

# The installed console starts: it shows its window and creates its index, and keeps running.
[[ $(QT_QPA_PLATFORM=offscreen "$root/usr/bin/learnpulse-console" --version 2>&1 | tr -d '\n') == *"$version"* ]] || fail "console --version"
mkdir -p "$work/config"
XDG_CONFIG_HOME=$work/config QT_QPA_PLATFORM=offscreen REDIS_URL=redis://127.0.0.1:1 \
    "$root/usr/bin/learnpulse-console" --data-dir "$work/console-data" >"$work/console.log" 2>&1 &
console_pid=$!
for _ in $(seq 1 100); do
    [[ -f $work/console-data/learnpulse.sqlite ]] && break
    kill -0 "$console_pid" 2>/dev/null || { cat "$work/console.log"; fail "the console exited at start"; }
    sleep 0.1
done
[[ -f $work/console-data/learnpulse.sqlite ]] || { cat "$work/console.log"; fail "the console did not create its index"; }
sleep 1
kill -0 "$console_pid" 2>/dev/null || { cat "$work/console.log"; fail "the console stopped"; }
kill "$console_pid"
wait "$console_pid" 2>/dev/null || true
console_pid=
echo "package OK: $(basename "$deb"), $(wc -l <"$work/contents") files"
