#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (Debian's python3-aiosmtpd).

Every message it accepts is written to --out as N.json: the envelope, the headers as the email
package decodes them, the raw header block, the plain-text body and each attachment (base64).
With --reject it answers DATA with a permanent 550. Prints "PORT <n>" once it listens and stops
when its stdin closes.
"""
import argparse
import base64
import email
import email.utils
import json
import os
import sys
import threading
from email import policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, reject):
        self.out = out
        self.reject = reject
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return "550 5.7.1 Mailbox unavailable: relaying denied"
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        header_block = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        body = ""
        attachments = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_filename():
                attachments.append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                                    "base64": base64.b64encode(part.get_payload(decode=True)).decode()})
            elif part.get_content_type() == "text/plain" and not body:
                body = part.get_content()
        # How a mail client splits the address headers as they arrived (not decoded first): one
        # [name, address] per mailbox it sees.
        raw_msg = email.message_from_bytes(raw, policy=policy.compat32)
        addresses = {name: [list(pair) for pair in email.utils.getaddresses(raw_msg.get_all(name, []))]
                     for name in ("From", "To", "Reply-To")}
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "headers": [[k, str(v)] for k, v in msg.items()], "raw_headers": header_block,
                  "addresses": addresses,
                  "body": body, "attachments": attachments}
        with self.lock:
            self.count += 1
            path = os.path.join(self.out, "%d.json" % self.count)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(path + ".tmp", path)
        return "250 OK: queued"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reject", action="store_true")
    args = parser.parse_args()
    controller = Controller(Sink(args.out, args.reject), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("PORT %d" % args.port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
