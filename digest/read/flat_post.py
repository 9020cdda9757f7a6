"""Where a post begins on a flat page (saved with no blank lines: one paragraph a line).

There a post written over several lines arrives as several blocks, and only the one that
ends in (or stands above) its byline is found by post_start.py. The lines above it are the
post's or the writer's, and nothing but their shape tells which. Swallowing the writer's
sentence into a post is the worse mistake (the article loses its context and a figure its
source), so a line joins only on evidence:

  * its own register: it opens with a lowercase word ("me, at 3am: …"), or carries an
    emoji, a hashtag or doubled "!!"/"?!" — what an article's own sentences seldom do;
  * the post's script: the post's lines are "Speaker: words" and so is this one;
  * an announced run: the writer's own line stands above the run — a lead-in ending in ":",
    a list marker ("3."), or a heading (a few words, no sentence end) on a page whose
    headings are seen to caption posts (one already stands right above a post) — and the run
    holds nothing of the writer's. What lies between the writer announcing a post and its
    byline is the post. Some pages open a section with a heading and then the writer's
    paragraph; there a heading announces nothing until the page shows otherwise.
A plain sentence right under the previous post is not announced: writers comment between
posts ("Others were kinder.") as often as a post runs on, so it stays prose.

Hard stops, the writer's by shape: a lead-in or heading (they stay prose), a quotation the
line opens or closes without the other half or with narration after it (“…,” said one
user), a line with a photo link (an embed's text ends there: it is another post's, whose
byline the page lost), and the platform's length: the post may not grow past POST_CHARS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

POST_CHARS = 280  # the most text a classic post holds (links and media aside)
_HEADING_MAX_WORDS = 8

_LINK_RE = re.compile(r"\S*(?:https?://|pic\.(?:twitter|x)\.com/)\S*", re.IGNORECASE)
# A photo link ends an embed's text (the byline follows it): a line holding one is the end of
# some post, never the opening of the post below it.
_MEDIA = re.compile(r"pic\.(?:twitter|x)\.com/\w", re.IGNORECASE)
_LOWER_START_RE = re.compile(r"^[\"'“‘(]*[a-z]+\b(?![A-Z])")
_HASHTAG_RE = re.compile(r"(?<![\w&])#[^\W\d]\w*")
_DOUBLED_RE = re.compile(r"[!?]{2,}")
# "Apple: Introducing …", "me, opening the fridge: hello": a short speaker, a colon, words.
_SCRIPT_RE = re.compile(r"^[^:.!?\n]{1,40}?\s?:\s+\S")
_SENTENCE_END = ".!?…:;,"
# Words a writer uses of posts and the people posting them, and a post seldom uses of itself.
_REPORTING_RE = re.compile(
    r"\b(?:users?|tweet(?:s|ed)?|commenters?|netizens|followers|(?:re)?posted|wrote|said"
    r"|replied|responded|reacted|reactions?)\b", re.IGNORECASE)
# An item the post's own list opens with: its lead-in ("…since 1997:") is the post's.
_ITEM_RE = re.compile(r"^\s*(?:[-*•·‣▪◦–]|[\u2190-\u21ff\u2b00-\u2bff\u27a0-\u27bf])")


def text_length(text: str) -> int:
    """How much of a post's allowance the text uses: links and media placeholders aside."""
    return len(" ".join(_LINK_RE.sub(" ", text).split()))


def _has_emoji(text: str) -> bool:
    # Symbols from the arrows up (emoji, ⬆️, ☀): not the letterlike ones an article uses (™, ℃).
    return any(unicodedata.category(ch) == "So" and ord(ch) >= 0x2190 for ch in text)


def own_register(text: str) -> bool:
    """A line in a post's register, seldom an article's."""
    unquoted = re.sub(r"“[^”]*”", "", text)
    return bool(_LOWER_START_RE.match(text) or _HASHTAG_RE.search(unquoted)
                or _DOUBLED_RE.search(text) or _has_emoji(text))


def _is_script(text: str) -> bool:
    return bool(_SCRIPT_RE.match(text)) and len(text.split(":", 1)[0].split()) <= 4


def is_heading(text: str) -> bool:
    """ "Science is Cool", "Prime Minister Jane Doe": a caption over what follows."""
    words = text.split()
    return (0 < len(words) <= _HEADING_MAX_WORDS and text.rstrip()[-1] not in _SENTENCE_END
            and not text[0].islower() and not own_register(text))


def _is_lead_in(text: str, below: str | None) -> bool:
    """ "Here is a selection:": the writer introducing what follows, unless what follows is
    a list item, and then it is the list's own opening line."""
    return text.rstrip().endswith(":") and not (below is not None and _ITEM_RE.match(below))


def _is_reported(text: str) -> bool:
    """The writer's voice: a quotation the line opens or closes without the other half, a
    whole one with narration after it (“That will be fine,” said one reader), or words
    that tell of posts and their writers ("one user replied")."""
    text = _LINK_RE.sub(" ", text)
    if text.count("“") + text.count("«") != text.count("”") + text.count("»"):
        return True
    if text.count('"') % 2 or _REPORTING_RE.search(text):
        return True
    last = max(text.rfind("”"), text.rfind('"'))
    return last > 0 and text.lstrip()[:1] in '“"' and bool(re.search(r"\w", text[last + 1:]))


def flat_start(texts: Sequence[str], start: int, body: str, floor: int,
               usable: Callable[[int], bool], is_marker: Callable[[int], bool],
               captioned: bool) -> int:
    """The first line of the post whose known lines are texts[start:] up to its byline;
    `body` is those lines' text. `usable(i)`: texts[i] may belong to a post at all
    (above the floor, not a marker or another byline). `captioned`: the page has already
    set a heading right above a post, so its headings caption posts (rather than open the
    writer's own paragraphs, which some pages put between a heading and the post)."""
    used = text_length(body)
    script = _is_script(body.split("\n", 1)[0])
    first = start
    # Lines in the post's own register (or its script) join one by one.
    while first > floor and usable(first - 1):
        text = texts[first - 1]
        fits = used + text_length(text) + 1 <= POST_CHARS
        if not fits or _is_reported(text) or _is_lead_in(text, texts[first]) or _MEDIA.search(
                text):
            return first
        if not (own_register(text) or (script and _is_script(text))):
            break
        used += text_length(text) + 1
        first -= 1
    # Plain lines join only as a run the writer announced, and all of it or none.
    index, run = first - 1, used
    while index >= floor and usable(index):
        text = texts[index]
        below = texts[index + 1]
        if _is_lead_in(text, below) or (captioned and is_heading(text)):
            return index + 1
        if is_heading(text):
            return first
        run += text_length(text) + 1
        if run > POST_CHARS or _is_reported(text) or _MEDIA.search(text):
            return first
        index -= 1
    announced = index >= floor and is_marker(index)
    return index + 1 if announced else first
