"""Jinja filters that format dates, numbers, money and data words per language."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import jinja2

from reqctl.render import i18n

_WEEKDAYS_ZH = "一二三四五六日"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CURRENCY_ZH = {"CNY": "元", "RMB": "元", "EUR": "欧元", "USD": "美元", "GBP": "英镑", "JPY": "日元"}
_MD_CELL = re.compile(r"([\\`*_\[\]<>|])")


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def format_date(value: Any, lang: str, *, weekday: bool = False) -> str:
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    if lang == "zh":
        text = f"{day.year}年{day.month}月{day.day}日"
        return f"{text}（周{_WEEKDAYS_ZH[day.weekday()]}）" if weekday else text
    text = f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.strftime('%a')} {text}" if weekday else text


def format_short_date(value: Any, lang: str) -> str:
    """A date without the year, for chart axes: ``23 Nov``, ``11月23日``."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {_MONTHS_EN[day.month - 1]}"


def format_date_range(since: Any, until: Any, lang: str) -> str:
    """A period: ``2026年11月23日至11月29日`` (both years when it spans two), ``23 Nov – 29 Nov 2026``."""
    start, end = _as_date(since), _as_date(until)
    if start is None or end is None:
        return f"{format_date(since, lang)} – {format_date(until, lang)}"
    if lang == "zh":
        tail = f"{end.month}月{end.day}日" if end.year == start.year else format_date(end, lang)
        return f"{format_date(start, lang)}至{tail}"
    head = f"{start.day} {_MONTHS_EN[start.month - 1]}" if start.year == end.year else format_date(start, lang)
    return f"{head} – {format_date(end, lang)}"


def format_number(value: Any, lang: str, digits: int = 0) -> str:
    if value is None or value == "":
        return "—"
    number = float(value)
    return f"{number:,.{digits}f}"


def format_money(value: Any, currency: str, lang: str) -> str:
    if value is None:
        return "—"
    amount = float(value)
    if lang == "zh":
        unit = _CURRENCY_ZH.get(currency.upper(), currency)
        if abs(amount) >= 10000:
            wan = f"{amount / 10000:,.1f}".removesuffix(".0")
            return f"{wan} 万{unit}"
        return f"{amount:,.0f} {unit}"
    return f"{currency} {amount:,.0f}"


def format_pct(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    return f"{math.floor(float(value))}%"  # rounded down like charts.percent, so every view agrees


def format_days(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    days = int(value)
    if lang == "zh":
        return f"{days} 天"
    return f"{days} day" if abs(days) == 1 else f"{days} days"


def plural(count: Any, noun: str, nouns: str | None = None, lang: str = "en") -> str:
    """``1 change request``, ``9 requirements`` (English plural rules; Chinese has none)."""
    number = 0 if count is None else int(count)
    if lang == "zh":
        return f"{number} {noun}"
    return f"{number} {noun if number == 1 else (nouns or noun + 's')}"


def md_cell(value: Any) -> str:
    """One Markdown table cell: a single line with Markdown/HTML punctuation escaped."""
    flat = " ".join(("" if value is None else str(value)).split())
    return _MD_CELL.sub(r"\\\1", flat)


def md_text(value: Any) -> str:
    """Inline Markdown text: escape what would become markup or raw HTML."""
    return _MD_CELL.sub(r"\\\1", "" if value is None else str(value)).replace("\n", " ")


def join_ids(values: Any, sep: str = ", ") -> str:
    if not values:
        return "—"
    return sep.join(str(v) for v in values)


@jinja2.pass_context
def person(context: Any, value: Any) -> str:
    """A person's name from the ``people:`` directory (the context's ``people`` map), else the value as stored.

    Lists (attendees, deciders) become names joined with commas; files keep e-mails.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(person(context, one) for one in value)
    names = context.get("people") or {}
    text = str(value)
    found = names.get(text.strip().lower()) if isinstance(names, dict) else None
    return str(found) if found else text


def _word_filter(lang: str) -> Callable[..., str]:
    @jinja2.pass_context
    def word(context: Any, value: Any) -> str:
        """A data word; the project's ``display:`` names (the context's ``display`` map) come first."""
        names = context.get("display")
        return i18n.word(value, lang, names if isinstance(names, dict) else None)

    return word


def for_language(lang: str) -> dict[str, Callable[..., Any]]:
    return {
        "date": lambda value, weekday=False: format_date(value, lang, weekday=weekday),
        "number": lambda value, digits=0: format_number(value, lang, digits),
        "money": lambda value, currency="EUR": format_money(value, currency, lang),
        "pct": lambda value: format_pct(value, lang),
        "days": lambda value: format_days(value, lang),
        "plural": lambda count, noun, nouns=None: plural(count, noun, nouns, lang),
        "word": _word_filter(lang),
        "field": lambda key: i18n.field(key, lang),
        "md_cell": md_cell,
        "md_text": md_text,
        "ids": join_ids,
        "person": person,
        "date_range": lambda since, until: format_date_range(since, until, lang),
    }
