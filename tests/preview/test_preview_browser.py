"""`digest preview` in a real browser: Debian's Chromium driven by Playwright.

Never `playwright install`: tests/run.sh installs Debian's `chromium` when it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from test_preview import MARK, edit, make_project, marker_section, running_preview

from digest.preview import LivePreview

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LIVE = 30_000  # ms a rebuild may take to show; only a broken run ever waits this long


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def preview(project: Path) -> Iterator[LivePreview]:
    with running_preview(project) as live:
        yield live


@pytest.fixture
def problems() -> list[str]:
    """Script errors and console errors of the page; the test fails if any is left."""
    return []


@pytest.fixture
def page(browser: Browser, problems: list[str], preview: LivePreview) -> Iterator[Page]:
    # Depends on `preview` so the page closes before the server stops (no reset connection).
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # A CSP violation or a failed load shows up as a console error.
    page.on("console", lambda msg: problems.append(msg.text) if _is_error(msg) else None)
    yield page
    context.close()
    assert problems == []


def _is_error(msg: ConsoleMessage) -> bool:
    return msg.type == "error"


def _email_size(page: Page, panel: str) -> list[int]:
    """[scrollWidth, clientWidth] of the email document inside the panel's iframe."""
    page.wait_for_function(
        """panel => { const f = document.querySelector(`#panel-${panel} iframe`);
                      const d = f && f.contentDocument;
                      return d && d.readyState === "complete" && d.body
                             && d.body.childElementCount > 0; }""", arg=panel)
    size: list[int] = page.evaluate(
        """panel => { const d = document.querySelector(`#panel-${panel} iframe`)
                                       .contentDocument.documentElement;
                      return [d.scrollWidth, d.clientWidth]; }""", panel)
    return size


def test_page_loads_and_tabs_switch(page: Page, preview: LivePreview) -> None:
    page.goto(preview.url)
    expect(page).to_have_title(re.compile(r".+ · preview$"))
    expect(page.locator("#panel-desktop")).to_be_visible()
    tabs = {"phone": "iframe", "text": "pre.plain", "source": "table.headers",
            "editorial": "ol.picks", "desktop": "iframe"}
    for name, inside in tabs.items():
        page.click(f"#tab-{name}")
        expect(page.locator(f"#tab-{name}")).to_have_attribute("aria-selected", "true")
        expect(page.locator(f"#panel-{name} {inside}")).to_be_visible()
        for other in tabs:
            if other != name:
                expect(page.locator(f"#panel-{other}")).to_be_hidden()
        assert page.url.endswith(f"#{name}")
    page.click("#tab-editorial")
    expect(page.locator("#panel-editorial ol.picks > li")).to_have_count(8)
    expect(page.locator("#panel-editorial")).to_contain_text("1.1m")
    page.click("#tab-source")
    expect(page.locator("#panel-source table.headers")).to_contain_text("List-Unsubscribe")
    # Arrow keys move between tabs, as in any tab list.
    page.focus("#tab-source")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#panel-editorial")).to_be_visible()
    # A link to a tab opens on it.
    page.goto(preview.url + "#text")
    expect(page.locator("#panel-text pre.plain")).to_be_visible()


def test_no_horizontal_scroll_on_a_phone(page: Page, preview: LivePreview) -> None:
    page.goto(preview.url + "#phone")
    scroll_width, client_width = _email_size(page, "phone")
    assert client_width == 375
    assert scroll_width <= client_width
    page.click("#tab-desktop")
    scroll_width, client_width = _email_size(page, "desktop")
    assert client_width == 600
    assert scroll_width <= client_width


def test_template_edit_shows_without_a_manual_reload(page: Page, preview: LivePreview,
                                                     project: Path) -> None:
    page.goto(preview.url)
    email = page.frame_locator("#panel-desktop iframe")
    expect(email.locator("body")).not_to_contain_text("Edited-live-1")
    edit(project.parent / "tpl" / "digest.mjml.j2", MARK, marker_section("Edited-live-1"))
    expect(email.locator("body")).to_contain_text("Edited-live-1", timeout=LIVE)
    # The open tab and the scroll position survive the reload.
    page.click("#tab-phone")
    phone = page.frame_locator("#panel-phone iframe")
    page.wait_for_function("document.documentElement.scrollHeight > 2000")  # frame fitted
    page.evaluate("window.scrollTo(0, 400)")
    edit(project.parent / "tpl" / "digest.mjml.j2", "Edited-live-1", "Edited-live-2")
    expect(phone.locator("body")).to_contain_text("Edited-live-2", timeout=LIVE)
    expect(page.locator("#panel-phone")).to_be_visible()
    page.wait_for_function("window.scrollY === 400")


def test_broken_template_shows_error_and_fix_recovers(page: Page, preview: LivePreview,
                                                      project: Path) -> None:
    template = project.parent / "tpl" / "digest.mjml.j2"
    good = template.read_text(encoding="utf-8")
    line = good[: good.index(MARK)].count("\n") + 1
    page.goto(preview.url)
    expect(page.locator("#build-error")).to_have_count(0)
    edit(template, MARK, "{% if %}\n" + MARK)
    error = page.locator("#build-error")
    expect(error).to_contain_text(f"digest.mjml.j2:{line}", timeout=LIVE)
    # The last good edition stays on screen under the error.
    expect(page.frame_locator("#panel-desktop iframe").locator("body")).not_to_be_empty()
    template.write_text(good, encoding="utf-8")
    expect(page.locator("#build-error")).to_have_count(0, timeout=LIVE)
    expect(page.locator("#live")).to_have_text("live")


def test_traversal_requests_get_404(page: Page, preview: LivePreview,
                                   problems: list[str]) -> None:
    for path in ("%2e%2e/%2e%2e/etc/passwd", "edition/..%2f..%2fdigest.toml", "..%2fdigest.toml",
                 "edition/", "assets/", "%252e%252e/etc/passwd", "etc/passwd"):
        response = page.request.get(preview.url + path)
        assert response.status == 404, path
        assert "root:" not in response.text()
    # The browser itself resolves this to /digest.toml, which is no route of the server.
    navigation = page.goto(preview.url + "../../digest.toml")
    assert navigation is not None and navigation.status == 404
    problems.remove("Failed to load resource: the server responded with a status of 404 "
                    "(Not Found)")  # the 404 itself, as expected
