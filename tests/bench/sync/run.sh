#!/usr/bin/env bash
# Sync benchmark over loopback TLS against the real onewindow-server, same run:
#   1. upload: CASES cases x 3 documents of 1 MiB through the sync engine (encrypted cache ->
#      streaming decrypt -> tus-style chunks -> mutation batches) versus curl uploading the same
#      bytes to the same server (one curl process, connection reuse, one PATCH per blob);
#      target: engine throughput >= 0.7x curl's;
#   2. first sync of 100k reference records (snapshot bootstrap); target <= 5 s;
#   3. resume after a connection cut mid-upload (fault proxy, TCP mode): bytes sent again;
#      target <= one chunk (4 MiB).
# Usage: run.sh BUILD_DIR   (OW_BENCH_SYNC_CASES=N to change the 1000 cases)
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
cli=$build/client/cli/onewindow-cli
srv=$build/server/onewindow-server
fill=$build/tests/bench/sync/sync_bench_fill
cases=${OW_BENCH_SYNC_CASES:-1000}
blob_bytes=1048576
tmp=$(mktemp -d -t ow-bench-sync-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now() { date +%s.%N; }
export OW_CATALOG_DIR=$src/forms/data/catalog

port=$(free_port)
"$srv" init --dir "$tmp/srv" --port "$port" >/dev/null
"$srv" import --config "$tmp/srv/server.conf" --demo-persons 100000 >/dev/null
"$srv" run --config "$tmp/srv/server.conf" >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
url=https://127.0.0.1:$port
ca=$tmp/srv/tls/ca.crt

new_workstation() { # DIR NAME
  echo admin-pass-1 | "$cli" --data-dir "$1" init --admin admin --password-stdin >/dev/null
  printf 'admin-pass-1\nclerk-pass-1\n' | "$cli" --data-dir "$1" user add clerk --role clerk \
    --user admin --password-stdin >/dev/null
  code=$("$srv" enroll --config "$tmp/srv/server.conf" --workstation "$2" |
    grep -oE '[A-Z0-9]{4}(-[A-Z0-9]{4}){3}' | head -1)
  echo admin-pass-1 | "$cli" --data-dir "$1" enroll "$url" "$code" --ca "$ca" --user admin \
    --password-stdin >/dev/null
}
sync_json() { # DIR -> the JSON report of one run
  echo clerk-pass-1 | "$cli" --data-dir "$1" sync --once --json --user clerk --password-stdin |
    tail -1
}

# 2. First sync: 100k person records.
new_workstation "$tmp/ws1" bench-1
t0=$(now)
first=$(sync_json "$tmp/ws1")
t1=$(now)
first_s=$(python3 -c "print($t1 - $t0)")
persons=$(echo "$first" | python3 -c 'import json,sys;print(json.load(sys.stdin)["received"].get("person",0))')

# 1. Upload throughput: engine versus curl.
mkdir -p "$tmp/export"
"$fill" "$tmp/ws1" clerk clerk-pass-1 "$cases" 3 "$blob_bytes" --export "$tmp/export" >/dev/null
t0=$(now)
up=$(sync_json "$tmp/ws1")
t1=$(now)
engine_s=$(python3 -c "print($t1 - $t0)")
echo "$up" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["applied"] == int(sys.argv[1]) and r["pending"] == 0, r
' "$cases"

# The peer: curl with its own client certificate, the same bytes as new blobs.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/curl.key" \
  -subj /CN=curl-peer -out "$tmp/curl.csr" 2>/dev/null
"$srv" enroll --config "$tmp/srv/server.conf" --workstation curl-peer --csr "$tmp/curl.csr" \
  --out "$tmp/curl.crt" >/dev/null
python3 - "$tmp/export" "$url" "$tmp/curl.cfg" <<'PY'
import base64, os, sys
export, url, cfg = sys.argv[1:4]
with open(cfg, "w") as out:
    first = True
    for name in sorted(os.listdir(export)):
        if name.endswith(".sha256"):
            continue
        path = os.path.join(export, name)
        sha = open(path + ".sha256").read().strip()
        size = os.path.getsize(path)
        blob = "curl-" + name[:40]
        for block in (
            f'url = "{url}/v1/blobs"\nrequest = POST\nheader = "Content-Type: application/json"\n'
            f'data = "{{\\"blob_id\\":\\"{blob}\\",\\"length\\":{size},\\"sha256\\":\\"{sha}\\"}}"\n',
            f'url = "{url}/v1/blobs/{blob}"\nrequest = PATCH\n'
            f'header = "Content-Type: application/offset+octet-stream"\n'
            f'header = "Upload-Offset: 0"\n'
            f'header = "Upload-Checksum: sha256 {base64.b64encode(bytes.fromhex(sha)).decode()}"\n'
            f'data-binary = "@{path}"\n'):
            if not first:
                out.write("next\n")
            first = False
            out.write(block + 'output = "/dev/null"\nsilent\nshow-error\nfail\n'
                      'header = "Expect:"\n')
PY
# `next` resets options: put the TLS options into every block.
python3 - "$tmp/curl.cfg" "$ca" "$tmp/curl.crt" "$tmp/curl.key" <<'PY'
import sys
cfg, ca, crt, key = sys.argv[1:5]
tls = f'cacert = "{ca}"\ncert = "{crt}"\nkey = "{key}"\n'
text = open(cfg).read().replace("next\n", "next\n" + tls)
open(cfg, "w").write(tls + text)
PY
t0=$(now)
curl -K "$tmp/curl.cfg"
t1=$(now)
curl_s=$(python3 -c "print($t1 - $t0)")
complete=$("$srv" status --config "$tmp/srv/server.conf" --json |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["blobs_complete"])')

# 3. Resume after a cut: one 40 MiB document, the connection cut after 10 MB.
new_workstation "$tmp/ws2" bench-2
sync_json "$tmp/ws2" >/dev/null
"$fill" "$tmp/ws2" clerk clerk-pass-1 1 1 $((40 * 1048576)) >/dev/null
python3 "$src/tests/integration/sync/fault_proxy.py" --target "127.0.0.1:$port" \
  --listen 127.0.0.1:0 --port-file "$tmp/proxy.port" --mode cut --cut-after 10000000 \
  --max-faults 1 --stats "$tmp/proxy.json" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/proxy.port" ] && break; sleep 0.05; done
echo admin-pass-1 | "$cli" --data-dir "$tmp/ws2" sync-server "https://localhost:$(cat "$tmp/proxy.port")" \
  --user admin --password-stdin >/dev/null
resume=$(sync_json "$tmp/ws2" || true)

python3 - "$cases" "$blob_bytes" "$engine_s" "$curl_s" "$complete" "$first_s" "$persons" \
  "$resume" <<'PY'
import json, sys
cases, blob, engine_s, curl_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
complete, first_s, persons, resume = int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), json.loads(sys.argv[8])
mib = cases * 3 * blob / 1048576
engine_rate, curl_rate = mib / engine_s, mib / curl_s
assert complete == 2 * cases * 3, f"blobs complete on the server: {complete}"
print("sync benchmark (loopback TLS, same server, same run)")
print(f"{'metric':<44} {'onewindow':>12} {'peer':>12} {'ratio':>7}  target")
print(f"{'upload ' + str(cases) + ' cases x 3 x 1 MiB (MiB/s)':<44} {engine_rate:>12.1f} {curl_rate:>12.1f} "
      f"{engine_rate / curl_rate:>7.2f}  >= 0.70 x curl")
print(f"{'  wall time (s)':<44} {engine_s:>12.2f} {curl_s:>12.2f}")
print(f"{'first sync of ' + str(persons) + ' persons (s)':<44} {first_s:>12.2f} {5.0:>12.2f} "
      f"{first_s / 5.0:>7.2f}  <= 5 s (peer column: the target)")
length = 40 * 1048576
chunk = 4 * 1048576
# bytes_resent: the engine's count of bytes it sent again from below the furthest offset it had
# reached (a cut chunk is re-sent whole); on the wire: everything handed to the socket minus the
# blob's length (the part of the cut chunk that crossed before the cut).
resent = resume.get("bytes_resent", -1)
wire = resume.get("bytes_uploaded", 0) - length
assert resume.get("applied") == 1 and resume.get("pending") == 0, resume
print(f"{'resume after a cut at 10 MB: bytes sent again':<44} {resent:>12d} {chunk:>12d} "
      f"{resent / chunk:>7.2f}  <= one 4 MiB chunk (peer column: the chunk)")
print(f"{'  of which had crossed before the cut':<44} {wire:>12d}")
PY
