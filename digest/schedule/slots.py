"""The slots table: one row per schedule slot, claimed atomically, so a slot is sent once.

It lives in the delivery ledger's database (config.send.ledger), next to the per-recipient rows
of digest.deliver: two schedulers on one store, or a scheduler and system cron, race on an INSERT
with the slot id as primary key and the loser skips. The per-recipient ledger then guards each
address within the edition, so even a slot taken over after a crash sends nobody twice.

States: running → sent | partial (some recipients wait for a retry, or for the resend of an
unconfirmed message) | failed (the build or the delivery raised) | refused (`digest check`
failed) | skipped (no news) | missed (too late) | expired (started, and max_late passed with
recipients never sent: reported); waiting: fired while the previous slot's run was still going.
A `failed`, `partial` or `waiting` slot may be claimed again while it is still due; so may a
`running` one whose owner process is gone (same host, dead pid): the crash case. Whichever
slot came after, digest.schedule.run finishes every such slot while it is within max_late of
its own time, and expires it after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from digest.errors import ConfigError, ScheduleError
from digest.store.db import (
    config_problem,
    create_racing,
    ensure_sqlite_folder,
    open_error,
    safe_url,
)
from digest.store.db import reason as one_line
from digest.store.owners import new_owner, owner_dead

RETRYABLE = ("failed", "partial", "waiting")
DONE = ("sent", "skipped", "missed", "refused", "expired")

_metadata = MetaData()
slots_table = Table(
    "digest_schedule_slots",
    _metadata,
    Column("slot", String(32), primary_key=True),  # the edition id: "2026-11-30-0800"
    Column("scheduled", String(40), nullable=False),  # ISO instant with offset
    Column("status", String(16), nullable=False),
    Column("owner", String(200), nullable=False),  # "host:pid" of the claimer
    Column("attempts", Integer, nullable=False, default=1),
    Column("edition_dir", Text),
    Column("sent", Integer),
    Column("failed", Integer),
    Column("retrying", Integer),
    Column("detail", Text),
    Column("updated", String(40), nullable=False),
)


# One id per process, in the delivery ledger's format (host, pid, start time, nonce), so a
# dead owner is told from a reused pid the same way digest.deliver.ledger does it.
_OWNER = new_owner()


def owner_id() -> str:
    return _OWNER


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Slot:
    slot: str
    scheduled: str
    status: str
    owner: str
    attempts: int
    edition_dir: str | None
    detail: str | None


class SlotLedger:
    """Claims and outcomes of schedule slots in one SQL database (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        ensure_sqlite_folder(url, "slots table", "[send] ledger")
        try:
            # SQLite: wait up to 30 s for a concurrent writer instead of failing at once.
            args = {"timeout": 30} if url.startswith("sqlite") else {}
            self.engine: Engine = create_engine(url, connect_args=args)
            self._create()
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            # The slots live in the ledger's database: [send] ledger names it.
            error = ConfigError if config_problem(exc) else ScheduleError
            raise error(f"cannot open the slots table: {open_error(exc, '[send] ledger', url)}"
                        ) from None

    def _create(self) -> None:
        create_racing(lambda: _metadata.create_all(self.engine))

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection]:
        """A committed transaction; a database failure becomes one ScheduleError line.
        IntegrityError passes through: it is how a lost claim shows."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise ScheduleError(f"slots table: {one_line(exc)}",
                                where=safe_url(self.url)) from None

    def get(self, slot: str) -> Slot | None:
        with self._tx() as conn:
            row = conn.execute(select(slots_table).where(slots_table.c.slot == slot)).first()
        if row is None:
            return None
        return Slot(row.slot, row.scheduled, row.status, row.owner, row.attempts,
                    row.edition_dir, row.detail)

    def claim(self, slot: str, scheduled: dt.datetime) -> Slot | None:
        """Take the slot for this process; None when it is done or another process holds it."""
        me = owner_id()
        try:
            with self._tx() as conn:
                conn.execute(insert(slots_table).values(
                    slot=slot, scheduled=scheduled.isoformat(), status="running", owner=me,
                    attempts=1, updated=_now()))
            return self.get(slot)
        except IntegrityError:
            pass
        current = self.get(slot)
        if current is None or current.status in DONE:
            return None
        if current.status == "running" and not owner_dead(current.owner):
            return None
        # Compare-and-swap on the row we read: of two contenders, one UPDATE matches.
        with self._tx() as conn:
            taken = conn.execute(
                update(slots_table)
                .where(slots_table.c.slot == slot, slots_table.c.status == current.status,
                       slots_table.c.owner == current.owner,
                       slots_table.c.attempts == current.attempts)
                .values(status="running", owner=me, attempts=current.attempts + 1,
                        updated=_now())
            ).rowcount
        return self.get(slot) if taken == 1 else None

    def unfinished(self) -> list[Slot]:
        """The slots started and not done (running, failed, partial, waiting), oldest first."""
        with self._tx() as conn:
            rows = conn.execute(select(slots_table).where(
                slots_table.c.status.in_((*RETRYABLE, "running")))).all()
        found = [Slot(r.slot, r.scheduled, r.status, r.owner, r.attempts, r.edition_dir,
                      r.detail) for r in rows]
        return sorted(found, key=lambda s: (dt.datetime.fromisoformat(s.scheduled), s.slot))

    def expire(self, row: Slot, detail: str, counts: tuple[int, int, int] | None) -> bool:
        """Mark `row` expired, as read (a compare-and-swap, like a claim): False when another
        process changed it first (it took the slot, or expired it and said so)."""
        sent, failed, retrying = counts or (None, None, None)
        with self._tx() as conn:
            return conn.execute(
                update(slots_table)
                .where(slots_table.c.slot == row.slot, slots_table.c.status == row.status,
                       slots_table.c.owner == row.owner,
                       slots_table.c.attempts == row.attempts)
                .values(status="expired", detail=detail, sent=sent, failed=failed,
                        retrying=retrying, updated=_now())
            ).rowcount == 1

    def finish(self, slot: str, status: str, *, edition_dir: Path | None = None,
               sent: int | None = None, failed: int | None = None,
               retrying: int | None = None, detail: str | None = None) -> None:
        values: dict[str, object] = {"status": status, "updated": _now(), "detail": detail,
                                     "sent": sent, "failed": failed, "retrying": retrying}
        if edition_dir is not None:
            values["edition_dir"] = str(edition_dir)
        with self._tx() as conn:
            conn.execute(update(slots_table).where(slots_table.c.slot == slot).values(**values))

    def set_edition(self, slot: str, edition_dir: Path) -> None:
        """Record the built edition before sending, so a retry re-sends it and never rebuilds."""
        with self._tx() as conn:
            conn.execute(update(slots_table).where(slots_table.c.slot == slot)
                         .values(edition_dir=str(edition_dir), updated=_now()))

    def mark_missed(self, slot: str, scheduled: dt.datetime, detail: str,
                    status: str = "missed") -> bool:
        """Record a slot that came too late (or, status "waiting", one to run when it can);
        False when a row (any state) already exists."""
        try:
            with self._tx() as conn:
                conn.execute(insert(slots_table).values(
                    slot=slot, scheduled=scheduled.isoformat(), status=status,
                    owner=owner_id(), attempts=0, detail=detail, updated=_now()))
        except IntegrityError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()
