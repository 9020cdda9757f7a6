"""Every bad input is one clean line (issue 14, item 5): hostile TOML, JSON and feeds, NUL in a
path, overflowing durations, control characters in a post, a file where the edition folder goes.

Through the real CLI in-process (`digest.cli.main`): one line on stderr naming the file and the
key or line, exit code 2, no traceback; or, for what a reader can clean (controls, surrogates),
an edition without them. Nothing is half-written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.errors import ConfigError

POST = {"author": "A", "handle": "a", "date": "2024-08-13"}


def digest(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["digest", *args])
    code = 0
    try:
        main()
    except SystemExit as done:  # main() exits only on an error
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "cache"))
    return lambda *args: digest(capsys, monkeypatch, *args)


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_deep_toml_names_the_file(run: Run, tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text("[build]\nx = " + "[" * 600 + "]" * 600 + "\n")
    code, _, err = run("build", "--outbox", "out")
    assert code == 2
    assert one_line(err) == "digest: error: digest.toml: invalid TOML: nested too deeply"


def test_deep_json_names_the_file(run: Run, tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 1000 + "]" * 1000)
    code, _, err = run("build", "deep.json", "--outbox", "out")
    assert code == 2
    assert one_line(err) == "digest: error: deep.json: invalid JSON: nested too deeply"
    assert not (tmp_path / "out").exists()


def test_lone_surrogates_and_controls_are_stripped_from_posts(
        run: Run, tmp_path: Path) -> None:
    posts = [{**POST, "text": "Bad \ud800 half, \x0bvertical \x1b[31mred\x07 and 5 goals."},
             {**POST, "handle": "b", "author": "B\x1b", "text": "Another post, 6 goals."}]
    (tmp_path / "posts.json").write_text(json.dumps(posts))  # escaped: \\ud800, \\u001b
    code, _, err = run("build", "posts.json", "--outbox", "out")
    # It used to fail on the surrogate (UnicodeEncodeError) or blame templates/digest.mjml.j2:1.
    assert code == 0, err
    edition = json.loads((tmp_path / "out/2024-08-13/edition.json").read_text())
    texts = [p["text"] for p in edition["posts"]]
    assert texts[0] == "Bad  half,  vertical [31mred and 5 goals."
    assert edition["posts"][1]["author"] == "B"


def test_a_surrogate_reference_in_a_feed_reads_as_a_replacement(
        run: Run, tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        "<title>x &#xD800; y</title><description>5 goals &#55296; and more</description>"
        "<pubDate>Tue, 13 Aug 2024 10:00:00 GMT</pubDate></item></channel></rss>")
    code, _, err = run("build", "feed.xml", "--outbox", "out")
    assert code == 0, err
    edition = json.loads((tmp_path / "out/2024-08-13/edition.json").read_text())
    assert edition["posts"][0]["text"] == "x \ufffd y\n\n5 goals \ufffd and more"


def test_nul_in_a_path(run: Run, tmp_path: Path) -> None:
    code, _, err = run("build", "seeds/\x00x.txt", "--outbox", "out")
    assert code == 2
    assert one_line(err) == ("digest: error: 'seeds/\\x00x.txt': a path cannot hold a NUL "
                             "character")


@pytest.mark.parametrize("late", ["9" * 400 + "d", "99999999999d", "4000d"])
def test_an_overflowing_duration_is_refused_at_load(tmp_path: Path, late: str) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(f'[schedule]\nmax_late = "{late}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert str(info.value).startswith(f"{config}: [schedule] max_late: duration ")
    assert str(info.value).endswith(" is too long (at most 3650d)")


@pytest.mark.parametrize(("line", "key", "says"), [
    ('unsubscribe_mailto = "https://example.org/u"', "unsubscribe_mailto", "must be a mailto:"),
    ('list_id = "dïgest.example.org"', "list_id", "must be ASCII"),
])
def test_email_errors_name_the_config_file(run: Run, tmp_path: Path, line: str, key: str,
                                           says: str) -> None:
    (tmp_path / "digest.toml").write_text(f"[email]\n{line}\n")
    code, _, err = run("build", "--outbox", "out")
    assert code == 2
    assert one_line(err).startswith(f"digest: error: digest.toml: [email] {key}: ")
    assert says in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_file_where_the_edition_goes_is_refused_and_nothing_changes(
        run: Run, tmp_path: Path, kind: str) -> None:
    outbox = tmp_path / "out"
    outbox.mkdir()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    if kind == "file":
        (outbox / "2024-08-13").write_text("my notes")
    else:
        (outbox / "2024-08-13").symlink_to(target)
    before = sorted(p.name for p in outbox.iterdir())
    code, _, err = run("build", "--outbox", "out")
    assert code == 2
    assert one_line(err) == (f"digest: error: {outbox}/2024-08-13: a {kind} is where the edition "
                             "folder goes; move it away")
    assert sorted(p.name for p in outbox.iterdir()) == before  # no edition, nothing moved aside
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    if kind == "file":
        assert (outbox / "2024-08-13").read_text() == "my notes"
