"""Replay throughput: `scrapy replay` on one and on all cores, against extraction alone.

Two corpora, each written into one WARC (gzip per record) in a temporary directory:

* ``news``: the real news pages of ``../shared/datasets`` (fundus-eval and
  naeb-dev, 291 pages of 20-900 KB from many publishers), served as
  ``text/html`` with no charset, so the charset comes from the page as in any
  replay; what a news archive holds, and the corpus the targets are judged on;
* ``demo``: a live crawl of the demo site (run here, on loopback), its 2xx
  responses (~4 KB pages, 70% articles) copied under distinct URLs: pages so
  small that extraction takes ~5 ms, the worst case for everything around it.

Three references, all in this machine's current state:

* the floor: ``pipelines.extraction.extract_article`` called in a loop, in one
  process, on prebuilt Pages whose Latest links are already found (the issue's
  "extraction function alone"; a replay also finds the links, in its workers);
* the ceiling: ``cores`` independent processes, each reading the WARC and doing
  what a replay does to a record (``page_from_record`` without link finding, then
  ``extract_article``, which finds the links on its parse) on its share of the
  pages, with no Scrapy and no inter-process traffic at all: it bounds what
  "all cores" can reach;
* the same with one process.

Replay rates are the command's own (first page read to last item done, from its
final progress line), so process start-up is left out. Each configuration runs
``rounds`` times, interleaved with the others and with the references, and the
median is kept. Peak memory: the peak resident size (VmHWM, polled from /proc) of
the Scrapy process and of its largest worker, on the big corpus and on one a tenth
its size: flat memory means the two are the same.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.results import cpu_seconds

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


def news_records() -> list:
    """The dataset pages as archived responses: 200, ``text/html`` without a charset, their own URLs."""
    from benchmarks.extraction import LOADERS

    return [SimpleNamespace(uri=case.url, status=200, headers=[("Content-Type", "text/html")],
                            payload=case.html, protocol="HTTP/1.1", date="2024-05-01T12:00:00Z")
            for load in LOADERS.values() for case in load()]


def build_corpus(path: Path, records: list, copies: int, limit: int | None = None) -> tuple[Path, int]:
    """One WARC with ``records``, ``copies`` times under distinct URLs (the first ``limit``); (path, pages)."""
    written = 0
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
        for copy in range(copies):
            for rec in records:
                if limit is not None and written >= limit:
                    break
                written += 1
                uri = rec.uri + ("&" if "?" in rec.uri else "?") + f"copy={copy}"
                http = StatusAndHeaders(f"{rec.status} OK", rec.headers, protocol=rec.protocol or "HTTP/1.1")
                record = writer.create_warc_record(uri, "response", payload=io.BytesIO(rec.payload),
                                                   length=len(rec.payload), http_headers=http,
                                                   warc_headers_dict={"WARC-Date": rec.date})
                writer.write_record(record)
    return path, written


def floor_rate(corpus: Path) -> tuple[float, float]:
    """Pages per second of extract_article alone, one process, on the Pages replay builds; CPU ms per page."""
    from newscrawl.archive.reader import LocalSource, read_archive
    from newscrawl.follow.links import LinkRules
    from newscrawl.replay.spider import page_from_record
    from pipelines.extraction import extract_article

    pages = [page_from_record(r, LinkRules(), 1 << 30) for r in read_archive(LocalSource(corpus))
             if 200 <= r.status < 300]
    for page in pages[:20]:  # warm caches and lazy imports, as a running replay would have
        extract_article(page)
    start, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        extract_article(page)
    return len(pages) / (time.perf_counter() - start), (time.process_time() - cpu) * 1e3 / len(pages)


def _ceiling_worker(corpus: str, part: int, parts: int, results, start) -> None:
    sys.path.insert(0, str(REPO))
    from newscrawl.archive.reader import LocalSource, read_archive
    from newscrawl.follow.links import LinkRules
    from newscrawl.replay.spider import page_from_record
    from pipelines.extraction import extract_article

    rules = LinkRules()
    for i, rec in enumerate(read_archive(LocalSource(Path(corpus)))):  # warm caches and lazy imports
        if i >= 20:
            break
        extract_article(page_from_record(rec, None, 1 << 30, find_links=False), link_rules=rules)
    results.put("ready")
    start.wait()
    began, cpu, pages = time.perf_counter(), time.process_time(), 0
    for i, rec in enumerate(read_archive(LocalSource(Path(corpus)))):
        if i % parts == part and 200 <= rec.status < 300:
            extract_article(page_from_record(rec, None, 1 << 30, find_links=False), link_rules=rules)
            pages += 1
    results.put((pages, time.perf_counter() - began, time.process_time() - cpu))


def ceiling_rate(corpus: Path, processes: int) -> tuple[float, float]:
    """Pages/s of ``processes`` processes each reading the WARC, building and extracting its share; CPU ms/page."""
    ctx = multiprocessing.get_context("spawn")
    results, start = ctx.Queue(), ctx.Event()
    workers = [ctx.Process(target=_ceiling_worker, args=(str(corpus), i, processes, results, start))
               for i in range(processes)]
    for worker in workers:
        worker.start()
    for _ in workers:
        results.get(timeout=300)  # every process has imported and warmed up: start them together
    start.set()
    outcome = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    pages = sum(n for n, _, _ in outcome)
    return pages / max(wall for _, wall, _ in outcome), sum(cpu for _, _, cpu in outcome) * 1e3 / pages


def _peak_rss_mb(pid: int) -> float | None:
    """VmHWM of a process (its peak resident size so far), in MB, or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                for c in (t / "children").read_text().split()]
    except OSError:
        return []


def replay_rate(corpus: Path, workdir: Path, *settings: str) -> dict[str, float]:
    """Run `scrapy replay`; its rate, peak memory, and CPU seconds of the main process and of its workers."""
    log = workdir / "replay.log"
    out = workdir / "replay.jsonl"
    cmd = [sys.executable, "-m", "scrapy", "replay", str(corpus), "-O", str(out), "-s", f"LOG_FILE={log}",
           "-s", "LOG_FILE_APPEND=False", "-s", "REPLAY_PROGRESS_INTERVAL=0"]
    for setting in settings:
        cmd += ["-s", setting]
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main_cpu, worker_cpu, main_peak, worker_peak = 0.0, {}, 0.0, {}
    while proc.poll() is None:  # sample CPU time and peak RSS until the end (the last ~50 ms may be missed)
        main_cpu = cpu_seconds(proc.pid) or main_cpu
        main_peak = _peak_rss_mb(proc.pid) or main_peak
        for child in _children(proc.pid):
            seconds, peak = cpu_seconds(child), _peak_rss_mb(child)
            if seconds is not None:
                worker_cpu[child] = seconds
            if peak is not None:
                worker_peak[child] = peak
        time.sleep(0.05)
    _stdout, stderr = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"replay failed ({proc.returncode}): {stderr[-2000:]} {log.read_text()[-3000:] if log.exists() else ''}")
    line = [x for x in stderr.splitlines() if x.startswith("replay:")][-1]
    return {
        "pages": int(re.search(r"(\d+) pages,", line).group(1)),
        "pages_per_s": float(re.search(r"([\d.]+) pages/s", line).group(1)),
        "main_cpu_s": main_cpu,
        "worker_cpu_s": sum(worker_cpu.values()),
        "main_peak_MB": round(main_peak, 1),  # VmHWM of the Scrapy process
        "largest_worker_MB": round(max(worker_peak.values(), default=0.0), 1),
    }


def cpu_model(one: dict, every: dict, floor_cpu: float, cores: int) -> dict[str, float | None]:
    """Rates on otherwise idle cores from the CPU per page: one process = the slower of the Scrapy process
    and its one worker (they overlap); all cores = all the work spread over the cores, or the Scrapy
    process alone. A corpus too small for the CPU difference to show (the quick run's 6 extra pages)
    leaves a figure at zero or below: the model is then not measured (None, "–"), not a division by zero."""
    figures = (one["main_cpu_ms_per_page"], one["worker_cpu_ms_per_page"],
               every["main_cpu_ms_per_page"], every["worker_cpu_ms_per_page"], floor_cpu)
    if min(figures) <= 0:
        return {"serial_limit_pages_per_s": None, "one_process_vs_floor": None, "all_cores_vs_one_process": None}
    idle_one = 1e3 / max(one["main_cpu_ms_per_page"], one["worker_cpu_ms_per_page"])
    total = every["main_cpu_ms_per_page"] + every["worker_cpu_ms_per_page"]
    idle_all = min(1e3 * cores / total, 1e3 / every["main_cpu_ms_per_page"],
                   1e3 * cores / every["worker_cpu_ms_per_page"])
    return {"serial_limit_pages_per_s": round(1e3 / every["main_cpu_ms_per_page"], 1),
            "one_process_vs_floor": round(idle_one / (1e3 / floor_cpu), 3),
            "all_cores_vs_one_process": round(idle_all / idle_one, 3)}


def run(copies: int = 40, rounds: int = 5, corpus_kind: str = "demo", limit: int | None = None) -> dict[str, object]:
    """Medians of ``rounds`` interleaved rounds, in wall-clock rates and in CPU time per page.
    ``limit``: the corpus's first pages only (``make bench QUICK=1``).

    ``one_process`` and ``all_cores`` differ only in ``EXTRACTION_PROCESSES`` (1, then
    one per core). ``in_process_threads`` extracts on one thread of the Scrapy process.
    CPU time per page of the Scrapy process and of
    its workers comes from a big and a small corpus, so start-up cancels out.
    """
    import statistics

    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    configs = {"one": ("EXTRACTION_PROCESSES=1",), "all": (f"EXTRACTION_PROCESSES={cores}",),
               "threads": ("EXTRACTION_PROCESSES=0", "EXTRACTION_THREADS=1")}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        records = (news_records() if corpus_kind == "news" else crawl_records(workdir))[:limit]
        corpus, pages = build_corpus(workdir / "corpus.warc.gz", records, copies)
        # whole copies, so that CPU time per page = (big - small) / (pages - small pages) is over the same pages
        small_corpus, small_pages = build_corpus(workdir / "small.warc.gz", records, max(1, copies // 10))
        if small_pages >= pages:
            raise ValueError("the corpus needs at least 2 copies")
        floors, ceilings_one, ceilings_all, runs = [], [], [], {name: [] for name in configs}
        for _ in range(rounds):
            floors.append(floor_rate(corpus))
            for name, settings in configs.items():
                runs[name].append((replay_rate(corpus, workdir, *settings),
                                   replay_rate(small_corpus, workdir, *settings)))
            ceilings_one.append(ceiling_rate(corpus, 1))
            ceilings_all.append(ceiling_rate(corpus, cores))
    extra = pages - small_pages

    def med(values):
        return round(statistics.median(values), 3)

    def summary(name: str) -> dict[str, float]:
        big = [b for b, _ in runs[name]]
        main = med([(b["main_cpu_s"] - s["main_cpu_s"]) * 1e3 / extra for b, s in runs[name]])
        work = med([(b["worker_cpu_s"] - s["worker_cpu_s"]) * 1e3 / extra for b, s in runs[name]])
        return {"wall_pages_per_s": med([b["pages_per_s"] for b in big]),
                "wall_runs": [b["pages_per_s"] for b in big],
                "main_cpu_ms_per_page": main, "worker_cpu_ms_per_page": work,
                "main_peak_MB": max(b["main_peak_MB"] for b in big),
                "main_peak_MB_small_corpus": max(s["main_peak_MB"] for _, s in runs[name]),
                "largest_worker_MB": max(b["largest_worker_MB"] for b in big)}

    floor_wall, floor_cpu = med([f for f, _ in floors]), med([c for _, c in floors])
    one, every, threads = summary("one"), summary("all"), summary("threads")
    def ceiling(rounds_):
        return {"wall_pages_per_s": med([r for r, _ in rounds_]), "cpu_ms_per_page": med([c for _, c in rounds_])}

    ceiling_one, ceiling_all = ceiling(ceilings_one), ceiling(ceilings_all)
    model = cpu_model(one, every, floor_cpu, cores)
    # Ratios within each round (the floor, then one process, then all cores, back to back), then their
    # median: the machine's speed drifts between rounds more than within one.
    wall_one_vs_floor = med([b["pages_per_s"] / f for (b, _), (f, _) in zip(runs["one"], floors)])
    wall_all_vs_one = med([a["pages_per_s"] / o["pages_per_s"] for (a, _), (o, _) in zip(runs["all"], runs["one"])])
    return {
        "corpus": corpus_kind, "cores": cores, "pages": pages, "rounds": rounds, "load_average_before": round(load_before, 2),
        "floor": {"wall_pages_per_s": floor_wall, "cpu_ms_per_page": floor_cpu,
                  "wall_runs": [round(f, 1) for f, _ in floors]},
        "ceiling_one_process_build_and_extract": ceiling_one,
        "ceiling_all_cores_build_and_extract": ceiling_all,
        "one_process": one, "all_cores": every, "in_process_threads": threads,
        # what the Scrapy process alone can feed, whatever the number of cores
        "serial_limit_pages_per_s": model["serial_limit_pages_per_s"],
        "wall_one_process_vs_floor": wall_one_vs_floor,  # median of the rounds' ratios
        "wall_all_cores_vs_one_process": wall_all_vs_one,  # median of the rounds' ratios
        "wall_all_cores_vs_ceiling": round(every["wall_pages_per_s"] / ceiling_all["wall_pages_per_s"], 3),
        # the most any replay could reach against this one-process rate: the ceiling has no Scrapy, no IPC
        "best_possible_all_cores_vs_one_process": round(ceiling_all["wall_pages_per_s"] / one["wall_pages_per_s"], 3),
        "cpu_model_one_process_vs_floor": model["one_process_vs_floor"],
        "cpu_model_all_cores_vs_one_process": model["all_cores_vs_one_process"],
        "target_one_process_within_10pct_of_floor": wall_one_vs_floor >= 0.9,
        "target_all_cores_at_least_1_7x_one_process": wall_all_vs_one >= 1.7,
    }


SECTION = "## Replay"


def table(results: list[dict]) -> str:
    """The ``## Replay`` section from the runs of this benchmark (one column per corpus)."""
    from benchmarks.results import machine

    def cell(r, key, fmt="{:.1f}"):
        return fmt.format(r[key]) if r.get(key) is not None else "–"

    head = " | ".join(f"{r['corpus']} ({r['pages']} pages)" for r in results)
    rows = [
        ("floor (extract_article alone), pages/s, CPU ms/page",
         lambda r: f"{r['floor']['wall_pages_per_s']:.1f}, {r['floor']['cpu_ms_per_page']:.2f} ms"),
        ("ceiling, 1 process", lambda r: f"{r['ceiling_one_process_build_and_extract']['wall_pages_per_s']:.1f}"),
        (f"ceiling, {results[0]['cores']} processes",
         lambda r: f"{r['ceiling_all_cores_build_and_extract']['wall_pages_per_s']:.1f}"),
        ("**replay, EXTRACTION_PROCESSES=1** (Scrapy process + worker, CPU ms/page)",
         lambda r: f"**{r['one_process']['wall_pages_per_s']:.1f}** ({r['one_process']['main_cpu_ms_per_page']:.2f}"
                   f" + {r['one_process']['worker_cpu_ms_per_page']:.2f})"),
        (f"**replay, EXTRACTION_PROCESSES={results[0]['cores']}**",
         lambda r: f"**{r['all_cores']['wall_pages_per_s']:.1f}** ({r['all_cores']['main_cpu_ms_per_page']:.2f}"
                   f" + {r['all_cores']['worker_cpu_ms_per_page']:.2f})"),
        ("replay, 1 extraction thread in the Scrapy process",
         lambda r: f"{r['in_process_threads']['wall_pages_per_s']:.1f}"),
        ("**one process / floor** (target ≥ 0.90)",
         lambda r: f"**{r['wall_one_process_vs_floor']:.2f}** {'✓' if r['target_one_process_within_10pct_of_floor'] else '✗'}"),
        ("**all cores / one process** (target ≥ 1.70)",
         lambda r: f"**{r['wall_all_cores_vs_one_process']:.2f}** {'✓' if r['target_all_cores_at_least_1_7x_one_process'] else '✗'}"),
        ("best possible all cores / one process (ceiling / replay on one)",
         lambda r: f"{r['best_possible_all_cores_vs_one_process']:.2f}"),
        ("Scrapy process peak RSS, big / small corpus",
         lambda r: f"{r['all_cores']['main_peak_MB']:.0f} / {r['all_cores']['main_peak_MB_small_corpus']:.0f} MB"),
        ("largest extraction process", lambda r: f"{r['all_cores']['largest_worker_MB']:.0f} MB"),
    ]
    lines = [
        SECTION, "",
        f"`python -m benchmarks.replay` (part of `make bench`), {machine()}. `scrapy replay` in a subprocess, "
        "`-O` JSON lines, on one WARC (gzip per record). **news**: the real pages of `../shared/datasets` "
        "(fundus-eval and naeb-dev), copied under distinct URLs, served as `text/html` with no charset. "
        "**demo**: the demo site crawled live, its 2xx responses copied under distinct URLs (~4 KB pages): "
        "extraction is so cheap there that everything around it weighs most.",
        "",
        "Rates are the command's own (first page read to last item done). In each round the floor, the three "
        "replays and the ceilings run back to back; figures are medians over the rounds, ratios the median of "
        "each round's ratio. CPU ms/page: the corpus against one a tenth its size, so start-up cancels. The "
        "**floor** is `extract_article` in a loop on prebuilt Pages, one process; the **ceiling** is N "
        "independent processes each reading the WARC and building + extracting its share, no Scrapy, no IPC.",
        "",
        f"| | {head} |",
        "|---|" + "---:|" * len(results),
    ]
    for label, render in rows:
        lines.append(f"| {label} | " + " | ".join(render(r) for r in results) + " |")
    lines.append("")
    runs = "; ".join(f"{r['corpus']}: rounds {r['rounds']}, load average {r['load_average_before']} before, "
                     f"replay on all cores per round {r['all_cores']['wall_runs']} pages/s" for r in results)
    lines.append(f"Noise: {runs}.")
    lines.append("")
    lines.append("On two cores, all/one ≤ 2e / (e + o), with e the extraction CPU per page and o the Scrapy "
                 "process's: " + "; ".join(
                     f"{r['corpus']} e = {r['all_cores']['worker_cpu_ms_per_page']:.2f} ms, "
                     f"o = {r['all_cores']['main_cpu_ms_per_page']:.2f} ms" for r in results) + ".")
    return "\n".join(lines) + "\n"


def write_results(results: list[dict]) -> None:
    from benchmarks.results import write_section

    write_section(SECTION, table(results))


def main() -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("news", "demo", "both"), default="both")
    parser.add_argument("--copies", type=int, help="times each page is in the corpus (news: 2, demo: 40)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; RESULTS.md untouched")
    args = parser.parse_args()
    kinds = ("news", "demo") if args.corpus == "both" else (args.corpus,)
    results = [run(args.copies or (2 if kind == "news" else 40), args.rounds, kind) for kind in kinds]
    if not args.no_write:
        write_results(results)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
