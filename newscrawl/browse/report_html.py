"""The crawl report as one static HTML page: inline CSS and SVG, no script, nothing fetched.

It opens from a file, offline, in any browser. Every number carries a
``data-stat`` (or sits in a table with a ``data-table``) so tools and tests can
read it back from the page.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from html import escape

from .report import FIELDS, Report

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d9dde3;padding-bottom:4px}
.meta{color:#5a6272;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#5a6272;font-size:12px}
table{border-collapse:collapse;background:#fff;border:1px solid #d9dde3;width:100%;margin:6px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.url{word-break:break-all}
tr.selected td{background:#fff7d6}
.bar{fill:#3b6fd6}.bar2{fill:#e08a2b}.axis{fill:#5a6272;font-size:10px}
.none{color:#5a6272;font-style:italic}
.warn{color:#a4262c}
svg{background:#fff;border:1px solid #d9dde3;border-radius:6px}
"""


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else escape(str(value))


def _bytes(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    return str(size)


def _card(label: str, key: str, value) -> str:
    return f'<div class="card"><b data-stat="{key}">{_n(value)}</b><span>{escape(label)}</span></div>'


def _table(name: str, head: list[str], rows: list[list], numeric: set[int] = frozenset(), empty: str = "none",
           row_class=None) -> str:
    if not rows:
        return f'<p class="none" data-table="{name}" data-rows="0">{escape(empty)}</p>'
    cells = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>' for i, h in enumerate(head))
    body = []
    for row in rows:
        cls = f' class="{row_class(row)}"' if row_class and row_class(row) else ""
        tds = "".join(f'<td class="{"n" if i in numeric else ("url" if str(v).startswith("http") else "")}">'
                      f'{_n(v) if i in numeric else escape(str(v))}</td>' for i, v in enumerate(row))
        body.append(f"<tr{cls}>{tds}</tr>")
    return (f'<table data-table="{name}" data-rows="{len(rows)}"><thead><tr>{cells}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _hbars(name: str, items: list[tuple[str, int]], label=_n) -> str:
    """Horizontal bars, one per item, with its value."""
    if not items:
        return ""
    top = max(v for _k, v in items) or 1
    height = 22 * len(items) + 8
    rows = []
    for i, (key, value) in enumerate(items):
        y = 4 + 22 * i
        width = max(1.0, 560 * value / top)
        rows.append(f'<text class="axis" x="4" y="{y + 14}">{escape(key[:48])}</text>'
                    f'<rect class="bar" x="300" y="{y + 3}" width="{width:.1f}" height="14"/>'
                    f'<text class="axis" x="{300 + width + 6:.1f}" y="{y + 14}">{escape(label(value))}</text>')
    return (f'<svg role="img" aria-label="{escape(name)}" viewBox="0 0 1000 {height}" width="100%" '
            f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


_STEPS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 6 * 3600, 86400, 7 * 86400]


def _timeline(captures: list[tuple[datetime, str]]) -> str:
    """Captures per time step (at most 60 steps), as columns."""
    if not captures:
        return '<p class="none">no captures</p>'
    first, last = min(c[0] for c in captures), max(c[0] for c in captures)
    span = (last - first).total_seconds()
    step = next((s for s in _STEPS if span / s <= 60), _STEPS[-1])
    buckets = Counter(int((moment - first).total_seconds() // step) for moment, _h in captures)
    count = max(buckets) + 1
    top = max(buckets.values())
    width = 1000 / max(count, 1)
    bars = []
    for i in range(count):
        value = buckets.get(i, 0)
        h = 160 * value / top
        start = first + timedelta(seconds=i * step)
        bars.append(f'<rect class="bar" x="{i * width + 1:.1f}" y="{170 - h:.1f}" width="{max(width - 2, 1):.1f}" '
                    f'height="{h:.1f}"><title>{start:%Y-%m-%d %H:%M:%S} UTC: {value} captures</title></rect>')
    unit = f"{step} s" if step < 60 else (f"{step // 60} min" if step < 3600 else f"{step // 3600} h")
    axis = (f'<text class="axis" x="2" y="188">{first:%Y-%m-%d %H:%M:%S} UTC</text>'
            f'<text class="axis" x="998" y="188" text-anchor="end">{last:%Y-%m-%d %H:%M:%S} UTC</text>'
            f'<text class="axis" x="500" y="188" text-anchor="middle">captures per {unit} (highest: {top})</text>')
    return (f'<svg role="img" aria-label="captures over time" data-step="{step}" viewBox="0 0 1000 196" '
            f'width="100%" height="196" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}{axis}</svg>')


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part})" if whole else "-"


def render(report: Report) -> str:
    s = report.summary
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Crawl report: {escape(report.crawl_id)}</title><style>{_CSS}</style></head><body><main>",
        f'<h1>Crawl <span data-stat="crawl_id">{escape(report.crawl_id)}</span></h1>',
        f'<div class="meta">{escape(report.start)} to {escape(report.end)} · finish reason '
        f'<b data-stat="finish_reason">{escape(report.finish_reason)}</b> · {escape(report.software)}'
        f'<br>manifest: {escape(", ".join(report.manifests))}</div>',
        '<div class="cards">',
        _card("pages archived", "pages", s.get("pages", sum(report.statuses.values()))),
        _card("articles", "articles", report.articles),
        _card("new articles", "new_articles", s.get("new_articles", 0)),
        _card("changed articles", "changed_articles", s.get("changed_articles", 0)),
        _card("revisits", "revisits", s.get("revisits", report.revisit_records)),
        _card("errors", "errors", s.get("errors", 0)),
        _card("WARC files", "files", report.files),
        _card("archived bytes", "bytes", report.bytes),
        "</div>",
    ]
    if report.problems:
        parts.append('<h2 class="warn">Could not be read</h2>')
        parts.append(_table("problems", ["what"], [[p] for p in report.problems]))

    parts.append("<h2>Pages over time</h2>")
    parts.append(_timeline(report.captures))

    parts.append("<h2>Status codes</h2>")
    statuses = sorted(report.statuses.items(), key=lambda kv: kv[0])
    parts.append(_hbars("status codes", statuses))
    parts.append(_table("statuses", ["status", "captures"], [[k, v] for k, v in statuses], {1}))

    parts.append("<h2>Bytes per host</h2>")
    hosts = report.bytes_per_host.most_common()
    parts.append(_hbars("bytes per host", hosts, label=_bytes))
    parts.append(_table("hosts", ["host", "captures", "bytes (WARC records)"],
                        [[h, report.captures_per_host[h], b] for h, b in hosts], {1, 2}))

    parts.append("<h2>Articles per publisher</h2>")
    publishers = report.articles_per_publisher.most_common()
    parts.append(_hbars("articles per publisher", publishers))
    parts.append(_table("publishers", ["publisher", "articles"], [list(p) for p in publishers], {1},
                        empty="no articles"))

    parts.append("<h2>Field coverage</h2>")
    total = Counter()
    for counts in report.coverage.values():
        total.update(counts)
    rows = [[pub, *(_pct(c[f], c["articles"]) for f in FIELDS)] for pub, c in sorted(report.coverage.items())]
    if report.coverage:
        rows.append(["all publishers", *(_pct(total[f], total["articles"]) for f in FIELDS)])
    parts.append(_table("coverage", ["publisher", "title", "date (published)", "authors", "body"], rows,
                        empty="no articles"))

    parts.append("<h2>Declined pages</h2>")
    reasons = report.counters("newscrawl/pages/not_article/")
    if reasons:
        parts.append(_table("decline_counters", ["reason (crawl's counters)", "pages"], sorted(reasons.items()), {1}))
    parts.append(_table("declined", ["URL", "status", "why not an article"],
                        [[d.url, d.status, d.reason] for d in sorted(report.declined, key=lambda d: d.url)],
                        empty="no 2xx page was declined"))
    failed = report.counters("newscrawl/failed/")
    if failed:
        parts.append("<h3>Requests that gave no page</h3>")
        parts.append(_table("failed", ["reason", "requests"], sorted(failed.items()), {1}))

    parts.append("<h2>Seeds that produced nothing</h2>")
    parts.append(_table("empty_seeds", ["start URL", "status of its capture", "articles it led to"],
                        [[x.url, x.status if x.status is not None else "not archived", x.articles]
                         for x in report.empty_seeds], {2},
                        empty=f"every one of the {len(report.seeds)} start URLs led to articles"
                        if report.seeds else "the manifest names no start URLs"))

    parts.append("<h2>Runs in this store: revisits and changes</h2>")
    keys = ["pages", "new_articles", "changed_articles", "changed_pages", "revisits", "bytes", "errors"]
    parts.append(_table("runs", ["crawl", "start", *(k.replace("_", " ") for k in keys)],
                        [[r.crawl_id, r.start, *(int(r.summary.get(k, 0)) for k in keys)] for r in report.runs],
                        set(range(2, 2 + len(keys))),
                        row_class=lambda row: "selected" if row[0] == report.crawl_id else ""))
    parts.append("</main></body></html>")
    return "\n".join(parts)
