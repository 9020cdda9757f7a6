"""`digest schedule --crontab` warns about what a cron run will miss; `--help` documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from smtp_server import run_cli


def test_crontab_warns_when_sending_is_not_configured(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('[email]\nfrom = "D <d@localhost>"\n')
    result = run_cli("schedule", "--crontab", cwd=tmp_path)
    assert result.returncode == 0
    assert "send --due" in result.stdout.strip().splitlines()[-1]
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 3, result.stderr
    assert "[send] to: digest send --due needs a recipient list" in warnings[0]
    assert "[send] smtp: digest send --due needs an SMTP server URL" in warnings[1]
    assert all(w.endswith("(`digest send --due` fails until fixed)") for w in warnings)
    assert "--from / [email] from: 'd@localhost'" in warnings[2]


@pytest.mark.slow
def test_crontab_is_quiet_when_ready_and_names_a_missing_list(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[email]\nfrom = "D <d@example.org>"\n[send]\nto = "people.csv"\n'
                      'smtp = "smtp://u@127.0.0.1:25"\n')  # cron's password: in the crontab
    missing = run_cli("schedule", "--crontab", "--config", str(config), cwd=tmp_path)
    assert missing.returncode == 0
    assert f"[send] to: no such file {tmp_path / 'people.csv'}" in missing.stderr
    (tmp_path / "people.csv").write_text("email,name\na@example.com,A\n")
    ready = run_cli("schedule", "--crontab", "--config", str(config), cwd=tmp_path)
    assert (ready.returncode, ready.stderr) == (0, "")
    assert f"--config {config}" in ready.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("command", "words"), [
    ("send", ["--to", "--smtp", "--from", "--rate", "--dry-run", "--due", "--force", "--config",
              "DIGEST_SMTP_PASSWORD", "sent N, failed N, retrying N", "exit"]),
    ("schedule", ["--next", "--crontab", "--config", "DIGEST_SMTP_PASSWORD", "max_late"]),
    ("check", ["EDITION_DIR", "--config", "SpamAssassin", "caniemail", "skipped"]),
])
def test_help_documents_every_option(tmp_path: Path, command: str, words: list[str]) -> None:
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for word in words:
        assert word in text, f"{command} --help lacks {word!r}"


@pytest.mark.slow
@pytest.mark.parametrize(("send", "says"), [
    ('smtp = "http://mail.example.org"', "unknown scheme 'http'"),
    ('smtp = "smtp://digest@127.0.0.1:1"', "AUTH as 'digest' needs DIGEST_SMTP_PASSWORD"),
])
def test_the_daemon_will_not_start_with_smtp_it_cannot_use(tmp_path: Path, send: str,
                                                           says: str) -> None:
    (tmp_path / "people.csv").write_text("email,name\na@example.com,A\n")
    config = tmp_path / "digest.toml"
    config.write_text(f'[email]\nfrom = "D <d@example.org>"\n[send]\nto = "people.csv"\n{send}\n')
    result = run_cli("schedule", "--config", str(config), cwd=tmp_path,
                     env={"DIGEST_SMTP_PASSWORD": ""}, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"digest: error: {config}: ")
    assert says in lines[0]


@pytest.mark.slow
def test_the_daemon_will_not_start_with_a_from_no_server_takes(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("email,name\na@example.com,A\n")
    config = tmp_path / "digest.toml"
    config.write_text('[email]\nfrom = "D <d@localhost>"\n'
                      '[send]\nto = "people.csv"\nsmtp = "smtp://127.0.0.1:1"\n')
    result = run_cli("schedule", "--config", str(config), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "--from / [email] from: 'd@localhost'" in result.stderr
    crontab = run_cli("schedule", "--crontab", "--config", str(config), cwd=tmp_path)
    assert crontab.returncode == 0 and "'d@localhost'" in crontab.stderr


@pytest.mark.slow
def test_send_due_with_a_missing_list_fails_the_slot_before_building(tmp_path: Path) -> None:
    """The slot is recorded as failed (retried while due), and nothing is built."""
    config = tmp_path / "digest.toml"
    config.write_text('[build]\noutbox = "out"\n[email]\nfrom = "D <d@example.org>"\n'
                      '[send]\nto = "people.csv"\nsmtp = "smtp://127.0.0.1:1"\n'
                      '[schedule]\ncron = "* * * * *"\nmax_late = "10m"\n')
    result = run_cli("send", "--due", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "failed: " in lines[0]
    assert f"{config}: [send] to: no such file {tmp_path / 'people.csv'}" in lines[0]
    assert not list((tmp_path / "out").glob("*/edition.json"))
