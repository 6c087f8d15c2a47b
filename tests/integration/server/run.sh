#!/usr/bin/env bash
# Integration test of onewindow-server: init, import, enroll, run on 127.0.0.1 (free port), then
# drive it with curl over mTLS. Usage: run.sh ONEWINDOW_SERVER SOURCE_DIR
set -euo pipefail
SERVER_BIN=$1
SRC=$2
PROXY="$SRC/tests/integration/sync/fault_proxy.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ow-server-it.XXXXXX")
SERVER_PID=""
PROXY_PID=""
cleanup() {
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

pass=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
fail() { echo "FAIL: $*" >&2; [ -f state/log/server.log ] && tail -20 state/log/server.log >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; ok "$3"; }

start_server() {
  : > server.out
  env OW_SERVER_CRASH_AT="${CRASH_AT:-}" "$SERVER_BIN" --config state/server.conf > server.out 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' server.out)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server did not start: $(cat server.out)"
    sleep 0.1
  done
  [ -n "$PORT" ] || fail "the server did not report its port"
  BASE="https://127.0.0.1:$PORT/v1"
}

# curl with the workstation's certificate; prints the body, status in $WORK/status.
C() { curl -sS --cacert state/tls/ca.crt --cert ws.crt --key ws.key -o body -w '%{http_code}' "$@" > status || true; }
status() { cat status; }
json() { jq -r "$1" body; }
b64sha() { openssl dgst -sha256 -binary "$1" | base64 -w0; }
hexsha() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------------
"$SERVER_BIN" init --dir state --port 0 --host counter.example.org > /dev/null
[ "$(stat -c %a state/tls/ca.key)" = 600 ] || fail "the CA key is not private"
ok "init: CA, server and TSA keys (mode 0600), config, database"
"$SERVER_BIN" init --dir state --port 0 > /dev/null 2>&1 && fail "init over an existing server"
ok "init refuses to overwrite"

cat > users.jsonl <<'JSON'
{"name": "clerk1", "display_name": "王芳", "role": "clerk"}
{"name": "officer1", "display_name": "李强", "role": "officer"}
JSON
printf '{"name":"bad","role":"clerk","password":"x"}\n' > bad-users.jsonl
"$SERVER_BIN" import --dir state --users bad-users.jsonl > /dev/null 2>&1 && fail "a user with a password was imported"
ok "import refuses passwords"
"$SERVER_BIN" import --dir state --catalog "$SRC/forms/data/catalog/catalog.json" \
  --calendar "$SRC/forms/data/calendar/cn-2026.json" --users users.jsonl \
  --demo-persons 2500 --demo-entities 300 > import.out 2>/dev/null
grep -q "2500 demo person records" import.out || fail "demo import: $(cat import.out)"
ok "import: catalog, calendar, users, 2500 persons, 300 entities"

CODE=$("$SERVER_BIN" enroll --dir state --workstation counter-01 2>/dev/null)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ws.key \
  -subj /CN=anything -out ws.csr 2> /dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ws2.key \
  -subj /CN=anything -out ws2.csr 2> /dev/null
"$SERVER_BIN" enroll --dir state --workstation counter-02 --csr ws2.csr --out ws2.crt > /dev/null
ok "enroll --csr issues a certificate directly"
# The fault proxy's own certificate, trusted to forward workstations' certificates.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout proxy.key \
  -subj /CN=proxy -out proxy.csr 2> /dev/null
"$SERVER_BIN" enroll --dir state --workstation fault-proxy --csr proxy.csr --out proxy.crt > /dev/null
FP=$(openssl x509 -in proxy.crt -noout -fingerprint -sha256 | cut -d= -f2)
sed -i "s/^threads = .*/&\ntrusted_proxy_sha256 = $FP/" state/server.conf

start_server
ok "server listening on 127.0.0.1:$PORT"

curl -sS --cacert state/tls/ca.crt "$BASE/health" -o body -w '%{http_code}' > status
expect_eq "$(status) $(json .status)" "200 ok" "health without a client certificate"

jq -n --arg code "$(echo "$CODE" | tr 'A-Z' 'a-z')" --rawfile csr ws.csr '{code:$code, csr:$csr}' > enroll.json
curl -sS --cacert state/tls/ca.crt -H 'Content-Type: application/json' --data @enroll.json \
  "$BASE/enroll" -o body -w '%{http_code}' > status
expect_eq "$(status) $(json .workstation_id)" "200 counter-01" "enrol with the one-time code"
json .certificate > ws.crt
jq -j .ca_certificate body | cmp -s - state/tls/ca.crt || fail "enrol answer carries another CA"
openssl x509 -in ws.crt -noout -subject | grep -q "CN = counter-01" || fail "CN of the issued certificate"
curl -sS --cacert state/tls/ca.crt -H 'Content-Type: application/json' --data @enroll.json \
  "$BASE/enroll" -o body -w '%{http_code}' > status
expect_eq "$(status) $(json .error)" "403 enrollment-code-invalid" "a code is single-use"

# Refusals: no certificate, a certificate of another CA, a revoked workstation.
curl -sS --cacert state/tls/ca.crt "$BASE/changes" -o body -w '%{http_code}' > status
expect_eq "$(status) $(json .error)" "401 client-certificate-required" "no client certificate: refused"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key \
  -subj /CN=counter-01 -days 2 -out rogue.crt 2> /dev/null
if curl -sS --cacert state/tls/ca.crt --cert rogue.crt --key rogue.key "$BASE/changes" > /dev/null 2>&1; then
  fail "a certificate of another CA was accepted"
fi
ok "certificate of another CA: TLS handshake refused"
curl -sS --cacert state/tls/ca.crt --cert ws2.crt --key ws2.key "$BASE/whoami" -o body -w '%{http_code}' > status
expect_eq "$(status) $(json .workstation_id)" "200 counter-02" "certificate from enroll --csr works"
"$SERVER_BIN" revoke --dir state --workstation counter-02 > /dev/null
curl -sS --cacert state/tls/ca.crt --cert ws2.crt --key ws2.key "$BASE/whoami" -o body -w '%{http_code}' > status
expect_eq "$(status) $(json .error)" "403 workstation-revoked" "revoked workstation refused"
if curl -sS --cacert /etc/ssl/certs/ca-certificates.crt "$BASE/health" > /dev/null 2>&1; then
  fail "the client trusted the server without its CA"
fi
ok "server certificate verifies only against the server's CA"

# ---------------------------------------------------------------------------------------------
# Blobs: a 5 MiB scan uploaded in 2 MiB chunks, with an interruption, a bad checksum, a wrong offset.
head -c 5242880 /dev/urandom > scan.bin
SHA=$(hexsha scan.bin)
LEN=$(stat -c %s scan.bin)
split -b 2097152 -d -a 1 scan.bin chunk.
C -H 'Content-Type: application/json' --data "{\"blob_id\":\"blob-scan-1\",\"length\":$LEN,\"sha256\":\"$SHA\"}" "$BASE/blobs"
expect_eq "$(status) $(json .offset)" "201 0" "blob created"
C -H 'Content-Type: application/json' --data "{\"blob_id\":\"blob-scan-1\",\"length\":$LEN,\"sha256\":\"$SHA\"}" "$BASE/blobs"
expect_eq "$(status)" "200" "blob create is idempotent"
C -H 'Content-Type: application/json' --data "{\"blob_id\":\"blob-scan-1\",\"length\":5,\"sha256\":\"$SHA\"}" "$BASE/blobs"
expect_eq "$(status) $(json .error)" "409 blob-mismatch" "same id, other length: 409"

patch() { # offset file [extra curl args]
  local off=$1 file=$2; shift 2
  C -X PATCH -H "Upload-Offset: $off" -H "Upload-Checksum: sha256 $(b64sha "$file")" \
    -H 'Content-Type: application/offset+octet-stream' --data-binary @"$file" -D headers "$@" \
    "$BASE/blobs/blob-scan-1"
}
patch 0 chunk.0
expect_eq "$(status) $(grep -i '^Upload-Offset' headers | tr -d '\r' | cut -d' ' -f2)" "204 2097152" "first chunk"

# Interrupted: the client announces 2 MiB but sends 1 MiB and goes away.
head -c 1048576 chunk.1 > half.bin
curl -sS --cacert state/tls/ca.crt --cert ws.crt --key ws.key -X PATCH --max-time 2 \
  -H "Upload-Offset: 2097152" -H "Upload-Checksum: sha256 $(b64sha chunk.1)" \
  -H "Content-Length: 2097152" -H 'Content-Type: application/offset+octet-stream' \
  --data-binary @half.bin "$BASE/blobs/blob-scan-1" > /dev/null 2>&1 || true
sleep 0.5
C -I "$BASE/blobs/blob-scan-1"
OFFSET=$(grep -i '^Upload-Offset' body | tr -d '\r' | cut -d' ' -f2)
expect_eq "$(status) $OFFSET" "200 2097152" "after a cut chunk HEAD gives the last full chunk's offset"

C -X PATCH -H "Upload-Offset: $OFFSET" -H "Upload-Checksum: sha256 $(b64sha chunk.0)" \
  -H 'Content-Type: application/offset+octet-stream' --data-binary @chunk.1 "$BASE/blobs/blob-scan-1"
expect_eq "$(status) $(json .error)" "460 checksum-mismatch" "wrong chunk checksum: 460"
patch 0 chunk.1
expect_eq "$(status) $(json .error)" "409 offset-mismatch" "wrong offset: 409"
C -I "$BASE/blobs/blob-scan-1"
expect_eq "$(grep -i '^Upload-Offset' body | tr -d '\r' | cut -d' ' -f2)" "2097152" "refused chunks left the offset alone"

C -H 'Content-Type: application/json' --data @- "$BASE/mutations" <<JSON
{"mutations":[{"mutation_id":"m-case-1","entity_kind":"case","entity_id":"case-1","operation":"create",
 "created_at":"2026-11-28T10:00:00Z","payload":{"id":"case-1","case_number":"SC-20261128-0001",
 "applicant":{"kind":"person","id":"11010519491231002X","name":"王伟"},"items":["01010100150100"],
 "catalog_version":"2026.11-demo.1","form":{},"materials":[{"key":"id-card","status":"scanned","pages":1,"blob_id":"blob-scan-1"}],
 "state":"accepted","blobs":[{"blob_id":"blob-scan-1","sha256":"$SHA"}]}}]}
JSON
cp body case-create.json
expect_eq "$(status) $(json '.results[0].status')" "200 retry" "case with an incomplete blob: retry"

patch 2097152 chunk.1
expect_eq "$(status)" "204" "resumed from the HEAD offset"
patch 4194304 chunk.2
expect_eq "$(status) $(grep -i '^Upload-Complete' headers | tr -d '\r' | cut -d' ' -f2)" "204 true" "last chunk completes the blob"
C "$BASE/blobs/blob-scan-1"
expect_eq "$(status) $(hexsha body)" "200 $SHA" "download equals the upload"
C -H 'Range: bytes=1000000-1999999' "$BASE/blobs/blob-scan-1"
dd if=scan.bin of=range.bin bs=1000000 skip=1 count=1 2> /dev/null
expect_eq "$(status) $(hexsha body)" "206 $(hexsha range.bin)" "Range download"

# ---------------------------------------------------------------------------------------------
# Mutations, exactly once.
MUT='{"mutations":[{"mutation_id":"m-case-1","entity_kind":"case","entity_id":"case-1","operation":"create","created_at":"2026-11-28T10:00:00Z","payload":{"id":"case-1","case_number":"SC-20261128-0001","applicant":{"kind":"person","id":"11010519491231002X","name":"王伟"},"items":["01010100150100"],"catalog_version":"2026.11-demo.1","form":{},"materials":[{"key":"id-card","status":"scanned","pages":1,"blob_id":"blob-scan-1"}],"state":"accepted","blobs":[{"blob_id":"blob-scan-1","sha256":"'$SHA'"}]}}]}'
C -H 'Content-Type: application/json' --data "$MUT" "$BASE/mutations"
expect_eq "$(json '.results[0].status') $(json '.results[0].revision') $(json '.results[0].replayed')" \
  "applied 1 false" "case applied once its blob is complete"
C -H 'Content-Type: application/json' --data "$MUT" "$BASE/mutations"
expect_eq "$(json '.results[0].status') $(json '.results[0].revision') $(json '.results[0].replayed')" \
  "applied 1 true" "the same mutation again: the stored result, replayed"
DEC='{"mutations":[{"mutation_id":"m-dec-1","entity_kind":"case","entity_id":"case-1","operation":"decide","base_revision":1,"payload":{"decision":"approve","reasons":[]}},{"mutation_id":"m-dec-2","entity_kind":"case","entity_id":"case-1","operation":"decide","base_revision":1,"payload":{"decision":"refuse","reasons":["材料不全"]}}]}'
C -H 'Content-Type: application/json' --data "$DEC" "$BASE/mutations"
expect_eq "$(json '.results[0].status') $(json '.results[0].revision') $(json '.results[1].status') $(json '.results[1].server.state')" \
  "applied 2 conflict approved" "state machine: first decision applied, stale second one conflicts"
BAD=${MUT//m-case-1/m-case-bad-person}; BAD=${BAD//\"case-1\"/\"case-bad-person\"}
BAD=${BAD//11010519491231002X/110105194912310029}
C -H 'Content-Type: application/json' --data "$BAD" "$BASE/mutations"
expect_eq "$(json '.results[0].status') $(json '.results[0].message' | grep -o 'GB 11643')" \
  "rejected GB 11643" "a case whose applicant ID number fails GB 11643 is rejected"
BAD=${MUT//m-case-1/m-case-bad-entity}; BAD=${BAD//\"case-1\"/\"case-bad-entity\"}
BAD=${BAD//\"kind\":\"person\",\"id\":\"11010519491231002X\"/\"kind\":\"entity\",\"id\":\"9111000060003734IL\"}
C -H 'Content-Type: application/json' --data "$BAD" "$BASE/mutations"
expect_eq "$(json '.results[0].status') $(json '.results[0].message' | grep -o 'GB 32100')" \
  "rejected GB 32100" "a case whose applicant credit code fails GB 32100 is rejected"
C -H 'Content-Type: application/json' --data '{"nope":1}' "$BASE/mutations"
expect_eq "$(status) $(json .error)" "400 bad-request" "malformed batch: 400"

# ---------------------------------------------------------------------------------------------
# The fault proxy (tests/integration/sync/fault_proxy.py) in HTTP mode replays every request:
# the server sees each mutation twice and applies it once.
python3 "$PROXY" --target "127.0.0.1:$PORT" --port-file proxy.port --mode replay --tls-terminate \
  --server-cert state/tls/server.crt --server-key state/tls/server.key --forward-client-cert \
  --client-cert proxy.crt --client-key proxy.key --ca state/tls/ca.crt --stats proxy.json > proxy.out 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 50); do [ -s proxy.port ] && break; sleep 0.1; done
PPORT=$(cat proxy.port)
for i in 1 2 3; do
  curl -sS --cacert state/tls/ca.crt --cert ws.crt --key ws.key -H 'Content-Type: application/json' -o body \
    --data "{\"mutations\":[{\"mutation_id\":\"m-audit-$i\",\"entity_kind\":\"audit\",\"entity_id\":\"counter-01:$i\",\"operation\":\"append\",\"payload\":{\"seq\":$i,\"at\":\"2026-11-28T10:00:0${i}Z\",\"actor\":\"clerk1\",\"action\":\"login\",\"object\":\"\",\"details\":\"{}\",\"prev_hash\":\"h$((i-1))\",\"hash\":\"h$i\"}}]}" \
    "https://127.0.0.1:$PPORT/v1/mutations"
  [ "$(json '.results[0].status')" = applied ] || fail "audit event $i through the proxy: $(cat body)"
done
# The workstation keeps its identity behind the proxy; without a certificate it is refused.
curl -sS --cacert state/tls/ca.crt --cert ws.crt --key ws.key -o body "https://127.0.0.1:$PPORT/v1/whoami"
expect_eq "$(json .workstation_id)" "counter-01" "behind the trusted proxy the workstation keeps its identity"
curl -sS --cacert state/tls/ca.crt -o body -w '%{http_code}' "https://127.0.0.1:$PPORT/v1/whoami" > status
expect_eq "$(status)" "401" "through the proxy without a client certificate: refused"
C -H "X-Client-Cert: $(jq -rn --rawfile c ws2.crt '$c|@uri')" "$BASE/whoami"
expect_eq "$(json .workstation_id)" "counter-01" "X-Client-Cert from an untrusted peer is ignored"
kill -TERM "$PROXY_PID"; wait "$PROXY_PID" || true; PROXY_PID=""
grep -q "faults injected: 5 (replay=5)" proxy.out || fail "proxy count: $(cat proxy.out)"
[ "$(jq .faults proxy.json)" = 5 ] && [ "$(grep -c '^fault ' proxy.out)" = 5 ] || fail "running fault count"
"$SERVER_BIN" status --dir state --json > status.json
# (6 applied or conflicting, and the 2 rejected cases: every answer is kept, exactly once)
expect_eq "$(jq .audit_events status.json) $(jq .mutations status.json)" "3 8" \
  "replayed requests applied once (fault proxy: $(tail -1 proxy.out | cut -d' ' -f2-5))"

# TCP mode: a blob chunk cut mid-body by the proxy keeps nothing; the upload resumes at 0.
head -c 200000 /dev/urandom > cutme.bin
C -H 'Content-Type: application/json' --data "{\"blob_id\":\"blob-cut\",\"length\":200000,\"sha256\":\"$(hexsha cutme.bin)\"}" "$BASE/blobs"
python3 "$PROXY" --target "127.0.0.1:$PORT" --port-file proxy2.port --mode cut --cut-after 60000 \
  > proxy2.out 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 50); do [ -s proxy2.port ] && break; sleep 0.1; done
if curl -sS --cacert state/tls/ca.crt --cert ws.crt --key ws.key -X PATCH -H "Upload-Offset: 0" \
   -H "Upload-Checksum: sha256 $(b64sha cutme.bin)" -H 'Content-Type: application/offset+octet-stream' \
   --data-binary @cutme.bin "https://127.0.0.1:$(cat proxy2.port)/v1/blobs/blob-cut" > /dev/null 2>&1; then
  fail "a chunk through a cut connection succeeded"
fi
kill -TERM "$PROXY_PID"; wait "$PROXY_PID" || true; PROXY_PID=""
grep -q "faults injected: 1 (cut=1)" proxy2.out || fail "proxy count: $(cat proxy2.out)"
sleep 0.3
C -I "$BASE/blobs/blob-cut"
expect_eq "$(grep -i '^Upload-Offset' body | tr -d '\r' | cut -d' ' -f2)" "0" "chunk cut mid-body by the fault proxy: nothing kept"
C -X PATCH -H "Upload-Offset: 0" -H "Upload-Checksum: sha256 $(b64sha cutme.bin)" \
  -H 'Content-Type: application/offset+octet-stream' --data-binary @cutme.bin "$BASE/blobs/blob-cut"
expect_eq "$(status)" "204" "the same chunk again completes the blob"

# ---------------------------------------------------------------------------------------------
# Changes feed paged with a small limit: every change exactly once, in order.
C "$BASE/changes?cursor=0&limit=1"
LAST=$(jq '.changes[-1].seq' body)
TOTAL=$(jq '.last_change_seq' status.json)
cursor=0; seen=0; pages=0; prev=0
while :; do
  C "$BASE/changes?cursor=$cursor&limit=700"
  [ "$(status)" = 200 ] || fail "changes page: $(cat body)"
  n=$(jq '.changes | length' body)
  first=$(jq '.changes[0].seq // 0' body)
  [ "$n" = 0 ] || [ "$first" -gt "$prev" ] || fail "changes out of order"
  seen=$((seen + n)); pages=$((pages + 1))
  [ "$n" = 0 ] || prev=$(jq '.changes[-1].seq' body)
  cursor=$(json .next_cursor)
  [ "$(json .has_more)" = true ] || break
done
expect_eq "$seen $cursor" "$TOTAL $TOTAL" "changes feed: $seen changes in $pages pages"
C "$BASE/changes?cursor=$((TOTAL - 2))&limit=10"
expect_eq "$(jq -r '[.changes[] | .kind + ":" + .data.state] | join(",")' body)" "case:accepted,case:approved" \
  "the case and its state change are in the feed"
C "$BASE/changes?limit=0"
expect_eq "$(status)" "400" "bad limit: 400"

# Snapshot of persons in pages.
after=""; records=0
while :; do
  C "$BASE/snapshot?kind=person&limit=1000&after=$after"
  records=$((records + $(jq '.records | length' body)))
  after=$(json .next_after)
  [ "$(json .has_more)" = true ] || break
done
expect_eq "$records" "2500" "snapshot of persons in pages"
C "$BASE/snapshot?kind=user"
expect_eq "$(jq -r '[.records[].data.role] | join(",")' body) $(jq '[.records[].data | has("password")] | any' body)" \
  "clerk,officer false" "users and roles published, no passwords"
C "$BASE/snapshot?kind=case"
expect_eq "$(jq -r '.records[0].data.state + " " + (.records[0].data.revision|tostring)' body)" "approved 2" "cases in the snapshot"
C "$BASE/snapshot?kind=catalog"
expect_eq "$(jq -r '.records[0].data.version' body)" "2026.11-demo.1" "catalog published"

# ---------------------------------------------------------------------------------------------
# RFC 3161 time-stamp from the server's TSA, verified by openssl ts.
echo "decision document" > doc.txt
openssl ts -query -data doc.txt -sha256 -cert -out req.tsq 2> /dev/null
C -H 'Content-Type: application/timestamp-query' --data-binary @req.tsq "$BASE/tsa"
mv body reply.tsr
expect_eq "$(status)" "200" "TSA answers"
openssl ts -verify -data doc.txt -in reply.tsr -CAfile state/tls/ca.crt \
  -untrusted state/tls/tsa.crt > /dev/null 2>&1 || fail "openssl ts -verify"
ok "openssl ts -verify accepts the time-stamp"

# ---------------------------------------------------------------------------------------------
# Graceful stop: SIGTERM while a slow upload is in flight; the upload completes, then the
# server exits 0 and refuses new connections.
head -c 3000000 /dev/urandom > slow.bin
C -H 'Content-Type: application/json' --data "{\"blob_id\":\"blob-slow\",\"length\":3000000,\"sha256\":\"$(hexsha slow.bin)\"}" "$BASE/blobs"
curl -sS --cacert state/tls/ca.crt --cert ws.crt --key ws.key -X PATCH --limit-rate 1000K \
  -H "Upload-Offset: 0" -H "Upload-Checksum: sha256 $(b64sha slow.bin)" \
  -H 'Content-Type: application/offset+octet-stream' --data-binary @slow.bin \
  -o /dev/null -w '%{http_code}' "$BASE/blobs/blob-slow" > slow.status &
CURL_PID=$!
sleep 1
kill -TERM "$SERVER_PID"
sleep 0.3
if curl -sS --max-time 2 --cacert state/tls/ca.crt "$BASE/health" > /dev/null 2>&1; then
  fail "new connections accepted after SIGTERM"
fi
wait "$CURL_PID" || true
expect_eq "$(cat slow.status)" "204" "the upload in flight at SIGTERM completed"
set +e; wait "$SERVER_PID"; rc=$?; set -e
SERVER_PID=""
expect_eq "$rc" "0" "server exit status after SIGTERM"
grep -q "database closed" state/log/server.log || fail "no clean stop in the log"
ok "log file written, clean stop logged"
grep -q "11010519491231002X\|王伟" state/log/server.log && fail "personal data in the log"
ok "no personal data in the log"

# Restart: the state survived; the completed upload is there.
start_server
C -I "$BASE/blobs/blob-slow"
expect_eq "$(grep -i '^Upload-Complete' body | tr -d '\r' | cut -d' ' -f2)" "true" "state survives a restart"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""

# Server killed (SIGKILL) after committing a mutation, before answering: the client sees a broken
# connection, sends the mutation again after the restart and gets the stored result.
AUDIT4='{"mutations":[{"mutation_id":"m-audit-4","entity_kind":"audit","entity_id":"counter-01:4","operation":"append","payload":{"seq":4,"at":"2026-11-28T10:00:04Z","actor":"clerk1","action":"logout","object":"","details":"{}","prev_hash":"h3","hash":"h4"}}]}'
CRASH_AT=mutation-committed start_server
C -H 'Content-Type: application/json' --data "$AUDIT4" "$BASE/mutations"
set +e; wait "$SERVER_PID"; rc=$?; set -e; SERVER_PID=""
expect_eq "$(status) $rc" "000 137" "server killed after the commit, before the answer"
start_server
C -H 'Content-Type: application/json' --data "$AUDIT4" "$BASE/mutations"
expect_eq "$(json '.results[0].status') $(json '.results[0].replayed')" "applied true" \
  "after the restart the resent mutation gets the stored result"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""

# Server killed after writing a chunk's bytes, before fdatasync and the new offset: the offset
# stays, the chunk is sent again.
head -c 300000 /dev/urandom > crash.bin
CRASH_AT=chunk-written start_server
C -H 'Content-Type: application/json' --data "{\"blob_id\":\"blob-crash\",\"length\":300000,\"sha256\":\"$(hexsha crash.bin)\"}" "$BASE/blobs"
C -X PATCH -H "Upload-Offset: 0" -H "Upload-Checksum: sha256 $(b64sha crash.bin)" \
  -H 'Content-Type: application/offset+octet-stream' --data-binary @crash.bin "$BASE/blobs/blob-crash"
set +e; wait "$SERVER_PID"; rc=$?; set -e; SERVER_PID=""
expect_eq "$(status) $rc" "000 137" "server killed mid-chunk"
start_server
C -I "$BASE/blobs/blob-crash"
expect_eq "$(grep -i '^Upload-Offset' body | tr -d '\r' | cut -d' ' -f2)" "0" "after the restart the offset is the last committed one"
C -X PATCH -H "Upload-Offset: 0" -H "Upload-Checksum: sha256 $(b64sha crash.bin)" \
  -H 'Content-Type: application/offset+octet-stream' --data-binary @crash.bin "$BASE/blobs/blob-crash"
C "$BASE/blobs/blob-crash"
expect_eq "$(status) $(hexsha body)" "200 $(hexsha crash.bin)" "the resent chunk completes the blob intact"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
"$SERVER_BIN" status --dir state | grep -q "counter-01" || fail "status lists the workstation"
ok "status lists counts and workstations"
echo "integration_server: $pass checks passed"
