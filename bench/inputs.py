"""Inputs for the bench, made up but shaped like an editor's real sources; seeded, so every run
of the bench reads the same bytes.

    python bench/inputs.py roundup 10000 out.txt    # one roundup page with 10,000 posts
    python bench/inputs.py jsonl 50000 out.jsonl    # a JSON Lines export, 50,000 posts
    python bench/inputs.py rss 400 folder/          # 400 RSS files

Not one post repeated: posts are put together from a few newsroom topics, each with its own
subjects, figures (percentages, money, counts, shares, scores), links, hashtags and mentions,
and written in several registers (a report, a quip, a question, a thread, a quote-post).
Authors post several times, a few posts are reposted word for word or with a word changed
(what dedupe and the near-duplicate pass are for), and the editor's own paragraphs come
between the posts, some with figures of their own. Names and handles are built from syllables.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

DATE = dt.date(2024, 8, 13)  # the newest post's day; posts go back DAYS days from it
DAYS = 5
SEED = 13
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

_FIRST = ("Ada", "Bram", "Cleo", "Dev", "Edda", "Femi", "Gus", "Hana", "Ivo", "Juno", "Kasia",
          "Lior", "Mira", "Nico", "Odile", "Pim", "Quinn", "Rosa", "Sami", "Tove", "Umar",
          "Vera", "Wim", "Xia", "Yusuf", "Zora")
_SYLLABLES = ("bel", "dor", "fen", "gar", "hol", "kin", "lam", "mor", "nes", "pel", "quor",
              "ros", "sal", "tam", "ver", "wick", "yar", "zell", "ash", "bry", "cott", "dale")
_WORDS = ("news", "daily", "watch", "desk", "notes", "takes", "live", "data", "pod", "hq")


@dataclass(frozen=True)
class Topic:
    name: str
    subjects: tuple[str, ...]
    things: tuple[str, ...]
    tags: tuple[str, ...]
    sites: tuple[str, ...]


TOPICS = (
    Topic("budget", ("the council", "the treasury", "the finance committee", "the mayor's office",
                     "the opposition", "the auditor"),
          ("the transport budget", "the school grant", "the housing fund", "the library rota",
           "the pothole programme", "the parking levy", "the bin collection", "the park cafe",
           "the leisure centre"), ("#budget", "#localgov", "#council"),
          ("citypaper.example", "ledger.example")),
    Topic("rail", ("the rail operator", "the drivers' union", "the regulator", "commuters",
                   "the transport secretary", "the station staff"),
          ("the strike ballot", "the weekend timetable", "the ticket price", "the new signalling",
           "the night service", "the replacement bus", "the delay repay form", "the new trains",
           "the ticket office closure"), ("#railstrike", "#commute", "#trains"),
          ("transitwatch.example", "railnews.example")),
    Topic("launch", ("the startup", "the phone maker", "the chip company", "its rival",
                     "the reviewers", "the app developers"),
          ("the new handset", "the battery claim", "the pre-order page", "the app store cut",
           "the keynote demo", "the price tier", "the camera bump", "the foldable screen",
           "the subscription plan"), ("#launch", "#gadgets", "#tech"),
          ("gadgetdesk.example", "bytes.example")),
    Topic("weather", ("the met office", "forecasters", "the river authority", "farmers",
                      "the water company", "the fire service"),
          ("the heatwave", "the flood warning", "the hosepipe ban", "the harvest",
           "the storm track", "the amber alert", "the reservoir level", "the pollen count",
           "the sea defences"), ("#heatwave", "#weather", "#floods"),
          ("skies.example", "fieldreport.example")),
    Topic("football", ("the club", "the manager", "the league", "the supporters' trust",
                       "the referee panel", "the owners"),
          ("the transfer window", "the ticket allocation", "the new stadium", "the penalty call",
           "the academy", "the kit launch", "the away end", "the loan deal", "the VAR review"),
          ("#matchday", "#transfers", "#football"), ("terraces.example", "fulltime.example")),
)

_REPORT = (
    "{Subject} says {thing} will rise to {money} next year, up from {money2}.",
    "{Subject} confirms {thing} is cut by {pct} from {month}.",
    "Breaking: {subject} puts {thing} on hold after {count} complaints in {days} days.",
    "{Subject} now expects {thing} to reach {big} people by {year}.",
    "Latest figures: {thing} is down {pct} on last year, the lowest since {past}.",
    "{Subject} announced {thing} at {time} this morning; {count} people watched live.",
    "Poll: {share} back {thing}, {share2} oppose it.",
    "{Subject} {score} in the vote on {thing}.",
)
_QUIP = (
    "imagine spending {money} on {thing} and still getting it wrong",
    "{thing} is the gift that keeps on giving {emoji}",
    "not {subject} discovering {thing} only now lol",
    "every single year {subject} acts surprised by {thing}",
    "me reading about {thing} for the {nth} time today {emoji}",
    "honestly {thing} deserves its own sitcom",
    "the group chat has opinions about {thing} {emoji}",
    "can't believe we're still talking about {thing}",
    "{thing}? in this economy?",
    "someone explain {thing} to me like I'm five",
)
_QUESTION = (
    "Why is nobody asking who pays for {thing}?",
    "Has anyone actually read the report on {thing}?",
    "Serious question: did {subject} consult anyone before {thing}?",
    "So is {thing} happening or not? Asking for {count} friends.",
    "What happens to {thing} if {subject} says no?",
    "Is it just me or has {thing} got worse?",
)
_OPINION = (
    "Whatever you think of {subject}, {thing} was always going to cost more than {money}.",
    "The real story is {thing}: {pct} more than planned and nobody is accountable.",
    "Hot take: {thing} is fine, the communication around it is the problem.",
    "I covered {thing} for {years} years. This is the worst handling I have seen.",
    "Remember when {subject} promised {thing} would be done by {year}? Good times.",
    "{Subject} had one job and {thing} was it.",
    "Credit where it's due: {subject} got {thing} right.",
    "Nobody outside the bubble cares about {thing}, and that should worry {subject}.",
    "If {subject} can't explain {thing}, maybe it shouldn't be doing it.",
)
_PROSE = (
    "Reaction to {thing} came quickly once {subject} had spoken.",
    "Not everyone was convinced by the case for {thing}.",
    "The numbers behind {thing} are worth a closer look: {subject} put the cost at {money}.",
    "Some readers pointed out that {thing} had been promised before, in {past}.",
    "Others took a lighter view of it all.",
    "By the afternoon {count} people had shared the original statement.",
    "Here is a selection of what people said.",
    "It was, as ever, a mixed picture.",
)
_OPENERS = ("Wow.", "Ok so", "Honestly,", "Right,", "Update:", "Well,", "Worth saying:",
            "Meanwhile,", "Again:", "Quick thread:")
_EMOJI = ("😂", "🙃", "🔥", "👀", "🤦", "📉", "📈", "🚆", "☔", "⚽")


class Writer:
    """Makes up names, handles and sentences from one seeded random source."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.people: list[tuple[str, str]] = []

    def person(self) -> tuple[str, str]:
        """A poster: new ones at first, then more and more often someone seen before."""
        rng = self.rng
        if self.people and rng.random() < 1 - 1 / (1 + len(self.people) / 40):
            return rng.choice(self.people)
        first = rng.choice(_FIRST)
        last = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 2))).capitalize()
        style = rng.random()
        if style < 0.5:
            handle = f"{first}{last}{rng.randint(1, 99) if rng.random() < 0.4 else ''}"
        elif style < 0.7:
            handle = f"{last.lower()}_{rng.choice(_WORDS)}"
        elif style < 0.85:
            handle = f"{first.lower()}{last.lower()}.bsky.social"
        else:
            handle = f"{first[0].lower()}{last.lower()}"
        name = f"{first} {last}" if rng.random() < 0.85 else f"{last} {rng.choice(_WORDS)}".title()
        self.people.append((name, handle))
        return name, handle

    def fill(self, pattern: str, topic: Topic) -> str:
        rng = self.rng
        pct = rng.choice((rng.randint(2, 60), round(rng.uniform(0.5, 12), 1)))
        share = rng.randint(20, 70)
        values = {
            "subject": rng.choice(topic.subjects), "thing": rng.choice(topic.things),
            "money": self._money(), "money2": self._money(), "pct": f"{pct}%",
            "month": rng.choice(_MONTHS), "count": f"{rng.randint(3, 4800):,}",
            "days": rng.randint(2, 30), "past": rng.randint(2009, 2023),
            "big": f"{round(rng.uniform(1.2, 9.8), 1)} million", "year": rng.randint(2025, 2031),
            "time": f"{rng.randint(7, 11)}:{rng.randint(0, 59):02d}",
            "share": f"{share}%", "share2": f"{rng.randint(10, 100 - share)}%",
            "score": rng.choice(("won", "lost", "scraped through")) + f" {rng.randint(5, 30)}-"
                     f"{rng.randint(0, 12)}",
            "emoji": rng.choice(_EMOJI), "nth": rng.choice(("third", "fifth", "tenth")),
            "years": rng.randint(3, 25),
        }
        values["Subject"] = values["subject"][0].upper() + values["subject"][1:]
        return pattern.format(**values)

    def _money(self) -> str:
        rng = self.rng
        unit = rng.choice(("m", "bn", "k", ""))
        amount = (round(rng.uniform(1, 950), 1) if unit in ("m", "k") else
                  round(rng.uniform(1, 40), 1) if unit == "bn" else rng.randint(12, 9000))
        return f"{rng.choice(('£', '$', '€'))}{amount}{unit}"

    def text(self, topic: Topic) -> str:
        """A post's words: one or two sentences, with links, tags and mentions now and then."""
        rng = self.rng
        # About a third of the posts of real roundups state a figure: reports always do,
        # the other registers now and then.
        kind = rng.random()
        pool = _REPORT if kind < 0.18 else _QUIP if kind < 0.5 else (
            _QUESTION if kind < 0.7 else _OPINION)
        words = self.fill(rng.choice(pool), topic)
        if rng.random() < 0.25:
            words = f"{rng.choice(_OPENERS)} {words[0].lower()}{words[1:]}"
        if rng.random() < 0.25:
            words += " " + self.fill(rng.choice(_OPINION + _QUIP), topic)
        if rng.random() < 0.2:
            words += f" @{self.person()[1].split('.')[0]}"
        if rng.random() < 0.25:
            words += " " + rng.choice(topic.tags)
        if rng.random() < 0.3:
            words += f" https://{rng.choice(topic.sites)}/{rng.randint(2019, 2024)}/" \
                     f"{rng.choice(topic.things).replace(' ', '-').replace(chr(39), '')}"
        return words

    def token(self, length: int = 10) -> str:
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def day(self) -> dt.date:
        return DATE - dt.timedelta(days=self.rng.choice((0, 0, 0, 1, 1, 2, 3, DAYS)))


@dataclass(frozen=True)
class Made:
    author: str
    handle: str
    text: str
    day: dt.date
    topic: Topic


def made_posts(count: int, seed: int = SEED) -> Iterator[Made]:
    """`count` posts in page order: topics come in runs, as an article moves from one to the
    next; about 3% are reposts of an earlier post, word for word or with one word changed."""
    writer = Writer(seed)
    rng = writer.rng
    earlier: list[Made] = []
    topic = rng.choice(TOPICS)
    for _ in range(count):
        if rng.random() < 0.08:
            topic = rng.choice(TOPICS)
        if earlier and rng.random() < 0.03:
            again = rng.choice(earlier[-500:])
            text = again.text
            if rng.random() < 0.5:  # a word changed: a near-duplicate, not the same post
                words = text.split(" ")
                words[rng.randrange(len(words))] = rng.choice(("really", "again", "now"))
                text = " ".join(words)
            made = Made(again.author, again.handle, text, again.day, again.topic)
        else:
            author, handle = writer.person()
            made = Made(author, handle, writer.text(topic), writer.day(), topic)
        earlier.append(made)
        yield made


def _long_date(day: dt.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def roundup(count: int, seed: int = SEED) -> str:
    """A roundup page in the seed's format: a header, the editor's paragraphs, embedded posts
    with their bylines, a numbered run of posts here and there."""
    writer = Writer(seed + 1)  # the editor's own words, apart from the posters'
    rng = writer.rng
    topics = " ".join(t.name for t in TOPICS)
    out = [f" date {DATE.isoformat()} {topics} reaction", ""]
    out += [writer.fill(rng.choice(_PROSE), TOPICS[0]), ""]
    numbered = 0
    for made in made_posts(count, seed):
        if rng.random() < 0.08:
            out += [writer.fill(rng.choice(_PROSE), made.topic), ""]
            numbered = rng.choice((0, 0, 1))
        if numbered:
            out += [f"{numbered}.", ""]
            numbered += 1
        text = made.text
        if rng.random() < 0.2:
            text += f" pic.twitter.com/{writer.token()}"
        elif rng.random() < 0.1:
            text += f" https://t.co/{writer.token()}"
        out += [f"{text} — {made.author} (@{made.handle}) {_long_date(made.day)}", ""]
    return "\n".join(out)


def jsonl(count: int, seed: int = SEED) -> str:
    """A JSON Lines export as a social tool writes one: one post a line, with the keys the
    reader takes and some it ignores (ids, counts)."""
    rng = random.Random(seed + 2)
    lines = []
    for number, made in enumerate(made_posts(count, seed), start=1):
        at = dt.datetime.combine(made.day, dt.time(rng.randint(0, 23), rng.randint(0, 59)))
        bluesky = made.handle.endswith(".bsky.social")
        record: dict[str, object] = {
            "id": str(1_820_000_000_000_000_000 + number * 7919),
            "author": made.author, "handle": made.handle,
            "date": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "text": made.text,
            "url": (f"https://bsky.app/profile/{made.handle}/post/{number:x}" if bluesky else
                    f"https://x.com/{made.handle}/status/{1_820_000_000_000_000_000 + number}"),
            "likes": rng.randint(0, 25_000), "reposts": rng.randint(0, 4_000),
        }
        if bluesky:
            record["platform"] = "bluesky"
        if rng.random() < 0.15:
            record["media"] = True
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def rss_files(count: int, seed: int = SEED) -> Iterator[tuple[str, str]]:
    """`count` RSS 2.0 files, (name, text): one per site, 6 to 20 items each, HTML in the
    descriptions, RFC 822 dates."""
    rng = random.Random(seed + 3)
    writer = Writer(seed + 4)
    for number in range(count):
        topic = TOPICS[number % len(TOPICS)]
        site = f"{rng.choice(_SYLLABLES)}{rng.choice(_WORDS)}{number}.example"
        items = []
        for item in range(rng.randint(6, 20)):
            title = writer.fill(rng.choice(_REPORT), topic).rstrip(".")
            body = " ".join(writer.fill(rng.choice(_OPINION + _PROSE), topic)
                            for _ in range(rng.randint(1, 3)))
            when = dt.datetime.combine(writer.day(), dt.time(rng.randint(0, 23),
                                                             rng.randint(0, 59)), dt.UTC)
            link = f"https://{site}/{when:%Y/%m}/{item}-{topic.name}"
            description = (f"<p>{escape(body)}</p><p><em>{escape(writer.fill('{Subject}', topic))}"
                           f"</em> said more in <a href=\"{link}#full\">the full story</a>.</p>")
            items.append(
                f"  <item>\n    <title>{escape(title)}</title>\n    <link>{link}</link>\n"
                f"    <guid isPermaLink=\"false\">{site}-{item}</guid>\n"
                f"    <pubDate>{format_datetime(when)}</pubDate>\n"
                f"    <author>desk@{site} ({escape(writer.person()[0])})</author>\n"
                f"    <description>{escape(description)}</description>\n  </item>")
        yield (f"{number:03d}-{site}.xml",
               '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
               f"  <title>{escape(site.split('.')[0].title())} on {topic.name}</title>\n"
               f"  <link>https://{site}/</link>\n"
               f"  <description>{topic.name} coverage</description>\n"
               + "\n".join(items) + "\n</channel>\n</rss>\n")


def write(kind: str, count: int, target: Path, seed: int = SEED) -> Path:
    """Write one input; a folder for "rss". Returns the path a build takes."""
    if kind == "rss":
        target.mkdir(parents=True, exist_ok=True)
        for name, text in rss_files(count, seed):
            (target / name).write_text(text, encoding="utf-8")
        return target
    text = roundup(count, seed) if kind == "roundup" else jsonl(count, seed)
    target.write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("roundup", "jsonl", "rss"):
        sys.exit(__doc__)
    print(write(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])))
