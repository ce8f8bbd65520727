"""WARC files on S3: the real crawler against moto's server and s3rver, with faults injected.

Every test counts the exchanges the site served and finds each of them in the
bucket afterwards; none may see a ``.open`` key go over the wire, and the spool
must end empty once everything is uploaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.archive.cdxj import write_index
from newscrawl.archive.reader import iter_records, iter_responses
from newscrawl.archive.recovery import complete_prefix
from newscrawl.archive.store import store_from_uri
from newscrawl.archive.store.s3 import S3Store

from .s3_servers import (SERVERS, FaultProxy, NewsSite, crawl_command, crawl_env, start_until_hanging,
                         stats_from_log)

pytestmark = pytest.mark.integration

WARCIO = str(Path(sys.executable).parent / "warcio")
KEY = re.compile(r"^news/(\d{4})/(\d{2})/(\d{2})/(newscrawl-\d{17}-\d{5}-[^-/]+-\d+\.warc\.gz(\.cdxj)?"
                 r"|.+\.manifest\.json)$")


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request, tmp_path_factory):
    srv = SERVERS[request.param](tmp_path_factory.mktemp(request.param)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    srv = SERVERS["moto"](tmp_path_factory.mktemp("moto-faults")).start()
    yield srv
    srv.stop()


@pytest.fixture
def proxy(request):
    srv = request.getfixturevalue("server") if "server" in request.fixturenames else request.getfixturevalue("moto")
    p = FaultProxy(srv.port)
    p.up()
    yield p
    p.down()


_buckets = iter(range(10**6))


def new_bucket(srv) -> str:
    bucket = f"warcs-{next(_buckets)}-{os.getpid()}"
    srv.create_bucket(bucket)
    return bucket


def objects(srv, bucket) -> dict[str, int]:
    out = {}
    for page in srv.client().get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
    return out


def download_all(srv, bucket, dest: Path) -> dict[str, Path]:
    dest.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key in objects(srv, bucket):
        path = dest / key.rsplit("/", 1)[-1]
        srv.client().download_file(bucket, key, str(path))
        paths[key] = path
    return paths


def archived_exchanges(warcs) -> Counter:
    found = Counter()
    for path in warcs:
        for rec in iter_responses(path):
            found[(rec.uri, hashlib.sha1(rec.payload).hexdigest())] += 1
    return found


def assert_every_exchange_archived(site: NewsSite, warcs) -> None:
    found = archived_exchanges(warcs)
    assert site.log
    missing = [e for e in site.log if found[(e["url"], e["sha1"])] < 1]
    assert not missing, missing


def assert_warcio_check(paths) -> None:
    for path in paths:
        proc = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def spool_files(workdir: Path) -> list[Path]:
    return [p for p in (workdir / "spool").rglob("*") if p.is_file()]


def run(cmd, srv, timeout=120):
    return subprocess.run(cmd, cwd=Path(__file__).resolve().parent.parent, env=crawl_env(srv),
                          capture_output=True, text=True, timeout=timeout)


def no_open_key_sent(proxy: FaultProxy) -> None:
    assert proxy.requests
    assert not [r for r in proxy.requests if ".open" in r[1]]


# --- end to end, on both servers ---------------------------------------------------

@pytest.mark.slow
def test_crawl_to_s3_end_to_end(server, proxy, tmp_path):
    bucket = new_bucket(server)
    site = NewsSite(articles=16).start()
    try:
        cmd = crawl_command(tmp_path, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, server,
                            "WARC_MAX_SIZE=15000")
        proc = run(cmd, server)
    finally:
        site.stop()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, log[-3000:]
    stats = stats_from_log(log)
    keys = objects(server, bucket)
    warc_keys = sorted(k for k in keys if k.endswith(".warc.gz"))
    manifest_keys = [k for k in keys if k.endswith(".manifest.json")]
    assert len(warc_keys) >= 3 and len(manifest_keys) == 1
    assert stats["warc/uploaded"] == stats["warc/files"] == len(warc_keys)
    assert stats["warc/pending_files"] == 0 and "warc/upload_failed" not in stats
    for key in keys:
        assert KEY.match(key), key
    assert not [k for k in keys if ".open" in k]
    no_open_key_sent(proxy)
    assert not spool_files(tmp_path)

    files = download_all(server, bucket, tmp_path / "downloaded")
    warcs = [files[k] for k in warc_keys]
    assert_warcio_check(warcs)
    assert_every_exchange_archived(site, warcs)
    assert sum(archived_exchanges(warcs).values()) == len(site.log)

    # keys are dated by the crawl's start (UTC); the manifest describes every file
    manifest = json.loads(files[manifest_keys[0]].read_text())
    start = datetime.fromisoformat(manifest["start"]).astimezone(timezone.utc)
    assert {k.rsplit("/", 1)[0] for k in keys} == {start.strftime("news/%Y/%m/%d")}
    assert manifest["complete"] is True and manifest["pending_files"] == []
    assert manifest["crawl_id"] and manifest["end"] >= manifest["start"]
    assert sorted(f["key"] for f in manifest["files"]) == warc_keys
    for entry in manifest["files"]:
        data = files[entry["key"]].read_bytes()
        assert entry["size"] == len(data) == keys[entry["key"]]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["records"] == len(list(iter_records(files[entry["key"]])))
        assert entry["uploaded"] is True and entry["uri"] == f"s3://{bucket}/{entry['key']}"
        head = server.client().head_object(Bucket=bucket, Key=entry["key"])
        assert head["Metadata"]["sha256"] == entry["sha256"]

    # items point at the objects (s3:// URIs) and the response records in them
    items = [json.loads(line) for line in (tmp_path / "articles.jsonl").read_text().splitlines() if line.strip()]
    by_uri = {f"s3://{bucket}/{k}": files[k] for k in warc_keys}
    for item in items:
        warc = item["warc"]
        offsets = {o: r for o, r in iter_records(by_uri[warc["uri"]])}
        assert offsets[warc["offset"]].rec_headers.get_header("WARC-Record-ID") == warc["record_id"]

    # credentials appear nowhere we write
    # each WARC file's CDXJ index is beside it, sent after it, and is cdxj-indexer's index of it
    index_keys = sorted(k for k in keys if k.endswith(".cdxj"))
    assert index_keys == [k + ".cdxj" for k in warc_keys]
    assert stats["warc/indexes_uploaded"] == stats["warc/indexed"] == len(warc_keys)
    puts = [path for method, path in proxy.requests if method == "PUT"]
    for key in warc_keys:
        put_warc = max(i for i, p in enumerate(puts) if p.split("?")[0].endswith(key))
        put_index = min(i for i, p in enumerate(puts) if p.split("?")[0].endswith(key + ".cdxj"))
        assert put_warc < put_index, key
        expected = write_index(files[key], tmp_path / "expected.cdxj").read_text()
        assert files[key + ".cdxj"].read_text() == expected and expected.strip()
        assert [f["index"] for f in manifest["files"] if f["key"] == key] == [key + ".cdxj"]

    texts = [log, json.dumps(items), *(p.read_text() for p in files.values() if p.suffix == ".json")]
    texts += [r.raw_stream.read().decode() for p in warcs for _o, r in iter_records(p) if r.rec_type == "warcinfo"]
    for text in texts:
        assert server.secret_key not in text
        if server.access_key != server.secret_key:
            assert server.access_key not in text


def test_objects_are_not_public(moto, tmp_path):
    bucket = new_bucket(moto)
    spool = tmp_path / "spool"
    store = make_store(moto, bucket, spool)
    path = store.spool_dir / "x.warc.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not really a warc")
    store.store(closed_file(path))
    store.close()
    [key] = objects(moto, bucket)
    grants = moto.client().get_object_acl(Bucket=bucket, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in str(g["Grantee"]) or "AuthenticatedUsers" in str(g["Grantee"])]


# --- faults --------------------------------------------------------------------

@pytest.mark.slow
def test_s3_down_at_start_then_back_mid_crawl(moto, proxy, tmp_path):
    bucket = new_bucket(moto)
    proxy.down()
    site = NewsSite(articles=40, delay=0.2).start()
    try:
        cmd = crawl_command(tmp_path, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, moto,
                            "WARC_MAX_SIZE=12000", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        crawler = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parent.parent, env=crawl_env(moto),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 180  # generous: xdist workers share the cores
        log_path = tmp_path / "crawl.log"
        # S3 comes back once an upload has failed (botocore's retries and then ours) mid-crawl.
        while time.monotonic() < deadline and crawler.poll() is None and not (
                log_path.exists() and "will retry" in log_path.read_text(encoding="utf-8")):
            time.sleep(0.05)
        assert crawler.poll() is None, "the crawl ended before S3 came back"
        assert not objects(moto, bucket)
        proxy.up()
        assert crawler.wait(90) == 0
    finally:
        site.stop()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    stats = stats_from_log(log)
    assert stats["warc/upload_failed"] >= 1, stats
    assert stats["warc/pending_files"] == 0
    keys = objects(moto, bucket)
    warc_keys = [k for k in keys if k.endswith(".warc.gz")]
    assert len(warc_keys) == stats["warc/files"] >= 3
    files = download_all(moto, bucket, tmp_path / "downloaded")
    assert_warcio_check(files[k] for k in warc_keys)
    assert_every_exchange_archived(site, [files[k] for k in warc_keys])
    no_open_key_sent(proxy)
    assert not spool_files(tmp_path)


def test_s3_goes_away_during_upload_then_upload_pending(moto, proxy, tmp_path):
    bucket = new_bucket(moto)
    proxy.cut_upload_after = 3000  # forward 3 kB of the first WARC PUT, then the server is gone
    site = NewsSite(articles=16).start()
    try:
        cmd = crawl_command(tmp_path, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, moto,
                            "WARC_MAX_SIZE=15000", "WARC_UPLOAD_TIMEOUT=2")
        proc = run(cmd, moto)
    finally:
        site.stop()
    assert proxy.cut_done.is_set()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    stats = stats_from_log(log)
    # the crawl says so: non-zero exit, failures and pending files in its stats
    assert proc.returncode != 0
    assert stats["warc/upload_failed"] >= 1 and stats["warc/pending_files"] >= 1, stats
    assert "scrapy upload_pending" in log
    spooled = spool_files(tmp_path)
    assert len([p for p in spooled if p.name.endswith(".warc.gz")]) >= 1
    assert not [p for p in spooled if p.name.endswith(".open")]
    assert not [k for k in objects(moto, bucket) if ".open" in k]

    # the server is back: `scrapy upload_pending` uploads everything the crawl left
    proxy.cut_upload_after = None
    proxy.up()
    cmd = [sys.executable, "-m", "scrapy", "upload_pending", "-s", f"WARC_STORE=s3://{bucket}/news",
           "-s", f"WARC_SPOOL_DIR={tmp_path / 'spool'}", "-s", f"AWS_ENDPOINT_URL={proxy.endpoint}",
           "-s", "AWS_REGION_NAME=us-east-1", "-s", "WARC_S3_ADDRESSING_STYLE=path",
           *[a for k, v in moto.settings.items() for a in ("-s", f"{k}={v}")]]
    up = run(cmd, moto)
    assert up.returncode == 0, up.stdout + up.stderr
    assert "still pending        : 0" in up.stdout
    assert not spool_files(tmp_path)
    keys = objects(moto, bucket)
    warc_keys = [k for k in keys if k.endswith(".warc.gz")]
    assert len(warc_keys) == stats["warc/files"]
    [manifest_key] = [k for k in keys if k.endswith(".manifest.json")]
    files = download_all(moto, bucket, tmp_path / "downloaded")
    assert_warcio_check(files[k] for k in warc_keys)
    assert_every_exchange_archived(site, [files[k] for k in warc_keys])
    no_open_key_sent(proxy)
    # the crawl's manifest, written while files were pending, now says they are all stored
    manifest = json.loads(files[manifest_key].read_text())
    assert manifest["complete"] is True and manifest["pending_files"] == [] and manifest["completed_at"]
    assert sorted(f["key"] for f in manifest["files"]) == sorted(warc_keys)
    for listed in manifest["files"]:
        assert listed["uploaded"] is True
        assert listed["sha256"] == hashlib.sha256(files[listed["key"]].read_bytes()).hexdigest()


@pytest.mark.slow
def test_sigkill_while_writing_then_restart(moto, proxy, tmp_path):
    bucket = new_bucket(moto)
    site = NewsSite(articles=12).start()
    site.hang.add("/world/story-11")
    try:
        cmd = crawl_command(tmp_path, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, moto,
                            "WARC_MAX_SIZE=1000000000")
        crawler = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parent.parent, env=crawl_env(moto),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        served_before = 14  # robots, home, section, 11 stories (the 12th hangs)
        deadline = time.monotonic() + 180  # generous: xdist workers share the cores
        open_files = []
        while time.monotonic() < deadline:
            open_files = list((tmp_path / "spool").rglob("*.open"))
            if len(site.log) >= served_before and open_files and \
                    complete_prefix(open_files[0])[1] == 1 + 2 * served_before:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"crawl did not reach the hanging page: {len(site.log)} served")
        crawler.send_signal(signal.SIGKILL)
        crawler.wait(10)
        [open_path] = open_files
        assert not objects(moto, bucket)
        # as if the kill had torn a record in half
        with open(open_path, "ab") as stream:
            stream.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + os.urandom(500))
        # and as if it had been killed while cdxj-indexer wrote an index: a half-written one
        half_index = open_path.with_name(open_path.name.removesuffix(".open") + ".cdxj.tmp")
        half_index.write_text('com,example)/ 20240101000000 {"url": "http://exa', encoding="utf-8")
        site.hang.clear()
        first_log = list(site.log)

        proc = run(cmd, moto)
    finally:
        site.stop()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, log[-3000:]
    assert "Repaired WARC file" in log
    stats = stats_from_log(log)
    assert stats["warc/recovered_files"] == 1 and stats["warc/recovered_bytes_cut"] == 510
    assert stats["warc/leftover_uploaded"] == 1
    assert f"Removed {half_index.name}, an index left half-written by a crawler that stopped" in log
    assert stats["warc/index_tmp_removed"] == 1 and not half_index.exists()
    keys = objects(moto, bucket)
    warc_keys = [k for k in keys if k.endswith(".warc.gz")]
    assert sorted(k for k in keys if k.endswith(".cdxj")) == sorted(k + ".cdxj" for k in warc_keys)
    assert len(warc_keys) == 2 and open_path.name.removesuffix(".open") in " ".join(warc_keys)
    files = download_all(moto, bucket, tmp_path / "downloaded")
    assert_warcio_check(files[k] for k in warc_keys)
    assert_every_exchange_archived(site, [files[k] for k in warc_keys])
    # the first crawl's exchanges are all in its repaired file
    repaired = files[next(k for k in warc_keys if open_path.name.removesuffix(".open") in k)]
    found = archived_exchanges([repaired])
    assert all(found[(e["url"], e["sha1"])] for e in first_log)
    no_open_key_sent(proxy)
    assert not spool_files(tmp_path)


@pytest.mark.slow
def test_second_ctrl_c_exits_at_once_and_the_next_start_repairs(moto, proxy, tmp_path):
    bucket = new_bucket(moto)
    site = NewsSite(articles=10).start()
    site.hang.add("/world/story-9")
    try:
        # A long download timeout: a graceful stop would wait for the hanging page; a forced one does not.
        cmd = crawl_command(tmp_path, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, moto,
                            "DOWNLOAD_TIMEOUT=60", "RETRY_ENABLED=False")
        crawler = start_until_hanging(cmd, moto, site, tmp_path, served=12)
        crawler.send_signal(signal.SIGINT)
        time.sleep(0.5)
        crawler.send_signal(signal.SIGINT)
        started = time.monotonic()
        crawler.wait(20)
        assert time.monotonic() - started < 15
        assert list((tmp_path / "spool").rglob("*.open")), "a forced stop leaves its file open"
        first_log = list(site.log)
        site.hang.clear()
        proc = run(cmd, moto)
    finally:
        site.stop()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, log[-3000:]
    assert "Repaired WARC file" in log
    files = download_all(moto, bucket, tmp_path / "downloaded")
    warcs = [path for key, path in files.items() if key.endswith(".warc.gz")]
    assert_warcio_check(warcs)
    found = archived_exchanges(warcs)
    assert all(found[(e["url"], e["sha1"])] for e in first_log)
    assert not spool_files(tmp_path)


# --- the store alone -----------------------------------------------------------

def make_store(srv, bucket, spool, endpoint=None, **settings) -> S3Store:
    values = {"WARC_SPOOL_DIR": str(spool), "AWS_ENDPOINT_URL": endpoint or srv.endpoint,
              "AWS_ACCESS_KEY_ID": srv.access_key, "AWS_SECRET_ACCESS_KEY": srv.secret_key,
              "AWS_REGION_NAME": "us-east-1", "WARC_S3_ADDRESSING_STYLE": "path", "WARC_UPLOAD_TIMEOUT": 30,
              **srv.settings, **settings}
    return store_from_uri(f"s3://{bucket}/news", Settings(values))


def closed_file(path: Path):
    from newscrawl.archive.writer import ClosedFile

    return ClosedFile(path, path.stat().st_size, 0)


def test_multipart_upload_over_threshold(server, proxy, tmp_path):
    bucket = new_bucket(server)
    store = make_store(server, bucket, tmp_path / "spool", endpoint=proxy.endpoint,
                       WARC_MULTIPART_THRESHOLD=1024 * 1024, WARC_MULTIPART_CHUNKSIZE=5 * 1024 * 1024)
    assert isinstance(store, S3Store)
    store.spool_dir.mkdir(parents=True)
    big = store.spool_dir / "big.warc.gz"
    data = os.urandom(11 * 1024 * 1024)  # three parts of 5, 5 and 1 MiB
    big.write_bytes(data)
    small = store.spool_dir / "small.warc.gz"
    small.write_bytes(os.urandom(1000))
    store.store(closed_file(big))
    store.store(closed_file(small))
    store.close()
    assert store.pending_files == [] and store.stats()["warc/uploaded"] == 2
    assert not big.exists() and not small.exists()
    key = f"news/{store.day}/big.warc.gz"
    assert store.uri_for("big.warc.gz") == f"s3://{bucket}/{key}"
    parts = [path for method, path in proxy.requests if method == "PUT" and "partNumber=" in path]
    assert len(parts) == 3
    assert ("POST", f"/{bucket}/{key}?uploads") in proxy.requests
    assert not [p for m, p in proxy.requests if m == "PUT" and "small" in p and "partNumber" in p]
    body = server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()


def test_incomplete_manifest_is_completed_by_the_run_that_stores_its_files(moto, tmp_path):
    """A crawl's manifest went up saying two files were pending; a later run sends one of them
    from the spool, finds the other already in the bucket (another run sent it), and replaces
    the manifest with one that says every file is stored."""
    bucket = new_bucket(moto)
    client = moto.client()
    store = make_store(moto, bucket, tmp_path / "spool")
    store.spool_dir.mkdir(parents=True)
    prefix = f"news/{store.day}"
    spooled = store.spool_dir / "newscrawl-20260101000000000-00000-host-999999.warc.gz"
    spooled_body = os.urandom(3000)
    spooled.write_bytes(spooled_body)
    sent_body = os.urandom(2000)
    sent_key = f"{prefix}/newscrawl-20260101000000000-00001-host-999999.warc.gz"
    client.put_object(Bucket=bucket, Key=sent_key, Body=sent_body,
                      Metadata={"sha256": hashlib.sha256(sent_body).hexdigest()})
    spooled_key = f"{prefix}/{spooled.name}"
    old = {"crawl_id": "old", "complete": False, "pending_files": [spooled_key, sent_key],
           "files": [{"name": Path(k).name, "key": k, "uri": f"s3://{bucket}/{k}", "size": 1, "records": 1,
                      "sha256": None, "uploaded": False} for k in (spooled_key, sent_key)]}
    manifest = store.spool_dir / "newscrawl-old-host-999999.manifest.json"
    manifest.write_text(json.dumps(old))
    client.put_object(Bucket=bucket, Key=f"{prefix}/{manifest.name}", Body=json.dumps(old).encode())

    store.recover()
    store.close()
    assert store.pending_files == [] and not spooled.exists() and not manifest.exists()
    stored = json.loads(client.get_object(Bucket=bucket, Key=f"{prefix}/{manifest.name}")["Body"].read())
    assert stored["complete"] is True and stored["pending_files"] == [] and stored["completed_at"]
    sha = {f["key"]: f["sha256"] for f in stored["files"] if f["uploaded"]}
    assert sha == {spooled_key: hashlib.sha256(spooled_body).hexdigest(), sent_key: hashlib.sha256(sent_body).hexdigest()}
    assert client.get_object(Bucket=bucket, Key=spooled_key)["Body"].read() == spooled_body


def test_crawl_manifest_with_pending_files_stays_in_the_spool(moto, proxy, tmp_path):
    """Uploaded while some of its files are still in the spool, a manifest is kept there too,
    so that the run which uploads them can say so."""
    bucket = new_bucket(moto)
    store = make_store(moto, bucket, tmp_path / "spool", endpoint=proxy.endpoint, WARC_UPLOAD_TIMEOUT=0.5,
                       WARC_UPLOAD_RETRY_DELAY=60)
    store.spool_dir.mkdir(parents=True)
    warc = store.spool_dir / "newscrawl-20260101000000000-00000-host-999999.warc.gz"
    warc.write_bytes(os.urandom(3000))
    proxy.down()
    store.store(closed_file(warc))
    left = store._queue.drain(0.5)  # the file's upload fails and waits for a retry
    job = store._write_manifest({"crawl_id": "now"}, left)
    proxy.up()
    store._upload(job)  # the manifest gets through; its file did not
    assert warc.exists() and job.path.exists()
    later = make_store(moto, bucket, tmp_path / "spool")
    later.recover()
    later.close()
    assert not warc.exists() and not job.path.exists()
    stored = json.loads(moto.client().get_object(Bucket=bucket, Key=job.entry.key)["Body"].read())
    assert stored["complete"] is True and [f["uploaded"] for f in stored["files"]] == [True]
    store._queue.stop()


class _LyingClient:
    """An S3 client whose objects never match what was sent."""

    def __init__(self):
        self.puts = 0

    def upload_file(self, filename, bucket, key, ExtraArgs=None, Config=None):  # noqa: N803
        self.puts += 1

    def head_object(self, **kwargs):
        return {"ContentLength": 3, "ETag": '"0"'}


def test_nothing_is_deleted_unless_verified(tmp_path):
    settings = Settings({"WARC_SPOOL_DIR": str(tmp_path / "spool"), "WARC_UPLOAD_TIMEOUT": 0.5,
                         "WARC_UPLOAD_RETRY_DELAY": 0.05})
    client = _LyingClient()
    store = S3Store("bucket", "news", settings, client=client)
    store.spool_dir.mkdir(parents=True)
    path = store.spool_dir / "a.warc.gz"
    path.write_bytes(b"x" * 100)
    store.store(closed_file(path))
    store.close(manifest={"crawl_id": "t"})
    assert path.exists() and client.puts >= 2  # retried, never deleted
    assert f"news/{store.day}/a.warc.gz" in store.pending_files
    stats = store.stats()
    assert stats["warc/upload_failed"] >= 2 and stats["warc/pending_files"] == 2  # the file and the manifest
    assert "warc/uploaded" not in stats


def test_sigterm_closes_and_uploads_before_exit(moto, proxy, tmp_path):
    bucket = new_bucket(moto)
    site = NewsSite(articles=10).start()
    site.hang.add("/world/story-9")
    try:
        cmd = crawl_command(tmp_path, site.start_urls, f"s3://{bucket}/news", proxy.endpoint, moto,
                            "DOWNLOAD_TIMEOUT=3", "RETRY_ENABLED=False")
        crawler = start_until_hanging(cmd, moto, site, tmp_path, served=12)
        crawler.send_signal(signal.SIGTERM)
        crawler.wait(60)
    finally:
        site.stop()
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert "Received SIGTERM" in log
    assert crawler.returncode == 0, log[-3000:]
    stats = stats_from_log(log)
    assert stats["warc/uploaded"] == 1 and stats["warc/pending_files"] == 0
    keys = objects(moto, bucket)
    assert any(k.endswith(".manifest.json") for k in keys)
    files = download_all(moto, bucket, tmp_path / "downloaded")
    warcs = [files[k] for k in keys if k.endswith(".warc.gz")]
    assert_warcio_check(warcs)
    assert_every_exchange_archived(site, warcs)
    assert not spool_files(tmp_path)
