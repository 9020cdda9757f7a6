"""The preview's engine: builds held in memory, one build thread, and a file watcher.

Builds run the same stages as `digest build` (decide, render, message, write_edition) into a
temporary folder, so the outbox is never touched. As in `mkdocs serve`, a failed rebuild keeps
the last good edition, and readers wait for a build in flight rather than see a half-built one.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import jinja2
from watchfiles import Change, watch

from digest.config import Config, load_config
from digest.errors import DigestError
from digest.model import Edition
from digest.pipeline import (
    decide_edition,
    default_sources,
    publish_edition,
    templates_folder,
)
from digest.resources import builtin_templates

EDITION_FILES = {  # what write_edition leaves in an edition folder, and how to show it
    "digest.html": "text/html; charset=utf-8",
    "digest.txt": "text/plain; charset=utf-8",
    "digest.mjml": "text/plain; charset=utf-8",
    "digest.eml": "text/plain; charset=utf-8",  # shown, not downloaded as message/rfc822
    "edition.json": "application/json",
}
WAIT = 60.0  # longest a request waits for a build in flight


@dataclass(frozen=True)
class Snapshot:
    """One good build, held in memory: what the pages show until the next good build."""

    edition: Edition
    files: Mapping[str, bytes]  # EDITION_FILES name -> content
    headers: tuple[tuple[str, str], ...]  # of digest.eml, decoded
    seconds: float  # how long the build took
    finished: str  # wall-clock time of day it finished, for the page only


def describe(exc: BaseException) -> str:
    """One line naming file and line: DigestErrors carry it, others get their last frame."""
    if isinstance(exc, DigestError):
        return str(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(exc).__name__}: {exc} (an internal error)"


class PipelineBuilder:
    """Builds a Snapshot with the same stages as `digest build`, into a temporary folder."""

    def __init__(self, config: Config, sources: list[str], workdir: Path) -> None:
        self.config = config
        self.sources = sources
        self.workdir = workdir
        self._count = itertools.count(1)

    def __call__(self) -> Snapshot:
        start = time.perf_counter()
        if self.config.path is not None:  # the config file is watched: re-read it every build
            self.config = load_config(self.config.path)
        config = self.config
        edition = decide_edition(config, self.sources or default_sources(config))
        outbox = self.workdir / f"build-{next(self._count)}"
        try:
            folder = publish_edition(config, edition, outbox, archive=False)
            files = {name: (folder / name).read_bytes() for name in EDITION_FILES
                     if (folder / name).is_file()}
        finally:
            shutil.rmtree(outbox, ignore_errors=True)
        eml = BytesParser(policy=default_policy).parsebytes(
            files.get("digest.eml", b""), headersonly=True)
        headers = tuple((name, str(value)) for name, value in eml.items())
        return Snapshot(edition, files, headers, time.perf_counter() - start,
                        time.strftime("%H:%M:%S"))

    def watch_paths(self) -> list[Path]:
        config = self.config
        paths = [builtin_templates()]
        templates = templates_folder(config)
        if templates is not None:
            paths.append(templates)
        paths += [Path(s) for s in self.sources or default_sources(config) if "://" not in s]
        if config.path is not None:
            paths.append(Path(config.path))
        return [p.resolve() for p in paths]


class PreviewState:
    """The last good build, the last error and a version string that pages compare to reload.

    One build thread runs `build` whenever `request()` was called; readers wait for it to finish
    (never see a half-built edition), and event streams wake up when the version changes.
    """

    def __init__(self, build: Callable[[], Snapshot]) -> None:
        self._build = build
        self._cond = threading.Condition()
        self._token = f"{time.time_ns():x}"  # a restarted server never repeats a version
        self._count = 0
        self._dirty = True  # the first build
        self._building = False
        self.closed = False
        self.snapshot: Snapshot | None = None
        self.error: str | None = None

    @property
    def version(self) -> str:
        return f"{self._token}-{self._count}"

    def request(self) -> None:
        with self._cond:
            self._dirty = True
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._dirty or self.closed)
                if self.closed:
                    return
                self._dirty, self._building = False, True
            snapshot, error = None, None
            try:
                snapshot = self._build()
            except Exception as exc:  # a broken template or source must not stop the preview
                error = describe(exc)
            with self._cond:
                self.snapshot = snapshot or self.snapshot
                self.error = error
                self._count += 1
                self._building = False
                self._cond.notify_all()
            if error:
                print(f"digest preview: build failed: {error}", file=sys.stderr, flush=True)
            elif snapshot:
                print(f"digest preview: built {snapshot.edition.edition} in "
                      f"{snapshot.seconds:.2f} s", file=sys.stderr, flush=True)

    def wait_idle(self, timeout: float = WAIT) -> tuple[str, Snapshot | None, str | None]:
        """Wait for builds in flight (or asked for), then the version, last good build, error."""
        with self._cond:
            self._cond.wait_for(lambda: not (self._dirty or self._building) or self.closed,
                                timeout)
            return self.version, self.snapshot, self.error

    def wait_change(self, seen: str | None, timeout: float) -> str:
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version


def watch_loop(paths: Callable[[], list[Path]], changed: Callable[[list[str]], None],
               stop: threading.Event, ready: Callable[[], None] = lambda: None) -> None:
    """Call `changed` for every batch of changes under `paths()`, until `stop` is set.

    `ready` is called each time a watch is in place: builds that start after it cannot miss a
    save. One watch runs as long as it can, since a restart leaves a moment in which a save goes
    unseen. It restarts when a watched file is deleted or replaced (an editor that saves by
    rename leaves a new inode), when the config names other paths, or when a missing path
    appears (both checked every quarter second).
    """
    idle = False  # nothing to watch (yet), and `ready` was called for that
    while not stop.is_set():
        wanted = paths()
        present = [p for p in wanted if p.exists()]
        files = {str(p) for p in present if p.is_file()}
        if not present:
            if not idle:
                ready()
            idle = True
            stop.wait(1)
            continue
        idle = False
        # The watch is set up before the first yield, which comes at the latest after rust_timeout.
        batches = watch(*present, stop_event=stop, rust_timeout=250, yield_on_timeout=True,
                        raise_interrupt=False)
        try:
            for i, batch in enumerate(batches):
                if i == 0:
                    ready()
                if batch:
                    changed(sorted({path for _, path in batch}))
                    if any(kind == Change.deleted and path in files for kind, path in batch):
                        break
                elif paths() != wanted or any(p.exists() for p in wanted if p not in present):
                    break
        finally:
            batches.close()
