"""Fuzz and property tests (issue 14, item 7): whatever bytes or text reach a reader, the number
grammar, the config loader or the recipients reader, the call returns normally or raises a
DigestError subclass (one clean line for the user) — never any other exception, never a case
near 5 s.

Each target has two strategies mixed: arbitrary bytes or text, and a structured generator of
near-valid input (roundup lines with dashes, handles and dates; XML-ish feeds; JSON with odd
types; TOML with odd values; CSV with quotes and separators), which reaches far deeper than
noise. The quick loop runs ~50 cases per target; the `slow` test runs SLOW_EXAMPLES per target
(over 10,000 in all). Both are derandomized and database-free, so every run tries the same
cases and CI is reproducible.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import load_config
from digest.deliver.recipients import read_recipients
from digest.edit.text.numbers import find_mentions, scan_numbers
from digest.errors import DigestError
from digest.read import parse_bytes

QUICK_EXAMPLES = 50
SLOW_EXAMPLES = 1_500  # x 9 targets: 13,500 cases in the CI run (with the quick loop's 450)

# No case may take 5 s; the same cases every run (derandomized, no example database).
QUICK = settings(max_examples=QUICK_EXAMPLES, deadline=timedelta(seconds=5), derandomize=True,
                 database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(QUICK, max_examples=SLOW_EXAMPLES)


# --- building blocks ----------------------------------------------------------------------

# Odd characters every generator mixes in: controls, NUL, a lone surrogate, separators, a BOM,
# combining marks, right-to-left, an emoji with a tag sequence, full-width digits.
_ODD = ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ud800",
        "\udfff", "\u0301", "\u202e", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "１２３", "\r", "\r\n", "\t", "\f"]
odd = st.sampled_from(_ODD)
word = st.one_of(st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True),
                 st.sampled_from(["the", "of", "in", "times", "million", "bn", "per", "cent",
                                  "percent", "a", "one", "twenty", "half", "dozen", "Flight",
                                  "iOS", "vs", "for", "to", "and", "deals", "nurses"]))
number = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"[$£€]?\d{1,4}([,.]\d{3}){0,4}(\.\d{1,3})?(%|k|m|bn|x| ?million)?",
                  fullmatch=True),
    st.from_regex(r"\d{1,2}[:.]\d{2}\s?[ap]m|\d+(st|nd|rd|th)|#\d+|\d+/\d+|\d+-\d+|\d+\.",
                  fullmatch=True),
    st.sampled_from(["1 in 5", "2 for 1", "3 times", "10x", "0.5", "1e308", "9" * 400,
                     "1,000,000,000,000", "½", "٣", "2024", "1966", "-0", "+7"]),
)
date = st.one_of(
    st.from_regex(r"(Jan|Feb|Sept?|Oct|July?|May)\.? \d{1,2}(st|nd|rd|th)?,? \d{4}",
                  fullmatch=True),
    st.from_regex(r"\d{1,2} (August|February|Dec) \d{4}", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
    st.from_regex(r"\d{9,10}", fullmatch=True),  # a Unix timestamp
    st.sampled_from(["February 30, 2024", "Feb 29, 2023", "0000-00-00", "9999-99-99",
                     "10:56 AM · Feb 24, 2025", "July 14, 99999", "Dec 31, 1"]),
)
handle = st.one_of(st.from_regex(r"@[A-Za-z0-9_.]{0,20}", fullmatch=True),
                   st.sampled_from(["@", "@@", "@a.bsky.social", "@x@mastodon.social"]))
url = st.one_of(st.from_regex(r"https?://[a-z0-9.\-]{0,20}(/[^\s]{0,20})?", fullmatch=True),
                st.sampled_from(["pic.twitter.com/Ab3", "t.co/x", "https://", "http://[::1",
                                 "https://exa mple.org", "javascript:alert(1)"]))
piece = st.one_of(word, number, date, handle, url, odd,
                  st.sampled_from([" ", " ", " ", "—", "–", "-", " — ", "(", ")", ",", ".",
                                   ":", "·", "\\u201c", "\\ud83d", "\\n", '"', "“", "”"]))


def joined(parts: st.SearchStrategy[str], max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(parts, max_size=max_size).map("".join)


def encoded(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text as UTF-8 (lone surrogates kept, as invalid bytes), sometimes with a BOM, sometimes
    as UTF-16 or Latin-1: what a file on disk may hold."""
    def encode(value: str, how: str) -> bytes:
        if how == "utf-16":
            return value.encode("utf-16", "surrogatepass")
        if how == "latin-1":
            return value.encode("latin-1", "replace")
        data = value.encode("utf-8", "surrogatepass")
        return b"\xef\xbb\xbf" + data if how == "bom" else data
    return st.builds(encode, text, st.sampled_from(["utf-8", "utf-8", "utf-8", "bom", "utf-16",
                                                    "latin-1"]))


# --- roundups -----------------------------------------------------------------------------

roundup_line = st.one_of(
    # a post's last line: "text — Name (@handle) July 14, 2024"
    st.builds(lambda text, name, h, d, dash: f"{text} {dash} {name} ({h}) {d}",
              joined(piece, 20), joined(word.map(lambda w: w + " "), 4), handle, date,
              st.sampled_from(["—", "–", "-", "--", "―"])),
    st.from_regex(r"\d{1,3}\.", fullmatch=True),  # a list marker
    date.map(lambda d: f"date {d}"),
    st.sampled_from(["", "", "Here are the best reactions.", "#", "---", "> quoted",
                     "— (@) ", "— Name (@name)", "(@a) July 14, 2024"]),
    joined(piece),
)
roundup_text = st.lists(roundup_line, max_size=30).map("\n".join)


# --- feeds --------------------------------------------------------------------------------

_TAGS = ["rss", "channel", "item", "title", "link", "description", "pubDate", "guid", "author",
         "dc:creator", "content:encoded", "feed", "entry", "updated", "published", "summary",
         "content", "name", "media:content", "enclosure", "category", "rdf:RDF", "atom:link"]
xml_text = st.one_of(
    joined(piece, 10).map(lambda s: s.replace("&", "&amp;").replace("<", "&lt;")),
    st.sampled_from(["&#xD800;", "&#0;", "&#x1F600;", "&#99999999;", "&amp;", "&bogus;",
                     "&lt;p&gt;1,000 people&lt;/p&gt;", "<![CDATA[<b>5%</b> & more]]>", "]]>",
                     "<!-- c -->", "<", "&", "<p>2 in 3</p>", "<img src='x' onerror=1>"]),
    date.map(str), st.sampled_from(["Mon, 15 Jul 2024 10:00:00 GMT", "2024-07-15T10:00:00Z",
                                    "Thu, 31 Feb 2024 99:99:99 +9999", "yesterday"]),
)


def _element(tag: str, attrs: str, children: list[str]) -> str:
    return f"<{tag}{attrs}>{''.join(children)}</{tag}>"


xml_node = st.recursive(
    xml_text,
    lambda inner: st.builds(
        _element, st.sampled_from(_TAGS),
        st.sampled_from(["", ' version="2.0"', ' xmlns="http://www.w3.org/2005/Atom"',
                         ' href="https://e.org/a"', ' rel="alternate" href=""',
                         ' url="x" type="image/png"', ' isPermaLink="false"', " a='1' a='2'"]),
        st.lists(inner, max_size=5)),
    max_leaves=25)
feed_text = st.builds(
    lambda head, body, tail: head + body + tail,
    st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>',
                     '<?xml version="1.0" encoding="iso-8859-1"?>', '<?xml version="1.0"?>\n',
                     '<!DOCTYPE x [<!ENTITY e "5%">]>', "\ufeff"]),
    st.one_of(xml_node, st.builds(lambda items: _element("rss", ' version="2.0"', [
        _element("channel", "", items)]), st.lists(xml_node.map(
            lambda n: _element("item", "", [n])), max_size=6)),
        st.integers(1, 300).map(lambda n: "<a>" * n)),
    st.sampled_from(["", "", "</rss>", "<", "\x00"]))


# --- JSON ---------------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20), joined(piece, 8),
    date, url, handle)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
_POST_KEYS = ["text", "date", "author", "handle", "links", "url", "media", "title", "image",
              "image_alt", "avatar", "platform", "id"]
json_post = st.dictionaries(st.sampled_from(_POST_KEYS), json_value, max_size=8)
json_good_post = st.fixed_dictionaries(
    {"text": joined(piece, 15), "date": st.one_of(date, json_value),
     "author": st.one_of(st.text(max_size=10), json_value)},
    optional={k: json_value for k in _POST_KEYS[3:]})
json_doc = st.one_of(
    st.lists(st.one_of(json_good_post, json_post), max_size=5),
    st.fixed_dictionaries({"posts": st.one_of(st.lists(json_good_post, max_size=4), json_value)},
                          optional={"title": json_value, "date": json_value,
                                    "prose": json_value}),
    json_post, json_value)
json_text = st.one_of(
    json_doc.map(lambda d: json.dumps(d, ensure_ascii=False)),
    json_doc.map(json.dumps),  # \ud800 escapes for lone surrogates
    st.lists(json_doc.map(json.dumps), max_size=5).map("\n".join),  # JSON Lines
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: '{"posts":' * n),
    json_doc.map(json.dumps).flatmap(lambda s: st.integers(0, len(s)).map(lambda i: s[:i])),
)


# --- TOML ---------------------------------------------------------------------------------

_CONFIG_KEYS = {
    "build": ["sources", "outbox", "templates", "highlights", "title", "max_age"],
    "email": ["from", "to", "reply_to", "list_id", "message_id_domain", "unsubscribe_url",
              "unsubscribe_mailto", "show_reasons", "brand", "logo_url", "accent",
              "postal_address"],
    "send": ["to", "smtp", "username", "rate", "timeout", "ledger", "max_attempts",
             "retry_after", "force"],
    "schedule": ["cron", "timezone", "max_late", "no_news", "min_highlights", "jobstore"],
    "archive": ["base_url"], "preview": ["port"],
    "check": ["max_html_bytes", "max_subject", "max_preheader", "spam_threshold"],
}


def _toml_string(value: str) -> str:
    escaped = value.encode("unicode_escape", "backslashreplace").decode("ascii")
    return '"' + escaped.replace('"', '\\"').replace("\\x", "\\u00") + '"'


toml_scalar = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "0x7fffffffffffffff", "1_000", "true",
                     "false", "1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "9" * 40,
                     '"99999999999999999999d"', '"2h"', '"90s"', '"-1m"', '"0 8 * * MON-FRI"',
                     '"61 25 * * *"', '"* * * * * * *"', '"Mars/Olympus"', '"UTC"', '"skip"',
                     '"#14ff"', '"https://"', '"mailto:"', '"Name <a@b>"', "'''a\nb'''",
                     '"a\\r\\nBcc: x@y"', '"\\u0000"', "{}", "[]"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=15).map(_toml_string),
    joined(piece, 6).map(_toml_string),
)
toml_value = st.recursive(
    toml_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda v: f"[{', '.join(v)}]"),
                            st.lists(st.tuples(st.sampled_from(["a", "b", "to"]), inner),
                                     max_size=3).map(lambda kv: "{" + ", ".join(
                                         f"{k} = {v}" for k, v in kv) + "}")),
    max_leaves=8)


@st.composite
def toml_section(draw: st.DrawFn) -> str:
    section = draw(st.sampled_from([*_CONFIG_KEYS, "bogus", "build.inner", "email"]))
    keys = _CONFIG_KEYS.get(section, ["x", "sources", "to"])
    lines = [f"[{section}]"]
    for _ in range(draw(st.integers(0, 4))):
        lines.append(f"{draw(st.sampled_from([*keys, 'unknown']))} = {draw(toml_value)}")
    return "\n".join(lines)


toml_text = st.one_of(
    st.lists(toml_section(), max_size=4).map("\n".join),
    st.integers(1, 2000).map(lambda n: "a = " + "[" * n + "]" * n),
    st.integers(1, 2000).map(lambda n: "a = " + "{b = " * n + "1" + "}" * n),
    st.lists(st.one_of(toml_section(), joined(piece, 10)), max_size=4).map("\n".join),
)


# --- CSV ----------------------------------------------------------------------------------

address = st.one_of(
    st.emails().map(str),
    st.sampled_from(["a@b.org", "zoë@example.org", "a@bücher.de", "x@", "@x", "a@b",
                     "a@b.org\r\nBcc: c@d.org", "A@B.ORG", "a..b@c.org", "a@[127.0.0.1]",
                     "a@b.org,", '"a b"@c.org', "a@" + "b" * 300 + ".org"]),
    joined(piece, 4))
cell = st.one_of(address, joined(piece, 5), st.text(max_size=10),
                 st.sampled_from(['"', '""', '"a,b"', '"a\nb"', '"unclosed', 'x"y', "'",
                                  '"a@b.org\nc@d.org,x"', " ", "Full Name", "=cmd()"]))
csv_header = st.lists(st.sampled_from(["email", "name", "E-mail", "Email Address", "Full Name",
                                       "company", " email ", "EMAIL", "mail", "x", '"email"',
                                       ""]), min_size=1, max_size=4)


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028"]))
    rows = [sep.join(draw(csv_header))]
    rows += [sep.join(row) for row in draw(st.lists(st.lists(cell, max_size=4), max_size=8))]
    return draw(st.sampled_from(["", "\ufeff"])) + end.join(rows) + draw(
        st.sampled_from(["", end]))


# --- the targets ----------------------------------------------------------------------------

def _never_a_traceback(call: Callable[[], Any]) -> None:
    """The property: a DigestError is a clean refusal; any other exception fails the test."""
    try:
        call()
    except DigestError as err:
        assert str(err).strip(), "a DigestError must say something"


def _reader(kind: str | None) -> Callable[[bytes, Path], None]:
    def check(data: bytes, scratch: Path) -> None:
        _never_a_traceback(lambda: parse_bytes(data, f"fuzz.{kind}", kind=kind,
                                               undated="2024-08-13"))
    return check


def _numbers(text: str, scratch: Path) -> None:
    mentions = find_mentions(text)
    every = scan_numbers(text)
    for m in [*mentions, *every]:  # every mention points into the text it came from
        assert 0 <= m.start <= m.end <= len(text)
        assert isinstance(m.value, float | int) and not math.isnan(m.value)


def _config(data: bytes, scratch: Path) -> None:
    file = scratch / "digest.toml"
    file.write_bytes(data)

    def load() -> None:
        config = load_config(file)
        config.schedule.max_late_seconds  # noqa: B018 - parsed when read: must not overflow

    _never_a_traceback(load)


def _recipients(data: bytes, scratch: Path) -> None:
    file = scratch / "recipients.csv"
    file.write_bytes(data)
    _never_a_traceback(lambda: read_recipients(file))


@dataclass(frozen=True)
class Target:
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any, Path], None]


TARGETS = {
    "roundup": Target(st.one_of(st.binary(max_size=400), encoded(roundup_text)), _reader(
        "roundup")),
    "feed": Target(st.one_of(st.binary(max_size=400), encoded(feed_text)), _reader("feed")),
    "json": Target(st.one_of(st.binary(max_size=200), encoded(json_text)), _reader("json")),
    "sniffed": Target(st.one_of(st.binary(max_size=200), encoded(st.one_of(
        roundup_text, feed_text, json_text))), _reader(None)),
    "numbers": Target(st.one_of(st.text(max_size=200), joined(piece, 60), roundup_text),
                      _numbers),
    "config": Target(st.one_of(st.binary(max_size=200), encoded(toml_text)), _config),
    "config-text": Target(st.text(max_size=300).map(lambda s: s.encode("utf-8",
                                                                        "surrogatepass")),
                          _config),
    "recipients": Target(st.one_of(st.binary(max_size=300), encoded(csv_text())), _recipients),
    "recipients-csv": Target(csv_text().map(lambda s: s.encode("utf-8", "surrogatepass")),
                             _recipients),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("target", sorted(TARGETS))
@QUICK
@given(data=st.data())
def test_never_a_traceback(target: str, scratch: Path, data: st.DataObject) -> None:
    chosen = TARGETS[target]
    chosen.check(data.draw(chosen.strategy, label=target), scratch)


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(TARGETS))
@SLOW
@given(data=st.data())
def test_never_a_traceback_many(target: str, scratch: Path, data: st.DataObject) -> None:
    chosen = TARGETS[target]
    chosen.check(data.draw(chosen.strategy, label=target), scratch)


# --- what the properties found: the shrunk inputs, kept as regression tests -----------------

@pytest.mark.parametrize("data", [
    b'<A _=""><channel><item><link><item></item></link>',  # feedparser's XML parser
    b"<channel<item<link</item</link<",  # its loose parser (after the XML one gave up)
])
def test_an_item_inside_a_link_is_a_clean_refusal(data: bytes) -> None:
    # feedparser raised KeyError: 'links' (a traceback); now one line naming the file.
    with pytest.raises(DigestError, match=r"^bad\.xml: not a readable feed"):
        parse_bytes(data, "bad.xml", kind="feed")
