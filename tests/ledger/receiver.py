"""A webhook receiver written the way a customer would write one, from the documentation only
(it does not import syncdoctor): check the signature over "<t>.<body>" with the shared secret,
refuse timestamps outside a tolerance, answer 2xx quickly, and dedupe by event id because
delivery is at least once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE = 300  # seconds


def signature_ok(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - t) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver:
    """Serves on 127.0.0.1 (a free port). ``fail`` first answers are 500; ``delay`` seconds per answer."""

    def __init__(self, secret: str = "", *, fail: int = 0, delay: float = 0.0) -> None:
        self.secret = secret
        self.fail = fail
        self.delay = delay
        self.events: dict[str, dict[str, Any]] = {}  # by event id: the dedupe
        self.deliveries = 0
        self.refused = 0
        self.hosts: list[str | None] = []  # the Host header of each delivery
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.deliveries += 1
                    receiver.hosts.append(self.headers.get("Host"))
                    if receiver.fail > 0:
                        receiver.fail -= 1
                        self._answer(500)
                        return
                    if not signature_ok(receiver.secret, body, self.headers.get("Syncdoctor-Signature", "")):
                        receiver.refused += 1
                        self._answer(400)
                        return
                    event = json.loads(body)
                    if event["id"] != self.headers.get("Syncdoctor-Event-Id"):
                        self._answer(400)
                        return
                    receiver.events.setdefault(event["id"], event)  # a repeat is acknowledged, not redone
                self._answer(204)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/syncdoctor"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def types(self) -> list[str]:
        return sorted(e["type"] for e in self.events.values())
