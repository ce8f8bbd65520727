"""RESULTS.md: each benchmark replaces its own ``## Section`` with the tables of its own run."""

from __future__ import annotations

import os
import platform
import re
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "RESULTS.md"


def results_path() -> Path:
    """Where tables go: ``BENCH_RESULTS`` (``make bench QUICK=1`` points it away from RESULTS.md), else RESULTS.md."""
    return Path(os.environ.get("BENCH_RESULTS") or RESULTS)


def write_section(title: str, text: str, path: Path | None = None) -> Path:
    """Replace the section headed ``title`` (``## ...``) of ``path`` with ``text``, leaving the others alone."""
    path = path or results_path()
    text = text.rstrip() + "\n"
    if not text.startswith(title):
        text = f"{title}\n\n{text}"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(title)}\s*$.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(current):
        current = pattern.sub(lambda _: text + "\n", current, count=1).rstrip() + "\n"
    else:
        current = current.rstrip() + "\n\n" + text
    path.write_text(current, encoding="utf-8")
    return path


def machine() -> str:
    """One line: cores, CPU model, memory, Python, Scrapy, date (UTC), load average when the run began."""
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal:")))
        memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores ({model or platform.machine()}{memory}), Python {platform.python_version()}, "
            f"Scrapy {version('scrapy')}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
            f"load average {load:.1f} at the start")


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process, from /proc (Linux), or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK
