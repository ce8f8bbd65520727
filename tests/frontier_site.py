"""A generated news site with a fixed per-request latency, logging the arrival time of every request.

The pages are the crawl benchmark's (benchmarks/site.py: ``/`` with a Latest
block, ``/world/`` listing the last stories, story ``i`` linking stories
``10i+1 .. 10i+10``) plus a 404, a 301, a 500 and a redirect loop linked from
``/``, served by the benchmarks' server (``benchmarks.site.Site``: a keep-alive
asyncio server in a process of its own), which waits ``delay`` seconds before
each answer (the network, not the CPU, is the limit) and logs each request as
it arrives: the server's own timestamps, for spacing checks.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.site import Site, home, response_for

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


class LatencySite(Site):
    """``pages`` stories behind a fixed latency; ``fetches()`` reads the server's log."""

    def __init__(self, pages: int, delay: float, log_path: Path):
        super().__init__(pages, latency=delay, log_path=log_path, respond=site_response)

    def story_paths(self) -> set[str]:
        return {f"/world/story-{i:05d}" for i in range(1, self.pages + 1)}

    def fetches(self) -> list[tuple[float, str]]:
        return [(stamp, path) for stamp, path, _ in self.requests()]

    def counts(self) -> Counter:
        return Counter(path for _, path in self.fetches())
