#!/usr/bin/env bash
# Cache benchmark: the workstation cache (SQLCipher 3.4.1 with OneWindow's page-crypto provider)
# versus plain SQLite (the peer the issue names), with SQLCipher's stock OpenSSL provider shown
# beside it. Same schema, same data, same run.
# Usage: run.sh BUILD_DIR [SIZES…]   (default sizes: 100000 1000000)
set -euo pipefail
build=$1; shift
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
plain=$("$build/tests/bench/cache/bench_cache_sqlite" "${sizes[@]}")
cipher=$("$build/tests/bench/cache/bench_cache_sqlcipher" "${sizes[@]}")
stock=$("$build/tests/bench/cache/bench_cache_sqlcipher" --stock-provider "${sizes[@]}")
python3 - "$plain" "$cipher" "$stock" <<'PY'
import json, sys
plain, cipher, stock = ({r["persons"]: r for r in map(json.loads, arg.splitlines())}
                        for arg in sys.argv[1:4])
print("cache benchmark: SQLCipher 3.4.1 (raw key, 4 KiB pages, 64 MiB cache) vs plain SQLite (peer);")
print("'stock' = the same cache with SQLCipher's own OpenSSL provider instead of OneWindow's")
print(f"{'persons':>9} {'metric':<26} {'sqlcipher':>10} {'sqlite':>10} {'ratio':>6} {'stock':>10} {'ratio':>6}  target")
for n in sorted(cipher):
    c, p, s = cipher[n], plain[n], stock[n]
    rows = [("import (s)", "import_s", "ratio <= 1.5" + (", <= 15 s" if n >= 1000000 else "")),
            ("  generating alone (s)", "generate_s", ""),
            ("10k lookups cold (ms)", "lookups_ms", "ratio <= 1.5 (median of 7 passes)"),
            ("  page misses per pass", "page_misses_per_pass", ""),
            ("10k lookups warm (ms)", "warm_lookups_ms", ""),
            ("lookup p50 (us)", "lookup_p50_us", ""),
            ("lookup p99 (us)", "lookup_p99_us", "<= 500 us"),
            ("open (ms)", "open_ms", "<= 5 ms"),
            ("file (MiB)", "file_mib", "")]
    for name, key, target in rows:
        a, b, x = c[key], p[key], s[key]
        print(f"{n:>9} {name:<26} {a:>10.3f} {b:>10.3f} {a / b if b else 0:>6.2f} {x:>10.3f} "
              f"{x / b if b else 0:>6.2f}  {target}")
    for r in (c, p, s):
        assert r["found"] == r["lookups"], "lookups must all hit"
PY
