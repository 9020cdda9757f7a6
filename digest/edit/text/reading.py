"""Each text of a build read once, and what that reading is shared as.

A `Reading` of a text (a post's text or title, a prose paragraph) holds what the stages ask of
it again and again: the text masked (tokens.mask: links, handles, emails blanked), its words in
order with the clause breaks between them, and whether it holds a digit or a number word at
all. Figures (numbers.find_mentions and figures' labels) read the masked text; themes count the
words; a text with no digit and no number word is passed over by every number scanner without
a regex being run on it. `Texts` keeps the readings of one build: the pipeline makes one per
build and hands it to each stage, so its size is bounded by the build and it is dropped with
it (a daemon does not grow); a stage called on its own makes its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.edit.text.grammar import TIMES_WORDS, WORD_VALUES, fold
from digest.edit.text.tokens import WORD, mask

# Where the themes' clauses end: the same characters as before (none of them occurs inside a
# word), now read on the masked text.
CLAUSE = re.compile(r"[.,;:!?()\[\]\"“”—–\n]+")
BREAK = ""  # between two clauses in Reading.words (no word is empty)
_DIGIT = re.compile(r"[0-9]")
# The words a number scanner can start on (the grammar's number words, "one", the ratio
# words), lower case; a word is folded (grammar.fold) to be compared with them as the
# scanners' case-insensitive patterns compare ("Five", "FİVE", "ſix" read as numbers there).
NUMBERISH = frozenset(WORD_VALUES) | frozenset(TIMES_WORDS) | {"one"}
_PARTS = re.compile(r"['’-]")


@dataclass(frozen=True, slots=True)
class Reading:
    masked: str  # tokens.mask(text); the text itself when nothing in it is masked
    words: tuple[str, ...]  # the words of `masked`, in order, BREAK between clauses
    digits: bool  # an ASCII digit: only then can a digit pattern match
    number_words: bool  # a word the number grammar reads ("five", "dozen", "double")
    first_digit: int = -1  # where the first ASCII digit is: no digit pattern starts far before


def numberish(word: str) -> bool:
    """Does the word, or a part of a hyphenated or apostrophed one ("twenty-one", "two's"),
    read as a number word? A pattern like WORD_TOKEN matches only on such a part, so where
    no word is one, none of them can match."""
    low = fold(word).casefold()
    return low in NUMBERISH or any(part in NUMBERISH for part in _PARTS.split(low))


def read_text(text: str, intern: dict[str, str] | None = None,
              numbers: set[str] | None = None, known: set[str] | None = None) -> Reading:
    """Read `text` once. A build's `intern` shares one string per distinct word, and its
    `numbers` and `known` remember which words are number words, so each distinct word is
    looked at once."""
    masked = mask(text)
    if masked == text:
        masked = text  # keep one copy: most posts have nothing to mask
    found: list[str] = []
    for clause in CLAUSE.split(masked):
        found += WORD.findall(clause)
        found.append(BREAK)
    if intern is not None:
        found = list(map(intern.setdefault, found, found))
    words = tuple(found)
    numbers = set() if numbers is None else numbers
    known = set() if known is None else known
    new = set(words).difference(known)  # the words not looked at yet
    numbers.update(w for w in new if numberish(w))
    known.update(new)
    digit = _DIGIT.search(masked)
    return Reading(masked, words, digit is not None, not numbers.isdisjoint(words),
                   digit.start() if digit else -1)


class Texts:
    """The readings of one build, by text: each text is read the first time it is asked for."""

    def __init__(self) -> None:
        self._readings: dict[str, Reading] = {}
        self._words: dict[str, str] = {}
        self._numbers: set[str] = set()  # the words seen that are number words
        self._known: set[str] = set()  # every word seen

    def __call__(self, text: str) -> Reading:
        reading = self._readings.get(text)
        if reading is None:
            reading = self._readings[text] = read_text(text, self._words, self._numbers,
                                                       self._known)
        return reading
