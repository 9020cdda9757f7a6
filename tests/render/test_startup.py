"""The renderer's start-up savings change nothing it writes: premailer loaded on first use,
with requests deferred and cssutils' validation off; compiled templates kept between runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.model import Edition
from digest.render.templates import TEXT_TEMPLATE, render_edition

# Styles of the kinds email templates carry: vendor and Outlook properties cssutils does not
# know, a value it finds invalid, !important, pseudo-classes and @media it cannot inline.
ODD_HTML = """<!doctype html><html><head>
<style>/* digest:inline */
p { color: #333; mso-line-height-rule: exactly; -webkit-text-size-adjust: 100%; }
.card { width: 12 apples; border: 1px solid #ccc !important; }
a:hover { color: red; }
@media (max-width: 480px) { .card { width: 100% !important; } }
</style></head>
<body><p class="card" style="margin:0;line-height:20px">Hi <a href="%%unsubscribe_url%%">x</a>
</p><table><tr><td style="background-color:#fff;text-align:center">cell</td></tr></table>
</body></html>"""

STOCK = """
import logging, sys, premailer
html = sys.stdin.read()
print(premailer.Premailer(html, strip_important=False, keep_style_tags=False,
      allow_network=False, allow_loading_external_files=False, disable_validation=True,
      cssutils_logging_level=logging.CRITICAL).transform(), end="")
"""

OURS = """
import sys
from digest.render.inline import inline_css
import digest.render.templates
assert "premailer" not in sys.modules and "mjml" not in sys.modules, "loaded too early"
out = inline_css(sys.stdin.read())
for name in ("requests", "urllib.request", "importlib.metadata"):
    assert type(sys.modules[name]).__name__ == "_Deferred", name + " was loaded"
print(out, end="")
"""


def _python(code: str, stdin: str) -> str:
    return subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True,
                          text=True, check=True, timeout=120).stdout


def test_inlining_writes_what_stock_premailer_writes() -> None:
    ours = _python(OURS, ODD_HTML)
    assert ours == _python(STOCK, ODD_HTML)
    assert "!important" in ours and "@media (max-width: 480px)" in ours
    assert "mso-line-height-rule:exactly" in ours and "width:12 apples" in ours


def test_deferred_modules_load_whole_on_first_use() -> None:
    code = """
import sys
from digest.render.inline import _load_premailer
premailer = _load_premailer()
import requests
assert type(requests).__name__ == "_Deferred"
session = requests.Session  # the first attribute read loads the real module
assert type(sys.modules["requests"]).__name__ == "module"
import requests.adapters, requests as again
assert again is sys.modules["requests"] and again.Session is session
import urllib.request
assert urllib.request.pathname2url("a b") == "a%20b"  # through the stand-in, then real
import urllib.request as again
assert type(again).__name__ == "module" and again is sys.modules["urllib.request"]
from importlib import metadata
assert metadata.version("jinja2")
from urllib.request import urlopen
print("ok")
"""
    assert _python(code, "") == "ok\n"


def test_compiled_templates_are_reused_and_renew(tmp_path: Path, edition: Edition,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "cache"))
    cold = render_edition(edition, None)
    cached = sorted((tmp_path / "cache" / "templates").iterdir())
    assert len(cached) >= 2  # the MJML and the text template
    assert render_edition(edition, None) == cold  # read back from the cache
    assert sorted((tmp_path / "cache" / "templates").iterdir()) == cached
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / TEXT_TEMPLATE).write_text("First {{ edition.title }}\n", encoding="utf-8")
    assert render_edition(edition, mine).text.startswith("First ")
    (mine / TEXT_TEMPLATE).write_text("Second {{ edition.title }}\n", encoding="utf-8")
    assert render_edition(edition, mine).text.startswith("Second ")  # not the stale one


def test_a_broken_or_unwritable_cache_only_costs_the_compile(
        tmp_path: Path, edition: Edition, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "cache"))
    expected = render_edition(edition, None)
    for entry in (tmp_path / "cache" / "templates").iterdir():
        entry.write_bytes(entry.read_bytes()[:40])  # cut short
    assert render_edition(edition, None) == expected
    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "blocked"))
    assert render_edition(edition, None) == expected
