"""`scrapy replay` end to end: crawl the demo site, stop it, replay the WARCs (local and S3), compare."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO, SCRAPY, run_crawl

pytestmark = pytest.mark.integration

# Extraction on threads: for tests that check what is replayed, not how fast (saves spawning processes).
ONE = ("EXTRACTION_PROCESSES=0",)


@dataclass
class ReplayResult:
    returncode: int
    items: list[dict]
    log: str
    stderr: str

    @property
    def stats(self) -> str:
        return self.log[self.log.rfind("Dumping Scrapy stats"):]


def run_replay(workdir: Path, *sources: str, args: tuple[str, ...] = (), settings: tuple[str, ...] = (),
               env: dict | None = None, timeout: float = 120) -> ReplayResult:
    """Run `scrapy replay` in a real process, as a user would."""
    out = workdir / "replay.jsonl"
    log = workdir / "replay.log"
    out.unlink(missing_ok=True)
    log.unlink(missing_ok=True)
    cmd = [*SCRAPY, "replay", *sources, "-O", str(out), *args, "-s", f"LOG_FILE={log}", "-s", "LOG_LEVEL=INFO"]
    for setting in settings:
        cmd += ["-s", setting]
    proc = subprocess.run(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          timeout=timeout, capture_output=True, text=True)
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if out.exists() else []
    return ReplayResult(proc.returncode, items, log.read_text(encoding="utf-8") if log.exists() else "", proc.stderr)


def by_url(items: list[dict]) -> dict[str, dict]:
    result = {item["url"]: item for item in items}
    assert len(result) == len(items), "an article came out twice"
    return result


def assert_same_articles(got: list[dict], expected: list[dict]) -> None:
    """Equal field for field; on failure, say which article and field differ."""
    got_by, expected_by = by_url(got), by_url(expected)
    assert set(got_by) == set(expected_by)
    diffs = [(url, key, got_by[url].get(key), value) for url, article in expected_by.items()
             for key, value in article.items() if got_by[url].get(key) != value]
    diffs += [(url, key, "extra field", None) for url in got_by for key in got_by[url] if key not in expected_by[url]]
    assert not diffs, "\n".join(f"{u}: {k}: got {g!r}, live {e!r}" for u, k, g, e in diffs[:5])


@pytest.fixture(scope="session")
def crawl(tmp_path_factory):
    """A live crawl of the demo site; the site is stopped before any replay runs."""
    from newscrawl.demo.site import DemoSite

    site = DemoSite(port=0)
    site.start()
    try:
        result = run_crawl(tmp_path_factory.mktemp("crawl"), site.start_urls)
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) > 10
    return result


def listing(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.rglob("*")}


@pytest.fixture(scope="module")
def local_replay(crawl, tmp_path_factory):
    before = listing(crawl.warc_dir)
    result = run_replay(tmp_path_factory.mktemp("replay"), str(crawl.warc_dir))
    result.store_untouched = listing(crawl.warc_dir) == before
    return result


def test_replay_equals_live_crawl_field_for_field(crawl, local_replay):
    assert local_replay.returncode == 0, local_replay.stderr + local_replay.log[-3000:]
    assert_same_articles(local_replay.items, crawl.items)


def test_replay_makes_no_request_and_writes_no_warc(crawl, local_replay):
    assert "downloader/request_count" not in local_replay.stats
    assert "'replay/bad_records': 0" in local_replay.stats
    assert "'replay/pages':" in local_replay.stats
    # the archive middleware is off: nothing written, recovered or renamed in the store
    assert local_replay.store_untouched
    assert not list(crawl.warc_dir.glob("*.open"))


def test_progress_on_stderr(local_replay):
    line = [line for line in local_replay.stderr.splitlines() if line.startswith("replay:")][-1]
    for word in ("files", "records", "MB", "pages", "articles", "pages/s"):
        assert word in line, line


def test_sources_as_file_glob_and_single_process(crawl, tmp_path):
    files = [str(p) for p in crawl.warcs]
    result = run_replay(tmp_path, files[0], str(crawl.warc_dir / "*.warc.gz"),
                        settings=("EXTRACTION_PROCESSES=0", "REPLAY_MAX_IN_FLIGHT=1", "REPLAY_READ_BATCH=1"))
    assert result.returncode == 0, result.log[-3000:]
    assert_same_articles(result.items, crawl.items)


def test_filters(crawl, tmp_path):
    live = by_url(crawl.items)
    some = sorted(live)[0]
    host = some.split("/")[2]
    result = run_replay(tmp_path, str(crawl.warc_dir), args=("--url", f"^https?://{host}/"), settings=ONE)
    assert result.returncode == 0
    assert set(by_url(result.items)) == {u for u in live if u.split("/")[2] == host}

    dates = sorted(a["fetched_at"] for a in crawl.items)
    middle = dates[len(dates) // 2]
    result = run_replay(tmp_path, str(crawl.warc_dir), args=("--since", middle), settings=ONE)
    assert {a["url"] for a in result.items} == {a["url"] for a in crawl.items if a["fetched_at"] >= middle}
    result = run_replay(tmp_path, str(crawl.warc_dir), args=("--until", middle), settings=ONE)
    assert {a["url"] for a in result.items} == {a["url"] for a in crawl.items if a["fetched_at"] <= middle}
    result = run_replay(tmp_path, str(crawl.warc_dir), args=("--until", "2000-01-01"), settings=ONE)
    assert result.returncode == 0 and result.items == []


def test_missing_source_is_an_error(tmp_path):
    result = run_replay(tmp_path, str(tmp_path / "nothing-here.warc.gz"))
    assert result.returncode != 0
    assert "nothing-here.warc.gz" in result.log
    result = run_replay(tmp_path, str(tmp_path), args=("--since", "yesterday"))
    assert result.returncode != 0


def test_replay_from_s3_equals_live_crawl(crawl, tmp_path):
    from .s3_servers import MotoServer, upload_archive

    server = MotoServer(tmp_path).start()
    try:
        client = server.client()
        keys = upload_archive(client, crawl.warcs)
        client.put_object(Bucket="news-archive", Key="crawls/notes.txt", Body=b"not a WARC")
        client.put_object(Bucket="news-archive", Key="other/x.warc.gz", Body=b"outside the prefix")
        env = {"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
        result = run_replay(tmp_path, "s3://news-archive/crawls/", env=env, settings=(
            f"AWS_ENDPOINT_URL={server.endpoint}", "AWS_REGION_NAME=us-east-1", "WARC_S3_ADDRESSING_STYLE=path",
            "REPLAY_S3_PAGE_SIZE=1"))  # one key per page: the listing must paginate
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr + result.log[-3000:]
    expected = [{**a, "warc": {**a["warc"], "uri": keys[a["warc"]["uri"]]}} for a in crawl.items]
    assert_same_articles(result.items, expected)
    assert server.secret_key not in result.log


def test_replay_is_not_a_listed_spider():
    proc = subprocess.run([*SCRAPY, "list"], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0
    assert "replay" not in proc.stdout.split()


def test_replay_of_incremental_crawls_equals_their_outputs(tmp_path):
    """Two runs sharing a crawl state (edition 1, then 2): the second archives unchanged pages as
    revisits and gives no article for them; replaying both runs' WARCs gives both outputs."""
    from newscrawl.demo.site import DemoSite

    site = DemoSite(port=0)
    site.start()
    warcs, state, outputs = tmp_path / "warcs", tmp_path / "state.sqlite", []
    try:
        for edition in (1, 2):
            site.set_edition(edition)
            workdir = tmp_path / f"run-{edition}"
            workdir.mkdir()
            result = run_crawl(workdir, site.start_urls, f"WARC_STORE={warcs}", f"CRAWL_STATE={state}",
                               f"CRAWL_ID=run-{edition}", "RECRAWL_ARTICLES_AFTER=0")
            assert result.returncode == 0, result.log[-3000:]
            outputs.append(result.items)
    finally:
        site.stop()
    assert len(outputs[1]) < len(outputs[0])  # unchanged articles: revisits, no item
    result = run_replay(tmp_path, str(warcs))
    assert result.returncode == 0, result.log[-3000:]
    expected = {(a["url"], a["fetched_at"]): a for a in outputs[0] + outputs[1]}
    assert {(a["url"], a["fetched_at"]): a for a in result.items} == expected
    assert "'replay/revisits_resolved'" in result.stats and "'replay/revisits_resolved': 0" not in result.stats
