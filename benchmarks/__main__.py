"""Run every benchmark; each writes its own section of RESULTS.md from its own run.

``python -m benchmarks`` (``make bench``): the full runs, tables into
benchmarks/RESULTS.md. ``python -m benchmarks --quick`` (``make bench QUICK=1``,
run by CI): every benchmark on a small input, in about two minutes, tables into
``BENCH_RESULTS`` (default: a temporary file, printed) so the real tables stay
as measured.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import crawl, extraction, frontier, replay, spark, stripped, warc_writer
from benchmarks.results import RESULTS, results_path, write_section


def _stage(name: str, since: float) -> float:
    """Print how long a benchmark took (stderr), for keeping ``--quick`` within its two minutes."""
    now = time.monotonic()
    print(f"{name}: {now - since:.0f} s (load average {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
    return now


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    if quick and not os.environ.get("BENCH_RESULTS"):
        os.environ["BENCH_RESULTS"] = str(Path(tempfile.mkdtemp(prefix="newscrawl-bench-")) / "RESULTS.md")
    began = stage = time.monotonic()
    result = warc_writer.run(100 if quick else 400)
    write_section(warc_writer.SECTION, warc_writer.table(result))
    print("warc_writer", json.dumps(result), flush=True)
    stage = _stage("warc_writer", stage)
    print("extraction", json.dumps(extraction.run(limit=5 if quick else None)), flush=True)
    stage = _stage("extraction", stage)
    result = stripped.run(limit=1 if quick else None)
    write_section(stripped.SECTION, stripped.table(result))
    print("stripped", json.dumps(result), flush=True)
    stage = _stage("stripped markup", stage)
    if quick:
        print("crawl", json.dumps(crawl.run(pages=150, rounds=1, growth=(150,), disk_queue_at=150)), flush=True)
    else:
        print("crawl", json.dumps(crawl.run()), flush=True)
    stage = _stage("crawl", stage)
    # quick: 6 dataset pages (a crawl of the demo site first would be most of the replay's time)
    runs = [replay.run(2, 1, "news", limit=6)] if quick else [replay.run(2, 5, "news"), replay.run(40, 5, "demo")]
    replay.write_results(runs)
    print("replay", json.dumps(runs), flush=True)
    stage = _stage("replay", stage)
    result = spark.run(files=2, copies=1, rounds=1, limit=20) if quick else spark.run()
    write_section(spark.SECTION, spark.table(result))
    print("spark", json.dumps(result), flush=True)
    stage = _stage("spark", stage)
    result = frontier.run(**frontier.QUICK) if quick else frontier.run()
    write_section(frontier.SECTION, frontier.table(result))
    print("frontier", json.dumps(result), flush=True)
    _stage("frontier", stage)
    path = results_path()
    print(f"tables written to {path} in {time.monotonic() - began:.0f} s", file=sys.stderr)
    if quick and path != RESULTS:
        print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main(sys.argv[1:])
