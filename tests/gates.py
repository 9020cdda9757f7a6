"""The fast pre-send gate for send tests: every check of `digest check` but the external tools.

SpamAssassin and the Node checks take seconds per run; the structural checks (MIME, size,
links, text part, headers, one-click unsubscribe, line length, …) take milliseconds and still
refuse a broken edition. tests/check/ and a few send tests keep the real gate.
"""

from __future__ import annotations

from digest.check.gate import CHECKS, TOOL_CHECKS, CheckGate

FAST_GATE = CheckGate(tuple(c for c in CHECKS if c not in TOOL_CHECKS))
