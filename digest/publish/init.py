"""`digest init [DIR]`: a working folder to start from, a commented digest.toml and a copy of
the built-in templates to edit.

The config file is written from the config model itself (digest.config), every key with its
description and its default, commented out, so it can never fall behind the options nor change
anything until a line is edited. Nothing is overwritten, and nothing is written unless
everything can be: the files go into a hidden folder first, which is then moved into place.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from digest.config import DEFAULT_FILE, keys
from digest.errors import OutboxError
from digest.resources import builtin_templates

TEMPLATES = "templates"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list is TOML too


def config_text() -> str:
    """digest.toml with every key, described, at its default, commented out; only [build]
    templates is set, to the copy next to it."""
    lines = ["# digest's configuration. Every key below shows its default; uncomment one to",
             "# change it. `digest build --help` and README.md say more.", ""]
    section = None
    for entry in keys():
        if entry.section != section:
            if section is not None:
                lines.append("")
            section = entry.section
            lines.append(f"[{section}]")
        lines.append(f"# {entry.description}" if entry.description else "#")
        if (entry.section, entry.name) == ("build", TEMPLATES):
            lines.append(f'{entry.name} = "{TEMPLATES}"')
            continue
        value = entry.default
        lines.append(f"# {entry.name} = {_toml(value)}" if value is not None else
                     f"# {entry.name} =")
    lines.append("")
    return "\n".join(lines)


def init_folder(folder: Path) -> list[Path]:
    """Write DIR/digest.toml and DIR/templates/; return what was written."""
    targets = [folder / DEFAULT_FILE, folder / TEMPLATES]
    for target in targets:
        if target.exists():
            raise OutboxError("already exists; not overwritten", where=str(target))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".digest-init-", dir=folder) as tmp:
            staged = Path(tmp)
            (staged / DEFAULT_FILE).write_text(config_text(), encoding="utf-8")
            shutil.copytree(builtin_templates(), staged / TEMPLATES)
            for target in targets:
                (staged / target.name).rename(target)
    except OSError as exc:
        raise OutboxError(f"cannot write ({exc.strerror or exc})", where=str(folder)) from None
    return targets
