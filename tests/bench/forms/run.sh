#!/usr/bin/env bash
# Forms benchmark: merge 10 items + validate, and receipt PDF rendering. Usage: run.sh BUILD_DIR
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")/../../.." && pwd)
"$build/tests/bench/forms/bench_forms" "$src/forms/data/catalog"
