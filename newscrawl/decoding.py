"""Bytes to text, and encoded bodies to bodies: charset and Content-Encoding decoding, pure (no Scrapy).

``decode_text`` is the one way a page's bytes become text, for the link finder
and the extraction alike. ``decode_content`` undoes ``Content-Encoding`` as
Scrapy's HttpCompressionMiddleware does (same decoders, same order, same
tolerance of truncated streams, same bound on inflation), so a replayed body
is byte for byte the body the live spider got.
"""

from __future__ import annotations

import struct
import sys
import zlib
from gzip import GzipFile
from io import BytesIO

from w3lib.encoding import html_to_unicode

HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK_SIZE = 64 * 1024  # as Scrapy's decompressors read


# -- charset ------------------------------------------------------------------


def is_html(headers: list[tuple[str, str]]) -> bool:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    return content_type.split(";")[0].strip().lower() in HTML_TYPES


def detect_charset(body: bytes) -> str | None:
    """The charset of a page that declares none: UTF-8 when it decodes as such, else detected.

    As Scrapy's ``TextResponse`` detects it (same steps, whole body), so the text
    the extraction reads is the text the spider found its links in.
    """
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return best.encoding if best else None


def decode_text(headers: list[tuple[str, str]], body: bytes) -> str:
    """The page as text: charset from the HTTP header, then BOM or meta tag (w3lib), then detection."""
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    return html_to_unicode(content_type, body, auto_detect_fun=detect_charset)[1]


# -- Content-Encoding -----------------------------------------------------------


class DecodingError(Exception):
    """A payload that cannot be decoded (or inflates beyond the size limit)."""


class BodyTooLarge(DecodingError):
    """A payload that inflates beyond the size limit (a gzip bomb): the live crawl ignores such a response."""

    def __init__(self, message: str, decompressed: int = 0, limit: int = 0):
        super().__init__(message)
        self.decompressed = decompressed  # bytes inflated when the limit was passed
        self.limit = limit


def _check_size(size: int, max_size: int) -> None:
    if max_size and size > max_size:
        raise BodyTooLarge(f"body inflates beyond {max_size} bytes", size, max_size)


def gunzip(data: bytes, *, max_size: int = 0) -> bytes:
    """As much of a gzip body as can be read (a cut or CRC-damaged stream keeps what came before)."""
    stream = GzipFile(fileobj=BytesIO(data))
    out = BytesIO()
    size = 0
    while True:
        try:
            chunk = stream.read1(_CHUNK_SIZE)
        except (OSError, EOFError, struct.error):
            if out.getbuffer().nbytes:
                break
            raise
        if not chunk:
            break
        size += len(chunk)
        _check_size(size, max_size)
        out.write(chunk)
    return out.getvalue()


def inflate(data: bytes, *, max_size: int = 0) -> bytes:
    """A deflate body: zlib-wrapped, or raw deflate as some servers send it."""
    decompressor = zlib.decompressobj()
    try:
        chunk = decompressor.decompress(data, max_length=_CHUNK_SIZE)
    except zlib.error:
        decompressor = zlib.decompressobj(wbits=-15)
        chunk = decompressor.decompress(data, max_length=_CHUNK_SIZE)
    size = len(chunk)
    _check_size(size, max_size)
    out = BytesIO()
    out.write(chunk)
    # What is left once the stream has ended is not part of it.
    while decompressor.unconsumed_tail and not decompressor.eof:
        chunk = decompressor.decompress(decompressor.unconsumed_tail, max_length=_CHUNK_SIZE)
        size += len(chunk)
        _check_size(size, max_size)
        out.write(chunk)
    return out.getvalue()


def unbrotli(data: bytes, *, max_size: int = 0) -> bytes:
    import brotli

    decompressor = brotli.Decompressor()
    chunk = decompressor.process(data, output_buffer_limit=_CHUNK_SIZE)
    size = len(chunk)
    _check_size(size, max_size)
    out = BytesIO()
    out.write(chunk)
    while not decompressor.is_finished():
        chunk = decompressor.process(b"", output_buffer_limit=_CHUNK_SIZE)
        if not chunk:
            break
        size += len(chunk)
        _check_size(size, max_size)
        out.write(chunk)
    return out.getvalue()


def unzstd(data: bytes, *, max_size: int = 0) -> bytes:
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd

    stream = zstd.ZstdFile(BytesIO(data))
    out = BytesIO()
    size = 0
    while True:
        try:
            chunk = stream.read(_CHUNK_SIZE)
        except EOFError:  # a truncated body: as much as there is
            break
        if not chunk:
            break
        size += len(chunk)
        _check_size(size, max_size)
        out.write(chunk)
    return out.getvalue()


DECODERS = {"gzip": gunzip, "x-gzip": gunzip, "deflate": inflate, "br": unbrotli, "zstd": unzstd}


def decode_content(headers: list[tuple[str, str]], payload: bytes,
                   max_size: int = 64 * 1024 * 1024) -> tuple[list[tuple[str, str]], bytes]:
    """Undo ``Content-Encoding`` (gzip, deflate, br, zstd) as Scrapy's HttpCompressionMiddleware does.

    Last applied first; decoding stops at an unknown coding, which stays in the
    header. Returns the headers without what was decoded, and the body. Raises
    ``DecodingError`` when the payload is corrupt or inflates beyond ``max_size``.
    """
    values = [v for k, v in headers if k.lower() == "content-encoding"]
    if not values:
        return headers, payload
    to_keep = [e.strip().lower() for value in values for e in value.split(",")]
    body = payload
    try:
        while to_keep and to_keep[-1] in DECODERS:
            body = DECODERS[to_keep.pop()](body, max_size=max_size)
    except DecodingError:
        raise
    except Exception as exc:
        text = str(exc).strip().replace("\n", " ")
        raise DecodingError(f"cannot decode the {values} payload: {type(exc).__name__}: {text[:300]}") from exc
    others = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
    if to_keep:
        others.append(("Content-Encoding", ", ".join(to_keep)))
    return others, body
