#!/usr/bin/env bash
# Runs `onewindow-cli check` and `catalog` and asserts their documented exit codes:
# 0 valid, 1 invalid, 2 usage, 3 valid with a warning.
# usage: cli_check.sh PATH/TO/onewindow-cli SOURCE_DIR
set -u
cli="$1"
src="$2"
failures=0

expect() { # expect CODE ARGS... — runs the CLI, compares the exit code
    local want="$1"
    shift
    local out
    out="$("$cli" "$@" 2>&1)"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: onewindow-cli $* → exit $got, expected $want: $out"
        failures=$((failures + 1))
    else
        echo "ok:   onewindow-cli $* → $got  $out" | head -1
    fi
}

expect_output() { # expect_output TEXT ARGS... — the output must contain TEXT
    local want="$1"
    shift
    local out
    out="$("$cli" "$@" 2>&1)"
    if [[ "$out" != *"$want"* ]]; then
        echo "FAIL: onewindow-cli $* does not print '$want': $out"
        failures=$((failures + 1))
    fi
}

expect 0 check id 11010519491231002X
expect 0 check id 11010519491231002x
expect 0 check id "１１０１０５１９４９１２３１００２Ｘ"
expect 1 check id 340524198001010013
expect 1 check id 110105491231002
expect 1 check id 11010519000229002X
expect 1 check id ""
expect 0 check uscc 91350200MA2YJ1XR9G
expect 3 check uscc 91350100M0001TGQXM
expect 1 check uscc 91350200MA2YJ1XR9
expect 1 check uscc 9135020OMA2YJ1XR9G
expect 0 check org 19220382-1
expect 0 check org MA31DKY80
expect 3 check org 19220382-2
expect 1 check org 1922038
expect 0 check region 440305
expect 3 check region 440524
expect 1 check region 44030
expect 0 check license-id 1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U
expect 1 check license-id 1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M
expect 2 check passport E12345678
expect 2 check id
expect_output "should be 'X'" check id 340524198001010013
expect_output "gives '1'" check uscc 91350100M0001TGQXM
expect_output "锡林浩特市" check region 152502

expect 0 catalog validate "$src/forms/data/catalog/catalog.json"
expect 0 catalog list --dir "$src/forms/data/catalog"
expect 0 catalog show 01010400150100 --dir "$src/forms/data/catalog"
expect 0 catalog show OW-YJS-0001 --dir "$src/forms/data/catalog"
expect 1 catalog show NO-SUCH-ITEM --dir "$src/forms/data/catalog"
expect_output "个体工商户设立登记" catalog list --search gtgsh --dir "$src/forms/data/catalog"
expect 2 catalog validate /nonexistent/catalog.json
broken="$(mktemp -d)"
trap 'rm -rf "$broken"' EXIT
printf '{"format": "onewindow-catalog/1", "version": "x", "name": "坏", "items": [{"code": "X"}]}' \
    > "$broken/catalog.json"
expect 1 catalog validate "$broken/catalog.json"
expect_output "item X" catalog validate "$broken/catalog.json"
OW_CATALOG_DIR="$src/forms/data/catalog" expect 0 catalog list

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "all CLI checks passed"
