"""The shapes in which a flattened web page says who wrote an embedded post.

An embed loses its markup when a page is saved as text; what is left of its byline takes one
of a few shapes, whatever the platform:

* a trailing attribution, ending the post's last paragraph or alone under it:
  "text — Name (@handle) Date", glued ("text— Name (@handle)"), with a time ("February 24,
  2025 at 10:56 AM"), a Unix timestamp or no date; a Bluesky or Mastodon handle; a display
  name in the handle's place ("— screenname (@Display Name)", "— Name (@Name) 1683993131");
  a handle-less "— Name Date"; a bare "text - @handle"; a Reddit "by u/name in r/sub";
* a platform's marker line under the text: "A post shared by Name (@handle) on …" (Instagram),
  "Post by @handle" with "View on Threads" (Threads, Mastodon: the embed carries no text);
* a byline above the text: a line "Name (@handle)" alone, the post's date on a line of its own
  after the text; "@handle commented:" over a quoted paragraph; or a one-line post
  "Name (description) @handle: text";
* a bare status URL alone on its line (twitter.com/x/status/1, bsky.app/profile/x/post/y);
* a TikTok caption: "@user caption ♬ sound".

Each recogniser looks at one paragraph or line and says nothing about where the post begins
(roundup.py and post_start.py decide that).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from digest.read.common import WHEN_PATTERN, when_from_match


@dataclass(frozen=True)
class Attribution:
    kind: str  # "trail", "shared", "view", "head", "said", "inline", "url", "sound"
    body: str  # trail: the words before it in its paragraph; inline: the post's text
    author: str
    handle: str | None
    date: dt.date | None  # None: the embed printed no date (the post takes the article's)
    url: str | None = None
    problem: str | None = None  # what was not understood, for a warning naming the line
    offset: int = 0  # where in the paragraph's text the attribution starts
    platform: str | None = None  # where the shape itself names the network (TikTok, Instagram)


# An en dash or hyphen only with a space after it and a space (or a sentence's end or a
# photo link: "breathtaking!- Name", "pic.twitter.com/x- Name") before it; a lone "'" or "?"
# with spaces round it is an em dash the page's encoding lost ("too ' Name (@h) date").
_DASH = r"(?:—|―|--|(?:^|(?<=\s)|(?<=[.!?…\"”’)])|(?<=pic\.twitter\.com/\w{10}))[–-](?=\s)" \
    r"|(?<=\s)['?](?=\s))"
_NOT_DASH = r"(?!—|―|--|\s[–-]\s|\s['?]\s)"
_HANDLE = r"[\w.\-]+(?:@[\w.\-]+)?"
_HANDLE_RE = re.compile(_HANDLE)
_SCREEN_NAME = re.compile(r"\w{1,30}")
_WHEN_RE = re.compile(rf"^(?:on\s+)?(?:{WHEN_PATTERN})$", re.IGNORECASE)
# "— Name (@slot) rest": the slot is the last parenthesised group of the paragraph; the name
# may hold parentheses of its own ("Name (name.bsky.social)", "Priya (she/her)").
_SLOT_RE = re.compile(
    rf"{_DASH}[ \t]*(?P<name>(?:{_NOT_DASH}[^\n])*?)[ \t]*"
    r"\((?P<slot>(?:@|u/)[^()\n]{1,60})\)(?P<rest>[^()\n]*)$"
)
# "— Name Date": no handle at all (Facebook, Threads and some Twitter renderings).
_NAMED_RE = re.compile(
    rf"(?:^|\s){_DASH}[ \t]*(?P<name>(?:{_NOT_DASH}[^\n])*?)[ \t]+(?:on[ \t]+)?"
    rf"(?P<when>{WHEN_PATTERN})[ \t]*$",
    re.IGNORECASE,
)
_REDDIT_RE = re.compile(
    r"(?:^|\s)(?:[—–-][ \t]*)?(?:(?:posted|submitted)\s+)?by\s+u/(?P<handle>[\w-]{3,20})"
    rf"(?:\s+in\s+r/\w+)?(?:\s*[·•]?\s*(?P<when>{WHEN_PATTERN}))?[ \t]*$",
    re.IGNORECASE,
)
# "text - @handle": a dash and the handle alone, the way some pages sign a quoted post; the
# dash may follow the sentence's stop with no space ("It's amazing.- @name").
_BARE_HANDLE_RE = re.compile(
    rf"(?:(?<=\s)|(?<=[.!?…]))(?:—|―|--|[–-])[ \t]*@(?P<handle>\w{{1,30}})"
    rf"(?:[ \t]+(?P<when>{WHEN_PATTERN}))?[ \t]*$",
    re.IGNORECASE,
)
_JUNK_DATE_MAX = 40  # longer than this after "(@handle)" and it is the writer's sentence
_DIGIT = re.compile(r"\d")  # every date pattern holds one
_DASHES = re.compile(r"[—―–-]")  # a _DASH (but for a lost one, "'" or "?") starts with one


# A TikTok embed: "@user caption #tags ♬ sound name" (the handle opens it, the sound ends it).
_TIKTOK_RE = re.compile(r"^@(?P<handle>[\w.]{2,24})\s+(?P<text>.*?)\s*♬[^\n]*$", re.DOTALL)


def trailing(text: str) -> Attribution | None:
    """The attribution that ends `text` (a paragraph), if any. Each pattern is tried only
    where what it must hold is there ("♬", "(@" or "(u/", a digit and a dash, "u/")."""
    match = _TIKTOK_RE.match(text) if text.startswith("@") and "♬" in text else None
    if match:
        handle = match["handle"].rstrip(".")
        return Attribution("inline", match["text"].strip(), handle, handle, None,
                           platform="tiktok")
    match = _SLOT_RE.search(text) if "(@" in text or "(u/" in text else None
    if match:
        found = _slotted(text, match)
        if found:
            return found
    match = _NAMED_RE.search(text) if _DIGIT.search(text) and _DASHES.search(text) else None
    if match:
        name = " ".join(match["name"].split())
        if is_name(name):
            date, problem = _when(match.group("when"))
            return Attribution("trail", text[: match.start()].strip(), name, None, date,
                               problem=problem, offset=match.start("name"))
    match = _REDDIT_RE.search(text) if "u/" in text or "U/" in text else None
    if match:
        date, problem = _when(match["when"] or "")
        handle = f"u/{match['handle']}"
        return Attribution("trail", text[: match.start()].strip(), handle, handle, date,
                           problem=problem, offset=match.start())
    match = _BARE_HANDLE_RE.search(text) if "@" in text else None
    if match and text[: match.start()].strip():
        date, problem = _when(match["when"] or "")
        return Attribution("trail", text[: match.start()].strip(), match["handle"],
                           match["handle"], date, problem=problem, offset=match.start())
    return None


def _slotted(text: str, match: re.Match[str]) -> Attribution | None:
    rest = match["rest"].strip()
    date, problem = _when(rest)
    if problem and (len(rest) > _JUNK_DATE_MAX or not _DIGIT.search(rest)):
        return None  # "(@someone) for that finish": a handle named in the writer's sentence
    name = " ".join(match["name"].split())
    body, offset = text[: match.start()], match.start("name")
    split = _SPLIT_NAME_RE.search(body)
    if split and is_name(" ".join(split["head"].split())):
        # "— Ravi - Ravi K (@rk)": a display name with a spaced hyphen of its own; the
        # byline's dash is the em dash before it, not the hyphen.
        name = f"{' '.join(split['head'].split())} - {name}"
        body, offset = body[: split.start()], split.start("head")
    author, handle = who(name, match["slot"])
    return Attribution("trail", body.strip(), author, handle, date, problem=problem,
                       offset=offset)


# The start of a display name cut off by its own spaced hyphen, right before the byline found.
_SPLIT_NAME_RE = re.compile(r"(?:—|―)[ \t]*(?P<head>[^\n—―()]{1,40}?)[ \t]*$")


def who(name: str, slot: str) -> tuple[str, str | None]:
    """(author, handle) from a byline's name and its "(@…)" slot.

    A slot that is not a handle ("@Display Name", "@A.S. Paul") holds a display name: a
    broken embed put it where the handle goes. Then a one-word name beside it is the real
    screen name; otherwise the post has no handle and is known by its display name.
    """
    value = slot.strip()
    if value.startswith("u/"):
        return name or value, value
    value = value[1:].strip()
    if _HANDLE_RE.fullmatch(value) and not value.startswith(".") and not value.endswith("."):
        return name or value, value
    if _SCREEN_NAME.fullmatch(name) and name != value:
        return value, name
    return name or value, None


def _when(rest: str) -> tuple[dt.date | None, str | None]:
    """The date written after a byline, or None; and what was not understood, if anything."""
    rest = rest.strip()
    if not rest or rest.lower() == "on":
        return None, None
    match = _WHEN_RE.match(rest)
    if match is None:
        return None, f"date not understood ({rest!r})"
    try:
        return when_from_match(match), None
    except ValueError:
        return None, f"impossible date ({rest!r})"


_NAME_PUNCT_RE = re.compile(r"[.!?:;,\"“”]\s|[.!?:;,\"“”]$")
# Lower-case words a name may hold ("Mayor of London", "Ludwig van Beethoven").
_NAME_PARTICLES = frozenset(re.findall(
    r"\w+", "of the and for de da di del della der den van von le la al bin ibn y du st"))
_CALENDAR_WORDS = frozenset(re.findall(
    r"\w+", "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight"))


def is_name(name: str) -> bool:
    """Can a handle-less byline's name be a name? At most six words, no sentence
    punctuation, every word capitalised (or a particle such as "of"), not a day: prose that
    ends in a date ("— and clean-up began on October 10, 2024", "— on Sunday July 14, 2024")
    is not signed by anyone."""
    words = name.split()
    if not words or len(words) > 6 or _NAME_PUNCT_RE.search(name):
        return False
    # Only a lower-case particle: "Al Fenn" and "Van Morrison" are names, "of the …" is not.
    if words[0] in _NAME_PARTICLES or words[-1] in _NAME_PARTICLES:
        return False
    if any(w.lower() in _CALENDAR_WORDS for w in words):
        return False
    return all(not w[:1].isalpha() or w[:1].isupper() or w in _NAME_PARTICLES for w in words)


# --- lines that are a byline or a platform's marker on their own -----------------------------

_SHARED_RE = re.compile(
    r"^A (?:post|photo|video|reel) (?:shared|posted) by\s+(?P<name>[^()\n]*?)\s*"
    r"(?:\((?P<slot>@[^()\n]{1,60})\))?\s*(?P<rest>(?:on\b)?[^()\n]*)$",
    re.IGNORECASE,
)
_POST_BY_RE = re.compile(rf"^(?:A )?Post by\s+@(?P<handle>{_HANDLE})\s*$", re.IGNORECASE)
# Lines an embed prints around its content that are nobody's words.
_PLATFORM = r"(?:Threads|Mastodon|Instagram|TikTok|Bluesky|X|Twitter|Facebook|YouTube)"
_CHROME_RE = re.compile(
    rf"^(?:View (?:this post |more )?on {_PLATFORM}|Watch on {_PLATFORM}"
    r"|\[image or embed\]|See (?:more|this) on \w+)\s*$",
    re.IGNORECASE,
)
_HEAD_RE = re.compile(
    r"^(?P<name>[^()\n@—]{1,80}?(?:\([^()\n]*\)[^()\n@—]*?)?)\s*"
    rf"\((?P<slot>@{_HANDLE})\)\s*$"
)
_INLINE_RE = re.compile(
    r"^(?P<name>[^@():\n—]{2,60}?)\s*(?:\((?P<desc>[^()\n]{1,100})\)\s*)?"
    r"@(?P<handle>\w{1,30})\s*:\s*(?P<text>\S.*)$"
)
# "@user commented:" over a quoted paragraph: a page's rendering of replies. Only a handle
# (an "@" or the digits and underscores of a screen name) can stand there: "One reader said:"
# is the writer introducing a quotation of their own choosing.
_SAID_RE = re.compile(
    r"^(?P<handle>@\w{1,30}|(?=\w*[\d_])\w{2,30})\s+"
    r"(?:commented|wrote|said|replied|responded|reacted|tweeted|posted|added|shared)\s*:"
    r"(?:\s*(?P<text>\S.*))?$",
    re.IGNORECASE | re.DOTALL,
)
# "Ann Bee (@annbee): text", "Writer Ann Bee (@annbee) tweeted: “text”": a list of posts,
# each a line; the name may carry a title ("Finance Minister …"), never a clause's comma.
_SLOT_COLON_RE = re.compile(
    r"^(?P<name>[^@():,;!?\n—“\"]{2,80}?)\s*\((?P<slot>@[\w.\-]{1,60})\)\s*"
    r"(?:tweeted|wrote|said|posted|added)?\s*:\s*(?P<text>\S.*)$",
    re.DOTALL,
)
_STATUS_URL_RE = re.compile(
    r"^(?:https?://)?(?:www\.|mobile\.)?(?:"
    r"(?:twitter|x)\.com/(?P<tw>\w{1,15})/status(?:es)?/\d+"
    r"|bsky\.app/profile/(?P<bs>[\w.\-:]+)/post/\w+"
    r"|threads\.(?:net|com)/@(?P<th>[\w.]+)/post/[\w-]+"
    r"|tiktok\.com/@(?P<tt>[\w.]+)/video/\d+"
    r"|[\w.\-]+\.[a-z]{2,}/@(?P<md>\w+)/\d{6,})"
    r"[^\s]*$",
    re.IGNORECASE,
)


def is_chrome(line: str) -> bool:
    """ "View on Threads", "[image or embed]": an embed's furniture, neither post nor prose."""
    return bool(_CHROME_RE.match(line.strip()))


def is_date_line(line: str) -> bool:
    """A line that is only a date (a byline-first embed's last line)."""
    return bool(_WHEN_RE.match(line.strip()))


def date_line(line: str) -> dt.date | None:
    try:
        match = _WHEN_RE.match(line.strip())
        return when_from_match(match) if match else None
    except ValueError:
        return None


def standalone(line: str) -> Attribution | None:
    """A line that is a byline or a marker by itself, or a whole one-line post. Each pattern
    is tried only where what it must hold is there (an "a " start, "@", "/", "(@", ":")."""
    text = line.strip()
    match = _SHARED_RE.match(text) if text[:2].lower() == "a " else None
    if match:
        name = " ".join(match["name"].split())
        author, handle = who(name, match["slot"]) if match["slot"] else (name, None)
        rest = match["rest"].strip()
        rest = rest[2:].strip() if rest.lower().startswith("on") else rest
        date, problem = _when(rest)
        return Attribution("shared", "", author, handle, date, problem=problem,
                           platform="instagram")
    if text.startswith("♬"):  # a TikTok caption's sound line, under the caption
        return Attribution("sound", "", "", None, None)
    match = _POST_BY_RE.match(text) if "@" in text else None
    if match:
        handle = match["handle"]
        # "Post by @user@host" is Mastodon's embed; a bare handle there is Threads'.
        return Attribution("view", "", handle, handle, None,
                           platform=None if "@" in handle else "threads")
    match = _STATUS_URL_RE.match(text) if "/" in text else None
    if match:
        handle = next(h for h in match.groups() if h)
        url = text if "://" in text else f"https://{text}"
        return Attribution("url", "", handle, handle, None, url=url)
    match = _HEAD_RE.match(text) if "(@" in text else None
    if match:
        name = " ".join(match["name"].split())
        # Beside a handle a name need not be capitalised ("rob delaney (@robdelaney)"); it
        # must still read as a name, not as the writer's sentence.
        bare = _without_brackets(name)
        if not name or (len(bare.split()) <= 6 and not _NAME_PUNCT_RE.search(bare)):
            author, handle = who(name, match["slot"])
            return Attribution("head", "", author, handle, None)
    match = _INLINE_RE.match(text) if "@" in text and ":" in text else None
    if match:
        name = " ".join(match["name"].split())
        if is_name(name):
            return Attribution("inline", match["text"].strip(), name, match["handle"], None)
    match = _SAID_RE.match(text)
    if match:
        handle = match["handle"].lstrip("@")
        if match["text"]:  # "@user tweeted: words" on one line
            return Attribution("inline", _unquoted(match["text"]), handle, handle, None)
        return Attribution("said", "", handle, handle, None)
    match = _SLOT_COLON_RE.match(text)
    if match and len(match["name"].split()) <= 10:
        author, handle = who(" ".join(match["name"].split()), match["slot"])
        return Attribution("inline", _unquoted(match["text"]), author, handle, None)
    return None


_QUOTE_PAIRS = {"“": "”", '"': '"', "‘": "’", "«": "»"}


def _unquoted(text: str) -> str:
    """The words of a quotation that is the whole text: “Tea for all” -> Tea for all."""
    text = text.strip()
    close = _QUOTE_PAIRS.get(text[:1])
    if close and len(text) > 2 and text.endswith(close) and close not in text[1:-1]:
        return text[1:-1].strip()
    return text


def _without_brackets(name: str) -> str:
    return " ".join(re.sub(r"\([^()]*\)", " ", name).split()) or name


def glued_split(line: str) -> tuple[str, str] | None:
    """ "— Name (@handle)Next post's text": a byline glued to the text after it by the
    flattening. The two halves, or None."""
    match = _GLUED_RE.match(line) if _GLUED_END.search(line) else None
    if match is None or trailing(match["byline"]) is None:
        return None
    return match["byline"], match["next"]


_GLUED_RE = re.compile(
    rf"^(?P<byline>.*{_DASH}[^\n]*?\((?:@|u/)[^()\n]{{1,60}}\))(?P<next>[^\W\d_“\"‘'][^\n]*)$"
)
# What a glued byline must hold (a slot closed right before a letter); most lines have none,
# and the pattern above backtracks over every dash of a line that does not.
_GLUED_END = re.compile(r"\((?:@|u/)[^()\n]{1,60}\)[^\W\d_“\"‘']")


class Said:
    """What the byline recognisers said of each text of one page. A block is asked about
    more than once (as a line, as a block, as the block above or below a post), so each
    answer is kept, for this page only: the memo is bounded by the page and goes with it."""

    def __init__(self) -> None:
        self._trailing: dict[str, Attribution | None] = {}
        self._standalone: dict[str, Attribution | None] = {}

    def trailing(self, text: str) -> Attribution | None:
        if text not in self._trailing:
            self._trailing[text] = trailing(text)
        return self._trailing[text]

    def standalone(self, text: str) -> Attribution | None:
        if text not in self._standalone:
            self._standalone[text] = standalone(text)
        return self._standalone[text]
