"""The Scrapy component that archives every HTTP exchange: signals in, writer calls out, stats.

``WarcArchiveMiddleware`` sits at 950 in ``DOWNLOADER_MIDDLEWARES``, next to the
downloader, so it sees each response before retry, redirect and decompression
middlewares touch it: robots.txt, redirects, 4xx/5xx, retried failures, PDFs
and pages all become WARC records, with the payload exactly as sent.

Writing happens on one dedicated thread (the writer is not shared), so the
reactor never waits on the disk or on gzip. The response record's pointer is
put in ``request.meta["warc_record"]`` for the spider to copy into its Page.

At ``spider_opened`` the store repairs ``.open`` files a killed crawler left
and queues earlier crawls' leftovers (on the writer thread). At
``spider_closed`` the last file is closed, the store finishes its uploads
(bounded by ``WARC_UPLOAD_TIMEOUT``) and writes the crawl's manifest; files
it could not store are counted in ``warc/pending_files`` and make
``scrapy crawl`` exit non-zero.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from importlib.metadata import version

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newscrawl import __version__

from .handler import REASON_META
from .records import Exchange
from .store import WarcStore, store_from_uri
from .writer import ClosedFile, RotatingWarcWriter

logger = logging.getLogger(__name__)

META_KEY = "warc_record"


def _header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy Headers → (name, value) pairs, one per value (two Set-Cookie stay two)."""
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


class WarcArchiveMiddleware:
    """Downloader middleware writing each request/response pair to WARC files."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.crawl_id = settings.get("CRAWL_ID") or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.store: WarcStore = store_from_uri(settings.get("WARC_STORE"), settings)
        self.writer = RotatingWarcWriter(
            directory=self.store.spool_dir,
            prefix=settings.get("WARC_PREFIX"),
            max_size=settings.getint("WARC_MAX_SIZE"),
            warcinfo=self._warcinfo(settings),
            uri_for=self.store.uri_for,
            on_close=self._file_closed,
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
        self._closed = False
        self.started = getattr(self.store, "started", None) or datetime.now(timezone.utc)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcArchiveMiddleware":
        return cls(crawler)

    def _warcinfo(self, settings) -> dict[str, str]:
        # Only what describes the crawl; never settings wholesale (credentials).
        return {
            "software": f"newscrawl/{__version__} (Scrapy/{version('scrapy')}; warcio/{version('warcio')})",
            "hostname": socket.gethostname(),
            "ip": _local_ip(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": self.crawl_id,
            "crawl-id": self.crawl_id,
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "pid": str(os.getpid()),
        }

    def _file_closed(self, closed: ClosedFile) -> None:
        self.stats.inc_value("warc/files")
        self.stats.inc_value("warc/bytes", closed.size)
        self.store.store(closed)

    async def process_response(self, request: Request, response: Response) -> Response:
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body or b"",
            status=response.status,
            response_headers=_header_pairs(response.headers),
            payload=response.body,
            protocol=response.protocol or "HTTP/1.1",
            reason=request.meta.get(REASON_META),
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated="disconnect" if "dataloss" in (response.flags or []) else None,
        )
        loop = asyncio.get_running_loop()
        pointer = await asyncio.wrap_future(self._executor.submit(self.writer.write, exchange), loop=loop)
        request.meta[META_KEY] = pointer
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value(f"warc/response_status_count/{response.status}")
        return response

    async def spider_opened(self) -> None:
        # On the writer thread, so it is done before the first exchange is written.
        await asyncio.wrap_future(self._executor.submit(self.store.recover))
        self._update_stats()

    async def spider_closed(self, reason: str = "") -> None:
        if self._closed:
            return
        self._closed = True
        await asyncio.wrap_future(self._executor.submit(self._close_all, reason))
        self._executor.shutdown(wait=True)
        self._update_stats()
        pending = self.store.pending_files
        self.stats.set_value("warc/pending_files", len(pending))
        if pending:
            logger.error("%d WARC file(s) are not in the store yet and stay in %s; run `scrapy upload_pending`"
                         " or the next crawl to upload them", len(pending), self.store.spool_dir)

    def _close_all(self, reason: str) -> None:
        self.writer.close()
        self.store.close(manifest={
            "crawl_id": self.crawl_id,
            "start": self.started.isoformat(),
            "end": datetime.now(timezone.utc).isoformat(),
            "finish_reason": self.stats.get_value("finish_reason") or reason,
            "software": self.writer.warcinfo.get("software"),
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "warc_files": self.writer.files_written,
        })

    def _update_stats(self) -> None:
        for key, value in self.store.stats().items():
            self.stats.set_value(key, value)


def _local_ip() -> str:
    try:
        return str(ipaddress.ip_address(socket.gethostbyname(socket.gethostname())))
    except (OSError, ValueError):
        return ""
