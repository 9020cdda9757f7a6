"""The one tokenizer of the editorial stage: masking what is not prose (links, handles,
emails), the words of a text, and the words either side of a position."""

from __future__ import annotations

import re

from digest.edit.text import lexicon

# The stop words end a label and tell a noun phrase from a clause; kept small and closed.
STOP = lexicon.words("stop")
MASKS = re.compile(
    r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z][\w-]*/\S*|[\w.+-]+@[\w-]+\.[\w.]+|[@#]\w+"
    r"|\b\w+(?:\.\w+)*\.(?:com|org|net|social|io|co|uk|ly|me|tv|gov|edu|app|dev)\b",
    re.IGNORECASE,
)


def mask(text: str) -> str:
    """Blank out URLs, link ids, handles, hashtags and emails, keeping every offset."""
    return MASKS.sub(lambda m: " " * len(m.group()), text)


def words_before(text: str, pos: int, n: int = 2) -> list[str]:
    return re.findall(r"[\w'’.]+", text[max(0, pos - 40):pos])[-n:]


def next_word(text: str, pos: int) -> str:
    match = re.match(r"\s*((?:[^\W\d_]|['’])+)", text[pos:])
    return match.group(1).lower() if match else ""


def sentence_start(text: str, pos: int) -> bool:
    """Does a sentence start at `pos` (so a capital there says nothing about a name)?"""
    return not text[:pos].strip() or bool(re.search(r"[.!?:\n][\"”’')]*\s*$", text[:pos]))


# A word: letters of any script ("plošné", "Šefčovič"), with inner apostrophes and hyphens.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")


def words(text: str) -> list[str]:
    """The words of `text` once links, handles and emails are masked, in order."""
    return _WORD.findall(mask(text))
