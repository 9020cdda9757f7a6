"""Opening the ledger and the job store: a missing database driver is one line naming the
key and the fix; `digest send --due` with nothing due loads no database code at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from smtp_server import ROOT, run_cli

from digest.store.db import open_error, safe_url


def _without_psycopg(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import psycopg` fails the way it does when not installed."""
    fake = tmp_path / "no-psycopg" / "psycopg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    return {"PYTHONPATH": f"{fake.parent}:{ROOT}"}


PG = "postgresql+psycopg://digest:s3cret@127.0.0.1:1/ledger"


def _config(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "people.csv").write_text("email,name\na@example.com,A\n", encoding="utf-8")
    path = tmp_path / "digest.toml"
    path.write_text(f'[build]\noutbox = "{tmp_path / "outbox"}"\n[email]\n'
                    'from = "Digest <digest@example.org>"\n[send]\nto = "people.csv"\n'
                    f'smtp = "smtp://127.0.0.1:1"\n{extra}', encoding="utf-8")
    return path


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize(("schedule", "args", "key"), [
    ('[schedule]\ncron = "* * * * *"\n', ["send", "--due"], "[send] ledger"),
    ('[schedule]\njobstore = "' + PG + '"\n', ["schedule"], "[schedule] jobstore"),
])
def test_missing_driver_is_one_line_with_the_key_and_the_fix(
        tmp_path: Path, schedule: str, args: list[str], key: str) -> None:
    ledger = f'ledger = "{PG}"\n' if key == "[send] ledger" else ""
    config = _config(tmp_path, ledger + schedule)
    result = run_cli(*args, "--config", str(config), cwd=tmp_path, env=_without_psycopg(tmp_path))
    line = _one_line(result)
    assert result.returncode == 2, result.stderr
    assert line.startswith("digest: error: ")
    assert key in line and "'psycopg' is not installed" in line
    assert "pip install 'digest[postgres]'" in line


@pytest.mark.slow
def test_missing_driver_when_sending_an_edition(tmp_path: Path) -> None:
    """`digest send EDITION` opens the ledger too (after the edition and list are read)."""
    build = run_cli("build", "--outbox", str(tmp_path / "outbox"), cwd=ROOT)
    assert build.returncode == 0, build.stderr
    config = _config(tmp_path, f'ledger = "{PG}"\n[check]\nspam_threshold = 100\n')
    result = run_cli("send", "--force", "--config", str(config), cwd=tmp_path,
                     env=_without_psycopg(tmp_path))
    line = _one_line(result)
    assert result.returncode == 2
    assert "[send] ledger" in line and "pip install 'digest[postgres]'" in line


def test_open_error_messages() -> None:
    missing = ModuleNotFoundError("No module named 'pg8000'", name="pg8000")
    text = open_error(missing, "[send] ledger", "postgresql+pg8000://u:pw@h/db")
    assert text.startswith("[send] ledger = postgresql+pg8000://u:***@h/db: ")
    assert "postgresql+psycopg://" in text and "pw" not in text.replace("pg8000", "")
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchModuleError

    with pytest.raises(NoSuchModuleError) as unknown:
        create_engine("nosuchdb://x/y")
    assert "unknown kind of database 'nosuchdb'" in open_error(unknown.value, "[k]", "nosuchdb://x/y")
    assert safe_url("not a url") == "<database URL>"


def test_send_due_with_nothing_due_loads_no_database_or_renderer(tmp_path: Path) -> None:
    """Called every minute by cron: it must stay cheap (see bench/ for the time it takes)."""
    config = _config(tmp_path, '[schedule]\ncron = "0 3 1 1 *"\nmax_late = "1m"\n')
    probe = ("import atexit, sys\n"
             "heavy = ('sqlalchemy', 'digest.deliver.ledger', 'digest.render',"
             " 'digest.deliver.sender', 'digest.schedule.slots', 'premailer', 'mjml')\n"
             "atexit.register(lambda: print('LOADED', [m for m in heavy if m in sys.modules]))\n"
             f"sys.argv = ['digest', 'send', '--due', '--config', {str(config)!r}]\n"
             "from digest.cli import main\nmain()\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, check=False,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED []", result.stdout


@pytest.mark.slow
def test_a_ledger_folder_that_cannot_be_made_is_bad_input(tmp_path: Path) -> None:
    config = _config(tmp_path, f'ledger = "{tmp_path}/file/ledger.sqlite"\n'
                               '[schedule]\ncron = "* * * * *"\n')
    (tmp_path / "file").write_text("not a folder")
    result = run_cli("send", "--due", "--config", str(config), cwd=tmp_path)
    line = _one_line(result)
    assert result.returncode == 2
    assert "[send] ledger = sqlite:///" in line and "file" in line
