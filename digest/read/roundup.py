"""Roundup articles: a header line, the article's prose, and embedded social posts.

The format (the seed is one; other roundups follow it)::

     date 2024-08-13 keyword keyword ...        <- optional header; the date must be ISO

    The article's own paragraphs (kept as Prose, context for the summary).

    TEXT [pic.twitter.com/… | https://t.co/…] — Display Name (@handle) Month D, YYYY

A paragraph is a run of non-blank lines. A paragraph that ends with an attribution
("— Name (@handle) Date") ends a post. The dash may be an em dash, an en dash or "--"; the date
"August 13, 2024", "Aug 13, 2024", "Sept. 3, 2024" or "13 August 2024"; the handle may be a
Bluesky or Mastodon one (@a.bsky.social, @a@mastodon.social). Without a handle
("— Name Date") it is still a post, with handle None, if the name is a short name (at most six
capitalised words, particles such as "of" aside, no sentence punctuation, no day such as
"Sunday") - the form other embeds (Facebook, Threads) take.

Where a post begins. Most posts are one paragraph. A post runs over several paragraphs only
when the text itself shows it, because an article's prose often sits right above a post
("His loyal followers believed him.") and must not be swallowed. The evidence looked for:
  * a letter opening "Dear …," above the post (signed or not);
  * a signed letter: the post's last words are a signature (a few words, no full stop: "Mark")
    under a sign-off (a short paragraph ending in a comma: "Sincerely,"). The letter then
    opens at the nearest salutation above ("Dear …,", "Hi all,", "To whom it may concern:");
    with no salutation only the sign-off is taken, since nothing else tells the letter's
    first paragraph from the article's last one;
  * a bare attribution (alone in its paragraph): the paragraph above is the post's text;
  * a thread marker above 1 ("2/3", "(3/3)"): the post opens at the "1/" paragraph.
The search goes back at most MAX_POST_PARAGRAPHS and never past the previous post or a list
marker. A long paragraph ending in a comma ("As one reader put it,") is not a sign-off, and a
whole sentence is not a signature, so an article's lead-in stays prose.

List markers ("1.", "2)", "iv.", "•") and separators with no letters in them are neither posts
nor prose: they are dropped, and an empty list item vanishes with them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from digest.errors import SourceError
from digest.model import Document, Post, Prose
from digest.read.common import (
    DATE_PATTERN,
    date_from_match,
    find_links,
    post_id,
    strip_media,
)

MAX_POST_PARAGRAPHS = 12  # how far back a multi-paragraph post may reach

_HEADER_RE = re.compile(r"^\s*date(?:\s+(?P<date>\S+))?(?:\s+(?P<keywords>.*))?$")
# The name may hold parentheses and emoji but no dash of the kind that opens an attribution,
# so the match starts at the last such dash of the paragraph.
_ATTRIBUTION_RE = re.compile(
    r"(?:^|\s)(?:—|–|―|--)[ \t]*"
    r"(?P<name>(?:(?!—|―|--|\s–\s)[^\n])*?)[ \t]*"
    r"(?:\((?P<handle>@[\w.\-]+(?:@[\w.\-]+)?)\)[ \t]*)?"
    rf"(?:(?<=\s)on[ \t]+)?{DATE_PATTERN}[ \t]*$",
    re.IGNORECASE,
)
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_MARKER_RE = re.compile(
    rf"^\s*(?:\(?(?:\d{{1,3}}|[a-z]|{_ROMAN})[.):]|#\d{{1,3}}|[-*•·‣▪◦–—])\s*$", re.IGNORECASE
)
_SALUTATION_RE = re.compile(
    r"^\s*(?:dear(?:est)?|hi|hello|hey|greetings|attention|attn|my dear|an open letter"
    r"|to (?:whom|all|the|my|our|every))\b[^.!?\n]{0,80}[,:]\s*$",
    re.IGNORECASE,
)
_DEAR_RE = re.compile(
    r"^\s*(?:(?:my )?dear(?:est)?\b[^.!?:\n]{0,60},|to whom it may concern[,:])\s*$",
    re.IGNORECASE)
_THREAD_RE = re.compile(r"^\s*\(?(?P<n>\d{1,2})\s*/\s*(?P<of>\d{1,2})?\)?(?:\s|$)")
_NAME_PUNCT_RE = re.compile(r"[.!?:;,\"“”]\s|[.!?:;,\"“”]$")
# Lower-case words a name may hold ("Mayor of London", "Ludwig van Beethoven").
_NAME_PARTICLES = frozenset(re.findall(
    r"\w+", "of the and for de da di del della der den van von le la al bin ibn y du st"))
_CALENDAR_WORDS = frozenset(re.findall(
    r"\w+", "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight"))


@dataclass
class _Paragraph:
    line: int  # 1-based line of its first line
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(line.strip() for line in self.lines)

    @property
    def prose(self) -> str:
        # Prose hard-wrapped over several lines reads as one line; a post keeps its breaks.
        return " ".join(line.strip() for line in self.lines)


@dataclass
class _Attribution:
    body: str  # the paragraph's text before the attribution
    author: str
    handle: str | None
    date: str


def _paragraphs(lines: list[str], first_line: int) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            if current is None:
                current = _Paragraph(number, [])
                paragraphs.append(current)
            current.lines.append(line)
            if _ends_post(line):
                current = None  # posts pasted one per line, with no blank line between them
        else:
            current = None
    return paragraphs


def _ends_post(line: str) -> bool:
    """Does this line end a post even without a blank line after it? It ends in an attribution
    with a handle, and it is not a post quoted inside another one (a line that opens with a
    quotation mark: “Coming home.” — England (@England) July 11, 2021)."""
    match = _ATTRIBUTION_RE.search(line.strip())
    return bool(match and match["handle"]) and not line.lstrip().startswith(_QUOTES)


_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")  # not U+200D: it joins emoji sequences
_QUOTES = ("“", '"', "‘", "'", "«", "„", ">")


def _attribution(paragraph: _Paragraph, where: str) -> _Attribution | None:
    text = paragraph.text
    match = _ATTRIBUTION_RE.search(text)
    if match is None:
        return None
    name = " ".join(match["name"].split())
    handle = match["handle"].lstrip("@").rstrip(".-") if match["handle"] else None
    if handle is None and not _is_name(name):
        return None  # "… — he said on August 13, 2024": prose that ends in a date
    line = paragraph.line + text.count("\n", 0, match.start("name"))
    try:
        date = date_from_match(match).isoformat()
    except ValueError:
        raise SourceError(f"impossible date in attribution: {match.group(0).strip()!r}",
                          where=f"{where}:{line}") from None
    return _Attribution(text[: match.start()].strip(), name or handle or "", handle, date)


def _is_name(name: str) -> bool:
    """Can a handle-less attribution's name be a name? At most six words, no sentence
    punctuation, every word capitalised (or a particle such as "of"), not a day: prose that
    ends in a date ("— and clean-up began on October 10, 2024", "— on Sunday July 14, 2024")
    is not signed by anyone."""
    words = name.split()
    if not words or len(words) > 6 or _NAME_PUNCT_RE.search(name):
        return False
    if words[0].lower() in _NAME_PARTICLES or words[-1].lower() in _NAME_PARTICLES:
        return False
    if any(w.lower() in _CALENDAR_WORDS for w in words):
        return False
    return all(not w[:1].isalpha() or w[:1].isupper() or w in _NAME_PARTICLES for w in words)


def _is_marker(paragraph: _Paragraph) -> bool:
    text = paragraph.text
    return bool(_MARKER_RE.match(text)) or not any(ch.isalnum() for ch in text)


def _is_signature(body: str) -> bool:
    """ "Mark", "Linda and the team": a short line with no sentence end."""
    words = body.split()
    return 0 < len(words) <= 5 and body.rstrip()[-1] not in ".!?…"


def _is_signoff(text: str) -> bool:
    """ "Sincerely,", "Best wishes,": short and ending in a comma. A long paragraph ending in a
    comma is the article introducing a post ("As one reader put it,")."""
    return text.rstrip().endswith(",") and len(text.split()) <= 4


def _post_start(paragraphs: list[_Paragraph], end: int, floor: int,
                attribution: _Attribution) -> int:
    """Index of the first paragraph of the post whose attribution is paragraphs[end]."""
    lowest = max(floor, end - MAX_POST_PARAGRAPHS)

    def usable(index: int) -> bool:
        return index >= lowest and not _is_marker(paragraphs[index])

    thread = _THREAD_RE.match(attribution.body)
    if thread and int(thread["n"]) > 1:
        index = end - 1
        while usable(index):
            opening = _THREAD_RE.match(paragraphs[index].text)
            if opening and int(opening["n"]) == 1:
                return index
            index -= 1
        return end
    # The post's last paragraph of text: the attribution's own, or the one above a bare one.
    last, body = end, attribution.body
    if not body:
        if not usable(end - 1):
            return end
        last, body = end - 1, paragraphs[end - 1].text
    signoff = last - 1
    signed = usable(signoff) and _is_signoff(paragraphs[signoff].text) and _is_signature(body)
    # A letter opens at the nearest salutation above ("Dear …,": never the article's own
    # voice), signed or not. A signed letter without one keeps only its sign-off, since where
    # it opens cannot be told from the article's prose.
    salutation = _SALUTATION_RE if signed else _DEAR_RE  # "Hi all:" may be the article's
    index = last - 1
    while usable(index):
        if salutation.match(paragraphs[index].text):
            return index
        index -= 1
    return signoff if signed else last


def parse_roundup(text: str, where: str) -> Document:
    """Parse a roundup's text; `where` is the path as the caller gave it, used in sources."""
    # Text copied from a web page carries no-break and thin spaces around the dash and in the
    # date, and zero-width spaces inside handles; none of them changes a word.
    text = _ODD_SPACES.sub(" ", _INVISIBLE.sub("", text))
    lines = text.split("\n")
    date: str | None = None
    keywords: tuple[str, ...] = ()
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    header = _HEADER_RE.match(lines[first]) if first < len(lines) else None
    # "date 2024-13-45 …" is a broken header; "date night was fun" is an article's first line.
    if header and lines[first].lstrip().startswith("date") and (
            header["date"] is None or re.search(r"\d", header["date"])):
        date = _header_date(header["date"], f"{where}:{first + 1}")
        keywords = tuple((header["keywords"] or "").split())
        first += 1
    paragraphs = _paragraphs(lines[first:], first + 1)

    posts: list[Post] = []
    prose: list[Prose] = []
    floor = 0  # paragraphs before this index belong to an earlier post
    for index, paragraph in enumerate(paragraphs):
        attribution = _attribution(paragraph, where)
        if attribution is None:
            continue
        start = _post_start(paragraphs, index, floor, attribution)
        for before in paragraphs[floor:start]:
            if not _is_marker(before):
                prose.append(Prose(before.prose, f"{where}:{before.line}"))
        parts = [p.text for p in paragraphs[start:index]] + [attribution.body]
        post = _make_post(parts, attribution, f"{where}:{paragraphs[start].line}")
        if post.text or post.has_media:  # an attribution alone under a list marker says nothing
            posts.append(post)
        floor = index + 1
    for after in paragraphs[floor:]:
        if not _is_marker(after):
            prose.append(Prose(after.prose, f"{where}:{after.line}"))
    if not posts:
        raise _no_posts(paragraphs, where)
    return Document(path=where, date=date, keywords=keywords, prose=tuple(prose),
                    posts=tuple(posts))


# A paragraph that ends like an attribution whose date was not understood ("(@a) 13/08/2024").
_NEAR_ATTRIBUTION_RE = re.compile(r"\(@[\w.\-@]+\)[ \t]*(?P<date>[^\n()]{0,40})$")


def _no_posts(paragraphs: list[_Paragraph], where: str) -> SourceError:
    """The error for a roundup without posts, pointing at a near-miss attribution if any."""
    expected = "a post ends with '— Name (@handle) Month D, YYYY'"
    for paragraph in paragraphs:
        near = _NEAR_ATTRIBUTION_RE.search(paragraph.text)
        if near:
            line = paragraph.line + paragraph.text.count("\n", 0, near.start())
            date = near["date"].strip() or "nothing"
            return SourceError(f"no posts found: attribution date not understood ({date!r}; "
                               f"{expected})", where=f"{where}:{line}")
    return SourceError(f"no posts found ({expected})", where=where)


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


def _make_post(parts: list[str], attribution: _Attribution, source: str) -> Post:
    text, has_media = strip_media("\n\n".join(part for part in parts if part))
    text = _without_list_marker(text)
    return Post(
        id=post_id(attribution.handle, attribution.author, attribution.date, text),
        author=attribution.author,
        handle=attribution.handle,
        date=attribution.date,
        text=text,
        links=find_links(text),
        has_media=has_media,
        source=source,
    )

