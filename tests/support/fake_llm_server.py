#!/usr/bin/env python3
"""An OpenAI-compatible chat-completions server for the tests, on a free loopback port.

It speaks the real protocol (POST /v1/chat/completions, JSON in, JSON or server-sent events out)
and records every request it receives as one JSON line in --log, so that tests can check what the
application sent. The request's "model" picks the behaviour:

  anything else  a normal answer, streamed in small byte pieces (split inside UTF-8 characters)
  error500       HTTP 500 with an OpenAI-style error body
  hostile500     HTTP 500 whose error message carries terminal escape sequences and a direction override
  hostile        an answer with a line separator, a direction override and an escape sequence
  auth           HTTP 401 unless the request carries "Authorization: Bearer sekret"
  stall          accepts the request and sends nothing for --stall seconds
  slow           sends the headers and a first piece, then nothing for --stall seconds
  drop           sends part of the answer, then closes the connection (no [DONE])
  garbage        sends an event whose data is not JSON
  hallucinate    claims to have opened a ticket and emailed support
  cite           names the ticket the system message says the application opened (or says there is none)
  huge           an answer of 100,000 characters
  json           answers with a whole JSON completion even when a stream was asked for
  endless        sends "data:" lines with no blank line to end the event, until the client hangs up

Prints "PORT <n>" on stdout once it listens. Stops on SIGTERM or when stdin closes.
"""
import argparse
import re
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()


def answer_for(messages):
    last = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
    return ("I understand. About \u201c" + last[:40] + "\u201d: caf\u00e9 data shows steady progress \U0001F4C8. "
            "Focus next on loop conditions.")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes, as many SSE servers do

    def log_message(self, *args):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()

    def send_bytes_in_pieces(self, data, size=7):
        for i in range(0, len(data), size):
            self.wfile.write(data[i:i + size])
            self.wfile.flush()

    def event(self, content=None, finish=None):
        chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": "fake", "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
        if content is not None:
            chunk["choices"][0]["delta"]["content"] = content
        return ("data: " + json.dumps(chunk, ensure_ascii=False) + "\n\n").encode()

    def stream_text(self, text, words_per_event=3):
        words = text.split(" ")
        pieces = [" ".join(words[i:i + words_per_event]) + (" " if i + words_per_event < len(words) else "")
                  for i in range(0, len(words), words_per_event)]
        data = b": keep-alive comment\r\n\r\n"
        for p in pieces:
            data += self.event(p)
        data += self.event(None, "stop") + b"data: [DONE]\n\n"
        self.send_bytes_in_pieces(data)

    def do_GET(self):
        if self.path.rstrip("/") == "/v1/models":
            self.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self.send_json(404, {"error": {"message": "no route " + self.path}})

    def do_POST(self):
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": "no route " + self.path}})
            return
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            req = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": {"message": "body is not JSON"}})
            return
        with LOG_LOCK, open(ARGS.log, "a", encoding="utf-8") as log:
            log.write(json.dumps({"request": req, "authorization": self.headers.get("Authorization"),
                                  "accept": self.headers.get("Accept")}) + "\n")
        mode = req.get("model", "")
        messages = req.get("messages", [])
        stream = bool(req.get("stream"))

        if mode == "error500":
            self.send_json(500, {"error": {"message": "model crashed: out of memory", "type": "server_error"}})
            return
        if mode == "hostile500":
            self.send_json(500, {"error": {"message": "boom\x1b]0;owned\x07\x1b[2J\u202eevil\nLearnPulse: fake line",
                                           "type": "server_error"}})
            return
        if mode == "auth" and self.headers.get("Authorization") != "Bearer sekret":
            self.send_json(401, {"error": {"message": "invalid api key", "type": "invalid_request_error"}})
            return
        if mode == "stall":
            time.sleep(ARGS.stall)
            return
        text = answer_for(messages)
        if mode == "cite":
            system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
            found = re.search(r"support ticket (TICKET-[A-Za-z0-9-]+) for this conversation", system)
            text = (f"Support has your conversation as ticket {found.group(1)}; they will email you. "
                    "Meanwhile, loops repeat code." if found else "No ticket yet. Loops repeat code.")
        if mode == "hallucinate":
            text = ("I've created ticket TICKET-deadbeef-20260101000000 for you and emailed the support team. "
                    "Meanwhile, here is the list you asked for.")
        elif mode == "hostile":
            text = "Line one\u2028Learnpulse: forged line \u202eevil\x1b[2J end."
        elif mode == "huge":
            text = ("word " * 20000).strip()
        if not stream or mode == "json":
            self.send_json(200, {"id": "chatcmpl-test", "object": "chat.completion", "model": "fake",
                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                              "finish_reason": "stop"}]})
            return
        self.start_stream()
        if mode == "slow":
            self.wfile.write(self.event("Let me look at the register. "))
            self.wfile.flush()
            time.sleep(ARGS.stall)
            self.stream_text(text)
        elif mode == "drop":
            self.wfile.write(self.event("Half an ans"))
            self.wfile.flush()
            time.sleep(0.1)
            self.connection.shutdown(socket.SHUT_RDWR)
        elif mode == "garbage":
            self.wfile.write(b"data: {not json at all\n\n")
            self.wfile.flush()
        elif mode == "endless":
            line = b"data: " + b"x" * 1000 + b"\n"
            try:
                for _ in range(200000):  # 200 MB at most, far past any cap
                    self.wfile.write(line * 64)
            except OSError:
                pass  # the client gave up, as it should
        else:
            self.stream_text(text)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--stall", type=float, default=5.0)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # Stop when the test closes our stdin (or dies).
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
