"""CLI habits: -v/-q, `digest init`, ./templates/ picked up, progress only on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import MANY_POSTS, _BuildBar, cli
from digest.config import load_config
from digest.resources import builtin_templates

ROOT = Path(__file__).resolve().parent
SEEDS = str(ROOT.parent / "seeds")
WARNS = str(ROOT / "read/fixtures")  # a folder whose roundups make the reader warn


def test_verbose_says_more_and_quiet_says_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    loud = runner.invoke(cli, ["-v", "build", SEEDS, "--outbox", str(tmp_path / "a")])
    assert loud.exit_code == 0, loud.output
    assert "digest: read 21 posts from 1 sources; 21 new for edition 2024-08-13" in loud.stderr
    plain = runner.invoke(cli, ["build", SEEDS, "--outbox", str(tmp_path / "b")])
    assert plain.stderr == ""
    quiet = runner.invoke(cli, ["-q", "build", SEEDS, "--outbox", str(tmp_path / "c")])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout.strip().endswith("2024-08-13")  # the result is still printed


def test_init_writes_a_commented_config_and_the_templates(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(tmp_path / "news")])
    assert result.exit_code == 0, result.output
    toml = (tmp_path / "news/digest.toml").read_text()
    assert "# max_age = 7" in toml and "# show_reasons = false" in toml
    assert "# Days before the edition date" in toml  # every key says what it is
    assert tomllib.loads(toml) == {section: {} for section in tomllib.loads(toml)} | {
        "build": {"templates": "templates"}}  # nothing but the templates is set
    copied = sorted(p.name for p in (tmp_path / "news/templates").iterdir())
    assert copied == sorted(p.name for p in builtin_templates().iterdir())
    config = load_config(tmp_path / "news/digest.toml")
    assert config.build.templates == "templates" and config.build.max_age == 7
    before = toml
    again = subprocess.run([sys.executable, "-m", "digest", "init", str(tmp_path / "news")],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(
                               ROOT.parent)}, check=False)
    assert again.returncode != 0
    assert again.stderr == f"digest: error: {tmp_path}/news/digest.toml: already exists; not " \
        "overwritten\n"
    assert (tmp_path / "news/digest.toml").read_text() == before
    assert not list((tmp_path / "news").glob(".digest-init-*"))


def test_local_templates_folder_overrides_the_builtins(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/digest.txt.j2").write_text(
        '{% extends "builtin/digest.txt.j2" %}{% block footer %}\nLOCAL FOOTER\n{% endblock %}')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", SEEDS])
    assert result.exit_code == 0, result.output
    assert "LOCAL FOOTER" in (tmp_path / "outbox/2024-08-13/digest.txt").read_text()


class _Tty:
    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_build_bar_only_on_a_terminal_for_many_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = _Tty()
    monkeypatch.setattr("sys.stderr", tty)
    few = _BuildBar()
    for done in range(1, 5):
        few("stage", done, 4, MANY_POSTS - 1)
    assert few.bar is None and not tty.written
    many = _BuildBar()
    for done in range(1, 5):
        many("stage", done, 4, MANY_POSTS)
    assert many.bar is not None and any("building" in t for t in tty.written)
    monkeypatch.setattr("sys.stderr", type("NoTty", (_Tty,), {"isatty": lambda self: False})())
    piped = _BuildBar()
    piped("stage", 1, 4, 10 * MANY_POSTS)
    assert piped.bar is None
