"""HTTP exchanges → WARC ``request``/``response`` records (warcio), nothing else.

An ``Exchange`` is plain data: what went over the wire for one request, as
close to the bytes as Scrapy lets us see. Building records from it is pure,
so the writer can run it on its own thread.

The HTTP header blocks are the bytes on the wire when the download handler
kept them (``raw_request_head``, ``raw_response_head``): the status line and
every header line with its case, spacing, order and repeats. One exception,
hop-by-hop framing: the payload is stored de-chunked (the entity body, as the
WARC specification asks), so a ``Transfer-Encoding: chunked`` line is left
out of the response's block; without it and without a Content-Length the
body runs to the end of the record, which is what it does. Without raw
blocks (another handler), the headers are rebuilt from Scrapy's parsed ones.
"""

from __future__ import annotations

import base64
import hashlib
import http
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser

WARC_VERSION = "WARC/1.1"


@dataclass
class Exchange:
    """One request and its response, as sent and received."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]  # as parsed; written only without raw_request_head
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]  # as parsed; written only without raw_response_head
    payload: bytes  # entity body as the server sent it (still content-encoded)
    protocol: str = "HTTP/1.1"
    reason: str | None = None
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason: length, time, disconnect, unspecified
    date: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # when the request was sent
    raw_request_head: bytes | None = None  # request line + header lines + blank line, as written
    raw_response_head: bytes | None = None  # status line + header lines + blank line, as received


class RawStatusAndHeaders(StatusAndHeaders):
    """warcio's StatusAndHeaders, written out as the exact bytes it was parsed from."""

    def __init__(self, raw: bytes, is_http_request: bool = False):
        parsed = StatusAndHeadersParser([], verify=False).parse(BytesIO(raw))
        super().__init__(parsed.statusline, parsed.headers, parsed.protocol, is_http_request=is_http_request)
        self.raw = raw
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter=None) -> None:
        self.headers_buff = self.raw


def without_chunked_framing(head: bytes) -> bytes:
    """A response header block without its ``Transfer-Encoding: chunked`` line(s), continuations included."""
    lines = head.splitlines(keepends=True)
    kept, dropping = lines[:1], False
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and line.strip():
            if not dropping:
                kept.append(line)
            continue
        name, colon, value = line.partition(b":")
        dropping = bool(colon) and name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower()
        if not dropping:
            kept.append(line)
    return b"".join(kept)


def header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` → (name, value) pairs, one per value (two Set-Cookie stay two)."""
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date: UTC, ISO 8601, to the microsecond."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reason_phrase(status: int, reason: str | None) -> str:
    if reason:
        return reason
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def request_target(url: str) -> str:
    """The request line's target: path and query, as the server saw it."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def payload_digest(payload: bytes) -> str:
    """WARC-Payload-Digest of a payload, as warcio writes it (sha1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


@dataclass
class RefersTo:
    """The earlier capture a revisit record points to."""

    uri: str  # WARC-Refers-To-Target-URI
    date: str  # WARC-Refers-To-Date
    record_id: str | None = None  # WARC-Refers-To


def build_records(builder: RecordBuilder, exchange: Exchange, refers_to: RefersTo | None = None):
    """The response record and its request record (WARC-Concurrent-To the response).

    With ``refers_to``, the first record is a ``revisit`` (profile
    identical-payload-digest): the HTTP headers of this fetch, no payload,
    pointing at the earlier capture that holds the same payload.
    """
    date = warc_date(exchange.date)
    response_warc_headers = {"WARC-Date": date}
    if exchange.ip_address:
        response_warc_headers["WARC-IP-Address"] = exchange.ip_address
    if exchange.truncated:
        response_warc_headers["WARC-Truncated"] = exchange.truncated
    if exchange.raw_response_head:
        http_headers = RawStatusAndHeaders(without_chunked_framing(exchange.raw_response_head))
    else:
        status_line = f"{exchange.status} {reason_phrase(exchange.status, exchange.reason)}"
        http_headers = StatusAndHeaders(status_line, list(exchange.response_headers), protocol=exchange.protocol)
    if refers_to is not None:
        if refers_to.record_id:
            response_warc_headers["WARC-Refers-To"] = refers_to.record_id
        response = builder.create_revisit_record(
            exchange.url, payload_digest(exchange.payload), refers_to.uri, refers_to.date,
            http_headers=http_headers, warc_headers_dict=response_warc_headers,
        )
    else:
        response = builder.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.payload),
            length=len(exchange.payload),
            warc_headers_dict=response_warc_headers,
            http_headers=http_headers,
        )
    if exchange.raw_request_head:
        request_http_headers = RawStatusAndHeaders(exchange.raw_request_head, is_http_request=True)
    else:
        request_headers = list(exchange.request_headers)
        if not any(k.lower() == "host" for k, _ in request_headers):
            request_headers.insert(0, ("Host", urlsplit(exchange.url).netloc))
        request_http_headers = StatusAndHeaders(
            f"{exchange.method} {request_target(exchange.url)} {exchange.protocol}",
            request_headers,
            is_http_request=True,
        )
    request_warc_headers = {
        "WARC-Date": date,
        "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
    }
    if exchange.ip_address:
        request_warc_headers["WARC-IP-Address"] = exchange.ip_address
    request = builder.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        warc_headers_dict=request_warc_headers,
        http_headers=request_http_headers,
    )
    return response, request


def build_warcinfo(builder: RecordBuilder, filename: str, info: dict[str, str]):
    """The warcinfo record that opens every file."""
    return builder.create_warcinfo_record(filename, info)
