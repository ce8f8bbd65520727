"""The article's images: lead image plus captioned figures, with credits split off."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from .document import clean_text, node_text

_CREDIT_LABEL = re.compile(
    r"(?:^|(?<=[\s.,;|–—-]))\(?\s*(?:pictures?|photos?|photograph(?:s|er)?|images?|credits?|"
    r"photo credit|image credit|source|illustration|video)\s*:\s*(?P<credit>[^()]+?)\)?\s*$",
    re.I,
)
_COPYRIGHT = re.compile(r"(?:^|\s)(?:©|\(c\)|copyright\b)\s*(?P<credit>.+?)\s*$", re.I)
_TRAILING_PARENS = re.compile(r"\s*\((?P<credit>[^()]{2,120})\)\s*$")
# A trailing parenthetical is a credit only when it reads like one, not "(left)" or "(file)".
_CREDIT_HINT = re.compile(
    r"/|\bvia\b|\bAP\b|\bAFP\b|\bPA\b|Reuters|Getty|EPA|Shutterstock|Alamy|Bloomberg|"
    r"\bphoto|\bimage|\bpool\b|\bfile\b.*/|\bcourtesy\b|©",
    re.I,
)


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """Split a caption into (caption, credit).

    "China US Blinken. Picture: PA" -> ("China US Blinken.", "PA");
    "... in Beijing (Leah Millis/Pool Photo via AP)" -> ("... in Beijing", "Leah Millis/Pool Photo via AP").
    """
    text = clean_text(text)
    if not text:
        return None, None
    for pattern in (_CREDIT_LABEL, _COPYRIGHT):
        m = pattern.search(text)
        if m:
            caption = text[: m.start()].rstrip(" |–—-,;")
            return caption or None, m["credit"].strip(" .") or None
    m = _TRAILING_PARENS.search(text)
    if m and _CREDIT_HINT.search(m["credit"]):
        return text[: m.start()].rstrip() or None, m["credit"].strip()
    return text, None


def _src(img, base: str) -> str | None:
    for attr in ("src", "data-src", "data-original", "data-lazy-src", "data-url"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return urljoin(base, value)
    srcset = img.get("srcset") or img.get("data-srcset") or ""
    first = srcset.split(",")[0].strip().split(" ")[0]
    return urljoin(base, first) if first else None


def _key(url: str) -> str:
    # The same picture is often linked with different resize parameters.
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}".lower()


_CREDIT_CLASS = re.compile(r"credit|copyright|byline|source|attribution", re.I)


def _figure_caption(figure) -> tuple[str | None, str | None]:
    caption_el = next(iter(figure.iter("figcaption")), None)
    if caption_el is None:
        return None, None
    credit_text = None
    for el in caption_el.iter():
        if el is not caption_el and isinstance(el.tag, str) and _CREDIT_CLASS.search(el.get("class", "")):
            credit_text = node_text(el)
            break
    full = node_text(caption_el)
    if credit_text and full.endswith(credit_text):
        caption = full[: -len(credit_text)].strip()
        caption, extra = split_credit(caption)
        return caption, split_credit(credit_text)[1] or credit_text.strip("() ") or extra
    return split_credit(full)


def _skip(figure) -> bool:
    # Figures in side rails and footers illustrate other stories.
    return any(anc.tag in ("nav", "aside", "footer") for anc in figure.iterancestors())


def extract_images(root, base_url: str, lead: list[dict] | None = None) -> list[dict]:
    """Images as ``{"url", "caption", "credit"}`` dicts: declared lead images, then figures.

    ``lead`` holds images declared in metadata (og:image, JSON-LD); a figure showing the
    same picture lends them its caption instead of being listed twice.
    """
    images: list[dict] = []
    seen: dict[str, dict] = {}
    for item in lead or []:
        url = urljoin(base_url, item["url"]) if item.get("url") else None
        if url and _key(url) not in seen:
            entry = {"url": url, "caption": item.get("caption"), "credit": item.get("credit")}
            seen[_key(url)] = entry
            images.append(entry)
    for figure in root.iter("figure"):
        if _skip(figure):
            continue
        caption, credit = _figure_caption(figure)
        img = next(iter(figure.iter("img")), None)
        if img is None:
            continue
        # uncaptioned figures are mostly teasers and icons
        _add_image(images, seen, _src(img, base_url), caption, credit, need_caption=True)
    for img, caption, credit in _captioned_blocks(root):
        _add_image(images, seen, _src(img, base_url), caption, credit, need_caption=False)
    return images


def _add_image(images: list, seen: dict, url: str | None, caption: str | None, credit: str | None,
               need_caption: bool) -> None:
    """Add an image once; a second sighting only fills in a missing caption or credit."""
    if not url:
        return
    if _key(url) in seen:
        entry = seen[_key(url)]
        entry["caption"] = entry["caption"] or caption
        entry["credit"] = entry["credit"] or credit
        return
    if need_caption and caption is None and credit is None:
        return
    entry = {"url": url, "caption": caption, "credit": credit}
    seen[_key(url)] = entry
    images.append(entry)


_PHOTO_BLOCK = re.compile(r"photo|image|img|picture|pic|caption|media|illustration", re.I)


def _captioned_blocks(root):
    """(img, caption, credit) for pre-<figure> layouts: an image and a short caption in one box."""
    for img in root.iter("img"):
        parent = img.getparent()
        if parent is None or parent.tag in ("a", "picture") or any(
            a.tag in ("figure", "a", "nav", "aside", "footer") for a in img.iterancestors()
        ):
            continue
        if not _PHOTO_BLOCK.search(f"{parent.get('class', '')} {parent.get('id', '')}"):
            continue
        if len(parent.findall(".//img")) != 1 or parent.findall(".//p[2]"):
            continue
        text = node_text(parent)
        if not 3 <= len(text) <= 400:
            continue
        caption, credit = split_credit(text)
        # Caption and credit joined in one run of text ("Harbour at dusk. Photo: X"):
        # the full stop is the joiner, not part of the caption.
        if credit and caption and caption.endswith(".") and not caption.endswith(".."):
            caption = caption[:-1]
        yield img, caption, credit


def _first_url(value) -> str | None:
    """A JSON-LD URL value: a string, or the first string of a list of them."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value if isinstance(value, str) else None


def lead_images(article: dict | None, og_images: list[str]) -> list[dict]:
    """Lead image candidates from JSON-LD ``image`` and og:image, in that order."""
    out: list[dict] = []
    value = (article or {}).get("image")
    values = value if isinstance(value, list) else [value] if value else []
    for v in values[:1]:
        if isinstance(v, str):
            out.append({"url": v, "caption": None, "credit": None})
        elif isinstance(v, dict) and _first_url(v.get("url") or v.get("contentUrl")):
            caption, credit = split_credit(v.get("caption") if isinstance(v.get("caption"), str) else None)
            credit = credit or (v.get("creditText") if isinstance(v.get("creditText"), str) else None)
            out.append({"url": _first_url(v.get("url") or v.get("contentUrl")), "caption": caption, "credit": credit})
    if not out and og_images:
        out.append({"url": og_images[0], "caption": None, "credit": None})
    return out
