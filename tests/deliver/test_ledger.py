"""The delivery ledger on a real SQLite file: claims, leases, recovery after a dead sender."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from digest.deliver.journal import Journal, dead_journals, marked
from digest.deliver.ledger import (
    CLAIMED,
    PENDING,
    RETRY,
    SENDING,
    SENT,
    SKIPPED,
    UNCONFIRMED,
    Ledger,
    Outcome,
    default_url,
)
from digest.store.owners import new_owner, owner_dead

ED = "2024-08-13"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    book = Ledger(default_url(tmp_path / "outbox"))
    yield book  # type: ignore[misc]
    book.close()


def dead_owner() -> str:
    """The owner id of a process that has exited (same host, so it is surely dead)."""
    proc = subprocess.run([sys.executable, "-c",
                           "from digest.store.owners import new_owner; print(new_owner())"],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def state(ledger: Ledger) -> dict[str, str]:
    return {d.email: d.state for d in ledger.deliveries(ED)}


def test_enqueue_is_idempotent_and_case_insensitive(ledger: Ledger) -> None:
    assert ledger.enqueue(ED, ["A@x.org", "b@x.org"]) == 2
    assert ledger.enqueue(ED, ["a@X.org", "c@x.org"]) == 1
    assert list(state(ledger)) == ["a@x.org", "b@x.org", "c@x.org"]  # list order kept


def test_a_row_is_claimed_once(ledger: Ledger) -> None:
    ledger.enqueue(ED, [f"r{i}@x.org" for i in range(500)])
    got: list[list[int]] = []

    def grab() -> None:
        owner = new_owner()
        mine: list[int] = []
        while claims := ledger.claim(ED, owner, 7, 300):
            mine += [c.id for c in claims]
        got.append(mine)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for mine in got for i in mine]
    assert len(ids) == len(set(ids)) == 500


def test_intent_only_while_the_claim_is_ours(ledger: Ledger) -> None:
    ledger.enqueue(ED, ["a@x.org"])
    me = new_owner()
    (claim,) = ledger.claim(ED, me, 10, lease=-1)  # a lease that has already run out
    assert ledger.recover(ED) == (1, 0)  # another sender sees it expired: back to pending
    other = new_owner()
    assert [c.id for c in ledger.claim(ED, other, 10, 300)] == [claim.id]
    assert not ledger.advance(me, start=claim.id)  # ours no more: must not be finished
    assert ledger.advance(other, start=claim.id, message_id="<m@x>")
    assert state(ledger) == {"a@x.org": SENDING}


def test_recovery_of_a_dead_sender(ledger: Ledger, tmp_path: Path) -> None:
    ledger.enqueue(ED, ["claimed@x.org", "out@x.org", "gone@x.org", "back@x.org",
                        "live@x.org"])
    dead = dead_owner()
    assert owner_dead(dead) and not owner_dead(new_owner())
    assert not owner_dead("otherhost:1:1:x")  # another host: only a lease can tell
    claims = {c.email: c for c in ledger.claim(ED, dead, 4, 300)}
    for email in ("out@x.org", "gone@x.org", "back@x.org"):
        assert ledger.advance(dead, start=claims[email].id)
    journals = tmp_path / "journals"
    journal = Journal(journals, dead)
    journal.marker(claims["out@x.org"].id)()  # its terminator went out; gone@'s never did
    journal.marker(claims["back@x.org"].id)()  # and back@'s write failed, no byte gone:
    journal.unmarker(claims["back@x.org"].id)()
    journal.close(clean=False)
    live = new_owner()
    ledger.claim(ED, live, 10, 300)  # a live sender's rows are left alone
    released, unconfirmed = ledger.recover(ED, marked=lambda o: marked(journals, o))
    assert (released, unconfirmed) == (3, 1)
    assert state(ledger) == {"claimed@x.org": PENDING, "out@x.org": UNCONFIRMED,
                             "gone@x.org": PENDING, "back@x.org": PENDING,
                             "live@x.org": CLAIMED}
    assert [o for o, _ in dead_journals(journals)] == [dead]


def test_without_a_journal_sending_is_unconfirmed_never_sent(ledger: Ledger) -> None:
    ledger.enqueue(ED, ["a@x.org"])
    dead = dead_owner()
    (claim,) = ledger.claim(ED, dead, 1, 300)
    ledger.advance(dead, start=claim.id)
    handed_over = ledger.deliveries(ED)[0].updated_at
    assert ledger.recover(ED) == (0, 1)
    (row,) = ledger.deliveries(ED)
    assert (row.state, row.attempts, row.updated_at) == (UNCONFIRMED, 1, handed_over)
    (held,) = ledger.unconfirmed()
    assert (held.edition, held.email, held.when) == (ED, "a@x.org", handed_over)


def test_unconfirmed_are_resent_only_when_asked_and_below_the_attempts(ledger: Ledger) -> None:
    ledger.enqueue(ED, ["once@x.org", "twice@x.org", "other@x.org"])
    me = new_owner()
    claims = {c.email: c for c in ledger.claim(ED, me, 3, 300)}
    ledger.advance(me, [Outcome(claims["once@x.org"].id, UNCONFIRMED, "no reply", 1),
                        Outcome(claims["twice@x.org"].id, UNCONFIRMED, "no reply", 2),
                        Outcome(claims["other@x.org"].id, SENT, "250 ok", 1)])
    assert ledger.due(ED) == 0  # held: nothing to claim
    assert ledger.resend_unconfirmed(ED, below=2) == 1
    assert state(ledger) == {"once@x.org": PENDING, "twice@x.org": UNCONFIRMED,
                             "other@x.org": SENT}
    assert ledger.resend_unconfirmed(ED) == 1  # --resend-unconfirmed: whatever the attempts
    assert set(state(ledger).values()) == {PENDING, SENT}


def test_a_ledger_from_before_the_state_has_its_unconfirmed_rows_adopted(ledger: Ledger) -> None:
    """Rows an earlier version recorded as sent with an "unconfirmed: …" reply were never
    confirmed: they count as unconfirmed, not as sent."""
    from sqlalchemy import update

    from digest.deliver.rows import deliveries

    ledger.enqueue(ED, ["old@x.org", "fine@x.org"])
    with ledger.engine.begin() as conn:
        conn.execute(update(deliveries).where(deliveries.c.email == "old@x.org").values(
            state=SENT, reply="unconfirmed: the sender stopped after handing the message over; "
            "assumed delivered"))
        conn.execute(update(deliveries).where(deliveries.c.email == "fine@x.org").values(
            state=SENT, reply="250 2.0.0 queued"))
    assert [h.email for h in ledger.unconfirmed(ED)] == ["old@x.org"]
    ledger.recover(ED)
    assert state(ledger) == {"old@x.org": UNCONFIRMED, "fine@x.org": SENT}


def test_retry_waits_for_its_time(ledger: Ledger) -> None:
    ledger.enqueue(ED, ["a@x.org"])
    me = new_owner()
    (claim,) = ledger.claim(ED, me, 1, 300)
    later = time.time() + 60
    ledger.advance(me, [Outcome(claim.id, RETRY, "451 later", 1, next_at=later)])
    assert ledger.claim(ED, me, 1, 300) == [] and ledger.due(ED) == 0
    assert [c.attempts for c in ledger.claim(ED, me, 1, 300, now=later + 1)] == [1]


def test_skip_and_come_back(ledger: Ledger) -> None:
    ledger.enqueue(ED, ["a@x.org", "b@x.org"])
    ledger.skip(ED, ["b@x.org"], "not in the list")
    assert state(ledger)["b@x.org"] == SKIPPED
    ledger.enqueue(ED, ["a@x.org", "b@x.org"])
    assert state(ledger)["b@x.org"] == PENDING


def test_unusable_ledger_is_a_clear_error(tmp_path: Path) -> None:
    from digest.errors import ConfigError, DeliveryError

    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match=r"\[send\] ledger = sqlite:///.*file") as bad:
        Ledger(f"sqlite:///{tmp_path / 'file' / 'ledger.sqlite'}")
    assert bad.value.exit_code == 2  # a path no rerun can fix: bad input
    (tmp_path / "junk.sqlite").write_text("not a database, but long enough to be read" * 100)
    with pytest.raises(DeliveryError, match="file is not a database"):
        Ledger(f"sqlite:///{tmp_path / 'junk.sqlite'}")
