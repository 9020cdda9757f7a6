"""The reader's email in a real Chromium, at 375 and 600 px, light and dark: the pictures load
and fit, every card's links open the post, and no editor's reason or sum is on the page."""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.model import Edition, Post
from digest.render.links import post_link
from digest.render.templates import render_edition

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PICTURE = "https://img.example/chart.png"


def _png(width: int, height: int) -> bytes:
    """A plain grey PNG, made here so the test needs no network and no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (tests/run.sh installs it)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def pictured(edition: Edition) -> Edition:
    posts = tuple(Post(**{**p.__dict__, "image": PICTURE, "image_alt": "A bar chart"})
                  if p.id == "p3" else p for p in edition.posts)
    return Edition(**{**edition.__dict__, "posts": posts})


@pytest.fixture
def email_file(tmp_path: Path, pictured: Edition) -> Path:
    path = tmp_path / "digest.html"
    path.write_text(render_edition(pictured, None).html, encoding="utf-8")
    return path


def _page(browser: Any, email_file: Path, width: int, scheme: str) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    png = _png(1200, 600)

    def answer(route: Any) -> None:
        # No network: the picture is made here; any other https request is a post being
        # opened, answered with the address it went to.
        url = route.request.url
        if url.startswith("https://img.example/"):
            route.fulfill(body=png, content_type="image/png")
        else:
            route.fulfill(body=f"<title>opened</title><p id=url>{url}</p>",
                          content_type="text/html")

    page.route(lambda url: url.startswith("https://"), answer)
    page.goto(email_file.as_uri())
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 600])
def test_picture_loads_and_fits(browser: Any, email_file: Path, width: int,
                                scheme: str) -> None:
    page = _page(browser, email_file, width, scheme)
    image = page.locator(f'img[src="{PICTURE}"]')
    image.wait_for()
    page.wait_for_function(f'document.querySelector(\'img[src="{PICTURE}"]\').complete')
    natural, shown, alt = page.evaluate(
        f"(() => {{ const i = document.querySelector('img[src=\"{PICTURE}\"]');"
        " return [i.naturalWidth, i.getBoundingClientRect().width, i.alt]; })()")
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.close()
    assert natural == 1200 and alt == "A bar chart"
    # 528 px wide in a 600 px email; on a phone the card's width, less its padding
    assert shown == 528 if width == 600 else 280 <= shown <= width - 60
    assert scroll <= client


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 600])
def test_no_reasons_or_sums_for_the_reader(browser: Any, email_file: Path, width: int,
                                           scheme: str) -> None:
    page = _page(browser, email_file, width, scheme)
    text = page.evaluate("document.body.innerText")
    page.close()
    assert "Why it is here" not in text and "Carries the key figures" not in text
    assert "1,100,000 / 25,000,000" not in text and "Every number" not in text
    assert "1.1m is 4.4% of the 25m promised" in text  # the derived figure, as prose


@pytest.mark.parametrize("width", [375, 600])
def test_card_links_open_the_post(browser: Any, email_file: Path, pictured: Edition,
                                  width: int) -> None:
    for highlight in pictured.highlights:
        post = pictured.post(highlight.post)
        link = post_link(post)
        if link is None:
            continue
        page = _page(browser, email_file, width, "light")
        author = page.locator(f'a[href="{link.url}"]', has_text=post.author).first
        author.click()
        page.wait_for_selector("#url")
        opened = page.inner_text("#url")
        page.close()
        assert opened == link.url and "/search" not in opened
