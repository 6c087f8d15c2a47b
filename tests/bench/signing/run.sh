#!/usr/bin/env bash
# Signing benchmark: onewindow-cli sign/verify against podofosign/pdfsig. Usage: run.sh BUILD_DIR
set -euo pipefail
build=$1
cd "$build/tests/bench/signing"
./bench_signing
