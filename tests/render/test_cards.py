"""What a reader sees on a card and around it: links, images, no editor's notes by default."""

from __future__ import annotations

import re
from collections.abc import Callable

from digest.config import EmailConfig
from digest.model import Edition, Post
from digest.render.templates import render_edition


def _with_picture(edition: Edition) -> Edition:
    posts = tuple(
        Post(**{**p.__dict__, "image": "https://img.example/67m.png", "image_alt": "A chart",
                "avatar": "https://img.example/desk.png"}) if p.id == "p3"
        else Post(**{**p.__dict__, "image": "https://img.example/q.jpg"}) if p.id == "p4"
        else p
        for p in edition.posts)
    return Edition(**{**edition.__dict__, "posts": posts})


def test_images_at_card_width_with_alt_text(edition: Edition) -> None:
    rendered = render_edition(_with_picture(edition), None)
    images = re.findall(r"<img [^>]*>", rendered.html)
    chart = next(i for i in images if "67m.png" in i)
    assert 'alt="A chart"' in chart and 'width="528"' in chart  # 600px less the card's margins
    assert "width:100%" in chart and "height:auto" in chart  # and scales down on a phone
    neutral = next(i for i in images if "q.jpg" in i)
    assert 'alt="Picture with the post by Quiet Person"' in neutral
    avatar = next(i for i in images if "desk.png" in i)
    assert 'alt=""' in avatar  # decorative: the author's name is beside it
    assert "[Picture: A chart]" in rendered.text


def test_author_and_headline_link_to_the_post(edition: Edition) -> None:
    html = render_edition(edition, None).html
    status = "https://x.com/RMac18/status/1823"
    assert re.search(rf'<a href="{status}"[^>]*>Ryan Mac 🙃 \(NYT\)</a>', html)
    assert 'href="https://x.com/quiet"' in html  # no permalink: the profile the handle implies
    text = render_edition(edition, None).text
    assert f"Open the post: {status}" in text and "See the profile: https://x.com/quiet" in text


def test_no_reasons_formulas_or_editor_notes_for_readers(edition: Edition) -> None:
    rendered = render_edition(edition, None)
    for part in (rendered.html, rendered.text):
        assert "Why it is here" not in part and "Carries the key figures" not in part
        assert "1,100,000 / 25,000,000" not in part
        assert "Every number" not in part and "checked against the post" not in part


def test_show_reasons_shows_them(edition: Edition) -> None:
    rendered = render_edition(edition, None, EmailConfig(show_reasons=True))
    for part in (rendered.html, rendered.text):
        assert "Why it is here: Carries the key figures" in part


def test_masthead_footer_and_view_in_browser(edition_factory: Callable[..., Edition]) -> None:
    settings = EmailConfig(brand="Platform Weekly", logo_url="https://img.example/logo.png",
                           accent="#AA3300", postal_address="1 Main St\nSpringfield")
    rendered = render_edition(edition_factory(edition="2024-08-13 am"), None, settings,
                              "https://news.example/digest/")
    html, text = rendered.html, rendered.text
    assert re.search(r'<img [^>]*alt="Platform Weekly"[^>]*src="https://img.example/logo.png"',
                     html)
    assert "color:#aa3300" in html and "#143fad" not in html
    view = "https://news.example/digest/2024-08-13%20am/digest.html"
    assert f'href="{view}"' in html and f"View in your browser: {view}" in text
    assert 'href="https://news.example/digest/index.html"' in html
    assert "1 Main St, Springfield" in html and "1 Main St\nSpringfield" in text
    assert text.startswith("Platform Weekly\n")


def test_no_frame_without_settings(edition: Edition) -> None:
    rendered = render_edition(edition, None)
    assert "View in your browser" not in rendered.html + rendered.text
    assert "index.html" not in rendered.html
