"""Where the crawler's time goes: `py-spy record` on the crawl benchmark's crawlers, summarised.

py-spy comes from a venv of its own (``.venv/bench``, ``requirements-bench.lock``,
``make .venv/bench/.installed``). Each crawler of ``benchmarks/crawl.py`` (the
bare spider, archive only, archive + extraction) crawls the generated site once
under ``py-spy record --format raw`` (collapsed stacks, CPU samples only, every
thread of the crawler process); the stacks are grouped into the parts of the
crawl a reader can act on (the archive's gzip, the WARC writer, the crawl state,
link finding, page checks, extraction, Scrapy and Twisted themselves ...), and
the share of samples of each part is written into the ``## Crawl profile``
section of RESULTS.md, with the top functions by own time.

    python -m benchmarks.profile [--pages 3000] [--label after]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.crawl import REPO, code_version, command
from benchmarks.results import machine, results_path, write_section
from benchmarks.site import Site

PY_SPY = REPO / ".venv" / "bench" / "bin" / "py-spy"
SECTION = "## Crawl profile"
# The first rule matching a frame of the stack (innermost first) names the part the sample belongs to.
PARTS = [
    ("extraction (pipelines/extraction)", ("pipelines/extraction/", "pipelines/extract.py", "trafilatura",
                                           "htmldate", "justext", "courlan", "dateparser", "concurrent/futures/process")),
    ("WARC records and gzip (warcio, zlib)", ("warcio/", "newscrawl/archive/records.py", "newscrawl/archive/writer.py")),
    ("crawl state (SQLite)", ("newscrawl/incremental/", "sqlite3")),
    ("archive middleware and writer thread", ("newscrawl/archive/middleware.py", "newscrawl/archive/serial.py")),
    ("WARC store, index and upload", ("newscrawl/archive/store/", "newscrawl/archive/cdxj.py", "boto", "s3transfer")),
    ("archive HTTP handler", ("newscrawl/archive/handler.py",)),
    ("page checks and decoding", ("newscrawl/follow/pagecheck.py", "newscrawl/follow/pages.py",
                                  "newscrawl/decoding.py", "w3lib/encoding", "charset_normalizer")),
    ("link finding and traps (newscrawl/follow)", ("newscrawl/follow/",)),
    ("guard, DNS (newscrawl/safety)", ("newscrawl/safety/",)),
    ("the spider (newscrawl/spiders)", ("newscrawl/spiders/",)),
    ("feed export", ("scrapy/extensions/feedexport", "scrapy/exporters")),
    ("parsing HTML (lxml, parsel)", ("parsel/", "lxml")),
    ("Scrapy", ("scrapy/",)),
    ("Twisted and asyncio", ("twisted/", "asyncio/")),
]


def part_of(stack: str) -> str:
    frames = stack.split(";")
    for frame in reversed(frames):
        for name, needles in PARTS:
            if any(n in frame for n in needles):
                return name
    return "other (start-up, imports, interpreter)"


def profile(variant: str, site: Site, workdir: Path, rate: int = 100, gil: bool = False) -> tuple[Counter, Counter, int]:
    """py-spy on one crawl: (samples per part, own samples per function, total samples)."""
    workdir.mkdir(parents=True)
    cmd, env = command(variant, site, workdir)
    out = workdir / "stacks.txt"
    site.reset()
    subprocess.run([str(PY_SPY), "record", "--format", "raw", "--rate", str(rate), "--nonblocking",
                    *(["--gil"] if gil else []), "--output", str(out), "--", *cmd], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts: Counter = Counter()
    functions: Counter = Counter()
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        parts[part_of(stack)] += n
        leaf = stack.split(";")[-1]
        functions[leaf.replace(str(REPO) + "/", "").split("/site-packages/")[-1]] += n
    return parts, functions, sum(parts.values())


def run(pages: int = 3000, label: str = "now", variants: tuple[str, ...] = ("bare", "archive", "extract"),
        gil: bool = False) -> dict:
    if not PY_SPY.exists():
        raise SystemExit(f"{PY_SPY} not found: make .venv/bench/.installed")
    results = {}
    with tempfile.TemporaryDirectory(prefix="newscrawl-profile-") as tmp, Site(pages) as site:
        for variant in variants:
            parts, functions, total = profile(variant, site, Path(tmp) / variant, gil=gil)
            results[variant] = {"pages": site.served, "samples": total,
                                "parts": {k: round(v / total, 3) for k, v in parts.most_common()},
                                "top": [(k, round(v / total, 3)) for k, v in functions.most_common(12)]}
    results["machine"] = machine() + code_version()
    results["gil"] = gil
    return results


def table(results: dict, label: str) -> str:
    variants = [v for v in results if v not in ("machine", "gil")]
    what = ("samples of the thread holding the GIL only (`--gil`: Python work that competes with the reactor)"
            if results.get("gil") else "CPU only, every thread of the crawler process")
    parts = list(dict.fromkeys(p for v in variants for p in results[v]["parts"]))
    lines = [
        f"### {label}", "",
        f"`python -m benchmarks.profile --label {label!r}{' --gil' if results.get('gil') else ''}`, "
        f"{results['machine']}: py-spy (100 samples/s, {what}) on one crawl of the benchmark site per crawler; "
        "share of the samples per part of the crawl (a sample goes to the innermost frame a part names).",
        "",
        "| part | " + " | ".join(f"{v} ({results[v]['pages']} pages, {results[v]['samples']} samples)"
                                 for v in variants) + " |",
        "|---|" + "---:|" * len(variants),
    ]
    for part in parts:
        lines.append(f"| {part} | " + " | ".join(f"{results[v]['parts'].get(part, 0):.1%}" for v in variants) + " |")
    for v in variants:
        lines += ["", f"Top functions by own samples, {v}: "
                  + "; ".join(f"`{name}` {share:.1%}" for name, share in results[v]["top"]) + "."]
    return "\n".join(lines) + "\n"


def write(results: dict, label: str, keep_others: bool = True) -> None:
    """Keep the other labels' subsections of ``## Crawl profile`` (e.g. "before"), replace this one.

    ``keep_others=False`` (``--alone``): this label's subsection is the only one (a new "before").
    """
    path = results_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    kept: dict[str, str] = {}
    if SECTION in text and keep_others:
        body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
        for chunk in body.split("\n### ")[1:]:
            name = chunk.split("\n", 1)[0].strip()
            kept[name] = "### " + chunk.strip() + "\n"
    kept[label] = table(results, label)
    intro = ("Written by `python -m benchmarks.profile --label NAME`, one subsection per label, so the profile "
             "of the code before a change stays next to the profile after it.")
    write_section(SECTION, SECTION + "\n\n" + intro + "\n\n" + "\n".join(kept.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--label", default="now", help="name of this profile's subsection (e.g. before, after)")
    parser.add_argument("--gil", action="store_true", help="only samples holding the GIL (py-spy --gil)")
    parser.add_argument("--variants", default="bare,archive,extract")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--alone", action="store_true",
                        help="drop the other labels' subsections (profiles of older code)")
    args = parser.parse_args()
    results = run(args.pages, args.label, tuple(args.variants.split(",")), gil=args.gil)
    if not args.no_write:
        write(results, args.label, keep_others=not args.alone)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
