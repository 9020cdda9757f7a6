"""Click's own usage errors are one line too, with an exit code of 2 and no usage block."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["send", "--rate", "abc"], "'--rate'"),
        (["send", "--to", "."], "'--to'"),
        (["bogus"], "No such command 'bogus'"),
        (["build", "--highlights"], "'--highlights' requires an argument"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    done = subprocess.run([sys.executable, "-m", "digest", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("digest: error: ") and needle in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "outbox").exists()


def test_help_loads_no_config_model_renderer_or_scheduler() -> None:
    # What `digest --help` imports is what it costs to start: not pydantic (the config
    # model), not the renderer, not APScheduler.
    import subprocess
    import sys

    code = ("import sys, digest.cli; "
            "print(sorted(m for m in ('pydantic', 'mjml', 'premailer', 'apscheduler', "
            "'digest.config', 'digest.render') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
