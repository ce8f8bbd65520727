"""`scrapy serve`: the archive in pywb, looked at with headless Chromium, from local WARC files and from S3."""

from __future__ import annotations

import html
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from newscrawl.archive.cdxj import index_path, parse_index, write_index
from newscrawl.archive.reader import LocalSource, S3Source, decode_content, read_record_at
from newscrawl.browse.ranges import RangeServer

from .browser import load, screenshot
from .conftest import REPO, SCRAPY
from .s3_servers import FaultProxy, MotoServer, free_port, wait_for_port

pytestmark = pytest.mark.integration

PYWB = Path(os.sys.executable).parent.parent / "pywb" / "bin" / "wayback"
needs_pywb = pytest.mark.skipif(not PYWB.exists(), reason="pywb tool venv missing: make .venv/pywb/.installed")


@pytest.fixture
def crawl(demo_archive):
    return demo_archive


class Serving:
    def __init__(self, *args: str, env: dict | None = None):
        self.port = free_port()
        self.proc = subprocess.Popen([*SCRAPY, "serve", *args, "--port", str(self.port)], cwd=REPO,
                                     env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for_port(self.port, timeout=60, proc=self.proc)
        self.base = f"http://127.0.0.1:{self.port}/archive"

    def get(self, path: str) -> str:
        """The page pywb serves, decoded by the charset its Content-Type names (pywb keeps the page's own),
        with character references resolved (a title is ``farmers&#x27; party`` in one publisher's HTML)."""
        body, charset = self._get(path)
        return html.unescape(body.decode(charset or "utf-8", "replace"))

    def get_bytes(self, path: str) -> bytes:
        return self._get(path)[0]

    def _get(self, path: str) -> tuple[bytes, str | None]:
        deadline = time.monotonic() + 120  # generous: xdist workers share the cores
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/{path}", timeout=30) as response:
                    return response.read(), response.headers.get_content_charset()
            except urllib.error.HTTPError as exc:  # pywb answered: no point asking again
                pytest.fail(f"pywb answered {exc.code} for {path}")
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"pywb did not answer for {path}")
                time.sleep(0.2)

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=30)
        return self.proc.returncode, out


@needs_pywb
def test_serve_shows_archived_articles_in_a_browser(crawl, tmp_path):
    # In URL order, not the crawl's (which a busy machine shuffles): the same pages every run
    articles = sorted((a for a in crawl.items if a.get("title")), key=lambda a: a["url"])
    serving = Serving(str(crawl.warc_dir))
    try:
        first = articles[0]
        page = load(f"{serving.base}/{first['url']}", tmp_path / "profile")
        assert first["title"] in html.unescape(page.dom), page.dom[:2000]
        shot = screenshot(f"{serving.base}/{first['url']}", tmp_path / "profile", "serve-article.png")
        assert shot.stat().st_size > 10_000
        # a given capture, by its timestamp (the 200: some pages were a 503 first, then retried)
        entry = next(e for w in crawl.warcs for e in parse_index(index_path(w).read_text().splitlines())
                     if e.url == first["url"] and e.status == 200)
        assert first["title"] in serving.get(f"{entry.timestamp}/{first['url']}")
        # every article, so every publisher's way of writing a page: titles with character references
        # (the courier's farmers&#x27;), a windows-1252 page declared only in the header (the herald's)
        for other in articles:
            assert other["title"] in serving.get(other["url"]), other["url"]
    finally:
        code, out = serving.stop()
    assert code == 0, out
    assert f"Serving {len(crawl.warcs)} WARC file(s) with pywb at http://127.0.0.1:{serving.port}/archive/" in out
    with pytest.raises(OSError):  # pywb went with it
        urllib.request.urlopen(f"{serving.base}/{first['url']}", timeout=5)


@needs_pywb
def test_serve_from_s3(crawl, tmp_path):
    server = MotoServer(tmp_path).start()
    try:
        client = server.client()
        client.create_bucket(Bucket="news")
        for warc in crawl.warcs:  # WARC files only: serve writes the indexes it misses
            client.upload_file(str(warc), "news", f"crawls/{warc.name}")
        env = {"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
        serving = Serving("s3://news/crawls/", "-s", f"AWS_ENDPOINT_URL={server.endpoint}",
                          "-s", "AWS_REGION_NAME=us-east-1", "-s", "WARC_S3_ADDRESSING_STYLE=path", env=env)
        try:
            for article in (a for a in crawl.items if a.get("title")):  # every file's index, streamed
                assert article["title"] in serving.get(article["url"]), article["url"]
        finally:
            code, out = serving.stop()
        assert code == 0, out
    finally:
        server.stop()


@needs_pywb
def test_serve_from_s3_reads_only_the_records_it_shows(crawl, tmp_path):
    """One large object (every WARC file of the demo crawl end to end) and its index in S3: a capture
    is served byte for byte as archived, and S3 sends its record's bytes, not the object."""
    big = tmp_path / "newscrawl-all-captures.warc.gz"
    with open(big, "wb") as out:
        for warc in crawl.warcs:  # gzip per record: files end to end are one valid WARC file
            out.write(warc.read_bytes())
    index = write_index(big)
    entries = parse_index(index.read_text().splitlines())
    server = MotoServer(tmp_path).start()
    proxy = FaultProxy(server.port)  # counts the bytes S3 sends
    proxy.up()
    try:
        client = server.client()
        client.create_bucket(Bucket="news")
        client.upload_file(str(big), "news", f"crawls/{big.name}")
        client.upload_file(str(index), "news", f"crawls/{index.name}")
        env = {"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
        serving = Serving("s3://news/crawls/", "-s", f"AWS_ENDPOINT_URL={proxy.endpoint}",
                          "-s", "AWS_REGION_NAME=us-east-1", "-s", "WARC_S3_ADDRESSING_STYLE=path", env=env)
        try:
            shown = [a for a in crawl.items if a.get("title")][:3]
            for article in shown:
                entry = next(e for e in entries if e.url == article["url"] and e.status == 200)
                archived = read_record_at(LocalSource(big), entry.offset)
                before = proxy.received
                # id_: the archived body itself, not rewritten by pywb (which undoes its Content-Encoding)
                body = decode_content(archived.headers, archived.payload)[1]
                assert serving.get_bytes(f"{entry.timestamp}id_/{article['url']}") == body
                fetched = proxy.received - before
                assert entry.length <= fetched <= entry.length + 2000, (fetched, entry.length)  # + HTTP headers
                assert 10 * fetched < big.stat().st_size  # (~84 kB: 2.5-5 kB a capture)
                assert article["title"] in serving.get(f"{entry.timestamp}/{article['url']}")
            gets = [path for method, path in proxy.requests if method == "GET" and big.name in path
                    and not path.split("?")[0].endswith(".cdxj")]
            assert len(gets) == 2 * len(shown)  # one range request per page shown, nothing to set up
            assert all(r and r.startswith("bytes=") for r, (m, path) in zip(proxy.ranges, proxy.requests)
                       if m == "GET" and big.name in path and not path.split("?")[0].endswith(".cdxj"))
        finally:
            code, out = serving.stop()
        assert code == 0, out
    finally:
        proxy.down()
        server.stop()


@pytest.fixture(scope="module")
def moto(demo_archive, tmp_path_factory):
    """A real S3 server holding one of the demo crawl's WARC files, as the RangeServer's source."""
    server = MotoServer(tmp_path_factory.mktemp("moto-ranges")).start()
    client = server.client()
    client.create_bucket(Bucket="news")
    warc = demo_archive.warcs[0]
    client.upload_file(str(warc), "news", f"crawls/{warc.name}")
    yield S3Source(client, "news", f"crawls/{warc.name}", size=warc.stat().st_size), warc.read_bytes()
    server.stop()


# What pywb asks (bytes=A-B for a record; A- when it has no length) and what other readers may.
RANGES = {"a_record": ("bytes=1000-1999", slice(1000, 2000)), "the_first_byte": ("bytes=0-0", slice(0, 1)),
          "to_the_end": ("bytes=5000-", slice(5000, None)), "the_last_bytes": ("bytes=-300", slice(-300, None)),
          "past_the_end": ("bytes=100-999999999", slice(100, None)), "no_range": (None, slice(None))}


@pytest.mark.parametrize("header, part", RANGES.values(), ids=RANGES.keys())
def test_range_server_serves_an_s3_objects_bytes_by_range(moto, header, part):
    source, data = moto
    with RangeServer({"x.warc.gz": source}) as ranges:
        request = urllib.request.Request(ranges.url + "x.warc.gz", headers={"Range": header} if header else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            status, content_range = response.status, response.headers.get("Content-Range")
    assert body == data[part]
    start = part.indices(len(data))[0]
    assert (status, content_range) == ((206, f"bytes {start}-{start + len(body) - 1}/{len(data)}") if header
                                       else (200, None))


# A request the server cannot honour gets a status saying so, never other bytes.
REFUSED = {"unknown_file": ("y.warc.gz", "bytes=0-9", 404), "past_the_end": ("x.warc.gz", "bytes=999999999-", 416),
           "several_ranges": ("x.warc.gz", "bytes=0-9,20-29", 416), "backwards": ("x.warc.gz", "bytes=9-0", 416)}


@pytest.mark.parametrize("name, header, status", REFUSED.values(), ids=REFUSED.keys())
def test_range_server_refuses_what_it_cannot_serve(moto, name, header, status):
    source, _ = moto
    with RangeServer({"x.warc.gz": source}) as ranges:
        request = urllib.request.Request(ranges.url + name, headers={"Range": header})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == status


# Reads that fail while serving, two kinds: the object is gone from S3, the S3 server is down.
@pytest.mark.parametrize("fault", ["object_deleted", "server_down"])
def test_range_server_counts_the_reads_it_could_not_serve(moto, tmp_path, fault):
    source, _ = moto
    if fault == "object_deleted":
        broken = S3Source(source.client, source.bucket, "crawls/gone.warc.gz", size=source.size)
    else:
        dead = MotoServer(tmp_path)  # its port, with nothing listening
        broken = S3Source(dead.client(), source.bucket, source.key, size=source.size)
    with RangeServer({"x.warc.gz": source, "y.warc.gz": broken}) as ranges:
        with urllib.request.urlopen(urllib.request.Request(ranges.url + "x.warc.gz",
                                                           headers={"Range": "bytes=0-99"}), timeout=30) as ok:
            assert len(ok.read()) == 100
        assert ranges.failures == []
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(ranges.url + "y.warc.gz",
                                                          headers={"Range": "bytes=0-99"}), timeout=60)
        assert refused.value.code == 502
        failures = ranges.failures
    assert len(failures) == 1 and failures[0].startswith(f"Cannot read {broken.uri}, bytes 0-"), failures


@needs_pywb
@pytest.mark.parametrize("fault", ["object_deleted", "server_down"])
def test_serve_from_s3_exits_1_when_a_record_could_not_be_read(crawl, tmp_path, fault):
    """Pages shown before the fault are fine; one that needs S3 after it is not shown, and `scrapy serve`
    says so at its end and exits 1 (it was asked to serve what it could not)."""
    server = MotoServer(tmp_path).start()
    proxy = FaultProxy(server.port)
    proxy.up()
    try:
        client = server.client()
        client.create_bucket(Bucket="news")
        for warc in crawl.warcs:
            client.upload_file(str(warc), "news", f"crawls/{warc.name}")
        env = {"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
        serving = Serving("s3://news/crawls/", "-s", f"AWS_ENDPOINT_URL={proxy.endpoint}",
                          "-s", "AWS_REGION_NAME=us-east-1", "-s", "WARC_S3_ADDRESSING_STYLE=path", env=env)
        try:
            first, second = sorted((a for a in crawl.items if a.get("title")), key=lambda a: a["url"])[:2]
            assert first["title"] in serving.get(first["url"])
            if fault == "object_deleted":
                for warc in crawl.warcs:
                    client.delete_object(Bucket="news", Key=f"crawls/{warc.name}")
            else:
                proxy.down()
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(f"{serving.base}/{second['url']}", timeout=120)
        finally:
            code, out = serving.stop()
        assert code == 1, out
        assert "read(s) of archived records failed while serving" in out, out
        assert "Cannot read s3://news/crawls/" in out, out
        assert server.secret_key not in out
    finally:
        proxy.down()
        server.stop()


def test_serve_says_how_to_build_pywb(tmp_path):
    proc = subprocess.run([*SCRAPY, "serve", str(tmp_path), "-s", f"PYWB_DIR={tmp_path / 'none'}"], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines() == [
        "pywb is not installed: build its venv with `make .venv/pywb/.installed` (or set PYWB_DIR)"]


def test_serve_refuses_a_port_in_use(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([*SCRAPY, "serve", str(tmp_path), "--port", str(port)], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 2
    assert f"--port {port}" in proc.stderr and "Traceback" not in proc.stderr
