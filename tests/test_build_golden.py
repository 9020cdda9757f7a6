"""Golden files: a fresh `digest build` of the seed must match tests/golden/seed/ byte for byte.

Any change to the output (a template, a reader, a figure) shows up here as a diff to review;
`pytest tests/test_build_golden.py --update-golden` rewrites the golden files on purpose.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "seed"


def build_seed(workdir: Path) -> Path:
    """Build the seed as a new user would: its own folder, seeds/ in it, no config file."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "seeds", workdir / "seeds")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--outbox", "outbox"],
                            cwd=workdir, env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    return workdir / "outbox" / "2024-08-13"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return files_of(build_seed(tmp_path_factory.mktemp("golden")))


def test_seed_matches_golden(seed_build: dict[str, bytes], update_golden: bool) -> None:
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        GOLDEN.mkdir(parents=True)
        for name, data in seed_build.items():
            (GOLDEN / name).write_bytes(data)
        pytest.skip("golden files rewritten; review `git diff tests/golden`")
    expected = files_of(GOLDEN)
    assert sorted(seed_build) == sorted(expected), "the edition folder's files changed"
    for name, data in expected.items():
        if seed_build[name] != data:
            diff = difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(),
                seed_build[name].decode("utf-8", "replace").splitlines(),
                f"golden/{name}", f"fresh/{name}", lineterm="", n=1)
            shown = "\n".join(list(diff)[:40])
            pytest.fail(f"{name} differs from tests/golden/seed (run pytest --update-golden "
                        f"if the change is intended):\n{shown}")


def test_two_builds_are_byte_identical(seed_build: dict[str, bytes], tmp_path: Path) -> None:
    assert files_of(build_seed(tmp_path / "again")) == seed_build


def test_seed_edition_has_what_the_issue_asks(seed_build: dict[str, bytes]) -> None:
    assert {"digest.html", "digest.txt", "digest.mjml", "digest.eml",
            "edition.json"} <= set(seed_build)
    html = seed_build["digest.html"].decode("utf-8")
    assert "%%" not in html.replace("%\u200b%", "")  # every token merged
    assert ("https://digest.localhost/unsubscribe?edition=2024-08-13&amp;"
            "recipient=readers%40example.org") in html
    eml = seed_build["digest.eml"]
    for header in (b"From:", b"To:", b"Subject:", b"Date:", b"Message-ID:", b"MIME-Version:",
                   b"List-Unsubscribe:", b"List-Unsubscribe-Post:"):
        assert header in eml.split(b"\r\n\r\n", 1)[0]
