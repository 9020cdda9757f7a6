"""`digest send` from the command line when the server or the settings are wrong: one line on
stderr naming the server and the fix, exit 2 for settings a rerun cannot fix, 1 for a server
that may recover, the summary line last, and a rerun with good settings sends each once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from smtp_server import (
    DIGEST,
    ROOT,
    Behaviour,
    SmtpServer,
    build_edition,
    copy_edition,
    run_cli,
    write_config,
    write_csv,
)

PEOPLE: list[tuple[str, ...]] = [("ann@example.com", "Ann"), ("bob@example.org", "Bob")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_edition(tmp_path_factory.mktemp("built") / "outbox")


@pytest.fixture
def edition(built: Path, tmp_path: Path) -> Path:
    return copy_edition(built, tmp_path / "outbox")


def setup(tmp_path: Path, people: list[tuple[str, ...]] = PEOPLE) -> Path:
    return write_config(tmp_path, smtp=None, to=write_csv(tmp_path / "to.csv", people))


def send(tmp_path: Path, smtp: str, *args: str,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = run_cli("send", "--smtp", smtp, *args, cwd=tmp_path, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest: error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def last(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


@contextmanager
def raw_server(greeting: bytes | None) -> Iterator[int]:
    """A TCP server on loopback that answers every connection with `greeting` and hangs up,
    or (None) accepts and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            if greeting is None:
                held.append(conn)
            else:
                conn.sendall(greeting)
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for conn in held:
            conn.close()


@pytest.mark.slow
def test_a_server_refusing_the_connection_then_a_good_rerun(tmp_path: Path,
                                                            edition: Path) -> None:
    setup(tmp_path)
    with raw_server(b"421 4.3.2 too busy, come back later\r\n") as port:
        busy = send(tmp_path, f"smtp://127.0.0.1:{port}")
    assert busy.returncode == 1
    line = error_line(busy)
    assert f"smtp://127.0.0.1:{port}" in line
    assert "refused the connection: 421 4.3.2 too busy" in line and "b'" not in line
    assert last(busy) == "sent 0, failed 0, retrying 2, unconfirmed 0"
    with SmtpServer() as server:
        good = send(tmp_path, server.url)
        again = send(tmp_path, server.url)
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in PEOPLE}
    assert (good.returncode, last(good)) == (0, "sent 2, failed 0, retrying 0, unconfirmed 0")
    assert (again.returncode, last(again)) == (0, "sent 2, failed 0, retrying 0, unconfirmed 0")


@pytest.mark.slow
def test_a_server_that_never_answers_times_out(tmp_path: Path, edition: Path) -> None:
    path = setup(tmp_path)
    path.write_text(path.read_text().replace("timeout = 10", "timeout = 0.5"))
    with raw_server(None) as port:
        silent = send(tmp_path, f"smtp://127.0.0.1:{port}")
    assert silent.returncode == 1
    assert "no answer from the server (timed out; [send] timeout)" in error_line(silent)


@pytest.mark.parametrize(("kind", "says"), [
    ("smtps", "smtps:// wants TLS from the first byte"),
    ("starttls", "does not offer STARTTLS"),
    ("auth-no-password", "needs the password in the environment variable DIGEST_SMTP_PASSWORD"),
    ("auth-wrong-password", "AUTH as 'reader' refused: 535"),
    ("auth-no-user", "530 5.7.0 Authentication required (it wants AUTH: smtp://USER@host"),
])
@pytest.mark.slow
def test_settings_a_rerun_cannot_fix_exit_2_and_lose_nothing(
        tmp_path: Path, edition: Path, kind: str, says: str) -> None:
    setup(tmp_path)
    auth = ("reader", "right") if kind.startswith("auth") else None
    with SmtpServer(auth=auth) as server:
        host = f"127.0.0.1:{server.port}"
        url = {"smtps": f"smtps://{host}", "starttls": f"smtp+starttls://{host}",
               "auth-no-user": f"smtp://{host}"}.get(kind, f"smtp://reader@{host}")
        env = {"DIGEST_SMTP_PASSWORD": "wrong" if kind == "auth-wrong-password" else ""}
        bad = send(tmp_path, url, env=env)
        assert bad.returncode == 2, bad.stderr
        line = error_line(bad)
        assert says in line and host in line
        assert "right" not in bad.stderr + bad.stdout and "wrong" not in line
        assert last(bad) == "sent 0, failed 0, retrying 2, unconfirmed 0"
        assert server.messages == []
        good_url = f"smtp://reader@{host}" if auth else server.url
        good = send(tmp_path, good_url, env={"DIGEST_SMTP_PASSWORD": "right"})
        assert (good.returncode, last(good)) == (
            0, "sent 2, failed 0, retrying 0, unconfirmed 0"), good.stderr
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in PEOPLE}


@pytest.mark.slow
def test_each_failed_or_waiting_recipient_is_named_with_the_reply(tmp_path: Path,
                                                                  edition: Path) -> None:
    people: list[tuple[str, ...]] = [*PEOPLE, ("cy@example.net", "Cy")]
    path = setup(tmp_path, people)
    path.write_text(path.read_text().replace("retry_after = 0", "retry_after = 600"))
    behaviour = Behaviour(perm_fail={"ann@example.com"}, temp_fail={"bob@example.org": 9})
    with SmtpServer(behaviour) as server:
        result = send(tmp_path, server.url)
    assert result.returncode == 1
    assert last(result) == "sent 1, failed 1, retrying 1, unconfirmed 0"
    lines = result.stderr.splitlines()
    assert "digest: ann@example.com: failed: 550 5.1.1 no such user here" in lines
    waiting = [line for line in lines if line.startswith("digest: bob@example.org: retry after")]
    assert len(waiting) == 1 and "(tried 1 of 5): 451 4.7.1 greylisted" in waiting[0]


@pytest.mark.slow
def test_duplicates_are_reported_and_sent_once(tmp_path: Path, edition: Path) -> None:
    setup(tmp_path, [*PEOPLE, ("ANN@Example.com", "Ann again")])
    with SmtpServer() as server:
        result = send(tmp_path, server.url)
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in PEOPLE}
    assert (result.returncode, last(result)) == (0, "sent 2, failed 0, retrying 0, unconfirmed 0")
    assert "to.csv: line 4: duplicate of line 2 ('ANN@example.com') (sent once)" in result.stderr


def test_a_from_address_no_server_takes_names_the_option(tmp_path: Path, edition: Path) -> None:
    path = setup(tmp_path)
    path.write_text(path.read_text().replace('from = "Digest <digest@example.org>"\n',
                                             'from = "Digest <digest@localhost>"\n'))
    with SmtpServer() as server:
        result = send(tmp_path, server.url)
        assert server.messages == []
    assert result.returncode == 2
    assert result.stderr.startswith("digest: error: --from / [email] from: 'digest@localhost'")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_the_gate_checks_the_message_as_sent_not_only_the_eml(tmp_path: Path,
                                                              edition: Path) -> None:
    """The per-recipient message is merged from digest.merge.html; digest.eml is a sample.
    A bad link that only the merge file has must still stop the send."""
    merge = edition / "digest.merge.html"
    html = merge.read_text(encoding="utf-8")
    merge.write_text(html.replace('href="https://', 'href="javascript:alert(1);//', 1),
                     encoding="utf-8")
    setup(tmp_path)
    with SmtpServer() as server:
        refused = send(tmp_path, server.url)
        assert server.messages == []
        forced = send(tmp_path, server.url, "--force")
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in PEOPLE}
    assert refused.returncode == 1
    line = error_line(refused)
    assert "failed on the message as it would be sent" in line and "javascript:" in line
    assert (forced.returncode, last(forced)) == (0, "sent 2, failed 0, retrying 0, unconfirmed 0")
    clean = run_cli("check", str(edition), cwd=tmp_path)
    assert clean.returncode == 0  # digest.eml itself is untouched


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_send_reports_and_a_rerun_sends_the_rest_once(
        tmp_path: Path, edition: Path, sig: signal.Signals) -> None:
    people: list[tuple[str, ...]] = [(f"p{i}@example.com", f"P {i}") for i in range(120)]
    path = setup(tmp_path, people)
    path.write_text(path.read_text() + "rate = 40\n")
    started = threading.Event()
    behaviour = Behaviour(on_message=lambda n: started.set() if n >= 5 else None)
    with SmtpServer(behaviour) as server:
        proc = subprocess.Popen([*DIGEST, "send", "--smtp", server.url],
                                cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert started.wait(120)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1] == (
            "digest: interrupted; `digest send` again sends the rest, nobody twice")
        sent = int(out.strip().splitlines()[-1].split()[1].rstrip(","))
        assert 1 <= sent < 120  # the message in flight is settled by the rerun
        # Never unconfirmed: a signal waits for the reply of a message whose end of data left.
        assert out.strip().splitlines()[-1] == (
            f"sent {sent}, failed 0, retrying {120 - sent}, unconfirmed 0")
        rest = send(tmp_path, server.url)
        assert (rest.returncode, last(rest)) == (
            0, "sent 120, failed 0, retrying 0, unconfirmed 0"), rest.stderr
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in people}


@pytest.mark.parametrize(("args", "says"), [
    (["outbox"], "outbox: an outbox, not an edition: give one of its edition folders"),
    (["to.csv"], "to.csv: not a folder (EDITION_DIR is an edition folder"),
    (["nowhere"], "nowhere: no such edition folder"),
    (["--due", "outbox/2024-08-13"], "--due builds and sends the due slot's own edition; "
                                     "EDITION_DIR does not apply"),
    (["--due", "--dry-run"], "--dry-run does not apply"),
])
def test_a_wrong_edition_argument_is_one_line(tmp_path: Path, edition: Path, args: list[str],
                                              says: str) -> None:
    setup(tmp_path)
    result = send(tmp_path, "smtp://127.0.0.1:1", *args)
    assert result.returncode == 2
    assert says in error_line(result)
    assert len(result.stderr.strip().splitlines()) == 1

