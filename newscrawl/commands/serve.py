"""`scrapy serve [SOURCE ...] [--port P]`: browse the archive in pywb, at http://127.0.0.1:P/archive/<url>.

SOURCE is what `scrapy replay` takes (WARC files, directories, globs,
``s3://bucket/prefix``); without one, ``WARC_STORE``. Objects in S3 stay there:
pywb reads each capture's record from them by range. ``/archive/<url>`` shows the latest capture of
a URL, ``/archive/<timestamp>/<url>`` a given one, ``/archive/*/<url>`` the
list of captures. Runs until Ctrl-C; the temporary collection goes with it. Exits 1 when a source could not be served
or a record could not be read from S3 while serving (each logged, and counted at the end).
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import tempfile
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.browse.collect import gather
from newscrawl.browse.ranges import RangeServer
from newscrawl.browse.serve import BUILD_HINT, COLLECTION, build_root, find_wayback, start_wayback
from newscrawl.commands import ToolCommand

logger = logging.getLogger(__name__)


class Command(ToolCommand, ScrapyCommand):
    usage = "[SOURCE ...] [--port P] [--bind ADDRESS]"
    summary = "Browse archived pages in pywb (collection 'archive') on a local port"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--port", type=int, default=8080, help="port to serve on (default 8080)")
        parser.add_argument("--bind", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if not 0 < opts.port < 65536:
            raise UsageError(f"--port {opts.port}: not a TCP port (1-65535)", print_help=False)
        with socket.socket() as probe:
            try:
                probe.bind((opts.bind, opts.port))
            except OSError as exc:
                raise UsageError(f"--port {opts.port}: cannot listen on {opts.bind}:{opts.port} ({exc.strerror})",
                                 print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        wayback = find_wayback(self.settings.get("PYWB_DIR"))
        if wayback is None:
            print(f"pywb is not installed: build its venv with `{BUILD_HINT}` (or set PYWB_DIR)")
            self.exitcode = 1
            return
        specs = args or [self.settings.get("WARC_STORE")]
        with tempfile.TemporaryDirectory(prefix="newscrawl-serve-") as work:
            root = Path(work)
            gathered = gather(specs, root / "work", self.settings, copy=False)
            for error in gathered.errors:
                logger.error("Not served: %s", error)
            if not gathered.files:
                print(f"nothing to serve: no WARC files in {' '.join(specs)}")
                self.exitcode = 1
                return
            remote = {f.name: f.source for f in gathered.files if f.path is None}
            with RangeServer(remote) as ranges:
                build_root(root / "pywb", gathered.files, ranges.url if remote else None)
                self.exitcode = self._serve(wayback, root / "pywb", opts, len(gathered.files))
            failures = ranges.failures
            if failures:
                print(f"{len(failures)} read(s) of archived records failed while serving; "
                      f"pages that needed them were not shown (first: {failures[0]})")
            if (gathered.errors or failures) and not self.exitcode:
                self.exitcode = 1

    def _serve(self, wayback: Path, root: Path, opts: argparse.Namespace, count: int) -> int:
        server = start_wayback(wayback, root, opts.port, opts.bind)
        stop = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.append(True))
        host = f"[{opts.bind}]" if ":" in opts.bind else opts.bind
        print(f"Serving {count} WARC file(s) with pywb at http://{host}:{opts.port}/{COLLECTION}/<url>"
              " (Ctrl-C to stop)", flush=True)
        try:
            while not stop and server.poll() is None:
                time.sleep(0.2)
        finally:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(10)
                except Exception:
                    server.kill()
                    server.wait()
        if not stop:
            print(f"pywb stopped by itself (exit status {server.returncode})")
            return 1
        return 0
