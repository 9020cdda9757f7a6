"""Crontab expressions, time zones and durations as [schedule] writes them, parsed and checked.

The config validates [schedule] with these at load; digest.schedule.trigger builds its trigger
from a parsed expression. The meaning is crontab(5)'s, where APScheduler 3's CronTrigger would
differ (the inner triggers here are CronTriggers on the wall clock, tagged UTC):
- weekday numbers: APScheduler counts 0 = Monday, crontab counts 0 (and 7) = Sunday
  (APScheduler issue 286), so "1-5" would mean Tuesday to Saturday;
- day of month and day of week both restricted: crontab fires when EITHER matches, APScheduler
  when both do.

An optional sixth, leading field gives seconds ("*/2 * * * * *": every two seconds); five
fields are standard cron and fire at second 0.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    if any(len(n) > 9 for n, _ in parts):  # no int() of a thousand digits either
        raise ValueError(f"duration is too long (at most {MAX_DURATION_DAYS}d)")
    seconds = sum(int(n) * _UNIT_SECONDS[unit.lower()] for n, unit in parts)
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be more than zero")
    if seconds > MAX_DURATION_DAYS * 86400:  # past this, datetime arithmetic overflows
        raise ValueError(f"duration {text!r} is too long (at most {MAX_DURATION_DAYS}d)")
    return seconds


MAX_DURATION_DAYS = 3650


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
    inner = inner_triggers(spec)  # raises ValueError on a bad field
    # "0 0 30 2 *" is well-formed and never fires; a schedule that never sends is a mistake.
    leap = dt.datetime(2028, 1, 1, tzinfo=_UTC)  # before a 29 February, so that one counts
    if all(t.get_next_fire_time(None, leap) is None for t in inner):
        raise ValueError(f"{spec.expr!r} never fires (no such date)")
    return spec


def inner_triggers(spec: CronSpec) -> list[CronTrigger]:
    """CronTriggers (wall clock, tagged UTC) that together fire when `spec` does in crontab."""
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
