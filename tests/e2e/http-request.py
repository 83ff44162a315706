#!/usr/bin/env python3
"""http-request.py: sends one raw HTTP request to segurd and prints the
whole response (status line, headers, body) on stdout.

usage: http-request.py ADDRESS REQUEST
  ADDRESS  PORT (on 127.0.0.1) or unix:/PATH
  REQUEST  the request text, with \\r\\n written as \\n (converted), or
           @FILE to send FILE's bytes as they are
"""
import socket
import sys


def main():
    addr, req = sys.argv[1], sys.argv[2]
    if req.startswith("@"):
        with open(req[1:], "rb") as f:
            data = f.read()
    else:
        data = req.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr[5:])
    else:
        s = socket.create_connection(("127.0.0.1", int(addr)))
    s.settimeout(30)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    s.close()
    sys.stdout.write(out.decode("utf-8", "replace"))


if __name__ == "__main__":
    main()
