"""Extraction on stripped markup: how much of each system's result rests on what a page names.

A publisher we have never seen names its markup its own way, or not at all: hashed class
names (CSS modules, styled-components, Tailwind builds), no microdata, no ``rel=author``, no
HTML5 sectioning (older CMSs that lay out everything in ``<div>``s). The extraction benchmark
scores pages as published; this one scores the same pages with those names taken away, the
same stripped page going to both systems:

- **names hashed**: every ``class`` and ``id`` value is replaced by a hash of itself (the
  page's structure stays: elements that shared a class still do), and ``data-*``,
  ``aria-*``, ``role``, ``rel``, ``itemprop``, ``itemscope`` and ``itemtype`` are removed.
  Harsher than any real page: third-party embeds lose their names too (a tweet's
  ``twitter-tweet``).
- **sectioning as div**: ``article``, ``main``, ``section``, ``header``, ``footer``, ``nav``,
  ``aside``, ``figure`` and ``figcaption`` become ``<div>``, ``<time>`` becomes ``<span>``.
- **both**: the two above; the text, the ``<head>`` metadata and the scripts (JSON-LD)
  stay as they are in all three.
- **no metadata**: no JSON-LD or other JSON script, no ``<meta>`` but the charset, no
  microdata: only what the page shows, and its ``<title>``, as many small publishers' pages
  and most pages in old archives come. Classes, ids and sectioning stay.

A rule fitted to one publisher's vocabulary shows here as a lead over trafilatura that is
gone once the names are; a decision that leans on declarations, as pages declined once the
metadata is gone. ``python -m benchmarks.stripped`` runs it alone; ``python -m benchmarks``
runs it with the others and writes its table into RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import replace

import lxml.html

from benchmarks import extraction
from benchmarks.extraction import HALVES, LOADERS, SYSTEMS, Case, score

SECTION = "## Extraction on stripped markup"

_NAMED = ("class", "id")
_DROPPED = ("rel", "role", "itemprop", "itemscope", "itemtype", "itemref", "itemid")
SECTIONING = ("article", "main", "section", "header", "footer", "nav", "aside", "figure", "figcaption")
_META_CHARSET = re.compile(r"(?i)<meta\b[^>]*\bcharset\s*=[^>]*>")


def _hash(name: str) -> str:
    return "n" + hashlib.blake2s(name.encode("utf-8"), digest_size=4).hexdigest()


def strip_names(root) -> None:
    """Hash every class and id, and drop the attributes that name what an element is."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in list(el.attrib):
            if attr in _NAMED:
                el.set(attr, " ".join(map(_hash, el.get(attr).split())))
            elif attr in _DROPPED or attr.startswith(("data-", "aria-")):
                del el.attrib[attr]


def strip_sectioning(root) -> None:
    """HTML5 sectioning elements become ``<div>``, ``<time>`` a ``<span>``."""
    for el in root.iter(*SECTIONING, "time"):
        el.tag = "span" if el.tag == "time" else "div"


def strip_metadata(root) -> None:
    """No JSON-LD, no ``<meta>`` but the charset, no microdata: only what the page shows (and its ``<title>``)."""
    for el in list(root.iter("script", "meta")):
        kind = (el.get("type") or "").lower()
        if el.tag == "meta" and (el.get("charset") or (el.get("http-equiv") or "").lower() == "content-type"):
            continue
        if el.tag == "meta" or "json" in kind:
            el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str):
            for attr in ("itemprop", "itemscope", "itemtype"):
                el.attrib.pop(attr, None)


VARIANTS = {
    "as published": (),
    "names hashed": (strip_names,),
    "sectioning as div": (strip_sectioning,),
    "both": (strip_names, strip_sectioning),
    "no metadata": (strip_metadata,),
}


def stripped(case: Case, steps) -> Case:
    """The case with its page put through ``steps``, re-serialised as UTF-8 (its labels unchanged)."""
    if not steps:
        return case
    from pipelines.extraction import decode_html

    root = lxml.html.document_fromstring(decode_html(extraction._page(case)))
    for step in steps:
        step(root)
    html = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    html = _META_CHARSET.sub("", html).replace("<head>", '<head><meta charset="utf-8">', 1)
    return replace(case, html=html.encode("utf-8"))


def run(datasets: tuple[str, ...] = tuple(LOADERS), limit: int | None = None) -> dict:
    """{set: {half: {variant: {system: score}}}}, every variant of every page scored the same way."""
    results: dict = {}
    for name in datasets:
        cases = LOADERS[name]()
        if limit:
            cases = [c for half in HALVES for c in [c for c in cases if c.half == half][:limit]]
        results[name] = {half: {} for half in HALVES}
        for variant, steps in VARIANTS.items():
            pages = [stripped(c, steps) for c in cases]
            outputs = {key: [system(p) for p in pages] for key, system in SYSTEMS.items()}
            for half in HALVES:
                index = [i for i, c in enumerate(cases) if c.half == half]
                if not index:
                    continue
                half_cases = [cases[i] for i in index]  # the labels of the page as published
                results[name][half][variant] = {"pages": len(index)} | {
                    key: score(half_cases, [outs[i] for i in index], labels=[], title_labels=[], author_labels=[])
                    for key, outs in outputs.items()}
    return results


def table(results: dict) -> str:
    from benchmarks.results import machine

    lines = [
        SECTION, "",
        f"`python -m benchmarks.stripped` on {machine()}. The pages of the extraction benchmark with the "
        "names their markup gives its parts taken away (see the module): *names hashed*, every class and id "
        "hashed and microdata, `rel`, `role`, `data-*` and `aria-*` removed; *sectioning as div*, HTML5 "
        "sectioning elements and `<time>` made plain; *both*; *no metadata*, no JSON-LD, `<meta>` or microdata "
        "(only what the page shows, and its `<title>`). Both systems get the same stripped page and are "
        "scored against the labels of the page as published. Cells: newscrawl / trafilatura.",
        "",
        "| set | half | markup | pages | body F1 | margin | title | date | authors | declined |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for half in ("check", "tune"):
        for name, entry in results.items():
            for variant, e in entry.get(half, {}).items():
                ours, base = e["newscrawl"], e["trafilatura"]
                pair = (lambda k: f"{ours[k]:.3f} / {base[k]:.3f}" if k in ours else "–")
                lines.append(
                    f"| {name} | {half} | {variant} | {e['pages']} | {pair('f1')} | {ours['f1'] - base['f1']:+.3f} "
                    f"| {pair('title')} | {pair('date')} | {pair('authors')} "
                    f"| {ours['declined']} / {base['declined']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=list(LOADERS), help="dataset(s); default all")
    parser.add_argument("--limit", type=int, help="the first pages of each half only")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args()
    results = run(tuple(args.set or LOADERS), limit=args.limit)
    text = table(results)
    print(text)
    if not (args.no_write or args.set or args.limit):
        from benchmarks.results import write_section

        write_section(SECTION, text)


if __name__ == "__main__":
    main()
