"""The highlights' reading of a text: the fast check for what may be blanked never misses a
link, handle or RT, and a pick's vector worked out again is the one it was scored with."""

from __future__ import annotations

from conftest import make_post
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.edit import salience
from digest.edit.salience import parse, score


@settings(max_examples=500, derandomize=True, database=None)
@given(st.text(alphabet="abc RTmt:/@.wWpPiIıİcCs\n\t", max_size=16))
def test_the_blanking_check_never_misses(text: str) -> None:
    if salience._NOT_WORDS.search(text):
        assert salience._may_blank(text)
    assert parse(text).text == salience._NOT_WORDS.sub(lambda m: " " * len(m.group()), text)


def test_a_vector_worked_out_again_is_the_scored_one() -> None:
    posts = [make_post(t, i) for i, t in enumerate([
        "The servers crashed twice during the stream, engineers say.",
        "Engineers blamed the stream's servers; attacks were denied.",
        "Nobody believes the attack story about the servers.",
        "RT @x: https://t.co/abc the stream crashed"])]
    docs = [parse(p.text) for p in posts]
    contents = [d.content for d in docs]
    scored = score(docs, list(range(len(docs))), [], [0.0] * len(docs))
    for doc, content in zip(docs, contents, strict=True):
        assert doc.vec == salience.tfidf(content or (), scored.idf)
        assert list(doc.vec) == list(dict.fromkeys(content or ()))
