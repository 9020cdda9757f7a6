"""Timing child processes: wall, CPU and peak memory of each run, alternated with an anchor.

Each run is its own process, waited for with os.wait4, whose rusage is that child's alone:
user + system CPU, and ru_maxrss, its peak resident set (KiB on Linux). (resource.getrusage of
RUSAGE_CHILDREN would mix every child the bench has waited for.) A watchdog thread kills a run
that overstays its timeout; the main thread blocks in wait4, so wall time is exact.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BenchError(Exception):
    """A measured command failed: its output is in the message."""


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss_mb: float  # peak resident set, MB
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Runs:
    runs: tuple[Run, ...]

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_mb for r in self.runs)

    def __len__(self) -> int:
        return len(self.runs)


def child_env(**extra: str) -> dict[str, str]:
    """The children's environment: this checkout first on the path, and the bytecode cache on
    (PYTHONDONTWRITEBYTECODE would make every start-up compile every module again)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


def run(cmd: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float = 1800) -> Run:
    """Run `cmd` once; BenchError if it fails or times out."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        timer = threading.Timer(timeout, lambda: _kill(proc.pid))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: the child, in its own session, goes too
            _kill(proc.pid)
            os.wait4(proc.pid, 0)
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise BenchError(f"{' '.join(cmd)} (in {cwd}) exited {proc.returncode}:\n"
                             f"{stderr[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout, stderr)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def alternate(first: Callable[[int], Run], second: Callable[[int], Run], pairs: int, *,
              budget: float = float("inf"), warm: bool = True) -> tuple[Runs, Runs]:
    """Run first, second, first, second … `pairs` times (fewer once `budget` seconds have gone,
    at least one pair); each is called with the pair's number. `warm`: one untimed run of
    each first, so the bytecode and template caches are written before the clock starts."""
    if warm:
        first(-1)
        second(-1)
    a: list[Run] = []
    b: list[Run] = []
    start = time.perf_counter()
    for number in range(pairs):
        a.append(first(number))
        b.append(second(number))
        if time.perf_counter() - start > budget:
            break
    return Runs(tuple(a)), Runs(tuple(b))


def repeat(once: Callable[[int], Run], times: int, *, budget: float = float("inf"),
           warm: bool = False) -> Runs:
    """`once` up to `times` times (fewer once `budget` seconds have gone, at least once)."""
    if warm:
        once(-1)
    runs: list[Run] = []
    start = time.perf_counter()
    for number in range(times):
        runs.append(once(number))
        if time.perf_counter() - start > budget:
            break
    return Runs(tuple(runs))


def python(*args: str) -> list[str]:
    return [sys.executable, *args]
