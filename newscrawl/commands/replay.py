"""`scrapy replay SOURCE [SOURCE ...]`: archived responses → the item pipelines → feeds, without the network.

SOURCE is a WARC or ARC file (``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``),
a directory, a glob or ``s3://bucket/prefix``. With ``--url`` or ``--host``,
files that have a CDXJ index beside them (every file the crawl writes does) are
read only where the index says the matching records are: one range request per
record on S3. Every archived 2xx HTML response goes through the same pipelines
as in the live crawl (``newscrawl.replay.spider.ReplaySpider``), so ``-O
articles.jsonl`` gives the articles the live crawl gave. Extraction runs in
``EXTRACTION_PROCESSES`` processes (default: one per core, as in the live crawl).

A summary on stderr ends every run: files read whole, damaged and unreadable,
records read and lost, pages and articles, then one line for each thing lost,
damaged or unreadable (file, offset, reason, records lost).

``--engine spark`` runs the same reading and extraction as a Spark job, one
task per file (``newscrawl.replay.spark``): ``--output DIR|s3://bucket/prefix``,
``--format parquet|jsonl``, ``--master URL`` (default ``local[*]``), ``--resume``.

Exit status: 0 everything was read; 1 something was lost, damaged or
unreadable (the summary says what), or the run did not finish; 2 a usage error
(one line).
"""

from __future__ import annotations

import argparse
import re
import sys

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.commands.crawl import report_start_error
from newscrawl.config import SettingError, check_settings
from newscrawl.replay.spider import REPLAY_SETTINGS, ReplaySpider, parse_when

EXIT_LOST = 1
EXIT_USAGE = 2


def usage_error(message: str) -> None:
    """One line on stderr, exit status 2 (Scrapy's UsageError would add the whole usage text)."""
    print(f"scrapy replay: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_USAGE)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] SOURCE [SOURCE ...]"

    def short_desc(self) -> str:
        return "Run the item pipelines over archived responses (WARC, ARC; files, directories, globs, s3://)"

    def long_desc(self) -> str:
        return (__doc__ or "").strip()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", metavar="DATE", help="only records with WARC-Date at or after DATE (ISO 8601)")
        parser.add_argument("--until", metavar="DATE",
                            help="only records with WARC-Date at or before DATE (ISO 8601; a bare date includes the day)")
        parser.add_argument("--url", metavar="REGEX", help="only records whose target URI matches REGEX (re.search)")
        parser.add_argument("--host", metavar="HOST",
                            help="only records whose target URI's host is HOST or a subdomain of it")
        parser.add_argument("--dedupe", action="store_true",
                            help="one article per URL and payload digest: the latest capture (several crawls of a site)")
        parser.add_argument("--engine", default="scrapy", metavar="ENGINE",
                            help="scrapy (this process, default) or spark (a Spark job, one task per file)")
        parser.add_argument("--master", metavar="URL", help="with --engine spark: the Spark master (default local[*])")
        parser.add_argument("--format", metavar="FORMAT", default="parquet",
                            help="with --engine spark: parquet (default) or jsonl")
        parser.add_argument("--resume", action="store_true",
                            help="with --engine spark: skip the files the output's manifest lists as done")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:  # here, before Scrapy's start-up lines: the error is the only line
            usage_error("give at least one SOURCE (a WARC or ARC file, a directory, a glob or s3://bucket/prefix)")
        self.spark_output = None
        if opts.engine not in ("scrapy", "spark"):
            usage_error(f"--engine: {opts.engine!r}; one of scrapy, spark")
        if opts.engine == "spark":
            from newscrawl.replay.spark import FORMATS

            # The Spark job writes Parquet or JSON lines parts itself: --output is its directory, not a feed.
            if opts.overwrite_output or not opts.output or len(opts.output) > 1:
                usage_error("--engine spark: give one --output DIR|s3://bucket/prefix (not -O)")
            if opts.format not in FORMATS:
                usage_error(f"--format: {opts.format!r}; one of {', '.join(FORMATS)}")
            if opts.dedupe:
                usage_error("--dedupe goes with --engine scrapy")
            self.spark_output, opts.output = opts.output[0], None
        elif opts.master or opts.resume:
            usage_error("--master and --resume go with --engine spark")
        try:
            super().process_options(args, opts)
        except UsageError as exc:
            usage_error(str(exc))
        for name in ("since", "until"):
            try:
                parse_when(getattr(opts, name))
            except ValueError as exc:
                usage_error(f"--{name}: {exc}")
        if opts.host is not None and (not opts.host.strip() or "/" in opts.host or " " in opts.host.strip()):
            usage_error(f"--host: {opts.host!r} is not a host name (e.g. --host example.com)")
        if opts.url:
            try:
                re.compile(opts.url)
            except re.error as exc:
                usage_error(f"--url {opts.url!r}: not a regular expression ({exc})")
        assert self.settings is not None
        # Never fetch, never touch the WARC store: above anything -s may say.
        for name, value in REPLAY_SETTINGS.items():
            self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if self.spark_output is not None:
            from newscrawl.replay import spark

            filters = {"since": opts.since, "until": opts.until, "url": opts.url, "host": opts.host}
            self.exitcode = spark.run(args, self.settings, self.spark_output, opts.format, opts.master,
                                      opts.resume, filters)
            return
        assert self.crawler_process is not None
        crawler = self._create_crawler(ReplaySpider)
        try:
            check_settings(crawler.settings)
        except SettingError as exc:  # one line, as `scrapy crawl` says it; the traceback at DEBUG
            report_start_error(exc, crawler.settings)
            self.exitcode = 2
            return
        self.crawler_process.crawl(crawler, sources=args, since=opts.since, until=opts.until, url=opts.url,
                                   host=opts.host, dedupe=opts.dedupe, **opts.spargs)
        self.crawler_process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        if (self.crawler_process.bootstrap_failed or stats.get("finish_reason") != "finished"
                or stats.get("replay/damage") or stats.get("replay/bad_records") or stats.get("replay/bad_files")):
            self.exitcode = EXIT_LOST
