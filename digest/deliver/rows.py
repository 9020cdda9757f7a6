"""The delivery ledger's rows: the table, the states a row goes through, the two statements of
the per-message hot path, and the records read from it and written to it (digest/deliver/
ledger.py holds the Ledger that works on them).

States of a row::

    pending ──claim──▶ claimed ──intent──▶ sending ──250──▶ sent         (server's reply kept)
       ▲                  │                   │  ──5xx──▶ failed       (reason kept)
       ├──── released ◀───┘                   │  ──4xx──▶ retry        (next_at, backoff)
       ├──── the end of data never left ◀─────┤
       │                                      └── no reply ──▶ unconfirmed  (see below)
       └──── resent (--resend-unconfirmed, or [send] unconfirmed = "resend") ◀── unconfirmed

* `claim` is one atomic UPDATE … WHERE state is claimable, stamped with the sender's owner id
  and a lease; two senders (two cron runs, a scheduler and cron) never hold the same row.
* `sending` is committed BEFORE the end-of-data terminator goes on the wire, and only if the row
  is still ours (a conditional UPDATE), so at most one process can ever complete a message.
  A row left `claimed` by a dead sender never reached the server: it is released and sent again.
  A row left `sending` is unconfirmed, unless the dead sender's journal shows that its
  terminator never left (digest/deliver/journal.py): then it is sent again.
* `unconfirmed`: the terminator left and no reply came (the connection dropped, the server was
  slower than [send] timeout, the sender died waiting). The server may have the message or
  not; it is never counted as sent, and it is not sent again unless asked (sent twice is the
  other risk). `updated_at` is when it was handed over.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    or_,
    update,
)

PENDING, CLAIMED, SENDING, SENT = "pending", "claimed", "sending", "sent"
FAILED, RETRY, SKIPPED, UNCONFIRMED = "failed", "retry", "skipped", "unconfirmed"
STOPPED = "the sender stopped after the end of data, before the reply"
# Before unconfirmed was a state of its own, such rows were `sent` with this reply prefix.
LEGACY = "unconfirmed%"

metadata = MetaData()
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition", String(200), nullable=False),
    Column("email", String(320), nullable=False),  # lower-cased: the duplicate key
    Column("state", String(16), nullable=False, default=PENDING),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", Float),  # retry: not before this (epoch seconds)
    Column("owner", String(200)),  # claimed/sending: host:pid:start:nonce of the sender
    Column("lease_until", Float),
    Column("message_id", String(400)),
    Column("reply", Text),  # the server's reply, or why it failed
    Column("updated_at", Float, nullable=False, default=0.0),
    UniqueConstraint("edition", "email", name="uq_deliveries_edition_email"),
    Index("ix_deliveries_edition_state", "edition", "state"),
)

_c = deliveries.c
# Intent before the terminator; again for the same message on a new connection (still ours).
START = update(deliveries).where(
    _c.id == bindparam("b_id"), _c.state.in_((CLAIMED, SENDING)),
    _c.owner == bindparam("b_owner")).values(
    state=SENDING, lease_until=bindparam("b_lease"), message_id=bindparam("b_mid"),
    updated_at=bindparam("b_now"))
RECORD = update(deliveries).where(
    _c.id == bindparam("b_id"), _c.owner == bindparam("b_owner"),
    or_(_c.state == CLAIMED, _c.state == SENDING)).values(
    state=bindparam("b_state"), reply=bindparam("b_reply"), owner=None, lease_until=None,
    attempts=bindparam("b_attempts"), next_at=bindparam("b_next"),
    message_id=func.coalesce(bindparam("b_mid"), _c.message_id), updated_at=bindparam("b_now"))


@dataclass(frozen=True)
class Claim:
    """A row this sender holds: send it, then `advance` it."""

    id: int
    email: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What became of a message: state SENT, FAILED, RETRY or UNCONFIRMED, with the reply
    (or PENDING: it never reached the server and waits for the next run)."""

    id: int
    state: str
    reply: str
    attempts: int
    next_at: float | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Delivery:
    email: str
    state: str
    attempts: int
    reply: str | None
    message_id: str | None
    next_at: float | None
    updated_at: float = 0.0


@dataclass(frozen=True)
class Held:
    """An unconfirmed message: `when` it was handed over (epoch seconds), and why unknown."""

    edition: str
    email: str
    when: float
    reply: str | None
