"""Replay on Apache Spark: one task per archive file, the reader and extraction of ``scrapy replay``.

``scrapy replay SOURCE --engine spark --output DIR|s3://bucket/prefix`` (or
``spark-submit newscrawl/replay/spark.py SOURCE --output ...`` on an existing
cluster) lists the sources on the driver, as ``scrapy replay`` does, and runs
one Spark task per WARC/ARC file. A task streams its file with the project's
reader (``ArchiveReplay``: the same filters, revisit handling and damage
reports), extracts each Page with the same pure function as the live crawl and
``scrapy replay`` (``article_outcome``), and writes its own articles:

    DIR/fetch_date=YYYY-MM-DD/part-<file key>.parquet   (or .jsonl)
    DIR/_manifest/<file key>.json                       written last: the file is done

so a task that is retried, or a file processed again, rewrites the same
objects instead of adding duplicates, and ``--resume`` skips every file with a
manifest entry. Output to ``s3://`` goes through the store's boto3 client
(``AWS_*`` settings) from the executors; nothing needs Hadoop's S3 connector.

Damaged or unreadable files are reported per file, as ``scrapy replay``
reports them, and never fail the job; the driver prints one line per finished
file and a summary, and the exit status is 1 when anything was lost.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import re
import sys
import threading
import time
from collections import defaultdict
from dataclasses import asdict
from typing import Any, Iterable
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "jsonl")

# Settings the executors need, copied from the driver's (project) settings: reading, the
# extraction's rules and the link rules, S3 access.
_SETTINGS_PREFIXES = ("REPLAY_", "EXTRACTION_", "LATEST_", "LINK_", "SEE_MORE", "SECTION_", "TRACKING_",
                      "EXCLUDED_", "AWS_", "WARC_S3_", "DOWNLOAD_MAXSIZE")


def article_schema():
    """The Parquet schema: the Article fields, ``warc`` as a struct (pyarrow)."""
    import pyarrow as pa

    text = pa.string()
    return pa.schema([
        ("url", text), ("canonical_url", text), ("title", text), ("summary", text),
        ("authors", pa.list_(text)), ("published", text), ("modified", text), ("section", text),
        ("tags", pa.list_(text)), ("language", text), ("publisher", text), ("body", text),
        ("images", pa.list_(pa.struct([("url", text), ("caption", text), ("credit", text)]))),
        ("related_urls", pa.list_(text)), ("fetched_at", text),
        ("warc", pa.struct([("uri", text), ("offset", pa.int64()), ("record_id", text)])),
        ("extractor_version", text),
    ])


def file_key(uri: str) -> str:
    """A stable, path-safe name for one source file's outputs."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", uri.rstrip("/").rsplit("/", 1)[-1])[:80]
    return f"{hashlib.sha1(uri.encode()).hexdigest()[:12]}-{base}"


# -- where the output goes: a directory or s3://bucket/prefix ---------------------


class Sink:
    """Writes and lists the job's output objects; a local directory or an S3 prefix."""

    def __init__(self, output: str, settings: dict[str, Any]):
        self.output = output.rstrip("/")
        self.settings = settings
        self._client = None
        parts = urlsplit(self.output)
        self.is_s3 = parts.scheme == "s3"
        if self.is_s3:
            self.bucket, self.prefix = parts.netloc, parts.path.strip("/")

    def _s3(self):
        if self._client is None:
            from scrapy.settings import Settings

            from newscrawl.archive.reader import s3_client_from_settings

            self._client = s3_client_from_settings(Settings(self.settings))
        return self._client

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, name: str, data: bytes) -> None:
        if self.is_s3:
            self._s3().put_object(Bucket=self.bucket, Key=self._key(name), Body=data)
            return
        path = os.path.join(self.output, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # a reader never sees half an object

    def list(self, folder: str) -> list[str]:
        """Names of the objects directly in ``folder``."""
        if self.is_s3:
            names = []
            for page in self._s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                              Prefix=self._key(folder) + "/"):
                names.extend(obj["Key"].rsplit("/", 1)[-1] for obj in page.get("Contents", []))
            return names
        path = os.path.join(self.output, folder)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def get(self, name: str) -> bytes:
        if self.is_s3:
            return self._s3().get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        with open(os.path.join(self.output, name), "rb") as fh:
            return fh.read()


def completed(sink: Sink) -> dict[str, dict]:
    """The manifest of files already done: source URI → its report."""
    done = {}
    for name in sink.list("_manifest"):
        if name.endswith(".json"):
            report = json.loads(sink.get(f"_manifest/{name}"))
            done[report["source"]] = report
    return done


# -- one task: one file ----------------------------------------------------------


def process_file(source: str, settings: dict[str, Any], output: str, fmt: str,
                 filters: dict[str, Any]) -> dict[str, Any]:
    """On an executor: read one archive file, extract its pages, write its articles and manifest entry."""
    started = time.monotonic()
    report: dict[str, Any] = {"source": source, "key": file_key(source), "records": 0, "pages": 0,
                              "articles": 0, "not_articles": 0, "errors": 0, "bad_records": 0,
                              "lost": [], "parts": [], "status": "whole"}
    try:
        _process(source, settings, output, fmt, filters, report)
    except Exception as exc:  # an unreadable file is reported, never fails the job
        logger.exception("replay (spark): %s unreadable", source)
        report["status"] = "unreadable"
        report["lost"].append(f"{type(exc).__name__}: {exc}")
        return report
    report["seconds"] = round(time.monotonic() - started, 3)
    Sink(output, settings).put(f"_manifest/{report['key']}.json",
                               json.dumps(report, sort_keys=True).encode())
    return report


def _process(source, settings, output, fmt, filters, report) -> None:
    from scrapy.settings import Settings

    from newscrawl.follow.links import link_rules_from_settings
    from newscrawl.replay.spider import ArchiveReplay, RecordFilter, parse_when
    from pipelines.extract import article_outcome
    from pipelines.extraction import SiteRules

    scrapy_settings = Settings(settings)
    record_filter = RecordFilter(parse_when(filters.get("since")), parse_when(filters.get("until"), end_of_day=True),
                                 re.compile(filters["url"]) if filters.get("url") else None,
                                 filters.get("host") or None)
    replay = ArchiveReplay([source], record_filter, scrapy_settings)
    site_rules = SiteRules(scrapy_settings.getdict("EXTRACTION_SITE_RULES"))
    link_rules = link_rules_from_settings(scrapy_settings)
    by_day: dict[str, list[dict]] = defaultdict(list)
    while True:
        batch = replay.next_batch(64)
        if not batch:
            break
        for page in batch:
            report["pages"] += 1
            outcome, article = article_outcome(page, site_rules, link_rules)
            if outcome == "article":
                row = asdict(article)
                by_day[(article.fetched_at or "unknown")[:10]].append(row)
                report["articles"] += 1
            elif outcome == "error":
                report["errors"] += 1
            else:
                report["not_articles"] += 1
    progress = replay.progress
    report["records"] = progress.records
    report["bad_records"] = progress.records_lost
    report["lost"] += [str(damage) for damage in progress.damage]
    if progress.files_unreadable:
        report["status"] = "unreadable"
    elif progress.files_damaged or progress.damage_count:
        report["status"] = "damaged"
    sink = Sink(output, settings)
    for day, rows in sorted(by_day.items()):
        name = f"fetch_date={day}/part-{report['key']}.{fmt}"
        sink.put(name, _encode(rows, fmt))
        report["parts"].append(name)


def _encode(rows: list[dict], fmt: str) -> bytes:
    if fmt == "jsonl":
        return b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in rows)
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=article_schema()), buffer, compression="zstd")
    return buffer.getvalue()


# -- the driver --------------------------------------------------------------------


def list_sources(specs: list[str], settings) -> tuple[list[str], list[str]]:
    """Source URIs (one per file) and the specs that could not be listed, as ``scrapy replay`` lists them."""
    from newscrawl.archive.reader import SourceError, expand_sources, s3_client_from_settings

    uris, errors = [], []
    page_size = settings.getint("REPLAY_S3_PAGE_SIZE") or 1000
    for source in expand_sources(specs, s3_client=lambda: s3_client_from_settings(settings), s3_page_size=page_size):
        if isinstance(source, SourceError):
            errors.append(str(source))
        else:
            uris.append(source.uri)
    return uris, errors


def executor_settings(settings) -> dict[str, Any]:
    return {name: value for name, value in settings.copy_to_dict().items()
            if name.startswith(_SETTINGS_PREFIXES)}


class _Reports:
    """Per-file reports as tasks finish (a Spark accumulator the driver reads while the job runs)."""

    def __init__(self, sc):
        from pyspark.accumulators import AccumulatorParam

        class ListParam(AccumulatorParam):
            def zero(self, value):
                return []

            def addInPlace(self, a, b):
                a.extend(b)
                return a

        self.accumulator = sc.accumulator([], ListParam())
        self.printed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._print_new()

    def _watch(self):
        while not self._stop.wait(0.5):
            self._print_new()

    def _print_new(self):
        reports = list(self.accumulator.value)
        for report in reports[self.printed:]:
            print(file_line(report), file=sys.stderr, flush=True)
        self.printed = len(reports)


def file_line(report: dict) -> str:
    lost = f"; lost: {', '.join(report['lost'])}" if report["lost"] else ""
    return (f"replay (spark): {report['source']}: {report['status']}, {report['records']} records, "
            f"{report['pages']} pages, {report['articles']} articles{lost}")


def run(specs: list[str], settings, output: str, fmt: str = "parquet", master: str | None = None,
        resume: bool = False, filters: dict[str, Any] | None = None, spark=None) -> int:
    """Run the job; return the exit status (0 everything read, 1 something lost)."""
    if fmt not in FORMATS:
        raise ValueError(f"--format: {fmt!r}; one of {', '.join(FORMATS)}")
    started = time.monotonic()
    uris, errors = list_sources(specs, settings)
    for error in errors:
        print(f"replay (spark): bad source: {error}", file=sys.stderr, flush=True)
    conf = executor_settings(settings)
    sink = Sink(output, conf)
    done = completed(sink) if resume else {}
    todo = [uri for uri in uris if uri not in done]
    if done:
        print(f"replay (spark): --resume: {len(uris) - len(todo)} of {len(uris)} files done already; skipped",
              file=sys.stderr, flush=True)
    own_session = spark is None
    if own_session:
        spark = _session(master)
    reports: list[dict] = []
    try:
        if todo:
            sc = spark.sparkContext
            job_filters = dict(filters or {})
            with _Reports(sc) as progress:
                accumulator = progress.accumulator

                def task(uri: str) -> dict:
                    report = process_file(uri, conf, output, fmt, job_filters)
                    accumulator.add([report])
                    return report

                reports = sc.parallelize(todo, len(todo)).map(task).collect()
    finally:
        if own_session:
            spark.stop()
    return summarize(reports, errors, len(uris) - len(todo), time.monotonic() - started)


def summarize(reports: list[dict], errors: list[str], skipped: int, seconds: float) -> int:
    whole = sum(r["status"] == "whole" for r in reports)
    damaged = [r for r in reports if r["status"] == "damaged"]
    unreadable = [r for r in reports if r["status"] == "unreadable"]
    pages = sum(r["pages"] for r in reports)
    articles = sum(r["articles"] for r in reports)
    print(f"replay (spark): {len(reports)} files ({whole} whole, {len(damaged)} damaged, "
          f"{len(unreadable) + len(errors)} unreadable, {skipped} skipped as done), "
          f"{sum(r['records'] for r in reports)} records, {sum(r['bad_records'] for r in reports)} lost, "
          f"{pages} pages, {articles} articles; {seconds:.1f} s", file=sys.stderr, flush=True)
    lost = damaged + unreadable
    for report in lost:
        print(f"replay (spark): lost in {report['source']}: {', '.join(report['lost'])}", file=sys.stderr)
    return 1 if lost or errors else 0


def _session(master: str | None):
    from pyspark.sql import SparkSession

    logging.getLogger("py4j").setLevel(logging.WARNING)  # one INFO line per gateway call otherwise
    builder = SparkSession.builder.appName("newscrawl replay")
    if master:
        builder = builder.master(master)
    elif not os.environ.get("SPARK_HOME") and "spark.master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        builder = builder.master("local[*]")
    # The executors run this interpreter (and its venv) unless the cluster says otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.getOrCreate()


# -- spark-submit entry point ----------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newscrawl-spark-replay",
                                     description="Re-extract archived pages on Spark (see scrapy replay --engine spark)")
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    parser.add_argument("--output", "-o", required=True, metavar="DIR|s3://bucket/prefix")
    parser.add_argument("--format", default="parquet", choices=FORMATS)
    parser.add_argument("--master", default=None)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--since")
    parser.add_argument("--until")
    parser.add_argument("--url")
    parser.add_argument("--host")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    return parser


def main(argv: list[str] | None = None) -> int:
    from scrapy.utils.project import get_project_settings

    opts = build_parser().parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    settings = get_project_settings()
    for pair in opts.set:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    filters = {"since": opts.since, "until": opts.until, "url": opts.url, "host": opts.host}
    return run(opts.sources, settings, opts.output, opts.format, opts.master, opts.resume, filters)


if __name__ == "__main__":
    sys.exit(main())
