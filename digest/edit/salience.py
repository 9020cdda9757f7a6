"""What a post is about and how central it is: its words (the highlights' own reading of a
text), TF-IDF over them, and the relevance pick_highlights ranks by.

Relevance = salience (MEAD's centroid score: the summed weight, in the centroid of all posts
and the article's prose, of the words the post uses), carrying a key figure, and
distinctiveness (specific words that few other posts use).

Kept small, since a build may hold 100,000 posts: a post's words are kept as the one string
the near-duplicate pass compares (`norm`); its TF-IDF vector only while it is scored (a pick's
is worked out again from its words and the IDF, the same floats); and the posting lists
(which posts use a word, with what weight) as two arrays per word. The arithmetic is done in
the same order as ever, so the scores are the same floats.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from digest.edit.text import lexicon
from digest.edit.text.tokens import STOP

# Links, @handles and a leading "RT"/"MT" say nothing about what a post is about (a hashtag's
# word does: "#DDoS" stays as "DDoS").
_NOT_WORDS = re.compile(
    r"(?:https?://|www\.|pic\.(?:twitter|x)\.com/)\S+|(?<!\w)@\w+|^\s*(?:RT|MT)\b", re.I
)
# What every match of _NOT_WORDS holds ("@", "://", "www.", "pic.", a leading RT or MT), in
# the case it may take ("ı" and "İ" match "i" there, and lower() makes them no "i"): the texts
# without any (most) are not run through the substitution.
_ODD_I = re.compile("[ıİ]")


def _may_blank(text: str) -> bool:
    if "@" in text or "://" in text or _ODD_I.search(text):
        return True
    low = text.lower()
    return "www." in low or "pic." in low or low.lstrip()[:2] in ("rt", "mt")


WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STOPWORDS = STOP | lexicon.words("highlight_stopwords")

W_SALIENCE, W_FIGURE, W_DISTINCT = 0.55, 0.30, 0.15
SHORT_POST = 2.0  # content words at which a post's salience counts half: one word is no evidence


@functools.lru_cache(maxsize=1 << 16)  # words repeat a lot: most lookups are cache hits
def term(word: str) -> str:
    low = word.lower().replace("’", "'")
    if low.endswith("'s"):
        low = low[:-2]
    # A light plural fold, so "attacks" meets "attack"; "ddos", "boss", "status" stay whole.
    if len(low) >= 5 and low.endswith("s") and low[-2] not in "suio'":
        low = low[:-1]
    return low


@functools.lru_cache(maxsize=1 << 16)
def is_content(word: str) -> bool:
    # Bare numbers are list markers, years, times ("1)", "2024"); a number that matters is a
    # Figure and scored as one. "67m" or "9am" stay words.
    return len(word) > 1 and word not in _STOPWORDS and not word.isdigit()


class Doc:
    """A text as the highlights read it."""

    __slots__ = ("_words", "content", "idf", "keys", "norm", "size", "text")

    def __init__(self, text: str, norm: str, content: tuple[str, ...]) -> None:
        self.text = text  # links and handles blanked out, same offsets as the post's text
        self.norm = norm  # every word, normalised, stopwords included, joined by spaces
        self.size = len(content)  # how many words carry meaning
        self.content: tuple[str, ...] | None = content  # those words, until scored
        self.keys: tuple[str, ...] = ()  # the TF-IDF vector's terms, while scored
        self.idf: dict[str, float] | None = None  # the IDF it was scored with
        self._words: list[tuple[str, int, int]] | None = None

    @property
    def terms(self) -> list[str]:
        return self.norm.split()

    @property
    def vec(self) -> dict[str, float]:
        """The L2-normalised TF-IDF vector it was scored with, worked out again (only picks
        ask): the same terms in the same order, so the same floats."""
        if self.idf is None:
            return {}
        return tfidf(filter(is_content, self.terms), self.idf)

    @property
    def words(self) -> list[tuple[str, int, int]]:
        """(term, start, end) per word: only picks need offsets, so only they pay for them."""
        if self._words is None:
            self._words = [(term(m.group()), m.start(), m.end())
                           for m in WORD.finditer(self.text)]
        return self._words


def parse(text: str) -> Doc:
    blanked = _NOT_WORDS.sub(lambda m: " " * len(m.group()), text) if _may_blank(
        text) else text  # keeps the offsets
    terms = list(map(term, WORD.findall(blanked)))
    return Doc(blanked, " ".join(terms), tuple(filter(is_content, terms)))


# 1 + log(count) for the counts a post's word has (mostly 1): looked up, the same floats.
_DAMPED = [0.0] + [1.0 + math.log(c) for c in range(1, 65)]


def tfidf(terms: Iterable[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(terms)
    vec = {t: (_DAMPED[c] if c < 65 else 1.0 + math.log(c)) * idf[t] for t, c in counts.items()}
    values = list(vec.values())
    norm = math.sqrt(sum(map(operator.mul, values, values))) or 1.0  # in order, as ever
    return {t: w / norm for t, w in vec.items()}


class Postings:
    """Word -> the scored posts that use it (by index) and its weight in each, as arrays."""

    def __init__(self) -> None:
        self.ids: defaultdict[str, array[int]] = defaultdict(lambda: array("i"))
        self.weights: defaultdict[str, array[float]] = defaultdict(lambda: array("d"))

    def add(self, post: int, vec: dict[str, float]) -> None:
        for t, w in vec.items():
            self.ids[t].append(post)
            self.weights[t].append(w)

    def __getitem__(self, word: str) -> Iterable[tuple[int, float]]:
        return zip(self.ids.get(word, ()), self.weights.get(word, ()), strict=True)

    def posts(self, word: str) -> Sequence[int]:
        return self.ids.get(word, ())


@dataclass
class Scored:  # what MMR and the reasons need to know about the kept posts
    idf: dict[str, float]
    post_df: Counter[str]  # how many kept posts use each word
    salience: dict[int, float]  # 0..1, the most central post is 1
    relevance: dict[int, float]
    postings: Postings


def score(docs: list[Doc], reps: list[int], prose: list[Doc], figures: list[float]) -> Scored:
    """Relevance = salience (centroid score over posts + prose), figures, specificity."""
    bags = [docs[r].content or () for r in reps] + [d.content or () for d in prose]
    df = Counter(itertools.chain.from_iterable(map(set, bags)))
    total = len(bags)
    idf = {t: math.log((1 + total) / (1 + c)) + 1.0 for t, c in df.items()}
    idf_max = max(idf.values(), default=1.0)
    centroid: defaultdict[str, float] = defaultdict(float)
    post_df: Counter[str] = Counter()
    postings = Postings()
    for r in reps:
        doc = docs[r]
        vec = tfidf(doc.content or (), idf)
        doc.keys, doc.idf, doc.content = tuple(vec), idf, None
        for t, w in vec.items():
            centroid[t] += w / total
        post_df.update(vec.keys())
        postings.add(r, vec)
    for doc in prose:
        for t, w in tfidf(doc.content or (), idf).items():
            centroid[t] += w / total
    rare = max(2, len(reps) // 100)
    salience, relevance = {}, {}
    for r in reps:
        size = docs[r].size
        # A sum over the post's words, not a cosine: the cosine divides out how much of the story
        # a post tells, so a bare "The vote!" outranks a post that says what the vote meant.
        # (Degree centrality in the post + prose graph; measured on real roundups against the
        # cosine, TextRank and LexRank, it agreed best with what editors picked.)
        told = sum(centroid[t] for t in docs[r].keys)
        salience[r] = told * size / (size + SHORT_POST)
    top = max(salience.values()) or 1.0
    for r, carried in zip(reps, figures, strict=True):
        specific = sum(idf[t] / idf_max for t in docs[r].keys if post_df[t] <= rare)
        relevance[r] = (
            W_SALIENCE * salience[r] / top
            + W_FIGURE * carried
            + W_DISTINCT * (1.0 - math.exp(-specific / 2.0))
        )
        docs[r].keys = ()  # from here on only picks need their vector: see Doc.vec
    return Scored(idf, post_df, {r: v / top for r, v in salience.items()}, relevance, postings)
