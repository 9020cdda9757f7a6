"""Ctrl-C and SIGTERM wait while a message's end of data is out and its reply not yet in.

Stopping there would leave the message unconfirmed (the server may have it, the sender never
learns): a rerun could then neither count it as sent nor send it again without the risk of
a duplicate. So, from just before the terminator until the reply is recorded, a signal is
held and acted on right after, the way the handler in place would have acted on it: the wait
is bounded by [send] timeout. Signals reach the main thread only: a send in another thread
(the scheduler's workers) has nothing to hold.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """`with Interrupts() as interrupts:` around a send; `hold()` before a terminator,
    `release()` once its outcome is recorded (a held signal is acted on there)."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}
        self._holding = False
        self._held: tuple[int, FrameType | None] | None = None

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in _SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._holding = False
        if self._held is not None and kind is None:
            self._act(*self._held)

    def hold(self) -> None:
        self._holding = True

    def release(self) -> None:
        self._holding = False
        if self._held is not None:
            held, self._held = self._held, None
            self._act(*held)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._holding:
            self._held = (signum, frame)
        else:
            self._act(signum, frame)

    def _act(self, signum: int, frame: FrameType | None) -> None:
        """What the handler in place before us does: raise KeyboardInterrupt (Ctrl-C, and
        SIGTERM under `digest send`), or nothing (ignored). SIGTERM left at its default
        (`digest send --due`) stops like Ctrl-C too: the send settles what it knows first,
        where the default would end the process before the outcome is committed."""
        handler = self._previous.get(signum, signal.SIG_DFL)
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL and signum == signal.SIGTERM:
            raise KeyboardInterrupt
        elif handler == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
