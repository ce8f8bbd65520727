"""Replaying WARCs written by other tools, and broken ones.

The pages come from a live crawl of the demo site; the tests re-archive them
with warcio's own writer the ways other tools do (WARC/1.0, uncompressed,
brotli and deflate payloads, chunked bodies stored verbatim, revisits, no
charset in the header, Heritrix's dns: records) and break some files
(truncated, garbage in the middle). Each replayed article must equal the live
crawl's article for the same page, except for where it was archived.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.reader import (
    DecodingError, LocalSource, RevisitIndex, dechunk, decode_content, expand_sources, iter_responses,
    read_archive,
)
from newscrawl.replay.spider import RecordFilter, parse_when

from .test_replay import by_url, crawl, run_replay  # noqa: F401 - crawl is a fixture

pytestmark = pytest.mark.integration


@dataclass
class LivePage:
    url: str
    status_line: str
    headers: list[tuple[str, str]]  # without Content-Encoding / Transfer-Encoding
    body: bytes  # decoded
    article: dict


@pytest.fixture(scope="module")
def live_pages(crawl):
    articles = by_url(crawl.items)
    pages = []
    for path in crawl.warcs:
        for rec in iter_responses(path):
            if rec.uri in articles and rec.status == 200:
                headers, body = decode_content(*dechunk(rec.headers, rec.payload))
                headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding")]
                pages.append(LivePage(rec.uri, "200 OK", headers, body, articles[rec.uri]))
    assert len(pages) >= 19
    return pages


class Archive:
    """A WARC file being written with warcio, remembering each response record's offset."""

    def __init__(self, path: Path, gzip_records: bool = True, version: str = "WARC/1.1"):
        self.path = path
        self.stream = open(path, "wb")
        self.writer = WARCWriter(self.stream, gzip=gzip_records, warc_version=version)
        self.offsets: dict[str, int] = {}  # record id → offset

    def response(self, url: str, headers, payload: bytes, date: str, status_line: str = "200 OK"):
        http = StatusAndHeaders(status_line, list(headers), protocol="HTTP/1.1")
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(payload), length=len(payload),
                                                http_headers=http, warc_headers_dict={"WARC-Date": date})
        return self._write(record)

    def revisit(self, url: str, digest: str, date: str, refers_to: tuple[str, str] | None, headers=None):
        http = StatusAndHeaders("200 OK", list(headers), protocol="HTTP/1.1") if headers else None
        record = self.writer.create_revisit_record(url, digest, refers_to[0] if refers_to else None,
                                                   refers_to[1] if refers_to else None, http_headers=http,
                                                   warc_headers_dict={"WARC-Date": date})
        if refers_to is None:
            record.rec_headers.remove_header("WARC-Refers-To-Target-URI")
            record.rec_headers.remove_header("WARC-Refers-To-Date")
        return self._write(record)

    def other(self, uri: str, rec_type: str, content: bytes, content_type: str):
        record = self.writer.create_warc_record(uri, rec_type, payload=io.BytesIO(content), length=len(content),
                                                warc_content_type=content_type)
        return self._write(record)

    def _write(self, record):
        offset = self.stream.tell()
        self.writer.write_record(record)
        rid = record.rec_headers.get_header("WARC-Record-ID")
        self.offsets[rid] = offset
        return record

    def close(self) -> Path:
        self.stream.close()
        return self.path


def chunked(data: bytes, size: int = 700) -> bytes:
    parts = [b"%x;ext=1\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\nX-Trailer: yes\r\n\r\n"


def deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


@dataclass
class Expected:
    live: LivePage
    date: str
    file: Path
    record_id: str


@pytest.fixture(scope="module")
def foreign(live_pages, tmp_path_factory):
    """A directory of foreign and broken WARCs; what each should give; what is broken where."""
    root = tmp_path_factory.mktemp("foreign")
    pages = iter(live_pages)
    expected: list[Expected] = []

    def add(archive: Archive, record, page: LivePage, date: str):
        expected.append(Expected(page, date, archive.path, record.rec_headers.get_header("WARC-Record-ID")))

    # wget-like: WARC/1.0, uncompressed, a chunked body stored verbatim (with its header), a dns: record
    a = Archive(root / "wget-1.0.warc", gzip_records=False, version="WARC/1.0")
    a.other("dns:example.org", "response", b"20240501120000\nexample.org. 300 IN A 127.0.0.1\n", "text/dns")
    p = next(pages)
    add(a, a.response(p.url, p.headers + [("Transfer-Encoding", "chunked")], chunked(p.body), "2024-05-01T12:00:01Z"),
        p, "2024-05-01T12:00:01Z")
    p = next(pages)  # chunked *and* gzip, both stored verbatim
    add(a, a.response(p.url, p.headers + [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                      chunked(gzip.compress(p.body)), "2024-05-01T12:00:02Z"), p, "2024-05-01T12:00:02Z")
    p = next(pages)  # "Transfer-Encoding: chunked" recorded, body already de-chunked (warcio, browsertrix)
    add(a, a.response(p.url, p.headers + [("Transfer-Encoding", "chunked")], p.body, "2024-05-01T12:00:03Z"),
        p, "2024-05-01T12:00:03Z")
    a.close()

    # warcio 1.1, gzip per record: brotli, deflate (zlib and raw), no charset in the header
    b = Archive(root / "warcio-1.1.warc.gz")
    for encoding, encode in (("br", brotli.compress), ("deflate", zlib.compress), ("deflate", deflate_raw)):
        p = next(pages)
        add(b, b.response(p.url, p.headers + [("Content-Encoding", encoding)], encode(p.body),
                          "2024-05-02T08:00:00.123456Z"), p, "2024-05-02T08:00:00.123456Z")
    p = next(pages)
    no_charset = [(k, v.split(";")[0] if k.lower() == "content-type" else v) for k, v in p.headers]
    if b"charset" in p.body[:2000].lower():  # only meaningful when the page says it in a meta tag
        add(b, b.response(p.url, no_charset, p.body, "2024-05-02T08:00:01Z"), p, "2024-05-02T08:00:01Z")
    b.close()

    # revisits: one after its original in the same file (by digest only), one before it (other file)
    p_late, p_early = next(pages), next(pages)
    c = Archive(root / "heritrix-5-originals.warc.gz")
    orig = c.response(p_late.url, p_late.headers, p_late.body, "2024-05-03T00:00:00Z")
    add(c, orig, p_late, "2024-05-03T00:00:00Z")
    rv = c.revisit(p_late.url, orig.rec_headers.get_header("WARC-Payload-Digest"), "2024-05-04T00:00:00Z", None,
                   headers=p_late.headers)
    add(c, rv, p_late, "2024-05-04T00:00:00Z")
    orig2 = c.response(p_early.url, p_early.headers, p_early.body, "2024-05-03T00:00:01Z")
    add(c, orig2, p_early, "2024-05-03T00:00:01Z")
    c.close()
    d = Archive(root / "heritrix-0-revisits.warc.gz")
    rv2 = d.revisit(p_early.url, orig2.rec_headers.get_header("WARC-Payload-Digest"), "2024-05-05T00:00:00Z",
                    (p_early.url, "2024-05-03T00:00:01Z"))  # no HTTP headers: the original's are used
    add(d, rv2, p_early, "2024-05-05T00:00:00Z")
    d.revisit("http://example.org/gone", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "2024-05-05T00:00:01Z",
              ("http://example.org/gone", "2020-01-01T00:00:00Z"))  # original not in the sources
    d.close()

    # truncated: two good records, then the file ends inside the third
    e = Archive(root / "truncated.warc.gz")
    for second in range(2):
        p = next(pages)
        add(e, e.response(p.url, p.headers, p.body, f"2024-05-06T00:00:0{second}Z"), p, f"2024-05-06T00:00:0{second}Z")
    p = next(pages)
    last = e.response(p.url, p.headers, p.body, "2024-05-06T00:00:09Z")
    e.close()
    truncated_at = e.offsets[last.rec_headers.get_header("WARC-Record-ID")]
    data = e.path.read_bytes()
    e.path.write_bytes(data[: truncated_at + (len(data) - truncated_at) // 2])

    # corrupt: garbage between two good gzip members
    f = Archive(root / "corrupt.warc.gz")
    p = next(pages)
    add(f, f.response(p.url, p.headers, p.body, "2024-05-07T00:00:00Z"), p, "2024-05-07T00:00:00Z")
    garbage_at = f.stream.tell()
    f.stream.write(b"\x00garbage, not a gzip member\n" * 10)
    p = next(pages)
    good = f.response(p.url, p.headers, p.body, "2024-05-07T00:00:01Z")
    add(f, good, p, "2024-05-07T00:00:01Z")
    f.close()
    # `gzip file.warc`: one gzip stream around the whole file (offsets: in the uncompressed data)
    g = Archive(root / "whole.warc", gzip_records=False)
    for second in range(3):
        p = next(pages)
        add(g, g.response(p.url, p.headers, p.body, f"2024-05-08T00:00:0{second}Z"), p, f"2024-05-08T00:00:0{second}Z")
    g.close()
    g.path = root / "whole-file-gzip.warc.gz"
    g.path.write_bytes(gzip.compress((root / "whole.warc").read_bytes()))
    (root / "whole.warc").unlink()
    for item in expected:
        if item.file.name == "whole.warc":
            item.file = g.path
    offsets = {}
    for archive in (a, b, c, d, e, f, g):
        offsets.update(archive.offsets)
    (root / "notes.txt").write_text("not a WARC, ignored in directories")
    return root, expected, offsets, {"truncated": (e.path, truncated_at), "corrupt": (f.path, garbage_at)}


@pytest.fixture(scope="module")
def foreign_replay(foreign, tmp_path_factory):
    root, *_ = foreign
    return run_replay(tmp_path_factory.mktemp("replay"), str(root), settings=("REPLAY_REVISIT_ARTICLES=True",))


def test_revisits_give_no_article_by_default(foreign, foreign_replay, tmp_path):
    """As in the live incremental crawl: a revisit is an unchanged page, its article came out before."""
    root, *_ = foreign
    result = run_replay(tmp_path, str(root), settings=("EXTRACTION_PROCESSES=0",))
    revisit_ids = {a["warc"]["record_id"] for a in foreign_replay.items if "heritrix" in a["warc"]["uri"]} - \
        {a["warc"]["record_id"] for a in result.items}
    assert len(revisit_ids) == 2
    assert len(result.items) == len(foreign_replay.items) - 2
    assert "'newscrawl/pages/unchanged': 2" in result.stats
    assert "'replay/revisits_resolved': 2" in result.stats


IGNORED = ("fetched_at", "warc")


def test_foreign_archives_give_the_live_articles(foreign, foreign_replay):
    root, expected, offsets, _broken = foreign
    got = {(a["url"], a["fetched_at"]): a for a in foreign_replay.items}
    assert len(got) == len(foreign_replay.items)
    assert set(got) == {(e.live.url, e.date) for e in expected}
    for e in expected:
        article = got[(e.live.url, e.date)]
        assert {k: v for k, v in article.items() if k not in IGNORED} == \
               {k: v for k, v in e.live.article.items() if k not in IGNORED}, e.file.name
        assert article["warc"] == {"uri": str(e.file.resolve()), "offset": offsets[e.record_id],
                                   "record_id": e.record_id}


def test_pointers_name_the_record(foreign, foreign_replay):
    for article in foreign_replay.items:
        uri = article["warc"]["uri"]
        with (gzip.open if uri.endswith("whole-file-gzip.warc.gz") else open)(uri, "rb") as stream:
            stream.seek(article["warc"]["offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Record-ID") == article["warc"]["record_id"]
            assert record.rec_headers.get_header("WARC-Date") == article["fetched_at"]


def test_bad_records_are_reported_and_counted(foreign, foreign_replay):
    _root, _expected, _offsets, broken = foreign
    assert foreign_replay.returncode == 1
    log = foreign_replay.log
    path, offset = broken["truncated"]
    assert f"Bad record: file {path.resolve()}, offset {offset}: cut: the file ends inside the gzip member " \
           "of this response record" in log
    path, offset = broken["corrupt"]
    assert f"Bad record: file {path.resolve()}, offset {offset}: 280 bytes that are not a gzip member; " \
           f"read on from offset {offset + 280}" in log
    assert "gzipped as a whole" in log
    assert "'replay/bad_records': 2" in foreign_replay.stats
    assert "'replay/bad_files': 2" in foreign_replay.stats
    assert "'replay/records/lost': 1" in foreign_replay.stats
    assert "'replay/files/damaged': 2" in foreign_replay.stats
    assert "'replay/revisits_resolved': 2" in foreign_replay.stats
    assert "'replay/revisits_unresolved': 1" in foreign_replay.stats
    assert "http://example.org/gone" in log
    assert "2 bad records in 2 files" in foreign_replay.stderr
    summary = foreign_replay.stderr[foreign_replay.stderr.index("replay summary:"):].splitlines()
    assert summary[0].startswith("replay summary: 7 files: 5 read whole, 2 damaged, 0 unreadable; ")
    assert ", 1 lost; " in summary[0]
    assert summary[1] == "replay: 2 things lost, damaged or unreadable (exit status 1):"
    assert len(summary) == 4


def test_read_archive_goes_on_after_a_bad_stretch(foreign):
    _root, _expected, _offsets, broken = foreign
    path, garbage_at = broken["corrupt"]
    items = list(read_archive(LocalSource(path)))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["ArchivedResponse", "BadRecord", "ArchivedResponse"]
    assert items[1].offset == garbage_at


def test_revisit_index_is_bounded(foreign):
    root, *_ = foreign
    index = RevisitIndex(max_entries=5)
    source = LocalSource(root / "heritrix-5-originals.warc.gz")
    for item in read_archive(source, rec_types=("response",)):
        index.add(source, item)
    assert len(index._entries) == 5


# -- units --------------------------------------------------------------------


BODY = b"<html><head><title>t</title></head><body>" + b"<p>word</p>" * 500 + b"</body></html>"


# mtime=0, and ids that are not the bytes: every xdist worker must collect the same test names.
@pytest.mark.parametrize("encoding,payload", [
    ("gzip", gzip.compress(BODY, mtime=0)), ("x-gzip", gzip.compress(BODY, mtime=0)), ("deflate", zlib.compress(BODY)),
    ("deflate", deflate_raw(BODY)), ("br", brotli.compress(BODY)), ("identity", BODY),
    ("gzip, br", brotli.compress(gzip.compress(BODY, mtime=0))),
], ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "br", "identity", "gzip-br"])
def test_decode_content(encoding, payload):
    headers, body = decode_content([("Content-Type", "text/html"), ("Content-Encoding", encoding)], payload)
    assert body == BODY
    assert [k for k, _ in headers] == ["Content-Type"] or encoding == "identity"


def test_decode_content_keeps_unknown_codings_and_bounds_inflation():
    headers, body = decode_content([("Content-Encoding", "compress")], b"xyz")
    assert (headers, body) == ([("Content-Encoding", "compress")], b"xyz")
    bomb = gzip.compress(b"\0" * 10_000_000)
    with pytest.raises(DecodingError):
        decode_content([("Content-Encoding", "gzip")], bomb, max_size=1_000_000)
    with pytest.raises(DecodingError):
        decode_content([("Content-Encoding", "br")], b"not brotli")


def test_dechunk():
    headers = [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")]
    assert dechunk(headers, chunked(BODY, 100)) == ([("Content-Type", "text/html")], BODY)
    assert dechunk(headers, BODY)[1] == BODY  # recorded as chunked but stored de-chunked
    assert dechunk([("Content-Type", "text/html")], b"5\r\nhello\r\n0\r\n\r\n")[1] == b"5\r\nhello\r\n0\r\n\r\n"


def test_filters():
    f = RecordFilter(parse_when("2024-05-02"), parse_when("2024-05-03", end_of_day=True), None)

    class R:
        uri = "http://x/"
        date = ""

    for date, ok in (("2024-05-01T23:59:59Z", False), ("2024-05-02T00:00:00Z", True),
                     ("2024-05-03T23:59:59.999Z", True), ("2024-05-04T00:00:00Z", False), ("", False)):
        R.date = date
        assert f(R) is ok, date


def test_expand_sources(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/1.warc.gz", "a/2.warc", "a/3.warc.gz.open", "b.warc.gz", "c.txt"):
        (tmp_path / name).write_bytes(b"")
    uris = [s.uri for s in expand_sources([str(tmp_path / "a"), str(tmp_path / "*.warc.gz"),
                                           str(tmp_path / "a" / "1.warc.gz")])]
    assert uris == [str(tmp_path / n) for n in ("a/1.warc.gz", "a/2.warc", "b.warc.gz")]
    errors = [str(s) for s in expand_sources([str(tmp_path / "none*.warc")])]
    assert errors and "no WARC files" in errors[0]
