"""Schedule, the parts that need no clock: triggers across DST, cron semantics, config errors,
--next and --crontab, the slots table and the job store's add-only-if-missing start-up."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from digest.config import load_config
from digest.cron import parse_duration
from digest.pipeline import count_new_posts
from digest.schedule.command import crontab_text, next_times
from digest.schedule.daemon import JOB_ID, ensure_job, scheduled_run, stop_scheduler
from digest.schedule.run import previous_edition
from digest.schedule.slots import SlotLedger
from digest.schedule.trigger import SlotTrigger, slot_id

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
REPO = Path(__file__).resolve().parents[2]


def iso(times: list[dt.datetime]) -> list[str]:
    return [t.isoformat() for t in times]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


# --- daylight saving: Europe/London, 29 March and 25 October 2026 -------------------------

def test_spring_forward_slot_in_the_gap_fires_once_after_the_jump() -> None:
    trigger = SlotTrigger("30 1 * * *", "Europe/London")
    times = trigger.next_times(dt.datetime(2026, 3, 27, 12, tzinfo=UTC), 4)
    # 01:30 does not exist on 29 March (01:00 GMT → 02:00 BST): it goes out at 02:30 BST.
    assert iso([t.astimezone(LONDON) for t in times]) == [
        "2026-03-28T01:30:00+00:00",
        "2026-03-29T02:30:00+01:00",
        "2026-03-30T01:30:00+01:00",
        "2026-03-31T01:30:00+01:00",
    ]


def test_fall_back_slot_in_the_repeated_hour_fires_once() -> None:
    trigger = SlotTrigger("30 1 * * *", "Europe/London")
    times = trigger.next_times(dt.datetime(2026, 10, 23, 12, tzinfo=UTC), 4)
    # 01:30 happens twice on 25 October (BST, then GMT): one slot, the first.
    assert iso([t.astimezone(LONDON) for t in times]) == [
        "2026-10-24T01:30:00+01:00",
        "2026-10-25T01:30:00+01:00",
        "2026-10-26T01:30:00+00:00",
        "2026-10-27T01:30:00+00:00",
    ]
    # Exactly 24 h apart in local time means 25 h apart in real time across the change.
    assert times[2] - times[1] == dt.timedelta(hours=25)


def test_hourly_slots_across_both_changes_never_repeat_or_stall() -> None:
    trigger = SlotTrigger("30 * * * *", "Europe/London")
    autumn = trigger.next_times(dt.datetime(2026, 10, 24, 22, 45, tzinfo=UTC), 4)
    assert iso([t.astimezone(LONDON) for t in autumn]) == [
        "2026-10-25T00:30:00+01:00", "2026-10-25T01:30:00+01:00",
        "2026-10-25T02:30:00+00:00", "2026-10-25T03:30:00+00:00",
    ]
    spring = trigger.next_times(dt.datetime(2026, 3, 29, 0, 0, tzinfo=UTC), 3)
    assert iso([t.astimezone(LONDON) for t in spring]) == [
        "2026-03-29T00:30:00+00:00", "2026-03-29T02:30:00+01:00", "2026-03-29T03:30:00+01:00",
    ]
    assert all(a < b for a, b in itertools.pairwise(autumn))


def test_next_times_from_config_are_in_the_configured_zone(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'cron = "0 8 * * MON-FRI"\ntimezone = "Europe/London"\n')
    times = next_times(load_config(config), 3, now=dt.datetime(2026, 10, 23, 12, tzinfo=UTC))
    assert iso(times) == ["2026-10-26T08:00:00+00:00", "2026-10-27T08:00:00+00:00",
                          "2026-10-28T08:00:00+00:00"]


# --- crontab(5) meaning, where APScheduler 3 differs ----------------------------------------

def weekdays(expr: str, count: int = 7) -> list[str]:
    trigger = SlotTrigger(expr, "UTC")
    return [t.strftime("%a %d") for t in trigger.next_times(
        dt.datetime(2026, 11, 29, 0, 0, tzinfo=UTC), count)]  # a Sunday


def test_weekday_numbers_count_from_sunday_like_cron() -> None:
    assert weekdays("0 8 * * 1-5", 5) == ["Mon 30", "Tue 01", "Wed 02", "Thu 03", "Fri 04"]
    assert weekdays("0 8 * * 0", 2) == ["Sun 29", "Sun 06"]
    assert weekdays("0 8 * * 7", 1) == ["Sun 29"]
    assert weekdays("0 8 * * MON-FRI", 1) == ["Mon 30"]
    assert weekdays("0 8 * * */2", 4) == ["Sun 29", "Tue 01", "Thu 03", "Sat 05"]
    assert weekdays("0 8 * * fri-sun", 4) == ["Sun 29", "Fri 04", "Sat 05", "Sun 06"]
    assert weekdays("0 8 * * 5-7", 4) == ["Sun 29", "Fri 04", "Sat 05", "Sun 06"]
    assert weekdays("0 8 * * 6,0", 3) == ["Sun 29", "Sat 05", "Sun 06"]


def test_day_of_month_or_weekday_like_cron() -> None:
    # Both restricted: either matches (crontab(5)), not both (APScheduler).
    assert weekdays("0 8 1 * 5", 3) == ["Tue 01", "Fri 04", "Fri 11"]


def test_six_fields_lead_with_seconds_and_get_second_level_ids() -> None:
    trigger = SlotTrigger("*/20 * * * * *", "Europe/London")
    times = trigger.next_times(dt.datetime(2026, 11, 30, 8, 0, 1, tzinfo=UTC), 3)
    assert [t.second for t in times] == [20, 40, 0]
    assert slot_id(times[0], trigger.spec, trigger.zone) == "2026-11-30-080020"
    daily = SlotTrigger("0 8 * * *", "Europe/London")
    summer = daily.next_times(dt.datetime(2026, 7, 1, tzinfo=UTC), 1)[0]
    assert slot_id(summer, daily.spec, daily.zone) == "2026-07-01-0800"
    assert summer.astimezone(UTC).hour == 7


def test_latest_slot_is_the_last_one_within_the_window() -> None:
    trigger = SlotTrigger("0 8 * * *", "UTC")
    now = dt.datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert trigger.latest_slot(now, 7200) == dt.datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert trigger.latest_slot(now, 3600) is None
    assert trigger.latest_slot(dt.datetime(2026, 11, 30, 8, tzinfo=UTC), 60) == \
        dt.datetime(2026, 11, 30, 8, tzinfo=UTC)


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 2 h ", 7200),
    ("15min", 900), ("90sec", 90), ("1D", 86400)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


# --- config errors: one line naming file and key, exit 2, no traceback ----------------------

def write_config(folder: Path, schedule: str, extra: str = "") -> Path:
    path = folder / "digest.toml"
    path.write_text(f"[schedule]\n{schedule}\n{extra}", encoding="utf-8")
    return path


NEXT, DAEMON, DUE = ["schedule", "--next", "2"], ["schedule"], ["send", "--due"]


@pytest.mark.parametrize(("line", "key", "says", "command"), [
    ('cron = "0 25 * * *"', "cron", "hour field '25'", DAEMON),
    ('cron = "0 8 * *"', "cron", "4 fields", NEXT),
    ('cron = "0 8 * * 8"', "cron", "day of week '8'", DUE),
    ('cron = "0 8 30 2 *"', "cron", "never fires", NEXT),
    ('timezone = "Europe/Londn"', "timezone", "unknown time zone 'Europe/Londn'", DAEMON),
    ('timezone = "Europe/Londn"', "timezone", "unknown time zone 'Europe/Londn'", DUE),
    ('max_late = "2 weeks"', "max_late", "invalid duration '2 weeks'", DAEMON),
    ('max_late = "0m"', "max_late", "more than zero", DUE),
])
def test_invalid_schedule_config_is_one_clear_line(tmp_path: Path, line: str, key: str,
                                                   says: str, command: list[str]) -> None:
    config = write_config(tmp_path, line)
    result = run_cli(*command, "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"digest: error: {config}: [schedule] {key}: ")
    assert says in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outbox").exists()  # nothing started, nothing written


def test_cli_next_prints_iso_times_with_offset(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'cron = "15 6 * * *"\ntimezone = "America/New_York"')
    result = run_cli("schedule", "--next", "5", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    times = [dt.datetime.fromisoformat(line) for line in result.stdout.splitlines()]
    assert len(times) == 5
    assert all(t.tzinfo is not None for t in times)
    assert all((t.hour, t.minute) == (6, 15) for t in times)
    assert all(b - a in (dt.timedelta(hours=h) for h in (23, 24, 25))
               for a, b in itertools.pairwise(times))
    assert times[0] > dt.datetime.now(UTC)


def test_cli_crontab_calls_send_due_from_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my digest"
    folder.mkdir()
    config = write_config(folder, 'cron = "0 8 * * 1-5"\ntimezone = "Europe/London"')
    result = run_cli("schedule", "--crontab", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entries = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.startswith("* * * * * cd ")
    assert f"cd '{folder}' && " in entry
    assert "send --due --config " in entry
    assert f"'{config}'" in entry
    command = entry.split(" && ", 1)[1].split()[0]
    assert Path(command).is_absolute()
    assert command.endswith(("digest", "python3", "python")) or "python" in command
    assert "Europe/London" in result.stdout


def test_crontab_escapes_percent(tmp_path: Path) -> None:
    folder = tmp_path / "100%"
    folder.mkdir()
    config = load_config(write_config(folder, ""))
    entry = crontab_text(config).splitlines()[-1]
    assert "100\\%" in entry and "100%" not in entry.replace("\\%", "")


# --- the slots table --------------------------------------------------------------------

def test_a_slot_is_claimed_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    first, second = SlotLedger(url), SlotLedger(url)
    when = dt.datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert first.claim("2026-11-30-0800", when) is not None
    assert second.claim("2026-11-30-0800", when) is None  # held by a live process (us)
    first.finish("2026-11-30-0800", "sent", sent=3, failed=0, retrying=0)
    assert second.claim("2026-11-30-0800", when) is None
    assert not second.mark_missed("2026-11-30-0800", when, "late")
    row = second.get("2026-11-30-0800")
    assert row is not None and row.status == "sent"


def test_failed_or_abandoned_slots_can_be_taken_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    ledger = SlotLedger(url)
    when = dt.datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert ledger.claim("a", when) is not None
    ledger.finish("a", "failed", detail="smtp down")
    again = ledger.claim("a", when)
    assert again is not None and again.attempts == 2 and again.status == "running"
    # A claim left "running" by a process that died (kill -9) is taken over.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    from sqlalchemy import update

    from digest.schedule.slots import owner_id, slots_table
    host_owner = owner_id().split(":")
    dead_owner = ":".join([host_owner[0], dead, "?", "x"])
    with ledger.engine.begin() as conn:
        conn.execute(update(slots_table).values(owner=dead_owner))
    taken = ledger.claim("a", when)
    assert taken is not None and taken.owner == owner_id()


CLAIM_SCRIPT = """
import datetime as dt, sys, time
from digest.schedule.slots import SlotLedger
ledger = SlotLedger(sys.argv[1])
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
won = ledger.claim("race", dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)) is not None
print("won" if won else "lost")
time.sleep(1)  # stay alive so the winner's claim is not taken over as abandoned
"""


@pytest.mark.slow
def test_many_processes_race_for_one_slot_and_one_wins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    SlotLedger(url).close()
    import time

    start = str(time.time() + 3)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", CLAIM_SCRIPT, url, start], env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(6)]
    results = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert sorted(results) == ["lost"] * 5 + ["won"]


# --- the job store: add only if missing, never drop a due run ------------------------------

def test_start_up_keeps_a_stored_due_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'schedule.sqlite'}"
    trigger = SlotTrigger("0 8 * * *", "UTC")
    missed = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(minutes=30)

    first = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)})
    first.start(paused=True)
    first.add_job(scheduled_run, trigger, id=JOB_ID, next_run_time=missed,
                  misfire_grace_time=60, coalesce=True, max_instances=1)
    stop_scheduler(first)

    again = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)})
    again.start(paused=True)
    try:
        job = ensure_job(again, trigger, 7200)
        assert job.next_run_time == missed  # still due: it will be caught up or reported
        assert job.misfire_grace_time == 7200  # max_late from the config, applied in place
        assert job.coalesce is True and job.max_instances == 1
        assert job.func_ref == "digest.schedule.daemon:scheduled_run"
        # A new expression applies to a stored run that is already due only after it.
        job = ensure_job(again, SlotTrigger("0 9 * * *", "UTC"), 7200)
        assert job.next_run_time == missed
        assert str(job.trigger) == "cron[0 9 * * *] UTC"
        # One not yet due is moved to the new expression's next slot.
        later = dt.datetime.now(UTC) + dt.timedelta(days=3)
        again.modify_job(JOB_ID, next_run_time=later)
        job = ensure_job(again, SlotTrigger("0 10 * * *", "UTC"), 7200)
        assert job.next_run_time is not None and job.next_run_time < later
        assert (job.next_run_time.hour, job.next_run_time.minute) == (10, 0)
    finally:
        stop_scheduler(again)


# --- no news -----------------------------------------------------------------------------

def test_previous_edition_is_the_last_written_other_than_the_slot(tmp_path: Path) -> None:
    for i, name in enumerate(["2026-11-27-0800", "2026-11-30-0800", "2026-11-28-0800"]):
        (tmp_path / name).mkdir()
        (tmp_path / name / "edition.json").write_text("{}")
        os.utime(tmp_path / name / "edition.json", (1_000_000 + i, 1_000_000 + i))
    (tmp_path / ".tmp-build").mkdir()
    (tmp_path / ".tmp-build" / "edition.json").write_text("{}")
    assert previous_edition(tmp_path, exclude="2026-12-01-0800") == tmp_path / "2026-11-28-0800"
    assert previous_edition(tmp_path, exclude="2026-11-28-0800") == tmp_path / "2026-11-30-0800"
    assert previous_edition(tmp_path / "none", exclude="x") is None


def test_new_posts_are_counted_against_the_earlier_editions(tmp_path: Path) -> None:
    from digest.config import load_config
    from digest.read import dedupe_posts, read_sources

    seed = str(REPO / "seeds")
    config = load_config(None, **{"build.outbox": str(tmp_path)})
    posts = dedupe_posts([p for d in read_sources([seed]) for p in d.posts])

    def carried(name: str, date: str, chosen: list[object]) -> None:
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / "edition.json").write_text(json.dumps(
            {"edition": name, "date": date, "posts": [{"id": p.id} for p in chosen]}))

    carried("2026-11-26-0800", "2024-08-13", posts[:5])
    carried("2026-11-27-0800", "2024-08-13", posts[5:-3])
    assert count_new_posts(config, [seed], "2026-11-28-0800") == 3
    # the slot's own edition, and one dated after this one, do not count
    carried("2026-11-28-0800", "2024-08-13", posts)
    carried("later", "2024-09-01", posts)
    assert count_new_posts(config, [seed], "2026-11-28-0800") == 3
    carried("2026-11-27-0800", "2024-08-13", posts[5:])
    assert count_new_posts(config, [seed], "2026-11-28-0800") == 0


def test_leap_day_is_a_date_that_exists() -> None:
    trigger = SlotTrigger("0 8 29 2 *", "UTC")
    assert trigger.next_times(dt.datetime(2026, 11, 30, tzinfo=UTC), 1)[0].year == 2028


@pytest.mark.slow
@pytest.mark.parametrize(("send", "says"), [
    ("", "[send] to: digest schedule needs a recipient list"),
    ('to = "people.csv"', "[send] smtp: digest schedule needs an SMTP server URL"),
    ('to = "people.csv"\nsmtp = "smtp://127.0.0.1:25"', "[send] to: no such file"),
])
def test_the_daemon_will_not_start_unable_to_send(tmp_path: Path, send: str, says: str) -> None:
    config = write_config(tmp_path, "", extra=f"[send]\n{send}\n")
    result = run_cli("schedule", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"digest: error: {config}: {says}"
                                                  + result.stderr.strip().split(says, 1)[1]]


@pytest.mark.slow
def test_an_unusable_job_store_is_one_line_without_the_password(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'jobstore = "postgresql://digest:s3cret@127.0.0.1:1/x"',
                          extra='[send]\nto = "people.csv"\nsmtp = "smtp://127.0.0.1:25"\n'
                          '[email]\nfrom = "D <d@example.org>"\n')
    (tmp_path / "people.csv").write_text("email,name\na@example.org,A\n")
    result = run_cli("schedule", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "job store unusable" in lines[0], result.stderr
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_slot_that_fires_during_the_previous_run_waits_and_can_be_taken(
        tmp_path: Path) -> None:
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent

    from digest.schedule import daemon

    config = load_config(write_config(tmp_path, 'cron = "*/5 * * * * *"'))
    slot = dt.datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)
    daemon._Current.config = config
    try:
        daemon._on_event(JobSubmissionEvent(EVENT_JOB_MAX_INSTANCES, JOB_ID, "default", [slot]))
    finally:
        daemon._Current.config = None
    ledger = SlotLedger(f"sqlite:///{tmp_path / 'outbox' / 'ledger.sqlite'}")
    row = ledger.get("2026-11-30-080005")
    assert row is not None and row.status == "waiting"
    taken = ledger.claim("2026-11-30-080005", slot)
    assert taken is not None and taken.status == "running"
