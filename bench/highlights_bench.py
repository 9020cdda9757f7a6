"""How long pick_highlights takes on 1k, 10k and 50k synthetic posts.

    python bench/highlights_bench.py [--sizes 1000,10000,50000] [--n 8] [--repeat 3]

The posts mimic a busy roundup: a few themes with a Zipf-shaped vocabulary, short and long
posts, 10% copies of earlier posts (retweets, quotes with a comment, a word changed), a figure
on 2% of posts and some article prose. Prints the best of --repeat runs per size (wall
and CPU seconds) and the CPU time per 1,000 posts, which stays flat when the cost is
near-linear, and how many planted copies the near-duplicate pass merged, out of those whose
rapidfuzz ratio to their original reaches the threshold (what an all-pairs pass would find).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz

from digest.edit.highlights import DUP_RATIO, _near_duplicate_leaders, _parse, pick_highlights
from digest.model import Figure, Post, Prose


def synthetic(
    count: int, seed: int = 42
) -> tuple[list[Post], list[Figure], list[Prose], dict[int, int]]:
    rng = random.Random(seed)
    vocab = [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{i:x}" for i in range(20_000)]
    cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))  # Zipf
    themes = [rng.sample(vocab[:2000], 12) for _ in range(25)]
    fillers = ["the", "a", "is", "and", "of", "to", "it", "that", "this", "no"]
    posts: list[Post] = []
    figures: list[Figure] = []
    copies: dict[int, int] = {}  # copy -> its original
    for i in range(count):
        if posts and rng.random() < 0.10:  # a retweet or an edited copy of an earlier post
            copies[i] = rng.randrange(len(posts))
            source = posts[copies[i]]
            words = source.text.split()
            kind = rng.randrange(3)
            if kind == 0:  # a retweet
                text = f"RT @{source.handle}: {source.text}"
            elif kind == 1:  # a quote with a short comment
                text = f"{rng.choice(('so true', 'this', 'wow', 'read this'))}: {source.text}"
            else:  # one word changed
                words[rng.randrange(len(words))] = rng.choice(vocab)
                text = " ".join(words)
        else:
            theme = themes[min(int(rng.paretovariate(1.2)) - 1, len(themes) - 1)]
            length = rng.choice((3, 5, 8, 12, 20, 30, 45))
            words = [
                rng.choice(theme) if rng.random() < 0.3
                else rng.choice(fillers) if rng.random() < 0.3
                else rng.choices(vocab, cum_weights=cum)[0]
                for _ in range(length)
            ]
            text = " ".join(words)
        post = Post(id=f"p{i}", author=f"User {i % 997}", handle=f"user{i % 997}",
                    date="2024-08-13", text=text, source=f"bench.txt:{i + 1}")
        posts.append(post)
        if rng.random() < 0.02:
            figures.append(Figure(f"f{len(figures) + 1}", "1.1m", 1.1e6, None, "listeners",
                                  "measured", post.id, text[:40]))
    prose = [Prose(" ".join(rng.choice(t) for t in themes[:3] for _ in range(4)), f"bench.txt:{i}")
             for i in range(12)]
    return posts, figures, prose, copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # CPU time beside wall time: on a shared machine the wall clock also counts others' work.
    print(f"{'posts':>8} {'wall s':>8} {'cpu s':>8} {'cpu ms/1k posts':>14} {'picked':>7} "
          f"{'copies merged':>13}")
    for size in (int(s) for s in args.sizes.split(",")):
        posts, figures, prose, copies = synthetic(size)
        wall = cpu = float("inf")
        picked = 0
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            picked = len(pick_highlights(posts, figures, args.n, prose=prose))
            wall = min(wall, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
        # How many of the planted copies the bounded near-duplicate pass caught (its recall).
        docs = [_parse(p.text) for p in posts]
        norms = [" ".join(d.terms) for d in docs]
        leaders = _near_duplicate_leaders(norms, [p.text for p in posts])
        due = [i for i, j in copies.items() if fuzz.ratio(norms[i], norms[j]) >= DUP_RATIO]
        caught = sum(leaders[i] != i for i in due)
        print(f"{size:>8} {wall:>8.3f} {cpu:>8.3f} {cpu / size * 1e6:>14.1f} {picked:>7} "
              f"{caught:>7}/{len(due)}")


if __name__ == "__main__":
    main()
