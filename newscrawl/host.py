"""This machine and its processes, as file names and lock holders name them.

WARC files, manifests and crawl locks carry the host name and the pid of the
crawler that made them, so a later run on the same host can tell a live
crawler's work from a dead one's. One rule for each, here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def file_name_host(hostname: str | None = None) -> str:
    """The host name as file names carry it: ``-`` (the names' field separator) becomes ``_``."""
    return (hostname or socket.gethostname()).replace("-", "_") or "localhost"


def is_live_crawler(pid: int) -> bool:
    """True when ``pid`` is a crawler running on this host (this process included).

    A process we may not signal exists (True); a pid the system reused for an
    unrelated program is not a crawler (False), told by its command line.
    """
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc: the process exists, trust it
        return True
    return b"scrapy" in cmdline or b"newscrawl" in cmdline
