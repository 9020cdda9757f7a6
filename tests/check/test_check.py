"""`digest check`: each check against a deliberately broken email, and a clean one passing.

The editions here are built by hand (not by the renderer), so each test breaks exactly one
thing; tests/check/test_check_template.py runs the same checks on the real default template.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from digest.check.gate import CHECKS, check_command, gate, run_checks
from digest.check.mail import CheckResult, load_mail
from digest.check.tools import NODE_DIR_ENV, check_clients, check_spam, node_dir
from digest.config import Config, load_config
from digest.errors import CheckFailed, OutboxError

UNSUB_TEMPLATE = "https://digest.example.org/unsubscribe?email={email}"
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
                 changes: dict[str, str | None] | None = None,
                 **header_changes: str | None) -> bytes:
    msg = EmailMessage()
    for name, value in headers(**(changes or {}), **header_changes).items():
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
    return load_config(None, **{"build.outbox": str(tmp_path / "outbox"),
                                "email.unsubscribe_url": UNSUB_TEMPLATE})


def result(results: list[CheckResult], name: str) -> CheckResult:
    return next(r for r in results if r.name == name)


@pytest.mark.slow
def test_clean_edition_passes_every_offline_check(tmp_path: Path, config: Config) -> None:
    results = run_checks(config, make_edition(tmp_path))
    for r in results:
        # the hand-made message has no footer address; test_postal_address_… covers it
        if r.name not in ("spam", "client support", "postal address"):
            assert r.status == "pass", r.line()
    assert result(results, "size").detail == "0.8 KB of 102 KB; unsubscribe link at 0.7 KB"


@pytest.mark.slow
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


def statuses(config: Config, folder: Path, *, tools: bool = False) -> dict[str, CheckResult]:
    """Results by name; the external tools (about a second each) only when asked for."""
    mail = load_mail(folder)
    return {r.name: r for r in (check(mail, config) for check in CHECKS
                                if tools or check not in (check_spam, check_clients))}


def test_oversized_html_is_clipped_and_hides_the_unsubscribe_link(tmp_path: Path,
                                                                  config: Config) -> None:
    filler = "<p>" + "An update on the outage. " * 40 + "</p>\n"
    big = GOOD_HTML.replace("<h1>", filler * 120 + "<h1>")  # ~120 KB before the link
    got = statuses(config, make_edition(tmp_path, make_message(html=big)))["size"]
    assert got.status == "fail"
    assert "of 102 KB" in got.detail and "after the clip" in got.detail


def test_oversized_html_fails_even_with_the_link_first(tmp_path: Path, config: Config) -> None:
    filler = "<p>" + "An update on the outage. " * 40 + "</p>\n"
    big = GOOD_HTML.replace("</td>", filler * 120 + "</td>")
    got = statuses(config, make_edition(tmp_path, make_message(html=big)))["size"]
    assert got.status == "fail" and "Gmail clips" in got.detail


def test_size_limit_comes_from_config(tmp_path: Path) -> None:
    config = load_config(None, **{"check.max_html_bytes": 500})
    got = statuses(config, make_edition(tmp_path))["size"]
    assert got.status == "fail" and "of 0.5 KB" in got.detail


def test_missing_unsubscribe_link_fails(tmp_path: Path, config: Config) -> None:
    html = GOOD_HTML.replace(f'<p><a href="{UNSUB}">Unsubscribe</a></p>', "")
    got = statuses(config, make_edition(tmp_path, make_message(html=html)))["size"]
    assert got.status == "fail" and "no unsubscribe link" in got.detail


def test_a_post_link_with_unsubscribe_in_it_is_not_the_unsubscribe_link(
        tmp_path: Path, config: Config) -> None:
    # A post about unsubscribing, linked early, must not hide the real link past the clip.
    early = '<p><a href="https://news.example.org/how-to-unsubscribe">A story</a></p>'
    filler = "<p>" + "An update on the outage. " * 40 + "</p>\n"
    html = GOOD_HTML.replace("<h1>", early + filler * 120 + "<h1>")
    got = statuses(config, make_edition(tmp_path, make_message(html=html)))["size"]
    assert "after the clip" in got.detail


def test_image_without_alt_fails(tmp_path: Path, config: Config) -> None:
    html = GOOD_HTML.replace('alt="Digest" ', "")
    got = statuses(config, make_edition(tmp_path, make_message(html=html)))["images"]
    assert got.status == "fail"
    assert "1 of 2 without alt" in got.detail and "logo.png" in got.detail


@pytest.mark.parametrize(("href", "why"), [
    ("http://x.com/MarkJacob16/status/1823", "not https"),
    ("javascript:alert(1)", "javascript:"),
    ("JaVa\tScript:alert(1)", "javascript:"),  # browsers drop the tab and ignore case
    ("/status/1823", "not absolute"),
    ("#top", "not absolute"),
    ("https:///nohost", "no host"),
])
def test_bad_links_fail(tmp_path: Path, config: Config, href: str, why: str) -> None:
    html = GOOD_HTML.replace(f'href="{POST_URL}"', f'href="{href}"')
    got = statuses(config, make_edition(tmp_path, make_message(html=html)))["links"]
    assert got.status == "fail" and f"({why})" in got.detail, got.detail
    assert got.detail.startswith("1 bad:")


def test_http_url_in_the_text_part_warns(tmp_path: Path, config: Config) -> None:
    text = GOOD_TEXT + "\nAs quoted: http://example.org/plain.\n"
    got = statuses(config, make_edition(tmp_path, make_message(text=text)))["links"]
    assert got.status == "warn"
    assert got.detail.endswith("1 http:// URL in the text part: http://example.org/plain")


def test_http_image_source_fails(tmp_path: Path, config: Config) -> None:
    html = GOOD_HTML.replace("https://digest.example.org/logo.png", "http://x.org/logo.png")
    got = statuses(config, make_edition(tmp_path, make_message(html=html)))["links"]
    assert got.status == "fail" and "http://x.org/logo.png (not https)" in got.detail


def test_text_part_missing_a_link_fails(tmp_path: Path, config: Config) -> None:
    text = GOOD_TEXT.replace(f"Mark Jacob on X: {POST_URL}", "Mark Jacob on X")
    got = statuses(config, make_edition(tmp_path, make_message(text=text)))["text part"]
    assert got.status == "fail" and f"link {POST_URL}" in got.detail


def test_text_part_missing_a_figure_fails(tmp_path: Path, config: Config) -> None:
    text = GOOD_TEXT.replace("against the 25m promised", "against the promise")
    got = statuses(config, make_edition(tmp_path, make_message(text=text)))["text part"]
    assert got.status == "fail" and "figure 25m" in got.detail
    assert "1.1m" not in got.detail


def test_figure_inside_a_longer_number_does_not_count(tmp_path: Path, config: Config) -> None:
    # "11.1m" and "1.1ms" are not the figure "1.1m".
    text = GOOD_TEXT.replace("Only 1.1m listened", "Only 11.1m listened, in 1.1ms")
    got = statuses(config, make_edition(tmp_path, make_message(text=text)))["text part"]
    assert got.status == "fail" and "figure 1.1m" in got.detail


def test_links_only_in_the_text_part_warn(tmp_path: Path, config: Config) -> None:
    text = GOOD_TEXT + "\nMore: https://example.org/extra.\n"
    got = statuses(config, make_edition(tmp_path, make_message(text=text)))["text part"]
    assert got.status == "warn" and "https://example.org/extra" in got.detail


def test_url_the_html_shows_as_text_is_not_extra(tmp_path: Path, config: Config) -> None:
    quoted = "Read the terms at https://example.org/terms (reference 17)."
    html = GOOD_HTML.replace("</h1>", f"</h1><p>{quoted}</p>")
    raw = make_message(html=html, text=GOOD_TEXT + quoted + "\n")
    assert statuses(config, make_edition(tmp_path, raw))["text part"].status == "pass"


def test_html_only_message_fails_mime_and_text_part(tmp_path: Path, config: Config) -> None:
    msg = EmailMessage()
    for name, value in headers().items():
        msg[name] = value
    msg.set_content(GOOD_HTML, subtype="html")
    got = statuses(config, make_edition(tmp_path, msg.as_bytes()))
    assert got["mime"].status == "fail" and "text/html, not multipart" in got["mime"].detail
    assert got["text part"].status == "fail"


def test_page_without_lang_title_or_roles_warns(tmp_path: Path, config: Config) -> None:
    html = (GOOD_HTML.replace(' lang="en"', "").replace("<title>The outage</title>", "")
            .replace(' role="presentation"', "")
            .replace('<meta name="color-scheme" content="light dark">', ""))
    got = statuses(config, make_edition(tmp_path, make_message(html=html)))["accessibility"]
    assert got.status == "warn"
    assert got.detail == ('<html> has no lang; no <title>; 1 of 1 layout tables without '
                          'role="presentation"; no color-scheme meta (clients darken it their '
                          "own way)")


def drop_header(raw: bytes, name: bytes) -> bytes:
    head, body = raw.split(b"\n\n", 1)
    lines = [ln for ln in head.split(b"\n") if not ln.lower().startswith(name.lower() + b":")]
    return b"\n".join(lines) + b"\n\n" + body


@pytest.mark.parametrize("name", ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"])
def test_missing_required_header_fails(tmp_path: Path, config: Config, name: str) -> None:
    raw = drop_header(make_message(), name.encode())
    got = statuses(config, make_edition(tmp_path, raw))["headers"]
    assert got.status == "fail" and f"no {name}" in got.detail


@pytest.mark.parametrize(("header", "value", "problem"), [
    ("Date", "yesterday", "not an RFC 5322 date"),
    ("Message-ID", "no-angle-brackets", "not <id@domain>"),
    ("To", "Readers", "has no address"),
])
def test_malformed_header_fails(tmp_path: Path, config: Config, header: str, value: str,
                                problem: str) -> None:
    # Written into the bytes: the email package itself refuses to build some of these.
    raw = make_message()
    old = f"{header}: {headers()[header]}\n".encode()
    assert old in raw
    raw = raw.replace(old, f"{header}: {value}\n".encode())
    got = statuses(config, make_edition(tmp_path, raw))["headers"]
    assert got.status == "fail" and problem in got.detail


def test_one_click_required_when_sending_is_configured(tmp_path: Path) -> None:
    raw = make_message(changes={"List-Unsubscribe": None, "List-Unsubscribe-Post": None})
    folder = make_edition(tmp_path, raw)
    sending = load_config(None, **{"send.smtp": "smtp://127.0.0.1:2525"})
    assert statuses(sending, folder)["one-click unsubscribe"].status == "fail"
    not_sending = statuses(load_config(None), folder)["one-click unsubscribe"]
    assert not_sending.status == "warn" and "required once sending" in not_sending.detail


@pytest.mark.parametrize(("changes", "problem"), [
    ({"List-Unsubscribe-Post": None}, "no List-Unsubscribe-Post"),
    ({"List-Unsubscribe-Post": "List-Unsubscribe=Yes"}, "is not 'List-Unsubscribe=One-Click'"),
    ({"List-Unsubscribe": "<http://digest.example.org/u>"}, "no https URI"),
    ({"List-Unsubscribe": "<mailto:u@example.org>"}, "no https URI"),
    ({"List-Unsubscribe": None}, "without List-Unsubscribe"),
])
def test_broken_one_click_fails_even_when_not_sending(tmp_path: Path, config: Config,
                                                      changes: dict[str, str | None],
                                                      problem: str) -> None:
    got = statuses(config, make_edition(tmp_path, make_message(changes=changes)))
    assert got["one-click unsubscribe"].status == "fail"
    assert problem in got["one-click unsubscribe"].detail


def test_long_subject_fails(tmp_path: Path, config: Config) -> None:
    raw = make_message(Subject="The X Spaces outage, and what it tells us " * 3)
    got = statuses(config, make_edition(tmp_path, raw))["subject"]
    assert got.status == "fail" and "over 78" in got.detail


def test_preheader_too_long_or_missing(tmp_path: Path, config: Config) -> None:
    long = statuses(config, make_edition(tmp_path, preheader="word " * 40, name="a"))
    assert long["preheader"].status == "fail" and "over 140" in long["preheader"].detail
    none = statuses(config, make_edition(tmp_path, preheader="", name="b"))
    assert none["preheader"].status == "warn"
    absent = statuses(config, make_edition(tmp_path, preheader="Not in the HTML", name="c"))
    assert absent["preheader"].status == "warn" and "not found" in absent["preheader"].detail


def test_line_over_998_characters_fails(tmp_path: Path, config: Config) -> None:
    # A hand-written message with an 8bit body, as a careless generator would write it.
    raw = drop_header(make_message(), b"List-Unsubscribe-Post")
    head = raw.split(b"\n\n", 1)[0]
    long_line = b"x" * 1200
    raw = (b"\n".join(ln for ln in head.split(b"\n") if not ln.startswith(b"Content-"))
           + b"\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
           + b"Hello\n" + long_line + b"\n")
    got = statuses(config, make_edition(tmp_path, raw))["line length"]
    assert got.status == "fail"
    number = raw.split(b"\n").index(long_line) + 1
    assert f"digest.eml:{number} is 1200 characters, over 998" in got.detail


SPAM_HTML = f"""<html><body><p><font size=7 color=red>CONGRATULATIONS!!! YOU HAVE WON
$1,000,000 CASH PRIZE!!!</font></p><p>Buy cheap VIAGRA and CIALIS online, 100% FREE, no
prescription needed, act now! Lose weight fast.</p><p><a href="https://bit.ly/xyz">CLICK HERE
NOW</a> <a href="{UNSUB}">Unsubscribe</a></p></body></html>"""
SPAM_TEXT = ("CONGRATULATIONS!!! YOU HAVE WON $1,000,000 CASH PRIZE!!! Buy cheap VIAGRA online,"
             f" 100% FREE, act now! CLICK HERE https://bit.ly/xyz\nUnsubscribe {UNSUB}\n")

needs_spamassassin = pytest.mark.skipif(
    shutil.which("spamassassin") is None,
    reason="spamassassin not installed (tests/run.sh installs it)")


@pytest.mark.slow
@needs_spamassassin
def test_spammy_email_fails_with_its_score(tmp_path: Path, config: Config) -> None:
    raw = make_message(html=SPAM_HTML, text=SPAM_TEXT, Subject="YOU HAVE WON $1,000,000 CASH")
    got = statuses(config, make_edition(tmp_path, raw), tools=True)["spam"]
    assert got.status == "fail"
    score = float(got.detail.split("score ", 1)[1].split()[0])
    assert score >= 5 and "(fails at 5)" in got.detail
    assert "DRUG_ED_CAPS" in got.detail  # the rules that scored are named


@pytest.mark.slow
@needs_spamassassin
def test_spam_threshold_comes_from_config(tmp_path: Path) -> None:
    strict = load_config(None, **{"check.spam_threshold": -100})
    assert statuses(strict, make_edition(tmp_path), tools=True)["spam"].status == "fail"


def test_missing_tools_are_skipped_never_passed(tmp_path: Path, config: Config,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_edition(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no spamassassin, no node
    got = statuses(config, folder, tools=True)
    assert got["spam"].status == "skipped"
    assert got["spam"].line() == "SKIP  spam: skipped: spamassassin not installed"
    assert got["client support"].detail == "skipped: node not installed"


@pytest.mark.slow
def test_caniemail_missing_is_skipped(tmp_path: Path, config: Config,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NODE_DIR_ENV, str(tmp_path / "no-node-modules"))
    got = statuses(config, make_edition(tmp_path), tools=True)["client support"]
    if shutil.which("node") is None:
        assert got.detail == "skipped: node not installed"
    else:
        assert got.status == "skipped" and got.detail.startswith("skipped: caniemail not installed")
        assert "no-node-modules" in got.detail


def test_caniemail_is_found_outside_a_checkout(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # An installed wheel has no tests/node: caniemail installed in the working folder serves.
    import digest.check.tools as tools

    monkeypatch.delenv(NODE_DIR_ENV, raising=False)
    monkeypatch.setattr(tools, "__file__", str(tmp_path / "site/digest/check/tools.py"))
    monkeypatch.setattr(tools, "_npm_global", lambda: None)
    work = tmp_path / "work"
    monkeypatch.chdir(work.parent)
    assert node_dir() == tmp_path / "site" / "tests" / "node"  # none anywhere: the default
    (work / "node_modules" / "caniemail").mkdir(parents=True)
    (work / "node_modules" / "caniemail" / "package.json").write_text("{}")
    monkeypatch.chdir(work)
    assert node_dir() == work
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tools, "_npm_global", lambda: work)  # npm install -g caniemail
    assert node_dir() == work


needs_caniemail = pytest.mark.skipif(
    shutil.which("node") is None
    or not (node_dir() / "node_modules" / "caniemail").is_dir(),
    reason="node or caniemail missing (tests/run.sh runs npm ci in tests/node)")


@pytest.mark.slow
@needs_caniemail
def test_unsupported_css_is_reported_per_client_as_a_warning(tmp_path: Path,
                                                             config: Config) -> None:
    html = GOOD_HTML.replace("<table ", '<table style="display:flex" ')
    got = statuses(config, make_edition(tmp_path, make_message(html=html)),
                   tools=True)["client support"]
    assert got.status == "warn"
    outlook = next(p for p in got.detail.split("; ") if "Outlook:" in p)
    assert "display:flex (windows" in outlook


@pytest.mark.slow
def test_check_command_prints_one_line_per_check_and_exits_1(tmp_path: Path, config: Config,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    good = make_edition(tmp_path, name="2024-08-13")
    assert check_command(config, good) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"checking {good}"
    assert out[2] == "PASS  size: 0.8 KB of 102 KB; unsubscribe link at 0.7 KB"
    assert out[-1].startswith("check: ") and " 0 fail" in out[-1]
    assert len(out) == 16  # heading, 14 checks, summary
    bad = make_edition(tmp_path, make_message(html=GOOD_HTML.replace(' alt="Digest"', "")),
                       name="2024-08-12")
    assert check_command(config, bad) == 1
    assert "FAIL  images: 1 of 2 without alt" in capsys.readouterr().out


@pytest.mark.slow
def test_no_edition_dir_checks_the_newest_edition(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    make_edition(outbox, name="2024-08-12")
    newest = make_edition(outbox, name="2024-08-13")
    (outbox / "not-an-edition").mkdir()
    (outbox / ".2024-08-14.tmp").mkdir()  # a build in flight is not an edition yet
    config = load_config(None, **{"build.outbox": str(outbox)})
    lines: list[str] = []
    check_command(config, None, echo=lines.append)
    assert lines[0] == f"checking {newest}"


@pytest.mark.parametrize("setup", ["missing", "empty-outbox", "no-eml", "bad-json"])
def test_bad_input_is_an_outbox_error(tmp_path: Path, setup: str) -> None:
    outbox = tmp_path / "outbox"
    folder = outbox / "2024-08-13"
    if setup != "missing":
        outbox.mkdir()
    if setup in ("no-eml", "bad-json"):
        folder = make_edition(outbox)
    if setup == "no-eml":
        (folder / "digest.eml").unlink()
    if setup == "bad-json":
        (folder / "edition.json").write_text("{not json", encoding="utf-8")
    config = load_config(None, **{"build.outbox": str(outbox)})
    with pytest.raises(OutboxError) as err:
        check_command(config, folder if setup != "empty-outbox" else None, echo=lambda _: None)
    assert err.value.exit_code == 2
    assert str(outbox) in str(err.value)


@pytest.mark.slow
def test_cli_exit_codes(tmp_path: Path) -> None:
    """Through the real CLI: 0 for a clean edition, 1 for a failing one, 2 for bad input."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "digest", "check", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)

    good = run(str(make_edition(tmp_path, name="good")))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "PASS  headers:" in good.stdout and good.stderr == ""
    bad = run(str(make_edition(tmp_path, make_message(html=GOOD_HTML.replace(' alt="Digest"', "")),
                               name="bad")))
    assert bad.returncode == 1 and "FAIL  images:" in bad.stdout
    missing = run(str(tmp_path / "nope"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == f"digest: error: {tmp_path / 'nope'}: no such edition folder"
    empty = run()  # no edition given, no outbox in this folder
    assert empty.returncode == 2 and "run `digest build` first" in empty.stderr


def test_postal_address_warns_when_missing_and_passes_when_in_both_parts(
        tmp_path: Path, config: Config) -> None:
    from digest.check.content import check_postal_address

    folder = make_edition(tmp_path)
    mail = load_mail(folder)
    got = check_postal_address(mail, config)
    assert got.status == "warn" and "[email] postal_address" in got.detail
    with_address = load_config(None, **{"email.postal_address": "1 Main St\nSpringfield"})
    got = check_postal_address(mail, with_address)
    assert got.status == "warn" and "not in both parts" in got.detail  # built without it
    from digest.pipeline import build_edition

    seed = str(Path(__file__).resolve().parents[2] / "seeds")
    built = load_config(None, **{"email.postal_address": "1 Main St\nSpringfield",
                                 "build.outbox": str(tmp_path / "built")})
    got = check_postal_address(load_mail(build_edition(built, [seed])), built)
    assert got.status == "pass"
