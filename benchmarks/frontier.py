"""One crawl on several workers: pages/s with 1, 2 and 3 worker processes sharing a Redis frontier.

The site is the generated news site of ``benchmarks/site.py`` served with a
fixed latency per request (every answer waits ``latency`` seconds, as a far
server's network would), so a worker's speed is bounded by its own
``CONCURRENT_REQUESTS`` over the latency, not by the CPU: that is the case
where more machines help. The per-host limit, which holds for the whole
cluster, is set above what three workers use together.

For k = 1, 2, 3, k ``scrapy crawl worldnews -s CRAWL_FRONTIER=redis://...``
processes crawl the site from one start URL (a new crawl name each time, so
each starts on an empty frontier); rounds alternate 1 2 3 1 2 3 ... and
medians are kept. Every worker must exit 0, every page must be served once.

* pages/s: pages served while all k workers were fetching (from the last
  worker's first request to the first worker's last one, by the site's log,
  which tells the workers apart by their User-Agent) over that time: the
  crawl's rate with k workers, start-up skew left out; the whole crawl's
  rate (first request to last) is shown beside it;
* Redis round trips per page: requests the workers sent to Redis (a loopback
  TCP proxy in front of redis-server counts them: one per client write, so a
  pipeline or a script is one), over the pages served; beside it Redis's own
  count of commands run (``INFO commandstats``, commands inside scripts
  included) and the commands most called;
* Redis memory per queued URL: ``used_memory`` (``INFO memory``) after N
  requests of the site are pushed through the frontier's own push, over N
  (the queue entry, its fingerprint in the seen set, its host count).

``--quick``: a few dozen pages, 1 and 3 workers, one round (CI: the script runs).

    python -m benchmarks.frontier [--pages 600] [--rounds 2] [--latency 0.25] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import machine, write_section
from benchmarks.site import Site

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Distributed crawl (Redis frontier)"
WORKERS = (1, 2, 3)
PER_WORKER = 2  # CONCURRENT_REQUESTS of each worker
UA = "newscrawl-bench-w"
_WORKER = re.compile(re.escape(UA) + r"(\d+)")


# --------------------------------------------------------------------------- the site's log: who asked, when


def page_requests(site: Site) -> list[tuple[float, int]]:
    """(time, worker) of each page the site served (robots.txt left out); worker 0: not a benchmark worker."""
    out = []
    for stamp, path, agent in site.requests():
        if path != "/robots.txt":
            match = _WORKER.fullmatch(agent)
            out.append((stamp, int(match[1]) if match else 0))
    return out


# --------------------------------------------------------------------------- Redis, and a proxy counting round trips


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_proxy(target: int, count, pipe) -> None:
    async def pump(reader, writer, counted: bool):
        try:
            while data := await reader.read(1 << 16):
                if counted:
                    count.value += 1
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0))
    pipe.send(server.sockets[0].getsockname()[1])
    loop.run_forever()


class Redis:
    """A redis-server of our own on loopback, and the counting proxy in front of it."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = _free_port()
        self._proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", str(workdir)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ctx = multiprocessing.get_context("fork")
        self.trips = ctx.Value("q", 0, lock=False)
        parent, child = ctx.Pipe()
        self._proxy = ctx.Process(target=_serve_proxy, args=(self.port, self.trips, child), daemon=True)
        self._proxy.start()
        if not parent.poll(30):
            raise RuntimeError("the Redis proxy did not start")
        self.proxy_port = parent.recv()
        import redis

        self.client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @property
    def url(self) -> str:
        """What the workers use: the proxy."""
        return f"redis://127.0.0.1:{self.proxy_port}/0"

    def commandstats(self) -> dict[str, int]:
        return {k.removeprefix("cmdstat_"): v["calls"] for k, v in self.client.info("commandstats").items()}

    def close(self) -> None:
        self.client.close()
        self._proxy.terminate()
        self._proc.terminate()
        self._proc.wait(10)


# --------------------------------------------------------------------------- one crawl with k workers


def _worker_cmd(site: Site, redis_url: str, crawl: str, work: Path, index: int) -> list[str]:
    own = work / f"w{index}"
    own.mkdir(parents=True, exist_ok=True)
    settings = [
        f"CRAWL_FRONTIER={redis_url}", f"CRAWL_NAME={crawl}", f"USER_AGENT={UA}{index}",
        f"WARC_STORE={work / 'warcs'}", f"WARC_SPOOL_DIR={own / 'spool'}", f"CRAWL_STATE={own / 'state.sqlite'}",
        f"CONCURRENT_REQUESTS={PER_WORKER}", f"CONCURRENT_REQUESTS_PER_DOMAIN={PER_WORKER * 8}",
        "DOWNLOAD_DELAY=0", "ROBOTSTXT_OBEY=False", "FRONTIER_IDLE=1", "EXTRACTION_PROCESSES=0",
        "ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8", "LOG_LEVEL=INFO", f"LOG_FILE={own / 'crawl.log'}",
        "TELNETCONSOLE_ENABLED=False",
    ]
    cmd = [sys.executable, "-m", "scrapy", "crawl", "worldnews", "-a", f"start_urls=http://127.0.0.1:{site.port}/",
           "-O", str(own / "articles.jsonl")]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def crawl_once(site: Site, redis: Redis, k: int, pages: int, latency: float, work: Path, name: str) -> dict:
    site.reset()
    redis.client.config_resetstat()
    trips_before = redis.trips.value
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen(_worker_cmd(site, redis.url, name, work, i + 1), cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for i in range(k)]
    errors = [p.communicate(timeout=1800)[1] for p in procs]
    trips = redis.trips.value - trips_before
    stats = redis.commandstats()
    failed = [(i + 1, p.returncode, e[-1500:]) for i, (p, e) in enumerate(zip(procs, errors)) if p.returncode != 0]
    if failed:
        logs = [(work / f"w{i}" / "crawl.log").read_text(encoding="utf-8")[-3000:] for i, _, _ in failed]
        raise RuntimeError(f"workers failed: {failed}\n{logs}")
    requests = page_requests(site)
    expected = pages + 2  # the stories, the home page, the section page
    urls = len(requests)
    if urls != expected:
        raise RuntimeError(f"{k} worker(s): the site served {urls} pages, expected {expected} (each once)")
    firsts = {w: min(t for t, who in requests if who == w) for w in range(1, k + 1)}
    lasts = {w: max(t for t, who in requests if who == w) for w in range(1, k + 1)}
    start, end = max(firsts.values()), min(lasts.values())
    in_window = sum(1 for t, _ in requests if start <= t <= end)
    whole = urls / (max(lasts.values()) - min(firsts.values()) + latency)
    per_worker = {w: sum(1 for _, who in requests if who == w) for w in range(1, k + 1)}
    commands = {c: n for c, n in stats.items() if not c.startswith(("config", "info"))}
    return {"workers": k, "pages": urls, "rate": in_window / (end - start) if end > start else whole,
            "whole_rate": whole, "window_pages": in_window, "per_worker": per_worker,
            "trips_per_page": trips / urls, "commands_per_page": sum(commands.values()) / urls,
            "top_commands": dict(sorted(commands.items(), key=lambda kv: -kv[1])[:5])}


def memory_per_url(redis: Redis, urls: int) -> dict:
    """Bytes of ``used_memory`` per request queued through the frontier's own push (a crawl of its own)."""
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.utils.request import fingerprint

    from newscrawl.frontier.scheduler import FrontierScheduler, host_key
    from newscrawl.frontier.scripts import PUSH
    from newscrawl.frontier.status import FrontierKeys, clear_frontier
    from newscrawl.meta import ROLE
    from newscrawl.spiders.worldnews import WorldNewsSpider

    keys = FrontierKeys(f"bench-memory-{os.getpid()}")
    client = redis.client
    push = client.register_script(PUSH)
    # The queue entry exactly as the scheduler writes it (its own method, given the spider it reads).
    entry_of = FrontierScheduler._entry
    spider = WorldNewsSpider()
    scheduler = SimpleNamespace(spider=spider)
    base = client.info("memory")["used_memory"]
    pipe = client.pipeline(transaction=False)
    for i in range(urls):
        # As the spider follows an article link (callback, errback, its role; the depth Scrapy adds).
        request = Request(f"https://news{i % 50}.example.org/world/2026/12/02/story-{i:07d}-a-headline-of-the-day",
                          callback=spider.parse, errback=spider.failed, meta={ROLE: "latest_article", "depth": 2})
        push(keys=[keys.seen, keys.hosts, keys.stats, keys.queued_by_host, keys.qseq, keys.host_cap],
             args=[fingerprint(request), entry_of(scheduler, request), host_key(request), "0", 0, 32,
                   keys.queue_prefix], client=pipe)
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()
    used = client.info("memory")["used_memory"] - base
    queued = sum(int(n) for n in client.hvals(keys.queued_by_host))
    clear_frontier(client, keys.crawl)
    return {"urls": queued, "bytes_per_url": used / queued}


def run(pages: int = 600, rounds: int = 2, latency: float = 0.25, memory_urls: int = 100_000,
        workers: tuple[int, ...] = WORKERS) -> dict:
    began = machine()  # the load average as the run begins
    with tempfile.TemporaryDirectory(prefix="newscrawl-frontier-bench-") as tmp:
        work = Path(tmp)
        redis = Redis(work)
        try:
            with Site(pages, latency, log_path=work / "site.log") as site:
                runs: dict[int, list[dict]] = {k: [] for k in workers}
                for round_ in range(rounds):
                    for k in workers:
                        runs[k].append(crawl_once(site, redis, k, pages, latency, work / f"r{round_}-k{k}",
                                                  f"bench-{round_}-{k}"))
            memory = memory_per_url(redis, memory_urls)
            version = redis.client.info("server")["redis_version"]
        finally:
            redis.close()
    out: dict = {"machine": began, "pages": pages, "rounds": rounds, "latency_s": latency, "per_worker_concurrency": PER_WORKER,
                 "redis": version, "memory": memory, "workers": {}}
    for k, results in runs.items():
        out["workers"][k] = {
            "rate": round(statistics.median(r["rate"] for r in results), 1),
            "whole_rate": round(statistics.median(r["whole_rate"] for r in results), 1),
            "trips_per_page": round(statistics.median(r["trips_per_page"] for r in results), 1),
            "commands_per_page": round(statistics.median(r["commands_per_page"] for r in results), 1),
            "top_commands": results[-1]["top_commands"], "per_worker": results[-1]["per_worker"],
            "runs": [round(r["rate"], 1) for r in results],
        }
    base = out["workers"][workers[0]]["rate"]
    for k in workers:
        out["workers"][k]["speedup"] = round(out["workers"][k]["rate"] / base, 2)
    return out


def table(result: dict) -> str:
    bound = result["per_worker_concurrency"] / result["latency_s"]
    rows = ["| workers | pages/s (all fetching) | × 1 worker | whole crawl pages/s | pages per worker | "
            "Redis round trips/page | Redis commands/page | runs (pages/s) |",
            "|---:|---:|---:|---:|---|---:|---:|---|"]
    for k, w in result["workers"].items():
        rows.append(f"| {k} | {w['rate']} | **{w['speedup']}** | {w['whole_rate']} | "
                    f"{', '.join(str(n) for n in w['per_worker'].values())} | {w['trips_per_page']} | "
                    f"{w['commands_per_page']} | {', '.join(map(str, w['runs']))} |")
    top = result["workers"][max(result["workers"])]["top_commands"]
    memory = result["memory"]
    return "\n".join([
        SECTION, "",
        f"Machine: {result.get('machine') or machine()}; redis-server {result['redis']} on loopback. Site: the generated news site, "
        f"{result['pages']} stories, every answer {result['latency_s'] * 1000:.0f} ms after its request; each "
        f"worker `CONCURRENT_REQUESTS={result['per_worker_concurrency']}` (at most {bound:.0f} pages/s per "
        f"worker: the network is the limit), the per-host limit for the cluster above what 3 workers use. "
        f"Workers: `scrapy crawl worldnews -s CRAWL_FRONTIER=redis://...` processes on this machine, "
        f"medians of {result['rounds']} rounds (1, 2, 3 workers in turn). Written by "
        "`python -m benchmarks.frontier`.", "",
        *rows, "",
        "pages/s (all fetching): pages served while every worker was fetching, over that time (start-up skew "
        "left out); whole crawl: first request to last. Target ≥ 2.7× at 3 workers. Round trips: requests the "
        "workers sent to Redis (a counting proxy; a pipeline or a script is one) per page; commands: Redis's "
        "`INFO commandstats` (commands inside scripts counted) per page. Most called with 3 workers: "
        + ", ".join(f"`{c}` {n}" for c, n in top.items()) + ".", "",
        f"Redis memory per queued URL: **{memory['bytes_per_url']:.0f} bytes** (`used_memory` after "
        f"{memory['urls']:,} requests pushed through the frontier's own push script: queue entry, fingerprint "
        "in the seen set, per-host count).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--quick", action="store_true", help="a few dozen pages, one round")
    parser.add_argument("--no-write", action="store_true", help="print only; RESULTS.md untouched")
    args = parser.parse_args()
    result = run(**QUICK) if args.quick else run(args.pages, args.rounds, args.latency)
    print(json.dumps(result))
    if not args.no_write:
        write_section(SECTION, table(result))


QUICK = {"pages": 30, "rounds": 1, "latency": 0.1, "memory_urls": 2000, "workers": (1, 3)}

if __name__ == "__main__":
    main()
