"""JSON and JSON Lines exports of posts. The format is documented in docs/formats.md.

Accepted shapes: a JSON list of post objects; a JSON object {"posts": [...]} that may also give
"title", "date" and "prose" (a list of strings) for the document; or JSON Lines, one post
object per line (blank lines skipped). A post object has "text" and "date" and at least one of
"author" and "handle"; "links", "url", "media", "title", "image" (a URL, or {"url", "alt"}),
"image_alt", "avatar" (a URL) and "platform" ("x", "bluesky", "mastodon", "threads") are
optional; other keys are ignored, so exports from other tools that carry extra fields (likes,
ids) read as they are.

Every error names the file and the line where the offending post starts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from digest.errors import SourceError
from digest.model import Document, Post, Prose
from digest.read.common import (
    absolute_https,
    find_links,
    media_link,
    platform_of,
    post_id,
    strip_media,
)

_POSTS_KEY_RE = re.compile(r'"posts"\s*:\s*\[')
_GAP_RE = re.compile(r"[\s,]*")


class _Lines:
    """Offset -> 1-based line number, in O(log n) per lookup."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1


def parse_json(text: str, where: str) -> Document:
    try:
        return _parse_json(text, where)
    except RecursionError:  # json recurses per nesting level
        raise SourceError("invalid JSON: nested too deeply", where=where) from None


def _parse_json(text: str, where: str) -> Document:
    stripped = text.lstrip()
    if stripped.startswith("{") and _is_json_lines(text):
        return _document(list(_json_lines(text, where)), where, {})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg} (column {exc.colno})",
                          where=f"{where}:{exc.lineno}") from None
    lines = _element_lines(text, data)
    if isinstance(data, list):
        items, meta = data, {}
    elif isinstance(data, dict) and isinstance(data.get("posts"), list):
        items, meta = data["posts"], data
    elif isinstance(data, dict) and "posts" not in data and "text" in data:
        # A single post object (or JSON Lines with one line).
        items, meta, lines = [data], {}, [text[: text.index("{")].count("\n") + 1]
    else:
        raise SourceError('expected a list of posts or an object with a "posts" list',
                          where=f"{where}:1")
    return _document([(lines[i] if lines else 1, item) for i, item in enumerate(items)],
                     where, meta)


def _is_json_lines(text: str) -> bool:
    # JSON Lines: the first non-blank line is a whole JSON object on its own.
    first = next((line for line in text.split("\n") if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict) and bool(text.strip()[len(first.strip()):])
    except json.JSONDecodeError:
        return False


def _json_lines(text: str, where: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"invalid JSON: {exc.msg} (column {exc.colno})",
                              where=f"{where}:{number}") from None


def _element_lines(text: str, data: Any) -> list[int] | None:
    """The line each post object starts on, found by decoding the list element by element."""
    if isinstance(data, list):
        start = text.index("[")
    elif isinstance(data, dict) and isinstance(data.get("posts"), list):
        match = _POSTS_KEY_RE.search(text)
        if match is None:
            return None
        start = match.end() - 1
    else:
        return None
    line_of = _Lines(text)
    decoder = json.JSONDecoder()
    lines: list[int] = []
    index = start + 1
    while True:
        gap = _GAP_RE.match(text, index)
        index = gap.end() if gap else index
        if index >= len(text) or text[index] == "]":
            break
        try:
            _, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            return None
        lines.append(line_of(index))
        index = end
    return lines if len(lines) == len(data if isinstance(data, list) else data["posts"]) else None


def _document(items: list[tuple[int, Any]], where: str, meta: dict[str, Any]) -> Document:
    posts = [_post(item, f"{where}:{line}") for line, item in items]
    if not posts:
        raise SourceError("no posts in JSON", where=where)
    prose_items = meta.get("prose", [])
    if not isinstance(prose_items, list) or not all(isinstance(p, str) for p in prose_items):
        raise SourceError('"prose" must be a list of strings', where=where)
    date = meta.get("date")
    return Document(
        path=where,
        date=_date(date, where, "date") if date is not None else None,
        title=str(meta["title"]) if meta.get("title") else None,
        prose=tuple(Prose(p, where) for p in prose_items if p.strip()),
        posts=tuple(posts),
    )


def _date(value: Any, where: str, key: str) -> str:
    # "2024-08-13", or a timestamp "2024-08-13T21:04:00Z" whose day is the date as written.
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    raise SourceError(f'"{key}" must be an ISO date (YYYY-MM-DD), got {value!r}', where=where)


def _string(item: dict[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError(f'"{key}" must be a string, got {type(value).__name__}', where=where)
    return value.strip() or None


def _url(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not re.match(r"https?://[^\s/]+", value.strip(), re.I):
        raise SourceError(f'"{key}" must hold absolute http(s) URLs, got {value!r}', where=where)
    return absolute_https(value.strip())


def _post(item: Any, where: str) -> Post:
    if not isinstance(item, dict):
        raise SourceError(f"a post must be a JSON object, got {type(item).__name__}", where=where)
    text = _string(item, "text", where)
    if text is None:
        raise SourceError('post has no "text"', where=where)
    handle = _string(item, "handle", where)
    handle = handle.lstrip("@") if handle else None
    author = _string(item, "author", where) or handle
    if author is None:
        raise SourceError('post has neither "author" nor "handle"', where=where)
    if "date" not in item:
        raise SourceError('post has no "date"', where=where)
    date = _date(item["date"], where, "date")
    placeholder = media_link(text)
    text, had_placeholder = strip_media(text)
    raw_links = item.get("links")
    if raw_links is None:
        links = find_links(text)
    elif isinstance(raw_links, list):
        links = tuple(dict.fromkeys(_url(link, where, "links") for link in raw_links))
    else:
        raise SourceError('"links" must be a list of URLs', where=where)
    url = _url(item["url"], where, "url") if item.get("url") is not None else None
    media = item.get("media", False)
    if not isinstance(media, bool | list | str):
        raise SourceError('"media" must be true/false or a list of URLs', where=where)
    image, image_alt = _image(item, where)
    avatar = _url(item["avatar"], where, "avatar") if item.get("avatar") is not None else None
    platform = _string(item, "platform", where)
    return Post(
        id=post_id(handle, author, date, text),
        author=author,
        handle=handle,
        date=date,
        text=text,
        links=links,
        has_media=bool(media) or had_placeholder or image is not None,
        source=where,
        url=url,
        title=_string(item, "title", where),
        media_link=placeholder,
        image=image,
        image_alt=image_alt,
        avatar=avatar,
        platform=platform.casefold() if platform else platform_of(handle, url),
    )


def _image(item: dict[str, Any], where: str) -> tuple[str | None, str | None]:
    """ "image": "https://…" with an optional "image_alt", or {"url": …, "alt": …}."""
    value = item.get("image")
    if value is None:
        return None, None
    if isinstance(value, dict):
        if "url" not in value:
            raise SourceError('"image" object has no "url"', where=where)
        alt = _string(value, "alt", where)
        return _url(value["url"], where, "image"), alt
    return _url(value, where, "image"), _string(item, "image_alt", where)
