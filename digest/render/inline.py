"""CSS inlining with premailer (the design's inliner), made cheap to start.

premailer is imported on the first call, not with the renderer, and two of its costs are cut
without changing what it writes (tests/test_build_golden.py holds the seed's HTML to the byte):

* Imports for fetching stylesheets, which inline_css never lets it do (allow_network=False, no
  external files): premailer imports requests (with urllib3 and charset detection, about 40
  ms), cssutils urllib.request (http.client, ssl: about 10 ms) and importlib.metadata (for its
  user agent's version number: about 10 ms). Each is given a deferred module that imports the
  real one the moment anything reads one of its attributes (anyone else in the process who
  imports it then gets it whole, on first use); only modules not yet imported are deferred.
* premailer asks cssutils to validate every inline style attribute even when told
  disable_validation=True (its merge_styles does not pass the flag on). Validation only logs,
  and the log is silenced here, but the first call compiles cssutils' property grammar, about
  20 ms of regular expressions. With the profiles removed nothing is validated; cssutils
  serialises declarations the same either way (it drops none unless prefs.validOnly is set).

What bounds the rest: importing cssutils (its tokenizer's regular expressions and its property
profiles are built at import: about 30-40 ms), lxml and cssselect (about 20 ms), and the first
transform, about 15 ms for the seed: cssutils parses the template's CSS and each styled
element's style attribute.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import types
from typing import Any

_LOCK = threading.Lock()
_premailer: Any = None


# What premailer and cssutils import only to fetch stylesheets (see above).
DEFERRED = ("requests", "urllib.request", "importlib.metadata")


class _Deferred(types.ModuleType):
    """Stands in sys.modules (and on its parent package) for a module until one of its
    attributes is read; then imports the real one, which takes its place, and answers from it."""

    def __getattr__(self, attribute: str) -> Any:
        _undefer(self.__name__)
        # Not under the lock: the real module's own imports may read another stand-in. Two
        # threads here at once meet in the import system's lock for the module.
        return getattr(importlib.import_module(self.__name__), attribute)


def _defer(name: str) -> bool:
    if name in sys.modules:
        return False
    stand_in = _Deferred(name)
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    if parent:  # `import urllib.request` binds urllib and reads its attribute later
        setattr(importlib.import_module(parent), child, stand_in)
    return True


def _undefer(name: str) -> None:
    with _LOCK:
        stand_in = sys.modules.get(name)
        if isinstance(stand_in, _Deferred):
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent and getattr(sys.modules.get(parent), child, None) is stand_in:
                delattr(sys.modules[parent], child)


def _load_premailer() -> Any:
    global _premailer
    if _premailer is None:
        placed = [name for name in DEFERRED if _defer(name)]
        try:
            import cssutils
            import premailer
        except BaseException:
            for name in placed:  # a failed import leaves nothing half-done
                _undefer(name)
            raise
        cssutils.profile.removeProfile(all=True)  # see the module's docstring
        _premailer = premailer
    return _premailer


def inline_css(html: str) -> str:
    # strip_important=False keeps !important (dark mode, the phone layout); the inline block
    # itself is dropped once inlined (what it cannot inline, premailer keeps in a <style>);
    # no network and no local files: the HTML is self-contained.
    premailer = _load_premailer()
    return str(premailer.Premailer(
        html, strip_important=False, keep_style_tags=False, allow_network=False,
        allow_loading_external_files=False, disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
    ).transform())
