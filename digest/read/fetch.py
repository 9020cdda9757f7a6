"""Fetching http(s) sources, with a conditional-GET cache kept between runs.

Each URL's last good body is kept in the cache folder ($DIGEST_CACHE_DIR, default
~/.cache/digest) with its ETag and Last-Modified. The next fetch sends them back
(If-None-Match / If-Modified-Since); a 304 reuses the cached body, so a feed polled every
minute by cron costs the server almost nothing. A failed fetch is an error, not a silent fall
back to the cached copy: an unattended run must not send stale news as if it were new. A cache
that cannot be written (read-only home) only costs the next run a full download.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from digest import __version__
from digest.errors import SourceError
from digest.read.common import MAX_SOURCE_BYTES
from digest.resources import cache_dir

TIMEOUT = 30.0  # seconds one network step (connect, a read) may take
# The whole fetch, however the server paces it: one that drips a byte every few seconds never
# trips TIMEOUT, and an unattended run must not hang on it.
DEADLINE = 60.0
MAX_BYTES = MAX_SOURCE_BYTES  # a feed bigger than this is not a feed
_CHUNK = 64 * 1024


def _paths(url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    folder = cache_dir()
    return folder / f"{key}.json", folder / f"{key}.body"


def _load_meta(meta_path: Path, body_path: Path, url: str) -> dict[str, Any]:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(meta, dict) or meta.get("url") != url or not body_path.is_file():
        return {}
    return meta


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _store(url: str, body: bytes, headers: Any) -> None:
    meta_path, body_path = _paths(url)
    meta = {
        "url": url,
        "etag": headers.get("ETag"),
        "last_modified": headers.get("Last-Modified"),
        "content_type": headers.get("Content-Type", ""),
    }
    if not meta["etag"] and not meta["last_modified"]:
        return  # nothing to revalidate with: caching the body would never pay off
    try:
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        # Body first: a crash in between leaves old metadata that no longer matches, which
        # at worst makes the next run download again (the server's validator will differ).
        _write_atomic(body_path, body)
        _write_atomic(meta_path, json.dumps(meta).encode("utf-8"))
    except OSError:
        pass


def fetch(url: str) -> tuple[bytes, str]:
    """The body of `url` and its Content-Type, revalidated against the cache."""
    meta_path, body_path = _paths(url)
    meta = _load_meta(meta_path, body_path, url)
    request = urllib.request.Request(url, headers={"User-Agent": f"digest/{__version__}"})
    if meta.get("etag"):
        request.add_header("If-None-Match", meta["etag"])
    if meta.get("last_modified"):
        request.add_header("If-Modified-Since", meta["last_modified"])
    deadline = time.monotonic() + DEADLINE
    try:
        with urllib.request.urlopen(request, timeout=min(TIMEOUT, DEADLINE)) as response:
            body = _read_body(response, deadline, url)
            headers = response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and meta:
            try:
                return body_path.read_bytes(), str(meta.get("content_type") or "")
            except OSError:
                pass
        raise SourceError(f"HTTP {exc.code} {exc.reason}", where=url) from None
    except urllib.error.URLError as exc:
        raise SourceError(f"cannot fetch ({exc.reason})", where=url) from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline:
            raise SourceError(f"no whole answer within {DEADLINE:g} s", where=url) from None
        raise SourceError(f"cannot fetch ({exc})", where=url) from None
    _store(url, body, headers)
    return body, headers.get("Content-Type", "")


def _read_body(response: Any, deadline: float, url: str) -> bytes:
    """The whole body, read before `deadline` and as long as its Content-Length says: a body
    cut short would make an edition of the posts that happened to arrive."""
    sock = _socket(response)
    parts: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SourceError(f"no whole answer within {DEADLINE:g} s", where=url)
        if sock is not None:
            sock.settimeout(min(TIMEOUT, left))  # no read may outlast the deadline
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise SourceError(f"larger than {MAX_BYTES // 2**20} MB", where=url)
    body = b"".join(parts)
    expected = response.headers.get("Content-Length")
    chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
    if expected and expected.strip().isdigit() and not chunked and len(body) < int(expected):
        raise SourceError(f"answer cut short: {len(body):,} of {int(expected):,} bytes",
                          where=url)
    return body


def _socket(response: Any) -> socket.socket | None:
    # urllib gives no handle on the connection's socket; http.client keeps it here.
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None
