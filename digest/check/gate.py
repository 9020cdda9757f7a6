"""`digest check`: refuse to send a bad email. One line per check; any failure fails the run.

The checks themselves live beside this module (content.py, headers.py, tools.py for the
external ones), one small function each taking the loaded edition (`Mail`) and the config and
returning one `CheckResult`. This module lists them in `CHECKS` order, runs them, prints them,
and is the gate `digest send` passes through first.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from digest.check.content import (
    check_accessibility,
    check_images,
    check_links,
    check_postal_address,
    check_size,
    check_text_part,
)
from digest.check.headers import (
    check_headers,
    check_line_length,
    check_mime,
    check_one_click,
    check_preheader,
    check_subject,
)
from digest.check.mail import CheckResult, Mail, load_mail, parse_mail
from digest.check.tools import check_clients, check_spam
from digest.config import Config
from digest.errors import CheckFailed
from digest.publish.outbox import newest_edition

Check = Callable[[Mail, Config], CheckResult]

# The order they print in: cheap structural checks first, external tools last.
CHECKS: tuple[Check, ...] = (
    check_mime,
    check_size,
    check_images,
    check_links,
    check_text_part,
    check_postal_address,
    check_accessibility,
    check_headers,
    check_one_click,
    check_subject,
    check_preheader,
    check_line_length,
    check_spam,
    check_clients,
)
# The checks that run an external program (seconds each); the others take milliseconds.
TOOL_CHECKS: tuple[Check, ...] = (check_spam, check_clients)

__all__ = ["CHECKS", "TOOL_CHECKS", "Check", "CheckGate", "Gate", "check_command", "gate",
           "run_checks"]

log = logging.getLogger(__name__)


def run_checks(config: Config, edition_dir: Path, sent: bytes | None = None,
               checks: tuple[Check, ...] = CHECKS) -> list[CheckResult]:
    """Every check (of `checks`) on one edition folder, in print order. Bad input raises
    OutboxError.

    `sent`: the message as it goes out (digest send composes it from the edition's merge
    files, not from digest.eml), checked in place of digest.eml."""
    mail = load_mail(edition_dir)
    if sent is not None:
        mail = parse_mail(edition_dir, sent, mail.edition, where=f"{edition_dir} (as sent)")
    # SpamAssassin and Node take a second or two each, waiting on their own processes: run
    # the checks side by side (map keeps the print order) so `digest send` waits for one.
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda check: check(mail, config), checks))


def failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.status == "fail"]


def summary_line(results: list[CheckResult]) -> str:
    counts = Counter(r.status for r in results)
    return (f"check: {counts['pass']} pass, {counts['fail']} fail, {counts['warn']} warn, "
            f"{counts['skipped']} skipped")


def check_command(config: Config, edition_dir: Path | None,
                  echo: Callable[[str], None] = print) -> int:
    """Print one line per check and a summary; 0 if nothing failed, 1 if anything did.

    No `edition_dir`: the newest edition in the configured outbox. A folder that is not an
    edition raises OutboxError, which the CLI shows as one line with exit code 2.
    """
    # The same choice as `digest send`: the newest edition date in the outbox.
    folder = edition_dir if edition_dir is not None else newest_edition(
        config.resolve(config.build.outbox))
    echo(f"checking {folder}")
    results = run_checks(config, folder)
    for result in results:
        echo(result.line())
    echo(summary_line(results))
    return 1 if failures(results) else 0


class Gate(Protocol):
    """What `digest send` passes an edition through before sending: returns, or raises
    CheckFailed. Delivery takes one as a parameter (digest.deliver.sender.deliver), so the
    send loop never knows which checks stand behind it."""

    def __call__(self, config: Config, edition_dir: Path, *, force: bool,
                 sent: bytes | None = None) -> None: ...


@dataclass(frozen=True)
class CheckGate:
    """The gate made of `checks` (default: all of `digest check`). Its repr names them, so a
    cache of editions that passed can tell one gate from another."""

    checks: tuple[Check, ...] = CHECKS

    def __call__(self, config: Config, edition_dir: Path, *, force: bool,
                 sent: bytes | None = None) -> None:
        """Run the checks before sending; raise CheckFailed naming each failure unless
        `force`. With `force` the checks still run, and each failure is logged as a warning,
        so a forced send leaves a trace of what it overrode."""
        failed = failures(run_checks(config, edition_dir, sent, self.checks))
        if not failed:
            return
        listing = "; ".join(f"{r.name}: {r.detail}" for r in failed)
        if force:
            log.warning("sending %s despite failed checks (--force): %s", edition_dir, listing)
            return
        what = "the message as it would be sent" if sent is not None else "the edition"
        raise CheckFailed(f"{len(failed)} check(s) failed on {what}, not sending (--force "
                          f"sends anyway): {listing}", where=str(edition_dir))

    def __repr__(self) -> str:
        return f"CheckGate({', '.join(c.__name__ for c in self.checks)})"


gate: Gate = CheckGate()  # the real one: every check, SpamAssassin and Node included
