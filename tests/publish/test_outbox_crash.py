"""kill -9 a process that keeps rewriting an edition: the folder is always one whole edition."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from conftest import make_edition
    from digest.config import EmailConfig
    from digest.render.message import build_message
    from digest.publish.outbox import write_edition
    from digest.render.templates import render_edition

    versions = []
    for title in ("Version A", "Version B"):
        edition = make_edition(title=title)
        rendered = render_edition(edition, None)
        versions.append((edition, rendered, build_message(edition, rendered, EmailConfig())))
    print("ready", flush=True)
    i = 0
    while True:
        write_edition(Path(sys.argv[1]), *versions[i % 2])
        i += 1
""")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_kill_9_never_leaves_half_an_edition(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    wholes: list[dict[str, bytes]] = []
    for delay in (0.0, 0.01, 0.03, 0.05, 0.08, 0.13, 0.21, 0.34, 0.55):
        proc = subprocess.Popen([sys.executable, str(script), str(outbox),
                                 str(REPO / "tests")], env=env, stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        folder = outbox / "2024-08-13"
        if not folder.exists():
            assert not wholes, "an edition that was written once disappeared"
            continue
        files = _snapshot(folder)
        assert len(files) == 7, sorted(files)
        titles = [t for t in ("Version A", "Version B") if t.encode() in files["digest.txt"]]
        assert len(titles) == 1
        assert titles[0].encode() in files["edition.json"]
        assert titles[0].encode() in files["digest.html"]
        wholes.append(files)
    assert wholes, "the writer never finished one edition"
