"""The page's language as a BCP 47 tag ("en", "en-GB", "zh-Hant-TW")."""

from __future__ import annotations

import re

_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.I)


def normalize_language(value: str | None) -> str | None:
    """Normalise "en_GB", "EN-gb", "en-US,en;q=0.9" to BCP 47 casing; None if not a tag."""
    if not value:
        return None
    value = value.split(",")[0].split(";")[0].strip().replace("_", "-")
    if not _TAG.match(value):
        return None
    parts = value.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())  # script subtag: Hant, Latn
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            out.append(part.upper())  # region: GB, 419
        else:
            out.append(part.lower())
    if out[0] in ("x", "i", "und", "zxx", "mul"):
        return None
    return "-".join(out)


_identifier = None


def detect_language(text: str | None) -> str | None:
    """Guess the language of body text with py3langid (its model ships in the wheel)."""
    global _identifier
    if not text or len(text) < 40:
        return None
    try:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        lang, prob = _identifier.classify(text[:3000])
    except Exception:  # detection is a last resort; never let it fail the page
        return None
    return lang if prob >= 0.5 else None


def choose_language(html_lang: str | None, og_locale: str | None, header: str | None,
                    meta_lang: str | None, text: str | None) -> str | None:
    """Declared language first (html lang, og:locale, Content-Language, meta), else detected.

    A declared region-less tag is refined by a declaration that agrees on the language
    and adds a region ("en" + og:locale "en_GB" -> "en-GB").
    """
    declared = [t for t in (normalize_language(v) for v in (html_lang, og_locale, header, meta_lang)) if t]
    if declared:
        first = declared[0]
        if "-" not in first:
            for other in declared[1:]:
                if other.split("-")[0] == first and "-" in other:
                    return other
        return first
    return detect_language(text)
