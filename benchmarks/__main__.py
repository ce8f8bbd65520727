"""Run every benchmark and print its results (ratios against a same-run baseline)."""

import json

from benchmarks import warc_writer

if __name__ == "__main__":
    print("warc_writer", json.dumps(warc_writer.run()))
