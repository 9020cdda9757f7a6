"""The reading stage: sources (files, folders, URLs) in, Documents out.

read_sources() picks a reader per source: by extension (.txt/.md roundups, .xml/.rss/.atom
feeds, .json/.jsonl posts), else by sniffing the content. A folder gives every file inside it
(not hidden ones, not sub-folders), sorted by name, and may mix types. dedupe_posts() keeps the
first of posts seen twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from digest.errors import SourceError
from digest.model import Document, Post, Prose
from digest.read.common import clean_text, decode_text, post_id, read_bytes
from digest.read.dedupe import dedupe_posts
from digest.read.roundup import parse_roundup

__all__ = ["dedupe_posts", "read_source", "read_sources"]

_ROUNDUP = {".txt", ".md", ".markdown", ".text"}  # no extension: sniffed
_FEED = {".xml", ".rss", ".atom", ".rdf"}
_JSON = {".json", ".jsonl", ".ndjson"}


def read_sources(sources: list[str]) -> list[Document]:
    """Read every source in order; a folder expands to its files, sorted by name."""
    documents: list[Document] = []
    for source in sources:
        if _is_url(source):
            documents.append(_read_url(source))
            continue
        if "\x00" in source:  # no file name holds one; the OS calls would raise ValueError
            raise SourceError("a path cannot hold a NUL character", where=repr(source))
        path = Path(source).expanduser()
        if not path.exists():
            raise SourceError("no such file or folder", where=source)
        if path.is_dir():
            files = _folder_files(path, source)
            if not files:
                raise SourceError("folder holds no source files", where=source)
            documents.extend(read_source(str(path / name)) for name in files)
        else:
            documents.append(read_source(source))
    return documents


def _folder_files(folder: Path, where: str) -> list[str]:
    # Hidden files (.DS_Store, .gitkeep) and editor backups (notes.txt~) are not sources.
    try:
        return sorted(
            entry.name
            for entry in folder.iterdir()
            if entry.is_file() and not entry.name.startswith(".") and not entry.name.endswith("~")
        )
    except OSError as exc:
        raise SourceError(f"cannot list folder ({exc.strerror or exc})", where=where) from None


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_source(where: str) -> Document:
    """Read one file; `where` is its path as the caller gave it (it names the posts' source)."""
    path = Path(where).expanduser()
    # Handed over in a list the parser empties, so that it holds the only reference and can
    # let the bytes go once decoded (a 20 MB page is not kept twice while it is read).
    return _cleaned(_parse([read_bytes(path, where)], where, _kind_by_extension(
        path.suffix.lower()), _modified_day(path)))


def _modified_day(path: Path) -> str | None:
    """The day a file was last written (UTC): the date of a page that carries none, so that
    rebuilding it gives the same edition."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()
    except OSError:
        return None


def _kind_by_extension(suffix: str) -> str | None:
    if suffix in _FEED:
        return "feed"
    if suffix in _JSON:
        return "json"
    if suffix in _ROUNDUP:
        return "roundup"
    return None


def sniff(data: bytes) -> str:
    """Guess a source's kind from its first bytes: markup is a feed, a bracket JSON."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "feed"
    if head.startswith((b"{", b"[")):
        return "json"
    return "roundup"


def parse_bytes(data: bytes, where: str, kind: str | None = None,
                undated: str | None = None) -> Document:
    """Parse a source's bytes as `kind` ("roundup", "feed", "json"; None: sniff); `undated`
    dates a roundup's posts when the page has no date anywhere (default: today)."""
    return _cleaned(_parse([data], where, kind, undated))


def _parse(handed: list[bytes], where: str, kind: str | None, undated: str | None) -> Document:
    data = handed.pop()
    kind = kind or sniff(data)
    if not data or data.isspace():  # not data.strip(): no copy of the whole file
        raise SourceError("empty file", where=where)
    if kind == "feed":
        # Lazy: feedparser costs tens of milliseconds to import; a roundup build never needs it.
        from digest.read.feed import parse_feed

        return dataclasses.replace(parse_feed(data, where), kind="feed")
    text = [decode_text(data, where)]
    del data  # the parser reads the text: the bytes can go
    if kind == "json":
        # Lazy, like the feed reader: only a JSON source pays for its reader's imports.
        from digest.read.jsonposts import parse_json

        return dataclasses.replace(parse_json(text.pop(), where), kind="json")
    # Popped as the argument: parse_roundup holds the only reference, and drops the text
    # once it is split into lines.
    return dataclasses.replace(parse_roundup(text.pop(), where, undated=undated),
                               kind="roundup")


def _cleaned(document: Document) -> Document:
    """The document with control characters and lone surrogates stripped from everything a
    reader sees, whichever reader made it: one place, after every reader, so none forgets."""
    def post(p: Post) -> Post:
        author, text = clean_text(p.author), clean_text(p.text)
        handle = clean_text(p.handle) if p.handle else p.handle
        title = clean_text(p.title) if p.title else p.title
        url = clean_text(p.url) if p.url else p.url
        links = tuple(clean_text(link) for link in p.links)
        if (author, text, handle, title, url, links) == (p.author, p.text, p.handle, p.title,
                                                          p.url, p.links):
            return p
        return dataclasses.replace(p, author=author, text=text, handle=handle, title=title,
                                   url=url, links=links, id=post_id(handle, author, p.date, text))

    return dataclasses.replace(
        document, posts=tuple(post(p) for p in document.posts),
        prose=tuple(Prose(clean_text(p.text), p.source) for p in document.prose),
        title=clean_text(document.title) if document.title else document.title,
        keywords=tuple(clean_text(k) for k in document.keywords))


def _read_url(url: str) -> Document:
    # Lazy: urllib and ssl load only when a source is a URL.
    from digest.read.fetch import fetch

    data, content_type = fetch(url)
    kind = None
    if "json" in content_type:
        kind = "json"
    elif "xml" in content_type or "rss" in content_type or "atom" in content_type:
        kind = "feed"
    return parse_bytes(data, url, kind=kind)

