"""A data-only serialization for cached parses: JSON with tags for YAML's extra types.

Caches must never be deserialized into arbitrary objects (no pickle): this
codec builds only dicts, lists, strings, numbers, booleans, None, dates,
datetimes, sets and bytes.  Anything else (or anything JSON would change,
such as a tuple or a mapping with integer keys) makes ``dumps`` raise
``TypeError``, and the caller simply does not cache that value.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

_TAG = "\x00"  # starts the one key of a tagged value; a real key like it fails the round trip


def _default(value: Any) -> Any:
    """Tags for the values JSON lacks (called by the C encoder only for those)."""
    if isinstance(value, dt.datetime):
        return {_TAG + "dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG + "d": value.isoformat()}
    if isinstance(value, (set, frozenset)):
        return {_TAG + "s": sorted(value, key=repr)}
    if isinstance(value, bytes):
        return {_TAG + "b": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode_tagged(obj: dict[str, Any]) -> Any:
    if len(obj) != 1:
        return obj
    key, value = next(iter(obj.items()))
    if not key.startswith(_TAG):
        return obj
    tag = key[1:]
    if tag == "d":
        return dt.date.fromisoformat(value)
    if tag == "dt":
        return dt.datetime.fromisoformat(value)
    if tag == "s":
        return set(value)
    if tag == "b":
        return base64.b64decode(value)
    raise ValueError(f"unknown tag {tag!r}")


def dumps(value: Any, *, exact: bool = True) -> str:
    """The encoded value; ``TypeError`` unless ``loads`` gives back exactly ``value``.

    JSON would silently turn tuples into lists and non-string keys into
    strings: the round trip is compared (in C, cheaply) so such values are
    never cached in a changed form.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)
    if exact and loads(text) != value:
        raise TypeError("value does not survive a JSON round trip")
    return text


def loads(text: str | bytes) -> Any:
    return json.loads(text, object_hook=_decode_tagged)
