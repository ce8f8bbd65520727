"""Replaying WARC archives through the item pipelines: archive reader → Page → pipelines → feeds.

``ReplaySpider`` is what ``scrapy replay`` runs. Its ``start()`` yields one
``Page`` per archived 2xx response (and per revisit resolved to its payload)
and never a Request, so ITEM_PIPELINES and FEEDS work as in the live crawl. It
is not in ``SPIDER_MODULES`` (``scrapy list`` shows only crawlers); the command
passes the class itself.

A Page is built from the archived response as the live spider builds it: the
payload goes through Scrapy's own Content-Encoding decoders (``page_from_record``),
headers as Scrapy's ``Headers`` give them. One thing is left to the extraction
pipeline: a replay Page has ``latest_links=None``, and ``extract_article`` finds
the Latest World News links (``related_urls``) with the same link rules
(``newscrawl.follow.links.find_latest_blocks``) on its own parse of the page, the parse
it extracts from. Each page is then decoded and parsed once, in an extraction
process, instead of once more in the Scrapy process, which only reads records:
that is what lets a replay use every core (benchmarks/RESULTS.md, "Replay").

Reading (file I/O, gunzip) runs on a worker thread in small batches;
extraction runs in the pipeline's process pool. At most
``REPLAY_MAX_IN_FLIGHT`` pages are between the reader and the feed at any time,
so memory stays flat whatever the archive size.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time as dtime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from newscrawl.archive.reader import (
    ArchivedResponse, BadRecord, BodyTooLarge, DecodingError, ReadStats, RevisitIndex, Source, SourceError, dechunk,
    decode_payload, expand_sources, read_archive, read_indexed, read_record_at, resolve_revisit, response_keys,
    revisit_keys, s3_client_from_settings, warc_datetime,
)
from newscrawl.archive.cdxj import IndexEntry, parse_index
from newscrawl.archive.records import header_pairs
from newscrawl.items import Page
from newscrawl.follow.links import LinkRules
from newscrawl.follow.pagecheck import DECOMPRESSION_LIMIT_STAT, judge_page
from newscrawl.follow.pages import page_from_response

logger = logging.getLogger(__name__)

# What replay must never do, whatever the project settings say: fetch anything,
# or write to the WARC store (the archive middleware would open, recover and
# close store files).
REPLAY_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": False,
    # A replay is not a run of the crawl: no lock, no recrawl policy, the crawl state untouched.
    "CRAWL_STATE_ENABLED": False,
    "DOWNLOADER_MIDDLEWARES": {"newscrawl.archive.middleware.WarcArchiveMiddleware": None},
    "DOWNLOAD_HANDLERS": {"http": None, "https": None, "ftp": None, "s3": None},
}


# -- one record → one Page ----------------------------------------------------


def page_from_record(rec: ArchivedResponse, rules: LinkRules | None, max_size: int, capture: str | None = None,
                     *, find_links: bool = True,
                     decoded: tuple[list[tuple[str, str]], bytes] | None = None) -> Page:
    """The Page the live spider would have built from this archived response.

    ``find_links=False`` leaves ``latest_links`` None: the extraction then finds
    the Latest World News links on its own parse of the page (what ``scrapy
    replay`` does, so that each page is parsed once, in the extraction process).

    ``capture="revisit"`` marks a Page built from a revisit record (resolved to its
    original's payload): the pipelines drop those, as in the live incremental crawl.

    Raises ``DecodingError`` when the payload cannot be decoded (``BodyTooLarge``
    when it inflates beyond ``max_size``). A body stored already decoded under a
    kept Content-Encoding is taken as stored (``decode_payload``).
    """
    headers, body = decoded if decoded is not None else decode_record(rec, max_size)[:2]
    scrapy_headers = Headers()
    for name, value in headers:
        scrapy_headers.appendlist(name, value)
    if not find_links:
        return Page(url=rec.uri, request_url=rec.uri, status=rec.status, body=body, fetched_at=rec.date,
                    headers=header_pairs(scrapy_headers),
                    warc=rec.pointer(), latest_links=None, capture=capture)
    # The class Scrapy's download handler and HttpCompressionMiddleware pick, so
    # that the text (charset) and the selector are the spider's.
    respcls = responsetypes.from_args(headers=scrapy_headers, url=rec.uri, body=body)
    response = respcls(url=rec.uri, status=rec.status, headers=scrapy_headers, body=body,
                       protocol=rec.protocol or None)
    return page_from_response(response, rules=rules or LinkRules(), request_url=response.url,  # redirect chains are not rebuilt
                              fetched_at=rec.date, warc=rec.pointer(), capture=capture)


def decode_record(rec: ArchivedResponse, max_size: int) -> tuple[list[tuple[str, str]], bytes, bool]:
    """The record's headers and body as the spider gets them; True when the body was stored decoded."""
    headers, payload = dechunk(rec.headers, rec.payload)
    return decode_payload(headers, payload, max_size=max_size)


# -- filters ------------------------------------------------------------------


def parse_when(value: str | None, end_of_day: bool = False) -> datetime | None:
    """``2024-05-01`` or ``2024-05-01T12:00:00Z`` → aware UTC datetime (a bare date ends the day with ``end_of_day``)."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            moment = datetime.combine(day, dtime.max if end_of_day else dtime.min)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def host_matches(host: str, wanted: str) -> bool:
    """``www.example.com`` matches ``example.com``; ``example.com`` does not match ``ample.com``."""
    host, wanted = host.lower().rstrip("."), wanted.lower().rstrip(".")
    return host == wanted or host.endswith("." + wanted)


@dataclass
class RecordFilter:
    """``--since``/``--until`` (WARC-Date, inclusive), ``--url`` (regular expression, searched) and
    ``--host`` (the target URI's host, or a subdomain of it)."""

    since: datetime | None = None
    until: datetime | None = None
    url: re.Pattern | None = None
    host: str | None = None

    @property
    def selective(self) -> bool:
        """Whether this filter picks records by URL or host: then a file's index tells where they are."""
        return self.url is not None or self.host is not None

    def may_match(self, entry: IndexEntry) -> bool:
        """Whether the record an index entry describes can pass (its WARC-Date is cut to the second there)."""
        if self.url is not None and not self.url.search(entry.url or ""):
            return False
        if self.host is not None and not host_matches(entry.host, self.host):
            return False
        if self.since or self.until:
            try:
                moment = datetime.strptime(entry.timestamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
            except ValueError:
                return True  # the record itself decides
            if (self.since and moment + timedelta(seconds=1) <= self.since) or (self.until and moment > self.until):
                return False
        return True

    def __call__(self, rec: ArchivedResponse) -> bool:
        if self.url is not None and not self.url.search(rec.uri or ""):
            return False
        if self.host is not None and not host_matches(urlsplit(rec.uri or "").hostname or "", self.host):
            return False
        if self.since or self.until:
            moment = warc_datetime(rec.date)
            if moment is None:
                return False
            if (self.since and moment < self.since) or (self.until and moment > self.until):
                return False
        return True


# -- reading all sources (on a worker thread) -----------------------------------


@dataclass
class Damage:
    """One thing lost, damaged or unreadable, for the final summary."""

    file: str
    offset: int | None
    reason: str
    lost: int

    def __str__(self) -> str:
        where = self.file if self.offset is None else f"{self.file}, offset {self.offset}"
        cost = f" ({self.lost} record{'s' if self.lost != 1 else ''} lost)" if self.lost else ""
        return f"{where}: {self.reason}{cost}"


MAX_LISTED_DAMAGE = 1000  # kept for the summary (all are in the log and the counters)


@dataclass
class Progress:
    """Counters the reader thread updates and the reactor thread reads."""

    files: int = 0
    files_whole: int = 0
    files_damaged: int = 0
    files_unreadable: int = 0
    records: int = 0
    records_lost: int = 0
    bytes: int = 0
    pages: int = 0
    bad_records: int = 0
    bad_files: int = 0
    bad_dates: int = 0
    filtered: int = 0
    deduplicated: int = 0
    stored_decoded: int = 0
    revisits_resolved: int = 0
    revisits_unresolved: int = 0
    bad_file_names: set[str] = field(default_factory=set)
    damage: list[Damage] = field(default_factory=list)
    damage_count: int = 0
    page_stats: dict[str, int] = field(default_factory=dict)  # newscrawl/pages/... as the live crawl counts them
    indexed_files: int = 0  # files read through their CDXJ index (only the matching records)

    def add_damage(self, damage: Damage) -> None:
        self.damage_count += 1
        if len(self.damage) < MAX_LISTED_DAMAGE:
            self.damage.append(damage)

    def count(self, key: str) -> None:
        self.page_stats[key] = self.page_stats.get(key, 0) + 1


class ArchiveReplay:
    """Turns sources into Pages, lazily: ``next_batch()`` reads only what it returns.

    Revisits are resolved from a bounded index of the responses seen so far;
    those whose original was not seen (yet), or sits inside a file gzipped as a
    whole (where an offset cannot be entered), wait for a second pass over the
    sources at the end, which finds the originals by record id, URI + date or
    URI + payload digest.

    ``dedupe``: one page per (URL, payload digest), the latest capture; a first
    pass over the record headers finds which capture that is.
    """

    def __init__(self, specs: list[str], record_filter: RecordFilter, settings, dedupe: bool = False):
        self.specs = specs
        self.filter = record_filter
        self.settings = settings
        self.dedupe = dedupe
        if settings.getint("REPLAY_MAX_BODY_SIZE"):
            self.max_size, self.max_size_setting = settings.getint("REPLAY_MAX_BODY_SIZE"), "REPLAY_MAX_BODY_SIZE"
        else:
            self.max_size, self.max_size_setting = settings.getint("DOWNLOAD_MAXSIZE"), "DOWNLOAD_MAXSIZE"
        self.revisit_articles = settings.getbool("REPLAY_REVISIT_ARTICLES")
        self.index = RevisitIndex(max_entries=settings.getint("REPLAY_REVISIT_INDEX_SIZE"))
        self.progress = Progress()
        self.sources: list[Source] = []
        self._pending: dict[tuple[str, str], list[ArchivedResponse]] = {}
        self._latest: dict[tuple[str, str], tuple[datetime, str, int]] | None = None
        self._indexes: dict[str, list[IndexEntry]] = {}  # by source URI, for the sources read through one
        self._events = self._build(self._run())

    def next_batch(self, size: int) -> list[Page]:
        batch = []
        for page in self._events:
            batch.append(page)
            if len(batch) >= size:
                break
        return batch

    def _s3_client(self):
        return s3_client_from_settings(self.settings)

    def _build(self, records: Iterator[ArchivedResponse]) -> Iterator[Page]:
        for rec in records:
            try:
                page = self._page(rec)
            except Exception as exc:  # a bug met on one record: reported with it, the replay goes on
                logger.debug("Page of %s (file %s, offset %d) not built", rec.uri, rec.source, rec.offset,
                             exc_info=True)
                self.progress.bad_records += 1
                self._damage(rec.source, rec.offset, f"{rec.uri}: cannot build its page: {type(exc).__name__}: "
                             f"{exc}", 1)
                continue
            if page is not None:
                yield page

    def _capture(self, rec: ArchivedResponse) -> str | None:
        if rec.rec_type != "revisit" or self.revisit_articles or self.dedupe:
            return None
        return "revisit"

    def _run(self) -> Iterator[ArchivedResponse]:
        page_size = self.settings.getint("REPLAY_S3_PAGE_SIZE") or 1000
        for source in expand_sources(self.specs, s3_client=self._s3_client, s3_page_size=page_size):
            if isinstance(source, SourceError):
                self.progress.bad_files += 1
                self.progress.files_unreadable += 1
                self.progress.bad_file_names.add(str(source))
                self.progress.add_damage(Damage(str(source), None, "no archive read", 0))
                logger.error("Bad source: %s", source)
                continue
            self.sources.append(source)
        if self.dedupe:
            self._latest = self._latest_captures()
        for source in self.sources:
            self.progress.files += 1
            yield from self._read_source(source)
        if self._pending:
            yield from self._second_pass()
        unresolved = {id(r): r for revisits in self._pending.values() for r in revisits}
        for rec in unresolved.values():
            self.progress.revisits_unresolved += 1
            logger.warning("Revisit of %s (%s at offset %d) refers to a record not in the sources; skipped",
                           rec.uri, rec.source, rec.offset)

    # -- --dedupe --------------------------------------------------------------

    def _latest_captures(self) -> dict[tuple[str, str], tuple[datetime, str, int]]:
        """(URL, payload digest) → the latest capture's (date, file, offset), from the record headers alone."""
        latest: dict[tuple[str, str], tuple[datetime, str, int]] = {}
        for source in self.sources:
            def note(rec: ArchivedResponse) -> bool:
                key = self._dedupe_key(rec)
                moment = warc_datetime(rec.date)
                if key is not None and moment is not None and (key not in latest or moment >= latest[key][0]):
                    latest[key] = (moment, rec.source, rec.offset)
                return False  # headers only: payloads are read in the replay proper
            for _ in read_archive(source, max_payload=self.max_size, want=note):
                pass  # damage is reported by the replay proper
        logger.info("--dedupe: %d distinct (URL, payload digest) captures in %d files", len(latest),
                    len(self.sources))
        return latest

    @staticmethod
    def _dedupe_key(rec: ArchivedResponse) -> tuple[str, str] | None:
        digest = rec.payload_digest
        if not digest:
            return None  # no digest written: every capture is kept
        if rec.rec_type == "revisit" and rec.status and not 200 <= rec.status < 300 and rec.status != 304:
            return None
        if rec.rec_type == "response" and not 200 <= rec.status < 300:
            return None
        return rec.uri, digest.lower()

    def _superseded(self, rec: ArchivedResponse) -> bool:
        if self._latest is None:
            return False
        key = self._dedupe_key(rec)
        if key is None or key not in self._latest:
            return False
        _, file, offset = self._latest[key]
        return (file, offset) != (rec.source, rec.offset)

    # -- one source --------------------------------------------------------------

    def _index_entries(self, source: Source) -> list[IndexEntry] | None:
        """The records of ``source`` this filter may want, from its CDXJ index; None without a usable index."""
        if not self.filter.selective:
            return None
        try:
            lines = source.open_index()
            if lines is None:
                return None
            entries = parse_index(lines, origin=f"index of {source.uri}")
        except Exception as exc:
            logger.warning("Cannot use the CDXJ index of %s, reading the whole file: %s", source.uri, exc)
            return None
        self.progress.indexed_files += 1
        self._indexes[source.uri] = entries
        replayable = [e for e in entries if 200 <= e.status < 300 or e.mime == "warc/revisit"]
        wanted = [e for e in replayable if self.filter.may_match(e)]
        self.progress.filtered += len(replayable) - len(wanted)
        return sorted(wanted, key=lambda e: e.offset)  # file order, as a full read sees them

    def _read_source(self, source: Source) -> Iterator[ArchivedResponse]:
        stats = ReadStats()
        seen_records, seen_bytes = 0, 0
        damage_before = self.progress.damage_count
        entries = self._index_entries(source)

        def want(rec: ArchivedResponse) -> bool:
            if rec.rec_type == "response":
                self.index.add(source, rec)
                if not 200 <= rec.status < 300:
                    return False
            elif rec.status and not (200 <= rec.status < 300 or rec.status == 304):
                return False  # a revisit of an error or redirect
            if warc_datetime(rec.date) is None:
                self.progress.bad_dates += 1
                if self.filter.since or self.filter.until:
                    self._damage(source.uri, rec.offset, f"unreadable WARC-Date {rec.date!r} of {rec.uri}: "
                                 "not replayed, --since/--until cannot place it", 1)
                    return False
                self._damage(source.uri, rec.offset, f"unreadable WARC-Date {rec.date!r} of {rec.uri}: "
                             "replayed, fetched_at is the date as written", 0)
            if not self.filter(rec):
                self.progress.filtered += 1
                return False
            if self._superseded(rec):
                self.progress.deduplicated += 1
                return False
            return True

        if entries is None:
            items = read_archive(source, max_payload=self.max_size, stats=stats, want=want)
        else:
            items = read_indexed(source, entries, max_payload=self.max_size, stats=stats, want=want)
        for item in items:
            self.progress.records += stats.records - seen_records
            self.progress.bytes += stats.bytes - seen_bytes
            seen_records, seen_bytes = stats.records, stats.bytes
            if isinstance(item, BadRecord):
                self._bad(item)
                continue
            if item.rec_type == "revisit":
                item = self._resolve(item)
                if item is None or not 200 <= item.status < 300:
                    continue
            yield item
        self.progress.records += stats.records - seen_records
        self.progress.bytes += stats.bytes - seen_bytes
        if self.progress.damage_count == damage_before:
            self.progress.files_whole += 1
        elif stats.records == 0:
            self.progress.files_unreadable += 1
        else:
            self.progress.files_damaged += 1

    def _damage(self, file: str, offset: int | None, reason: str, lost: int) -> None:
        """Something wrong in a record that the reader could read: logged, counted, listed."""
        self.progress.records_lost += lost
        self.progress.add_damage(Damage(file, offset, reason, lost))
        if file not in self.progress.bad_file_names:
            self.progress.bad_file_names.add(file)
            self.progress.bad_files += 1
        logger.error("Bad record: file %s, offset %s: %s", file, offset, reason)

    def _bad(self, bad: BadRecord) -> None:
        self.progress.bad_records += 1
        reason = bad.reason
        if bad.resumed_at is not None:
            reason += f"; read on from offset {bad.resumed_at}"
        self._damage(bad.source, bad.offset, reason, bad.lost)

    def _page(self, rec: ArchivedResponse) -> Page | None:
        if rec.too_large is not None:
            self.progress.count("newscrawl/pages/skipped/too_large")
            logger.warning("Bad page, archived but not parsed: %s (payload of %d bytes is above %s (%d bytes))",
                           rec.uri, rec.too_large, self.max_size_setting, self.max_size)
            return None
        try:
            headers, body, stored_decoded = decode_record(rec, self.max_size)
        except BodyTooLarge as exc:
            # As Scrapy's HttpCompressionMiddleware does in the live crawl: the response is ignored.
            self.progress.count(DECOMPRESSION_LIMIT_STAT)
            logger.warning("Ignored response <%d %s> because its body (%d B compressed, %d B decompressed so far) "
                           "exceeded %s (%d B) during decompression.", rec.status, rec.uri, len(rec.payload),
                           exc.decompressed, self.max_size_setting, exc.limit)
            return None
        except DecodingError as exc:
            self.progress.bad_records += 1
            self._damage(rec.source, rec.offset, f"{rec.uri}: {exc}", 1)
            return None
        if stored_decoded:
            self.progress.stored_decoded += 1
            if self.progress.stored_decoded == 1 or logger.isEnabledFor(logging.DEBUG):
                logger.warning("%s (file %s, offset %d): body stored already decoded under its kept "
                               "Content-Encoding; read as stored (counted in replay/stored_decoded)",
                               rec.uri, rec.source, rec.offset)
        cut = None
        if rec.truncated == "disconnect":  # the reasons the live crawl gives its own cut bodies
            cut = ("disconnect", f"connection closed after {len(body)} bytes of the body (WARC-Truncated: disconnect)")
        elif rec.truncated:
            cut = ("truncated", f"body cut (WARC-Truncated: {rec.truncated}, {len(body)} bytes)")
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        verdict = judge_page(content_type, body, cut)
        if verdict is not None:
            self.progress.count(verdict.stat)
            verdict.log(rec.uri)
            if verdict.skip:
                return None
        page = page_from_record(rec, None, self.max_size, capture=self._capture(rec), find_links=False,
                                decoded=(headers, body))
        self.progress.pages += 1
        return page

    def _resolve(self, revisit: ArchivedResponse) -> ArchivedResponse | None:
        location = self.index.find(revisit)
        if location is not None and location.seekable:
            try:
                original = read_record_at(location.source, location.offset)
            except Exception as exc:
                self._bad(BadRecord(location.source.uri, location.offset, f"revisit original unreadable: {exc}"))
                return None
            if original is not None:
                self.progress.revisits_resolved += 1
                return resolve_revisit(revisit, original)
        for key in revisit_keys(revisit):
            self._pending.setdefault(key, []).append(revisit)
        return None

    def _second_pass(self) -> Iterator[ArchivedResponse]:
        """Read the sources again for the originals of revisits still waiting."""
        logger.info("Looking for the originals of %d revisit records", len({id(r) for v in self._pending.values() for r in v}))
        done: set[int] = set()

        def want(rec: ArchivedResponse) -> bool:
            return any(key in self._pending for key in response_keys(rec))

        for source in self.sources:
            index = self._indexes.get(source.uri)
            if index is None:
                items = read_archive(source, rec_types=("response",), max_payload=self.max_size, want=want)
            else:  # only the records that may be an original: same payload digest or same URL
                digests = {value for kind, value in self._pending if kind == "digest"}
                uris = {value.rsplit(" ", 1)[0] for kind, value in self._pending if kind == "uri-date"}
                items = read_indexed(source, [e for e in index if e.mime != "warc/revisit" and (
                    e.digest.lower() in digests or e.url in uris)], max_payload=self.max_size, want=want)
            for item in items:
                if isinstance(item, BadRecord):
                    continue  # reported in the first pass
                for key in response_keys(item):
                    for revisit in self._pending.pop(key, []):
                        if id(revisit) in done:
                            continue
                        done.add(id(revisit))
                        self.progress.revisits_resolved += 1
                        resolved = resolve_revisit(revisit, item)
                        if 200 <= resolved.status < 300:
                            yield resolved
                if not self._pending:
                    return
        for key in list(self._pending):
            self._pending[key] = [r for r in self._pending[key] if id(r) not in done]
            if not self._pending[key]:
                del self._pending[key]


# -- the spider ---------------------------------------------------------------


class ReplaySpider(scrapy.Spider):
    """Yields a Page for every archived 2xx response of the sources; never a Request.

    Arguments: ``sources`` (list, or comma-separated string), ``since``,
    ``until`` (ISO 8601, WARC-Date), ``url`` (regular expression), ``host``
    (a host name: its records and its subdomains'), ``dedupe`` (one article per
    URL and payload digest, the latest capture). With ``url`` or ``host``, a
    file with a CDXJ index beside it is read only where the index says matching
    records are (one range request each on S3).
    """

    name = "replay"
    custom_settings = REPLAY_SETTINGS

    def __init__(self, *args: Any, sources: list[str] | str = (), since: str | None = None,
                 until: str | None = None, url: str | None = None, host: str | None = None,
                 dedupe: bool | str = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.dedupe = dedupe if isinstance(dedupe, bool) else str(dedupe).lower() in ("1", "true", "yes")
        self.sources = [s for s in sources.split(",") if s] if isinstance(sources, str) else list(sources)
        if not self.sources:
            raise ValueError("replay: no SOURCE given")
        self.record_filter = RecordFilter(parse_when(since), parse_when(until, end_of_day=True),
                                          re.compile(url) if url else None, host.strip() if host else None)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "ReplaySpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_in_flight = max(1, settings.getint("REPLAY_MAX_IN_FLIGHT"))
        spider.batch_size = max(1, min(spider.max_in_flight, settings.getint("REPLAY_READ_BATCH")))
        spider.progress_interval = settings.getfloat("REPLAY_PROGRESS_INTERVAL")
        spider.replay = ArchiveReplay(spider.sources, spider.record_filter, settings, dedupe=spider.dedupe)
        spider._in_flight = 0
        spider._room = asyncio.Event()
        spider._started = time.monotonic()
        spider._progress_task = None
        spider._exhausted = False
        spider._finished = None
        level = logging.getLevelName(str(settings.get("LOG_LEVEL") or "DEBUG").upper())
        if isinstance(level, int):
            # Scrapy leaves the root logger at NOTSET and filters in its handler, so a record is built for
            # every message LOG_LEVEL then discards: Scrapy's DEBUG "Scraped from"/"Dropped" per item, and
            # charset_normalizer's TRACE lines on every page whose charset Scrapy has to detect. At replay
            # rates that is a measurable share of the Scrapy process's time; these loggers get LOG_LEVEL.
            for name in ("scrapy.core.scraper", "charset_normalizer"):
                if level > logging.getLogger(name).getEffectiveLevel():
                    logging.getLogger(name).setLevel(level)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _item_done(self, item: Any = None, **kwargs: Any) -> None:
        self._in_flight -= 1
        if self._in_flight < self.max_in_flight:
            self._room.set()
        if self._exhausted and self._in_flight == 0:
            self._finished = time.monotonic()
            # Scrapy notices that start items are all done only on its 5 s heartbeat;
            # ask it to look again once this item has left the scraper.
            asyncio.get_running_loop().call_later(0.05, self._wake_engine)

    def _wake_engine(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)  # private API, hence the care
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    async def start(self) -> AsyncIterator[Page]:
        self._started = time.monotonic()  # rates from here: the pipelines' start-up is not replay
        if self.progress_interval > 0:
            self._progress_task = asyncio.ensure_future(self._report_progress())
        while True:
            batch = await asyncio.to_thread(self.replay.next_batch, self.batch_size)
            self._update_stats()
            if not batch:
                self._exhausted = True
                if self._in_flight == 0:
                    self._finished = time.monotonic()
                break
            for page in batch:
                while self._in_flight >= self.max_in_flight:
                    self._room.clear()
                    await self._room.wait()
                self._in_flight += 1
                yield page

    def _update_stats(self) -> None:
        p = self.replay.progress
        stats = self.crawler.stats
        for key, value in (("files", p.files), ("files/whole", p.files_whole), ("files/damaged", p.files_damaged),
                           ("files/unreadable", p.files_unreadable), ("records", p.records),
                           ("records/lost", p.records_lost), ("records/bad_date", p.bad_dates),
                           ("bytes", p.bytes), ("pages", p.pages), ("damage", p.damage_count),
                           ("bad_records", p.bad_records), ("bad_files", p.bad_files), ("filtered", p.filtered),
                           ("deduplicated", p.deduplicated), ("stored_decoded", p.stored_decoded),
                           ("revisits_resolved", p.revisits_resolved),
                           ("revisits_unresolved", p.revisits_unresolved), ("indexed_files", p.indexed_files)):
            stats.set_value(f"replay/{key}", value)
        for key, value in list(p.page_stats.items()):
            stats.set_value(key, value)

    def progress_line(self) -> str:
        p = self.replay.progress
        elapsed = max((self._finished or time.monotonic()) - self._started, 1e-9)
        articles = self.crawler.stats.get_value("newscrawl/articles", 0)
        bad = f", {p.bad_records} bad records in {p.bad_files} files" if p.bad_records or p.bad_files else ""
        return (f"replay: {p.files} files, {p.records} records, {p.bytes / 1e6:.1f} MB, {p.pages} pages, "
                f"{articles} articles{bad}; {p.pages / elapsed:.1f} pages/s, {p.bytes / 1e6 / elapsed:.1f} MB/s, "
                f"{elapsed:.1f} s")

    async def _report_progress(self) -> None:
        while True:
            await asyncio.sleep(self.progress_interval)
            print(self.progress_line(), file=sys.stderr, flush=True)

    def summary(self) -> list[str]:
        """The final report: files read whole / damaged / unreadable, records read and lost, pages, articles;
        then everything lost, damaged or unreadable, one line each."""
        p = self.replay.progress
        articles = self.crawler.stats.get_value("newscrawl/articles", 0)
        total = p.files_whole + p.files_damaged + p.files_unreadable
        lines = [f"replay summary: {total} files: "
                 f"{p.files_whole} read whole, {p.files_damaged} damaged, {p.files_unreadable} unreadable; "
                 f"{p.records} records read, {p.records_lost} lost; {p.pages} pages, {articles} articles"]
        if p.damage_count:
            lines.append(f"replay: {p.damage_count} things lost, damaged or unreadable (exit status 1):")
            lines += [f"  {d}" for d in p.damage]
            if p.damage_count > len(p.damage):
                lines.append(f"  ... and {p.damage_count - len(p.damage)} more (in the log)")
        return lines

    def _closed(self, reason: str = "") -> None:
        if self._progress_task is not None:
            self._progress_task.cancel()
        self._update_stats()
        print(self.progress_line() + f" [{reason}]", file=sys.stderr, flush=True)
        print("\n".join(self.summary()), file=sys.stderr, flush=True)
