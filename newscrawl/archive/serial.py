"""One thread running calls in order, handing results back to the event loop in batches.

The archive writes every exchange on one thread (the writer is not shared).
A ``ThreadPoolExecutor`` plus ``asyncio.wrap_future`` per exchange costs a queue
hand-off, a thread wake-up and a loop wake-up (a write to its self-pipe) for
each response; at a few hundred responses a second that is a visible share of
the crawler's CPU, all of it contending for the GIL with the reactor thread.
Here calls queue up in a ``SimpleQueue``; the thread takes every call waiting at once,
runs them in order, and wakes the loop once per batch to resolve their futures.
Under load the batches grow and the hand-offs per response shrink; a lone
call is handled at once.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any


class SerialThread:
    """``await thread.run(fn, *args)``: ``fn(*args)`` on the thread, in submission order."""

    def __init__(self, name: str):
        # SimpleQueue: put and get in C, no Python-level Condition per hand-off.
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        if self._stopping:
            raise RuntimeError("cannot run calls after shutdown")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((loop, future, fn, args))
        return future

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:  # and every call waiting behind it
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = False
            done: dict[asyncio.AbstractEventLoop, list] = {}
            for call in batch:
                if call is None:  # shutdown(): what was queued before it has run
                    stop = True
                    continue
                loop, future, fn, args = call
                try:
                    outcome = (future, True, fn(*args))
                except BaseException as exc:  # handed to the caller's await
                    outcome = (future, False, exc)
                done.setdefault(loop, []).append(outcome)
            for loop, outcomes in done.items():
                try:
                    loop.call_soon_threadsafe(_deliver, outcomes)
                except RuntimeError:  # the loop is closed: nobody waits for these any more
                    pass
            if stop:
                return

    def shutdown(self, wait: bool = True) -> None:
        """Run what is queued, then stop the thread."""
        if not self._stopping:
            self._stopping = True
            self._queue.put(None)
        if wait:
            self._thread.join()


def _deliver(outcomes: list) -> None:
    for future, ok, value in outcomes:
        if future.cancelled():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
