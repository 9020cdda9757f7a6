"""The preview's HTTP server: its own routes only, answered from memory.

No path in a request ever reaches the file system, so nothing outside the preview build can be
read; `..`, encoded traversal and absolute-form URLs are refused before routing anyway. Bound
to 127.0.0.1, and a Host check keeps other sites from reaching it through DNS rebinding.

Connections cost no thread until their request is in: one gate thread holds every connection
that has not yet sent its whole request head (closing it after `head_timeout`, however busy it
keeps), and a fixed pool of workers answers complete requests. Event streams, which stay open
as long as a tab does, get threads of their own up to `streams`, so they never starve the pool.
"""

from __future__ import annotations

import contextlib
import io
import json
import queue
import re
import selectors
import socket
import threading
import time
from email.utils import parseaddr
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jinja2

from digest.errors import PreviewError
from digest.preview.engine import EDITION_FILES, PreviewState

ASSETS = Path(__file__).resolve().parent / "assets"
STATIC = {  # route -> (file in assets/, content type)
    "/assets/preview.css": ("preview.css", "text/css; charset=utf-8"),
    "/assets/preview.js": ("preview.js", "text/javascript; charset=utf-8"),
    "/favicon.ico": ("favicon.svg", "image/svg+xml"),  # browsers ask for it by this name
}


def clean_path(raw: str) -> str | None:
    """The route a request names, or None (a 404) for anything but a plain absolute path:
    absolute-form URLs, `..` (also percent-encoded, even twice), backslashes, NULs."""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if any(bad in decoded for bad in ("..", "//", "\\", "\x00", "%")):
        return None
    return decoded


def excerpt(error: str, around: int = 2) -> list[tuple[int, str, bool]]:
    """The lines around the `file:line` an error starts with: the page shows the mistake."""
    where = re.match(r"(?P<file>[^:\n]+):(?P<line>\d+):", error)
    if where is None:
        return []
    try:
        lines = Path(where["file"]).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    line = int(where["line"])
    return [(n, lines[n - 1], n == line)
            for n in range(max(1, line - around), min(len(lines), line + around) + 1)]


HEAD_LIMIT = 65536  # bytes of request line and headers; Python's own parser allows as much


class PreviewServer(HTTPServer):
    # A burst of connections queues in the kernel instead of being dropped and retried by TCP.
    request_queue_size = 128
    head_timeout = 10.0  # seconds a connection has for its whole request head, busy or not
    io_timeout = 30.0  # seconds one read or write of an answer may stall
    workers = 8  # threads answering complete requests
    streams = 32  # event streams (open tabs) served at once; more are told to retry later
    max_waiting = 1000  # connections without a full request; past it the oldest is dropped

    def __init__(self, state: PreviewState, port: int) -> None:
        self.state = state
        self.assets = {route: (ASSETS / name).read_bytes() for route, (name, _) in STATIC.items()}
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(ASSETS), autoescape=True,
                                        undefined=jinja2.StrictUndefined)
        self.pages.filters["number"] = lambda v: f"{v:,.0f}" if v == int(v) else f"{v:,}"
        self.pages.filters["display_name"] = lambda v: parseaddr(v)[0] or parseaddr(v)[1] or v
        # Before binding: a failed bind calls server_close(), which stops these.
        self._jobs: queue.SimpleQueue[tuple[socket.socket, Any, bytes] | None] = (
            queue.SimpleQueue())
        self._stream_slots = threading.BoundedSemaphore(self.streams)
        self._gate = _Gate(self)
        self._pool = [threading.Thread(target=self._work, name=f"preview-worker-{n}",
                                       daemon=True) for n in range(self.workers)]
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise PreviewError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} "
                               "(another preview running? --port 0 picks a free port)",
                               where="--port") from None
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        # Started here, not in __init__: a server that is never served starts no threads.
        self._gate.thread.start()
        for worker in self._pool:
            worker.start()
        super().serve_forever(poll_interval)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._gate.add(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._gate.close()
        for _ in self._pool:
            self._jobs.put(None)

    def dispatch(self, sock: socket.socket, address: Any, head: bytes) -> None:
        """A complete request head: to the pool, or to its own thread for an event stream."""
        target = head.split(maxsplit=2)[1:2]
        if (target and clean_path(target[0].decode("latin-1")) == "/events"
                and self._stream_slots.acquire(blocking=False)):
            threading.Thread(target=self._answer, args=(sock, address, head, True),
                             name="preview-events", daemon=True).start()
        else:
            self._jobs.put((sock, address, head))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._answer(*job, stream=False)

    def _answer(self, sock: socket.socket, address: Any, head: bytes, stream: bool) -> None:
        try:
            _Handler(sock, address, self, head, stream)
        except OSError:
            pass  # the client went away or stalled past io_timeout: nothing left to tell it
        except Exception:
            self.handle_error(sock, address)
        finally:
            self.shutdown_request(sock)
            if stream:
                self._stream_slots.release()

    def page(self) -> bytes:
        version, snapshot, error = self.state.wait_idle()
        files = snapshot.files if snapshot else {}
        html: str = self.pages.get_template("page.html").render(
            version=version, snap=snapshot, error=error, excerpt=excerpt(error or ""),
            edition=snapshot.edition if snapshot else None,
            posts={p.id: p for p in snapshot.edition.posts} if snapshot else {},
            text=files.get("digest.txt", b"").decode("utf-8", "replace"),
            mjml=files.get("digest.mjml", b"").decode("utf-8", "replace"),
            html=files.get("digest.html", b"").decode("utf-8", "replace"))
        return html.encode("utf-8")


class _Gate:
    """One thread and a selector for every connection still sending its request head."""

    def __init__(self, server: PreviewServer) -> None:
        self.server = server
        self.thread = threading.Thread(target=self._run, name="preview-gate", daemon=True)
        self._selector = selectors.DefaultSelector()
        self._wake, self._waker = socket.socketpair()
        self._wake.setblocking(False)
        self._waker.setblocking(False)
        self._selector.register(self._wake, selectors.EVENT_READ)
        self._incoming: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        # Insertion order is arrival order, so the first entry is always the next to expire.
        self._waiting: dict[socket.socket, tuple[float, bytearray, Any]] = {}
        self._closed = False

    def add(self, sock: socket.socket, address: Any) -> None:
        self._incoming.put((sock, address))
        self._nudge()

    def close(self) -> None:
        self._closed = True
        self._nudge()
        if not self.thread.is_alive():
            self._release()

    def _nudge(self) -> None:
        # A full buffer means the gate is waking anyway; a closed one, that it has stopped.
        with contextlib.suppress(OSError):
            self._waker.send(b"\0")

    def _run(self) -> None:
        try:
            while not self._closed:
                timeout = None
                if self._waiting:
                    first = next(iter(self._waiting.values()))[0]
                    timeout = max(0.0, first + self.server.head_timeout - time.monotonic())
                for key, _ in self._selector.select(timeout):
                    if key.fileobj is self._wake:
                        while self._recv(self._wake):
                            pass
                    elif isinstance(key.fileobj, socket.socket):
                        self._read(key.fileobj)
                self._admit()
                self._expire()
        finally:
            self._release()

    def _admit(self) -> None:
        while not self._incoming.empty():
            sock, address = self._incoming.get()
            if len(self._waiting) >= self.server.max_waiting:
                self._drop(next(iter(self._waiting)))
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ)
            self._waiting[sock] = (time.monotonic(), bytearray(), address)

    def _expire(self) -> None:
        now = time.monotonic()
        while self._waiting:
            sock, (arrived, _, _) = next(iter(self._waiting.items()))
            if arrived + self.server.head_timeout > now:
                return
            self._drop(sock)

    def _read(self, sock: socket.socket) -> None:
        data = self._recv(sock)
        if data is None:
            return
        _, head, address = self._waiting[sock]
        head += data
        if not data or len(head) > HEAD_LIMIT:
            return self._drop(sock)
        if b"\n\r\n" in head or b"\n\n" in head:  # the blank line after the headers
            self._selector.unregister(sock)
            del self._waiting[sock]
            sock.setblocking(True)
            self.server.dispatch(sock, address, bytes(head))

    @staticmethod
    def _recv(sock: socket.socket) -> bytes | None:
        """What the socket has (b"" at its end, or when it failed), or None for nothing yet."""
        try:
            return sock.recv(HEAD_LIMIT)
        except BlockingIOError:
            return None
        except OSError:
            return b""

    def _drop(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        del self._waiting[sock]
        sock.close()

    def _release(self) -> None:
        for sock in list(self._waiting):
            self._drop(sock)
        while not self._incoming.empty():
            self._incoming.get()[0].close()
        self._selector.close()
        self._wake.close()
        self._waker.close()


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "digest-preview"
    sys_version = ""

    def __init__(self, request: socket.socket, client_address: Any, server: PreviewServer,
                 head: bytes = b"", stream: bool = False) -> None:
        self.head, self.stream = head, stream
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.io_timeout)
        # The gate has already read the head off the socket; the handler parses it from here.
        self.rfile.close()  # or the socket's file descriptor outlives shutdown_request
        self.rfile = io.BytesIO(self.head)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per build is what an editor wants to read, not one per request

    def _serve(self, head: bool) -> None:
        route = clean_path(self.path)
        if route is None:
            return self._send(404, b"404 not found\n", "text/plain", head)
        host = self.headers.get("Host")
        port = self.server.server_address[1]
        if host not in (None, f"127.0.0.1:{port}", f"localhost:{port}"):
            return self._send(403, b"unknown Host (DNS rebinding?)\n", "text/plain", head)
        if route == "/events":
            return self._events()
        if route in STATIC:
            return self._send(200, self.server.assets[route], STATIC[route][1], head)
        if route == "/":
            return self._send(200, self.server.page(), "text/html; charset=utf-8", head)
        if route == "/api/state":
            version, snapshot, error = self.server.state.wait_idle()
            body = {"version": version, "ok": error is None, "error": error,
                    "edition": snapshot.edition.edition if snapshot else None,
                    "subject": snapshot.edition.subject if snapshot else None}
            return self._send(200, json.dumps(body).encode(), "application/json", head)
        name = route.removeprefix("/edition/") if route.startswith("/edition/") else ""
        if name in EDITION_FILES:
            snapshot = self.server.state.wait_idle()[1]
            if snapshot and name in snapshot.files:
                return self._send(200, snapshot.files[name], EDITION_FILES[name], head)
        return self._send(404, b"404 not found\n", "text/plain", head)

    def _send(self, code: int, body: bytes, ctype: str, head: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if ctype.startswith("text/html"):
            # The email may carry markup from posts: it never runs script; only the page does.
            script = "'none'" if self.path.startswith("/edition/") else "'self'"
            self.send_header("Content-Security-Policy",
                             "default-src 'self'; img-src 'self' https: data:; "
                             "style-src 'self' 'unsafe-inline'; font-src https: data:; "
                             f"script-src {script}; object-src 'none'; base-uri 'none'")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the current version now, then every new one; the page reloads
        when it differs from its own. A comment every 15 s notices closed tabs. Past the
        `streams` bound a tab gets the version once and is asked to come back in 5 s: it still
        reloads, only later, and holds no thread meanwhile."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state, seen = self.server.state, None
        if not self.stream:
            self.wfile.write(f"retry: 5000\n\ndata: {state.version}\n\n".encode())
            return
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not state.closed:
                version = state.wait_change(seen, timeout=15)
                chunk = f"data: {version}\n\n" if version != seen else ": keepalive\n\n"
                self.wfile.write(chunk.encode())
                self.wfile.flush()
                seen = version
        except OSError:
            pass  # the tab was closed


