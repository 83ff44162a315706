#!/usr/bin/env python3
"""http-slow.py: slow HTTP clients against segurd on loopback, bounded in
count (at most 65 sockets) and time (socket timeouts of a few seconds).

usage: http-slow.py PORT full
         64 clients from 127.0.0.2..9 (8 each) send half a request line
         and wait; /healthz from 127.0.0.1 must answer 200 within 1 s,
         and the oldest slow client gets 408 and is closed
       http-slow.py PORT per-client N
         N + 1 slow clients from 127.0.0.10: the first gets 408 and is
         closed at once, the others and one from 127.0.0.11 stay
       http-slow.py PORT deadline MS
         one slow client gets 408 and is closed MS after it connected,
         well before twice MS
Exits 0 when every check holds, else 1 with the reason on stderr.
"""
import socket
import sys
import time

HALF = b"GET /healthz HTT"


def slow(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.sendall(HALF)
    return s


def read_all(s, wait):
    """What s receives until EOF (or a reset) or wait seconds of
    silence, and whether it ended."""
    s.settimeout(wait)
    out = b""
    while True:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            return out, False
        except ConnectionResetError:
            return out, True
        if not chunk:
            return out, True
        out += chunk


def get_healthz(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    out, _ = read_all(s, 5)
    s.close()
    return out


def fail(why):
    sys.stderr.write("http-slow.py: %s\n" % why)
    sys.exit(1)


def full(port):
    socks = []
    try:
        for i in range(64):
            socks.append(slow(port, "127.0.0.%d" % (2 + i // 8)))
        t0 = time.monotonic()
        resp = get_healthz(port)
        ms = (time.monotonic() - t0) * 1000
        if not resp.startswith(b"HTTP/1.1 200 "):
            fail("/healthz with a full table: %r" % resp[:80])
        if ms >= 1000:
            fail("/healthz took %d ms with a full table" % ms)
        out, ended = read_all(socks[0], 2)
        if not ended or not out.startswith(b"HTTP/1.1 408 "):
            fail("the oldest slow client: %r, ended %s" % (out[:40], ended))
        out, ended = read_all(socks[1], 0.2)
        if ended:
            fail("the second slow client was closed too")
        print("healthz in %d ms with 64 slow clients" % ms)
    finally:
        for s in socks:
            s.close()


def per_client(port, n):
    socks = []
    try:
        other = slow(port, "127.0.0.11")
        socks.append(other)
        for _ in range(n + 1):
            socks.append(slow(port, "127.0.0.10"))
        out, ended = read_all(socks[1], 2)
        if not ended or not out.startswith(b"HTTP/1.1 408 "):
            fail("the client's oldest: %r, ended %s" % (out[:40], ended))
        for s in socks[2:]:
            out, ended = read_all(s, 0.2)
            if ended:
                fail("another connection of the client was closed")
        out, ended = read_all(other, 0.2)
        if ended:
            fail("another client's connection was closed")
        print("the %dth connection evicted the client's oldest" % (n + 1))
    finally:
        for s in socks:
            s.close()


def deadline(port, ms):
    t0 = time.monotonic()
    s = slow(port, "127.0.0.12")
    out, ended = read_all(s, 2 * ms / 1000 + 2)
    took = (time.monotonic() - t0) * 1000
    s.close()
    if not ended or not out.startswith(b"HTTP/1.1 408 "):
        fail("slow client: %r, ended %s" % (out[:40], ended))
    if took < ms or took >= ms + 900:
        fail("closed after %d ms, the deadline being %d ms" % (took, ms))
    print("408 and closed after %d ms" % took)


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "full":
        full(port)
    elif mode == "per-client":
        per_client(port, int(sys.argv[3]))
    elif mode == "deadline":
        deadline(port, int(sys.argv[3]))
    else:
        fail("unknown mode %s" % mode)


if __name__ == "__main__":
    main()
