"""Shared fixtures: the demo site on loopback and a helper that runs the real crawler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRAPY = [sys.executable, "-m", "scrapy"]


_SHARED_SCOPES = ("class", "module", "package")
# Module-scoped only to spare restarting a server: cheap enough for each xdist worker to start its own.
CHEAP_TO_REPEAT = {"demo_site", "moto", "server"}
# Rough cost of a test, to start the long ones first (`make test` passes --no-loadscope-reorder).
_WEIGHTS = (("slow", 60), ("integration", 8))


def _weight(item) -> int:
    return next((w for name, w in _WEIGHTS if item.get_closest_marker(name)), 1)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test` runs ``-n 3 --dist loadgroup``), the tests of a module that
    use a module- or class-scoped fixture (often a whole crawl) run on one worker, so that the
    fixture runs once; the other tests go to whichever worker is free. Session-scoped fixtures
    (``demo_archive``, ``redis_url``) and the servers in ``CHEAP_TO_REPEAT`` run once per worker.
    On a worker, the heaviest groups and the slow tests come first, so none is left for the end."""
    groups: dict[str, int] = {}
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        group = None
        if info is not None and any(
                name not in CHEAP_TO_REPEAT and defs and defs[-1].scope in _SHARED_SCOPES
                for name, defs in ((n, info.name2fixturedefs.get(n)) for n in info.names_closure)):
            group = item.nodeid.split("::", 1)[0]
            item.add_marker(pytest.mark.xdist_group(group))
        key = group or item.nodeid
        groups[key] = groups.get(key, 0) + _weight(item)
        item.stash[_GROUP] = key
    if hasattr(config, "workerinput"):  # an xdist worker: the controller schedules in this order
        items.sort(key=lambda item: -groups[item.stash[_GROUP]])


_GROUP = pytest.StashKey[str]()


@dataclass
class CrawlResult:
    returncode: int
    warc_dir: Path
    items: list[dict]
    log: str
    stderr: str = ""

    @property
    def warcs(self) -> list[Path]:
        return sorted(self.warc_dir.glob("*.warc.gz"))


def run_crawl(workdir: Path, start_urls: list[str], *settings: str, timeout: float = 180, **popen) -> CrawlResult:
    """Run `scrapy crawl worldnews` in a real process, as a user would (``popen``: e.g. preexec_fn, env)."""
    warc_dir = workdir / "warcs"
    out = workdir / "articles.jsonl"
    log = workdir / "crawl.log"
    cmd = [*SCRAPY, "crawl", "worldnews", "-a", "start_urls=" + ",".join(start_urls), "-O", str(out),
           "-s", f"WARC_STORE={warc_dir}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8",
           "-s", f"LOG_FILE={log}", "-s", "LOG_LEVEL=DEBUG", "-s", f"CRAWL_STATE={workdir / 'state.sqlite'}",
           "-s", f"WARC_SPOOL_DIR={workdir / 'spool'}"]
    for setting in settings:
        cmd += ["-s", setting]
    env = {**os.environ, "PYTHONPATH": str(REPO), **popen.pop("env", {})}
    proc = subprocess.run(popen.pop("wrapper", []) + cmd, cwd=REPO, env=env, timeout=timeout, capture_output=True,
                          text=True, **popen)
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()] if out.exists() else []
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, text[-5000:], sep="\n")
    return CrawlResult(proc.returncode, warc_dir, items, text, proc.stderr)


@pytest.fixture(scope="module")
def demo_site():
    from newscrawl.demo.site import DemoSite

    site = DemoSite(port=0)
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory):
    """One crawl of the demo site for the tests that only look at its archive (indexes, serve, wacz).

    Small WARC files, so that it spans several files and indexes; the site is stopped before
    any test runs, so what they see comes from the archive alone. Tests must not change it.
    """
    from newscrawl.demo.site import DemoSite

    site = DemoSite(port=0)
    site.start()
    try:
        result = run_crawl(tmp_path_factory.mktemp("demo-archive"), site.start_urls, "WARC_MAX_SIZE=40000",
                           "EXTRACTION_PROCESSES=0")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.warcs) >= 2 and len(result.items) > 10
    return result
