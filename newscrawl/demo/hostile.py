"""A hostile news site on loopback, for the tests: every kind of bad page, trap and forbidden destination.

``HostileSite`` serves, on one loopback address (``127.0.0.5`` by default, so
that ``ALLOWED_PRIVATE_NETWORKS=127.0.0.0/29`` allows it):

* a home page whose "Latest World News" block links to everything below;
* ordinary articles (``CALM``), the pages around the bad ones that must come out;
* bad pages (``BAD``): malformed HTML, no charset, a wrong charset, binary bytes
  as text/html, an empty body, bodies over ``huge_size`` bytes (with
  Content-Length and chunked), a gzip bomb;
* traps (``TRAPS``): a redirect loop, an endless redirect chain, a redirect to
  ``file://``, an endless calendar, a growing query string, a path that
  repeats itself, a very long URL, non-HTTP links;
* links and redirects to the forbidden server.

The forbidden server (``127.0.0.66`` by default: loopback, outside
127.0.0.0/29) counts every TCP connection it accepts in ``connections``; a
guarded crawler leaves it at zero. ``EVIL_NAME`` is a host name the tests map
to it with ``DNS_OVERRIDES``; ``evil_decimal_base`` is the same address
written as one decimal number, which ``inet_aton`` accepts.

Every request the hostile host answers is appended to ``log`` (path, status,
sha1 of the bytes sent).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import random
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .site import send_body

EVIL_NAME = "evil.test"

CALM = {
    "/news/calm-before": "Harbour reopens after winter storms",
    "/news/calm-middle": "Mountain villages vote on new rail link",
    "/news/calm-after": "Fishermen report record spring catch",
}
# Bad pages that are still articles: they must come out with these titles.
BAD_ARTICLES = {
    "/bad/malformed": "Malformed markup cannot stop this story",
    "/bad/no-charset": "Caf\u00e9 owners without a charset",
    "/bad/wrong-charset": "Na\u00efve servers lie about their charset",
}
BAD = [*BAD_ARTICLES, "/bad/binary", "/bad/empty", "/bad/huge", "/bad/huge-chunked", "/bad/gzip-bomb"]
TRAPS = [
    "/redirect/loop-a", "/redirect/chain/1", "/redirect/file",
    "/events/2024/05", "/search?q=world", "/loop/",
]
LONG_PATH = "/long/" + "x" * 2100
NON_HTTP_LINKS = ["mailto:desk@example.org", "javascript:alert(1)", "ftp://127.0.0.5/pub/x",
                  "file:///etc/passwd", "data:text/html,<p>hi</p>", "tel:+15550100"]

PARAGRAPH = ("Officials said on Tuesday that the work would continue through the season, and residents "
             "who gathered in the square welcomed the decision after months of uncertainty and delay.")


def article_html(title: str, path: str, charset_meta: str | None = "utf-8", extra_body: str = "") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paragraphs = "".join(f"<p>{html.escape(PARAGRAPH)} ({n})</p>" for n in range(1, 5))
    return (f"<!DOCTYPE html><html lang=en><head>{meta}<title>{html.escape(title)}</title>"
            f'<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(title)}">'
            f'<meta property="article:published_time" content="2024-05-17T08:00:00+00:00">'
            f"</head><body><article><h1>{html.escape(title)}</h1>{paragraphs}{extra_body}</article></body></html>")


def malformed_html(title: str) -> str:
    # Stray closing tags, unclosed elements, unquoted and duplicate attributes, a second <body>,
    # bare ampersands and angle brackets, an unclosed table: what lxml must recover from.
    paragraphs = "".join(f"<p class=x class=y>{html.escape(PARAGRAPH)} ({n}) <b>bold <i>both</b> & more < less"
                         for n in range(1, 5))
    return (f"<html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f'<meta property=og:type content=article><meta property="article:published_time" content=2024-05-17>'
            f"</div></span><body><body onload=x><article><h1>{html.escape(title)}</h2>{paragraphs}"
            f"<table><tr><td>cell</article></em></html><p>after the end")


def block(links: list[str], title: str = "Latest World News") -> str:
    items = "".join(f'<li><a href="{html.escape(u, quote=True)}">Story number {i} of the day</a></li>'
                    for i, u in enumerate(links))
    return f"<section><h2>{title}</h2><ul>{items}</ul></section>"


def page_with_block(title: str, links: list[str]) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{block(links)}</body></html>").encode()


class _ConnectionCounter(socketserver.ThreadingTCPServer):
    """The forbidden server: counts accepted connections, answers a tiny 200."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address):
        self.connections = 0
        self.lock = threading.Lock()
        super().__init__(address, _CountingHandler)


class _CountingHandler(socketserver.BaseRequestHandler):
    def handle(self):
        with self.server.lock:
            self.server.connections += 1
        self.request.settimeout(2)
        try:
            self.request.recv(65536)
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n"
                                 b"Connection: close\r\n\r\nsecret\n")
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, site: "HostileSite"):
        self.site = site
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HostileGazette/1.0"
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        status, headers, body, chunked = self.server.site.respond(self.path)
        self.server.site.record(self.path, status, body)
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            send_body(self, body, chunk_size=16384 if chunked else None)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the crawler hung up on a body it did not want


class HostileSite:
    """The hostile site and the forbidden server. ``start()``, crawl ``start_urls``, check, ``stop()``."""

    def __init__(self, host: str = "127.0.0.5", evil_host: str = "127.0.0.66", huge_size: int = 1_000_000,
                 bomb_size: int = 50_000_000):
        self.host = host
        self.evil_host = evil_host
        self.huge_size = huge_size
        self.log: list[dict] = []
        self._lock = threading.Lock()
        self._server = _Server((host, 0), self)
        self._evil = _ConnectionCounter((evil_host, 0))
        self.port = self._server.server_address[1]
        self.evil_port = self._evil.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.evil_base = f"http://{evil_host}:{self.evil_port}"
        self.evil_name_base = f"http://{EVIL_NAME}:{self.evil_port}"
        self.evil_decimal_base = f"http://{int.from_bytes(socket.inet_aton(evil_host), 'big')}:{self.evil_port}"
        self.bomb = gzip.compress(b"\0" * bomb_size, compresslevel=9, mtime=0)
        self._threads: list[threading.Thread] = []

    @property
    def connections(self) -> int:
        """TCP connections the forbidden server accepted."""
        return self._evil.connections

    @property
    def start_urls(self) -> list[str]:
        # The forbidden hosts are start URLs too, so that links and redirects to
        # them are in the spider's scope and only the guard stands in the way.
        return [self.base + "/", self.evil_name_base + "/start", self.evil_base + "/start",
                self.evil_decimal_base + "/start"]

    @property
    def dns_overrides(self) -> dict[str, str]:
        return {EVIL_NAME: self.evil_host}

    @property
    def forbidden_links(self) -> list[str]:
        return [self.evil_base + "/linked", self.evil_name_base + "/linked"]

    def url(self, path: str) -> str:
        return self.base + path

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "HostileSite":
        for server in (self._server, self._evil):
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for server in (self._server, self._evil):
            server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> "HostileSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def record(self, path: str, status: int, body: bytes) -> None:
        with self._lock:
            self.log.append({"path": path, "url": self.base + path, "status": status,
                             "sha1": hashlib.sha1(body).hexdigest(), "size": len(body)})

    def fetched(self, prefix: str) -> list[str]:
        return [e["path"] for e in self.log if e["path"].startswith(prefix)]

    # ------------------------------------------------------------ pages

    def home_links(self) -> list[str]:
        calm = list(CALM)
        return [calm[0], *BAD[:4], calm[1], *BAD[4:], *TRAPS, LONG_PATH, calm[2], *NON_HTTP_LINKS,
                *self.forbidden_links, "/redirect/evil", "/redirect/evil-name"]

    def respond(self, raw_path: str) -> tuple[int, list[tuple[str, str]], bytes, bool]:
        parts = urlsplit(raw_path)
        path, query = parts.path, parts.query
        html_utf8 = [("Content-Type", "text/html; charset=utf-8")]
        if raw_path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n", False
        if path == "/":
            return 200, html_utf8, page_with_block("Hostile Gazette", self.home_links()), False
        if path in CALM:
            return 200, html_utf8, article_html(CALM[path], path).encode(), False
        if path == "/bad/malformed":
            return 200, html_utf8, malformed_html(BAD_ARTICLES[path]).encode(), False
        if path == "/bad/no-charset":
            return 200, [("Content-Type", "text/html")], article_html(BAD_ARTICLES[path], path, None).encode("cp1252"), False
        if path == "/bad/wrong-charset":
            return 200, html_utf8, article_html(BAD_ARTICLES[path], path, "utf-8").encode("latin-1"), False
        if path == "/bad/binary":
            return 200, html_utf8, random.Random(7).randbytes(20_000), False
        if path == "/bad/empty":
            return 200, html_utf8, b"", False
        if path in ("/bad/huge", "/bad/huge-chunked"):
            filler = "<p>" + "padding " * 1000 + "</p>\n"
            text = article_html("A page far too large", path, extra_body=filler * (self.huge_size // len(filler) + 1))
            return 200, html_utf8, text.encode()[: self.huge_size], path.endswith("chunked")
        if path == "/bad/gzip-bomb":
            return 200, [*html_utf8, ("Content-Encoding", "gzip")], self.bomb, False
        if path == "/redirect/loop-a":
            return 302, [("Location", "/redirect/loop-b")], b"", False
        if path == "/redirect/loop-b":
            return 302, [("Location", "/redirect/loop-a")], b"", False
        if path.startswith("/redirect/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return 302, [("Location", f"/redirect/chain/{n + 1}")], b"", False
        if path == "/redirect/file":
            return 302, [("Location", "file:///etc/passwd")], b"", False
        if path == "/redirect/evil":
            return 302, [("Location", self.evil_base + "/from-redirect")], b"", False
        if path == "/redirect/evil-name":
            return 302, [("Location", self.evil_name_base + "/from-redirect")], b"", False
        if path.startswith("/events/"):
            year, month = (int(x) for x in path.split("/")[2:4])
            nxt = (year + month // 12, month % 12 + 1)
            prev = (year - (month == 1), (month - 2) % 12 + 1)
            links = [f"/events/{y}/{m:02d}" for y, m in (nxt, prev)]
            return 200, html_utf8, page_with_block(f"Events {year}-{month:02d}", links), False
        if path == "/search":
            n = len(parse_qsl(query))
            return 200, html_utf8, page_with_block("Search", [f"{raw_path}&p{n}=1"]), False
        if path.startswith("/loop/"):
            return 200, html_utf8, page_with_block("Loop", ["a/"]), False
        if path.startswith("/long/"):
            return 200, html_utf8, article_html("Long", path).encode(), False
        return 404, html_utf8, b"<html><title>Not found</title></html>", False
