"""`python tests/fast_digest.py ARGS` is `python -m digest ARGS` with the fast pre-send gate.

The CLI tests of sending run `digest send` (and `--due`, `digest schedule`) as a real
subprocess; with the real gate every run waits a second or two on SpamAssassin and Node.
This passes delivery the gate of every check except those tools (tests/gates.py), the way a
caller in Python passes `gate=` to digest.deliver.sender.deliver. The tests that keep the real
tools call `python -m digest`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gates import FAST_GATE

from digest.cli import main

if __name__ == "__main__":
    main(gate=FAST_GATE)
