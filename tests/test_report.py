"""`scrapy report`: two runs of a demo crawl, the report of each rendered in headless Chromium.

The numbers on the page are read back from its DOM and compared with what the
crawl itself counted (its manifest, its items), not with constants.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html

from .browser import load, screenshot
from .conftest import REPO, SCRAPY, run_crawl

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs of one crawl (edition 1, then 2: some articles changed, the rest revisits); a seed that 404s."""
    from newscrawl.demo.site import DemoSite

    work = tmp_path_factory.mktemp("crawl")
    site = DemoSite(port=0)
    site.start()
    missing = site.publishers["globe"] + "/no-such-page"
    try:
        first = run_crawl(work, [*site.start_urls, missing], "CRAWL_ID=run-1", "EXTRACTION_PROCESSES=0")
        first.items_copy = list(first.items)
        site.set_edition(2)
        second = run_crawl(work, [*site.start_urls, missing], "CRAWL_ID=run-2", "RECRAWL_ARTICLES_AFTER=0",
                            "EXTRACTION_PROCESSES=0")
    finally:
        site.stop()
    assert first.returncode == 0 and second.returncode == 0, second.log[-3000:]
    manifests = {json.loads(p.read_text())["crawl_id"]: p for p in first.warc_dir.glob("*.manifest.json")}
    return {"work": work, "site_missing": missing, "first": first, "second": second, "manifests": manifests}


def run_report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SCRAPY, "report", *args], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=300)


def table(dom, name: str) -> list[list[str]]:
    rows = dom.xpath(f'//table[@data-table="{name}"]/tbody/tr')
    return [[td.text_content().strip() for td in row.xpath("./td")] for row in rows]


def stat(dom, key: str) -> str:
    [node] = dom.xpath(f'//*[@data-stat="{key}"]')
    return node.text_content().strip()


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def second_report(runs, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    # by crawl id, looked up in WARC_STORE
    proc = run_report("run-2", "-o", str(out), "-s", f"WARC_STORE={runs['first'].warc_dir}")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return out


def test_report_renders_offline_without_console_errors(second_report, tmp_path):
    text = second_report.read_text(encoding="utf-8")
    # nothing to fetch: no script, no external stylesheet, image or font
    assert "<script" not in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", text)
    page = load(second_report.as_uri(), tmp_path / "profile")
    assert page.console == []
    assert stat(lxml_html.fromstring(page.dom), "crawl_id") == "run-2"
    screenshot(second_report.as_uri(), tmp_path / "profile", "crawl-report.png", size="1200,2600")


def test_report_shows_the_crawls_numbers(runs, second_report, tmp_path):
    page = load(second_report.as_uri(), tmp_path / "profile")
    dom = lxml_html.fromstring(page.dom)
    manifest = json.loads(runs["manifests"]["run-2"].read_text())
    summary, stats = manifest["summary"], manifest["stats"]
    items = runs["second"].items
    assert number(stat(dom, "pages")) == summary["pages"] == stats["warc/responses"]
    assert number(stat(dom, "revisits")) == summary["revisits"] > 0
    assert number(stat(dom, "changed_articles")) == summary["changed_articles"] > 0
    assert number(stat(dom, "articles")) == len(items)
    assert number(stat(dom, "files")) == len(manifest["files"])
    assert number(stat(dom, "bytes")) == sum(f["size"] for f in manifest["files"])

    # status codes: the crawl's own counters (revisit records shown apart)
    statuses = Counter()
    for status, count in table(dom, "statuses"):
        statuses[status.split()[0]] += number(count)
    expected = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("warc/response_status_count/")}
    assert dict(statuses) == expected

    # articles per publisher, and field coverage, from the run's items
    per_publisher = Counter(item["publisher"] for item in items)
    assert {p: number(n) for p, n in table(dom, "publishers")} == dict(per_publisher)
    coverage = {row[0]: row[1:] for row in table(dom, "coverage")}
    for publisher, count in per_publisher.items():
        have = [sum(1 for i in items if i["publisher"] == publisher and i.get(f)) for f in
                ("title", "published", "authors", "body")]
        assert [int(re.search(r"\((\d+)\)", cell)[1]) for cell in coverage[publisher]] == have

    # bytes per host add up to the WARC records of the run
    hosts = table(dom, "hosts")
    assert sum(number(c) for _h, c, _b in hosts) == sum(statuses.values())

    # the seed that 404s produced nothing; the others did
    empty = table(dom, "empty_seeds")
    assert [row[0] for row in empty] == [runs["site_missing"]]
    assert empty[0][1] == "404"

    # declined pages: 2xx HTML pages that are not articles (start and section pages), none of them an item
    declined = {row[0] for row in table(dom, "declined")}
    assert declined and not declined & {i["url"] for i in items}
    # with the extraction's own reasons, the ones the crawl counted
    reasons = {row[2].split(":")[0] for row in table(dom, "declined") if not row[2].startswith("not HTML")}
    assert reasons and reasons <= {k.rsplit("/", 1)[1] for k in stats if k.startswith("newscrawl/pages/not_article/")}

    # runs in the store: both, with each one's revisits and changes
    rows = {row[0]: row for row in table(dom, "runs")}
    assert set(rows) == {"run-1", "run-2"}
    for crawl_id, row in rows.items():
        run_summary = json.loads(runs["manifests"][crawl_id].read_text())["summary"]
        assert number(row[2]) == run_summary["pages"] and number(row[6]) == run_summary["revisits"]
        assert number(row[4]) == run_summary["changed_articles"]


def test_report_by_manifest_path(runs, tmp_path):
    out = tmp_path / "first.html"
    proc = run_report(str(runs["manifests"]["run-1"]), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    dom = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    assert stat(dom, "crawl_id") == "run-1"
    assert number(stat(dom, "articles")) == len(runs["first"].items_copy)
    assert number(stat(dom, "revisits")) == 0


def test_a_missing_warc_file_is_named_and_fails(runs, tmp_path):
    manifest = json.loads(runs["manifests"]["run-1"].read_text())
    manifest["files"].append({**manifest["files"][0], "uri": str(tmp_path / "gone.warc.gz"), "name": "gone.warc.gz"})
    path = tmp_path / "edited.manifest.json"
    path.write_text(json.dumps(manifest))
    out = tmp_path / "r.html"
    proc = run_report(str(path), "-o", str(out))
    assert proc.returncode == 1
    assert "gone.warc.gz" in proc.stderr and "gone.warc.gz" in out.read_text()


def test_unknown_crawl_id_is_a_usage_error(runs, tmp_path):
    proc = run_report("no-such-run", "-o", str(tmp_path / "r.html"), "-s", f"WARC_STORE={runs['first'].warc_dir}")
    assert proc.returncode == 2
    assert "CRAWL_ID no-such-run" in proc.stderr and "run-1" in proc.stderr and "Traceback" not in proc.stderr
