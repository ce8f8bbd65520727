"""`scrapy upload_pending` against moto's server: every spooled file listed with its store, found without
``-s WARC_STORE``, and a non-zero exit while files cannot be sent (issue 14, item 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from .s3_servers import SERVERS, FaultProxy, NewsSite, crawl_command, crawl_env

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    srv = SERVERS["moto"](tmp_path_factory.mktemp("moto-upload-pending")).start()
    yield srv
    srv.stop()


@pytest.fixture
def proxy(moto):
    p = FaultProxy(moto.port)
    yield p
    p.down()


def _objects(srv, bucket) -> set[str]:
    pages = srv.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"] for page in pages for o in page.get("Contents", [])}


def _crawl_with_s3_down(tmp_path: Path, moto, proxy, store: str) -> list[Path]:
    """A crawl whose bucket is unreachable all along: exit 3, its WARC files left in the spool."""
    site = NewsSite(articles=6).start()
    try:
        work = tmp_path / store.replace("/", "_").replace(":", "")
        work.mkdir()
        cmd = crawl_command(work, site.start_urls, store, proxy.endpoint, moto, "WARC_MAX_SIZE=15000",
                            "WARC_UPLOAD_TIMEOUT=1", f"WARC_SPOOL_DIR={tmp_path / 'spool'}")
        proc = subprocess.run(cmd, cwd=REPO, env=crawl_env(moto), capture_output=True, text=True, timeout=120)
    finally:
        site.stop()
    log = (work / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 3, log[-3000:]
    assert "is not reachable now" in log  # the pre-flight check's warning: the spool takes the files
    return sorted(p for p in (tmp_path / "spool").rglob("*.warc.gz"))


def _upload_pending(tmp_path: Path, moto, *settings: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """With S3 up, the drain ends as soon as all is sent; down, it gives up after ``timeout`` seconds."""
    cmd = [sys.executable, "-m", "scrapy", "upload_pending", "-s", f"WARC_SPOOL_DIR={tmp_path / 'spool'}",
           "-s", "AWS_REGION_NAME=us-east-1", "-s", "WARC_S3_ADDRESSING_STYLE=path", "-s", f"WARC_UPLOAD_TIMEOUT={timeout}",
           "-s", "WARC_UPLOAD_RETRY_DELAY=0.2", "-s", "WARC_S3_MAX_ATTEMPTS=1", "-s", "WARC_S3_CONNECT_TIMEOUT=1",
           *[a for k, v in moto.settings.items() for a in ("-s", f"{k}={v}")]]
    for setting in settings:
        cmd += ["-s", setting]
    return subprocess.run(cmd, cwd=REPO, env=crawl_env(moto), capture_output=True, text=True, timeout=timeout + 120)


def _uri(bucket: str, prefix: str, spool: Path, path: Path) -> str:
    relative = path.relative_to(spool / bucket / quote(prefix or "_", safe="")).as_posix()
    return f"s3://{bucket}/{prefix + '/' if prefix else ''}{relative}"


def test_upload_pending_reads_the_store_from_the_spool(moto, proxy, tmp_path):
    bucket = f"pending-{os.getpid()}"
    moto.create_bucket(bucket)
    spooled = _crawl_with_s3_down(tmp_path, moto, proxy, f"s3://{bucket}/news")
    assert len(spooled) >= 2
    note = json.loads((tmp_path / "spool" / bucket / "news" / "STORE.json").read_text(encoding="utf-8"))
    assert note == {"store": f"s3://{bucket}/news", "endpoint": proxy.endpoint}

    # Still down: every file listed as pending with its store, exit 1; nothing lost from the spool.
    down = _upload_pending(tmp_path, moto, timeout=3)
    assert down.returncode == 1, down.stdout + down.stderr
    assert f"store s3://{bucket}/news (endpoint {proxy.endpoint}): {len(spooled)} WARC file(s)" in down.stdout
    for path in spooled:
        assert f"PENDING   {_uri(bucket, 'news', tmp_path / 'spool', path)}" in down.stdout
    assert f"still pending        : {len(spooled) + 1}" in down.stdout  # the crawl's manifest waits too
    assert sorted((tmp_path / "spool").rglob("*.warc.gz")) == spooled

    # Back: no WARC_STORE, no AWS_ENDPOINT_URL given; all of it goes up, the spool ends empty.
    proxy.up()
    up = _upload_pending(tmp_path, moto)
    assert up.returncode == 0, up.stdout + up.stderr
    for path in spooled:
        assert f"uploaded  {_uri(bucket, 'news', tmp_path / 'spool', path)}" in up.stdout
    keys = _objects(moto, bucket)
    assert {_uri(bucket, "news", tmp_path / "spool", p).split("/", 3)[3] for p in spooled} <= keys
    assert any(k.endswith(".manifest.json") for k in keys)
    assert not [p for p in (tmp_path / "spool").rglob("*") if p.is_file()]


@pytest.mark.slow
def test_upload_pending_sends_every_store_of_the_spool(moto, proxy, tmp_path):
    first, second = f"pending-a-{os.getpid()}", f"pending-b-{os.getpid()}"
    moto.create_bucket(first)
    moto.create_bucket(second)
    spooled_first = _crawl_with_s3_down(tmp_path, moto, proxy, f"s3://{first}/daily/news")
    spooled_all = _crawl_with_s3_down(tmp_path, moto, proxy, f"s3://{second}")
    spooled_second = [p for p in spooled_all if p not in spooled_first]
    assert spooled_first and spooled_second
    # A spool from before STORE.json: the store is read from its layout, the endpoint from -s.
    (tmp_path / "spool" / second / "_" / "STORE.json").unlink()
    down = _upload_pending(tmp_path, moto, f"AWS_ENDPOINT_URL={proxy.endpoint}", timeout=3)
    assert down.returncode == 1
    assert f"store s3://{first}/daily/news " in down.stdout and f"store s3://{second} " in down.stdout
    proxy.up()
    up = _upload_pending(tmp_path, moto, f"AWS_ENDPOINT_URL={proxy.endpoint}")
    assert up.returncode == 0, up.stdout + up.stderr
    for bucket, prefix, paths in ((first, "daily/news", spooled_first), (second, "", spooled_second)):
        keys = _objects(moto, bucket)
        for path in paths:
            uri = _uri(bucket, prefix, tmp_path / "spool", path)
            assert f"uploaded  {uri}" in up.stdout
            assert uri.split("/", 3)[3] in keys
    assert "still pending        : 0" in up.stdout


def test_upload_pending_refuses_a_bad_setting_in_one_line(moto, tmp_path):
    proc = _upload_pending(tmp_path, moto, "WARC_UPLOAD_TIMEOUT=abc")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("upload_pending: WARC_UPLOAD_TIMEOUT=abc: ")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("problem", ["no such bucket", "no credentials"])
def test_a_bucket_that_will_never_take_files_stops_the_crawl_before_it_fetches(moto, tmp_path, problem):
    bucket = f"present-{os.getpid()}"
    moto.create_bucket(bucket)
    site = NewsSite(articles=4).start()
    try:
        store = f"s3://missing-{os.getpid()}/news" if problem == "no such bucket" else f"s3://{bucket}/news"
        cmd = crawl_command(tmp_path, site.start_urls, store, moto.endpoint, moto, "LOG_LEVEL=INFO")
        env = crawl_env(moto)
        if problem == "no credentials":
            del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        served = list(site.log)
    finally:
        site.stop()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 1, log[-3000:]
    errors = [line for line in log.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and f"Not starting: WARC_STORE {store.rstrip('/')}: " in errors[0], errors
    assert ("does not exist" if problem == "no such bucket" else "no credentials") in errors[0]
    assert "Traceback" not in log + proc.stderr
    assert not served
