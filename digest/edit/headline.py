"""The headline: the event in a few words, built from the sources (the default title and
subject), never holding a number no post gave."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from digest.edit.lead import INFINITIVE, undated
from digest.edit.text.numbers import scan_numbers
from digest.edit.text.sentences import sentences
from digest.edit.text.tokens import STOP
from digest.edit.themes import Theme, is_disputed
from digest.model import Document, Figure, Highlight, Post


def headline(documents: Sequence[Document], event: str, theme: Theme | None,
              posts: Sequence[Post], highlights: Sequence[Highlight],
              figures: Sequence[Figure]) -> str:
    """The event in a few words, never a number no post gave. In order: the source's own title
    (one source with one); the article's headline line; the main clause of the article's lead
    sentence when it is short; the two most-named names with the lead sentence's most repeated
    noun, and the theme when the posts dispute it; the top post's title or first clause."""
    titles = [d.title for d in documents if d.title and not re.fullmatch(r"[\w-]+", d.title)]
    if len(titles) == 1:
        return titles[0]
    known = {f.text for f in figures}

    def clean(text: str) -> bool:
        return all(m.text in known for m in scan_numbers(text))

    lead = next((s for d in documents for s in (p.text for p in d.prose) if s), "")
    own = _own_headline(documents, known)
    if own:
        return own
    if lead and event and not event[:1].isdigit():
        clause = main_clause(event)
        if 15 <= len(clause) <= 72 and clean(clause):
            return clause
        corpus = " ".join([event] + [p.text for p in posts] + [x.text for d in documents
                                                                for x in d.prose])
        names = _names(documents, corpus)
        nouns = [w for w in re.findall(r"\b[a-z]{5,}\b", event) if w not in STOP]
        noun = max(nouns, key=lambda w: (corpus.lower().count(w), -nouns.index(w)), default="")
        head = f"{'–'.join(names[:2])} {noun}" if names and noun else ""
        if head and theme and is_disputed(theme):
            return f"{head}: “{theme.phrase}” claim disputed"  # the dispute is the story
        # The lead's clause cut to fit, or the article's own headline, reads better than
        # names glued to a noun.
        short = shorten_clause(clause)
        if 15 <= len(short) <= 72 and clean(short):
            return short
        if head:
            return head
    byid = {p.id: p for p in posts}
    for post in [byid[h.post] for h in highlights if h.post in byid] + list(posts):
        clause = main_clause(post.title or post.text)
        if 10 <= len(clause) <= 72 and clean(clause):
            return clause
    return "Digest"


# A picture credit the page set after its headline: "… in tears (Picture: BBC)".
_CREDIT = re.compile(r"\s*\((?:pictures?|photos?|images?|source|credits?|video)\s*:[^)]*\)\s*$",
                     re.IGNORECASE)


def _own_headline(documents: Sequence[Document], known: set[str]) -> str:
    """The article's headline, where the page kept it as its first line: a short line with no
    sentence end ("Budget 2014: the weirdest and funniest tweets"), a year ending a name
    dropped as the lead drops it, and only if no other number is left that no post gave."""
    for doc in documents:
        if not doc.prose or not doc.prose[0].text.strip():
            continue
        line = " ".join(doc.prose[0].text.split())
        words = line.split()
        if "\n" in doc.prose[0].text.strip() or not 3 <= len(words) <= 16 or \
                line[-1] in ".,;:…" or line.isupper():
            continue
        line = undated(_CREDIT.sub("", line), known)
        if 15 <= len(line) <= 90 and all(m.text in known for m in scan_numbers(line)):
            return line
    return ""


def shorten_clause(clause: str, limit: int = 72) -> str:
    """A clause too long for a headline, cut before its last prepositional phrase that makes
    it fit ("… at the “It’s Glowtime” event in Cupertino[ on Monday]")."""
    if len(clause) <= limit:
        return clause
    cuts = [m.start() for m in re.finditer(
        r"\s(?:in|on|at|near|with|for|from|during|after|before|by|over|amid|to)\s", clause)
            if 15 <= m.start() <= limit and not INFINITIVE.search(clause[:m.end()])]
    return clause[:max(cuts)] if cuts else clause


def main_clause(text: str) -> str:
    """The part of a sentence before its first comma or subordinate clause, brackets dropped."""
    first = sentences(text)[:1]
    sentence = text[first[0][0]:first[0][1]] if first else text
    sentence = re.sub(r"\s*\([^)]*\)", "", sentence)
    opener = _OPENER.match(sentence)
    if opener:  # "Despite the storms, the heat went on": the main clause follows the comma
        sentence = sentence[opener.end():]
        sentence = sentence[:1].upper() + sentence[1:]
    clause = re.split(r",|;|:| — | – | when | after | as | while | because ", sentence)[0]
    return clause.strip().rstrip(".!?")


# A subordinate clause or phrase before the main one, up to its comma.
_OPENER = re.compile(
    r"^(?:despite|after|as|while|when|although|though|with|following|amid|since|because|if"
    r"|before|once|until|in|on|at|for|during|over)\b[^,;:]{0,80},\s+(?=\S)", re.IGNORECASE)


def _names(documents: Sequence[Document], corpus: str) -> list[str]:
    """Capitalised words written most often: the keywords' names first, surnames over first
    names ("Elon Musk" gives "Musk")."""
    keys = {k.lower() for d in documents for k in d.keywords}
    found = Counter(m.group(2) for m in re.finditer(
        r"(?:\b([A-Z][a-z]+)\s+)?\b([A-Z][a-z]+(?:[A-Z][a-z]+)*)\b", corpus)
                    if m.group(2).lower() not in STOP)
    firsts = {m.group(1) for m in re.finditer(r"\b([A-Z][a-z]+)\s+[A-Z][a-z]{2,}\b", corpus)}
    ranked = sorted(found, key=lambda w: (w.lower() not in keys, w in firsts, -found[w]))
    named = [w for w in ranked if found[w] >= 2 and len(w) >= 3]
    # A first name is not a second name beside its own surname: "Rishi Sunak" is Sunak.
    surname_of = {m.group(1): m.group(2) for m in re.finditer(
        r"\b([A-Z][a-z]+)\s+([A-Z][a-z]{2,})\b", corpus) if m.group(2) in named}
    return [w for w in named if surname_of.get(w) not in named][:2]
