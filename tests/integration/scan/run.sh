#!/usr/bin/env bash
# Scanning with the real SANE `test` backend through a private SANE_CONFIG_DIR made here (only `test`
# in dll.conf, geometry_max 300 so A4 is not clamped): the device-level suite, then the CLI end to
# end — ADF batch to PDF, injected jam, Ctrl-C during a slow scan, attaching to a case's materials,
# the OCR pre-review (match, mismatch refused, mismatch acknowledged and audited), roles, and no
# page image or PDF in plaintext under the data dir.
# Usage: run.sh INTEGRATION_SCAN ONEWINDOW_CLI RENDER_TEST_PAGE
set -euo pipefail
suite=$1 cli=$2 render=$3
src=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d -t ow-scan-it-XXXXXX)
cleanup() {
  [ -n "${slow_pid:-}" ] && kill "$slow_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$work/sane.d"
echo "test" >"$work/sane.d/dll.conf"
cat >"$work/sane.d/test.conf" <<'CONF'
number_of_devices 2
mode Gray
depth 8
resolution 150.0
test-picture "Grid"
geometry_min 0.0
geometry_max 300.0
geometry_quant 1.0
tl_x 0.0
tl_y 0.0
br_x 210.0
br_y 297.0
CONF
export SANE_CONFIG_DIR="$work/sane.d"

echo "== device suite (libsane + test backend)"
"$suite" --log_level=test_suite --report_level=short

echo "== CLI: list, ADF batch, injected jam, Ctrl-C"
"$cli" scan --list | grep -q "^test:0" || fail "scan --list does not show test:0"
"$cli" scan --device test:0 --source adf --mode text --dpi 150 --option test-picture=Grid \
  --out "$work/adf.pdf" 2>"$work/adf.log"
pages=$(pdfinfo "$work/adf.pdf" | awk '/^Pages:/ {print $2}')
[ "$pages" = 10 ] || fail "ADF batch gave $pages pages"
qpdf --check "$work/adf.pdf" >/dev/null || fail "qpdf --check on the ADF PDF"
[ "$(pdfimages -list "$work/adf.pdf" | grep -c ccitt)" = 10 ] || fail "ADF pages are not CCITT G4"
echo "ok: 10-page ADF batch, G4, qpdf clean ($(stat -c %s "$work/adf.pdf") bytes)"

set +e
"$cli" scan --device test:0 --source adf --option read-return-value=SANE_STATUS_JAMMED \
  --out "$work/jam.pdf" 2>"$work/jam.log"
rc=$?
set -e
[ "$rc" = 7 ] || fail "a jam exited $rc, not 7"
grep -q "Paper jam" "$work/jam.log" || fail "unclear jam message: $(cat "$work/jam.log")"
echo "ok: jam -> exit 7: $(grep 'scan stopped' "$work/jam.log")"

"$cli" scan --device test:0 --source adf --mode gray --dpi 150 --option read-delay=yes \
  --option read-delay-duration=20000 --out "$work/slow.pdf" 2>"$work/slow.log" &
slow_pid=$!
for _ in $(seq 1 100); do grep -q "^page 2:" "$work/slow.log" 2>/dev/null && break; sleep 0.1; done
kill -INT "$slow_pid"
set +e
wait "$slow_pid"
rc=$?
set -e
slow_pid=
[ "$rc" = 7 ] || fail "a cancelled scan exited $rc, not 7: $(cat "$work/slow.log")"
grep -q "cancelled" "$work/slow.log" || fail "no cancel message: $(cat "$work/slow.log")"
kept=$(pdfinfo "$work/slow.pdf" | awk '/^Pages:/ {print $2}')
[ "$kept" -ge 2 ] && [ "$kept" -lt 10 ] || fail "cancel kept $kept pages"
echo "ok: Ctrl-C during a slow scan -> exit 7, $kept pages kept"

echo "== CLI: attaching to a case, OCR pre-review"
data="$work/data"
echo "admin-pass-1" | "$cli" --data-dir "$data" init --admin admin --password-stdin >/dev/null
printf 'admin-pass-1\nclerk-pass-1\n' | "$cli" --data-dir "$data" user add clerk --role clerk \
  --user admin --password-stdin >/dev/null
printf 'admin-pass-1\nofficer-pass-1\n' | "$cli" --data-dir "$data" user add officer --role officer \
  --user admin --password-stdin >/dev/null
number=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" intake --bundle OW-YJS-0001 \
  --data "$src/tests/data/intake/restaurant-complete.json" --user clerk --password-stdin | head -1)
echo "case $number"

echo "clerk-pass-1" | "$cli" --data-dir "$data" scan --device test:0 --source adf --mode text \
  --dpi 150 --case "$number" --assign mat.premises_proof=1-4 --assign mat.site_plan=5-10 \
  --user clerk --password-stdin >"$work/attach.out" 2>"$work/attach.log"
grep -q "attached: $number mat.premises_proof (4 pages" "$work/attach.out" || fail "$(cat "$work/attach.out")"
grep -q "attached: $number mat.site_plan (6 pages" "$work/attach.out" || fail "$(cat "$work/attach.out")"
echo "ok: one batch split into two materials"

set +e
echo "officer-pass-1" | "$cli" --data-dir "$data" scan --device test:0 --case "$number" \
  --material mat.site_photos --user officer --password-stdin >/dev/null 2>"$work/officer.log"
rc=$?
set -e
[ "$rc" = 5 ] || fail "an officer attaching a scan exited $rc, not 5"
echo "ok: officer may not attach scans (exit 5)"

# The applicant of restaurant-complete.json, and someone else.
"$render" "$work/id-right.png" id "王芳" "11010519491231002X"
"$render" "$work/id-wrong.png" id "李娜" "110105198506154568"
echo "clerk-pass-1" | "$cli" --data-dir "$data" scan --image "$work/id-right.png" --mode gray --ocr \
  --case "$number" --material mat.id_card --user clerk --password-stdin >"$work/ocr-ok.out" 2>/dev/null
grep -q "prereview: applicant.id: match" "$work/ocr-ok.out" || fail "ID not matched: $(cat "$work/ocr-ok.out")"
grep -q "attached: $number mat.id_card" "$work/ocr-ok.out" || fail "$(cat "$work/ocr-ok.out")"
echo "ok: OCR read the applicant's ID number and name"

set +e
echo "clerk-pass-1" | "$cli" --data-dir "$data" scan --image "$work/id-wrong.png" --mode gray --ocr \
  --case "$number" --material mat.owner_consent --user clerk --password-stdin >"$work/ocr-bad.out" \
  2>"$work/ocr-bad.log"
rc=$?
set -e
[ "$rc" = 3 ] || fail "a mismatch exited $rc, not 3"
grep -q "prereview: applicant.id: mismatch" "$work/ocr-bad.out" || fail "$(cat "$work/ocr-bad.out")"
grep -q "Nothing was stored" "$work/ocr-bad.log" || fail "$(cat "$work/ocr-bad.log")"
echo "clerk-pass-1" | "$cli" --data-dir "$data" scan --image "$work/id-wrong.png" --mode gray --ocr \
  --acknowledge --case "$number" --material mat.owner_consent --user clerk --password-stdin \
  >"$work/ocr-ack.out" 2>/dev/null
grep -q "attached: $number mat.owner_consent" "$work/ocr-ack.out" || fail "$(cat "$work/ocr-ack.out")"
echo "admin-pass-1" | "$cli" --data-dir "$data" audit show --user admin --password-stdin >"$work/audit.out"
grep -q "material.prereview.acknowledged" "$work/audit.out" || fail "acknowledgement not audited"
echo "admin-pass-1" | "$cli" --data-dir "$data" audit verify --user admin --password-stdin >/dev/null
echo "ok: mismatch refused (exit 3), then acknowledged and audited"

# Nothing scanned lies around in plaintext: no PDF, JPEG or TIFF header, no ID number.
hits=$(grep -rlaE --binary-files=binary -e '%PDF-' -e 'JFIF' -e '11010519491231002X' "$data" || true)
[ -z "$hits" ] || fail "plaintext scan data in: $hits"
blobs=$(find "$data" -type f | wc -l)
echo "ok: no plaintext page, PDF or ID number in $blobs files under the data dir"
echo "PASS"
