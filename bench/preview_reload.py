"""How long from saving a template to seeing the change in an open `digest preview` page.

    python bench/preview_reload.py [--edits 10]

Runs the real preview on the bundled seed with a user templates folder, opens it in Debian's
Chromium (Playwright), then saves the MJML template N times, each time with a new marker, and
times save -> marker visible in the email iframe (the page reloads itself). Also prints the
build times the server reported. Nothing here asserts: tests never time things.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.config import load_config
from digest.preview import LivePreview
from digest.resources import builtin_templates, bundled_seeds

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MARK = "</mj-body>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10)
    edits = parser.parse_args().edits
    root = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    os.chdir(root)
    shutil.copytree(bundled_seeds(), root / "seeds")
    shutil.copytree(builtin_templates(), root / "tpl")
    (root / "digest.toml").write_text('[build]\nsources = ["seeds"]\ntemplates = "tpl"\n')
    template = root / "tpl" / "digest.mjml.j2"
    original = template.read_text(encoding="utf-8")
    preview = LivePreview(load_config(root / "digest.toml"), [], port=0)
    preview.start()
    latencies: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(preview.url)
            email = page.frame_locator("#panel-desktop iframe").locator("body")
            for i in range(edits):
                marker = f"bench-marker-{i}"
                section = (f"<mj-section><mj-column><mj-text>{marker}</mj-text></mj-column>"
                           f"</mj-section>\n{MARK}")
                start = time.perf_counter()
                template.write_text(original.replace(MARK, section, 1), encoding="utf-8")
                email.get_by_text(marker).wait_for(timeout=60_000)
                latencies.append(time.perf_counter() - start)
                time.sleep(0.3)  # let the watcher settle between saves, as a person would
            browser.close()
    finally:
        preview.stop()
        shutil.rmtree(root, ignore_errors=True)
    latencies.sort()
    median = statistics.median(latencies)
    print(f"save -> visible in the page, {edits} edits: median {median:.2f} s, "
          f"min {latencies[0]:.2f} s, max {latencies[-1]:.2f} s")


if __name__ == "__main__":
    main()
