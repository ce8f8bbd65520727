"""The React Server Components payload ("flight" data) a Next.js App Router page ships.

An App Router page carries its React tree twice: as HTML, and as flight rows that inline
scripts push for the browser, ``self.__next_f.push([1, "<rows>"])``. Each row is
``<hex id>:<value>``: a JSON value (an element is ``["$", type, key, props]``; a string
``"$<id>"`` refers to another row), a text row ``<id>:T<hex byte length>,<text>`` (large
strings, such as the HTML of a story a client component sets as inner HTML), or a row
whose value starts with a capital letter (``I`` a module to import, ``HL`` a hint, ``E``
an error), which carries nothing to read. Since Next.js 15.2 the page's ``<title>`` and
``<meta>`` tags are streamed in the rows to browsers that are not known bots, so the
HTML head may lack them or hold a shortened copy.

This module only reads the format; ``rendered`` decides what of it the page lacks.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

PUSH = "self.__next_f.push("
_ROW_ID = re.compile(rb"[0-9a-fA-F]*")
_REFERENCE = re.compile(r"\$L?([0-9a-f]+)")
# Beyond this many bytes of rows, a page is not read (no page's payload comes close).
_MAX_PAYLOAD = 16_000_000
_decoder = json.JSONDecoder()


def payload(root) -> bytes:
    """The page's flight rows as the browser's stream gets them: the pushed strings of type 1
    (UTF-8) and 3 (base64), in order. Empty for a page that pushes none."""
    chunks: list[bytes] = []
    size = 0
    for script in root.iter("script"):
        text = script.text or ""
        start = text.find(PUSH)
        while start >= 0 and size <= _MAX_PAYLOAD:
            chunk, end = _pushed(text, start + len(PUSH))
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
            start = text.find(PUSH, end)
    return b"".join(chunks) if size <= _MAX_PAYLOAD else b""


def _pushed(text: str, at: int) -> tuple[bytes, int]:
    """The bytes one ``push([kind, data])`` call adds to the stream, and where the call ends."""
    try:
        value, end = _decoder.raw_decode(text, at)
    except ValueError:
        return b"", at
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], str)):
        return b"", end  # [0]: the bootstrap; anything else is not data
    if value[0] == 1:
        return value[1].encode("utf-8", "surrogatepass"), end
    if value[0] == 3:
        try:
            return base64.b64decode(value[1]), end
        except (binascii.Error, ValueError):
            return b"", end
    return b"", end


def rows(data: bytes) -> dict[str, object]:
    """The rows of a flight payload by id: text rows as str, JSON rows parsed; rows that carry
    nothing to read, or do not parse, are left out."""
    out: dict[str, object] = {}
    pos, n = 0, len(data)
    while pos < n:
        match = _ROW_ID.match(data, pos)
        colon = match.end()
        if colon >= n or data[colon:colon + 1] != b":":
            pos = _next_line(data, pos)  # not a row: a torn stream
            continue
        row_id = match.group().decode("ascii").lower()
        if data[colon + 1:colon + 2] == b"T":
            comma = data.find(b",", colon + 2)
            try:
                length = int(data[colon + 2:comma], 16) if comma > 0 else -1
            except ValueError:
                length = -1
            if length < 0:
                pos = _next_line(data, colon)
                continue
            out[row_id] = data[comma + 1:comma + 1 + length].decode("utf-8", "replace")
            pos = comma + 1 + length
            continue
        end = _next_line(data, colon)
        line = data[colon + 1:end].rstrip(b"\n")
        if line[:1].isalpha() and line[:1].isupper():
            pos = end  # a module, a hint, an error, …: nothing to read
            continue
        try:
            out[row_id] = json.loads(line)
        except ValueError:
            pass
        pos = end
    return out


def _next_line(data: bytes, pos: int) -> int:
    end = data.find(b"\n", pos)
    return len(data) if end < 0 else end + 1


def resolve(value, table: dict[str, object]):
    """A ``"$<id>"`` or ``"$L<id>"`` string as the row it refers to; any other value as it is."""
    if isinstance(value, str):
        match = _REFERENCE.fullmatch(value)
        if match and match.group(1) in table:
            return table[match.group(1)]
    return value


def elements(table: dict[str, object], types: frozenset[str]):
    """Each element ``(type, props)`` of one of ``types`` in the JSON rows, in row order."""
    for value in table.values():
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                if len(node) == 4 and node[0] == "$" and node[1] in types and isinstance(node[3], dict):
                    yield node[1], node[3]
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                stack.extend(reversed(list(node.values())))
