"""Delivery faults against a real SMTP server (aiosmtpd on loopback), on SQLite and PostgreSQL:
a message whose end of data never left is sent again, in the same run after a reconnect or in
the next; one whose reply never came after the end of data is unconfirmed: never counted as
sent, reported, held (or resent, as [send] unconfirmed or --resend-unconfirmed say)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from gates import FAST_GATE
from smtp_server import (
    Behaviour,
    SmtpServer,
    build_edition,
    config_at,
    copy_edition,
    run_cli,
    write_config,
    write_csv,
)

from digest.deliver import sender
from digest.deliver.ledger import Ledger
from digest.errors import DeliveryError

deliver = partial(sender.deliver, gate=FAST_GATE)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_edition(tmp_path_factory.mktemp("built") / "outbox")


@pytest.fixture
def edition(built: Path, tmp_path: Path) -> Path:
    return copy_edition(built, tmp_path / "outbox")


# PostgreSQL in the full run (the quick loop keeps SQLite): the same faults, the same outcomes.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    url: str = request.getfixturevalue("postgres")
    return url


def people(n: int) -> list[tuple[str, ...]]:
    return [(f"r{i}@example.com", f"R {i}") for i in range(n)]


def setup(tmp_path: Path, server: SmtpServer, ledger: str, n: int, send_extra: str = "") -> Path:
    path = write_config(tmp_path, smtp=server.url, to=write_csv(tmp_path / "to.csv", people(n)),
                        send_extra=send_extra)
    text = path.read_text().replace(f'ledger = "{tmp_path / "ledger.sqlite"}"',
                                    f'ledger = "{ledger}"')
    path.write_text(text)
    return path


def states(path: Path) -> dict[str, str]:
    ledger = Ledger(config_at(path).ledger_url)
    try:
        return {d.email: d.state for d in ledger.deliveries("2024-08-13")}
    finally:
        ledger.close()


def each_once(server: SmtpServer, n: int) -> bool:
    return server.sink.count_by_recipient() == {p[0]: 1 for p in people(n)}


def test_a_drop_at_data_is_sent_again_on_a_new_connection(
        tmp_path: Path, edition: Path, ledger_url: str) -> None:
    """MAIL and RCPT accepted, then the server hangs up at DATA: nothing was handed over."""
    with SmtpServer(Behaviour(drop_at_data={2})) as server:
        path = setup(tmp_path, server, ledger_url, 4)
        before = server.sink.connections  # aiosmtpd's own look at the port, on start
        report = deliver(config_at(path), edition)
        assert (report.sent, report.failed, report.retrying, report.unconfirmed,
                report.exit_code) == (4, 0, 0, 0, 0)
        assert each_once(server, 4)
        assert server.sink.data_commands == 5 and server.sink.connections - before == 2


def test_a_drop_in_the_middle_of_data_is_sent_again_on_a_new_connection(
        tmp_path: Path, edition: Path, ledger_url: str) -> None:
    """The server answered DATA with 354 and hung up before the end of data: the message is
    certainly not delivered, so it goes out again (it was "sent (unconfirmed)", never sent)."""
    with SmtpServer(Behaviour(drop_in_data={2, 5})) as server:
        path = setup(tmp_path, server, ledger_url, 6)
        before = server.sink.connections
        report = deliver(config_at(path), edition)
        assert (report.sent, report.failed, report.retrying, report.unconfirmed,
                report.exit_code) == (6, 0, 0, 0, 0)
        assert report.line() == "sent 6, failed 0, retrying 0, unconfirmed 0"
        assert each_once(server, 6)
        assert server.sink.data_commands == 8 and server.sink.connections - before == 3
    assert set(states(path).values()) == {"sent"}


@pytest.mark.slow  # waits out the reconnect delays (0, 0.5 s, 2 s)
def test_a_drop_before_the_end_of_data_on_every_try_is_sent_by_the_next_run(
        tmp_path: Path, edition: Path, ledger_url: str) -> None:
    with SmtpServer(Behaviour(drop_in_data={1, 2, 3, 4})) as server:
        path = setup(tmp_path, server, ledger_url, 2)
        with pytest.raises(DeliveryError, match="before the end of data") as lost:
            deliver(config_at(path), edition)
        report = lost.value.report  # type: ignore[attr-defined]
        assert (report.sent, report.retrying, report.unconfirmed) == (0, 2, 0)
        assert set(states(path).values()) == {"pending"}
        assert server.messages == []
        again = deliver(config_at(path), edition)
        assert (again.sent, again.retrying, again.unconfirmed, again.exit_code) == (2, 0, 0, 0)
        assert each_once(server, 2)


def test_a_reply_slower_than_the_timeout_is_unconfirmed_and_held(
        tmp_path: Path, edition: Path, ledger_url: str) -> None:
    """The end of data went out, the reply did not come within [send] timeout: the server
    may or may not have the message (this one dropped it when the client left). Not sent,
    not lost: unconfirmed, exit 1, and by default never sent again on its own."""
    with SmtpServer(Behaviour(slow_reply={1: 5.0, 2: 5.0})) as server:
        path = setup(tmp_path, server, ledger_url, 2)
        path.write_text(path.read_text().replace("timeout = 10", "timeout = 0.5"))
        report = deliver(config_at(path), edition)
        assert (report.sent, report.failed, report.retrying, report.unconfirmed,
                report.exit_code) == (0, 0, 0, 2, 1)
        assert report.line() == "sent 0, failed 0, retrying 0, unconfirmed 2"
        assert server.messages == []  # the server let them go: "sent" would have lied
        assert set(states(path).values()) == {"unconfirmed"}
        held = deliver(config_at(path), edition)  # [send] unconfirmed = "hold", the default
        assert (held.sent_now, held.unconfirmed, held.exit_code) == (0, 2, 1)
        assert server.sink.data_commands == 2
        resent = deliver(config_at(path), edition, resend_unconfirmed=True)
        assert (resent.sent, resent.unconfirmed, resent.exit_code) == (2, 0, 0)
        assert each_once(server, 2)


def test_a_drop_after_the_end_of_data_is_unconfirmed_not_sent(
        tmp_path: Path, edition: Path, ledger_url: str) -> None:
    """This server took the message and hung up before answering: the client cannot know."""
    with SmtpServer(Behaviour(drop_after_data={2})) as server:
        path = setup(tmp_path, server, ledger_url, 5)
        report = deliver(config_at(path), edition)
        assert (report.sent, report.unconfirmed, report.retrying, report.exit_code) == (4, 1, 0, 1)
        assert each_once(server, 5)
        again = deliver(config_at(path), edition)  # held: nobody gets it twice
        assert (again.sent_now, again.unconfirmed) == (0, 1)
        assert each_once(server, 5)
    assert sorted(states(path).values()) == ["sent"] * 4 + ["unconfirmed"]


def test_resend_policy_sends_unconfirmed_again_on_the_next_run_up_to_max_attempts(
        tmp_path: Path, edition: Path, ledger_url: str) -> None:
    with SmtpServer(Behaviour(slow_reply={1: 5.0, 2: 5.0})) as server:
        path = setup(tmp_path, server, ledger_url, 1,
                     send_extra='unconfirmed = "resend"\nmax_attempts = 2\n')
        path.write_text(path.read_text().replace("timeout = 10", "timeout = 0.5"))
        first = deliver(config_at(path), edition)
        assert (first.sent, first.unconfirmed, first.resend, first.exit_code) == (0, 1, 1, 1)
        second = deliver(config_at(path), edition)  # resent, and unconfirmed again
        assert (second.sent, second.unconfirmed, second.resend) == (0, 1, 0)
        assert server.sink.data_commands == 2
        third = deliver(config_at(path), edition)  # 2 tries of 2: held from now on
        assert (third.sent_now, third.unconfirmed, third.exit_code) == (0, 1, 1)
        assert server.sink.data_commands == 2 and server.messages == []


@pytest.mark.slow  # four `digest send` processes
def test_the_command_reports_lists_holds_and_resends_unconfirmed(tmp_path: Path,
                                                                 edition: Path) -> None:
    with SmtpServer(Behaviour(slow_reply={1: 5.0})) as server:
        path = setup(tmp_path, server, str(tmp_path / "ledger.sqlite"), 2)
        path.write_text(path.read_text().replace("timeout = 10", "timeout = 0.5"))
        first = run_cli("send", str(edition), cwd=tmp_path)
        assert first.returncode == 1, first.stderr
        assert first.stdout.splitlines()[-1] == "sent 1, failed 0, retrying 0, unconfirmed 1"
        assert "digest: 1 unconfirmed: the end of data left and no reply came" in first.stderr
        assert "`digest send --list unconfirmed` names them" in first.stderr

        listed = run_cli("send", "--list", "unconfirmed", cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        (line,) = listed.stdout.splitlines()
        edition_id, who, when, why = line.split("\t")
        assert (edition_id, who) == ("2024-08-13", "r0@example.com")
        handed = dt.datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        assert abs((dt.datetime.now(dt.UTC) - handed).total_seconds()) < 300
        assert why.startswith("no reply after the end of data: no answer from the server")

        held = run_cli("send", str(edition), cwd=tmp_path)  # hold: nothing goes out again
        assert (held.returncode, held.stdout.splitlines()[-1]) == (
            1, "sent 1, failed 0, retrying 0, unconfirmed 1")
        assert server.sink.data_commands == 2
        resent = run_cli("send", str(edition), "--resend-unconfirmed", cwd=tmp_path)
        assert (resent.returncode, resent.stdout.splitlines()[-1]) == (
            0, "sent 2, failed 0, retrying 0, unconfirmed 0"), resent.stderr
        assert each_once(server, 2)
    assert run_cli("send", "--list", "unconfirmed", cwd=tmp_path).stdout == ""
    wrong = run_cli("send", "--due", "--resend-unconfirmed", cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == ("digest: error: command line: --resend-unconfirmed is for "
                                    "`digest send [EDITION_DIR]`; a scheduled run follows "
                                    "[send] unconfirmed")


def test_ctrl_c_while_a_reply_is_awaited_waits_for_it(tmp_path: Path, edition: Path) -> None:
    """Ctrl-C between the end of data and the reply would leave the message unconfirmed:
    it is held until the reply is in (at most [send] timeout), then stops the run."""
    with SmtpServer(Behaviour(slow_reply={1: 1.0})) as server:
        path = setup(tmp_path, server, str(tmp_path / "ledger.sqlite"), 3)

        def interrupt() -> None:  # in the middle of the first message's one-second reply
            deadline = time.monotonic() + 60
            while server.sink.data_commands < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.3)
            os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=interrupt, daemon=True).start()
        with pytest.raises(KeyboardInterrupt) as stopped:
            deliver(config_at(path), edition)
        report = stopped.value.report  # type: ignore[attr-defined]
        assert (report.sent, report.unconfirmed, report.retrying) == (1, 0, 2)
        assert states(path) == {"r0@example.com": "sent", "r1@example.com": "pending",
                                "r2@example.com": "pending"}
        assert len(server.messages) == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
