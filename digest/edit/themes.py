"""Themes: what the posts talk about beyond the subject, counted, and how many push back on it.

The rule, kept simple so an editor can check it by hand:
1. A term is a word of three letters or more that is not a stop word, or two such words side by
   side. Its weight is the number of posts it appears in (document frequency, not raw counts,
   so one chatty post cannot make a theme).
2. Words of the subject itself (the source's keywords, else its title) are left out: every post
   mentions them, and the theme is what the posts say about the subject.
3. The theme is the word in most posts (at least three, and at least a tenth of them: two
   posts sharing a word is chance, not a theme; ties go to the earliest). If a two-word phrase
   holding it (two words side by side, no punctuation between) appears in at least two posts
   and half of those that have the word, the phrase names the theme ("DDoS attack" rather than
   "DDoS"); the count stays with the word.
4. Stance: a post disputes the theme when the sentence that mentions it, or the one right
   after (where a post comments on what it just said), holds a negation ("no", "nobody",
   "isn't", "didn't"), a sceptic's word ("apparently", "so-called", "skeptic", "impossible"),
   scare quotes around the term, or is a question. Only social posts (with a handle) take
   sides; feed items are reports.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from digest.edit.text import lexicon
from digest.edit.text.grammar import is_number_word
from digest.edit.text.reading import BREAK, Texts
from digest.edit.text.sentences import sentences
from digest.edit.text.tokens import STOP
from digest.model import Post

MIN_POSTS = 3
TEMPLATE_SHARE = 0.6
TEMPLATE_ITEMS = 10
EXTRA_STOP = lexicon.words("theme_stop") | lexicon.words("foreign_stop")
NEGATION = re.compile(
    r"\b(?:no|not|never|nobody|none|nothing|nor|cannot)\b|n['’]t\b", re.IGNORECASE)
SCEPTIC = re.compile(
    r"\b(?:doubt\w*|skeptic\w*|sceptic\w*|apparently|supposedly|allegedly|so-called|impossible"
    r"|nonsense|lie|lies|lying|fake|myth|excuse|bogus|ridiculous|laughable|my foot"
    r"|they say|we(?:'re| are) told|yeah,? right|sure it (?:was|is))\b", re.IGNORECASE)


@dataclass(frozen=True)
class Theme:
    word: str  # the counted term, lower case
    phrase: str  # how the posts write it: "DDOS attack"
    mentions: tuple[str, ...]  # ids of the posts that mention it
    disputes: tuple[str, ...]  # ids of those that push back on it


def _content(word: str, subject: frozenset[str]) -> bool:
    w = word.lower().replace("’", "'")
    return (len(w) >= 3 and w not in STOP and w not in EXTRA_STOP and w not in subject
            and not is_number_word(w) and w != "times")  # a theme never reads as a number


def _words(post: Post, texts: Texts) -> tuple[str, ...]:
    """The post's words (its title's first), BREAK between clauses, from the build's reading."""
    words = texts(post.text).words
    return texts(post.title).words + words if post.title else words


class _Lexicon:
    """What each distinct word of the posts is to the themes, asked once per word rather
    than once per use: its lower case where it can be a theme word, else ""."""

    def __init__(self, subject: frozenset[str]) -> None:
        self.low: dict[str, str] = {BREAK: ""}
        self.short: set[str] = set()  # one-letter words: never part of a phrase either
        self.subject = subject

    def learn(self, words: tuple[str, ...]) -> None:
        for word in set(words).difference(self.low):
            self.low[word] = word.lower() if _content(word, self.subject) else ""
            if len(word) == 1:
                self.short.add(word)


def find_theme(posts: list[Post], subject: frozenset[str], *,
               texts: Texts | None = None) -> Theme | None:
    """The most widespread term across the posts beyond the subject, or None. Each post's
    words come from `texts` (the build's readings): they are counted once, and gone over
    again only in the posts that mention the theme."""
    texts = Texts() if texts is None else texts
    lexicon = _Lexicon(subject)
    df: Counter[str] = Counter()  # in order of first use: ties go to the earliest
    for post in posts:
        words = _words(post, texts)
        lexicon.learn(words)
        seen = dict.fromkeys(map(lexicon.low.__getitem__, words))
        seen.pop("", None)
        df.update(seen.keys())
    floor = max(MIN_POSTS, math.ceil(len(posts) / 10))
    # A word in nearly every item ("alert", "read more") is the feed's template, not a theme.
    # Only a long feed shows its template: three of four items may share a real theme.
    templated = len(posts) >= TEMPLATE_ITEMS and all(p.title for p in posts)
    ceiling = len(posts) * TEMPLATE_SHARE if templated else len(posts)
    ranked = [w for w in df if floor <= df[w] <= ceiling]
    if not ranked:
        return None
    word = max(ranked, key=df.__getitem__)  # the first of the most used
    surfaces = {w for w, low in lexicon.low.items() if low == word}  # "DDoS", "ddos"
    mentions = [p for p in posts if not surfaces.isdisjoint(_words(p, texts))]
    phrase = _phrase(mentions, word, df[word], texts, lexicon, surfaces)
    # Only people take sides: a feed item (no handle) is a report, and its house style ("the
    # so-called Islamic State") is not a post disputing anything.
    said = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    head = re.escape(phrase.split()[0]) if phrase.split() else re.escape(word)
    quoted = re.compile(rf"[\"“‘']\s*(?:{re.escape(word)}|{head})", re.IGNORECASE)
    disputes = [p.id for p in mentions if p.handle and _disputes(p, said, quoted)]
    return Theme(word, phrase, tuple(p.id for p in mentions), tuple(disputes))


def _phrase(mentions: list[Post], word: str, count: int, texts: Texts, lexicon: _Lexicon,
            surfaces: set[str]) -> str:
    """How the posts write the theme: its most written form ("DDoS"), or a two-word phrase
    holding it (two words side by side, no punctuation between, one-letter words passed
    over) that at least two posts and half of those with the word use ("DDoS attack"), as
    most often written. Only the words next to the theme's are looked at."""
    low = lexicon.low
    written: Counter[str] = Counter()
    pair_df: Counter[tuple[str, str]] = Counter()
    forms: Counter[tuple[str, str]] = Counter()
    for post in mentions:
        words = list(itertools.filterfalse(lexicon.short.__contains__, _words(post, texts)))
        at = sorted(_positions(words, surfaces))
        written.update(words[i] for i in at)
        seen: dict[tuple[str, str], None] = {}  # in order: ties go to the pair seen first
        starts = {j for k in at for j in (k - 1, k) if 0 <= j < len(words) - 1}
        for i in sorted(starts):  # the pairs the theme's word is in, in order
            a, b = words[i], words[i + 1]
            if low[a] and low[b] and word in (low[a], low[b]):
                seen[(low[a], low[b])] = None
                forms[(f"{a} {b}", low[a])] += 1
        pair_df.update(seen.keys())
    phrase = written.most_common(1)[0][0] if written else word
    pairs = [(p, n) for p, n in pair_df.items() if n >= 2 and n * 2 >= count]
    if pairs:
        best = max(pairs, key=lambda x: x[1])[0]
        said = [(n, f) for (f, _), n in forms.items() if tuple(f.lower().split()) == best]
        phrase = max(said)[1] if said else " ".join(best)
    return phrase


def _positions(words: list[str], surfaces: set[str]) -> list[int]:
    """Where any of `surfaces` stands in `words` (list.index: no loop over every word here)."""
    found = []
    for surface in surfaces:
        at = -1
        while True:
            try:
                at = words.index(surface, at + 1)
            except ValueError:
                break
            found.append(at)
    return found


def _disputes(post: Post, said: re.Pattern[str], quoted: re.Pattern[str]) -> bool:
    text = f"{post.title or ''}. {post.text}" if post.title else post.text
    if not (NEGATION.search(text) or SCEPTIC.search(text) or quoted.search(text)
            or "?" in text):
        return False  # no sentence can hold what the text does not (most posts)
    spans = sentences(text)
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if not said.search(sentence):
            continue
        comment = text[start:spans[i + 1][1]] if i + 1 < len(spans) else sentence
        if NEGATION.search(comment) or SCEPTIC.search(comment) or quoted.search(sentence) or (
                "?" in sentence):
            return True
    return False


def is_disputed(theme: Theme) -> bool:
    """Do most of the posts that raise the theme push back on it?"""
    # Report a dispute only when most of the posts that raise the term push back on it (at
    # least 3, and 60%): negation is common in any text.
    return len(theme.disputes) >= 3 and len(theme.disputes) * 5 >= len(theme.mentions) * 3
