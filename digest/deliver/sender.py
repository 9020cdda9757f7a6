"""`digest send`'s work: deliver an edition to every recipient exactly once, over real SMTP.

The edition is rendered once (by `digest build`); each recipient's message is merged from a
bytes template (digest/deliver/compose.py). Every recipient has a row in the ledger
(digest/deliver/ledger.py; its states in rows.py). Per message, in this order:

    1. claim     the row is ours (a batch claim: one atomic UPDATE, with a lease)
    2. MAIL, RCPT, DATA and the body go to the server; a refusal here sends nothing, and a
                 connection lost here delivers nothing: it is sent again on a new one
    3. commit    the row becomes `sending` (in the same commit: the previous message's reply)
    4. look      one poll(), no wait: has the server hung up during the data? Then the
                 terminator cannot leave, nothing is delivered: back to 2, a new connection
    5. journal   the row id is appended to this sender's journal (one write() to the OS)
    6. ".\r\n"   the end-of-data terminator, on the next line of code: now the server holds
                 a message (if its write fails with no byte gone, the mark is taken back: 2)
    7. reply     250 -> sent, 4xx -> retry with backoff, 5xx -> failed; no reply (the
                 connection dropped, or [send] timeout passed) -> unconfirmed (committed at
                 step 3 of the next message, or when the batch ends)

A message whose terminator could not leave on 1 + len(RESTARTS) connections goes back to
pending, and the run stops as when the server cannot be reached: the next run sends it.

Unconfirmed is the one outcome the sender cannot know: the server may have taken the message
or not. It is never counted as sent (the summary counts it, the exit code is 1, `digest send
--list unconfirmed` names it) and is not sent again on its own, since resending risks a
duplicate; `[send] unconfirmed = "resend"` sends it again on the next run (up to
max_attempts tries in all), `--resend-unconfirmed` for one run.

After a crash anywhere, a rerun (`digest send` again, or the next cron run) recovers the dead
sender's rows: `claimed` ones never reached the server and go out again; `sending` ones in its
journal had their terminator written: unconfirmed; `sending` ones not in its journal never
had it written and go out again. A crash between the server's 250 and its commit is thereby
exact, and no crash counts a message as sent that was not confirmed.

What is left is narrow and errs towards unconfirmed, never towards silent loss or a
duplicate: a crash between the journal's write() (5) and the terminator's send() (6), a
return from one C call and the start of the next, well under a microsecond; and a server
that hangs up between the look (4) and the terminator's arrival. Where no journal is readable
(the sender ran on another host, e.g. with a PostgreSQL ledger), a dead sender's `sending`
rows are all unconfirmed. The Message-ID is deterministic per edition × recipient, so a
receiving system can also drop a duplicate of a resent one (RFC 7352 "duplicate").
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
from digest.deliver.interrupts import Interrupts
from digest.deliver.journal import Journal, dead_journals, marked
from digest.deliver.ledger import (
    FAILED,
    PENDING,
    RETRY,
    SENT,
    UNCONFIRMED,
    Claim,
    Ledger,
    Outcome,
)
from digest.deliver.recipients import Recipient, RecipientList, envelope_sender, read_recipients
from digest.deliver.report import SendReport, edition_report
from digest.deliver.smtp import (
    PASSWORD_ENV,
    ConnectionLost,
    NotSent,
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
RESTARTS = (0.0, 0.5, 2.0)  # waits before each new try of a message lost before its end of data
JOURNALS = ".send-journal"  # in the outbox: see digest/deliver/journal.py


def deliver(config: Config, edition_dir: Path | None, *, dry_run: bool = False,
            force: bool = False, progress: Callable[[int, int], None] | None = None,
            gate: Gate | None = None, resend_unconfirmed: bool = False) -> SendReport:
    """Send (or with `dry_run` write) the edition to every recipient that still needs it.

    `gate`: the checks an edition passes before anything is sent (digest.check.gate); None
    runs all of `digest check`, SpamAssassin and Node included. `resend_unconfirmed`: send
    the unconfirmed messages again in this run, whatever [send] unconfirmed says."""
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
                     progress, check, resend_unconfirmed)
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
          progress: Callable[[int, int], None] | None, check: Callable[[], None],
          resend_unconfirmed: bool) -> SendReport:
    by_key = {r.key: r for r in recipients.recipients}
    ledger.enqueue(edition, by_key)
    journals = recover(config, ledger, edition)
    if resend_unconfirmed or config.send.unconfirmed == "resend":  # before the skip below
        ledger.resend_unconfirmed(
            edition, below=None if resend_unconfirmed else config.send.max_attempts)
    gone = {d.email for d in ledger.deliveries(edition)} - by_key.keys()
    if gone:
        ledger.skip(edition, gone, "not in the recipient list any more")
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
    with Interrupts() as interrupts:
        try:  # `started`: a retry is due if its time came before this run began (one try a run)
            while claims := _claim(ledger, edition, owner, batch, started, journals):
                held = list(claims)
                for claim in claims:
                    outcome = _one(config, claim, by_key[claim.email], template, sender, session,
                                   ledger, owner, done, journal, interrupts)
                    held.remove(claim)
                    tried += 1
                    if outcome is not None:
                        done.append(outcome)
                        sent_now += outcome.state == SENT
                    interrupts.release()  # a Ctrl-C held during its reply stops the run here
                    if progress is not None:
                        progress(min(tried, total), total)
                ledger.advance(owner, done)
                done.clear()
        except DeliveryError as exc:
            _settle(ledger, owner, done, held, journal)
            report = edition_report(ledger, edition, by_key, sent_now, recipients, config.send)
            exc.report = report  # type: ignore[attr-defined]
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (command.py): settle, report
            _settle(ledger, owner, done, held, journal)
            with contextlib.suppress(DeliveryError):
                exc.report = edition_report(  # type: ignore[attr-defined]
                    ledger, edition, by_key, sent_now, recipients, config.send)
            raise
        except BaseException:
            _settle(ledger, owner, done, held, journal)
            raise
    journal.close(clean=True)
    return edition_report(ledger, edition, by_key, sent_now, recipients, config.send)


def recover(config: Config, ledger: Ledger, edition: str) -> Path:
    """Settle what dead senders of `edition` left (their journals tell which `sending` rows
    had their terminator written); returns the journals' folder."""
    journals = config.resolve(config.build.outbox) / JOURNALS
    ledger.recover(edition, marked=lambda owner: marked(journals, owner))
    return journals


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
         done: list[Outcome], journal: Journal, interrupts: Interrupts) -> Outcome | None:
    """Send one message; return its outcome (None: the claim was lost, nothing sent).

    A connection lost before the terminator left delivered nothing: the same message goes
    out again on a new connection, up to len(RESTARTS) times more; then it is pending again
    (in `done`) and DeliveryError stops the run."""
    attempts = claim.attempts + 1
    try:
        message: Composed = template.compose(recipient)
    except DeliveryError as exc:
        return Outcome(claim.id, FAILED, str(exc), attempts)
    lost: NotSent | None = None
    for wait in (0.0, *RESTARTS):
        if wait:
            time.sleep(wait)
        try:
            refused = session.begin(sender, recipient.email, message.data)
        except DeliveryError:
            if lost is not None:  # the row is `sending` already: it never left, give it back
                done.append(Outcome(claim.id, PENDING, lost.message, claim.attempts))
            raise
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
        interrupts.hold()  # released by the caller, once the outcome is in `done`
        try:
            reply = session.finish(journal.marker(claim.id), journal.unmarker(claim.id))
        except NotSent as exc:
            lost = exc
            try:
                interrupts.release()
            except KeyboardInterrupt:  # it never left: pending again, exactly
                done.append(Outcome(claim.id, PENDING, lost.message, claim.attempts))
                raise
            continue
        except ConnectionLost as exc:
            return Outcome(claim.id, UNCONFIRMED, exc.message, attempts,
                           message_id=message.message_id)
        return _classify(config, claim, reply, message.message_id)
    assert lost is not None
    # Not a try (the server never had it), as when no connection can be made at all.
    done.append(Outcome(claim.id, PENDING, lost.message, claim.attempts))
    raise DeliveryError(f"{lost.message} ({len(RESTARTS) + 1} tries)", where=lost.where)


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
