"""`scrapy demo`: crawl the bundled demo news site on loopback and print a summary."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--output DIR]"

    def short_desc(self) -> str:
        return "Crawl the bundled demo news site into WARC files and articles, and print a summary"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--output", default="demo-output", help="directory for warcs/ and articles.jsonl")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # The summary is the output; the crawl log stays quiet unless asked for (-L).
        if (self.settings.getpriority("LOG_LEVEL") or 0) <= SETTINGS_PRIORITIES["project"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        out = Path(opts.output).resolve()
        warcs = out / "warcs"
        articles = out / "articles.jsonl"
        out.mkdir(parents=True, exist_ok=True)
        state = out / "state.sqlite"
        # Every demo is a first run: the demo site is new, so is its state.
        for old in [*warcs.glob("*.warc.gz*"), articles, *out.glob("state.sqlite*")]:
            old.unlink(missing_ok=True)
        from newscrawl.demo.site import DemoSite  # only this command needs the demo site

        site = DemoSite(port=0)
        site.start()
        started = time.monotonic()
        try:
            self.settings.set("WARC_STORE", str(warcs), priority="cmdline")
            self.settings.set("CRAWL_STATE", str(state), priority="cmdline")
            self.settings.set("ALLOWED_PRIVATE_NETWORKS", ["127.0.0.0/8"], priority="cmdline")
            self.settings.set("FEEDS", {str(articles): {"format": "jsonlines", "overwrite": True}}, priority="cmdline")
            assert self.crawler_process is not None
            crawler = self.crawler_process.create_crawler("worldnews")
            self.crawler_process.crawl(crawler, start_urls=",".join(site.start_urls))
            self.crawler_process.start()
        finally:
            site.stop()
        elapsed = time.monotonic() - started
        stats = crawler.stats.get_stats()
        files = sorted(warcs.glob("*.warc.gz"))
        count = sum(1 for line in articles.open(encoding="utf-8") if line.strip()) if articles.exists() else 0
        print(f"newscrawl demo: {len(site.start_urls)} start URLs on {len(site.publishers)} publishers")
        print(f"  pages fetched : {stats.get('downloader/response_count', 0)}")
        print(f"  WARC files    : {len(files)} ({sum(f.stat().st_size for f in files)} bytes) in {warcs}")
        print(f"  articles      : {count} in {articles}")
        print(f"  time          : {elapsed:.1f} s")
        if count:
            first = json.loads(articles.open(encoding="utf-8").readline())
            print(f"  e.g.          : {first['title']!r} by {', '.join(first['authors']) or 'unknown'}")
        if stats.get("finish_reason") != "finished":
            self.exitcode = 1
