"""One spreadsheet cell → one field value: the parser the tabular import runs on every cell.

A cell arrives as openpyxl gives it (text, a number, a date or datetime, a
boolean, None) or, from CSV, always as text.  The parser turns it into the
value the field holds in front matter, or raises ``CellError`` with a
sentence for the user.  It is the inverse of ``exporting.columns.cell_text``:
``parse(cell_text(v))`` has the same text form as ``v``, which is how an
import tells a changed cell from an unchanged one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from reqctl.exporting.columns import DATE_FIELDS as DATE_FIELD_NAMES
from reqctl.exporting.columns import LINE_LISTS, int_fields, json_fields, list_fields
from reqctl.messages import lazy
from reqctl.model.ids import ID_RE, Kind

_SPLIT_ITEMS = re.compile(r"[,;\n]")
_INT = re.compile(r"-?(?:0|[1-9]\d*)")
_FLOAT = re.compile(r"-?(?:0|[1-9]\d*)\.\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CellError(ValueError):
    """A cell whose content does not fit its field; the message is shown with row and column."""


def _text(value: Any) -> str:
    """The text of a cell; a whole float (Excel stores 3 as 3.0) loses its '.0'."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError(lazy("'{value}' is not a date: it has a time of day", value=value.isoformat(sep=" ")))
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise CellError(lazy("'{value}' is not a date (expected YYYY-MM-DD)", value=text))


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(lazy("'{value}' is not a whole number", value=_text(value)))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).strip()
    if _INT.fullmatch(text):
        return int(text)
    raise CellError(lazy("'{value}' is not a whole number", value=text))


def parse_list(kind: Kind, field: str, value: Any) -> list[str]:
    """Several values in one cell: one per line for acceptance criteria, else separated by ',' ';' or lines."""
    text = _text(value)
    parts = text.split("\n") if field in LINE_LISTS else _SPLIT_ITEMS.split(text)
    items = [part.strip() for part in parts if part.strip()]
    if field in _reference_fields(kind):
        items = [item.upper() if ID_RE.match(item.upper()) else item for item in items]
    return items


def _reference_fields(kind: Kind) -> frozenset[str]:
    from reqctl.model.items import MODELS

    return frozenset(MODELS[kind].reference_fields())


def parse_custom(value: Any) -> Any:
    """A column no reqctl field takes: numbers, dates and booleans keep their type, the rest is text.

    From CSV everything is text, so only unambiguous forms are typed: ``12``
    (not ``012``), ``1.5``, ``2026-03-01``, ``true``/``false``.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return value  # 3.0 stays 3.0: openpyxl reads back the float it wrote
    if isinstance(value, int):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        return parse_date(value) if not isinstance(value, dt.datetime) or value.time() == dt.time() else value
    text = _text(value)  # not stripped: ' 12' is text, kept as written
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and repr(float(text)) == text:
        return float(text)
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if text in ("true", "false"):
        return text == "true"
    return text


def _dates(value: Any) -> Any:
    """JSON has no dates: 'reqctl export' wrote a date (a meeting action's ``due``) as ISO text; make it one again."""
    if isinstance(value, dict):
        return {key: _dates(sub) for key, sub in value.items()}
    if isinstance(value, list):
        return [_dates(sub) for sub in value]
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def parse_cell(kind: Kind, field: str, value: Any, *, custom: bool = False) -> Any:
    """The front-matter value of ``field`` for this cell; None for an empty cell."""
    if empty(value):
        return None
    if custom:
        return parse_custom(value)
    if field == "body":
        return _text(value).strip("\n").rstrip()
    if field in DATE_FIELD_NAMES:
        return parse_date(value)
    if field in int_fields(kind):
        return parse_int(value)
    if field in list_fields(kind):
        return parse_list(kind, field, value) or None
    if field in json_fields(kind):
        try:
            return _dates(json.loads(_text(value)))
        except ValueError:
            raise CellError(
                lazy("'{value}' is not JSON (as 'reqctl export' writes it)", value=_text(value)[:40])
            ) from None
    return _text(value).strip()
