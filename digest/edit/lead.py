"""The summary's first sentence: the event, from the article's lead or the top post, holding
no number that no post gave."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from digest.edit.text.numbers import scan_numbers
from digest.edit.text.sentences import sentences
from digest.edit.text.tokens import STOP
from digest.edit.tracing import Numbers
from digest.model import Document, Highlight, Post

# Openers that address the reader rather than state the news: "You'll probably be aware that".
HEDGE = re.compile(
    r"^(?:you(?:['’]ll| will)?\s+(?:probably\s+|may\s+|might\s+|already\s+)*(?:be\s+aware|know"
    r"|have\s+(?:heard|seen))|as\s+you\s+(?:probably\s+|may\s+)?(?:know|have\s+heard)"
    r"|in\s+case\s+you\s+missed\s+it)[,:]?\s+(?:that\s+)?",
    re.IGNORECASE,
)


LEAD_PARAGRAPHS = 6  # headings, standfirst and captions may come before the first paragraph
# A paragraph that ends a sentence; a lead paragraph may close on a question ("So where did it
# come from?"), a heading seldom ends in a full stop.
_ENDS_SENTENCE = re.compile(r"[.!?…][\"”’')]*\s*$")


# A news article's dateline before its first sentence: "NEW YORK — ", "MANILA, Philippines - ",
# "LONDON (Reuters) - ", "Computerworld - ": a place or an outlet, not the news.
DATELINE = re.compile(
    r"^[A-Z][\w.'’&]*(?:,?\s+[A-Z][\w.'’&]*){0,3}(?:\s+\([A-Z][\w\s.&]{1,30}\))?\s+[-–—]\s+"
    r"(?=[A-Z\"“])")


def clean_sentence(sentence: str) -> str:
    sentence = DATELINE.sub("", sentence.strip())
    sentence = re.sub(r"\s+", " ", HEDGE.sub("", sentence))
    sentence = re.sub(r"\s*(?:https?://|pic\.twitter\.com/)\S+", "", sentence).strip()
    if sentence and sentence[0].islower():
        sentence = sentence[0].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."


def event_sentence(documents: Sequence[Document], posts: Sequence[Post],
           highlights: Sequence[Highlight], numbers: Numbers) -> str:
    """The article's lead sentence, else the top feed item or post, named with its source."""
    for doc in documents:
        for para in doc.prose[:LEAD_PARAGRAPHS]:
            if not _ENDS_SENTENCE.search(para.text):
                continue  # a heading, a caption or a credit line: no lead ever ends so
            for start, end in sentences(para.text)[:1]:
                raw = para.text[start:end]
                # The whole sentence, else the part before a number no post gave ("Spain are
                # European champions for a record fourth time [after beating England 2-1]").
                cut = untraced_cut(raw, numbers)
                for sentence in dict.fromkeys((clean_sentence(raw), clean_sentence(cut))):
                    if 30 <= len(sentence) <= 240 and not sentence.endswith("?") and \
                            numbers.traceable(sentence):
                        return sentence
    byid = {p.id: p for p in posts}
    ordered = [byid[h.post] for h in highlights if h.post in byid] + list(posts)
    # Only the sources that gave this edition a post: a feed whose items are all old is not
    # where the edition comes from.
    titles = list(dict.fromkeys(d.title for d in documents
                                if d.title and any(p.id in byid for p in d.posts)))
    source = titles[0] if len(titles) == 1 else "the sources"
    kind = noun(posts)
    for post in ordered:
        text = post.title or post.text
        spans = sentences(text)
        lead = clean_sentence(text[spans[0][0]:spans[0][1]]) if spans else ""
        if lead and len(lead) <= 200 and numbers.traceable(lead):
            count = numbers.count(len(posts), "posts", [p.id for p in posts])
            if len(posts) == 1:
                return f"{lead.rstrip('.')}, from {source}."
            # As an editor opens a round-up: the top story first, then how much there is;
            # not the tool's tally ("31 items from the sources, led by …").
            origin = f" from {source}" if len(titles) == 1 else ""
            return f"The top story{origin}: {lead} This edition gathers {count} {kind}."
    return ""


# Where a sentence may be cut short: before a preposition, conjunction or subordinate clause.
_CUT_WORDS = frozenset(re.findall(r"\w+", (
    "after as with when while before by in at on for since from to of than over under until "
    "during amid despite near and but or which who where because following beating")))
# A "to" that completes the verb before it: cut there, "is expected[ to be surpassed twice]"
# says the opposite of its sentence, so the sentence is not cut at all.
INFINITIVE = re.compile(r"(?:\w+ed|set|going|likely|due|about|able|want|wants|has|have|had)"
                         r"\s+to\s*$", re.IGNORECASE)


_YEAR_MODIFIER = re.compile(
    r"\b((?:the|this|last|next|its|their|his|her|our)\s+)((?:19|20)\d{2})\s+(?=[A-Za-z])",
    re.IGNORECASE)
# A year that ends a name: "the World Cup 2022 concluded", "the Budget 2017 speech".
_NAME_YEAR = re.compile(r"\b([A-Z][\w’'-]*)\s+((?:19|20)\d{2})\b(?![-–/.,:]?\d)")


def undated(text: str, known: set[str]) -> str:
    """`text` without the years that only date a noun or end a name ("the 2024 election",
    "the World Cup 2022"), unless a figure is that year."""
    text = _YEAR_MODIFIER.sub(lambda m: m.group(0) if m.group(2) in known else m.group(1), text)
    return _NAME_YEAR.sub(lambda m: m.group(0) if m.group(2) in known else m.group(1), text)


def untraced_cut(sentence: str, numbers: Numbers) -> str:
    """`sentence` without the phrase holding a number no figure has: the clause that holds it
    is cut at the last preposition or conjunction before that number, and the clauses after it
    are kept while every number in them is known ("Hurricane Milton made landfall near Siesta
    Key, Florida, on Wednesday night[ as a Category 3 storm], just two weeks after Helene").
    "" when nothing of substance is left. A year that only dates a noun goes first ("has won
    the[ 2024] US presidential election", "the World Cup[ 2022] concluded"): the posts' own
    dates say when."""
    known = {f.text for f in numbers.figures}
    sentence = undated(sentence, known)
    bad = [m.start for m in scan_numbers(sentence) if m.text not in known]
    if not bad:
        return sentence
    # Clauses: the sentence split at commas, semicolons and dashes (separators kept).
    breaks = [0] + [m.start() for m in re.finditer(r"\s*(?:[,;:(]|\s[–—-]\s)", sentence)]
    at = max(b for b in breaks if b <= bad[0])
    head = sentence[:bad[0]]
    if at > 0:
        # Not the main clause: the whole clause goes, since what a cut would leave of it
        # ("the first[ since 1993]") says something else.
        kept = _no_dangling(head[:at])
    else:
        cuts = [m for m in re.finditer(r"\s(\w+)(?=\s)", head)
                if m.group(1).lower() in _CUT_WORDS]
        if cuts and INFINITIVE.search(head[:cuts[-1].end()]):
            return ""
        at = cuts[-1].start() if cuts else 0
        kept = _no_dangling(_unqualified(_no_dangling(head[:at])))
    if not kept:
        return ""
    following = [b for b in breaks if b > bad[0]] + [len(sentence)]
    for clause_start, clause_end in itertools.pairwise(following):
        clause = sentence[clause_start:clause_end]
        if any(m.text not in known for m in scan_numbers(clause)) or \
                not re.match(r"\s*,", clause):
            break
        kept += clause
    return _no_dangling(kept)


_SUPERLATIVE = frozenset(re.findall(r"\w+", (
    "first last only biggest largest highest lowest most least best worst fastest slowest "
    "hottest coldest wettest driest deadliest strongest weakest longest shortest record")))


def _unqualified(kept: str) -> str:
    """A superlative whose qualifier was cut goes with it: "Labour’s first Budget[ in 14
    years]" is not Labour's first Budget ever, so it reads "Labour’s Budget"."""
    words = list(re.finditer(r"\S+", kept))[-3:]
    for at, word in reversed(list(enumerate(words))):
        # Only a superlative that the rest qualifies ("a record fourth time"): in "the hottest
        # day on record is expected[ to …]" the cut took no qualifier of "record".
        if word.group().lower() in _SUPERLATIVE and not any(
                w.group().lower() in STOP for w in words[at + 1:]):
            return f"{kept[:word.start()]}{kept[word.end():].lstrip()}".rstrip()
    return kept


def _no_dangling(text: str) -> str:
    """No "the", "and" or comma left hanging at the end of a cut sentence."""
    while True:
        trimmed = re.sub(r"[\s,;:–—-]+$", "", text)
        last = re.search(r"(?:^|\s)(\w+)$", trimmed)
        if not last or last.group(1).lower() not in STOP:
            return trimmed
        text = trimmed[:last.start()]


def noun(posts: Sequence[Post]) -> str:
    """What to call the posts: "items" when every one is a feed item (has a title)."""
    return "items" if posts and all(p.title for p in posts) else "posts"
