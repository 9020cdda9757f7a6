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
The steps live beside this module: duplicates.py (1), salience.py (2), reasons.py (each
pick's reason); this one picks.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from digest.edit.duplicates import DUP_RATIO, near_duplicate_leaders
from digest.edit.duplicates import near_duplicate_leaders as _near_duplicate_leaders
from digest.edit.reasons import THEME_MIN, Explainer, key_figures
from digest.edit.salience import Doc, Scored, parse, score
from digest.edit.salience import parse as _parse
from digest.edit.snippets import proper_nouns
from digest.model import Figure, Highlight, Post, Prose

# What bench/highlights_bench.py reads from here, besides pick_highlights.
__all__ = ["DUP_RATIO", "_near_duplicate_leaders", "_parse", "pick_highlights"]

MMR_LAMBDA = 0.5  # relevance against novelty: short posts share few words, so sims run low
MMR_ROUNDS = 200  # beyond this many picks, the rest follow in relevance order (bounded cost)


def _count(norm: str) -> int:
    """How many words a normalised text holds (spaces between them, none empty)."""
    return norm.count(" ") + 1 if norm else 0


def _diversify(
    docs: list[Doc], norms: list[str], scored: Scored, dropped: dict[int, int], n: int,
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


def pick_highlights(
    posts: Sequence[Post], figures: Sequence[Figure], n: int, prose: Sequence[Prose] = ()
) -> list[Highlight]:
    """The `n` best posts (all of them, near-duplicates merged, if there are fewer), best first."""
    if not posts or n < 1:
        return []
    docs = [parse(p.text if not p.title else f"{p.title}. {p.text}") for p in posts]
    norms = [d.norm for d in docs]
    leaders = near_duplicate_leaders(norms, [p.text for p in posts])
    figs_of: dict[str, list[Figure]] = {}  # only the posts with figures: most have none
    for fig in figures:
        figs_of.setdefault(fig.post, []).append(fig)
    # A leader's copies (most posts have none: no list is made for them).
    copies_of: dict[int, list[int]] = {}
    for i, leader in enumerate(leaders):
        if leader != i:
            copies_of.setdefault(leader, []).append(i)
    # The kept copy: the one with most figures, then the fullest text, then the earliest.
    reps = sorted(
        max([i, *copies_of[i]], key=lambda j: (len(figs_of.get(posts[j].id, ())),
                                               _count(norms[j]), -j)) if i in copies_of else i
        for i, leader in enumerate(leaders) if leader == i
    )
    dropped = {r: len(copies_of.get(leaders[r], ())) for r in reps}
    key = key_figures(figures)
    # A key figure counts twice as much as a lone one; each more adds less (1 - product).
    carried = [
        1.0 - math.prod(1.0 - (0.5 if f.id in key else 0.25)
                        for f in figs_of.get(posts[r].id, ()))
        for r in reps
    ]
    prose_docs = [parse(p.text) for p in prose]
    scored = score(docs, reps, prose_docs, carried)
    # The event itself (named in each article's lead paragraph, or by most posts) is no theme
    # ("8 posts on Trump" says nothing in a digest about Trump) and makes no two posts alike.
    # "Most" needs THEME_MIN posts: in three posts, two that paraphrase each other are no story.
    leads: dict[str, tuple[str, ...]] = {}
    for p, doc in zip(prose, prose_docs, strict=True):
        leads.setdefault(p.source.rsplit(":", 1)[0], doc.content or ())
    story = {t for terms in leads.values() for t in terms}
    story.update(t for t, c in scored.post_df.items() if c > len(reps) / 2 and c >= THEME_MIN)
    picks = _diversify(docs, norms, scored, dropped, n, story)
    names = proper_nouns([*(p.text for p in posts), *(p.text for p in prose)])
    explain = Explainer(docs, scored, story, key, names)
    highlights = []
    for r in picks:
        reason = explain(r, figs_of.get(posts[r].id, []))
        if dropped[r]:
            copies = "copy" if dropped[r] == 1 else "copies"
            reason += f" (and {dropped[r]} near-identical {copies})"
        highlights.append(Highlight(posts[r].id, reason, round(scored.relevance[r], 4)))
    return highlights
