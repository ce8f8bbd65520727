"""Headless Chromium (Debian's ``chromium``) for the tests: the DOM a page ends up with, its
console messages, a screenshot. Screenshots are kept under tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
_CONSOLE = re.compile(r":INFO:CONSOLE[^\]]*\] (.*)")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed (make test installs it: apt-get install chromium)")
    return found


@dataclass
class Loaded:
    dom: str
    console: list[str]  # every console message (and uncaught error) the page logged


def _run(url: str, profile: Path, *flags: str, timeout: float = 90) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True, exist_ok=True)
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *flags, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def load(url: str, profile: Path) -> Loaded:
    """The page's DOM once loaded (scripts run), and what it wrote to the console."""
    proc = _run(url, profile, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Loaded(proc.stdout, _CONSOLE.findall(proc.stderr))


def screenshot(url: str, profile: Path, name: str, size: str = "1280,1600") -> Path:
    """A PNG of the page, kept as a test artifact; its path is printed."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    path.unlink(missing_ok=True)
    proc = _run(url, profile, f"--screenshot={path}", f"--window-size={size}")
    assert proc.returncode == 0 and path.is_file(), proc.stderr[-2000:]
    print(f"screenshot of {url}: {path}")
    return path
