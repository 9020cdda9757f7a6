"""What every reader shares: decoding a source, post ids, links and dates.

The post id is what makes "the same post seen in two sources appears once" work, so it hashes
only what two sources agree on: who (handle, else author), when (the day) and the words of the
text, with links, media placeholders, case and punctuation left out (one source may expand a
t.co link that another keeps short, or drop the media link).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from digest.errors import SourceError

# Media placeholders embedded tweets carry: not a link a reader can follow, but a sign of media.
MEDIA_RE = re.compile(r"(?:https?://)?pic\.(?:twitter|x)\.com/\w+", re.IGNORECASE)
# What every placeholder holds, found fast (MEDIA_RE's optional scheme makes it try every
# position): the texts without it are most, and need not be searched.
_MEDIA_HINT = re.compile(r"pic\.", re.IGNORECASE)


def has_media(text: str) -> bool:
    """Does `text` hold a media placeholder (pic.twitter.com/…)?"""
    return bool(_MEDIA_HINT.search(text)) and bool(MEDIA_RE.search(text))

# Absolute URLs, and bare "t.co/abc"-style links (a dotted host followed by a path).
_URL_RE = re.compile(
    r"https?://[^\s<>\"'\]]+"
    r"|(?<![\w@/.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}/[^\s<>\"'\]]*",
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?'\"”’…»"

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# "August 13, 2024", "Aug 13, 2024", "Aug. 13 2024", "Sept. 3, 2024", "13 August 2024".
MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATE_PATTERN = (
    rf"(?:(?P<m1>{MONTH_NAME})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{MONTH_NAME}),?\s+(?P<y2>\d{{4}})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))"
)


# A clock time written next to a date: "10:56 AM", "8.59pm", "12:05pm PDT".
TIME_PATTERN = r"\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s+(?-i:[A-Z]{2,4}))?"
# When an embed says it was posted: a date with a time before or after it ("10:56 AM ·
# Feb 24, 2025", "February 24, 2025 at 10:56 AM"), or a Unix timestamp (some embeds print the
# raw number).
WHEN_PATTERN = (
    rf"(?:(?:{TIME_PATTERN})\s*[·•,]?\s*)?{DATE_PATTERN}(?:,?\s+(?:at\s+)?{TIME_PATTERN})?"
    r"|(?P<unix>\d{9,10})"
)
_UNIX_RANGE = (dt.date(2006, 1, 1), dt.date(2100, 1, 1))  # before 2006 no embed had a timestamp


def when_from_match(match: re.Match[str]) -> dt.date:
    """The day a WHEN_PATTERN match names (a timestamp in UTC); ValueError if impossible."""
    if match["unix"]:
        day = dt.datetime.fromtimestamp(int(match["unix"]), tz=dt.UTC).date()
        if not _UNIX_RANGE[0] <= day < _UNIX_RANGE[1]:
            raise ValueError(match["unix"])
        return day
    return date_from_match(match)


_ESCAPE_RE = re.compile(r"\\u[0-9a-fA-F]{4}")
_ESCAPES = re.compile(r"\\(?:u[0-9a-fA-F]{4}|[nt\"'\\/])")


def decode_escapes(line: str) -> str:
    """A line with literal JSON-style escapes (\\u201c, \\n) as the characters they stand for.

    Some pages print an embed's JSON-encoded text as it is. Only a line holding a \\uXXXX
    escape is decoded, so a lone backslash ("C:\\new") in ordinary text stays as written; a
    surrogate pair becomes its one character, a stray half of one is dropped.
    """
    if not _ESCAPE_RE.search(line):
        return line

    def one(match: re.Match[str]) -> str:
        code = match.group(0)
        if code[1] == "u":
            return chr(int(code[2:], 16))
        return {"n": "\n", "t": "\t"}.get(code[1], code[1])

    decoded = _ESCAPES.sub(one, line)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace").replace(
        "\ufffd", "")


def date_from_match(match: re.Match[str]) -> dt.date:
    """The date a DATE_PATTERN match names; ValueError for an impossible one (February 30)."""
    if match["iso"]:
        return dt.date.fromisoformat(match["iso"])
    month = match["m1"] or match["m2"]
    day = match["d1"] or match["d2"]
    year = match["y1"] or match["y2"]
    return dt.date(int(year), _MONTHS[month[:3].lower()], int(day))


# A source bigger than this is not a page, a feed or an export of posts: refused, not read
# into memory (a 200 MB file took minutes and a gigabyte).
MAX_SOURCE_BYTES = 20 * 2**20


def read_bytes(path: Path, where: str) -> bytes:
    """A source file's bytes; any failure is a SourceError naming it.

    Only a regular file is read: a FIFO would block for ever and a device never ends. It is
    opened without blocking and checked on the open file, so nothing can swap it in between.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SourceError("no such file", where=where) from None
    except IsADirectoryError:
        raise SourceError("is a folder, not a file", where=where) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise SourceError(f"cannot read ({getattr(exc, 'strerror', None) or exc})",
                          where=where) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise SourceError("is a folder, not a file", where=where)
            if not stat.S_ISREG(info.st_mode):
                raise SourceError("not a regular file (a pipe, socket or device)", where=where)
            if info.st_size > MAX_SOURCE_BYTES:
                raise SourceError(f"larger than the {MAX_SOURCE_BYTES // 2**20} MB a source may "
                                  f"be ({info.st_size:,} bytes)", where=where)
            data = handle.read(MAX_SOURCE_BYTES + 1)  # it may have grown since fstat
        except OSError as exc:
            raise SourceError(f"cannot read ({exc.strerror or exc})", where=where) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"larger than the {MAX_SOURCE_BYTES // 2**20} MB a source may be",
                          where=where)
    return data


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 text (a BOM is dropped) with every line ending turned into "\\n"."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            where=f"{where}:{line}",
        ) from None
    if not text or text.isspace():  # not text.strip(): no copy of the whole page
        raise SourceError("empty file", where=where)
    if "\x00" in text:  # valid UTF-8 but not text: an image, a zip, a database
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError("binary file, not text (NUL byte)", where=f"{where}:{line}")
    # Not str.splitlines(): it also splits on form feeds and U+2028, which would put line
    # numbers out of step with what an editor shows.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Control characters (but the line break and the tab) and lone surrogate halves: no reader
# shows them, MJML cannot parse them, and a surrogate cannot even be written as UTF-8.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters and lone surrogates; a control that spaces (a
    vertical tab, a form feed) becomes a space."""
    if not _UNPRINTABLE.search(text):
        return text
    text = text.replace("\r\n", "\n")
    return _UNPRINTABLE.sub(lambda m: " " if m.group().isspace() else "", text)


def normalise_for_id(text: str) -> str:
    if "/" in text:  # every link and media placeholder holds one: most texts have none
        text = MEDIA_RE.sub(" ", text)
        text = _URL_RE.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    words = _WORDS.findall(text)
    return " ".join(words)


_WORDS = re.compile(r"\w+")
_SCHEME = re.compile(r"^https?://(?:www\.|mobile\.)?", re.I)
_X_HANDLE = re.compile(r"\w{1,15}")


def post_id(handle: str | None, author: str, date: str, text: str) -> str:
    who = (handle or author).strip().lstrip("@").casefold()
    key = "\x1f".join((who, date, normalise_for_id(text)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _clean_url(url: str) -> str:
    url = url.rstrip(_TRAILING_PUNCT)
    # A closing bracket belongs to the URL only if the URL opened one (Wikipedia-style links).
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(_TRAILING_PUNCT)
    return url


def absolute_https(url: str) -> str:
    """http:// and bare "host/path" links become https:// (email clients and `digest check`
    want https; the hosts embedded posts link to, t.co first, all serve it)."""
    if url.lower().startswith("https://"):
        return "https://" + url[8:]
    if url.lower().startswith("http://"):
        return "https://" + url[7:]
    return "https://" + url


def find_links(text: str) -> tuple[str, ...]:
    """Every followable link in `text`, absolute https, in order, once each; media placeholders
    (pic.twitter.com) are not links."""
    links: list[str] = []
    if "/" not in text:  # every link holds one
        return ()
    for match in _URL_RE.finditer(MEDIA_RE.sub(" ", text)):
        url = _clean_url(match.group(0))
        if "/" not in url.split("://", 1)[-1]:
            continue
        url = absolute_https(url)
        if url not in links:
            links.append(url)
    return tuple(links)


def media_link(text: str) -> str | None:
    """The first pic.twitter.com placeholder in `text`, as an https link: it opens the post."""
    match = MEDIA_RE.search(text) if _MEDIA_HINT.search(text) else None
    return absolute_https(match.group(0)) if match else None


def platform_of(handle: str | None, url: str | None) -> str | None:
    """Which network a post is on, from its permalink's host, else the shape of its handle:
    "user@server" is Mastodon's, a dotted one ("name.bsky.social") Bluesky's, "u/…" Reddit's,
    and a bare word X's (the embeds the roundups carry)."""
    host = _SCHEME.sub("", url).split("/", 1)[0] if url else ""
    by_host = {"x.com": "x", "twitter.com": "x", "bsky.app": "bluesky",
               "threads.net": "threads", "threads.com": "threads", "tiktok.com": "tiktok",
               "instagram.com": "instagram"}
    if host.lower() in by_host:
        return by_host[host.lower()]
    if not handle:
        return None
    if handle.startswith("u/"):
        return "reddit"
    if "@" in handle:
        return "mastodon"
    if "." in handle:
        return "bluesky"
    return "x" if _X_HANDLE.fullmatch(handle) else None


def strip_media(text: str) -> tuple[str, bool]:
    """`text` without its pic.twitter.com placeholders, and whether it had any."""
    if not _MEDIA_HINT.search(text):
        return text, False
    stripped, count = MEDIA_RE.subn("", text)
    if not count:
        return text, False
    stripped = re.sub(r"[ \t]{2,}", " ", stripped)
    stripped = re.sub(r"[ \t]+\n", "\n", stripped)
    return stripped.strip(), True
