"""Regenerate docs/preview-desktop.png and docs/preview-phone.png from the real preview.

    python docs/make_screenshots.py

Runs `digest preview` on the bundled seed with the built-in templates and default config, and
photographs it with Debian's Chromium through Playwright (never `playwright install`); then
saves a template with a typo and photographs the error as the page shows it (preview-error.png).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from digest.config import load_config  # noqa: E402
from digest.preview import LivePreview  # noqa: E402
from digest.resources import builtin_templates, bundled_seeds  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _settle(page: Page, panel: str) -> None:
    """Wait for the panel's email to load and be sized, then for fonts."""
    page.wait_for_function(
        """panel => { const f = document.querySelector(`#panel-${panel} iframe`);
                      const d = f && f.contentDocument;
                      return d && d.readyState === "complete" && parseInt(f.style.height) > 0; }""",
        arg=panel)
    page.evaluate("document.fonts.ready")


def main() -> None:
    # A fresh folder as a new user has it: the seed, and a copy of the built-in templates as
    # their own templates folder (so the error shot can break one without touching the repo).
    root = Path(tempfile.mkdtemp(prefix="digest-shots-"))
    os.chdir(root)
    shutil.copytree(bundled_seeds(), root / "seeds")
    shutil.copytree(builtin_templates(), root / "templates")
    (root / "digest.toml").write_text('[build]\ntemplates = "templates"\n', encoding="utf-8")
    preview = LivePreview(load_config(root / "digest.toml"), [], port=0)
    preview.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900},
                                    device_scale_factor=1)
            page.goto(preview.url + "#desktop")
            _settle(page, "desktop")
            page.screenshot(path=DOCS / "preview-desktop.png")
            # A narrow window, as an editor checking the phone view beside the editor.
            page.set_viewport_size({"width": 480, "height": 1000})
            page.goto(preview.url + "#phone")
            _settle(page, "phone")
            page.screenshot(path=DOCS / "preview-phone.png")
            # A typo saved in a template: the page shows where, over the last good edition.
            page.set_viewport_size({"width": 1200, "height": 560})
            page.goto(preview.url + "#desktop")
            _settle(page, "desktop")
            template = root / "templates" / "digest.mjml.j2"
            text = template.read_text(encoding="utf-8")
            template.write_text(text.replace("{{ edition.summary }}", "{{ edition.summary }",
                                             1), encoding="utf-8")
            page.locator("#build-error").wait_for(timeout=60_000)
            _settle(page, "desktop")
            page.screenshot(path=DOCS / "preview-error.png")
            browser.close()
    finally:
        preview.stop()
        shutil.rmtree(root, ignore_errors=True)
    for name in ("preview-desktop.png", "preview-phone.png", "preview-error.png"):
        print(DOCS / name)


if __name__ == "__main__":
    main()
