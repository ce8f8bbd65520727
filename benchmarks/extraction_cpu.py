"""Extraction CPU per page, and whether a change to the extraction changed any output.

Runs ``extract_or_reason`` (one process, no Scrapy) on every page of ``../shared/datasets``
(all three sets, both halves) and on the generated benchmark site's pages
(``benchmarks/site.py``: the home page, the section page, stories spread over a site of
5,000: what the crawl benchmark's extraction workers get), and

* reports the CPU time (``time.process_time``) per page of each corpus: each page's
  least over ``--rounds`` passes (other processes on a shared machine only ever add to
  it), summed; a warm-up pass first (imports and caches are not a page's cost);
* with ``--dump FILE``, writes every page's full output (the Article's fields, or the
  reason there is none) as JSON lines;
* with ``--compare FILE``, compares this run's outputs with a dump (from another commit)
  and exits with status 1 if any page differs, naming the pages and the fields.

To compare a change with the commit it is based on, give that commit's code as a tree
(``git archive BASE | tar -x -C DIR``): each tree runs in a process of its own, both in
lockstep, page by page, so their figures were measured under the same load (a shared
machine's load moves more between two runs than a change does)::

    python -m benchmarks.extraction_cpu --against DIR

(the workers need only the Page class and ``extract_or_reason``, which every commit has).
Timing figures carry the load average, as every figure of this shared machine must.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
# Stories of the generated site: they differ only in their numbers and the links of their
# aside (stories past a tenth of the site have none), so a few hundred, spread over the
# site, stand for the crawl's thousands.
SITE_STORIES = 300
SITE_SIZE = 5000


def dataset_pages(root: Path = DATASETS) -> list[tuple[str, str, bytes]]:
    """(corpus, url, html) of every page of the three sets, in a fixed order."""
    out = []
    fundus = root / "fundus-eval"
    if fundus.exists():
        truth = json.loads((fundus / "ground_truth.json").read_text(encoding="utf-8"))
        for name, entry in sorted(truth.items()):
            out.append(("fundus-eval", entry["url"], gzip.decompress((fundus / "html" / name).read_bytes())))
    for corpus in ("naeb-dev", "fundus-tests-dev"):
        folder = root / corpus
        if not folder.exists():
            continue
        for entry in json.loads((folder / "articles.json").read_text(encoding="utf-8")):
            html = gzip.decompress((folder / "html" / f"{entry['html_file']}.html.gz").read_bytes())
            out.append((corpus, entry["link"], html))
    return out


def site_pages(stories: int = SITE_STORIES, size: int = SITE_SIZE) -> list[tuple[str, str, bytes]]:
    """(corpus, url, html) of the generated site: home, section page, the first ``stories`` stories."""
    sys.path.insert(0, str(REPO))
    try:
        from benchmarks import site
    finally:
        sys.path.pop(0)
    base = "http://127.0.0.1:8000"
    out = [("site", f"{base}/", site.home(size)), ("site", f"{base}/world/", site.section(size))]
    step = max(1, size // stories)  # spread over the site: most stories of a crawl have no aside
    out += [("site", f"{base}/world/story-{i:05d}", site.story(i, size)) for i in range(1, size + 1, step)]
    return out


def page_of(url: str, html: bytes):
    from newscrawl.items import Page

    return Page(url=url, request_url=url, status=200, headers=[("Content-Type", "text/html; charset=utf-8")]
                if "127.0.0.1" in url else [("Content-Type", "text/html")],
                body=html, fetched_at="2024-01-01T00:00:00Z")


def output(result) -> dict:
    """The full output for one page, as plain data."""
    if isinstance(result, str):
        return {"declined": result}
    return dataclasses.asdict(result)


def pages(stories: int = SITE_STORIES, only: tuple[str, ...] = ()) -> list[tuple[str, str, object]]:
    """(corpus, url, Page) of every page measured (of the corpora ``only`` names, if any), in a fixed order."""
    return [(corpus, url, page_of(url, html)) for corpus, url, html in dataset_pages() + site_pages(stories)
            if not only or corpus in only]


# Where a page's time goes: the steps ``_extract`` calls, by the name each has in
# ``pipelines.extraction`` (a step a commit does not have is left out), and trafilatura
# inside the body step. Each is timed around its call, so the parts add up to the page
# but for what ``_extract`` does between them ("other").
PARTS = {
    "decode and parse": ("decode_html", "parse_html"),
    "structured data": ("extract_structured",),
    "title, summary, images": ("choose_title", "choose_summary", "extract_images"),
    "body: trafilatura": (),
    "body: ours (pruning, clean-up, declared and embedded text)": ("_story",),
    "element text lengths": ("text_lengths",),
    "dates": ("choose_dates",),
    "authors": ("choose_authors",),
    "article or not (decline_reason)": ("decline_reason",),
    "language": ("choose_language",),
}


def _timed(spent: dict, part: str, fn):
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[part] = spent.get(part, 0.0) + time.process_time() - start
    return timed


def _time_parts(spent: dict) -> None:
    """Wrap the steps of ``PARTS`` so that each call adds its CPU seconds to ``spent``."""
    import pipelines.extraction as core
    import pipelines.extraction.body as body

    for part, names in PARTS.items():
        for name in names:
            if hasattr(core, name):
                setattr(core, name, _timed(spent, part, getattr(core, name)))
    # trafilatura runs inside the body step: its seconds are taken out of "ours" when reported
    body._trafilatura = _timed(spent, "body: trafilatura", body._trafilatura)


def worker(stories: int, only: tuple[str, ...]) -> None:
    """``--worker``: extract the page whose index comes on each line of stdin; answer with one
    JSON line, its CPU seconds, those of its parts and (when asked, ``i+``) its output."""
    from pipelines.extraction import extract_or_reason

    spent: dict[str, float] = {}
    _time_parts(spent)
    todo = pages(stories, only)
    for _, _, page in todo[:: max(1, len(todo) // 20)]:  # warm-up: imports, caches
        extract_or_reason(page, strict=True)
    print(json.dumps({"pages": len(todo), "code": _code()}), flush=True)
    for line in sys.stdin:
        i, want = int(line.strip().rstrip("+")), line.strip().endswith("+")
        spent.clear()
        start = time.process_time()
        result = extract_or_reason(todo[i][2], strict=True)
        total = time.process_time() - start
        parts = dict(spent)
        if "body: trafilatura" in parts:
            key = "body: ours (pruning, clean-up, declared and embedded text)"
            parts[key] = parts.get(key, 0.0) - parts["body: trafilatura"]
        answer = {"s": total, "parts": parts, **({"out": output(result)} if want else {})}
        print(json.dumps(answer, ensure_ascii=False), flush=True)


def _code() -> str:
    import pipelines

    return str(Path(pipelines.__file__).resolve().parents[1])


class Worker:
    """A ``--worker`` process running the extraction code of the tree ``code``."""

    def __init__(self, code: Path, stories: int, only: tuple[str, ...] = ()):
        env = {**os.environ, "PYTHONPATH": str(code)}
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker", "--stories", str(stories),
                                      "--only", ",".join(only)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        hello = json.loads(self.proc.stdout.readline())
        self.pages, self.code = hello["pages"], hello["code"]

    def extract(self, i: int, want: bool) -> dict:
        self.proc.stdin.write(f"{i}{'+' if want else ''}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


def run(trees: list[Path], rounds: int, stories: int,
        only: tuple[str, ...] = ()) -> tuple[list[dict], list[list[dict]], list[list[float]], list[list[dict]]]:
    """The pages through one worker per tree, in lockstep: page i on every tree (in turns that
    alternate which goes first) before page i + 1, so each page's figures for every tree were
    measured under the same load. Returns the pages, each tree's outputs, each tree's least
    CPU seconds per page, and the parts of that least run."""
    listing = [{"corpus": corpus, "url": url} for corpus, url, _ in pages(stories, only)]
    workers = [Worker(tree, stories, only) for tree in trees]
    try:
        assert all(w.pages == len(listing) for w in workers), "the trees see different pages"
        outputs: list[list[dict]] = [[] for _ in trees]
        best = [[float("inf")] * len(listing) for _ in trees]
        parts: list[list[dict]] = [[{} for _ in listing] for _ in trees]
        for r in range(rounds):
            for i in range(len(listing)):
                order = list(range(len(trees)))
                if (i + r) % 2:
                    order.reverse()
                for t in order:
                    answer = workers[t].extract(i, want=r == 0)
                    if answer["s"] < best[t][i]:
                        best[t][i], parts[t][i] = answer["s"], answer["parts"]
                    if r == 0:
                        outputs[t].append({**listing[i], "output": answer["out"]})
        for t, w in enumerate(workers):
            trees[t] = Path(w.code)
    finally:
        for w in workers:
            w.close()
    return listing, outputs, best, parts


def parts_per_page(listing: list[dict], parts: list[dict], seconds: list[float], site: bool) -> dict[str, float]:
    """{part: CPU ms per page} over the generated site's pages (``site``) or the datasets'."""
    chosen = [(p, s) for entry, p, s in zip(listing, parts, seconds) if (entry["corpus"] == "site") == site]
    if not chosen:
        return {}
    out = {part: sum(p.get(part, 0.0) for p, _ in chosen) * 1e3 / len(chosen) for part in PARTS}
    out["other (between the steps)"] = sum(s - sum(p.values()) for p, s in chosen) * 1e3 / len(chosen)
    return {k: round(v, 3) for k, v in out.items()}


def per_corpus(listing: list[dict], seconds: list[float]) -> dict[str, float]:
    """{corpus: CPU ms per page}, and "datasets (all)"."""
    total: dict[str, list[float]] = {}
    for entry, spent in zip(listing, seconds):
        total.setdefault(entry["corpus"], []).append(spent)
    out = {c: round(sum(v) * 1e3 / len(v), 2) for c, v in total.items()}
    data = [s for c, v in total.items() if c != "site" for s in v]
    if data:
        out["datasets (all)"] = round(sum(data) * 1e3 / len(data), 2)
    return out


def _keyed(entries: list[dict]) -> dict[tuple[str, str, int], dict]:
    """{(corpus, url, n): output}: a set may hold two pages of one URL (n counts them)."""
    out: dict[tuple[str, str, int], dict] = {}
    for entry in entries:
        n = 0
        while (entry["corpus"], entry["url"], n) in out:
            n += 1
        out[entry["corpus"], entry["url"], n] = entry["output"]
    return out


def differences(mine: list[dict], theirs: list[dict]) -> list[str]:
    """One line per page whose output differs (by field), or is missing on one side."""
    lines = []
    ours, other = _keyed(mine), _keyed(theirs)
    for key, a in ours.items():
        if key not in other:
            lines.append(f"{key[0]} {key[1]}: not in the dump")
            continue
        b = other[key]
        if a != b:
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            lines.append(f"{key[0]} {key[1]}: {', '.join(fields)} differ")
    lines += [f"{k[0]} {k[1]}: only in the dump" for k in other if k not in ours]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the pages (each page's least counts)")
    parser.add_argument("--stories", type=int, default=SITE_STORIES, help="generated site stories")
    parser.add_argument("--against", type=Path, help="a tree of another commit's code: both run in lockstep, "
                        "their figures side by side, status 1 if any page's output differs")
    parser.add_argument("--dump", help="write every page's output here (JSON lines)")
    parser.add_argument("--compare", help="compare the outputs with this dump; status 1 if any differs")
    parser.add_argument("--only", default="", help="only these corpora (fundus-eval, naeb-dev, fundus-tests-dev, site)")
    parser.add_argument("--write", action="store_true", help="with --against: the ## Extraction CPU section of RESULTS.md")
    parser.add_argument("--label", help="this tree's name in the table (default: its commit)")
    parser.add_argument("--against-label", help="the other tree's name in the table (default: its path)")
    parser.add_argument("--from-report", help="write the section from the JSON report a run printed")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = tuple(filter(None, args.only.split(",")))
    if args.worker:
        return worker(args.stories, only)
    if args.from_report:  # the section from a run's printed report (no extraction)
        from benchmarks.results import write_section

        report = json.loads(Path(args.from_report).read_text(encoding="utf-8"))
        mine, theirs = report["cpu_ms_per_page"]
        write_section(SECTION, table(report, args.label or mine, args.against_label or theirs))
        return
    load = os.getloadavg()[0]
    trees = [REPO] + ([args.against.resolve()] if args.against else [])
    listing, outputs, best, parts = run(trees, args.rounds, args.stories, only)
    counts: dict[str, int] = {}
    for entry in listing:
        counts[entry["corpus"]] = counts.get(entry["corpus"], 0) + 1
    report = {"load_average_start": round(load, 1), "load_average_end": round(os.getloadavg()[0], 1),
              "rounds": args.rounds, "pages": counts,
              "cpu_ms_per_page": {str(tree): per_corpus(listing, b) for tree, b in zip(trees, best)},
              "parts_ms_per_page": {str(tree): {"site": parts_per_page(listing, p, b, True),
                                                "datasets": parts_per_page(listing, p, b, False)}
                                    for tree, p, b in zip(trees, parts, best)}}
    diff: list[str] = []
    if args.against:
        mine, theirs = report["cpu_ms_per_page"].values()
        report["ratio"] = {c: round(mine[c] / theirs[c], 3) for c in mine if theirs.get(c)}
        diff = differences(outputs[0], outputs[1])
        report["pages_differing"] = len(diff)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for entry in outputs[0]:
                fh.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
    if args.compare:
        theirs = [json.loads(line) for line in Path(args.compare).read_text(encoding="utf-8").splitlines()]
        diff += differences(outputs[0], theirs)
        report["compared_with"] = args.compare
        report["pages_differing"] = len(diff)
    for line in diff:
        print(line, file=sys.stderr)
    if args.write and args.against:
        from benchmarks.results import machine, write_section

        report["machine"] = machine()
        write_section(SECTION, table(report, args.label or _commit(REPO), args.against_label or str(args.against)))
    print(json.dumps(report, indent=1))
    sys.exit(1 if diff else 0)


SECTION = "## Extraction CPU"


def _commit(tree: Path) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    except OSError:
        return str(tree)
    return f"{out.stdout.strip()}" if out.returncode == 0 else str(tree)


def table(report: dict, mine: str, theirs: str) -> str:
    """The ``## Extraction CPU`` section: ms/page per corpus and per part, this tree and the other."""
    (a, ours), (b, other) = report["cpu_ms_per_page"].items()
    pa, pb = report["parts_ms_per_page"][a], report["parts_ms_per_page"][b]
    where = re.sub(r", load average [\d.]+ at the start$", "", report["machine"])  # machine() is taken at the end
    lines = [
        SECTION, "",
        f"`python -m benchmarks.extraction_cpu --against DIR --write`, {where}, load average "
        f"{report['load_average_start']} at the start, {report['load_average_end']} at the end. "
        "`extract_or_reason` in one process per code tree, no Scrapy: the pages of `../shared/datasets` (all "
        "three sets, both halves) and of the generated crawl-benchmark site (`benchmarks/site.py`: home page, "
        "section page, stories spread over a site of 5,000, what the crawl's extraction workers get). Both "
        "trees run in lockstep, page by page, so every page's two figures were measured under the same load; "
        f"a page's figure is its least CPU time (`time.process_time`) of {report['rounds']} "
        f"pass{'es' if report['rounds'] > 1 else ''}, after a "
        f"warm-up pass. **{mine}** against **{theirs}**: pages whose output (every field of the Article, or "
        f"the reason for none) differs: **{report['pages_differing']}** of {sum(report['pages'].values())}.",
        "",
        f"| corpus | pages | {theirs} ms/page | {mine} ms/page | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    counts = dict(report["pages"], **{"datasets (all)": sum(n for c, n in report["pages"].items() if c != "site")})
    for corpus, ms in ours.items():
        lines.append(f"| {corpus} | {counts.get(corpus, '')} | {other[corpus]:.2f} | {ms:.2f} "
                     f"| **{report['ratio'][corpus]:.2f}** |")
    lines += ["", "Where a page's CPU time goes (ms per page; each step of `_extract` timed around its call, "
              "trafilatura inside the body step apart; a step a tree does not have is 0):", "",
              f"| part | site, {theirs} | site, {mine} | datasets, {theirs} | datasets, {mine} |",
              "|---|---:|---:|---:|---:|"]
    for part in pa["site"] or pa["datasets"]:
        cells = [pb["site"].get(part, 0), pa["site"].get(part, 0), pb["datasets"].get(part, 0),
                 pa["datasets"].get(part, 0)]
        lines.append(f"| {part} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
