"""What goes over the wire is what the archive keeps: header blocks as received, bodies cut short, send times.

A raw-socket server (no http.server: it writes header lines as they are given,
odd case, repeats and all, and can close mid-body) behind the real crawler.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import defaultdict
from datetime import datetime

import pytest

from .conftest import run_crawl

pytestmark = pytest.mark.integration

ARTICLE = ("<html><head><title>{t}</title><script type='application/ld+json'>"
           "{{\"@type\": \"NewsArticle\", \"headline\": \"{t}\", \"datePublished\": \"2026-11-30T10:00:00Z\"}}"
           "</script></head><body><article><h1>{t}</h1>"
           + "".join(f"<p>Paragraph {n} of the story, long enough to be one, and then some more words.</p>"
                     for n in range(8))
           + "</article></body></html>")


def _page(title: str) -> bytes:
    return ARTICLE.format(t=title).encode()


START = (b"<html><body><h2>Latest World News</h2><ul>"
         b"<li><a href='/mixed'>m</a></li><li><a href='/chunked'>c</a></li><li><a href='/slow'>s</a></li>"
         b"<li><a href='/cut-length'>l</a></li><li><a href='/cut-chunked'>k</a></li><li><a href='/cut-early'>e</a></li>"
         b"</ul></body></html>")


def _response(path: str) -> tuple[bytes, bytes, bool]:
    """(header block, body bytes to send, close after) for a path."""
    if path == "/robots.txt":
        body = b"User-agent: *\nAllow: /\n"
        return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body), body, False
    if path == "/start":
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
                % len(START)), START, False
    if path == "/mixed":
        body = _page("Mixed headers")
        head = (b"HTTP/1.1 200 Quite Fine\r\n"
                b"x-lower: small\r\n"
                b"Set-Cookie: a=1; Path=/\r\n"
                b"CONTENT-TYPE:  text/html; charset=utf-8\r\n"
                b"Set-Cookie: b=2; Path=/\r\n"
                b"X-Folded: one,\r\n two\r\n"
                b"x-lower: again\r\n"
                b"content-length: %d\r\n\r\n" % len(body))
        return head, body, False
    if path == "/chunked":
        body = _page("Chunked and mixed")
        head = (b"HTTP/1.1 200 OK\r\n"
                b"Set-Cookie: c=3\r\n"
                b"transfer-encoding: chunked\r\n"
                b"Content-type: text/html; charset=utf-8\r\n"
                b"Set-Cookie: d=4\r\n\r\n")
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100], body[100:])) + b"0\r\n\r\n"
        return head, chunked, False
    if path == "/slow":
        body = _page("Slow page")
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
                % len(body)), body, False
    if path == "/cut-length":  # announces the whole page, sends 300 bytes, closes
        body = _page("Cut by length")
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
                % len(body)), body[:300], True
    if path == "/cut-early":  # a 10-byte cut, mid-line, with headers in lower case
        body = _page("Cut early")
        return (b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: %d\r\n\r\n" % len(body)), body[:10], True
    if path == "/cut-chunked":  # a chunk announced at 0x200 bytes, 120 sent, closed
        body = _page("Cut mid-chunk")
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"40\r\n" + body[:64] + b"\r\n200\r\n" + body[64:184], True)
    return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", b"", False


class RawServer:
    """HTTP/1.1 over a bare socket: keep-alive, every byte written as given."""

    def __init__(self, host: str = "127.0.0.9"):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(32)
        self.base = f"http://{host}:{self.sock.getsockname()[1]}"
        self.received: dict[str, list[float]] = defaultdict(list)  # path -> times its request line arrived
        self.heads: dict[str, bytes] = {}
        self.bodies: dict[str, bytes] = {}
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                path = head.split(b" ")[1].decode()
                self.received[path].append(time.time())
                if path == "/slow":
                    time.sleep(1.5)
                header, body, close = _response(path)
                self.heads[path], self.bodies[path] = header, body
                conn.sendall(header)
                conn.sendall(body)
                if close:
                    time.sleep(0.05)
                    return

    def stop(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def raw_server():
    server = RawServer()
    yield server
    server.stop()


class Record:
    def __init__(self, rec, block: bytes):
        self.type = rec.rec_type
        self.headers = rec.rec_headers
        self.block = block  # the HTTP header block and the payload, as stored

    def header(self, name: str) -> str | None:
        return self.headers.get_header(name)

    @property
    def http_head(self) -> bytes:
        return self.block[:self.block.index(b"\r\n\r\n") + 4]

    @property
    def payload(self) -> bytes:
        return self.block[self.block.index(b"\r\n\r\n") + 4:]


def _exchanges(paths) -> dict[str, list[tuple[Record, Record]]]:
    """URL path -> (response record, its request record) for each attempt, in file order."""
    from warcio.archiveiterator import ArchiveIterator

    out = defaultdict(list)
    for path in paths:
        with open(path, "rb") as stream:
            records = [Record(rec, rec.raw_stream.read()) for rec in ArchiveIterator(stream, no_record_parse=True)]
        requests = {r.header("WARC-Concurrent-To"): r for r in records if r.type == "request"}
        for rec in records:
            if rec.type == "response":
                uri = re.sub(r"^http://[^/]+", "", rec.header("WARC-Target-URI"))
                out[uri].append((rec, requests[rec.header("WARC-Record-ID")]))
    return out


@pytest.fixture(scope="module", params=["default", "no-fail-on-dataloss"])
def crawl(request, raw_server, tmp_path_factory):
    settings = ["RETRY_TIMES=2", "CONCURRENT_REQUESTS=4"]
    if request.param == "no-fail-on-dataloss":
        settings.append("DOWNLOAD_FAIL_ON_DATALOSS=False")
    result = run_crawl(tmp_path_factory.mktemp(request.param), [raw_server.base + "/start"], *settings)
    return request.param, result


def test_header_block_is_the_bytes_received(crawl, raw_server):
    _mode, result = crawl
    exchanges = _exchanges(result.warcs)
    [(mixed, _)] = exchanges["/mixed"]
    # case, spacing, order, repeats and folding as sent; then the payload
    assert mixed.block == raw_server.heads["/mixed"] + raw_server.bodies["/mixed"]
    # chunked: the payload is stored de-chunked, so its framing line goes; every other line stays as sent
    [(chunked, _)] = exchanges["/chunked"]
    expected_head = raw_server.heads["/chunked"].replace(b"transfer-encoding: chunked\r\n", b"")
    assert chunked.block == expected_head + _page("Chunked and mixed")
    for path in ("/robots.txt", "/start"):
        [(response, _)] = exchanges[path]
        assert response.block == raw_server.heads[path] + raw_server.bodies[path]


def test_request_record_is_the_request_as_written(crawl, raw_server):
    _mode, result = crawl
    exchanges = _exchanges(result.warcs)
    [(response, request)] = exchanges["/mixed"]
    head = request.http_head
    assert request.payload == b""
    assert head.startswith(b"GET /mixed HTTP/1.1\r\n") and head.endswith(b"\r\n\r\n")
    assert f"Host: {raw_server.base.removeprefix('http://')}\r\n".encode() in head
    assert b"User-Agent: newscrawl/" in head


def test_warc_date_is_when_the_request_was_sent(crawl, raw_server):
    _mode, result = crawl
    exchanges = _exchanges(result.warcs)
    [(response, request)] = exchanges["/slow"]
    date = response.header("WARC-Date")
    assert request.header("WARC-Date") == date
    sent = datetime.fromisoformat(date.replace("Z", "+00:00")).timestamp()
    arrived = min(raw_server.received["/slow"], key=lambda t: abs(t - sent))  # the server serves two crawls
    # sent before the server read the request line, not after the reply that took 1.5 s
    assert arrived - 1.0 < sent <= arrived + 0.01, (sent, arrived)
    for path, pairs in exchanges.items():
        for response, request in pairs:
            assert request.header("WARC-Date") == response.header("WARC-Date")


@pytest.mark.parametrize("path", ["/cut-length", "/cut-chunked", "/cut-early"])
def test_cut_responses_are_archived_each_attempt_and_not_parsed(crawl, raw_server, path):
    mode, result = crawl
    attempts = 3 if mode == "default" else 1  # retried like any data loss; without failing, kept once
    exchanges = _exchanges(result.warcs)
    assert len(raw_server.received[path]) >= attempts
    records = exchanges[path]
    assert len(records) == attempts, (path, len(records))
    sent = raw_server.bodies[path]
    for response, _request in records:
        assert response.header("WARC-Truncated") == "disconnect"
        assert response.http_head == raw_server.heads[path].replace(b"Transfer-Encoding: chunked\r\n", b"")
        payload = response.payload
        if path == "/cut-chunked":
            assert payload == _page("Cut mid-chunk")[:184]  # de-chunked: both chunks' bytes that came
        else:
            assert payload == sent
    assert path not in {re.sub(r"^http://[^/]+", "", i["url"]) for i in result.items}
    assert result.log.count(f"Cut short by the server: {raw_server.base}{path} ") == attempts
    assert f"'newscrawl/disconnected': {3 * attempts}" in result.log
    assert "Traceback" not in result.log.split("Cut short by the server")[0][-2000:]


def test_whole_pages_still_make_articles(crawl):
    _mode, result = crawl
    urls = {re.sub(r"^http://[^/]+", "", i["url"]) for i in result.items}
    assert {"/mixed", "/chunked", "/slow"} <= urls, urls
