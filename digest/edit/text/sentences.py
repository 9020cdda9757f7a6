"""The one sentence splitter of the editorial stage (spans, so callers keep offsets)."""

from __future__ import annotations

import re

_ABBREV = re.compile(r"(?:\b[A-Z]|Mr|Mrs|Ms|Dr|St|No|vs|Pa|Jr|Sr|Inc|Ltd|Co|Gov|Sen|Rep)\.$")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences in `text`. Splits after . ! ? or at line breaks, but not after
    "U.S." or "Mr." or inside a decimal ("1.1m")."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?…]+[\"”’')]*(?=\s+[\"“‘(]?[A-Z0-9£$€@#])|\n\s*", text):
        if m.group().startswith(".") and _ABBREV.search(text[start:m.start() + 1]):
            continue
        end = m.end() if not m.group().isspace() else m.start()
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
