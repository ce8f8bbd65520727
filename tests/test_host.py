"""One rule for "is this pid a live crawler" and one for the host name in file names.

The crawl lock's holder and a spool file's owner are judged alike: a live process
of this host whose command line is a crawler's. A pid the system reused for an
unrelated program, or one that has exited, is dead; another host's is unknown.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.archive.recovery import owned_by_live_process
from newscrawl.archive.store.manifest import manifest_name
from newscrawl.archive.writer import warc_file_name
from newscrawl.host import file_name_host, is_live_crawler
from newscrawl.incremental.state import holder_is_dead


def _process(*argv: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *argv])
    for _ in range(200):  # until it has exec'd
        if Path(f"/proc/{proc.pid}/cmdline").read_bytes().endswith(b"\0".join(a.encode() for a in argv) + b"\0"):
            break
        time.sleep(0.02)
    return proc


@pytest.fixture
def crawler_and_other():
    crawler, other = _process("scrapy", "crawl", "worldnews"), _process("unrelated-program")
    yield crawler, other
    for proc in (crawler, other):
        proc.kill()
        proc.wait()


def _holder(pid: int, host: str | None = None) -> str:
    return f"{host or socket.gethostname()}:{pid}:0123abcd"


def _spool_file(pid: int, host: str | None = None) -> str:
    return f"newscrawl-20260101000000000-00000-{file_name_host(host)}-{pid}.warc.gz.open"


def test_live_crawler_vs_unrelated_program_vs_exited(crawler_and_other):
    crawler, other = crawler_and_other
    assert is_live_crawler(crawler.pid)
    assert not is_live_crawler(other.pid)  # a reused pid: a process, not a crawler
    assert is_live_crawler(os.getpid())  # this process holds what it holds
    other.kill()
    other.wait()
    assert not is_live_crawler(other.pid)


def test_the_lock_and_the_spool_judge_a_pid_alike(crawler_and_other):
    crawler, other = crawler_and_other
    for proc, alive in ((crawler, True), (other, False)):
        assert holder_is_dead(_holder(proc.pid)) is not alive
        assert owned_by_live_process(_spool_file(proc.pid)) is alive
    crawler.kill()
    crawler.wait()
    assert holder_is_dead(_holder(crawler.pid)) and not owned_by_live_process(_spool_file(crawler.pid))


def test_another_hosts_holders_and_files_are_never_judged(crawler_and_other):
    crawler, other = crawler_and_other
    for proc in (crawler, other):
        assert not holder_is_dead(_holder(proc.pid, host="elsewhere"))
        assert not owned_by_live_process(_spool_file(proc.pid, host="elsewhere"))


@pytest.mark.parametrize("hostname, field", [
    ("crawl-1.internal", "crawl_1.internal"), ("box", "box"), ("a-b-c", "a_b_c"),
])
def test_file_names_carry_the_host_one_way(hostname, field, monkeypatch):
    assert file_name_host(hostname) == field
    assert f"-{field}-7.warc.gz" in warc_file_name("p", 1, hostname=hostname, pid=7)
    monkeypatch.setattr(socket, "gethostname", lambda: hostname)
    assert file_name_host() == field
    assert manifest_name("p", "c1") == f"p-c1-{field}-{os.getpid()}.manifest.json"
