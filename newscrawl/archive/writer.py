"""Rotating WARC files: names, ``.open``, warcinfo, size limit, never splitting a pair.

Files are named like Heritrix's,
``{prefix}-{UTC timestamp to the ms}-{serial:05}-{hostname}-{pid}.warc.gz``,
written as ``<name>.open`` and renamed when closed, gzip per record. The writer
is not thread-safe: one thread owns it (see middleware.py). What an exchange
means for the crawl state goes to the file's capture journal (journal.py),
``<name>.captures.jsonl``, before the exchange's records are written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.warcwriter import WARCWriter

from newscrawl.host import file_name_host

from .cdxj import IndexLines
from .journal import JOURNAL_SUFFIX, CaptureJournal
from .records import WARC_VERSION, Exchange, RefersTo, build_records, build_warcinfo

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"


class ArchiveWriteFailed(Exception):
    """A write to a WARC file failed; the file was cut back to its last complete exchange and closed."""

    def __init__(self, path: Path | None, why: str):
        self.path, self.why = path, why
        super().__init__(f"WARC file {path}: {why}" if path else why)


@dataclass
class RecordPointer:
    """Where a response record is: the file's final URI, offset, record id, WARC-Date."""

    uri: str
    offset: int
    record_id: str
    date: str
    # Against the crawl state: "new" URL, "changed" payload, "revisit" (same payload), or None (no state).
    capture: str | None = None

    def as_item_field(self) -> dict[str, object]:
        return {"uri": self.uri, "offset": self.offset, "record_id": self.record_id}


@dataclass
class ClosedFile:
    """A finished WARC file, handed to the store."""

    path: Path
    size: int
    records: int
    journal: Path | None = None  # its capture journal, when the crawl keeps a state
    index: IndexLines | None = None  # its CDXJ index, built as it was written (the store writes it beside it)


def warc_file_name(prefix: str, serial: int, moment: datetime | None = None,
                   hostname: str | None = None, pid: int | None = None) -> str:
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    stamp = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    return f"{prefix}-{stamp}-{serial:05d}-{file_name_host(hostname)}-{pid or os.getpid()}.warc.gz"


class RotatingWarcWriter:
    """Appends exchanges to WARC files in ``directory``, rotating at ``max_size`` bytes.

    The size check happens between exchanges, so a response and its request
    always share a file; a file may exceed ``max_size`` by one exchange.
    ``uri_for(name)`` tells where a file will live once stored (its pointer
    URI); ``on_close(ClosedFile)`` is called after each file is closed.
    """

    def __init__(self, directory: Path, prefix: str, max_size: int, warcinfo: dict[str, str],
                 uri_for: Callable[[str], str], on_close: Callable[[ClosedFile], None]):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = warcinfo
        self.uri_for = uri_for
        self.on_close = on_close
        self.serial = 0
        self._file = None
        self._writer: WARCWriter | None = None
        self._name = ""
        self._records = 0
        self._journal: CaptureJournal | None = None
        self._index: IndexLines | None = None
        self.files_written = 0
        # Bytes in this writer's files so far, closed and open (set on the writer's thread; a plain
        # int that other threads may read, for live stats).
        self.bytes_written = 0
        self._closed_bytes = 0

    @property
    def current_path(self) -> Path | None:
        return self.directory / (self._name + OPEN_SUFFIX) if self._file else None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._name = warc_file_name(self.prefix, self.serial)
        self.serial += 1
        self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self._index = IndexLines(self._name)
        self._writer.write_record(build_warcinfo(self._writer, self._name, self.warcinfo))
        self._records = 1
        self._file.flush()
        logger.info("Opened WARC file %s", self._name)

    def write(self, exchange: Exchange, refers_to: RefersTo | None = None,
              journal_entry: Callable[[RecordPointer], dict | None] | None = None) -> RecordPointer:
        """Write one exchange; returns where its response (or revisit) record is.

        ``journal_entry(pointer)`` gives what to journal for it (or None); the
        line is flushed before the records, so no record is ever on disk
        without its journal line.

        If anything fails (disk full, file-size limit, an I/O error), the file is
        cut back to the end of the last complete exchange, closed there and
        handed on, and ``ArchiveWriteFailed`` is raised: a WARC never holds a
        torn record or half an exchange (journal lines past the cut are ignored).
        """
        if self._file is not None and self._file.tell() >= self.max_size:
            try:
                self.close()
            except Exception as exc:
                raise ArchiveWriteFailed(self.directory / (self._name + OPEN_SUFFIX), _why(exc)) from exc
        good_end, records = 0, 0
        try:
            if self._file is None:
                self._open()
            assert self._writer is not None and self._file is not None
            good_end, records = self._file.tell(), self._records
            response, request = build_records(self._writer, exchange, refers_to)
            offset = self._file.tell()
            pointer = RecordPointer(
                uri=self.uri_for(self._name),
                offset=offset,
                record_id=response.rec_headers.get_header("WARC-Record-ID"),
                date=response.rec_headers.get_header("WARC-Date"),
            )
            entry = journal_entry(pointer) if journal_entry else None
            if entry is not None:
                if self._journal is None:
                    self._journal = CaptureJournal(self.directory / (self._name + JOURNAL_SUFFIX))
                self._journal.append(offset, entry)
            self._writer.write_record(response)
            # The index line now, while the record is at hand; kept once the whole exchange is written.
            line = self._index.line(response, offset, self._file.tell() - offset) if self._index else None
            self._writer.write_record(request)
            # Flushed per exchange so a killed crawler leaves whole records on disk.
            self._file.flush()
        except Exception as exc:
            path = self.directory / (self._name + OPEN_SUFFIX) if self._name else self.directory
            note = self._cut_back(good_end, records)
            raise ArchiveWriteFailed(path, _why(exc) + note) from exc
        if self._index is not None:
            self._index.add(line)
        self._records += 2
        self.bytes_written = self._closed_bytes + self._file.tell()
        return pointer

    def _cut_back(self, good_end: int, records: int) -> str:
        """After a failed write: cut the ``.open`` file to ``good_end``, close it there and hand it on."""
        file, self._file, self._writer = self._file, None, None
        journal, self._journal = self._journal, None
        index, self._index = self._index, None  # its lines: the exchanges before good_end, no more
        if journal is not None:
            try:
                journal.close()
            except OSError:
                pass
        if file is None:
            return ""
        open_path = self.directory / (self._name + OPEN_SUFFIX)
        try:
            file.close()  # may fail flushing again; the raw file is closed all the same
        except OSError:
            pass
        try:
            fd = os.open(open_path, os.O_WRONLY)
            try:
                os.ftruncate(fd, good_end)
                os.fsync(fd)
            finally:
                os.close(fd)
            if good_end == 0:  # not even its warcinfo record was whole
                open_path.unlink()
                return "; the new file was removed"
            final = self.directory / self._name
            os.replace(open_path, final)
        except OSError as exc:
            logger.error("Could not cut %s back to %d bytes (%s); the next start repairs it",
                         open_path.name, good_end, _why(exc))
            return f"; could not cut the file back ({_why(exc)})"
        self.files_written += 1
        self._closed_bytes += good_end
        self.bytes_written = self._closed_bytes
        logger.info("Closed WARC file %s at its last complete exchange (%d bytes, %d records)",
                    final.name, good_end, records)
        try:
            # Journal lines at or past good_end are exchanges the file no longer holds: read_journal(path, size).
            self.on_close(ClosedFile(final, good_end, records, journal.path if journal else None, index))
        except Exception as exc:  # the write failure is what the caller must hear of
            logger.error("Handing on %s failed: %s", final.name, _why(exc))
        return f"; cut back to its last complete exchange ({good_end} bytes) and closed as {final.name}"

    def sync(self) -> None:
        """fsync the open file and its journal: every exchange written so far survives a crash of the machine."""
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        if self._journal is not None:
            self._journal.sync()

    def close(self) -> None:
        """Close the current file (if any), drop ``.open`` and hand it on."""
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        size = self._file.tell()
        self._file.close()
        open_path = self.directory / (self._name + OPEN_SUFFIX)
        final = self.directory / self._name
        os.replace(open_path, final)
        self._file = self._writer = None
        journal, self._journal = self._journal, None
        index, self._index = self._index, None
        if journal is not None:
            journal.close()
        self.files_written += 1
        self._closed_bytes += size
        self.bytes_written = self._closed_bytes
        logger.info("Closed WARC file %s (%d bytes, %d records)", final.name, size, self._records)
        self.on_close(ClosedFile(final, size, self._records, journal.path if journal else None, index))


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} [errno {exc.errno}]"
    return f"{type(exc).__name__}: {exc}"
