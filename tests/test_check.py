"""`digest check`: each check against a deliberately broken email, and a clean one passing.

The editions here are built by hand (not by the renderer), so each test breaks exactly one
thing; tests/test_check_template.py runs the same checks on the real default template.
"""

from __future__ import annotations

import json
import shutil
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from digest.check import check_command, gate, latest_edition, run_checks
from digest.checks import CheckResult
from digest.checks.tools import NODE_DIR_ENV, node_dir
from digest.config import Config, load_config
from digest.errors import CheckFailed, OutboxError

UNSUB = "https://digest.example.org/unsubscribe?email=reader%40example.org"
POST_URL = "https://x.com/MarkJacob16/status/1823"
FIGURES = [{"text": "1.1m", "value": 1100000, "unit": None, "label": "listening live",
            "post": "p1", "quote": "1.1m listened live"},
           {"text": "25m", "value": 25000000, "unit": None, "label": "promised",
            "post": "p2", "quote": "25m promised"}]
PREHEADER = "1.1m listened live against the 25m promised."

GOOD_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The outage</title>
<meta name="color-scheme" content="light dark"></head>
<body><div style="display:none">{PREHEADER}</div>
<table role="presentation"><tr><td>
<h1>The X Spaces outage</h1>
<p>Only <strong>1.1m</strong> listened live, against the <strong>25m</strong> promised.</p>
<img src="https://digest.example.org/logo.png" alt="Digest" width="100">
<img src="https://digest.example.org/spacer.gif" alt="" width="1">
<p><a href="{POST_URL}">Mark Jacob on X</a> · <a href="mailto:editor@example.org">Write</a></p>
<p><a href="{UNSUB}">Unsubscribe</a></p>
</td></tr></table></body></html>
"""

GOOD_TEXT = f"""The X Spaces outage

Only 1.1m listened live, against the 25m promised.

Mark Jacob on X: {POST_URL}

Unsubscribe: {UNSUB}
"""


def headers(**changes: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "From": "Digest <digest@example.org>",
        "To": "Reader <reader@example.org>",
        "Subject": "The X Spaces outage · 13 Aug 2024",
        "Date": "Tue, 13 Aug 2024 08:00:00 +0000",
        "Message-ID": "<2024-08-13.digest@example.org>",
        "List-Unsubscribe": f"<{UNSUB}>, <mailto:unsubscribe@example.org>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    base.update(changes)
    return base


def make_message(html: str = GOOD_HTML, text: str = GOOD_TEXT,
                 **header_changes: str | None) -> bytes:
    msg = EmailMessage()
    for name, value in headers(**header_changes).items():
        if value is not None:
            msg[name] = value
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def make_edition(root: Path, raw: bytes | None = None, name: str = "2024-08-13",
                 **edition: Any) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "digest.eml").write_bytes(raw if raw is not None else make_message())
    data = {"edition": name, "date": name, "subject": "The X Spaces outage",
            "preheader": PREHEADER, "figures": FIGURES, "posts": [], **edition}
    (folder / "edition.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    return load_config(None, **{"build.outbox": str(tmp_path / "outbox")})


def result(results: list[CheckResult], name: str) -> CheckResult:
    return next(r for r in results if r.name == name)


def test_clean_edition_passes_every_offline_check(tmp_path: Path, config: Config) -> None:
    results = run_checks(config, make_edition(tmp_path))
    for r in results:
        if r.name not in ("spam", "client support"):
            assert r.status == "pass", r.line()
    assert result(results, "size").detail == "0.8 KB of 102 KB; unsubscribe link at 0.7 KB"


def test_gate_raises_on_failure_unless_forced(tmp_path: Path, config: Config) -> None:
    bad = make_edition(tmp_path, make_message(html=GOOD_HTML.replace("https://x.com",
                                                                      "http://x.com")))
    with pytest.raises(CheckFailed) as err:
        gate(config, bad, force=False)
    assert "links" in str(err.value) and str(bad) in str(err.value)
    assert err.value.exit_code == 1
    gate(config, bad, force=True)  # forced: no exception
    good = make_edition(tmp_path, name="2024-08-14")
    gate(config, good, force=False)  # passes: warnings and skipped checks do not block
