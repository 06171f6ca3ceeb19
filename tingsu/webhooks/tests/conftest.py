"""A real HTTP receiver on 127.0.0.1 that checks signatures and records what it got."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tingsu.webhooks.signing import verify_signature


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int
    secret: str = ""
    # Answers to give, in order: a status, or (status, {header: value}); then 200.
    answers: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def receiver():
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = verify_signature(
                state.secret,
                self.headers.get("X-Tingsu-Timestamp", ""),
                body,
                self.headers.get("X-Tingsu-Signature", ""),
            )
            state.received.append(Received(self.path, dict(self.headers.items()), body, ok))
            answer = state.answers.pop(0) if state.answers else 200
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_local(settings):
    # The only way past the SSRF rules: tests name 127.0.0.1 (as written in the URL).
    settings.TINGSU = {**settings.TINGSU, "WEBHOOK_ALLOW_HOSTS": ["127.0.0.1"]}
