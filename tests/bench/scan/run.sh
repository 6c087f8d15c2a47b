#!/usr/bin/env bash
# Scan benchmark, same pages, same run: our pipeline (one core) against img2pdf at the same JPEG
# quality (grey) and on a fixed-threshold G4 TIFF (text), and ocrmypdf -O3 on the grey pages.
# Usage: run.sh BUILD_DIR [PAGES] [JPEG_QUALITY]
set -euo pipefail
build=$1
pages=${2:-8}
quality=${3:-50}
work=$(mktemp -d -t ow-bench-scan-XXXXXX)
trap 'rm -rf "$work"' EXIT
core() { taskset -c 0 "$@"; }

core "$build/tests/bench/scan/bench_scan" "$work" "$pages" "$quality" >"$work/ours.txt"
val() { awk -F= -v k="$1" '$1 == k {print $2}' "$work/ours.txt"; }

# Peer input: the same rendered pages, encoded by ImageMagick (libjpeg) at the same quality, wrapped
# by img2pdf without re-encoding; for text, a 55 % fixed threshold to G4 TIFF, wrapped by img2pdf.
start=$(date +%s.%N)
for f in "$work"/page-*.png; do
  core convert "$f" -quality "$quality" "${f%.png}.jpg"
done
core img2pdf "$work"/page-*.jpg -o "$work/img2pdf-gray.pdf"
end=$(date +%s.%N)
img2pdf_gray_s=$(echo "$end - $start" | bc -l)
start=$(date +%s.%N)
for f in "$work"/page-*.png; do
  core convert "$f" -threshold 55% -compress Group4 "${f%.png}.tif"
done
core img2pdf "$work"/page-*.tif -o "$work/img2pdf-text.pdf"
end=$(date +%s.%N)
img2pdf_text_s=$(echo "$end - $start" | bc -l)
# ocrmypdf -O3 on the grey img2pdf output (it re-encodes images; OCR with chi_sim+eng, one job).
start=$(date +%s.%N)
core ocrmypdf -q -O3 -l chi_sim+eng --jobs 1 --output-type pdf "$work/img2pdf-gray.pdf" "$work/ocrmypdf.pdf" \
  2>"$work/ocrmypdf.log" || echo "(ocrmypdf failed: $(tail -1 "$work/ocrmypdf.log"))"
end=$(date +%s.%N)
ocrmypdf_s=$(echo "$end - $start" | bc -l)

size() { stat -c %s "$1"; }
kb() { echo "scale=1; $1 / 1024 / $pages" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }

og=$(val ours.gray.bytes); ot=$(val ours.text.bytes)
pg=$(size "$work/img2pdf-gray.pdf"); pt=$(size "$work/img2pdf-text.pdf")
po=$( [ -f "$work/ocrmypdf.pdf" ] && size "$work/ocrmypdf.pdf" || echo 0)
ogs=$(val ours.gray.seconds); ots=$(val ours.text.seconds)
echo "scan benchmark: $pages A4 text pages at 300 dpi (skew ±0.6-1.8°, noise sd 3), JPEG q$quality, one core"
printf "%-34s %10s %10s %10s\n" "" "KB/page" "pages/s" "size ratio"
printf "%-34s %10s %10.2f %10s\n" "ours grey (JPEG, deskew, levels)" "$(kb "$og")" "$(echo "$pages / $ogs" | bc -l)" "1.00"
printf "%-34s %10s %10.2f %10s\n" "img2pdf grey (IM q$quality, as-is)" "$(kb "$pg")" "$(echo "$pages / $img2pdf_gray_s" | bc -l)" "$(ratio "$og" "$pg")"
[ "$po" -gt 0 ] && printf "%-34s %10s %10.2f %10s\n" "ocrmypdf -O3 (incl. OCR)" "$(kb "$po")" "$(echo "$pages / $ocrmypdf_s" | bc -l)" "$(ratio "$og" "$po")"
printf "%-34s %10s %10.2f %10s\n" "ours text (Sauvola, G4)" "$(kb "$ot")" "$(echo "$pages / $ots" | bc -l)" "1.00"
printf "%-34s %10s %10.2f %10s\n" "img2pdf text (55% threshold, G4)" "$(kb "$pt")" "$(echo "$pages / $img2pdf_text_s" | bc -l)" "$(ratio "$ot" "$pt")"
echo "ours OCR (chi_sim+eng, one page): $(val ours.ocr.seconds) s, $(val ours.ocr.words) words; ocrmypdf: $(echo "scale=2; $ocrmypdf_s / $pages" | bc -l) s/page incl. optimisation"
echo "(size ratio = ours / peer; below 1 is smaller. Targets: text <= 25 KB, grey <= 220 KB, grey >= 4 pages/s)"
grey_kb=$(kb "$og"); text_kb=$(kb "$ot"); rate=$(echo "$pages / $ogs" | bc -l)
echo "targets: text $(echo "$text_kb <= 25" | bc) grey-size $(echo "$grey_kb <= 220" | bc) grey-rate $(echo "$rate >= 4" | bc)  (1 = met)"
