"""The archive replays in pywb, the reference web-archive player (a real `wayback` server)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from newscrawl.archive.reader import decode_content, iter_responses

from .conftest import run_crawl

pytestmark = pytest.mark.integration
# pywb lives in a venv of its own (see the Makefile): it pins libraries we cannot share.
BIN = Path(sys.executable).parent.parent / "pywb" / "bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(not (BIN / "wayback").exists(), reason="pywb tool venv missing: run `make test`")
def test_pywb_replays_archived_pages(demo_site, tmp_path):
    result = run_crawl(tmp_path, demo_site.start_urls[:1])
    assert result.returncode == 0
    root = tmp_path / "pywb"
    root.mkdir()
    subprocess.run([BIN / "wb-manager", "init", "news"], cwd=root, check=True, capture_output=True)
    subprocess.run([BIN / "wb-manager", "add", "news", *result.warcs], cwd=root, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([BIN / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pages = [r for p in result.warcs for r in iter_responses(p) if r.status == 200 and not r.uri.endswith("robots.txt")]
        assert pages
        for rec in pages[:5]:
            _headers, body = decode_content(rec.headers, rec.payload)
            url = f"http://127.0.0.1:{port}/news/{rec.date[:4]}id_/{rec.uri}"
            deadline = time.monotonic() + 120  # pywb starts slowly when xdist workers share the cores
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        replayed = response.read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"pywb did not answer for {url}")
                    time.sleep(0.2)
            if response.headers.get("Content-Encoding") == "gzip":
                import gzip

                replayed = gzip.decompress(replayed)
            assert replayed == body, rec.uri
    finally:
        server.terminate()
        server.wait(10)
