"""The send report: an edition's state over the current recipient list, after a run of
`digest send` (or of a schedule slot), and the exit code it stands for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.deliver.recipients import BadRow


@dataclass(frozen=True)
class SendReport:
    """The edition's state over the current recipient list, after this run."""

    sent: int
    failed: int
    retrying: int  # waiting for a retry, or still held by another sender
    sent_now: int = 0  # of `sent`, how many this run sent
    unconfirmed: int = 0  # of `sent`, how many without a 250 seen (crash or drop after data)
    bad_rows: tuple[BadRow, ...] = ()
    written: int = 0  # --dry-run: messages written instead of sent
    problems: tuple[str, ...] = ()  # "address: failed: reason" / "address: retry after …"
    duplicates: tuple[BadRow, ...] = ()  # rows dropped as a repeat of an earlier address

    @property
    def exit_code(self) -> int:
        if self.bad_rows:
            return 2
        return 1 if self.failed or self.retrying else 0

    def line(self) -> str:
        return f"sent {self.sent}, failed {self.failed}, retrying {self.retrying}"
