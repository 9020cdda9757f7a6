"""Typed config: defaults without a file, and one clear error naming file and key otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.path is None
    assert config.build.highlights == 8
    assert config.build.outbox == "outbox"
    assert config.email.from_.endswith("<digest@example.org>")


def test_reads_digest_toml_in_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, '[build]\nhighlights = 3\n[email]\nfrom = "Ed <ed@example.org>"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.build.highlights == 3
    assert config.email.from_ == "Ed <ed@example.org>"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    sub = tmp_path / "site"
    sub.mkdir()
    config = load_config(write(sub, '[build]\noutbox = "out"\n'))
    assert config.resolve(config.build.outbox) == sub / "out"


def test_overrides_win_and_none_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "[build]\nhighlights = 3\n")
    assert load_config(path, **{"build.highlights": 5}).build.highlights == 5
    assert load_config(path, **{"build.highlights": None}).build.highlights == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[build]\nhighlight = 3\n", "[build] highlight: unknown key"),
        ("[bulid]\n", "bulid: unknown key"),
        ('[build]\nhighlights = "many"\n', "[build] highlights:"),
        ("[build]\nhighlights = 0\n", "[build] highlights:"),
        ("[send]\nrate = -1\n", "[send] rate:"),
        ("[build\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"[build]\ntitle = \"\xff\"\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)
