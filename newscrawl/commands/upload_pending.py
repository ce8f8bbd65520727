"""`scrapy upload_pending`: repair ``.open`` files and upload what earlier crawls left in the spool.

Every S3 store with files under ``WARC_SPOOL_DIR`` is handled, each named by
the ``STORE.json`` its crawls left in the spool (store URI and endpoint), so
``-s WARC_STORE=s3://...`` is not needed; given, that store is handled too.
For each it does what a crawl does at start, then waits
(``WARC_UPLOAD_TIMEOUT``) for the uploads. For a local ``WARC_STORE`` it
repairs ``.open`` files. Every spooled file is listed with its store and what
became of it. Exits 1 when files are still not stored, 2 for a bad setting.

Only files whose writer is gone are taken: this host's files whose crawler no
longer runs, and, in a spool or directory shared by several hosts, another
host's files when their worker is in no run of the distributed crawl's Redis
(``CRAWL_FRONTIER``): it left, or its membership expired. Without that Redis
(or with Redis unreachable), another host's crawler cannot be checked and its
files are left alone. Each file left is listed with why.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.archive.recovery import EVERY_OTHER_HOST, owned_by_live_process, writer_of
from newscrawl.archive.store import store_from_uri
from newscrawl.archive.store.local import LocalStore
from newscrawl.archive.store.s3 import S3Store, safe_endpoint, spooled_stores
from newscrawl.archive.writer import OPEN_SUFFIX
from newscrawl.commands import ToolCommand
from newscrawl.config import SettingError, check_settings, frontier_url
from newscrawl.host import file_name_host
from newscrawl.incremental.run import live_workers_elsewhere
from newscrawl.safety.redact import redact


def other_hosts_writers(settings) -> tuple[frozenset[tuple[str, int]], dict[tuple[str, int], str], str | None]:
    """The other hosts' crawlers whose files stay: (elsewhere, why each one, why all of them when unknown).

    With ``CRAWL_FRONTIER`` the live members of every run in its Redis; without it, or with Redis not
    answering, every other host's crawler is taken as running (``EVERY_OTHER_HOST``), and the third
    item says why.
    """
    url = frontier_url(settings)
    if url is None:
        return EVERY_OTHER_HOST, {}, ("whether its crawler still runs cannot be checked without the distributed"
                                      " crawl's Redis (-s CRAWL_FRONTIER=redis://...)")
    import redis

    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    try:
        live = live_workers_elsewhere(client)
    except (redis.RedisError, OSError) as exc:
        return EVERY_OTHER_HOST, {}, (f"Redis {redact(url)} did not answer ({type(exc).__name__}: "
                                      f"{redact(str(exc))}), so whether its crawler still runs is not known")
    finally:
        client.close()
    return frozenset(live), {owner: f"{why} is still in it" for owner, why in live.items()}, None


def _left_elsewhere(names: list[str], elsewhere, why_live: dict, why_all: str | None) -> list[tuple[str, str]]:
    """(name, why) of each file of another host that stays, as its writer may be running."""
    here = file_name_host()
    left = []
    for name in names:
        owner = writer_of(name)
        if owner is None or owner[0] == here or owner not in elsewhere:
            continue
        left.append((name, why_live.get(owner) or f"written on host {owner[0]}: {why_all}"))
    return left


class Command(ToolCommand, ScrapyCommand):
    usage = "[-s WARC_STORE=s3://bucket/prefix]"
    summary = "Repair .open WARC files and upload the files left in the spool by earlier crawls"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        settings = self.settings
        try:
            check_settings(settings)
        except SettingError as exc:
            print(f"upload_pending: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        named = settings.get("WARC_STORE")
        endpoint_given = (settings.getpriority("AWS_ENDPOINT_URL") or 0) >= SETTINGS_PRIORITIES["cmdline"]
        stores: dict[str, str | None] = dict(spooled_stores(settings))
        if str(named).startswith("s3://"):
            uri = named.rstrip("/")
            stores[uri] = stores.get(uri)
        repaired = uploaded = uploaded_bytes = failed = 0
        pending: list[str] = []
        elsewhere, why_live, why_all = other_hosts_writers(settings)
        if not str(named).startswith("s3://"):
            local = store_from_uri(named, settings)
            assert isinstance(local, LocalStore)
            names = sorted(p.name for p in local.spool_dir.glob("*" + OPEN_SUFFIX)) if local.spool_dir.is_dir() else []
            kept = _left_elsewhere(names, elsewhere, why_live, why_all)
            fixed = local.recover(elsewhere) if local.spool_dir.is_dir() else []
            repaired += len(fixed)
            if fixed or kept:
                print(f"store {local.spool_dir} (local): {len(fixed)} .open file(s) repaired")
                for closed in fixed:
                    print(f"  repaired  {closed.path.name}")
                for name, why in kept:
                    print(f"  left      {name} ({why})")
        for uri, endpoint in sorted(stores.items()):
            store_settings = settings.copy()
            store_settings.frozen = False
            if endpoint and not endpoint_given:
                store_settings.set("AWS_ENDPOINT_URL", endpoint, priority="cmdline")
            store = S3Store.from_uri(uri, store_settings)
            spooled = store.spooled_files()
            busy = [p for p in spooled if owned_by_live_process(p.name)]
            kept = _left_elsewhere([p.name for p in spooled], elsewhere, why_live, why_all)
            fixed = store.recover(elsewhere)
            store.close()
            stats = store.stats()
            repaired += len(fixed)
            uploaded += stats.get("warc/uploaded", 0)
            uploaded_bytes += stats.get("warc/uploaded_bytes", 0)
            failed += stats.get("warc/upload_failed", 0)
            left = store.pending_files
            pending += [f"s3://{store.bucket}/{key}" for key in left]
            listed = {entry.key: entry for entry in store.leftovers}
            where = safe_endpoint(store_settings.get("AWS_ENDPOINT_URL")) or "AWS"
            print(f"store {uri} (endpoint {where}): {len(listed) + len(busy) + len(kept)} WARC file(s) in the"
                  f" spool {store.spool_root}")
            for key, entry in sorted(listed.items()):
                state = "uploaded" if entry.uploaded and key not in left else "PENDING "
                print(f"  {state}  {entry.uri}")
            for key in sorted(set(left) - set(listed)):
                print(f"  PENDING   s3://{store.bucket}/{key}")
            for path in busy:
                print(f"  in use    {path.name} (a running crawl is writing or sending it)")
            for name, why in kept:
                print(f"  left      {name} ({why})")
        print(f"repaired .open files : {repaired}")
        print(f"uploaded             : {uploaded} ({uploaded_bytes} bytes)")
        print(f"failed attempts      : {failed}")
        print(f"still pending        : {len(pending)}")
        for uri in pending:
            print(f"  {uri}")
        if pending:
            print(f"upload_pending: {len(pending)} file(s) could not be sent and stay in the spool", file=sys.stderr)
            self.exitcode = 1
