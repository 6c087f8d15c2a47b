#!/usr/bin/env bash
# Cache benchmark: SQLCipher (the workstation cache) versus plain SQLite, same schema, same data,
# same run. Usage: run.sh BUILD_DIR [SIZES…]   (default sizes: 100000 1000000)
set -euo pipefail
build=$1; shift
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
plain=$("$build/tests/bench/cache/bench_cache_sqlite" "${sizes[@]}")
cipher=$("$build/tests/bench/cache/bench_cache_sqlcipher" "${sizes[@]}")
python3 - "$plain" "$cipher" <<'PY'
import json, sys
plain = {r["persons"]: r for r in map(json.loads, sys.argv[1].splitlines())}
cipher = {r["persons"]: r for r in map(json.loads, sys.argv[2].splitlines())}
print("cache benchmark: SQLCipher 3.4.1 (raw key, 4 KiB pages, 64 MiB cache) vs plain SQLite (peer)")
print(f"{'persons':>9} {'metric':<22} {'sqlcipher':>12} {'sqlite':>12} {'ratio':>7}  target")
for n in sorted(cipher):
    c, p = cipher[n], plain[n]
    rows = [("import (s)", c["import_s"], p["import_s"], "ratio <= 1.5" + (", <= 15 s" if n >= 1000000 else "")),
            ("  generating alone", c["generate_s"], p["generate_s"], ""),
            ("10k lookups cold (ms)", c["lookups_ms"], p["lookups_ms"], "ratio <= 1.5"),
            ("10k lookups warm (ms)", c["warm_lookups_ms"], p["warm_lookups_ms"], ""),
            ("lookup p50 (us)", c["lookup_p50_us"], p["lookup_p50_us"], ""),
            ("lookup p99 (us)", c["lookup_p99_us"], p["lookup_p99_us"], "<= 500 us"),
            ("open (ms)", c["open_ms"], p["open_ms"], "<= 5 ms"),
            ("file (MiB)", c["file_mib"], p["file_mib"], "")]
    for name, a, b, target in rows:
        print(f"{n:>9} {name:<22} {a:>12.3f} {b:>12.3f} {a / b if b else 0:>7.2f}  {target}")
    assert c["found"] == c["lookups"] and p["found"] == p["lookups"], "lookups must all hit"
PY
