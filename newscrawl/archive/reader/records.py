"""Records: walking one source record by record, streaming, resynchronising after damage.

``read_archive`` yields an ``ArchivedResponse`` for each ``response`` or
``revisit`` record and a ``BadRecord`` for anything it could not read, then
carries on after it; ``read_indexed`` reads only the records a CDXJ index
points at. Nothing here holds a whole file in memory.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from ..cdxj import IndexEntry
from .sources import LocalSource, Source, _describe

logger = logging.getLogger(__name__)

_READ_SIZE = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/"

@dataclass
class ArchivedResponse:
    """A response (or revisit) record as plain data: the Page's raw material."""

    uri: str  # WARC-Target-URI
    offset: int
    record_id: str
    date: str  # WARC-Date, as written
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    payload: bytes  # as archived: still content-encoded (and chunked, if stored so)
    warc_headers: dict[str, str]
    source: str = ""  # the file's URI (``warc.uri`` of pointers)
    rec_type: str = "response"
    truncated: str | None = None  # WARC-Truncated, when the writer says the payload is incomplete

    @property
    def payload_digest(self) -> str | None:
        return _header(self.warc_headers, "WARC-Payload-Digest")

    def pointer(self) -> dict[str, object]:
        """The record's place, as the ``warc`` field of a Page/Article."""
        return {"uri": self.source, "offset": self.offset, "record_id": self.record_id}


@dataclass
class BadRecord:
    """A record or a stretch of file that could not be read, and why."""

    source: str
    offset: int
    reason: str


@dataclass
class ReadStats:
    """What reading one source saw (bytes are the file's bytes, compressed or not)."""

    records: int = 0
    bytes: int = 0
    bad: int = 0


def _header(headers: dict[str, str], name: str) -> str | None:
    name = name.lower()
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


class _CountingStream:
    """Counts the bytes read from a stream, for progress."""

    def __init__(self, stream, stats: ReadStats, base: int = 0):
        self.stream = stream
        self.stats = stats
        self.pos = base

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.pos += len(data)
        self.stats.bytes += len(data)
        return data

    def close(self) -> None:
        self.stream.close()


def iter_records(path: str | Path) -> Iterator[tuple[int, object]]:
    """(offset, warcio record) for every record of a local WARC file, in order."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream, no_record_parse=False)
        for record in iterator:
            # ``offset`` is the current record's start until the iterator moves
            # on; get_record_offset() would read (and consume) the record.
            yield iterator.offset, record


def iter_responses(path: str | Path, uri: str | None = None) -> Iterator[ArchivedResponse]:
    """Every ``response`` record of a local file with its raw payload (errors raise)."""
    source = LocalSource(Path(path), uri=uri or "")
    for item in read_archive(source, rec_types=("response",)):
        if isinstance(item, BadRecord):
            raise ValueError(f"{item.source} at {item.offset}: {item.reason}")
        yield item


def read_archive(source: Source, rec_types: tuple[str, ...] = ("response", "revisit"),
                 max_payload: int | None = None, stats: ReadStats | None = None,
                 want: Callable[[ArchivedResponse], bool] | None = None
                 ) -> Iterator[ArchivedResponse | BadRecord]:
    """Records of ``rec_types`` from one source, with ``BadRecord``s for what could not be read.

    After a corrupt record the reader looks for the next record start (a gzip
    member, or a ``WARC/`` line in uncompressed files) and goes on from there,
    so one bad stretch costs only the records in it. ``want`` sees a record
    before its payload is read: returning False skips the payload (filters).
    Payloads above ``max_payload`` bytes are reported and skipped.
    """
    stats = stats or ReadStats()
    start = 0
    while start is not None:
        start = yield from _read_from(source, start, rec_types, max_payload, stats, want)


def _read_from(source: Source, start: int, rec_types, max_payload, stats: ReadStats, want):
    """Read from ``start`` until the end (returns None) or a failure (returns where to resume)."""
    try:
        raw = source.open(start)
    except Exception as exc:
        stats.bad += 1
        yield BadRecord(source.uri, start, f"cannot open: {type(exc).__name__}: {exc}")
        return None
    stream = _CountingStream(raw, stats, start)
    offset = start
    gzipped = False
    iterator = None
    try:
        iterator = ArchiveIterator(stream, no_record_parse=False)
        records = iter(iterator)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return None
            offset = start + iterator.offset
            gzipped = iterator.reader.decompressor is not None
            stats.records += 1
            rec_type = record.rec_type
            if rec_type not in rec_types:
                continue
            try:
                item = _to_response(record, source.uri, offset, max_payload, want)
            except _Skip:
                continue
            except Exception as exc:  # one unreadable record: report it, the iterator skips its rest
                stats.bad += 1
                yield BadRecord(source.uri, offset, _describe(exc))
                continue
            if isinstance(item, BadRecord):
                stats.bad += 1
            yield item
    except Exception as exc:
        if start == 0 and "non-chunked gzip" in str(exc):
            # One gzip stream around the whole file (``gzip file.warc``): readable, not seekable.
            yield from _read_whole_gzip(source, rec_types, max_payload, stats, want, skip=stats.records)
            return None
        stats.bad += 1
        failed_at = start + iterator.offset if iterator is not None else start
        yield BadRecord(source.uri, failed_at, _describe(exc))
        return _resync(source, failed_at + 1, gzipped or source.uri.lower().endswith(".gz"))
    finally:
        try:
            raw.close()
        except Exception:
            pass


def _read_whole_gzip(source: Source, rec_types, max_payload, stats: ReadStats, want, skip: int):
    """Records of a file gzipped as a whole, after the first ``skip``.

    Offsets are positions in the *uncompressed* data: such a file cannot be
    entered in the middle, so a pointer can only say how far to read.
    """
    logger.warning("%s is gzipped as a whole, not per record: its offsets are positions in the "
                   "uncompressed data", source.uri)
    raw = source.open(0)
    offset = 0
    counted = ReadStats()  # the first pass counted the start of the file already
    already = stats.bytes
    try:
        iterator = ArchiveIterator(gzip.GzipFile(fileobj=_CountingStream(raw, counted)), no_record_parse=False)
        for index, record in enumerate(iterator):
            offset = iterator.offset
            if index < skip:
                continue
            stats.records += 1
            if record.rec_type not in rec_types:
                continue
            try:
                item = _to_response(record, source.uri, offset, max_payload, want)
            except _Skip:
                continue
            if isinstance(item, BadRecord):
                stats.bad += 1
            yield item
    except Exception as exc:
        stats.bad += 1
        yield BadRecord(source.uri, offset, f"{_describe(exc)} (offset in the uncompressed data)")
    finally:
        stats.bytes = max(already, counted.bytes)
        raw.close()


class _Skip(Exception):
    pass


def _to_response(record, source_uri: str, offset: int, max_payload: int | None, want) -> ArchivedResponse | BadRecord:
    rec_headers = record.rec_headers
    http = record.http_headers
    warc_headers = dict(rec_headers.headers)
    if http is None:
        if record.rec_type != "revisit":
            raise _Skip()  # not an HTTP response (Heritrix's dns: records, whois, ...)
        status, protocol, headers = 0, "", []
    else:
        status = int(http.get_statuscode() or 0)
        protocol = http.protocol
        headers = list(http.headers)
    item = ArchivedResponse(
        uri=rec_headers.get_header("WARC-Target-URI"),
        offset=offset,
        record_id=rec_headers.get_header("WARC-Record-ID"),
        date=rec_headers.get_header("WARC-Date"),
        status=status,
        protocol=protocol,
        headers=headers,
        payload=b"",
        warc_headers=warc_headers,
        source=source_uri,
        rec_type=record.rec_type,
        truncated=rec_headers.get_header("WARC-Truncated"),
    )
    if want is not None and not want(item):
        raise _Skip()
    stream = record.raw_stream
    expected = getattr(record, "payload_length", -1)
    if max_payload is not None and expected is not None and expected > max_payload:
        return BadRecord(source_uri, offset, f"payload of {expected} bytes is above the limit ({max_payload})")
    chunks = []
    size = 0
    while chunk := stream.read(_READ_SIZE):
        chunks.append(chunk)
        size += len(chunk)
        if max_payload is not None and size > max_payload:
            return BadRecord(source_uri, offset, f"payload above the limit ({max_payload} bytes)")
    missing = getattr(stream, "limit", 0)
    if missing:
        # The file ended inside the record: what we have is not what was archived.
        return BadRecord(source_uri, offset, f"truncated record: {missing} bytes missing of its Content-Length")
    item.payload = b"".join(chunks)
    return item


def _resync(source: Source, position: int, gzipped: bool) -> int | None:
    """The offset of the next plausible record start at or after ``position``, or None."""
    magic = _GZIP_MAGIC if gzipped else _WARC_MAGIC
    try:
        stream = source.open(position)
    except Exception:
        return None
    try:
        carry = b""
        base = position - len(carry)
        while True:
            chunk = stream.read(_READ_SIZE)
            if not chunk:
                return None
            data = carry + chunk
            at = data.find(magic)
            while at >= 0:
                if gzipped or at == 0 or data[at - 1:at] == b"\n":
                    return base + at
                at = data.find(magic, at + 1)
            keep = len(magic) - 1
            carry = data[-keep:]
            base += len(data) - keep
    finally:
        try:
            stream.close()
        except Exception:
            pass


def read_indexed(source: Source, entries: Iterable[IndexEntry], max_payload: int | None = None,
                 stats: ReadStats | None = None, want: Callable[[ArchivedResponse], bool] | None = None
                 ) -> Iterator[ArchivedResponse | BadRecord]:
    """The records the index ``entries`` point at, each read alone (an S3 range request per record).

    Like ``read_archive`` (same ``want``, ``max_payload``, ``BadRecord``s), but only
    the bytes of the chosen records are read.
    """
    stats = stats or ReadStats()
    for entry in entries:
        try:
            raw = source.open(entry.offset, entry.length)
        except Exception as exc:
            stats.bad += 1
            yield BadRecord(source.uri, entry.offset, f"cannot open: {_describe(exc)}")
            continue
        try:
            stream = _CountingStream(raw, stats, entry.offset)
            record = next(iter(ArchiveIterator(stream, no_record_parse=False)), None)
            if record is None:
                raise ValueError(f"no record at the offset the index gives for {entry.url}")
            stats.records += 1
            item = _to_response(record, source.uri, entry.offset, max_payload, want)
        except _Skip:
            continue
        except Exception as exc:
            stats.bad += 1
            yield BadRecord(source.uri, entry.offset, _describe(exc))
            continue
        finally:
            try:
                raw.close()
            except Exception:
                pass
        if isinstance(item, BadRecord):
            stats.bad += 1
        yield item


def read_record_at(source: Source, offset: int) -> ArchivedResponse | None:
    """The response record that starts at ``offset`` (for resolving revisits), or None."""
    for item in read_archive_once(source, offset):
        return item if isinstance(item, ArchivedResponse) else None
    return None


def read_archive_once(source: Source, offset: int) -> Iterator[ArchivedResponse | BadRecord]:
    stream = source.open(offset)
    try:
        iterator = ArchiveIterator(stream, no_record_parse=False)
        for record in iterator:
            yield _to_response(record, source.uri, offset, None, None)
            return
    finally:
        stream.close()
