"""What the archive keeps of an exchange, checked through the real crawler against a tiny server."""

from __future__ import annotations

import gzip
import hashlib
from http.server import BaseHTTPRequestHandler

import pytest

from newscrawl.archive.reader import iter_records, iter_responses

from .conftest import loopback_server, run_crawl

pytestmark = pytest.mark.integration

PAGE = b"<html><body><h2>Latest World News</h2><ul><li><a href='/chunked'>c</a></li></ul></body></html>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sent: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
            self.send_response(200, "Robots Here")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
        elif self.path == "/start":
            body = gzip.compress(PAGE)
            self.send_response(200, "Fine Thanks")
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Set-Cookie", "a=1; Path=/")
            self.send_header("Set-Cookie", "b=2; Path=/")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
        else:
            body = b"<html><body><p>chunked page</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (body[:10], body[10:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            Handler.sent[self.path] = body
            return
        Handler.sent[self.path] = body
        self.wfile.write(body)


@pytest.fixture
def server():
    with loopback_server(Handler, "127.0.0.7") as url:
        yield url


def test_status_line_headers_and_payload_are_kept(server, tmp_path):
    result = run_crawl(tmp_path, [server + "/start"])
    assert result.returncode == 0
    records = {r.uri: r for p in result.warcs for r in iter_responses(p)}
    start = records[server + "/start"]
    assert (start.protocol, start.status) == ("HTTP/1.1", 200)
    assert [v for k, v in start.headers if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert start.payload == Handler.sent["/start"]  # still gzip, as sent
    assert records[server + "/chunked"].payload == Handler.sent["/chunked"]  # de-chunked entity body
    for path in result.warcs:
        for _offset, rec in iter_records(path):
            if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI").endswith("/start"):
                assert rec.http_headers.statusline == "200 Fine Thanks"
                digest = rec.rec_headers.get_header("WARC-Payload-Digest")
                import base64

                assert digest == "sha1:" + base64.b32encode(hashlib.sha1(Handler.sent["/start"]).digest()).decode()
            if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI").endswith("/robots.txt"):
                assert rec.http_headers.statusline == "200 Robots Here"
