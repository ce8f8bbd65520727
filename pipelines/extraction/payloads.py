"""The JSON a page ships for its scripts, decoded: one place for ``embedded`` and ``rendered``.

JSON islands (``<script type="application/json">``, ``text/json``) and Next.js's
``__NEXT_DATA__`` are read as they are. Nuxt's payload (``<script id="__NUXT_DATA__">``, or
marked ``data-nuxt-data``) is written by devalue: one flat array in which every object,
array and string is an entry, and containers hold the indexes of their values; it is read
as the tree it stands for (``unflatten``), so its text sits under its keys as in any JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

#: Characters: a JSON script beyond this is not worth decoding.
MAX_SCRIPT = 8_000_000
_JSON_TYPES = ("application/json", "text/json")
# devalue's wrappers whose value is the second item (Nuxt's reactive state), and its values by type.
_WRAPPERS = frozenset({"Reactive", "ShallowReactive", "Ref", "ShallowRef", "EmptyRef", "EmptyShallowRef",
                       "Object", "NuxtError", "Island"})
_MAX_DEPTH = 200


def json_scripts(root, wanted: Callable[[str], bool]) -> Iterator[tuple[object, int]]:
    """(data, the script's length) for each JSON script of the page whose text ``wanted``
    accepts (a cheap test, run before decoding), in the page's order."""
    for script in root.iter("script"):
        kind = script_kind(script.get("type"))
        if kind not in _JSON_TYPES and script.get("id") != "__NEXT_DATA__":
            continue
        text = script.text or ""
        if len(text) > MAX_SCRIPT or not wanted(text):
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if script.get("id") == "__NUXT_DATA__" or script.get("data-nuxt-data") is not None:
            data = unflatten(data)
        yield data, len(text)


def script_kind(value) -> str:
    """A script's ``type`` without its parameters, lower-cased ("application/json; charset=utf-8"
    is "application/json"); "" for none, or for a value that is not a string."""
    return value.split(";")[0].strip().lower() if isinstance(value, str) else ""


def unflatten(values):
    """The value a devalue payload stands for: entry 0, its indexes replaced by their entries.

    An array whose first item is a string is a typed value (``["Reactive", 3]``, ``["Date",
    "2024-05-01T10:00:00.000Z"]``, ``["Set", 4, 5]``, ``["Map", k, v, …]``); negative indexes are
    undefined, holes and non-finite numbers (None here). A payload that is no such array is
    returned as it is."""
    if not isinstance(values, list) or not values:
        return values
    memo: dict[int, object] = {}

    def get(index, depth: int):
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(values):
            return None
        if index in memo:
            return memo[index]
        if depth > _MAX_DEPTH:
            return None
        value = values[index]
        if isinstance(value, dict):
            out: object = {}
            memo[index] = out  # a cycle comes back to the same object
            out.update((k, get(v, depth + 1)) for k, v in value.items())
            return out
        if isinstance(value, list):
            if value and isinstance(value[0], str):
                tag, rest = value[0], value[1:]
                if tag in _WRAPPERS and rest:
                    out = get(rest[0], depth + 1)
                elif tag == "Set":
                    out = [get(v, depth + 1) for v in rest]
                elif tag == "Map":
                    out = {str(get(k, depth + 1)): get(v, depth + 1) for k, v in zip(rest[::2], rest[1::2])}
                elif tag == "null":  # an object without a prototype: its keys as written, values by index
                    out = {str(k): get(v, depth + 1) for k, v in zip(rest[::2], rest[1::2])}
                else:  # Date, RegExp, BigInt, URL …: the value as written
                    out = rest[0] if rest and isinstance(rest[0], str) else None
            else:
                out = []
                memo[index] = out
                out.extend(get(v, depth + 1) for v in value)
                return out
            memo[index] = out
            return out
        memo[index] = value
        return value

    return get(0, 0)
