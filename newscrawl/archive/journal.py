"""The capture journal: what each WARC file holds for the crawl state, on disk beside it.

The crawl state learns of a capture when its WARC file is closed and fsynced
in the spool. Until then the capture is written to ``<file>.captures.jsonl``
beside the WARC, one JSON line per exchange, flushed *before* the exchange's
records are written: a crawler killed at any point leaves a journal naming
every exchange it may have written (and perhaps one it did not finish). At the
next start, each journal left behind is committed to the state, keeping only
the exchanges that really are in the file (those starting before the end of
its whole exchanges, see ``recovery.complete_prefix``), and deleted. So a URL
archived by a crawler that died, or whose file waits in the spool for S3, is
neither fetched again nor counted new again.

A line is ``{"at": offset of the exchange in its file, "capture": {...}}``
where ``capture`` holds the fields of ``newscrawl.state.Capture``. Reading what dead
crawlers left is ``recovery.leftover_journals``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

JOURNAL_SUFFIX = ".captures.jsonl"


class CaptureJournal:
    """Appends one line per exchange to a WARC file's journal (owned by the writer's thread)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = open(self.path, "a", encoding="utf-8")

    def append(self, at: int, capture: dict) -> None:
        self._file.write(json.dumps({"at": at, "capture": capture}, separators=(",", ":")) + "\n")
        self._file.flush()

    def sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


def read_journal(path: Path, valid_below: float = float("inf")) -> list[dict]:
    """The captures of a journal whose exchanges start before ``valid_below``; a torn last line is skipped."""
    captures = []
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the line being written when the crawler died
            if entry["at"] < valid_below:
                captures.append(entry["capture"])
    return captures
