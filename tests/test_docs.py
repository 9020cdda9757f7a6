"""The README documents every command and every config key (as sqlite-utils' test_docs does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.cli import cli
from digest.config import keys

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name: str) -> None:
    command = cli.commands[name]
    assert command.help, f"digest {name} has no help text"
    assert f"`digest {name}" in README
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in ("--help", "--config"):
                assert opt in README, f"digest {name} {opt} is not in README.md"


def _keys() -> list[tuple[str, str]]:
    return [(k.section, k.name) for k in keys()]


@pytest.mark.parametrize(("section", "key"), _keys())
def test_every_config_key_is_documented(section: str, key: str) -> None:
    block = README.split(f"[{section}]", 1)
    assert len(block) == 2, f"[{section}] is not in README.md"
    body = block[1].split("\n[", 1)[0].split("```", 1)[0]
    assert re.search(rf"^{re.escape(key)} = ", body, re.M), f"[{section}] {key} not in README.md"


@pytest.mark.parametrize(("section", "key"), _keys())
def test_every_config_key_has_a_description(section: str, key: str) -> None:
    described = {(k.section, k.name): k.description for k in keys()}
    assert described[section, key], f"[{section}] {key} has no description"
