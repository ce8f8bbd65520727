"""The CDXJ index the writer builds as it writes a file is the one cdxj-indexer reads out of that file.

Each class of exchange (status lines, content types, URLs, revisits, raw and
rebuilt header blocks, truncated bodies) is written through the real
RotatingWarcWriter, several instances of each, and the index beside every
closed file is compared byte for byte with `cdxj-indexer --sort` run on it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawl.archive.cdxj import IndexLines, index_path
from newscrawl.archive.records import Exchange, RefersTo
from newscrawl.archive.store.local import LocalStore
from newscrawl.archive.writer import RotatingWarcWriter

CDXJ_INDEXER = str(Path(sys.executable).parent / "cdxj-indexer")
MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)


def cdxj_indexers(warc: Path) -> str:
    return subprocess.run([CDXJ_INDEXER, "--sort", str(warc)], capture_output=True, text=True, check=True).stdout


def exchange(i: int, url: str = "", status: int = 200, headers=None, head: bytes | None = None,
             payload: bytes = b"<html><p>story</p></html>", **kwargs) -> Exchange:
    return Exchange(url=url or f"http://news.test/world/{i}", method="GET", request_headers=[("User-Agent", "t")],
                    request_body=b"", status=status,
                    response_headers=[("Content-Type", "text/html")] if headers is None else headers,
                    payload=payload, reason=kwargs.pop("reason", None), date=MOMENT + timedelta(seconds=i),
                    raw_response_head=head, **kwargs)


def raw(status_line: str, *lines: str) -> bytes:
    return (status_line + "\r\n" + "".join(line + "\r\n" for line in lines) + "\r\n").encode("latin-1")


CLASSES = {
    "status lines": [
        exchange(1, status=200, head=raw("HTTP/1.1 200 OK", "Content-Type: text/html")),
        exchange(2, status=200, head=raw("HTTP/1.1 200", "Content-Type: text/html")),
        exchange(3, status=404, head=raw("HTTP/1.0 404 Not Found", "Content-Type: text/html")),
        exchange(4, status=599, head=raw("HTTP/1.1 599 Whatever It Says", "Content-Type: text/plain")),
        exchange(5, status=301, head=raw("HTTP/1.1 301 Moved Permanently", "Location: /x"), payload=b""),
        exchange(6, status=503, reason="Slow Down"),
        exchange(7, status=204, payload=b""),
    ],
    "content types": [
        exchange(10, head=raw("HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8")),
        exchange(11, head=raw("HTTP/1.1 200 OK", "content-type:   TEXT/HTML  ;charset=ISO-8859-1")),
        exchange(12, head=raw("HTTP/1.1 200 OK", "Content-Type: application/pdf"), payload=b"%PDF-1.4"),
        exchange(13, head=raw("HTTP/1.1 200 OK", "Content-Length: 26")),
        exchange(14, head=raw("HTTP/1.1 200 OK", "Content-Type:")),
        exchange(15, head=raw("HTTP/1.1 200 OK", "Content-Type: text/html", "Content-Type: text/plain")),
        exchange(18, head=raw("HTTP/1.1 200 OK", 'Content-Type: "text/x\\y"')),
        exchange(16, headers=[("Content-Type", "application/xhtml+xml; charset=UTF-8")]),
        exchange(17, headers=[]),
    ],
    "URLs": [
        exchange(20, url="http://WWW.News.test:8080/World/Story?b=2&a=1"),
        exchange(21, url="https://www.news.test/"),
        exchange(22, url="http://news.test/%E2%82%AC/path;param?q=%20x&utm_source=y"),
        exchange(23, url="http://xn--nws-ula.test/a?"),
        exchange(24, url="http://127.0.0.1:34395/world/story-00001"),
        exchange(25, url="http://[::1]:8000/v6"),
        exchange(26, url='http://news.test/caf%C3%A9/"quoted"\\back'),  # JSON escapes
    ],
    "truncated and odd bodies": [
        exchange(30, truncated="length", payload=b"x" * 5000),
        exchange(31, truncated="disconnect", head=raw("HTTP/1.1 200 OK", "Content-Type: text/html",
                                                      "Transfer-Encoding: chunked")),
        exchange(32, payload=bytes(range(256)) * 40, headers=[("Content-Type", "application/octet-stream")]),
    ],
}


def write_all(directory: Path, exchanges, refers_to=None, max_size: int = 10**9, spill_chars: int | None = None):
    closed = []
    store = LocalStore(directory)  # indexes each file as it is closed, as in a crawl

    def on_close(c):
        closed.append(c)
        store.store(c)

    writer = RotatingWarcWriter(directory, "test", max_size, {"software": "t"}, str, on_close)
    if spill_chars is not None:
        original = writer._open

        def open_with_small_spill():
            original()
            writer._index.spill_chars = spill_chars

        writer._open = open_with_small_spill
    for i, ex in enumerate(exchanges):
        writer.write(ex, refers_to(i) if refers_to else None)
    writer.close()
    return closed


@pytest.mark.parametrize("kind", list(CLASSES))
def test_index_as_written_is_cdxj_indexers(tmp_path, kind):
    [closed] = write_all(tmp_path, CLASSES[kind])
    assert closed.index is not None and closed.index.count == len(CLASSES[kind])
    assert index_path(closed.path).read_text(encoding="utf-8") == cdxj_indexers(closed.path)


def test_revisits_are_indexed_as_cdxj_indexer_does(tmp_path):
    exchanges = [exchange(40), exchange(41, head=raw("HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8")),
                 exchange(42, url="http://news.test/world/40?again=1")]
    [closed] = write_all(tmp_path, exchanges, refers_to=lambda i: RefersTo(
        f"http://news.test/world/{40 + i}", "2026-01-01T00:00:00Z", f"<urn:uuid:0000000{i}>"))
    assert index_path(closed.path).read_text(encoding="utf-8") == cdxj_indexers(closed.path)
    assert closed.index is not None and '"mime": "warc/revisit"' in index_path(closed.path).read_text()


@pytest.mark.parametrize("max_size", [3_000, 8_000])
def test_each_file_of_a_rotation_has_its_own_index(tmp_path, max_size):
    exchanges = [ex for kind in CLASSES.values() for ex in kind]
    closed = write_all(tmp_path, exchanges, max_size=max_size)
    assert len(closed) > 1
    assert sum(c.index.count for c in closed) == len(exchanges)
    for c in closed:
        assert index_path(c.path).read_text(encoding="utf-8") == cdxj_indexers(c.path)


@pytest.mark.parametrize("spill_chars", [1, 700])
def test_lines_spilled_to_sorted_runs_merge_to_the_same_index(tmp_path, spill_chars):
    """Past spill_chars the lines go to temporary sorted runs; merged, the index is the same."""
    exchanges = [exchange(100 + i, url=f"http://news.test/{'zyxwvu'[i % 6]}/{i}") for i in range(40)]
    [closed] = write_all(tmp_path, exchanges, spill_chars=spill_chars)
    assert closed.index is not None and len(closed.index._runs) == 0  # let go once written
    assert index_path(closed.path).read_text(encoding="utf-8") == cdxj_indexers(closed.path)


_CUT = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_index_as_written import CLASSES, write_all
    from newscrawl.archive.writer import ArchiveWriteFailed
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    exchanges = [ex for kind in CLASSES.values() for ex in kind] * 4
    try:
        write_all(Path(sys.argv[1]), exchanges)
    except ArchiveWriteFailed as exc:
        print("failed:", exc)
""")


@pytest.mark.parametrize("limit", [9_000, 25_000])
def test_a_file_cut_back_after_a_failed_write_is_indexed_as_cut(tmp_path, limit):
    """A write past the file-size limit: the file is cut back to its last whole exchange, and so is its index."""
    script = _CUT.format(tests=str(Path(__file__).parent), limit=limit)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True)
    assert "failed: WARC file" in proc.stdout and "cut back to its last complete exchange" in proc.stdout, proc.stderr
    [warc] = tmp_path.glob("*.warc.gz")
    assert index_path(warc).read_text(encoding="utf-8") == cdxj_indexers(warc)


def test_a_record_type_cdxj_indexer_skips_gives_no_line():
    class Record:
        rec_type = "request"

    lines = IndexLines("x.warc.gz")
    lines.add(lines.line(Record(), 0, 10))
    assert lines.count == 0


PLAIN_URLS = ["http://127.0.0.1:34395/world/story-00001", "https://WWW.News.Test/World/Story_1.HTML",
              "http://www2.news.test:80/a/b/", "https://news.test:443/", "http://news.test:8080/~user/x-y.z"]
OTHER_URLS = ["http://news.test", "http://news.test//double", "http://news.test/./dot", "http://news.test/a/../b",
              "http://news.test/a?b=2&a=1", "http://news.test/a#frag", "HTTP://news.test/upper-scheme",
              "http://news.test/caf%C3%A9", "http://user:pw@news.test/x", "http://news.test/a;jsessionid=1",
              "http://[::1]:8000/v6", "ftp://news.test/x", "http://017.0.0.1/octal", "not a url"]


@pytest.mark.parametrize("url", PLAIN_URLS + OTHER_URLS)
def test_url_keys_are_surts(url):
    """Plain URLs take the short way (surt's host part, remembered; the path lower-cased), the others surt itself."""
    import surt

    from newscrawl.archive.cdxj import url_key

    try:
        expected = surt.surt(url)
    except Exception:
        expected = url
    assert url_key(url) == expected


def test_url_keys_of_many_plain_urls_are_surts():
    import random

    import surt

    from newscrawl.archive.cdxj import url_key

    rnd = random.Random(20)
    hosts = ["127.0.0.1:34395", "WWW.Example.COM", "www2.news.test:80", "news.test:443", "sub.www.site.org",
             "xn--nws-ula.test", "1.2.3", "0x7f.1", "localhost", "www.", "017.0.0.1"]
    for _ in range(5000):
        path = "/" + "".join(rnd.choice("abcXYZ09_~.-/") for _ in range(rnd.randint(0, 25)))
        url = f"{rnd.choice(['http', 'https'])}://{rnd.choice(hosts)}{path}"
        assert url_key(url) == surt.surt(url), url
