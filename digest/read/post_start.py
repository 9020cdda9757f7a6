"""Where a post that ends at a byline begins.

Most posts are one paragraph. A post runs over several paragraphs only when the text itself
shows it, because an article's prose often sits right above a post ("His loyal followers
believed him.") and must not be swallowed. The evidence looked for, all of it shape:
  * a letter opening "Dear …," above the post (signed or not);
  * a signed letter: the post's last words are a signature (a few words, no full stop: "Mark")
    under a sign-off (a short paragraph ending in a comma: "Sincerely,"). The letter then
    opens at the nearest salutation above ("Dear …,", "Hi all,", "To whom it may concern:");
    with no salutation only the sign-off is taken, since nothing else tells the letter's
    first paragraph from the article's last one;
  * a bare byline (alone in its paragraph): the paragraph above is the post's text;
  * a thread marker above 1 ("2/3", "(3/3)"): the post opens at the "1/" paragraph;
  * a list: when the post's first paragraph is a list item ("- oil", "• salt"), the items
    above it and the line that opens the list ("Tried so far:") are the post's too;
  * a wider gap: paragraphs the page set further apart than its own paragraphs (a post's
    inner paragraph breaks survive the flattening as extra blank lines) are one post;
  * an opening line in the post's register: a short line ending in ":" with a hashtag, an
    emoji or a lower-case start, right under a list marker or the previous post.
The search goes back at most MAX_POST_PARAGRAPHS and never past the previous post or a list
marker. A long paragraph ending in a comma ("As one reader put it,") is not a sign-off, and a
whole sentence is not a signature, so an article's lead-in stays prose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from digest.read.flat_post import own_register

MAX_POST_PARAGRAPHS = 12  # how far back a multi-paragraph post may reach


class Block(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def gap(self) -> int: ...  # blank lines above it


_SALUTATION_RE = re.compile(
    r"^\s*(?:dear(?:est)?|hi|hello|hey|greetings|attention|attn|my dear|an open letter"
    r"|to (?:whom|all|the|my|our|every))\b[^.!?\n]{0,80}[,:]\s*$",
    re.IGNORECASE,
)
_DEAR_RE = re.compile(
    r"^\s*(?:(?:my )?dear(?:est)?\b[^.!?:\n]{0,60},|to whom it may concern[,:])\s*$",
    re.IGNORECASE)
_THREAD_RE = re.compile(r"^\s*\(?(?P<n>\d{1,2})\s*/\s*(?P<of>\d{1,2})?\)?(?:\s|$)")
# A list item a post writes: a bullet or an arrow-like symbol, then words.
_ITEM_RE = re.compile(r"^\s*(?:[-*•·‣▪◦–]|[\u2190-\u21ff\u2b00-\u2bff\u27a0-\u27bf])\s*\w")
_ITEM_MAX_WORDS = 12  # a list item is a few words, not a paragraph of prose
_INTRO_MAX_WORDS = 12  # "Things I've tried so far:"


def is_signature(body: str) -> bool:
    """ "Mark", "Linda and the team": a short line with no sentence end."""
    words = body.split()
    return 0 < len(words) <= 5 and body.rstrip()[-1] not in ".!?…"


def _is_signoff(text: str) -> bool:
    """ "Sincerely,", "Best wishes,": short and ending in a comma. A long paragraph ending in a
    comma is the article introducing a post ("As one reader put it,")."""
    return text.rstrip().endswith(",") and len(text.split()) <= 4


def _is_item(text: str) -> bool:
    return bool(_ITEM_RE.match(text)) and len(text.split()) <= _ITEM_MAX_WORDS


def _is_list_intro(text: str) -> bool:
    return text.rstrip().endswith(":") and len(text.split()) <= _INTRO_MAX_WORDS


def post_start(blocks: Sequence[Block], end: int, floor: int, body: str,
               usable_block: Callable[[int], bool], normal_gap: int) -> int:
    """Index of the first block of the post whose byline is in blocks[end]; `body` is the
    text before the byline in that block."""
    lowest = max(floor, end - MAX_POST_PARAGRAPHS)

    def usable(index: int) -> bool:
        return index >= lowest and usable_block(index)

    thread = _THREAD_RE.match(body)
    if thread and int(thread["n"]) > 1:
        index = end - 1
        while usable(index):
            opening = _THREAD_RE.match(blocks[index].text)
            if opening and int(opening["n"]) == 1:
                return index
            index -= 1
        return end
    # The post's last block of text: the byline's own, or the one above a bare one.
    last = end
    if not body:
        if not usable(end - 1):
            return end
        last, body = end - 1, blocks[end - 1].text
    signoff = last - 1
    signed = usable(signoff) and _is_signoff(blocks[signoff].text) and is_signature(body)
    # A letter opens at the nearest salutation above ("Dear …,": never the article's own
    # voice), signed or not. A signed letter without one keeps only its sign-off, since where
    # it opens cannot be told from the article's prose.
    salutation = _SALUTATION_RE if signed else _DEAR_RE  # "Hi all:" may be the article's
    index = last - 1
    while usable(index):
        if salutation.match(blocks[index].text):
            return index
        index -= 1
    if signed:
        return signoff
    return _grow(blocks, last, body, usable, normal_gap)


def _grow(blocks: Sequence[Block], first: int, body: str, usable: Callable[[int], bool],
          normal_gap: int) -> int:
    """Take in the blocks above that the post's own shape claims: its list, its wider gaps."""
    top_text = body
    while True:
        if _is_item(top_text):
            index = first - 1
            while usable(index) and _is_item(blocks[index].text):
                index -= 1
            if usable(index) and _is_list_intro(blocks[index].text):
                first, top_text = index, blocks[index].text
                continue
            if index + 1 < first:
                first, top_text = index + 1, blocks[index + 1].text
        # A page with no blank lines between its paragraphs has no wider gap to show.
        if normal_gap and blocks[first].gap > normal_gap and usable(first - 1):
            first, top_text = first - 1, blocks[first - 1].text
            continue
        if usable(first - 1) and _is_list_intro(blocks[first - 1].text) and own_register(
                blocks[first - 1].text) and not usable(first - 2):
            # "Line on page 3 of #budget:" right under a list marker or the post before, in a
            # post's register (a hashtag, an emoji, a lower-case start): the post's own
            # opening, where the writer's lead-in ("One reader wrote:") carries none.
            return first - 1
        return first
