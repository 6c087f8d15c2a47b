#!/usr/bin/env bash
# No personal data at rest in plaintext, and bad input loses nothing:
# a scripted run through the CLI takes in a 3-item bundle with marker strings (an applicant's
# name, ID number and a case note; the receipt PDF carries them too), then no file under the data dir (database, -wal, -shm, logs, key file, temp files) may
# contain any of them. Then a wrong password and a damaged database each give a clear error and
# change nothing.
set -euo pipefail
cli=$1
data=$(mktemp -d -t ow-at-rest-XXXXXX)
out=$(mktemp -d -t ow-at-rest-out-XXXXXX)
trap 'rm -rf "$data" "$out"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo "admin-pass-1" | "$cli" --data-dir "$data" init --admin admin --password-stdin >/dev/null
printf 'admin-pass-1\nclerk-pass-1\n' | "$cli" --data-dir "$data" user add clerk --role clerk \
  --user admin --password-stdin >/dev/null
echo "admin-pass-1" | "$cli" --data-dir "$data" demo-data --persons 500 --entities 50 \
  --user admin --password-stdin --quiet >/dev/null

name="欧阳标记明月"
id_number="11010519491231002X"
note="MARKER-NOTE-the-applicant-brought-a-cat"
src=$(cd "$(dirname "$0")/../../.." && pwd)
python3 - "$src/tests/data/intake/restaurant-complete.json" "$data/../at-rest-case.json" \
  "$name" "$note" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["applicant"]["name"] = sys.argv[3]
d["values"]["applicant.name"] = sys.argv[3]
d["values"]["business.food_safety_manager"] = sys.argv[3]
d["note"] = sys.argv[4]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
number=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" intake --bundle OW-YJS-0001 \
  --data "$data/../at-rest-case.json" --user clerk --password-stdin | head -1)
echo "stored case $number"

# An intake file with a value of the wrong type: a usage error (exit 2) naming the file, no case.
printf '{"applicant":{"kind":"person","id":"%s","name":"x"},"materials":{"id-card":{"pages":"two"}}}' \
  "$id_number" > "$out/wrong-type.json"
cases_before=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" cases --user clerk --password-stdin | wc -l)
set +e
msg=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" intake --bundle OW-YJS-0001 \
  --data "$out/wrong-type.json" --user clerk --password-stdin 2>&1)
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "an intake file with a wrongly typed value: exit $rc ($msg)"
echo "$msg" | grep -q "wrong-type.json: a value has the wrong type" || fail "unclear message: $msg"
[ "$(echo "clerk-pass-1" | "$cli" --data-dir "$data" cases --user clerk --password-stdin | wc -l)" = "$cases_before" ] ||
  fail "a refused intake file stored a case"
echo "ok: a wrongly typed value in the intake file -> exit 2"

# Refusal at the counter (不予受理): a reason is required; the notice names it.
set +e
msg=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" intake --bundle OW-YJS-0001 \
  --data "$data/../at-rest-case.json" --user clerk --password-stdin --refuse " " 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "refusal without a reason: exit $rc"
echo "$msg" | grep -q "nothing was stored" || fail "unclear message: $msg"
refused=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" intake --bundle OW-YJS-0001 \
  --data "$data/../at-rest-case.json" --user clerk --password-stdin \
  --refuse "申请事项不属于本机关职权范围" --competent-organ "市市场监督管理局" --out "$out")
echo "$refused" | grep -q "state: refused-at-intake" || fail "refusal not stored: $refused"
pdftotext "$(ls "$out"/*-refusal.pdf)" - | tr -d ' \n' | grep -q "不予受理通知书" ||
  fail "the refusal notice lacks its title"
pdftotext "$(ls "$out"/*-refusal.pdf)" - | tr -d ' \n' | grep -q "市市场监督管理局" ||
  fail "the refusal notice lacks the competent organ"
echo "ok: refusal at the counter -> $(echo "$refused" | head -1)"
rm -f "$data/../at-rest-case.json"
# The markers are really stored: the clerk finds the case's applicant in the cache.
echo "clerk-pass-1" | "$cli" --data-dir "$data" doctor --user clerk --password-stdin >/dev/null

hits=0
for marker in "$name" "$id_number" "$note" "MARKER-NOTE"; do
  if grep -rl --binary-files=binary -F "$marker" "$data" 2>/dev/null; then
    echo "FAIL: '$marker' found in plaintext above"
    hits=$((hits + 1))
  fi
done
[ "$hits" -eq 0 ] || exit 1
ls -la "$data" "$data/logs"
echo "ok: no marker in any of $(find "$data" -type f | wc -l) files"

# Wrong password: exit code 4, a clear message, nothing changed.
before=$(find "$data" -type f -not -name '*.log' -exec sha256sum {} + | sort)
set +e
msg=$(echo "wrong-password" | "$cli" --data-dir "$data" login --user clerk --password-stdin 2>&1)
rc=$?
set -e
[ "$rc" -eq 4 ] || fail "wrong password exit code $rc"
echo "$msg" | grep -q "password is wrong" || fail "unclear message: $msg"
after=$(find "$data" -type f -not -name '*.log' -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "a wrong password changed files"
echo "ok: wrong password -> exit 4: $msg"

# A password an admin reset opens nothing until the user chose their own (exit 5, then 0).
printf 'admin-pass-1\nreset-pass-9\n' | "$cli" --data-dir "$data" user reset clerk --user admin \
  --password-stdin >/dev/null
set +e
msg=$(echo "reset-pass-9" | "$cli" --data-dir "$data" cases --user clerk --password-stdin 2>&1)
rc=$?
set -e
[ "$rc" -eq 5 ] || fail "a reset password opened the cases: exit $rc ($msg)"
echo "$msg" | grep -q "user passwd" || fail "unclear message: $msg"
printf 'reset-pass-9\nreset-pass-9\nclerk-pass-1\n' | "$cli" --data-dir "$data" user passwd \
  --user clerk --password-stdin >/dev/null
echo "clerk-pass-1" | "$cli" --data-dir "$data" cases --user clerk --password-stdin >/dev/null ||
  fail "the clerk's own password does not open the cases"
echo "ok: a reset password must be replaced first (exit 5, then the user's own works)"

# A running onewindow-cli leaves no core dump behind (one would hold the data key and decrypted
# records): while it waits for the password, its core file limit is 0.
mkfifo "$out/password"
"$cli" --data-dir "$data" login --user clerk --password-stdin < "$out/password" >/dev/null &
cli_pid=$!
exec 9> "$out/password"
limit=""
for _ in $(seq 50); do
  limit=$(awk '/^Max core file size/ {print $5 " " $6}' "/proc/$cli_pid/limits" 2>/dev/null || true)
  [ "$limit" = "0 0" ] && break
  sleep 0.05
done
echo "clerk-pass-1" >&9
exec 9>&-
wait "$cli_pid" || fail "login through the pipe failed"
[ "$limit" = "0 0" ] || fail "onewindow-cli may dump core (limit: '$limit')"
echo "ok: onewindow-cli runs without core dumps"

# Damaged database: exit code 6, a clear message, the file left as it was.
echo "clerk-pass-1" | "$cli" --data-dir "$data" login --user clerk --password-stdin >/dev/null
python3 - "$data/cache.db" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
for i in range(64, 4096):
    b[i] ^= 0xA5
open(p, 'wb').write(b)
PY
rm -f "$data/cache.db-wal" "$data/cache.db-shm"
damaged=$(sha256sum < "$data/cache.db")
set +e
msg=$(echo "clerk-pass-1" | "$cli" --data-dir "$data" login --user clerk --password-stdin 2>&1)
rc=$?
set -e
[ "$rc" -eq 6 ] || fail "damaged database exit code $rc: $msg"
echo "$msg" | grep -q "damaged" || fail "unclear message: $msg"
[ "$(sha256sum < "$data/cache.db")" = "$damaged" ] || fail "the damaged database was overwritten"
echo "ok: damaged database -> exit 6: $msg"
