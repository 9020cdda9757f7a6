"""`digest schedule`: APScheduler 3 in the foreground, with its jobs in a SQL job store.

The stored job carries the schedule's state across restarts: its next run time is what tells,
at start-up, that a slot passed while the process was down. Hence the order at start-up:
start paused, add the job only if it is missing (re-adding it with replace_existing=True would
compute a fresh next run time and silently drop the missed slot), then resume, and APScheduler
either runs the missed slot once (coalesce, within misfire_grace_time = max_late) or reports it
missed. What a run does is digest.schedule.run, the same code as `digest send --due`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from digest.config import Config
from digest.errors import ConfigError, DigestError, ScheduleError
from digest.schedule import ready
from digest.schedule.run import log, resume_started, run_due, setup_logging, trigger_of
from digest.schedule.slots import SlotLedger
from digest.schedule.trigger import SlotTrigger, slot_id
from digest.store.db import (
    config_problem,
    create_racing,
    ensure_sqlite_folder,
    open_error,
    safe_url,
)
from digest.store.db import reason as one_line

if TYPE_CHECKING:
    from digest.check.gate import Gate

JOB_ID = "digest-edition"
FOLLOW_UP_SECONDS = 60


class _Current:
    """The config of the running daemon. Stored jobs hold no config (they would go stale in
    the job store); the job functions read it from here."""

    config: Config | None = None
    gate: Gate | None = None  # the pre-send checks (None: all of `digest check`)


def scheduled_run() -> None:
    """The stored job, importable by reference: run the slot that is due now."""
    config = _Current.config
    if config is None:
        log.error("a scheduled run fired with no configuration loaded; ignored")
        return
    try:
        run_due(config, gate=_Current.gate)
    except DigestError as exc:
        log.error("run failed: %s", exc)


def follow_up() -> None:
    """Every minute: finish every started slot that is not done (its run failed, recipients
    wait for a retry, or its owner died, even after APScheduler moved on to later slots), or
    report it once its max_late has passed."""
    config = _Current.config
    if config is None:
        return
    try:
        retry_unfinished(config, gate=_Current.gate)
    except DigestError as exc:
        log.error("follow-up failed: %s", exc)


def retry_unfinished(config: Config, now: dt.datetime | None = None,
                     gate: Gate | None = None) -> int:
    """digest.schedule.run.resume_started: a slot that never started is left to
    APScheduler's own run (or its "missed")."""
    return resume_started(config, trigger_of(config), now or dt.datetime.now(dt.UTC), gate)


def _jobstore(url: str) -> SQLAlchemyJobStore:
    """The job store, its table created first: two schedulers starting together on a new
    SQLite file both see no table and both CREATE it; the loser's error is harmless."""
    store = SQLAlchemyJobStore(url=url)
    create_racing(lambda: store.jobs_t.create(store.engine, checkfirst=True))
    return store


def _on_event(event: JobExecutionEvent | JobSubmissionEvent) -> None:
    config = _Current.config
    if config is None or event.job_id != JOB_ID:
        return
    trigger = trigger_of(config)
    if event.code == EVENT_JOB_MISSED:
        _record_missed(config, trigger, event.scheduled_run_time)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        # Not lost: the follow-up runs it once the previous run ends, if still within max_late.
        scheduled = event.scheduled_run_times[-1]
        sid = slot_id(scheduled, trigger.spec, trigger.zone)
        try:
            ledger = SlotLedger(config.ledger_url)
            try:
                ledger.mark_missed(sid, scheduled, "the previous run was still going", "waiting")
            finally:
                ledger.close()
        except DigestError as exc:
            log.error("slot %s: could not record it: %s", sid, exc)
        log.info("slot %s waits: the previous run is still going", sid)
    elif event.code == EVENT_JOB_ERROR:
        log.error("run crashed: %s: %s", type(event.exception).__name__, event.exception)


def _record_missed(config: Config, trigger: SlotTrigger, scheduled: dt.datetime) -> None:
    sid = slot_id(scheduled, trigger.spec, trigger.zone)
    late = dt.datetime.now(dt.UTC) - scheduled
    detail = (f"due {scheduled.astimezone(trigger.zone).isoformat()}, "
              f"{int(late.total_seconds())}s late, max_late {config.schedule.max_late}")
    try:
        ledger = SlotLedger(config.ledger_url)
        try:
            recorded = ledger.mark_missed(sid, scheduled, detail)
            row = None if recorded else ledger.get(sid)
        finally:
            ledger.close()
    except DigestError as exc:
        log.error("slot %s missed (%s); could not record it: %s", sid, detail, exc)
        return
    if recorded:
        log.warning("slot %s missed: %s; not sent", sid, detail)
    elif row is not None:
        log.info("slot %s: missed by this scheduler, already %s", sid, row.status)


def _record_coalesced(config: Config, trigger: SlotTrigger,
                      due: dt.datetime | None) -> dt.datetime | None:
    """Slots that passed while the daemon was down, but for the last: APScheduler coalesces
    them into one run (or one "missed" event) for the last, so record the others here.
    Returns that last one, if any."""
    now = dt.datetime.now(dt.UTC)
    passed: list[dt.datetime] = []
    moment = due
    while moment is not None and moment <= now and len(passed) < 10_000:
        passed.append(moment)
        moment = trigger.get_next_fire_time(moment, moment)
    earlier = passed[:-1]
    if not earlier:
        return passed[-1] if passed else None
    ledger = SlotLedger(config.ledger_url)
    try:
        recorded = [slot for slot in earlier if ledger.mark_missed(
            slot_id(slot, trigger.spec, trigger.zone), slot, "passed while the daemon was down")]
    finally:
        ledger.close()
    for slot in recorded[:5]:
        log.warning("slot %s missed: due %s, passed while the daemon was down; not sent",
                    slot_id(slot, trigger.spec, trigger.zone),
                    slot.astimezone(trigger.zone).isoformat())
    if len(recorded) > 5:
        log.warning("… and %d more slots missed while down", len(recorded) - 5)
    return passed[-1]


def ensure_job(scheduler: BackgroundScheduler, trigger: SlotTrigger, max_late: int) -> Job:
    """Add the job if it is missing; bring a stored one up to date without losing its due time."""
    settings: dict[str, Any] = {"coalesce": True, "max_instances": 1,
                                "misfire_grace_time": max_late}
    job: Job | None = scheduler.get_job(JOB_ID)
    if job is None:
        try:
            added: Job = scheduler.add_job(scheduled_run, trigger, id=JOB_ID,
                                           name="digest edition", **settings)
            log.info("job added to the store")
            return added
        except ConflictingIdError:  # another scheduler on the same store added it just now
            stored: Job = scheduler.get_job(JOB_ID)
            return stored
    changes = {key: value for key, value in settings.items() if getattr(job, key) != value}
    if job.func_ref != f"{__name__}:scheduled_run":
        changes["func"] = scheduled_run
    if job.trigger != trigger:
        changes["trigger"] = trigger
        now = dt.datetime.now(dt.UTC)
        if job.next_run_time is None or job.next_run_time > now:
            # Not yet due under the old expression: the next slot comes from the new one.
            # A slot already passed keeps its time, so it is caught up or reported missed.
            changes["next_run_time"] = trigger.get_next_fire_time(None, now)
        log.info("schedule changed from %s to %s", job.trigger, trigger)
    if changes:
        scheduler.modify_job(JOB_ID, **changes)
    modified: Job = scheduler.get_job(JOB_ID)
    return modified


def preflight(config: Config) -> None:
    """Refuse to start a daemon that could not send at its first slot: better now than at 8:00."""
    ready.preflight(config, "digest schedule")
    SlotLedger(config.ledger_url).close()  # the ledger's database opens (its driver is there)


def run_daemon(config: Config, gate: Gate | None = None) -> int:
    """Run until Ctrl-C or SIGTERM; a run in progress is finished first. Exit code 0."""
    preflight(config)
    setup_logging()
    trigger = trigger_of(config)
    max_late = config.schedule.max_late_seconds
    url = config.jobstore_url
    ensure_sqlite_folder(url, "job store", "[schedule] jobstore")
    _Current.config = config
    _Current.gate = gate
    try:
        store = _jobstore(url)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        # ImportError: the URL names a database whose driver is not installed (psycopg).
        error = ConfigError if config_problem(exc) else ScheduleError
        raise error(f"job store unusable: {open_error(exc, '[schedule] jobstore', url)}"
                    ) from None
    scheduler = BackgroundScheduler(
        jobstores={"default": store, "local": MemoryJobStore()}, timezone=trigger.zone)
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping on %s; a run in progress finishes first", signal.Signals(signum).name)
        stop.set()
        # A second Ctrl-C interrupts at once.
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            scheduler.start(paused=True)
            job = ensure_job(scheduler, trigger, max_late)
        except SQLAlchemyError as exc:
            raise ScheduleError(f"job store unusable: {one_line(exc)}",
                                where=safe_url(url)) from None
        # Not persisted: the follow-up only finishes a slot the stored job already started.
        scheduler.add_job(follow_up, IntervalTrigger(seconds=FOLLOW_UP_SECONDS),
                          id="digest-follow-up", jobstore="local", coalesce=True,
                          max_instances=1, next_run_time=dt.datetime.now(dt.UTC))
        overdue = _record_coalesced(config, trigger, job.next_run_time)
        if overdue is not None:
            when = f"slot {slot_id(overdue, trigger.spec, trigger.zone)} passed while down"
        elif job.next_run_time is not None:
            when = f"next slot {job.next_run_time.astimezone(trigger.zone).isoformat()}"
        else:
            when = "no next slot"
        log.info("schedule %s (%s), max_late %s; %s; job store %s", trigger.spec.expr,
                 trigger.timezone, config.schedule.max_late, when, safe_url(url))
        scheduler.resume()
        while not stop.wait(1):
            pass
    finally:
        stop_scheduler(scheduler)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _Current.config = None
    log.info("stopped")
    return 0


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Shut down without touching the stored job.

    APScheduler 3.11's main loop runs one more round of job processing after shutdown() (the
    state check comes after the wake-up); a job due at that moment would be submitted to the
    stopped executor, fail, and have its next run time moved on: the slot would be lost. With
    the job store detached first, that round finds nothing; the job stays due in the store.
    """
    if not scheduler.running:
        return
    scheduler.pause()
    for alias in ("default", "local"):
        with contextlib.suppress(KeyError):
            scheduler.remove_jobstore(alias, shutdown=True)
    scheduler.shutdown(wait=True)
