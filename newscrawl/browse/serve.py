"""Serving an archive with pywb: a collection ``archive`` of WARC files and their CDXJ indexes.

pywb pins old libraries, so it lives in a venv of its own (``.venv/pywb``,
``make .venv/pywb/.installed``); ``find_wayback`` looks for its ``wayback``
program there, in ``PYWB_DIR``, and on PATH. The collection is a temporary pywb
root (``collections/archive/archive`` holds links to the local WARC files,
``collections/archive/indexes`` every file's index) with frameless replay, so
``/archive/<url>`` is the archived page itself (with pywb's rewriting),
``/archive/<timestamp>/<url>`` a given capture. Files without a local path (S3
objects) are found under a second archive path, the URL of a ``RangeServer``
(``ranges.py``), which pywb asks for each record's bytes by range.
"""

from __future__ import annotations

import json
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


def build_root(root: Path, files: list[ArchiveFile], remote_url: str | None = None) -> Path:
    """A pywb root with the collection ``archive`` holding ``files``: local ones linked, not copied;
    those without a local path read from ``remote_url`` + their name (a ``RangeServer``)."""
    collection = root / "collections" / COLLECTION
    archive, indexes = collection / "archive", collection / "indexes"
    archive.mkdir(parents=True, exist_ok=True)
    indexes.mkdir(parents=True, exist_ok=True)
    for file in files:
        if file.path is not None:
            _link(file.path, archive / file.name)
        elif remote_url is None:
            raise ValueError(f"{file.uri}: no local copy and no server to read it from")
        _link(file.index, indexes / (file.name + ".cdxj"))
    config = CONFIG
    if remote_url is not None:
        # pywb tries each path in turn: the collection's own archive/ (local files), then the server.
        config += f"archive_paths:\n  - archive\n  - {json.dumps(remote_url)}\n"
    (root / "config.yaml").write_text(config, encoding="utf-8")
    return root


def _link(target: Path, link: Path) -> None:
    try:
        link.symlink_to(target.resolve())
    except OSError:
        shutil.copyfile(target, link)


def start_wayback(wayback: Path, root: Path, port: int, bind: str = "127.0.0.1", **popen) -> subprocess.Popen:
    """pywb's server on ``bind:port`` over the root (its own process; the caller stops it)."""
    return subprocess.Popen([str(wayback), "-b", bind, "-p", str(port)], cwd=root, **popen)
