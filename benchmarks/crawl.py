"""Crawl speed: newscrawl against a bare Scrapy spider, on the same generated site, in the same run.

The site (``benchmarks/site.py``) is served from a process of its own on
127.0.0.1, with no delay. Four crawlers, each a subprocess with the same
concurrency (``CONCURRENT_REQUESTS=16``, 8 per host) and robots.txt off:

* (a) ``bare``: a bare Scrapy spider following the same links (``benchmarks/bare.py``);
* (b) ``archive``: ``scrapy crawl worldnews`` with ``ITEM_PIPELINES={}`` (WARC files on disk, no extraction);
* (c) ``extract``: ``scrapy crawl worldnews -O articles.jsonl`` (archive + extraction, the defaults);
* (d) ``s3``: (c) with ``WARC_STORE=s3://...`` on a moto server on loopback.

They run in turn, ``rounds`` times (a b c d a b c d ...); each figure is the
median over the rounds, each ratio the median of the rounds' own ratios (the
machine is shared, so a ratio within one round is what means something), and
the spread of those ratios is shown as the noise.

* pages/s: pages the site served / seconds from its first request to the
  crawler's exit (start-up and imports left out, shutdown kept in);
* CPU ms/page: the crawler process's own user + system time (from /proc), from
  the site's first request to the end, per page; extraction workers apart;
* cost growth: (a) and (c) at 1k, 5k and 20k pages, one run each: time per
  page, the crawler's peak RSS (VmHWM) and its RSS through the run; and (c)
  with its frontier on disk (``JOBDIR``: Scrapy's disk queues) at one size;
* the load average (1 min) of the machine when each crawl starts, reported
  with the figures: the machine is shared, and the ratios hold only for a
  baseline measured under the same load.

The tables replace the ``## Crawl`` section (the rounds) and the ``## Crawl
cost growth`` section of RESULTS.md (``BENCH_RESULTS`` elsewhere), each written
as soon as measured; ``--rounds 0`` or ``--growth ''`` leaves one alone, so the
two can run as two processes. ``--quick``: a few hundred pages, one round (for CI: the script runs).

    python -m benchmarks.crawl [--pages 5000] [--rounds 3] [--growth 1000,5000,20000] [--disk-queue-at 5000] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import cpu_seconds, machine, write_section
from benchmarks.site import Site

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Crawl"
GROWTH_SECTION = "## Crawl cost growth"
CONCURRENCY = ("CONCURRENT_REQUESTS=16", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
VARIANTS = {
    "bare": "(a) bare Scrapy spider, same links",
    "archive": "(b) newscrawl, `ITEM_PIPELINES={}` (archive only)",
    "extract": "(c) newscrawl, archive + extraction",
    "s3": "(d) (c), WARC files into S3 (moto server)",
}
# Not in the rounds: (c) with JOBDIR, its frontier in Scrapy's disk queues, in the cost-growth table.
DISK_QUEUE = "jobdir"
S3_KEY, S3_SECRET, S3_BUCKET = "bench-access-key", "bench-secret-key", "bench"


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return out


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    except OSError:
        return []


class Moto:
    """moto's S3 server on loopback, for (d)."""

    def __init__(self, workdir: Path):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = open(workdir / "moto.log", "wb")
        self.proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1",
                                      "-p", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        import boto3
        from botocore.config import Config

        deadline = time.monotonic() + 30
        client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                              aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET,
                              config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        while True:
            try:
                client.create_bucket(Bucket=S3_BUCKET)
                break
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)
        self.client = client

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def objects(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=S3_BUCKET, Prefix=prefix)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def command(variant: str, site: Site, workdir: Path, moto: Moto | None = None) -> tuple[list[str], dict]:
    """The crawler's command line and environment for one variant."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if variant == "bare":
        return [sys.executable, "-m", "benchmarks.bare", site.url, *CONCURRENCY,
                f"LOG_FILE={workdir / 'crawl.log'}"], env
    cmd = [sys.executable, "-m", "scrapy", "crawl", "worldnews", "-a", f"start_urls={site.url}",
           "-s", "ROBOTSTXT_OBEY=False", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.1/32",
           "-s", f"LOG_FILE={workdir / 'crawl.log'}", "-s", f"CRAWL_STATE={workdir / 'state.sqlite'}",
           "-s", f"WARC_STORE={workdir / 'warcs'}", "-s", f"WARC_SPOOL_DIR={workdir / 'spool'}",
           "-s", "WARC_MAX_SIZE=4000000"]
    for setting in CONCURRENCY:
        cmd += ["-s", setting]
    if variant == DISK_QUEUE:
        cmd += ["-s", f"JOBDIR={workdir / 'job'}"]
    if variant == "archive":
        cmd += ["-s", "ITEM_PIPELINES={}"]
    else:
        cmd += ["-O", str(workdir / "articles.jsonl")]
    if variant == "s3":
        assert moto is not None
        prefix = f"run-{workdir.name}"
        cmd[cmd.index(f"WARC_STORE={workdir / 'warcs'}")] = f"WARC_STORE=s3://{S3_BUCKET}/{prefix}"
        cmd += ["-s", f"AWS_ENDPOINT_URL={moto.endpoint}", "-s", "AWS_REGION_NAME=us-east-1",
                "-s", "WARC_S3_ADDRESSING_STYLE=path", "-s", "WARC_S3_CHECKSUM_ALGORITHM=SHA256"]
        env.update(AWS_ACCESS_KEY_ID=S3_KEY, AWS_SECRET_ACCESS_KEY=S3_SECRET)
    return cmd, env


def crawl(variant: str, site: Site, workdir: Path, moto: Moto | None = None, timeout: float = 1800) -> dict:
    """One crawl of the site; its rate, CPU and memory, and what it fetched, archived and extracted."""
    workdir.mkdir(parents=True)
    cmd, env = command(variant, site, workdir, moto)
    site.reset()
    load = round(os.getloadavg()[0], 1)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    own_cpu, cpu_at_first, workers, worker_peak, peak, samples = 0.0, None, {}, {}, 0, []
    while proc.poll() is None:
        cpu = cpu_seconds(proc.pid)
        if cpu is not None:
            own_cpu = cpu
            if cpu_at_first is None and site.served:
                cpu_at_first = cpu
        status = _status(proc.pid)
        peak = max(peak, status.get("VmHWM", 0))
        if status.get("VmRSS"):
            samples.append(status["VmRSS"])
        for child in _children(proc.pid):
            seconds = cpu_seconds(child)
            if seconds is not None:
                workers[child] = seconds
                worker_peak[child] = _status(child).get("VmHWM", worker_peak.get(child, 0))
        if time.monotonic() - started > timeout:
            proc.kill()
        time.sleep(0.05)
    ended = time.monotonic()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.wait()
    pages = site.served
    if proc.returncode or not pages:
        log = (workdir / "crawl.log").read_text(errors="replace")[-3000:] if (workdir / "crawl.log").exists() else ""
        raise RuntimeError(f"{variant} crawl failed ({proc.returncode}, {pages} pages): {stderr[-1500:]}\n{log}")
    wall = ended - site.first_request
    result = {
        "variant": variant,
        "load_average": load,
        "pages": pages,
        "seconds": round(wall, 2),
        "download_seconds": round(site.last_request - site.first_request, 2),
        "pages_per_s": round(pages / wall, 1),
        "cpu_ms_per_page": round((own_cpu - (cpu_at_first or 0.0)) * 1e3 / pages, 2),
        "startup_cpu_s": round(cpu_at_first or 0.0, 2),
        "worker_cpu_ms_per_page": round(sum(workers.values()) * 1e3 / pages, 2),
        "workers": len(workers),
        "peak_rss_mb": round(peak / 2**20, 1),
        "largest_worker_mb": round(max(worker_peak.values(), default=0) / 2**20, 1),
        "rss_mb_by_tenth": [round(samples[len(samples) * k // 10] / 2**20) for k in range(10)] if samples else [],
    }
    if variant != "bare":
        result["archived"] = _archived(variant, workdir, moto)
    if (workdir / "articles.jsonl").exists():
        result["articles"] = sum(1 for line in (workdir / "articles.jsonl").open() if line.strip())
    if variant == DISK_QUEUE:
        result["disk_queue"] = _queued_on_disk(workdir / "crawl.log")
    return result


def _queued_on_disk(log: Path) -> dict[str, int]:
    """The scheduler's counters from the crawl's final stats (requests through the disk and memory queues)."""
    import re

    text = log.read_text(errors="replace")
    dump = text[text.rfind("Dumping Scrapy stats"):]
    return {k: int(v) for k, v in re.findall(r"'scheduler/(enqueued/(?:disk|memory))': (\d+)", dump)}


def _archived(variant: str, workdir: Path, moto: Moto | None) -> int:
    """Response records in the crawl's WARC files (read back from S3 for (d))."""
    from newscrawl.archive.reader import iter_responses

    if variant == "s3":
        assert moto is not None
        local = workdir / "from-s3"
        local.mkdir()
        for key in moto.objects(f"run-{workdir.name}/"):
            if key.endswith(".warc.gz"):
                moto.client.download_file(S3_BUCKET, key, str(local / key.rsplit("/", 1)[1]))
        paths = sorted(local.glob("*.warc.gz"))
    else:
        paths = sorted((workdir / "warcs").glob("*.warc.gz"))
    return sum(1 for path in paths for rec in iter_responses(path) if rec.status == 200)


def _round(r: int, site: Site, tmp: Path, moto: Moto, order: list[str]) -> dict[str, dict]:
    """One round: the four crawls in ``order``, one after the other, on its site."""
    out = {}
    for variant in order:
        out[variant] = crawl(variant, site, tmp / f"{variant}-{r}", moto)
        print(json.dumps({"round": r, **out[variant]}), file=sys.stderr, flush=True)
    return out


def run(pages: int = 5000, rounds: int = 3, growth: tuple[int, ...] = (1000, 5000, 20_000),
        write: bool = True, disk_queue_at: int | None = 5000, parallel: bool = False,
        bare_growth_upto: int | None = None, growth_section: str = GROWTH_SECTION) -> dict:
    """The rounds, then the cost growth; RESULTS.md is written after the rounds and after each growth size.

    ``parallel``: the rounds run at the same time, each on its own site, round r starting its turn of
    the four crawls at the r-th (a b c d, b c d a, c d a b, ...), so at any moment different crawlers
    share the machine and each round's ratios still come from one round's own crawls (for a machine
    too loaded to run the rounds one after another in the time there is)."""
    header = machine() + code_version()
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    growth_runs: list[tuple[int, dict, dict]] = []
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-crawl-") as tmp:
        tmp = Path(tmp)
        if rounds:
            names = list(VARIANTS)
            orders = [names[r % 4:] + names[:r % 4] if parallel else names for r in range(rounds)]
            moto = Moto(tmp)
            try:
                with contextlib.ExitStack() as stack:
                    if parallel:
                        from concurrent.futures import ThreadPoolExecutor

                        # Every site forked here, before any crawler starts: a site forked while another
                        # thread starts a crawler would inherit that Popen's pipes and hold them open
                        # (its exec-status pipe: the Popen then waits until the site exits).
                        sites = [stack.enter_context(Site(pages)) for _ in range(rounds)]
                        with ThreadPoolExecutor(rounds) as pool:
                            done = list(pool.map(lambda r: _round(r, sites[r], tmp, moto, orders[r]), range(rounds)))
                    else:
                        site = stack.enter_context(Site(pages))
                        done = [_round(r, site, tmp, moto, orders[r]) for r in range(rounds)]
            finally:
                moto.close()
            for result in done:
                for variant in VARIANTS:
                    runs[variant].append(result[variant])
        results = summarise(runs, growth_runs, pages, header, parallel)
        if write and rounds:
            write_section(SECTION, table(results))
        for size in growth:
            with Site(size) as site:
                if size == pages and rounds:  # the first round's crawls of a site of this very size
                    bare, ours = runs["bare"][0], runs["extract"][0]
                else:
                    bare = (crawl("bare", site, tmp / f"growth-bare-{size}")
                            if bare_growth_upto is None or size <= bare_growth_upto else None)
                    ours = crawl("extract", site, tmp / f"growth-extract-{size}")
                growth_runs.append((size, bare, ours))
                print(json.dumps(ours), file=sys.stderr)
                if size == disk_queue_at:
                    on_disk = crawl(DISK_QUEUE, site, tmp / f"growth-jobdir-{size}")
                    growth_runs.append((size, bare, on_disk))
                    print(json.dumps(on_disk), file=sys.stderr)
            results = summarise(runs, growth_runs, pages, header)
            if write:
                write_section(growth_section, growth_table(results, growth_section))
    return results


def code_version() -> str:
    """", code at <commit>" (with "+ changes" when the tree differs from it), or ""; BENCH_CODE overrides."""
    if os.environ.get("BENCH_CODE"):
        return f", code at {os.environ['BENCH_CODE']}"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f", code at {commit}{' + uncommitted changes' if dirty else ''}"


def _median(values):
    return round(statistics.median(values), 3)


def summarise(runs: dict[str, list[dict]], growth_runs, pages: int, header: str = "", parallel: bool = False) -> dict:
    out: dict = {"site_articles": pages, "rounds": len(runs["bare"]), "variants": {}, "machine": header,
                 "parallel": parallel}
    out["crawls_done"] = {variant: sum(1 for r in results if r) for variant, results in runs.items()}
    out["complete_rounds"] = sum(1 for rnd in zip(*runs.values()) if all(rnd))
    for variant, every in runs.items():
        results = [r for r in every if r]  # a None: a crawl not finished when the table was written
        if not results:
            continue
        entry = {key: _median([r[key] for r in results])
                 for key in ("pages_per_s", "cpu_ms_per_page", "worker_cpu_ms_per_page", "peak_rss_mb", "pages")}
        entry["pages_per_s_runs"] = [r["pages_per_s"] for r in results]
        entry["archived"] = [r.get("archived") for r in results]
        entry["articles"] = [r.get("articles") for r in results]
        entry["workers"] = max(r["workers"] for r in results)
        if variant != "bare":
            pairs = [(r, b) for r, b in zip(every, runs["bare"]) if r and b]
            if not pairs:
                out["variants"][variant] = entry
                continue
            ratios = [r["pages_per_s"] / b["pages_per_s"] for r, b in pairs]
            cpu = [r["cpu_ms_per_page"] / b["cpu_ms_per_page"] for r, b in pairs]
            entry.update(pairs=len(pairs), ratio=_median(ratios), ratio_range=[round(min(ratios), 3), round(max(ratios), 3)],
                         cpu_ratio=_median(cpu), cpu_ratio_range=[round(min(cpu), 3), round(max(cpu), 3)])
        out["variants"][variant] = entry
    out["load_averages"] = [r["load_average"] for rnd in zip(*runs.values()) for r in rnd if r]
    bare_rates = out["variants"]["bare"]["pages_per_s_runs"] if "bare" in out["variants"] else [0]
    out["bare_spread"] = round((max(bare_rates) - min(bare_rates)) / (statistics.median(bare_rates) or 1), 3)
    out["growth"] = [{"pages": size, "bare_ms_per_page": round(b["seconds"] * 1e3 / b["pages"], 2) if b else None,
                      "ms_per_page": round(o["seconds"] * 1e3 / o["pages"], 2),
                      "cpu_ms_per_page": o["cpu_ms_per_page"], "peak_rss_mb": o["peak_rss_mb"],
                      "bare_peak_rss_mb": b["peak_rss_mb"] if b else None, "largest_worker_mb": o["largest_worker_mb"],
                      "rss_mb_by_tenth": o["rss_mb_by_tenth"], "fetched": o["pages"],
                      "archived": o.get("archived"), "articles": o.get("articles"),
                      "disk_queue": o.get("disk_queue"), "load_average": o.get("load_average")}
                     for size, b, o in growth_runs]
    goals = out["variants"]
    out["goals"] = {
        "archive_only_at_least_0.9x_bare": goals.get("archive", {}).get("ratio", 0) >= 0.9,
        "extraction_at_least_0.6x_bare": goals.get("extract", {}).get("ratio", 0) >= 0.6,
        "crawler_cpu_per_page_at_most_1.3x_bare": goals.get("extract", {}).get("cpu_ratio", 99) <= 1.3,
        "peak_rss_under_400MB_at_largest": bool(out["growth"]) and max(
            (row for row in out["growth"] if not row["disk_queue"]), key=lambda row: row["pages"])["peak_rss_mb"] < 400,
    }
    return out


def table(results: dict) -> str:
    variants = results["variants"]
    lines = [
        SECTION, "",
        f"`python -m benchmarks.crawl` (part of `make bench`), {results['machine']}. The generated site "
        f"(`benchmarks/site.py`: {results['site_articles']:,} articles of ~6 KB in a tree of \"Latest World News\" "
        "blocks, a section page) is served from a process of its own on 127.0.0.1, no delay; every crawler has "
        "`CONCURRENT_REQUESTS=16`, 8 per host, robots.txt off. "
        + (f"{results['rounds']} rounds at the same time, each on a site of its own, the four crawls in turn in "
           "each, round r starting at the r-th (a b c d, b c d a, c d a b: the machine was too loaded to run them "
           "one after another in the time there was); "
           if results.get("parallel") else f"{results['rounds']} rounds, the four crawls in turn in each; ")
        + "figures are medians, ratios the median of each round's own ratio (range in brackets: the noise of this shared machine). pages/s: pages served / "
        "seconds from the site's first request to the crawler's exit. CPU: the crawler process's own "
        "user + system time from the first request on, per page; the extraction workers' apart.",
        "",
        "| crawler | pages | pages/s | ratio to bare | CPU ms/page | CPU ratio to bare | workers' CPU ms/page "
        "| peak RSS | archived | articles |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for variant, label in VARIANTS.items():
        v = variants.get(variant)
        if v is None:
            lines.append(f"| {label} | – | not finished when written | | | | | | | |")
            continue
        ratio = (f"**{v['ratio']:.2f}** ({v['ratio_range'][0]:.2f}–{v['ratio_range'][1]:.2f}, n={v['pairs']})"
                 if "ratio" in v else "1" if variant == "bare" else "– (no bare in the same round)")
        cpu_ratio = (f"{v['cpu_ratio']:.2f} ({v['cpu_ratio_range'][0]:.2f}–{v['cpu_ratio_range'][1]:.2f})"
                     if "cpu_ratio" in v else "1")
        archived = "–" if v["archived"][0] is None else "/".join(str(a) for a in v["archived"])
        articles = "–" if v["articles"][0] is None else "/".join(str(a) for a in v["articles"])
        lines.append(f"| {label} | {v['pages']:.0f} | {v['pages_per_s']:.1f} | {ratio} | {v['cpu_ms_per_page']:.2f} "
                     f"| {cpu_ratio} | {v['worker_cpu_ms_per_page']:.2f} ({v['workers']}) | {v['peak_rss_mb']:.0f} MB "
                     f"| {archived} | {articles} |")
    g = results["goals"]
    lines += [
        "",
        f"Bare runs: {', '.join(str(x) for x in variants['bare']['pages_per_s_runs'])} pages/s "
        f"(spread {results['bare_spread']:.0%} of the median). Load average (1 min) when each crawl started, "
        f"in order: {', '.join(str(x) for x in results['load_averages'])} (median "
        f"{statistics.median(results['load_averages']):.1f}) on {os.cpu_count()} cores. Archived: 200 response records in the WARC files "
        "(read back from the bucket for (d)), per round; articles: lines of `-O`. Goals: archive only ≥ 0.9× bare "
        f"{'✓' if g['archive_only_at_least_0.9x_bare'] else '✗'}; archive + extraction ≥ 0.6× bare "
        f"{'✓' if g['extraction_at_least_0.6x_bare'] else '✗'}; crawler CPU per page ≤ 1.3× bare's "
        f"{'✓' if g['crawler_cpu_per_page_at_most_1.3x_bare'] else '✗'}.",
    ]
    done = results.get("crawls_done", {})
    if done and results.get("complete_rounds", results["rounds"]) < results["rounds"]:
        lines += ["", f"**Partial**: written from the crawls' own log (`--from-log`) when "
                      f"{results['complete_rounds']} of {results['rounds']} rounds were complete; crawls finished: "
                      + ", ".join(f"{VARIANTS[v].split(')')[0]}) {n}" for v, n in done.items())
                      + "; each ratio is the median over the rounds in which both it and the bare spider finished "
                        "(their number in the ratio's range: n=…)."]
    return "\n".join(lines) + "\n"


def growth_table(results: dict, section: str = GROWTH_SECTION) -> str:
    g = results["goals"]
    lines = [section, ""]
    if results["growth"]:
        lines += [
            f"`python -m benchmarks.crawl` (part of `make bench`), {results['machine']}. The site of the crawl "
            "benchmark at each size; (a) and (c) on sites of each size, one run each (at the size of the rounds, "
            "when they ran in the same process, their first round's; JOBDIR: (c) with its frontier in Scrapy's disk "
            "queues, after the (a) of its size). Time per page: seconds from the first request to "
            "the exit / pages; RSS: the newscrawl process (VmHWM, and VmRSS at each tenth of the run); load: "
            "the load average when the newscrawl crawl started; –: the bare spider not run at that size.",
            "",
            "| pages | bare ms/page | newscrawl ms/page | newscrawl CPU ms/page | peak RSS (bare) "
            "| largest worker | RSS by tenth of the run (MB) | archived | articles | load |",
            "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
        ]
        for row in results["growth"]:
            queued = row["disk_queue"]
            name = (f"{row['fetched']:,}, JOBDIR ({queued.get('enqueued/disk', 0)} requests on disk, "
                    f"{queued.get('enqueued/memory', 0)} in memory)" if queued is not None else f"{row['fetched']:,}")
            bare_ms = "–" if row["bare_ms_per_page"] is None else f"{row['bare_ms_per_page']:.2f}"
            bare_rss = "–" if row["bare_peak_rss_mb"] is None else f"{row['bare_peak_rss_mb']:.0f}"
            lines.append(f"| {name} | {bare_ms} | {row['ms_per_page']:.2f} "
                         f"| {row['cpu_ms_per_page']:.2f} | {row['peak_rss_mb']:.0f} MB ({bare_rss}) "
                         f"| {row['largest_worker_mb']:.0f} MB | {', '.join(str(x) for x in row['rss_mb_by_tenth'])} "
                         f"| {row['archived']} | {row['articles']} | "
                         + ("–" if row["load_average"] is None else f"{row['load_average']:.1f}") + " |")
        largest = max((row for row in results["growth"] if not row["disk_queue"]), key=lambda row: row["pages"])
        lines += ["", f"Peak RSS under 400 MB at {largest['fetched']:,} pages: "
                      f"{'✓' if g['peak_rss_under_400MB_at_largest'] else '✗'}."]
    return "\n".join(lines) + "\n"


def from_log(path: Path, rounds: int) -> dict[str, list[dict | None]]:
    """The rounds' crawls from the JSON lines a run prints on stderr (``{"round": r, ...}``), None where a
    crawl had not finished: to write the table from what was measured when a run cannot finish in time."""
    runs: dict[str, list[dict | None]] = {v: [None] * rounds for v in VARIANTS}
    for line in Path(path).read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "round" in record and record.get("variant") in runs and record["round"] < rounds:
            runs[record["variant"]][record["round"]] = record
    return runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--growth", default="1000,5000,20000", help="site sizes for the cost-growth table ('' for none)")
    parser.add_argument("--disk-queue-at", type=int, default=5000,
                        help="the growth size also crawled with JOBDIR (disk queues); 0: none")
    parser.add_argument("--parallel", action="store_true", help="the rounds at the same time, in rotated orders")
    parser.add_argument("--from-log", type=Path, default=None,
                        help="write the rounds' table from the per-crawl JSON lines of a run's stderr (no crawling)")
    parser.add_argument("--growth-from-log", type=Path, default=None,
                        help="write a cost-growth table (--growth-section) from the JSON lines of crawl() results "
                             "of (c) (no crawling; no bare spider: '–')")
    parser.add_argument("--note", default="", help="with --from-log: a sentence on how the log came about, printed under the table")
    parser.add_argument("--bare-growth-upto", type=int, default=None,
                        help="the bare spider in the cost growth only on sites up to this size ('–' above)")
    parser.add_argument("--growth-section", default=GROWTH_SECTION, help="the RESULTS.md section of the cost growth")
    parser.add_argument("--quick", action="store_true", help="300 pages, one round, growth at 300 and 900")
    parser.add_argument("--no-write", action="store_true", help="print only; RESULTS.md untouched")
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.rounds, args.growth = 300, 1, "300,900"
    growth = tuple(int(x) for x in args.growth.split(",") if x.strip())
    if args.quick:
        args.disk_queue_at = 300
    if args.growth_from_log:
        crawls = [json.loads(line) for line in args.growth_from_log.read_text(errors="replace").splitlines()
                  if line.startswith("{") and '"variant"' in line]
        growth_runs = [(c["pages"] - 2, None, c) for c in crawls if c["variant"] in ("extract", DISK_QUEUE)]
        results = summarise({v: [] for v in VARIANTS}, growth_runs, 0,
                            machine() + code_version() + f", table written from the log {args.growth_from_log.name}")
        text = growth_table(results, args.growth_section) + (f"\nNote on this log: {args.note}\n" if args.note else "")
        if not args.no_write:
            write_section(args.growth_section, text)
        print(text)
        return
    if args.from_log:
        results = summarise(from_log(args.from_log, args.rounds), [], args.pages,
                            machine() + code_version() + f", table written from the log {args.from_log.name}",
                            args.parallel)
        text = table(results) + (f"\nNote on this log: {args.note}\n" if args.note else "")
        if not args.no_write:
            write_section(SECTION, text)
        print(json.dumps(results, indent=1))
        return
    results = run(args.pages, args.rounds, growth, write=not args.no_write, disk_queue_at=args.disk_queue_at or None,
                  parallel=args.parallel, bare_growth_upto=args.bare_growth_upto,
                  growth_section=args.growth_section)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
