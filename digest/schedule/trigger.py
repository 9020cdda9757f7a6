"""Cron expressions with crontab(5) meaning, on the wall clock of an IANA time zone.

APScheduler 3's CronTrigger differs from system cron in three ways that would send a digest at the
wrong time, so the expression is parsed here and the trigger is our own:
- weekday numbers: APScheduler counts 0 = Monday, crontab counts 0 (and 7) = Sunday
  (APScheduler issue 286), so "1-5" would mean Tuesday to Saturday;
- day of month and day of week both restricted: crontab fires when EITHER matches, APScheduler
  when both do;
- daylight saving: on the autumn change a slot in the repeated hour fires twice, and stepping
  past it loops forever (get_next_fire_time keeps returning the same instant).
SlotTrigger works on naive wall-clock times (inner triggers in UTC, which has no DST) and maps
each wall time to one instant: a time that does not exist (spring gap) fires at the same
distance after the jump (01:30 → 02:30 BST); a time that exists twice fires once, the first
time. That is what Vixie cron does for jobs in a skipped or repeated hour.

An optional sixth, leading field gives seconds ("*/2 * * * * *": every two seconds); five
fields are standard cron and fire at second 0.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

_UTC = dt.UTC
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DURATION = re.compile(r"(\d+)\s*(sec|min|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone ("Europe/London"); ValueError with a one-line reason otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {name!r} (use an IANA name like Europe/London)"
        raise ValueError(msg) from None


def parse_duration(text: str) -> int:
    """"90s", "15m", "2h", "1d", "1h30m" → seconds (> 0); ValueError otherwise."""
    compact = text.strip()
    parts = _DURATION.findall(compact)
    if not compact or _DURATION.sub("", compact).strip():
        raise ValueError(f"invalid duration {text!r} (use e.g. 90s, 15m, 2h, 1d or 1h30m)")
    seconds = sum(int(n) * _UNIT_SECONDS[unit.lower()] for n, unit in parts)
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be more than zero")
    return seconds


def _weekday(token: str) -> int:
    low = token.strip().lower()
    if low in _DAY_NAMES:
        return _DAY_NAMES.index(low)
    if low.isdigit() and 0 <= int(low) <= 7:
        return int(low) % 7
    raise ValueError(f"invalid day of week {token!r} (0-7 or sun-sat; 0 and 7 are Sunday)")


def _weekdays(field: str) -> str:
    """A crontab day-of-week field → APScheduler's, by names (which both read the same way)."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        body, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"invalid step in day of week {item!r}")
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            low, high = body.split("-", 1)
            first, last = _weekday(low), _weekday(high)
            if last == 0 and first > 0:
                last = 7  # "1-7", "mon-sun": Monday to Sunday
            if last < first:
                raise ValueError(f"invalid day-of-week range {body!r}")
        else:
            first = _weekday(body)
            last = 7 if step else first  # crontab: "1/2" means 1-7/2
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


@dataclass(frozen=True)
class CronSpec:
    """A parsed expression: the six crontab fields, seconds first ("0" when not given)."""

    expr: str
    second: str
    minute: str
    hour: str
    day: str
    month: str
    day_of_week: str  # crontab meaning, as written

    @property
    def has_seconds(self) -> bool:
        return len(self.expr.split()) == 6


def parse_cron(expr: str) -> CronSpec:
    """Five crontab fields, or six with leading seconds; ValueError with the reason otherwise."""
    fields = expr.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"{expr!r} has {len(fields)} fields; expected 5 (minute hour day month "
                         "weekday) or 6 with leading seconds")
    if len(fields) == 5:
        fields.insert(0, "0")
    spec = CronSpec(" ".join(expr.split()), *fields)
    inner = _inner_triggers(spec)  # raises ValueError on a bad field
    # "0 0 30 2 *" is well-formed and never fires; a schedule that never sends is a mistake.
    leap = dt.datetime(2028, 1, 1, tzinfo=_UTC)  # before a 29 February, so that one counts
    if all(t.get_next_fire_time(None, leap) is None for t in inner):
        raise ValueError(f"{spec.expr!r} never fires (no such date)")
    return spec


def _inner_triggers(spec: CronSpec) -> list[CronTrigger]:
    common = {"second": spec.second, "minute": spec.minute, "hour": spec.hour,
              "month": spec.month, "timezone": _UTC}
    try:
        weekdays = _weekdays(spec.day_of_week)
        restricted_day = spec.day not in ("*", "?")
        if restricted_day and weekdays != "*":
            # crontab(5): "if both fields are restricted, the command runs when either matches".
            return [CronTrigger(day=spec.day, **common),
                    CronTrigger(day_of_week=weekdays, **common)]
        return [CronTrigger(day=spec.day, day_of_week=weekdays, **common)]
    except ValueError as exc:
        raise ValueError(f"invalid cron {spec.expr!r}: {_culprit(spec, exc)}") from None


def _culprit(spec: CronSpec, exc: ValueError) -> str:
    """APScheduler's message does not say which field is wrong; find it."""
    for name in ("second", "minute", "hour", "day", "month"):
        value = getattr(spec, name)
        try:
            CronTrigger(**{name: value}, timezone=_UTC)
        except ValueError as field_exc:
            reason = str(field_exc).split(": ", 1)[-1]
            return f"{name.replace('day', 'day of month')} field {value!r}: {reason}"
    return str(exc)


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
        self._inner = _inner_triggers(self.spec)

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
