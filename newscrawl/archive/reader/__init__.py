"""Iterating archived records from any source, streaming, and decoding their payloads.

A *source* is one WARC file, local or in S3 (``expand_sources`` turns paths,
directories, globs and ``s3://bucket/prefix`` into sources). ``read_archive``
walks one source record by record and yields plain data: an
``ArchivedResponse`` for each ``response`` or ``revisit`` record and a
``BadRecord`` for anything it could not read, then carries on after it. Nothing
here holds a whole file in memory: files and objects are read as streams, one
record at a time.

``decode_content`` undoes ``Content-Encoding`` with the very functions Scrapy's
HttpCompressionMiddleware uses, and ``dechunk`` undoes a chunked transfer coding
stored verbatim (as some tools do), so a replayed body is the body the live
crawl's spider saw.
"""

from __future__ import annotations

import glob as globlib
import gzip
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from .cdxj import IndexEntry, index_name, index_path

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz")
_READ_SIZE = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/"


# -- sources ------------------------------------------------------------------


class Source(Protocol):
    """One WARC file somewhere: a name for pointers and a way to stream it."""

    uri: str  # what a record pointer's ``warc.uri`` names: absolute path, or s3://bucket/key
    size: int | None

    def open(self, offset: int = 0, length: int | None = None) -> BinaryIO:
        """A binary stream of the file from ``offset`` on, ``length`` bytes of it when given (never the
        whole file in memory)."""

    def open_index(self) -> Iterator[str] | None:
        """The lines of the file's CDXJ index (``cdxj.py``), or None when it has none beside it."""


@dataclass
class LocalSource:
    """A WARC file on a local disk; ``uri`` is its absolute path, as ``LocalStore.uri_for`` writes it."""

    path: Path
    uri: str = ""
    size: int | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser().resolve()
        self.uri = self.uri or str(self.path)

    def open(self, offset: int = 0, length: int | None = None) -> BinaryIO:
        stream = open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        if offset:
            stream.seek(offset)
        return stream

    def open_index(self) -> Iterator[str] | None:
        path = index_path(self.path)
        if not path.is_file():
            return None
        with open(path, encoding="utf-8") as lines:
            return iter(lines.readlines())


@dataclass
class S3Source:
    """An object in S3, streamed with GetObject (a Range from ``offset``)."""

    client: object
    bucket: str
    key: str
    size: int | None = None
    uri: str = ""

    def __post_init__(self) -> None:
        self.uri = self.uri or f"s3://{self.bucket}/{self.key}"

    def open(self, offset: int = 0, length: int | None = None) -> BinaryIO:
        if length is not None:
            kwargs = {"Range": f"bytes={offset}-{offset + length - 1}"}
        else:
            kwargs = {"Range": f"bytes={offset}-"} if offset else {}
        return self.client.get_object(Bucket=self.bucket, Key=self.key, **kwargs)["Body"]

    def open_index(self) -> Iterator[str] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=index_name(self.key))["Body"]
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        try:
            return iter(body.read().decode("utf-8").splitlines())
        finally:
            body.close()


class SourceError(Exception):
    """A SOURCE argument that names nothing readable."""


def is_warc_name(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def expand_sources(specs: Iterable[str], s3_client: Callable[[], object] | None = None,
                   s3_page_size: int = 1000) -> Iterator[Source | SourceError]:
    """Every WARC file named by ``specs``, in order, each once; a ``SourceError`` for a spec naming none.

    A spec is a file (taken whatever its name), a directory (every ``*.warc``
    and ``*.warc.gz`` under it, recursively), a glob, or ``s3://bucket/prefix``
    (every WARC object under the prefix, listed page by page). ``s3_client``
    builds the boto3 client when the first ``s3://`` spec is met.
    """
    seen: set[str] = set()
    client = None
    for spec in specs:
        found = 0
        if spec.lower().startswith("s3://"):
            if client is None:
                try:
                    if s3_client is None:
                        raise ValueError("no S3 client configured")
                    client = s3_client()
                except Exception as exc:
                    yield SourceError(f"{spec}: cannot make an S3 client: {_describe(exc)}")
                    continue
            sources = _s3_sources(client, spec, s3_page_size)
        else:
            sources = _local_sources(spec)
        try:
            for source in sources:
                found += 1  # named by this spec, even if an earlier spec named it too
                if source.uri not in seen:
                    seen.add(source.uri)
                    yield source
        except Exception as exc:  # listing failed (permissions, network): report, go on with the rest
            yield SourceError(f"{spec}: cannot list: {type(exc).__name__}: {exc}")
            continue
        if not found:
            yield SourceError(f"{spec}: no WARC files found")


def _local_sources(spec: str) -> Iterator[LocalSource]:
    path = Path(spec).expanduser()
    if path.is_file():
        yield LocalSource(path, size=path.stat().st_size)
    elif path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                if is_warc_name(name):
                    file = Path(root, name)
                    yield LocalSource(file, size=file.stat().st_size)
    elif globlib.has_magic(spec):
        for match in sorted(globlib.glob(os.path.expanduser(spec), recursive=True)):
            file = Path(match)
            if file.is_file():
                yield LocalSource(file, size=file.stat().st_size)
            elif file.is_dir():
                yield from _local_sources(match)


def _s3_sources(client, spec: str, page_size: int) -> Iterator[S3Source]:
    parts = urlsplit(spec)
    bucket, prefix = parts.netloc, parts.path.lstrip("/")
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}):
        for obj in page.get("Contents", []):
            if is_warc_name(obj["Key"]):
                yield S3Source(client, bucket, obj["Key"], size=obj.get("Size"))


def s3_client_from_settings(settings):
    """The boto3 client the WARC store uses (``newscrawl.archive.store.s3``), from Scrapy's AWS_* settings."""
    from ..store.s3 import client_from_settings

    return client_from_settings(settings)


# -- records ------------------------------------------------------------------


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


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


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


# -- revisits -----------------------------------------------------------------


@dataclass
class _Location:
    source: Source
    offset: int


@dataclass
class RevisitIndex:
    """Where recent response records are, by payload digest, record id and URI+date.

    Bounded (least recently seen entries go first) so memory stays flat on
    archives of any size; a revisit whose original is not (or no longer) here
    is resolved by a second pass over the sources at the end.
    """

    max_entries: int = 1_000_000
    _entries: OrderedDict = field(default_factory=OrderedDict)

    def add(self, source: Source, rec: ArchivedResponse) -> None:
        location = _Location(source, rec.offset)
        for key in response_keys(rec):
            self._entries[key] = location
            self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def find(self, revisit: ArchivedResponse) -> _Location | None:
        for key in revisit_keys(revisit):
            if key in self._entries:
                return self._entries[key]
        return None


def response_keys(rec: ArchivedResponse) -> list[tuple[str, str]]:
    keys = [("id", rec.record_id), ("uri-date", f"{rec.uri} {rec.date}")]
    if rec.payload_digest:
        keys.append(("digest", rec.payload_digest.lower()))
    return keys


def revisit_keys(revisit: ArchivedResponse) -> list[tuple[str, str]]:
    """What a revisit says its original is: WARC-Refers-To, target URI + date, payload digest."""
    h = revisit.warc_headers
    keys = []
    if _header(h, "WARC-Refers-To"):
        keys.append(("id", _header(h, "WARC-Refers-To")))
    uri, date = _header(h, "WARC-Refers-To-Target-URI"), _header(h, "WARC-Refers-To-Date")
    if uri and date:
        keys.append(("uri-date", f"{uri} {date}"))
    if revisit.payload_digest:
        keys.append(("digest", revisit.payload_digest.lower()))
    return keys


_ENTITY_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def resolve_revisit(revisit: ArchivedResponse, original: ArchivedResponse) -> ArchivedResponse:
    """The revisit as a response: its own URI, date, place and headers, the original's payload.

    The headers that describe the payload bytes (Content-Encoding,
    Transfer-Encoding, Content-Length) come from the original, which holds
    them; a revisit without HTTP headers or with a 304 takes the original's
    status and headers.
    """
    if revisit.status and revisit.status != 304:
        own = [(k, v) for k, v in revisit.headers if k.lower() not in _ENTITY_HEADERS]
        headers = own + [(k, v) for k, v in original.headers if k.lower() in _ENTITY_HEADERS]
        status, protocol = revisit.status, revisit.protocol
    else:
        headers, status, protocol = original.headers, original.status, original.protocol
    return ArchivedResponse(
        uri=revisit.uri, offset=revisit.offset, record_id=revisit.record_id, date=revisit.date,
        status=status, protocol=protocol, headers=headers, payload=original.payload,
        warc_headers=revisit.warc_headers, source=revisit.source, rec_type="revisit",
        truncated=original.truncated,
    )


# -- payloads -----------------------------------------------------------------


class DecodingError(Exception):
    """A payload that cannot be decoded (or inflates beyond the size limit)."""


def dechunk(headers: list[tuple[str, str]], payload: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """Undo a chunked transfer coding stored verbatim (wget and others keep it).

    Only when the archived headers say ``Transfer-Encoding: chunked`` and the
    payload really is chunked: many tools record the header but store the body
    de-chunked, as the WARC specification asks. The header goes either way,
    as it does in a live response (the HTTP client consumes it).
    """
    codings = [v.strip().lower() for k, val in headers if k.lower() == "transfer-encoding" for v in val.split(",")]
    if "chunked" not in codings:
        return headers, payload
    headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
    body = _dechunk(payload)
    return headers, payload if body is None else body


_CHUNK_SIZE_LINE = re.compile(rb"[0-9a-fA-F]+[ \t]*(;[^\r\n]*)?\r?\n")


def _dechunk(data: bytes) -> bytes | None:
    """The de-chunked body, or None when ``data`` does not start as a chunked body."""
    out = []
    pos = 0
    first = True
    while pos < len(data):
        match = _CHUNK_SIZE_LINE.match(data, pos)
        if not match:
            if first:
                return None
            break  # garbage after chunks: keep what was decoded, as an HTTP client would
        size = int(match.group(0).split(b";")[0].strip(), 16)
        first = False
        pos = match.end()
        if size == 0:
            break
        out.append(data[pos:pos + size])
        pos += size
        if data[pos:pos + 2] == b"\r\n":
            pos += 2
        elif data[pos:pos + 1] == b"\n":
            pos += 1
    return b"".join(out)


def decode_content(headers: list[tuple[str, str]], payload: bytes,
                   max_size: int = 64 * 1024 * 1024) -> tuple[list[tuple[str, str]], bytes]:
    """Undo ``Content-Encoding`` (gzip, deflate, br, zstd) exactly as Scrapy's HttpCompressionMiddleware does.

    Same decoders (Scrapy's own), same order (last applied first), same
    handling of unknown codings (decoding stops there and they stay in the
    header), so a replayed body is byte for byte the body the live spider got.
    Returns the headers without what was decoded, and the body. Raises
    ``DecodingError`` when the payload is corrupt or inflates beyond ``max_size``.
    """
    from scrapy.utils._compression import _DecompressionMaxSizeExceeded, _inflate, _unbrotli, _unzstd
    from scrapy.utils.gz import gunzip

    values = [v for k, v in headers if k.lower() == "content-encoding"]
    if not values:
        return headers, payload
    to_keep = [e.strip().lower() for value in values for e in value.split(",")]
    decoders = {"gzip": gunzip, "x-gzip": gunzip, "deflate": _inflate, "br": _unbrotli, "zstd": _unzstd}
    body = payload
    try:
        while to_keep and to_keep[-1] in decoders:
            body = decoders[to_keep.pop()](body, max_size=max_size)
    except _DecompressionMaxSizeExceeded as exc:
        raise DecodingError(f"body inflates beyond {max_size} bytes") from exc
    except Exception as exc:
        raise DecodingError(f"cannot decode the {values} payload: {_describe(exc)}") from exc
    others = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
    if to_keep:
        others.append(("Content-Encoding", ", ".join(to_keep)))
    return others, body
