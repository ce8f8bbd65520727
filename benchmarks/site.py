"""A generated news site for the crawl benchmarks, served from a process of its own on 127.0.0.1.

``/`` has a "Latest World News" block (stories 1-10) with a "See more" link to
the section page ``/world/``, which lists the last ``SECTION_SIZE`` stories.
Story ``i`` (``/world/story-00042``) is a ~6 KB article page whose own "Latest
World News" aside links stories ``10i+1 .. 10i+10``: every story is reachable
in a few hops, through blocks and through the section page alike. Unknown paths
get a 404.

The server is a keep-alive asyncio HTTP/1.1 server in a forked process (so it
does not share the benchmark's GIL); it counts the requests it answers and the
time of the first and last one in shared memory, so a benchmark can time a
crawl from its first request, leaving the crawler's start-up out. Optionally it
answers each request ``latency`` seconds after it came (a far server's
network: the network, not the CPU, is the limit), and logs each request as it
arrives, ``"<unix time> <path> <User-Agent>"``, to a file (the server's own
timestamps: for spacing checks, and to tell workers apart). The frontier's
benchmark and tests use the same server with pages of their own (``respond``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

FANOUT = 10
SECTION_SIZE = 50
_PARAGRAPHS = [
    "The council said on Tuesday that the work would continue through the season, and residents who gathered "
    "in the square welcomed the decision after months of uncertainty and delay.",
    "Officials from the regional government, speaking on condition of anonymity because they were not "
    "authorised to discuss the talks, said a draft agreement could be ready before the end of the month.",
    "Critics of the plan warned that the cost had already doubled since it was first proposed, and that the "
    "timetable left little room for the consultations the law requires.",
    "Aid groups working in the area said supplies were reaching the towns along the coast again, though the "
    "roads inland remained closed after the storms of the past week.",
    "The minister is expected to present the figures to parliament on Thursday, when opposition parties have "
    "said they will ask for an independent review of the programme.",
]
_NAV = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in
               ("world", "politics", "business", "science", "sport", "culture", "opinion", "travel"))


def _chrome(title: str, main: str, aside: str = "") -> bytes:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Bench Gazette</title>'
            f'<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/static/site.css">'
            f"</head><body><header><a href=/ class=logo>Bench Gazette</a><nav><ul>{_NAV}</ul></nav></header>"
            f"<main>{main}</main>{aside}"
            f"<footer><p>© Bench Gazette</p><ul><li><a href=/about>About</a></li>"
            f"<li><a href=/contact>Contact</a></li></ul></footer></body></html>").encode()


def _latest(links: list[int], see_more: bool = False) -> str:
    items = "".join(f'<li><a href="/world/story-{c:05d}">World story number {c} of the day</a></li>' for c in links)
    more = '<a href="/world/">See more</a>' if see_more else ""
    return f"<section class=latest><h2>Latest World News</h2><ul>{items}</ul>{more}</section>"


def home(pages: int) -> bytes:
    return _chrome("Home", "<h1>Bench Gazette</h1>" + _latest(list(range(1, min(FANOUT, pages) + 1)), True))


def section(pages: int) -> bytes:
    first = max(1, pages - SECTION_SIZE + 1)
    items = "".join(f'<li><h3><a href="/world/story-{i:05d}">World story number {i}</a></h3>'
                    f"<p>{_PARAGRAPHS[i % 5][:90]}…</p></li>" for i in range(first, pages + 1))
    return _chrome("World", f"<h1>World</h1><ul class=stories>{items}</ul>")


def story(i: int, pages: int) -> bytes:
    children = [c for c in range(FANOUT * i + 1, FANOUT * i + FANOUT + 1) if c <= pages]
    title = f"World story number {i}"
    body = "".join(f"<p>{_PARAGRAPHS[(i + n) % 5]} ({i}.{n})</p>" for n in range(8))
    article = (f'<article><h1>{title}</h1><p class=byline>By <a rel=author href="/authors/ana">Ana Reporter</a>'
               f'</p><time datetime="2024-05-17T08:00:00+00:00">17 May 2024</time>{body}</article>')
    head_meta = '<meta property="og:type" content="article">'
    page = _chrome(title, article, f"<aside>{_latest(children)}</aside>" if children else "")
    return page.replace(b"<title>", head_meta.encode() + b"<title>", 1)


def response_for(path: str, pages: int) -> bytes:
    status, ctype, body = b"200 OK", b"text/html; charset=utf-8", b""
    if path == "/":
        body = home(pages)
    elif path == "/world/":
        body = section(pages)
    elif path.startswith("/world/story-") and path[13:].isdigit() and 1 <= int(path[13:]) <= pages:
        body = story(int(path[13:]), pages)
    elif path == "/robots.txt":
        ctype, body = b"text/plain", b"User-agent: *\nDisallow:\n"
    else:
        status, body = b"404 Not Found", b"<html><title>Not found</title></html>"
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


_AGENT = re.compile(rb"\r\nuser-agent: *([^\r]*)", re.I)


class _Http(asyncio.Protocol):
    """One keep-alive connection: each request counted, logged, answered (``latency`` later, in order)."""

    def __init__(self, pages: int, respond: Callable[[str, int], bytes], latency: float, shared, log):
        self.pages, self.respond, self.latency, self.shared, self.log = pages, respond, latency, shared, log
        self.buffer = b""
        self.waiting: deque[bytes] = deque()

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes):
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            count, first, last = self.shared
            now = time.monotonic()
            if not count.value:
                first.value = now
            count.value += 1
            last.value = now
            if self.log is not None:
                agent = _AGENT.search(head)
                self.log.write(f"{time.time():.6f} {path} {agent[1].decode('latin-1') if agent else '-'}\n")
            answer = self.respond(path, self.pages)
            if not self.latency:
                self.transport.write(answer)
                continue
            self.waiting.append(answer)  # answered in the order asked, whichever timer fires first
            asyncio.get_running_loop().call_later(self.latency, self._answer_next)

    def _answer_next(self) -> None:
        answer = self.waiting.popleft()
        if not self.transport.is_closing():
            self.transport.write(answer)


def _serve(pages: int, respond, latency: float, log_path: str | None, shared, host: str, port_pipe) -> None:
    log = open(log_path, "a", encoding="utf-8", buffering=1) if log_path else None  # a line written at once
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(lambda: _Http(pages, respond, latency, shared, log),
                                                        host, 0))
    port_pipe.send(server.sockets[0].getsockname()[1])
    loop.run_forever()


class Site:
    """The generated site of ``pages`` stories, served by a child process; ``reset()`` between crawls.

    ``latency``: seconds each answer waits; ``log_path``: where each request is logged as it arrives
    (``requests()`` reads it); ``respond(path, pages)``: the answer's bytes (default: ``response_for``);
    ``host``: the loopback address it listens on (127.0.0.2 is another host name on the same machine).
    """

    def __init__(self, pages: int, latency: float = 0.0, log_path: Path | str | None = None,
                 respond: Callable[[str, int], bytes] = response_for, host: str = "127.0.0.1"):
        self.pages, self.latency, self.host = pages, latency, host
        self.log_path = Path(log_path) if log_path else None
        ctx = multiprocessing.get_context("fork")
        self._shared = (ctx.Value("q", 0, lock=False), ctx.Value("d", 0.0, lock=False),
                        ctx.Value("d", 0.0, lock=False))
        self._parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(pages, respond, latency,
                                                      str(self.log_path) if self.log_path else None,
                                                      self._shared, host, child), daemon=True)

    def __enter__(self) -> "Site":
        self._proc.start()
        if not self._parent.poll(30):
            raise RuntimeError("the benchmark site did not start")
        self.port = self._parent.recv()
        return self

    def __exit__(self, *exc) -> None:
        self._proc.terminate()
        self._proc.join(5)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def pid(self) -> int:
        return self._proc.pid or os.getpid()

    def reset(self) -> None:
        for value in self._shared:
            value.value = 0
        if self.log_path is not None and self.log_path.exists():
            self.log_path.write_bytes(b"")  # the server appends: its next line goes at the start again

    def requests(self) -> list[tuple[float, str, str]]:
        """(unix time, path, User-Agent) of every request logged so far, in the order they came."""
        if self.log_path is None or not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            stamp, _, rest = line.partition(" ")
            path, _, agent = rest.partition(" ")
            if path:
                out.append((float(stamp), path, agent))
        return out

    @property
    def served(self) -> int:
        return self._shared[0].value

    @property
    def first_request(self) -> float:
        return self._shared[1].value

    @property
    def last_request(self) -> float:
        return self._shared[2].value
