"""Value objects passed between the pipeline stages. All frozen: stages return new values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Post:
    """One social post (or feed item), as read from a source."""

    id: str  # stable: a hash of handle, date and text, so the same post in two sources is one
    author: str
    handle: str | None  # without the "@"; None where the source has no handle (feeds)
    date: str  # ISO date, YYYY-MM-DD
    text: str
    links: tuple[str, ...] = ()  # absolute https URLs, in order of appearance
    has_media: bool = False
    source: str = ""  # "path:line" where the post starts
    url: str | None = None  # the post's own permalink, where the source gives one
    title: str | None = None  # feed items have a headline
    # Where the post's media lives on its platform (pic.twitter.com/…): opening it opens the
    # post, so a card with no permalink links there rather than to a search.
    media_link: str | None = None
    image: str | None = None  # an https image URL the card shows (feeds, JSON "image")
    image_alt: str | None = None  # its alt text, as the source gives it
    avatar: str | None = None  # the author's picture (JSON "avatar"), https
    platform: str | None = None  # "x", "bluesky", "mastodon", "threads", ... where known


@dataclass(frozen=True)
class Prose:
    """A paragraph of the article's own words, kept as context; not a post."""

    text: str
    source: str  # "path:line"


@dataclass(frozen=True)
class Document:
    """Everything one source file (or URL) gave: its own prose and the posts it embeds."""

    path: str
    date: str | None  # the source's own date (roundup header, feed date), ISO
    keywords: tuple[str, ...] = ()
    title: str | None = None
    prose: tuple[Prose, ...] = ()
    posts: tuple[Post, ...] = ()
    # What the reader could not make sense of but read past, one line each ("path:line: …"):
    # the CLI prints them; they never stop a build.
    warnings: tuple[str, ...] = ()
    kind: str = ""  # "roundup", "feed" or "json": feed items age out ([build] max_age)


FigureKind = Literal["measured", "claimed", "metric", "share", "money", "count"]


@dataclass(frozen=True)
class Figure:
    """A number that matters, normalised, with what it counts and where it was said."""

    id: str  # "f1", "f2", ... in order of appearance
    text: str  # exactly as written: "1.1m", "£45 billion", "4.4%"
    value: float  # normalised magnitude: 1.1m -> 1100000, 4.4% -> 4.4
    unit: str | None  # "%", an ISO currency code ("GBP"), "mph", "C", ... or None for counts
    label: str  # what it counts, in the source's words: "listening live", "impressions"
    kind: FigureKind
    post: str  # id of the post it came from, or the prose paragraph's "path:line"
    quote: str  # the sentence it comes from
    # Its structure, read by later steps instead of parsing the label back:
    claim: str | None = None  # the promise word of a promise or target ("promised", "pledged")
    change: str | None = None  # "rise" or "fall" for a share that moved ("up 5.7%")
    start: int = -1  # where the number starts in `quote`


@dataclass(frozen=True)
class Comparison:
    """A relation between figures that count the same thing, with the derived result."""

    figures: tuple[str, ...]  # figure ids, in the order the operation takes them
    operation: str  # "ratio", "share", "difference", ...
    result: float
    text: str  # how a reader would say it: "4.4% of the 25m promised"
    formula: str  # the sum shown to the reader: "1,100,000 / 25,000,000 = 4.4%"
    verified: bool | None = None  # True/False when a post states the same number, else None
    stated: str | None = None  # the figure id of the stated number that was checked


@dataclass(frozen=True)
class Highlight:
    post: str  # post id
    reason: str  # one line a reader understands
    score: float = 0.0


SourceKind = Literal["figure", "comparison", "count"]


@dataclass(frozen=True)
class SummaryNumber:
    """One number that appears in the summary text, and what it traces back to."""

    text: str  # as it appears in the summary
    source: SourceKind
    ref: str  # figure id, comparison index ("c0") or a description of the count
    detail: str = ""  # e.g. the posts counted, or the comparison's formula


@dataclass(frozen=True)
class Summary:
    text: str  # 2-4 plain sentences
    headline: str  # the event in a few words: the default title and subject
    preheader: str  # the inbox preview line, under ~140 characters
    numbers: tuple[SummaryNumber, ...] = ()


@dataclass(frozen=True)
class Edition:
    """Everything decided about one digest, before rendering. edition.json is its dump."""

    edition: str  # id, by default the ISO date: "2024-08-13"
    date: str
    title: str
    subject: str
    preheader: str
    summary: str
    posts: tuple[Post, ...]
    highlights: tuple[Highlight, ...]
    figures: tuple[Figure, ...]
    comparisons: tuple[Comparison, ...] = ()
    summary_numbers: tuple[SummaryNumber, ...] = ()
    sources: tuple[str, ...] = ()
    prose: tuple[Prose, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def post(self, post_id: str) -> Post:
        for post in self.posts:
            if post.id == post_id:
                return post
        raise KeyError(post_id)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data.update(self.extra)
        return data


def edition_from_json(data: dict[str, Any]) -> Edition:
    """Inverse of Edition.to_json, for commands that work on an edition already built."""
    known = {
        "edition", "date", "title", "subject", "preheader", "summary", "sources",
    }
    return Edition(
        **{k: data[k] for k in known if k in data},
        posts=tuple(_post_from_json(p) for p in data["posts"]),
        highlights=tuple(Highlight(**h) for h in data.get("highlights", ())),
        figures=tuple(Figure(**f) for f in data.get("figures", ())),
        comparisons=tuple(
            Comparison(**{**c, "figures": tuple(c["figures"])}) for c in data.get("comparisons", ())
        ),
        summary_numbers=tuple(SummaryNumber(**n) for n in data.get("summary_numbers", ())),
        prose=tuple(Prose(**p) for p in data.get("prose", ())),
    )


def _post_from_json(data: dict[str, Any]) -> Post:
    """A post of edition.json; a lean edition's stub (no "text", see
    digest.publish.edition_json) comes back with an empty text."""
    if "text" not in data:
        return Post(id=data["id"], author=data["author"], handle=data.get("handle"),
                    date=data["date"], text="", source=data.get("source", ""),
                    url=data.get("url"))
    return Post(**{**data, "links": tuple(data.get("links", ()))})
