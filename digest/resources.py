"""Where the built-in templates and the bundled seed live, in a checkout and in a wheel; and
the cache folder that runs share."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries copies under digest/_data (see pyproject.toml); a checkout or an
    # editable install uses the folders at the top of the repository.
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def builtin_templates() -> Path:
    return _data_dir("templates")


def bundled_seeds() -> Path:
    return _data_dir("seeds")


def cache_dir() -> Path:
    """$DIGEST_CACHE_DIR, default ~/.cache/digest: fetched sources, compiled templates."""
    configured = os.environ.get("DIGEST_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "digest"
