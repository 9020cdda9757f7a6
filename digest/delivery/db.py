"""SQLAlchemy plumbing for the ledger: the engine (SQLite tuned for one writer at a time,
any other URL as is) and a transaction whose database errors become DeliveryError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from digest.errors import DeliveryError


class Transaction:
    """`with Transaction(url, engine, conn) as conn:` commits on success; a database error
    becomes a DeliveryError naming the ledger. `conn`: reuse that connection."""

    def __init__(self, url: str, engine: Engine, conn: Connection | None = None) -> None:
        self.url = url
        self.engine = engine
        self.conn = conn
        self.cm: Any = None

    def __enter__(self) -> Connection:
        try:
            if self.conn is not None:
                self.cm = self.conn.begin()
                self.cm.__enter__()
                return self.conn
            self.cm = self.engine.begin()
            conn: Connection = self.cm.__enter__()
        except SQLAlchemyError as exc:
            raise DeliveryError(f"ledger: {reason(exc)}", where=self.url) from None
        return conn

    def __exit__(self, *exc: Any) -> None:
        try:
            self.cm.__exit__(*exc)
        except SQLAlchemyError as err:
            raise DeliveryError(f"ledger: {reason(err)}", where=self.url) from None
        if exc[0] is not None and issubclass(exc[0], SQLAlchemyError):
            raise DeliveryError(f"ledger: {reason(exc[1])}", where=self.url) from None


def engine_for(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN; take it over (SQLAlchemy's recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # WAL: readers never block the sender. synchronous=NORMAL: a commit is in the OS once
        # COMMIT returns, so it survives kill -9 of the sender; a power cut may lose the last
        # commits (a message may then go out twice). PostgreSQL, with its fsync, does not.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # IMMEDIATE: take the write lock up front, so a claim never deadlocks on upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reason(exc: BaseException | None) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0] if (orig or exc) else "unknown error"
