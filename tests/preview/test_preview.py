"""`digest preview` over plain HTTP: routes, traversal, live rebuilds, errors, start and stop.

The server runs the real pipeline on a copy of the seed, with a user templates folder named in a
digest.toml, on a port the OS picks. The browser tests (test_preview_browser.py) reuse these
helpers.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from digest.config import load_config
from digest.errors import PreviewError
from digest.preview import LivePreview, clean_path
from digest.preview.server import PreviewServer
from digest.resources import builtin_templates, bundled_seeds

REPO = Path(__file__).resolve().parents[2]
MARK = "</mj-body>"  # every MJML template has one; new sections go right before it


def make_project(root: Path) -> Path:
    """A folder as an editor has it: digest.toml, seeds/, and tpl/ overriding the built-ins."""
    shutil.copytree(bundled_seeds(), root / "seeds")
    shutil.copytree(builtin_templates(), root / "tpl")
    (root / "digest.toml").write_text(
        '[build]\nsources = ["seeds"]\ntemplates = "tpl"\noutbox = "outbox"\n', encoding="utf-8")
    return root / "digest.toml"


@contextmanager
def running_preview(config_file: Path) -> Iterator[LivePreview]:
    preview = LivePreview(load_config(config_file), [], port=0)
    preview.start()
    try:
        yield preview
    finally:
        preview.stop()


def fetch(url: str, raw_path: str = "/", host: str | None = None) -> tuple[int, bytes]:
    """GET with the path sent exactly as given (urllib would normalise `..` away)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.putrequest("GET", raw_path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def state(url: str) -> dict[str, object]:
    status, body = fetch(url, "/api/state")
    assert status == 200
    data: dict[str, object] = json.loads(body)
    return data


def wait_for(check: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll until `check()` holds; the limit only stops a broken run from hanging."""
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def marker_section(text: str) -> str:
    return f"<mj-section><mj-column><mj-text>{text}</mj-text></mj-column></mj-section>\n{MARK}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def preview(project: Path) -> Iterator[LivePreview]:
    with running_preview(project) as live:
        yield live


@pytest.mark.parametrize("raw", [
    "/../digest.toml", "/edition/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "/edition/%2e%2e%2fdigest.toml", "/assets/..%2f..%2fpreview%2fserver.py",
    "/%252e%252e/etc/passwd", "//etc/passwd", "http://127.0.0.1/etc/passwd", "/etc/passwd",
    "/edition/", "/assets/", "/edition/digest.html%00.txt", "/edition\\..\\digest.toml",
    "/%ff", "/digest.toml", "/tpl/digest.mjml.j2", "/seeds/", "/edition/digest.merge.html",
])
def test_clean_path_and_server_refuse_anything_but_own_routes(preview: LivePreview,
                                                              raw: str) -> None:
    status, body = fetch(preview.url, raw)
    assert status == 404
    assert b"[build]" not in body and b"root:" not in body


def test_clean_path() -> None:
    assert clean_path("/edition/digest.html?v=1#x") == "/edition/digest.html"
    assert clean_path("/") == "/"
    for bad in ("/a/../b", "/%2E%2E/", "/a%2fb/..", "/%25%32%65", "x", "", "/a//b", "/a\\b"):
        assert clean_path(bad) is None, bad


def test_page_and_edition_files(preview: LivePreview, project: Path) -> None:
    info = state(preview.url)
    assert info["ok"] is True and info["error"] is None
    status, page = fetch(preview.url, "/")
    assert status == 200
    text = page.decode()
    for needle in ('data-tab="desktop"', 'data-tab="phone"', 'data-tab="text"',
                   'data-tab="source"', 'data-tab="editorial"', 'width="375"', 'width="600"'):
        assert needle in text
    subject = str(info["subject"])
    assert subject and subject.split(" · ")[0] in text
    # The editorial tab: each highlight's reason, each figure with its quote.
    assert "Highlights (8)" in text and "Figures (" in text
    status, html = fetch(preview.url, "/edition/digest.html")
    assert status == 200 and b"<html" in html
    status, eml = fetch(preview.url, "/edition/digest.eml")
    assert status == 200 and b"Subject:" in eml and b"multipart/alternative" in eml
    status, data = fetch(preview.url, "/edition/edition.json")
    assert status == 200 and len(json.loads(data)["posts"]) == 21
    # The real outbox is untouched.
    assert not (project.parent / "outbox").exists()


def test_requests_wait_for_the_build_in_flight(preview: LivePreview) -> None:
    before = state(preview.url)["version"]
    preview.state.request()  # as the watcher does; the next answer must come from the new build
    assert state(preview.url)["version"] != before


def test_a_broken_first_build_is_shown_then_recovers(project: Path) -> None:
    template = project.parent / "tpl" / "digest.txt.j2"
    good = template.read_text(encoding="utf-8")
    template.write_text("{{ edition.title }\n" + good, encoding="utf-8")
    with running_preview(project) as live:
        info = state(live.url)
        assert info["ok"] is False and "digest.txt.j2:1" in str(info["error"])
        page = fetch(live.url, "/")[1].decode()
        assert "The last rebuild failed" in page and 'data-tab="desktop"' not in page
        assert fetch(live.url, "/edition/digest.html")[0] == 404
        template.write_text(good, encoding="utf-8")
        wait_for(lambda: state(live.url)["ok"] is True, "the fix to build")
        assert fetch(live.url, "/edition/digest.html")[0] == 200


def test_email_never_runs_script(preview: LivePreview) -> None:
    parts = urlsplit(preview.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    conn.request("GET", "/edition/digest.html")
    policy = conn.getresponse().getheader("Content-Security-Policy") or ""
    conn.close()
    assert "script-src 'none'" in policy


def test_host_header_must_be_local(preview: LivePreview) -> None:
    port = urlsplit(preview.url).port
    assert fetch(preview.url, "/", host="evil.example")[0] == 403
    assert fetch(preview.url, "/", host=f"localhost:{port}")[0] == 200


def test_template_edit_rebuilds(preview: LivePreview, project: Path) -> None:
    before = state(preview.url)["version"]
    edit(project.parent / "tpl" / "digest.mjml.j2", MARK, marker_section("Edited-on-disk-1"))
    wait_for(lambda: state(preview.url)["version"] != before, "a rebuild")
    assert b"Edited-on-disk-1" in fetch(preview.url, "/edition/digest.html")[1]
    text_template = project.parent / "tpl" / "digest.txt.j2"
    text_template.write_text(text_template.read_text(encoding="utf-8") + "\nplain-marker\n",
                             encoding="utf-8")
    wait_for(lambda: b"plain-marker" in fetch(preview.url, "/edition/digest.txt")[1],
             "the text part to change")


def test_broken_template_keeps_last_good_and_recovers(preview: LivePreview,
                                                      project: Path) -> None:
    template = project.parent / "tpl" / "digest.mjml.j2"
    good = template.read_text(encoding="utf-8")
    _, last_good = fetch(preview.url, "/edition/digest.html")
    line = good[: good.index(MARK)].count("\n") + 1
    edit(template, MARK, "{% if %}\n" + MARK)
    wait_for(lambda: state(preview.url)["ok"] is False, "the build to fail")
    error = str(state(preview.url)["error"])
    assert f"digest.mjml.j2:{line}" in error
    # The last good edition is still served, and the page shows the error over it.
    assert fetch(preview.url, "/edition/digest.html")[1] == last_good
    page = fetch(preview.url, "/")[1].decode()
    assert "The last rebuild failed" in page and f"digest.mjml.j2:{line}" in page
    # ... with the offending line itself, marked.
    hit = page.split('<span class="hit">', 1)[1].split("</span>", 1)[0]
    assert hit.split() == [str(line), "{%", "if", "%}"]
    assert 'data-tab="desktop"' in page
    template.write_text(good, encoding="utf-8")
    wait_for(lambda: state(preview.url)["ok"] is True, "the fix to rebuild")
    assert "The last rebuild failed" not in fetch(preview.url, "/")[1].decode()


def test_config_and_source_changes_rebuild(preview: LivePreview, project: Path) -> None:
    edit(project, "[build]\n", '[build]\ntitle = "Config-title-marker"\n')
    wait_for(lambda: "Config-title-marker" in str(state(preview.url)["subject"]), "config")
    edit(project, 'title = "Config-title-marker"\n', "title = 12\n")
    wait_for(lambda: state(preview.url)["ok"] is False, "a config error")
    assert "digest.toml" in str(state(preview.url)["error"])
    assert "title" in str(state(preview.url)["error"])
    edit(project, "title = 12\n", "")
    wait_for(lambda: state(preview.url)["ok"] is True, "the config fix")
    seed = next((project.parent / "seeds").iterdir())
    seed.write_text(seed.read_text(encoding="utf-8").replace("Mark Jacob", "Source-edit Jacob"),
                    encoding="utf-8")
    wait_for(lambda: b"Source-edit Jacob" in fetch(preview.url, "/edition/edition.json")[1],
             "the source edit")


def test_events_stream_announces_new_versions(preview: LivePreview, project: Path) -> None:
    version = str(state(preview.url)["version"])
    parts = urlsplit(preview.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    conn.request("GET", "/events")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_data() -> str:
        while True:
            line = response.fp.readline().decode()
            if line.startswith("data: "):
                return line[len("data: "):].strip()

    assert next_data() == version
    edit(project.parent / "tpl" / "digest.mjml.j2", MARK, marker_section("sse"))
    assert next_data() != version
    conn.close()


def closed_by(sock: socket.socket, deadline: float) -> bool:
    """Whether the server closes `sock` before `deadline` (its end of the stream arrives)."""
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.slow
def test_idle_and_slow_connections_cost_no_thread_and_time_out(preview: LivePreview) -> None:
    """400 connections that never send a request (and one dripping its headers) leave a normal
    request answered at once and the thread count where it was; all are closed after the head
    timeout, activity or not."""
    server = preview.server
    server.head_timeout = 1.0  # 10 s by default; short here so the test is quick
    assert fetch(preview.url)[0] == 200  # the first build is done: answers come from memory
    before = threading.active_count()
    address = ("127.0.0.1", server.server_address[1])
    idle: list[socket.socket] = []
    try:
        for _ in range(400):
            idle.append(socket.create_connection(address, timeout=5))
        drip = socket.create_connection(address, timeout=5)
        idle.append(drip)
        drip.sendall(b"GET / HTTP/1.1\r\n")
        time.sleep(0.3)  # the server has accepted them all
        started = time.monotonic()
        status, _ = fetch(preview.url)
        answered = time.monotonic() - started
        threads = threading.active_count()
        print(f"threads {before} -> {threads} with 401 idle; GET / in {answered * 1000:.0f} ms")
        assert status == 200
        assert answered < 2.0
        assert threads <= before + 2
        # A header line every 0.2 s keeps the connection busy, yet the deadline holds.
        deadline = started + 2.0
        with pytest.raises(OSError):
            while time.monotonic() < deadline:
                drip.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.2)
        assert all(closed_by(sock, started + 3.0) for sock in idle)
        print(f"all closed {time.monotonic() - started:.2f} s after the GET")
        assert fetch(preview.url)[0] == 200
    finally:
        for sock in idle:
            sock.close()


def test_event_streams_past_their_bound_are_told_to_retry(project: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Open tabs hold a thread each, up to `streams`; one more gets the version and `retry`,
    then the connection ends, and ordinary requests are still answered."""
    monkeypatch.setattr(PreviewServer, "streams", 1)
    with running_preview(project) as preview:
        version = str(state(preview.url)["version"])
        parts = urlsplit(preview.url)
        held = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        held.request("GET", "/events")
        stream = held.getresponse()
        assert stream.fp.readline() == b"retry: 1000\n"  # a live stream, holding the one slot
        status, body = fetch(preview.url, "/events")
        assert status == 200
        assert body == f"retry: 5000\n\ndata: {version}\n\n".encode()
        assert fetch(preview.url)[0] == 200
        held.close()


def test_port_in_use_is_one_clear_error(preview: LivePreview) -> None:
    port = urlsplit(preview.url).port or 0
    with pytest.raises(PreviewError, match=f"127.0.0.1:{port}"):
        LivePreview(load_config(None), [], port=port)


@pytest.mark.slow
def test_cli_prints_url_serves_and_stops_on_ctrl_c(project: Path) -> None:
    tmp = project.parent / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "preview", "--port", "0"], cwd=project.parent,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line
        url = line.split("serving ", 1)[1].split()[0]
        assert urlsplit(url).port not in (None, 0)
        assert fetch(url, "/")[0] == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert not (project.parent / "outbox").exists()
    assert list(tmp.iterdir()) == []  # the preview's build folder is gone
