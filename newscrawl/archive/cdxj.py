"""CDXJ indexes: one beside each WARC file, in cdxj-indexer's format, the one pywb reads.

A WARC file ``name.warc.gz`` gets ``name.warc.gz.cdxj``: one line per
response, revisit, resource and metadata record, sorted, each
``<SURT> <14-digit timestamp> {"url", "mime", "status", "digest", "length",
"offset", "filename"}`` (cdxj-indexer's defaults). ``filename`` is the WARC
file's bare name, so an index stays true wherever the pair is copied (beside
each other in a directory, under one prefix in a bucket, in a pywb collection).

``write_index`` builds one with cdxj-indexer itself; ``parse_index`` reads one
back into ``IndexEntry``s (readers use the offsets and lengths to fetch only
the records they want).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

INDEX_SUFFIX = ".cdxj"


def index_name(warc_name: str) -> str:
    """The index's name for a WARC file's name (``x.warc.gz`` → ``x.warc.gz.cdxj``)."""
    return warc_name + INDEX_SUFFIX


def index_path(warc: Path) -> Path:
    return warc.with_name(index_name(warc.name))


# Run in a child process: cdxj-indexer is pure Python and reads the whole file, so in the crawler's
# process it would hold the GIL for as long as the reactor thread needs it (~5% of a crawl's CPU).
_INDEXER = ("import sys\n"
            "from cdxj_indexer.main import CDXJIndexer\n"
            "with open(sys.argv[1], 'rb') as stream:\n"
            "    CDXJIndexer(output=sys.argv[2], inputs=[stream], filename=sys.argv[3], sort=True).process_all()\n")


def write_index(warc: Path, destination: Path | None = None) -> Path:
    """Index ``warc`` with cdxj-indexer (sorted), written atomically beside it; returns the index's path.

    The indexer runs in a child process (the calling thread waits, without the GIL); an
    error there is raised here as ``RuntimeError`` with the indexer's last line.
    """
    destination = destination or index_path(warc)
    tmp = destination.with_name(destination.name + ".tmp")
    try:
        done = subprocess.run([sys.executable, "-c", _INDEXER, str(warc), str(tmp), warc.name],
                              capture_output=True, text=True, errors="replace")
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            raise RuntimeError(lines[-1] if lines else f"cdxj-indexer exited with {done.returncode}")
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)
    return destination


@dataclass
class IndexEntry:
    """One line of a CDXJ index."""

    urlkey: str
    timestamp: str  # 14 digits, UTC
    url: str
    mime: str
    status: int  # 0 for records without one (revisits of pywb's kind, resources)
    digest: str
    offset: int
    length: int
    filename: str

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


def parse_line(line: str) -> IndexEntry:
    """``urlkey timestamp {json}`` → IndexEntry (raises ValueError on a line that is not CDXJ)."""
    urlkey, timestamp, rest = line.rstrip("\n").split(" ", 2)
    fields = json.loads(rest)
    status = str(fields.get("status") or "0")
    return IndexEntry(urlkey, timestamp, fields.get("url", ""), fields.get("mime", ""),
                      int(status) if status.isdigit() else 0, fields.get("digest", ""),
                      int(fields["offset"]), int(fields["length"]), fields.get("filename", ""))


def parse_index(lines: Iterable[str], origin: str = "index") -> list[IndexEntry]:
    """Every entry of a CDXJ index; ValueError naming the line when one is not CDXJ.

    All or nothing: a reader that trusted a damaged index would miss records, so it
    reads the WARC file itself instead.
    """
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith(("!", "#")):
            continue
        try:
            entries.append(parse_line(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{origin} line {number} is not a CDXJ line: {exc}") from None
    return entries
