"""`scrapy replay SOURCE [SOURCE ...]`: archived responses → the item pipelines → feeds, without the network.

SOURCE is a WARC file (``.warc``, ``.warc.gz``), a directory, a glob or
``s3://bucket/prefix``. With ``--url`` or ``--host``, files that have a CDXJ
index beside them (every file the crawl writes does) are read only where the
index says the matching records are: one range request per record on S3. Every archived 2xx HTML response goes through the same
pipelines as in the live crawl (``newscrawl.replay.spider.ReplaySpider``), so
``-O articles.jsonl`` gives the articles the live crawl gave. Extraction runs
in ``EXTRACTION_PROCESSES`` processes (default: one per core, as in the live crawl).

The exit status is 1 when any record or file could not be read (they are
logged with file, offset and reason, and counted in ``replay/bad_records`` and
``replay/bad_files``), or when the run did not finish.
"""

from __future__ import annotations

import argparse
import re

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.replay.spider import REPLAY_SETTINGS, ReplaySpider, parse_when


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] SOURCE [SOURCE ...]"

    def short_desc(self) -> str:
        return "Run the item pipelines over archived WARC responses (files, directories, globs, s3://)"

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

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        for name in ("since", "until"):
            try:
                parse_when(getattr(opts, name))
            except ValueError as exc:
                raise UsageError(f"--{name}: {exc}", print_help=False) from None
        if opts.host is not None and (not opts.host.strip() or "/" in opts.host or " " in opts.host.strip()):
            raise UsageError(f"--host: {opts.host!r} is not a host name (e.g. --host example.com)", print_help=False)
        if opts.url:
            try:
                re.compile(opts.url)
            except re.error as exc:
                raise UsageError(f"--url: {exc}", print_help=False) from None
        assert self.settings is not None
        # Never fetch, never touch the WARC store: above anything -s may say.
        for name, value in REPLAY_SETTINGS.items():
            self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one SOURCE")
        assert self.crawler_process is not None
        crawler = self._create_crawler(ReplaySpider)
        self.crawler_process.crawl(crawler, sources=args, since=opts.since, until=opts.until, url=opts.url,
                                   host=opts.host, **opts.spargs)
        self.crawler_process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        if (self.crawler_process.bootstrap_failed or stats.get("finish_reason") != "finished"
                or stats.get("replay/bad_records") or stats.get("replay/bad_files")):
            self.exitcode = 1
