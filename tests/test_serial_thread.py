"""The archive's writer thread (newscrawl/archive/serial.py): in order, errors to the caller, batched hand-backs."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from newscrawl.archive.serial import SerialThread


def test_calls_run_in_order_on_one_thread_and_errors_reach_their_caller():
    thread = SerialThread("test-writer")
    seen: list[tuple[int, str]] = []

    def work(i: int) -> int:
        seen.append((i, threading.current_thread().name))
        if i == 3:
            raise ValueError("three")
        return i * 10

    async def main():
        futures = [thread.run(work, i) for i in range(8)]
        return await asyncio.gather(*futures, return_exceptions=True)

    results = asyncio.run(main())
    thread.shutdown()
    assert [i for i, _ in seen] == list(range(8))
    assert {name for _, name in seen} == {"test-writer"}
    assert results[:3] == [0, 10, 20] and isinstance(results[3], ValueError) and results[4:] == [40, 50, 60, 70]


def test_calls_waiting_together_come_back_in_one_loop_wakeup():
    thread = SerialThread("test-writer")
    gate = threading.Event()
    wakeups = []

    async def main():
        loop = asyncio.get_running_loop()
        original = loop.call_soon_threadsafe

        def counting(*args, **kwargs):
            wakeups.append(args[0])
            return original(*args, **kwargs)

        loop.call_soon_threadsafe = counting
        first = thread.run(gate.wait)  # holds the thread while the others queue up
        rest = [thread.run(time.sleep, 0) for _ in range(20)]
        gate.set()
        await asyncio.gather(first, *rest)

    asyncio.run(main())
    thread.shutdown()
    assert len(wakeups) <= 2  # the first call's batch, then the twenty others at once


def test_shutdown_runs_what_is_queued_then_refuses():
    thread = SerialThread("test-writer")
    done = []

    async def main():
        futures = [thread.run(done.append, i) for i in range(5)]
        thread.shutdown(wait=False)
        await asyncio.gather(*futures)
        with pytest.raises(RuntimeError):
            thread.run(done.append, 99)

    asyncio.run(main())
    thread.shutdown()
    assert done == [0, 1, 2, 3, 4]
