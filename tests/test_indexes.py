"""CDXJ indexes beside every WARC file, and replays that read only what they match.

A real crawl of the demo site writes the WARC files; each gets the index
cdxj-indexer itself gives for it. Uploaded to a real moto server behind a
counting proxy, `scrapy replay --url/--host` reads each matching record with
one bounded range request, and nothing else of the WARC files.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl.archive.cdxj import index_name, index_path, parse_index, write_index


from .conftest import run_crawl
from .s3_servers import FaultProxy, MotoServer, NewsSite
from .test_replay import ONE, assert_same_articles, run_replay

pytestmark = pytest.mark.integration

CDXJ_INDEXER = str(Path(sys.executable).parent / "cdxj-indexer")
BUCKET = "news-archive"


@pytest.fixture
def crawl(demo_archive):
    return demo_archive


def entries_of(warc: Path):
    return parse_index(index_path(warc).read_text(encoding="utf-8").splitlines())


def test_every_warc_file_has_cdxj_indexers_index_beside_it(crawl):
    for warc in crawl.warcs:
        assert index_path(warc).is_file(), warc.name
        proc = subprocess.run([CDXJ_INDEXER, "--sort", str(warc)], capture_output=True, text=True, check=True)
        assert index_path(warc).read_text(encoding="utf-8") == proc.stdout
        # every entry names its file and points at the record it describes
        with open(warc, "rb") as stream:
            for entry in entries_of(warc):
                assert entry.filename == warc.name
                stream.seek(entry.offset)
                record = next(iter(ArchiveIterator(stream)))
                assert record.rec_headers.get_header("WARC-Target-URI") == entry.url
    assert "'warc/indexed': %d" % len(crawl.warcs) in crawl.log
    [manifest] = crawl.warc_dir.glob("*.manifest.json")
    files = json.loads(manifest.read_text())["files"]
    assert sorted(f["index"] for f in files) == sorted(index_path(w).name for w in crawl.warcs)


def test_an_index_written_from_a_stream_is_the_files_own(crawl, tmp_path):
    """`scrapy serve` indexes an S3 object without an index by streaming it through the indexer (no copy)."""
    for warc in crawl.warcs:
        with open(warc, "rb") as stream:
            written = write_index(Path(warc.name), tmp_path / index_name(warc.name), stream=stream)
        assert written.read_text(encoding="utf-8") == index_path(warc).read_text(encoding="utf-8")


def test_a_stream_the_indexer_cannot_read_is_an_error_and_leaves_no_index(tmp_path):
    # a gzip header, then 3 MB that do not inflate: the indexer stops reading long before the end
    data = b"\x1f\x8b\x08" + random.Random(1).randbytes(3_000_000)
    with pytest.raises(RuntimeError):
        write_index(Path("x.warc.gz"), tmp_path / "x.warc.gz.cdxj", stream=io.BytesIO(data))
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def s3(demo_archive, tmp_path_factory):
    """The crawl's WARC files and indexes in a moto bucket, reached through a proxy that logs every request."""
    server = MotoServer(tmp_path_factory.mktemp("moto")).start()
    proxy = FaultProxy(server.port)
    proxy.up()
    client = server.client()
    client.create_bucket(Bucket=BUCKET)
    for warc in demo_archive.warcs:
        for path in (warc, index_path(warc)):
            client.upload_file(str(path), BUCKET, f"crawls/{path.name}")
    yield server, proxy
    proxy.down()
    server.stop()


def replay_s3(server, proxy, workdir: Path, *args: str):
    env = {"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
    start = len(proxy.requests)
    result = run_replay(workdir, f"s3://{BUCKET}/crawls/", args=args, env=env, settings=(
        *ONE, f"AWS_ENDPOINT_URL={proxy.endpoint}", "AWS_REGION_NAME=us-east-1", "WARC_S3_ADDRESSING_STYLE=path"))
    assert result.returncode == 0, result.stderr + result.log[-3000:]
    requests = list(zip(proxy.requests[start:], proxy.ranges[start:]))
    warc_gets = [(path, rng) for (method, path), rng in requests if method == "GET" and path.split("?")[0].endswith(".warc.gz")]
    return result, warc_gets


def s3_items(crawl, items):
    return [{**a, "warc": {**a["warc"], "uri": f"s3://{BUCKET}/crawls/{Path(a['warc']['uri']).name}"}} for a in items]


def matching_entries(crawl, keep):
    return [(warc, e) for warc in crawl.warcs for e in entries_of(warc)
            if keep(e) and (200 <= e.status < 300 or e.mime == "warc/revisit")]


def assert_one_bounded_range_per_record(warc_gets, expected):
    wanted = sorted((f"/{BUCKET}/crawls/{warc.name}", f"bytes={e.offset}-{e.offset + e.length - 1}") for warc, e in expected)
    assert sorted((path.split("?")[0], rng) for path, rng in warc_gets) == wanted


def test_replay_by_url_from_s3_reads_only_the_matching_record(crawl, s3, tmp_path):
    server, proxy = s3
    article = crawl.items[3]
    pattern = re.escape(article["url"]) + "$"
    result, warc_gets = replay_s3(server, proxy, tmp_path, "--url", pattern)
    assert_same_articles(result.items, s3_items(crawl, [article]))
    expected = matching_entries(crawl, lambda e: re.search(pattern, e.url))
    assert len(expected) == 1
    assert_one_bounded_range_per_record(warc_gets, expected)
    assert "'replay/indexed_files': %d" % len(crawl.warcs) in result.stats


def test_replay_by_host_from_s3_reads_only_that_hosts_records(crawl, s3, tmp_path):
    server, proxy = s3
    host = urlsplit(crawl.items[0]["url"]).hostname
    result, warc_gets = replay_s3(server, proxy, tmp_path, "--host", host)
    expected_items = [a for a in crawl.items if urlsplit(a["url"]).hostname == host]
    assert 0 < len(expected_items) < len(crawl.items)
    assert_same_articles(result.items, s3_items(crawl, expected_items))
    expected = matching_entries(crawl, lambda e: e.host == host)
    assert_one_bounded_range_per_record(warc_gets, expected)
    # and far fewer bytes than the files: every other record was left alone
    read = sum(e.length for _w, e in expected)
    assert read < sum(w.stat().st_size for w in crawl.warcs) / 2


def replayed(specs, record_filter) -> tuple[list[tuple[str, str]], object]:
    """(URL, WARC-Date) of every Page the replay's reader gives, in this process, and its progress."""
    from scrapy.settings import Settings

    from newscrawl.replay.spider import ArchiveReplay

    settings = Settings()
    settings.setmodule("newscrawl.settings")
    replay = ArchiveReplay(specs, record_filter, settings)
    pages = []
    while batch := replay.next_batch(16):
        pages += [(p.url, p.fetched_at) for p in batch]
    return sorted(pages), replay.progress


def copy_of(crawl, workdir: Path, with_indexes: bool) -> Path:
    workdir.mkdir()
    for warc in crawl.warcs:
        shutil.copy(warc, workdir / warc.name)
        if with_indexes:
            shutil.copy(index_path(warc), index_path(workdir / warc.name))
    return workdir


def test_without_an_index_the_whole_file_is_read_and_the_pages_are_the_same(crawl, tmp_path):
    from newscrawl.replay.spider import RecordFilter

    host = urlsplit(crawl.items[0]["url"]).hostname
    two = "|".join(re.escape(a["url"]) + "$" for a in crawl.items[:2])
    for record_filter in (RecordFilter(host=host), RecordFilter(url=re.compile(two))):
        indexed, with_index = replayed([str(crawl.warc_dir)], record_filter)
        full, without = replayed([str(copy_of(crawl, tmp_path / f"plain{id(record_filter)}", False))], record_filter)
        assert indexed == full and indexed
        assert with_index.indexed_files == len(crawl.warcs) and without.indexed_files == 0
        assert with_index.bytes < without.bytes / 2  # only the matching records were read
        assert with_index.bad_records == without.bad_records == 0


def test_a_damaged_index_is_not_trusted(crawl, tmp_path, caplog):
    from newscrawl.replay.spider import RecordFilter

    copy = copy_of(crawl, tmp_path / "warcs", True)
    first = index_path(copy / crawl.warcs[0].name)
    first.write_text(first.read_text()[:-40] + "\nnot cdxj at all\n")
    host = urlsplit(crawl.items[0]["url"]).hostname
    pages, progress = replayed([str(copy)], RecordFilter(host=host))
    assert progress.indexed_files == len(crawl.warcs) - 1
    assert "Cannot use the CDXJ index of" in caplog.text and "reading the whole file" in caplog.text
    assert pages == replayed([str(crawl.warc_dir)], RecordFilter(host=host))[0]


def test_a_half_written_index_left_by_a_stopped_crawler_is_removed_and_written_again(crawl, tmp_path):
    """A crawler killed while cdxj-indexer wrote ``<warc>.cdxj.tmp`` leaves it; the next run cleans up."""
    store = copy_of(crawl, tmp_path / "warcs", True)  # run_crawl's WARC_STORE: tmp_path / "warcs"
    warc = store / crawl.warcs[0].name
    index = index_path(warc)
    whole = index.read_text(encoding="utf-8")
    index.unlink()
    half = index.with_name(index.name + ".tmp")
    half.write_text(whole[: len(whole) // 2], encoding="utf-8")
    site = NewsSite(articles=2).start()
    try:
        result = run_crawl(tmp_path, site.start_urls, "EXTRACTION_PROCESSES=0")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert not half.exists() and not list(store.glob("*.tmp"))
    assert f"Removed {half.name}, an index left half-written by a crawler that stopped" in result.log
    assert "'warc/index_tmp_removed': 1" in result.log
    assert index.read_text(encoding="utf-8") == whole  # indexed again, as it was


def test_host_must_be_a_host_name(tmp_path):
    result = run_replay(tmp_path, str(tmp_path), args=("--host", "http://example.com/"))
    assert result.returncode == 2
    assert "--host" in result.stderr and "Traceback" not in result.stderr
