"""A generated news site with a fixed per-request latency, logging the arrival time of every request.

The pages are the crawl benchmark's (benchmarks/site.py: ``/`` with a Latest
block, ``/world/`` listing the last stories, story ``i`` linking stories
``10i+1 .. 10i+10``) plus a 404, a 301 and a 500 linked from ``/``, served by a keep-alive asyncio server in a process of
its own, which waits ``delay`` seconds before each answer (the network, not
the CPU, is the limit) and appends ``"<unix time> <path>"`` to its log file
when a request arrives: the server's own timestamps, for spacing checks.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from pathlib import Path

from benchmarks.site import home, response_for

# The home page's Latest block also links, besides stories 1-10: a story that does not exist (404), a
# moved story (301 to story 7, which other pages link too), a page that always fails (500, retried) and
# one that redirects to itself (a redirect loop, refused in a downloader middleware's process_response).
# FALLBACK is linked from nowhere: a spider may fetch it instead of a page that failed.
MISSING, MOVED, BROKEN = "/world/story-99999", "/world/moved-00007", "/world/broken"
LOOP, FALLBACK = "/world/loop", "/world/fallback"
_EXTRA = (f'<li><a href="{MISSING}">A story that is gone</a></li><li><a href="{MOVED}">A story that moved</a>'
          f'</li><li><a href="{BROKEN}">A story that fails</a></li><li><a href="{LOOP}">A story that goes'
          f' round</a></li></ul>').encode()


def _head(status: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\nContent-Length: 0\r\n" + extra + b"\r\n"


def site_response(path: str, pages: int) -> bytes:
    if path == "/":
        body = home(pages).replace(b'</ul><a href="/world/">See more', _EXTRA + b'<a href="/world/">See more', 1)
        assert _EXTRA in body
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n" + body)
    if path == MOVED:
        return _head(b"301 Moved Permanently", b"Location: /world/story-00007\r\n")
    if path == BROKEN:
        return _head(b"500 Internal Server Error")
    if path == LOOP:
        return _head(b"301 Moved Permanently", f"Location: {LOOP}\r\n".encode())
    if path == FALLBACK:
        return response_for("/world/story-00001", pages)
    return response_for(path, pages)


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pages: int, delay: float,
                  log) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            log.write(f"{time.time():.6f} {path}\n")
            log.flush()
            if delay:
                await asyncio.sleep(delay)
            writer.write(site_response(path, pages))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def _serve(pages: int, delay: float, log_path: str, port_pipe) -> None:
    log = open(log_path, "a", encoding="utf-8", buffering=1)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(
        lambda r, w: _handle(r, w, pages, delay, log), "127.0.0.1", 0))
    port_pipe.send(server.sockets[0].getsockname()[1])
    loop.run_forever()


class LatencySite:
    """``pages`` stories behind a fixed latency; ``fetches()`` reads the server's log."""

    def __init__(self, pages: int, delay: float, log_path: Path):
        self.pages, self.delay, self.log_path = pages, delay, Path(log_path)
        ctx = multiprocessing.get_context("fork")
        self._parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(pages, delay, str(self.log_path), child), daemon=True)

    def __enter__(self) -> "LatencySite":
        self._proc.start()
        if not self._parent.poll(30):
            raise RuntimeError("the latency site did not start")
        self.port = self._parent.recv()
        return self

    def __exit__(self, *exc) -> None:
        self._proc.terminate()
        self._proc.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def story_paths(self) -> set[str]:
        return {f"/world/story-{i:05d}" for i in range(1, self.pages + 1)}

    def fetches(self) -> list[tuple[float, str]]:
        if not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            stamp, _, path = line.partition(" ")
            if path:
                out.append((float(stamp), path))
        return out

    def counts(self) -> Counter:
        return Counter(path for _, path in self.fetches())
