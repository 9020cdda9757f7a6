"""The editorial stage's vocabulary, read once from lexicon.toml beside this module."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

_FILE = Path(__file__).with_name("lexicon.toml")


@cache
def _lists() -> dict[str, list[str]]:
    with _FILE.open("rb") as f:
        data = tomllib.load(f)
    return {key: [str(w).lower() for w in value] for key, value in data.items()}


@cache
def words(name: str) -> frozenset[str]:
    """The list `name` as a set of lower-case words or phrases."""
    return frozenset(_lists()[name])


@cache
def pattern(name: str) -> re.Pattern[str]:
    """The list `name` as a case-insensitive whole-word alternation, longest phrase first."""
    alternatives = sorted(_lists()[name], key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in alternatives)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)
