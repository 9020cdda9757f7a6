"""Schedule: cron-driven editions that survive downtime, each slot sent once.

- trigger.py: crontab expressions on a zone's wall clock (DST-safe), durations;
- slots.py: the slots table in the ledger database, claimed atomically;
- run.py: one slot end to end (claim, news check, build, send), shared by daemon and cron;
- daemon.py: `digest schedule`, APScheduler 3 with a persistent SQLAlchemy job store;
- command.py: the CLI entry points, `--next` and `--crontab`.
Imports are lazy so that loading the config (which validates [schedule]) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest.config import Config


def schedule_command(config: Config, next_n: int | None = None, crontab: bool = False) -> int:
    """`digest schedule [--next N] [--crontab]`; returns the exit code."""
    from digest.schedule.command import schedule_command as command

    return command(config, next_n=next_n, crontab=crontab)


def run_due(config: Config) -> int:
    """`digest send --due`: build and send the due slot, once; returns the exit code."""
    from digest.schedule.run import run_due as due

    return due(config)


__all__ = ["run_due", "schedule_command"]
