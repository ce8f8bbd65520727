"""Run every benchmark and print its results (ratios against a same-run baseline)."""

import json

from benchmarks import warc_writer

if __name__ == "__main__":
    print("warc_writer", json.dumps(warc_writer.run()))
    print("extraction", json.dumps(__import__("benchmarks.extraction", fromlist=["run"]).run()))
    print("load", json.dumps(__import__("benchmarks.load", fromlist=["run"]).run()))
    replay = __import__("benchmarks.replay", fromlist=["run"])
    print("replay news", json.dumps(replay.run(2, 5, "news")))
    print("replay demo", json.dumps(replay.run(40, 5, "demo")))
