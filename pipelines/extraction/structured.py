"""Machine-readable metadata a page declares about itself.

JSON-LD (including ``@graph`` and nested ``mainEntity``), ``<meta>`` tags (OpenGraph,
``article:*``, Twitter, Dublin Core, plain ``name=``), microdata ``itemprop`` values and
``<link rel=canonical>``. A direct lxml pass: extruct is several times slower and we only
need a handful of keys.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .document import clean_text, node_text, unescape_text

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
    "askpublicnewsarticle", "blogposting", "socialmediaposting", "liveblogposting",
    "scholarlyarticle", "techarticle", "report", "satiricalarticle", "advertisercontentarticle",
}
# Types that say "this URL is an index, not a story".
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "profilepage"}


@dataclass
class Structured:
    """What the page says about itself, before any choice between sources."""

    article: dict[str, Any] | None = None  # the best JSON-LD/microdata article node
    types: set[str] = field(default_factory=set)  # every JSON-LD @type seen, lower-cased
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased key -> values
    itemprops: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None

    def first(self, *keys: str) -> str | None:
        """First non-empty meta value among ``keys``, in the order given."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        """Every non-empty meta value among ``keys``, in order, without duplicates."""
        out: list[str] = []
        for key in keys:
            for value in self.meta.get(key, ()):
                if value and value not in out:
                    out.append(value)
        return out

    @property
    def is_article_type(self) -> bool:
        return bool(self.types & ARTICLE_TYPES)


def extract_structured(tree) -> Structured:
    """Collect JSON-LD, meta tags, microdata and the canonical link from a parsed page."""
    data = Structured()
    nodes: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        for obj in _load_json(script.text or ""):
            _walk(obj, nodes, depth=0)
    for node in nodes:
        data.types.update(_types(node))
    data.article = _best_article(nodes)
    data.meta = _meta(tree)
    data.itemprops = _itemprops(tree)
    data.canonical = _canonical(tree)
    if data.article is None and _microdata_is_article(tree):
        data.article = _microdata_article(data.itemprops)
    return data


def _load_json(text: str) -> list[Any]:
    text = text.strip()
    # CMSs wrap JSON-LD in CDATA or HTML comments, and some leave trailing commas.
    text = re.sub(r"^\s*(<!--|/\*<!\[CDATA\[\*/|//<!\[CDATA\[)", "", text)
    text = re.sub(r"(-->|/\*\]\]>\*/|//\]\]>)\s*$", "", text)
    for candidate in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            obj = json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
        return obj if isinstance(obj, list) else [obj]
    return []


def _walk(obj: Any, out: list[dict], depth: int) -> None:
    """Flatten @graph arrays and mainEntity wrappers into one list of typed nodes."""
    if depth > 6:
        return
    if isinstance(obj, list):
        for item in obj:
            _walk(item, out, depth + 1)
        return
    if not isinstance(obj, dict):
        return
    if "@type" in obj:
        out.append(obj)
    # itemListElement is left out on purpose: a list of stories is not this story.
    for key in ("@graph", "mainEntity", "mainEntityOfPage"):
        if key in obj and isinstance(obj[key], (list, dict)):
            _walk(obj[key], out, depth + 1)


def _types(node: dict) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.split("/")[-1].lower() for v in values if isinstance(v, str)}


def _best_article(nodes: list[dict]) -> dict | None:
    # Listing pages embed many small article nodes; the page's own one is the richest.
    candidates = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    if not candidates:
        return None
    return max(candidates, key=lambda n: (bool(n.get("articleBody")), bool(n.get("headline")), len(n)))


def _meta(tree) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        value = el.get("content")
        if not key or value is None:
            continue
        value = unescape_text(value)
        if value:
            meta.setdefault(key.strip().lower(), []).append(value)
    return meta


def _itemprops(tree) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for el in tree.xpath("//*[@itemprop][not(self::meta)]"):
        value = None
        if el.get("itemscope") is not None:
            # An item (a Person, say) stands for its name, not for its link.
            named = el.xpath('.//*[@itemprop="name"]')
            if named:
                value = named[0].get("content") or node_text(named[0])
        value = value or (
            el.get("datetime") or el.get("content") or el.get("href") or el.get("src")
            or node_text(el)
        )
        value = clean_text(value)
        if value and len(value) < 500:
            for key in el.get("itemprop").split():
                props.setdefault(key.lower(), []).append(value)
    return props


def _microdata_is_article(tree) -> bool:
    for el in tree.xpath("//*[@itemscope][@itemtype]"):
        kind = el.get("itemtype").rstrip("/").split("/")[-1].lower()
        if kind in ARTICLE_TYPES:
            return True
    return False


def _microdata_article(props: dict[str, list[str]]) -> dict:
    keys = ("headline", "datepublished", "datemodified", "description", "articlesection", "keywords")
    node: dict[str, Any] = {"@type": "Article"}
    for key in keys:
        if props.get(key):
            node[{"datepublished": "datePublished", "datemodified": "dateModified",
                  "articlesection": "articleSection"}.get(key, key)] = props[key][0]
    if props.get("author"):
        node["author"] = props["author"]
    return node


def _canonical(tree) -> str | None:
    for el in tree.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and el.get("href"):
            return el.get("href").strip()
    return None


def jsonld_text(value: Any) -> str | None:
    """A JSON-LD value as one string: ``{"name": x}`` and ``[x, ...]`` reduced to x."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("@id")
    if isinstance(value, (int, float)):
        value = str(value)
    return unescape_text(value) if isinstance(value, str) and value.strip() else None


def jsonld_list(value: Any) -> list[str]:
    """A JSON-LD value as a list of strings (names of objects, items of arrays)."""
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        text = jsonld_text(v)
        if text and text not in out:
            out.append(text)
    return out
