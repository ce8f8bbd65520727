"""Replaying any archive: ARC files, damaged and cut WARCs, odd records; what is read, what is reported, the exit.

The corpus is built here: ARC files written byte by byte to the format (two
producers' shapes), copies of the live crawl's own WARC with zeros written into
gzip members or cut in their last record (of several record types), uncompressed
WARCs with damaged headers, a whole-file-gzip WARC with revisits, bodies stored
decoded under a kept ``Content-Encoding: gzip``, an empty file, records without
a target URI or with an unreadable date. Pages and articles come from a live
crawl of the demo site; each replayed article must equal the live one.
"""

from __future__ import annotations

import gzip
import io
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.reader import (
    ArchivedResponse, BadRecord, DecodingError, LocalSource, ReadStats, decode_payload, expand_sources,
    read_archive,
)

from .conftest import REPO, SCRAPY
from .test_replay import ONE, by_url, crawl, run_replay  # noqa: F401 - crawl is a fixture
from .test_replay_foreign import IGNORED, Archive, LivePage, live_pages  # noqa: F401 - live_pages is a fixture

pytestmark = pytest.mark.integration


def same_article(got: dict, live: dict) -> bool:
    return {k: v for k, v in got.items() if k not in IGNORED} == {k: v for k, v in live.items() if k not in IGNORED}


def read(path: Path) -> tuple[list, ReadStats]:
    stats = ReadStats()
    return list(read_archive(LocalSource(path), stats=stats)), stats


def bad(items: list) -> list[BadRecord]:
    return [i for i in items if isinstance(i, BadRecord)]


def urls(items: list) -> list[str]:
    return [i.uri for i in items if isinstance(i, ArchivedResponse)]


def summary(stderr: str) -> list[str]:
    return stderr[stderr.index("replay summary:"):].splitlines()


# -- ARC, written byte by byte --------------------------------------------------


def http_block(page: LivePage, protocol: str = "HTTP/1.1", eol: str = "\r\n") -> bytes:
    head = f"{protocol} {page.status_line}{eol}" + "".join(f"{k}: {v}{eol}" for k, v in page.headers) + eol
    return head.encode("latin-1") + page.body


def arc_record(url: str, date: str, content: bytes, content_type: str = "text/html", ip: str = "127.0.0.1") -> bytes:
    """ARC v1: one header line (URL IP-address Archive-date Content-type Archive-length), the content, a newline."""
    return f"{url} {ip} {date} {content_type} {len(content)}\n".encode() + content + b"\n"


def arc_version_block(name: str, date: str, origin: str, metadata: bytes = b"") -> bytes:
    content = f"1 {'1' if metadata else '0'} {origin}\nURL IP-address Archive-date Content-type Archive-length\n"
    return arc_record(f"filedesc://{name}", date, content.encode() + metadata, "text/plain", "0.0.0.0")


HERITRIX_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<arcmetadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
                b"<dc:title>crawl</dc:title><software>Heritrix 1.14.4 http://crawler.archive.org</software>"
                b"</arcmetadata>\n")


@dataclass
class ArcPage:
    page: LivePage
    file: Path
    offset: int
    date: str  # as replayed: ISO 8601


@pytest.fixture(scope="module")
def arcs(live_pages, tmp_path_factory):
    """Two ARC producers: Heritrix 1 (gzip per record, XML version block, dns: record), wget/pywb (plain, HTTP/1.0)."""
    root = tmp_path_factory.mktemp("arcs")
    pages = iter(live_pages[-5:])
    expected: list[ArcPage] = []
    heritrix = root / "IAH-20240501120000-00000-crawler.arc.gz"
    members = [gzip.compress(arc_version_block(heritrix.name, "20240501120000", "InternetArchive", HERITRIX_XML)),
               gzip.compress(arc_record("dns:example.org", "20240501120000",
                                        b"20240501120000\nexample.org.\t300\tIN\tA\t127.0.0.1\n", "text/dns"))]
    for second in range(1, 4):
        page = next(pages)
        expected.append(ArcPage(page, heritrix, sum(map(len, members)), f"2024-05-01T12:00:0{second}Z"))
        members.append(gzip.compress(arc_record(page.url, f"2024050112000{second}", http_block(page))))
    heritrix.write_bytes(b"".join(members))
    wget = root / "sub" / "wget-style.arc"
    wget.parent.mkdir()
    data = arc_version_block(wget.name, "20240602000000", "LiveWeb Capture")
    for second in range(2):
        page = next(pages)
        expected.append(ArcPage(page, wget, len(data), f"2024-06-02T00:00:0{second}Z"))
        data += arc_record(page.url, f"2024060200000{second}", http_block(page, "HTTP/1.0"))
    wget.write_bytes(data)
    return root, expected


def test_arc_records_read_with_url_and_date(arcs):
    _root, expected = arcs
    for file in {e.file for e in expected}:
        items, stats = read(file)
        assert not bad(items)
        mine = [e for e in expected if e.file == file]
        assert [(i.uri, i.date, i.offset, i.record_id) for i in items] == \
               [(e.page.url, e.date, e.offset, None) for e in mine]
        assert [i.payload for i in items] == [e.page.body for e in mine]
        assert stats.records == len(mine) + (2 if file.suffix == ".gz" else 1)  # version block (+ dns:) read too


def test_directories_and_globs_find_arc_files(arcs):
    root, expected = arcs
    files = {str(e.file) for e in expected}
    assert {s.uri for s in expand_sources([str(root)])} == files
    assert {s.uri for s in expand_sources([str(root / "**" / "*.arc*")])} == files


def test_replay_of_arc_files_gives_the_live_articles(arcs, tmp_path):
    root, expected = arcs
    result = run_replay(tmp_path, str(root), settings=ONE)
    assert result.returncode == 0, result.stderr[-2000:]
    got = by_url(result.items)
    assert set(got) == {e.page.url for e in expected}
    for e in expected:
        article = got[e.page.url]
        assert same_article(article, e.page.article)
        assert article["fetched_at"] == e.date
        assert article["warc"] == {"uri": str(e.file), "offset": e.offset, "record_id": None}
    assert summary(result.stderr)[0].startswith("replay summary: 2 files: 2 read whole, 0 damaged, 0 unreadable; "
                                                "8 records read, 0 lost; 5 pages, 5 articles")


# -- damaged copies of the live crawl's WARC -------------------------------------


def record_starts(path: Path) -> list[tuple[int, str, str | None]]:
    """(offset, WARC-Type, WARC-Target-URI) of every record of an intact file."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        return [(iterator.offset, r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in iterator]


def extra_member(rec_type: str) -> bytes:
    """One gzip member holding a record of ``rec_type`` as other tools write them (a metadata record, wget's log)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    content = (b"outlink: http://example.org/a L a/@href\n" * 50 if rec_type == "metadata"
               else b"Opening WARC file 'x.warc.gz'.\n--2024-05-01 12:00:00--  http://example.org/\n" * 40)
    uri = "metadata://example.org/" if rec_type == "metadata" else "urn:X-wget:log"
    writer.write_record(writer.create_warc_record(uri, rec_type, payload=io.BytesIO(content), length=len(content),
                                                  warc_content_type="text/plain"))
    return out.getvalue()


@dataclass
class Damaged:
    path: Path
    offset: int  # where the damage is reported
    reason: str  # the start of the reason
    lost: int
    resumed_at: int | None
    lost_urls: set[str]  # pages of the intact file not read from the damaged one
    urls: list[str]  # the response records read, in order
    records: int  # records read whole, of any type


@pytest.fixture(scope="module")
def damaged(crawl, live_pages, tmp_path_factory):
    root = tmp_path_factory.mktemp("damaged")
    warc = crawl.warcs[0]
    data = warc.read_bytes()
    starts = record_starts(warc)
    ends = [s[0] for s in starts[1:]] + [len(data)]
    articles = {p.url for p in live_pages}
    cases: list[Damaged] = []
    all_urls = [u for _, t, u in starts if t == "response"]

    def member(index: int) -> tuple[int, int]:
        return starts[index][0], ends[index]

    def responses_before(end: int) -> list[str]:
        return [u for o, t, u in starts if t == "response" and o < end]

    # Zeros in the middle of gzip members: the response an article was made from, then a request record.
    # By the article's own record, not its URL: a page the demo answered 503 first has two responses,
    # and which of them lands mid-file depends on the crawl's order (a busy machine changes it).
    responses = [i for i, (_, t, u) in enumerate(starts) if t == "response" and u in articles]
    made_from = {p.article["warc"]["offset"] for p in live_pages if Path(p.article["warc"]["uri"]).name == warc.name}
    article_records = [i for i in responses if starts[i][0] in made_from]
    requests = [i for i, (_, t, _u) in enumerate(starts) if t == "request"]
    for name, index in (("zeros-in-response.warc.gz", article_records[len(article_records) // 2]),
                        ("zeros-in-request.warc.gz", requests[len(requests) // 3])):
        begin, end = member(index)
        middle = (begin + end) // 2
        copy = bytearray(data)
        copy[middle:middle + 64] = bytes(64)
        (root / name).write_bytes(copy)
        kept = [u for i, (_, t, u) in enumerate(starts) if t == "response" and i != index]
        lost_urls = {starts[index][2]} if starts[index][1] == "response" else set()
        cases.append(Damaged(root / name, begin, "gzip member does not inflate (zlib: ", 1, end,
                             lost_urls, kept, len(starts) - 1))

    # Cut in the last record, for each record type: the live file's members, then a record cut halfway.
    keep = responses[-1]
    head = data[:ends[keep - 1]] if starts[keep - 1][1] == "request" else data[:starts[keep][0]]
    head_end = len(head)
    for rec_type, tail in (("response", data[starts[keep][0]:ends[keep]]),
                           ("request", data[starts[requests[-1]][0]:ends[requests[-1]]]),
                           ("metadata", extra_member("metadata")), ("resource", extra_member("resource"))):
        name = f"cut-in-{rec_type}.warc.gz"
        (root / name).write_bytes(head + tail[:len(tail) // 2])
        kept = responses_before(head_end)
        cases.append(Damaged(root / name, head_end,
                             f"cut: the file ends inside the gzip member of this {rec_type} record", 1, None,
                             set(all_urls) - set(kept), kept, sum(1 for o, _, _ in starts if o < head_end)))
    # The whole file, then a request record whose gzip trailer (CRC, size) is cut: the record itself is whole.
    last = data[starts[requests[-1]][0]:ends[requests[-1]]]
    (root / "cut-gzip-trailer.warc.gz").write_bytes(data + last[:-4])
    cases.append(Damaged(root / "cut-gzip-trailer.warc.gz", len(data), "cut: the file ends inside the gzip member "
                         "of the record here, after its content", 0, None, set(), all_urls, len(starts) + 1))

    # Uncompressed WARC/1.0 (wget's shape): zeros over a record header; a record header line mangled;
    # a cut in the last record, a resource.
    pages = [p for p in live_pages[:8]]
    for name, how in (("zeros-over-header.warc", "zeros"), ("mangled-header.warc", "mangle")):
        archive = Archive(root / name, gzip_records=False, version="WARC/1.0")
        for n, page in enumerate(pages[:4]):
            archive.response(page.url, page.headers, page.body, f"2024-05-01T12:00:0{n}Z")
        archive.close()
        offsets = sorted(archive.offsets.values())
        raw = bytearray(archive.path.read_bytes())
        if how == "zeros":
            raw[offsets[1]:offsets[1] + 40] = bytes(40)
        else:
            raw[offsets[1]:offsets[1] + 8] = b"WARX/1.0"
        archive.path.write_bytes(raw)
        cases.append(Damaged(archive.path, offsets[1], "not a record header: ", 1, offsets[2], {pages[1].url},
                             [pages[0].url, pages[2].url, pages[3].url], 3))
    # Uncompressed, a Content-Length made longer: it swallows the start (or all) of the next record.
    for name, delta in (("content-length-too-long.warc", 300), ("content-length-much-too-long.warc", 1000)):
        archive = Archive(root / name, gzip_records=False, version="WARC/1.0")
        for n, page in enumerate(pages[:4]):
            archive.response(page.url, page.headers, page.body, f"2024-05-01T12:00:0{n}Z")
        archive.close()
        offsets = sorted(archive.offsets.values())
        raw = archive.path.read_bytes()
        at = raw.index(b"Content-Length: ", offsets[1]) + len(b"Content-Length: ")
        end = raw.index(b"\r\n", at)
        length = int(raw[at:end])
        assert len(str(length + delta)) == end - at
        archive.path.write_bytes(raw[:at] + str(length + delta).encode() + raw[end:])
        cases.append(Damaged(archive.path, offsets[1], "response record whose Content-Length "
                             f"({length + delta}) runs past the next record", 1, offsets[2], {pages[1].url},
                             [pages[0].url, pages[2].url, pages[3].url], 3))
    archive = Archive(root / "cut-in-resource.warc", gzip_records=False, version="WARC/1.0")
    for n, page in enumerate(pages[4:6]):
        archive.response(page.url, page.headers, page.body, f"2024-05-01T12:00:0{n}Z")
    log = b"wget log line\n" * 200
    archive.other("urn:X-wget:log", "resource", log, "text/plain")
    archive.close()
    cut_at = max(archive.offsets.values())
    raw = archive.path.read_bytes()
    archive.path.write_bytes(raw[:len(raw) - 1000])
    cases.append(Damaged(archive.path, cut_at, "cut: the file ends inside this resource record, ", 1, None, set(),
                         [pages[4].url, pages[5].url], 2))
    return root, cases, warc


def test_damage_costs_only_the_damaged_records(damaged):
    """Each damage is reported once, where it is, with what it cost; every other record is read, the next
    intact record after the damage included."""
    _root, cases, warc = damaged
    intact = {i.offset: i for i in read(warc)[0]}
    for case in cases:
        items, stats = read(case.path)
        problems = bad(items)
        assert len(problems) == 1, (case.path.name, problems)
        problem = problems[0]
        assert (problem.offset, problem.lost, problem.resumed_at) == (case.offset, case.lost, case.resumed_at), \
            (case.path.name, problem)
        assert problem.reason.startswith(case.reason), (case.path.name, problem.reason)
        assert (stats.records, stats.lost) == (case.records, case.lost), case.path.name
        assert urls(items) == case.urls, case.path.name
        if case.path.suffix == ".gz":  # copies of the live file: the same bytes at the same places
            for item in items:
                if isinstance(item, ArchivedResponse):
                    assert (item.uri, item.payload) == (intact[item.offset].uri, intact[item.offset].payload)


def test_replay_of_damaged_files_reports_each_and_exits_1(damaged, live_pages, tmp_path):
    root, cases, _warc = damaged
    result = run_replay(tmp_path, str(root), settings=ONE)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for line in result.stderr.splitlines():  # zlib's words only inside our lines, naming the file
        assert "decompressing" not in line or ".warc.gz, offset " in line, line
    lines = summary(result.stderr)
    assert lines[0].startswith(f"replay summary: {len(cases)} files: 0 read whole, {len(cases)} damaged, "
                               "0 unreadable; ")
    assert f", {sum(c.lost for c in cases)} lost; " in lines[0]
    assert lines[1] == f"replay: {len(cases)} things lost, damaged or unreadable (exit status 1):"
    for case in cases:
        entry = [line for line in lines[2:] if line.startswith(f"  {case.path}, offset {case.offset}: {case.reason}")]
        assert len(entry) == 1, (case.path.name, lines)
        if case.lost:
            assert entry[0].endswith(f"({case.lost} record lost)")
        assert f"Bad record: file {case.path}, offset {case.offset}: {case.reason}" in result.log
    live = {p.url: p.article for p in live_pages}
    for article in result.items:
        assert same_article(article, live[article["url"]])
    zeros = next(c for c in cases if c.path.name == "zeros-in-response.warc.gz")
    from_it = {a["url"] for a in result.items if a["warc"]["uri"] == str(zeros.path)}
    assert from_it == set(live) - zeros.lost_urls


# -- whole-file gzip with revisits -------------------------------------------------


@pytest.fixture(scope="module")
def whole_gzip(live_pages, tmp_path_factory):
    root = tmp_path_factory.mktemp("whole")
    plain = root / "crawl.warc"
    archive = Archive(plain, gzip_records=False)
    first, second = live_pages[0], live_pages[1]
    orig1 = archive.response(first.url, first.headers, first.body, "2024-05-01T00:00:00Z")
    orig2 = archive.response(second.url, second.headers, second.body, "2024-05-01T00:00:01Z")
    archive.revisit(first.url, orig1.rec_headers.get_header("WARC-Payload-Digest"), "2024-05-08T00:00:00Z",
                    (first.url, "2024-05-01T00:00:00Z"), headers=first.headers)  # refers to URI + date
    archive.revisit(second.url, orig2.rec_headers.get_header("WARC-Payload-Digest"), "2024-05-08T00:00:01Z",
                    None)  # the digest alone, no HTTP headers
    archive.close()
    path = root / "crawl-gzipped-whole.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    return path, first, second


def test_revisits_in_a_whole_file_gzip_resolve_by_identity(whole_gzip, tmp_path):
    path, first, second = whole_gzip
    result = run_replay(tmp_path, str(path), settings=(*ONE, "REPLAY_REVISIT_ARTICLES=True"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'replay/revisits_resolved': 2" in result.stats
    got = {(a["url"], a["fetched_at"]): a for a in result.items}
    assert set(got) == {(first.url, "2024-05-01T00:00:00Z"), (second.url, "2024-05-01T00:00:01Z"),
                        (first.url, "2024-05-08T00:00:00Z"), (second.url, "2024-05-08T00:00:01Z")}
    for (url, _date), article in got.items():
        assert same_article(article, (first if url == first.url else second).article)
    assert "Bad record" not in result.log


def test_dedupe_keeps_the_latest_capture_of_each_url_and_digest(whole_gzip, tmp_path):
    path, first, second = whole_gzip
    result = run_replay(tmp_path, str(path), args=("--dedupe",), settings=ONE)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted((a["url"], a["fetched_at"]) for a in result.items) == \
        sorted([(first.url, "2024-05-08T00:00:00Z"), (second.url, "2024-05-08T00:00:01Z")])
    assert "'replay/deduplicated': 2" in result.stats


# -- odd records: a body stored decoded, no URI, an unreadable date, an empty file -----


@pytest.fixture(scope="module")
def odd(live_pages, tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    decoded = Archive(root / "clueweb-like.warc.gz", version="WARC/0.18")
    for page, coding in ((live_pages[2], "gzip"), (live_pages[3], "x-gzip")):
        decoded.response(page.url, page.headers + [("Content-Encoding", coding)], page.body, "2009-01-13T20:00:00Z")
    decoded.close()
    bad_date = Archive(root / "bad-date.warc", gzip_records=False, version="WARC/0.17")
    good = bad_date.response(live_pages[4].url, live_pages[4].headers, live_pages[4].body, "2024-05-01T12:00:00Z")
    undated = bad_date.response(live_pages[5].url, live_pages[5].headers, live_pages[5].body, "13/01/2009 noon")
    no_uri = bad_date.response(live_pages[6].url, live_pages[6].headers, live_pages[6].body, "2024-05-01T12:00:02Z")
    bad_date.close()
    raw = bad_date.path.read_bytes()
    target = f"WARC-Target-URI: {live_pages[6].url}\r\n".encode()
    no_uri_at = bad_date.offsets[no_uri.rec_headers.get_header("WARC-Record-ID")]
    assert raw.count(target) == 1
    # an unknown header instead, of the same length, so the offsets stay
    bad_date.path.write_bytes(raw.replace(target, b"X-Newscrawl-Tst: " + b"x" * (len(target) - 19) + b"\r\n"))
    empty = root / "empty.warc.gz"
    empty.write_bytes(b"")
    offsets = {name: bad_date.offsets[r.rec_headers.get_header("WARC-Record-ID")]
               for name, r in (("good", good), ("undated", undated))}
    return root, live_pages, offsets, no_uri_at


def test_body_stored_decoded_under_a_kept_gzip_header(odd, tmp_path):
    root, pages, *_ = odd
    result = run_replay(tmp_path, str(root / "clueweb-like.warc.gz"), settings=ONE)
    assert result.returncode == 0, result.stderr[-3000:]
    got = by_url(result.items)
    assert set(got) == {pages[2].url, pages[3].url}
    for page in pages[2:4]:
        assert same_article(got[page.url], page.article)
    assert "'replay/stored_decoded': 2" in result.stats
    assert "body stored already decoded under its kept Content-Encoding" in result.log


def test_decode_payload_falls_back_only_to_what_looks_like_the_declared_type():
    html = b"\xef\xbb\xbf  <!DOCTYPE html><html><body>x</body></html>"
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    assert decode_payload(headers, html) == ([("Content-Type", "text/html")], html, True)
    assert decode_payload(headers, gzip.compress(html))[1:] == (html, False)
    with pytest.raises(DecodingError):  # corrupt gzip: not taken as the body
        decode_payload(headers, gzip.compress(html)[:10] + b"\xff" * 40)
    with pytest.raises(DecodingError):  # not HTML
        decode_payload(headers, b"\x89PNG\r\n\x1a\n....")
    assert decode_payload([("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], b"plain text")[2]


def test_record_without_uri_and_unreadable_date_are_reported(odd, tmp_path):
    root, pages, offsets, no_uri_at = odd
    path = root / "bad-date.warc"
    result = run_replay(tmp_path, str(path), settings=ONE)
    assert result.returncode == 1
    assert {a["url"]: a["fetched_at"] for a in result.items} == {pages[4].url: "2024-05-01T12:00:00Z",
                                                                 pages[5].url: "13/01/2009 noon"}
    lines = summary(result.stderr)
    assert lines[0].startswith("replay summary: 1 files: 0 read whole, 1 damaged, 0 unreadable; 3 records read, "
                               "1 lost; 2 pages, 2 articles")
    assert f"  {path}, offset {no_uri_at}: response record without a WARC-Target-URI: not replayable " \
           "(1 record lost)" in lines
    assert f"  {path}, offset {offsets['undated']}: unreadable WARC-Date '13/01/2009 noon' of {pages[5].url}: " \
           "replayed, fetched_at is the date as written" in lines
    # under --since the undated record cannot be placed: reported as not replayed, not silently filtered
    result = run_replay(tmp_path, str(path), args=("--since", "2024-01-01"), settings=ONE)
    assert result.returncode == 1
    assert [a["url"] for a in result.items] == [pages[4].url]
    assert f"  {path}, offset {offsets['undated']}: unreadable WARC-Date '13/01/2009 noon' of {pages[5].url}: " \
           "not replayed, --since/--until cannot place it (1 record lost)" in summary(result.stderr)


def test_empty_file_is_unreadable(odd, tmp_path):
    root, *_ = odd
    result = run_replay(tmp_path, str(root / "empty.warc.gz"), settings=ONE)
    assert result.returncode == 1
    lines = summary(result.stderr)
    assert lines[0].startswith("replay summary: 1 files: 0 read whole, 0 damaged, 1 unreadable; 0 records read")
    assert lines[2] == f"  {root / 'empty.warc.gz'}, offset 0: empty file (0 bytes)"


@pytest.mark.parametrize("args, message", [
    ((), "scrapy replay: error: give at least one SOURCE"),
    (("x.warc", "--since", "last week"), "scrapy replay: error: --since: not an ISO 8601 date"),
    (("x.warc", "--url", "("), "scrapy replay: error: --url '(': not a regular expression"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    proc = subprocess.run([*SCRAPY, "replay", *args], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(message)


# -- in one process: the decisions and reports of ArchiveReplay itself ---------------


def replay_in_process(*specs: str, **filters):
    from scrapy.settings import Settings

    from newscrawl import settings as project_settings
    from newscrawl.replay.spider import ArchiveReplay, RecordFilter

    replay = ArchiveReplay(list(specs), RecordFilter(**filters), Settings(vars(project_settings)))
    pages = []
    while batch := replay.next_batch(16):
        pages += batch
    return pages, replay.progress


def write_warc(path: Path, records: list[tuple[str, dict, list[tuple[str, str]], bytes]]) -> list[int]:
    """(url, extra WARC headers, HTTP headers, payload) → a gzip-per-record WARC; the offsets."""
    offsets = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, warc_headers, headers, payload in records:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            offsets.append(out.tell())
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          length=len(payload), http_headers=http,
                                                          warc_headers_dict=warc_headers))
    return offsets


HTML = [("Content-Type", "text/html; charset=utf-8")]
BODY = b"<!DOCTYPE html><html><head><title>t</title></head><body>" + b"<p>word word word.</p>" * 200 + b"</body></html>"


def test_cut_bodies_and_bombs_are_decisions_counted_as_the_live_crawl_counts_them(tmp_path):
    path = tmp_path / "cut.warc.gz"
    write_warc(path, [
        ("http://example.org/length", {"WARC-Truncated": "length"}, HTML, BODY[:3000]),
        ("http://example.org/disconnect", {"WARC-Truncated": "disconnect"}, HTML, BODY[:2000]),
        ("http://example.org/time", {"WARC-Truncated": "time"}, HTML, BODY[:1000]),
        ("http://example.org/bomb", {}, [*HTML, ("Content-Encoding", "gzip")], gzip.compress(b"\0" * 40_000_000)),
        ("http://example.org/whole", {}, HTML, BODY),
    ])
    pages, progress = replay_in_process(str(path))
    assert [p.url for p in pages] == ["http://example.org/whole"]
    assert progress.page_stats == {"newscrawl/pages/skipped/truncated": 2, "newscrawl/pages/skipped/disconnect": 1,
                                   "newscrawl/pages/skipped/decompression_limit": 1}
    assert progress.damage_count == 0 and progress.records_lost == 0  # decisions, not losses


def test_unreadable_dates_and_missing_uris_of_two_kinds(tmp_path, live_pages):
    page = live_pages[0]
    arc = tmp_path / "bad-date.arc"
    arc.write_bytes(arc_version_block(arc.name, "20240501120000", "InternetArchive")
                    + arc_record(page.url, "20240599120000", http_block(page)))  # day 99
    warc = tmp_path / "empty-uri.warc.gz"
    offsets = write_warc(warc, [("http://example.org/a", {}, HTML, BODY), ("http://example.org/b", {}, HTML, BODY)])
    data = warc.read_bytes()
    second = gzip.decompress(data[offsets[1]:]).replace(b"WARC-Target-URI: http://example.org/b",
                                                        b"WARC-Target-URI:                     ")
    warc.write_bytes(data[:offsets[1]] + gzip.compress(second))
    pages, progress = replay_in_process(str(arc), str(warc))
    assert [p.url for p in pages] == [page.url, "http://example.org/a"]
    assert [str(d) for d in progress.damage] == [
        f"{arc}, offset {len(arc_version_block(arc.name, '20240501120000', 'InternetArchive'))}: unreadable "
        f"WARC-Date '20240599120000' of {page.url}: replayed, fetched_at is the date as written",
        f"{warc}, offset {offsets[1]}: response record without a WARC-Target-URI: not replayable (1 record lost)",
    ]
    assert (progress.files_whole, progress.files_damaged, progress.bad_dates) == (0, 2, 1)
    pages, progress = replay_in_process(str(arc), until=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert pages == [] and progress.records_lost == 1
    assert "not replayed, --since/--until cannot place it" in str(progress.damage[0])
