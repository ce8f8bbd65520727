"""`scrapy demo`: crawl the bundled demo news site into a local S3 server, and print a summary.

The demo site (three publishers) runs on loopback addresses; the S3 server is
moto's, in this process, on 127.0.0.1. After the crawl the WARC files are
copied from the bucket into ``OUTPUT/warcs`` so they can be looked at with any
WARC tool; the articles are in ``OUTPUT/articles.jsonl``. ``--local`` skips S3
and writes the WARC files straight into ``OUTPUT/warcs``.
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

BUCKET = "newscrawl-demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--output DIR] [--local]"

    def short_desc(self) -> str:
        return "Crawl the bundled demo news site into WARC files (on a local S3 server) and articles"

    def long_desc(self) -> str:
        return (__doc__ or "").strip()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--output", default="demo-output", help="directory for warcs/ and articles.jsonl")
        parser.add_argument("--local", action="store_true", help="write WARC files to OUTPUT/warcs, no S3 server")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # The summary is the output; the crawl log stays quiet unless asked for (-L).
        if (self.settings.getpriority("LOG_LEVEL") or 0) <= SETTINGS_PRIORITIES["project"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawl.demo.site import DemoSite  # only this command needs the demo site

        out = Path(opts.output).resolve()
        warcs, articles = out / "warcs", out / "articles.jsonl"
        out.mkdir(parents=True, exist_ok=True)
        # Every demo is a first run: the demo site is new, so are its state and archive.
        for old in [*warcs.glob("*.warc.gz*"), *warcs.glob("*.manifest.json"), articles, *out.glob("state.sqlite*")]:
            old.unlink(missing_ok=True)
        self._set("CRAWL_STATE", str(out / "state.sqlite"))
        self._set("ALLOWED_PRIVATE_NETWORKS", ["127.0.0.0/8"])
        self._set("FEEDS", {str(articles): {"format": "jsonlines", "overwrite": True}})
        s3 = None if opts.local else self._start_s3(out)
        if s3 is None:
            self._set("WARC_STORE", str(warcs))

        site = DemoSite(port=0)
        site.start()
        started = time.monotonic()
        try:
            assert self.crawler_process is not None
            crawler = self.crawler_process.create_crawler("worldnews")
            self.crawler_process.crawl(crawler, start_urls=",".join(site.start_urls))
            self.crawler_process.start()
        finally:
            site.stop()
        elapsed = time.monotonic() - started
        stats = crawler.stats.get_stats()
        where = str(warcs)
        if s3 is not None:
            server, client = s3
            keys = self._copy_bucket(client, warcs)
            server.stop()
            where = f"s3://{BUCKET}/warcs/ ({len(keys)} objects), copied to {warcs}"
        files = sorted(warcs.glob("*.warc.gz"))
        count = sum(1 for line in articles.open(encoding="utf-8") if line.strip()) if articles.exists() else 0
        print(f"newscrawl demo: {len(site.start_urls)} start URLs on {len(site.publishers)} publishers")
        print(f"  pages fetched : {stats.get('warc/responses', 0)}")
        print(f"  WARC files    : {len(files)} ({sum(f.stat().st_size for f in files)} bytes) in {where}")
        print(f"  articles      : {count} in {articles}")
        print(f"  time          : {elapsed:.1f} s")
        if count:
            first = json.loads(articles.open(encoding="utf-8").readline())
            print(f"  e.g.          : {first['title']!r} by {', '.join(first['authors']) or 'unknown'}")
        if stats.get("finish_reason") != "finished" or stats.get("warc/pending_files"):
            self.exitcode = 1

    def _set(self, name: str, value) -> None:
        self.settings.set(name, value, priority="cmdline")

    def _start_s3(self, out: Path):
        """moto's S3 server on loopback, a bucket, and the settings that point the crawl at it."""
        try:
            from moto.server import ThreadedMotoServer
        except ImportError:
            raise UsageError("the demo's S3 server is moto[server] (make demo installs it); or use --local",
                             print_help=False) from None
        from newscrawl.archive.store.s3 import client_from_settings

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per S3 request otherwise
        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        for name, value in {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "demo",
                            "AWS_SECRET_ACCESS_KEY": "demo-secret", "AWS_REGION_NAME": "us-east-1",
                            "WARC_STORE": f"s3://{BUCKET}/warcs", "WARC_SPOOL_DIR": str(out / "spool")}.items():
            self._set(name, value)
        client = client_from_settings(self.settings)
        client.create_bucket(Bucket=BUCKET)
        return server, client

    @staticmethod
    def _copy_bucket(client, warcs: Path) -> list[str]:
        warcs.mkdir(parents=True, exist_ok=True)
        keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
                for o in page.get("Contents", [])]
        for key in keys:
            client.download_file(BUCKET, key, str(warcs / key.rsplit("/", 1)[-1]))
        return keys
