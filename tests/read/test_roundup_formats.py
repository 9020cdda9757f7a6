"""One short roundup per byline format, as data (rss2email style): each folder under
fixtures/roundup/ holds an input.txt and an expected.json with the posts (only the fields
given are compared), the prose paragraphs and the warnings. A new format is a new folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from digest.read.roundup import parse_roundup

CASES = Path(__file__).parent / "fixtures" / "roundup"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_format(case: str) -> None:
    folder = CASES / case
    where = f"{case}.txt"
    document = parse_roundup((folder / "input.txt").read_text(encoding="utf-8"), where)
    expected: dict[str, Any] = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    got = [
        {key: (f":{getattr(post, key).rsplit(':', 1)[1]}" if key == "source"
               else getattr(post, key)) for key in want}
        for post, want in zip(document.posts, expected["posts"], strict=False)
    ]
    assert got == expected["posts"]
    assert len(document.posts) == len(expected["posts"])
    if "prose" in expected:
        assert [p.text for p in document.prose] == expected["prose"]
    warnings = [w.replace("{where}", where) for w in expected.get("warnings", [])]
    assert list(document.warnings) == warnings
