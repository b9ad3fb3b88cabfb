"""Shared machinery for the fake API servers: lifecycle, recording, fault injection.

Each fake is a real HTTP server on 127.0.0.1 with an ephemeral port, so the real SDKs
run unmodified against it. Subclasses only say how to parse, authenticate and answer.
"""

from __future__ import annotations

import copy
import json
import socket
import ssl
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Incoming:
    """One HTTP request as the fake saw it."""

    verb: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        """Header value or "" (header names are case-insensitive)."""
        return self.headers.get(name, "") or ""

    def json_body(self) -> Any:
        """Decode the body as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def form_body(self) -> dict[str, str]:
        """Decode an application/x-www-form-urlencoded body (last value wins)."""
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Reply:
    """What the fake answers; `None` in place of a Reply means "drop the connection"."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls,
        status: int,
        payload: Any,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """JSON reply with an exact Content-Type (the opentok SDK compares it verbatim)."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        return cls(status, json.dumps(payload).encode("utf-8"), all_headers)

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain") -> Reply:
        """Plain-text reply (Slack's response_url answers text/html "ok")."""
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type})

    @classmethod
    def empty(cls, status: int = HTTPStatus.NO_CONTENT) -> Reply:
        """Body-less reply, e.g. 204 No Content."""
        return cls(status)


Answer = Reply | None  # None = close the socket without answering
Parsed = tuple[str, dict[str, Any]]  # (kind, what to record and hand to the handler)


@dataclass
class _Fault:
    """A planned answer for the next `times` requests of one kind (None = forever)."""

    answer: Answer
    times: int | None


def unused_port() -> int:
    """A port nothing listens on (bound then closed), for "connection refused" tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _QuietServer(ThreadingHTTPServer):
    """Threading server that never waits for handler threads and hides client hang-ups."""

    daemon_threads = True
    block_on_close = False  # keep-alive or delayed handlers must not block stop()
    request_queue_size = 128  # socketserver's 5 resets connections when 50 clients call at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out or drop the TLS handshake are normal in these tests."""
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _TlsServer(_QuietServer):
    """HTTPS variant: the TLS handshake runs in the worker thread, not in accept()."""

    ssl_context: ssl.SSLContext

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(10)
        tls = self.ssl_context.wrap_socket(request, server_side=True)
        try:
            super().finish_request(tls, client_address)
        finally:
            _close_quietly(tls)


def _close_quietly(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class _Handler(BaseHTTPRequestHandler):
    """Turns raw HTTP into `Incoming` and hands it to the owning fake."""

    fake: FakeServer
    timeout = 10  # a stuck client must not pin a thread forever

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence per-request logging; the fakes record requests instead."""

    def _serve(self) -> None:
        url = urlsplit(self.path)
        incoming = Incoming(
            verb=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=self.headers,
            body=self._read_body(),
        )
        answer = self.fake._dispatch(incoming)
        if answer is None:
            self.close_connection = True
            return
        self._send(answer)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body:
            self.wfile.write(reply.body)


class FakeServer:
    """Base class: start/stop, thread-safe recording, per-kind faults and delays.

    A "kind" names one endpoint (a Slack method, "dial", "hangup", ...). Subclasses
    implement `_parse`, `_authenticate`, `_handle` and `_error_reply`.
    """

    use_tls = False
    json_content_type = "application/json"  # as the real API labels its JSON answers

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._records: dict[str, list[Any]] = defaultdict(list)
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._delays: dict[str, float] = {}
        self._stopping = threading.Event()
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Bind an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        handler = type("Handler", (_Handler,), {"fake": self})
        self._stopping.clear()
        self._server = self._make_server(handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; pending delays are cut short so teardown never hangs."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The ephemeral port the server is bound to (only after start())."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._server.server_address[1]

    def _make_server(self, handler: type[_Handler]) -> _QuietServer:
        if not self.use_tls:
            return _QuietServer((HOST, 0), handler)
        server = _TlsServer((HOST, 0), handler)
        server.ssl_context = self._ssl_context()
        return server

    def _ssl_context(self) -> ssl.SSLContext:
        raise NotImplementedError

    # -- recording ---------------------------------------------------------------------

    def requests(self, kind: str) -> list[dict[str, Any]]:
        """Copies of what was recorded for `kind`, oldest first."""
        with self._cond:
            return copy.deepcopy(self._records.get(kind, []))

    def wait_for(self, kind: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until `count` requests of `kind` arrived (the app works after acking)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._records.get(kind, [])) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_message(kind, count, timeout))
                self._cond.wait(remaining)
            return copy.deepcopy(self._records[kind])

    def _timeout_message(self, kind: str, count: int, timeout: float) -> str:
        got = self._records.get(kind, [])
        seen = {name: len(items) for name, items in self._records.items()}
        return (
            f"{type(self).__name__}: expected {count} {kind!r} request(s) within "
            f"{timeout}s, got {len(got)}: {got!r}; all requests so far: {seen!r}"
        )

    def _record(self, kind: str, entry: Any) -> None:
        with self._cond:
            self._records[kind].append(copy.deepcopy(entry))
            self._cond.notify_all()

    # -- fault injection ---------------------------------------------------------------

    def http_status(self, kind: str, status: int, times: int | None = 1) -> None:
        """Answer the next `times` requests of `kind` with `status` (None = until reset)."""
        self._plan(kind, self._error_reply(kind, status), times)

    def drop_connection(self, kind: str, times: int | None = 1) -> None:
        """Close the socket without answering, so the client sees a connection error."""
        self._plan(kind, None, times)

    def malformed_json(self, kind: str, times: int | None = 1, status: int = 200) -> None:
        """Answer with a JSON content type but a body cut off mid-object (a broken proxy or
        upstream), so the client's JSON parsing is what fails."""
        body = b'{"ok": true, "error": "trunc'
        self._plan(kind, Reply(status, body, {"Content-Type": self.json_content_type}), times)

    def delay(self, kind: str, seconds: float) -> None:
        """Hold every request of `kind` for `seconds` before answering (other kinds flow)."""
        with self._cond:
            self._delays[kind] = seconds

    def reset(self) -> None:
        """Forget recorded requests, faults and delays; server-side state is kept."""
        with self._cond:
            self._records.clear()
            self._faults.clear()
            self._delays.clear()

    def _plan(self, kind: str, answer: Answer, times: int | None) -> None:
        with self._cond:
            self._faults[kind].append(_Fault(answer, times))

    def _take_fault(self, kind: str) -> _Fault | None:
        with self._cond:
            return take_from(self._faults.get(kind))

    def _pause(self, kind: str) -> None:
        with self._cond:
            seconds = self._delays.get(kind, 0.0)
        if seconds > 0:
            self._stopping.wait(seconds)

    # -- request flow ------------------------------------------------------------------

    def _dispatch(self, incoming: Incoming) -> Answer:
        """parse → record → delay → injected fault → authenticate → handle. Without a delay,
        recording and handling are one step under the lock, so a test that waited for a
        request (`wait_for`) also sees what it changed (a hung-up call is `completed`)."""
        parsed = self._parse(incoming)
        if isinstance(parsed, Reply):
            return parsed
        kind, entry = parsed
        with self._cond:
            self._record(kind, entry)
            if self._delays.get(kind, 0.0) <= 0:
                return self._answer(kind, entry, incoming)
        self._pause(kind)
        with self._cond:
            return self._answer(kind, entry, incoming)

    def _answer(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Answer:
        """An injected fault, else the authenticated request handled (called under the lock)."""
        fault = self._take_fault(kind)
        if fault is not None:
            return fault.answer
        refusal = self._authenticate(kind, incoming)
        return refusal if refusal is not None else self._handle(kind, entry, incoming)

    def _parse(self, incoming: Incoming) -> Parsed | Reply:
        """Map a request to (kind, recorded entry), or answer it directly (404, bad body)."""
        raise NotImplementedError

    def _authenticate(self, kind: str, incoming: Incoming) -> Reply | None:
        """None when the credentials are good, else the API's refusal."""
        raise NotImplementedError

    def _handle(self, kind: str, entry: dict[str, Any], incoming: Incoming) -> Answer:
        """Answer an authenticated request (runs, like _authenticate, under the state lock)."""
        raise NotImplementedError

    def _error_reply(self, kind: str, status: int) -> Reply:
        """The API's own error body for an injected HTTP status."""
        raise NotImplementedError


Route = tuple[str, Any, str]  # (HTTP verb, compiled path regex, kind)


def match_route(routes: list[Route], incoming: Incoming) -> tuple[str, dict[str, str]] | None:
    """First (kind, path parameters) whose verb and regex match the request."""
    for verb, pattern, kind in routes:
        found = pattern.fullmatch(incoming.path)
        if found and incoming.verb == verb:
            return kind, found.groupdict()
    return None


def take_from(queue: list[_Fault] | None) -> _Fault | None:
    """The first planned fault of a queue (call under the fake's lock); one with a count of
    `times` leaves the queue once it has been used that often."""
    if not queue:
        return None
    fault = queue[0]
    if fault.times is not None:
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
    return fault
