"""`digest send`'s work: deliver an edition to every recipient exactly once, over real SMTP.

The edition is rendered once (by `digest build`); each recipient's message is merged from a
bytes template (digest/deliver/compose.py). Every recipient has a row in the ledger
(digest/deliver/ledger.py). Per message, in this order:

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

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from digest.check.gate import Gate
from digest.check.gate import gate as full_gate
from digest.config import Config
from digest.deliver.compose import Composed, MessageTemplate
from digest.deliver.journal import Journal, dead_journals, marked
from digest.deliver.ledger import (
    FAILED,
    RETRY,
    SENT,
    SKIPPED,
    UNCONFIRMED,
    Claim,
    Delivery,
    Ledger,
    Outcome,
)
from digest.deliver.recipients import Recipient, RecipientList, envelope_sender, read_recipients
from digest.deliver.report import SendReport
from digest.deliver.smtp import (
    PASSWORD_ENV,
    ConnectionLost,
    Reply,
    SetupError,
    SmtpSession,
    parse_smtp_url,
)
from digest.errors import ConfigError, DeliveryError, OutboxError, RecipientsError
from digest.publish.outbox import newest_edition, read_edition, read_rendered
from digest.store.owners import new_owner

BATCH = 100  # rows claimed per commit
LEASE = 600.0  # seconds a claim holds if its sender vanishes without trace (another host)
MAX_BACKOFF = 3600.0
JOURNALS = ".send-journal"  # in the outbox: see digest/deliver/journal.py


def deliver(config: Config, edition_dir: Path | None, *, dry_run: bool = False,
            force: bool = False, progress: Callable[[int, int], None] | None = None,
            gate: Gate | None = None) -> SendReport:
    """Send (or with `dry_run` write) the edition to every recipient that still needs it.

    `gate`: the checks an edition passes before anything is sent (digest.check.gate); None
    runs all of `digest check`, SpamAssassin and Node included."""
    outbox = config.resolve(config.build.outbox)
    folder = newest_edition(outbox) if edition_dir is None else Path(edition_dir)
    _is_edition(folder)
    edition = read_edition(folder)

    def check() -> None:
        # What goes out is composed from the merge files: check that, for a real recipient.
        sample = recipients.recipients[0] if recipients.recipients else None
        sent = template.compose(sample).data if sample is not None else None
        _gate(config, folder, force=force or config.send.force, sent=sent,
              gate=gate or full_gate)

    if config.send.to is None:
        raise RecipientsError("no recipient list: give --to FILE or [send] to",
                              where=str(config.path or "command line"))
    recipients = read_recipients(config.resolve(config.send.to))
    bad = recipients.bad
    sender = envelope_sender(config.email.from_)
    date = dt.datetime.now(dt.UTC).replace(microsecond=0)
    template = MessageTemplate(edition, read_rendered(folder), config.email, date)
    if dry_run:
        check()
        return _dry_run(folder, template, recipients)
    if not recipients.recipients:
        raise RecipientsError("no valid recipient in the list"
                              + (f" ({len(bad)} bad row(s), first: {bad[0]})" if bad else ""),
                              where=str(recipients.path))
    if config.send.smtp is None:
        raise ConfigError("no SMTP server: give --smtp URL or [send] smtp",
                          where=str(config.path or "command line"))
    session = SmtpSession(parse_smtp_url(config.send.smtp, config.send.username),
                          timeout=config.send.timeout, rate=config.send.rate)
    ledger = Ledger(config.ledger_url)
    try:
        return _send(config, edition.edition, recipients, template, sender, session, ledger,
                     progress, check)
    finally:
        session.close()
        ledger.close()


_PASSED: set[str] = set()  # editions (by content and config) that passed, in this process


def _gate(config: Config, folder: Path, *, force: bool, sent: bytes | None = None,
          gate: Gate = full_gate) -> None:
    """`digest check` before sending; raises CheckFailed unless `force`. The checks take
    seconds (SpamAssassin, Node): an edition that passed is not checked again by the same
    process (the scheduler daemon, a test run) unless its files, the config or the gate
    changed."""
    # What the checks read: [check], [email], whether sending is configured; and the files.
    key = hashlib.sha256(json.dumps([asdict(config.check), asdict(config.email),
                                     bool(config.send.smtp), repr(gate)],
                                    sort_keys=True).encode())
    for name in ("digest.eml", "edition.json", "digest.merge.html", "digest.merge.txt"):
        with contextlib.suppress(OSError):
            key.update(name.encode() + b"\0" + (folder / name).read_bytes())
    if key.hexdigest() in _PASSED:
        return
    gate(config, folder, force=force, sent=sent)
    if not force:
        _PASSED.add(key.hexdigest())


def _send(config: Config, edition: str, recipients: RecipientList, template: MessageTemplate,
          sender: str, session: SmtpSession, ledger: Ledger,
          progress: Callable[[int, int], None] | None, check: Callable[[], None]) -> SendReport:
    by_key = {r.key: r for r in recipients.recipients}
    ledger.enqueue(edition, by_key)
    gone = {d.email for d in ledger.deliveries(edition)} - by_key.keys()
    if gone:
        ledger.skip(edition, gone, "not in the recipient list any more")
    journals = config.resolve(config.build.outbox) / JOURNALS
    ledger.recover(edition, marked=lambda owner: marked(journals, owner))
    for dead, path in dead_journals(journals):
        if not ledger.holds(dead):
            path.unlink(missing_ok=True)
    started = time.time()
    if ledger.due(edition, now=started):
        check()  # only when there is something to send: a cron run every minute stays cheap
    owner = new_owner()
    journal = Journal(journals, owner)
    before = ledger.counts(edition, by_key).get(SENT, 0)
    total = len(by_key) - before
    done: list[Outcome] = []  # outcomes not yet committed (ride with the next commit)
    held: list[Claim] = []
    sent_now = tried = 0
    rate = config.send.rate
    batch = BATCH if not rate else max(1, min(BATCH, int(rate * 10)))
    try:  # `started`: a retry is due if its time came before this run began (one try a run)
        while claims := _claim(ledger, edition, owner, batch, started, journals):
            held = list(claims)
            for claim in claims:
                outcome = _one(config, claim, by_key[claim.email], template, sender, session,
                               ledger, owner, done, journal)
                held.remove(claim)
                tried += 1
                if outcome is not None:
                    done.append(outcome)
                    sent_now += outcome.state == SENT
                if progress is not None:
                    progress(min(tried, total), total)
            ledger.advance(owner, done)
            done.clear()
    except DeliveryError as exc:
        _settle(ledger, owner, done, held, journal)
        report = _report(ledger, edition, by_key, sent_now, recipients, config.send.max_attempts)
        exc.report = report  # type: ignore[attr-defined]
        raise
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (command.py): settle, report
        _settle(ledger, owner, done, held, journal)
        with contextlib.suppress(DeliveryError):
            exc.report = _report(  # type: ignore[attr-defined]
                ledger, edition, by_key, sent_now, recipients, config.send.max_attempts)
        raise
    except BaseException:
        _settle(ledger, owner, done, held, journal)
        raise
    journal.close(clean=True)
    return _report(ledger, edition, by_key, sent_now, recipients, config.send.max_attempts)


def _claim(ledger: Ledger, edition: str, owner: str, batch: int, started: float,
           journals: Path) -> list[Claim]:
    """The next rows to send. With several senders on one edition (scale-out on PostgreSQL),
    one that runs dry first frees what a dead peer held (claimed rows back to pending; its
    journal tells which `sending` ones went out) and takes those too, so a sender killed
    mid-send delays its rows only until a live one finishes its own."""
    claims = ledger.claim(edition, owner, batch, LEASE, due_before=started)
    if not claims and ledger.recover(edition, marked=lambda dead: marked(journals, dead))[0]:
        claims = ledger.claim(edition, owner, batch, LEASE, due_before=started)
    return claims


def _one(config: Config, claim: Claim, recipient: Recipient, template: MessageTemplate,
         sender: str, session: SmtpSession, ledger: Ledger, owner: str,
         done: list[Outcome], journal: Journal) -> Outcome | None:
    """Send one message; return its outcome (None: the claim was lost, nothing sent)."""
    attempts = claim.attempts + 1
    try:
        message: Composed = template.compose(recipient)
    except DeliveryError as exc:
        return Outcome(claim.id, FAILED, str(exc), attempts)
    refused = session.begin(sender, recipient.email, message.data)
    if refused is not None:
        if refused.stage == "mail" and not refused.temporary:
            hint = (f" (it wants AUTH: smtp://USER@host or [send] username, and "
                    f"{PASSWORD_ENV})" if refused.code == 530 else "")
            raise SetupError(f"the server refused the sender <{sender}>: {refused}{hint}",
                             where=str(session.url))
        return _classify(config, claim, refused, message.message_id)
    # Intent before the terminator, with the previous outcomes: one commit per message.
    if not ledger.advance(owner, done, claim.id, message_id=message.message_id,
                          lease=2 * config.send.timeout + 60):
        done.clear()
        session.drop()  # no longer ours (lease taken over): never finish this message
        return None
    done.clear()
    try:
        reply = session.finish(journal.marker(claim.id))
    except ConnectionLost as exc:
        return Outcome(claim.id, SENT, f"{UNCONFIRMED.split(':')[0]}: {exc}", attempts,
                       message_id=message.message_id)
    return _classify(config, claim, reply, message.message_id)


def _classify(config: Config, claim: Claim, reply: Reply, message_id: str) -> Outcome:
    attempts = claim.attempts + 1
    if reply.ok:
        return Outcome(claim.id, SENT, str(reply), attempts, message_id=message_id)
    if reply.temporary and attempts < config.send.max_attempts:
        backoff = min(MAX_BACKOFF, config.send.retry_after * 2 ** (attempts - 1))
        return Outcome(claim.id, RETRY, str(reply), attempts, next_at=time.time() + backoff,
                       message_id=message_id)
    reason = str(reply) if not reply.temporary else f"gave up after {attempts} tries: {reply}"
    return Outcome(claim.id, FAILED, reason, attempts, message_id=message_id)


def _settle(ledger: Ledger, owner: str, done: list[Outcome], held: list[Claim],
            journal: Journal) -> None:
    """On the way out of an error: commit what is known, give back what was not tried."""
    try:
        ledger.advance(owner, done)
        ledger.release(owner, [c.id for c in held])
    except DeliveryError:
        pass  # the ledger itself failed; recovery on the next run sorts the rows out
    journal.close(clean=not ledger.holds(owner))


def _report(ledger: Ledger, edition: str, by_key: dict[str, Recipient], sent_now: int,
            recipients: RecipientList, max_attempts: int) -> SendReport:
    counts = ledger.counts(edition, by_key)
    rows = [d for d in ledger.deliveries(edition) if d.email in by_key]
    unconfirmed = sum(1 for d in rows
                      if d.state == SENT and (d.reply or "").startswith("unconfirmed"))
    sent, failed = counts.get(SENT, 0), counts.get(FAILED, 0)
    waiting = len(by_key) - sent - failed - counts.get(SKIPPED, 0)
    problems = tuple(_problem(d, max_attempts) for d in rows if d.state in (FAILED, RETRY))
    return SendReport(sent, failed, waiting, sent_now, unconfirmed, recipients.bad,
                      problems=problems, duplicates=recipients.duplicates)


def _problem(row: Delivery, max_attempts: int) -> str:
    """"a@example.com: failed: 550 …" or "…: retry after 08:01:00 UTC (tried 2 of 5): 451 …"."""
    if row.state == FAILED:
        return f"{row.email}: failed: {row.reply}"
    when = dt.datetime.fromtimestamp(row.next_at or 0, dt.UTC).strftime("%H:%M:%S UTC")
    return f"{row.email}: retry after {when} (tried {row.attempts} of {max_attempts}): {row.reply}"


def _is_edition(folder: Path) -> None:
    """EDITION_DIR must be an edition folder; say what it is instead when it is not."""
    if not folder.exists():
        raise OutboxError("no such edition folder", where=str(folder))
    if not folder.is_dir():
        raise OutboxError("not a folder (EDITION_DIR is an edition folder in the outbox, "
                          "e.g. outbox/2024-08-13)", where=str(folder))
    if not (folder / "edition.json").is_file() and any(folder.glob("*/edition.json")):
        raise OutboxError("an outbox, not an edition: give one of its edition folders, or no "
                          "EDITION_DIR for the newest", where=str(folder))


def _dry_run(folder: Path, template: MessageTemplate, recipients: RecipientList) -> SendReport:
    """Write each recipient's message to <edition>/dry-run/<n>-<email>.eml (atomically)."""
    final = folder / "dry-run"
    tmp = Path(tempfile.mkdtemp(prefix=".dry-run.", dir=folder))
    try:
        for n, recipient in enumerate(recipients.recipients, 1):
            safe = "".join(ch if ch.isalnum() or ch in "@.-_+" else "_" for ch in recipient.key)
            (tmp / f"{n:05d}-{safe}.eml").write_bytes(template.compose(recipient).data)
        os.chmod(tmp, 0o755)
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DeliveryError(f"cannot write the dry run: {exc.strerror or exc}",
                            where=str(final)) from None
    return SendReport(0, 0, 0, bad_rows=recipients.bad, written=len(recipients.recipients),
                      duplicates=recipients.duplicates)
