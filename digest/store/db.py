"""SQLAlchemy plumbing shared by the ledger, the schedule's slots table and its job store:
the engine (SQLite tuned for one writer at a time, any other URL as is), a transaction whose
database errors become DeliveryError, a CREATE TABLE that tolerates a concurrent first start,
and one-line messages for what goes wrong when a database is opened (never with a password)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from digest.errors import ConfigError, DeliveryError


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
    """A database error as one line: the driver's own message, without SQLAlchemy's SQL dump."""
    orig = getattr(exc, "orig", None)
    lines = str(orig or exc or "").strip().splitlines()
    return lines[0] if lines else type(orig or exc).__name__


def safe_url(url: str) -> str:
    """A database URL fit for a message or a log line: no password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ValueError, SQLAlchemyError):
        return "<database URL>"


def create_racing(create: Callable[[], None]) -> None:
    """Run CREATE TABLE (checkfirst), tolerating a concurrent first start: two processes on a
    new database both see no table, both CREATE it, and the loser's error (SQLite: "already
    exists"; PostgreSQL: a unique violation in pg_type) only means the table is there now.
    The ledger, the slots table and the job store all come through here."""
    for attempt in range(5):
        try:
            create()
            return
        except SQLAlchemyError:
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


def config_problem(exc: BaseException) -> bool:
    """True when opening failed because of the URL itself (no retry will help): a missing
    driver, an unknown kind of database, a malformed URL, a folder that cannot be made."""
    return isinstance(exc, (ImportError, ArgumentError, ValueError, OSError))


def open_error(exc: BaseException, key: str, url: str) -> str:
    """Why a database could not be opened, as one line that names the config key and the fix.
    A missing driver (ImportError from create_engine) is the common case: a PostgreSQL URL on
    an installation without the `postgres` extra."""
    scheme = url.split("://", 1)[0]
    where = f"{key} = {safe_url(url)}"
    if isinstance(exc, ImportError):
        module = exc.name or str(exc)
        if not scheme.startswith("postgres"):
            fix = f"install the Python driver for {scheme}"
        elif module.startswith("psycopg"):
            fix = "pip install 'digest[postgres]'"
        else:  # another PostgreSQL driver than the one the extra installs
            fix = "pip install 'digest[postgres]' and write postgresql+psycopg://…"
        return f"{where}: the database driver {module!r} is not installed ({fix})"
    if isinstance(exc, NoSuchModuleError):
        return (f"{where}: unknown kind of database {scheme!r} (use a file path, sqlite:///PATH "
                "or postgresql+psycopg://USER@HOST/DB)")
    if isinstance(exc, OSError) and exc.strerror:
        return f"{where}: {exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
    return f"{where}: {reason(exc)}"


def ensure_sqlite_folder(url: str, what: str, key: str) -> None:
    """Create the folder of a SQLite file (SQLite creates the file, not its folder)."""
    if not url.startswith("sqlite:///"):
        return
    folder = Path(url.removeprefix("sqlite:///")).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{key} = {safe_url(url)}: cannot create the folder for the {what} "
                          f"({folder}): {exc.strerror}") from None
