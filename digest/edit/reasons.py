"""The reason a pick is shown, in one line a reader understands, from its strongest signal:
the key figures it carries, the theme it belongs to (and how the posts on it write it), or a
quote of its most telling phrase; each reason remembers what the earlier ones said."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence

from digest.edit.salience import WORD, Doc, Scored, is_content, parse
from digest.edit.snippets import first_phrases, is_verb, snippet, telling
from digest.edit.text import lexicon
from digest.model import Figure

# Words that label many unrelated figures ("39 days", "five days"): no sign of the same thing.
TIME_WORDS = lexicon.words("time_words")
# Words many posts share without sharing a subject: never named as a theme.
_VAGUE = lexicon.words("vague_words")
THEME_MIN = 3  # posts sharing a word before it counts as a theme worth naming


def bigrams(doc: Doc, term: str) -> set[tuple[str, str]]:
    terms = doc.terms
    return {(a, b) for a, b in itertools.pairwise(terms)
            if term in (a, b) and a != b and is_content(a) and is_content(b)}


def _occurrences(terms: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Where `phrase` (one word or two) starts in `terms`, found with list.index."""
    found: list[int] = []
    at = -1
    while True:
        try:
            at = terms.index(phrase[0], at + 1)
        except ValueError:
            return found
        if tuple(terms[at:at + len(phrase)]) == phrase:
            found.append(at)


def key_figures(figures: Sequence[Figure]) -> set[str]:
    """Figures another backs up: the same number again ("8.5 million" twice), or a number of the
    same thing ("1.1m listening live", "25m promised listening live"). Not a lone "6 wives"."""
    groups: defaultdict[object, set[str]] = defaultdict(set)
    for f in figures:
        if f.unit or f.value >= 100:  # "7 days" and "seven hours" back nothing up
            groups[(f"{f.value:.3g}", f.unit)].add(f.id)
        for term in set(parse(f.label).content or ()) - TIME_WORDS:
            groups[(term, f.unit)].add(f.id)
    return {fid for ids in groups.values() if len(ids) > 1 for fid in ids}


class Explainer:
    """One line per pick from its strongest signal; remembers what earlier picks already said."""

    def __init__(self, docs: list[Doc], scored: Scored, story: set[str], key: set[str],
                 names: frozenset[str] = frozenset()):
        self.docs, self.scored, self.story, self.key = docs, scored, story, key
        self.names = names  # capitalised words that are names, not sentence starts
        self.covered: set[str] = set()  # words earlier picks used: a quote should say more
        self.named: set[str] = set()  # themes already named
        self.first = True
        self.pairs: dict[str, Counter[tuple[str, str]]] = {}  # per theme word, for all picks
        self.groups: dict[tuple[str, ...], tuple[list[int], str]] = {}

    def _theme(self, term: str, doc: Doc) -> tuple[list[int], str]:
        """The posts that share the theme, and the theme as they write it ("DDoS attack").

        A word pair stands for the theme when 3 in 4 of the posts with the word use it and this
        post does too; the group is then the posts with that pair, so no post is counted off it.
        """
        members = {m: self.docs[m] for m in self.scored.postings.posts(term)}
        if term not in self.pairs:
            self.pairs[term] = Counter(p for m in members.values() for p in bigrams(m, term))
        own = [(c, pair) for pair, c in self.pairs[term].items() if pair in bigrams(doc, term)]
        # Sets iterate in a per-process hash order: break ties on the words, never on that order.
        best = min(own, key=lambda cp: (-cp[0], cp[1]), default=(0, (term, "")))
        phrase = best[1] if best[0] >= max(2, len(members) * 0.75) else (term,)
        if phrase in self.groups:
            return self.groups[phrase]
        group: list[int] = []  # the posts that use the phrase, and how they most often write it
        surfaces: Counter[str] = Counter()
        for i, other in members.items():
            at = _occurrences(other.terms, phrase)
            if not at:
                continue
            # Offsets only for the posts that use the phrase, and not kept: a theme may have
            # thousands of posts, and only the picks are quoted.
            spans = [(m.start(), m.end()) for m in WORD.finditer(other.text)]
            for k in at:
                start, end = spans[k][0], spans[k + len(phrase) - 1][1]
                surfaces[" ".join(other.text[start:end].split())] += 1
            group.append(i)
        self.groups[phrase] = group, max(surfaces.items(), key=lambda kv: kv[1])[0]
        return self.groups[phrase]

    @staticmethod
    def quote(doc: Doc, weight: dict[str, float]) -> str:
        return snippet(doc.text, doc.words, weight)

    def __call__(self, r: int, figures: list[Figure]) -> str:
        doc, scored, first = self.docs[r], self.scored, self.first
        vec = doc.vec
        weight = {t: scored.idf[t] * (0.25 if t in self.covered else 1.0) for t in vec}
        self.covered.update(vec)
        self.first = False
        own = sorted(telling(figures), key=lambda f: f.id not in self.key)  # key ones first
        # A key figure, money, a share, a measurement or several counts is reason enough; a lone
        # count ("6 wives") is not: such a post is there for what it says, so the reason says so.
        if own and (own[0].id in self.key or len(own) > 2 or any(f.kind != "count" for f in own)):
            # Beside key figures, a count nothing backs up ("17 hot takes") only pads the list.
            shown = [f for f in own if f.id in self.key or f.kind != "count"]
            shown = shown if own[0].id in self.key else own
            said = first_phrases(shown, self.names, 3)
            some = "the key figures" if len(said) > 1 else "a key figure"
            if own[0].id not in self.key:
                some = "the figures" if len(said) > 1 else "a figure"
            listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
            return f"Carries {some}: {listed}"
        themes = [t for t in vec if scored.post_df[t] >= THEME_MIN and t not in self.story
                  and t not in TIME_WORDS | _VAGUE and not is_verb(t)]  # "year", "won"
        # The biggest group the post clearly belongs to: group size times the word's weight.
        theme = max(themes, key=lambda t: vec[t] * scored.post_df[t], default="")
        if theme:
            group, said_as = self._theme(theme, doc)
            phrase = f"the {len(group)} posts on “{said_as}”"
            if said_as.lower() in self.named:
                return f"Another of {phrase}: “{self.quote(doc, weight)}”"
            self.named.add(said_as.lower())
            if max(group, key=lambda m: (scored.salience[m], -m)) == r:
                return f"Most representative of {phrase}"
            return f"Picked from {phrase}: “{self.quote(doc, weight)}”"
        if first:
            return f"Closest to the whole story: “{self.quote(doc, weight)}”"
        return f"A different angle: “{self.quote(doc, weight)}”"
