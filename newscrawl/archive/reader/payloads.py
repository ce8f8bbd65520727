"""Payloads: an archived HTTP body back to the body the live spider got.

``dechunk`` undoes a chunked transfer coding stored verbatim (as some tools do);
``decode_content`` (from ``newscrawl.decoding``) then undoes ``Content-Encoding``;
``decode_payload`` also takes a body stored already decoded under a kept
``Content-Encoding`` as stored.
"""

from __future__ import annotations

import re

from newscrawl.decoding import BodyTooLarge, DecodingError, decode_content

__all__ = ["BodyTooLarge", "DecodingError", "decode_content", "decode_payload", "dechunk"]


def dechunk(headers: list[tuple[str, str]], payload: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """Undo a chunked transfer coding stored verbatim (wget and others keep it).

    Only when the archived headers say ``Transfer-Encoding: chunked`` and the
    payload really is chunked: many tools record the header but store the body
    de-chunked, as the WARC specification asks. The header goes either way,
    as it does in a live response (the HTTP client consumes it).

    Not warcio's ``ChunkedDataReader``: as fast, but it returns framing as body
    after trailer fields, with bare-LF line ends and when cut after the last
    size line (tests/test_payloads.py shows each).
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


_MAGIC_OF = {"gzip": b"\x1f\x8b", "x-gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}


def decode_payload(headers: list[tuple[str, str]], payload: bytes, max_size: int = 64 * 1024 * 1024
                   ) -> tuple[list[tuple[str, str]], bytes, bool]:
    """``decode_content``, or the bytes as stored when they were stored already decoded.

    Some tools (ClueWeb09, some wget captures) keep ``Content-Encoding: gzip``
    on a body they stored decoded. When decoding fails, the bytes do not start
    as the declared coding would, and they look like the declared type (HTML
    starts with ``<``; other text has no binary bytes), they are the body, as
    warcio reads them too. Returns (headers, body, stored_decoded).
    """
    try:
        headers, body = decode_content(headers, payload, max_size=max_size)
        return headers, body, False
    except BodyTooLarge:
        raise
    except DecodingError:
        codings = [e.strip().lower() for k, v in headers if k.lower() == "content-encoding" for e in v.split(",")]
        magic = [_MAGIC_OF[c] for c in codings if c in _MAGIC_OF]
        if any(payload.startswith(m) for m in magic) or not _looks_like_declared_type(headers, payload):
            raise
    return [(k, v) for k, v in headers if k.lower() != "content-encoding"], payload, True


def _looks_like_declared_type(headers: list[tuple[str, str]], payload: bytes) -> bool:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "").split(";")[0].strip().lower()
    head = payload[:1024]
    if content_type in ("text/html", "application/xhtml+xml", "text/xml", "application/xml") \
            or content_type.endswith("+xml"):
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    if content_type.startswith("text/") or content_type in ("application/json", "application/javascript"):
        return b"\0" not in head and len(re.findall(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]", head)) <= len(head) // 10
    return False
