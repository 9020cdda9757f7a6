"""Our highlight picks against sumy's LexRank baseline, on the seed or any sources.

    python bench/highlights_lexrank.py [SOURCE ...] [--n 8]      (needs the `bench` extra: sumy)
    python bench/highlights_lexrank.py --scale 500,1000,2000     (CPU time of both, synthetic)

LexRank (Erkan & Radev 2004) ranks each post by its centrality in the graph of post-to-post
TF-IDF cosine similarities, using sumy's LexRankSummarizer (its stop words, Snowball stemmer, tf,
idf, similarity matrix and power method). sumy's default Tokenizer needs NLTK's punkt data,
which cannot be downloaded here, so each post is handed to sumy as one sentence with a simple
regex word tokenizer: the baseline ranks whole posts, as our picker does.

Both lists are printed best first, then a few plain measures: how many picks carry a figure,
how many distinct posters and themes they cover, and the most similar pair among the picks.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rapidfuzz import fuzz
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

from digest.edit.figures import find_figures
from digest.edit.highlights import pick_highlights
from digest.model import Post
from digest.read import dedupe_posts, read_sources


class PostTokenizer:
    """What sumy asks of a tokenizer, without NLTK data: a post is one sentence."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return [" ".join(paragraph.split())]

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"[^\W_]+(?:['’][^\W_]+)*", sentence)


def lexrank(posts: list[Post], n: int) -> list[tuple[Post, float]]:
    tokenizer = PostTokenizer()
    sentences = [Sentence(" ".join(p.text.split()), tokenizer) for p in posts]
    document = ObjectDocumentModel([Paragraph([s]) for s in sentences])
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    # LexRankSummarizer.__call__ returns the top sentences in document order; its steps are
    # repeated here to keep the scores, so the baseline is shown best first like ours.
    words = [summarizer._to_words_set(s) for s in document.sentences]
    tf = summarizer._compute_tf(words)
    idf = summarizer._compute_idf(words)
    matrix = summarizer._create_matrix(words, summarizer.threshold, tf, idf)
    scores = summarizer.power_method(matrix, summarizer.epsilon)
    ranked = sorted(range(len(posts)), key=lambda i: (-float(scores[i]), i))
    return [(posts[i], float(scores[i])) for i in ranked[:n]]


def measures(picks: list[Post], figure_posts: set[str]) -> str:
    """Plain, input-independent measures of a pick list (no knowledge of the seed)."""
    stop = get_stop_words("english")
    worst = max(
        ((fuzz.token_set_ratio(a.text, b.text), a, b)
         for i, a in enumerate(picks) for b in picks[i + 1 :]),
        key=lambda x: x[0], default=(0.0, None, None),
    )
    pair = f"@{worst[1].handle} / @{worst[2].handle}" if worst[1] and worst[2] else "-"
    words = Counter(
        w for p in picks for w in {w.lower() for w in PostTokenizer().to_words(p.text)}
        if w.lower() not in stop and len(w) > 2
    )
    common = ", ".join(f"'{w}' {c}" for w, c in words.most_common(3))
    return (
        f"  carry a figure: {sum(p.id in figure_posts for p in picks)} of {len(picks)}; "
        f"distinct authors: {len({p.author for p in picks})}; words most repeated across "
        f"picks: {common}; most similar pair: token_set_ratio {worst[0]:.0f} ({pair})"
    )


def scale(sizes: list[int], n: int) -> None:
    """CPU seconds of both on the synthetic posts of highlights_bench (LexRank is all-pairs)."""
    from highlights_bench import synthetic

    print(f"{'posts':>7} {'ours s':>8} {'LexRank s':>10}")
    for size in sizes:
        posts, figures, prose, _ = synthetic(size)
        start = time.process_time()
        pick_highlights(posts, figures, n, prose=prose)
        ours = time.process_time() - start
        start = time.process_time()
        lexrank(posts, n)
        print(f"{size:>7} {ours:>8.2f} {time.process_time() - start:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", default=["seeds"])
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--scale", default="", help="also time both on N synthetic posts: 500,2000")
    args = parser.parse_args()
    if args.scale:
        scale([int(x) for x in args.scale.split(",")], args.n)
        return
    documents = read_sources(args.sources)
    posts = dedupe_posts([p for d in documents for p in d.posts])
    prose = [p for d in documents for p in d.prose]
    figures = find_figures(posts)
    figure_posts = {f.post for f in figures}
    by_id = {p.id: p for p in posts}

    print(f"{len(posts)} posts, {len(prose)} prose paragraphs, {len(figures)} figures\n")
    print(f"digest.edit.highlights (top {args.n}):")
    ours = pick_highlights(posts, figures, args.n, prose=prose)
    for rank, h in enumerate(ours, 1):
        p = by_id[h.post]
        print(f"{rank:2}. {h.score:.3f} @{p.handle}: {p.text[:70]!r}\n      why: {h.reason}")
    print(measures([by_id[h.post] for h in ours], figure_posts))

    print(f"\nsumy LexRank (top {args.n}):")
    theirs = lexrank(posts, args.n)
    for rank, (p, score) in enumerate(theirs, 1):
        print(f"{rank:2}. {score:.3f} @{p.handle}: {p.text[:70]!r}")
    print(measures([p for p, _ in theirs], figure_posts))
    both = {h.post for h in ours} & {p.id for p, _ in theirs}
    print(f"\nin both lists: {len(both)} of {args.n}")


if __name__ == "__main__":
    main()
