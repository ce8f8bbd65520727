"""Scheduled, incremental crawls: two runs of the real crawler against the demo site's two editions.

Between the runs the site moves to edition 2 (``newscrawl/demo/content.py``): three
articles are updated, four are new, the pages listing the new articles change, and
every other page stays byte-identical. What each run must fetch and archive is read
from the hand-written editions; what it did is read from the site's own log, the
WARC files, the crawl log, the manifest and the crawl state.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from newscrawl.archive.reader import iter_records
from newscrawl.demo import content
from newscrawl.demo.site import DemoSite
from newscrawl.incremental.state import state_from_settings

from .conftest import REPO, SCRAPY, run_crawl
from .redis_server import redis_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

WARCIO = str(Path(sys.executable).parent / "warcio")
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SUMMARY = re.compile(r"Run summary \(crawl (\S+)\): pages (\d+), new articles (\d+), changed articles (\d+), "
                     r"changed pages (\d+), revisits (\d+), bytes (\d+), errors (\d+), not articles (\d+)")
SUMMARY_KEYS = ["pages", "new_articles", "changed_articles", "changed_pages", "revisits", "bytes", "errors",
                "not_articles"]


# --------------------------------------------------------------------------- helpers

def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class Run:
    """One `scrapy crawl` of a sequence sharing one WARC store and one crawl state."""

    def __init__(self, number: int, result, served: list[dict], warc_dir: Path):
        self.number = number
        self.crawl_id = f"run-{number}"
        self.returncode = result.returncode
        self.items = result.items
        self.log = result.log
        self.served = served  # the site's log entries for this run
        manifests = [m for m in map(_read_json, warc_dir.glob("*.manifest.json")) if m["crawl_id"] == self.crawl_id]
        assert len(manifests) == 1, manifests
        self.manifest = manifests[0]
        self.warcs = [Path(f["uri"]) for f in self.manifest["files"]]

    @property
    def summary_line(self) -> dict[str, int]:
        found = [m for m in SUMMARY.finditer(self.log)]
        assert len(found) == 1, self.log[-3000:]
        assert found[0][1] == self.crawl_id
        return dict(zip(SUMMARY_KEYS, map(int, found[0].groups()[1:])))


class Sequence:
    """Runs of one crawl against one site: same WARC_STORE, same CRAWL_STATE."""

    def __init__(self, site: DemoSite, root: Path, state: str, *settings: str):
        self.site = site
        self.root = root
        self.warc_dir = root / "warcs"
        self.state = state
        self.settings = settings
        self.runs: list[Run] = []

    def run(self, *settings: str) -> Run:
        number = len(self.runs) + 1
        before = len(self.site.log)
        workdir = self.root / f"run-{number}"
        workdir.mkdir()
        result = run_crawl(workdir, self.site.start_urls, f"WARC_STORE={self.warc_dir}",
                           f"CRAWL_STATE={self.state}", f"CRAWL_ID=run-{number}", *self.settings, *settings)
        assert result.returncode == 0, result.log[-3000:]
        run = Run(number, result, self.site.log[before:], self.warc_dir)
        self.runs.append(run)
        return run


def served_urls(entries) -> set[str]:
    return {e["url"] for e in entries}


def captures_from_site_log(runs: list[Run], run: Run) -> dict[str, str]:
    """What the site served, classified as the archive must: against each URL's last exchange in the runs before.

    (The state learns a run's captures when its WARC file is stored, at the end of the run here,
    so within one run a page retried after a 503 is still "new".)
    """
    last: dict[str, dict] = {}
    for earlier in runs[:runs.index(run)]:
        for entry in earlier.served:
            last[entry["url"]] = entry
    out = {}
    for entry in run.served:
        before = last.get(entry["url"])
        if before is None:
            out[entry["url"]] = "new"
        elif not 200 <= entry["status"] < 300:
            out[entry["url"]] = "refetched"
        elif before["status"] == entry["status"] and before["sha1"] == entry["sha1"]:
            out[entry["url"]] = "revisit"
        else:
            out[entry["url"]] = "changed"
    return out


def summary_from_site_log(runs: list[Run], run: Run, site: DemoSite) -> dict[str, int]:
    kinds = Counter(captures_from_site_log(runs, run).values())
    articles = site.expected_articles()
    fetched = {e["url"]: captures_from_site_log(runs, run)[e["url"]] for e in run.served}
    return {
        "pages": len(run.served),
        "new_articles": sum(1 for u, k in fetched.items() if k == "new" and u in articles),
        "changed_articles": sum(1 for u, k in fetched.items() if k == "changed" and u in articles),
        "changed_pages": kinds["changed"],
        "revisits": kinds["revisit"],
        "bytes": sum(p.stat().st_size for p in run.warcs),
        # per URL: those whose last answer was an error (a 503 then a 200 is no error)
        "errors": sum(1 for status in {e["url"]: e["status"] for e in run.served
                                       if not e["url"].endswith("/robots.txt")}.values() if status >= 400),
        "not_articles": sum(1 for u, k in fetched.items() if u not in articles and k != "revisit"
                            and site.expected_status(u) == 200 and not u.endswith("/robots.txt")),
    }


def records(paths) -> list[tuple[Path, int, object]]:
    out = []
    for path in paths:
        for offset, rec in iter_records(path):
            if rec.rec_type in ("response", "revisit"):
                out.append((path, offset, rec))
    return out


def header(rec, name):
    return rec.rec_headers.get_header(name)


def assert_warcio_check(paths) -> None:
    for path in paths:
        proc = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def _norm(text):
    return "\n\n".join(" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip())


def assert_articles_match(items: list[dict], expected: dict[str, dict]) -> None:
    got = {a["url"]: a for a in items}
    assert len(got) == len(items), "an article came out twice"
    assert set(got) == set(expected)
    for url, truth in expected.items():
        for name, value in truth.items():
            if name == "body":
                assert _norm(got[url]["body"]) == _norm(value), url
            else:
                assert got[url][name] == value, (url, name)


def assert_state_holds_last_captures(seq: Sequence) -> None:
    """Per URL: the last full record (a revisit points there), its digest, the last status and fetch time."""
    full: dict[str, tuple[Path, int, object]] = {}
    last: dict[str, object] = {}
    for run in seq.runs:
        for path, offset, rec in records(run.warcs):
            uri = header(rec, "WARC-Target-URI")
            last[uri] = rec
            if rec.rec_type == "response":
                full[uri] = (path, offset, rec)
    state = state_from_settings(seq.state, None, "worldnews")  # the spider's name: the default CRAWL_NAME
    try:
        assert set(last) == {u for run in seq.runs for u in served_urls(run.served)}
        for uri, rec in last.items():
            capture = state.get(uri)
            assert capture is not None, uri
            path, offset, original = full[uri]
            assert (capture.warc_uri, capture.offset, capture.record_id, capture.fetched_at) == (
                str(path.resolve()), offset, header(original, "WARC-Record-ID"), header(original, "WARC-Date")), uri
            assert capture.payload_digest == header(rec, "WARC-Payload-Digest") == header(original, "WARC-Payload-Digest")
            assert capture.status == int(rec.http_headers.get_statuscode()), uri
            fetched = datetime.fromisoformat(header(rec, "WARC-Date").replace("Z", "+00:00")).timestamp()
            assert abs(capture.fetched_ts - fetched) < 1, uri
    finally:
        state.close()


# --------------------------------------------------------------------------- the site's editions

def _get(url: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_edition_2_changes_exactly_the_pages_it_says():
    """Every page of edition 1 is byte-identical in edition 2 (gzip included), except the hand-written ones."""
    with DemoSite(port=0) as site:
        urls = site.expected_fetches(1)
        first = {u: _get(u) for u in sorted(urls)}
        first[site.special_urls["flaky_503"]] = _get(site.special_urls["flaky_503"])
        assert site.expected_fetches() == urls and site.edition == 1
        site.set_edition(2)
        second = {u: _get(u) for u in sorted(urls)}
        changed = {u for u in urls if first[u] != second[u]}
        assert changed == {u for u, k in site.expected_captures(2).items() if k == "changed"}
        assert len(changed) == 8
        for url in site.expected_fetches(2) - urls:
            assert _get(url)[0] == 200
        gz = second[site.publishers["globe"] + content.G_FLOODS][1]
        assert b"death toll had risen to 74" in gzip.decompress(gz)
        site.set_edition(1)
        assert {u: _get(u) for u in sorted(urls)} == first


def test_edition_expectations_agree_with_the_link_graph():
    """Walking edition 2's own data with the crawl rules finds exactly its expected fetches;
    walking from the default policy's pages, skipping what edition 1 archived, finds the new articles."""
    with DemoSite(port=0) as site:
        site.set_edition(2)
        pubs = {site.publishers[p.name]: p for p in content.publishers(2)}
        archived = site.expected_fetches(1)

        def walk(skip_archived: bool) -> set[str]:
            seen = {b + "/robots.txt" for b in pubs}
            queue = [(u, "start") for u in site.start_urls]
            while queue:
                url, role = queue.pop(0)
                base = next(b for b in pubs if url.startswith(b + "/"))
                p, path = pubs[base], url[len(base):]
                if url in seen or path.startswith("/private/"):
                    continue
                if skip_archived and role == "article" and url in archived and site.expected_status(url) != 404:
                    continue
                seen.add(url)
                if path in p.redirects:
                    from urllib.parse import urljoin
                    queue.insert(0, (urljoin(url, p.redirects[path][1].replace("{base}", base)), role))
                    continue
                queue += [(u, "article") for u in site.latest_links(url)
                          if u.startswith(tuple(pubs))]
                if path == p.start_path or any(s.path == path for s in p.stories):
                    queue.append((base + p.section_path, "section"))
                if role == "section":
                    from urllib.parse import urljoin
                    queue += [(urljoin(url, link.clean.replace("{base}", base)), "article") for link in p.section_links]
            return seen

        assert walk(False) == site.expected_fetches(2)
        assert walk(True) == site.expected_fetches(2, "default")
        new = site.expected_fetches(2) - site.expected_fetches(1)
        assert new == {u for u, k in site.expected_captures(2, "default").items() if k == "new"}
        assert new <= set(site.expected_articles(2)) and not new & set(site.expected_articles(1))


# --------------------------------------------------------------------------- default policy

@pytest.fixture(scope="module")
def default_policy(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental-default")
    with DemoSite(port=0) as site:
        seq = Sequence(site, root, str(root / "state.sqlite"))
        seq.run()
        site.set_edition(2)
        seq.run()
        yield seq


def test_default_policy_second_run_fetches_start_sections_and_new_articles(default_policy):
    site, first, second = default_policy.site, *default_policy.runs
    assert served_urls(first.served) == site.expected_fetches(1)
    assert served_urls(second.served) == site.expected_fetches(2, "default")
    assert len(second.served) == len(served_urls(second.served)), "a page was fetched twice"
    assert "newscrawl/recrawl/skipped" in second.log
    # The first run's state was empty: no request waited for a state lookup; the second asks for each article.
    assert "newscrawl/recrawl/lookups" not in first.log
    assert "'newscrawl/recrawl/lookups'" in second.log


def test_default_policy_second_run_emits_only_new_articles(default_policy):
    site, first, second = default_policy.site, *default_policy.runs
    assert_articles_match(first.items, site.expected_articles(1))
    new = site.expected_fetches(2) - site.expected_fetches(1)
    expected = {u: a for u, a in site.expected_articles(2).items() if u in new}
    assert len(expected) == 4
    assert_articles_match(second.items, expected)


def test_default_policy_captures_and_summaries_match_the_site(default_policy):
    site, runs = default_policy.site, default_policy.runs
    first, second = runs
    assert captures_from_site_log(runs, second) == site.expected_captures(2, "default")
    for run in runs:
        expected = summary_from_site_log(runs, run, site)
        assert run.summary_line == expected, run.number
        assert run.manifest["summary"] == expected, run.number
    assert second.summary_line["new_articles"] == 4 and second.summary_line["changed_articles"] == 0
    assert first.summary_line["revisits"] == 0 and second.summary_line["revisits"] > 0


def test_default_policy_state_and_warcs(default_policy):
    assert_state_holds_last_captures(default_policy)
    assert_warcio_check([p for run in default_policy.runs for p in run.warcs])
    assert not list(default_policy.warc_dir.glob("*.open"))


# --------------------------------------------------------------------------- RECRAWL_ARTICLES_AFTER=0

@pytest.fixture(scope="module", params=["sqlite", "redis"])
def recrawl_all(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"incremental-recrawl-{request.param}")
    if request.param == "sqlite":
        state = str(root / "state.sqlite")
    else:
        state = request.getfixturevalue("redis_url").rsplit("/", 1)[0] + "/3"
        import redis

        redis.Redis.from_url(state).flushdb()
    with DemoSite(port=0) as site:
        seq = Sequence(site, root, state, "RECRAWL_ARTICLES_AFTER=0")
        seq.run()
        site.set_edition(2)
        seq.run()
        yield seq


def test_recrawl_all_fetches_everything_again(recrawl_all):
    site, first, second = recrawl_all.site, *recrawl_all.runs
    assert served_urls(first.served) == site.expected_fetches(1)
    assert served_urls(second.served) == site.expected_fetches(2)
    assert len(second.served) == len(served_urls(second.served))  # the flaky page answered 503 only once, in run 1


def test_recrawl_all_revisit_records_point_at_the_first_capture(recrawl_all):
    site, first, second = recrawl_all.site, *recrawl_all.runs
    originals = {header(r, "WARC-Target-URI"): (p, o, r) for p, o, r in records(first.warcs) if r.rec_type == "response"}
    expected = site.expected_captures(2)
    revisits = {header(r, "WARC-Target-URI"): r for _p, _o, r in records(second.warcs) if r.rec_type == "revisit"}
    fulls = {header(r, "WARC-Target-URI") for _p, _o, r in records(second.warcs) if r.rec_type == "response"}
    assert set(revisits) == {u for u, k in expected.items() if k == "revisit"}
    assert fulls == {u for u, k in expected.items() if k != "revisit"}
    assert len(revisits) == 22
    for uri, rec in revisits.items():
        _path, _offset, original = originals[uri]
        assert header(rec, "WARC-Profile") == REVISIT_PROFILE
        assert header(rec, "WARC-Refers-To-Target-URI") == header(original, "WARC-Target-URI") == uri
        assert header(rec, "WARC-Refers-To-Date") == header(original, "WARC-Date")
        assert header(rec, "WARC-Refers-To") == header(original, "WARC-Record-ID")
        assert header(rec, "WARC-Payload-Digest") == header(original, "WARC-Payload-Digest")
        assert rec.http_headers.get_statuscode() == "200"
        assert rec.rec_headers.get_header("WARC-Date") > header(original, "WARC-Date")


def test_recrawl_all_items_for_new_and_changed_articles_only(recrawl_all):
    site, first, second = recrawl_all.site, *recrawl_all.runs
    assert_articles_match(first.items, site.expected_articles(1))
    kinds = site.expected_captures(2)
    expected = {u: a for u, a in site.expected_articles(2).items() if kinds[u] in ("new", "changed")}
    assert len(expected) == 4 + 3
    assert_articles_match(second.items, expected)
    # An updated article carries its new text and modification time.
    floods = site.publishers["globe"] + content.G_FLOODS
    got = {a["url"]: a for a in second.items}
    assert got[floods]["modified"] == "2023-06-18T10:05:00+01:00"
    assert "death toll had risen to 74" in got[floods]["body"]
    assert got[floods]["warc"]["record_id"] != {a["url"]: a for a in first.items}[floods]["warc"]["record_id"]


def test_recrawl_all_captures_and_summaries_match_the_site(recrawl_all):
    site, runs = recrawl_all.site, recrawl_all.runs
    first, second = runs
    assert captures_from_site_log(runs, second) == site.expected_captures(2)
    for run in runs:
        expected = summary_from_site_log(runs, run, site)
        assert run.summary_line == expected, run.number
        assert run.manifest["summary"] == expected, run.number
    assert second.summary_line == {**second.summary_line, "pages": 38, "new_articles": 4, "changed_articles": 3,
                                   "changed_pages": 8, "revisits": 22, "errors": 1}


def test_recrawl_all_state_and_warcs(recrawl_all):
    assert_state_holds_last_captures(recrawl_all)
    assert_warcio_check([p for run in recrawl_all.runs for p in run.warcs])


# --------------------------------------------------------------------------- the crawl lock

def _crawl_cmd(workdir: Path, site: DemoSite, warc_dir: Path, state: Path, spool: Path) -> list[str]:
    return [*SCRAPY, "crawl", "worldnews", "-a", "start_urls=" + ",".join(site.start_urls),
            "-O", str(workdir / "articles.jsonl"), "-s", f"WARC_STORE={warc_dir}", "-s", f"CRAWL_STATE={state}",
            "-s", f"WARC_SPOOL_DIR={spool}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8",
            "-s", f"LOG_FILE={workdir / 'crawl.log'}", "-s", "LOG_LEVEL=DEBUG"]


def _state_rows(path: Path) -> tuple[list, list]:
    db = sqlite3.connect(path)
    try:
        return (db.execute("SELECT * FROM crawl_captures ORDER BY crawl, url").fetchall(),
                db.execute("SELECT * FROM locks ORDER BY crawl").fetchall())
    finally:
        db.close()


def test_second_run_while_the_first_runs_stops_and_touches_nothing(tmp_path):
    import os

    warc_dir, state, spool = tmp_path / "warcs", tmp_path / "state.sqlite", tmp_path / "spool"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with DemoSite(port=0) as site:
        # The first run waits on the Globe's section page for as long as the test needs.
        site.hold(content.G_SECTION)
        (tmp_path / "first").mkdir()
        first = subprocess.Popen(_crawl_cmd(tmp_path / "first", site, warc_dir, state, spool), cwd=REPO, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 180  # generous: xdist workers share the cores
            while site.waiting == 0 and time.monotonic() < deadline and first.poll() is None:
                time.sleep(0.05)
            assert site.waiting, "the first run never reached the held page"
            # Let the first run finish everything else, so whatever the site serves next is the second run's.
            quiet_since, served = time.monotonic(), len(site.log)
            while time.monotonic() - quiet_since < 3.0 and time.monotonic() < deadline:
                time.sleep(0.05)
                if len(site.log) != served:
                    quiet_since, served = time.monotonic(), len(site.log)
            # The first run's own directory (its log, its -O feed) is left out: it is still running, and its
            # extraction processes may emit the first item at any time.
            before_files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file()
                                  if "first" not in p.relative_to(tmp_path).parts)
            before_state = _state_rows(state)
            served_before = len(site.log)
            assert before_state[1] and before_state[1][0][1].split(":")[1] == str(first.pid)

            (tmp_path / "second").mkdir()
            second = subprocess.run(_crawl_cmd(tmp_path / "second", site, warc_dir, state, spool), cwd=REPO, env=env,
                                    capture_output=True, text=True, timeout=180)
            log = (tmp_path / "second" / "crawl.log").read_text(encoding="utf-8")
            assert second.returncode != 0
            assert "already running" in log and "Nothing was fetched or written" in log
            assert f":{first.pid}:" in log  # the message names the holder
            after_files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file()
                                 if not {"first", "second"} & set(p.relative_to(tmp_path).parts))
            assert after_files == before_files  # no WARC, no spool file, no manifest
            assert not list((tmp_path / "second").glob("articles.jsonl"))
            assert _state_rows(state) == before_state
            assert len(site.log) == served_before  # not even robots.txt
            assert not spool.exists()
        finally:
            site.release()
            out, _ = first.communicate(timeout=120)
        assert first.returncode == 0, out[-3000:]
    assert served_urls(site.log) == site.expected_fetches(1)
    captures, locks = _state_rows(state)
    assert len(captures) == len(site.expected_fetches(1)) and locks == []  # the first run committed and let go
