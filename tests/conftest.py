"""Shared fixtures: the demo site on loopback and a helper that runs the real crawler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRAPY = [sys.executable, "-m", "scrapy"]


# -- pytest-xdist: which tests share a worker, and in what order they start ---------------------
#
# `make test` runs ``-n 3 --dist loadgroup``. xdist 3.8's own loadgroup renames node ids, which
# pytest 9.2 ignores, so groups are passed to the scheduler here instead: each worker writes
# {test: group} to a file the controller names (pytest_configure_node), and GroupScheduling
# reads it. A test is in its module's group when it uses a module- or class-scoped fixture (often
# a whole crawl) that is not in CHEAP_TO_REPEAT: then the fixture runs once, on one worker. Every
# other test is a group of its own, for whichever worker is free. Session-scoped fixtures
# (``demo_archive``, ``redis_url``) run once per worker. Groups start heaviest first (slow tests,
# then integration tests), so none is left for the end.

_SHARED_SCOPES = ("class", "module", "package")
# Module-scoped only to spare restarting a server: cheap enough for each worker to start its own.
CHEAP_TO_REPEAT = {"demo_site", "moto", "server"}
_WEIGHTS = (("slow", 60), ("integration", 8))
_GROUPS_FILE = "newscrawl_xdist_groups"


def _weight(item) -> int:
    return next((w for name, w in _WEIGHTS if item.get_closest_marker(name)), 1)


def _group(item) -> str:
    info = getattr(item, "_fixtureinfo", None)
    if info is not None and any(
            name not in CHEAP_TO_REPEAT and defs and defs[-1].scope in _SHARED_SCOPES
            for name, defs in ((n, info.name2fixturedefs.get(n)) for n in info.names_closure)):
        return item.nodeid.split("::", 1)[0]
    return item.nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    path = getattr(config, "workerinput", {}).get(_GROUPS_FILE)
    if not path:  # not an xdist worker of `--dist loadgroup`: collection order as written
        return
    groups = {item.nodeid: _group(item) for item in items}
    weights: dict[str, int] = {}
    for item in items:
        weights[groups[item.nodeid]] = weights.get(groups[item.nodeid], 0) + _weight(item)
    items.sort(key=lambda item: -weights[groups[item.nodeid]])  # the controller schedules in this order
    tmp = Path(f"{path}.{os.getpid()}")
    tmp.write_text(json.dumps(groups), encoding="utf-8")
    os.replace(tmp, path)  # every worker writes the same groups


_GROUPS_PATH = pytest.StashKey[Path]()


def _groups_path(config) -> Path:
    if _GROUPS_PATH not in config.stash:
        import tempfile

        config.stash[_GROUPS_PATH] = Path(tempfile.mkdtemp(prefix="newscrawl-xdist-")) / "groups.json"
    return config.stash[_GROUPS_PATH]


def pytest_configure_node(node):
    """(xdist, on the controller) Where the workers write their groups."""
    if node.config.getoption("dist") == "loadgroup":
        node.workerinput[_GROUPS_FILE] = str(_groups_path(node.config))


def pytest_unconfigure(config):
    if _GROUPS_PATH in config.stash:
        import shutil

        shutil.rmtree(config.stash[_GROUPS_PATH].parent, ignore_errors=True)


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """Scopes are the groups the workers wrote (see above), in the order they collected them."""

        def _split_scope(self, nodeid: str) -> str:
            if not hasattr(self, "_groups"):
                self._groups = json.loads(_groups_path(config).read_text(encoding="utf-8"))
            return self._groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)


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


@contextmanager
def loopback_server(handler, host: str):
    """A threaded HTTP server for ``handler`` on ``host`` (an address of 127.0.0.0/8) and a
    free port, serving until the block ends; yields its base URL."""
    httpd = ThreadingHTTPServer((host, 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


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
