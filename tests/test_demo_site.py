"""The demo site serves what its ground truth says, with each publisher's transport quirks.

Loopback only. Each test gets a fresh site (the 503 counter and the log are per site).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from newscrawl.demo import content
from newscrawl.demo.site import DemoSite

REPO = Path(__file__).resolve().parents[1]
ARTICLE_KEYS = {"url", "canonical_url", "title", "summary", "authors", "published", "modified", "section",
                "tags", "language", "publisher", "body", "images", "related_urls"}
LOG_KEYS = {"host", "method", "path", "url", "status", "sha1", "content_encoding", "chunked"}


@pytest.fixture
def site():
    s = DemoSite(host_prefix="127.0.0.", first_octet=11, port=0)
    s.start()
    yield s
    s.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_no_redirect = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, follow: bool = True, headers: dict | None = None):
    """(status, headers, body bytes as received after de-chunking, final url)."""
    req = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener() if follow else _no_redirect
    try:
        with opener.open(req, timeout=5) as r:
            return r.status, r.headers, r.read(), r.url
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read(), e.url


def raw_get(url: str, headers: dict | None = None) -> tuple[str, dict[str, str], bytes]:
    """One HTTP/1.1 GET over a bare socket: status line, headers, the body bytes exactly as on the wire."""
    parts = urlsplit(url)
    lines = [f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
             f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in header_lines:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status_line, hdrs, body


def dechunk(raw: bytes) -> list[bytes]:
    chunks, pos = [], 0
    while True:
        eol = raw.index(b"\r\n", pos)
        size = int(raw[pos:eol].split(b";")[0], 16)
        if size == 0:
            return chunks
        chunks.append(raw[eol + 2:eol + 2 + size])
        assert raw[eol + 2 + size:eol + 4 + size] == b"\r\n"
        pos = eol + 4 + size


def log_for(site: DemoSite, url: str) -> list[dict]:
    return [e for e in site.log if e["url"] == url]


# ---------------------------------------------------------------------------------- API


def test_api_shape(site):
    port = site.port
    assert port > 0
    assert set(site.publishers) == {"globe", "herald", "courier"}
    assert site.publishers["globe"] == f"http://127.0.0.11:{port}"
    assert site.publishers["herald"] == f"http://127.0.0.12:{port}"
    assert site.publishers["courier"] == f"http://127.0.0.13:{port}"
    assert site.offsite_base == f"http://127.0.0.20:{port}"
    assert len(site.start_urls) == 3
    assert {urlsplit(u).netloc for u in site.start_urls} == {urlsplit(b).netloc for b in site.publishers.values()}


def test_two_sites_get_different_ports():
    with DemoSite() as a, DemoSite() as b:
        assert a.port != b.port
        assert fetch(a.start_urls[1])[0] == fetch(b.start_urls[1])[0] == 200


def test_log_entries_have_the_documented_fields(site):
    fetch(site.start_urls[2])
    (entry,) = site.log
    assert set(entry) == LOG_KEYS
    assert entry == {
        "host": urlsplit(site.start_urls[2]).netloc, "method": "GET", "path": "/",
        "url": site.start_urls[2], "status": 200, "sha1": entry["sha1"],
        "content_encoding": None, "chunked": False,
    }


# ---------------------------------------------------------------------------------- transport


def test_globe_gzip_when_accepted_and_sha1_of_bytes_as_sent(site):
    url = site.start_urls[0]
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("GET", parts.path, headers={"Accept-Encoding": "gzip, deflate"})
    resp = conn.getresponse()
    raw = resp.read()  # http.client does not undo Content-Encoding
    conn.close()
    assert resp.status == 200
    assert resp.getheader("Content-Encoding") == "gzip"
    assert int(resp.getheader("Content-Length")) == len(raw)
    assert resp.getheader("Transfer-Encoding") is None
    page = gzip.decompress(raw).decode("utf-8")
    assert "<h2>Latest World News</h2>" in page
    (entry,) = log_for(site, url)
    assert entry["content_encoding"] == "gzip" and entry["chunked"] is False
    assert entry["sha1"] == hashlib.sha1(raw).hexdigest()


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_globe_identity_when_gzip_not_accepted(site, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    status, hdrs, body = raw_get(site.start_urls[0], headers)
    assert " 200 " in status
    assert "content-encoding" not in hdrs
    assert int(hdrs["content-length"]) == len(body)
    assert body.startswith(b"<!DOCTYPE html>")
    assert site.log[-1]["content_encoding"] is None
    assert site.log[-1]["sha1"] == hashlib.sha1(body).hexdigest()


def test_herald_is_chunked_in_several_chunks(site):
    status, hdrs, raw = raw_get(site.start_urls[1], {"Accept-Encoding": "gzip"})
    assert status.startswith("HTTP/1.1 200")
    assert hdrs["transfer-encoding"] == "chunked"
    assert "content-length" not in hdrs
    assert "content-encoding" not in hdrs
    chunks = dechunk(raw)
    assert len(chunks) >= 3
    body = b"".join(chunks)
    assert b"<h3>Latest world news</h3>" in body
    (entry,) = log_for(site, site.start_urls[1])
    assert entry["chunked"] is True and entry["content_encoding"] is None
    assert entry["sha1"] == hashlib.sha1(body).hexdigest()


def test_herald_cp1252_page_declares_charset_only_in_header(site):
    url = site.special_urls["cp1252"]
    status, hdrs, body, _ = fetch(url)
    assert status == 200
    assert hdrs["Content-Type"] == "text/html; charset=windows-1252"
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1252")
    for s in ("Zürich", "café", "“We sell coffee", "–", "€9"):
        assert html.escape(s, quote=False) in text
    truth = site.expected_articles()[url]
    assert truth["title"] == "Zürich café owners say rent rises threaten a century-old tradition"
    for para in truth["body"].split("\n\n"):
        assert html.escape(para) in text


def test_courier_plain_content_length(site):
    status, hdrs, body = raw_get(site.start_urls[2], {"Accept-Encoding": "gzip"})
    assert " 200 " in status
    assert "content-encoding" not in hdrs and "transfer-encoding" not in hdrs
    assert int(hdrs["content-length"]) == len(body)
    assert b"<b>LATEST   WORLD  news</b>" in body


# ---------------------------------------------------------------------------------- special URLs


def test_robots_txt_on_every_host(site):
    for name, base in site.publishers.items():
        status, hdrs, body, _ = fetch(base + "/robots.txt")
        assert status == 200
        assert hdrs["Content-Type"].startswith("text/plain")
        assert body.startswith(b"User-agent: *")
    robots = RobotFileParser()
    robots.parse(fetch(site.publishers["herald"] + "/robots.txt")[2].decode().splitlines())
    assert not robots.can_fetch("newscrawl", site.special_urls["robots_disallowed"])
    assert robots.can_fetch("newscrawl", site.special_urls["herald_section"])


def test_301_redirect(site):
    status, hdrs, _, _ = fetch(site.special_urls["redirect_301"], follow=False)
    assert status == 301
    assert hdrs["Location"] == site.special_urls["redirect_301_target"]
    status, _, _, final = fetch(site.special_urls["redirect_301"])
    assert (status, final) == (200, site.special_urls["redirect_301_target"])


def test_302_chain_of_two(site):
    first = site.special_urls["redirect_302_first"]
    status, hdrs, _, _ = fetch(first, follow=False)
    assert status == 302
    second = urljoin(first, hdrs["Location"])  # relative Location on purpose
    assert hdrs["Location"].startswith("/") and second == site.special_urls["redirect_302_second"]
    status, hdrs, _, _ = fetch(second, follow=False)
    assert status == 302
    assert hdrs["Location"] == site.special_urls["redirect_302_target"]
    status, _, body, final = fetch(first)
    assert (status, final) == (200, site.special_urls["redirect_302_target"])
    assert [e["status"] for e in site.log[-3:]] == [302, 302, 200]


def test_404(site):
    status, _, body, _ = fetch(site.special_urls["not_found"])
    assert status == 404
    assert site.log[-1]["status"] == 404


def test_503_then_200_per_url(site):
    url = site.special_urls["flaky_503"]
    assert fetch(url)[0] == 503
    status, _, body, _ = fetch(url)
    assert status == 200
    assert fetch(url)[0] == 200
    assert [e["status"] for e in log_for(site, url)] == [503, 200, 200]
    assert html.escape("Armed robbers hit luxury jeweller in central Paris").encode() in body


def test_pdf(site):
    status, hdrs, body, _ = fetch(site.special_urls["pdf"])
    assert status == 200
    assert hdrs["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    xref = int(body.rsplit(b"startxref", 1)[1].split()[0])
    assert body[xref:xref + 4] == b"xref"


def test_tracking_parameters_are_ignored_by_the_server(site):
    target = site.special_urls["tracking_variants_target"]
    a = fetch(target + "?utm_source=x&utm_medium=y")
    b = fetch(target + "?fbclid=abc")
    assert a[0] == b[0] == 200 and a[2] == b[2] == fetch(target)[2]
    p2 = site.special_urls["page2_kept"]
    assert fetch(p2)[0] == 200
    assert fetch(p2.split("?")[0])[0] == 404  # page=2 is part of the page's identity


def test_offsite_host_answers_and_logs(site):
    url = site.special_urls["offsite"]
    assert fetch(url)[0] == 200
    assert site.log[-1]["host"] == urlsplit(site.offsite_base).netloc


# ---------------------------------------------------------------------------------- ground truth


def test_expected_fetches_shape(site):
    exp = site.expected_fetches()
    assert set(site.start_urls) <= exp
    assert {b + "/robots.txt" for b in site.publishers.values()} <= exp
    assert not any(u.startswith(site.offsite_base) for u in exp)
    assert not any("#" in u or "utm_" in u or "fbclid" in u or "gclid" in u for u in exp)
    assert exp.isdisjoint(site.must_not_fetch())
    special = site.special_urls
    for key in ("redirect_301", "redirect_301_target", "redirect_302_first", "redirect_302_second",
                "redirect_302_target", "not_found", "flaky_503", "pdf", "tracking_variants_target",
                "page2_kept", "cp1252", "globe_section", "herald_section", "courier_section"):
        assert special[key] in exp, key
    for key in ("robots_disallowed", "offsite", "read_more_only"):
        assert special[key] not in exp, key


def test_every_expected_fetch_is_served_as_designed(site):
    s = site.special_urls
    designed = {s["redirect_301"]: 301, s["redirect_302_first"]: 302, s["redirect_302_second"]: 302,
                s["not_found"]: 404, s["flaky_503"]: 503}
    for url in sorted(site.expected_fetches()):
        status = fetch(url, follow=False)[0]
        assert status == designed.get(url, 200), url
    assert fetch(s["flaky_503"])[0] == 200


def test_must_not_fetch_urls_exist_so_a_wrong_fetch_is_visible(site):
    for url in site.must_not_fetch():
        assert fetch(url)[0] == 200, url
    assert fetch(site.special_urls["robots_disallowed"])[0] == 200


def test_expected_articles(site):
    arts = site.expected_articles()
    exp = site.expected_fetches()
    assert len(arts) >= 20
    for base in site.publishers.values():
        assert sum(u.startswith(base) for u in arts) >= 6
    for url, a in arts.items():
        assert set(a) == ARTICLE_KEYS
        assert a["url"] == url and url in exp
        assert url not in site.start_urls[1:]  # home pages are not articles
        assert a["title"] and a["summary"] and a["authors"] and a["published"] and a["publisher"]
        assert a["language"] in ("en", "en-GB")
        assert 3 <= len(a["body"].split("\n\n")) <= 17
        for rel in a["related_urls"]:
            assert rel.startswith("http://") and "#" not in rel and "utm_" not in rel and "fbclid" not in rel
            assert not rel.startswith(("mailto:", "javascript:"))
        for img in a["images"]:
            assert img["url"].startswith(url.split("/", 3)[0] + "//" + urlsplit(url).netloc)
            assert img["caption"] and img["credit"]
        status, _, body, _ = fetch(url)
        if status == 503:
            status, _, body, _ = fetch(url)
        assert status == 200
        charset = "cp1252" if url == site.special_urls["cp1252"] else "utf-8"
        text = body.decode(charset)
        for para in a["body"].split("\n\n"):
            assert html.escape(para) in text, (url, para)
    special = site.special_urls
    not_articles = [special[k] for k in ("pdf", "not_found", "redirect_301", "redirect_302_first", "redirect_302_second",
                                         "globe_section", "herald_section", "courier_section")]
    not_articles += site.start_urls[1:] + [b + "/robots.txt" for b in site.publishers.values()]
    assert not set(not_articles) & set(arts)


def test_seed_article_ground_truth(site):
    a = site.expected_articles()[site.start_urls[0]]
    assert a["published"] == "2023-06-18T04:34:00+01:00"
    assert a["authors"] == ["Press Association"]
    assert a["images"][0]["caption"] == "China US Blinken." and a["images"][0]["credit"] == "PA"
    assert a["images"][1] == {"url": a["images"][1]["url"],
                              "caption": "US secretary of state Antony Blinken arrives in Beijing",
                              "credit": "Leah Millis/Pool Photo via AP"}
    assert a["body"].startswith("US secretary of state Antony Blinken arrived in Beijing early on Sunday")
    assert "Read more" not in a["body"] and "Advertisement" not in a["body"] and "By Press Association" not in a["body"]
    g = site.publishers["globe"]
    assert a["related_urls"] == [
        g + content.G_CALEDONIA_OLD, g + content.G_FLOODS, g + content.G_PARIS, site.special_urls["offsite"],
    ]
    courier_first = site.expected_articles()[site.publishers["courier"] + content.C_DUTCH]
    assert courier_first["authors"] == ["Jane Doe", "John Roe"]
    assert not any(u.startswith(("mailto:", "javascript:")) for u in courier_first["related_urls"])


def test_graph_closure_matches_expected_fetches(site):
    """Walk the site's own data with the crawl rules; the hand-written list must agree.

    This guards content.py edits: add a Latest link and forget expected_fetches, and this fails.
    """
    pubs = {site.publishers[p.name]: p for p in content.PUBLISHERS}
    robots = {}
    for base, p in pubs.items():
        rp = RobotFileParser()
        rp.parse(p.robots_txt.splitlines())
        robots[base] = rp
    seen: set[str] = {b + "/robots.txt" for b in pubs}
    queue = [(u, False) for u in site.start_urls]
    while queue:
        url, is_section = queue.pop(0)
        base = next((b for b in pubs if url.startswith(b + "/")), None)
        if base is None or not robots[base].can_fetch("*", url) or url in seen:
            continue
        seen.add(url)
        p = pubs[base]
        path = url[len(base):]
        if path in p.redirects:
            queue.insert(0, (urljoin(url, p.redirects[path][1].replace("{base}", base)), is_section))
            continue
        queue += [(u, False) for u in site.latest_links(url)]
        if path == p.start_path or any(s.path == path for s in p.stories):
            queue.append((base + p.section_path, True))
        if is_section:
            queue += [(urljoin(url, link.clean.replace("{base}", base)), False) for link in p.section_links]
    assert seen == site.expected_fetches()


def _sigint_ignored() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# How the demo process starts out with SIGINT: as from a terminal, or ignored, as in every job a
# non-interactive shell puts in the background (`.ci/run &`, nohup), which Python then leaves ignored.
SIGINT_AT_START = {"default": None, "ignored_as_in_a_background_job": _sigint_ignored}


@pytest.mark.parametrize("sigint_at_start", SIGINT_AT_START.values(), ids=SIGINT_AT_START.keys())
def test_main_serves_and_prints_start_urls(sigint_at_start):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "newscrawl.demo", "--port", "0"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=sigint_at_start)
    try:
        lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        starts = [l.strip() for l in lines if l.strip().startswith("http://") and "/" in l.strip()[7:]]
        assert len(starts) == 5, lines  # three publishers, and the two old-layout ones (PlainSite)
        assert fetch(starts[1])[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)  # as Ctrl-C would
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("the demo site did not stop within 60 s of SIGINT")
    assert proc.returncode == 0
    assert "Stopped after serving" in out
