"""Themes: the word most posts share beyond the subject, in any language a feed comes in."""

from __future__ import annotations

from conftest import make_post

from digest.edit.themes import find_theme


def test_a_theme_is_a_whole_word_in_any_script() -> None:
    posts = [make_post(text, i) for i, text in enumerate((
        "Šefčovič hovorí o vakcínach.", "Šefčovič rokuje v Bruseli.",
        "Šefčovič navštívi Prahu.", "Šefčovič odpovedá novinárom."))]
    theme = find_theme(posts, frozenset())
    assert theme is not None and theme.word == "šefčovič"  # not "ovi", a piece of it


def test_function_words_of_other_languages_are_never_a_theme() -> None:
    posts = [make_post(f"Avec les pompiers, le maire {name} est venu.", i)
             for i, name in enumerate(("Paul", "Anne", "Marc", "Lise"))]
    theme = find_theme(posts, frozenset())
    assert theme is not None and theme.word == "pompiers"


def test_a_word_in_nearly_every_item_of_a_long_feed_is_its_template() -> None:
    items = [make_post(f"Alert: story {i} about {topic}. Read more.", i, title=f"Item {i}",
                       handle=None)
             for i, topic in enumerate(["floods"] * 4 + ["roads"] * 8)]
    theme = find_theme(items, frozenset())
    assert theme is not None and theme.word == "floods"
