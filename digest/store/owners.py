"""Owner ids: which process holds a ledger row or a schedule slot, and whether it is gone.

Owner ids name a process: host, pid, the process start time (so a reused pid is told apart)
and a nonce. `owner_dead` is True only when that is certain: same host, and the pid is gone or
belongs to another process; for another host only the ledger's lease can tell.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path


def new_owner() -> str:
    """An id for this process: host, pid and start time (to tell pid reuse), a nonce."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}:{uuid.uuid4().hex[:8]}"


def _start_ticks(pid: int) -> str:
    try:
        # Field 22 of /proc/<pid>/stat is the start time; the command name (2) may hold spaces.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def owner_dead(owner: str) -> bool:
    """True only when `owner` is surely gone: same host, and its pid is dead or reused."""
    host, _, rest = owner.partition(":")
    pid_text, _, rest = rest.partition(":")
    ticks = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine: only its lease can tell
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return ticks != "?" and _start_ticks(pid) not in (ticks, "?")
