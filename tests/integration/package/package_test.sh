#!/usr/bin/env bash
# Debian package tests of OneWindow (installer/), run by CTest (tests/integration/package).
#
#   package_test.sh STEP --build-dir DIR --source-dir DIR --work-dir DIR [--gui 0|1] [--server 0|1]
#
# STEP:
#   build    cpack the current build twice: the current version and a lower "previous" one
#   static   lintian (no error, no warning) + package contents, control fields, desktop files
#   rootfs   make (or reuse) the cached debootstrap'ed bookworm root tarball
#   install  fresh root: install, run, GUI screenshot under Xvfb, remove, purge, nothing left
#   upgrade  fresh root: install the previous version, edit config, add user data, upgrade: kept
#   msi      the WiX source builds with wixl (stub binaries) into an MSI with the expected tables
#
# rootfs/install/upgrade need root (or passwordless sudo) for debootstrap, mount and chroot; run
# as a user without either they print "SKIP: …" and exit 77, which CTest reports as skipped.
# The bootstrapped root is cached in ${OW_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/onewindow-test},
# keyed by suite, architecture, mirror and ISO week, together with the downloaded .debs.
# Environment: OW_TEST_DEBIAN_MIRROR / OW_TEST_SECURITY_MIRROR override the mirrors taken from the
# host's apt sources; OW_TEST_SUITE (default bookworm).
set -euo pipefail

step=${1:?usage: package_test.sh STEP --build-dir DIR --source-dir DIR --work-dir DIR}
shift
BUILD_DIR="" SOURCE_DIR="" WORK_DIR="" HAVE_GUI=0 HAVE_SERVER=0 CPACK=cpack
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --source-dir) SOURCE_DIR=$2; shift 2 ;;
    --work-dir) WORK_DIR=$2; shift 2 ;;
    --gui) HAVE_GUI=$2; shift 2 ;;
    --server) HAVE_SERVER=$2; shift 2 ;;
    --cpack) CPACK=$2; shift 2 ;;
    *) echo "package_test.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$BUILD_DIR" ] && [ -n "$SOURCE_DIR" ] && [ -n "$WORK_DIR" ] || { echo "missing --build-dir/--source-dir/--work-dir" >&2; exit 2; }

exec 8>&1 9>&2 # the test's own stdout and stderr, for the cleanup trap
SUITE=${OW_TEST_SUITE:-bookworm}
ARCH=$(dpkg --print-architecture)
PKG_CUR=$WORK_DIR/pkg/current
PKG_PREV=$WORK_DIR/pkg/previous
CACHE=${OW_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/onewindow-test}
FAILURES=0

log() { printf '[%s %s] %s\n' "$step" "$(date +%H:%M:%S)" "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; FAILURES=$((FAILURES + 1)); }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
check() { # check "description" command...: runs the command, records a failure when it fails
  local what=$1; shift
  if "$@"; then log "ok: $what"; else fail "$what"; fi
}
finish() {
  if [ "$FAILURES" -ne 0 ]; then echo "$step: $FAILURES check(s) failed"; exit 1; fi
  echo "$step: all checks passed"
}
need_tool() {
  command -v "$1" >/dev/null || die "'$1' not found: run scripts/setup (Debian package ${2:-$1})"
}

SUDO=""
need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      SUDO="sudo -n"
    else
      echo "SKIP: the '$step' step needs root or passwordless sudo (debootstrap, mount, chroot); not run"
      exit 77
    fi
  fi
}

# The packages of one build: "current" or "previous".
debs() { ls "$1"/*.deb 2>/dev/null; }
deb_of() { ls "$1"/"$2"_*_"$ARCH".deb 2>/dev/null | head -n1; }
upstream_version() { grep -E '^CPACK_PACKAGE_VERSION:' "$WORK_DIR/pkg/version" | cut -d' ' -f2; }

# ---------------------------------------------------------------------------------------------
step_build() {
  need_tool dpkg-deb dpkg
  need_tool dpkg-shlibdeps dpkg-dev
  [ -f "$BUILD_DIR/CPackConfig.cmake" ] || die "no CPackConfig.cmake in $BUILD_DIR (installer/ not configured?)"
  local version prev
  version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/CPackConfig.cmake")
  [ -n "$version" ] || die "cannot read CPACK_PACKAGE_VERSION from CPackConfig.cmake"
  # "~" sorts before anything in Debian versions: 0.1.0~prev1 < 0.1.0.
  prev="${version}~prev1"
  rm -rf "$WORK_DIR/pkg"
  mkdir -p "$PKG_CUR" "$PKG_PREV"
  log "cpack $version"
  (cd "$BUILD_DIR" && "$CPACK" -G DEB --config CPackConfig.cmake -B "$PKG_CUR") > "$WORK_DIR/cpack-current.log" 2>&1 \
    || { cat "$WORK_DIR/cpack-current.log"; die "cpack failed"; }
  log "cpack $prev"
  (cd "$BUILD_DIR" && "$CPACK" -G DEB --config CPackConfig.cmake -B "$PKG_PREV" -D CPACK_PACKAGE_VERSION="$prev") \
    > "$WORK_DIR/cpack-previous.log" 2>&1 || { cat "$WORK_DIR/cpack-previous.log"; die "cpack (previous) failed"; }
  printf 'CPACK_PACKAGE_VERSION: %s\nPREVIOUS: %s\n' "$version" "$prev" > "$WORK_DIR/pkg/version"
  rm -rf "$PKG_CUR/_CPack_Packages" "$PKG_PREV/_CPack_Packages"

  local expect=(onewindow)
  [ "$HAVE_SERVER" = 1 ] && expect+=(onewindow-server)
  local p
  for p in "${expect[@]}"; do
    check "$p current package built" test -f "$PKG_CUR/${p}_${version}-1_${ARCH}.deb"
    check "$p previous package built" test -f "$PKG_PREV/${p}_${prev}-1_${ARCH}.deb"
    check "$p previous version field" test "$(dpkg-deb -f "$PKG_PREV/${p}_${prev}-1_${ARCH}.deb" Version)" = "${prev}-1"
    check "$p previous changelog names its version" \
      bash -c "dpkg-deb --fsys-tarfile '$PKG_PREV/${p}_${prev}-1_${ARCH}.deb' | tar -xO ./usr/share/doc/$p/changelog.Debian.gz | zcat | head -n1 | grep -qF '(${prev}-1)'"
  done
  check "versions order: previous < current" dpkg --compare-versions "${prev}-1" lt "${version}-1"
  [ "$HAVE_SERVER" = 1 ] || check "no server package without the server target" \
    bash -c "! ls '$PKG_CUR'/onewindow-server_*.deb >/dev/null 2>&1"
  ls -l "$PKG_CUR" "$PKG_PREV"
  finish
}

# ---------------------------------------------------------------------------------------------
# Static checks of the built packages: lintian, fields, file list, permissions, desktop metadata.
contents() { dpkg-deb -c "$1" | awk '{print $1, $6}' | sed 's# \./# /#'; }
# grep reads everything (no -q): with pipefail, an early exit of grep -q would kill dpkg-deb with
# SIGPIPE and turn a match into a failure, more often the bigger the package.
has_file() { contents "$1" | grep -E "^[-l][^ ]* $2\$" >/dev/null; }
has_mode() { contents "$1" | grep -E "^$3 $2\$" >/dev/null; }
field() { dpkg-deb -f "$1" "$2"; }
control_file() { dpkg-deb --ctrl-tarfile "$1" | tar -xO "./$2" 2>/dev/null; }

step_static() {
  need_tool lintian
  need_tool dpkg-deb dpkg
  [ -f "$WORK_DIR/pkg/version" ] || die "run the build step first"
  local ws srv version x
  version=$(upstream_version)
  ws=$(deb_of "$PKG_CUR" onewindow)
  [ -n "$ws" ] || die "no onewindow package in $PKG_CUR"

  log "lintian"
  local lint_args=(--color never --display-info --pedantic --fail-on 'error,warning')
  [ "$(id -u)" -eq 0 ] && lint_args+=(--allow-root)
  # shellcheck disable=SC2046
  if lintian "${lint_args[@]}" $(debs "$PKG_CUR") > "$WORK_DIR/lintian.txt" 2>&1; then
    log "ok: lintian: no error, no warning"
  else
    fail "lintian reports errors or warnings"
  fi
  sed 's/^/  lintian: /' "$WORK_DIR/lintian.txt"

  log "workstation package: fields"
  check "Depends has the CJK font alternative" bash -c "dpkg-deb -f '$ws' Depends | grep -qF 'fonts-noto-cjk | fonts-wqy-microhei'"
  for x in libsane1 liblept5 libtesseract5 libcurl4 libpcsclite1 libsqlcipher0; do
    check "Depends $x (loaded on first use)" bash -c "dpkg-deb -f '$ws' Depends | tr ',' '\n' | grep -qx ' *$x'"
  done
  check "Depends computed by shlibdeps (libc6)" bash -c "dpkg-deb -f '$ws' Depends | grep -qE 'libc6 \\(>= '"
  for x in pcscd opensc-pkcs11 sane-utils; do
    check "Recommends $x" bash -c "dpkg-deb -f '$ws' Recommends | tr ',' '\n' | grep -qx ' *$x'"
  done
  check "Maintainer set" test -n "$(field "$ws" Maintainer)"
  check "Section set" test -n "$(field "$ws" Section)"
  check "Version ${version}-1" test "$(field "$ws" Version)" = "${version}-1"
  check "conffiles lists /etc/onewindow/onewindow.conf" bash -c "dpkg-deb --ctrl-tarfile '$ws' | tar -xO ./conffiles | grep -qx /etc/onewindow/onewindow.conf"

  log "workstation package: files"
  check "onewindow-cli in /usr/bin, 0755" has_mode "$ws" /usr/bin/onewindow-cli '-rwxr-xr-x'
  check "config template 0644" has_mode "$ws" /etc/onewindow/onewindow.conf '-rw-r--r--'
  check "config template entirely commented" bash -c "dpkg-deb --fsys-tarfile '$ws' | tar -xO ./etc/onewindow/onewindow.conf | grep -vE '^\\s*(#|\\[|\$)' | wc -l | grep -qx 0"
  check "changelog.Debian.gz" has_file "$ws" /usr/share/doc/onewindow/changelog.Debian.gz
  check "copyright (machine-readable)" bash -c "dpkg-deb --fsys-tarfile '$ws' | tar -xO ./usr/share/doc/onewindow/copyright | head -n1 | grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'"
  check "man page onewindow-cli(1)" has_file "$ws" /usr/share/man/man1/onewindow-cli.1.gz
  check "nothing under /usr/local" bash -c "! dpkg-deb -c '$ws' | grep -q ' ./usr/local/'"
  check "no server files in the workstation package" bash -c "! dpkg-deb -c '$ws' | grep -qE 'onewindow-server|systemd'"
  check "no file writable by group or others" bash -c "! dpkg-deb -c '$ws' | awk '{print \$1}' | grep -v '^l' | grep -qE '^.....w|^........w'"
  check "owner root/root everywhere" bash -c "! dpkg-deb -c '$ws' | awk '{print \$2}' | grep -qv '^root/root\$'"
  local tmp=$WORK_DIR/static
  rm -rf "$tmp"; mkdir -p "$tmp/ws"
  dpkg-deb -x "$ws" "$tmp/ws"
  check "onewindow-cli stripped (no .symtab)" bash -c "! readelf -S '$tmp/ws/usr/bin/onewindow-cli' | grep -q '\\.symtab'"
  # Every data file of forms/data reaches /usr/share/onewindow (forms installs it itself).
  if [ -d "$SOURCE_DIR/forms/data" ]; then
    local missing=0 f
    while IFS= read -r f; do
      [ -e "$tmp/ws/usr/share/onewindow/${f#./}" ] || { echo "  missing in package: /usr/share/onewindow/${f#./}"; missing=1; }
    done < <(cd "$SOURCE_DIR/forms/data" && find . -type f)
    check "forms/data installed under /usr/share/onewindow" test "$missing" = 0
  fi

  # AppStream wants the newest <release> to be the version shipped: bump it with the version.
  local newest
  newest=$(grep -o '<release version="[^"]*"' "$SOURCE_DIR/installer/linux/org.onewindow.OneWindow.metainfo.xml" | head -n1 | cut -d'"' -f2)
  check "AppStream newest release ($newest) is the project version ($version)" test "$newest" = "$version"
  if [ "$HAVE_GUI" = 1 ]; then
    log "workstation package: desktop integration"
    check "onewindow in /usr/bin, 0755" has_mode "$ws" /usr/bin/onewindow '-rwxr-xr-x'
    check "Recommends wx3.2-i18n (wx's stock strings)" bash -c "dpkg-deb -f '$ws' Recommends | tr ',' '\n' | grep -qx ' *wx3.2-i18n'"
    check "onewindow stripped" bash -c "! readelf -S '$tmp/ws/usr/bin/onewindow' | grep -q '\\.symtab'"
    check "man page onewindow(1)" has_file "$ws" /usr/share/man/man1/onewindow.1.gz
    check "desktop file" has_file "$ws" /usr/share/applications/onewindow.desktop
    check "desktop file validates" desktop-file-validate "$tmp/ws/usr/share/applications/onewindow.desktop"
    check "desktop file has zh_CN name" grep -q '^Name\[zh_CN\]=一窗通$' "$tmp/ws/usr/share/applications/onewindow.desktop"
    for x in 16 22 24 32 48 64 128 256; do
      check "icon ${x}x${x} is a ${x}x${x} PNG" bash -c "file '$tmp/ws/usr/share/icons/hicolor/${x}x${x}/apps/onewindow.png' | grep -q 'PNG image data, $x x $x'"
    done
    check "scalable icon" has_file "$ws" /usr/share/icons/hicolor/scalable/apps/onewindow.svg
    check "AppStream metainfo validates" appstreamcli validate --no-net "$tmp/ws/usr/share/metainfo/org.onewindow.OneWindow.metainfo.xml"
  else
    log "no GUI target in this build: desktop integration must be absent"
    check "no desktop file without the GUI" bash -c "! dpkg-deb -c '$ws' | grep -q applications/onewindow.desktop"
    # The committed sources are validated anyway, so a broken file is caught before the GUI lands.
    check "desktop file source validates" desktop-file-validate "$SOURCE_DIR/installer/linux/onewindow.desktop"
    check "AppStream source validates" appstreamcli validate --no-net "$SOURCE_DIR/installer/linux/org.onewindow.OneWindow.metainfo.xml"
  fi

  if [ "$HAVE_SERVER" = 1 ]; then
    srv=$(deb_of "$PKG_CUR" onewindow-server)
    log "server package"
    check "server package exists" test -n "$srv"
    if [ -n "$srv" ]; then
      mkdir -p "$tmp/srv"; dpkg-deb -x "$srv" "$tmp/srv"
      check "onewindow-server in /usr/bin, 0755" has_mode "$srv" /usr/bin/onewindow-server '-rwxr-xr-x'
      check "server conffile listed" bash -c "dpkg-deb --ctrl-tarfile '$srv' | tar -xO ./conffiles | grep -qx /etc/onewindow-server/server.conf"
      check "server Depends adduser" bash -c "dpkg-deb -f '$srv' Depends | grep -qw adduser"
      check "systemd unit" has_file "$srv" /lib/systemd/system/onewindow-server.service
      for x in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
               ReadWritePaths=/var/lib/onewindow-server User=onewindow-server; do
        check "unit has $x" grep -qx "$x" "$tmp/srv/lib/systemd/system/onewindow-server.service"
      done
      # systemd's own hardening score of the unit (0 = fully confined, 10 = exposed); 1.4 today.
      need_tool systemd-analyze systemd
      local exposure
      exposure=$(systemd-analyze security --offline=yes --root="$tmp/srv" onewindow-server.service 2>/dev/null \
                 | sed -n 's/.*Overall exposure level for onewindow-server.service: \([0-9.]*\).*/\1/p')
      log "systemd-analyze security: exposure ${exposure:-?}"
      check "unit exposure level ${exposure:-?} <= 2.0 (systemd-analyze security)" \
        awk -v e="${exposure:-99}" 'BEGIN{exit !(e <= 2.0)}'
      check "postinst creates the system user" bash -c "dpkg-deb --ctrl-tarfile '$srv' | tar -xO ./postinst | grep -q 'adduser --system'"
      check "man page onewindow-server(1)" has_file "$srv" /usr/share/man/man1/onewindow-server.1.gz
      check "no workstation files in the server package" bash -c "! dpkg-deb -c '$srv' | grep -qE 'usr/bin/onewindow(-cli)?\$|etc/onewindow/'"
    fi
  fi
  finish
}

# ---------------------------------------------------------------------------------------------
# The bootstrapped root, cached between runs.
host_mirror() { # host_mirror SUITE-REGEX: the first URI of the host's apt sources serving that suite
  local re=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v re="$re" '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) ~ re) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v re="$re" 'BEGIN{RS=""; FS="\n"} {
        uri=""; ok=0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, a, " "); uri = a[2] }
          if ($i ~ /^Suites:/) { n = split($i, s, " "); for (j = 2; j <= n; j++) if (s[j] ~ re) ok = 1 }
        }
        if (ok && uri != "") { print uri; exit }
      }' "$f"
  done
}
MIRROR=${OW_TEST_DEBIAN_MIRROR:-$(host_mirror "^${SUITE}\$" | head -n1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SEC_MIRROR=${OW_TEST_SECURITY_MIRROR:-$(host_mirror "^${SUITE}-security\$" | head -n1)}
SEC_MIRROR=${SEC_MIRROR:-http://deb.debian.org/debian-security}
mirror_key=$(printf '%s' "$MIRROR" | sed 's#^[a-z]*://##; s#[^A-Za-z0-9.]#_#g')
ROOTFS_TAR=$CACHE/rootfs-$SUITE-minbase-$ARCH-$mirror_key-$(date +%G-w%V).tar.zst
APT_CACHE=$CACHE/apt-archives-$SUITE-$ARCH

step_rootfs() {
  need_root
  need_tool debootstrap
  need_tool zstd
  mkdir -p "$CACHE" "$APT_CACHE/partial"
  if [ -s "$ROOTFS_TAR" ]; then
    log "cached root: $ROOTFS_TAR"
    echo "rootfs: reused"
    return 0
  fi
  local tmp=$WORK_DIR/bootstrap
  # debootstrap mounts /proc and /sys in its target: unmount them whatever happens.
  # shellcheck disable=SC2064
  trap "unmount_all '$tmp'" EXIT INT TERM # expanded now on purpose: $tmp is local
  [ "$step" = rootfs ] && start_watchdog 540
  unmount_all "$tmp"
  $SUDO rm -rf --one-file-system "$tmp"
  log "debootstrap --variant=minbase $SUITE from $MIRROR (first run this week on this machine)"
  local t0=$SECONDS
  $SUDO debootstrap --variant=minbase --cache-dir="$APT_CACHE" "$SUITE" "$tmp" "$MIRROR" \
    > "$WORK_DIR/debootstrap.log" 2>&1 || { tail -n 30 "$WORK_DIR/debootstrap.log"; die "debootstrap failed"; }
  $SUDO rm -rf "$tmp/var/cache/apt/archives/"*.deb
  $SUDO tar --zstd -C "$tmp" -cf "$ROOTFS_TAR.tmp.$$" .
  $SUDO mv "$ROOTFS_TAR.tmp.$$" "$ROOTFS_TAR"
  $SUDO rm -rf --one-file-system "$tmp"
  # Older weeks' roots are stale: keep only this one.
  find "$CACHE" -maxdepth 1 -name "rootfs-$SUITE-minbase-$ARCH-*.tar.zst" ! -path "$ROOTFS_TAR" -delete
  log "bootstrapped in $((SECONDS - t0)) s: $(du -h "$ROOTFS_TAR" | cut -f1)"
  echo "rootfs: created"
}

# ---------------------------------------------------------------------------------------------
# A fresh root per test, with /proc, a private /dev and the apt archive cache mounted.
# Safety: the host's /dev is never bind-mounted as a whole (a stray `rm -rf build` over a left-over
# mount would delete device nodes); /dev is a tmpfs with single nodes bound onto files, which
# cannot be removed while mounted. A watchdog stops the step before CTest's timeout would SIGKILL
# it, so the trap always unmounts.
ROOT=""
XVFB_PID=""
mounts_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r; }
unmount_all() {
  local r=$1 m
  [ -n "$r" ] || return 0
  for m in $(mounts_under "$r"); do
    $SUDO umount "$m" 2>/dev/null || $SUDO umount -l "$m" || true
  done
}
WATCHDOG_PID=""
start_watchdog() { # start_watchdog SECONDS: TERM this script (so that its trap runs) after SECONDS
  local self=$$
  ( trap - EXIT INT TERM
    sleep "$1" & wait $!
    echo "watchdog: the $step step ran longer than $1 s; stopped" > "$WORK_DIR/$step-watchdog.txt"
    kill -TERM "$self"; pkill -TERM -P "$self" ) </dev/null >/dev/null 2>&1 &
  WATCHDOG_PID=$!
}
cleanup() {
  local rc=$?
  # A trap can fire inside a function whose output goes to a log: back to the test's own output.
  exec 1>&8 2>&9
  if [ -n "$WATCHDOG_PID" ]; then
    pkill -P "$WATCHDOG_PID" 2>/dev/null || true
    kill "$WATCHDOG_PID" 2>/dev/null || true
  fi
  [ -f "$WORK_DIR/$step-watchdog.txt" ] && cat "$WORK_DIR/$step-watchdog.txt" >&2
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  if [ -n "$ROOT" ] && [ -d "$ROOT" ]; then
    kill_root_procs KILL
    unmount_all "$ROOT"
    if [ -z "$(mounts_under "$ROOT")" ]; then
      [ -n "${OW_TEST_KEEP_ROOT:-}" ] || $SUDO rm -rf --one-file-system "$ROOT"
    else
      echo "cleanup: mounts still active under $ROOT; not removing it" >&2
    fi
  fi
  exit $rc
}

# Processes whose root directory is the test root (the GUI, a stray daemon): signalled by pid.
kill_root_procs() {
  local sig=$1 pid r
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    r=$($SUDO readlink "/proc/$pid/root" 2>/dev/null || true)
    [ "$r" = "$ROOT" ] && $SUDO kill "-$sig" "$pid" 2>/dev/null || true
  done
}
PROXY_ENV=()
for v in http_proxy https_proxy no_proxy; do [ -n "${!v:-}" ] && PROXY_ENV+=("$v=${!v}"); done
in_root() { $SUDO chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
              LANG=C.UTF-8 HOME=/root "${PROXY_ENV[@]}" "$@"; }
# chroot --userspec with numeric ids: names would be looked up in the host's passwd.
as_user() { local u=$1; shift
  local ids; ids=$(in_root sh -c "echo \$(id -u $u):\$(id -g $u)")
  $SUDO chroot --userspec="$ids" "$ROOT" env -i PATH=/usr/bin:/bin HOME="$(in_root sh -c "getent passwd $u | cut -d: -f6")" \
    LANG=C.UTF-8 XDG_RUNTIME_DIR=/tmp/$u-runtime "$@"; }
as_clerk() { as_user clerk "$@"; }
rabsent() { ! rexists "$1"; }
pkg_is() { [ "$(pkg_status "$1")" = "$2" ]; }
purged() { case "$(pkg_status "$1")" in ""|un|pn) return 0 ;; *) return 1 ;; esac; }
conffile_registered() { in_root dpkg-query -W -f='${Conffiles}' "$1" | grep -F " $2 " >/dev/null; }
cjk_font_installed() { pkg_is fonts-noto-cjk ii || pkg_is fonts-wqy-microhei ii; }

make_root() {
  need_root
  need_tool zstd
  [ -s "$ROOTFS_TAR" ] || step_rootfs >/dev/null
  [ -f "$WORK_DIR/pkg/version" ] || die "run the build step first"
  ROOT=$WORK_DIR/root-$step
  rm -f "$WORK_DIR/$step-watchdog.txt"
  # A signal exits non-zero; the exit runs cleanup (unmount, remove the root).
  trap cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  start_watchdog "${OW_TEST_STEP_LIMIT:-1500}"
  unmount_all "$ROOT"
  $SUDO rm -rf --one-file-system "$ROOT"
  mkdir -p "$ROOT"
  log "unpacking the cached root"
  $SUDO tar --zstd -C "$ROOT" -xf "$ROOTFS_TAR"
  $SUDO mount -t proc proc "$ROOT/proc"
  $SUDO mount -t tmpfs -o mode=0755,size=8m,nosuid,noexec tmpfs "$ROOT/dev"
  local n
  for n in null zero full random urandom tty; do
    $SUDO touch "$ROOT/dev/$n"
    $SUDO mount --bind "/dev/$n" "$ROOT/dev/$n"
  done
  $SUDO mkdir -p "$ROOT/dev/pts" "$ROOT/dev/shm"
  $SUDO chmod 1777 "$ROOT/dev/shm"
  $SUDO mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$ROOT/dev/pts"
  $SUDO ln -s pts/ptmx "$ROOT/dev/ptmx"
  $SUDO ln -s /proc/self/fd "$ROOT/dev/fd"
  mkdir -p "$APT_CACHE/partial"
  $SUDO mount --bind "$APT_CACHE" "$ROOT/var/cache/apt/archives"
  # No service starts inside the chroot.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$ROOT/usr/sbin/policy-rc.d" >/dev/null
  $SUDO chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
  # A throw-away root: dpkg need not fsync every file (halves the unpack time of the fonts).
  echo force-unsafe-io | $SUDO tee "$ROOT/etc/dpkg/dpkg.cfg.d/10unsafe-io" >/dev/null
  # Keep the downloaded .debs for the next run (the archive dir is the shared cache).
  echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' | $SUDO tee "$ROOT/etc/apt/apt.conf.d/10keep" >/dev/null
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    echo "deb $SEC_MIRROR $SUITE-security main"
  } | $SUDO tee "$ROOT/etc/apt/sources.list" >/dev/null
  $SUDO cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  log "apt-get update in the root"
  in_root apt-get update -qq > "$WORK_DIR/$step-apt-update.log" 2>&1 || { cat "$WORK_DIR/$step-apt-update.log"; die "apt-get update failed in the root"; }
  # A counter clerk's account, for per-user data.
  in_root useradd --create-home --shell /bin/bash clerk
  $SUDO mkdir -p "$ROOT/pkgs"
  $SUDO cp "$PKG_CUR"/*.deb "$PKG_PREV"/*.deb "$ROOT/pkgs/"
}

apt_install() { # apt_install LOGNAME apt-get-args...
  local name=$1; shift
  if in_root apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
       > "$WORK_DIR/$step-$name.log" 2>&1; then
    log "ok: apt-get install $* ($(grep -cE '^(Unpacking|Setting up)' "$WORK_DIR/$step-$name.log") dpkg actions)"
  else
    tail -n 40 "$WORK_DIR/$step-$name.log"
    fail "apt-get install $*"
    return 1
  fi
}
pkg_status() { in_root dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' ' || true; }
pkg_version() { in_root dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
# Path tests run inside the root: absolute symlinks there (unit links, /lib -> usr/lib) resolve.
rexists() { in_root sh -c 'test -e "$1" || test -L "$1"' sh "$1"; }
rhash() { (cd "$ROOT$1" && $SUDO find . -type f -print0 | sort -z | $SUDO xargs -0 sha256sum); }

# Simulated per-user data: the encrypted workstation cache and the disposable cache.
seed_user_data() {
  as_clerk mkdir -p /home/clerk/.local/share/onewindow /home/clerk/.cache/onewindow
  as_clerk sh -c 'head -c 65536 /dev/urandom > /home/clerk/.local/share/onewindow/workstation.db'
  as_clerk sh -c 'echo "page 1" > /home/clerk/.cache/onewindow/thumbnail.bin'
}

# Starts the GUI as the clerk on a private Xvfb display and takes a screenshot of the screen.
start_xvfb() {
  need_tool Xvfb xvfb
  local fdfile=$WORK_DIR/xvfb-display
  rm -f "$fdfile"
  # Xvfb on the host; clients in the root reach it through its abstract socket (@/tmp/.X11-unix/Xn,
  # shared by the network namespace), so the host's socket directory is not mounted into the root.
  exec {xfd}>"$fdfile"
  Xvfb -displayfd "$xfd" -screen 0 1280x800x24 -nolisten tcp >"$WORK_DIR/xvfb.log" 2>&1 &
  XVFB_PID=$!
  exec {xfd}>&-
  DISPLAY_NUM=""
  for _ in $(seq 1 50); do DISPLAY_NUM=$(cat "$fdfile" 2>/dev/null || true); [ -n "$DISPLAY_NUM" ] && break; sleep 0.1; done
  [ -n "$DISPLAY_NUM" ] || { fail "Xvfb did not start"; return 1; }
  log "Xvfb on :$DISPLAY_NUM"
}
stop_xvfb() {
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  XVFB_PID=""
}

# gui_screenshot NAME [ARGS...]: starts the GUI as the clerk on the Xvfb display, waits for its
# first window, saves screenshot-NAME.png, sets WINDOW_TITLE, stops the GUI.
WINDOW_TITLE=""
gui_screenshot() {
  need_tool xdotool
  need_tool import imagemagick
  local name=$1; shift
  local d=":$DISPLAY_NUM"
  WINDOW_TITLE=""
  as_clerk mkdir -p -m 0700 /tmp/clerk-runtime
  as_clerk env DISPLAY="$d" NO_AT_BRIDGE=1 GDK_BACKEND=x11 onewindow "$@" >"$WORK_DIR/gui-$name.log" 2>&1 &
  local app=$!
  local win=""
  for _ in $(seq 1 60); do
    # Any mapped top-level window with a WM_CLASS (a --name regex misses UTF-8 titles).
    win=$(DISPLAY="$d" xdotool search --onlyvisible --classname '.' 2>/dev/null | head -n1 || true)
    [ -n "$win" ] && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$win" ]; then
    cat "$WORK_DIR/gui-$name.log"
    fail "onewindow $*: no window within 30 s"
  else
    sleep 2 # let it paint
    local shot=$WORK_DIR/screenshot-$name.png
    WINDOW_TITLE=$(DISPLAY="$d" xdotool getwindowname "$win" || true)
    DISPLAY="$d" import -window "$win" "$shot"
    log "onewindow $*: window '$WINDOW_TITLE' ($(DISPLAY="$d" xdotool getwindowgeometry "$win" | sed -n 's/ *Geometry: //p')); $shot"
    check "onewindow $*: the window has a title" test -n "$WINDOW_TITLE"
    check "onewindow $*: still running after its window appeared" kill -0 "$app"
    local sd
    sd=$(convert "$shot" -colorspace Gray -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
    check "onewindow $*: the screenshot shows something (grey std-dev $sd > 0.02)" awk -v s="$sd" 'BEGIN{exit !(s > 0.02)}'
  fi
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  kill_root_procs TERM
}

step_install() {
  make_root
  local version pkgs=(onewindow) p
  version=$(upstream_version)
  [ "$HAVE_SERVER" = 1 ] && pkgs+=(onewindow-server)
  local debs_now=()
  for p in "${pkgs[@]}"; do debs_now+=("/pkgs/${p}_${version}-1_${ARCH}.deb"); done

  # IT pre-seeds the configuration before installing (docs/deployment.md): dpkg must keep it.
  $SUDO mkdir -p "$ROOT/etc/onewindow"
  printf '[server]\nurl = https://preseed.example.invalid\nca_bundle = /etc/onewindow/ca.pem\n' \
    | $SUDO tee "$ROOT/etc/onewindow/onewindow.conf" >/dev/null
  echo "not a real CA" | $SUDO tee "$ROOT/etc/onewindow/ca.pem" >/dev/null
  local preseed_hash
  preseed_hash=$($SUDO sha256sum "$ROOT/etc/onewindow/onewindow.conf" | cut -d' ' -f1)

  log "install ${pkgs[*]} with Recommends, as IT does"
  apt_install install "${debs_now[@]}" || { finish; return; }
  check "pre-seeded /etc/onewindow/onewindow.conf kept by the install" \
    test "$($SUDO sha256sum "$ROOT/etc/onewindow/onewindow.conf" | cut -d' ' -f1)" = "$preseed_hash"
  check "pre-seeded CA bundle kept" rexists /etc/onewindow/ca.pem
  check "packaged template set aside as onewindow.conf.dpkg-dist" rexists /etc/onewindow/onewindow.conf.dpkg-dist
  for p in "${pkgs[@]}"; do
    check "$p installed" test "$(pkg_status "$p")" = ii
    check "$p version ${version}-1" test "$(pkg_version "$p")" = "${version}-1"
  done
  check "a CJK font was installed" cjk_font_installed
  for p in pcscd opensc-pkcs11 sane-utils; do
    check "recommended $p installed" pkg_is "$p" ii
  done
  check "conffile registered" conffile_registered onewindow /etc/onewindow/onewindow.conf
  in_root dpkg -L "${pkgs[@]}" | sort -u > "$WORK_DIR/install-file-list.txt"

  log "run the programs"
  local out rc
  set +e
  out=$(as_clerk onewindow-cli --help 2>&1); rc=$?
  set -e
  echo "$out" | sed 's/^/  onewindow-cli --help: /'
  check "onewindow-cli --help exits 0" test "$rc" = 0
  check "onewindow-cli --help prints the usage" grep -q 'usage: onewindow-cli' <<<"$out"
  if grep -qE '^\s+doctor' <<<"$out"; then
    set +e
    out=$(as_clerk onewindow-cli doctor 2>&1); rc=$?
    set -e
    echo "$out" | sed 's/^/  onewindow-cli doctor: /'
    log "onewindow-cli doctor exited $rc"
    # A bare root has no reader, no token and no server: doctor may report problems (1, 3, 6, 7, 8)
    # but must not crash, misparse its own arguments or hit an internal error.
    check "onewindow-cli doctor ran and reported (exit $rc)" bash -c "case $rc in 0|1|3|6|7|8) exit 0;; *) exit 1;; esac"
    check "onewindow-cli doctor printed a report" test -n "$out"
  else
    log "onewindow-cli has no doctor command yet: not run"
  fi
  if [ "$HAVE_SERVER" = 1 ]; then
    set +e
    out=$(in_root onewindow-server --version 2>&1); rc=$?
    set -e
    echo "  onewindow-server --version: $out"
    check "onewindow-server --version exits 0" test "$rc" = 0
    check "onewindow-server --version prints $version" grep -qF "$version" <<<"$out"
    check "system user onewindow-server" in_root getent passwd onewindow-server
    check "state dir owned by onewindow-server, 0750" \
      test "$(in_root stat -c '%U %a' /var/lib/onewindow-server 2>/dev/null)" = "onewindow-server 750"
    check "server.conf readable by the service group only" \
      test "$(in_root stat -c '%U:%G %a' /etc/onewindow-server/server.conf 2>/dev/null)" = "root:onewindow-server 640"
    check "unit enabled (multi-user.target.wants)" rexists /etc/systemd/system/multi-user.target.wants/onewindow-server.service
  fi
  if rexists /usr/bin/onewindow; then
    log "GUI: screenshot of the first window (the login) under Xvfb"
    start_xvfb
    gui_screenshot login
    local title_default=$WINDOW_TITLE
    # The packaged zh_CN catalog (/usr/share/locale) is found by the installed binary.
    if rexists /usr/share/locale/zh_CN/LC_MESSAGES/onewindow.mo; then
      gui_screenshot login-zh_CN --lang zh_CN
      check "onewindow --lang zh_CN: title translated ('$title_default' -> '$WINDOW_TITLE')" \
        bash -c '[ "$1" != "$2" ] && printf %s "$2" | grep -qP "[\x{4e00}-\x{9fff}]"' sh "$title_default" "$WINDOW_TITLE"
    fi
    stop_xvfb
  else
    log "no onewindow GUI binary in the package: GUI start not tested"
  fi

  seed_user_data
  local user_before
  user_before=$(rhash /home/clerk)

  log "remove"
  in_root apt-get remove -y -q "${pkgs[@]}" > "$WORK_DIR/install-remove.log" 2>&1 || { cat "$WORK_DIR/install-remove.log"; fail "apt-get remove"; }
  check "onewindow removed, config kept (rc)" test "$(pkg_status onewindow)" = rc
  check "onewindow-cli gone after remove" rabsent /usr/bin/onewindow-cli
  check "conffile kept after remove" rexists /etc/onewindow/onewindow.conf
  if [ "$HAVE_SERVER" = 1 ]; then
    check "server state kept after remove" rexists /var/lib/onewindow-server
    check "server conffile kept after remove" rexists /etc/onewindow-server/server.conf
  fi

  # What enrollment and the admin add later: purge removes it too (it is configuration).
  $SUDO mkdir -p "$ROOT/etc/onewindow/enrollment"
  echo "key" | $SUDO tee "$ROOT/etc/onewindow/enrollment/workstation.key" >/dev/null
  if [ "$HAVE_SERVER" = 1 ]; then
    $SUDO mkdir -p "$ROOT/etc/onewindow-server/tls"
    echo "cert" | $SUDO tee "$ROOT/etc/onewindow-server/tls/server.crt" >/dev/null
    as_user onewindow-server sh -c 'echo db > /var/lib/onewindow-server/server.db'
  fi

  log "purge"
  in_root apt-get purge -y -q "${pkgs[@]}" > "$WORK_DIR/install-purge.log" 2>&1 || { cat "$WORK_DIR/install-purge.log"; fail "apt-get purge"; }
  for p in "${pkgs[@]}"; do
    check "$p purged (status: '$(pkg_status "$p")')" purged "$p"
  done
  check "/etc/onewindow gone after purge" rabsent /etc/onewindow
  if [ "$HAVE_SERVER" = 1 ]; then
    check "/etc/onewindow-server gone after purge" rabsent /etc/onewindow-server
    check "/var/lib/onewindow-server gone after purge" rabsent /var/lib/onewindow-server
    check "unit no longer enabled after purge" rabsent /etc/systemd/system/multi-user.target.wants/onewindow-server.service
    check "no deb-systemd-helper state left" bash -c "! $SUDO find '$ROOT/var/lib/systemd' -name '*onewindow*' 2>/dev/null | grep -q ."
  fi
  # Nothing the packages listed is left: no file, no symlink; a directory only when it still holds
  # other packages' files (/usr/share/man/man1) or another package owns it.
  $SUDO cp "$WORK_DIR/install-file-list.txt" "$ROOT/tmp/file-list.txt"
  in_root sh -c '
    while IFS= read -r p; do
      [ -n "$p" ] && [ "$p" != "/." ] || continue
      if [ -d "$p" ]; then
        [ -n "$(ls -A "$p")" ] && continue
        dpkg-query -S "$p" >/dev/null 2>&1 && continue
        echo "$p (empty directory)"
      elif [ -e "$p" ] || [ -L "$p" ]; then
        echo "$p"
      fi
    done < /tmp/file-list.txt' > "$WORK_DIR/install-left-behind.txt"
  sed 's/^/  left behind: /' "$WORK_DIR/install-left-behind.txt"
  check "nothing of the packages left after purge (dpkg -L before vs. now)" test ! -s "$WORK_DIR/install-left-behind.txt"
  check "the clerk's data is untouched by remove and purge" test "$(rhash /home/clerk)" = "$user_before"
  check "the clerk's workstation cache still exists" rexists /home/clerk/.local/share/onewindow/workstation.db
  finish
}

step_upgrade() {
  make_root
  local version prev pkgs=(onewindow) p
  version=$(upstream_version)
  prev=$(sed -n 's/^PREVIOUS: //p' "$WORK_DIR/pkg/version")
  [ "$HAVE_SERVER" = 1 ] && pkgs+=(onewindow-server)
  local old=() new=()
  for p in "${pkgs[@]}"; do old+=("/pkgs/${p}_${prev}-1_${ARCH}.deb"); new+=("/pkgs/${p}_${version}-1_${ARCH}.deb"); done

  # This time the second CJK font alternative (WQY, 5 MB) satisfies the dependency.
  log "install the previous version $prev, with fonts-wqy-microhei"
  apt_install old --no-install-recommends fonts-wqy-microhei "${old[@]}" || { finish; return; }
  check "onewindow $prev-1 installed" test "$(pkg_version onewindow)" = "${prev}-1"
  check "the font alternative fonts-wqy-microhei satisfies Depends (no Noto CJK pulled in)" \
    bash -c "[ -z \"\$1\" ] || [ \"\$1\" = un ] || [ \"\$1\" = pn ]" sh "$(pkg_status fonts-noto-cjk)"

  log "edit the configuration, create per-user data and server state"
  printf '\n[server]\nurl = https://upgrade-test.example.invalid\n' | $SUDO tee -a "$ROOT/etc/onewindow/onewindow.conf" >/dev/null
  local conf_before user_before srv_conf_before="" srv_state_before=""
  conf_before=$($SUDO sha256sum "$ROOT/etc/onewindow/onewindow.conf" | cut -d' ' -f1)
  seed_user_data
  user_before=$(rhash /home/clerk)
  if [ "$HAVE_SERVER" = 1 ]; then
    printf '\n[listen]\nport = 9443\n' | $SUDO tee -a "$ROOT/etc/onewindow-server/server.conf" >/dev/null
    srv_conf_before=$($SUDO sha256sum "$ROOT/etc/onewindow-server/server.conf" | cut -d' ' -f1)
    as_user onewindow-server sh -c 'head -c 4096 /dev/urandom > /var/lib/onewindow-server/server.db' 
    srv_state_before=$(rhash /var/lib/onewindow-server)
  fi

  log "upgrade to $version"
  apt_install new --no-install-recommends "${new[@]}" || { finish; return; }
  for p in "${pkgs[@]}"; do
    check "$p upgraded to ${version}-1" test "$(pkg_version "$p")" = "${version}-1"
    check "$p installed cleanly" test "$(pkg_status "$p")" = ii
  done
  check "dpkg unpacked ${version}-1 over ${prev}-1" grep -qF "Unpacking onewindow (${version}-1) over (${prev}-1)" "$WORK_DIR/upgrade-new.log"
  check "edited /etc/onewindow/onewindow.conf kept" \
    test "$($SUDO sha256sum "$ROOT/etc/onewindow/onewindow.conf" | cut -d' ' -f1)" = "$conf_before"
  check "no .dpkg-new/.dpkg-dist left next to the conffile" bash -c "! $SUDO find '$ROOT/etc/onewindow' -name '*.dpkg-*' | grep -q ."
  check "the clerk's workstation cache and cache dir kept" test "$(rhash /home/clerk)" = "$user_before"
  if [ "$HAVE_SERVER" = 1 ]; then
    check "edited server.conf kept" \
      test "$($SUDO sha256sum "$ROOT/etc/onewindow-server/server.conf" | cut -d' ' -f1)" = "$srv_conf_before"
    check "server state kept" test "$(rhash /var/lib/onewindow-server)" = "$srv_state_before"
    check "server user still there" in_root getent passwd onewindow-server
  fi
  set +e
  local out rc
  out=$(as_clerk onewindow-cli --help 2>&1); rc=$?
  set -e
  check "onewindow-cli runs after the upgrade" test "$rc" = 0
  finish
}

# ---------------------------------------------------------------------------------------------
# The WiX source (installer/windows/onewindow.wxs) builds with wixl into an MSI with the expected
# tables. Stub binaries stand in for the Windows build, which Debian cannot produce.
step_msi() {
  need_tool wixl wixl
  need_tool msiinfo msitools
  local d=$WORK_DIR/msi v
  rm -rf "$d"; mkdir -p "$d/bin" "$d/locale/zh_CN/LC_MESSAGES"
  printf 'MZ stub\n' > "$d/bin/onewindow.exe"
  printf 'MZ stub\n' > "$d/bin/onewindow-cli.exe"
  printf 'mo stub\n' > "$d/locale/zh_CN/LC_MESSAGES/onewindow.mo"
  for v in 0.1.0 0.2.0; do
    (cd "$d" && wixl -a x64 -D Version=$v -D BinDir=bin -D LocaleDir=locale \
       "$SOURCE_DIR/installer/windows/onewindow.wxs" -o "onewindow-$v.msi") > "$d/wixl-$v.log" 2>&1 \
      || { cat "$d/wixl-$v.log"; fail "wixl $v"; finish; }
  done
  local a=$d/onewindow-0.1.0.msi b=$d/onewindow-0.2.0.msi
  check "ProductVersion 0.1.0" bash -c "msiinfo export '$a' Property | grep -qP '^ProductVersion\t0.1.0\r?\$'"
  check "per-machine install (ALLUSERS=1)" bash -c "msiinfo export '$a' Property | grep -qP '^ALLUSERS\t1\r?\$'"
  check "same UpgradeCode in both versions" test "$(msiinfo export "$a" Property | grep UpgradeCode)" = "$(msiinfo export "$b" Property | grep UpgradeCode)"
  check "different ProductCode per build" test "$(msiinfo export "$a" Property | grep ProductCode)" != "$(msiinfo export "$b" Property | grep ProductCode)"
  check "major upgrade and downgrade detection" bash -c "msiinfo export '$b' Upgrade | grep -q WIX_UPGRADE_DETECTED && msiinfo export '$b' Upgrade | grep -q WIX_DOWNGRADE_DETECTED"
  for v in onewindow.exe onewindow-cli.exe onewindow.mo; do
    check "File table has $v" bash -c "msiinfo export '$a' File | cut -f3 | grep -qx '$v'"
  done
  for v in ServerUrl CaBundle Pkcs11Module; do
    check "HKLM Software\\OneWindow\\Workstation $v from a public property" \
      bash -c "msiinfo export '$a' Registry | grep -P '\t2\tSoftware\\\\OneWindow\\\\Workstation\\\\?\t$v\t\[' >/dev/null"
  done
  check "Start menu shortcut to onewindow.exe" bash -c "msiinfo export '$a' Shortcut | grep -qF '[INSTALLDIR]onewindow.exe'"
  mkdir -p "$d/x"
  check "msiextract gives the files in their directories" bash -c "msiextract -C '$d/x' '$a' >/dev/null && test -f '$d/x/OneWindow/locale/zh_CN/LC_MESSAGES/onewindow.mo' && test -f '$d/x/OneWindow/onewindow-cli.exe'"
  finish
}

case "$step" in
  build) step_build ;;
  static) step_static ;;
  rootfs) step_rootfs ;;
  install) step_install ;;
  upgrade) step_upgrade ;;
  msi) step_msi ;;
  *) echo "unknown step $step" >&2; exit 2 ;;
esac
