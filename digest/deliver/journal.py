"""Which message had its end-of-data terminator on the wire (who is sending: store/owners.py).

The journal narrows the crash window of digest/deliver/sender.py. The ledger row becomes
`sending` in a database commit; then the sender appends the row id to its journal (one write()
into the page cache: it survives kill -9) and writes the terminator on the very next line of
code. Should that write fail with not a byte gone, "-id" takes the mark back.
Recovering a dead sender on the same host: a `sending` row whose id is in its journal had its
terminator (almost surely) sent -> unconfirmed; one that is not had not -> sent again.
Only the time between the journal write() and the send() (well under a microsecond of
Python) is left as a window, and a crash there errs towards unconfirmed (reported), never
towards sent. Without a journal (another host), `sending` means unconfirmed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from digest.store.owners import owner_dead


class Journal:
    """An append-only file of row ids whose terminator is being written, one per line."""

    def __init__(self, folder: Path, owner: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = journal_path(folder, owner)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def marker(self, row_id: int) -> Callable[[], int]:
        """A call that journals `row_id`: one write(), no Python in between (a partial)."""
        return partial(os.write, self._fd, b"%d\n" % row_id)

    def unmarker(self, row_id: int) -> Callable[[], int]:
        """A call that takes the mark of `row_id` back: its terminator did not leave."""
        return partial(os.write, self._fd, b"-%d\n" % row_id)

    def close(self, *, clean: bool) -> None:
        """`clean`: every outcome is in the ledger and the journal is not needed any more."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if clean:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def journal_path(folder: Path, owner: str) -> Path:
    return folder / ("".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in owner)
                     + ".journal")


def marked(folder: Path, owner: str) -> set[int] | None:
    """The ids a (dead) owner marked, or None when it left no journal on this host."""
    try:
        text = journal_path(folder, owner).read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    ids: set[int] = set()
    for line in text.splitlines():  # in order: a later "-id" takes back an earlier "id"
        word = line.strip()
        if word.isdigit():
            ids.add(int(word))
        elif word.startswith("-") and word[1:].isdigit():
            ids.discard(int(word[1:]))
    return ids


def dead_journals(folder: Path) -> list[tuple[str, Path]]:
    """(owner, path) of each journal whose process is surely gone."""
    found = []
    for path in sorted(folder.glob("*.journal")):
        host, pid, ticks, nonce = ([""] * 4 + path.stem.rsplit("_", 3))[-4:]
        owner = f"{host}:{pid}:{ticks}:{nonce}"
        if owner_dead(owner):
            found.append((owner, path))
    return found
