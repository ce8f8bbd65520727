"""`scrapy frontier`: how far a distributed crawl is, read from its Redis; ``--clear`` empties it.

The crawl is ``CRAWL_NAME`` (default ``worldnews``, the spider's name, as the
workers use it); its Redis is ``CRAWL_FRONTIER=redis://host:port/db`` (or
``CRAWL_FRONTIER=redis`` with ``REDIS_URL``, or ``REDIS_URL`` alone). Shown:
the requests queued, leased (taken by a worker, not yet archived) and done,
per worker and per host (``newscrawl.frontier.status``), and the run the
workers joined (``newscrawl.incremental.run``): its id, when it started and
ended, the workers in it. ``--json`` prints the same as one JSON document.

``--clear`` removes the crawl's frontier (queue, leases, seen requests, host
slots) and its run record, and says what it removed; it asks nothing, but it
refuses while workers are in the run (``--force`` clears anyway). The crawl
state (``CRAWL_STATE``: what is archived) is not touched.

Exit status: 0 shown or cleared; 1 Redis could not be reached, or ``--clear``
refused; 2 a usage error (one line).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone

from scrapy.commands import ScrapyCommand

from newscrawl.commands import ToolCommand
from newscrawl.config import SettingError, check_settings, check_state_uri, frontier_url
from newscrawl.incremental.run import run_key, run_status, workers_key
from newscrawl.safety.redact import redact

EXIT_FAILED = 1
EXIT_USAGE = 2


def usage_error(message: str) -> None:
    """One line on stderr, exit status 2 (Scrapy's UsageError would add the whole usage text)."""
    print(f"scrapy frontier: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_USAGE)


def redis_url_from_settings(settings) -> str:
    """The distributed crawl's Redis: ``CRAWL_FRONTIER`` (``redis://...`` or ``redis`` + ``REDIS_URL``), else ``REDIS_URL``.

    Raises ``SettingError`` (one line) when neither names a Redis, or the one given is not a Redis URL.
    """
    url = frontier_url(settings)  # checks CRAWL_FRONTIER (and REDIS_URL with CRAWL_FRONTIER=redis)
    if url:
        return url
    value = settings.get("CRAWL_FRONTIER")
    if not settings.get("REDIS_URL"):
        raise SettingError("CRAWL_FRONTIER", value, "not set; give -s CRAWL_FRONTIER=redis://host:port/db"
                           " (or CRAWL_FRONTIER=redis with REDIS_URL)")
    # REDIS_URL alone: checked as CRAWL_STATE=redis checks it.
    as_state = settings.copy()
    as_state.set("CRAWL_STATE", "redis", priority="cmdline")
    check_state_uri(as_state)
    return settings.get("REDIS_URL")


def _when(ts: float | None) -> str:
    if not ts:
        return "-"
    moment = datetime.fromtimestamp(ts, timezone.utc)
    ago = time.time() - ts
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({_duration(ago)} ago)" if ago >= 0 else f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (list, tuple, set)):
        return str(len(value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items())
    return str(value)


def _table(title: str, rows: dict) -> list[str]:
    """``{name: {column: value}}`` (or ``{name: number}``) as an aligned text table, columns in first-seen order."""
    if not rows:
        return [f"{title}: none"]
    columns: list[str] = []
    for row in rows.values():
        for key in (row if isinstance(row, dict) else {"count": row}):
            if key not in columns:
                columns.append(key)
    header = [title, *columns]
    body = [[str(name), *(_cell((row if isinstance(row, dict) else {"count": row}).get(c)) for c in columns)]
            for name, row in sorted(rows.items(), key=lambda kv: str(kv[0]))]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return [fmt(header), *(fmt(r) for r in body)]


def render(report: dict) -> str:
    """The human view of ``report`` (what ``--json`` prints)."""
    status, run = report["frontier"], report["run"]
    lines = [f"crawl {report['crawl']} on {report['redis']}"]
    scalars = {k: v for k, v in status.items() if not isinstance(v, dict) and k not in ("crawl", "crawl_name")}
    width = max((len(k) for k in scalars), default=0)
    lines += [f"  {k.replace('_', ' ').ljust(width)}  {_cell(v)}" for k, v in scalars.items()]
    lines.append(f"run {run['id'] or '-'}: started {_when(run['started'])}, "
                 + (f"ended {_when(run['ended'])}" if run["ended"] else "not ended")
                 + f", {len(run['workers'])} worker(s) in it")
    for worker, expires in sorted(run["workers"].items()):
        lines.append(f"  {worker}  (membership expires in {_duration(expires - time.time())})")
    for key, value in status.items():
        if isinstance(value, dict):
            lines.append("")
            lines += _table(key.replace("_", " "), value)
    return "\n".join(lines)


class Command(ToolCommand, ScrapyCommand):
    default_settings = {"LOG_LEVEL": "WARNING"}
    usage = "[--json] [--clear [--force]] [-s CRAWL_NAME=name] [-s CRAWL_FRONTIER=redis://host:port/db]"
    summary = "Show a distributed crawl's frontier (queued, leased, done; per worker, per host), or clear it"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
        parser.add_argument("--clear", action="store_true",
                            help="remove the crawl's frontier and run record (refused while workers run)")
        parser.add_argument("--force", action="store_true", help="with --clear: clear even while workers run")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:  # before Scrapy's start-up: the error is the only line
            usage_error(f"unexpected argument {args[0]!r}: the crawl is named by -s CRAWL_NAME=name")
        if opts.force and not opts.clear:
            usage_error("--force only goes with --clear")
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        settings = self.settings
        try:
            check_settings(settings)
            url = redis_url_from_settings(settings)
        except SettingError as exc:
            usage_error(str(exc))
        crawl = settings.get("CRAWL_NAME") or "worldnews"
        import redis

        from newscrawl.frontier.status import frontier_status

        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        try:
            report = {"crawl": crawl, "redis": redact(url), "frontier": frontier_status(client, crawl),
                      "run": run_status(client, crawl).as_dict()}
            if opts.clear:
                self.exitcode = self._clear(client, crawl, report, opts)
                return
        except redis.RedisError as exc:
            print(f"scrapy frontier: Redis {redact(url)}: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
            self.exitcode = EXIT_FAILED
            return
        finally:
            client.close()
        print(json.dumps(report, indent=1, sort_keys=True, default=str) if opts.json else render(report))

    @staticmethod
    def _clear(client, crawl: str, report: dict, opts: argparse.Namespace) -> int:
        from newscrawl.frontier.status import clear_frontier

        workers = sorted(report["run"]["workers"])
        if workers and not opts.force:
            print(f"scrapy frontier: not clearing crawl {crawl!r}: {len(workers)} worker(s) are in run"
                  f" {report['run']['id']} ({', '.join(workers)}); stop them first, or --clear --force",
                  file=sys.stderr)
            return EXIT_FAILED
        cleared = clear_frontier(client, crawl)
        run_keys = client.delete(run_key(crawl), workers_key(crawl))
        status = report["frontier"]
        before = {k: v for k, v in status.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        result = {"crawl": crawl, "redis": report["redis"], "cleared": before, "frontier": cleared,
                  "run": report["run"]["id"], "run_keys_removed": run_keys,
                  "workers_forgotten": workers}
        if opts.json:
            print(json.dumps(result, indent=1, sort_keys=True, default=str))
        else:
            what = ", ".join(f"{k.replace('_', ' ')} {_cell(v)}" for k, v in before.items()) or "nothing counted"
            print(f"cleared crawl {crawl} on {report['redis']}: {what}")
            if cleared not in (None, "", {}, []):
                print(f"  frontier: {_cell(cleared)}")
            print(f"  run: {report['run']['id'] or 'none'} ({run_keys} key(s) removed)"
                  + (f"; forgot {len(workers)} worker(s) still in it: {', '.join(workers)}" if workers else ""))
        return 0
