"""Records: walking one source record by record, streaming, resynchronising after damage.

``read_archive`` yields an ``ArchivedResponse`` for each ``response`` or
``revisit`` record and a ``BadRecord`` for anything it could not read, then
carries on after it; ``read_indexed`` reads only the records a CDXJ index
points at. Nothing here holds a whole file in memory.

WARC 0.17 to 1.1 and ARC v1 (with its version block; URL and date from the ARC
header line), gzipped per record, gzipped as a whole or not at all. The gzip
layer is this module's own (``_Stream``): warcio's reader writes zlib's
complaints on stderr and then behaves as if the file had ended; here a member
that does not inflate is reported with the file and offset, and reading goes on
at the next member that inflates to a record header. warcio still parses the
record and HTTP headers.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.recordloader import ARC2WARCHeadersParser, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from ..cdxj import IndexEntry
from .sources import LocalSource, Source, _describe

logger = logging.getLogger(__name__)

_READ_SIZE = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/"


@dataclass
class ArchivedResponse:
    """A response (or revisit) record as plain data: the Page's raw material."""

    uri: str  # WARC-Target-URI (an ARC record's URL)
    offset: int
    record_id: str | None  # None for ARC records, which have none
    date: str  # WARC-Date as written (an ARC record's 14-digit date, as ISO 8601 when readable)
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    payload: bytes  # as archived: still content-encoded (and chunked, if stored so)
    warc_headers: dict[str, str]
    source: str = ""  # the file's URI (``warc.uri`` of pointers)
    rec_type: str = "response"
    truncated: str | None = None  # WARC-Truncated, when the writer says the payload is incomplete
    seekable: bool = True  # False when ``offset`` is a position in a gzip stream's uncompressed data
    too_large: int | None = None  # the payload's size when above ``max_payload`` (payload left empty)
    arc: bool = False

    @property
    def payload_digest(self) -> str | None:
        return _header(self.warc_headers, "WARC-Payload-Digest")

    def pointer(self) -> dict[str, object]:
        """The record's place, as the ``warc`` field of a Page/Article."""
        return {"uri": self.source, "offset": self.offset, "record_id": self.record_id}


@dataclass
class BadRecord:
    """A record or a stretch of file that could not be read, and why.

    ``lost`` is how many records the stretch cost (0 for damage that costs none,
    such as a cut gzip trailer after a whole record); ``resumed_at`` is where
    reading went on (None: nothing readable after it).
    """

    source: str
    offset: int
    reason: str
    lost: int = 1
    resumed_at: int | None = None


@dataclass
class ReadStats:
    """What reading one source saw (bytes are the file's bytes, compressed or not)."""

    records: int = 0  # records read whole, of any type
    bytes: int = 0
    bad: int = 0  # BadRecords yielded
    lost: int = 0  # records lost in them


def _header(headers: dict[str, str], name: str) -> str | None:
    name = name.lower()
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def warc_datetime(value: str | None) -> datetime | None:
    """A WARC-Date (any precision WARC 1.0/1.1 allow, or an ARC 14-digit date) as an aware UTC datetime, or None."""
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{14}", text):
        try:
            return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    try:
        text = text.replace("Z", "+00:00").replace("z", "+00:00")
        if "T" in text and len(text.split("T")[0]) == 10 and len(text) < 19:  # WARC/1.0 allows "2024-05-01T12:00Z"
            text = text.replace("+00:00", ":00+00:00")
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


# -- the byte layer: plain or gzip member by member, with exact positions ------


class _Corrupt(Exception):
    """A gzip member that does not inflate (zlib's own words in the message)."""


class _CutMember(Exception):
    """The file ends inside a gzip member."""


class _NotGzip(Exception):
    """Bytes between gzip members that do not start one."""


class _Stream:
    """A file's bytes as records see them: uncompressed, gzip member after member, with exact positions.

    warcio's own reader writes zlib's complaint on stderr and then behaves as if
    the file had ended; here a bad member is an exception that names where the
    member starts, so the reader can report it and resume after it. ``member_start``
    is the file offset of the gzip member the next byte comes from (a record's
    offset, for a file gzipped per record); ``upos`` counts uncompressed bytes
    consumed since ``base``.
    """

    def __init__(self, raw, base: int, gzipped: bool | None, stats: ReadStats):
        self.raw = raw
        self.gzipped = gzipped
        self.stats = stats
        self.cin = base  # file offset of self._in[0]
        self._in = b""
        self._out = b""
        self._pos = 0  # next byte of self._out
        self.upos = 0
        self._d = None
        self.member_start = base
        self.member_ustart = 0
        self.members = 0
        self.nul_at: int | None = None  # where NUL bytes began in the blank run skip_blank last skipped

    def _raw_read(self) -> bytes:
        data = self.raw.read(_READ_SIZE)
        self.stats.bytes += len(data)
        return data

    def _fill(self, within_member: bool = False) -> bool:
        """More uncompressed bytes in ``_out``; False at the end of the file (or of the member)."""
        if self.gzipped is None:  # decided by the first bytes
            first = self._raw_read()
            while 0 < len(first) < 3 and (more := self._raw_read()):
                first += more
            self.gzipped = first.startswith(_GZIP_MAGIC)
            if not self.gzipped:
                self.cin += len(first)
                self._out, self._pos = first, 0
                return bool(first)
            self._in = first
        if not self.gzipped:
            data = self._raw_read()
            self.cin += len(data)
            self._out, self._pos = data, 0
            return bool(data)
        while True:
            if self._d is None:
                if within_member:
                    return False
                while len(self._in) < 3:
                    more = self._raw_read()
                    if not more:
                        break
                    self._in += more
                if not self._in:
                    return False
                if not self._in.startswith(_GZIP_MAGIC):
                    if not self._in.strip(b"\r\n\0 \t"):  # padding after the last member
                        self.cin += len(self._in)
                        self._in = b""
                        continue
                    raise _NotGzip(self.cin)
                self._d = zlib.decompressobj(31)
                self.member_start, self.member_ustart = self.cin, self.upos
                self.members += 1
            if not self._in:
                self._in = self._raw_read()
                if not self._in:
                    raise _CutMember(self.member_start)
            data = self._in
            try:
                out = self._d.decompress(data, _READ_SIZE)
            except zlib.error as exc:
                raise _Corrupt(f"gzip member does not inflate (zlib: {exc})") from None
            # At the member's end the input left over is in unused_data; zlib may leave a copy of the same
            # bytes in unconsumed_tail when the output limit was reached in the same call: count them once.
            rest = self._d.unused_data if self._d.eof else self._d.unconsumed_tail
            self.cin += len(data) - len(rest)
            self._in = rest
            if self._d.eof:
                self._d = None
            if out:
                self._out, self._pos = out, 0
                return True

    def read(self, size: int | None = -1) -> bytes:
        return self._take(size, line=False)

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(size, line=True)

    def _take(self, size: int | None, line: bool) -> bytes:
        """Up to ``size`` bytes (all, when None or negative); with ``line``, up to and including a line end."""
        if size is None or size < 0:
            size = 1 << 62
        parts = []
        while size > 0:
            if self._pos >= len(self._out) and not self._fill():
                break
            end = self._out.find(b"\n", self._pos, self._pos + size) if line else -1
            stop = min(len(self._out), self._pos + size) if end < 0 else end + 1
            piece = self._out[self._pos:stop]
            self._pos = stop
            self.upos += len(piece)
            size -= len(piece)
            parts.append(piece)
            if end >= 0:
                break
        return b"".join(parts)

    def skip_blank(self, within_member: bool = False) -> bool:
        """Consume line ends (and NUL padding) before the next record; False at the end of the file.

        ``within_member``: only up to the end of the current gzip member (its
        checksum is checked there), without starting the next one.
        """
        self.nul_at = None
        blank = b"\r\n" if within_member else b"\r\n\0"  # NUL padding only before a record
        while True:
            if self._pos >= len(self._out) and not self._fill(within_member):
                return False
            at = self._pos
            while at < len(self._out) and self._out[at] in blank:
                if self.nul_at is None and self._out[at] == 0:
                    self.nul_at = self.upos + at - self._pos
                at += 1
            self.upos += at - self._pos
            self._pos = at
            if at < len(self._out):
                return True

    def peek(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer at the end), not consumed; within the current gzip member."""
        while len(self._out) - self._pos < size:
            rest = self._out[self._pos:]
            if not self._fill(within_member=True):
                self._out, self._pos = rest, 0
                break
            self._out, self._pos = rest + self._out, 0
        return self._out[self._pos:self._pos + size]

    def at_member_start(self) -> bool:
        return self.gzipped and self.upos == self.member_ustart

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:
            pass


# -- records from the bytes ----------------------------------------------------


class _ArcParser(ARC2WARCHeadersParser):
    """ARC headers as WARC headers (warcio's conversion), keeping an unreadable date as written."""

    def parse(self, stream, headerline=None):
        headers = super().parse(stream, headerline)
        headers.arc = True
        return headers

    def _get_protocol_and_headers(self, headerline, parts):
        date_at = self.headernames.index("WARC-Date")
        parts = list(parts)
        written = parts[date_at]
        readable = re.fullmatch(r"\d{14}", written) and warc_datetime(written) is not None
        if not readable:
            parts[date_at] = "19700101000000"
        protocol, headers = super()._get_protocol_and_headers(headerline, parts)
        # warcio makes up a new WARC-Record-ID at every read: an ARC record has none.
        headers = [(k, v if readable or k != "WARC-Date" else written) for k, v in headers if k != "WARC-Record-ID"]
        return protocol, headers


def _loader() -> ArcWarcRecordLoader:
    loader = ArcWarcRecordLoader(verify_http=False)  # "HTTP/2 200" too; the status is checked below
    loader.arc_parser = _ArcParser()
    return loader


_ARC_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*:[^\n]* [^ \n]+ \d{8,14} [^ \n]* \d+\r?\n")
_HEADER_WINDOW = 64 * 1024


_PEEK = 8192  # an ARC header line (with its URL) fits


def _starts_record(data: bytes) -> bool:
    """Whether the bytes after a record are what may follow one: the end, NUL padding, or a record header line."""
    return not data.strip(b"\0") or data.startswith(_WARC_MAGIC) or bool(_ARC_LINE.match(data))


def _valid_start(data: bytes) -> bool:
    """Whether ``data`` starts with a record header we can parse (WARC with a Content-Length, or an ARC line)."""
    if data.startswith(_WARC_MAGIC):
        try:
            headers = StatusAndHeadersParser(ArcWarcRecordLoader.WARC_TYPES).parse(io.BytesIO(data))
            return int(headers.get_header("Content-Length") or "x") >= 0 and bool(headers.get_header("WARC-Type"))
        except Exception:
            return False
    return bool(_ARC_LINE.match(data))


def read_archive(source: Source, rec_types: tuple[str, ...] = ("response", "revisit"),
                 max_payload: int | None = None, stats: ReadStats | None = None,
                 want: Callable[[ArchivedResponse], bool] | None = None
                 ) -> Iterator[ArchivedResponse | BadRecord]:
    """Records of ``rec_types`` from one source, with ``BadRecord``s for what could not be read.

    WARC 0.17 to 1.1 and ARC (v1, with its version block; URL and date from
    the ARC header line), gzipped per record, gzipped as a whole or not at all.
    Every record of every type is read to its end, so a file cut in its last
    record (a request, a metadata record, a log resource) is reported.
    After damage the reader goes on at the next gzip member that inflates to a
    record header (or, uncompressed, the next ``WARC/`` or ARC line that starts
    a parseable record): one bad stretch costs only the records in it.
    ``want`` sees a record before its payload is read: returning False skips the
    payload (filters). A payload above ``max_payload`` bytes comes back empty,
    with ``too_large`` set.
    """
    stats = stats if stats is not None else ReadStats()
    resume: tuple[int, int] | None = (0, 0)
    gzipped: bool | None = None  # seen in the file's first bytes
    while resume is not None:
        resume, gzipped = yield from _read_from(source, *resume, gzipped, rec_types, max_payload, stats, want)


def _read_from(source: Source, start: int, skip: int, gzipped: bool | None, rec_types, max_payload,
               stats: ReadStats, want, single: bool = False, length: int | None = None):
    """Read records from file offset ``start`` (then ``skip`` uncompressed bytes on) until the end or damage.

    ``gzipped`` None: seen in the first bytes. ``single``: one record only (the
    ``length`` bytes at ``start``, when given), no resync after damage.
    Returns (None, gzipped) at the end, or ((offset, skip), gzipped) where to resume after damage.
    """
    try:
        raw = source.open(start, length) if length is not None else source.open(start)
    except Exception as exc:
        stats.bad += 1
        yield BadRecord(source.uri, start, f"cannot open{'' if start == 0 else ' at this offset'}: "
                        f"{_describe(exc)}", lost=0)
        return None, gzipped
    stream = _Stream(raw, start, gzipped, stats)
    result = yield from _records(source, stream, start, skip, rec_types, max_payload, stats, want, single)
    return result, stream.gzipped


def _records(source: Source, stream: _Stream, start: int, skip: int, rec_types, max_payload, stats: ReadStats,
             want, single: bool):
    whole_gzip = skip > 0
    try:
        while skip > stream.upos and stream.read(min(_READ_SIZE, skip - stream.upos)):
            pass
    except (_Corrupt, _CutMember, _NotGzip):
        stream.close()
        return None
    resync = (lambda *_args: None) if single else _resync
    loader = _loader()
    known_format = None
    offset = member_at = start
    kind = "record"
    gzipped = stream.gzipped
    try:
        while True:
            kind = "record"
            if not stream.skip_blank():
                if start == 0 and stream.cin == 0:
                    yield _bad(stats, source, 0, "empty file (0 bytes)", 0)
                return None
            gzipped = stream.gzipped
            at_member = stream.at_member_start()
            member_at = stream.member_start
            if not gzipped:
                offset = start + stream.upos
            elif at_member:
                offset = member_at
            elif start == 0:
                # One gzip member holds several records (``gzip file.warc``): offsets are uncompressed positions.
                if not whole_gzip:
                    logger.warning("%s is gzipped as a whole, not per record: its offsets are positions in "
                                   "the uncompressed data", source.uri)
                whole_gzip = True
                offset = stream.upos
            else:
                offset = member_at
            try:
                record = loader.parse_record_stream(stream, known_format=known_format, no_record_parse=True)
            except EOFError:
                return None
            except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, IndexError) as exc:
                if not gzipped and stream.nul_at is not None:
                    offset = start + stream.nul_at  # NULs over the start of the header: the damage starts there
                resume = None if single else _resync_after(source, offset, member_at, gzipped, whole_gzip)
                first = "the first record" if offset == start == 0 else "a record"
                yield _bad(stats, source, offset, f"not {first} header: {_describe(exc)}", 1, resume)
                return resume
            is_arc = getattr(record.rec_headers, "arc", False)
            kind = f"{_kind(record)} record"
            known_format = known_format or ("arc" if is_arc else "warc")
            limited = record.raw_stream
            if not isinstance(limited, LimitReader):  # no Content-Length: where it ends is unknown
                resume = None if single else _resync_after(source, offset, member_at, gzipped, whole_gzip)
                yield _bad(stats, source, offset, f"{_kind(record)} record without a readable Content-Length",
                           1, resume)
                return resume
            item = _record_item(loader, record, source.uri, offset, not whole_gzip and (not gzipped or at_member),
                                is_arc, rec_types, max_payload, want)
            while limited.read(_READ_SIZE):  # the rest of the record, whatever its type
                pass
            if limited.limit:
                yield _bad(stats, source, offset, f"cut: the file ends inside this {_kind(record)} record, "
                           f"{limited.limit} of its {record.length} content bytes missing", 1)
                return None
            try:
                stream.skip_blank(within_member=True)  # to the member's end: a bad checksum costs this record
            except _CutMember as exc:
                stats.records += 1
                if item is not None:
                    yield item
                yield _bad(stats, source, exc.args[0], "cut: the file ends inside the gzip member of the record "
                           "here, after its content (the record is whole, its gzip trailer is missing)", 0)
                return None
            if not gzipped and not single and not _starts_record(stream.peek(_PEEK).lstrip(b"\r\n\0")):
                # Uncompressed, and no record starts where Content-Length says this one ends: when the next
                # record starts before that, the Content-Length is too long and swallowed it: this record is
                # not what was archived, and reading goes on at that next record, never past it.
                content_end = start + stream.upos
                found = _resync(source, offset + 1, False)
                if found is not None and found < content_end:
                    yield _bad(stats, source, offset, f"{kind} whose Content-Length ({record.length}) runs past "
                               f"the next record", 1, (found, 0))
                    return found, 0
            stats.records += 1
            if isinstance(item, BadRecord):
                stats.bad += 1
                stats.lost += item.lost
            if item is not None:
                yield item
            if single:
                return None
    except _Corrupt as exc:
        at = stream.member_start
        resume = resync(source, at + 1, gzipped)
        after = "" if resume is not None else "; nothing readable after it"
        yield _bad(stats, source, at, str(exc) + after, 1, resume)
        return None if resume is None else (resume, 0)
    except _CutMember as exc:
        if kind == "record":  # cut inside the record's header: what the cut member holds still names its type
            kind = f"{_cut_member_type(source, exc.args[0])} record"
        yield _bad(stats, source, exc.args[0], f"cut: the file ends inside the gzip member of this {kind}", 1)
        return None
    except _NotGzip as exc:
        at = exc.args[0]
        resume = resync(source, at + 1, gzipped)
        stretch = f"{resume - at} bytes" if resume is not None else "bytes to the end of the file"
        yield _bad(stats, source, at, f"{stretch} that are not a gzip member", 0, resume)
        return None if resume is None else (resume, 0)
    finally:
        stream.close()


def _cut_member_type(source: Source, offset: int) -> str:
    """The WARC-Type (or "ARC") that the start of a cut gzip member at the file's end inflates to, or "untyped"."""
    try:
        with source.open(offset) as stream:
            data = zlib.decompressobj(31).decompress(stream.read(_HEADER_WINDOW), _HEADER_WINDOW)
    except Exception:
        return "untyped"
    found = re.search(rb"^WARC-Type:[ \t]*([!-~]+)", data, re.MULTILINE | re.IGNORECASE)
    if found:
        return found.group(1).decode("ascii")
    return "ARC" if _ARC_LINE.match(data) else "untyped"


def _resync_after(source: Source, offset: int, member_at: int, gzipped: bool, whole_gzip: bool
                  ) -> tuple[int, int] | None:
    """Where to resume after a record header that does not parse at ``offset``."""
    if whole_gzip:  # the gzip stream is sound, its content is not: look in the uncompressed data
        found = _resync(source, offset + 1, gzipped=False, inflated=True)
        return None if found is None else (0, found)
    found = _resync(source, (member_at if gzipped else offset) + 1, gzipped)
    return None if found is None else (found, 0)


def _bad(stats: ReadStats, source: Source, offset: int, reason: str, lost: int, resume=None) -> BadRecord:
    stats.bad += 1
    stats.lost += lost
    if isinstance(resume, tuple):
        resume = resume[0] + resume[1]
    return BadRecord(source.uri, offset, reason, lost=lost, resumed_at=resume)


def _kind(record) -> str:
    return "ARC" if getattr(record.rec_headers, "arc", False) else (record.rec_type or "untyped")


def _record_item(loader, record, source_uri: str, offset: int, seekable: bool, is_arc: bool, rec_types,
                 max_payload, want) -> ArchivedResponse | BadRecord | None:
    """The record as an ArchivedResponse (payload read), a BadRecord, or None (not wanted); leaves the rest unread."""
    rec_type = record.rec_type
    if rec_type not in rec_types:
        return None
    rec_headers = record.rec_headers
    uri = rec_headers.get_header("WARC-Target-URI")
    if not uri:
        return BadRecord(source_uri, offset, f"{rec_type} record without a WARC-Target-URI: not replayable")
    limited = record.raw_stream
    try:
        http = loader.load_http_headers(rec_type, uri, limited, record.length)
    except Exception as exc:
        if rec_type == "revisit":
            http = None
        else:
            return BadRecord(source_uri, offset, f"unreadable HTTP header block ({_describe(exc)})")
    if http is None:
        if rec_type != "revisit":
            return None  # not an HTTP response (Heritrix's dns: records, whois, ...)
        status, protocol, headers = 0, "", []
    else:
        try:
            status = int(http.get_statuscode() or 0)
        except ValueError:
            return BadRecord(source_uri, offset, f"unreadable HTTP status line {http.statusline!r}")
        protocol = http.protocol
        headers = list(http.headers)
    item = ArchivedResponse(
        uri=uri,
        offset=offset,
        record_id=None if is_arc else rec_headers.get_header("WARC-Record-ID"),
        date=rec_headers.get_header("WARC-Date") or "",
        status=status,
        protocol=protocol,
        headers=headers,
        payload=b"",
        warc_headers=dict(rec_headers.headers),
        source=source_uri,
        rec_type=rec_type,
        truncated=rec_headers.get_header("WARC-Truncated"),
        seekable=seekable,
        arc=is_arc,
    )
    if want is not None and not want(item):
        return None
    expected = getattr(limited, "limit", None)
    if max_payload is not None and expected is not None and expected > max_payload:
        item.too_large = expected
        return item
    chunks = []
    while chunk := limited.read(_READ_SIZE):
        chunks.append(chunk)
    if getattr(limited, "limit", 0):
        return None  # cut: the caller reports it
    item.payload = b"".join(chunks)
    return item


def _resync(source: Source, position: int, gzipped: bool, inflated: bool = False) -> int | None:
    """The offset of the next record start at or after ``position`` that really starts a record, or None.

    Gzipped: a gzip member whose first bytes inflate to a record header.
    Uncompressed: a ``WARC/`` (or ARC) header line, at a line start, that parses.
    ``inflated``: positions in the uncompressed data of a file gzipped as a whole.
    Candidates are checked in memory, in a window read once: no request per candidate.
    """
    magic = _GZIP_MAGIC if gzipped else b"\n"
    try:
        if inflated:
            stream = _Stream(source.open(0), 0, True, ReadStats())
            while position > stream.upos and stream.read(min(_READ_SIZE, position - stream.upos)):
                pass
        else:
            stream = source.open(position)
    except Exception:
        return None
    try:
        window, base, eof = b"", position, False
        while True:
            if not eof:
                try:
                    chunk = stream.read(_READ_SIZE)
                except (_Corrupt, _CutMember, _NotGzip):
                    chunk = b""
                eof = not chunk
                window += chunk
            limit = len(window) if eof else max(0, len(window) - _HEADER_WINDOW)
            at = window.find(magic, 0, min(len(window), limit + len(magic) - 1))
            while 0 <= at < limit:
                if gzipped and _member_starts_record(window[at:at + _HEADER_WINDOW]):
                    return base + at
                if not gzipped and _valid_start(window[at + 1:at + 1 + _HEADER_WINDOW]):
                    return base + at + 1
                at = window.find(magic, at + 1, min(len(window), limit + len(magic) - 1))
            if eof:
                return None
            base += limit
            window = window[limit:]
    finally:
        try:
            stream.close()
        except Exception:
            pass


def _member_starts_record(data: bytes) -> bool:
    try:
        out = zlib.decompressobj(31).decompress(data, _HEADER_WINDOW)
    except zlib.error:
        return False
    return _valid_start(out.lstrip(b"\r\n"))


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


def read_indexed(source: Source, entries: Iterable[IndexEntry], max_payload: int | None = None,
                 stats: ReadStats | None = None, want: Callable[[ArchivedResponse], bool] | None = None
                 ) -> Iterator[ArchivedResponse | BadRecord]:
    """The records the index ``entries`` point at, each read alone (an S3 range request per record).

    Like ``read_archive`` (same ``want``, ``max_payload``, ``BadRecord``s, cuts and
    damage reported the same way), but only the bytes of the chosen records are read.
    """
    stats = stats if stats is not None else ReadStats()
    for entry in entries:
        yield from _read_from(source, entry.offset, 0, None, ("response", "revisit"), max_payload, stats, want,
                              single=True, length=entry.length)


def read_record_at(source: Source, offset: int) -> ArchivedResponse | None:
    """The response record that starts at ``offset`` (for resolving revisits), or None."""
    for item in _read_from(source, offset, 0, None, ("response",), None, ReadStats(), None, single=True):
        return item if isinstance(item, ArchivedResponse) else None
    return None


def read_archive_once(source: Source, offset: int) -> Iterator[ArchivedResponse | BadRecord]:
    """The one record at ``offset``, as ``read_archive`` would give it (nothing, when it is not a response)."""
    yield from _read_from(source, offset, 0, None, ("response", "revisit"), None, ReadStats(), None, single=True)

