"""Per-site rules: CSS or XPath selectors that override the generic extraction, per field.

Rules come from the ``EXTRACTION_SITE_RULES`` setting, a mapping from host to rule::

    EXTRACTION_SITE_RULES = {
        "news.example.com": {
            "version": 2,                               # bump on every change
            "title": "h1.headline",                     # CSS by default
            "body": "xpath://div[@itemprop='articleBody']",
            "authors": "css:.byline a.author",          # every match is one byline
            "published": "time.published::attr(datetime)",
            "remove": [".newsletter-box", "div.related"],  # pruned before the generic body
        },
    }

A host rule also covers its subdomains ("example.com" covers "www.example.com"); the
most specific host wins. Fields are ``title``, ``body``, ``authors``, ``published``,
``modified``, ``section``, ``summary``; ``remove`` lists selectors for blocks to drop
before the generic body extraction runs. A field whose selector matches nothing falls
back to the generic value. The host and version of an applied rule are recorded in
``Article.extractor_version`` so a replay can tell which rules produced an item.

The generic path never depends on rules: they are for sites the crawler is configured
for, and nothing here knows any site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from .document import clean_text, drop_keeping_tail, node_text

FIELDS = ("title", "body", "authors", "published", "modified", "section", "summary")
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")


class RuleError(ValueError):
    """A site rule that cannot be used (bad selector, unknown field, missing version)."""


@dataclass(frozen=True)
class Selector:
    """One checked selector as an XPath expression; ``attr`` reads an attribute instead of
    the text. Evaluated with ``root.xpath`` on each call: compiled XPath objects must not
    be shared between the extraction threads."""

    source: str
    xpath: str
    attr: str | None = None

    def find(self, root):
        return root.xpath(self.xpath)

    def elements(self, root) -> list:
        try:
            found = self.find(root)
        except (etree.XPathError, ValueError):
            return []
        return [el for el in found if isinstance(getattr(el, "tag", None), str)] if isinstance(found, list) else []

    def texts(self, root) -> list[str]:
        """Matched values: attribute values, text results of XPath, or element text."""
        try:
            found = self.find(root)
        except (etree.XPathError, ValueError):
            return []
        if not isinstance(found, list):
            found = [found]
        out = []
        for item in found:
            if isinstance(item, str):
                value = item
            elif self.attr is not None:
                value = item.get(self.attr) or ""
            else:
                value = node_text(item)
            value = clean_text(value)
            if value:
                out.append(value)
        return out


@dataclass(frozen=True)
class SiteRule:
    """The compiled rule of one host."""

    host: str
    version: str
    fields: dict[str, Selector] = field(default_factory=dict)
    remove: tuple[Selector, ...] = ()

    @property
    def tag(self) -> str:
        return f"rules:{self.host}@{self.version}"


def compile_selector(spec: str) -> Selector:
    """``"css:…"``, ``"xpath:…"``, or a bare CSS selector (an XPath if it starts with "/" or "(")."""
    if not isinstance(spec, str) or not spec.strip():
        raise RuleError(f"selector must be a non-empty string: {spec!r}")
    spec = spec.strip()
    kind, _, expr = spec.partition(":")
    if kind not in ("css", "xpath"):
        kind, expr = ("xpath" if spec.startswith(("/", "(")) else "css"), spec
    expr = expr.strip()
    attr = None
    try:
        if kind == "css":
            m = re.search(r"::attr\(([\w:-]+)\)$", expr)
            if m:
                expr, attr = expr[: m.start()], m.group(1)
            expr = CSSSelector(expr).path
        etree.XPath(expr)  # check it compiles; it is evaluated per call
        return Selector(spec, expr, attr)
    except Exception as err:  # cssselect and lxml raise their own syntax error types
        raise RuleError(f"bad selector {spec!r}: {err}") from None


def compile_rule(host: str, spec: Mapping[str, Any]) -> SiteRule:
    if not isinstance(spec, Mapping):
        raise RuleError(f"rule for {host!r} must be a mapping")
    if "version" not in spec:
        raise RuleError(f"rule for {host!r} needs a version (recorded with every article)")
    unknown = set(spec) - set(FIELDS) - {"version", "remove"}
    if unknown:
        raise RuleError(f"rule for {host!r} has unknown keys: {sorted(unknown)}")
    remove = spec.get("remove") or ()
    if isinstance(remove, str):
        remove = (remove,)
    return SiteRule(
        host=host.lower().strip("."),
        version=f"v{spec['version']}",
        fields={name: compile_selector(spec[name]) for name in FIELDS if spec.get(name)},
        remove=tuple(compile_selector(s) for s in remove),
    )


class SiteRules:
    """Compiled rules for many hosts; ``for_url`` finds the one that applies.

    Pickles as its setting value (compiled selectors cannot be pickled), so it can be
    handed to extraction worker processes.
    """

    def __init__(self, mapping: Mapping[str, Mapping[str, Any]] | None = None):
        self.mapping = {host: dict(spec) for host, spec in (mapping or {}).items()}
        self.by_host = {r.host: r for r in (compile_rule(h, s) for h, s in self.mapping.items())}

    def __reduce__(self):
        return SiteRules, (self.mapping,)

    def __bool__(self) -> bool:
        return bool(self.by_host)

    def for_url(self, url: str) -> SiteRule | None:
        host = (urlsplit(url or "").hostname or "").lower()
        while host:
            if host in self.by_host:
                return self.by_host[host]
            host = host.partition(".")[2]
        return None


_compiled: dict[str, SiteRules] = {}


def as_site_rules(rules: SiteRules | Mapping | None) -> SiteRules | None:
    """Accept the raw setting or an already compiled SiteRules.

    Raw settings are compiled once per distinct value and kept (a crawl has one).
    """
    if rules is None or isinstance(rules, SiteRules):
        return rules or None
    if not rules:
        return None
    key = json.dumps(rules, sort_keys=True, default=str)
    if key not in _compiled:
        if len(_compiled) > 16:
            _compiled.clear()
        _compiled[key] = SiteRules(rules)
    return _compiled[key] or None


def remove_blocks(root, rule: SiteRule) -> None:
    """Drop the rule's ``remove`` blocks from the tree, in place (tails are kept)."""
    for selector in rule.remove:
        for el in selector.elements(root):
            drop_keeping_tail(el)


def body_paragraphs(root, selector: Selector) -> list[str]:
    """Paragraphs of the elements a body selector matches: their block children, else their text."""
    out: list[str] = []
    for el in selector.elements(root):
        blocks = [b for b in el.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in b.iterancestors())]
        texts = [node_text(b) for b in blocks] if blocks else [node_text(el)]
        out.extend(t for t in texts if t and t not in out)
    return out
