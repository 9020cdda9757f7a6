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

import math
import re
from collections import Counter
from dataclasses import dataclass

from digest.edit.text import lexicon
from digest.edit.text.grammar import is_number_word
from digest.edit.text.sentences import sentences
from digest.edit.text.tokens import STOP, words
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


def _tokens(text: str) -> list[str]:
    return [w for w in words(text) if len(w) >= 2]


def _content(word: str, subject: frozenset[str]) -> bool:
    w = word.lower().replace("’", "'")
    return (len(w) >= 3 and w not in STOP and w not in EXTRA_STOP and w not in subject
            and not is_number_word(w) and w != "times")  # a theme never reads as a number


def find_theme(posts: list[Post], subject: frozenset[str]) -> Theme | None:
    """The most widespread term across the posts beyond the subject, or None."""
    df: Counter[str] = Counter()
    pair_df: Counter[tuple[str, str]] = Counter()
    forms: Counter[tuple[str, str]] = Counter()
    first: dict[str, int] = {}
    for post in posts:
        seen: set[str] = set()
        seen_pairs: set[tuple[str, str]] = set()
        for clause in re.split(r"[.,;:!?()\[\]\"“”—–\n]+", f"{post.title or ''}. {post.text}"):
            words = _tokens(clause)
            for i, word in enumerate(words):
                if not _content(word, subject):
                    continue
                low = word.lower()
                seen.add(low)
                first.setdefault(low, len(first))
                if i + 1 < len(words) and _content(words[i + 1], subject):
                    seen_pairs.add((low, words[i + 1].lower()))
                    forms[(f"{word} {words[i + 1]}", low)] += 1
        df.update(seen)
        pair_df.update(seen_pairs)
    floor = max(MIN_POSTS, math.ceil(len(posts) / 10))
    # A word in nearly every item ("alert", "read more") is the feed's template, not a theme.
    # Only a long feed shows its template: three of four items may share a real theme.
    templated = len(posts) >= TEMPLATE_ITEMS and all(p.title for p in posts)
    ceiling = len(posts) * TEMPLATE_SHARE if templated else len(posts)
    ranked = [w for w in df if floor <= df[w] <= ceiling]
    if not ranked:
        return None
    word = min(ranked, key=lambda w: (-df[w], first[w]))
    phrase = _surface(posts, word)
    pairs = [(p, n) for p, n in pair_df.items() if word in p and n >= 2 and n * 2 >= df[word]]
    if pairs:
        best = max(pairs, key=lambda x: x[1])[0]
        written = [(n, f) for (f, _), n in forms.items() if tuple(f.lower().split()) == best]
        phrase = max(written)[1] if written else " ".join(best)
    mentions = [p for p in posts
                if word in {t.lower() for t in _tokens(f"{p.title or ''} {p.text}")}]
    # Only people take sides: a feed item (no handle) is a report, and its house style ("the
    # so-called Islamic State") is not a post disputing anything.
    disputes = [p.id for p in mentions if p.handle and _disputes(p, word, phrase)]
    return Theme(word, phrase, tuple(p.id for p in mentions), tuple(disputes))


def _surface(posts: list[Post], word: str) -> str:
    written: Counter[str] = Counter()
    for post in posts:
        written.update(t for t in _tokens(f"{post.title or ''} {post.text}") if t.lower() == word)
    return written.most_common(1)[0][0] if written else word


def _disputes(post: Post, word: str, phrase: str) -> bool:
    text = f"{post.title or ''}. {post.text}" if post.title else post.text
    spans = sentences(text)
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if not re.search(rf"\b{re.escape(word)}\b", sentence, re.IGNORECASE):
            continue
        head = re.escape(phrase.split()[0]) if phrase.split() else re.escape(word)
        quoted = re.search(rf"[\"“‘']\s*(?:{re.escape(word)}|{head})", sentence, re.IGNORECASE)
        comment = text[start:spans[i + 1][1]] if i + 1 < len(spans) else sentence
        if NEGATION.search(comment) or SCEPTIC.search(comment) or quoted or "?" in sentence:
            return True
    return False


def is_disputed(theme: Theme) -> bool:
    """Do most of the posts that raise the theme push back on it?"""
    # Report a dispute only when most of the posts that raise the term push back on it (at
    # least 3, and 60%): negation is common in any text.
    return len(theme.disputes) >= 3 and len(theme.disputes) * 5 >= len(theme.mentions) * 3
