"""The preview's HTTP server: its own routes only, answered from memory.

No path in a request ever reaches the file system, so nothing outside the preview build can be
read; `..`, encoded traversal and absolute-form URLs are refused before routing anyway. Bound
to 127.0.0.1, and a Host check keeps other sites from reaching it through DNS rebinding.
"""

from __future__ import annotations

import json
import re
from email.utils import parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: PreviewState, port: int) -> None:
        self.state = state
        self.assets = {route: (ASSETS / name).read_bytes() for route, (name, _) in STATIC.items()}
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(ASSETS), autoescape=True,
                                        undefined=jinja2.StrictUndefined)
        self.pages.filters["number"] = lambda v: f"{v:,.0f}" if v == int(v) else f"{v:,}"
        self.pages.filters["display_name"] = lambda v: parseaddr(v)[0] or parseaddr(v)[1] or v
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise PreviewError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} "
                               "(another preview running? --port 0 picks a free port)",
                               where="--port") from None
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"

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


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "digest-preview"
    sys_version = ""

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
        when it differs from its own. A comment every 15 s notices closed tabs."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state, seen = self.server.state, None
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


