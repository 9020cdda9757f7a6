"""CSS inlining with premailer (the design's inliner), made cheap to start.

premailer is imported on the first call, not with the renderer, and two of its costs are cut
without changing what it writes (tests/test_build_golden.py holds the seed's HTML to the byte):

* `import premailer` imports requests (with urllib3, charset detection, http.cookiejar: about
  40 ms) for one purpose, fetching external stylesheets, which inline_css never lets it do
  (allow_network=False, no external files). premailer only keeps a reference to the module,
  so it is given a deferred one: the real requests loads the moment anything reads one of its
  attributes (anyone else in the process who imports requests gets it whole, on first use).
* premailer asks cssutils to validate every inline style attribute even when told
  disable_validation=True (its merge_styles does not pass the flag on). Validation only logs,
  and the log is silenced here, but the first call compiles cssutils' property grammar, about
  20 ms of regular expressions. With the profiles removed nothing is validated; cssutils
  serialises declarations the same either way (it drops none unless prefs.validOnly is set).

What bounds the rest: importing cssutils (which imports urllib.request for its own fetcher),
lxml and cssselect, about 60 ms, and parsing the template's CSS and each styled element's
style attribute with cssutils, about 10 ms for the seed.
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


class _Deferred(types.ModuleType):
    """Stands in sys.modules for a module until one of its attributes is read; then imports
    the real one, which takes its place, and answers from it."""

    def __getattr__(self, attribute: str) -> Any:
        with _LOCK:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
        return getattr(real, attribute)


def _load_premailer() -> Any:
    global _premailer
    if _premailer is None:
        placed = "requests" not in sys.modules
        if placed:
            sys.modules["requests"] = _Deferred("requests")
        try:
            import cssutils
            import premailer
        except BaseException:
            if placed and isinstance(sys.modules.get("requests"), _Deferred):
                del sys.modules["requests"]  # a failed import leaves nothing half-done
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
