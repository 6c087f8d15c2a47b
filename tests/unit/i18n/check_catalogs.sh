#!/usr/bin/env bash
# Every user-visible string in the sources is in the .pot, and every catalog translates all of
# it: no untranslated or fuzzy entries, UTF-8, msgfmt --check clean, placeholders kept.
set -euo pipefail
root=$1
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./scripts/update-pot "$tmp/onewindow.pot"
fail=0
if ! diff -q <(grep '^msgid' i18n/onewindow.pot | sort) <(grep '^msgid' "$tmp/onewindow.pot" | sort) >/dev/null; then
  echo "FAIL i18n/onewindow.pot is out of date: run scripts/update-pot"
  diff <(grep '^msgid' i18n/onewindow.pot | sort) <(grep '^msgid' "$tmp/onewindow.pot" | sort) | head -20
  fail=1
fi
for po in i18n/*.po; do
  lang=$(basename "$po" .po)
  grep -q 'charset=UTF-8' "$po" || { echo "FAIL $po is not declared UTF-8"; fail=1; }
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$po" "$tmp/onewindow.pot"
  stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  if echo "$stats" | grep -Eq 'untranslated|fuzzy'; then
    echo "FAIL $lang is incomplete"
    msgattrib --untranslated --only-fuzzy "$tmp/$lang.po" 2>/dev/null | grep '^msgid' | head -5 || true
    msgattrib --untranslated "$tmp/$lang.po" | grep '^msgid' | head -10
    fail=1
  fi
  # Every {placeholder} of a msgid appears in its translation.
  python3 - "$tmp/$lang.po" <<'PY' || fail=1
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
bad = 0
for block in text.split('\n\n'):
    ids = re.findall(r'^msgid ((?:".*"\n?)+)', block, re.M)
    strs = re.findall(r'^msgstr ((?:".*"\n?)+)', block, re.M)
    if not ids or not strs:
        continue
    join = lambda s: ''.join(re.findall(r'"(.*)"', s))
    mid, mstr = join(ids[0]), join(strs[0])
    if not mid or not mstr:
        continue
    for ph in set(re.findall(r'\{[a-z_]+\}', mid)) | set(re.findall(r'%[sdlz]+', mid)):
        if ph not in mstr:
            print(f'FAIL placeholder {ph} missing in translation of "{mid[:60]}"')
            bad = 1
sys.exit(bad)
PY
done
[ "$fail" -eq 0 ] && echo "catalogs complete"
exit "$fail"
