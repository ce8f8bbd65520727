"""WARC writing throughput: our rotating writer against warcio's bare WARCWriter.

Both write the same exchanges (request + response records, gzip per record)
to a temporary directory; the ratio shows what rotation, pointers and
flushing per exchange cost on top of warcio itself.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from warcio.warcwriter import WARCWriter

from newscrawl.archive.records import WARC_VERSION, Exchange, build_records
from newscrawl.archive.writer import RotatingWarcWriter


def _exchanges(n: int) -> list[Exchange]:
    rnd = random.Random(7)
    words = [bytes(rnd.choices(b"abcdefghijklmnopqrstuvwxyz", k=rnd.randint(2, 9))) for _ in range(2000)]
    return [Exchange(url=f"http://bench.test/news/{i}", method="GET", request_headers=[("User-Agent", "bench")],
                     request_body=b"", status=200, response_headers=[("Content-Type", "text/html")],
                     payload=b" ".join(rnd.choices(words, k=8000)), ip_address="127.0.0.1")
            for i in range(n)]


def run(n: int = 400) -> dict[str, float]:
    exchanges = _exchanges(n)
    total = sum(len(e.payload) for e in exchanges)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with open(Path(tmp) / "plain.warc.gz", "wb") as out:
            writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
            for exchange in exchanges:
                for record in build_records(writer, exchange):
                    writer.write_record(record)
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        ours = RotatingWarcWriter(Path(tmp) / "ours", "bench", 50_000_000, {"software": "bench"}, str, lambda c: None)
        for exchange in exchanges:
            ours.write(exchange)
        ours.close()
        measured = time.perf_counter() - start
    return {
        "exchanges": n,
        "MB": round(total / 1e6, 1),
        "warcio_MB_per_s": round(total / 1e6 / baseline, 1),
        "newscrawl_MB_per_s": round(total / 1e6 / measured, 1),
        "ratio_vs_warcio": round(baseline / measured, 3),
    }


SECTION = "## WARC writer"


def table(result: dict) -> str:
    from benchmarks.results import machine

    return "\n".join([
        SECTION, "",
        f"`python -m benchmarks.warc_writer` (part of `make bench`), {machine()}: {result['exchanges']} exchanges "
        f"({result['MB']} MB of payload, request + response records, gzip per record) written by warcio's bare "
        "`WARCWriter` and by our `RotatingWarcWriter` (rotation, pointers, a flush per exchange), one thread.",
        "",
        "| writer | MB/s | ratio to warcio |",
        "|---|---:|---:|",
        f"| warcio `WARCWriter` | {result['warcio_MB_per_s']} | 1 |",
        f"| newscrawl `RotatingWarcWriter` | {result['newscrawl_MB_per_s']} | {result['ratio_vs_warcio']:.2f} |",
    ]) + "\n"


def main() -> None:
    import argparse
    import json

    from benchmarks.results import write_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=400)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.exchanges)
    if not args.no_write:
        write_section(SECTION, table(result))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
