#!/usr/bin/env bash
# GUI test under X11: builds a demo workstation with the CLI, then runs `onewindow-selftest` (the
# application with its test driver; not installed),
# which drives the real windows with wxUIActionSimulator and saves screenshots.
# Usage: run_selftest.sh CLI GUI_SELFTEST LANG OUT_DIR   (OW_SELFTEST_WRAP="gdb -batch -ex run
# -ex bt --args" runs it under a debugger)
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
rm -f "$out/receipt-$lang.pdf" "$out/receipt-$lang.case" "$out/sealed-$lang.pdf"
# The officer's seal: a SoftHSM2 token in the temp dir (no root, no pcscd) with an RSA key and a
# certificate from a throwaway CA; the self-test seals the decision with it.
softhsm=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1 || true)
if [ -n "$softhsm" ] && command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null; then
  pki=$data/pki
  mkdir -p "$pki" "$data/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$data/tokens" > "$data/softhsm2.conf"
  export SOFTHSM2_CONF=$data/softhsm2.conf
  softhsm2-util --init-token --free --label ow-selftest --so-pin 87654321 --pin 24681357 >/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 30 \
    -subj "/CN=OneWindow Self-test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/seal.key" -out "$pki/seal.csr" -subj "/CN=Seal Officer" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' > "$pki/ext.cnf"
  openssl x509 -req -in "$pki/seal.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -sha256 -extfile "$pki/ext.cnf" -out "$pki/seal.crt" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$pki/seal.key" -outform DER -out "$pki/seal.p8"
  openssl x509 -in "$pki/seal.crt" -outform DER -out "$pki/seal.der"
  rm -f "$pki/ca.key" "$pki/seal.key"
  for kind in privkey cert; do
    f=$pki/seal.p8; [ $kind = cert ] && f=$pki/seal.der
    pkcs11-tool --module "$softhsm" --token-label ow-selftest --login --pin 24681357 \
      --write-object "$f" --type $kind --id 01 --label seal >/dev/null
  done
  export OW_SELFTEST_PKCS11_MODULE=$softhsm OW_SELFTEST_PIN=24681357 OW_SELFTEST_TRUST=$pki/ca.crt
  export OW_SELFTEST_SEAL_KEY="pkcs11:token=ow-selftest;object=seal;type=private"
fi
if [ -n "${DISPLAY:-}" ]; then
  "$gui" --data-dir "$data" --lang "$lang" --selftest "$out"
else
  xvfb-run -a -s "-screen 0 1366x768x24" ${OW_SELFTEST_WRAP:-} "$gui" --data-dir "$data" --lang "$lang" --selftest "$out"
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
if [ -n "${OW_SELFTEST_SEAL_KEY:-}" ]; then
  # The decision document the officer sealed in the GUI: valid for us and for outside tools.
  sealed="$out/sealed-$lang.pdf"
  [ -s "$sealed" ] || { echo "FAIL: no sealed decision document"; exit 1; }
  "$cli" verify "$sealed" --trust "$OW_SELFTEST_TRUST" >/dev/null || { echo "FAIL: the sealed document does not verify"; exit 1; }
  qpdf --check "$sealed" >/dev/null || { echo "FAIL: qpdf --check on the sealed document"; exit 1; }
  pdftotext "$sealed" - | grep -q "准予行政许可决定书" || { echo "FAIL: the sealed document has no title"; exit 1; }
  echo "ok: sealed decision document checked (verify, qpdf, pdftotext)"
fi
