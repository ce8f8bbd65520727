"""Revisits: finding a revisit record's original, and the revisit as a response with the original's payload."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from .records import ArchivedResponse, _header
from .sources import Source

@dataclass
class _Location:
    source: Source
    offset: int
    seekable: bool = True  # False: inside a whole-file gzip stream, found again only by reading the file


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
        location = _Location(source, rec.offset, rec.seekable)
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
    keys = [("uri-date", f"{rec.uri} {rec.date}")]
    if rec.record_id:
        keys.insert(0, ("id", rec.record_id))
    if rec.payload_digest:
        keys += [("uri-digest", f"{rec.uri} {rec.payload_digest.lower()}"), ("digest", rec.payload_digest.lower())]
    return keys


def revisit_keys(revisit: ArchivedResponse) -> list[tuple[str, str]]:
    """What a revisit says its original is: WARC-Refers-To, target URI + date, URI + payload digest, digest."""
    h = revisit.warc_headers
    keys = []
    if _header(h, "WARC-Refers-To"):
        keys.append(("id", _header(h, "WARC-Refers-To")))
    uri, date = _header(h, "WARC-Refers-To-Target-URI"), _header(h, "WARC-Refers-To-Date")
    if uri and date:
        keys.append(("uri-date", f"{uri} {date}"))
    if revisit.payload_digest:
        target = uri or revisit.uri
        keys += [("uri-digest", f"{target} {revisit.payload_digest.lower()}"),
                 ("digest", revisit.payload_digest.lower())]
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
