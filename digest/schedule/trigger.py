"""Cron expressions with crontab(5) meaning, on the wall clock of an IANA time zone.

APScheduler 3's CronTrigger would send a digest at the wrong time in three ways, so the trigger
is our own: the expression is parsed by digest.cron (weekday numbers and a restricted day of
month and of week both read as crontab reads them), and daylight saving is handled here: on the
autumn change a slot in the repeated hour would fire twice, and stepping past it would loop
forever (get_next_fire_time kept returning the same instant).
SlotTrigger works on naive wall-clock times (inner triggers in UTC, which has no DST) and maps
each wall time to one instant: a time that does not exist (spring gap) fires at the same
distance after the jump (01:30 → 02:30 BST); a time that exists twice fires once, the first
time. That is what Vixie cron does for jobs in a skipped or repeated hour.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from digest.cron import CronSpec, inner_triggers, parse_cron, parse_timezone

_UTC = dt.UTC


def _wall(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive local wall-clock time of an instant, tagged UTC for the inner triggers."""
    return moment.astimezone(zone).replace(tzinfo=_UTC, fold=0)


def _instant(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The one instant a wall time stands for: the first of a repeated hour, after a gap."""
    local = wall.replace(tzinfo=zone, fold=0)
    # fold=0 on a gap time uses the offset from before the jump: 01:30 → 01:30 UTC = 02:30 BST.
    # Returned in UTC: Python compares and subtracts two times of one zone by wall clock.
    return local.astimezone(_UTC)


class SlotTrigger(BaseTrigger):  # type: ignore[misc]  # apscheduler is untyped
    """An APScheduler trigger with crontab(5) semantics on a zone's wall clock (see the module).

    Picklable by value (expression and zone name), so the SQLAlchemy job store can hold it.
    """

    def __init__(self, expr: str, timezone: str) -> None:
        self._setup(expr, timezone)

    def _setup(self, expr: str, timezone: str) -> None:
        self.spec = parse_cron(expr)
        self.timezone = timezone
        self.zone = parse_timezone(timezone)
        self._inner = inner_triggers(self.spec)

    def __getstate__(self) -> dict[str, object]:
        return {"version": 1, "expr": self.spec.expr, "timezone": self.timezone}

    def __setstate__(self, state: dict[str, object]) -> None:
        self._setup(str(state["expr"]), str(state["timezone"]))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, SlotTrigger) and other.spec.expr == self.spec.expr
                and other.timezone == self.timezone)

    def __hash__(self) -> int:
        return hash((self.spec.expr, self.timezone))

    def __str__(self) -> str:
        return f"cron[{self.spec.expr}] {self.timezone}"

    def __repr__(self) -> str:
        return f"SlotTrigger({self.spec.expr!r}, {self.timezone!r})"

    def get_next_fire_time(self, previous_fire_time: dt.datetime | None,
                           now: dt.datetime) -> dt.datetime | None:
        now = now.astimezone(_UTC)
        if previous_fire_time is not None:
            previous_fire_time = previous_fire_time.astimezone(_UTC)
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + dt.timedelta(microseconds=1))
        wall_start = _wall(start, self.zone)
        if previous_fire_time is not None:
            # Never the same wall time twice: a repeated hour must not fire again.
            wall_start = max(wall_start, _wall(previous_fire_time, self.zone)
                             + dt.timedelta(microseconds=1))
        walls = [t.get_next_fire_time(None, wall_start) for t in self._inner]
        found = [w for w in walls if w is not None]
        return _instant(min(found), self.zone) if found else None

    def next_times(self, now: dt.datetime, count: int) -> list[dt.datetime]:
        """The next `count` slots at or after `now` (in UTC)."""
        times: list[dt.datetime] = []
        previous: dt.datetime | None = None
        while len(times) < count:
            moment = self.get_next_fire_time(previous, now)
            if moment is None:
                break
            times.append(moment)
            previous = now = moment
        return times

    def latest_slot(self, now: dt.datetime, window_seconds: int) -> dt.datetime | None:
        """The latest slot at or before `now`, if one falls within the last `window_seconds`."""
        now = now.astimezone(_UTC)
        moment = self.get_next_fire_time(None, now - dt.timedelta(seconds=window_seconds))
        latest = None
        while moment is not None and moment <= now:
            latest = moment
            moment = self.get_next_fire_time(moment, moment)
        return latest


def slot_id(slot: dt.datetime, spec: CronSpec, zone: ZoneInfo) -> str:
    """The edition id of a slot, in local time: "2026-11-30-0800" (…-080005 with seconds)."""
    local = slot.astimezone(zone)
    return local.strftime("%Y-%m-%d-%H%M%S" if spec.has_seconds else "%Y-%m-%d-%H%M")
