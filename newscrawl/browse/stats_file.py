"""``STATS_FILE``: a JSON file that says, every few seconds, where a running crawl is.

Like browsertrix-crawler's ``--statsFilename``: a program watching a crawl
(a dashboard, a scheduler, ``watch cat``) reads one small file instead of
parsing logs. Every ``STATS_FILE_INTERVAL`` seconds, and once more at the end,
the extension takes a snapshot on the reactor thread (counters only: cheap) and
writes it on a worker thread, to a temporary file renamed over the old one, so
a reader never sees half a file. What it holds::

    {"crawl_id": ..., "state": "running" | "finished", "finish_reason": null | "finished" | ...,
     "started": ISO, "updated": ISO, "elapsed_seconds": ...,
     "crawled": responses received, "pending": scheduled + downloading, "failed": requests that
     gave no page, "articles": items, "archived_bytes": bytes in the WARC files so far,
     "per_host": {"host:port": {"crawled", "failed", "downloading", "bytes", "statuses": {...}}}}
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl.config import check_stats_file, get_duration

logger = logging.getLogger(__name__)


class _Host:
    __slots__ = ("crawled", "failed", "downloading", "bytes", "statuses")

    def __init__(self) -> None:
        self.crawled = self.failed = self.downloading = self.bytes = 0
        self.statuses: Counter[int] = Counter()

    def as_dict(self) -> dict:
        return {"crawled": self.crawled, "failed": self.failed, "downloading": self.downloading,
                "bytes": self.bytes, "statuses": {str(k): v for k, v in sorted(self.statuses.items())}}


def write_atomically(path: Path, data: dict) -> None:
    """``data`` as JSON at ``path``, through a temporary file renamed over it (readers see old or new)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class StatsFileExtension:
    """Writes ``STATS_FILE`` every ``STATS_FILE_INTERVAL`` seconds during a crawl, and at its end."""

    def __init__(self, crawler: Crawler, path: Path, interval: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.interval = interval
        self.crawl_id = crawler.settings.get("CRAWL_ID")
        self.hosts: dict[str, _Host] = {}
        self._answered: set[int] = set()  # requests in the downloader that got a response
        self._task: asyncio.Task | None = None
        self._writing: asyncio.Future | None = None
        self.started = datetime.now(timezone.utc)
        self.failures = 0  # writes that failed (logged once each)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # The last write waits for every spider_closed handler (the archive closes its last file there).
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        self._reason: str | None = None
        self._final_done = False
        crawler.signals.connect(self.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.request_left, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StatsFileExtension":
        settings = crawler.settings
        value = settings.get("STATS_FILE")
        if not value:
            raise NotConfigured("STATS_FILE is not set")
        check_stats_file(settings)  # config.check_settings has said so already, for the commands
        interval = get_duration(settings, "STATS_FILE_INTERVAL", strictly_positive=True)
        return cls(crawler, Path(str(value)).expanduser(), interval)

    # -- counting, on the reactor thread ------------------------------------------

    def _host(self, request: Request) -> _Host:
        host = urlsplit(request.url).netloc.lower() or "?"
        entry = self.hosts.get(host)
        if entry is None:
            entry = self.hosts[host] = _Host()
        return entry

    def request_reached(self, request: Request, spider=None) -> None:
        self._host(request).downloading += 1

    def response_downloaded(self, response: Response, request: Request, spider=None) -> None:
        host = self._host(request)
        host.crawled += 1
        host.bytes += len(response.body)
        host.statuses[response.status] += 1
        self._answered.add(id(request))

    def request_left(self, request: Request, spider=None) -> None:
        host = self._host(request)
        host.downloading -= 1
        if id(request) in self._answered:
            self._answered.discard(id(request))
        else:
            host.failed += 1  # left the downloader without a response: a download error

    # -- the file -----------------------------------------------------------------------

    def snapshot(self, state: str = "running", reason: str | None = None) -> dict:
        get = self.stats.get_value
        now = datetime.now(timezone.utc)
        downloading = sum(h.downloading for h in self.hosts.values())
        scheduled = max(0, (get("scheduler/enqueued") or 0) - (get("scheduler/dequeued") or 0))
        stats = self.stats.get_stats()
        failed = sum(v for k, v in stats.items() if k.startswith("newscrawl/failed/") and isinstance(v, int))
        if not failed:
            failed = sum(h.failed for h in self.hosts.values())
        return {
            "crawl_id": self.crawl_id or get("newscrawl/crawl_id"),
            "state": state,
            "finish_reason": reason,
            "started": self.started.isoformat(timespec="seconds"),
            "updated": now.isoformat(timespec="milliseconds"),
            "elapsed_seconds": round((now - self.started).total_seconds(), 3),
            "crawled": sum(h.crawled for h in self.hosts.values()),
            "pending": scheduled + downloading,
            "failed": failed,
            "articles": get("item_scraped_count") or 0,
            "archived_bytes": get("warc/written_bytes") or get("warc/bytes") or 0,
            "warc_files": get("warc/files") or 0,
            "per_host": {h: entry.as_dict() for h, entry in sorted(self.hosts.items())},
        }

    async def _write(self, data: dict) -> None:
        try:
            await asyncio.to_thread(write_atomically, self.path, data)
        except OSError as exc:
            self.failures += 1
            self.stats.inc_value("newscrawl/stats_file/failed")
            # Once at ERROR; after that the counter says how often (a full disk would flood the log).
            logger.log(logging.ERROR if self.failures == 1 else logging.DEBUG,
                       "Cannot write STATS_FILE %s: %s", self.path, exc)

    async def _loop(self) -> None:
        while True:
            if self._writing is None or self._writing.done():  # never two writes at once
                self._writing = asyncio.ensure_future(self._write(self.snapshot()))
            await asyncio.sleep(self.interval)

    async def spider_opened(self) -> None:
        self.started = datetime.now(timezone.utc)
        self._task = asyncio.ensure_future(self._loop())

    async def spider_closed(self, reason: str = "") -> None:
        self._reason = reason
        if self._task is not None:
            self._task.cancel()

    async def engine_stopped(self) -> None:
        if self._final_done:
            return
        self._final_done = True
        if self._task is not None:
            self._task.cancel()
        if self._writing is not None and not self._writing.done():
            await self._writing
        await self._write(self.snapshot("finished", self._reason or self.stats.get_value("finish_reason")))
