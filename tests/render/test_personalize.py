"""Personalisation tokens: merged once per recipient, escaped in HTML, never injected."""

from __future__ import annotations

import pytest

from digest.render.personalize import (
    EMAIL,
    NAME,
    UNSUBSCRIBE_URL,
    Tokens,
    address_of,
    defuse,
    merge,
    recipient_values,
    token,
    unsubscribe_url,
)


def test_tokens_and_template_object() -> None:
    assert token("name") == NAME == Tokens().name
    assert Tokens()["email"] == EMAIL
    assert Tokens().unsubscribe_url == UNSUBSCRIBE_URL
    assert Tokens().company == "%%company%%"
    with pytest.raises(ValueError):
        token("Bad Key")


def test_merge_escapes_html_but_not_text() -> None:
    values = {"name": 'Ann <b>&"', "email": "a@x.org"}
    assert merge("Hi %%name%% (%%email%%)", values, html=True) == (
        "Hi Ann &lt;b&gt;&amp;&quot; (a@x.org)"
    )
    assert merge("Hi %%name%%", values, html=False) == 'Hi Ann <b>&"'


def test_merge_is_one_pass_and_unknown_tokens_vanish() -> None:
    values = {"name": "%%email%%", "email": "secret@x.org"}
    assert merge("%%name%%|%%nope%%|100%% sure", values, html=False) == "%%email%%||100%% sure"


def test_defused_content_is_not_merged() -> None:
    body = defuse("post says %%email%%")
    assert merge(body, {"email": "a@x.org"}, html=True) == body
    assert "a@x.org" not in body


def test_unsubscribe_url_is_quoted() -> None:
    url = unsubscribe_url("https://x.org/u?e={email}&ed={edition}", "a+b&c@x.org", "2024-08-13")
    assert url == "https://x.org/u?e=a%2Bb%26c%40x.org&ed=2024-08-13"
    values = recipient_values("https://x.org/u?e={email}&ed={edition}", "e1", "a@x.org")
    assert values["name"] == "reader"
    href = merge('<a href="%%unsubscribe_url%%">', values, html=True)
    assert href == '<a href="https://x.org/u?e=a%40x.org&amp;ed=e1">'


def test_address_of() -> None:
    assert address_of("Readers <readers@localhost>") == "readers@localhost"
    assert address_of("plain@x.org") == "plain@x.org"
