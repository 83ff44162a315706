#!/usr/bin/env python3
"""A webhook receiver for the tests, written from the Standard Webhooks
specification (https://www.standardwebhooks.com), independently of segurd's
C code: it checks the webhook-signature of every POST, drops duplicates by
webhook-id, and writes one JSON line per request to --log:

  {"event": "delivered", "id": ..., "timestamp": ..., "body": {...},
   "concurrent": <requests being served when this one arrived>}
  {"event": "duplicate", "id": ...}        valid, already delivered: 200
  {"event": "failed", "id": ...}           --fail-first on purpose: 500
  {"event": "gone", "id": ...}             --gone: 410
  {"event": "bad-signature", "id": ..., "why": ...}                 : 401

Listens on 127.0.0.1 only, over HTTPS with --cert and --key. Writes --ready once listening. Stops on SIGTERM.
"""
import argparse
import base64
import hashlib
import hmac
import json
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def decode_secret(secret):
    """whsec_<base64> (or the bare base64) -> key bytes, as the spec says."""
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret, validate=True)


def verify(key, msg_id, timestamp, body, header, tolerance):
    """Returns None when one v1 signature matches, else why not."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return "bad webhook-timestamp"
    if abs(time.time() - ts) > tolerance:
        return "webhook-timestamp out of tolerance"
    if "." in msg_id:
        return "dot in webhook-id"
    signed = f"{msg_id}.{ts}.".encode() + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for entry in (header or "").split(" "):
        version, _, sig = entry.partition(",")
        if version == "v1" and hmac.compare_digest(sig.encode(), want):
            return None
    return "no matching v1 signature"


class State:
    def __init__(self, args):
        self.args = args
        self.key = decode_secret(args.secret) if args.secret else None
        self.lock = threading.Lock()
        self.seen = set()
        self.requests = 0
        self.active = 0
        self.log = open(args.log, "a", encoding="utf-8")

    def record(self, event):
        self.log.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        st = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        msg_id = self.headers.get("webhook-id", "")
        ts = self.headers.get("webhook-timestamp")
        sig = self.headers.get("webhook-signature")
        with st.lock:
            st.requests += 1
            st.active += 1
            n = st.requests
            concurrent = st.active
        try:
            self.handle_delivery(st, n, concurrent, msg_id, ts, sig, body)
        finally:
            with st.lock:
                st.active -= 1

    def handle_delivery(self, st, n, concurrent, msg_id, ts, sig, body):
        # Held outside the lock, so that a retry is served meanwhile.
        if n <= st.args.slow_first:
            time.sleep(st.args.slow)
        with st.lock:
            if st.args.gone:
                st.record({"event": "gone", "id": msg_id})
                return self.answer(410, "gone")
            if n <= st.args.fail_first:
                st.record({"event": "failed", "id": msg_id})
                return self.answer(500, "failing on purpose")
            if st.key is not None:
                why = verify(st.key, msg_id, ts, body, sig,
                             st.args.tolerance)
                if why is not None:
                    st.record({"event": "bad-signature", "id": msg_id,
                               "why": why})
                    return self.answer(401, why)
            if msg_id in st.seen:
                st.record({"event": "duplicate", "id": msg_id})
                return self.answer(200, "duplicate")
            st.seen.add(msg_id)
            try:
                parsed = json.loads(body.decode("utf-8"))
            except ValueError:
                parsed = None
            st.record({"event": "delivered", "id": msg_id,
                       "timestamp": ts, "signature": sig,
                       "content_type": self.headers.get("Content-Type"),
                       "concurrent": concurrent,
                       "body": parsed})
            return self.answer(204 if n % 2 else 200, "")

    def log_message(self, fmt, *args):
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--secret")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--gone", action="store_true")
    p.add_argument("--slow-first", type=int, default=0)
    p.add_argument("--slow", type=float, default=0)
    p.add_argument("--tolerance", type=int, default=300)
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    srv.state = State(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(args.ready, "w") as f:
        f.write("ready\n")
    try:
        srv.serve_forever()
    finally:
        srv.state.log.close()


if __name__ == "__main__":
    main()
