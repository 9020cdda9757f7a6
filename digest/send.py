"""`digest send`: deliver an edition to every recipient exactly once, over real SMTP.

The edition is rendered once (by `digest build`); each recipient's message is merged from a
bytes template (digest/delivery/compose.py). Every recipient has a row in the ledger
(digest/ledger.py). Per message, in this order:

    1. claim     the row is ours (a batch claim: one atomic UPDATE, with a lease)
    2. MAIL, RCPT, DATA and the body go to the server; a refusal here sends nothing
    3. commit    the row becomes `sending` (in the same commit: the previous message's reply)
    4. journal   the row id is appended to this sender's journal (one write() to the OS)
    5. ".\r\n"   the end-of-data terminator, on the next line of code: now the server holds
                 a message
    6. reply     250 -> sent, 4xx -> retry with backoff, 5xx -> failed (committed at step 3
                 of the next message, or when the batch ends)

After a crash anywhere, a rerun (`digest send` again, or the next cron run) recovers the dead
sender's rows: `claimed` ones never reached the server and go out again; `sending` ones in its
journal had their terminator written, so they count as sent ("unconfirmed": the 250 was not
seen) and do NOT go out again; `sending` ones not in its journal never had it written and go
out again. A crash between the server's 250 and its commit is thereby exact.

The window that is left: between the journal's write() (4) and the terminator's send() (5),
a return from one C call and the start of the next: well under a microsecond. A crash exactly
there leaves a journalled row whose terminator never left: that recipient misses this edition
(at most once, never twice). We choose "at most once" for it because resending every
journalled row would duplicate nearly every time. Where no journal is readable (the sender ran
on another host, e.g. with a PostgreSQL ledger), the window widens to steps 3-5 (a few
microseconds more). The Message-ID is deterministic per edition × recipient, so a receiving
system can also drop a duplicate (RFC 7352 "duplicate"). A connection that drops after the
terminator and before the reply is treated like a crash there: sent, unconfirmed.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from digest.config import Config
from digest.errors import DeliveryError

if TYPE_CHECKING:
    from digest.recipients import BadRow

# The heavy half (SQLAlchemy, the renderer, SMTP) is digest/delivery/sender.py, imported only
# when something is sent: `digest send --due` with nothing due stays cheap for cron.


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


SHOWN = 10  # recipients that failed or wait, listed by name on stderr; the rest are counted


def _safe(url: str) -> str:
    from digest.store.db import safe_url

    return safe_url(url)


def send_command(config: Config, edition_dir: Path | None, *, dry_run: bool = False,
                 due: bool = False, force: bool = False) -> int:
    """The `digest send` command: returns the exit code; prints the summary line last."""
    if due:
        from digest.schedule import run_due

        if edition_dir is not None or dry_run:
            from digest.errors import ConfigError

            what = "EDITION_DIR" if edition_dir is not None else "--dry-run"
            raise ConfigError(f"--due builds and sends the due slot's own edition; {what} does "
                              "not apply to it", where="command line")

        return run_due(config)
    bar: list[Any] = []  # click's progress bar, made on the first report (stderr a tty)

    def progress(done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if not bar:
            bar.append(click.progressbar(length=total, label="sending", file=sys.stderr))
            bar[0].__enter__()
        bar[0].update(done - bar[0].pos)

    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # SIGTERM (kill, systemd, a cron timeout) stops like Ctrl-C

    main = threading.current_thread() is threading.main_thread()  # signals: main thread only
    previous = signal.signal(signal.SIGTERM, _terminate) if main else None
    try:
        report = deliver(config, edition_dir, dry_run=dry_run, force=force, progress=progress)
    except KeyboardInterrupt as exc:
        if bar:
            bar[0].__exit__(None, None, None)
        stopped: SendReport | None = getattr(exc, "report", None)
        click.echo("digest: interrupted; `digest send` again sends the rest, nobody twice",
                   err=True)
        if stopped is not None:
            click.echo(stopped.line())
        return 130
    except DeliveryError as exc:
        if bar:
            bar[0].__exit__(None, None, None)
        partial: SendReport | None = getattr(exc, "report", None)
        if partial is not None:
            _details(config, partial)
        click.echo(f"digest: error: {exc}", err=True)
        if partial is not None:
            click.echo(partial.line())
        return exc.exit_code
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    if bar:
        bar[0].__exit__(None, None, None)
    _details(config, report)
    if dry_run:
        click.echo(f"dry run: {report.written} message(s) written, nothing sent", err=True)
    click.echo(report.line())
    return report.exit_code


def _details(config: Config, report: SendReport) -> None:
    """What the summary line counts, recipient by recipient (stderr; a few, then a count)."""
    for bad in report.bad_rows:
        click.echo(f"digest: {config.send.to}: {bad} (not sent)", err=True)
    for dupe in report.duplicates:
        click.echo(f"digest: {config.send.to}: {dupe} (sent once)", err=True)
    for problem in report.problems[:SHOWN]:
        click.echo(f"digest: {problem}", err=True)
    if len(report.problems) > SHOWN:
        click.echo(f"digest: … and {len(report.problems) - SHOWN} more failed or waiting "
                   f"(the ledger: {_safe(config.ledger_url)})", err=True)
    if report.unconfirmed:
        click.echo(f"digest: {report.unconfirmed} sent without a confirmed 250 reply (the "
                   "sender stopped or the connection dropped after the end of data)", err=True)


def deliver(config: Config, edition_dir: Path | None, *, dry_run: bool = False,
            force: bool = False,
            progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Send (or with `dry_run` write) the edition to every recipient that still needs it."""
    from digest.delivery.sender import deliver as run

    return run(config, edition_dir, dry_run=dry_run, force=force, progress=progress)
