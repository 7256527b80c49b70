"""ISO calendar weeks (``2026-W48``, Monday to Sunday): the weekly report's period and its note's name.

A PM reports per calendar week, so ``--week`` takes the ISO 8601 form and the
default period is the week that contains today (the report a PM sends on
Friday covers the week it is sent in). Parsing is strict: a week that does
not exist in its year (``2027-W53``) is an error, not the next year's first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from reqctl.errors import UsageError
from reqctl.messages import lazy

_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{1,2})")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO week: ``year`` is the ISO week-numbering year (2026-W53 ends on 3 Jan 2027)."""

    year: int
    week: int

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def next(self) -> IsoWeek:
        return week_of(self.monday + dt.timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def week_of(day: dt.date) -> IsoWeek:
    """The ISO week a day falls in."""
    year, week, _ = day.isocalendar()
    return IsoWeek(year, week)


def weeks_in(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return dt.date(year, 12, 28).isocalendar()[1]


def parse_week(text: str, option: str = "--week") -> IsoWeek:
    """``2026-W48`` (also ``2026W48``, ``2026-w48``) -> IsoWeek; anything else is one clear UsageError."""
    match = _WEEK.fullmatch(text.strip())
    if match is None:
        raise UsageError(lazy("{option} {text}: not an ISO week; use YYYY-Www, e.g. 2026-W48",
                              option=option, text=text))
    year, week = int(match.group(1)), int(match.group(2))
    if not 1 <= year <= 9998:
        raise UsageError(lazy("{option} {text}: the year must be from 0001 to 9998", option=option, text=text))
    last = weeks_in(year)
    if not 1 <= week <= last:
        raise UsageError(lazy("{option} {text}: {year} has weeks W01 to W{last}", option=option, text=text,
                              year=f"{year:04d}", last=last))
    return IsoWeek(year, week)
