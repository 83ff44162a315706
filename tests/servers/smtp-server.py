#!/usr/bin/env python3
"""An SMTP server for the tests, on 127.0.0.1, built on Debian's
python3-aiosmtpd (run it with Debian's /usr/bin/python3). With --cert and
--key it offers STARTTLS and, with --require-starttls, refuses mail sent in
clear text. Each message received is parsed back with the email module and
written as one JSON line to --log:

  {"mail_from": ..., "rcpt_tos": [...], "tls": true, "subject": <decoded>,
   "body": <decoded text>, "headers": {...}, "raw": <message as sent>}

--reject-rcpt ADDR answers 550 to that recipient. --auth USER:PASSWORD
requires SMTP AUTH (after STARTTLS when it is offered) with those
credentials; the login is recorded as "auth_login". Writes --ready once
listening. Stops on SIGTERM.
"""
import argparse
import email
import email.policy
import json
import signal
import ssl
import logging
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login.decode() == user and
              auth_data.password.decode() == password)
        return AuthResult(success=ok,
                          auth_data=auth_data.login.decode() if ok else None)
    return check


class Handler:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address == self.args.reject_rcpt:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        rec = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth_login": (session.auth_data
                           if isinstance(session.auth_data, str) else None),
            "subject": str(msg["Subject"]),
            "body": msg.get_content().replace("\r\n", "\n"),
            "headers": {k: str(v) for k, v in msg.items()},
            "raw": raw.decode("utf-8", "replace"),
        }
        with self.lock, open(self.args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return "250 Message accepted"


def main():
    # aiosmtpd's own AUTH code logs about its deprecated login_data.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--reject-rcpt")
    p.add_argument("--auth")
    args = p.parse_args()
    kw = {}
    if args.auth:
        user, _, password = args.auth.partition(":")
        kw["authenticator"] = authenticator(user, password)
        kw["auth_required"] = True
        kw["auth_require_tls"] = bool(args.cert)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        kw["tls_context"] = ctx
        kw["require_starttls"] = args.require_starttls
    ctl = Controller(Handler(args), hostname="127.0.0.1", port=args.port,
                     **kw)
    ctl.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open(args.ready, "w") as f:
        f.write("ready\n")
    stop.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
