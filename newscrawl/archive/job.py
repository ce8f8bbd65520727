"""The archive's part of a Scrapy job (``JOBDIR``): a paused crawl resumes its WARC series.

Scrapy keeps the scheduler's queue and the seen-requests filter in ``JOBDIR``;
the crawl state (newscrawl.state) keeps what is archived. What is left is the
series itself: the crawl id every warcinfo record names (``isPartOf``) and the
file serial, so a resumed crawl's files follow the paused one's (``-00003-``
after ``-00002-``) as one crawl. They live in ``JOBDIR/newscrawl-archive.json``,
saved whenever a file is opened and when the crawl closes.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from scrapy.settings import BaseSettings
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)

FILE_NAME = "newscrawl-archive.json"


@dataclass
class ArchiveJob:
    """The WARC series of one Scrapy job."""

    path: Path
    crawl_id: str | None = None
    next_serial: int = 0
    started: str | None = None  # ISO 8601: when the job's first run started

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "ArchiveJob | None":
        directory = job_dir(settings)
        if not directory:
            return None
        path = Path(directory) / FILE_NAME
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            job = cls(path, data.get("crawl_id"), int(data.get("next_serial") or 0), data.get("started"))
        except (OSError, ValueError, TypeError) as exc:
            raise ValueError(f"JOBDIR={directory!r}: cannot read {FILE_NAME}: {exc}") from None
        logger.info("Resuming crawl %s from JOBDIR %s: WARC files continue at serial %05d",
                    job.crawl_id, directory, job.next_serial)
        return job

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
