"""The rendered email in a real Chromium: no horizontal scroll on a phone, accessible in light
and dark mode (axe-core: no serious or critical violation, colour contrast included)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.model import Edition
from digest.render.templates import render_edition

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (tests/run.sh installs it)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def email_file(tmp_path: Path, edition: Edition) -> Path:
    # The hand-made edition has the awkward parts: a 140-character URL, a 136-letter word.
    path = tmp_path / "digest.html"
    path.write_text(render_edition(edition, None).html, encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [375, 320])
def test_no_horizontal_scroll_on_a_phone(browser: Any, email_file: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(email_file.as_uri())
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.close()
    assert scroll <= client, f"{scroll - client}px of horizontal scroll at {width}px"


def test_desktop_width_is_600(browser: Any, email_file: Path) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(email_file.as_uri())
    width = page.evaluate("document.querySelector('.card').getBoundingClientRect().width")
    page.close()
    assert 560 <= width <= 600


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious(browser: Any, email_file: Path, scheme: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (cd tests/node && npm ci)")
    page = browser.new_page(viewport={"width": 375, "height": 800}, color_scheme=scheme)
    page.goto(email_file.as_uri())
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "axe.run(document).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.html.slice(0, 80)).join(' | ')))")
    page.close()
    assert violations == []


def test_dark_mode_changes_the_colours(browser: Any, email_file: Path) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": 600, "height": 800}, color_scheme=scheme)
        page.goto(email_file.as_uri())
        colours[scheme] = page.evaluate(
            "getComputedStyle(document.querySelector('.card')).backgroundColor")
        page.close()
    assert colours["light"] == "rgb(255, 255, 255)"
    assert colours["dark"] != colours["light"]
