"""A local HTTP server that imitates WeChat's /cgi-bin/token and template send endpoints."""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: dict | None


@dataclass
class WeChatApiPeer:
    """Answers queued JSON per path; by default a token and errcode 0."""

    seen: list[Seen] = field(default_factory=list)
    token_answers: deque = field(default_factory=deque)
    send_answers: deque = field(default_factory=deque)
    issued: int = 0

    def token_answer(self) -> dict:
        if self.token_answers:
            return self.token_answers.popleft()
        self.issued += 1
        return {"access_token": f"ACCESS_TOKEN_{self.issued}", "expires_in": 7200}

    def send_answer(self) -> dict:
        if self.send_answers:
            return self.send_answers.popleft()
        return {"errcode": 0, "errmsg": "ok", "msgid": 200228332}

    def calls(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def start_peer() -> tuple[ThreadingHTTPServer, WeChatApiPeer]:
    peer = WeChatApiPeer()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Seen:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            seen = Seen(
                method=self.command,
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                body=json.loads(raw) if raw else None,
            )
            peer.seen.append(seen)
            return seen

        def do_GET(self):
            seen = self._record()
            if seen.path == "/cgi-bin/token":
                self._answer(200, peer.token_answer())
            else:
                self._answer(404, {"errcode": 404})

        def do_POST(self):
            seen = self._record()
            if seen.path == "/cgi-bin/message/template/send":
                answer = peer.send_answer()
                status = answer.pop("_http_status", 200)
                self._answer(status, answer)
            else:
                self._answer(404, {"errcode": 404})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server, peer
