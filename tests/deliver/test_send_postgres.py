"""The ledger on a real PostgreSQL server (the one tests/run.sh starts), unchanged: each test
has a database of its own (the `postgres` fixture, tests/conftest.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from gates import FAST_GATE
from smtp_server import Behaviour, SmtpServer, build_edition, config_at, write_config, write_csv

from digest.deliver.ledger import Ledger
from digest.deliver.sender import deliver
from digest.store.owners import new_owner


def test_claims_are_exclusive_on_postgres(postgres: str) -> None:
    ledger = Ledger(postgres)
    ledger.enqueue("pg-claims", [f"r{i}@x.org" for i in range(600)])
    got: list[list[int]] = []

    def grab() -> None:
        owner, mine = new_owner(), []
        while claims := ledger.claim("pg-claims", owner, 9, 300):
            assert len(claims) <= 9  # a claim takes its batch, never the whole edition
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


@pytest.mark.slow
def test_send_with_a_postgres_ledger(postgres: str, tmp_path: Path) -> None:
    edition = build_edition(tmp_path / "outbox")
    people = [(f"p{i}@example.com", f"P {i}") for i in range(60)]
    with SmtpServer(Behaviour(temp_fail={"p3@example.com": 1}, drop_before={20})) as server:
        path = write_config(tmp_path, smtp=server.url, to=write_csv(tmp_path / "to.csv", people))
        path.write_text(path.read_text().replace(
            f'ledger = "{tmp_path / "ledger.sqlite"}"', f'ledger = "{postgres}"'))
        first = deliver(config_at(path), edition, gate=FAST_GATE)
        assert (first.sent, first.retrying) == (59, 1)
        time.sleep(0.01)
        second = deliver(config_at(path), edition, gate=FAST_GATE)
        assert (second.sent, second.retrying, second.exit_code) == (60, 0, 0)
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in people}
    assert not (tmp_path / "ledger.sqlite").exists()


def test_two_senders_each_get_their_batch(postgres: str) -> None:
    """The claim of one sender leaves the rest to the next (PostgreSQL once ran the LIMIT-ed
    pick again per row and the first claim took every row)."""
    first, second = Ledger(postgres), Ledger(postgres)
    first.enqueue("batch", [f"r{i}@x.org" for i in range(600)])
    mine, theirs = first.claim("batch", "a", 100, 300), second.claim("batch", "b", 100, 300)
    assert (len(mine), len(theirs)) == (100, 100)
    assert first.counts("batch") == {"claimed": 200, "pending": 400}
    first.close()
    second.close()


def _new_database(url: str, name: str) -> str:
    """A fresh, empty database next to the fixture's one; its URL."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


@pytest.mark.slow
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
