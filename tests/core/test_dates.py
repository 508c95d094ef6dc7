import datetime

import pytest

from core.dates import Precision, Qualifier, format_date, parse_date


@pytest.mark.parametrize(
    ("text", "start", "precision", "qualifier", "shown"),
    [
        ("2009", datetime.date(2009, 1, 1), Precision.YEAR, Qualifier.ON, "2009"),
        ("in December 2016", datetime.date(2016, 12, 1), Precision.MONTH, Qualifier.ON, "December 2016"),
        ("Dec 2016", datetime.date(2016, 12, 1), Precision.MONTH, Qualifier.ON, "December 2016"),
        ("25 March 2011", datetime.date(2011, 3, 25), Precision.DAY, Qualifier.ON, "25 March 2011"),
        ("17 April, 2013", datetime.date(2013, 4, 17), Precision.DAY, Qualifier.ON, "17 April 2013"),
        ("since 2009", datetime.date(2009, 1, 1), Precision.YEAR, Qualifier.SINCE, "since 2009"),
        ("c. 2011", datetime.date(2011, 1, 1), Precision.APPROXIMATE, Qualifier.ON, "c. 2011"),
        ("2011-03-25", datetime.date(2011, 3, 25), Precision.DAY, Qualifier.ON, "25 March 2011"),
        ("25.03.2011", datetime.date(2011, 3, 25), Precision.DAY, Qualifier.ON, "25 March 2011"),
    ],
)
def test_dates_are_read_and_shown_with_their_precision(text, start, precision, qualifier, shown):
    parsed = parse_date(text)
    assert (parsed.start, parsed.precision, parsed.qualifier) == (start, precision, qualifier)
    assert format_date(parsed.start, parsed.precision, parsed.qualifier, parsed.end) == shown


def test_between_keeps_both_ends():
    parsed = parse_date("between March 2008 and 2009")
    assert parsed.qualifier == Qualifier.BETWEEN
    assert parsed.end == datetime.date(2009, 1, 1)
    assert format_date(parsed.start, parsed.precision, parsed.qualifier, parsed.end, parsed.end_precision) == (
        "between March 2008 and 2009"
    )


@pytest.mark.parametrize("text", ["", "31 February 2011", "sometime", "13/45/2011", "99999", "between 2012 and 2010"])
def test_impossible_dates_are_refused_in_words(text):
    with pytest.raises(ValueError) as error:
        parse_date(text)
    assert str(error.value)
