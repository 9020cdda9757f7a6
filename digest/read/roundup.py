"""Roundup articles: a header line, the article's prose, and embedded social posts.

The format (the seed is one; real pages saved as text are others)::

     date 2024-08-13 keyword keyword ...        <- optional header; the date must be ISO

    The article's own paragraphs (kept as Prose, context for the summary).

    TEXT [pic.twitter.com/… | https://t.co/…] — Display Name (@handle) Month D, YYYY

What a post's byline may look like is in attribution.py; where a post that ends at a byline
begins, in post_start.py (and on a flat page, where its earlier lines are separate blocks,
in flat_post.py). This module cuts the text into blocks and assembles them.

Blocks. A page saved with blank lines between its paragraphs has a block per paragraph (a run
of non-blank lines); a page saved with none (a "flat" page: most of its lines touch another)
has a block per line, since there a line is what a paragraph was. Either way a line that ends
in a byline ends its block (posts pasted one per line), and a line that is a byline or marker
by itself ("Name (@handle)", "Post by @x", a bare status URL) is a block of its own.

Never refusing. A page with no recognisable post is still read: its prose makes the edition,
and the Document carries a warning saying so. A byline whose date cannot be read is a warning
naming its line; the post takes the article's date. Only a page with no text is an error.

List markers ("1.", "2)", "iv.", "•"), separators with no letters in them and an embed's
furniture ("View on Threads", "[image or embed]") are neither posts nor prose.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import statistics
from dataclasses import dataclass, field

from digest.errors import SourceError
from digest.model import Document, Post, Prose
from digest.read import attribution as attr
from digest.read.attribution import Attribution
from digest.read.common import (
    decode_escapes,
    find_links,
    media_link,
    platform_of,
    post_id,
    strip_media,
)
from digest.read.flat_post import flat_start, is_heading
from digest.read.post_start import MAX_POST_PARAGRAPHS, post_start

FLAT_SHARE = 0.75  # a page saved a paragraph a line: nearly all its lines touch another
# (posts pasted without blank lines inside a paragraph-per-block page touch only in runs)

_HEADER_RE = re.compile(r"^\s*date(?:\s+(?P<date>\S+))?(?:\s+(?P<keywords>.*))?$")
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_MARKER_RE = re.compile(
    rf"^\s*(?:\(?(?:\d{{1,3}}|[a-z]|{_ROMAN})[.):]|#\d{{1,3}}|[-*•·‣▪◦–—])\s*$", re.IGNORECASE
)
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")  # not U+200D: it joins emoji sequences
_QUOTES = ("“", '"', "‘", "'", "«", "„", ">")


@dataclass(slots=True)  # one per line of the page: kept small
class _Line:
    number: int  # 1-based line in the file (two halves of a glued line share one)
    text: str


@dataclass(slots=True)  # one per paragraph (or line) of the page: kept small
class _Block:
    lines: list[_Line]
    gap: int = 0  # blank lines above it
    media: bool = False  # an embed's "[image or embed]" stood just above it
    _text: str | None = None

    @property
    def line(self) -> int:
        return self.lines[0].number

    @property
    def text(self) -> str:
        # Asked often, so kept; a block's lines are all in before it is first asked.
        if self._text is None:
            self._text = "\n".join(line.text.strip() for line in self.lines)
        return self._text

    @property
    def prose(self) -> str:
        # Prose hard-wrapped over several lines reads as one line; a post keeps its breaks.
        return " ".join(line.text.strip() for line in self.lines)


@dataclass
class _Reader:
    where: str
    blocks: list[_Block]
    normal_gap: int
    flat: bool  # a block a line: a post's lines are blocks of their own (flat_post.py)
    said: attr.Said
    captioned: bool = False  # a flat page's heading was seen right above a post
    # The posts; one whose byline printed no date waits for the page's (its id too: _dated).
    posts: list[tuple[Post, Attribution]] = field(default_factory=list)
    # One string per distinct author, handle and date of the page: a page of 100,000 posts by
    # a few thousand people keeps each name once, not once a post (17 MB).
    names: dict[str, str] = field(default_factory=dict)
    prose: list[Prose] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_roundup(text: str, where: str, undated: str | None = None) -> Document:
    """Parse a roundup's text; `where` is the path as the caller gave it, used in sources.
    `undated` dates the posts of a page that has no date anywhere (default: today)."""
    # Text copied from a web page carries no-break and thin spaces around the dash and in the
    # date, and zero-width spaces inside handles; none of them changes a word.
    text = _ODD_SPACES.sub(" ", _INVISIBLE.sub("", text))
    raw = text.split("\n")
    del text  # the page is in its lines now: not held twice while it is read
    date: str | None = None
    keywords: tuple[str, ...] = ()
    first = 0
    while first < len(raw) and not raw[first].strip():
        first += 1
    header = _HEADER_RE.match(raw[first]) if first < len(raw) else None
    # "date 2024-13-45 …" is a broken header; "date night was fun" is an article's first line.
    if header and raw[first].lstrip().startswith("date") and (
            header["date"] is None or re.search(r"\d", header["date"])):
        date = _header_date(header["date"], f"{where}:{first + 1}")
        keywords = tuple((header["keywords"] or "").split())
        first += 1
    lines = _logical_lines(raw[first:], first + 1)
    flat = _is_flat(lines)
    said = attr.Said()
    blocks = _blocks(lines, flat, said)
    if not blocks:
        raise SourceError("no text after the header", where=f"{where}:{first}")
    gaps = [b.gap for b in blocks[1:]]
    reader = _Reader(where, blocks, int(statistics.median(gaps)) if gaps else 1, flat, said)
    _assemble(reader)
    day = date or max((p.date for p, _ in reader.posts if p.date), default=None)
    day = day or undated or dt.date.today().isoformat()
    posts = tuple(post if post.date else _dated(post, day) for post, _ in reader.posts)
    for post, found in reader.posts:
        if found.problem:
            reader.warnings.append(f"{post.source}: byline {found.problem}; the post takes "
                                   f"the page's date, {day}")
    if not posts:
        reader.warnings.append(
            f"{where}: no embedded posts found; the edition is built from the article's prose")
    # A page with no post and no header still dates its edition: by the fallback day.
    date = date or (None if posts else day)
    return Document(path=where, date=date, keywords=keywords, prose=tuple(reader.prose),
                    posts=posts, warnings=tuple(reader.warnings))


def _logical_lines(raw: list[str], first_number: int) -> list[_Line]:
    lines: list[_Line] = []
    for number, line in enumerate(raw, start=first_number):
        line = decode_escapes(line)
        glued = attr.glued_split(line)
        if glued:
            lines.append(_Line(number, glued[0]))
            line = glued[1]
        lines.append(_Line(number, line))
    return lines


def _is_flat(lines: list[_Line]) -> bool:
    """Are most of the page's lines next to another line, with no blank line between?"""
    filled = [i for i, line in enumerate(lines) if line.text.strip()]
    pairs = list(itertools.pairwise(filled))
    touching = sum(1 for above, below in pairs if below == above + 1)
    return bool(pairs) and touching / len(pairs) > FLAT_SHARE


def _blocks(lines: list[_Line], flat: bool, said: attr.Said) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    gap = 0
    media = after_chrome = False
    for line in lines:
        text = line.text.strip()
        if not text:
            current, gap = None, gap if after_chrome else gap + 1
            continue
        if attr.is_chrome(text):
            # Neither post nor prose, and no wider gap either: it is as if it were not there,
            # but "[image or embed]" says the post below had a picture.
            media = media or "image" in text.lower()
            current, after_chrome = None, True
            continue
        alone = said.standalone(text) is not None
        if current is None or flat or alone:
            current = _Block([], gap, media)
            blocks.append(current)
            gap, media, after_chrome = 0, False, False
        current.lines.append(line)
        if flat or alone or _ends_post(text, said):
            current = None
    return blocks


def _ends_post(line: str, said: attr.Said) -> bool:
    """Does this line end a post even without a blank line after it? It ends in a byline,
    and it is not a post quoted inside another one (a line that opens with a quotation mark:
    “Coming home.” — England (@England) July 11, 2021), or it is a date alone (the last line
    of a byline-first embed)."""
    if attr.is_date_line(line):
        return True
    found = said.trailing(line)
    return found is not None and found.kind == "trail" and not line.startswith(_QUOTES)


def _is_marker(block: _Block) -> bool:
    text = block.text
    return bool(_MARKER_RE.match(text)) or not any(ch.isalnum() for ch in text)


def _assemble(reader: _Reader) -> None:
    blocks, said = reader.blocks, reader.said
    floor = 0  # blocks before this index belong to an earlier post or are prose already
    index = 0
    while index < len(blocks):
        block = blocks[index]
        found = said.standalone(block.text) if len(block.lines) == 1 else None
        if found is None:
            found = said.trailing(block.text)
        if found is None:
            index += 1
            continue
        if found.kind == "head":
            end, date = _head_end(blocks, index, said)
            if end is None:  # a "Name (@handle)" line with nothing under it is the writer's
                index += 1
                continue
            found = Attribution("head", "", found.author, found.handle, date)
            _prose_until(reader, floor, index)
            parts = [b.text for b in blocks[index + 1:end] if not attr.is_date_line(b.text)]
            last = blocks[end].text
            if not attr.is_date_line(last):
                parts.append(_without_date_line(last))
            _add(reader, parts, found, blocks[index + 1:end + 1], blocks[index].line)
            floor = index = end + 1
            continue
        if found.kind == "said":
            quoted = _quoted_reply(blocks, index + 1)
            if quoted is None:  # "@user said:" over anything but a quotation is the writer's
                index += 1
                continue
            _prose_until(reader, floor, index)
            _add(reader, [quoted], found, blocks[index:index + 2], blocks[index].line)
            floor = index = index + 2
            continue
        if found.kind == "sound":
            caption = said.trailing(f"{blocks[index - 1].text}\n♬") if index > floor else None
            if caption is None:  # a sound line with no "@user" caption above: not a post
                index += 1
                continue
            _prose_until(reader, floor, index - 1)
            _add(reader, [caption.body], caption, blocks[index - 1:index + 1],
                 blocks[index - 1].line)
            floor = index = index + 1
            continue
        if found.kind in ("url", "view", "inline"):
            start, parts = index, [found.body] if found.body else []
        else:
            def usable(i: int) -> bool:
                return not _is_marker(blocks[i]) and said.standalone(blocks[i].text) is None

            start = post_start(blocks, index, floor, found.body, usable, reader.normal_gap)
            if reader.flat:
                known = "\n".join([b.text for b in blocks[start:index]] + [found.body])
                lowest = max(floor, index - MAX_POST_PARAGRAPHS)
                start = flat_start([b.text for b in blocks], start, known, lowest, usable,
                                   lambda i: _is_marker(blocks[i]), reader.captioned)
                reader.captioned = reader.captioned or (
                    start > floor and is_heading(blocks[start - 1].text))
            parts = [b.text for b in blocks[start:index]] + [found.body]
        _prose_until(reader, floor, start)
        # A block under the byline is never the post's: an embed prints its text, its media
        # link and then its byline. A text with a photo link and no byline of its own there is
        # an embed whose byline the page lost (it stays prose), or the text of the post whose
        # byline stands under it.
        _add(reader, parts, found, blocks[start:index + 1], blocks[start].line)
        floor = index = index + 1
    _prose_until(reader, floor, len(blocks))



_PAIRS = {"“": "”", '"': '"', "‘": "’", "«": "»", "„": "“"}


def _quoted_reply(blocks: list[_Block], index: int) -> str | None:
    """The text of the quotation in blocks[index], opening and closing it whole, or None."""
    if index >= len(blocks) or attr.standalone(blocks[index].text) is not None:
        return None
    text = blocks[index].text.strip()
    close = _PAIRS.get(text[:1])
    if close is None or len(text) < 3 or not text.endswith(close):
        return None
    return text[1:-1].strip()


def _head_end(blocks: list[_Block], head: int,
              said: attr.Said) -> tuple[int | None, dt.date | None]:
    """The last block of a byline-first post: the one that is (or ends in) a date line; or,
    with no date line before the next post, the one block under the byline."""
    limit = min(len(blocks), head + 1 + MAX_POST_PARAGRAPHS)
    for index in range(head + 1, limit):
        block = blocks[index]
        if said.standalone(block.text) is not None or said.trailing(block.text):
            break
        last = block.lines[-1].text
        if attr.is_date_line(last):
            return index, attr.date_line(last)
    if head + 1 < len(blocks) and said.standalone(blocks[head + 1].text) is None:
        return head + 1, None
    return None, None


def _without_date_line(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(lines[:-1]) if lines and attr.is_date_line(lines[-1]) else text


def _prose_until(reader: _Reader, start: int, stop: int) -> None:
    for block in reader.blocks[start:stop]:
        if not _is_marker(block):
            reader.prose.append(Prose(block.prose, f"{reader.where}:{block.line}"))


def _add(reader: _Reader, parts: list[str], found: Attribution, blocks: list[_Block],
         line: int) -> None:
    raw = "\n\n".join(part for part in parts if part)
    text, placeholder = strip_media(raw)
    text = _without_list_marker(text)
    once = reader.names.setdefault
    date = once(found.date.isoformat(), found.date.isoformat()) if found.date else ""
    author = once(found.author, found.author)
    handle = once(found.handle, found.handle) if found.handle is not None else None
    post = Post(
        # Dated by its byline, it is whole now; else it gets the page's date later (_dated).
        id=post_id(handle, author, date, text) if date else "",
        author=author,
        handle=handle,
        date=date,
        text=text,
        links=find_links(text),
        has_media=placeholder or any(b.media for b in blocks),
        source=f"{reader.where}:{line}",
        url=found.url,
        media_link=media_link(raw),
        platform=found.platform or platform_of(found.handle, found.url),
    )
    reader.posts.append((post, found))


def _dated(post: Post, day: str) -> Post:
    """A post whose embed printed no date, with the article's date and its id."""
    return dataclasses.replace(post, date=day,
                               id=post_id(post.handle, post.author, day, post.text))


def _header_date(value: str | None, where: str) -> str:
    try:
        return dt.date.fromisoformat(value or "").isoformat()
    except ValueError:
        raise SourceError(
            f"header date must be YYYY-MM-DD, got {value or 'nothing'!r}", where=where
        ) from None


def _without_list_marker(text: str) -> str:
    """ "1. Trump wins …": the article's list marker written on the post's own line is not the
    post's. Kept when the post goes on to "2." itself: then it is the post's own list."""
    marker = _INLINE_MARKER_RE.match(text)
    if marker is None:
        return text
    following = rf"(?:^|\s){int(marker['n']) + 1}{re.escape(marker['end'])}\s"
    return text if re.search(following, text[marker.end():]) else text[marker.end():]


_INLINE_MARKER_RE = re.compile(r"^\(?(?P<n>\d{1,3})(?P<end>[.)])[ \t]+(?=\S)")
