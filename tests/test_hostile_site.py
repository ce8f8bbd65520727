"""One crawl over the hostile site: every bad page gets one log line, the crawl goes on, the rest comes out."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import pytest

from newscrawl.archive.reader import iter_responses
from newscrawl.demo.hostile import BAD_ARTICLES, CALM, LONG_PATH, HostileSite

from .conftest import run_crawl

pytestmark = pytest.mark.integration

MAXSIZE = 300_000


@pytest.fixture(scope="module")
def site():
    with HostileSite(huge_size=1_000_000) as hostile:
        yield hostile


@pytest.fixture(scope="module")
def crawl(site, tmp_path_factory):
    result = run_crawl(
        tmp_path_factory.mktemp("hostile"), site.start_urls,
        # later -s values win over run_crawl's own 127.0.0.0/8
        "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/29",
        "DNS_OVERRIDES=" + json.dumps(site.dns_overrides),
        f"DOWNLOAD_MAXSIZE={MAXSIZE}",
        "LINK_TRAP_CALENDAR_BUDGET=5",
        "RETRY_TIMES=0",
        timeout=120,
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


@pytest.fixture(scope="module")
def archived(crawl):
    return {r.uri: r for p in crawl.warcs for r in iter_responses(p)}


def lines_with(log: str, *needles: str) -> list[str]:
    return [line for line in log.splitlines() if all(n in line for n in needles)]


def test_crawl_finishes_without_errors(crawl):
    assert not lines_with(crawl.log, "Traceback")
    assert not lines_with(crawl.log, "] ERROR:") and not lines_with(crawl.log, "ERROR: Spider error")
    assert "'finish_reason': 'finished'" in crawl.log


def test_normal_pages_around_the_bad_ones_are_extracted(site, crawl):
    by_url = {a["url"]: a for a in crawl.items}
    for path, title in {**CALM, **BAD_ARTICLES}.items():
        assert site.url(path) in by_url, path
        got = by_url[site.url(path)]["title"]
        if path == "/bad/wrong-charset":
            # Latin-1 bytes declared UTF-8: the declaration wins, the bad byte becomes U+FFFD (w3lib).
            title = title.encode("latin-1").decode("utf-8", "replace")
            assert "\ufffd" in title
        # /bad/no-charset: undeclared cp1252 bytes are not UTF-8; detection reads them right.
        assert got == title
        assert "Officials said on Tuesday" in by_url[site.url(path)]["body"]


def test_every_served_exchange_is_archived_as_sent(site, crawl, archived):
    truncated = {site.url("/bad/huge"), site.url("/bad/huge-chunked")}
    for entry in site.log:
        rec = archived[entry["url"]]
        if entry["url"] in truncated:
            continue
        assert hashlib.sha1(rec.payload).hexdigest() == entry["sha1"], entry["path"]


@pytest.mark.parametrize("path, line", [
    ("/bad/binary", "Bad page, archived but not parsed: {url} (binary bytes served as text/html)"),
    ("/bad/empty", "Bad page, parsed anyway: {url} (empty body)"),
    ("/bad/no-charset", "Bad page, parsed anyway: {url} (no charset declared"),
    ("/bad/wrong-charset", "Bad page, parsed anyway: {url} (body is not valid utf-8"),
    ("/bad/huge", "Truncated {url} at DOWNLOAD_MAXSIZE (300000 bytes)"),
    ("/bad/huge-chunked", "Truncated {url} at DOWNLOAD_MAXSIZE (300000 bytes)"),
    ("/bad/gzip-bomb", "Ignored response <200 {url}> because its body"),
    ("/redirect/loop-b", "Redirect loop, not following {url} → "),
    ("/redirect/chain/11", "Too many redirects (REDIRECT_MAX_TIMES=10), not following {url}"),
    ("/redirect/file", "Ignoring response <302 {url}>"),
    ("/search?q=world&p1=1&p2=1&p3=1", "Link trap (growing_query), not following {url}&p4=1"),
    ("/loop/a/a/a/", "Link trap (repeated_segment), not following {url}"),
    (LONG_PATH, "Ignoring link (url length > 2000): {url}"),
])
def test_one_log_line_for_each_bad_page(site, crawl, path, line):
    expected = line.format(url=site.url(path))
    assert len(lines_with(crawl.log, expected)) == 1, expected


def test_malformed_html_is_crawled_and_extracted_without_complaint(site, crawl):
    url = site.url("/bad/malformed")
    assert lines_with(crawl.log, f"Crawled (200) <GET {url}>")
    assert not lines_with(crawl.log, url, "WARNING")


def test_calendar_is_cut_at_its_budget(site, crawl):
    assert len(site.fetched("/events/")) <= 5
    assert lines_with(crawl.log, "Link trap (calendar), not following " + site.url("/events/"))


def test_oversized_pages_are_archived_truncated_and_not_parsed(site, crawl, archived):
    for path in ("/bad/huge", "/bad/huge-chunked"):
        rec = archived[site.url(path)]
        assert len(rec.payload) == MAXSIZE
        served = next(e for e in site.log if e["path"] == path)
        assert served["size"] > MAXSIZE
    assert not [a for a in crawl.items if "/bad/huge" in a["url"]]
    assert not [a for a in crawl.items if a["url"].endswith(("/bad/binary", "/bad/empty", "/bad/gzip-bomb"))]


def test_oversized_pages_carry_warc_truncated_length(site, archived):
    # Needs the archive middleware to write WARC-Truncated from request.meta["warc_truncated"].
    for path in ("/bad/huge", "/bad/huge-chunked"):
        assert archived[site.url(path)].truncated == "length", path


def test_gzip_bomb_is_archived_compressed(site, archived):
    rec = archived[site.url("/bad/gzip-bomb")]
    assert rec.payload == site.bomb
    assert dict((k.lower(), v) for k, v in rec.headers)["content-encoding"] == "gzip"
    assert len(gzip.decompress(rec.payload)) > MAXSIZE  # it really is a bomb


def test_non_http_links_are_not_fetched(site, crawl):
    assert not [e for e in site.log if "passwd" in e["path"] or e["path"].startswith("/pub/")]
    assert not lines_with(crawl.log, "mailto:") or not lines_with(crawl.log, "mailto:", "ERROR")


def test_forbidden_destinations_are_refused_and_never_connected(site, crawl):
    assert site.connections == 0
    for url in [*site.start_urls[1:], *site.forbidden_links, site.evil_base + "/from-redirect",
                site.evil_name_base + "/from-redirect"]:
        assert len(lines_with(crawl.log, f"Refused {url}: ")) == 1, url
    assert lines_with(crawl.log, "'newscrawl/guard/refused': 7")


def test_stats_count_each_kind(crawl):
    stats = {k: int(v) for k, v in re.findall(r"'(newscrawl/[^']+)': (\d+)", crawl.log)}
    assert stats["newscrawl/truncated"] == 2
    assert stats["newscrawl/pages/skipped/binary"] == 1
    assert stats["newscrawl/pages/skipped/truncated"] == 2
    assert stats["newscrawl/traps/redirect_loop"] == 1
    assert stats["newscrawl/traps/calendar"] >= 1


# -- replay = live on the hostile site ------------------------------------------------


@pytest.fixture(scope="module")
def replayed(crawl, tmp_path_factory):
    from .test_replay import run_replay

    return run_replay(tmp_path_factory.mktemp("hostile-replay"), str(crawl.warc_dir),
                      settings=("EXTRACTION_PROCESSES=0", f"DOWNLOAD_MAXSIZE={MAXSIZE}"))


def page_counters(log: str) -> dict[str, int]:
    stats = log[log.rfind("Dumping Scrapy stats"):]
    return {k: int(v) for k, v in re.findall(r"'(newscrawl/(?:pages/(?:skipped|warned)/[^']+|articles))': (\d+)", stats)}


def test_replay_gives_the_live_articles(crawl, replayed):
    from .test_replay import assert_same_articles

    assert replayed.returncode == 0, replayed.stderr[-3000:]
    assert_same_articles(replayed.items, crawl.items)


def test_replay_makes_the_live_decisions_on_cut_bodies_and_bombs(site, crawl, replayed):
    """Cut bodies (WARC-Truncated) make no item; the gzip bomb is archived, ignored and counted: not a loss."""
    live, replay = page_counters(crawl.log), page_counters(replayed.log)
    assert live == replay
    assert live["newscrawl/pages/skipped/truncated"] == 2
    assert live["newscrawl/pages/skipped/binary"] == 1
    assert live["newscrawl/pages/skipped/decompression_limit"] == 1
    for path in ("/bad/huge", "/bad/huge-chunked"):
        assert len(lines_with(replayed.log, f"Bad page, archived but not parsed: {site.url(path)} (body cut")) == 1
    assert len(lines_with(replayed.log, f"Ignored response <200 {site.url('/bad/gzip-bomb')}> because its body")) == 1
    assert "'replay/damage': 0" in replayed.log
    assert not lines_with(replayed.log, "Bad record")
