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
# The scan panel uses the SANE test device through a private configuration (no network probing).
mkdir "$data/sane.d"
echo test >"$data/sane.d/dll.conf"
printf 'geometry_min 0.0\ngeometry_max 300.0\ngeometry_quant 1.0\n' >"$data/sane.d/test.conf"
export SANE_CONFIG_DIR="$data/sane.d"
src=$(cd "$(dirname "$0")/../.." && pwd)
export OW_SELFTEST_INTAKE="$src/tests/data/intake/restaurant.json"
rm -f "$out/receipt-$lang.pdf" "$out/receipt-$lang.case"
if [ -n "${DISPLAY:-}" ]; then
  "$gui" --data-dir "$data" --lang "$lang" --selftest "$out"
else
  xvfb-run -a -s "-screen 0 1366x768x24" "$gui" --data-dir "$data" --lang "$lang" --selftest "$out"
fi
# The receipt the wizard printed: readable, its case number on it, every font embedded.
pdf="$out/receipt-$lang.pdf"
[ -s "$pdf" ] || { echo "FAIL: no receipt PDF from the intake"; exit 1; }
number=$(cat "$out/receipt-$lang.case")
text=$(pdftotext "$pdf" -)
echo "$text" | grep -q "受理通知书" || { echo "FAIL: the receipt has no title"; exit 1; }
echo "$text" | grep -q "$number" || { echo "FAIL: the receipt lacks case number $number"; exit 1; }
if pdffonts "$pdf" | tail -n +3 | awk '{print $(NF-4)}' | grep -qv yes; then
  echo "FAIL: a font is not embedded"; pdffonts "$pdf"; exit 1
fi
pdftoppm -r 50 -png -f 1 -l 1 "$pdf" "$out/receipt-$lang" >/dev/null
echo "ok: receipt $number checked (pdftotext, pdffonts, pdftoppm)"
echo "screenshots in $out"
