"""The send report: an edition's state over the current recipient list, after a run of
`digest send` (or of a schedule slot), and the exit code it stands for."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from digest.deliver.rows import FAILED, RETRY, SENT, SKIPPED, UNCONFIRMED, Delivery

if TYPE_CHECKING:
    from digest.config import SendConfig
    from digest.deliver.ledger import Ledger
    from digest.deliver.recipients import BadRow, Recipient, RecipientList


@dataclass(frozen=True)
class SendReport:
    """The edition's state over the current recipient list, after this run."""

    sent: int  # the server answered 250 (or 251) to the end of data
    failed: int
    retrying: int  # waiting for a retry, or still held by another sender
    sent_now: int = 0  # of `sent`, how many this run sent
    unconfirmed: int = 0  # the end of data left, no reply came: not sent, not lost, held
    resend: int = 0  # of `unconfirmed`, how many the next run sends again ([send] unconfirmed)
    bad_rows: tuple[BadRow, ...] = ()
    written: int = 0  # --dry-run: messages written instead of sent
    problems: tuple[str, ...] = ()  # "address: failed: reason" / "address: retry after …"
    duplicates: tuple[BadRow, ...] = ()  # rows dropped as a repeat of an earlier address

    @property
    def exit_code(self) -> int:
        if self.bad_rows:
            return 2
        return 1 if self.failed or self.retrying or self.unconfirmed else 0

    def line(self) -> str:
        return (f"sent {self.sent}, failed {self.failed}, retrying {self.retrying}, "
                f"unconfirmed {self.unconfirmed}")


def edition_report(ledger: Ledger, edition: str, by_key: dict[str, Recipient], sent_now: int,
                   recipients: RecipientList, send: SendConfig) -> SendReport:
    """The report of `edition` over the recipients `by_key` (address -> recipient)."""
    rows = [d for d in ledger.deliveries(edition) if d.email in by_key]
    counts = Counter(d.state for d in rows)
    sent, failed, unconfirmed = counts[SENT], counts[FAILED], counts[UNCONFIRMED]
    waiting = len(by_key) - sent - failed - unconfirmed - counts[SKIPPED]
    resend = 0 if send.unconfirmed != "resend" else sum(
        1 for d in rows if d.state == UNCONFIRMED and d.attempts < send.max_attempts)
    problems = tuple(_problem(d, send.max_attempts) for d in rows
                     if d.state in (FAILED, RETRY))
    return SendReport(sent, failed, waiting, sent_now, unconfirmed, resend, recipients.bad,
                      problems=problems, duplicates=recipients.duplicates)


def _problem(row: Delivery, max_attempts: int) -> str:
    """"a@example.com: failed: 550 …" or "…: retry after 08:01:00 UTC (tried 2 of 5): 451 …"."""
    if row.state == FAILED:
        return f"{row.email}: failed: {row.reply}"
    when = dt.datetime.fromtimestamp(row.next_at or 0, dt.UTC).strftime("%H:%M:%S UTC")
    return f"{row.email}: retry after {when} (tried {row.attempts} of {max_attempts}): {row.reply}"
