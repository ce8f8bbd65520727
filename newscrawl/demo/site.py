"""The demo site: three publishers and one off-site host, each on its own loopback address.

All hosts share one port, so a start URL's host:port is the only thing that tells the
publishers apart. Transport quirks are per publisher, as real sites differ:

* globe   – gzip (Content-Encoding: gzip + Content-Length) whenever Accept-Encoding allows it
* herald  – Transfer-Encoding: chunked on every HTTP/1.1 response, no Content-Length
* courier – plain identity bodies with Content-Length
* offsite – must never be asked for anything; it answers and logs, so the tests can see it

Every exchange is appended to ``DemoSite.log``; the tests compare it with
``expected_fetches()``.

``set_edition(2)`` turns the site into its next state (``content.EDITIONS``): some
articles updated, some new, every other page byte-identical, as a scheduled crawler
finds a news site on its next run. ``hold(path)`` keeps requests for a path waiting
until ``release()``, so a test can keep a crawl running as long as it needs.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from . import content, templates
from .content import Publisher, Story

TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "igshid"}


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, site: "DemoSite", host_name: str):
        self.site = site
        self.host_name = host_name  # publisher name, or "offsite"
        super().__init__(address, _Handler)

    @property
    def label(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked responses and keep-alive
    server_version = "NewscrawlDemo/1.0"
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve(head=False, method_allowed=False)

    def _serve(self, head: bool, method_allowed: bool = True) -> None:
        site = self.server.site
        if method_allowed:
            resp = site._respond(self.server.host_name, self.path)
        else:
            resp = _Response(405, b"Method not allowed\n", [("Content-Type", "text/plain; charset=utf-8"), ("Allow", "GET, HEAD")])

        body = resp.body
        encoding = None
        if self.server.host_name == "globe" and body and _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, compresslevel=6, mtime=0)  # mtime=0: same bytes every time
            encoding = "gzip"
        chunked = self.server.host_name == "herald" and self.request_version == "HTTP/1.1" and not head

        sent = b"" if head else body
        site._record({
            "host": self.server.label,
            "method": self.command,
            "path": self.path,
            "url": f"http://{self.server.label}{self.path}",
            "status": resp.status,
            "sha1": hashlib.sha1(sent).hexdigest(),
            "content_encoding": encoding,
            "chunked": chunked,
        })

        self.send_response(resp.status)
        for name, value in resp.headers:
            self.send_header(name, value)
        if self.server.host_name == "globe":
            self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        # about four chunks per body
        send_body(self, body, chunk_size=max(1, -(-len(body) // 4)) if chunked else None, head=head)


def send_body(handler: BaseHTTPRequestHandler, body: bytes, chunk_size: int | None = None,
              head: bool = False) -> None:
    """End the headers with the body's framing and send it: Content-Length, or chunked
    (``Transfer-Encoding: chunked``) in pieces of ``chunk_size`` bytes, each flushed."""
    if chunk_size:
        handler.send_header("Transfer-Encoding", "chunked")
    else:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if head:
        return
    if chunk_size:
        for i in range(0, len(body), chunk_size):
            piece = body[i:i + chunk_size]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")
    else:
        handler.wfile.write(body)
    handler.wfile.flush()


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            return True
    return False


def _html(status: int, text: str, charset: str = "utf-8", extra: list[tuple[str, str]] | None = None) -> _Response:
    return _Response(status, text.encode(charset), [("Content-Type", f"text/html; charset={charset}"), *(extra or [])])


def _make_pdf(title: str) -> bytes:
    """A small, valid one-page PDF (correct xref offsets), built with the stdlib."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
    stream = b"BT /F1 18 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF_BYTES = _make_pdf("G7 Leaders' Communique, Hiroshima, 20 May 2023")
FILES = {("globe", content.G_PDF): ("application/pdf", PDF_BYTES)}


class DemoSite:
    """The bundled demo news site. ``start()``, crawl ``start_urls``, compare, ``stop()``.

    A subclass serves another set of publishers: it names them (``PUBLISHERS``,
    ``publishers_in``) and their templates (``HOME``, ``SECTION``, ``ARTICLE``).
    """

    PUBLISHERS: list[Publisher] = content.PUBLISHERS
    OFFSITE_PATHS: list[str] = content.OFFSITE_PATHS
    HOME, SECTION, ARTICLE = templates.HOME, templates.SECTION, templates.ARTICLE

    @staticmethod
    def publishers_in(edition: int) -> list[Publisher]:
        return content.publishers(edition)

    def __init__(self, host_prefix: str = "127.0.0.", first_octet: int = 11, port: int = 0):
        self.host_prefix = host_prefix
        self.first_octet = first_octet
        self.log: list[dict] = []
        self._log_lock = threading.Lock()
        self._hits: dict[tuple[str, str], int] = {}
        self._threads: list[threading.Thread] = []
        self._held: set[str] = set()
        self._released = threading.Event()
        self.waiting = 0  # requests now kept waiting by hold()
        self._pubs = {p.name: p for p in self.PUBLISHERS}
        self._addr = {p.name: f"{host_prefix}{first_octet + p.octet_offset}" for p in self.PUBLISHERS}
        self._addr["offsite"] = f"{host_prefix}{first_octet + 9}"
        self._servers = self._bind(port)
        self.port = self._servers[0].server_address[1]
        self.publishers = {name: f"http://{self._addr[name]}:{self.port}" for name in self._pubs}
        self.offsite_base = f"http://{self._addr['offsite']}:{self.port}"
        self.start_urls = [self.publishers[p.name] + p.start_path for p in self.PUBLISHERS]
        self.edition = 1
        self.set_edition(1)

    def set_edition(self, edition: int) -> None:
        """Serve the site as it is in ``edition`` (1, the default, or 2; see ``content.EDITIONS``)."""
        pubs = {p.name: p for p in self.publishers_in(edition)}
        ctx = {name: templates.Ctx(p, self.publishers[name], self.offsite_base) for name, p in pubs.items()}
        routes = {name: self._build_routes(p) for name, p in pubs.items()}
        # One assignment, so a request being served sees one edition or the other, never a mix.
        self._served = (pubs, ctx, routes)
        self._pubs, self._ctx, self._routes = pubs, ctx, routes
        self.edition = edition

    # ---------------------------------------------------------------- lifecycle

    def _bind(self, port: int) -> list[_Server]:
        names = [*self._pubs, "offsite"]
        last_error: OSError | None = None
        for _ in range(50 if port == 0 else 1):
            servers: list[_Server] = []
            try:
                for name in names:
                    chosen = servers[0].server_address[1] if servers else port
                    servers.append(_Server((self._addr[name], chosen), self, name))
                return servers
            except OSError as exc:  # port taken on one of the addresses: try another
                last_error = exc
                for server in servers:
                    server.server_close()
        raise OSError(f"could not bind one port on {[self._addr[n] for n in names]}: {last_error}")

    def start(self) -> "DemoSite":
        for server in self._servers:
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                 name=f"demo-{server.host_name}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self.release()
        for server in self._servers:
            if self._threads:
                server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []

    def __enter__(self) -> "DemoSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def hold(self, *paths: str) -> None:
        """Keep requests for these paths (as requested, query included) waiting until ``release()``."""
        self._released.clear()
        self._held.update(paths)

    def release(self) -> None:
        self._held.clear()
        self._released.set()

    # ---------------------------------------------------------------- ground truth

    def expected_fetches(self, edition: int | None = None, policy: str = "all") -> set[str]:
        """Every URL the crawler must request (hand-written in content.py).

        ``edition``: the site's state (default: the one served now). ``policy``:
        ``"all"`` for a first run, or any run with ``RECRAWL_ARTICLES_AFTER=0``;
        ``"default"`` for a run with the default recrawl policy that follows a
        complete run of the edition before (of the same edition, for edition 1):
        robots.txt, start and section pages, and the articles new in ``edition``.
        """
        edition = self.edition if edition is None else edition
        if policy == "all":
            return {self.publishers[p.name] + path for p in self.publishers_in(edition) for path in p.expected_fetches}
        if policy == "default":
            return {self.publishers[name] + path for name, change in content.EDITIONS[edition].items()
                    for path in change.default_policy_fetches}
        raise ValueError(f"policy={policy!r}: 'all' or 'default'")

    def expected_captures(self, edition: int | None = None, policy: str = "all", first_run: bool = False) -> dict[str, str]:
        """URL -> what the archive must make of its last fetch in a run (the middleware's capture kinds).

        ``first_run``: the state is empty, every capture is ``"new"``. Otherwise the run follows
        a complete run of the edition before (see ``expected_fetches``): ``"new"`` for articles
        new in ``edition``, ``"refetched"`` for redirects and errors, ``"changed"`` for pages
        whose bytes changed (``content.EDITIONS``), ``"revisit"`` for the byte-identical rest.
        """
        edition = self.edition if edition is None else edition
        fetched = self.expected_fetches(edition, policy)
        if first_run:
            return dict.fromkeys(fetched, "new")
        change = content.EDITIONS[edition] if edition > 1 else {}
        new = {self.publishers[n] + s.path for n, c in change.items() for s in c.new_stories}
        changed = {self.publishers[n] + path for n, c in change.items() for path in c.changed_pages}
        out = {}
        for url in fetched:
            if url in new:
                out[url] = "new"
            elif self.expected_status(url) != 200:
                out[url] = "refetched"
            else:
                out[url] = "changed" if url in changed else "revisit"
        return out

    def expected_status(self, url: str) -> int:
        """The status a URL answers with (after the one 503 of a flaky page)."""
        for name, base in self.publishers.items():
            if url.startswith(base + "/"):
                route = self._routes[name].get(_without_tracking(url[len(base):]))
                if route is None:
                    return 404
                return route[1] if route[0] == "redirect" else 200
        return 200

    def must_not_fetch(self) -> set[str]:
        """URLs linked somewhere on the site that the crawler must never request."""
        urls = {self.publishers[p.name] + path for p in self.PUBLISHERS for path in p.must_not_fetch}
        urls |= {self.offsite_base + path for path in self.OFFSITE_PATHS}
        if "herald" in self.publishers:
            urls.add(self.publishers["herald"] + content.H_PRIVATE)
        return urls

    @property
    def special_urls(self) -> dict[str, str]:
        """The URLs that exercise one crawler rule each, by name."""
        g, h, c = self.publishers["globe"], self.publishers["herald"], self.publishers["courier"]
        return {
            "redirect_301": g + content.G_CALEDONIA_OLD,
            "redirect_301_target": g + content.G_CALEDONIA,
            "redirect_302_first": h + content.H_GO,
            "redirect_302_second": h + content.H_GO_STEP2,
            "redirect_302_target": h + content.H_AEGEAN,
            "not_found": g + content.G_DELETED,
            "flaky_503": g + content.G_PARIS,
            "pdf": g + content.G_PDF,
            "tracking_variants_target": g + content.G_FLOODS,
            "page2_kept": h + content.H_SUDAN_P2,
            "cp1252": h + content.H_ZURICH,
            "robots_disallowed": h + content.H_PRIVATE,
            "offsite": self.offsite_base + content.OFFSITE_PATHS[0],
            "read_more_only": g + content.G_READ_MORE_ONLY,
            "globe_section": g + content.G_SECTION,
            "herald_section": h + content.H_SECTION,
            "courier_section": c + content.C_SECTION,
            "date_only": c + content.C_MONGOLIA,
        }

    def expected_articles(self, edition: int | None = None) -> dict[str, dict]:
        """final URL -> the article the extraction must produce from that page (in ``edition``, default: now)."""
        out = {}
        pubs = self.publishers_in(self.edition if edition is None else edition)
        for p in pubs:
            base = self.publishers[p.name]
            for s in p.stories:
                url = base + s.path
                out[url] = {
                    "url": url,
                    "canonical_url": url if s.canonical == "same" else s.canonical,
                    "title": s.title,
                    "summary": s.summary,
                    "authors": list(s.authors),
                    "published": s.published,
                    "modified": s.modified,
                    "section": s.section,
                    "tags": list(s.tags),
                    "language": p.language,
                    "publisher": p.title,
                    "body": "\n\n".join(s.paragraphs),
                    "images": [{"url": base + i.src, "caption": i.caption, "credit": i.credit} for i in s.images],
                    "related_urls": self._related(p, url, s.latest),
                }
        return out

    def _related(self, pub: Publisher, page_url: str, links: list) -> list[str]:
        ctx = self._ctx[pub.name]
        seen: list[str] = []
        for link in links:
            if link.ignored:
                continue
            url = urljoin(page_url, ctx.href(link.clean))
            if url not in seen:
                seen.append(url)
        return seen

    def latest_links(self, url: str) -> list[str]:
        """The cleaned Latest World News links of any crawled page (home pages included), in the edition served now."""
        for p in self._pubs.values():
            base = self.publishers[p.name]
            if url == base + p.start_path and p.home_latest:
                return self._related(p, url, p.home_latest)
            for s in p.stories:
                if url == base + s.path:
                    return self._related(p, url, s.latest)
        return []

    # ---------------------------------------------------------------- serving

    def _record(self, entry: dict) -> None:
        with self._log_lock:
            self.log.append(entry)

    def _hit(self, host: str, key: str) -> int:
        with self._log_lock:
            n = self._hits.get((host, key), 0) + 1
            self._hits[(host, key)] = n
            return n

    def _build_routes(self, pub: Publisher) -> dict[str, tuple]:
        routes: dict[str, tuple] = {}
        for path in pub.must_not_fetch:
            routes[path] = ("stub", path)
        routes["/robots.txt"] = ("robots",)
        if pub.name in self.HOME:
            routes[pub.start_path] = ("home",)
        routes[pub.section_path] = ("section",)
        for s in pub.stories:
            routes[s.path] = ("story", s)
        for path, (status, location) in pub.redirects.items():
            routes[path] = ("redirect", status, location)
        for (name, path), (ctype, data) in FILES.items():
            if name == pub.name:
                routes[path] = ("file", ctype, data)
        return routes

    def _respond(self, host_name: str, raw_path: str) -> _Response:
        if raw_path in self._held:
            with self._log_lock:
                self.waiting += 1
            while raw_path in self._held:
                self._released.wait(0.05)
            with self._log_lock:
                self.waiting -= 1
        if host_name == "offsite":
            return _html(200, templates.stub_page("Partner site", "Off-site page: a crawler must never fetch this."))
        _pubs, ctxs, all_routes = self._served
        routes = all_routes[host_name]
        key = raw_path if raw_path in routes else _without_tracking(raw_path)
        route = routes.get(key)
        if route is None:
            return _html(404, templates.stub_page("Page not found", "Sorry, we could not find that page."))
        ctx = ctxs[host_name]
        kind = route[0]
        if kind == "robots":
            return _Response(200, ctx.pub.robots_txt.encode(), [("Content-Type", "text/plain; charset=utf-8")])
        if kind == "redirect":
            _, status, location = route
            location = ctx.href(location)
            return _html(status, templates.stub_page("Moved", f"This page has moved to {location}"), extra=[("Location", location)])
        if kind == "file":
            return _Response(200, route[2], [("Content-Type", route[1])])
        if kind == "home":
            return _html(200, self.HOME[host_name](ctx))
        if kind == "section":
            return _html(200, self.SECTION[host_name](ctx), charset=ctx.pub.section_charset)
        if kind == "stub":
            return _html(200, templates.stub_page(ctx.pub.title, f"A page the crawler must not visit: {route[1]}"))
        story: Story = route[1]
        if key in ctx.pub.flaky and self._hit(host_name, key) == 1:
            return _html(503, templates.stub_page("Service unavailable", "Please try again shortly."), extra=[("Retry-After", "1")])
        return _html(200, self.ARTICLE[host_name](ctx, story), charset=story.charset)


def _without_tracking(raw_path: str) -> str:
    """What a real site does with ?utm_source= and friends: ignores them."""
    parts = urlsplit(raw_path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    return parts.path + ("?" + urlencode(query) if query else "")
