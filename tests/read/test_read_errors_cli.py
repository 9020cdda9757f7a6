"""A malformed roundup through the real CLI (`python -m digest build`).

A file with no readable text (or a broken header, the digest's own line): one line on stderr
naming the file (and line where there is one), exit code 2, no traceback, nothing in the
outbox, and an edition already there left untouched. A readable page the reader only partly
understands: an edition all the same, and one warning line per thing not understood."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = " date 2024-08-13 kw\n\nIntro.\n\nA post. — A (@a) August 13, 2024\n"

CASES = {
    # name: (bytes, expected end of the "file[:line]" part, words the message must hold)
    "bad-header-date": (b" date 2024-13-45 kw\n\nHi. -- A (@a) August 13, 2024\n", ":1",
                        "header date must be YYYY-MM-DD, got '2024-13-45'"),
    "header-without-date": (b" date\n\nHi. - A (@a) August 13, 2024\n", ":1",
                            "header date must be YYYY-MM-DD, got 'nothing'"),
    "binary": (bytes(range(256)) * 4, ":2", "not UTF-8 text (byte 0x80"),  # 0x0a is line 1
    "binary-nul": (b"\x00\x01\x02PK\x03\x04" * 50, ":1", "binary file, not text"),
    "empty": (b"", "", "empty file"),
    "blank": (b"\n \n\t\n", "", "empty file"),
}
WARNINGS = {
    # name: (bytes, expected end of the "file[:line]" part, words the warning must hold)
    "no-header-no-posts": (b"An article.\n\nWith no posts at all.\n", "",
                           "no embedded posts found; the edition is built from the article's"),
    "impossible-date": (GOOD.encode() + "\nBad. — B (@b_2) February 30, 2024\n".encode(), ":7",
                        "byline impossible date ('February 30, 2024')"),
    "date-not-understood": (" date 2024-08-13 kw\n\nIntro.\n\nHi. — A (@a) 13/08/2024\n"
                            .encode(), ":5", "byline date not understood ('13/08/2024')"),
}


def build(tmp_path: Path, source: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "digest", "build", "--outbox", str(tmp_path / "outbox"),
         str(source)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_roundup(tmp_path: Path, case: str) -> None:
    data, line, words = CASES[case]
    source = tmp_path / f"{case}.txt"
    source.write_bytes(data)
    result = build(tmp_path, source)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"digest: error: {source}{line}: "), result.stderr
    assert words in result.stderr
    outbox = tmp_path / "outbox"
    assert not outbox.exists() or not any(outbox.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_a_page_partly_understood_is_an_edition_and_a_warning(tmp_path: Path, case: str) -> None:
    data, line, words = WARNINGS[case]
    source = tmp_path / f"{case}.txt"
    source.write_bytes(data)
    result = build(tmp_path, source)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"digest: warning: {source}{line}: "), result.stderr
    assert words in result.stderr
    assert list((tmp_path / "outbox").glob("*/edition.json"))


@pytest.mark.slow
def test_a_bad_source_leaves_an_earlier_edition_alone(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    first = build(tmp_path, good)
    assert first.returncode == 0, first.stderr
    before = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "outbox").rglob("*"))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(GOOD.encode() + b"\nBad. \xff\n")
    result = build(tmp_path, bad)
    assert result.returncode == 2 and f"{bad}:7: not UTF-8" in result.stderr
    after = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "outbox").rglob("*"))
    assert after == before
