"""Payloads: an archived HTTP body back to the body the live spider got.

``dechunk`` undoes a chunked transfer coding stored verbatim (as some tools do);
``decode_content`` (from ``newscrawl.decoding``) then undoes ``Content-Encoding``.
"""

from __future__ import annotations

import re

from newscrawl.decoding import DecodingError, decode_content

__all__ = ["DecodingError", "decode_content", "dechunk"]


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
