"""Crash test: kill -9 `digest send` at random points of a 1,000-recipient send, rerun it each
time, and count at the SMTP server (in this process, it outlives every sender) that each
recipient got the message exactly once.

Three kinds of kill, each at a point drawn by a seeded random generator:
- at a random moment after the sender started (during start-up, the checks, filling the
  ledger, or sending);
- at a random moment after the sender's first message of that run reached the server;
- from inside the server, while it holds a complete message and before it answers 250: the
  sender has written the end-of-data terminator and waits for the reply. This is the moment the
  ledger cannot see (the "crash window" of digest/deliver/sender.py); the rerun must neither
  resend that recipient nor count it as sent: it is unconfirmed (reported, exit 1), and here,
  where the server did take it, exactly once at the server.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from smtp_server import (
    DIGEST,
    ROOT,
    Behaviour,
    SmtpServer,
    build_edition,
    config_at,
    copy_edition,
    write_config,
    write_csv,
)

from digest.deliver.ledger import Ledger

RECIPIENTS = 1000
TRIALS = 3
KINDS = ("sending", "server", "anytime", "sending", "server")


def _start(edition: Path, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*DIGEST, "send", str(edition)], cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_edition(tmp_path_factory.mktemp("built") / "outbox")


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill_9_and_rerun_delivers_each_recipient_exactly_once(
        trial: int, built: Path, tmp_path: Path) -> None:
    rng = random.Random(20240813 + trial)
    work = tmp_path
    edition = copy_edition(built, work / "outbox")
    people = [(f"reader{i:04d}@example.com", f"Reader {i}") for i in range(RECIPIENTS)]
    config_path = write_config(work, smtp=None, to=write_csv(work / "to.csv", people))
    current: dict[str, subprocess.Popen[bytes] | None] = {"proc": None}
    kill_at: set[int] = set()

    def on_message(count: int) -> None:  # runs in the server, before it answers 250
        proc = current["proc"]
        if count in kill_at and proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()

    kills, server_kills = 0, 0
    with SmtpServer(Behaviour(on_message=on_message)) as server:
        _set_smtp(config_path, server.url)
        for kind in KINDS:
            before = len(server.messages)
            in_server = kind == "server"
            if in_server:  # kill inside the server at a random message of this run
                kill_at.add(before + rng.randint(1, 150))
            proc = current["proc"] = _start(edition, work)
            if kind == "sending":
                # wait for this run's first message (the checks run first), then a random delay
                while len(server.messages) == before and proc.poll() is None:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.25))
            elif kind == "anytime":
                time.sleep(rng.uniform(0.0, 4.0))
            if not in_server and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=300)
            if proc.returncode == -signal.SIGKILL:
                kills += 1
                server_kills += in_server
            assert len(server.messages) < RECIPIENTS, "the send finished before any kill"
        kill_at.clear()
        final = current["proc"] = _start(edition, work)
        out, err = final.communicate(timeout=300)
        counts = server.sink.count_by_recipient()

    assert kills == len(KINDS) and server_kills == KINDS.count("server")
    wrong = {p[0]: counts.get(p[0], 0) for p in people if counts.get(p[0], 0) != 1}
    assert wrong == {}, f"recipients not delivered exactly once: {wrong}"  # 0 twice, 0 lost
    ledger = Ledger(config_at(config_path).ledger_url)
    rows = ledger.deliveries(edition.name)
    ledger.close()
    assert len(rows) == RECIPIENTS and {r.state for r in rows} <= {"sent", "unconfirmed"}
    # Each kill inside the server left a row `sending` that the rerun found in the journal:
    # unconfirmed, not sent again, and reported by the final run.
    unconfirmed = sum(r.state == "unconfirmed" for r in rows)
    assert unconfirmed >= server_kills
    assert final.returncode == 1, err.decode()
    assert out.decode().strip().splitlines()[-1] == (
        f"sent {RECIPIENTS - unconfirmed}, failed 0, retrying 0, unconfirmed {unconfirmed}")


def _set_smtp(config_path: Path, url: str) -> None:
    text = config_path.read_text()
    text = text.replace("[send]\n", f'[send]\nsmtp = "{url}"\n', 1)
    config_path.write_text(text)
