"""`scrapy wacz`: a demo crawl packaged as WACZ 1.1.1, checked by the `wacz` package's own validator."""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import time
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl.archive.cdxj import parse_index

from .conftest import REPO, SCRAPY

pytestmark = pytest.mark.integration

# The wacz package lives in a venv of its own (see the Makefile: it pins frictionless and its tree).
WACZ = Path(sys.executable).parent.parent / "wacz" / "bin" / "wacz"
needs_wacz = pytest.mark.skipif(not WACZ.exists(), reason="wacz tool venv missing: make .venv/wacz/.installed")


@pytest.fixture(scope="module")
def crawl(demo_archive):
    return demo_archive


def run_wacz(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SCRAPY, "wacz", *args], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          capture_output=True, text=True, timeout=300)


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(WACZ), "validate", "-f", str(path)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def package(crawl, tmp_path_factory):
    out = tmp_path_factory.mktemp("wacz") / "crawl.wacz"
    proc = run_wacz(str(crawl.warc_dir), "-o", str(out), "--title", "Demo crawl")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return out, proc


@needs_wacz
def test_the_package_validates(package):
    out, _ = package
    proc = validate(out)
    assert proc.returncode == 0 and "the passed WACZ is valid" in proc.stdout, proc.stdout + proc.stderr


@needs_wacz
def test_the_validator_does_catch_a_bad_package(package, tmp_path):
    out, _ = package
    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "pages/pages.jsonl":
                data = data.replace(b"Demo", b"demo") + b'{"url": "http://x/", "ts": "2026-01-01T00:00:00Z"}\n'
            dst.writestr(info, data)
    assert validate(bad).returncode == 1


def test_layout_datapackage_and_stored_warcs(crawl, package):
    out, proc = package
    with zipfile.ZipFile(out) as wacz:
        names = wacz.namelist()
        assert sorted(n for n in names if n.startswith("archive/")) == sorted(f"archive/{w.name}" for w in crawl.warcs)
        for name in names:
            if name.startswith("archive/"):
                # stored, not deflated: a player reads records by offset straight out of the ZIP
                assert wacz.getinfo(name).compress_type == zipfile.ZIP_STORED
                assert wacz.read(name) == (crawl.warc_dir / name.split("/", 1)[1]).read_bytes()
        datapackage = json.loads(wacz.read("datapackage.json"))
        assert datapackage["wacz_version"] == "1.1.1" and datapackage["profile"] == "data-package"
        assert datapackage["title"] == "Demo crawl" and datapackage["software"].startswith("newscrawl/")
        assert sorted(r["path"] for r in datapackage["resources"]) == sorted(
            n for n in names if not n.startswith("datapackage"))
        digest = json.loads(wacz.read("datapackage-digest.json"))
        import hashlib

        assert digest["hash"] == "sha256:" + hashlib.sha256(wacz.read("datapackage.json")).hexdigest()

        # the merged index (compressed CDXJ, its blocks listed in index.idx) is sorted and
        # every line finds its record inside the ZIP
        assert wacz.getinfo("indexes/index.cdx.gz").compress_type == zipfile.ZIP_STORED
        idx = wacz.read("indexes/index.idx").decode().splitlines()
        assert idx[0].startswith('!meta 0 {"format": "cdxj-gzip-1.0"')
        blocks = wacz.read("indexes/index.cdx.gz")
        lines = []
        for block in idx[1:]:
            where = json.loads(block.split(" ", 2)[2])
            lines += gzip.decompress(blocks[where["offset"]:where["offset"] + where["length"]]).decode().splitlines()
            assert lines[-len(gzip.decompress(blocks[where["offset"]:where["offset"] + where["length"]]).decode()
                              .splitlines())].startswith(block.split(" {", 1)[0])
        assert lines == sorted(lines) and len(lines) == sum(
            len((w.with_name(w.name + ".cdxj")).read_text().splitlines()) for w in crawl.warcs)
        for entry in parse_index(lines):
            with wacz.open(f"archive/{entry.filename}") as member:
                member.read(entry.offset)
                record = next(iter(ArchiveIterator(member)))
                assert record.rec_headers.get_header("WARC-Target-URI") == entry.url


def test_pages_are_the_archived_articles(crawl, package):
    out, proc = package
    with zipfile.ZipFile(out) as wacz:
        header, *pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()]
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert {(p["url"], p["title"]) for p in pages} == {(a["url"], a["title"]) for a in crawl.items}
    assert {(p["url"], p["ts"]) for p in pages} == {(a["url"], a["fetched_at"]) for a in crawl.items}
    assert f"{len(crawl.warcs)} WARC file(s)" in proc.stdout and f"{len(crawl.items)} article page(s)" in proc.stdout


@needs_wacz
def test_from_s3_and_what_could_not_be_read(crawl, tmp_path):
    from .s3_servers import MotoServer

    server = MotoServer(tmp_path).start()
    try:
        client = server.client()
        client.create_bucket(Bucket="news")
        for warc in crawl.warcs:
            client.upload_file(str(warc), "news", f"crawls/{warc.name}")
            client.upload_file(str(warc.with_name(warc.name + ".cdxj")), "news", f"crawls/{warc.name}.cdxj")
        env = {"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
        out = tmp_path / "s3.wacz"
        proc = run_wacz("s3://news/crawls/", str(tmp_path / "missing"), "-o", str(out),
                        "-s", f"AWS_ENDPOINT_URL={server.endpoint}", "-s", "AWS_REGION_NAME=us-east-1",
                        "-s", "WARC_S3_ADDRESSING_STYLE=path", env=env)
    finally:
        server.stop()
    # the missing source is named and makes the exit status 1; what could be read is packaged
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    assert "missing: no WARC files found" in proc.stderr
    assert validate(out).returncode == 0
    with zipfile.ZipFile(out) as wacz:
        assert sorted(n for n in wacz.namelist() if n.startswith("archive/")) == sorted(
            f"archive/{w.name}" for w in crawl.warcs)


def test_usage_errors(tmp_path):
    for args, says in ((("x",), "-o FILE.wacz"), (("x", "-o", str(tmp_path / "a.zip")), "ends in .wacz"),
                       (("-o", str(tmp_path / "a.wacz")), "SOURCE")):
        proc = run_wacz(*args)
        assert proc.returncode == 2 and says in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


RWP = Path(__file__).resolve().parent / ".replaywebpage" / "package"  # `make test` fetches it (npm pack)
needs_rwp = pytest.mark.skipif(not (RWP / "ui.js").exists(), reason="ReplayWeb.page missing: make tests/.replaywebpage/package/ui.js")


@needs_rwp
def test_the_package_replays_in_replaywebpage(crawl, package, tmp_path):
    """ReplayWeb.page (its own ui.js and service worker) opens the WACZ and shows an archived article."""
    from .browser import ARTIFACTS, chromium
    from .cdp import Browser, frame_contexts, frames, serve_directory

    out, _ = package
    site = tmp_path / "site"
    (site / "replay").mkdir(parents=True)
    shutil.copy(RWP / "ui.js", site / "ui.js")
    shutil.copy(RWP / "sw.js", site / "replay" / "sw.js")
    shutil.copy(out, site / "crawl.wacz")
    article = next(a for a in crawl.items if a.get("title"))
    (site / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><script src="./ui.js"></script></head><body>'
        f'<replay-web-page source="./crawl.wacz" url="{article["url"]}" replayBase="./replay/" embed="replayonly" style="display:block;height:900px">'
        "</replay-web-page></body></html>", encoding="utf-8")
    server = serve_directory(site)
    browser = Browser(chromium(), tmp_path / "profile")
    try:
        cdp = browser.page()
        cdp.call("Page.enable")
        cdp.call("Runtime.enable")
        cdp.call("Page.navigate", url=f"http://127.0.0.1:{server.server_address[1]}/index.html")
        shown, started, reloaded = None, time.monotonic(), False
        while shown != article["title"] and time.monotonic() < started + 120:
            time.sleep(0.5)
            contexts = frame_contexts(cdp)
            seen = frames(cdp)
            if not reloaded and time.monotonic() > started + 20 and not any("mp_/" in f["url"] for f in seen):
                # The first visit can load the replay frame before the service worker controls it (a
                # slow machine); a reload is what a user would do, and then the worker serves it.
                cdp.call("Page.reload")
                reloaded = True
                continue
            for frame in seen:
                # the replayed page: /replay/w/<collection>/[<wacz>/]<timestamp>mp_/<archived URL>
                if "mp_/" in frame["url"] and article["url"] in frame["url"] and frame["id"] in contexts:
                    result = cdp.call("Runtime.evaluate", contextId=contexts[frame["id"]],
                                      expression="(document.querySelector('h1') || {}).innerText || ''")
                    shown = result.get("result", {}).get("value")
        ARTIFACTS.mkdir(exist_ok=True)
        shot = cdp.call("Page.captureScreenshot", format="png")["data"]
        (ARTIFACTS / "replaywebpage-article.png").write_bytes(base64.b64decode(shot))
        print(f"screenshot: {ARTIFACTS / 'replaywebpage-article.png'}")
    finally:
        browser.close()
        server.shutdown()
    assert shown == article["title"]
