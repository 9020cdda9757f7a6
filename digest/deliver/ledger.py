"""The delivery ledger: one row per edition × recipient, so a send can stop anywhere and resume.

SQLAlchemy Core over SQLite by default (`outbox/ledger.sqlite`); `[send] ledger` takes any
SQLAlchemy URL, so PostgreSQL can take SQLite's place unchanged.

The states of a row, and what each promises, are in digest/deliver/rows.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from digest.deliver.rows import (
    CLAIMED,
    FAILED,
    LEGACY,
    PENDING,
    RECORD,
    RETRY,
    SENDING,
    SENT,
    SKIPPED,
    START,
    STOPPED,
    UNCONFIRMED,
    Claim,
    Delivery,
    Held,
    Outcome,
    deliveries,
    metadata,
)
from digest.errors import ConfigError, DeliveryError
from digest.store.db import (
    Transaction,
    config_problem,
    create_racing,
    engine_for,
    open_error,
    reason,
    safe_url,
)
from digest.store.owners import owner_dead

# The rows' names are the ledger's: callers import them from here.
__all__ = ["CLAIMED", "FAILED", "PENDING", "RETRY", "SENDING", "SENT", "SKIPPED", "STOPPED",
           "UNCONFIRMED", "Claim", "Delivery", "Held", "Ledger", "Outcome", "default_url"]


class Ledger:
    """The ledger behind `[send] ledger` (an SQLAlchemy URL)."""

    def __init__(self, url: str, key: str = "[send] ledger") -> None:
        self.url = url
        self.where = safe_url(url)  # for messages: never the password
        try:
            self.engine = engine_for(url)
            create_racing(lambda: metadata.create_all(self.engine))
        except (SQLAlchemyError, OSError, ImportError, ValueError) as exc:
            error = ConfigError if config_problem(exc) else DeliveryError
            raise error(f"cannot open the ledger: {open_error(exc, key, url)}") from None
        self._postgres = self.engine.dialect.name == "postgresql"
        self._hot: Connection | None = None

    def close(self) -> None:
        if self._hot is not None:
            self._hot.close()
            self._hot = None
        self.engine.dispose()

    def enqueue(self, edition: str, emails: Iterable[str]) -> int:
        """Add a pending row for each address not yet in the ledger; return how many were new."""
        wanted = dict.fromkeys(e.lower() for e in emails)  # keeps the list's order
        now = time.time()
        with self._tx() as conn:
            have = set(conn.scalars(select(deliveries.c.email).where(
                deliveries.c.edition == edition)))
            new = [e for e in wanted if e not in have]
            if new:
                # Several senders of one edition start at once on PostgreSQL (scale-out): all
                # see no rows and insert the same ones; the unique key keeps the first, and
                # ON CONFLICT DO NOTHING lets the others go on (SQLite's BEGIN IMMEDIATE
                # serialises the senders, so they never race here).
                add = (pg_insert(deliveries).on_conflict_do_nothing() if self._postgres
                       else insert(deliveries))
                conn.execute(add, [
                    {"edition": edition, "email": e, "state": PENDING, "attempts": 0,
                     "updated_at": now} for e in new])
            # Back on the list after being skipped: pending again.
            back = wanted.keys() & set(conn.scalars(select(deliveries.c.email).where(
                deliveries.c.edition == edition, deliveries.c.state == SKIPPED)))
            for chunk in _chunks(sorted(back)):
                conn.execute(update(deliveries).where(
                    deliveries.c.edition == edition, deliveries.c.email.in_(chunk),
                    deliveries.c.state == SKIPPED).values(state=PENDING, updated_at=now))
        return len(new)

    def skip(self, edition: str, emails: Iterable[str], reason: str) -> None:
        """Set aside unsent rows whose address left the recipient list (never sent them)."""
        with self._tx() as conn:
            for chunk in _chunks(sorted({e.lower() for e in emails})):
                conn.execute(update(deliveries).where(
                    deliveries.c.edition == edition, deliveries.c.email.in_(chunk),
                    deliveries.c.state.in_((PENDING, RETRY, CLAIMED))).values(
                    state=SKIPPED, reply=reason, owner=None, updated_at=time.time()))

    def recover(self, edition: str, now: float | None = None,
                marked: Callable[[str], set[int] | None] = lambda owner: None) -> tuple[int, int]:
        """Undo what dead senders left: claimed → pending, sending → unconfirmed.

        A sender is dead when its lease expired or, on this host, its process is gone.
        `marked(owner)` gives the ids a dead owner journalled as "terminator on the wire"
        (None: no journal); its `sending` rows NOT in the journal never had their terminator
        sent and go back to pending. Returns (released, unconfirmed).
        """
        now = time.time() if now is None else now
        c = deliveries.c
        held = and_(c.edition == edition, c.state.in_((CLAIMED, SENDING)))
        with self._tx() as conn:
            conn.execute(update(deliveries).where(  # rows of a ledger from before the state
                c.edition == edition, c.state == SENT, c.reply.like(LEGACY)).values(
                state=UNCONFIRMED))
            owners = set(conn.scalars(select(c.owner).where(held).distinct()))
            dead = sorted(o for o in owners if o and owner_dead(o))
            never: list[int] = []
            for owner in dead:
                journal = marked(owner)
                if journal is not None:
                    never += [i for i in conn.scalars(select(c.id).where(
                        held, c.state == SENDING, c.owner == owner)) if i not in journal]
            gone = or_(c.lease_until < now, c.owner.is_(None), c.owner.in_(dead))
            released = conn.execute(update(deliveries).where(
                held, or_(c.state == CLAIMED, c.id.in_(never)), gone).values(
                state=PENDING, owner=None, lease_until=None, updated_at=now)).rowcount
            # updated_at stays: it was set when the terminator was about to leave.
            unconfirmed = conn.execute(update(deliveries).where(held, c.state == SENDING, gone)
                                       .values(state=UNCONFIRMED, owner=None, lease_until=None,
                                               attempts=c.attempts + 1, reply=STOPPED)
                                       ).rowcount
        return released, unconfirmed

    def resend_unconfirmed(self, edition: str, below: int | None = None) -> int:
        """Put unconfirmed rows back in the queue (only those tried fewer than `below` times,
        when given); returns how many."""
        c = deliveries.c
        where = and_(c.edition == edition, c.state == UNCONFIRMED)
        if below is not None:
            where = and_(where, c.attempts < below)
        with self._tx() as conn:
            return int(conn.execute(update(deliveries).where(where).values(
                state=PENDING, updated_at=time.time())).rowcount)

    def unconfirmed(self, edition: str | None = None) -> list[Held]:
        """The unconfirmed messages, oldest first (of one edition, or of all)."""
        c = deliveries.c
        which = or_(c.state == UNCONFIRMED, and_(c.state == SENT, c.reply.like(LEGACY)))
        if edition is not None:
            which = and_(c.edition == edition, which)
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.edition, c.email, c.updated_at, c.reply).where(which)
                                .order_by(c.updated_at, c.id)).all()
        return [Held(*r) for r in rows]

    def claim(self, edition: str, owner: str, limit: int, lease: float,
              now: float | None = None, due_before: float | None = None) -> list[Claim]:
        """Atomically take up to `limit` due rows: pending, or retry whose time has come
        (by `due_before`, default now)."""
        now = time.time() if now is None else now
        c = deliveries.c
        due = and_(c.edition == edition, or_(c.state == PENDING, and_(
            c.state == RETRY, c.next_at <= (now if due_before is None else due_before))))
        pick = select(c.id).where(due).order_by(c.id).limit(limit)
        claim = update(deliveries).values(state=CLAIMED, owner=owner, lease_until=now + lease,
                                          updated_at=now).returning(c.id, c.email, c.attempts)
        if self._postgres:
            # Several senders claim side by side: each locks `limit` rows that no other holds
            # (SKIP LOCKED). In a MATERIALIZED CTE the pick runs once; as `id IN (sub-select)`
            # PostgreSQL may run it again for each row it re-checks, taking far beyond `limit`
            # (one sender then held a whole edition). `due` is re-checked on the locked row.
            picked = pick.with_for_update(skip_locked=True).cte("picked").prefix_with(
                "MATERIALIZED")
            stmt = claim.where(c.id == picked.c.id, due)
        else:  # SQLite: one writer at a time (BEGIN IMMEDIATE), nothing to skip
            stmt = claim.where(c.id.in_(pick.scalar_subquery()), due)
        with self._tx() as conn:
            rows = conn.execute(stmt).all()
        return sorted((Claim(r.id, r.email, r.attempts) for r in rows), key=lambda r: r.id)

    def advance(self, owner: str, done: Sequence[Outcome] = (), start: int | None = None,
                lease: float = 300.0, message_id: str | None = None) -> bool:
        """One commit: record `done`, and mark row `start` as sending (intent before the
        end-of-data terminator). Returns False if `start` is no longer ours (do not send it).

        The hot path of a send, once per message: statements are built once (bound
        parameters), since building SQLAlchemy statements costs ten times the commit."""
        now = time.time()
        with self._tx(hot=True) as conn:
            for outcome in done:
                self._record(conn, owner, outcome, now)
            if start is None:
                return True
            return bool(conn.execute(START, {"b_id": start, "b_owner": owner,
                                              "b_lease": now + lease, "b_mid": message_id,
                                              "b_now": now}).rowcount)

    def release(self, owner: str, ids: Iterable[int]) -> None:
        """Give back claimed rows this sender will not send now (never touches `sending`)."""
        with self._tx() as conn:
            for chunk in _chunks(sorted(ids)):
                conn.execute(update(deliveries).where(
                    deliveries.c.id.in_(chunk), deliveries.c.state == CLAIMED,
                    deliveries.c.owner == owner).values(
                    state=PENDING, owner=None, lease_until=None, updated_at=time.time()))

    def _record(self, conn: Connection, owner: str, done: Outcome, now: float) -> None:
        conn.execute(RECORD, {"b_id": done.id, "b_owner": owner, "b_state": done.state,
                               "b_reply": done.reply, "b_attempts": done.attempts,
                               "b_next": done.next_at, "b_mid": done.message_id,
                               "b_now": now})

    def counts(self, edition: str, emails: Iterable[str] | None = None) -> dict[str, int]:
        """Rows per state for an edition (only `emails`, when given)."""
        c = deliveries.c
        totals: dict[str, int] = {}
        wanted = None if emails is None else {e.lower() for e in emails}
        with self.engine.connect() as conn:
            if wanted is None:
                rows = conn.execute(select(c.state, func.count()).where(
                    c.edition == edition).group_by(c.state)).all()
                return {r[0]: int(r[1]) for r in rows}
            for email, state in conn.execute(select(c.email, c.state).where(
                    c.edition == edition)):
                if email in wanted:
                    totals[state] = totals.get(state, 0) + 1
        return totals

    def deliveries(self, edition: str) -> list[Delivery]:
        c = deliveries.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.email, c.state, c.attempts, c.reply, c.message_id,
                                       c.next_at, c.updated_at).where(c.edition == edition)
                                .order_by(c.id)).all()
        return [Delivery(*r) for r in rows]

    def due(self, edition: str, now: float | None = None) -> int:
        """How many rows a sender could claim now (pending, or retry whose time has come)."""
        now = time.time() if now is None else now
        c = deliveries.c
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).where(c.edition == edition, or_(
                c.state == PENDING, and_(c.state == RETRY, c.next_at <= now)))) or 0)

    def holds(self, owner: str) -> bool:
        """True while `owner` has rows claimed or sending (in any edition)."""
        c = deliveries.c
        with self.engine.connect() as conn:
            return conn.execute(select(c.id).where(c.owner == owner, c.state.in_(
                (CLAIMED, SENDING))).limit(1)).first() is not None

    def has_edition(self, edition: str) -> bool:
        """True once any recipient of `edition` was queued: the scheduler's "slot taken" test."""
        with self.engine.connect() as conn:
            return conn.execute(select(deliveries.c.id).where(
                deliveries.c.edition == edition).limit(1)).first() is not None

    def _tx(self, hot: bool = False) -> Transaction:
        if hot and self._hot is None:  # the per-message path keeps one connection: no pool
            try:
                self._hot = self.engine.connect()
            except SQLAlchemyError as exc:
                raise DeliveryError(f"ledger: {reason(exc)}", where=self.where) from None
        return Transaction(self.where, self.engine, self._hot if hot else None)


def default_url(outbox: Path) -> str:
    """The default ledger of `outbox` (Config.ledger_url gives the configured one)."""
    return f"sqlite:///{outbox / 'ledger.sqlite'}"


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
