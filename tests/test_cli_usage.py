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
