"""One slot, start to end: claim it, check for news, build, send, record. Shared by the daemon
(`digest schedule`) and system cron (`digest send --due`), so both behave the same.

A started slot is always finished: every run first resumes each earlier slot that started and
is not done (its process died mid-send, its send failed, recipients wait for a retry), oldest
first, whatever slot came after, while it is within max_late of its own time; past that, the
slot is expired and reported once (how many recipients were never sent), exit 1.

The edition is built by digest.pipeline and sent by digest.deliver.sender.deliver, the code behind
`digest build` and `digest send`; only the "nothing new" edition is assembled here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import Config
from digest.errors import CheckFailed, DigestError, ScheduleError
from digest.schedule.trigger import SlotTrigger, slot_id

if TYPE_CHECKING:
    from digest.check.gate import Gate
    from digest.deliver.report import SendReport
    from digest.model import Edition
    from digest.schedule.slots import Slot, SlotLedger

log = logging.getLogger("digest.schedule")


def trigger_of(config: Config) -> SlotTrigger:
    return SlotTrigger(config.schedule.cron, config.schedule.timezone)


def setup_logging() -> None:
    """One line per event on stderr, with a local timestamp; APScheduler's chatter muted."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s digest schedule: %(message)s",
                                               "%Y-%m-%dT%H:%M:%S%z"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    # Its "Run time of job … was missed" warning is replaced by our own "missed" line.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def _routine() -> int:
    """The level of "nothing to do" lines: quiet under cron, which mails any output it gets;
    a person at a terminal gets an answer."""
    return logging.INFO if sys.stderr.isatty() else logging.DEBUG


# How long after a slot's max_late a run with nothing due still opens the slots table, to
# report a started slot that expired unfinished. Past it, the next due run reports it: a cron
# run with nothing due (every minute) otherwise loads no database at all.
EXPIRY_LOOK = 15 * 60


def run_due(config: Config, now: dt.datetime | None = None, gate: Gate | None = None) -> int:
    """Finish the earlier slots that started and are not done (resume_started), then build
    and send the latest slot at or before now, if it is within max_late and not yet done.
    Exit code: 0 sent or nothing to do, 1 some recipients failed, wait for a retry, are
    unconfirmed, or a started slot expired unfinished; 2 the build or its input is broken.
    Safe to call every minute. `gate`: the pre-send checks (None: all of `digest check`;
    see deliver())."""
    setup_logging()
    trigger = trigger_of(config)
    now = now or dt.datetime.now(dt.UTC)
    max_late = config.schedule.max_late_seconds
    slot = trigger.latest_slot(now, max_late)
    code = 0
    if slot is not None or trigger.latest_slot(now, max_late + EXPIRY_LOOK) is not None:
        code = resume_started(config, trigger, now, gate, besides=slot)
    if slot is None:
        upcoming = trigger.get_next_fire_time(None, now)
        log.log(_routine(), "nothing due; next slot %s",
                upcoming.astimezone(trigger.zone).isoformat() if upcoming else "never")
        return code
    return max(code, run_slot(config, trigger, slot, gate))


def resume_started(config: Config, trigger: SlotTrigger, now: dt.datetime,
                   gate: Gate | None = None, besides: dt.datetime | None = None) -> int:
    """Resume every slot that started and is not done (but `besides`, which the caller
    runs), oldest first: within max_late of its own time it is run again (its edition, if
    built, is sent to whoever still needs it); past it, it is expired and reported. A slot
    being sent by a live process is left to it. Returns the worst exit code."""
    from digest.schedule.slots import SlotLedger  # lazily, as in run_slot
    from digest.store.owners import owner_dead

    skip = slot_id(besides, trigger.spec, trigger.zone) if besides is not None else None
    ledger = SlotLedger(config.ledger_url)
    try:
        rows = ledger.unfinished()
        code = 0
        for row in rows:
            if row.slot == skip or (row.status == "running" and not owner_dead(row.owner)):
                continue
            scheduled = dt.datetime.fromisoformat(row.scheduled)
            if (now - scheduled).total_seconds() <= config.schedule.max_late_seconds:
                # A slot waiting on a retry's backoff is looked at every minute: quietly.
                level = _routine() if row.status == "partial" else logging.INFO
                log.log(level, "slot %s: %s; resuming it", row.slot, _why(row.status))
                code = max(code, run_slot(config, trigger, scheduled, gate, sid=row.slot))
            else:
                code = max(code, _expire(config, ledger, row))
        return code
    finally:
        ledger.close()


def _why(status: str) -> str:
    return {"running": "its run stopped mid-way", "failed": "its last run failed",
            "partial": "recipients still wait", "waiting": "it waited for the run before"
            }.get(status, status)


def _expire(config: Config, ledger: SlotLedger, row: Slot) -> int:
    """A started slot whose max_late passed unfinished: one clear line, once; exit 1."""
    counts = _unsent(config, row)
    if counts is None:
        what = "none of its recipients was sent"
    else:
        never, sent, failed, unconfirmed = counts
        what = f"{never} of {never + sent + failed + unconfirmed} recipients never sent"
        if unconfirmed:
            what += f" ({unconfirmed} more unconfirmed)"
        if never and row.edition_dir:
            what += f"; `digest send {row.edition_dir}` still sends them"
    detail = f"max_late {config.schedule.max_late} passed: {what}"
    totals = None if counts is None else (counts[1], counts[2], counts[0])
    if not ledger.expire(row, detail, totals):
        return 0  # another process took it or reported it just now
    log.error("slot %s: not finished: %s (%s when it stopped)", row.slot, detail, row.status)
    return 1


def _unsent(config: Config, row: Slot) -> tuple[int, int, int, int] | None:
    """(never sent, sent, failed, unconfirmed) over the slot's edition in the delivery
    ledger; over the recipient list if it was never queued; None if neither can be read."""
    from digest.deliver.ledger import FAILED, SENT, SKIPPED, UNCONFIRMED, Ledger
    from digest.deliver.recipients import read_recipients
    from digest.deliver.sender import recover
    from digest.publish.outbox import read_edition

    edition = row.slot
    try:
        if row.edition_dir:
            edition = read_edition(Path(row.edition_dir)).edition
        ledger = Ledger(config.ledger_url)
        try:
            recover(config, ledger, edition)  # what its dead sender left: sent or not
            counts = ledger.counts(edition)
        finally:
            ledger.close()
        if not counts and config.send.to is not None:
            listed = read_recipients(config.resolve(config.send.to)).recipients
            counts = {"pending": len(listed)}
    except DigestError:
        return None
    if not counts:
        return None
    done = {SENT, FAILED, SKIPPED, UNCONFIRMED}
    never = sum(n for state, n in counts.items() if state not in done)
    return never, counts.get(SENT, 0), counts.get(FAILED, 0), counts.get(UNCONFIRMED, 0)


def run_slot(config: Config, trigger: SlotTrigger, slot: dt.datetime,
             gate: Gate | None = None, sid: str | None = None) -> int:
    """Claim `slot` (its id `sid`, else computed) and, if this process wins it, produce and
    send its edition."""
    # Here, not at the top: with nothing due (cron, every minute) SQLAlchemy is never loaded.
    from digest.schedule.slots import SlotLedger

    sid = sid or slot_id(slot, trigger.spec, trigger.zone)
    ledger = SlotLedger(config.ledger_url)
    try:
        claimed = ledger.claim(sid, slot)
        if claimed is None:
            current = ledger.get(sid)
            status = current.status if current else "gone"
            if current is not None and status == "running":
                log.info("slot %s: being sent by %s; not sending it again", sid, current.owner)
            else:
                log.log(_routine(), "slot %s: already %s", sid, status)
            return 0
        return _produce(config, ledger, claimed, gate)
    finally:
        ledger.close()


def _produce(config: Config, ledger: SlotLedger, claimed: Slot, gate: Gate | None) -> int:
    # Lazily, like SlotLedger: a cron run with nothing due loads no address or SMTP checks.
    from digest.schedule.ready import preflight

    sid = claimed.slot
    folder = Path(claimed.edition_dir) if claimed.edition_dir else None
    try:
        # Before building: a setting that fails every send fails the slot now (retried while
        # due, so a fix within max_late still sends it), not after a build.
        preflight(config, "a scheduled send")
        if folder is None or not (folder / "edition.json").is_file():
            # A retry of a slot whose edition exists re-sends that edition; never rebuilds it.
            folder = _build(config, sid)
            if folder is None:
                ledger.finish(sid, "skipped", detail="no news")
                return 0
            ledger.set_edition(sid, folder)
        report = _deliver(config, folder, gate)
    except CheckFailed as exc:
        # The same edition would fail the same checks again: final, not retried.
        _record(ledger, sid, "refused", str(exc))
        log.error("slot %s: not sent: %s", sid, exc)
        return exc.exit_code
    except DigestError as exc:
        # Retried (by the next `send --due`, or the daemon's follow-up) while still due.
        _record(ledger, sid, "failed", str(exc))
        log.error("slot %s: failed: %s", sid, exc)
        return exc.exit_code
    except BaseException as exc:
        # Interrupted or a bug: leave the slot retryable while it is still due, then re-raise.
        _record(ledger, sid, "failed", f"{type(exc).__name__}: {exc}")
        raise
    # Unconfirmed ones held are final for the slot; ones the next run resends are not.
    status = "partial" if report.retrying or report.resend else "sent"
    held = f"{report.unconfirmed} unconfirmed" if report.unconfirmed else None
    ledger.finish(sid, status, edition_dir=folder, sent=report.sent, failed=report.failed,
                  retrying=report.retrying, detail=held)
    notes = [f"attempt {claimed.attempts}"] if claimed.attempts > 1 else []
    if held:
        notes.append(f"{held}: " + ("the next run sends them again" if report.resend else
                                    "held, `digest send --list unconfirmed` names them"))
    if report.bad_rows:
        notes.append(f"{len(report.bad_rows)} bad row(s) in {config.send.to}, first: "
                     f"{report.bad_rows[0]}")
    log.info("slot %s edition %s: %s%s", sid, folder.name, report.line(),
             f" ({'; '.join(notes)})" if notes else "")
    return report.exit_code


def _record(ledger: SlotLedger, sid: str, status: str, detail: str) -> None:
    """Record a failure; if the database is what failed, say so and keep the first error."""
    try:
        ledger.finish(sid, status, detail=detail)
    except ScheduleError as exc:
        log.error("slot %s: could not record %s: %s", sid, status, exc)


def _deliver(config: Config, folder: Path, gate: Gate | None) -> SendReport:
    from digest.deliver.sender import deliver  # lazily: SQLAlchemy and SMTP, only when due

    return deliver(config, folder, gate=gate)


def _build(config: Config, sid: str) -> Path | None:
    """The slot's edition folder, or None when there is no news and no_news = "skip"."""
    from digest.pipeline import (  # lazily: the renderer is slow
        decide_edition,
        default_sources,
        publish_edition,
    )

    sources = default_sources(config)
    outbox = config.resolve(config.build.outbox)
    settings = config.schedule
    previous = previous_edition(outbox, exclude=sid)
    # Decided once: the edition holds only the posts no earlier edition carried, so its posts
    # are the news the no-news rule counts (and the sources are read once, a URL fetched once).
    full = decide_edition(config, sources, edition_id=sid)
    if previous is not None and settings.min_highlights > 0:
        new = len(full.posts)
        if new < settings.min_highlights:
            reason = (f"no news: {new} new post{'s' * (new != 1)} since edition {previous.name}"
                      f" (min_highlights = {settings.min_highlights})")
            if settings.no_news == "skip":
                log.info("slot %s: %s; skipped", sid, reason)
                return None
            log.info("slot %s: %s; sending a short 'nothing new' edition", sid, reason)
            return publish_edition(config, _quiet(config, full, previous))
    return publish_edition(config, full)


def previous_edition(outbox: Path, exclude: str) -> Path | None:
    """The edition written last (edition.json's mtime), other than the slot's own."""
    editions = [p.parent for p in outbox.glob("*/edition.json")
                if p.parent.name != exclude and not p.parent.name.startswith(".")]
    return max(editions, key=lambda p: (p.joinpath("edition.json").stat().st_mtime_ns, p.name),
               default=None)


def _quiet(config: Config, full: Edition, previous: Path) -> Edition:
    """A short edition that says nothing is new: no figures, only the few new posts.

    Its edition.json lists the new posts it was decided from: the next slot's news check
    counts against every earlier edition's posts, this one's included.
    """
    from digest.pipeline import subject_line  # lazily: it loads the whole pipeline

    title = f"{config.build.title}: nothing new" if config.build.title else "Nothing new"
    return dataclasses.replace(
        full,
        title=title,
        subject=subject_line(title, full.date),
        preheader="Nothing new since the last edition.",
        summary="Nothing new since the last edition.",
        figures=(),
        comparisons=(),
        summary_numbers=(),
        extra={**full.extra, "quiet": True, "previous": previous.name},
    )
