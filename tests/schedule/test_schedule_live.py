"""Schedule in real time: `python -m digest schedule` as a subprocess, a real SQLite job store
and ledger, a real SMTP server (aiosmtpd) on 127.0.0.1, seconds-level slots.

Waits poll for a log line or a message with a generous deadline; nothing asserts how long
anything took.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from smtp_server import DIGEST, Received, SmtpServer

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


# --- a real SMTP server on a free loopback port (tests/smtp_server.py, shared with send) ------

class Sink:
    """What these tests read off the server: who got a message, and the subjects."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self.port = server.port

    @property
    def messages(self) -> list[Received]:
        with self.server.sink.lock:
            return list(self.server.messages)

    def recipients(self) -> list[str]:
        return sorted(r for m in self.messages for r in m.rcpt_tos)

    def subjects(self) -> list[str]:
        return [str(m.message["Subject"]) for m in self.messages]


@pytest.fixture
def sink() -> Iterator[Sink]:
    with SmtpServer() as server:
        yield Sink(server)


# --- a project folder: seed sources, two recipients, the schedule -----------------------

RECIPIENTS = ["ada@example.org", "grace@example.org"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    """None: the SQLite defaults in the outbox; else a fresh PostgreSQL database's URL (the
    job store, the slots and the ledger then all live in it)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres")
    return url


def project(tmp_path: Path, sink: Sink, cron: str, max_late: str = "1m",
            no_news: str = "skip", min_highlights: int = 0, recipients: int = 0,
            rate: float = 0, database: str | None = None, force: bool = True,
            extra: str = "") -> Path:
    rows = ["ada@example.org,Ada", "grace@example.org,Grace"]
    rows += [f"reader{i:04d}@example.org,Reader {i}" for i in range(recipients)]
    (tmp_path / "recipients.csv").write_text("email,name\n" + "\n".join(rows) + "\n",
                                             encoding="utf-8")
    config = tmp_path / "digest.toml"
    config.write_text(f"""
[build]
sources = ["{REPO / 'seeds'}"]
outbox = "outbox"

[email]
from = "Digest <digest@example.org>"

[send]
to = "recipients.csv"
smtp = "smtp://127.0.0.1:{sink.port}"
force = {str(force).lower()}
rate = {rate}
{f'ledger = "{database}"' if database else ""}

[schedule]
cron = "{cron}"
timezone = "Europe/London"
max_late = "{max_late}"
no_news = "{no_news}"
min_highlights = {min_highlights}
{f'jobstore = "{database}"' if database else ""}
{extra}
""", encoding="utf-8")
    return config


def once_at(moment: dt.datetime) -> str:
    """A six-field cron expression that fires at `moment` (London time) and not again soon."""
    local = moment.astimezone(dt.UTC).astimezone(_london())
    return f"{local.second} {local.minute} {local.hour} {local.day} {local.month} *"


def _london() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def slot_name(moment: dt.datetime) -> str:
    return moment.astimezone(_london()).strftime("%Y-%m-%d-%H%M%S")


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def sleep_until(moment: dt.datetime) -> None:
    delay = (moment - dt.datetime.now(dt.UTC)).total_seconds()
    if delay > 0:
        time.sleep(delay)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


class Daemon:
    """`python -m digest schedule` in the background, its stderr in a file."""

    def __init__(self, config: Path, name: str = "daemon") -> None:
        self.log_path = config.parent / f"{name}-{time.monotonic_ns()}.log"
        self.log_file = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [*DIGEST, "schedule", "--config", str(config)],
            cwd=config.parent, env=env(), stdout=self.log_file, stderr=subprocess.STDOUT)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_started(self, slot: dt.datetime) -> None:
        """Up, with `slot` as its next slot (so it started in time for it)."""
        self.wait_log("next slot")
        assert f"next slot {slot.astimezone(_london()).isoformat()}" in self.log, self.log

    def wait_log(self, text: str, timeout: float = 60) -> None:
        wait_for(lambda: text in self.log or self.proc.poll() is not None, repr(text), timeout)
        assert text in self.log, self.log

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(how)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"did not stop on {how.name}:\n{self.log}") from None
        finally:
            self.log_file.close()


def due(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DIGEST, "send", "--due", "--config",
                           str(config)], cwd=config.parent, env=env(), capture_output=True,
                          text=True, timeout=120)


def slot_rows(config: Path, database: str | None = None) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    url = database or f"sqlite:///{config.parent / 'outbox' / 'ledger.sqlite'}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select slot, status from digest_schedule_slots"))
            return {slot: status for slot, status in rows}
    finally:
        engine.dispose()


# --- the tests ------------------------------------------------------------------------------

def test_a_slot_fires_and_sends_each_recipient_once(tmp_path: Path, sink: Sink) -> None:
    slot = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=8)
    config = project(tmp_path, sink, once_at(slot))
    daemon = Daemon(config)
    try:
        daemon.wait_started(slot)
        daemon.wait_log(f"slot {slot_name(slot)} edition {slot_name(slot)}: sent 2, failed 0")
    finally:
        assert daemon.stop(signal.SIGINT) == 0  # Ctrl-C
    assert sink.recipients() == RECIPIENTS
    assert (tmp_path / "outbox" / slot_name(slot) / "edition.json").is_file()
    assert slot_rows(config) == {slot_name(slot): "sent"}
    assert "stopped" in daemon.log
    assert "Traceback" not in daemon.log


def _down_across(tmp_path: Path, sink: Sink, max_late: str, back_after: float) -> tuple[
        Path, dt.datetime, Daemon]:
    slot = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=8)
    config = project(tmp_path, sink, once_at(slot), max_late=max_late)
    first = Daemon(config, "first")
    try:
        first.wait_started(slot)
    finally:
        code = first.stop()
    assert code == 0  # the job, due at `slot`, stays in the store
    sleep_until(slot + dt.timedelta(seconds=back_after))
    assert sink.messages == []
    return config, slot, Daemon(config, "second")


def test_down_across_a_slot_and_back_within_max_late_catches_up_once(
        tmp_path: Path, sink: Sink) -> None:
    config, slot, second = _down_across(tmp_path, sink, max_late="1m", back_after=2)
    try:
        second.wait_log(f"slot {slot_name(slot)} edition {slot_name(slot)}: sent 2")
        # System cron calling at the same time finds the slot taken and sends nothing.
        assert due(config).returncode == 0
    finally:
        assert second.stop() == 0
    assert sink.recipients() == RECIPIENTS
    assert second.log.count("sent 2") == 1
    assert slot_rows(config) == {slot_name(slot): "sent"}


def test_down_across_a_slot_and_back_after_max_late_logs_missed(
        tmp_path: Path, sink: Sink) -> None:
    config, slot, second = _down_across(tmp_path, sink, max_late="2s", back_after=5)
    try:
        second.wait_log(f"slot {slot_name(slot)} missed")
        assert due(config).returncode == 0  # too late for cron as well
    finally:
        assert second.stop() == 0
    assert sink.messages == []
    assert slot_rows(config) == {slot_name(slot): "missed"}
    assert not (tmp_path / "outbox" / slot_name(slot)).exists()


def test_two_schedulers_on_one_store_send_once(tmp_path: Path, sink: Sink,
                                               database: str | None) -> None:
    slot = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=8)
    config = project(tmp_path, sink, once_at(slot), database=database)
    daemons = [Daemon(config, "a"), Daemon(config, "b")]
    cron = subprocess.CompletedProcess[str]([], 0, "", "")
    try:
        for daemon in daemons:
            daemon.wait_started(slot)
        sleep_until(slot)
        cron = due(config)  # and system cron, at the same moment
        wait_for(lambda: any("sent 2" in d.log for d in daemons) or "sent 2" in cron.stderr,
                 "a send")
        sleep_until(slot + dt.timedelta(seconds=5))  # give the others their chance to fire
    finally:
        assert [d.stop() for d in daemons] == [0, 0]
    assert cron.returncode == 0, cron.stderr
    assert sink.recipients() == RECIPIENTS
    assert sum(d.log.count("sent 2") for d in daemons) + cron.stderr.count("sent 2") == 1


def test_killed_mid_send_and_restarted_sends_each_recipient_once(
        tmp_path: Path, sink: Sink, database: str | None) -> None:
    slot = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=8)
    config = project(tmp_path, sink, once_at(slot), max_late="5m", recipients=298, rate=100,
                     database=database)
    first = Daemon(config, "first")
    try:
        first.wait_started(slot)
        wait_for(lambda: len(sink.messages) >= 30, "the send to start")
    finally:
        first.proc.kill()  # kill -9: no clean-up, the slot row stays "running"
        first.stop()
    assert len(sink.messages) < 300
    second = Daemon(config, "second")
    try:
        second.wait_log(f"slot {slot_name(slot)} edition {slot_name(slot)}: sent ")
        assert "attempt 2" in second.log
    finally:
        assert second.stop() == 0
    received = sink.recipients()
    assert len(received) == len(set(received))  # nobody twice
    # Killed waiting for a 250 (after the end of data): that one is unconfirmed, at most 1.
    found = re.search(r"sent (\d+), failed 0, retrying 0, unconfirmed (\d+)", second.log)
    assert found, second.log
    sent, unconfirmed = int(found.group(1)), int(found.group(2))
    assert sent + unconfirmed == 300 and unconfirmed <= 1
    assert sent <= len(received) <= 300
    assert slot_rows(config, database) == {slot_name(slot): "sent"}


def test_send_due_twice_sends_once(tmp_path: Path, sink: Sink, database: str | None) -> None:
    slot = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    config = project(tmp_path, sink, once_at(slot), max_late="5m", database=database)
    first = due(config)
    assert first.returncode == 0, first.stderr
    assert "sent 2, failed 0, retrying 0" in first.stderr
    second = due(config)
    assert second.returncode == 0, second.stderr
    assert "sent" not in second.stderr
    assert sink.recipients() == RECIPIENTS
    assert list(slot_rows(config, database).values()) == ["sent"]


def test_no_news_skips_or_sends_a_quiet_edition(tmp_path: Path, sink: Sink) -> None:
    skip = project(tmp_path, sink, "*/3 * * * * *", max_late="3s", min_highlights=1)
    assert due(skip).returncode == 0  # first slot: everything is new
    assert len(sink.messages) == 2
    time.sleep(3)  # the next slot: the same sources, nothing new
    result = due(skip)
    assert result.returncode == 0, result.stderr
    assert "no news: 0 new posts since edition" in result.stderr
    assert len(sink.messages) == 2
    assert sorted(slot_rows(skip).values()) == ["sent", "skipped"]

    quiet = project(tmp_path, sink, "*/3 * * * * *", max_late="3s", min_highlights=1,
                    no_news="quiet")
    time.sleep(3)
    result = due(quiet)
    assert result.returncode == 0, result.stderr
    assert "sending a short 'nothing new' edition" in result.stderr
    assert len(sink.messages) == 4
    assert all(s.startswith("Nothing new") for s in sink.subjects()[2:])


def test_an_edition_that_fails_its_checks_is_refused_once(tmp_path: Path, sink: Sink) -> None:
    slot = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    config = project(tmp_path, sink, once_at(slot), max_late="5m", force=False,
                     extra="[check]\nmax_subject = 5\n")
    first = due(config)
    assert first.returncode == 1, first.stderr
    assert f"slot {slot_name(slot)}: not sent: " in first.stderr
    assert "check(s) failed" in first.stderr
    second = due(config)  # cron, a minute later: the same edition would fail the same way
    assert second.returncode == 0, second.stderr
    assert second.stderr == ""
    assert sink.messages == []
    assert slot_rows(config) == {slot_name(slot): "refused"}


def test_down_across_three_slots_sends_the_last_once_and_logs_the_others_missed(
        tmp_path: Path, sink: Sink) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if now.second > 42:  # keep the three slots inside one minute
        sleep_until(now.replace(second=0) + dt.timedelta(minutes=1, seconds=1))
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    slots = [now + dt.timedelta(seconds=s) for s in (8, 10, 12)]
    first_cron = once_at(slots[0]).split(" ", 1)
    cron = ",".join(str(s.second) for s in slots) + " " + first_cron[1]
    config = project(tmp_path, sink, cron, max_late="1m")
    first = Daemon(config, "first")
    try:
        first.wait_started(slots[0])
    finally:
        code = first.stop()
    assert code == 0
    sleep_until(slots[-1] + dt.timedelta(seconds=2))
    second = Daemon(config, "second")
    try:
        second.wait_log(f"slot {slot_name(slots[-1])} edition {slot_name(slots[-1])}: sent 2")
    finally:
        assert second.stop() == 0
    for slot in slots[:-1]:
        assert f"slot {slot_name(slot)} missed: due" in second.log
    assert sink.recipients() == RECIPIENTS
    assert slot_rows(config) == {slot_name(slots[0]): "missed", slot_name(slots[1]): "missed",
                                 slot_name(slots[2]): "sent"}
