"""Dates as the sources give them: "2009", "in December 2016", "25 March 2011", "since 2009", "c. 2011".

A vague date is stored as the first day it could mean plus its precision, never rounded into a
false day; a qualifier says whether the fact happened on, before, after, since or between dates.
"""

import calendar
import datetime
import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    APPROXIMATE = "approx", _("Approximate (circa)")
    UNKNOWN = "unknown", _("Unknown")


class Qualifier(models.TextChoices):
    ON = "on", _("On")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    SINCE = "since", _("Since")
    BETWEEN = "between", _("Between")


MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9


def truncate(value, precision):
    """The first day a vague date can mean: 2016-12-17 at month precision is 2016-12-01."""
    if value is None:
        return None
    if precision == Precision.MONTH:
        return value.replace(day=1)
    if precision in (Precision.YEAR, Precision.APPROXIMATE):
        return value.replace(month=1, day=1)
    return value


def last_day(value, precision):
    """The last day a vague date can mean, for range filters."""
    if value is None:
        return None
    if precision == Precision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    if precision in (Precision.YEAR, Precision.APPROXIMATE):
        return value.replace(month=12, day=31)
    return value


def format_single(value, precision):
    if value is None or precision == Precision.UNKNOWN:
        return "date unknown"
    if precision == Precision.DAY:
        return f"{value.day} {calendar.month_name[value.month]} {value.year}"
    if precision == Precision.MONTH:
        return f"{calendar.month_name[value.month]} {value.year}"
    if precision == Precision.YEAR:
        return str(value.year)
    return f"c. {value.year}"


def format_date(start, precision, qualifier=Qualifier.ON, end=None, end_precision=None):
    """Human wording that keeps the precision: "December 2016", "c. 2009", "since 2009",
    "between March 2008 and 2009"."""
    text = format_single(start, precision)
    if start is None or precision == Precision.UNKNOWN:
        return text
    if qualifier == Qualifier.BEFORE:
        return f"before {text}"
    if qualifier == Qualifier.AFTER:
        return f"after {text}"
    if qualifier == Qualifier.SINCE:
        return f"since {text}"
    if qualifier == Qualifier.BETWEEN and end is not None:
        return f"between {text} and {format_single(end, end_precision or precision)}"
    return text


class ParsedDate(tuple):
    __slots__ = ()

    def __new__(cls, start, precision, qualifier=Qualifier.ON, end=None, end_precision=None):
        return super().__new__(cls, (start, precision, qualifier, end, end_precision or precision))

    start = property(lambda self: self[0])
    precision = property(lambda self: self[1])
    qualifier = property(lambda self: self[2])
    end = property(lambda self: self[3])
    end_precision = property(lambda self: self[4])


_CIRCA = re.compile(r"^(c\.|ca\.?|circa|about|around|approx\.?|approximately|~)\s*", re.I)
_QUALIFIERS = {"before": Qualifier.BEFORE, "after": Qualifier.AFTER, "since": Qualifier.SINCE}


def parse_date(text):
    """Read a date written as a person would: "2009", "Dec 2016", "December 2016", "25 March 2011",
    "2011-03-25", "c. 2011", "since 2009", "before 2013", "between 2008 and 2009".
    Raises ValueError with a sentence a researcher understands."""
    original = text
    text = " ".join((text or "").replace("\u00a0", " ").split()).strip().rstrip(".")
    if not text:
        raise ValueError("Enter a date, for example 2009, December 2016 or 25 March 2011.")
    lowered = text.lower()
    between = re.match(r"^between\s+(.+?)\s+and\s+(.+)$", lowered)
    if between:
        first, second = parse_date(between.group(1)), parse_date(between.group(2))
        if first.start > second.start:
            raise ValueError(f"“{original}”: the first date must come before the second.")
        return ParsedDate(first.start, first.precision, Qualifier.BETWEEN, second.start, second.precision)
    qualifier = Qualifier.ON
    first_word = lowered.split(" ", 1)[0]
    if first_word in _QUALIFIERS and " " in lowered:
        qualifier = _QUALIFIERS[first_word]
        lowered = lowered.split(" ", 1)[1]
    if lowered.startswith("in "):
        lowered = lowered[3:]
    circa = _CIRCA.match(lowered)
    if circa:
        lowered = lowered[circa.end():]
    try:
        start, precision = _parse_plain(lowered)
    except ValueError as error:
        raise ValueError(f"“{original}” is not a date we can read: {error}") from None
    if circa:
        precision = Precision.APPROXIMATE
        start = start.replace(month=1, day=1)
    return ParsedDate(start, precision, qualifier)


def _parse_plain(text):
    text = text.replace(",", " ").replace("  ", " ").strip()
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(_year(text), 1, 1), Precision.YEAR
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _day(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), Precision.DAY
    iso_month = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if iso_month:
        return _day(int(iso_month.group(1)), int(iso_month.group(2)), 1), Precision.MONTH
    dotted = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    if dotted:  # European order, as the seeds' courts write it: 25.03.2011
        return _day(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1))), Precision.DAY
    words = text.split()
    if len(words) == 2 and words[0].rstrip(".") in MONTHS and re.fullmatch(r"\d{4}", words[1]):
        return _day(_year(words[1]), MONTHS[words[0].rstrip(".")], 1), Precision.MONTH
    if len(words) == 3:
        day, month, year = words
        if month.rstrip(".") not in MONTHS and day.rstrip(".") in MONTHS:  # "March 25 2011"
            day, month = month, day
        day = re.sub(r"(st|nd|rd|th)$", "", day)
        if day.isdigit() and month.rstrip(".") in MONTHS and re.fullmatch(r"\d{4}", year):
            return _day(_year(year), MONTHS[month.rstrip(".")], int(day)), Precision.DAY
    raise ValueError("write it like 2009, December 2016, 25 March 2011 or c. 2011")


def _year(text):
    year = int(text)
    if not 1800 <= year <= 2200:
        raise ValueError(f"the year {year} is out of range")
    return year


def _day(year, month, day):
    _year(str(year))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"there is no such day ({day:02d}.{month:02d}.{year})") from None
