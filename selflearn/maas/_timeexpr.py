"""Resolve time expressions in a query ("yesterday", "last month", "in May 2023") to a range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["DateRange", "find_time_range", "month_range"]

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a few": 3, "several": 3,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_NUM = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("day_month_year", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
        ("month_day_year", rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
        ("month_year", rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
        ("iso_date", r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})\b"),
        ("day_before_yesterday", r"\bthe\s+day\s+before\s+yesterday\b"),
        ("yesterday", r"\byesterday\b|\blast\s+night\b"),
        ("today", r"\btoday\b|\btonight\b|\bthis\s+(?:morning|afternoon|evening)\b"),
        ("ago", rf"\b{_NUM}\s+{_UNIT}\s+ago\b"),
        ("past_n", rf"\b(?:past|last)\s+{_NUM}\s+{_UNIT}\b"),
        ("last_weekend", r"\blast\s+weekend\b"),
        ("this_weekend", r"\bthis\s+weekend\b"),
        ("last_weekday", r"\blast\s+(?P<weekday>" + "|".join(WEEKDAYS) + r")\b"),
        ("last_unit", r"\b(?:last|past|previous)\s+(?P<unit>week|month|year)\b"),
        ("this_unit", r"\bthis\s+(?P<unit>week|month|year)\b"),
        ("in_month", rf"\b(?:in|during|since|of|on)\s+{_MONTH}\b"),
        ("in_year", r"\b(?:in|during|since|of)\s+(?:the\s+year\s+)?(?P<year>(?:19|20)\d{2})\b"),
        ("recently", r"\b(?:recently|lately|these\s+days)\b"),
    )
)


@dataclass(frozen=True)
class DateRange:
    """A half-open time range [start, end) resolved from the words in `phrase`."""

    start: datetime
    end: datetime
    phrase: str

    def contains(self, moment: datetime) -> bool:
        """Return whether `moment` falls inside the range."""
        return self.start <= moment < self.end


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def month_range(year: int, month: int, tz: object = UTC) -> tuple[datetime, datetime]:
    """Return the first instant of a calendar month and of the month after it."""
    start = datetime(year, month, 1, tzinfo=tz)  # type: ignore[arg-type]
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)  # type: ignore[arg-type]
    return start, end


def _shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _count(raw: str) -> int:
    raw = raw.lower()
    return int(raw) if raw.isdigit() else _NUMBERS[re.sub(r"\s+", " ", raw)]


def _resolve(kind: str, match: re.Match[str], now: datetime) -> tuple[datetime, datetime] | None:
    tz = now.tzinfo
    today = _day(now)
    groups = match.groupdict()
    if kind in ("day_month_year", "month_day_year", "iso_date"):
        month = int(groups["mon"]) if kind == "iso_date" else MONTHS[groups["month"].lower()]
        try:
            start = datetime(int(groups["year"]), month, int(groups["day"]), tzinfo=tz)
        except ValueError:
            return None
        return start, start + timedelta(days=1)
    if kind == "month_year":
        return month_range(int(groups["year"]), MONTHS[groups["month"].lower()], tz)
    if kind == "in_month":
        if groups["month"].lower() == "may" and not match.group(0).split()[-1].startswith("M"):
            return None  # "may" in lower case is the verb, not the month
        month = MONTHS[groups["month"].lower()]
        year = now.year if month <= now.month else now.year - 1
        return month_range(year, month, tz)
    if kind == "in_year":
        year = int(groups["year"])
        return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    if kind == "yesterday":
        return today - timedelta(days=1), today
    if kind == "day_before_yesterday":
        return today - timedelta(days=2), today - timedelta(days=1)
    if kind == "today":
        return today, today + timedelta(days=1)
    if kind == "recently":
        return today - timedelta(days=30), today + timedelta(days=1)
    if kind in ("ago", "past_n"):
        n, unit = _count(groups["n"]), groups["unit"].lower()
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
        if kind == "past_n":
            return today - timedelta(days=days), today + timedelta(days=1)
        if unit == "month":
            return month_range(*_shift_months(now.year, now.month, -n), tz)
        if unit == "year":
            year = now.year - n
            return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
        centre = today - timedelta(days=days)
        half = timedelta(days=0 if unit == "day" else 3)
        return centre - half, centre + half + timedelta(days=1)
    if kind in ("last_weekend", "this_weekend"):
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        if kind == "last_weekend" and saturday + timedelta(days=2) > today:
            saturday -= timedelta(days=7)
        return saturday, saturday + timedelta(days=2)
    if kind == "last_weekday":
        target = WEEKDAYS.index(groups["weekday"].lower())
        back = (today.weekday() - target) % 7 or 7
        day = today - timedelta(days=back)
        return day, day + timedelta(days=1)
    unit = groups["unit"].lower()
    if kind == "last_unit":
        if unit == "week":
            return today - timedelta(days=7), today
        if unit == "month":
            return month_range(*_shift_months(now.year, now.month, -1), tz)
        return datetime(now.year - 1, 1, 1, tzinfo=tz), datetime(now.year, 1, 1, tzinfo=tz)
    # this week / month / year: from its start up to the end of today
    if unit == "week":
        return today - timedelta(days=today.weekday()), today + timedelta(days=1)
    if unit == "month":
        return month_range(now.year, now.month, tz)[0], today + timedelta(days=1)
    return datetime(now.year, 1, 1, tzinfo=tz), today + timedelta(days=1)


def find_time_range(text: str, now: datetime) -> tuple[DateRange | None, tuple[int, int] | None]:
    """Return the first time expression of `text` resolved against `now`, and its span."""
    # Patterns are listed most specific first: "in May 2023" is a month of 2023, not "in May".
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            resolved = _resolve(kind, match, now)
            if resolved is not None:
                return DateRange(*resolved, match.group(0)), match.span()
    return None, None
