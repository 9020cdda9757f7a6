"""What a highlight's reason quotes from its post, and how it names the post's figures.

A quote is a phrase a reader can take in at a glance: a whole clause where the clause is short,
else a run of words inside one clause that starts where a phrase starts (never mid-word, never
right after "a" or "the") and does not end on a word that needs the next one. Among those,
the one whose words are rarest across the posts wins; a phrase with profanity only when the
post has nothing else to say.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence

from digest.edit.labels import COMMON_ENDINGS, SAYING, VERBISH
from digest.edit.naming import joined, name, short_label
from digest.edit.text import lexicon
from digest.model import Figure

# Where a clause ends: sentence punctuation, a comma, brackets, dashes, a line break. A full
# stop inside "U.S." or "1.1m" and the comma in "2,000" are not boundaries.
# A line break inside a sentence (the next line goes on in lower case) is a wrap, not an end.
_BOUNDARY = re.compile(r"[.!?;:…]+(?=[\s\"”’')\]]|$)|(?<!\d),(?=\s|$)|,(?=\s+\D)|[()\[\]—–]"
                       r"|\n(?![ \t]*[a-z])|\s-\s|\s=\s")
# Where a run inside a long clause may start: after a conjunction or at a word that opens a
# noun phrase or clause ("the", "we", "this"); never inside a noun phrase ("deep state …").
# Not after "who" or "which": what follows them starts with a verb ("were also seized").
_AFTER_TEXT = ("and but or so because while when if as than then since although though yet "
               "where whereas after before until")
_OPENERS_TEXT = ("a an the this that these those his her its their our my your we i you he she "
                 "they it there no every each some all one")
_AFTER = frozenset(_AFTER_TEXT.split())
_OPENERS = frozenset(_OPENERS_TEXT.split())
_LEADING = lexicon.words("leading_conjunctions")
# Words a phrase cannot end on without the next one: "the", "of", "and", "his", "to" …
_DANGLING_TEXT = (
    "a an the of to in on at by for from with and or but as than that this these those his her "
    "its their our my your is are was were be been has have had will would can could not no "
    "very so more most less into onto about over under if when while because who which whose "
    "just only also there here what how why where do does did"
)
_DANGLING = frozenset(_DANGLING_TEXT.split())
# A quote in a reason is the digest's own voice: a cleaner phrase of the post wins.
PROFANITY = re.compile(
    r"\b(?:(?:mother)?fuck\w*|shit\w*|bullshit\w*|cunts?|bitch\w*|ass-?holes?|arse-?holes?"
    r"|bastards?|dickheads?|wank\w*|twats?|piss(?:ed|es|ing)?|crap(?:py)?|bollocks|goddamn\w*"
    r"|damn\w*)\b",
    re.IGNORECASE,
)
MAX_CLAUSE = 12  # words: a clause this short is quoted whole
MAX_RUN = 9  # words: a run inside a longer clause
LIMIT = 80  # characters a quote may take in a one-line reason


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _extend_start(text: str, start: int, floor: int) -> int:
    """Back to the start of the whitespace-delimited token: "2,000-strong", not "strong"."""
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return start


def _candidates(text: str, words: Sequence[tuple[str, int, int]]
                ) -> Iterable[tuple[int, int, bool]]:
    """(first word, last word, reaches the clause's end?) for the phrases worth quoting."""
    for a, b in _clauses(text):
        inside = [i for i, (_, s, e) in enumerate(words) if a <= s and e <= b]
        if not inside:
            continue
        first, last = inside[0], inside[-1]
        while first < last and words[first][0] in _LEADING:
            first += 1  # ", and cables carry less current": the clause, not its conjunction
        if last - first + 1 <= MAX_CLAUSE:
            yield first, last, True
            continue
        for i in inside:
            # A run starts a phrase: the clause's first word, or after a word it cannot follow
            # mid-phrase; so "A perfect insight", never "perfect insight" without its "A".
            after = words[i - 1][0] in _AFTER and not text[words[i - 1][1]].isupper()  # "WHO"
            if i > first and not after and words[i][0] not in _OPENERS:
                continue
            if last - i + 1 <= MAX_CLAUSE:
                yield i, last, True  # the rest of its clause: it reads complete
                continue
            for j in range(min(i + MAX_RUN, last + 1) - 1, i + 1, -1):
                if words[j][0] not in _DANGLING:
                    yield i, j, False
                    break


def snippet(text: str, words: Sequence[tuple[str, int, int]], weight: dict[str, float]) -> str:
    """The most telling phrase of `text` (a post with links and handles blanked out), by the
    summed `weight` of the distinct words it holds."""
    best: tuple[float, int, int, bool] | None = None
    for i, j, whole in _candidates(text, words):
        terms = {words[k][0] for k in range(i, j + 1)}
        score = sum(weight.get(t, 0.0) for t in terms)
        if score <= 0:
            continue
        size = j - i + 1
        short = 0.5 if size < 3 else 0.7 if size == 3 else 1.0  # "Dear mainstream media"
        score *= (1.0 if whole else 0.8) * short / (2.0 + size) ** 0.5
        start = _extend_start(text, words[i][1], 0)
        if len(" ".join(text[start:words[j][2]].split())) > LIMIT:
            score *= 0.7  # it would be clipped: a phrase that fits reads better
        if PROFANITY.search(text, start, words[j][2]):
            score *= 0.1
        if best is None or score > best[0] + 1e-9:
            best = (score, start, words[j][2], not whole and j < _clause_end(words, text, j))
    if best is None:  # no words at all (a post of links or emoji): quote it whole
        return clip(_inner(" ".join(text.split()))) or "(a link)"
    end = best[2]
    opened = re.search(r"(?:^|\s)[\"“‘'][^\"”’']*$", text[best[1]:end])
    if opened and end < len(text) and text[end] in "\"”’'":
        end += 1  # "ancient city 'still standing'": the quote the phrase opened closes too
    phrase = _inner(" ".join(text[best[1]:end].split()))
    return clip(phrase + ("…" if best[3] else ""))


def _clause_end(words: Sequence[tuple[str, int, int]], text: str, j: int) -> int:
    """The index of the last word of the clause word `j` is in."""
    k = j
    while k + 1 < len(words) and not _BOUNDARY.search(text, words[k][2], words[k + 1][1]):
        k += 1
    return k


def _inner(phrase: str) -> str:
    """Quotes inside a quote become single ones, so the reason's “…” stays balanced."""
    phrase = phrase.strip()
    last = phrase.rfind("“")
    if last >= 0 and "”" not in phrase[last:]:
        phrase = phrase[:last] + phrase[last + 1:]  # opened and never closed: “free ad.
    if phrase.endswith("”") and "“" not in phrase:
        phrase = phrase[:-1]
    if phrase.startswith("‘") and "’" not in phrase:
        phrase = phrase[1:]
    if phrase.count('"') % 2:
        phrase = phrase.strip('"')
    return phrase.replace("“", "‘").replace("”", "’").replace('"', "'")


def clip(text: str, limit: int = LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z][\w'’-]*")


def proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """Capitalised words seen inside a sentence, not at its start: names ("Twitter")."""
    return frozenset(itertools.chain.from_iterable(map(_NAME.findall, texts)))


def figure_phrase(f: Figure, names: frozenset[str]) -> str:
    """A figure as the reason names it: "25m promised", "105 mph wind gusts" (a label that
    only started its sentence is not a name, so it goes lower case)."""
    phrase = name(f)
    label = phrase[len(f.text):].strip()
    # The capitalised word of the label ("rise in Battery life" -> "Battery").
    first = next((w for w in label.split() if w[:1].isupper()), "")
    # One capitalised word alone may be a name ("Helene"); a plural or a phrase seldom is.
    common = " " in label or first.endswith(COMMON_ENDINGS) or (
        first.endswith("s") and not first.endswith(("ss", "us", "is")))
    if (first[:1].isupper() and first[1:2].islower() and first not in names and common
            and f.quote.lstrip("“\"‘'").startswith(first)):
        phrase = phrase.replace(first, first[0].lower() + first[1:], 1)
    return phrase


def telling(figures: Sequence[Figure]) -> list[Figure]:
    """The figures a reason may list: quantities in digits. A stated ratio ("three times") is
    a relation the comparisons check, and a number in words ("five days") pads the list."""
    return [f for f in figures if f.unit != "x" and re.search(r"\d", f.text)]


def figure_phrases(figures: Sequence[Figure], names: frozenset[str]) -> list[str]:
    """The figures as a reason lists them; the two ends of a range or a change one sentence
    states go together, as the post said them: "$30 billion to $60 billion loss", "threshold
    from £9,100 to £5,000"."""
    return list(_phrases(figures, names))


def _phrases(figures: Sequence[Figure], names: frozenset[str]) -> Iterator[str]:
    # One by one: a reason lists three, of a post that may hold thousands.
    done: set[str] = set()
    for f in figures:
        if f.id in done:
            continue
        pair = next((g for g in figures if g.id not in done and g.id != f.id
                     and joined(f, g)), None)
        if pair is None:
            yield figure_phrase(f, names)
            continue
        first, second = sorted((f, pair), key=lambda g: f.quote.find(g.text))
        done.update((first.id, second.id))
        label = short_label(second) or short_label(first)
        if joined(first, second) == "change":
            yield f"{label} from {first.text} to {second.text}".strip()
        else:
            yield f"{first.text} to {second.text} {label}".strip()


def first_phrases(figures: Sequence[Figure], names: frozenset[str], n: int) -> list[str]:
    """The first `n` different phrases of `figure_phrases`, reading no further than that takes."""
    out: list[str] = []
    for phrase in _phrases(figures, names):
        if phrase not in out:
            out.append(phrase)
            if len(out) == n:
                break
    return out


# Verbs are no theme: "the 3 posts on “won”" says nothing about what they are on.
_VERB = re.compile(r"(?:[a-z]{3,}ed|won|lost|said|says|made|got|went|came|took|gave|saw|told"
                   r"|think|thinks|know|knows|feel|feels|seem|seems)")


def is_verb(term: str) -> bool:
    return bool(_VERB.fullmatch(term)) or term in VERBISH or term in SAYING
