"""The core loop end to end: the real crawler on the demo site, its WARCs and its articles."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.archive.reader import iter_records, iter_responses

from .conftest import run_crawl

pytestmark = pytest.mark.integration

FILE_NAME = re.compile(r"^newscrawl-\d{17}-\d{5}-[^-]+-\d+\.warc\.gz$")


@pytest.fixture(scope="module")
def crawl(demo_site, tmp_path_factory):
    result = run_crawl(tmp_path_factory.mktemp("crawl"), demo_site.start_urls)
    assert result.returncode == 0, result.log[-3000:]
    return result


def _served(site):
    return [e for e in site.log if not e["url"].startswith(site.offsite_base)]


def _norm(text):
    return "\n\n".join(" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip())


def test_fetches_exactly_the_expected_urls(demo_site, crawl):
    fetched = {e["url"] for e in _served(demo_site)}
    assert fetched == demo_site.expected_fetches()
    assert not [e for e in demo_site.log if e["url"].startswith(demo_site.offsite_base)]
    # each URL once, except the one answering 503 before succeeding
    counts = Counter(e["url"] for e in _served(demo_site))
    assert sorted(u for u, n in counts.items() if n > 1) == sorted(
        e["url"] for e in _served(demo_site) if e["status"] == 503)


def test_warc_files_pass_warcio_check(crawl):
    assert crawl.warcs
    assert not list(crawl.warc_dir.glob("*.open"))
    for path in crawl.warcs:
        assert FILE_NAME.match(path.name), path.name
        proc = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v", str(path)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_exchange_is_archived_with_the_bytes_sent(demo_site, crawl):
    archived = Counter()
    for path in crawl.warcs:
        for rec in iter_responses(path):
            archived[(rec.uri, hashlib.sha1(rec.payload).hexdigest())] += 1
    for entry in _served(demo_site):
        assert archived[(entry["url"], entry["sha1"])] >= 1, entry
    assert sum(archived.values()) == len(_served(demo_site))


def test_record_structure(demo_site, crawl):
    for path in crawl.warcs:
        responses = {}
        for index, (_offset, rec) in enumerate(iter_records(path)):
            assert rec.rec_headers.protocol == "WARC/1.1"
            if index == 0:
                assert rec.rec_type == "warcinfo"
                info = rec.raw_stream.read().decode()
                for field in ("software: newscrawl/", "hostname:", "format: WARC File Format 1.1", "isPartOf:",
                              "http-header-user-agent: newscrawl/", "robots: obey"):
                    assert field in info
                continue
            assert rec.rec_type in ("response", "request")
            if rec.rec_type == "response":
                responses[rec.rec_headers.get_header("WARC-Record-ID")] = rec.rec_headers.get_header("WARC-Target-URI")
                assert rec.rec_headers.get_header("WARC-IP-Address").startswith("127.0.0.")
                assert rec.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                assert rec.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
                assert rec.http_headers.protocol == "HTTP/1.1"
            else:
                target = rec.rec_headers.get_header("WARC-Concurrent-To")
                # the request follows its response in the same file
                assert responses.get(target) == rec.rec_headers.get_header("WARC-Target-URI")
                assert rec.http_headers.get_header("Accept-Encoding") == "gzip, deflate"
                assert rec.http_headers.protocol == "GET"


def test_gzip_is_archived_as_sent(demo_site, crawl):
    gz = [e for e in _served(demo_site) if e["content_encoding"] == "gzip"]
    assert gz
    by_uri = {r.uri: r for p in crawl.warcs for r in iter_responses(p)}
    rec = by_uri[gz[0]["url"]]
    assert dict((k.lower(), v) for k, v in rec.headers)["content-encoding"] == "gzip"
    assert rec.payload[:2] == b"\x1f\x8b"


def test_redirects_404_503_and_robots_are_archived(demo_site, crawl):
    statuses = Counter(r.status for p in crawl.warcs for r in iter_responses(p))
    assert statuses[404] >= 1 and statuses[503] >= 1 and statuses[200] > 10
    assert statuses[301] + statuses[302] >= 2
    uris = {r.uri for p in crawl.warcs for r in iter_responses(p)}
    assert {u for u in uris if u.endswith("/robots.txt")} == {b + "/robots.txt" for b in demo_site.publishers.values()}


def test_articles_match_ground_truth(demo_site, crawl):
    expected = demo_site.expected_articles()
    got = {a["url"]: a for a in crawl.items}
    assert Counter(a["url"] for a in crawl.items).most_common(1)[0][1] == 1, "an article came out twice"
    assert set(got) == set(expected)
    for url, truth in expected.items():
        article = got[url]
        for field, value in truth.items():
            if field == "body":
                assert _norm(article["body"]) == _norm(value), url
            else:
                assert article[field] == value, (url, field)
        assert article["fetched_at"] and article["extractor_version"]


def test_article_points_at_its_response_record(crawl):
    by_id = {}
    for path in crawl.warcs:
        for rec in iter_responses(path):
            by_id[rec.record_id] = (str(path), rec.offset, rec.uri, rec.date)
    for article in crawl.items:
        warc = article["warc"]
        uri, offset, target, date = by_id[warc["record_id"]]
        assert (warc["uri"], warc["offset"], target, article["fetched_at"]) == (uri, offset, article["url"], date)


def test_rotation_never_splits_a_pair(demo_site, tmp_path):
    result = run_crawl(tmp_path, demo_site.start_urls, "WARC_MAX_SIZE=20000")
    assert result.returncode == 0
    assert len(result.warcs) > 2
    for path in result.warcs:
        types = [r.rec_type for _o, r in iter_records(path)]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert types[1:] == ["response", "request"] * ((len(types) - 1) // 2)


def test_archives_are_readable_by_cdxj_indexer(crawl):
    proc = subprocess.run([str(Path(sys.executable).parent / "cdxj-indexer"), *map(str, crawl.warcs)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    responses = sum(1 for p in crawl.warcs for _ in iter_responses(p))
    assert len([line for line in lines if '"mime"' in line]) >= responses


def test_live_extraction_runs_in_worker_processes_with_the_same_articles(demo_site, crawl, tmp_path):
    """By default the crawl extracts in one worker process per core; threads (0) give the same Articles."""
    import os

    assert f"'newscrawl/extraction/processes': {os.cpu_count()}" in crawl.log
    threads = run_crawl(tmp_path, demo_site.start_urls, "EXTRACTION_PROCESSES=0")
    assert threads.returncode == 0, threads.log[-3000:]
    assert "'newscrawl/extraction/processes': 0" in threads.log

    def comparable(items):  # the same pages, fetched at another time into other WARC files
        return {a["url"]: {k: v for k, v in a.items() if k not in ("fetched_at", "warc")} for a in items}

    assert comparable(threads.items) == comparable(crawl.items)
    assert len(crawl.items) > 10


def test_extraction_processes_setting():
    import os

    from scrapy.settings import Settings

    from pipelines.extract import extraction_processes

    assert extraction_processes(Settings({"EXTRACTION_PROCESSES": None})) == os.cpu_count()
    assert extraction_processes(Settings({"EXTRACTION_PROCESSES": "0"})) == 0
    assert extraction_processes(Settings({"EXTRACTION_PROCESSES": 3})) == 3
    for bad in (-2, "many"):
        with pytest.raises(ValueError, match=r"^EXTRACTION_PROCESSES="):
            extraction_processes(Settings({"EXTRACTION_PROCESSES": bad}))
