"""Iterating archived records, streaming, and decoding their payloads."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


@dataclass
class ArchivedResponse:
    """A response record as plain data: the Page's raw material."""

    uri: str
    offset: int
    record_id: str
    date: str
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    payload: bytes  # as sent: still content-encoded
    warc_headers: dict[str, str]


def iter_records(path: str | Path) -> Iterator[tuple[int, object]]:
    """(offset, warcio record) for every record of a WARC file, in order."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream, no_record_parse=False)
        for record in iterator:
            # ``offset`` is the current record's start until the iterator moves
            # on; get_record_offset() would read (and consume) the record.
            yield iterator.offset, record


def iter_responses(path: str | Path, uri: str | None = None) -> Iterator[ArchivedResponse]:
    """Every ``response`` record of a file with its raw payload."""
    for offset, record in iter_records(path):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        http = record.http_headers
        yield ArchivedResponse(
            uri=record.rec_headers.get_header("WARC-Target-URI"),
            offset=offset,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            date=record.rec_headers.get_header("WARC-Date"),
            status=int(http.get_statuscode() or 0),
            protocol=http.protocol,
            headers=list(http.headers),
            payload=record.raw_stream.read(),
            warc_headers=dict(record.rec_headers.headers),
        )


def decode_content(headers: list[tuple[str, str]], payload: bytes,
                   max_size: int = 64 * 1024 * 1024) -> tuple[list[tuple[str, str]], bytes]:
    """Undo ``Content-Encoding`` (gzip, deflate, br), bounded by ``max_size``.

    Returns headers without ``Content-Encoding`` and the decoded body, as
    Scrapy's HttpCompressionMiddleware leaves a live response.
    """
    encodings = [e.strip().lower() for k, v in headers if k.lower() == "content-encoding" for e in v.split(",")]
    body = payload
    for encoding in reversed([e for e in encodings if e and e != "identity"]):
        if encoding in ("gzip", "x-gzip"):
            body = _inflate(body, zlib.MAX_WBITS | 32, max_size)
        elif encoding == "deflate":
            try:
                body = _inflate(body, zlib.MAX_WBITS, max_size)
            except zlib.error:
                body = _inflate(body, -zlib.MAX_WBITS, max_size)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)[:max_size]
        else:
            return headers, payload
    return [(k, v) for k, v in headers if k.lower() != "content-encoding"], body


def _inflate(data: bytes, wbits: int, max_size: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = decompressor.decompress(data, max_size)
    return out
