"""Serving an archive with pywb: a collection ``archive`` of WARC files and their CDXJ indexes.

pywb pins old libraries, so it lives in a venv of its own (``.venv/pywb``,
``make .venv/pywb/.installed``); ``find_wayback`` looks for its ``wayback``
program there, in ``PYWB_DIR``, and on PATH. The collection is a temporary pywb
root (``collections/archive/archive`` holds links to the WARC files,
``collections/archive/indexes`` their indexes) with frameless replay, so
``/archive/<url>`` is the archived page itself (with pywb's rewriting),
``/archive/<timestamp>/<url>`` a given capture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .collect import ArchiveFile

COLLECTION = "archive"
BUILD_HINT = "make .venv/pywb/.installed"

# What the root's config.yaml says; pywb finds collections/ and their archive/ and indexes/ itself.
CONFIG = """\
# Written by `scrapy serve`: one collection, "archive", replayed without pywb's frame.
framed_replay: false
"""


def find_wayback(pywb_dir: str | None = None) -> Path | None:
    """pywb's ``wayback`` program: in ``PYWB_DIR`` when set (only there), else beside our venv
    (``.venv/pywb``), in the project's or the working directory's ``.venv/pywb``, or on PATH."""
    if pywb_dir:
        candidates = [Path(pywb_dir).expanduser()]
    else:
        project = Path(__file__).resolve().parents[2]
        candidates = [Path(sys.prefix) / "pywb", project / ".venv" / "pywb", Path.cwd() / ".venv" / "pywb"]
    for directory in candidates:
        program = directory / "bin" / "wayback"
        if program.is_file() and os.access(program, os.X_OK):
            return program
    found = None if pywb_dir else shutil.which("wayback")
    return Path(found) if found else None


def build_root(root: Path, files: list[ArchiveFile]) -> Path:
    """A pywb root with the collection ``archive`` holding ``files`` (linked, not copied)."""
    collection = root / "collections" / COLLECTION
    archive, indexes = collection / "archive", collection / "indexes"
    archive.mkdir(parents=True, exist_ok=True)
    indexes.mkdir(parents=True, exist_ok=True)
    for file in files:
        _link(file.path, archive / file.name)
        _link(file.index, indexes / (file.name + ".cdxj"))
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return root


def _link(target: Path, link: Path) -> None:
    try:
        link.symlink_to(target.resolve())
    except OSError:
        shutil.copyfile(target, link)


def start_wayback(wayback: Path, root: Path, port: int, bind: str = "127.0.0.1", **popen) -> subprocess.Popen:
    """pywb's server on ``bind:port`` over the root (its own process; the caller stops it)."""
    return subprocess.Popen([str(wayback), "-b", bind, "-p", str(port)], cwd=root, **popen)
