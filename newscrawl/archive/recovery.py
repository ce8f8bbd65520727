"""Repairing ``.open`` WARC files left by a crawler that died (SIGKILL, power loss).

The writer gzips every record as its own member and flushes after each
exchange, so a killed crawler leaves whole members followed by at most one
torn one. Repair keeps every complete exchange, not every complete member: the
warcinfo record, then each response (or revisit) only together with the
request record written after it (members checked by zlib's CRC and length,
each holding one whole WARC record). A response whose request record is torn
or missing goes with it. The file is cut there and renamed to its final
name, ready for the store like any closed file.

A ``.open`` file whose writer is still alive (same host, its pid running a
crawler) is never touched: two crawls may share a spool. Another host's
writer cannot be asked; in a distributed crawl sharing one directory (a local
``WARC_STORE`` on a network file system), the live workers of the run are
known (``elsewhere``: their file-name host and pid), and their files are left
alone too; any other host's file is a dead crawler's. ``leftover_journals``
finds the capture journals (``journal.py``) dead crawlers left, with the
captures their files really hold.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from newscrawl.host import file_name_host, is_live_crawler

from .cdxj import INDEX_SUFFIX
from .journal import JOURNAL_SUFFIX, read_journal
from .writer import OPEN_SUFFIX, ClosedFile

logger = logging.getLogger(__name__)

_OWNER = re.compile(r"-(?P<host>[^-]+)-(?P<pid>\d+)\.warc\.gz(?:\.open)?$")
# cdxj.write_index writes ``<warc>.cdxj.tmp`` and renames it; a crawler killed meanwhile leaves it.
INDEX_TMP_SUFFIX = INDEX_SUFFIX + ".tmp"
_READ_SIZE = 1024 * 1024
_HEADER_LIMIT = 64 * 1024


class _EveryOtherHost(frozenset):
    """``elsewhere`` when the other hosts' crawlers cannot be known: every one of them is taken as running."""

    def __contains__(self, item: object) -> bool:
        return True


EVERY_OTHER_HOST: frozenset[tuple[str, int]] = _EveryOtherHost()


@dataclass
class Repair:
    """What repairing one ``.open`` file did."""

    closed: ClosedFile | None  # None when not one complete record was left
    cut_bytes: int  # torn bytes removed from the end


def writer_of(name: str) -> tuple[str, int] | None:
    """(file-name host, pid) of the crawler a WARC file's name (``.open`` or closed) says wrote it, or None."""
    match = _OWNER.search(name)
    return (match["host"], int(match["pid"])) if match else None


def owned_by_live_process(name: str, elsewhere: frozenset[tuple[str, int]] = frozenset()) -> bool:
    """True if the file's name says a running crawler writes it: on this host, or one of ``elsewhere``.

    ``elsewhere``: (file-name host, pid) of crawlers known to run on other hosts (a distributed run's workers).
    """
    match = _OWNER.search(name)
    if not match:
        return False
    pid = int(match["pid"])
    if match["host"] != file_name_host():
        return (match["host"], pid) in elsewhere
    if pid == os.getpid():
        # Another host's files cannot be checked; our own pid cannot have a
        # file open before the writer starts, so it is a dead namesake's.
        return False
    return is_live_crawler(pid)


def complete_prefix(path: Path) -> tuple[int, int]:
    """(length, records) of the longest prefix of ``path`` made of whole exchanges.

    Scans gzip members one by one, streaming; a member counts when zlib
    reaches its end (CRC and size verified) and it holds a WARC record whose
    Content-Length matches what it holds. The prefix ends after a record that
    closes an exchange: a request record after its response or revisit, or a
    record outside any exchange (warcinfo); never after a lone response.
    """
    good_end, good_records, records = 0, 0, 0
    pending = False  # a response (or revisit) is waiting for its request record
    with open(path, "rb") as stream:
        data = b""  # read from the stream, not yet given to a member
        while True:
            if not data:
                data = stream.read(_READ_SIZE)
                if not data:
                    return good_end, good_records  # clean end
            decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
            head, out_size = b"", 0
            try:
                while not decomp.eof:
                    if not data:
                        data = stream.read(_READ_SIZE)
                        if not data:
                            return good_end, good_records  # torn last member
                    out = decomp.decompress(data, _READ_SIZE)  # bounded: no zip bombs
                    data = decomp.unconsumed_tail
                    out_size += len(out)
                    if len(head) < _HEADER_LIMIT:
                        head += out[:_HEADER_LIMIT - len(head)]
                    while data == b"" and not decomp.eof and out:
                        # flush output still buffered inside zlib
                        out = decomp.decompress(b"", _READ_SIZE)
                        out_size += len(out)
                        if len(head) < _HEADER_LIMIT:
                            head += out[:_HEADER_LIMIT - len(head)]
            except zlib.error:
                return good_end, good_records
            data = decomp.unused_data
            record_type = _whole_record_type(head, out_size)
            if record_type is None:
                return good_end, good_records
            records += 1
            if record_type in ("response", "revisit"):
                if pending:  # two responses in a row: the first lost its request
                    return good_end, good_records
                pending = True
                continue
            if pending and record_type != "request":
                return good_end, good_records
            pending = False
            good_end, good_records = stream.tell() - len(data), records


def _whole_record_type(head: bytes, total: int) -> str | None:
    """The WARC-Type of a member holding exactly one whole record, or None."""
    if not head.startswith(b"WARC/"):
        return None
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return None
    length, record_type = None, ""
    for line in head[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
        elif name == b"warc-type":
            record_type = value.strip().decode("latin-1").lower()
    if length is None or total != end + 4 + length + 4:
        return None
    return record_type


def repair_open_file(open_path: Path) -> Repair:
    """Cut ``<name>.open`` back to its last whole record and rename it ``<name>``."""
    open_path = Path(open_path)
    final = open_path.with_name(open_path.name.removesuffix(OPEN_SUFFIX))
    size = open_path.stat().st_size
    length, records = complete_prefix(open_path)
    if records == 0:
        if size == 0:
            open_path.unlink()
            logger.warning("Removed empty WARC file %s", open_path.name)
            return Repair(None, 0)
        # Not one whole record: nothing to upload, but keep the bytes for a person to look at.
        damaged = open_path.with_name(final.name + ".damaged")
        os.replace(open_path, damaged)
        _trim_journal(final, 0)
        logger.error("WARC file %s holds no complete record; kept as %s", open_path.name, damaged.name)
        return Repair(None, size)
    if final.exists():
        raise FileExistsError(f"cannot repair {open_path.name}: {final.name} exists")
    with open(open_path, "r+b") as stream:
        stream.truncate(length)
        stream.flush()
        os.fsync(stream.fileno())
    _trim_journal(final, length)  # before the rename: a journal beside a closed file describes all of it
    os.replace(open_path, final)
    logger.warning("Repaired WARC file %s: kept %d records (%d bytes, whole exchanges only), cut %d bytes",
                   final.name, records, length, size - length)
    return Repair(ClosedFile(final, length, records), size - length)


def _trim_journal(final: Path, length: int) -> None:
    """Keep in a repaired file's capture journal only the exchanges the file still holds."""
    journal = final.with_name(final.name + JOURNAL_SUFFIX)
    if not journal.exists():
        return
    kept = [line for line in journal.read_text(encoding="utf-8").splitlines(keepends=True)
            if _starts_before(line, length)]
    tmp = journal.with_name(journal.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as stream:
        stream.writelines(kept)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp, journal)


def _starts_before(line: str, length: int) -> bool:
    try:
        return json.loads(line)["at"] < length
    except (ValueError, KeyError, TypeError):
        return False


def repair_open_files(directory: Path, recursive: bool = False,
                      elsewhere: frozenset[tuple[str, int]] = frozenset()) -> list[Repair]:
    """Repair every ``.open`` file in ``directory`` not owned by a live crawler (here, or one of ``elsewhere``)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    pattern = "**/*" + OPEN_SUFFIX if recursive else "*" + OPEN_SUFFIX
    repairs = []
    for path in sorted(directory.glob(pattern)):
        if owned_by_live_process(path.name, elsewhere):
            logger.info("Leaving %s alone: its crawler is still running", path.name)
            continue
        try:
            repairs.append(repair_open_file(path))
        except (OSError, FileExistsError) as exc:
            logger.error("Could not repair %s: %s", path, exc)
    return repairs


def remove_index_leftovers(directory: Path, recursive: bool = False,
                           elsewhere: frozenset[tuple[str, int]] = frozenset()) -> list[Path]:
    """Remove the half-written indexes (``<warc>.cdxj.tmp``) that stopped crawlers left; their WARC files.

    An index being written by a running crawler (here, or one of ``elsewhere``) is left alone.
    Each removal gets a log line; the caller indexes the WARC file again (returned,
    whether or not it is still there) and counts it.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    warcs = []
    for path in sorted(directory.glob(("**/*" if recursive else "*") + INDEX_TMP_SUFFIX)):
        warc = path.with_name(path.name.removesuffix(INDEX_TMP_SUFFIX))
        if owned_by_live_process(warc.name, elsewhere):
            continue
        try:
            path.unlink()
        except OSError as exc:
            logger.error("Could not remove the half-written index %s: %s", path, exc)
            continue
        logger.warning("Removed %s, an index left half-written by a crawler that stopped; %s", path.name,
                       "indexing its WARC file again" if warc.exists() else "its WARC file is gone")
        warcs.append(warc)
    return warcs


def leftover_journals(root: Path, depth: int = 0,
                      elsewhere: frozenset[tuple[str, int]] = frozenset()) -> list[tuple[Path, list[dict]]]:
    """Journals an earlier crawler left ``depth`` directories under ``root``, with the captures its file holds.

    A journal whose WARC file is still open for a running crawler is left
    alone; one whose file is ``.open`` is read up to the file's last whole
    exchange (the length its repair keeps); one whose file is closed, up to
    its end; one whose file is gone (uploaded and removed from the spool)
    entirely. One whose file could not be repaired (``.damaged``) holds
    nothing archived.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("*/" * depth + "*" + JOURNAL_SUFFIX)):
        warc = path.with_name(path.name.removesuffix(JOURNAL_SUFFIX))
        open_warc = warc.with_name(warc.name + OPEN_SUFFIX)
        if owned_by_live_process(warc.name, elsewhere):
            continue
        if open_warc.exists():
            valid_below: float = complete_prefix(open_warc)[0]
        elif warc.exists():
            valid_below = warc.stat().st_size
        elif warc.with_name(warc.name + ".damaged").exists():
            valid_below = 0
        else:
            valid_below = float("inf")
        try:
            found.append((path, read_journal(path, valid_below)))
        except (OSError, KeyError, TypeError) as exc:
            logger.error("Could not read the capture journal %s: %s", path, exc)
    return found
