"""One run of a distributed crawl, shared by its workers: ``CrawlRun``.

On one machine a crawl's lock keeps two runs apart (state.py). A distributed
crawl (``CRAWL_FRONTIER=redis...``) has many workers in one run, so the lock
becomes a membership kept in the frontier's Redis:

``newscrawl:run:{crawl}``          hash: ``id`` (the run id, every worker's
                                   ``CRAWL_ID``), ``started``, ``ended`` (ms,
                                   Redis clock; set when a worker finished the
                                   crawl), ``ended_by``, ``previous``
``newscrawl:run:{crawl}:workers``  sorted set: worker name (``<hostname>-<pid>``,
                                   as the frontier names it) -> the ms its
                                   membership expires (refreshed every third
                                   of ``CRAWL_LOCK_TTL``)

What a worker does at start (one Lua script, so two workers never disagree):

* no run, or the last run ended and every one of its workers has left: it
  starts the next run (a new id, or ``CRAWL_ID`` when set), and the ended
  run's frontier (``newscrawl.frontier.status``: an empty queue, its seen
  requests, its counters) is cleared in the same script, so the new run
  fetches its start pages again (what is archived stays in ``CRAWL_STATE``);
* a run that has not ended: it joins it (workers started together, and any
  worker started to replace one that died), unless ``CRAWL_ID`` names another
  run: then that other run holds the crawl (``CrawlLocked``, exit 75), or, when
  no worker of it is left, the new run takes over (and its frontier);
* the run ended but some of its workers are still closing (uploading, writing
  manifests): it waits for them (``CRAWL_RUN_WAIT``), then starts the next run;
  still not free by then: ``CrawlLocked`` (exit 75);
* ``CRAWL_ID`` names the run that already ended: ``RunAlreadyDone`` (nothing
  to do, exit 0), so a late worker of a finished Job does not crawl again.

A worker killed without leaving is dropped when its membership expires, or at
once by a worker on the same host that sees its pid is gone.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from newscrawl.frontier.status import FrontierKeys, worker_name
from newscrawl.host import file_name_host, is_live_crawler
from newscrawl.incremental.state import CrawlLocked, LockLost

logger = logging.getLogger(__name__)

NAMESPACE = "newscrawl"


class RunAlreadyDone(CrawlLocked):
    """``CRAWL_ID`` names a run of this crawl that has already ended: nothing to do."""


def run_key(crawl: str, namespace: str = NAMESPACE) -> str:
    return f"{namespace}:run:{crawl}"


def workers_key(crawl: str, namespace: str = NAMESPACE) -> str:
    return f"{namespace}:run:{crawl}:workers"


# KEYS: run hash, workers zset, then the frontier's keys (newscrawl.frontier.status), cleared when a new run
# follows one that ended. ARGV: worker, ttl ms, a fresh run id, the wanted run id ("" for any).
_JOIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local id = redis.call('HGET', KEYS[1], 'id')
local ended = redis.call('HGET', KEYS[1], 'ended')
local members = redis.call('ZCARD', KEYS[2])
local wanted = ARGV[4]
if id then
  if ended and ended ~= '' then
    if wanted ~= '' and wanted == id then return {'done', id, ended} end
    if members > 0 then return {'finishing', id, tostring(members)} end
  else
    if wanted == '' or wanted == id then
      redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
      if members == 0 then return {'resumed', id, '0'} end
      return {'joined', id, tostring(members)}
    end
    if members > 0 then return {'busy', id, tostring(members)} end
  end
end
local new = ARGV[3]
if wanted ~= '' then new = wanted end
local previous = id or ''
local abandoned = '0'
if id and not (ended and ended ~= '') then abandoned = '1' end
if id and abandoned == '0' and #KEYS > 2 then
  -- The last run is done: its frontier (an empty queue, its seen requests, its counters) goes, so the
  -- next run fetches its start pages again. Done here, atomically, so no worker joining the new run
  -- can see the old frontier.
  redis.call('DEL', unpack(KEYS, 3))
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'id', new, 'started', now, 'previous', previous)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return {'started', new, previous, abandoned}
"""

# KEYS: run hash, workers zset. ARGV: worker, ttl ms, run id. 1: refreshed; 0: no longer a member.
_REFRESH = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[3] then return 0 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1
"""

# KEYS: run hash, workers zset. ARGV: worker, run id, "1" when the crawl is done. Returns workers left.
_LEAVE = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[2] then return -1 end
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] == '1' then
  local ended = redis.call('HGET', KEYS[1], 'ended')
  if not ended or ended == '' then
    local t = redis.call('TIME')
    redis.call('HSET', KEYS[1], 'ended', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000),
               'ended_by', ARGV[1])
  end
end
return redis.call('ZCARD', KEYS[2])
"""


def worker_is_dead(worker: str) -> bool:
    """True when a worker (``<hostname>-<pid>``) is a process of this host that no longer runs."""
    host, _, pid = worker.rpartition("-")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not is_live_crawler(int(pid))


def live_workers_elsewhere(client, namespace: str = NAMESPACE) -> dict[tuple[str, int], str]:
    """Every crawl's run members on other hosts whose membership has not expired, as their WARC file names
    name them ((file-name host, pid)) → ``"worker <name> of run <id> of crawl '<crawl>'"``.

    A worker that left its run, or stopped refreshing its membership (its heartbeat, every third of
    ``CRAWL_LOCK_TTL``) until it expired, is not in it: its files are a dead crawler's.
    """
    seconds, micros = client.time()
    now = seconds * 1000 + micros // 1000
    live: dict[tuple[str, int], str] = {}
    prefix, suffix = f"{namespace}:run:", ":workers"
    for raw_key in client.scan_iter(match=f"{namespace}:run:*:workers", count=1000):
        key = raw_key.decode()
        crawl = key[len(prefix):-len(suffix)]
        run_id = client.hget(run_key(crawl, namespace), "id")
        for raw in client.zrangebyscore(key, now, "+inf"):
            host, _, pid = raw.decode().rpartition("-")
            if pid.isdigit() and host != socket.gethostname():
                live[(file_name_host(host), int(pid))] = (f"worker {raw.decode()} of run"
                                                          f" {(run_id or b'?').decode()} of crawl {crawl!r}")
    return live


def new_run_id() -> str:
    """When the run started, and a few random characters: two runs in one second still differ."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


@dataclass
class RunInfo:
    """What ``run_status`` reads: the crawl's current (or last) run and its live workers."""

    id: str | None
    started: float | None  # UNIX time
    ended: float | None
    workers: dict[str, float]  # worker id -> UNIX time its membership expires

    def as_dict(self) -> dict:
        return {"id": self.id, "started": self.started, "ended": self.ended, "workers": self.workers}


def run_status(client, crawl: str, namespace: str = NAMESPACE) -> RunInfo:
    """The crawl's run as Redis holds it (read only; expired workers left out)."""
    raw = {k.decode(): v.decode() for k, v in (client.hgetall(run_key(crawl, namespace)) or {}).items()}
    now = time.time()
    workers = {w.decode(): score / 1000 for w, score in client.zrange(workers_key(crawl, namespace), 0, -1,
                                                                        withscores=True) if score / 1000 > now}
    ms = lambda name: int(raw[name]) / 1000 if raw.get(name) else None  # noqa: E731
    return RunInfo(raw.get("id"), ms("started"), ms("ended"), workers)


class CrawlRun:
    """This worker's membership in the crawl's current run (see the module's docstring)."""

    def __init__(self, client, crawl: str, ttl: float, namespace: str = NAMESPACE):
        self.client = client
        self.crawl = crawl
        self.ttl_ms = max(1000, int(ttl * 1000))
        self.keys = [run_key(crawl, namespace), workers_key(crawl, namespace)]
        frontier = FrontierKeys(crawl)
        # Every fixed key of the crawl's frontier (the per-host slots expire on their own).
        self.frontier_keys = sorted(v for v in vars(frontier).values()
                                    if isinstance(v, str) and v.startswith(frontier.prefix + ":"))
        self.worker = worker_name()
        self.run_id: str | None = None
        self.joined: str | None = None  # "started", "joined" or "resumed"
        self._join = client.register_script(_JOIN)
        self._refresh = client.register_script(_REFRESH)
        self._leave = client.register_script(_LEAVE)

    @classmethod
    def from_url(cls, url: str, crawl: str, ttl: float) -> "CrawlRun":
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10), crawl, ttl)

    def close(self) -> None:
        self.client.close()

    def _drop_dead_neighbours(self) -> None:
        """Workers of this host whose process is gone: they cannot leave, so they are dropped now."""
        for raw in self.client.zrange(self.keys[1], 0, -1):
            worker = raw.decode()
            if worker_is_dead(worker) and self.client.zrem(self.keys[1], worker):
                logger.warning("Worker %s of crawl %r is no longer running; dropped from its run", worker, self.crawl)

    def join(self, wanted: str | None = None, wait: float = 0.0, poll: float = 1.0) -> str:
        """Join or start the crawl's run; its id. Raises ``CrawlLocked`` / ``RunAlreadyDone``."""
        deadline = time.monotonic() + wait
        said_waiting = False
        while True:
            self._drop_dead_neighbours()
            answer = [x.decode() for x in self._join(keys=self.keys + self.frontier_keys, args=[
                self.worker, self.ttl_ms, new_run_id(), wanted or ""])]
            outcome, run_id = answer[0], answer[1]
            if outcome in ("started", "joined", "resumed"):
                self.run_id, self.joined = run_id, outcome
                if outcome == "started" and answer[3] == "1":
                    logger.warning("Run %s of crawl %r was left unfinished by all its workers; run %s takes over"
                                   " its frontier", answer[2], self.crawl, run_id)
                elif outcome == "started" and answer[2]:
                    logger.info("Run %s of crawl %r is done: its frontier was cleared for run %s",
                                answer[2], self.crawl, run_id)
                what = {"started": "Started run", "joined": f"Joined run ({answer[2]} other worker(s))",
                        "resumed": "Resumed run (no worker of it was left)"}[outcome]
                logger.info("%s %s of crawl %r as worker %s", what, run_id, self.crawl, self.worker)
                return run_id
            if outcome == "done":
                raise RunAlreadyDone(f"run {run_id} of crawl {self.crawl!r} (CRAWL_ID) is already done;"
                                     " nothing to do")
            if outcome == "busy":
                raise CrawlLocked(f"crawl {self.crawl!r} is already running as run {run_id}"
                                  f" ({answer[2]} worker(s)), not CRAWL_ID={wanted}")
            # "finishing": the run ended and its workers are closing; the next run waits for them.
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CrawlLocked(f"run {run_id} of crawl {self.crawl!r} has ended but {answer[2]} of its"
                                  f" worker(s) are still closing after {wait:.0f} s (CRAWL_RUN_WAIT)")
            if not said_waiting:
                logger.info("Run %s of crawl %r has ended; waiting (at most %.0f s) for its %s worker(s)"
                            " still closing before starting the next run", run_id, self.crawl, wait, answer[2])
                said_waiting = True
            time.sleep(min(poll, remaining))

    def workers_elsewhere(self) -> frozenset[tuple[str, int]]:
        """The run's live workers on other hosts, as their WARC file names name them: (file-name host, pid)."""
        seconds, micros = self.client.time()
        out = set()
        for raw in self.client.zrangebyscore(self.keys[1], seconds * 1000 + micros // 1000, "+inf"):
            host, _, pid = raw.decode().rpartition("-")
            if pid.isdigit() and host != socket.gethostname():
                out.add((file_name_host(host), int(pid)))
        return frozenset(out)

    def refresh(self) -> None:
        """Extend the membership; ``LockLost`` when this worker is no longer in its run."""
        if self.run_id is None:
            return
        if not self._refresh(keys=self.keys, args=[self.worker, self.ttl_ms, self.run_id]):
            run_id, self.run_id = self.run_id, None
            raise LockLost(f"worker {self.worker} is no longer a member of run {run_id} (expired or removed)")

    def leave(self, done: bool) -> int:
        """Leave the run; ``done``: this worker saw the crawl finish, so the run has ended. Workers left."""
        if self.run_id is None:
            return 0
        run_id, self.run_id = self.run_id, None
        left = int(self._leave(keys=self.keys, args=[self.worker, run_id, "1" if done else "0"]))
        if left < 0:
            logger.warning("Run %s of crawl %r was replaced by another before worker %s left it",
                           run_id, self.crawl, self.worker)
            return 0
        logger.info("Left run %s of crawl %r%s; %d worker(s) still in it", run_id, self.crawl,
                    " (the crawl is done: the next run starts once they have left)" if done else "", left)
        return left
