"""CDXJ indexes: one beside each WARC file, in cdxj-indexer's format, the one pywb reads.

A WARC file ``name.warc.gz`` gets ``name.warc.gz.cdxj``: one line per
response, revisit, resource and metadata record, sorted, each
``<SURT> <14-digit timestamp> {"url", "mime", "status", "digest", "length",
"offset", "filename"}`` (cdxj-indexer's defaults). ``filename`` is the WARC
file's bare name, so an index stays true wherever the pair is copied (beside
each other in a directory, under one prefix in a bucket, in a pywb collection).

``IndexLines`` builds a file's index while the writer writes the file: the
lines cdxj-indexer would give for it, from the records as they are written,
without reading the file again (the writer hands it to the store with the file).
``write_index`` builds one with cdxj-indexer itself, for files written
elsewhere or repaired after a crash; ``parse_index`` reads one back into
``IndexEntry``s (readers use the offsets and lengths to fetch only the records
they want).
"""

from __future__ import annotations

import functools
import heapq
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO
from urllib.parse import urlsplit

import surt
from warcio.timeutils import iso_date_to_timestamp

logger = logging.getLogger(__name__)

INDEX_SUFFIX = ".cdxj"


def index_name(warc_name: str) -> str:
    """The index's name for a WARC file's name (``x.warc.gz`` → ``x.warc.gz.cdxj``)."""
    return warc_name + INDEX_SUFFIX


def index_path(warc: Path) -> Path:
    return warc.with_name(index_name(warc.name))


# cdxj-indexer's record types (DEFAULT_RECORDS less those the writer never writes) and its mime rule.
_INDEXED = ("response", "revisit")
_MIME_END = re.compile(r"[;\s]")
_json = json.encoder.encode_basestring_ascii  # json.dumps of one str, in C


# A URL whose path surt leaves as it is but for case and a trailing slash: http(s), a plain host[:port],
# a path of unreserved characters, no query, no fragment (most article URLs).
_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.-]+(?::[0-9]+)?)(/[A-Za-z0-9_~./-]*)")


@functools.lru_cache(maxsize=1024)
def _host_key(scheme: str, netloc: str) -> str:
    """surt's key up to and with its ")" for URLs of this scheme and host (the host's part never depends on the path)."""
    return surt.surt(f"{scheme}://{netloc}/")[:-1]


def url_key(url: str) -> str:
    """cdxj-indexer's key for a URL: ``surt.surt(url)`` (the URL itself when surt fails).

    surt parses and canonicalizes the whole URL (~60 us); for a plain URL (``_PLAIN_URL``, no
    "." or ".." segment, no empty one but a trailing slash) it only lower-cases the path and
    drops a trailing slash, so the host's part is surt's own, remembered, and the path is done here.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        scheme, netloc, path = plain.groups()
        segments = path.split("/")[1:]
        if not any(s in (".", "..") for s in segments) and "" not in segments[:-1]:
            path = path.lower()
            return _host_key(scheme, netloc) + (path[:-1] if len(path) > 1 and path.endswith("/") else path)
    try:
        return surt.surt(url)
    except Exception:  # as cdxj-indexer
        return url


class IndexLines:
    """The CDXJ index of a WARC file being written: the lines cdxj-indexer gives for it, built per record.

    ``add`` takes each response or revisit record once written, with its offset and
    (compressed) length in the file; the fields are cdxj-indexer's defaults, read from
    the same warcio headers its reader parses from those bytes. ``write`` puts the
    lines beside the file, sorted as ``cdxj-indexer --sort`` sorts them. Past
    ``spill_chars`` characters held, the lines go to a sorted run in an anonymous
    temporary file (cdxj-indexer's SortingWriter does the same), merged at the
    end: memory stays bounded whatever the file's size.
    """

    SPILL_CHARS = 32 * 1024 * 1024  # cdxj-indexer's SortingWriter.MAX_SORT_BUFF_SIZE

    def __init__(self, filename: str, spill_chars: int = SPILL_CHARS):
        self.filename = filename
        self._filename = _json(filename)
        self.spill_chars = spill_chars
        self.count = 0
        self._lines: list[str] = []
        self._chars = 0
        self._runs: list[IO[str]] = []

    def line(self, record, offset: int, length: int) -> str | None:
        """cdxj-indexer's line for one record (None for a record type it does not index)."""
        if record.rec_type not in _INDEXED:
            return None
        http = record.http_headers
        url = record.rec_headers.get_header("WARC-Target-URI")
        # json.dumps of cdxj-indexer's dict, field by field (its key order, ", " and ": ", ASCII escapes).
        fields = ['{"url": ', _json(url)]
        if record.rec_type == "revisit":
            fields.append(', "mime": "warc/revisit"')
        elif http:
            mime = http.get_header("Content-Type")
            if mime is not None:
                fields += [', "mime": ', _json(_MIME_END.split(mime, 1)[0].strip() if mime else mime)]
        if http:
            fields += [', "status": ', _json(http.get_statuscode())]
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if digest is not None:
            fields += [', "digest": ', _json(digest)]
        fields.append(f', "length": "{length}", "offset": "{offset}", "filename": {self._filename}}}')
        urlkey = url_key(url)
        return f"{urlkey} {iso_date_to_timestamp(record.rec_headers.get_header('WARC-Date'))} {''.join(fields)}\n"

    def add(self, line: str | None) -> None:
        if line is None:
            return
        self._lines.append(line)
        self.count += 1
        self._chars += len(line)
        if self._chars > self.spill_chars:
            self._runs.append(self._spill())

    def _spill(self) -> IO[str]:
        self._lines.sort()
        run = tempfile.TemporaryFile("w+t", encoding="utf-8")  # anonymous: nothing left behind by a crash
        run.writelines(self._lines)
        run.seek(0)
        self._lines, self._chars = [], 0
        return run

    def _sorted(self) -> Iterator[str]:
        self._lines.sort()
        if not self._runs:
            return iter(self._lines)
        return heapq.merge(*self._runs, self._lines)

    def write(self, destination: Path) -> Path:
        """The sorted index, written atomically at ``destination``; the lines are let go."""
        tmp = destination.with_name(destination.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                out.writelines(self._sorted())
            os.replace(tmp, destination)
        finally:
            tmp.unlink(missing_ok=True)
            for run in self._runs:
                run.close()
            self._lines, self._runs, self._chars = [], [], 0
        return destination


# Run in a child process: cdxj-indexer is pure Python and reads the whole file, so in the crawler's
# process it would hold the GIL for as long as the reactor thread needs it (~5% of a crawl's CPU).
# The file is its path, or "-": its bytes on stdin (an object streamed from S3, never on disk).
_INDEXER = ("import sys\n"
            "from cdxj_indexer.main import CDXJIndexer\n"
            "with (sys.stdin.buffer if sys.argv[1] == '-' else open(sys.argv[1], 'rb')) as stream:\n"
            "    CDXJIndexer(output=sys.argv[2], inputs=[stream], filename=sys.argv[3], sort=True).process_all()\n")


def write_index(warc: Path, destination: Path | None = None, stream: BinaryIO | None = None) -> Path:
    """Index ``warc`` with cdxj-indexer (sorted), written atomically beside it; returns the index's path.

    With ``stream``, the file's bytes are read from it (an S3 object, streamed once) and
    ``warc`` only names the file. The indexer runs in a child process (the calling thread
    waits, without the GIL); an error there is raised here as ``RuntimeError`` with the
    indexer's last line.
    """
    destination = destination or index_path(warc)
    tmp = destination.with_name(destination.name + ".tmp")
    try:
        with tempfile.TemporaryFile() as errors:
            # stderr to a file, not a pipe: the child must never wait on us while we feed its stdin
            child = subprocess.Popen([sys.executable, "-c", _INDEXER, "-" if stream else str(warc), str(tmp),
                                      warc.name], stdin=subprocess.PIPE if stream else subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=errors)
            try:
                if stream is not None:
                    try:
                        shutil.copyfileobj(stream, child.stdin, 1024 * 1024)
                    except BrokenPipeError:  # the indexer stopped reading: its error says why
                        pass
                    finally:
                        child.stdin.close()
            finally:
                child.wait()
            if child.returncode != 0:
                errors.seek(0)
                lines = [line for line in errors.read().decode("utf-8", "replace").splitlines() if line.strip()]
                raise RuntimeError(lines[-1] if lines else f"cdxj-indexer exited with {child.returncode}")
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
