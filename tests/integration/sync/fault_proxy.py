#!/usr/bin/env python3
"""Loopback fault-injecting proxy between a OneWindow workstation and onewindow-server.

Python 3 standard library only. Two layers:

  TCP mode (default): bytes are relayed unchanged (TLS passes end to end). Faults per connection:
    cut     close both sides after N bytes went client->server (N random below --cut-max, or
            --cut-after N): a request cut mid-body, e.g. mid-chunk of a blob upload
    stall   sleep --stall-seconds before relaying the connection's first bytes (or mid-stream)
    pass    no fault

  HTTP mode (--tls-terminate): the proxy ends TLS from the client with --server-cert/--server-key
  (use the server's own certificate so the client's CA check passes) and opens its own mTLS
  connection upstream with --client-cert/--client-key, verifying the server with --ca. It parses
  HTTP/1.1 requests (Content-Length bodies) and injects per request:
    cut            forward only part of the request (headers + some body), then close both sides
    stall          sleep before forwarding the request
    replay         forward the request, return its answer, then send the same request once more
                   on a fresh upstream connection (a duplicate delivery; that answer is dropped)
    drop-response  forward the request, read the answer, close the client connection without it
                   (the server applied it; the client never learns)
    pass           no fault
  With --forward-client-cert the proxy asks the client for its certificate (verified against --ca)
  and passes it to the server in the header X-Client-Cert (URL-encoded PEM; any such header sent
  by the client is removed). The server takes the workstation identity from that header only when
  the proxy's own client certificate is listed in its [listen] trusted_proxy_sha256 — so several
  workstations keep their identities behind one proxy. Make the proxy a certificate with
  `onewindow-server enroll --workstation fault-proxy --csr proxy.csr --out proxy.crt` and list
  `openssl x509 -in proxy.crt -noout -fingerprint -sha256` in the server's configuration.

Usage:
  fault_proxy.py --target 127.0.0.1:8443 [--listen 127.0.0.1:0] [--port-file FILE]
                 [--mode random|pass|cut|stall|replay|drop-response] [--faults cut,stall,...]
                 [--rate 0.3] [--seed 1] [--max-faults N] [--cut-after N] [--cut-max 65536]
                 [--stall-seconds 2.0] [--stats FILE] [--log FILE]
                 [--tls-terminate --server-cert PEM --server-key PEM
                  --client-cert PEM --client-key PEM --ca PEM [--forward-client-cert]]

  --mode random picks, for each connection (TCP) or request (HTTP), a fault with probability
  --rate among --faults (default: all faults of the layer), from a random generator seeded with
  --seed, so a failing run replays. A fixed mode applies that fault every time (until
  --max-faults faults were injected; then traffic passes).
  --listen port 0 picks a free port; the chosen port is printed as "listening on HOST:PORT" and
  written to --port-file.
  Each injected fault prints a line "fault <running total> <kind>" on stdout and rewrites --stats
  (JSON: {"faults": N, "by_kind": {...}, "connections": C, "requests": R}, replaced atomically).
  On SIGTERM or SIGINT the proxy prints one line
      fault_proxy: faults injected: N (cut=.. stall=.. replay=.. drop-response=..) connections=C requests=R
  writes --stats once more, and exits 0.
"""

import argparse
import json
import os
import random
import select
import signal
import socket
import ssl
import sys
import threading
import time
from urllib.parse import quote

FAULTS_TCP = ["cut", "stall"]
FAULTS_HTTP = ["cut", "stall", "replay", "drop-response"]


class Stats:
    def __init__(self, stats_file=None):
        self.lock = threading.Lock()
        self.faults = {}
        self.connections = 0
        self.requests = 0
        self.stats_file = stats_file

    def fault(self, kind):
        with self.lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1
            total = sum(self.faults.values())
        # The running count: one line per fault on stdout, and the --stats file rewritten.
        print(f"fault {total} {kind}", flush=True)
        self.write()

    def write(self):
        if not self.stats_file:
            return
        data = self.as_json()
        tmp = f"{self.stats_file}.{threading.get_ident()}.tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.stats_file)

    def total(self):
        with self.lock:
            return sum(self.faults.values())

    def line(self):
        with self.lock:
            parts = " ".join(f"{k}={v}" for k, v in sorted(self.faults.items()))
            return (f"fault_proxy: faults injected: {sum(self.faults.values())} ({parts}) "
                    f"connections={self.connections} requests={self.requests}")

    def as_json(self):
        with self.lock:
            return {"faults": sum(self.faults.values()), "by_kind": dict(self.faults),
                    "connections": self.connections, "requests": self.requests}


class Proxy:
    def __init__(self, args):
        self.args = args
        self.stats = Stats(args.stats)
        self.rng = random.Random(args.seed)
        self.rng_lock = threading.Lock()
        host, port = args.target.rsplit(":", 1)
        self.target = (host, int(port))
        self.log_file = open(args.log, "a", buffering=1) if args.log else None
        layer = FAULTS_HTTP if args.tls_terminate else FAULTS_TCP
        self.enabled = [f for f in (args.faults.split(",") if args.faults else layer) if f]
        for f in self.enabled:
            if f not in layer:
                sys.exit(f"fault_proxy: fault '{f}' is not available in this mode ({layer})")
        if args.mode not in ("random", "pass") and args.mode not in layer:
            sys.exit(f"fault_proxy: mode '{args.mode}' is not available in this mode ({layer})")
        if args.tls_terminate:
            for name in ("server_cert", "server_key", "client_cert", "client_key", "ca"):
                if not getattr(args, name):
                    sys.exit(f"fault_proxy: --tls-terminate needs --{name.replace('_', '-')}")
            self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.server_ctx.load_cert_chain(args.server_cert, args.server_key)
            self.client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self.client_ctx.load_verify_locations(args.ca)
            self.client_ctx.load_cert_chain(args.client_cert, args.client_key)
            if args.forward_client_cert:
                self.server_ctx.load_verify_locations(args.ca)
                self.server_ctx.verify_mode = ssl.CERT_OPTIONAL

    def log(self, message):
        if self.log_file:
            self.log_file.write(f"{time.time():.3f} {message}\n")

    def choose(self):
        """The fault for the next connection or request, or None."""
        if self.args.mode == "pass":
            return None
        if self.args.max_faults is not None and self.stats.total() >= self.args.max_faults:
            return None
        with self.rng_lock:
            if self.args.mode != "random":
                return self.args.mode
            if not self.enabled or self.rng.random() >= self.args.rate:
                return None
            return self.rng.choice(self.enabled)

    def cut_point(self):
        if self.args.cut_after is not None:
            return self.args.cut_after
        with self.rng_lock:
            return self.rng.randint(1, max(1, self.args.cut_max))

    # ---------------------------------------------------------------- TCP layer
    def relay_tcp(self, client):
        fault = self.choose()
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError as e:
            self.log(f"upstream connect failed: {e}")
            client.close()
            return
        limit = None
        if fault == "cut":
            limit = self.cut_point()
        stalled = False
        sent_up = 0
        socks = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(socks, [], [], 120)
                if not readable:
                    break
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    if s is client:
                        if fault == "stall" and not stalled:
                            stalled = True
                            self.stats.fault("stall")
                            self.log(f"stall {self.args.stall_seconds}s")
                            time.sleep(self.args.stall_seconds)
                        if limit is not None and sent_up + len(data) >= limit:
                            upstream.sendall(data[: max(0, limit - sent_up)])
                            self.stats.fault("cut")
                            self.log(f"cut after {limit} bytes")
                            return
                        sent_up += len(data)
                        upstream.sendall(data)
                    else:
                        client.sendall(data)
        except OSError:
            pass
        finally:
            for s in socks:
                try:
                    s.close()
                except OSError:
                    pass

    # ---------------------------------------------------------------- HTTP layer
    @staticmethod
    def read_message(conn, buffer, is_response=False):
        """Reads one HTTP/1.1 message: returns (raw bytes, rest of buffer) or (None, buffer)."""
        while b"\r\n\r\n" not in buffer:
            data = conn.recv(65536)
            if not data:
                return None, buffer
            buffer += data
        head, _, rest = buffer.partition(b"\r\n\r\n")
        length = 0
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if is_response and head.split(b" ")[1:2] in ([b"204"], [b"304"]):
            length = 0
        if chunked:
            # Responses only (the server streams some): read until the terminating chunk.
            body = rest
            while not body.endswith(b"0\r\n\r\n"):
                data = conn.recv(65536)
                if not data:
                    return None, buffer
                body += data
            return head + b"\r\n\r\n" + body, b""
        while len(rest) < length:
            data = conn.recv(max(65536, length - len(rest)))
            if not data:
                return None, buffer
            rest += data
        return head + b"\r\n\r\n" + rest[:length], rest[length:]

    @staticmethod
    def with_client_cert(request, header):
        head, _, body = request.partition(b"\r\n\r\n")
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"x-client-cert:")]
        if header:
            lines.insert(1, header)
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    def upstream_connection(self):
        raw = socket.create_connection(self.target, timeout=30)
        return self.client_ctx.wrap_socket(raw, server_hostname=self.target[0])

    def relay_http(self, raw_client):
        try:
            client = self.server_ctx.wrap_socket(raw_client, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.log(f"client TLS failed: {e}")
            raw_client.close()
            return
        upstream = None
        buffer = b""
        forwarded = None
        if self.args.forward_client_cert:
            der = client.getpeercert(binary_form=True)
            if der:
                forwarded = b"X-Client-Cert: " + quote(ssl.DER_cert_to_PEM_cert(der), safe="").encode()
        try:
            while True:
                request, buffer = self.read_message(client, buffer)
                if request is None:
                    return
                if self.args.forward_client_cert:
                    request = self.with_client_cert(request, forwarded)
                with self.stats.lock:
                    self.stats.requests += 1
                fault = self.choose()
                first_line = request.split(b"\r\n", 1)[0].decode("latin-1")
                if upstream is None:
                    upstream = self.upstream_connection()
                if fault == "stall":
                    self.stats.fault("stall")
                    self.log(f"stall {self.args.stall_seconds}s: {first_line}")
                    time.sleep(self.args.stall_seconds)
                if fault == "cut":
                    point = min(self.cut_point(), max(1, len(request) - 1))
                    upstream.sendall(request[:point])
                    self.stats.fault("cut")
                    self.log(f"cut after {point} of {len(request)} bytes: {first_line}")
                    return
                upstream.sendall(request)
                response, _ = self.read_message(upstream, b"", is_response=True)
                if response is None:
                    return
                if fault == "drop-response":
                    self.stats.fault("drop-response")
                    self.log(f"drop response: {first_line}")
                    return
                client.sendall(response)
                if fault == "replay":
                    self.stats.fault("replay")
                    self.log(f"replay: {first_line}")
                    try:
                        again = self.upstream_connection()
                        again.sendall(request)
                        self.read_message(again, b"", is_response=True)
                        again.close()
                    except OSError as e:
                        self.log(f"replay failed: {e}")
                if b"\r\nconnection: close" in response.lower().split(b"\r\n\r\n", 1)[0]:
                    return
        except (OSError, ValueError) as e:
            self.log(f"connection error: {e}")
        finally:
            for s in (client, upstream):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def serve(self):
        host, port = self.args.listen.rsplit(":", 1)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, int(port)))
        listener.listen(128)
        actual = listener.getsockname()[1]
        if self.args.port_file:
            with open(self.args.port_file + ".tmp", "w") as f:
                f.write(f"{actual}\n")
            os.replace(self.args.port_file + ".tmp", self.args.port_file)
        print(f"listening on {host}:{actual}", flush=True)
        handler = self.relay_http if self.args.tls_terminate else self.relay_tcp
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self.stats.lock:
                self.stats.connections += 1
            threading.Thread(target=handler, args=(client,), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", required=True)
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--port-file")
    p.add_argument("--mode", default="random")
    p.add_argument("--faults", help="comma-separated faults the random mode picks from")
    p.add_argument("--rate", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-faults", type=int)
    p.add_argument("--cut-after", type=int)
    p.add_argument("--cut-max", type=int, default=65536)
    p.add_argument("--stall-seconds", type=float, default=2.0)
    p.add_argument("--stats")
    p.add_argument("--log")
    p.add_argument("--tls-terminate", action="store_true")
    p.add_argument("--server-cert")
    p.add_argument("--server-key")
    p.add_argument("--client-cert")
    p.add_argument("--client-key")
    p.add_argument("--ca")
    p.add_argument("--forward-client-cert", action="store_true")
    args = p.parse_args()
    proxy = Proxy(args)

    def finish(signum, frame):
        print(proxy.stats.line(), flush=True)
        proxy.stats.write()
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    proxy.serve()


if __name__ == "__main__":
    main()
