"""Labels for figures: short, natural phrases in the source's own words.

The vocabulary the labels and kinds are read with (promise, audience and platform words, units'
quantities, verbs), the phrase right after a number (`phrase_after`: "25m listening live",
"36,512 crossed the finish line", "rise in the minimum wage"), and the rules that shape the
awkward cases: a long or pronoun "of" phrase ("of staff", "people to come back to the
office"), a physical reading labelled by a thing ("train speed"), a number alone after a short
fragment ("Difference? $51bn"), a share that moved ("rise in Twitter shares"). The clause
before a number is read in `digest.edit.figures`.
"""

from __future__ import annotations

import re

from digest.edit.text import lexicon
from digest.edit.text.grammar import CURRENCIES, Mention, is_number_word
from digest.edit.text.tokens import STOP

# Verbs that end a clause's subject: "shareholders got", "the grid fell", "demand rose". Past
# forms also end a noun phrase after a number ("1,200 staff left"); present forms do not, as
# they double as plural nouns ("17 hot takes").
PAST = lexicon.words("past")
COMPARED = lexicon.words("compared")
# Right after a count, a past verb and its object up to the clause's end (five words at most).
DID = re.compile(r"\s+((?:[a-z]{3,}ed|crossed|ran|won|lost|left|came|went|got|made|took|saw|bought"
                 r"|sold)(?:\s+[A-Za-z][\w'’-]*){0,4})\s*(?=[.,;:!?)]|$)")
# Platform counters: what a service reports about a post, not what happened in the world.
METRIC = re.compile(
    r"\b(?:page\s+)?(?:impressions|views|likes|retweets|reposts|quote\s+tweets|followers"
    r"|subscribers|plays|streams|downloads|clicks|engagements?|replies|bookmarks|hits|visits)\b",
    re.IGNORECASE,
)
# An audience counted: people who actually did something (listened, watched, turned up).
AUDIENCE = re.compile(
    r"\b(?:(?:listen|watch|view|stream)(?:ing|ed)(?:\s+(?:live|in))?|tuned\s+in|listeners"
    r"|attended|turned\s+up|turned\s+out"
    r"|viewers|attendees|attendance|audience|spectators|turnout|visitors|crowd)\b",
    re.IGNORECASE,
)
# A promise, target or forecast: the number is what someone said would happen.
CLAIM = re.compile(
    r"\b(?:promis(?:ed|es|e|ing)|pledg(?:ed|es|e)|target(?:ed|s)?|goal|aim(?:ed|s|ing)?"
    r"|expect(?:ed|s|ing)?|forecasts?|predict(?:ed|s|ion)?|project(?:ed|ion)|claim(?:ed|s)?"
    r"|vow(?:ed|s)?|boast(?:ed|s)?|plann?(?:ed|s)?|hop(?:ed|es|ing)|tout(?:ed|s)?"
    r"|budget(?:ed|s)?)\b",
    re.IGNORECASE,
)
# Something observed or counted after the fact.
MEASURED = re.compile(
    r"\b(?:actually|in\s+fact|only|just|measured|recorded|peaked|reached|hit|counted"
    r"|officially|confirmed|data|according|reported|survey(?:ed)?|found)\b",
    re.IGNORECASE,
)
# Units that say what they measure; the name stands in as a label when the words do not.
QUANTITY = {"mph": "speed", "kph": "speed", "km/h": "speed", "km": "distance", "mi": "distance",
            "ft": "height", "kg": "weight", "t": "weight", "C": "temperature", "F": "temperature",
            "GB": "data", "TB": "data", "MB": "data", "GW": "power", "MW": "power", "kW": "power",
            "TWh": "energy", "GWh": "energy", "MWh": "energy", "kWh": "energy",
            "Gbps": "speed", "Mbps": "speed", "kbps": "speed", "lb": "weight"}
PHYSICAL = frozenset(QUANTITY)
CURRENCY_CODES = frozenset(CURRENCIES.values())
SAYING = lexicon.words("saying")
VERBISH = PAST | lexicon.words("verbish")
AUXILIARY = lexicon.words("auxiliary")
# Label words are letters only: a label never carries a number of its own ("n8FTp", "B7").
WORD = re.compile(r"(?<![\w'’-])[A-Za-z][A-Za-z'’]*(?:-[A-Za-z'’]+)*(?![\w'’-])")
WHEN = lexicon.words("when")
# "$12.40 a share": a price per unit says what it counts better than the words before it
# ("values the firm at"); a price per day or month does not ("a blue tick costs $1.03 a day").
PER_UNIT = re.compile(r"\s+(?:a|an|per)\s+(?:share|head|person|ticket|barrel|litre|liter|gallon"
                      r"|unit|item|seat|vote|user|subscriber|pack|bottle|pint|kilo|tonne)\b")
# Between two numbers of one thing: a range or a change ("£9,100 to £5,000", "13.8% to 15%").
CONTINUES = re.compile(r"\s*(?:to|-|–|and|or|,?\s*then|,)\s*", re.IGNORECASE)
# The start of a range right before a number: "10 to" in "a surge of 10 to 15 ft".
RANGE_START = re.compile(r"(?<![\w.,])\d[\d,.]*\s*(?:to|-|–)\s*$")
# A subject pronoun and its verb before a number: "it heads for 38%".
PRONOUN = re.compile(r"\b(?:it|this|that|they)\s+[a-z]+(?:\s+(?:for|to|at|by|of|in))?\s*$",
                     re.IGNORECASE)
# A clause that is only a linking word: ", to £12.21" is the clause before's amount.
LINKED = re.compile(r"\s*(?:to|from|at|by|of)?\s*", re.IGNORECASE)
# What money is for, up to the end of its clause: "£999 for the Pro", "for a seat behind the
# goal". Never across a number ("for Fortune 500 firms").
FOR_PHRASE = re.compile(r"\s+(for\s+(?:(?:the|a|an|its|their|his|her|our|each|every)\s+)?"
                        r"[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,4})\s*(?=[.,;:!?)]|$)")
# A share that moved: "up 5.7%", "demand rose 30 percent", "fell by 2%" -> "rise in …".
CHANGE = re.compile(r"\b(?:(up|rose|rises|grew|grows|jumped|climbed|increased|gained|soared)"
                    r"|(down|fell|falls|dropped|declined|decreased|slumped|sank|slipped))"
                    r"(?:\s+by)?\s*$", re.IGNORECASE)
# A share more or less than something: "paid 60 percent more", "20% fewer trains".
COMPARATIVE = re.compile(r"\s+(more|less|fewer)\b(?:\s+([A-Za-z][\w'’-]*))?", re.IGNORECASE)
# A price per stretch of time: "£150 a month", "$1.03 a day".
TIME_RATE = re.compile(r"\s+(?:a|an|per|each)\s+(?:day|night|week|month|year|hour)\b",
                       re.IGNORECASE)
# How often, after a count's noun or right after the number: "24,000 tweets per minute".
RATE_AFTER = re.compile(r"((?:\s+[A-Za-z][\w'’-]*){0,3}?)\s+((?:a|an|per|each)\s+"
                        r"(?:second|minute|hour|day|night|week|month|year))\b", re.IGNORECASE)
# Nouns of a change: "a 6.7% rise in the minimum wage".
MOVES = lexicon.words("moves")
# Money someone received: "Your shareholders got $44Bln" -> "to shareholders".
RECEIVED = re.compile(r"\b(?:got|get|gets|received|receive|receives|earned|earns|pocketed)\s*$",
                      re.IGNORECASE)
# Endings of common nouns, never of a name alone: "Borrowing", "Compensation", "Difference".
COMMON_ENDINGS = ("ing", "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ship")
# Verbs of a deal: "to buy Twitter" says what money is for; "Twitter" alone does not.
TRADE = lexicon.words("trade")
# Words that already name a measurement: "wind gusts" and "speeds" need no unit name added.
MEASURES = lexicon.words("measures")


def of_phrase(words: list[str], rest: str) -> str:
    """An "of" phrase as a label, short: "of the workforce"; "of a tech companies staff" ->
    "of staff" (the head noun, with a definite determiner kept: "of the … workforce" -> "of
    the workforce"); "12,000 of you to come back" counts people, and the clause after says
    which: "people to come back to the office"."""
    det = words[1] if len(words) > 1 and words[1].lower() in STOP else ""
    content = [w for w in words[1:] if w.lower() not in STOP]
    while len(content) > 1 and (content[-1].lower() in PAST or re.fullmatch(r"[a-z]{3,}ed",
                                                                           content[-1])):
        content.pop()  # "of the company's total workforce left": the workforce is counted
    if det.lower() in ("you", "us") and content and re.fullmatch(r"[a-z]{3,}ed", content[0]):
        did = DID.match(" " + " ".join(content[:1]) + rest)
        return " ".join(["people", *(did.group(1).split() if did else content[:1])])
    if det.lower() in ("you", "us") and not content:
        more = re.match(r"\s*(to\s+[a-z]+(?:\s+[A-Za-z'’]+){0,4})", rest)
        tail = more.group(1).split() if more else []
        while tail and (tail[-1].lower() in STOP or is_number_word(tail[-1])):
            tail.pop()
        return " ".join(["people", *tail])
    if len(content) > 2 and " ".join(words).count(" and ") == 0:
        keep = det if det.lower() in ("the", "its", "their", "our", "his", "her", "all") else ""
        return " ".join(w for w in ("of", keep, content[-1]) if w)
    return " ".join(words)


def measure(label: str, quantity: str) -> str:
    """A physical reading labelled by a thing, not a measure ("Trains limited to 105 mph"),
    gets the unit's quantity: "train speed", "rail temperature". "Wind gusts" stays."""
    words = label.split()
    if not words or len(words) > 2 or any(
            w.lower().rstrip("s") in MEASURES or w.lower() in MEASURES or w.lower() == quantity
            for w in words):
        return label
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and last[-2] not in "aiuosAIUOS":
        last = last[:-1]  # a plural names a common noun: "Trains" -> "train"
        if len(words) == 1 and last[:1].isupper() and not last.isupper():
            last = last[0].lower() + last[1:]
    return " ".join([*words[:-1], last, quantity])


def fragment_before(text: str, spans: list[tuple[int, int]], start: int) -> str:
    """A number alone in its sentence, after a short fragment that names it: "Difference?
    $51bn." -> "Difference"; "Turnout: 61%" is a clause already."""
    before = [(a, b) for a, b in spans if b <= start]
    if not before:
        return ""
    a, b = before[-1]
    fragment = text[a:b].strip()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", fragment) if not is_number_word(w)]
    if 1 <= len(words) <= 3 and fragment.endswith(("?", ":", "!")) and not any(
            w.lower() in STOP for w in words):
        first = words[0]
        if first.endswith(COMMON_ENDINGS) and first[1:].islower():
            words[0] = first.lower()  # "Difference?" started its sentence; it is no name
        return " ".join(words)
    return ""


def moved(label: str, clause: str) -> str:
    """ "Twitter shares closed at $51.70, up 5.7%" -> "rise in Twitter shares": what moved,
    and which way, where a share follows a word of rising or falling."""
    change = CHANGE.search(clause)
    if not change or not label or label.startswith("of "):
        return label
    what = re.split(r" (?:in|at|across|for) (?=[A-Z])", label)[0]  # "rent in Manchester"
    return f"{'rise' if change.group(1) else 'fall'} in {what}"


def with_rate(masked: str, mention: Mention, label: str) -> str:
    """ "24,000 tweets per minute" -> "tweets per minute", "£150 a month" (no label) -> "a
    month": a rate belongs to what is counted. Only where the label is the words between the
    number and the rate, so a label taken from elsewhere in the sentence is left alone."""
    rate = RATE_AFTER.match(masked, mention.end)
    if rate is None:
        return label
    between, how_often = rate.group(1).split(), " ".join(rate.group(2).split())
    if how_often.lower() in label.lower():
        return label
    if not between and not label:
        return how_often
    if between and " ".join(between).lower() == label.lower():
        return f"{label} {how_often}"
    return label


# How much text after a number a label reads: a few words, never the rest of a long post (a
# copy of all of it per number made a post of 10,000 number words quadratic).
AFTER = 300


def plain_words(text: str) -> list[tuple[str, int, int]]:
    """The words of `text` a label may use: letters only, and no number words ("double")."""
    return [(m.group().rstrip("'’"), m.start(), m.end()) for m in WORD.finditer(text)
            if not is_number_word(m.group())]


def phrase_after(masked: str, mention: Mention) -> str:
    """The noun phrase right after the number: "25m listening live", "80% of a tech … staff"."""
    # "10,000+ fans", "60 million plus", "£9.99/month": the sign is no part of what is counted
    rest = re.sub(r"^\+|^/[a-z]+\b|^\s+plus\b(?!\s+\d)", "",
                  masked[mention.end:mention.end + AFTER])
    words: list[str] = []
    has_of = mention.unit == "%" or (mention.unit is None and re.match(
        r"\s+of\s+(?:you|us|them|the|those|these|our|their)\b", rest))
    if has_of:
        of = re.match(r"\s+of\s+((?:the|a|an|its|their|his|her|our|all|you|us|them|those|these)"
                      r"\s+)?", rest, re.IGNORECASE)
        if of:
            words = ["of"] + ([of.group(1).strip()] if of.group(1) else [])
            rest = rest[of.end():]
        elif mention.unit == "%" and not re.match(r"\s+[A-Za-z]", rest):
            return ""  # "4.4% Of", "60% (est)": no phrase; "1 in 5 nurses" has one
    elif rest.startswith("-"):  # "13-year sentence", "5-year-old girl"
        rest = rest[1:]
    did = DID.match(rest) if not words and mention.unit is None else None
    if did:
        # "36,512 crossed the finish line", "12.4m watched on TV": what they did says what
        # the count is of, better than the verb alone.
        phrase = did.group(1).split()
        while len(phrase) > 1 and (phrase[-1].lower() in STOP or phrase[-1].lower() in WHEN):
            phrase.pop()
        return " ".join(phrase)
    content = 0
    pos = 0
    while content < 4:
        m = re.match(r"\s*[“\"‘]?([A-Za-z][A-Za-z'’]*(?:-[A-Za-z'’]+)*)(?![\w'’-])", rest[pos:])
        if not m:
            break
        word = m.group(1).rstrip("'’")
        if word.lower() in ("and", "or") and content:
            nxt = re.match(r"\s+([A-Z][A-Za-z'’]*)", rest[pos + m.end():])
            if not nxt or nxt.group(1).lower() in STOP:
                break  # "Thai and Filipino workers" continues; "staff and expect" does not
        elif word.lower() in STOP or word.lower() in WHEN or is_number_word(word) or (
                content and word.lower() in COMPARED):
            break  # "34.8C today", "4,000 places gone faster than": not what it measures
        else:
            content += 1
        words.append(word)
        pos += m.end()
        if re.match(r"[,.;:!?()\"“”]", rest[pos:pos + 1]):
            break
    if len(words) == 1 and words[0].lower() in MOVES:
        # "a 6.7% rise in the minimum wage": what rose belongs to the label.
        what = re.match(r"\s+((?:in|on|of)\s+(?:(?:the|a|an|its|their|our)\s+)?[A-Za-z][\w'’-]*"
                        r"(?:\s+(?![Ff]or\b|[Tt]o\b|[Bb]y\b|[Ff]rom\b)[A-Za-z][\w'’-]*){0,2})"
                        r"(?=\s*[.,;:!?)]|\s+(?:to|by|from|for|this|last|next)\b)", rest[pos:])
        if what:
            return " ".join([words[0], *what.group(1).split()])
    if len(words) == 1 and words[0].lower() in VERBISH | SAYING:
        return ""  # "80 mph hit the coast": a verb, not what is counted
    while len(words) > (2 if words[:1] == ["of"] else 0) and words[-1].lower() in STOP:
        words.pop()
    if words[:1] == ["of"]:
        return of_phrase(words, rest[pos:])
    if words and re.match(r"(?:tuned|listening|watching|streaming|logged|checked)$", words[-1]):
        particle = re.match(r"\s+(in|live|on)\b", rest[pos:])
        if particle:
            words.append(particle.group(1))  # "people tuned in", "watching live"
    while len(words) > 1 and words[0] != "of" and (
            re.fullmatch(r"[a-z]{3,}(?:ed|ing)", words[-1]) or MEASURED.fullmatch(words[-1])
            or words[-1].lower() in SAYING | PAST):
        words.pop()  # "888,000 listeners dropped off", "90 minutes telling us": what is counted
    return " ".join(words) if content or (words and words[0] == "of") else ""


def phrase_following(masked: str, mention: Mention) -> str:
    """Last resort: the first content words after the number in its clause ("only £12bn has
    been spent" -> "spent")."""
    clause = re.split(r"[,;:.!?()—–]|[£$€¥₹]?\d", masked[mention.end:mention.end + AFTER],
                      maxsplit=1)[0]
    words = [w for w, _, _ in plain_words(clause)]
    if len(words) > 1 and words[0].lower() in ("a", "an", "per", "each") and \
            words[1].lower() not in STOP:
        return f"{words[0]} {words[1]}"  # "$54.20 a share": a price per unit
    if len(words) > 1 and words[0].lower() in ("at", "for") and words[1].lower() not in STOP:
        return " ".join(words[:4])  # "£609 at today’s rate"
    while words and words[0].lower() in STOP:
        words.pop(0)
    # "£549 on Tuesday": when is not what the money is.
    return " ".join(w for w in words[:2] if w.lower() not in STOP and w.lower() not in WHEN)
