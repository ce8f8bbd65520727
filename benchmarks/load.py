"""Load: the real `scrapy crawl worldnews` over a generated 20,000-page site on loopback.

The site is a tree: the home page's "Latest World News" block links to pages
1-10, page i's to pages 10i+1 .. 10i+10, so every page is reachable within a
few hops and the scheduler holds thousands of requests at once. Pages are
small articles, so the extraction pipeline runs on each of them too. The
server is a keep-alive asyncio HTTP/1.1 server in a thread of this process,
on 127.0.0.1 only.

Reported: pages/s, every page archived (response records counted in the
WARC files), articles out, and the crawler process's peak RSS (VmHWM from
/proc, polled; and ru_maxrss of the waited-for children as a cross-check).

    python -m benchmarks.load [--pages 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FANOUT = 10
PARAGRAPH = ("The council said on Tuesday that the work would continue through the season, and residents "
             "who gathered in the square welcomed the decision after months of uncertainty and delay.")


def page(i: int, pages: int) -> bytes:
    children = [c for c in range(FANOUT * i + 1, FANOUT * i + FANOUT + 1) if c <= pages]
    links = "".join(f'<li><a href="/world/story-{c:05d}">World story number {c} of the day</a></li>' for c in children)
    if i == 0:
        return (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>Load Gazette</title></head><body>"
                f"<section><h2>Latest World News</h2><ul>{links}</ul></section></body></html>").encode()
    title = f"World story number {i}"
    body = "".join(f"<p>{PARAGRAPH} ({n})</p>" for n in range(3))
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
            f'<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="2024-05-17T08:00:00+00:00"></head>'
            f"<body><article><h1>{title}</h1>{body}</article>"
            f"<aside><h2>Latest World News</h2><ul>{links}</ul></aside></body></html>").encode()


class _Http(asyncio.Protocol):
    def __init__(self, pages: int, counter: list[int]):
        self.pages = pages
        self.counter = counter
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes):
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            self.counter[0] += 1
            self.transport.write(self._response(path))

    def _response(self, path: str) -> bytes:
        status, ctype, body = b"200 OK", b"text/html; charset=utf-8", b""
        if path == "/robots.txt":
            ctype, body = b"text/plain", b"User-agent: *\nDisallow:\n"
        elif path == "/":
            body = page(0, self.pages)
        elif path.startswith("/world/story-") and path[13:].isdigit() and 1 <= int(path[13:]) <= self.pages:
            body = page(int(path[13:]), self.pages)
        else:
            status, body = b"404 Not Found", b"<html><title>Not found</title></html>"
        return (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n" + body)


class LoadSite:
    """The generated site, served from a thread on 127.0.0.1."""

    def __init__(self, pages: int):
        self.pages = pages
        self.requests = [0]
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        self.loop = asyncio.new_event_loop()
        server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _Http(self.pages, self.requests), "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    def __enter__(self) -> "LoadSite":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


def _vm(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return out


def run(pages: int = 20_000, timeout: float = 600, settings: tuple[str, ...] = ()) -> dict:
    """Crawl a generated site of ``pages`` articles; return the numbers."""
    from newscrawl.archive.reader import iter_responses

    with LoadSite(pages) as site, tempfile.TemporaryDirectory(prefix="newscrawl-load-") as tmp:
        tmp = Path(tmp)
        cmd = [sys.executable, "-m", "scrapy", "crawl", "worldnews",
               "-a", f"start_urls=http://127.0.0.1:{site.port}/", "-O", str(tmp / "articles.jsonl"),
               "-s", f"WARC_STORE={tmp / 'warcs'}", "-s", "ALLOWED_PRIVATE_NETWORKS=127.0.0.1/32",
               "-s", f"LOG_FILE={tmp / 'crawl.log'}", "-s", "LOG_LEVEL=INFO",
               "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
               "-s", "TELNETCONSOLE_ENABLED=False", "-s", f"CRAWL_STATE={tmp / 'state.sqlite'}",
               "-s", f"WARC_SPOOL_DIR={tmp / 'spool'}"]
        for setting in settings:
            cmd += ["-s", setting]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak_rss, samples = 0, []
        while proc.poll() is None:
            vm = _vm(proc.pid)
            peak_rss = max(peak_rss, vm.get("VmHWM", 0), vm.get("VmRSS", 0))
            if vm.get("VmRSS"):
                samples.append((round(time.monotonic() - started, 1), vm["VmRSS"]))
            if time.monotonic() - started > timeout:
                proc.kill()
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        proc.wait()
        archived = set()
        for path in sorted((tmp / "warcs").glob("*.warc.gz")):
            for rec in iter_responses(path):
                if rec.status == 200 and "/world/story-" in rec.uri:
                    archived.add(rec.uri)
        articles = sum(1 for line in (tmp / "articles.jsonl").open() if line.strip()) \
            if (tmp / "articles.jsonl").exists() else 0
        log = (tmp / "crawl.log").read_text(errors="replace") if (tmp / "crawl.log").exists() else ""
        # RSS over the crawl, in tenths: flat memory shows as a plateau, not a ramp.
        marks = [samples[len(samples) * k // 10][1] // 2**20 for k in range(10)] if samples else []
        return {
            "pages": pages,
            "returncode": proc.returncode,
            "seconds": round(elapsed, 1),
            "pages_per_s": round(pages / elapsed, 1),
            "requests_served": site.requests[0],
            "archived_pages": len(archived),
            "all_archived": len(archived) == pages,
            "articles": articles,
            "peak_rss_mb": round(peak_rss / 2**20, 1),
            "children_maxrss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "rss_mb_by_tenth": marks,
            "errors": log.count("] ERROR:"),
            "stderr_tail": stderr[-500:] if proc.returncode else "",
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("-s", "--set", action="append", default=[], help="extra scrapy setting NAME=VALUE")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.pages, settings=tuple(args.set)), indent=1))


if __name__ == "__main__":
    main()
