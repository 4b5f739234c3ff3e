#!/usr/bin/env python3
"""A loopback HTTP receiver for webhook tests: records each POST (path, headers, body) as a JSON
line in --log and answers --status. Prints "PORT <n>" once it listens; stops when stdin closes."""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(ARGS.log, "a", encoding="utf-8") as log:
            log.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                  "body": body.decode("utf-8", "replace")}) + "\n")
        self.send_response(ARGS.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--status", type=int, default=200)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
