"""The one tokenizer of the editorial stage: masking what is not prose (links, handles,
emails), the words of a text, and the words either side of a position."""

from __future__ import annotations

import functools
import re

from digest.edit.text import lexicon

# The stop words end a label and tell a noun phrase from a clause; kept small and closed.
STOP = lexicon.words("stop")
_URLS = r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z][\w-]*/\S*"
# An email's local part is at most 64 characters (RFC 5321): bounding it keeps the scan linear,
# where "[\w.+-]+@" re-read the rest of a long word from each of its letters.
_EMAIL = r"[\w.+-]{1,64}@[\w-]+\.[\w.]+"
_REST = r"[@#]\w+|\b\w+(?:\.\w+)*\.(?:com|org|net|social|io|co|uk|ly|me|tv|gov|edu|app|dev)\b"
MASKS = re.compile(f"{_URLS}|{_EMAIL}|{_REST}", re.IGNORECASE)
# Without an "@" no email can match: the text is scanned without trying one at every letter.
_NO_EMAIL = re.compile(f"{_URLS}|{_REST}", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def mask(text: str) -> str:
    """Blank out URLs, link ids, handles, hashtags and emails, keeping every offset.

    Every mask is one stretch of non-blanks holding one of ". : @ #", so only the words that
    hold one are masked, each on its own (a word without one, a 1 MB word say, is passed
    over, not tried at every letter). A build reads each text once (reading.Texts); the small
    cache serves callers that ask for the same text twice in a row.
    """
    masks = MASKS if "@" in text else _NO_EMAIL
    parts: list[str] = []
    last = 0
    for word in _CANDIDATE.finditer(text):
        blanked = masks.sub(_blank, word.group())
        if blanked != word.group():
            parts += (text[last:word.start()], blanked)
            last = word.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


# A whole word (a stretch between blanks) that holds one of ". : @ #": it is found from its
# first letter only, and the possessive run cannot backtrack, so the scan is linear.
_CANDIDATE = re.compile(r"(?<!\S)[^\s.:@#]*+[.:@#]\S*")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def words_before(text: str, pos: int, n: int = 2) -> list[str]:
    return re.findall(r"[\w'’.]+", text[max(0, pos - 40):pos])[-n:]


_NEXT_WORD = re.compile(r"\s*((?:[^\W\d_]|['’])+)")


def next_word(text: str, pos: int) -> str:
    # Matched in place, not on text[pos:]: a copy of the rest per number made a long post
    # quadratic.
    match = _NEXT_WORD.match(text, pos)
    return match.group(1).lower() if match else ""


def ends_with(text: str, pos: int, chars: str) -> bool:
    """Is the last non-space character before `pos` one of `chars`? What
    re.search(rf"[{chars}]\\s*$", text[:pos]) says, reading back over the spaces only (that
    search read the whole text before every number)."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos > 0 and text[pos - 1] in chars


def sentence_start(text: str, pos: int) -> bool:
    """Does a sentence start at `pos` (so a capital there says nothing about a name)?

    Only blanks before it, or a line break among the blanks, or . ! ? : then closing quotes
    and blanks: read backwards from `pos`, so a long text costs no more per call than a short.
    """
    while pos > 0 and text[pos - 1].isspace():
        if text[pos - 1] == "\n":
            return True
        pos -= 1
    if pos == 0:
        return True
    while pos > 0 and text[pos - 1] in "\"”’')":
        pos -= 1
    return pos > 0 and text[pos - 1] in ".!?:\n"


# A word: letters of any script ("plošné", "Šefčovič"), with inner apostrophes and hyphens.
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")


def words(text: str) -> list[str]:
    """The words of `text` once links, handles and emails are masked, in order."""
    return WORD.findall(mask(text))
