"""A Subject read back from the .eml is the subject decided: folding adds or drops no space."""

from __future__ import annotations

import email
import itertools
from collections.abc import Callable
from email.header import decode_header, make_header
from email.policy import default

import pytest

from digest.config import EmailConfig
from digest.model import Edition
from digest.pipeline import subject_line
from digest.render.message import build_message
from digest.render.templates import render_edition

TITLES = [
    "Musk–Trump livestream: “DDOS attack” claim disputed",  # the seed's: non-ASCII, folded
    "A long plain ASCII subject that runs on well past the seventy-eight characters a line",
    "Ünïcödé   spaced\tsubject with émoji 🙃 and more words to fold over the header line",
    "x" * 90,  # one word longer than a line
    "Short",
    "“Quoted” · middot · and — dashes — around words that need encoding across a fold line",
]


@pytest.mark.parametrize("title", TITLES)
def test_subject_survives_folding(title: str, edition_factory: Callable[..., Edition]) -> None:
    subject = subject_line(title, "2024-08-13")
    assert "  " not in subject and "\t" not in subject
    edition = edition_factory(subject=subject)
    raw = build_message(edition, render_edition(edition, None),
                        EmailConfig()).as_bytes()
    lines = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Subject:"))
    folded = [lines[start]] + [line for line in
                               itertools.takewhile(
                                   lambda line: line.startswith((" ", "\t")), lines[start + 1:])]
    assert all(len(line) <= 78 for line in folded)  # folded at all, where it is long
    # Read back as a modern parser does, and as the older RFC 2047 decoder does.
    assert email.message_from_bytes(raw, policy=default)["Subject"] == subject
    legacy = email.message_from_bytes(raw)["Subject"]
    assert str(make_header(decode_header(legacy))) == subject
