"""render_edition: Jinja2 -> MJML -> HTML and text; user templates; template errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.errors import TemplateError
from digest.model import Edition, Highlight, Post
from digest.render.context import key_figures
from digest.render.links import PostLink, post_link, profile_url
from digest.render.templates import MJML_TEMPLATE, TEXT_TEMPLATE, environment, render_edition
from digest.resources import builtin_templates


def test_html_has_the_parts_a_reader_needs(edition: Edition) -> None:
    html = render_edition(edition, None).html
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\"")
    assert "<title>X Spaces outage · 13 Aug 2024</title>" in html
    assert re.search(r'<meta name="color-scheme" content="light dark"', html)
    assert "prefers-color-scheme: dark" in html
    # the preheader, hidden
    assert re.search(r'<div class="preheader" style="display:none[^"]*">1.1m listened live '
                     r'against 25m promised</div>', html)
    for figure in ("1.1m", "25m", "67m"):
        assert f">{figure}</div>" in html  # shown large, in their own block
    # the reader gets the derived figure as prose; the sum is the editor's (edition.json)
    assert "1.1m is 4.4% of the 25m promised" in html
    assert "1,100,000 / 25,000,000" not in html
    assert "Ryan Mac 🙃 (NYT)" in html and "@RMac18" in html and "13 Aug 2024" in html
    assert 'href="https://x.com/RMac18/status/1823"' in html
    assert 'href="%%unsubscribe_url%%"' in html  # the token survives MJML and premailer
    assert "fonts.googleapis" not in html


def test_body_background_and_inlined_css(edition: Edition) -> None:
    html = render_edition(edition, None).html
    body = re.search(r"<body[^>]*>", html)
    assert body and "background-color:#eef1f5" in body.group(0)
    # premailer kept !important in the phone @media rules
    assert re.search(r"@media[^{]*\{[^}]*!important", html)
    # inlined: the wrap rule reaches every text block of a card
    assert "overflow-wrap:anywhere" in html


def test_source_text_is_escaped_and_cannot_carry_tokens(edition: Edition) -> None:
    rendered = render_edition(edition, None)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "Data &lt;Desk&gt; &amp; Co" in rendered.html
    for part in (rendered.html, rendered.text):
        assert "%%email%% <" not in part
        assert part.count("%%email%%") == 1  # only the footer's own token


def test_links_are_absolute_https(edition: Edition) -> None:
    html = render_edition(edition, None).html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs
    assert all(h.startswith("https://") or h == "%%unsubscribe_url%%" for h in hrefs), hrefs


def _link(post: Post) -> str | None:
    found = post_link(post)
    return found.url if found else None


def test_post_link_goes_to_the_post_never_a_search() -> None:
    base = Post(id="x", author="A B", handle="ab", date="2024-01-01", text="hello world")
    assert _link(base) == "https://x.com/ab"  # the profile the handle implies
    with_link = Post(**{**base.__dict__, "links": ("https://t.co/z",)})
    assert _link(with_link) == "https://t.co/z"
    with_pic = Post(**{**with_link.__dict__, "media_link": "https://pic.twitter.com/Q"})
    assert _link(with_pic) == "https://pic.twitter.com/Q"  # the post's own media page first
    with_url = Post(**{**with_pic.__dict__, "url": "https://x.com/ab/status/1"})
    assert _link(with_url) == "https://x.com/ab/status/1"
    no_handle = Post(**{**base.__dict__, "handle": None})
    assert _link(no_handle) is None
    elsewhere = Post(**{**no_handle.__dict__, "links": ("https://example.org/a",)})
    assert post_link(elsewhere) == PostLink("https://example.org/a", "Open the link (example.org)")


@pytest.mark.parametrize(("handle", "platform", "url"), [
    ("MarkJacob16", None, "https://x.com/MarkJacob16"),
    ("MarkJacob16", "x", "https://x.com/MarkJacob16"),
    ("ashleyfeinberg.bsky.social", None, "https://bsky.app/profile/ashleyfeinberg.bsky.social"),
    ("ashleyfeinberg.bsky.social", "bluesky", "https://bsky.app/profile/ashleyfeinberg.bsky.social"),
    ("Gargron@mastodon.social", None, "https://mastodon.social/@Gargron"),
    ("@Gargron@mastodon.social", "mastodon", "https://mastodon.social/@Gargron"),
    ("zuck", "threads", "https://www.threads.net/@zuck"),
    ("u/spez", None, "https://www.reddit.com/user/spez"),
    ("cook.jo", "tiktok", "https://www.tiktok.com/@cook.jo"),
    ("jobell_9", "instagram", "https://www.instagram.com/jobell_9/"),
    ("Display Name", None, None),
    (None, "x", None),
])
def test_profile_url(handle: str | None, platform: str | None, url: str | None) -> None:
    assert profile_url(handle, platform) == url


def test_no_search_page_in_the_seed_email(edition: Edition) -> None:
    rendered = render_edition(edition, None)
    for part in (rendered.html, rendered.text):
        assert "/search?" not in part and "duckduckgo" not in part


def test_text_part(edition: Edition) -> None:
    text = render_edition(edition, None).text
    assert text.startswith("X Spaces outage\n===============\n13 Aug 2024\n")
    assert "1.1m       listened live" in text
    assert "Dear mainstream media," in text
    assert "https://x.com/RMac18/status/1823" in text
    assert "<script>alert(1)</script>" in text  # plain text: not escaped
    assert "&lt;" not in text
    assert text.endswith("Unsubscribe with one click: %%unsubscribe_url%%\n")
    assert max(len(line) for line in text.splitlines()) < 998


def test_key_figures_follow_the_summary(edition_factory: Callable[..., Edition]) -> None:
    make_edition = edition_factory
    edition = make_edition()
    assert [f.text for f in key_figures(edition)] == ["1.1m", "25m", "67m"]
    assert [f.text for f in key_figures(make_edition(summary_numbers=()))] == [
        "1.1m", "25m", "67m", "4.4%"]


def test_rendering_is_deterministic(edition_factory: Callable[..., Edition]) -> None:
    assert render_edition(edition_factory(), None) == render_edition(edition_factory(), None)


def test_no_highlights_no_figures_still_renders(edition_factory: Callable[..., Edition]) -> None:
    rendered = render_edition(edition_factory(highlights=(), figures=(), comparisons=(),
                                              summary_numbers=()), None)
    assert "Highlights" not in rendered.html
    assert "%%unsubscribe_url%%" in rendered.html


def test_user_template_overrides_builtin(tmp_path: Path, edition: Edition) -> None:
    (tmp_path / TEXT_TEMPLATE).write_text("Custom {{ edition.title }} {{ recipient.name }}\n")
    rendered = render_edition(edition, tmp_path)
    assert rendered.text == "Custom X Spaces outage %%name%%\n"
    assert "<title>" in rendered.html  # the MJML template still comes from the built-ins


def _broken(tmp_path: Path, name: str, source: str, edition: Edition) -> TemplateError:
    (tmp_path / name).write_text(source, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        render_edition(edition, tmp_path)
    return info.value


def test_jinja_syntax_error_names_file_and_line(tmp_path: Path, edition: Edition) -> None:
    err = _broken(tmp_path, TEXT_TEMPLATE, "ok\nok\n{% if %}\n", edition)
    assert err.where == f"{tmp_path / TEXT_TEMPLATE}:3"
    assert "syntax error" in str(err)


def test_undefined_variable_names_file_and_line(tmp_path: Path, edition: Edition) -> None:
    err = _broken(tmp_path, TEXT_TEMPLATE, "line 1\n{{ edition.title }}\n{{ nope.x }}\n", edition)
    assert err.where == f"{tmp_path / TEXT_TEMPLATE}:3"
    assert "nope" in str(err)


def test_mjml_error_names_the_template_and_line(tmp_path: Path, edition: Edition) -> None:
    lines = (builtin_templates() / MJML_TEMPLATE).read_text(encoding="utf-8").split("\n")
    # drop a </mj-column> inside the highlights loop: the </mj-section> after it is the error
    removed = [n for n, line in enumerate(lines, 1) if line.strip() == "</mj-column>"][-2]
    del lines[removed - 1]
    err = _broken(tmp_path, MJML_TEMPLATE, "\n".join(lines), edition)
    assert err.where == f"{tmp_path / MJML_TEMPLATE}:{removed}"
    assert "MJML error" in str(err)


def test_mjml_error_in_a_block_of_an_extending_template(tmp_path: Path,
                                                       edition: Edition) -> None:
    source = (
        '{% extends "builtin/digest.mjml.j2" %}\n'   # 1
        "{% block card %}\n"                           # 2
        '    <mj-wrapper padding="8px 12px">\n'        # 3
        "      <mj-section>\n"                         # 4
        "        <mj-column>\n"                        # 5
        "          <mj-text>{{ card.text }}</mj-text>\n"  # 6
        "      </mj-section>\n"                        # 7: </mj-column> is missing
        "    </mj-wrapper>\n"
        "{% endblock %}\n")
    err = _broken(tmp_path, MJML_TEMPLATE, source, edition)
    assert err.where == f"{tmp_path / MJML_TEMPLATE}:7"


def test_missing_templates_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="templates folder not found"):
        environment(tmp_path / "nope")


def test_autoescape_on_for_mjml_off_for_text() -> None:
    env = environment(None)
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert env.get_template(MJML_TEMPLATE).environment.autoescape


def test_user_template_extends_builtin_blocks(tmp_path: Path, edition: Edition) -> None:
    (tmp_path / MJML_TEMPLATE).write_text(
        '{% extends "builtin/digest.mjml.j2" %}\n'
        "{% block footer %}<mj-section><mj-column><mj-text>Bye {{ recipient.name }}"
        "</mj-text></mj-column></mj-section>{% endblock %}\n")
    (tmp_path / TEXT_TEMPLATE).write_text(
        '{% extends "builtin/digest.txt.j2" %}\n'
        "{% block card %}* {{ card.post.author }}\n{% endblock %}\n")
    rendered = render_edition(edition, tmp_path)
    assert "Bye %%name%%" in rendered.html
    assert "Unsubscribe" not in rendered.html  # the footer block was replaced
    assert "1.1m" in rendered.html  # the rest is the built-in template
    assert "* Mark Jacob\n" in rendered.text
    assert "Why it is here" not in rendered.text


def test_post_link_skips_plain_http() -> None:
    post = Post(id="x", author="A", handle=None, date="2024-01-01", text="t",
                url="http://example.org/a", links=("http://example.org/b", "https://ok.org/c"))
    assert _link(post) == "https://ok.org/c"


def test_any_error_in_a_template_expression_is_a_template_error(tmp_path: Path,
                                                                 edition: Edition) -> None:
    err = _broken(tmp_path, TEXT_TEMPLATE, "a\n{{ 1 / 0 }}\n", edition)
    assert err.where == f"{tmp_path / TEXT_TEMPLATE}:2"
    assert "ZeroDivisionError" in str(err)


def test_bad_css_in_a_template_is_a_template_error(tmp_path: Path, edition: Edition) -> None:
    source = (builtin_templates() / MJML_TEMPLATE).read_text(encoding="utf-8")
    broken = source.replace("/* digest:inline */", "/* digest:inline */ a[[[ { color: red }")
    try:
        rendered = render_edition(edition, _user(tmp_path, MJML_TEMPLATE, broken))
    except TemplateError as err:  # premailer refused the CSS: the template is named
        assert str(err).startswith(str(tmp_path / MJML_TEMPLATE))
    else:  # or it skipped the bad rule and rendered the rest
        assert "1.1m" in rendered.html


def _user(folder: Path, name: str, source: str) -> Path:
    (folder / name).write_text(source, encoding="utf-8")
    return folder


def test_feed_item_headline_is_not_repeated(edition_factory: Callable[..., Edition]) -> None:
    item = Post(id="f", author="BBC News", handle=None, date="2024-01-01",
                text="Storm hits coast\n\nWinds of 105 mph were recorded.",
                url="https://www.bbc.co.uk/news/1", title="Storm hits coast")
    edition = edition_factory(posts=(item,), highlights=(Highlight("f", "Top story"),),
                              figures=(), comparisons=(), summary_numbers=())
    rendered = render_edition(edition, None)
    assert rendered.html.count("Storm hits coast") == 1
    assert rendered.text.count("Storm hits coast") == 1
    assert "Winds of 105 mph were recorded." in rendered.text
    assert 'href="https://www.bbc.co.uk/news/1"' in rendered.html


def test_mjml_error_line_is_not_fooled_by_html_in_mj_text(tmp_path: Path,
                                                         edition: Edition) -> None:
    source = ("<mjml><mj-body>\n"                                    # 1
              "<mj-section><mj-column>\n"                            # 2
              "<mj-text>a&nbsp;b<br>c</mj-text>\n"                   # 3: fine for MJML
              "</mj-section>\n"                                      # 4: </mj-column> missing
              "</mj-body></mjml>\n")
    err = _broken(tmp_path, MJML_TEMPLATE, source, edition)
    assert err.where == f"{tmp_path / MJML_TEMPLATE}:4"


def test_undefined_in_an_included_template_names_that_file(tmp_path: Path,
                                                           edition: Edition) -> None:
    (tmp_path / "part.txt.j2").write_text("ok\n{{ edition.missing_field }}\n")
    err = _broken(tmp_path, TEXT_TEMPLATE, "head\n{% include 'part.txt.j2' %}\n", edition)
    assert err.where == f"{tmp_path / 'part.txt.j2'}:2"
