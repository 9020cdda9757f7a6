"""The `digest schedule` command: run the daemon, or print the next slots or a crontab line."""

from __future__ import annotations

import datetime as dt
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.config import Config
from digest.errors import ScheduleError
from digest.schedule.ready import problems
from digest.schedule.run import trigger_of

if TYPE_CHECKING:
    from digest.check.gate import Gate


def schedule_command(config: Config, next_n: int | None = None, crontab: bool = False,
                     gate: Gate | None = None) -> int:
    if next_n is not None:
        if next_n < 1:
            raise ScheduleError(f"--next takes a count of 1 or more, got {next_n}")
        for moment in next_times(config, next_n):
            click.echo(moment.isoformat())
    if crontab:
        click.echo(crontab_text(config))
        for problem in unready(config):
            # Printed, not refused: the line is right; the config must be finished before a
            # slot comes, or every cron run at a due slot fails the same way.
            click.echo(f"digest: warning: {problem} (`digest send --due` fails until fixed)",
                       err=True)
    if next_n is not None or crontab:
        return 0
    # Lazily: --next and --crontab need neither the background scheduler nor its job store.
    from digest.schedule.daemon import run_daemon

    return run_daemon(config, gate)


def unready(config: Config) -> list[str]:
    """What `digest send --due` will miss at a slot, with the config file's name."""
    where = str(config.path or "no digest.toml")
    return [f"{where}: {problem}"
            for problem in problems(config, "digest send --due", password=False)]


def next_times(config: Config, count: int, now: dt.datetime | None = None) -> list[dt.datetime]:
    """The next `count` slots after now, in the configured time zone."""
    trigger = trigger_of(config)
    now = now or dt.datetime.now(dt.UTC)
    return [t.astimezone(trigger.zone) for t in trigger.next_times(now, count)]


def digest_executable() -> list[str]:
    """How to call this very installation of digest from cron (an absolute path)."""
    script = Path(sys.executable).parent / "digest"
    found = script if script.is_file() else shutil.which("digest")
    if found:
        return [str(Path(found).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "digest"]


def crontab_text(config: Config) -> str:
    """A crontab entry that lets system cron replace `digest schedule`.

    It runs every minute and `digest send --due` decides: cron's own fields would follow the
    system's time zone and miss the catch-up within max_late, while --due computes the slots in
    the configured zone and sends each one once (the slots table), however often it is called.
    """
    s = config.schedule
    command = [*digest_executable(), "send", "--due"]
    if config.path is not None:
        command += ["--config", str(Path(config.path).resolve())]
    folder = config.base_dir.resolve()
    log_file = folder / "digest-schedule.log"
    line = (f"* * * * * cd {shlex.quote(str(folder))} && {shlex.join(command)}"
            f" >> {shlex.quote(str(log_file))} 2>&1")
    if "%" in line:
        line = line.replace("%", "\\%")  # cron turns a bare % into a newline
    return "\n".join([
        f"# digest: slots \"{s.cron}\" in {s.timezone}, sent at most {s.max_late} late, once each.",
        "# Every minute, `digest send --due` sends the due slot if it is not yet sent.",
        "# SMTP AUTH: put DIGEST_SMTP_PASSWORD=... on a line above (cron has no login env).",
        line,
    ])
