"""Crawl state across runs: per URL, the last capture that is safely stored.

``CRAWL_STATE`` picks the backend: a SQLite file path (default
``.newscrawl/state.sqlite``), or ``redis://...`` (or ``redis``, meaning
``REDIS_URL``) to share the state between machines. Both keep, per crawl
(``CRAWL_NAME``) and URL, the last fetch time, status, payload digest and
where the record is (WARC URI, offset, record id), and both hold the lock that
keeps two runs of one crawl apart. Two crawls that share one state (one Redis
server, one SQLite file) never skip an article because the other archived it:
each archives into its own ``WARC_STORE``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from newscrawl.host import is_live_crawler

logger = logging.getLogger(__name__)


@dataclass
class Capture:
    """The last stored capture of one URL."""

    url: str
    fetched_at: str  # WARC-Date
    status: int
    payload_digest: str
    warc_uri: str
    offset: int
    record_id: str
    fetched_ts: float  # fetched_at as a UNIX time, for age checks


class CrawlLocked(RuntimeError):
    """Another run of the same crawl holds the lock."""


class LockLost(RuntimeError):
    """The lock this run held is gone (expired and taken by another run, or removed)."""


class CrawlState(Protocol):
    def get(self, url: str) -> Capture | None: ...

    def put_many(self, captures: list[Capture]) -> None: ...

    def acquire(self, crawl: str, ttl: float) -> None:
        """Take the crawl's lock or raise CrawlLocked; a crashed holder's lock expires."""

    def refresh(self) -> None:
        """Extend the lock's life; raise ``LockLost`` when this run no longer holds it (other errors propagate)."""

    def release(self) -> None:
        """Give the lock up (only if this run still holds it); safe to call twice."""

    def close(self) -> None: ...


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True when a lock holder ("host:pid:token") is a process of this host that no longer runs.

    A crawler killed with SIGKILL cannot release its lock; on its own host the
    next run can tell, and need not wait for the lock to expire.
    """
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not is_live_crawler(int(pid))


class SqliteState:
    """State in a SQLite file; the lock is a row with an expiry, taken in a transaction."""

    def __init__(self, path: str | Path, crawl: str = ""):
        self.path = Path(path)
        self.crawl = crawl
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection, used from the reactor thread and the writer thread.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._mutex = threading.Lock()
        with self._mutex:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS crawl_captures (crawl TEXT NOT NULL, url TEXT NOT NULL, fetched_at TEXT,"
                " status INTEGER, payload_digest TEXT, warc_uri TEXT, offset INTEGER, record_id TEXT,"
                " fetched_ts REAL, PRIMARY KEY (crawl, url))"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS locks (crawl TEXT PRIMARY KEY, holder TEXT, expires REAL)")
            self._adopt_unscoped_captures()
        self._lock: tuple[str, str, float] | None = None

    def _adopt_unscoped_captures(self) -> None:
        """A state file of an earlier version kept its captures for every crawl at once (``captures``): they
        become the captures of the first crawl that opens it (the one that wrote them, as a rule). Looked for
        without a write lock; taken only when there is such a table, and looked for again under it."""
        if not self._has_unscoped_captures():
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._has_unscoped_captures():
                adopted = self._db.execute(
                    "INSERT OR IGNORE INTO crawl_captures SELECT ?, url, fetched_at, status, payload_digest,"
                    " warc_uri, offset, record_id, fetched_ts FROM captures", (self.crawl,)).rowcount
                self._db.execute("DROP TABLE captures")
                logger.warning("CRAWL_STATE %s: %d capture(s) an earlier version kept for all crawls now belong"
                               " to crawl %r (the state is kept per CRAWL_NAME)", self.path, adopted, self.crawl)
        finally:
            self._db.execute("COMMIT")

    def _has_unscoped_captures(self) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'captures'"
                                ).fetchone() is not None

    def get(self, url: str) -> Capture | None:
        with self._mutex:
            row = self._db.execute(
                "SELECT url, fetched_at, status, payload_digest, warc_uri, offset, record_id, fetched_ts"
                " FROM crawl_captures WHERE crawl = ? AND url = ?", (self.crawl, url)).fetchone()
        return Capture(*row) if row else None

    def is_empty(self) -> bool:
        """No capture of this crawl stored (a first run): read once at start, while this run holds the lock."""
        with self._mutex:
            return self._db.execute("SELECT 1 FROM crawl_captures WHERE crawl = ? LIMIT 1",
                                    (self.crawl,)).fetchone() is None

    def put_many(self, captures: list[Capture]) -> None:
        if not captures:
            return
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO crawl_captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(self.crawl, *asdict(c).values()) for c in captures],
            )
            self._db.execute("COMMIT")

    def acquire(self, crawl: str, ttl: float) -> None:
        holder, now = _holder(), time.time()
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT holder, expires FROM locks WHERE crawl = ?", (crawl,)).fetchone()
                if row and row[1] > now and holder_is_dead(row[0]):
                    logger.warning("Taking over the lock of crawl %r from %s, which is no longer running", crawl, row[0])
                elif row and row[1] > now:
                    raise CrawlLocked(f"crawl {crawl!r} is already running ({row[0]}, lock held until"
                                      f" {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(row[1]))} UTC)")
                self._db.execute("INSERT OR REPLACE INTO locks VALUES (?, ?, ?)", (crawl, holder, now + ttl))
            finally:
                self._db.execute("COMMIT")
        self._lock = (crawl, holder, ttl)

    @property
    def holder(self) -> str | None:
        """This run's lock token ("host:pid:random") while it holds the lock."""
        return self._lock[1] if self._lock else None

    def refresh(self) -> None:
        if self._lock:
            crawl, holder, ttl = self._lock
            with self._mutex:
                updated = self._db.execute("UPDATE locks SET expires = ? WHERE crawl = ? AND holder = ?",
                                           (time.time() + ttl, crawl, holder)).rowcount
                if updated != 1:
                    row = self._db.execute("SELECT holder FROM locks WHERE crawl = ?", (crawl,)).fetchone()
            if updated != 1:
                self._lock = None
                raise LockLost(f"the lock of crawl {crawl!r} in {self.path} is held by {row[0]}" if row
                               else f"the lock of crawl {crawl!r} in {self.path} was removed")

    def release(self) -> None:
        if self._lock:
            crawl, holder, _ttl = self._lock
            with self._mutex:
                self._db.execute("DELETE FROM locks WHERE crawl = ? AND holder = ?", (crawl, holder))
            self._lock = None

    def close(self) -> None:
        with self._mutex:
            self._db.close()


class RedisState:
    """State in Redis (a key per crawl and URL); the lock is redis-py's ``Lock`` (a token, a TTL,
    compare-and-set scripts). Keys of an earlier version (``<namespace>:capture:<url>``, one for all crawls)
    are not read: their articles are fetched once more."""

    def __init__(self, url: str, namespace: str = "newscrawl", crawl: str = ""):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        self.ns = namespace
        self.crawl = crawl
        self._lock = None  # a redis.lock.Lock while this run holds the crawl's lock

    def _key(self, url: str) -> str:
        return f"{self.ns}:crawl:{self.crawl}:capture:{url}"

    def get(self, url: str) -> Capture | None:
        raw = self._redis.get(self._key(url))
        return Capture(**json.loads(raw)) if raw else None

    def put_many(self, captures: list[Capture]) -> None:
        if captures:
            pipe = self._redis.pipeline(transaction=True)
            for c in captures:
                pipe.set(self._key(c.url), json.dumps(asdict(c)))
            pipe.execute()

    def _new_lock(self, key: str, ttl: float):
        # thread_local=False: the lock is taken on one thread and refreshed and released on others.
        return self._redis.lock(key, timeout=ttl, blocking=False, thread_local=False)

    def acquire(self, crawl: str, ttl: float) -> None:
        from redis.exceptions import LockError

        holder, key = _holder(), f"{self.ns}:lock:{crawl}"
        lock = self._new_lock(key, ttl)
        if lock.acquire(token=holder):
            self._lock = lock
            return
        other = (self._redis.get(key) or b"?").decode()
        if holder_is_dead(other):
            stale = self._new_lock(key, ttl)
            stale.local.token = other.encode()
            try:
                stale.release()  # deletes the key only while it still holds the dead run's token
            except LockError:
                pass
            if lock.acquire(token=holder):
                logger.warning("Taking over the lock of crawl %r from %s, which is no longer running", crawl, other)
                self._lock = lock
                return
            other = (self._redis.get(key) or b"?").decode()
        raise CrawlLocked(f"crawl {crawl!r} is already running ({other}, lock expires in"
                          f" {max(0, self._redis.pttl(key)) / 1000:.0f} s)")

    @property
    def holder(self) -> str | None:
        """This run's lock token ("host:pid:random") while it holds the lock."""
        return self._lock.local.token.decode() if self._lock is not None else None

    def refresh(self) -> None:
        from redis.exceptions import LockNotOwnedError

        if self._lock is None:
            return
        lock = self._lock
        try:
            lock.reacquire()  # back to the full TTL, only while the key still holds our token
        except LockNotOwnedError:
            self._lock = None
            other = self._redis.get(lock.name)
            raise LockLost(f"the lock {lock.name!r} is held by {other.decode()}" if other
                           else f"the lock {lock.name!r} expired or was removed") from None

    def release(self) -> None:
        from redis.exceptions import LockError

        lock, self._lock = self._lock, None
        if lock is not None:
            try:
                lock.release()
            except LockError:
                logger.warning("The lock %r was no longer this run's when it ended", lock.name)

    def close(self) -> None:
        self._redis.close()


def state_from_settings(value: str | None, redis_url: str | None, crawl: str) -> CrawlState:
    """The state backend named by ``CRAWL_STATE`` (and ``REDIS_URL``), holding the captures of ``crawl``."""
    value = value or ".newscrawl/state.sqlite"
    if value == "redis":
        if not redis_url:
            raise ValueError("CRAWL_STATE=redis needs REDIS_URL (redis://host:port/db)")
        value = redis_url
    if value.startswith(("redis://", "rediss://", "unix://")):
        return RedisState(value, crawl=crawl)
    if "://" in value:
        raise ValueError(f"CRAWL_STATE={value!r}: use a SQLite file path, redis://... or 'redis' (with REDIS_URL)")
    return SqliteState(value, crawl=crawl)
