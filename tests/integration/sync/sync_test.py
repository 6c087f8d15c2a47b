#!/usr/bin/env python3
"""End-to-end sync between workstations (onewindow-cli) and a real onewindow-server on loopback.

usage: sync_test.py CLI SERVER SCENARIO

Scenarios (each its own CTest test, private temp dir and free ports, everything stopped on exit):
  e2e        two workstations: cases with blobs go up from A; catalog, calendar, reference data and
             cases come down to B; an officer on B approves a case; A pulls the new state.
  crashes    kill -9 of the client mid-upload and after the server applied a batch (the proxy drops
             the answer), kill -9 of the server at its crash points (chunk-written,
             chunk-committed, mutation-committed), duplicate delivery (replay).
  tls        expired, untrusted and wrong-host server certificates, a workstation with a revoked
             certificate, the workstation clock 5 hours ahead and behind (libfaketime).
  random     3 workstations behind the fault proxy in random mode until >= 200 faults were injected.
After each fault the invariant is checked: every case exactly once on the server, every blob's
SHA-256 matches the bytes stored, the outbox drains.
"""

import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI, SERVER, SCENARIO = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TMP = tempfile.mkdtemp(prefix="ow-sync-")
PROCS = []
ADMIN_PW, CLERK_PW, OFFICER_PW = "admin-pass-1", "clerk-pass-1", "officer-pass-1"


def log(*a):
    print(*a, flush=True)


def fail(msg):
    log("FAIL:", msg)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(TMP, ignore_errors=True)


def run(args, stdin="", check=True, env=None, timeout=120, prefix=None):
    cmd = (prefix or []) + args
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=timeout)
    if check and r.returncode != 0:
        fail(f"{' '.join(args)} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


class Server:
    def __init__(self, name="srv"):
        self.dir = os.path.join(TMP, name)
        self.port = free_port()
        run([SERVER, "init", "--dir", self.dir, "--port", str(self.port)])
        self.conf = os.path.join(self.dir, "server.conf")
        self.ca = os.path.join(self.dir, "tls", "ca.crt")
        self.proc = None

    def start(self, env_extra=None):
        env = dict(os.environ)
        env.update(env_extra or {})
        out = open(os.path.join(self.dir, "run.log"), "a")
        self.proc = subprocess.Popen([SERVER, "run", "--config", self.conf], stdout=out,
                                     stderr=subprocess.STDOUT, env=env)
        PROCS.append(self.proc)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    fail("server exited at start")
                time.sleep(0.05)
        fail("server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def enroll_code(self, workstation):
        r = run([SERVER, "enroll", "--config", self.conf, "--workstation", workstation])
        for word in r.stdout.split():
            if word.count("-") == 3 and len(word) == 19:
                return word
        fail("no enrolment code in: " + r.stdout)

    def db(self):
        return sqlite3.connect(os.path.join(self.dir, "server.db"), timeout=30)


class Workstation:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(TMP, name)
        self.cli(["init", "--admin", "admin"], ADMIN_PW)
        self.cli(["user", "add", "clerk", "--role", "clerk", "--user", "admin"],
                 ADMIN_PW + "\n" + CLERK_PW)
        self.cli(["user", "add", "officer", "--role", "officer", "--user", "admin"],
                 ADMIN_PW + "\n" + OFFICER_PW)
        self.cases_taken = []

    def cli(self, args, password, check=True, env=None, prefix=None, timeout=120):
        return run([CLI, "--data-dir", self.dir] + args + ["--password-stdin"], password + "\n",
                   check=check, env=env, prefix=prefix, timeout=timeout)

    def enroll(self, server, url=None):
        url = url or f"https://127.0.0.1:{server.port}"
        self.cli(["enroll", url, server.enroll_code(self.name), "--ca", server.ca, "--user",
                  "admin"], ADMIN_PW)

    def enroll_preseeded(self, server):
        """As IT enrols from a script: the server and its CA pre-seeded in onewindow.conf,
        only the one-time code on the command line."""
        conf = os.path.join(TMP, self.name + "-onewindow.conf")
        with open(conf, "w") as f:
            f.write(f"[server]\nurl = https://127.0.0.1:{server.port}\nca_bundle = {server.ca}\n")
        env = dict(os.environ, OW_SYSTEM_CONFIG=conf)
        self.cli(["enroll", server.enroll_code(self.name), "--user", "admin"], ADMIN_PW, env=env)

    def set_server(self, url):
        """Another address of the same server (the fault proxy): the identity is kept."""
        self.cli(["sync-server", url, "--user", "admin"], ADMIN_PW)

    def intake(self, note=""):
        data = json.load(open(os.path.join(SRC, "tests", "data", "intake",
                                           "restaurant-complete.json")))
        data["note"] = note
        path = os.path.join(TMP, f"{self.name}-case.json")
        json.dump(data, open(path, "w"), ensure_ascii=False)
        r = self.cli(["intake", "--bundle", "OW-YJS-0001", "--data", path, "--user", "clerk"],
                     CLERK_PW)
        number = r.stdout.splitlines()[0].strip()
        self.cases_taken.append(number)
        return number

    def sync(self, check=True, env=None, prefix=None, timeout=120):
        r = self.cli(["sync", "--once", "--json", "--user", "clerk"], CLERK_PW, check=False,
                     env=env, prefix=prefix, timeout=timeout)
        report = None
        for line in r.stdout.splitlines():
            try:
                report = json.loads(line)
            except ValueError:
                pass
        if check and r.returncode != 0:
            fail(f"sync on {self.name} -> {r.returncode}: {r.stdout} {r.stderr}")
        return r.returncode, report, r

    def sync_popen(self, env=None):
        p = subprocess.Popen([CLI, "--data-dir", self.dir, "sync", "--once", "--json", "--user",
                              "clerk", "--password-stdin"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        p.stdin.write(CLERK_PW + "\n")
        p.stdin.flush()
        PROCS.append(p)
        return p

    def outbox(self):
        r = self.cli(["outbox", "list", "--json", "--user", "clerk"], CLERK_PW)
        return json.loads(r.stdout)

    def cases(self, user="clerk", pw=CLERK_PW):
        return json.loads(self.cli(["cases", "--json", "--user", user], pw).stdout)

    def drain(self, rounds=30, env=None):
        """Syncs until nothing is pending (backoff may make an item wait: retry it at once)."""
        for _ in range(rounds):
            rc, report, _ = self.sync(check=False, env=env)
            items = self.outbox()
            if rc == 0 and not items:
                return report
            for item in items:
                if item["state"] == "pending" and item["next_attempt_at"]:
                    self.cli(["outbox", "retry", item["mutation_id"], "--user", "clerk"], CLERK_PW)
                elif item["state"] != "pending":
                    fail(f"{self.name}: outbox item not applied: {item}")
            time.sleep(0.2)
        fail(f"{self.name}: the outbox does not drain: {self.outbox()}")


ID_NUMBER = re.compile(rb"(?<![0-9])[1-9][0-9]{16}[0-9X](?![0-9])")


def check_logs_hold_no_id_numbers(workstations, label):
    """Failed requests are logged; none of those lines may carry a person's ID number (a snapshot
    page's query names the last person fetched)."""
    for ws in workstations:
        logs = os.path.join(ws.dir, "logs")
        for name in os.listdir(logs) if os.path.isdir(logs) else []:
            m = ID_NUMBER.search(open(os.path.join(logs, name), "rb").read())
            if m:
                fail(f"{label}: an ID number in {ws.name}'s log {name}: {m.group().decode()}")


def check_invariant(server, workstations, label):
    """Every case exactly once on the server, every blob's hash matches, the outboxes drained.
    And no ID number in any workstation's log."""
    check_logs_hold_no_id_numbers(workstations, label)
    for ws in workstations:
        if ws.outbox():
            fail(f"{label}: outbox of {ws.name} not empty")
    db = server.db()
    expected = sorted(n for ws in workstations for n in ws.cases_taken)
    on_server = sorted(r[0] for r in db.execute("SELECT case_number FROM cases"))
    lost = len(set(expected) - set(on_server))
    duplicated = len(on_server) - len(set(on_server))
    if lost or duplicated or sorted(set(on_server)) != expected:
        fail(f"{label}: cases expected {len(expected)} server {len(on_server)} lost {lost} "
             f"duplicated {duplicated}")
    blobs = 0
    for blob_id, length, sha, complete in db.execute(
            "SELECT id, length, sha256, complete FROM blobs"):
        name = hashlib.sha256(blob_id.encode()).hexdigest()
        path = os.path.join(server.dir, "blobs", name[:2], name)
        if complete:
            data = open(path, "rb").read()
            if len(data) != length or hashlib.sha256(data).hexdigest() != sha:
                fail(f"{label}: blob {blob_id} on the server does not match its SHA-256")
            blobs += 1
    # Every case on the server references only complete blobs.
    for (payload,) in db.execute("SELECT payload FROM cases"):
        for ref in json.loads(payload).get("blobs", []):
            row = db.execute("SELECT complete, sha256 FROM blobs WHERE id = ?",
                             (ref["blob_id"],)).fetchone()
            if not row or row[0] != 1 or row[1] != ref["sha256"]:
                fail(f"{label}: a case references an incomplete blob {ref}")
    db.close()
    log(f"ok {label}: {len(expected)} case(s) exactly once, {blobs} blob(s) verified, "
        f"outboxes empty")
    return lost, duplicated


def setup(n_workstations=2, demo_persons=2000):
    server = Server()
    run([SERVER, "import", "--config", server.conf, "--catalog",
         os.path.join(SRC, "forms", "data", "catalog", "catalog.json")])
    run([SERVER, "import", "--config", server.conf, "--calendar",
         os.path.join(SRC, "forms", "data", "calendar", "cn-2026.json")])
    run([SERVER, "import", "--config", server.conf, "--demo-persons", str(demo_persons),
         "--demo-entities", "200"])
    server.start()
    stations = []
    for i in range(n_workstations):
        ws = Workstation("ws-" + "abc"[i])
        ws.server = server
        ws.enroll(server)
        stations.append(ws)
    return server, stations


# ------------------------------------------------------------------ scenarios

def scenario_e2e():
    server, (a, b) = setup()
    # Both workstations start the day with a first sync (reference data bootstrap).
    rc, report, _ = b.sync()
    for kind, n in (("person", 2000), ("entity", 200), ("catalog", 1), ("calendar", 1)):
        if report["received"].get(kind, 0) < n:
            fail(f"B received {report['received']}, expected at least {n} {kind}")
    numbers = [a.intake(f"case {i}") for i in range(3)]
    rc, report, _ = a.sync()
    if report["applied"] != 3 or report["blobs_uploaded"] < 3:
        fail(f"A sent {report}")
    if report["received"].get("person", 0) != 2000 or report["received"].get("catalog", 0) < 1:
        fail(f"A's first sync did not bootstrap reference data: {report['received']}")
    check_invariant(server, [a, b], "cases up")
    # A material scanned into an accepted case (SANE test device, private config) goes up as the
    # case's document of kind "scan", its encrypted PDF blob uploaded first.
    sane = os.path.join(TMP, "sane.d")
    os.makedirs(sane, exist_ok=True)
    with open(os.path.join(sane, "dll.conf"), "w") as f:
        f.write("test\n")
    with open(os.path.join(sane, "test.conf"), "w") as f:
        f.write("geometry_min 0.0\ngeometry_max 300.0\ngeometry_quant 1.0\n")
    a.cli(["scan", "--device", "test:0", "--option", "test-picture=Grid", "--mode", "text", "--dpi",
           "150", "--case", numbers[2], "--material", "mat.site_plan", "--user", "clerk"], CLERK_PW,
          env=dict(os.environ, SANE_CONFIG_DIR=sane))
    rc, report, _ = a.sync()
    if report["applied"] < 1 or report["blobs_uploaded"] < 1:
        fail(f"the scanned material was not sent: {report}")
    scans = server.db().execute("SELECT d.blob_id, d.sha256, b.complete FROM documents d JOIN blobs b "
                                "ON b.id = d.blob_id WHERE d.kind = 'scan'").fetchall()
    if len(scans) != 1 or scans[0][2] != 1:
        fail(f"the server has scan documents {scans}")
    check_invariant(server, [a, b], "scan up")
    log("ok: a scanned material reached the server as a document with its blob")
    rc, report, _ = b.sync()
    got = report["received"]
    for kind, n in (("case", 3),):
        if got.get(kind, 0) < n:
            fail(f"B received {got}, expected at least {n} {kind}")
    # A workstation set up after the cases exist gets them from the case snapshot.
    c = Workstation("ws-c")
    c.server = server
    c.enroll_preseeded(server)
    rc, report, _ = c.sync()
    c_cases = {x["case_number"] for x in c.cases("officer", OFFICER_PW)}
    if set(numbers) - c_cases:
        fail(f"a new workstation did not bootstrap the open cases: {sorted(c_cases)}")
    log("ok: a new workstation bootstraps the open cases")
    b_cases = {c["case_number"]: c for c in b.cases("officer", OFFICER_PW)}
    if set(numbers) - set(b_cases):
        fail(f"B does not have A's cases: {sorted(b_cases)}")
    # The officer on B approves one case; A pulls the new state.
    b.cli(["decide", numbers[0], "approve", "--user", "officer"], OFFICER_PW)
    rc, report, _ = b.sync()
    if report["applied"] != 1:
        fail(f"B's decision was not applied: {report}")
    state = server.db().execute("SELECT state FROM cases WHERE case_number = ?",
                                (numbers[0],)).fetchone()[0]
    if state != "approved":
        fail(f"server state {state}")
    rc, report, _ = a.sync()
    a_cases = {c["case_number"]: c["state"] for c in a.cases()}
    if a_cases[numbers[0]] != "approved" or a_cases[numbers[1]] != "accepted":
        fail(f"A did not pull the officer's decision: {a_cases}")
    log("ok: the decision made on B is on A")
    # A conflicting decision: A's officer decides the same case from a stale revision.
    a.cli(["decide", numbers[1], "refuse", "--reason", "not competent", "--user", "officer"],
          OFFICER_PW)
    b.cli(["decide", numbers[1], "approve", "--user", "officer"], OFFICER_PW)
    b.sync()
    rc, report, _ = a.sync(check=False)
    if rc == 0 or report["conflicts"] != 1:
        fail(f"a concurrent decision must be a conflict (exit non-zero): {report}")
    items = a.outbox()
    if len(items) != 1 or items[0]["state"] != "conflict":
        fail(f"conflict not kept in A's outbox: {items}")
    rc, report, _ = a.sync(check=False)
    a_cases = {c["case_number"]: c["state"] for c in a.cases()}
    if a_cases[numbers[1]] != "approved":
        fail(f"A must show the server's decision after the conflict: {a_cases}")
    log("ok: concurrent decisions: first committed wins, the other is a conflict")
    # The catalog in force is the newest one the server publishes: it reaches A by sync, doctor
    # says so, and the next case is pinned to it (the server keeps the version per case).
    next_dir = os.path.join(TMP, "catalog-next")
    shutil.copytree(os.path.join(SRC, "forms", "data", "catalog"), next_dir)
    manifest = json.load(open(os.path.join(next_dir, "catalog.json")))
    manifest["version"] = "2099.1-e2e"
    json.dump(manifest, open(os.path.join(next_dir, "catalog.json"), "w"), ensure_ascii=False)
    run([SERVER, "import", "--config", server.conf, "--catalog",
         os.path.join(next_dir, "catalog.json")])
    rc, report, _ = a.sync(check=False)
    if report["received"].get("catalog", 0) != 1:
        fail(f"A did not receive the new catalog version: {report}")
    doctor = a.cli(["doctor", "--user", "clerk"], CLERK_PW).stdout
    for expected in ("version 2099.1-e2e", "synced from the server", "synced: cn-2026"):
        if expected not in doctor:
            fail(f"doctor does not say '{expected}':\n{doctor}")
    listing = a.cli(["catalog", "list", "--user", "clerk"], CLERK_PW).stdout
    if not listing.startswith("# catalog 2099.1-e2e"):
        fail(f"catalog list --user does not show the synced catalog: {listing.splitlines()[:1]}")
    if "2099.1-e2e" in run([CLI, "catalog", "list"]).stdout:
        fail("catalog list without a login must show the installed catalog")
    number = a.intake("taken under the new catalog")
    a.sync(check=False)
    pinned = server.db().execute("SELECT catalog_version FROM cases WHERE case_number = ?",
                                 (number,)).fetchone()
    if not pinned or pinned[0] != "2099.1-e2e":
        fail(f"the new case is pinned to {pinned}, not the synced catalog 2099.1-e2e")
    log("ok: a catalog published on the server is the one intake uses and pins")
    server.stop()


def scenario_crashes():
    server, (a, b) = setup(demo_persons=100)
    # 1. kill -9 right after the local commit (before any sync): the case waits in the outbox.
    a.intake("before crash")
    p = a.sync_popen()
    p.kill()
    p.wait()
    a.drain()
    check_invariant(server, [a, b], "client killed at start of sync")

    # 2. server crash points (kill -9 of the client mid-run: step 5)
    # 64 KiB chunks (onewindow.conf, server.chunk_kib): the case's documents take several, so
    # every crash point lies on the upload's path.
    small_chunks = os.path.join(TMP, "small-chunks.conf")
    open(small_chunks, "w").write("[server]\nchunk_kib = 64\n")
    for point in ["chunk-written", "chunk-committed", "mutation-committed"]:
        a.intake("server crash " + point)
        server.stop()
        server.start({"OW_SERVER_CRASH_AT": point})
        rc, report, r = a.sync(check=False, env=dict(os.environ, OW_SYSTEM_CONFIG=small_chunks))
        try:
            server.proc.wait(5)
        except subprocess.TimeoutExpired:
            server.kill9()
            fail(f"crash point {point} was not reached by the upload")
        if server.proc.returncode != -signal.SIGKILL:
            fail(f"server did not crash at {point}: {server.proc.returncode}")
        if rc == 0:
            fail(f"sync must report the failure when the server dies at {point}")
        server.start()
        a.drain()
        check_invariant(server, [a, b], f"server killed at {point}")

    # 4. the server applied a batch, the answer is lost (proxy drop-response); duplicates (replay)
    for mode in ["drop-response", "replay", "cut", "stall"]:
        proxy_port, proxy = start_proxy(server, mode, max_faults=3, http=mode != "stall")
        for _ in range(2):
            a.intake("proxy " + mode)
        url = f"https://localhost:{proxy_port}"
        a.set_server(url)
        for _ in range(6):
            rc, report, r = a.sync(check=False)
            if rc == 0 and not a.outbox():
                break
            for item in a.outbox():
                a.cli(["outbox", "retry", item["mutation_id"], "--user", "clerk"], CLERK_PW)
        faults = stop_proxy(proxy)
        if faults < 1:
            fail(f"proxy {mode}: no fault was injected, so nothing was tested")
        a.set_server(f"https://127.0.0.1:{server.port}")
        a.drain()
        check_invariant(server, [a, b], f"proxy {mode} ({faults} faults)")

    # 5. kill -9 of the client mid-upload of a large case: many cases, kill after a moment.
    for i in range(5):
        a.intake(f"bulk {i}")
    p = a.sync_popen()
    time.sleep(0.3)
    p.kill()
    p.wait()
    a.drain()
    check_invariant(server, [a, b], "client killed mid-run")
    server.stop()


def start_proxy(server, mode, max_faults=0, http=True, seed=1, rate=0.3, faults=None):
    port_file = os.path.join(TMP, f"proxy-{mode}-{seed}.port")
    stats = os.path.join(TMP, f"proxy-{mode}-{seed}.json")
    args = [sys.executable, os.path.join(HERE, "fault_proxy.py"), "--target",
            f"127.0.0.1:{server.port}", "--listen", "127.0.0.1:0", "--port-file", port_file,
            "--mode", mode, "--seed", str(seed), "--stats", stats, "--rate", str(rate),
            "--stall-seconds", "0.3", "--log", stats + ".log"]
    if max_faults:
        args += ["--max-faults", str(max_faults)]
    if faults:
        args += ["--faults", faults]
    if http:
        tls = os.path.join(server.dir, "tls")
        # The proxy is a workstation of its own towards the server.
        key = os.path.join(TMP, "proxy.key")
        csr = os.path.join(TMP, "proxy.csr")
        cert = os.path.join(TMP, "proxy.crt")
        if not os.path.exists(cert):
            run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", key, "-subj", "/CN=proxy", "-out", csr])
            run([SERVER, "enroll", "--config", server.conf, "--workstation", "proxy", "--csr",
                 csr, "--out", cert])
        args += ["--tls-terminate", "--server-cert", os.path.join(tls, "server.crt"),
                 "--server-key", os.path.join(tls, "server.key"), "--client-cert", cert,
                 "--client-key", key, "--ca", server.ca]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    PROCS.append(proc)
    for _ in range(100):
        if os.path.exists(port_file) and open(port_file).read().strip():
            proc.stats_file = stats
            return int(open(port_file).read().strip()), proc
        time.sleep(0.05)
    fail("proxy did not start")


def stop_proxy(proc):
    proc.terminate()
    proc.wait(10)
    try:
        return int(json.load(open(proc.stats_file))["faults"])
    except (OSError, ValueError, KeyError) as e:
        fail(f"the fault proxy left no statistics ({e}): {proc.stats_file}")


def scenario_tls():
    server, (a,) = setup(n_workstations=1, demo_persons=10)
    a.intake("tls")
    tls_dir = os.path.join(TMP, "badtls")
    os.makedirs(tls_dir)

    def openssl(*args):
        run(["openssl"] + list(args))

    ca_key = os.path.join(server.dir, "tls", "ca.key")

    def server_cert(name, days_args, san):
        key = os.path.join(tls_dir, name + ".key")
        csr = os.path.join(tls_dir, name + ".csr")
        crt = os.path.join(tls_dir, name + ".crt")
        ext = os.path.join(tls_dir, name + ".ext")
        open(ext, "w").write(f"subjectAltName={san}\nextendedKeyUsage=serverAuth\n")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-subj", "/CN=" + name, "-out", csr)
        return key, csr, crt, ext

    # expired: signed by the right CA, validity in the past (openssl x509 -not_before/-not_after
    # need 3.x; bookworm has 3.0: use `ca` with explicit dates)
    cases = []
    key, csr, crt, ext = server_cert("expired", None, "IP:127.0.0.1,DNS:localhost")
    cadir = os.path.join(tls_dir, "ca")
    os.makedirs(cadir)
    open(os.path.join(cadir, "index.txt"), "w").close()
    open(os.path.join(cadir, "serial"), "w").write("1000\n")
    conf = os.path.join(cadir, "ca.cnf")
    open(conf, "w").write(f"""[ca]
default_ca = d
[d]
dir = {cadir}
database = {cadir}/index.txt
serial = {cadir}/serial
new_certs_dir = {cadir}
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
""")
    openssl("ca", "-batch", "-config", conf, "-cert", server.ca, "-keyfile", ca_key, "-in", csr,
            "-out", crt, "-startdate", "20200101000000Z", "-enddate", "20210101000000Z",
            "-extfile", ext, "-notext")
    cases.append(("expired", crt, key, "has expired"))
    # untrusted: self-made CA
    key2, csr2, crt2, ext2 = server_cert("untrusted", None, "IP:127.0.0.1,DNS:localhost")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", os.path.join(tls_dir, "other-ca.key"), "-subj", "/CN=Other CA", "-days",
            "30", "-out", os.path.join(tls_dir, "other-ca.crt"))
    openssl("x509", "-req", "-in", csr2, "-CA", os.path.join(tls_dir, "other-ca.crt"), "-CAkey",
            os.path.join(tls_dir, "other-ca.key"), "-CAcreateserial", "-days", "30", "-extfile",
            ext2, "-out", crt2)
    cases.append(("untrusted", crt2, key2, "not issued by the configured"))
    # wrong host: right CA, names another host
    key3, csr3, crt3, ext3 = server_cert("wronghost", None, "DNS:elsewhere.example")
    openssl("x509", "-req", "-in", csr3, "-CA", server.ca, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "30", "-extfile", ext3, "-out", crt3)
    cases.append(("wrong host", crt3, key3, "does not name"))

    good_crt = os.path.join(server.dir, "tls", "server.crt")
    good_key = os.path.join(server.dir, "tls", "server.key")
    saved = (open(good_crt, "rb").read(), open(good_key, "rb").read())
    for label, crt_path, key_path, expect in cases:
        server.stop()
        shutil.copy(crt_path, good_crt)
        shutil.copy(key_path, good_key)
        server.start()
        rc, report, r = a.sync(check=False)
        if rc != 8 or expect not in (r.stdout + r.stderr):
            fail(f"{label}: expected exit 8 and '{expect}', got {rc}: {r.stdout} {r.stderr}")
        if len(a.outbox()) != 1:
            fail(f"{label}: the outbox changed")
        log(f"ok: {label} server certificate refused: {r.stderr.strip()}")
    # The foreign certificate again, now with its CA trusted by the operating system (planted in
    # /etc/ssl/certs of a private mount namespace, as a company proxy's CA would be): the
    # workstation trusts only the CA it enrolled with, never the system store.
    if os.geteuid() == 0 and shutil.which("unshare"):
        system_certs = os.path.join(tls_dir, "system-certs")
        os.makedirs(system_certs)
        shutil.copy(os.path.join(tls_dir, "other-ca.crt"), os.path.join(system_certs, "other.pem"))
        shutil.copy(os.path.join(tls_dir, "other-ca.crt"),
                    os.path.join(system_certs, "ca-certificates.crt"))
        run(["openssl", "rehash", system_certs])
        planted = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   f"mount --bind '{system_certs}' /etc/ssl/certs && exec \"$@\"", "sh"]
        server.stop()
        shutil.copy(crt2, good_crt)
        shutil.copy(key2, good_key)
        server.start()
        probe = ("import socket, ssl, sys\n"
                 "ctx = ssl.create_default_context()\n"
                 "s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))),"
                 " server_hostname='127.0.0.1')\n"
                 "s.close()\n")
        r = run(planted + ["python3", "-c", probe, str(server.port)], check=False)
        if r.returncode != 0:
            fail("the planted CA is not trusted by the system store, so the check proves nothing: "
                 + r.stderr)
        rc, report, r = a.sync(check=False, prefix=planted)
        if rc != 8 or "not issued by the configured" not in r.stderr:
            fail(f"CA in the system store: expected exit 8, got {rc}: {r.stdout} {r.stderr}")
        if len(a.outbox()) != 1:
            fail("CA in the system store: the outbox changed")
        log("ok: a server certificate from a CA only the system trusts is refused")
    else:
        log("SKIP: planting a CA in the system store needs root and unshare")
    server.stop()
    open(good_crt, "wb").write(saved[0])
    open(good_key, "wb").write(saved[1])
    server.start()

    # A workstation whose certificate was revoked at the server: clear error, nothing lost.
    run([SERVER, "revoke", "--config", server.conf, "--workstation", a.name])
    rc, report, r = a.sync(check=False)
    if rc != 8 or "enrol the workstation again" not in r.stderr:
        fail(f"revoked workstation: {rc} {r.stdout} {r.stderr}")
    if len(a.outbox()) != 1:
        fail("revoked: the outbox changed")
    log("ok: revoked workstation certificate refused: " + r.stderr.strip())
    a.enroll(server)

    # Clock off by hours (libfaketime, Debian package faketime): sync still works; the
    # server's clock orders everything.
    lib = find_faketime()
    if lib:
        for offset in ["+5h", "-5h"]:
            env = dict(os.environ, LD_PRELOAD=lib, FAKETIME=offset, FAKETIME_DONT_FAKE_MONOTONIC="1")
            a.intake("clock " + offset)
            rc, report, r = a.sync(check=False, env=env)
            if offset == "+5h" and rc != 0:
                fail(f"clock {offset}: {r.stdout} {r.stderr}")
            if rc != 0:
                # A clock behind the certificates' start: a clear message, nothing lost.
                if "date and time" not in r.stderr:
                    fail(f"clock {offset}: unclear error {r.stderr}")
                log(f"ok: clock {offset}: refused with a clear message: {r.stderr.strip()}")
                a.drain()
            else:
                log(f"ok: clock {offset}: synced")
        check_invariant(server, [a], "clock skew")
    else:
        fail("libfaketime not installed (apt-get install faketime)")
    server.stop()


def find_faketime():
    for path in ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"]:
        if os.path.exists(path):
            return path
    return None


def scenario_random():
    target = int(os.environ.get("OW_SYNC_FAULTS", "200"))
    seed = int(os.environ.get("OW_SYNC_SEED", str(int(time.time()))))
    log(f"seed {seed} (OW_SYNC_SEED={seed} replays this run)")
    rnd = random.Random(seed)
    server, stations = setup(n_workstations=3, demo_persons=100)
    # TCP mode: TLS passes end to end, so each workstation keeps its own identity (the HTTP
    # mode's replay and drop-response run in the crashes scenario with one workstation).
    proxy_port, proxy = start_proxy(server, "random", http=False, seed=seed, rate=0.9)
    url = f"https://localhost:{proxy_port}"
    for ws in stations:
        ws.set_server(url)
    faults = 0
    deadline = time.time() + int(os.environ.get("OW_SYNC_RANDOM_SECONDS", "170"))

    def start_loop(ws):
        # A workstation that keeps syncing every second (one login, a new connection per run).
        p = subprocess.Popen([CLI, "--data-dir", ws.dir, "sync", "--interval", "1", "--json",
                              "--user", "clerk", "--password-stdin"], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        p.stdin.write(CLERK_PW + "\n")
        p.stdin.flush()
        PROCS.append(p)
        return p

    loops = {ws.name: start_loop(ws) for ws in stations}
    last_log = time.time()
    while time.time() < deadline and proxy_faults_total(proxy) + faults < target * 1.1:
        time.sleep(rnd.uniform(0.2, 1.0))
        action = rnd.random()
        ws = rnd.choice(stations)
        if action < 0.45:  # the counter keeps taking cases in while sync runs
            ws.intake("random")
        elif action < 0.65:  # kill -9 of a workstation's sync, then it starts again
            loops[ws.name].kill()
            loops[ws.name].wait()
            loops[ws.name] = start_loop(ws)
            faults += 1
        elif action < 0.72:  # kill -9 of the server
            server.kill9()
            faults += 1
            server.start()
        if time.time() - last_log > 20:
            last_log = time.time()
            log(f"proxy faults {proxy_faults_total(proxy)}, kills {faults}, "
                f"cases {sum(len(w.cases_taken) for w in stations)}")
    for p in loops.values():
        p.kill()
        p.wait()
    injected = stop_proxy(proxy) + faults
    for ws in stations:
        ws.set_server(f"https://127.0.0.1:{server.port}")
        ws.drain()
    lost, duplicated = check_invariant(server, stations, "randomized")
    cases = sum(len(ws.cases_taken) for ws in stations)
    print(f"faults={injected} cases={cases} lost={lost} duplicated={duplicated}", flush=True)
    if injected < target:
        fail(f"only {injected} faults injected (target {target})")
    server.stop()


def proxy_faults_total(proxy):
    # The proxy writes its stats on exit only; count its fault lines meanwhile.
    try:
        lines = open(proxy.stats_file + ".log").read().splitlines()
    except OSError:
        return 0
    kinds = ("stall ", "cut after ", "drop response", "replay:")
    return sum(1 for line in lines if any(k in line for k in kinds))


if __name__ == "__main__":
    # A CTest timeout sends SIGTERM: stop the server, proxies and clients on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        {"e2e": scenario_e2e, "crashes": scenario_crashes, "tls": scenario_tls,
         "random": scenario_random}[SCENARIO]()
        log("PASS " + SCENARIO)
    finally:
        cleanup()
