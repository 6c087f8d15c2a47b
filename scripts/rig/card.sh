#!/usr/bin/env bash
# card.sh — the OneWindow smart-card test rig: real services, no mocks, loopback only.
#
#   * a test PKI made with openssl: root CA, RSA-2048 / EC P-256 / RSA "always authenticate"
#     signers, a TSA certificate, and the virtual card's three CAC certificates;
#   * a SoftHSM2 token "ow-seal" (private SOFTHSM2_CONF) holding the signers' keys + certificates;
#   * a real pcscd in the foreground with the vsmartcard vpcd driver (readers "OW Rig vPCD 00 00"
#     and "00 01"), in a private mount and network namespace when we can (root + unshare), so it
#     never meets a system pcscd and vpcd's card ports (it listens on every interface of its
#     namespace) exist only on that namespace's loopback; the virtual cards join that namespace;
#     clients find pcscd through its socket file, PCSCLITE_CSOCK_NAME;
#   * reader 00 00: a virtual CAC card that signs (libcacard + scripts/rig/vcac.c), recognised by
#     OpenSC's PKCS#11 module; reader 00 01: an ISO 7816 card OpenSC does not recognise (vicc).
#
# usage: card.sh start | stop [--purge] | status | env | pull | insert | selftest
#   start     builds vcac if needed, creates everything, starts the daemons, writes $DIR/env.sh
#   stop      stops only the processes start recorded (their command lines are re-checked)
#   env       prints the environment to source (PCSCLITE_CSOCK_NAME, SOFTHSM2_CONF, OW_RIG_*)
#   pull/insert  removes / re-inserts the virtual card (SIGUSR1 / SIGUSR2 to vcac)
#   selftest  quick checks with pkcs11-tool and openssl
# settings: OW_RIG_DIR (default /tmp/ow-rig), OW_RIG_PORT (vpcd base port, default 35963),
#           OW_RIG_PIN (default 12345678), OW_RIG_VICC=1|0, OW_RIG_MODE=auto|isolated|system,
#           OW_RIG_CARD=1|0 (0: SoftHSM and PKI only, no pcscd)
# Exit code 77 from start means "the card part cannot run here" (not root and a pcscd runs).
set -euo pipefail

DIR=${OW_RIG_DIR:-/tmp/ow-rig}
PORT=${OW_RIG_PORT:-35963}
PIN=${OW_RIG_PIN:-12345678}
SO_PIN=${OW_RIG_SO_PIN:-87654321}
WITH_VICC=${OW_RIG_VICC:-1}
WITH_CARD=${OW_RIG_CARD:-1}
MODE=${OW_RIG_MODE:-auto}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOKEN=ow-seal

log() { printf '[rig] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit "${2:-1}"; }

find_lib() { # first existing path among the arguments
  for p in "$@"; do [ -e "$p" ] && { echo "$p"; return 0; }; done
  return 1
}
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
SOFTHSM_MOD=$(find_lib /usr/lib/softhsm/libsofthsm2.so "/usr/lib/$MULTIARCH/softhsm/libsofthsm2.so" || true)
OPENSC_MOD=$(find_lib "/usr/lib/$MULTIARCH/opensc-pkcs11.so" /usr/lib/opensc-pkcs11.so || true)
VPCD_DRIVER=$(find_lib /usr/lib/pcsc/drivers/serial/libifdvpcd.so || true)
VICC_PYPATH=/usr/lib/python3/site-packages/virtualsmartcard

# ------------------------------------------------------------------ process bookkeeping
record() { echo "$2" > "$DIR/pids/$1.pid"; echo "$3" > "$DIR/pids/$1.match"; }
alive() { # NAME -> prints the pid when running and its command line still matches
  local f="$DIR/pids/$1.pid" p m
  [ -f "$f" ] || return 1
  p=$(cat "$f"); m=$(cat "$DIR/pids/$1.match")
  [ -r "/proc/$p/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$p/cmdline" | grep -qF -- "$m" || return 1
  echo "$p"
}

# ------------------------------------------------------------------ PKI
make_pki() {
  local P=$DIR/pki
  [ -f "$P/done" ] && return 0
  mkdir -p "$P"
  log "test PKI in $P"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 3650 \
    -subj "/C=CN/O=OneWindow Test/CN=OneWindow Rig Root CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\n' > "$P/ext-sign.cnf"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n' > "$P/ext-tsa.cnf"
  issue() { # name keyspec subject ext
    local n=$1 spec=$2 subj=$3 ext=$4
    if [ "$spec" = ec ]; then
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$P/$n.key" -out "$P/$n.csr" -subj "$subj" 2>/dev/null
    else
      openssl req -newkey "rsa:$spec" -nodes -keyout "$P/$n.key" -out "$P/$n.csr" -subj "$subj" 2>/dev/null
    fi
    openssl x509 -req -in "$P/$n.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 825 \
      -sha256 -extfile "$P/$ext" -out "$P/$n.crt" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$P/$n.key" -outform DER -out "$P/$n.p8"
    openssl x509 -in "$P/$n.crt" -outform DER -out "$P/$n.der"
  }
  issue seal-rsa 2048 "/C=CN/O=OneWindow Test/CN=Seal Officer (RSA)" ext-sign.cnf
  issue seal-ec ec "/C=CN/O=OneWindow Test/CN=Seal Officer (EC)" ext-sign.cnf
  issue seal-aa 2048 "/C=CN/O=OneWindow Test/CN=Seal Officer (always authenticate)" ext-sign.cnf
  issue tsa 2048 "/C=CN/O=OneWindow Test/CN=OneWindow Rig TSA" ext-tsa.cnf
  # the virtual card's certificates (keys go into the card's NSS database)
  for n in id sign enc; do
    issue "card-$n" 2048 "/C=CN/O=OneWindow Test/CN=Card Officer ($n)" ext-sign.cnf
    openssl pkcs12 -export -inkey "$P/card-$n.key" -in "$P/card-$n.crt" -name "vcac-$n" \
      -passout pass:rig -out "$P/card-$n.p12"
  done
  touch "$P/done"
}

# ------------------------------------------------------------------ SoftHSM2
make_softhsm() {
  mkdir -p "$DIR/softhsm/tokens"
  cat > "$DIR/softhsm2.conf" <<CONF
directories.tokendir = $DIR/softhsm/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
  export SOFTHSM2_CONF="$DIR/softhsm2.conf"
  if softhsm2-util --show-slots 2>/dev/null | grep -q "Label: *$TOKEN *$"; then return 0; fi
  [ -n "$SOFTHSM_MOD" ] || die "libsofthsm2.so not found (apt-get install softhsm2)"
  log "SoftHSM2 token '$TOKEN'"
  softhsm2-util --init-token --free --label "$TOKEN" --so-pin "$SO_PIN" --pin "$PIN" >/dev/null
  local M=(pkcs11-tool --module "$SOFTHSM_MOD" --token-label "$TOKEN" --login --pin "$PIN")
  local P=$DIR/pki
  local spec
  for spec in seal-rsa:01 seal-ec:02 seal-aa:03; do
    local n=${spec%%:*} id=${spec##*:} extra=()
    [ "$n" = seal-aa ] && extra=(--always-auth)
    "${M[@]}" --write-object "$P/$n.p8" --type privkey --id "$id" --label "$n" --usage-sign "${extra[@]}" >/dev/null
    "${M[@]}" --write-object "$P/$n.der" --type cert --id "$id" --label "$n" >/dev/null
  done
}

# ------------------------------------------------------------------ pcscd + cards
build_vcac() {
  mkdir -p "$DIR/bin"
  if [ ! -x "$DIR/bin/vcac" ] || [ "$HERE/vcac.c" -nt "$DIR/bin/vcac" ]; then
    pkg-config --exists libcacard || die "libcacard-dev is missing (scripts/setup installs it)"
    log "building vcac"
    cc -O2 -Wall "$HERE/vcac.c" $(pkg-config --cflags --libs libcacard) -o "$DIR/bin/vcac"
  fi
}

start_card() {
  [ -n "$VPCD_DRIVER" ] || die "vsmartcard-vpcd is missing"
  [ -n "$OPENSC_MOD" ] || die "opensc-pkcs11 is missing"
  build_vcac
  mkdir -p "$DIR/run" "$DIR/conf" "$DIR/logs" "$DIR/nssdb"
  cat > "$DIR/conf/vpcd" <<CONF
FRIENDLYNAME "OW Rig vPCD"
DEVICENAME   /dev/null:$PORT
LIBPATH      $VPCD_DRIVER
CHANNELID    $PORT
CONF
  if [ "$MODE" = auto ]; then
    if [ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
       unshare --mount --net --propagation private true 2>/dev/null; then MODE=isolated; else MODE=system; fi
  fi
  local sock
  if [ "$MODE" = isolated ]; then
    mkdir -p /run/pcscd
    # Our pcscd sees $DIR/run as its /run/pcscd; the system's /run/pcscd is untouched. Its network
    # namespace has only a loopback interface: vpcd's ports are unreachable from anywhere else.
    unshare --mount --net --propagation private sh -c \
      "ip link set lo up && mount --bind '$DIR/run' /run/pcscd && exec pcscd --foreground --debug -c '$DIR/conf'" \
      > "$DIR/logs/pcscd.log" 2>&1 &
    sock=$DIR/run/pcscd.comm
  else
    if [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd >/dev/null 2>&1; then
      die "a pcscd already runs and this user cannot isolate one (needs root + unshare)" 77
    fi
    log "WARNING: not isolated (needs root, unshare and ip): vpcd listens on every interface, port $PORT"
    pcscd --foreground --debug -c "$DIR/conf" > "$DIR/logs/pcscd.log" 2>&1 &
    sock=/run/pcscd/pcscd.comm
  fi
  record pcscd $! "pcscd --foreground --debug -c $DIR/conf"
  # The virtual cards connect to vpcd on 127.0.0.1 inside pcscd's network namespace.
  local in_ns=()
  [ "$MODE" = isolated ] && in_ns=(nsenter "--net=/proc/$(cat "$DIR/pids/pcscd.pid")/ns/net")
  for _ in $(seq 100); do grep -q "daemon ready" "$DIR/logs/pcscd.log" 2>/dev/null && [ -S "$sock" ] && break; sleep 0.05; done
  grep -q "daemon ready" "$DIR/logs/pcscd.log" || die "pcscd did not start; see $DIR/logs/pcscd.log"
  echo "$sock" > "$DIR/run/socket-path"
  log "pcscd pid $(cat "$DIR/pids/pcscd.pid") ($MODE), socket $sock"

  if [ ! -f "$DIR/nssdb/done" ]; then
    printf '%s\n' "$PIN" > "$DIR/nssdb/pin.txt"
    certutil -N -d "sql:$DIR/nssdb" -f "$DIR/nssdb/pin.txt"   # NSS password = card PIN
    for n in id sign enc; do
      pk12util -d "sql:$DIR/nssdb" -i "$DIR/pki/card-$n.p12" -W rig -k "$DIR/nssdb/pin.txt" >/dev/null
    done
    rm -f "$DIR/nssdb/pin.txt"
    touch "$DIR/nssdb/done"
  fi
  "${in_ns[@]}" "$DIR/bin/vcac" -d "$DIR/nssdb" -c vcac-id,vcac-sign,vcac-enc -p "$PORT" > "$DIR/logs/vcac.log" 2>&1 &
  record vcac $! "$DIR/bin/vcac"
  if [ "$WITH_VICC" = 1 ]; then
    mkdir -p "$DIR/pyshim"
    [ -d /usr/lib/python3/dist-packages/Cryptodome ] && ln -sfn /usr/lib/python3/dist-packages/Cryptodome "$DIR/pyshim/Crypto"
    # Debian's python (dist-packages), not whatever python3 comes first in PATH
    PYTHONPATH="$VICC_PYPATH:$DIR/pyshim" "${in_ns[@]}" /usr/bin/python3 "$HERE/vicc_quickack.py" -t iso7816 -P $((PORT + 1)) \
      > "$DIR/logs/vicc.log" 2>&1 &
    record vicc $! "vicc_quickack.py"
  fi
  # wait until the card answers in reader 00 00
  for _ in $(seq 100); do grep -q "card inserted" "$DIR/logs/vcac.log" 2>/dev/null && break; sleep 0.05; done
  sleep 0.5
}

write_env() {
  local sock=""
  [ -f "$DIR/run/socket-path" ] && sock=$(cat "$DIR/run/socket-path")
  cat > "$DIR/env.sh" <<ENV
# source me: environment of the OneWindow test rig ($DIR)
export OW_RIG_DIR='$DIR'
export SOFTHSM2_CONF='$DIR/softhsm2.conf'
export OW_RIG_PIN='$PIN'
export OW_RIG_SOFTHSM_MODULE='$SOFTHSM_MOD'
export OW_RIG_SOFTHSM_TOKEN='$TOKEN'
export OW_RIG_RSA_URI='pkcs11:token=$TOKEN;object=seal-rsa;type=private'
export OW_RIG_EC_URI='pkcs11:token=$TOKEN;object=seal-ec;type=private'
export OW_RIG_ALWAYS_AUTH_URI='pkcs11:token=$TOKEN;object=seal-aa;type=private'
export OW_RIG_CA_CERT='$DIR/pki/ca.crt'
export OW_RIG_CA_KEY='$DIR/pki/ca.key'
export OW_RIG_RSA_KEY='$DIR/pki/seal-rsa.key' OW_RIG_RSA_CERT='$DIR/pki/seal-rsa.crt'
export OW_RIG_EC_KEY='$DIR/pki/seal-ec.key' OW_RIG_EC_CERT='$DIR/pki/seal-ec.crt'
export OW_RIG_TSA_KEY='$DIR/pki/tsa.key' OW_RIG_TSA_CERT='$DIR/pki/tsa.crt'
ENV
  if [ -n "$sock" ]; then
    cat >> "$DIR/env.sh" <<ENV
export PCSCLITE_CSOCK_NAME='$sock'   # libpcsclite clients (OpenSC included) use the rig's pcscd
export OW_RIG_OPENSC_MODULE='$OPENSC_MOD'
export OW_RIG_CARD_TOKEN='Card Officer (id)'
export OW_RIG_CARD_URI='pkcs11:token=Card%20Officer%20(id);object=CAC%20Email%20Signature%20Certificate;type=private'
export OW_RIG_CARD_CERT='$DIR/pki/card-sign.crt'
export OW_RIG_VCAC_PID='$(cat "$DIR/pids/vcac.pid" 2>/dev/null)'
ENV
  fi
}

cmd_start() {
  mkdir -p "$DIR/pids" "$DIR/logs"
  for n in pcscd vcac vicc; do
    if p=$(alive $n); then die "$n already runs (pid $p); run '$0 stop' first"; fi
  done
  command -v openssl >/dev/null || die "openssl is missing"
  make_pki
  make_softhsm
  if [ "$WITH_CARD" = 1 ]; then
    start_card
  else
    rm -f "$DIR/run/socket-path"
  fi
  write_env
  log "ready: source $DIR/env.sh"
}

cmd_stop() {
  for n in vicc vcac pcscd; do
    local p
    if p=$(alive $n); then
      kill -TERM "$p" 2>/dev/null || true
      for _ in $(seq 50); do [ -d "/proc/$p" ] || break; sleep 0.1; done
      [ -d "/proc/$p" ] && { log "$n (pid $p) ignored SIGTERM"; kill -KILL "$p" 2>/dev/null || true; }
      log "stopped $n (pid $p)"
    fi
    rm -f "$DIR/pids/$n.pid" "$DIR/pids/$n.match"
  done
  rm -f "$DIR/run/socket-path"
  if [ "${1:-}" = --purge ]; then rm -rf "$DIR"; log "removed $DIR"; fi
}

cmd_status() {
  for n in pcscd vcac vicc; do
    if p=$(alive $n); then echo "$n: running (pid $p)"; else echo "$n: stopped"; fi
  done
}

cmd_signal() {
  local p
  p=$(alive vcac) || die "the virtual card is not running"
  kill "-$1" "$p"
  sleep "${2:-1}"
}

cmd_selftest() {
  # shellcheck disable=SC1091
  source "$DIR/env.sh"
  local fail=0 W
  W=$(mktemp -d)
  printf 'rig self-test\n' > "$W/doc"
  openssl dgst -sha256 -binary "$W/doc" > "$W/digest"
  check() { local name=$1; shift; if "$@" > "$W/out" 2>&1; then echo "PASS $name"; else echo "FAIL $name"; tail -3 "$W/out"; fail=1; fi; }
  check "softhsm token lists" sh -c "pkcs11-tool --module '$OW_RIG_SOFTHSM_MODULE' -L | grep -q '$OW_RIG_SOFTHSM_TOKEN'"
  check "softhsm EC sign" pkcs11-tool --module "$OW_RIG_SOFTHSM_MODULE" --token-label "$OW_RIG_SOFTHSM_TOKEN" \
    --login --pin "$OW_RIG_PIN" --sign -m ECDSA --id 02 -i "$W/digest" -o "$W/sig"
  if [ -n "${PCSCLITE_CSOCK_NAME:-}" ]; then
    check "virtual card is an OpenSC token" sh -c "pkcs11-tool --module '$OW_RIG_OPENSC_MODULE' -L | grep -q 'Card Officer'"
    check "card certificate chains to the rig CA" sh -c \
      "pkcs11-tool --module '$OW_RIG_OPENSC_MODULE' --token-label '$OW_RIG_CARD_TOKEN' --read-object --type cert --id 0002 -o '$W/c.der' && openssl x509 -inform DER -in '$W/c.der' -out '$W/c.pem' && openssl verify -CAfile '$OW_RIG_CA_CERT' '$W/c.pem'"
  fi
  rm -rf "$W"
  return $fail
}

case "${1:-}" in
  start) cmd_start ;;
  stop) shift; cmd_stop "${1:-}" ;;
  status) cmd_status ;;
  env) cat "$DIR/env.sh" ;;
  pull) cmd_signal USR1 "${2:-1}" ;;
  insert) cmd_signal USR2 "${2:-1.5}" ;;
  selftest) cmd_selftest ;;
  *) sed -n '2,27p' "$0"; exit 2 ;;
esac
