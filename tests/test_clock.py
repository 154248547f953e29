"""Working days in England and Wales: weekends and bank holidays (from the
``holidays`` package) are skipped, across Christmas, Easter and the late May
and August bank holidays, as information requests' due dates need."""

from datetime import date, time

import pytest

from accreditation import clock


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Christmas 2026: Friday 25 and Monday 28 December (Boxing Day falls
        # on a Saturday, so its holiday is the Monday).
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 18), 10, date(2027, 1, 6)),  # and New Year's Day, Friday 1 January
        # Christmas 2027 falls on a weekend: the holidays are Monday 27 and Tuesday 28.
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        (date(2027, 3, 19), 10, date(2027, 4, 6)),
        # Late May 2027: Monday 31 May (the Spring bank holiday).
        (date(2027, 5, 28), 1, date(2027, 6, 1)),
        (date(2027, 5, 21), 10, date(2027, 6, 7)),
        # August 2027: Monday 30 August (the Summer bank holiday).
        (date(2027, 8, 27), 1, date(2027, 8, 31)),
        (date(2027, 8, 20), 10, date(2027, 9, 6)),
        # An ordinary fortnight: ten working days is two weeks.
        (date(2027, 3, 1), 10, date(2027, 3, 15)),
        # From a Saturday, the first working day is the Monday.
        (date(2027, 3, 6), 1, date(2027, 3, 8)),
    ],
)
def test_working_days_after(start, count, expected):
    assert clock.working_days_after(start, count) == expected


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 3), "May Day"),
        (date(2027, 5, 31), "Spring Bank Holiday"),
        (date(2027, 8, 30), "Late Summer Bank Holiday"),
    ],
)
def test_bank_holidays_are_not_working_days_and_are_named(day, name):
    assert not clock.is_working_day(day)
    assert name in clock.bank_holiday_name(day)


def test_ordinary_days():
    assert clock.is_working_day(date(2027, 3, 1))
    assert not clock.is_working_day(date(2027, 3, 6))  # a Saturday
    assert clock.bank_holiday_name(date(2027, 3, 1)) == ""
    # Scotland's St Andrew's Day is not a holiday in England and Wales.
    assert clock.is_working_day(date(2027, 11, 30))


@pytest.mark.parametrize(
    ("at", "described", "as_deadline"),
    [
        (time(7, 5, 52), "7:05am on 2 March 2027", "7:05:52am on 2 March 2027"),
        (time(17, 0, 9), "5pm on 2 March 2027", "5:00:09pm on 2 March 2027"),
        (time(0, 0, 30), "midnight on 2 March 2027", "12:00:30am on 2 March 2027"),
        (time(12, 0), "midday on 2 March 2027", "midday on 2 March 2027"),
        (time(17, 30), "5:30pm on 2 March 2027", "5:30pm on 2 March 2027"),
    ],
)
def test_a_deadline_keeps_its_seconds_so_no_page_names_a_time_already_past(
    at, described, as_deadline
):
    value = clock.at(date(2027, 3, 2), at)
    assert clock.describe(value) == described
    assert clock.describe_deadline(value) == as_deadline
