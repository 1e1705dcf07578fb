"""A loopback stand-in for the few Stripe endpoints the marketplace calls.

The real ``stripe`` library talks to it over HTTP (``STRIPE_API_BASE``), so requests are encoded,
sent and parsed exactly as in production, and nothing leaves the machine. Every request is
recorded; an ``Idempotency-Key`` seen before returns the first response, as Stripe does.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class StripeStub:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    intents: dict[str, dict] = field(default_factory=dict)
    by_key: dict[str, dict] = field(default_factory=dict)
    on_request: object = None

    def succeed(self, intent_id: str) -> None:
        self.intents[intent_id]["status"] = "succeeded"


def _handler(stub: StripeStub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Recorded:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode())) if length else {}
            record = Recorded(self.command, self.path, form, dict(self.headers))
            stub.requests.append(record)
            if callable(stub.on_request):
                stub.on_request(record)
            return record

        def do_GET(self):
            self._record()
            intent_id = self.path.split("?")[0].rsplit("/", 1)[-1]
            if intent_id in stub.intents:
                return self._reply(200, stub.intents[intent_id])
            return self._reply(404, {"error": {"type": "invalid_request_error"}})

        def do_POST(self):
            record = self._record()
            key = record.headers.get("Idempotency-Key")
            if key and key in stub.by_key:
                return self._reply(200, stub.by_key[key])
            if self.path == "/v1/payment_intents":
                intent_id = f"pi_{secrets.token_hex(8)}"
                body = {
                    "id": intent_id,
                    "object": "payment_intent",
                    "amount": int(record.form["amount"]),
                    "currency": record.form["currency"],
                    "status": "requires_payment_method",
                    "client_secret": f"{intent_id}_secret_{secrets.token_hex(6)}",
                    "metadata": {
                        k[len("metadata[") : -1]: v
                        for k, v in record.form.items()
                        if k.startswith("metadata[")
                    },
                }
                stub.intents[intent_id] = body
            elif self.path == "/v1/refunds":
                body = {
                    "id": f"re_{secrets.token_hex(8)}",
                    "object": "refund",
                    "amount": int(record.form["amount"]),
                    "payment_intent": record.form["payment_intent"],
                    "status": "succeeded",
                }
            else:
                return self._reply(404, {"error": {"type": "invalid_request_error"}})
            if key:
                stub.by_key[key] = body
            return self._reply(200, body)

    return Handler


@pytest.fixture
def stripe_stub(settings):
    stub = StripeStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_API_BASE = stub.url
    settings.STRIPE_SECRET_KEY = "sk_test_stub"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_stub"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    yield stub
    server.shutdown()
    server.server_close()


def signed_event(payload: dict, secret: str = "whsec_test_secret", timestamp: int | None = None):
    """The body and ``Stripe-Signature`` header Stripe would send for ``payload``."""
    import hashlib
    import hmac
    import time

    body = json.dumps(payload).encode()
    timestamp = timestamp or int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"
