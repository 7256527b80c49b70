"""A data-only serialization for cached parses: JSON with tags for YAML's extra types.

Caches must never be deserialized into arbitrary objects (no pickle): this
codec builds only dicts, lists, strings, numbers, booleans, None, dates,
datetimes, sets and bytes.  Anything else makes ``dumps`` raise
``TypeError``, and the caller simply does not cache that value.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

_TAG = "\x00"  # a key no YAML mapping in a front matter block can produce from a real file


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith(_TAG) for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {_TAG + "m": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {_TAG + "t": [_encode(item) for item in value]}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return {_TAG + "dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG + "d": value.isoformat()}
    if isinstance(value, (set, frozenset)):
        return {_TAG + "s": [_encode(item) for item in value]}
    if isinstance(value, bytes):
        return {_TAG + "b": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


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
    if tag == "m":
        return {_hashable(k): v for k, v in value}
    if tag == "t":
        return tuple(value)
    if tag == "s":
        return {_hashable(item) for item in value}
    if tag == "b":
        return base64.b64decode(value)
    raise ValueError(f"unknown tag {tag!r}")


def dumps(value: Any) -> str:
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    return json.loads(text, object_hook=_decode_tagged)
