"""What a crawl did, from its manifest and its WARC files: the numbers behind ``scrapy report``.

A crawl is named by its manifest (a local file or ``s3://bucket/key``) or by its
crawl id, looked up among the manifests of ``WARC_STORE``; a crawl that ran on
several machines has one manifest each, and they are taken together. The
report reads:

- the manifest: crawl id, start and end, the run's summary and counters
  (``stats``), its start URLs (``seeds``) and its files;
- each file's CDXJ index: captures over time, status codes, bytes per host;
- the WARC files, through the project's extraction (``articles.py``): articles
  per publisher, field coverage, pages declined as not articles and why;
- every other manifest in the same store: revisits and changes run after run.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from newscrawl.archive.cdxj import IndexEntry, parse_index
from newscrawl.archive.reader import S3Source, iter_records, s3_client_from_settings

from .articles import ArchiveArticles
from .collect import gather

logger = logging.getLogger(__name__)

MANIFEST_SUFFIX = ".manifest.json"
FIELDS = ("title", "published", "authors", "body")


class ReportError(Exception):
    """The crawl named cannot be found or read (one line for the user)."""


# -- finding manifests ---------------------------------------------------------------


@dataclass
class Manifest:
    uri: str
    data: dict


class _Store:
    """Manifests in a local directory tree or under an S3 prefix."""

    def __init__(self, location: str, settings):
        self.location = location
        self.settings = settings
        self._client = None

    @property
    def is_s3(self) -> bool:
        return self.location.lower().startswith("s3://")

    def client(self):
        if self._client is None:
            self._client = s3_client_from_settings(self.settings)
        return self._client

    def manifests(self) -> list[Manifest]:
        found = []
        if self.is_s3:
            parts = urlsplit(self.location)
            bucket, prefix = parts.netloc, parts.path.lstrip("/")
            pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for page in pages:
                for obj in page.get("Contents", []):
                    if obj["Key"].endswith(MANIFEST_SUFFIX):
                        found.append(self.load(f"s3://{bucket}/{obj['Key']}"))
        else:
            root = Path(self.location).expanduser()
            if root.is_dir():
                found = [self.load(str(p)) for p in sorted(root.rglob("*" + MANIFEST_SUFFIX))]
        return [m for m in found if m is not None]

    def load(self, uri: str) -> Manifest | None:
        try:
            if uri.lower().startswith("s3://"):
                parts = urlsplit(uri)
                with S3Source(self.client(), parts.netloc, parts.path.lstrip("/")).open() as stream:
                    text = stream.read().decode("utf-8")
            else:
                text = Path(uri).expanduser().read_text(encoding="utf-8")
            data = json.loads(text)
        except Exception as exc:
            logger.warning("Cannot read the manifest %s: %s: %s", uri, type(exc).__name__, exc)
            return None
        return Manifest(uri, data) if isinstance(data, dict) else None


def find_crawl(ref: str, settings) -> tuple[list[Manifest], list[Manifest]]:
    """The manifests of the crawl ``ref`` names, and every manifest of its store (for runs over time)."""
    if ref.endswith(".json"):
        store = _Store(ref, settings)
        manifest = store.load(ref)
        if manifest is None:
            raise ReportError(f"MANIFEST {ref}: not a readable manifest (a JSON file written by a crawl)")
        location = manifest.data.get("store") or str(Path(ref).expanduser().resolve().parent)
        if location.lower().startswith("s3://") and not ref.lower().startswith("s3://"):
            location = str(Path(ref).expanduser().resolve().parent)  # a manifest copied out of its bucket
        others = _Store(location, settings).manifests()
        crawl_id = manifest.data.get("crawl_id")
        same = [m for m in others if m.data.get("crawl_id") == crawl_id and m.uri != manifest.uri]
        return [manifest, *same], others or [manifest]
    store = _Store(settings.get("WARC_STORE"), settings)
    others = store.manifests()
    mine = [m for m in others if str(m.data.get("crawl_id")) == ref]
    if not mine:
        known = sorted({str(m.data.get("crawl_id")) for m in others})
        hint = f"; crawls there: {', '.join(known[-5:])}" if known else "; it holds no manifests"
        raise ReportError(f"CRAWL_ID {ref}: no manifest of that crawl in WARC_STORE={store.location}{hint}")
    return mine, others


# -- the numbers ---------------------------------------------------------------------


@dataclass
class Declined:
    url: str
    status: int
    reason: str


@dataclass
class SeedOutcome:
    url: str
    status: int | None  # of its capture; None: never archived
    articles: int  # articles archived from its host


@dataclass
class RunRow:
    crawl_id: str
    start: str
    end: str
    summary: dict
    selected: bool


@dataclass
class Report:
    crawl_id: str
    manifests: list[str]
    start: str
    end: str
    finish_reason: str
    software: str
    summary: dict
    stats: dict
    files: int
    bytes: int
    captures: list[tuple[datetime, str]] = field(default_factory=list)  # (time, host) of every capture
    statuses: Counter = field(default_factory=Counter)
    bytes_per_host: Counter = field(default_factory=Counter)
    captures_per_host: Counter = field(default_factory=Counter)
    revisit_records: int = 0
    articles: int = 0
    articles_per_publisher: Counter = field(default_factory=Counter)
    article_urls: set[str] = field(default_factory=set)
    coverage: dict[str, Counter] = field(default_factory=dict)  # publisher → field → articles having it
    declined: list[Declined] = field(default_factory=list)
    seeds: list[SeedOutcome] = field(default_factory=list)
    runs: list[RunRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files or records that could not be read

    @property
    def empty_seeds(self) -> list[SeedOutcome]:
        return [s for s in self.seeds if not s.articles]

    def counters(self, prefix: str) -> dict[str, int]:
        """The run's counters under ``prefix`` (``newscrawl/failed/`` ...), by the rest of their name."""
        return {k[len(prefix):]: v for k, v in self.stats.items() if k.startswith(prefix) and k != prefix}


def _merge(manifests: list[Manifest]) -> dict:
    first = manifests[0].data
    summary: Counter = Counter()
    stats: Counter = Counter()
    files, seeds = [], []
    for m in manifests:
        summary.update({k: v for k, v in (m.data.get("summary") or {}).items() if isinstance(v, (int, float))})
        stats.update({k: v for k, v in (m.data.get("stats") or {}).items() if isinstance(v, (int, float))})
        files += list(m.data.get("files") or []) + list(m.data.get("leftover_files") or [])
        seeds += [s for s in m.data.get("seeds") or [] if s not in seeds]
    return {"crawl_id": str(first.get("crawl_id") or "?"),
            "start": min(str(m.data.get("start") or "") for m in manifests),
            "end": max(str(m.data.get("end") or "") for m in manifests),
            "finish_reason": ", ".join(sorted({str(m.data.get("finish_reason") or "?") for m in manifests})),
            "software": str(first.get("software") or ""), "summary": dict(summary), "stats": dict(stats),
            "files": files, "seeds": seeds}


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower() or "?"


def _when(timestamp: str) -> datetime | None:
    try:
        return datetime.strptime(timestamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def build_report(ref: str, settings, workdir: Path) -> Report:
    manifests, store_manifests = find_crawl(ref, settings)
    crawl = _merge(manifests)
    report = Report(crawl["crawl_id"], [m.uri for m in manifests], crawl["start"], crawl["end"],
                    crawl["finish_reason"], crawl["software"], crawl["summary"], crawl["stats"],
                    files=len(crawl["files"]), bytes=sum(int(f.get("size") or 0) for f in crawl["files"]))
    uris = [f["uri"] for f in crawl["files"] if f.get("uri")]
    gathered = gather(uris, workdir, settings) if uris else None
    entries: list[IndexEntry] = []
    graph: dict[str, set[str]] = {}
    if gathered is not None:
        report.problems += gathered.errors
        for file in gathered.files:
            entries += parse_index(file.index.read_text(encoding="utf-8").splitlines(), origin=str(file.index))
        _from_index(report, entries)
        _from_articles(report, ArchiveArticles([str(f.path) for f in gathered.files], settings))
        graph = link_graph([f.path for f in gathered.files])
    _seeds(report, crawl["seeds"], entries, graph, report.article_urls)
    selected = {m.uri for m in manifests}
    rows = {}
    for m in store_manifests:
        crawl_id = str(m.data.get("crawl_id") or "?")
        row = rows.setdefault(crawl_id, RunRow(crawl_id, str(m.data.get("start") or ""), str(m.data.get("end") or ""),
                                               Counter(), False))
        row.summary.update({k: v for k, v in (m.data.get("summary") or {}).items() if isinstance(v, (int, float))})
        row.selected |= m.uri in selected
    report.runs = sorted(rows.values(), key=lambda r: r.start)
    return report


def _from_index(report: Report, entries: list[IndexEntry]) -> None:
    for entry in entries:
        host = _host(entry.url)
        report.bytes_per_host[host] += entry.length
        report.captures_per_host[host] += 1
        if entry.mime == "warc/revisit":
            report.revisit_records += 1
            report.statuses[f"{entry.status or '-'} (revisit)"] += 1
        else:
            report.statuses[str(entry.status or "-")] += 1
        moment = _when(entry.timestamp)
        if moment is not None:
            report.captures.append((moment, host))


def _from_articles(report: Report, articles: ArchiveArticles) -> None:
    for extracted in articles:
        page, article = extracted.page, extracted.article
        if page.capture == "revisit":
            continue  # its article is the original's, counted there
        if article is None:
            if 200 <= page.status < 300 and urlsplit(page.url).path != "/robots.txt":
                report.declined.append(Declined(page.url, page.status, _decline_reason(page, extracted.reason)))
            continue
        publisher = article.publisher or _host(page.url)
        report.articles += 1
        report.articles_per_publisher[publisher] += 1
        report.article_urls.add(page.url)
        have = report.coverage.setdefault(publisher, Counter())
        have["articles"] += 1
        for name in FIELDS:
            if getattr(article, name, None):
                have[name] += 1
    progress = articles.progress
    if progress.bad_records or progress.bad_files:
        report.problems.append(f"{progress.bad_records} record(s) in {progress.bad_files} file(s) could not be read")


_REASONS = {"home_page": "a home page", "error_page": "an error page", "declared_listing": "declares itself a listing",
            "section": "a section page", "listing": "a listing (section) page", "too_little_text": "too little text", "no_date": "no date",
            "unparsable": "cannot be parsed as HTML", "failed": "extraction failed"}


def _decline_reason(page, reason: str | None) -> str:
    if reason == "not_html" or reason is None:
        kind = (page.header("Content-Type") or "").split(";")[0].strip().lower() or "no Content-Type"
        return f"not HTML ({kind})" if reason == "not_html" else "not an article"
    return f"{reason}: {_REASONS[reason]}" if reason in _REASONS else reason


def link_graph(paths: list[Path]) -> dict[str, set[str]]:
    """Which URL led to which, from the archive itself: each request's ``Referer`` and each redirect's ``Location``."""
    children: dict[str, set[str]] = {}
    for path in paths:
        try:
            for _offset, record in iter_records(path):
                http = record.http_headers
                target = record.rec_headers.get_header("WARC-Target-URI") or ""
                if http is None:
                    continue
                if record.rec_type == "request":
                    referer = http.get_header("Referer")
                    if referer:
                        children.setdefault(referer, set()).add(target)
                elif record.rec_type == "response" and http.get_header("Location"):
                    children.setdefault(target, set()).add(urljoin(target, http.get_header("Location")))
        except Exception as exc:  # what was read still counts; the damage is reported by the extraction pass
            logger.warning("Link graph: stopped reading %s: %s: %s", path, type(exc).__name__, exc)
    return children


def _seeds(report: Report, seeds: list[str], entries: list[IndexEntry], graph: dict[str, set[str]],
           article_urls: set[str]) -> None:
    """Each start URL: the status of its capture, and how many articles it led to (itself included)."""
    status: dict[str, int] = {}
    for entry in entries:
        status.setdefault(entry.url, entry.status)
    for seed in seeds:
        seen, todo = {seed}, [seed]
        while todo:
            for child in graph.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        report.seeds.append(SeedOutcome(seed, status.get(seed), len(seen & article_urls)))
