#!/usr/bin/env bash
# Restoration benchmark: one license restored and sealed in-process (target ≤ 150 ms), beside
# podofosign sealing the same page and pdfsig verifying it. Usage: run.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/ow-bench-restore.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
# One seal key for both sides (RSA-2048, as a center seal on a card typically is).
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/O=bench center/CN=bench seal" \
  -keyout "$work/seal.key" -out "$work/seal.pem" 2>/dev/null
"$build/tests/bench/restore/bench_restore" "$work" "$work/seal.key" "$work/seal.pem"
