"""Every text path is linear in its input (issue 14, item 4): a post of 10,000 numbers and a
post of one 1 MB word each build in well under the 5 s a case may take (they took 62 s and
105 s of CPU when masking, trap checks and range pairing re-read the text per number).

Bounded by CPU time, not by the wall clock, so a busy machine does not fail it; the limit is
generous: a quadratic path is tens of seconds over it, not a fraction."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from conftest import make_post

from digest.config import load_config
from digest.edit.figures import find_figures
from digest.pipeline import decide_edition, publish_edition

LIMIT = 5.0  # CPU seconds for one whole build


def _build(tmp_path: Path, text: str) -> float:
    import json

    source = tmp_path / "posts.json"
    source.write_text(json.dumps([
        {"author": "A", "handle": "a", "date": "2024-08-13", "text": text},
        {"author": "B", "handle": "b", "date": "2024-08-13", "text": "We scored 5 goals."}]))
    config = load_config(None)
    start = time.process_time()
    edition = decide_edition(config, [str(source)])
    publish_edition(config, edition, outbox=tmp_path / "out", archive=False)
    return time.process_time() - start


def _numbers(shape: str, count: int) -> str:
    rng = random.Random(14)
    return " ".join(shape.format(n=rng.randint(1, 999), d=rng.randint(1, 9), e=rng.randint(0, 9))
                    for _ in range(count))


def test_ten_thousand_numbers_in_one_post(tmp_path: Path) -> None:
    # Bare numbers are mostly no figures, so this one was "only" 4.3 s before: a tighter bound.
    assert _build(tmp_path, f"Tonight: {_numbers('{n}', 10_000)}.") < LIMIT / 2


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["{n}%", "${n}m", "won {d}-{e}", "{n} goals."])
def test_three_thousand_figures_in_one_post(tmp_path: Path, shape: str) -> None:
    # Each one a figure (a share, money, a score): 1,000 shares took 100 s before.
    assert _build(tmp_path, f"Tonight: {_numbers(shape, 3_000)}.") < LIMIT


@pytest.mark.slow
def test_ten_thousand_number_words_in_one_post(tmp_path: Path) -> None:
    # Each label read the rest of the post after its number: 72 s of CPU before.
    assert _build(tmp_path, " ".join(["twenty-one people"] * 10_000) + ".") < LIMIT


@pytest.mark.parametrize("letters", ["x", pytest.param("ab", marks=pytest.mark.slow),
                                     pytest.param("x-", marks=pytest.mark.slow)])
def test_a_one_megabyte_word(tmp_path: Path, letters: str) -> None:
    word = (letters * (2**20 // len(letters)))[: 2**20]
    assert _build(tmp_path, f"Look {word} here, 5 goals.") < LIMIT


def test_a_run_on_sentence_keeps_its_figures_and_short_quotes() -> None:
    # Read in pieces of at most 1,000 characters: every figure found, no quote of 60 KB each.
    text = " ".join(f"{n}% of voters" for n in range(1, 2001))
    figures = find_figures([make_post(text)], [])
    assert len(figures) > 1000
    assert max(len(f.quote) for f in figures) <= 1000
