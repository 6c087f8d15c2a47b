#!/usr/bin/env bash
# GUI test under X11: builds a demo workstation with the CLI, then runs `onewindow --selftest`,
# which drives the real windows with wxUIActionSimulator and saves screenshots.
# Usage: run_selftest.sh CLI GUI LANG OUT_DIR
set -euo pipefail
cli=$1 gui=$2 lang=$3 out=$4
if [ -z "${DISPLAY:-}" ] && ! command -v xvfb-run >/dev/null; then
  echo "SKIP: no X display and no xvfb-run (install the xvfb package to run the GUI tests)"
  exit 77
fi
data=$(mktemp -d -t ow-gui-XXXXXX)
trap 'rm -rf "$data"' EXIT
echo "admin-demo" | "$cli" --data-dir "$data" init --admin admin --password-stdin >/dev/null
printf 'admin-demo\nclerk-demo\n' | "$cli" --data-dir "$data" user add clerk --role clerk \
  --display-name "张三" --user admin --password-stdin >/dev/null
printf 'admin-demo\nofficer-demo\n' | "$cli" --data-dir "$data" user add officer --role officer \
  --display-name "李四" --user admin --password-stdin >/dev/null
echo "admin-demo" | "$cli" --data-dir "$data" demo-data --persons 2000 --entities 200 \
  --user admin --password-stdin --quiet >/dev/null
mkdir -p "$out"
if [ -n "${DISPLAY:-}" ]; then
  "$gui" --data-dir "$data" --lang "$lang" --selftest "$out"
else
  xvfb-run -a -s "-screen 0 1366x768x24" "$gui" --data-dir "$data" --lang "$lang" --selftest "$out"
fi
echo "screenshots in $out"
