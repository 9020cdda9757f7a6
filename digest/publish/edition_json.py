"""edition.json: every decision of an edition, written as a stream.

An edition of at most LEAN_ABOVE posts is written whole, exactly as `json.dumps(indent=2,
sort_keys=True)` of Edition.to_json would write it. Above that, a post no decision rests on is
kept as a stub: its id, who, when, where it was read (`source`, "path:line"), its permalink
and a hash of its text (`text_sha256`, the first 16 hex digits), but not the text. A decision
rests on a post when it is picked (a highlight, which the email shows) or when a figure the
summary or a comparison quotes came from it; every figure keeps its own sentence (`quote`), so
what was decided about a stub can still be read. A lean edition.json writes every item of its
lists (posts, figures, …) on one line of its own, and its top-level `lean` says how many
stubs there are.

Why: at 100,000 posts the full dump was 65 MB, a second copy of the sources, read back whole
by every later build (the archive, what earlier editions carried) and by `digest send`; the
decisions themselves are a few hundred kilobytes. 1,000 posts is well above any edition a
reader gets (the seed has 30; a busy roundup a few hundred), so an ordinary edition.json,
the golden seed's among them, is unchanged.

The file is written item by item (each post, figure, … encoded on its own), never as one
string the size of the whole file.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from typing import Any, TextIO

from digest.model import Edition, Post

LEAN_ABOVE = 1000  # posts; above this, posts no decision rests on are kept as stubs
_INDENT = "  "


def _plain(value: object) -> Any:
    """A value object as the dict dataclasses.asdict would give (tuples encode as lists)."""
    try:
        return vars(value)
    except TypeError:
        raise TypeError(f"not JSON serialisable: {type(value).__name__}") from None


_ENCODER = json.JSONEncoder(indent=2, sort_keys=True, ensure_ascii=False, default=_plain)
_LINE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=_plain)  # C, one line


def kept_whole(edition: Edition) -> set[str]:
    """Ids of the posts a decision rests on: the highlights, and the posts of every figure the
    summary or a comparison quotes."""
    quoted = {n.ref for n in edition.summary_numbers if n.source == "figure"}
    for comparison in edition.comparisons:
        quoted.update(comparison.figures)
        if comparison.stated:
            quoted.add(comparison.stated)
    kept = {h.post for h in edition.highlights}
    kept.update(f.post for f in edition.figures if f.id in quoted)
    return kept


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def stub(post: Post) -> dict[str, Any]:
    """What a lean edition.json keeps of a post no decision rests on."""
    data: dict[str, Any] = {"id": post.id, "author": post.author, "date": post.date,
                            "source": post.source, "text_sha256": text_hash(post.text)}
    if post.handle is not None:
        data["handle"] = post.handle
    if post.url is not None:
        data["url"] = post.url
    return data


def top_level(edition: Edition) -> dict[str, Any]:
    data: dict[str, Any] = {name: value for name, value in vars(edition).items()
                            if name != "extra"}
    data.update(edition.extra)
    return data


def write_edition_json(edition: Edition, out: TextIO) -> None:
    """Write edition.json to `out`, item by item (see the module's docstring)."""
    data = top_level(edition)
    lean = len(edition.posts) > LEAN_ABOVE
    whole = kept_whole(edition) if lean else set()
    if lean:
        data["lean"] = {"above": LEAN_ABOVE,
                        "stubs": sum(1 for p in edition.posts if p.id not in whole)}
    out.write("{")
    for n, key in enumerate(sorted(data)):
        out.write(",\n" if n else "\n")
        out.write(f"{_INDENT}{json.dumps(key, ensure_ascii=False)}: ")
        value = data[key]
        if key == "posts" and lean:
            _write_list(out, (_post_line(p, whole) for p in value))
        elif isinstance(value, list | tuple) and value and lean:
            _write_list(out, (_LINE.encode(item) for item in value))
        elif isinstance(value, list | tuple) and value:
            _write_list(out, (_ENCODER.encode(item) for item in value))
        else:
            out.write(_ENCODER.encode(value).replace("\n", "\n" + _INDENT))
    out.write("\n}\n")


def _post_line(post: Post, whole: set[str]) -> str:
    """A post of a lean edition, on one line: whole where a decision rests on it."""
    return _LINE.encode(vars(post) if post.id in whole else stub(post))


def _write_list(out: TextIO, items: Iterable[str]) -> None:
    """A non-empty list at the top level's depth, each item already encoded at depth 0."""
    inner = "\n" + _INDENT * 2
    out.write("[")
    for n, item in enumerate(items):
        out.write("," + inner if n else inner)
        out.write(item.replace("\n", inner))
    out.write("\n" + _INDENT + "]")


def edition_json(edition: Edition) -> str:
    """The whole edition.json as one string (tests, and callers that want the bytes)."""
    buffer = io.StringIO()
    write_edition_json(edition, buffer)
    return buffer.getvalue()
