"""Replay on Spark against ``scrapy replay``: pages per second per core on the same corpus.

The corpus is the real news pages of ``../shared/datasets`` (as in the replay
benchmark), written into ``files`` WARC files so that Spark has one task per file.
Both engines get the same two cores: ``scrapy replay`` with
``EXTRACTION_PROCESSES=2``, the Spark job with ``local[2]``. Rates:

* ``scrapy replay``: pages over the command's own time from first page to last
  item (its final progress line), so process start-up is left out;
* Spark: pages over the job's wall time (listing, tasks, writing the Parquet
  parts and the manifest), in a session already started; the session's start-up
  (JVM, first job with its Python workers) is reported apart, as the job's fixed cost.

Rounds alternate the two engines; medians are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.replay import build_corpus, news_records
from benchmarks.results import machine, write_section

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Replay on Spark"


def _corpus(directory: Path, files: int, copies: int, limit: int | None = None) -> int:
    records = news_records()[:limit]
    pages = 0
    for part in range(files):
        chunk = records[part::files]
        _, written = build_corpus(directory / f"part-{part:03d}.warc.gz", chunk, copies)
        pages += written
    return pages


def _replay_rate(corpus: Path, workdir: Path) -> float:
    out = workdir / "replay.jsonl"
    proc = subprocess.run([sys.executable, "-m", "scrapy", "replay", str(corpus), "-O", str(out),
                           "-s", "EXTRACTION_PROCESSES=2", "-s", "LOG_LEVEL=WARNING"],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    last = [line for line in proc.stderr.splitlines() if line.startswith("replay:")][-1]
    return float(re.search(r"([\d.]+) pages/s", last).group(1))


def run(files: int = 8, copies: int = 2, rounds: int = 3, limit: int | None = None) -> dict:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from scrapy.utils.project import get_project_settings

    from newscrawl.replay.spark import run as spark_run

    settings = get_project_settings()
    with tempfile.TemporaryDirectory(prefix="newscrawl-spark-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        pages = _corpus(corpus, files, copies, limit)
        began = time.perf_counter()
        spark = (SparkSession.builder.master("local[2]").appName("newscrawl-bench")
                 .config("spark.ui.showConsoleProgress", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.parallelize(range(2), 2).map(lambda x: x).collect()  # start the Python workers
        startup = time.perf_counter() - began
        spark_rates, replay_rates = [], []
        try:
            for round_ in range(rounds):
                out = work / f"spark-{round_}"
                start = time.perf_counter()
                status = spark_run([str(corpus)], settings, str(out), "parquet", spark=spark)
                if status != 0:
                    raise RuntimeError("the Spark job lost records")
                spark_rates.append(pages / (time.perf_counter() - start))
                shutil.rmtree(out)
                replay_rates.append(_replay_rate(corpus, work))
        finally:
            spark.stop()
    spark_rate, replay_rate = statistics.median(spark_rates), statistics.median(replay_rates)
    return {"pages": pages, "files": files, "rounds": rounds, "startup_s": round(startup, 1),
            "spark_pages_per_s": round(spark_rate, 1), "replay_pages_per_s": round(replay_rate, 1),
            "spark_per_core": round(spark_rate / 2, 1), "replay_per_core": round(replay_rate / 2, 1),
            "ratio": round(spark_rate / replay_rate, 2),
            "spark_runs": [round(r, 1) for r in spark_rates], "replay_runs": [round(r, 1) for r in replay_rates]}


def table(result: dict) -> str:
    return "\n".join([
        SECTION, "",
        f"Machine: {machine()}. Corpus: the real news pages of `../shared/datasets`, {result['pages']} pages in "
        f"{result['files']} WARC files (one Spark task each); both engines on 2 cores (`scrapy replay` with "
        f"`EXTRACTION_PROCESSES=2`, Spark `local[2]`), medians of {result['rounds']} alternating rounds. "
        "Written by `python -m benchmarks.spark`.", "",
        "| engine | pages/s | pages/s per core | runs |", "|---|---:|---:|---|",
        f"| scrapy replay | {result['replay_pages_per_s']} | {result['replay_per_core']} | "
        f"{', '.join(map(str, result['replay_runs']))} |",
        f"| Spark local[2] (Parquet out) | {result['spark_pages_per_s']} | {result['spark_per_core']} | "
        f"{', '.join(map(str, result['spark_runs']))} |", "",
        f"Spark per core / `scrapy replay` per core: **{result['ratio']}** (target ≥ 0.8). "
        f"Fixed start-up cost of the Spark job (session, JVM, first Python workers), not in the rates: "
        f"{result['startup_s']} s.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; RESULTS.md untouched")
    args = parser.parse_args()
    result = run(args.files, args.copies, args.rounds)
    print(json.dumps(result))
    if not args.no_write:
        write_section(SECTION, table(result))


if __name__ == "__main__":
    main()
