"""`scrapy upload_pending`: repair ``.open`` files and upload what earlier crawls left in the spool.

For ``WARC_STORE=s3://...`` it does what a crawl does at start, then waits
(``WARC_UPLOAD_TIMEOUT``) for the uploads; for a local store it only repairs
``.open`` files. Exits 1 when files are still not stored.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from newscrawl.archive.store import store_from_uri


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[-s WARC_STORE=s3://bucket/prefix]"

    def short_desc(self) -> str:
        return "Repair .open WARC files and upload the files left in the spool by earlier crawls"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        store = store_from_uri(self.settings.get("WARC_STORE"), self.settings)
        repaired = store.recover()
        store.close()
        stats = store.stats()
        pending = store.pending_files
        print(f"repaired .open files : {len(repaired)}")
        print(f"uploaded             : {stats.get('warc/uploaded', 0)} ({stats.get('warc/uploaded_bytes', 0)} bytes)")
        print(f"failed attempts      : {stats.get('warc/upload_failed', 0)}")
        print(f"still pending        : {len(pending)}")
        for key in pending:
            print(f"  {key}")
        if pending:
            self.exitcode = 1
