"""The ledger on a real PostgreSQL server (started here, in a temporary folder), unchanged.

Skipped only where PostgreSQL's server programs or the psycopg driver are not installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_server import Behaviour, SmtpServer, build_edition, config_at, write_config, write_csv

from digest.deliver.ledger import Ledger
from digest.deliver.sender import deliver
from digest.store.owners import new_owner

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; tests here often do.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    pytest.importorskip("psycopg")
    if not BIN:
        pytest.skip("PostgreSQL server programs not installed")
    bindir = Path(BIN[-1]).parent
    # Not under pytest's tmp folder: that one is private to root, the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="digest-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                                 "-U", "digest"]), check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run(_as_postgres([
        str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"]),
        check=True, capture_output=True)
    try:
        subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "digest", "ledger"], check=True, capture_output=True)
        yield f"postgresql+psycopg://digest@127.0.0.1:{port}/ledger"
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                     "stop"]), capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_claims_are_exclusive_on_postgres(postgres: str) -> None:
    ledger = Ledger(postgres)
    ledger.enqueue("pg-claims", [f"r{i}@x.org" for i in range(600)])
    got: list[list[int]] = []

    def grab() -> None:
        owner, mine = new_owner(), []
        while claims := ledger.claim("pg-claims", owner, 9, 300):
            mine += [c.id for c in claims]
        got.append(mine)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger.close()
    ids = [i for mine in got for i in mine]
    assert len(ids) == len(set(ids)) == 600


def test_send_with_a_postgres_ledger(postgres: str, tmp_path: Path) -> None:
    edition = build_edition(tmp_path / "outbox")
    people = [(f"p{i}@example.com", f"P {i}") for i in range(60)]
    with SmtpServer(Behaviour(temp_fail={"p3@example.com": 1}, drop_before={20})) as server:
        path = write_config(tmp_path, smtp=server.url, to=write_csv(tmp_path / "to.csv", people))
        path.write_text(path.read_text().replace(
            f'ledger = "{tmp_path / "ledger.sqlite"}"', f'ledger = "{postgres}"'))
        first = deliver(config_at(path), edition)
        assert (first.sent, first.retrying) == (59, 1)
        time.sleep(0.01)
        second = deliver(config_at(path), edition)
        assert (second.sent, second.retrying, second.exit_code) == (60, 0, 0)
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in people}
    assert not (tmp_path / "ledger.sqlite").exists()


def _new_database(url: str, name: str) -> str:
    """A fresh, empty database next to the fixture's one; its URL."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def test_two_first_starts_at_once_both_open_the_ledger(postgres: str) -> None:
    """CREATE TABLE from several processes on a new database: PostgreSQL lets all of them
    see no table, and all but one fail with a unique violation in pg_type. Every opener of
    the ledger (sender, slots table) must shrug that off."""
    from digest.schedule.slots import SlotLedger

    for trial in range(4):
        url = _new_database(postgres, f"race{trial}")
        start = threading.Barrier(8)
        errors: list[BaseException] = []

        def open_it(n: int, url: str = url, start: threading.Barrier = start,
                    errors: list[BaseException] = errors) -> None:
            start.wait()
            try:
                (Ledger(url) if n % 2 else SlotLedger(url)).close()
            except BaseException as exc:  # collected, asserted below
                errors.append(exc)

        threads = [threading.Thread(target=open_it, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        ledger = Ledger(url)
        ledger.enqueue("race", ["a@example.com"])
        assert ledger.counts("race") == {"pending": 1}
        ledger.close()
