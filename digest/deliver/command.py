"""`digest send`: deliver an edition to every recipient exactly once, over real SMTP.

The command: a progress bar on a terminal, SIGTERM stopping like Ctrl-C, then the failed and
waiting recipients on stderr and the summary line last. The work, and how a crash anywhere
still sends nobody twice, is digest/deliver/sender.py.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from digest.check.gate import Gate
from digest.config import Config
from digest.deliver.ledger import Ledger
from digest.deliver.report import SendReport
from digest.deliver.sender import deliver
from digest.errors import DeliveryError
from digest.publish.outbox import read_edition
from digest.store.db import safe_url

SHOWN = 10  # recipients that failed or wait, listed by name on stderr; the rest are counted


def send_command(config: Config, edition_dir: Path | None, *, dry_run: bool = False,
                 force: bool = False, quiet: bool = False, gate: Gate | None = None,
                 resend_unconfirmed: bool = False) -> int:
    """The `digest send` command: returns the exit code; prints the summary line last.
    (`digest send --due` is the schedule's: digest.schedule.run.run_due.)"""
    bar: list[Any] = []  # click's progress bar, made on the first report (stderr a tty)

    def progress(done: int, total: int) -> None:
        if quiet or not sys.stderr.isatty():  # -q: no bar either
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
        report = deliver(config, edition_dir, dry_run=dry_run, force=force,
                         progress=progress, gate=gate, resend_unconfirmed=resend_unconfirmed)
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
                   f"(the ledger: {safe_url(config.ledger_url)})", err=True)
    if report.unconfirmed:
        then = (f"the next run sends {report.resend} of them again ([send] unconfirmed = "
                '"resend")' if report.resend else "held: not sent again unless "
                "--resend-unconfirmed (or [send] unconfirmed = \"resend\")")
        click.echo(f"digest: {report.unconfirmed} unconfirmed: the end of data left and no "
                   "reply came (the connection dropped, or the server took longer than [send] "
                   f"timeout); the server may or may not have them; {then}; "
                   "`digest send --list unconfirmed` names them", err=True)


def list_command(config: Config, what: str, edition_dir: Path | None = None) -> int:
    """`digest send --list unconfirmed`: one line per message on stdout, oldest first:
    edition, recipient, when it was handed over (UTC), why unconfirmed; tab-separated."""
    if what != "unconfirmed":
        raise ValueError(what)
    edition = None if edition_dir is None else read_edition(Path(edition_dir)).edition
    ledger = Ledger(config.ledger_url)
    try:
        held = ledger.unconfirmed(edition)
    finally:
        ledger.close()
    for row in held:
        when = dt.datetime.fromtimestamp(row.when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        click.echo("\t".join((row.edition, row.email, when, " ".join((row.reply or "").split()))))
    click.echo(f"digest: {len(held)} unconfirmed in {safe_url(config.ledger_url)}", err=True)
    return 0
