"""`scrapy serve`: the archive in pywb, looked at with headless Chromium, from local WARC files and from S3."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from newscrawl.archive.cdxj import index_path, parse_index

from .browser import load, screenshot
from .conftest import REPO, SCRAPY
from .s3_servers import MotoServer, free_port, wait_for_port

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
        deadline = time.monotonic() + 120  # generous: xdist workers share the cores
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/{path}", timeout=30) as response:
                    return response.read().decode("utf-8", "replace")
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
    articles = [a for a in crawl.items if a.get("title")]
    serving = Serving(str(crawl.warc_dir))
    try:
        first = articles[0]
        page = load(f"{serving.base}/{first['url']}", tmp_path / "profile")
        assert first["title"] in page.dom, page.dom[:2000]
        shot = screenshot(f"{serving.base}/{first['url']}", tmp_path / "profile", "serve-article.png")
        assert shot.stat().st_size > 10_000
        # a given capture, by its timestamp; and another publisher's article
        entry = next(e for w in crawl.warcs for e in parse_index(index_path(w).read_text().splitlines())
                     if e.url == first["url"])
        assert first["title"] in serving.get(f"{entry.timestamp}/{first['url']}")
        other = next(a for a in articles if a["url"].split("/")[2] != first["url"].split("/")[2])
        assert other["title"] in serving.get(other["url"])
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
            article = next(a for a in crawl.items if a.get("title"))
            assert article["title"] in serving.get(article["url"])
        finally:
            code, out = serving.stop()
        assert code == 0, out
    finally:
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
