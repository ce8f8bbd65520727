"""Repairing ``.open`` files: cut back to the last whole record, close, hand on; never a live crawler's."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.archive.reader import iter_records
from newscrawl.archive.records import Exchange
from newscrawl.archive.recovery import complete_prefix, owned_by_live_process, repair_open_file, repair_open_files
from newscrawl.archive.store.local import LocalStore
from newscrawl.archive.writer import RotatingWarcWriter
from newscrawl.host import file_name_host

from .conftest import run_crawl
from .s3_servers import NewsSite

WARCIO = str(Path(sys.executable).parent / "warcio")


def _exchange(i: int) -> Exchange:
    return Exchange(url=f"http://site.test/a/{i}", method="GET", request_headers=[("User-Agent", "t")],
                    request_body=b"", status=200, response_headers=[("Content-Type", "text/plain")],
                    payload=random.Random(i).randbytes(500 * (i + 1)), ip_address="127.0.0.1")


def _open_file(directory: Path, exchanges: int = 4) -> tuple[Path, bytes, list[int]]:
    """A killed writer's ``.open`` file, its bytes and every record's end offset."""
    writer = RotatingWarcWriter(directory, "test", 10**9, {"software": "t"}, str, lambda c: None)
    for i in range(exchanges):
        writer.write(_exchange(i))
    path = writer.current_path
    writer._file.close()  # as SIGKILL leaves it: no rename, no close
    data = path.read_bytes()
    ends = [offset for offset, _r in iter_records(path)][1:] + [len(data)]
    return path, data, ends


def _check(path: Path) -> None:
    proc = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_complete_prefix_at_every_cut(tmp_path):
    path, data, ends = _open_file(tmp_path)
    assert complete_prefix(path) == (len(data), len(ends))
    # whole exchanges: after warcinfo, then after each request record (every second record)
    boundaries = [(end, n + 1) for n, end in enumerate(ends) if n % 2 == 0]
    cut_file = tmp_path / "cut.warc.gz.open"
    for cut in [*range(0, len(data) + 1, 37), *ends, *(e + 1 for e in ends)]:
        cut_file.write_bytes(data[:cut])
        whole = [b for b in boundaries if b[0] <= cut]
        assert complete_prefix(cut_file) == (whole[-1] if whole else (0, 0)), cut


@pytest.mark.parametrize("tail", [b"", b"\x1f\x8b\x08\x00partial", b"WARC/1.1\r\ngarbage"])
def test_repair_cuts_back_and_passes_warcio_check(tmp_path, tail):
    path, data, ends = _open_file(tmp_path)
    cut = ends[-1] - 100 if not tail else len(data)  # a torn last record, or junk after whole ones
    path.write_bytes(data[:cut] + tail)
    repair = repair_open_file(path)
    assert not path.exists()
    closed = repair.closed
    assert closed.path == path.with_name(path.name.removesuffix(".open"))
    expected_end = ends[-3] if not tail else len(data)  # a torn request takes its response along
    assert closed.size == expected_end == closed.path.stat().st_size
    assert repair.cut_bytes == cut + len(tail) - expected_end
    assert closed.records == len([e for e in ends if e <= expected_end])
    _check(closed.path)


def test_file_without_a_whole_record_is_kept_aside(tmp_path):
    path, data, ends = _open_file(tmp_path)
    path.write_bytes(data[:ends[0] - 10])
    repair = repair_open_file(path)
    assert repair.closed is None and not path.exists()
    assert path.with_name(path.name.removesuffix(".open") + ".damaged").read_bytes() == data[:ends[0] - 10]
    empty = tmp_path / "e.warc.gz.open"
    empty.write_bytes(b"")
    assert repair_open_file(empty).closed is None and not empty.exists()


def test_live_crawlers_files_are_left_alone(tmp_path):
    # a process whose command line says scrapy, like a running crawler
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "scrapy"])
    try:
        for _ in range(100):  # until it has exec'd
            if b"scrapy" in Path(f"/proc/{live.pid}/cmdline").read_bytes():
                break
            time.sleep(0.02)
        host = file_name_host()
        name = f"newscrawl-20260101000000000-00000-{host}-{live.pid}.warc.gz.open"
        assert owned_by_live_process(name)
        path, _data, _ends = _open_file(tmp_path)
        theirs = path.rename(tmp_path / name)
        assert repair_open_files(tmp_path) == [] and theirs.exists()
    finally:
        live.kill()
        live.wait()
    assert not owned_by_live_process(name)  # dead now: its file is repaired
    [repair] = repair_open_files(tmp_path)
    assert repair.closed.path.name == name.removesuffix(".open")
    assert not owned_by_live_process(f"newscrawl-20260101000000000-00000-otherhost-{os.getpid()}.warc.gz")


def test_local_store_recovers_open_files(tmp_path):
    path, data, ends = _open_file(tmp_path, exchanges=3)
    store = LocalStore(tmp_path)
    [closed] = store.recover()
    assert store.stored == [closed] and closed.size == len(data)
    # a repaired file is indexed like any closed file
    assert store.stats() == {"warc/recovered_files": 1, "warc/recovered_bytes_cut": 0, "warc/indexed": 1}
    assert closed.path.with_name(closed.path.name + ".cdxj").stat().st_size > 0
    _check(closed.path)


@pytest.mark.integration
def test_crawl_repairs_open_files_in_a_local_store(tmp_path):
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    path, data, ends = _open_file(warcs, exchanges=3)
    path.write_bytes(data + b"\x1f\x8b torn")
    site = NewsSite(articles=4).start()
    try:
        result = run_crawl(tmp_path, site.start_urls, "CRAWL_STATE_ENABLED=False")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert not list(warcs.glob("*.open"))
    repaired = warcs / path.name.removesuffix(".open")
    assert repaired.stat().st_size == len(data)
    assert "warc/recovered_files': 1" in result.log
    for warc in result.warcs:
        _check(warc)


@pytest.fixture(scope="module")
def crawled_warc(tmp_path_factory):
    """A WARC file a real crawl wrote, its bytes and every record's (type, end offset)."""
    workdir = tmp_path_factory.mktemp("source")
    site = NewsSite(articles=4).start()
    try:
        result = run_crawl(workdir, site.start_urls, "CRAWL_STATE_ENABLED=False")
    finally:
        site.stop()
    assert result.returncode == 0
    [warc] = result.warcs
    data = warc.read_bytes()
    offsets = [offset for offset, _r in iter_records(warc)]
    types = [rec.rec_type for _o, rec in iter_records(warc)]
    return warc, data, list(zip(types, offsets[1:] + [len(data)]))


@pytest.mark.integration
@pytest.mark.parametrize("cut", ["inside the request", "between response and request", "inside the response"])
def test_crawl_recovery_keeps_whole_exchanges_only(crawled_warc, tmp_path, cut):
    source, data, ends = crawled_warc
    assert [t for t, _e in ends[-2:]] == ["response", "request"]
    last_exchange_start, response_end, request_end = ends[-3][1], ends[-2][1], ends[-1][1]
    at = {"inside the request": request_end - 40, "between response and request": response_end,
          "inside the response": (last_exchange_start + response_end) // 2}[cut]
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    open_path = warcs / (source.name + ".open")  # its writer (the crawl above) is dead
    open_path.write_bytes(data[:at])
    site = NewsSite(articles=2).start()
    try:
        result = run_crawl(tmp_path, site.start_urls, "CRAWL_STATE_ENABLED=False")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    repaired = warcs / source.name
    assert repaired.read_bytes() == data[:last_exchange_start]
    assert f"Repaired WARC file {source.name}: kept {len(ends) - 2} records" in result.log
    kinds, concurrent, ids = [], {}, set()
    for _offset, rec in iter_records(repaired):
        kinds.append(rec.rec_type)
        if rec.rec_type == "request":
            concurrent[rec.rec_headers.get_header("WARC-Concurrent-To")] = rec
        elif rec.rec_type == "response":
            ids.add(rec.rec_headers.get_header("WARC-Record-ID"))
    assert kinds[0] == "warcinfo" and kinds[1:] == ["response", "request"] * ((len(kinds) - 1) // 2)
    assert set(concurrent) == ids  # every response kept with its request, and no request without
    _check(repaired)
