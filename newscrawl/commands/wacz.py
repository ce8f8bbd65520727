"""`scrapy wacz SOURCE [SOURCE ...] -o crawl.wacz`: package WARC files as a WACZ (1.1.1) for ReplayWeb.page.

SOURCE is what `scrapy replay` takes (files, directories, globs,
``s3://bucket/prefix``). The package holds the WARC files, their CDXJ indexes
merged, ``pages/pages.jsonl`` with one line per article (URL, capture time,
title: the project's own extraction run over the archive), and the
datapackage with every file's size and SHA-256. Exit status 1 when a source or
record could not be read (the package holds the rest), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import __version__
from newscrawl.browse.articles import ArchiveArticles
from newscrawl.browse.collect import gather
from newscrawl.browse.wacz import PageEntry, write_wacz
from newscrawl.commands import ToolCommand

logger = logging.getLogger(__name__)


class Command(ToolCommand, ScrapyCommand):
    usage = "SOURCE [SOURCE ...] -o FILE.wacz [--title TITLE]"
    summary = "Package WARC files, their indexes and the list of archived articles as a WACZ file"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        self.add_output_option(parser, "the WACZ file to write (*.wacz)")
        parser.add_argument("--title", help="the package's title (default: the output's name)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.check_output(opts.output, "FILE.wacz", "the package", kind="WACZ", suffix=".wacz")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one SOURCE (WARC files, directories, globs, s3://bucket/prefix)")
        assert self.settings is not None
        output = Path(opts.output).resolve()
        with tempfile.TemporaryDirectory(prefix="newscrawl-wacz-") as work:
            gathered = gather(args, Path(work), self.settings)
            for error in gathered.errors:
                logger.error("Not packaged: %s", error)
            if not gathered.files:
                print(f"nothing to package: no WARC files in {' '.join(args)}")
                self.exitcode = 1
                return
            # The pages list from the local copies: S3 objects are read once.
            articles = ArchiveArticles([str(f.path) for f in gathered.files], self.settings)
            pages = [PageEntry(x.page.url, x.page.fetched_at, x.article.title)
                     for x in articles if x.article is not None and x.page.capture != "revisit"]
            progress = articles.progress
            pages.sort(key=lambda p: (p.ts, p.url))
            write_wacz(output, gathered.files, pages, title=opts.title or output.stem,
                       software=f"newscrawl/{__version__}")
        bad = progress.bad_records + progress.bad_files
        print(f"{output}: {len(gathered.files)} WARC file(s), {progress.records} records, {len(pages)} article"
              f" page(s){f'; {len(gathered.errors)} source(s) and {progress.bad_records} record(s) unreadable' if bad or gathered.errors else ''}")
        if gathered.errors or bad:
            self.exitcode = 1
