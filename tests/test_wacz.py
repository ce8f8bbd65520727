"""`scrapy wacz`: a demo crawl packaged as WACZ 1.1.1, checked by the `wacz` package's own validator."""

from __future__ import annotations

import json
import os
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

        # the merged index is sorted and every line finds its record inside the ZIP
        lines = wacz.read("indexes/index.cdxj").decode().splitlines()
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
