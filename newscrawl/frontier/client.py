"""The frontier's Redis connection (redis.asyncio: never blocking the reactor) and how it rides out outages.

Every call goes through ``FrontierRedis.call``: when Redis cannot be reached,
the first failure logs one line ("unreachable ... the crawl pauses"), the call
is tried again (every half second, up to 2 s apart) until Redis answers, and
one line says it is back and after how long. Nothing is dropped meanwhile:
the callers' work (pushes, acks) waits in memory and goes through once Redis
is back. Each script is safe to run twice (scripts.py), so a call whose reply
was lost is simply run again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newscrawl.safety.redact import redact

from . import scripts

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError, asyncio.TimeoutError)


class FrontierRedis:
    """One redis.asyncio client for a worker, its scripts, and the outage state (paused or not)."""

    def __init__(self, url: str, stats=None):
        self.url = url
        self.where = redact(url)
        self.stats = stats
        self.client = aioredis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5,
                                              health_check_interval=0)
        self.scripts = {name: self.client.register_script(getattr(scripts, name))
                        for name in ("PUSH", "SEE", "SEED", "SEED_OUTCOME", "TAKE", "ACK", "GIVE_BACK", "RENEW", "REAP", "IDLE",
                                     "ACQUIRE_SLOT", "RELEASE_SLOT", "RENEW_SLOTS")}
        self.down_since: float | None = None
        # Since when Redis has answered without a break: leases are only reaped once every worker had a
        # lease timeout to renew its own after an outage.
        self.up_since = time.monotonic()
        self._back = asyncio.Event()
        self._back.set()
        self._back_at = float("-inf")
        self.closing = False

    @property
    def paused(self) -> bool:
        return self.down_since is not None

    async def wait_until_up(self) -> None:
        await self._back.wait()

    async def run(self, name: str, keys: list, args: list) -> Any:
        script = self.scripts[name]
        return await self.call(lambda: script(keys=keys, args=args))

    async def call(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        """``await fn()``, tried again until Redis answers (the crawl pauses meanwhile)."""
        delay = 0.5
        while True:
            try:
                result = await fn()
            except OUTAGE_ERRORS as exc:
                if self.closing and self.down_since is not None and time.monotonic() - self.down_since > 30:
                    raise
                self._went_down(exc)
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 1.5)
                continue
            self._came_back()
            return result

    def _went_down(self, exc: BaseException) -> None:
        # Right after an outage the pool's other connections fail once each: the same outage, no new line.
        if self.down_since is not None or time.monotonic() - self._back_at < 10:
            if self.stats is not None:
                self.stats.inc_value("frontier/redis/retries")
            return
        self.down_since = time.monotonic()
        self._back.clear()
        if self.stats is not None:
            self.stats.inc_value("frontier/redis/outages")
        logger.error("Redis %s is unreachable (%s: %s): the crawl pauses, nothing is lost; it resumes when"
                     " Redis is back", self.where, type(exc).__name__, redact(str(exc)))

    def _came_back(self) -> None:
        if self.down_since is None:
            return
        seconds = time.monotonic() - self.down_since
        self.down_since = None
        self.up_since = self._back_at = time.monotonic()
        self._back.set()
        if self.stats is not None:
            self.stats.inc_value("frontier/redis/outage_seconds", round(seconds, 1))
        logger.warning("Redis %s is back after %.1f s: the crawl resumes", self.where, seconds)

    async def close(self) -> None:
        try:
            await self.client.aclose()
        except Exception:  # closing must not hide what made us close
            logger.debug("Closing the frontier's Redis client failed", exc_info=True)
