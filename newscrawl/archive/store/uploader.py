"""A background thread that uploads spool files, retrying until they are safely stored.

It knows nothing of S3: it calls ``upload(job)``, which either returns (the
file is stored and verified) or raises (try again later). Failed jobs come
back with exponential backoff, so a server that is down for a while only
delays uploads; jobs are taken oldest-first, so leftovers from an earlier
crawl go before this crawl's files. ``drain(timeout)`` is the only wait, and
it is bounded.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

J = TypeVar("J")


class UploadQueue(Generic[J]):
    """Jobs in, one worker thread, retries with backoff, a bounded drain."""

    def __init__(self, upload: Callable[[J], None], retry_delay: float = 1.0, max_retry_delay: float = 60.0,
                 on_failure: Callable[[J, BaseException, int], None] | None = None, name: str = "warc-upload"):
        self._upload = upload
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._on_failure = on_failure
        self._heap: list[tuple[float, int, J, int]] = []  # (due, seq, job, failures)
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._deadline: float | None = None  # set by drain(): stop retrying after it
        self._in_flight: J | None = None
        self._stopped = False
        # Started by the first job: a store built only to be checked (pre-flight) leaves no thread behind.
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def submit(self, job: J) -> None:
        with self._cond:
            if self._thread.ident is None and not self._stopped:
                self._thread.start()
            heapq.heappush(self._heap, (time.monotonic(), next(self._seq), job, 0))
            self._cond.notify()

    def _next_job(self) -> tuple[J, int] | None:
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                open_ = self._deadline is None or now < self._deadline
                if self._heap and open_ and self._heap[0][0] <= now:
                    _due, _seq, job, failures = heapq.heappop(self._heap)
                    self._in_flight = job
                    return job, failures
                if self._heap and open_:
                    limit = self._heap[0][0] if self._deadline is None else min(self._heap[0][0], self._deadline)
                    self._cond.wait(max(0.0, limit - now))
                else:
                    self._cond.wait()
            return None

    def _run(self) -> None:
        while (picked := self._next_job()) is not None:
            job, failures = picked
            try:
                self._upload(job)
            except Exception as exc:  # anything: the job stays and comes back later
                failures += 1
                delay = min(self.max_retry_delay, self.retry_delay * 2 ** (failures - 1))
                delay *= random.uniform(0.75, 1.0)
                if self._on_failure:
                    self._on_failure(job, exc, failures)
                with self._cond:
                    heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), job, failures))
            finally:
                with self._cond:
                    self._in_flight = None
                    self._cond.notify_all()

    def drain(self, timeout: float) -> list[J]:
        """Wait until every job is done or ``timeout`` seconds have passed; return the jobs left.

        After the time is up no job is started (until the next ``drain``); an
        upload already running is waited for, bounded by botocore's timeouts.
        """
        with self._cond:
            self._deadline = time.monotonic() + max(0.0, timeout)
            self._cond.notify_all()
            while self._in_flight is not None or (self._heap and time.monotonic() < self._deadline):
                self._cond.wait(max(0.01, min(1.0, self._deadline - time.monotonic())))
            return [job for _d, _s, job, _f in sorted(self._heap)]

    def stop(self) -> None:
        """End the worker thread (jobs still queued stay undone)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + (self._in_flight is not None)
