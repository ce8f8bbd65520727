"""The Scrapy component that archives every HTTP exchange: signals in, writer calls out, stats.

``WarcArchiveMiddleware`` sits at 950 in ``DOWNLOADER_MIDDLEWARES``, next to the
downloader, so it sees each response before retry, redirect and decompression
middlewares touch it: robots.txt, redirects, 4xx/5xx, retried failures, PDFs
and pages all become WARC records, with the payload exactly as sent.

Writing happens on one dedicated thread (the writer is not shared), so the
reactor never waits on the disk or on gzip. The crawl state (newscrawl.state)
learns of an exchange once its file is closed and fsynced in the spool; until
then it is in the file's capture journal (journal.py), which the next start
commits if this crawler dies first. The response record's pointer is
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
import dataclasses
import ipaddress
import logging
import os
import socket
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from newscrawl import __version__
from newscrawl.config import check_settings, get_size
from newscrawl.frontier.status import worker_name
from newscrawl.incremental.extension import CrawlStateExtension
from newscrawl.incremental.state import Capture
from newscrawl.meta import DATE_META, REASON_META, REQUEST_HEAD_META, RESPONSE_HEAD_META, TRUNCATED_META, WARC_RECORD
from newscrawl.signals import exchange_archived, sync_captures

from .handler import CutResponse
from .job import ArchiveJob
from .journal import read_journal
from .records import Exchange, RefersTo, header_pairs, payload_digest
from .recovery import EVERY_OTHER_HOST, leftover_journals
from .serial import SerialThread
from .store import WarcStore, store_from_uri
from .writer import ArchiveWriteFailed, ClosedFile, RotatingWarcWriter

logger = logging.getLogger(__name__)

ARCHIVE_FAILED = "archive_failed"  # the close reason after a failed write (`scrapy crawl` exits 4)


class NotArchived(IgnoreRequest):
    """A response that could not be archived: it is not handed to the spider."""


class WarcArchiveMiddleware:
    """Downloader middleware writing each request/response pair to WARC files."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        # With JOBDIR, a resumed crawl continues the paused one's WARC series (job.py).
        self.job = ArchiveJob.from_settings(settings)
        # A distributed crawl's workers share their run's id (newscrawl.incremental.run).
        extension = crawler.get_extension(CrawlStateExtension)
        self.crawl_id = (settings.get("CRAWL_ID") or (extension.run_id if extension else None)
                         or (self.job.crawl_id if self.job else None)
                         or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
        self.store: WarcStore = store_from_uri(settings.get("WARC_STORE"), settings)
        if not getattr(crawler, "newscrawl_store_checked", False):
            # Started other than by `scrapy crawl` (which checks before the crawler exists): check here,
            # still before the engine opens the spider (and the feed).
            check_settings(settings)
            self.store.preflight()
        self.writer = RotatingWarcWriter(
            directory=self.store.spool_dir,
            prefix=settings.get("WARC_PREFIX"),
            max_size=get_size(settings, "WARC_MAX_SIZE"),
            warcinfo=self._warcinfo(settings),
            uri_for=self.store.uri_for,
            on_close=self._file_closed,
        )
        if self.job is not None:
            self.writer.serial = self.job.next_serial
            self.job.crawl_id = self.crawl_id
            self.job.started = self.job.started or datetime.now(timezone.utc).isoformat()
        self._executor = SerialThread("warc-writer")
        self._closed = False
        self.write_failure: ArchiveWriteFailed | None = None  # set once; nothing is written after it
        self.started = getattr(self.store, "started", None) or datetime.now(timezone.utc)
        self.crawl_state = self._crawl_state(crawler)
        # Crawlers known to run on other hosts (a distributed run's workers): their files stay as they are.
        self._elsewhere: frozenset[tuple[str, int]] = frozenset()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.sync_captures, signal=sync_captures)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcArchiveMiddleware":
        return cls(crawler)

    @staticmethod
    def _crawl_state(crawler: Crawler):
        """The crawl state kept across runs (newscrawl.incremental.extension), if this crawl keeps one."""
        extension = crawler.get_extension(CrawlStateExtension)
        return extension.state if extension else None

    def _archive(self, exchange: Exchange):
        """On the writer thread: write the exchange, as a revisit when the payload is unchanged."""
        if self.write_failure is not None:
            raise self.write_failure
        previous = self._previous(exchange.url)
        digest = payload_digest(exchange.payload)
        unchanged = (previous is not None and previous.payload_digest == digest and previous.status == exchange.status
                     and 200 <= exchange.status < 300 and not exchange.truncated)
        refers_to = RefersTo(previous.url, previous.fetched_at, previous.record_id) if unchanged else None

        def journal_entry(pointer) -> dict | None:
            if self.crawl_state is None or exchange.truncated:
                # A body cut short is archived, but the URL is not archived for the state: it is fetched again.
                return None
            if previous is None:
                pointer.capture = "new"
            elif unchanged:
                pointer.capture = "revisit"
            else:
                # Only a 2xx payload can change; a repeated redirect or error is fetched again, no more.
                pointer.capture = "changed" if 200 <= exchange.status < 300 else "refetched"
            if unchanged:
                # A revisit keeps pointing at the record that holds the payload; only the fetch time moves on.
                capture = dataclasses.replace(previous, fetched_ts=exchange.date.timestamp())
            else:
                capture = Capture(exchange.url, pointer.date, exchange.status, digest, pointer.uri, pointer.offset,
                                  pointer.record_id, exchange.date.timestamp())
            return dataclasses.asdict(capture)

        try:
            pointer = self.writer.write(exchange, refers_to, journal_entry)
        except ArchiveWriteFailed as exc:
            self.write_failure = exc
            raise
        self._save_job()
        return pointer

    def _save_job(self) -> None:
        """Keep JOBDIR's record of the series up to date: at once when a file was opened, and at the end."""
        if self.job is not None and self.job.next_serial != self.writer.serial:
            self.job.next_serial = self.writer.serial
            self.job.save()

    def _commit(self, journal: Path, captures: list[dict]) -> int:
        """Captures of a file now safely in the spool into the state; then its journal goes."""
        if self.crawl_state is None:
            return 0
        try:
            self.crawl_state.put_many([Capture(**c) for c in captures])
        except Exception as exc:  # the journal stays: the next start commits it
            self.stats.inc_value("newscrawl/state/commit_failed", len(captures))
            logger.error("Could not record the %d captures of %s in the crawl state (%s: %s); its journal is"
                         " kept for the next start", len(captures), journal.name, type(exc).__name__, exc)
            return 0
        journal.unlink(missing_ok=True)
        self.stats.inc_value("newscrawl/state/committed", len(captures))
        return len(captures)

    def _find_workers_elsewhere(self) -> None:
        """On the writer thread: the other hosts' live workers of this distributed run, whose files stay as they are."""
        extension = self.crawler.get_extension(CrawlStateExtension)
        run = extension.run if extension else None
        if run is None:
            return
        try:
            self._elsewhere = run.workers_elsewhere()
        except Exception as exc:  # then no other host's file can be told dead: all are left alone
            self._elsewhere = EVERY_OTHER_HOST
            logger.error("Could not read the workers of run %s (%s: %s): the other hosts' files in the spool are"
                         " left as they are", run.run_id, type(exc).__name__, exc)

    def _commit_leftover_journals(self) -> None:
        """At start: what crawlers that died before committing left in their journals enters the state."""
        if self.crawl_state is None:
            return
        depth = len(self.store.spool_dir.relative_to(self.store.spool_root).parts)  # S3: YYYY/MM/DD
        for journal, captures in leftover_journals(self.store.spool_root, depth, self._elsewhere):
            self._commit(journal, captures)
            self.stats.inc_value("newscrawl/state/recovered", len(captures))
            logger.warning("Committed %d capture(s) to the crawl state from %s, left by a crawler that stopped"
                           " before committing them", len(captures), journal.name)

    def _previous(self, url: str) -> Capture | None:
        """The state's last capture of ``url``; when the state cannot be read, none (a full record is written)."""
        if self.crawl_state is None:
            return None
        try:
            return self.crawl_state.get(url)
        except Exception as exc:
            self.stats.inc_value("newscrawl/state/read_failed")
            logger.error("Could not read the crawl state for %s (%s: %s): archived as a full record",
                         url, type(exc).__name__, exc)
            return None

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
        # Closed and fsynced in the spool: its captures are stored (an upload to S3 follows, retried
        # until verified, across runs if need be), so the state learns of them now, before the upload.
        if closed.journal is not None:
            self._commit(closed.journal, read_journal(closed.journal, closed.size))
        self.store.store(closed)

    async def process_response(self, request: Request, response: Response) -> Response:
        await self._archive_response(request, response)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        """A response the server cut short fails the download (CutResponse): archive what came, then let it fail."""
        if isinstance(exception, CutResponse):
            await self._archive_response(request, exception.response)
        return None

    async def _archive_response(self, request: Request, response: Response) -> None:
        truncated = request.meta.get(TRUNCATED_META) or ("disconnect" if "dataloss" in (response.flags or []) else None)
        meta = request.meta
        raw_request_head, raw_response_head = meta.get(REQUEST_HEAD_META), meta.get(RESPONSE_HEAD_META)
        exchange = Exchange(
            url=response.url,
            method=request.method,
            # The parsed headers only stand in for a header block the handler did not keep (records.py).
            request_headers=header_pairs(request.headers) if raw_request_head is None else [],
            request_body=request.body or b"",
            status=response.status,
            response_headers=header_pairs(response.headers) if raw_response_head is None else [],
            payload=response.body,
            protocol=response.protocol or "HTTP/1.1",
            reason=meta.get(REASON_META),
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated=truncated,
            date=meta.get(DATE_META) or datetime.now(timezone.utc),
            raw_request_head=raw_request_head,
            raw_response_head=raw_response_head,
        )
        try:
            pointer = await self._executor.run(self._archive, exchange)
        except ArchiveWriteFailed as exc:
            self._not_archived(response, exc)
        request.meta[WARC_RECORD] = pointer
        self.crawler.signals.send_catch_log(exchange_archived, request=request, pointer=pointer)
        if truncated == "disconnect":
            self.stats.inc_value("newscrawl/disconnected")
            logger.warning("Cut short by the server: %s (connection closed after %d bytes of the body%s):"
                           " archived with WARC-Truncated: disconnect, not parsed", response.url, len(response.body),
                           f", {response.headers.get(b'Content-Length').decode('latin-1')} announced"
                           if response.headers.get(b"Content-Length") else "")
        if pointer.capture:
            self.stats.inc_value(f"newscrawl/run/{pointer.capture}")
        self.stats.inc_value("warc/records", 2)
        self.stats.set_value("warc/written_bytes", self.writer.bytes_written)
        self.stats.inc_value("warc/responses")
        self.stats.inc_value(f"warc/response_status_count/{response.status}")

    def _not_archived(self, response: Response, exc: ArchiveWriteFailed):
        """Count and name a response that could not be archived; on the first, stop the crawl."""
        self.stats.inc_value("warc/not_archived")
        if not self.stats.get_value("warc/write_failed"):
            self.stats.set_value("warc/write_failed", 1)
            logger.error("Archive write failed: %s. Stopping the crawl (close reason %s): no new requests;"
                         " responses still in flight are not archived and not passed on.", exc, ARCHIVE_FAILED)
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                asyncio.ensure_future(engine.close_spider_async(reason=ARCHIVE_FAILED))
        logger.error("Not archived, not passed to the spider: %s (status %d)", response.url, response.status)
        raise NotArchived(f"not archived: {response.url}")

    async def sync_captures(self) -> None:
        """Every exchange written so far fsynced (on the writer thread, after the writes queued before)."""
        if not self._closed:
            await self._executor.run(self.writer.sync)

    async def spider_opened(self) -> None:
        # On the writer thread, so it is done before the first exchange is written; the journals
        # first, while the files they describe are still in the spool, as their crawler left them.
        await self._executor.run(self._find_workers_elsewhere)
        await self._executor.run(self._commit_leftover_journals)
        await self._executor.run(self.store.recover, self._elsewhere)
        self._update_stats()

    async def spider_closed(self, reason: str = "") -> None:
        if self._closed:
            return
        self._closed = True
        await self._executor.run(self._close_all, reason)
        self._executor.shutdown(wait=True)
        self._update_stats()
        pending = self.store.pending_files
        self.stats.set_value("warc/pending_files", len(pending))
        if pending:
            logger.error("%d WARC file(s) are not in the store yet and stay in %s; run `scrapy upload_pending`"
                         " or the next crawl to upload them", len(pending), self.store.spool_dir)

    def run_summary(self) -> dict[str, int]:
        """What this run did, for the log and the manifest."""
        get = self.stats.get_value
        return {
            "pages": get("warc/responses", 0),
            "new_articles": get("newscrawl/articles/new", 0),
            "changed_articles": get("newscrawl/articles/changed", 0),
            "changed_pages": get("newscrawl/run/changed", 0),
            "revisits": get("newscrawl/run/revisit", 0),
            "bytes": get("warc/bytes", 0),
            # Per URL, not per attempt: URLs that ended in an HTTP error or a network failure (the
            # spider's errback counts them; robots.txt, the guard and other bounds are not errors),
            # and pages whose extraction failed.
            "errors": get("newscrawl/errors", 0) + get("newscrawl/extraction/errors", 0),
            "not_articles": get("newscrawl/pages/not_article", 0),
        }

    def _close_all(self, reason: str) -> None:
        self.writer.close()
        self._save_job()
        summary = self.run_summary()
        logger.info("Run summary (crawl %s): %s", self.crawl_id,
                    ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items()))
        try:
            self._close_store(summary)
        except OSError as exc:
            self.stats.set_value("warc/manifest_failed", 1)
            logger.error("Could not write the crawl's manifest in %s: %s", self.store.spool_dir, exc)

    def _close_store(self, summary: dict[str, int]) -> None:
        self.store.close(manifest={
            "summary": summary,
            "crawl_id": self.crawl_id,
            "start": self.started.isoformat(),
            "end": datetime.now(timezone.utc).isoformat(),
            "finish_reason": self.stats.get_value("finish_reason") or reason,
            "software": self.writer.warcinfo.get("software"),
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            # Which worker of the crawl wrote this manifest and its files, as the distributed run and
            # `scrapy frontier` name it.
            "worker": worker_name(),
            "warc_files": self.writer.files_written,
            # For `scrapy report`: the start URLs and every numeric counter of the run.
            "seeds": list(getattr(self.crawler.spider, "start_urls", None) or []),
            "stats": {k: v for k, v in sorted(self.stats.get_stats().items())
                      if isinstance(v, (int, float)) and not isinstance(v, bool)},
        })

    def _update_stats(self) -> None:
        for key, value in self.store.stats().items():
            self.stats.set_value(key, value)


def _local_ip() -> str:
    try:
        return str(ipaddress.ip_address(socket.gethostbyname(socket.gethostname())))
    except (OSError, ValueError):
        return ""
