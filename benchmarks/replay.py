"""Replay throughput: `scrapy replay` on one and on all cores, against extraction alone.

The corpus is a live crawl of the demo site (run here, on loopback), its 2xx
responses copied ``copies`` times under distinct URLs into one WARC (gzip per
record, payloads as the site sent them). The floor is
``pipelines.extraction.extract_article`` called in a loop, in this process, on
the very Pages replay builds; replay rates are the command's own (first page
read to last item done, from its final progress line), so process start-up is
left out of both. Peak memory: ``memusage/max`` of the replay process (Scrapy's
MemoryUsage extension) and the largest resident size of any process it started.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parent.parent


def _crawl(workdir: Path) -> list[Path]:
    sys.path.insert(0, str(REPO))
    workdir.mkdir(parents=True, exist_ok=True)
    from newscrawl.demo.site import DemoSite
    from tests.conftest import run_crawl

    site = DemoSite(port=0)
    site.start()
    try:
        result = run_crawl(workdir, site.start_urls)
    finally:
        site.stop()
    if result.returncode != 0:
        raise RuntimeError("the demo crawl failed")
    return result.warcs


def crawl_records(workdir: Path) -> list:
    """Every 2xx response record of a live crawl of the demo site."""
    from newscrawl.archive.reader import LocalSource, read_archive

    return [r for w in _crawl(workdir / "crawl") for r in read_archive(LocalSource(w), rec_types=("response",))
            if 200 <= r.status < 300]


def build_corpus(path: Path, records: list, copies: int) -> tuple[Path, int]:
    """One WARC with ``records``, ``copies`` times under distinct URLs; returns (path, pages)."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
        for copy in range(copies):
            for rec in records:
                uri = rec.uri + ("&" if "?" in rec.uri else "?") + f"copy={copy}"
                http = StatusAndHeaders(f"{rec.status} OK", rec.headers, protocol=rec.protocol or "HTTP/1.1")
                record = writer.create_warc_record(uri, "response", payload=io.BytesIO(rec.payload),
                                                   length=len(rec.payload), http_headers=http,
                                                   warc_headers_dict={"WARC-Date": rec.date})
                writer.write_record(record)
    return path, copies * len(records)


def floor_rate(corpus: Path) -> tuple[float, float]:
    """Pages per second of extract_article alone, one process, on the Pages replay builds; CPU ms per page."""
    from newscrawl.archive.reader import LocalSource, read_archive
    from newscrawl.links import LinkRules
    from newscrawl.replay import page_from_record
    from pipelines.extraction import extract_article

    pages = [page_from_record(r, LinkRules(), 1 << 30) for r in read_archive(LocalSource(corpus))
             if 200 <= r.status < 300]
    for page in pages[:20]:  # warm caches and lazy imports, as a running replay would have
        extract_article(page)
    start, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        extract_article(page)
    return len(pages) / (time.perf_counter() - start), (time.process_time() - cpu) * 1e3 / len(pages)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process, from /proc (Linux), or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                for c in (t / "children").read_text().split()]
    except OSError:
        return []


def replay_rate(corpus: Path, workdir: Path, *settings: str) -> dict[str, float]:
    """Run `scrapy replay`; its rate, memory, and CPU seconds of the main process and of its workers."""
    log = workdir / "replay.log"
    out = workdir / "replay.jsonl"
    cmd = [sys.executable, "-m", "scrapy", "replay", str(corpus), "-O", str(out), "-s", f"LOG_FILE={log}",
           "-s", "REPLAY_PROGRESS_INTERVAL=0"]
    for setting in settings:
        cmd += ["-s", setting]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main_cpu, worker_cpu = 0.0, {}
    while proc.poll() is None:  # sample CPU time until the end (the last ~50 ms may be missed)
        main_cpu = _cpu_seconds(proc.pid) or main_cpu
        for child in _children(proc.pid):
            seconds = _cpu_seconds(child)
            if seconds is not None:
                worker_cpu[child] = seconds
        time.sleep(0.05)
    _stdout, stderr = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"replay failed ({proc.returncode}): {stderr[-2000:]} {log.read_text()[-3000:] if log.exists() else ''}")
    children_max_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    line = [x for x in stderr.splitlines() if x.startswith("replay:")][-1]
    memusage = re.search(r"'memusage/max': (\d+)", log.read_text())
    return {
        "pages": int(re.search(r"(\d+) pages,", line).group(1)),
        "pages_per_s": float(re.search(r"([\d.]+) pages/s", line).group(1)),
        "main_cpu_s": main_cpu,
        "worker_cpu_s": sum(worker_cpu.values()),
        "main_peak_MB": round(int(memusage.group(1)) / 1e6, 1) if memusage else None,
        # ru_maxrss only grows, so this is the largest process of any run so far
        "largest_process_MB": round(max(before, children_max_kb) / 1024, 1),
    }


def run(copies: int = 20, rounds: int = 2) -> dict[str, object]:
    """Medians of ``rounds`` interleaved rounds, in wall-clock rates and in CPU time per page.

    ``all_cores_pages_built_in_processes`` also moves Page building (decoding, the
    Latest-links parse) out of the Scrapy process (``REPLAY_BUILD_PROCESSES``).

    The machine may be shared: wall-clock rates then drift with other load, while CPU
    time per page does not. From CPU time (a big and a small corpus, so start-up
    cancels out) come the rates the same code reaches on otherwise idle cores:
    ``one process`` = the slower of the Scrapy process and its one extraction process
    (they overlap); ``all cores`` = all the work spread over the cores.
    """
    import statistics

    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    configs = {"threads": ("EXTRACTION_PROCESSES=0", "EXTRACTION_THREADS=1"), "one": ("EXTRACTION_PROCESSES=1",),
               "all": (f"EXTRACTION_PROCESSES={cores}",),
               "all_build": (f"EXTRACTION_PROCESSES={cores}", f"REPLAY_BUILD_PROCESSES={cores}")}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        records = crawl_records(workdir)
        corpus, pages = build_corpus(workdir / "corpus.warc.gz", records, copies)
        small_copies = max(1, copies // 10)
        small_corpus, small_pages = build_corpus(workdir / "small.warc.gz", records, small_copies)
        floors, runs = [], {name: [] for name in configs}
        for _ in range(rounds):
            floors.append(floor_rate(corpus))
            for name, settings in configs.items():
                runs[name].append((replay_rate(corpus, workdir, *settings),
                                   replay_rate(small_corpus, workdir, *settings)))
    extra = pages - small_pages

    def med(values):
        return round(statistics.median(values), 3)

    def summary(name: str) -> dict[str, float]:
        big = [b for b, _ in runs[name]]
        main = med([(b["main_cpu_s"] - s["main_cpu_s"]) * 1e3 / extra for b, s in runs[name]])
        work = med([(b["worker_cpu_s"] - s["worker_cpu_s"]) * 1e3 / extra for b, s in runs[name]])
        return {"wall_pages_per_s": med([b["pages_per_s"] for b in big]), "main_cpu_ms_per_page": main,
                "worker_cpu_ms_per_page": work, "main_peak_MB": max(b["main_peak_MB"] or 0 for b in big),
                "main_peak_MB_small_corpus": max(s["main_peak_MB"] or 0 for _, s in runs[name])}

    floor_wall = med([f for f, _ in floors])
    floor_cpu = med([c for _, c in floors])
    one, every, threads, build = summary("one"), summary("all"), summary("threads"), summary("all_build")
    idle_floor = 1e3 / floor_cpu
    idle_one = 1e3 / max(one["main_cpu_ms_per_page"], one["worker_cpu_ms_per_page"])
    total = every["main_cpu_ms_per_page"] + every["worker_cpu_ms_per_page"]
    idle_all = min(1e3 * cores / total, 1e3 / every["main_cpu_ms_per_page"],
                   1e3 * cores / every["worker_cpu_ms_per_page"])
    return {
        "cores": cores, "pages": pages, "rounds": rounds, "load_average_before": round(load_before, 2),
        "floor": {"wall_pages_per_s": floor_wall, "cpu_ms_per_page": floor_cpu},
        "in_process_threads": threads, "one_process": one, "all_cores": every,
        "all_cores_pages_built_in_processes": build,
        # what the Scrapy process alone can feed, whatever the number of cores
        "serial_limit_pages_per_s": round(1e3 / every["main_cpu_ms_per_page"], 1),
        "serial_limit_pages_built_in_processes": round(1e3 / build["main_cpu_ms_per_page"], 1),
        "wall_one_process_vs_floor": round(one["wall_pages_per_s"] / floor_wall, 3),
        "wall_all_cores_vs_one_process": round(every["wall_pages_per_s"] / one["wall_pages_per_s"], 3),
        "cpu_model_one_process_vs_floor": round(idle_one / idle_floor, 3),
        "cpu_model_all_cores_vs_one_process": round(idle_all / idle_one, 3),
        "largest_process_MB": max(b["largest_process_MB"] for rs in runs.values() for b, _ in rs),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(*(int(a) for a in sys.argv[1:])), indent=1))
