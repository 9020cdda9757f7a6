"""Pick the posts a reader should see first, each with a reason taken from its scores.

Every step is near-linear in the number of posts; nothing compares all pairs:
1. Near-duplicates (retweets, copies with a comment or a different link) are merged. Candidate
   pairs come from prefix filtering (two texts with word-set Jaccard >= t must share one of the
   rarest words of each), in bounded buckets; rapidfuzz verifies each candidate.
2. Each kept post is scored on salience (MEAD's centroid score: the summed weight, in the
   centroid of all posts and the article's prose, of the words the post uses), on carrying a key
   figure, and on distinctiveness (specific words that few other posts use).
3. Picks are diversified with MMR against the already-picked set (lazy greedy: O(n * posts)),
   where two posts are alike by the words they share beyond the story itself.
Ties are broken by source order, so the same input always gives the same picks and reasons.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from digest.edit.snippets import first_phrases, is_verb, proper_nouns, snippet, telling
from digest.edit.text import lexicon
from digest.edit.text.tokens import STOP
from digest.model import Figure, Highlight, Post, Prose

# Links, @handles and a leading "RT"/"MT" say nothing about what a post is about (a hashtag's
# word does: "#DDoS" stays as "DDoS").
_NOT_WORDS = re.compile(
    r"(?:https?://|www\.|pic\.(?:twitter|x)\.com/)\S+|(?<!\w)@\w+|^\s*(?:RT|MT)\b", re.I
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STOPWORDS = STOP | lexicon.words("highlight_stopwords")
# Words that label many unrelated figures ("39 days", "five days"): no sign of the same thing.
_TIME_WORDS = lexicon.words("time_words")
# Words many posts share without sharing a subject: never named as a theme.
_VAGUE = lexicon.words("vague_words")

DUP_RATIO = 85.0  # rapidfuzz ratio (0-100) of normalised texts at or above which posts are one
DUP_JACCARD = 0.6  # prefix filter: finds every pair of word sets at least this similar
BUCKET_WINDOW = 16  # a word shared by many posts: compare only with its latest posts
PREFIX_MAX = 8  # a long post's copies share its rarest words: a few of them are enough
MMR_LAMBDA = 0.5  # relevance against novelty: short posts share few words, so sims run low
W_SALIENCE, W_FIGURE, W_DISTINCT = 0.55, 0.30, 0.15
SHORT_POST = 2.0  # content words at which a post's salience counts half: one word is no evidence
MMR_ROUNDS = 200  # beyond this many picks, the rest follow in relevance order (bounded cost)
THEME_MIN = 3  # posts sharing a word before it counts as a theme worth naming


@dataclass
class _Doc:
    text: str  # the text with links and handles blanked out, same offsets as the post's text
    terms: list[str]  # every word, normalised, stopwords included
    content: list[str]  # the terms that carry meaning, in order
    vec: dict[str, float]  # L2-normalised TF-IDF over content terms

    @functools.cached_property
    def words(self) -> list[tuple[str, int, int]]:
        """(term, start, end) per word: only the picks need offsets, so only they pay for them."""
        return [(_term(m.group()), m.start(), m.end()) for m in _WORD.finditer(self.text)]


@functools.lru_cache(maxsize=1 << 16)  # words repeat a lot: most lookups are cache hits
def _term(word: str) -> str:
    term = word.lower().replace("’", "'")
    if term.endswith("'s"):
        term = term[:-2]
    # A light plural fold, so "attacks" meets "attack"; "ddos", "boss", "status" stay whole.
    if len(term) >= 5 and term.endswith("s") and term[-2] not in "suio'":
        term = term[:-1]
    return term


def _parse(text: str) -> _Doc:
    blanked = _NOT_WORDS.sub(lambda m: " " * len(m.group()), text)  # keeps the offsets
    terms = list(map(_term, _WORD.findall(blanked)))
    return _Doc(blanked, terms, [t for t in terms if _content(t)], {})


@functools.lru_cache(maxsize=1 << 16)
def _content(term: str) -> bool:
    # Bare numbers are list markers, years, times ("1)", "2024"); a number that matters is a
    # Figure and scored as one. "67m" or "9am" stay words.
    return len(term) > 1 and term not in _STOPWORDS and not term.isdigit()


def _near_duplicate_leaders(norms: Sequence[str], raw: Sequence[str]) -> list[int]:
    """For each post, the index of the first post it nearly duplicates (itself if none)."""
    sets = [set(norm.split()) for norm in norms]
    freq = Counter(t for s in sets for t in s)
    rarest_first = {t: r for r, t in enumerate(sorted(freq, key=lambda t: (freq[t], t)))}
    lengths = [len(norm) for norm in norms]
    reach = DUP_RATIO / (200 - DUP_RATIO)
    exact: dict[str, int] = {}
    buckets: defaultdict[str, list[int]] = defaultdict(list)
    leaders: list[int] = []
    for i, norm in enumerate(norms):
        key = norm or raw[i].strip()  # a post of links only is a duplicate only of its twin
        if key in exact:
            leaders.append(exact[key])
            continue
        ordered = sorted(sets[i], key=rarest_first.__getitem__)
        keep = len(ordered) - math.ceil(DUP_JACCARD * len(ordered)) + 1
        prefix = ordered[: min(PREFIX_MAX, keep)]
        candidates = dict.fromkeys(j for term in prefix for j in buckets[term][-BUCKET_WINDOW:])
        # Indel ratio <= 2*short/(short+long): lengths too far apart can never reach the cutoff.
        low, high = lengths[i] * reach, lengths[i] / reach
        close = [j for j in candidates if low <= lengths[j] <= high]
        match = process.extractOne(
            norm, [norms[j] for j in close], scorer=fuzz.ratio, score_cutoff=DUP_RATIO
        )
        best = close[match[2]] if match else i
        leaders.append(best)
        if best == i:
            exact[key] = i
            for term in prefix:
                buckets[term].append(i)
    return leaders


def _tfidf(terms: Iterable[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(terms)
    vec = {t: (1.0 + math.log(c)) * idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {t: w / norm for t, w in vec.items()}


def _bigrams(doc: _Doc, term: str) -> set[tuple[str, str]]:
    pairs = zip(doc.words, doc.words[1:], strict=False)
    return {(a, b) for (a, _, _), (b, _, _) in pairs
            if term in (a, b) and a != b and _content(a) and _content(b)}


def _key_figures(figures: Sequence[Figure]) -> set[str]:
    """Figures another backs up: the same number again ("8.5 million" twice), or a number of the
    same thing ("1.1m listening live", "25m promised listening live"). Not a lone "6 wives"."""
    groups: defaultdict[object, set[str]] = defaultdict(set)
    for f in figures:
        if f.unit or f.value >= 100:  # "7 days" and "seven hours" back nothing up
            groups[(f"{f.value:.3g}", f.unit)].add(f.id)
        for term in set(_parse(f.label).content) - _TIME_WORDS:
            groups[(term, f.unit)].add(f.id)
    return {fid for ids in groups.values() if len(ids) > 1 for fid in ids}


@dataclass
class _Scored:  # what MMR and the reasons need to know about the kept posts
    idf: dict[str, float]
    post_df: Counter[str]  # how many kept posts use each word
    salience: dict[int, float]  # 0..1, the most central post is 1
    relevance: dict[int, float]
    postings: dict[str, list[tuple[int, float]]]  # word -> (post, TF-IDF weight)


def _score(
    docs: list[_Doc], reps: list[int], prose: list[_Doc], figures: list[float]
) -> _Scored:
    """Relevance = salience (centroid score over posts + prose), figures, specificity."""
    bags = [docs[r].content for r in reps] + [d.content for d in prose]
    df = Counter(t for bag in bags for t in set(bag))
    total = len(bags)
    idf = {t: math.log((1 + total) / (1 + c)) + 1.0 for t, c in df.items()}
    idf_max = max(idf.values(), default=1.0)
    for r in reps:
        docs[r].vec = _tfidf(docs[r].content, idf)
    centroid: defaultdict[str, float] = defaultdict(float)
    for vec in [docs[r].vec for r in reps] + [_tfidf(d.content, idf) for d in prose]:
        for t, w in vec.items():
            centroid[t] += w / total
    post_df = Counter(t for r in reps for t in docs[r].vec)
    rare = max(2, len(reps) // 100)
    salience, relevance = {}, {}
    for r in reps:
        size = len(docs[r].content)
        # A sum over the post's words, not a cosine: the cosine divides out how much of the story
        # a post tells, so a bare "The vote!" outranks a post that says what the vote meant.
        # (Degree centrality in the post + prose graph; measured on real roundups against the
        # cosine, TextRank and LexRank, it agreed best with what editors picked.)
        told = sum(centroid[t] for t in docs[r].vec)
        salience[r] = told * size / (size + SHORT_POST)
    top = max(salience.values()) or 1.0
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for r, carried in zip(reps, figures, strict=True):
        specific = sum(idf[t] / idf_max for t in docs[r].vec if post_df[t] <= rare)
        relevance[r] = (
            W_SALIENCE * salience[r] / top
            + W_FIGURE * carried
            + W_DISTINCT * (1.0 - math.exp(-specific / 2.0))
        )
        for t, w in docs[r].vec.items():
            postings[t].append((r, w))
    return _Scored(idf, post_df, {r: v / top for r, v in salience.items()}, relevance, postings)


def _diversify(
    docs: list[_Doc], norms: list[str], scored: _Scored, dropped: dict[int, int], n: int,
    story: set[str],
) -> list[int]:
    """MMR, lazily: a post's score only falls as picks accrue, so a popped fresh score wins.

    Every post of a roundup names the story ("the vote"): sharing those words makes two posts
    no more alike, so similarity counts only the words beyond the story.
    """
    relevance = scored.relevance
    closest = dict.fromkeys(relevance, 0.0)  # highest similarity to any post picked so far

    def mmr(r: int) -> float:
        return MMR_LAMBDA * relevance[r] - (1.0 - MMR_LAMBDA) * closest[r]

    heap = [(-mmr(r), r) for r in relevance]
    heapq.heapify(heap)
    picks: list[int] = []
    merged: set[int] = set()
    while heap and len(picks) < min(n, MMR_ROUNDS):
        score, r = heapq.heappop(heap)
        if -score > mmr(r) + 1e-12:  # stale: a pick since made it less novel; re-queue
            heapq.heappush(heap, (-mmr(r), r))
            continue
        # Buckets are bounded, so on huge inputs a copy can slip through: check it against the
        # picks themselves (n x n comparisons at most), so two near-copies are never both shown.
        twin = process.extractOne(
            norms[r], [norms[p] for p in picks], scorer=fuzz.ratio, score_cutoff=DUP_RATIO
        ) if norms[r] else None
        if twin:
            dropped[picks[twin[2]]] += 1 + dropped[r]
            merged.add(r)
            continue
        picks.append(r)
        sims: defaultdict[int, float] = defaultdict(float)
        for t, w in docs[r].vec.items():
            if t in story:
                continue
            for other, w2 in scored.postings[t]:
                sims[other] += w * w2
        for other, sim in sims.items():
            closest[other] = max(closest[other], sim)
    if len(picks) < n:  # past MMR_ROUNDS: the rest by relevance (bucket-deduplicated only)
        chosen = merged.union(picks)
        rest = sorted((r for r in relevance if r not in chosen), key=lambda r: (-relevance[r], r))
        picks += rest[: n - len(picks)]
    return picks


class _Explainer:
    """One line per pick from its strongest signal; remembers what earlier picks already said."""

    def __init__(self, docs: list[_Doc], scored: _Scored, story: set[str], key: set[str],
                 names: frozenset[str] = frozenset()):
        self.docs, self.scored, self.story, self.key = docs, scored, story, key
        self.names = names  # capitalised words that are names, not sentence starts
        self.covered: set[str] = set()  # words earlier picks used: a quote should say more
        self.named: set[str] = set()  # themes already named
        self.first = True
        self.pairs: dict[str, Counter[tuple[str, str]]] = {}  # per theme word, for all picks
        self.groups: dict[tuple[str, ...], tuple[list[int], str]] = {}

    def _theme(self, term: str, doc: _Doc) -> tuple[list[int], str]:
        """The posts that share the theme, and the theme as they write it ("DDoS attack").

        A word pair stands for the theme when 3 in 4 of the posts with the word use it and this
        post does too; the group is then the posts with that pair, so no post is counted off it.
        """
        members = {m: self.docs[m] for m, _ in self.scored.postings[term]}
        if term not in self.pairs:
            self.pairs[term] = Counter(p for m in members.values() for p in _bigrams(m, term))
        own = [(c, pair) for pair, c in self.pairs[term].items() if pair in _bigrams(doc, term)]
        # Sets iterate in a per-process hash order: break ties on the words, never on that order.
        best = min(own, key=lambda cp: (-cp[0], cp[1]), default=(0, (term, "")))
        phrase = best[1] if best[0] >= max(2, len(members) * 0.75) else (term,)
        if phrase in self.groups:
            return self.groups[phrase]
        group: list[int] = []  # the posts that use the phrase, and how they most often write it
        surfaces: Counter[str] = Counter()
        for i, other in members.items():
            for k in range(len(other.words) - len(phrase) + 1):
                if tuple(w[0] for w in other.words[k : k + len(phrase)]) == phrase:
                    start, end = other.words[k][1], other.words[k + len(phrase) - 1][2]
                    surfaces[" ".join(other.text[start:end].split())] += 1
                    if not group or group[-1] != i:
                        group.append(i)
        self.groups[phrase] = group, max(surfaces.items(), key=lambda kv: kv[1])[0]
        return self.groups[phrase]

    @staticmethod
    def quote(doc: _Doc, weight: dict[str, float]) -> str:
        return snippet(doc.text, doc.words, weight)

    def __call__(self, r: int, figures: list[Figure]) -> str:
        doc, scored, first = self.docs[r], self.scored, self.first
        weight = {t: scored.idf[t] * (0.25 if t in self.covered else 1.0) for t in doc.vec}
        self.covered.update(doc.vec)
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
        themes = [t for t in doc.vec if scored.post_df[t] >= THEME_MIN and t not in self.story
                  and t not in _TIME_WORDS | _VAGUE and not is_verb(t)]  # "year", "won"
        # The biggest group the post clearly belongs to: group size times the word's weight.
        theme = max(themes, key=lambda t: doc.vec[t] * scored.post_df[t], default="")
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


def pick_highlights(
    posts: Sequence[Post], figures: Sequence[Figure], n: int, prose: Sequence[Prose] = ()
) -> list[Highlight]:
    """The `n` best posts (all of them, near-duplicates merged, if there are fewer), best first."""
    if not posts or n < 1:
        return []
    docs = [_parse(p.text if not p.title else f"{p.title}. {p.text}") for p in posts]
    norms = [" ".join(d.terms) for d in docs]
    leaders = _near_duplicate_leaders(norms, [p.text for p in posts])
    figs_of: defaultdict[str, list[Figure]] = defaultdict(list)
    for fig in figures:
        figs_of[fig.post].append(fig)
    clusters: defaultdict[int, list[int]] = defaultdict(list)
    for i, leader in enumerate(leaders):
        clusters[leader].append(i)
    # The kept copy: the one with most figures, then the fullest text, then the earliest.
    reps = sorted(
        max(members, key=lambda i: (len(figs_of[posts[i].id]), len(docs[i].terms), -i))
        for members in clusters.values()
    )
    dropped = {r: len(clusters[leaders[r]]) - 1 for r in reps}
    key = _key_figures(figures)
    # A key figure counts twice as much as a lone one; each more adds less (1 - product).
    carried = [
        1.0 - math.prod(1.0 - (0.5 if f.id in key else 0.25) for f in figs_of[posts[r].id])
        for r in reps
    ]
    prose_docs = [_parse(p.text) for p in prose]
    scored = _score(docs, reps, prose_docs, carried)
    # The event itself (named in each article's lead paragraph, or by most posts) is no theme
    # ("8 posts on Trump" says nothing in a digest about Trump) and makes no two posts alike.
    # "Most" needs THEME_MIN posts: in three posts, two that paraphrase each other are no story.
    leads: dict[str, list[str]] = {}
    for p, doc in zip(prose, prose_docs, strict=True):
        leads.setdefault(p.source.rsplit(":", 1)[0], doc.content)
    story = {t for terms in leads.values() for t in terms}
    story.update(t for t, c in scored.post_df.items() if c > len(reps) / 2 and c >= THEME_MIN)
    picks = _diversify(docs, norms, scored, dropped, n, story)
    names = proper_nouns([*(p.text for p in posts), *(p.text for p in prose)])
    explain = _Explainer(docs, scored, story, key, names)
    highlights = []
    for r in picks:
        reason = explain(r, figs_of[posts[r].id])
        if dropped[r]:
            copies = "copy" if dropped[r] == 1 else "copies"
            reason += f" (and {dropped[r]} near-identical {copies})"
        highlights.append(Highlight(posts[r].id, reason, round(scored.relevance[r], 4)))
    return highlights
