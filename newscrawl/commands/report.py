"""`scrapy report MANIFEST|CRAWL_ID -o report.html`: what a crawl did, as one static page readable offline.

MANIFEST is a crawl's manifest (a file, or ``s3://bucket/key``); CRAWL_ID is
looked up among the manifests in ``WARC_STORE``. The page shows captures over
time, status codes, bytes per host, articles per publisher, field coverage
(title, date, authors, body), pages declined as not articles and why, start
URLs that led to no article, and revisits and changes run after run (every
manifest in the same store). No script, no stylesheet or font from elsewhere:
inline CSS and SVG. Exit status 1 when a file of the crawl could not be read
(the page says which), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.browse.report import ReportError, build_report
from newscrawl.browse.report_html import render
from newscrawl.commands import ToolCommand

logger = logging.getLogger(__name__)


class Command(ToolCommand, ScrapyCommand):
    usage = "MANIFEST|CRAWL_ID -o report.html"
    summary = "Write a crawl's report (one static HTML page) from its manifest and WARC files"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        self.add_output_option(parser, "the HTML file to write")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.check_output(opts.output, "FILE.html", "the report")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one MANIFEST (a .manifest.json file or s3:// key) or CRAWL_ID", print_help=False)
        assert self.settings is not None
        with tempfile.TemporaryDirectory(prefix="newscrawl-report-") as work:
            try:
                report = build_report(args[0], self.settings, Path(work))
            except ReportError as exc:
                raise UsageError(str(exc), print_help=False) from None
        output = Path(opts.output)
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(render(report), encoding="utf-8")
        os.replace(tmp, output)
        for problem in report.problems:
            logger.error("Not in the report: %s", problem)
        print(f"{output}: crawl {report.crawl_id}, {report.summary.get('pages', 0)} pages, {report.articles} articles,"
              f" {len(report.declined)} declined, {len(report.empty_seeds)} start URL(s) without articles")
        if report.problems:
            self.exitcode = 1
