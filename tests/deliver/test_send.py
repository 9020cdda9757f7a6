"""`digest send` against a real SMTP server (aiosmtpd on loopback), end to end."""

from __future__ import annotations

import os
import subprocess
import threading
from functools import partial
from pathlib import Path

import pytest
from gates import FAST_GATE
from smtp_server import (
    DIGEST,
    ROOT,
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
from digest.errors import ConfigError, DeliveryError

# Every send here passes the fast gate (tests/gates.py); the real tools run in tests/check/
# and in test_cli_send_prints_the_summary_last.
deliver = partial(sender.deliver, gate=FAST_GATE)

PEOPLE = [("ann@example.com", "Ann <b>Bold</b> & Co"), ("bob@example.org", "Bób Müller"),
          ("cy@example.net", "")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_edition(tmp_path_factory.mktemp("built") / "outbox")


@pytest.fixture
def edition(built: Path, tmp_path: Path) -> Path:
    return copy_edition(built, tmp_path / "outbox")


def setup(tmp_path: Path, server: SmtpServer | None, people: list[tuple[str, ...]] = PEOPLE,
          **kw: str) -> Path:
    csv = write_csv(tmp_path / "recipients.csv", people)
    return write_config(tmp_path, smtp=server.url if server else None, to=csv, **kw)


def states(config_path: Path) -> dict[str, str]:
    config = config_at(config_path)
    ledger = Ledger(config.ledger_url)
    try:
        return {d.email: d.state for d in ledger.deliveries("2024-08-13")}
    finally:
        ledger.close()


def test_message_content_and_headers_as_received(tmp_path: Path, edition: Path) -> None:
    with SmtpServer() as server:
        config = config_at(setup(tmp_path, server))
        report = deliver(config, edition)
        assert (report.sent, report.failed, report.retrying) == (3, 0, 0)
        got = {m.rcpt_tos[0]: m for m in server.messages}
    assert sorted(got) == sorted(p[0] for p in PEOPLE)
    ids = set()
    for address, name in PEOPLE:
        received = got[address]
        assert received.mail_from == "digest@example.org"
        msg = received.message
        assert msg["To"].addresses[0].addr_spec == address
        assert msg["To"].addresses[0].display_name == name
        assert msg["From"] == "Digest <digest@example.org>"
        assert "DDOS" in msg["Subject"]
        assert msg["Date"] and msg["MIME-Version"] == "1.0" and msg["List-Id"]
        ids.add(msg["Message-ID"])
        unsubscribe = msg["List-Unsubscribe"]
        https, mailto = (u.strip(" <>") for u in unsubscribe.split(","))
        assert https.startswith("https://") and address.replace("@", "%40") in https
        assert mailto.startswith("mailto:")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg.get_content_type() == "multipart/alternative"
        parts = [p.get_content_type() for p in msg.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert address in text and "%%" not in text and "%%" not in html
        assert "1.1m" in text and "1.1m" in html
        assert https.replace("&", "&amp;") in html
        for line in received.data.split(b"\r\n"):
            assert len(line) <= 998
    assert len(ids) == 3  # unique per recipient


def test_recipient_values_are_escaped_in_html(tmp_path: Path, edition: Path) -> None:
    people = [("eve@example.com", "<script>alert(1)</script>")]
    with SmtpServer() as server:
        deliver(config_at(setup(tmp_path, server, people)), edition)
        msg = server.messages[0].message
    html = msg.get_body(("html",)).get_content()
    assert "<script>alert" not in html
    assert msg["To"].addresses[0].display_name == "<script>alert(1)</script>"


def test_rerun_sends_nothing_twice(tmp_path: Path, edition: Path) -> None:
    with SmtpServer() as server:
        config = config_at(setup(tmp_path, server))
        deliver(config, edition)
        again = deliver(config, edition)
        assert (again.sent, again.sent_now, again.exit_code) == (3, 0, 0)
        assert len(server.messages) == 3


def test_4xx_then_success_on_rerun(tmp_path: Path, edition: Path) -> None:
    behaviour = Behaviour(temp_fail={"bob@example.org": 1})
    with SmtpServer(behaviour) as server:
        path = setup(tmp_path, server)
        first = deliver(config_at(path), edition)
        assert (first.sent, first.failed, first.retrying, first.exit_code) == (2, 0, 1, 1)
        assert states(path)["bob@example.org"] == "retry"
        second = deliver(config_at(path), edition)
        assert (second.sent, second.retrying, second.exit_code) == (3, 0, 0)
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in PEOPLE}


def test_4xx_waits_for_its_backoff(tmp_path: Path, edition: Path) -> None:
    behaviour = Behaviour(temp_fail={"bob@example.org": 5})
    with SmtpServer(behaviour) as server:
        path = setup(tmp_path, server, send_extra="")
        path.write_text(path.read_text().replace("retry_after = 0", "retry_after = 3600"))
        deliver(config_at(path), edition)
        again = deliver(config_at(path), edition)  # not due yet: nothing sent, still waiting
        assert (again.sent_now, again.retrying, again.exit_code) == (0, 1, 1)
        assert server.sink.mail_commands == 3


def test_5xx_is_recorded_as_failed(tmp_path: Path, edition: Path) -> None:
    with SmtpServer(Behaviour(perm_fail={"cy@example.net"})) as server:
        path = setup(tmp_path, server)
        report = deliver(config_at(path), edition)
        assert (report.sent, report.failed, report.retrying, report.exit_code) == (2, 1, 0, 1)
        ledger = Ledger(config_at(path).ledger_url)
        row = {d.email: d for d in ledger.deliveries("2024-08-13")}["cy@example.net"]
        ledger.close()
        assert row.state == "failed" and row.reply and row.reply.startswith("550")
        deliver(config_at(path), edition)  # a failed recipient is not tried again
        assert server.sink.mail_commands == 3


def test_connection_dropped_mid_batch(tmp_path: Path, edition: Path) -> None:
    people = [(f"r{i}@example.com", f"R {i}") for i in range(10)]
    with SmtpServer(Behaviour(drop_before={4, 8})) as server:
        report = deliver(config_at(setup(tmp_path, server, people)), edition)
        assert (report.sent, report.exit_code) == (10, 0)
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in people}
        assert server.sink.connections >= 3


def test_auth_required(tmp_path: Path, edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with SmtpServer(auth=("digest", "s3cret-pw")) as server:
        url = server.url.replace("smtp://", "smtp://digest@")
        path = setup(tmp_path, server)
        path.write_text(path.read_text().replace(server.url, url))
        monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
        with pytest.raises(DeliveryError, match="DIGEST_SMTP_PASSWORD"):
            deliver(config_at(path), edition)
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong")
        with pytest.raises(DeliveryError, match="AUTH as 'digest' refused: 535"):
            deliver(config_at(path), edition)
        assert server.messages == []
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret-pw")
        assert deliver(config_at(path), edition).sent == 3
        assert len(server.messages) == 3
    assert "s3cret-pw" not in (tmp_path / "ledger.sqlite").read_bytes().decode("latin-1")


def test_auth_required_but_not_configured(tmp_path: Path, edition: Path) -> None:
    with SmtpServer(auth=("digest", "pw")) as server:
        with pytest.raises(DeliveryError, match="refused the sender"):
            deliver(config_at(setup(tmp_path, server)), edition)
        assert states(tmp_path / "digest.toml") == dict.fromkeys(
            (p[0] for p in PEOPLE), "pending")  # nothing marked failed: a fix resends all


def test_starttls(tmp_path: Path, edition: Path) -> None:
    with SmtpServer(tls_dir=tmp_path / "tls") as server:
        url = f"smtp+starttls://127.0.0.1:{server.port}?cafile={server.cafile}"
        path = setup(tmp_path, server)
        path.write_text(path.read_text().replace(server.url, url))
        assert deliver(config_at(path), edition).sent == 3
        assert len(server.messages) == 3


def test_starttls_with_an_untrusted_certificate_fails(tmp_path: Path, edition: Path) -> None:
    with SmtpServer(tls_dir=tmp_path / "tls") as server:
        path = setup(tmp_path, server)
        path.write_text(path.read_text().replace("smtp://", "smtp+starttls://"))
        with pytest.raises(DeliveryError, match=r"TLS|certificate"):
            deliver(config_at(path), edition)
        assert server.messages == []


def test_header_injection_from_the_csv_is_a_bad_row(tmp_path: Path, edition: Path) -> None:
    people = [("ann@example.com", "Ann"), ("mal@example.com", "Mal\r\nBcc: victim@example.org"),
              ("not-an-address", "X")]
    with SmtpServer() as server:
        report = deliver(config_at(setup(tmp_path, server, people)), edition)
        assert report.sent == 1 and report.exit_code == 2
        assert [b.line for b in report.bad_rows] == [3, 5]
        assert [m.rcpt_tos for m in server.messages] == [["ann@example.com"]]
        assert b"victim" not in server.messages[0].data


def test_header_injection_from_config_is_refused(tmp_path: Path, edition: Path) -> None:
    with SmtpServer() as server:
        path = setup(tmp_path, server)
        path.write_text(path.read_text().replace(
            'from = "Digest <digest@example.org>"',
            'from = "Digest <digest@example.org>\\r\\nBcc: victim@example.org"'))
        with pytest.raises(ConfigError, match="from"):
            deliver(config_at(path), edition)
        assert server.messages == []


def test_dry_run_writes_each_message(tmp_path: Path, edition: Path) -> None:
    report = deliver(config_at(setup(tmp_path, None)), edition, dry_run=True)
    assert (report.written, report.sent, report.exit_code) == (3, 0, 0)
    files = sorted((edition / "dry-run").glob("*.eml"))
    assert [f.name for f in files] == ["00001-ann@example.com.eml",
                                       "00002-bob@example.org.eml", "00003-cy@example.net.eml"]
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in files[0].read_bytes()
    assert not (tmp_path / "ledger.sqlite").exists()


@pytest.mark.slow
def test_two_senders_at_once_send_each_recipient_once(tmp_path: Path, edition: Path) -> None:
    people = [(f"r{i}@example.com", "") for i in range(300)]
    with SmtpServer() as server:
        path = setup(tmp_path, server, people)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                deliver(config_at(path), edition)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in people}


@pytest.mark.slow
def test_cli_send_prints_the_summary_last(tmp_path: Path, edition: Path) -> None:
    with SmtpServer(Behaviour(perm_fail={"cy@example.net"})) as server:
        setup(tmp_path, server)
        # The real gate (SpamAssassin, Node) here; the other send tests pass the fast one.
        result = run_cli("send", cwd=tmp_path, real_gate=True)  # no EDITION_DIR: the newest
        assert result.returncode == 1, result.stderr
        line = "sent 2, failed 1, retrying 0, unconfirmed 0"
        assert result.stdout.strip().splitlines()[-1] == line
        again = run_cli("send", str(edition), cwd=tmp_path)
        assert again.stdout.strip().splitlines()[-1] == line
        assert len(server.messages) == 2


@pytest.mark.slow
def test_cli_send_bad_input(tmp_path: Path, edition: Path) -> None:
    setup(tmp_path, None)
    result = run_cli("send", str(edition), "--to", "missing.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("digest: error: ") and "missing.csv" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("send", str(edition), "--smtp", "smtp://u:pw@127.0.0.1:1", cwd=tmp_path)
    assert result.returncode == 2 and "DIGEST_SMTP_PASSWORD" in result.stderr
    assert "pw@" not in result.stderr


@pytest.mark.slow
def test_cli_unreachable_server(tmp_path: Path, edition: Path) -> None:
    setup(tmp_path, None)
    result = run_cli("send", str(edition), "--smtp", "smtp://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "sent 0, failed 0, retrying 3, unconfirmed 0"


@pytest.mark.slow
def test_concurrent_cron_runs_send_nothing_twice(tmp_path: Path, edition: Path) -> None:
    """Three `digest send` processes at once (cron firing while a run is still going)."""
    people = [(f"c{i}@example.com", "") for i in range(400)]
    with SmtpServer() as server:
        setup(tmp_path, server, people)
        procs = [subprocess.Popen([*DIGEST, "send", str(edition)],
                                  cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(3)]
        codes = [p.wait(timeout=300) for p in procs]
        assert set(codes) <= {0, 1}  # 1: another run still held some rows when this one ended
        assert server.sink.count_by_recipient() == {p[0]: 1 for p in people}
        final = run_cli("send", str(edition), cwd=tmp_path)
        assert final.returncode == 0
        assert final.stdout.strip().splitlines()[-1] == (
            "sent 400, failed 0, retrying 0, unconfirmed 0")
        assert len(server.messages) == 400
