"""A started slot is always finished: killed mid-send (kill -9), it is resumed by the next
`digest send --due` or by a restarted daemon, even after the next slot began; past its
max_late it is reported (how many recipients never got it), exit 1, never silently dropped.

Real processes, a real SMTP server on 127.0.0.1 and SQLite or PostgreSQL, seconds-level slots
(tests/schedule/test_schedule_live.py has the helpers). Waits poll with a deadline.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from test_schedule_live import (
    DIGEST,
    Daemon,
    Sink,
    database,
    due,
    env,
    once_at,
    project,
    sink,
    sleep_until,
    slot_name,
    slot_rows,
    wait_for,
)

__all__ = ["database", "sink"]  # the fixtures, shared with test_schedule_live

RECIPIENTS = 152  # ada, grace and 150 readers


def two_slots(lead: int, gap: int) -> tuple[dt.datetime, dt.datetime, str]:
    """Slot A `lead` seconds from now and slot B `gap` seconds after it, in one minute; and
    the cron expression that fires at both."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if now.second > 58 - lead - gap:
        sleep_until(now.replace(second=0) + dt.timedelta(minutes=1, seconds=1))
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    a, b = now + dt.timedelta(seconds=lead), now + dt.timedelta(seconds=lead + gap)
    minute_on = once_at(a).split(" ", 1)[1]
    return a, b, f"{a.second},{b.second} {minute_on}"


def by_edition(sink: Sink) -> dict[str, Counter[str]]:
    """Recipients per edition, read off each message's List-Unsubscribe (it names both)."""
    got: dict[str, Counter[str]] = {}
    for message in sink.messages:
        found = re.search(r"edition=([\w-]+)", str(message.message["List-Unsubscribe"]))
        assert found, message.message["List-Unsubscribe"]
        got.setdefault(found.group(1), Counter()).update(r.lower() for r in message.rcpt_tos)
    return got


def send_due(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*DIGEST, "send", "--due", "--config", str(config)],
                            cwd=config.parent, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def kill_mid_send(proc: subprocess.Popen[str], sink: Sink) -> None:
    """kill -9 once 30 messages are out: the slot row stays "running", most recipients wait."""
    try:
        wait_for(lambda: len(sink.messages) >= 30 or proc.poll() is not None, "the send")
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    assert proc.returncode == -9 and 30 <= len(sink.messages) < RECIPIENTS


def finished_line(log: str, slot: dt.datetime) -> tuple[int, int]:
    """(sent, unconfirmed) from the slot's line "slot S edition S: sent N, …"."""
    name = slot_name(slot)
    found = re.search(rf"slot {name} edition {name}: sent (\d+), failed 0, retrying 0, "
                      r"unconfirmed (\d+)", log)
    assert found, log
    return int(found.group(1)), int(found.group(2))


def assert_each_once(sink: Sink, slot: dt.datetime, unconfirmed: int) -> None:
    """Nobody got the slot's edition twice; only an unconfirmed one (killed waiting for its
    250: at most one) may be missing, and here the server took even that one."""
    got = by_edition(sink)[slot_name(slot)]
    assert set(got.values()) == {1}
    assert unconfirmed <= 1 and RECIPIENTS - unconfirmed <= len(got) <= RECIPIENTS


@pytest.mark.slow
def test_a_slot_killed_mid_send_is_finished_by_send_due_after_the_next_slot_began(
        tmp_path: Path, sink: Sink, database: str | None) -> None:
    a, b, cron = two_slots(lead=3, gap=12)
    config = project(tmp_path, sink, cron, max_late="5m", recipients=150, rate=100,
                     database=database)
    sleep_until(a + dt.timedelta(seconds=0.2))
    kill_mid_send(send_due(config), sink)
    assert slot_rows(config, database) == {slot_name(a): "running"}
    sleep_until(b + dt.timedelta(seconds=0.5))  # the next slot has begun
    rerun = due(config)
    assert "Traceback" not in rerun.stderr
    assert len(by_edition(sink)[slot_name(a)]) >= RECIPIENTS - 1, rerun.stderr  # all of A
    assert slot_rows(config, database) == {slot_name(a): "sent", slot_name(b): "sent"}
    assert f"slot {slot_name(a)}: its run stopped mid-way; resuming it" in rerun.stderr
    sent_a, unconfirmed_a = finished_line(rerun.stderr, a)
    assert (sent_a + unconfirmed_a, finished_line(rerun.stderr, b)) == (
        RECIPIENTS, (RECIPIENTS, 0))
    assert rerun.returncode == (1 if unconfirmed_a else 0), rerun.stderr
    assert_each_once(sink, a, unconfirmed_a)
    assert set(by_edition(sink)[slot_name(b)].values()) == {1}
    assert len(by_edition(sink)[slot_name(b)]) == RECIPIENTS
    again = due(config)  # both done: nothing more
    assert again.returncode == 0 and "sent" not in again.stderr, again.stderr


@pytest.mark.slow
def test_a_slot_killed_mid_send_is_finished_by_the_daemon_restarted_after_the_next_slot(
        tmp_path: Path, sink: Sink, database: str | None) -> None:
    a, b, cron = two_slots(lead=8, gap=12)
    config = project(tmp_path, sink, cron, max_late="5m", recipients=150, rate=100,
                     database=database)
    first = Daemon(config, "first")
    try:
        first.wait_started(a)
        wait_for(lambda: len(sink.messages) >= 30 or first.proc.poll() is not None,
                 "the send")
    finally:
        first.proc.kill()  # kill -9 mid-send: slot A stays "running"
        first.stop()
    assert 30 <= len(sink.messages) < RECIPIENTS
    sleep_until(b + dt.timedelta(seconds=1))  # slot B passed while no daemon ran
    second = Daemon(config, "second")
    try:
        second.wait_log(f"slot {slot_name(b)} edition {slot_name(b)}: sent {RECIPIENTS}")
        second.wait_log(f"slot {slot_name(a)} edition {slot_name(a)}: sent ")
    finally:
        assert second.stop() == 0
    assert f"slot {slot_name(a)}: its run stopped mid-way; resuming it" in second.log
    sent_a, unconfirmed_a = finished_line(second.log, a)
    assert sent_a + unconfirmed_a == RECIPIENTS
    assert_each_once(sink, a, unconfirmed_a)
    assert len(by_edition(sink)[slot_name(b)]) == RECIPIENTS
    assert slot_rows(config, database) == {slot_name(a): "sent", slot_name(b): "sent"}
    assert "Traceback" not in second.log


@pytest.mark.slow
def test_a_started_slot_past_its_max_late_is_reported_once_with_what_was_never_sent(
        tmp_path: Path, sink: Sink, database: str | None) -> None:
    a = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=3)
    config = project(tmp_path, sink, once_at(a), max_late="8s", recipients=150, rate=100,
                     database=database)
    sleep_until(a + dt.timedelta(seconds=0.2))
    kill_mid_send(send_due(config), sink)
    out = len(sink.messages)
    sleep_until(a + dt.timedelta(seconds=9))  # its max_late has passed
    late = due(config)
    assert late.returncode == 1, late.stderr
    lines = [line for line in late.stderr.splitlines() if f"slot {slot_name(a)}" in line]
    assert len(lines) == 1, late.stderr
    never = re.search(rf"slot {slot_name(a)}: not finished: max_late 8s passed: (\d+) of "
                      rf"{RECIPIENTS} recipients never sent", lines[0])
    assert never, lines[0]
    assert int(never.group(1)) in (RECIPIENTS - out, RECIPIENTS - out - 1)  # -1: unconfirmed
    assert f"`digest send {tmp_path / 'outbox' / slot_name(a)}` still sends them" in lines[0]
    assert len(sink.messages) == out  # too late: nothing more went out
    assert slot_rows(config, database) == {slot_name(a): "expired"}
    time.sleep(0.5)
    quiet = due(config)  # reported once
    assert (quiet.returncode, quiet.stderr) == (0, "")


def test_expiry_in_process_names_the_count_once_and_leaves_a_live_run_alone(
        tmp_path: Path) -> None:
    """The slots table by hand: a slot whose process died, one still being sent; an hour
    after their 08:00 slot (max_late 1m), no slot is due, yet the dead one is reported."""
    from sqlalchemy import update

    from digest.config import load_config
    from digest.schedule.run import run_due
    from digest.schedule.slots import SlotLedger, slots_table

    (tmp_path / "to.csv").write_text("email,name\na@example.org,A\nb@example.org,B\n")
    path = tmp_path / "digest.toml"
    path.write_text('[send]\nto = "to.csv"\n[schedule]\ncron = "0 8,9 * * *"\n'
                    'max_late = "1m"\n')
    config = load_config(path)
    slots = SlotLedger(config.ledger_url)
    eight, nine = (dt.datetime(2026, 11, 30, h, tzinfo=dt.UTC) for h in (8, 9))
    assert slots.claim("2026-11-30-0800", eight) and slots.claim("2026-11-30-0900", nine)
    proc = subprocess.Popen(["true"])  # a pid that is surely gone
    proc.wait()
    host = slots.get("2026-11-30-0800").owner.split(":")[0]  # type: ignore[union-attr]
    dead = f"{host}:{proc.pid}:?:x"
    with slots.engine.begin() as conn:
        conn.execute(update(slots_table).where(slots_table.c.slot == "2026-11-30-0800")
                     .values(owner=dead))
    assert run_due(config, now=nine + dt.timedelta(minutes=5)) == 1
    row = slots.get("2026-11-30-0800")
    assert row is not None and row.status == "expired"
    assert row.detail == ("max_late 1m passed: 2 of 2 recipients never sent")
    live = slots.get("2026-11-30-0900")
    assert live is not None and live.status == "running"  # ours, alive: left to us
    assert run_due(config, now=nine + dt.timedelta(minutes=6)) == 0  # reported once
    slots.close()
