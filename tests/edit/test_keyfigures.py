"""Key figures: ranked by what an editor quotes, and quoted by the summary from prose too."""

from __future__ import annotations

from conftest import make_post

from digest.edit.comparisons import compare
from digest.edit.figures import find_figures
from digest.edit.keyfigures import rank_figures
from digest.edit.summary import write_summary
from digest.model import Document, Prose

LEAD = Prose("Ticket prices rose by £45 to a record £310 a season, the club said.", "a.txt:3")
LATER = Prose("The stadium holds 52,000 fans, and 4 stewards were hurt.", "a.txt:9")


def _doc(*prose: Prose) -> Document:
    return Document(path="a.txt", date="2024-08-13", prose=prose)


def test_the_lead_and_money_rank_above_a_post_tally() -> None:
    posts = [make_post("I have 3 season tickets and I'm not renewing any of them.")]
    figures = find_figures(posts, [LEAD, LATER])
    ranked = [r.figure.text for r in rank_figures(figures, [_doc(LEAD, LATER)], posts)]
    assert ranked[:2] == ["£310", "£45"]
    assert ranked.index("52,000") < ranked.index("4")
    assert ranked[-1] == "3"  # a small count in a post comes last


def test_an_age_ranks_below_a_count() -> None:
    para = Prose("The 19-year-old striker scored twice in front of 41,000 fans.", "a.txt:3")
    figures = find_figures([], [para])
    ranked = rank_figures(figures, [_doc(para)], [])
    assert ranked[0].figure.text == "41,000"
    assert "an age" in ranked[-1].why


def test_a_number_in_every_feed_item_is_the_template() -> None:
    items = [make_post(f"Alert {i}: {n} people within 100km of the quake.", i,
                       title=f"Quake alert {i}") for i, n in enumerate((900, 7000, 120))]
    figures = find_figures(items)
    ranked = rank_figures(figures, [], items)
    assert [r.figure.text for r in ranked[:3]] == ["7000", "900", "120"]
    assert all("in every item" in r.why for r in ranked if r.figure.text == "100km")


def test_the_summary_quotes_the_articles_own_figures() -> None:
    posts = [make_post("Absolutely outrageous, not renewing.", 1),
             make_post("Fans deserve better than this.", 2)]
    documents = [_doc(LEAD, LATER)]
    figures = find_figures(posts, [LEAD, LATER])
    summary = write_summary(documents, posts, figures, compare(figures, posts, [LEAD, LATER]), [])
    assert summary.text.startswith("Ticket prices rose by £45 to a record £310 a season")
    assert "52,000" in summary.text
    assert {n.text for n in summary.numbers} >= {"£45", "£310", "52,000"}
