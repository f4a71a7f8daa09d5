"""Real local sinks for what leaves the application: an SMTP server (aiosmtpd, in a process) and an
HTTP SMS gateway (in a thread), each recording every message it receives, started by the tests."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# aiosmtpd in its own process, away from the project (whose app ``public`` would shadow the
# ``public`` module aiosmtpd imports): one JSON line per received message.
SMTP_SERVER = """
import json, sys, time
from email import message_from_bytes
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]

class Handler:
    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with open(out, "a") as fh:
            for rcpt in envelope.rcpt_tos:
                fh.write(json.dumps({"to": rcpt, "id": message["Message-ID"]}) + "\\n")
        return "250 OK"

Controller(Handler(), hostname="127.0.0.1", port=port).start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping (recipient, Message-ID) of every
    message it receives."""

    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        self.file = folder / "smtp.jsonl"

    def start(self) -> "SmtpSink":
        self.file.touch()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SMTP_SERVER, str(self.port), str(self.file)],
            cwd=self.folder,
            stdout=subprocess.PIPE,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
        assert self.proc.stdout.readline().strip() == b"ready"
        return self

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    @property
    def messages(self) -> list[tuple[str, str]]:
        lines = self.file.read_text().splitlines()
        return [(m["to"], m["id"]) for m in map(json.loads, lines)]

    def per_recipient(self) -> Counter:
        return Counter(rcpt for rcpt, _id in self.messages)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class SmsSink:
    """An SMS gateway: ``POST /send`` (JSON with phone, text, out_id) records the request, keeps
    the first message per out_id (it deduplicates, as the README asks of a real gateway), waits
    ``delay`` seconds, then answers; ``GET /status?out_id=`` answers ``{"received": bool}``."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.requests: list[dict] = []  # every request that arrived, duplicates included
        self.delivered: dict[str, dict] = {}  # out_id -> the message handed to the phone
        self._lock = threading.Lock()
        self.port = free_port()

    def start(self) -> "SmsSink":
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting: its message was still received

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with sink._lock:
                    sink.requests.append(payload)
                    sink.delivered.setdefault(payload.get("out_id") or object(), payload)
                time.sleep(sink.delay)
                self._answer({"ok": True})

            def do_GET(self):
                out_id = parse_qs(urlsplit(self.path).query).get("out_id", [""])[0]
                with sink._lock:
                    self._answer({"received": out_id in sink.delivered})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests_per_phone(self) -> Counter:
        with self._lock:
            return Counter(r["phone"] for r in self.requests)

    def delivered_per_phone(self) -> Counter:
        with self._lock:
            return Counter(m["phone"] for m in self.delivered.values())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    @property
    def status_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/status"
