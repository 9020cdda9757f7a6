"""The checking stage: an edition folder in the outbox in, one CheckResult per check out.

`run_checks` (gate.py) runs every check of content.py, headers.py and tools.py (SpamAssassin,
the caniemail data through Node) on the edition's digest.eml; `gate` is what `digest send`
passes through first, raising CheckFailed on any failure unless forced.
"""
