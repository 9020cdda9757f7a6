"""The summary's ledger of numbers: every number written, with what it traces back to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from digest.edit.text.grammar import FOREIGN_DIGIT, Mention
from digest.edit.text.numbers import scan_numbers
from digest.model import Comparison, Figure, SummaryNumber


class Numbers:
    """The numbers written so far, each with its provenance, in the order they were written.
    The same text may be written twice from two sources ("13-year sentence and 13 Israelis")."""

    def __init__(self, figures: Sequence[Figure]) -> None:
        self.entries: list[SummaryNumber] = []
        self.figures = figures
        self.used: set[str] = set()  # figure ids already quoted

    def add(self, entry: SummaryNumber) -> str:
        if entry not in self.entries:
            self.entries.append(entry)
        return entry.text

    def figure(self, f: Figure, written: str | None = None) -> str:
        self.used.add(f.id)
        return self.add(SummaryNumber(written or f.text, "figure", f.id, f.quote))

    def comparison(self, text: str, index: int, c: Comparison) -> str:
        """Record the number inside `text` ("61 times", "1.6C", "$2.50") as the comparison's."""
        for m in scan_numbers(text):
            self.add(SummaryNumber(m.text, "comparison", f"c{index}", c.formula))
        return text

    def count(self, n: int, what: str, ids: Sequence[str]) -> str:
        return self.add(SummaryNumber(str(n), "count", what, " ".join(ids)))

    def for_text(self, text: str) -> tuple[SummaryNumber, ...]:
        """One entry per number in `text`, in order: the n-th "13" gets the n-th entry
        recorded for "13" (or the last, when one source is quoted twice)."""
        return match_numbers(scan_numbers(text), self.entries) or ()

    def traceable(self, sentence: str) -> bool:
        """Can every number in a borrowed sentence be traced to a figure of the same text?"""
        found = [next((f for f in self.figures if f.text == m.text), None)
                 for m in scan_numbers(sentence)]
        if any(f is None for f in found) or FOREIGN_DIGIT.search(sentence):
            return False
        for f in found:
            if f is not None:
                self.figure(f)
        return True


def match_numbers(found: Sequence[Mention], entries: Sequence[SummaryNumber]
           ) -> tuple[SummaryNumber, ...] | None:
    """Pair each number found with its entry (the n-th of its text), or None if one has none."""
    seen: Counter[str] = Counter()
    out: list[SummaryNumber] = []
    for m in found:
        same = [n for n in entries if n.text == m.text]
        if not same:
            return None
        out.append(same[min(seen[m.text], len(same) - 1)])
        seen[m.text] += 1
    return tuple(out)
