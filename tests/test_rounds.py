"""Round management: the term calendar, creating, changing and cancelling
rounds under the SPEC's rules, moving a cancelled round's drafts, and next
term's round created from the calendar once."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accreditation import clock
from accreditation.models import (
    AccreditationType,
    ActivityEntry,
    CaseEvent,
    OutboxMessage,
    Round,
    RoundStatus,
    Term,
    TermCalendar,
)
from accreditation.roles import Role
from accreditation.services import rounds as services
from accreditation.tasks import create_next_round
from accreditation.workflow import Status
from proposals.services import applicant, moving
from tests.casework import sign_in_verified
from tests.factories import MembershipFactory, ProposalFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Wednesday in term time, far from the clock changes.
NOW = datetime(2027, 2, 10, 12, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officer():
    return UserFactory(roles=[Role.CASEWORK_OFFICER])


def at(day, hour=17, minute=0):
    return clock.at(day, time(hour, minute))


SUMMER_2028 = {
    "opens_at": at(date(2028, 5, 10), 9),
    "deadline": at(date(2028, 6, 1)),
    "assessment_due": date(2028, 7, 3),
    "advisory_group_meeting": date(2028, 7, 17),
    "decision_target": date(2028, 7, 31),
}
"""A summer 2028 round's dates, after spring's (``values``)."""


def values(**overrides):
    """A valid new round: spring 2028, well clear of the factories' rounds."""
    base = {
        "term": Term.SPRING,
        "year": 2028,
        "accepts_asp": True,
        "accepts_asg": True,
        "opens_at": at(date(2028, 1, 17), 9),
        "deadline": at(date(2028, 3, 6)),
        "assessment_due": date(2028, 4, 17),
        "advisory_group_meeting": date(2028, 5, 2),
        "decision_target": date(2028, 5, 16),
    }
    return {**base, **overrides}


def round_of(**overrides):
    return services.create_round(UserFactory(roles=[Role.CASEWORK_OFFICER]), values(**overrides))


def errors_of(excinfo):
    return {k: " ".join(v) for k, v in excinfo.value.message_dict.items()}


# --- The term calendar ---------------------------------------------------------------


def test_the_calendar_has_each_term_with_the_usual_offsets():
    rows = TermCalendar.objects.ensure()
    assert [r.term for r in rows] == [Term.SPRING, Term.SUMMER, Term.AUTUMN]
    autumn = rows[2].dates_for(2027)
    # 15 September 2027 is a Wednesday; 49 days later is 3 November.
    assert autumn["opens_at"] == at(date(2027, 9, 15), 9)
    assert autumn["deadline"] == at(date(2027, 11, 3), 17)
    assert autumn["assessment_due"] == date(2027, 12, 15)
    assert autumn["advisory_group_meeting"] == date(2027, 12, 29)
    assert autumn["decision_target"] == date(2028, 1, 12)
    assert TermCalendar.objects.ensure() == rows  # asking again creates nothing


def test_calendar_dates_on_a_weekend_or_bank_holiday_move_to_the_next_working_day():
    summer = TermCalendar.objects.ensure()[1]
    # 1 May 2027 is a Saturday, and Monday 3 May is the early May bank holiday.
    dates = summer.dates_for(2027)
    assert clock.local(dates["opens_at"]) == datetime(
        2027, 5, 4, 9, tzinfo=clock.local(dates["opens_at"]).tzinfo
    )
    assert clock.local_date(dates["deadline"]) == date(2027, 6, 22)
    for name in ("assessment_due", "advisory_group_meeting", "decision_target"):
        assert clock.is_working_day(dates[name]), name


def test_an_officer_changes_the_calendar_with_an_audit_record(officer):
    spring = TermCalendar.objects.ensure()[0]
    changed = services.change_calendar(
        officer,
        spring,
        {**{n: getattr(spring, n) for n in services.CALENDAR_FIELDS}, "opens_day": 20},
        version=services.calendar_version(spring),
    )
    assert changed.opens_day == 20
    entry = ActivityEntry.objects.get(action="term_calendar_changed")
    assert entry.actor == officer
    assert entry.changes == {"opens_day": [15, 20]}


def test_a_calendar_month_outside_the_term_is_refused(officer):
    spring = TermCalendar.objects.ensure()[0]
    with pytest.raises(ValidationError) as excinfo:
        services.change_calendar(
            officer,
            spring,
            {**{n: getattr(spring, n) for n in services.CALENDAR_FIELDS}, "opens_month": 9},
        )
    assert "January to April" in errors_of(excinfo)["opens_month"]


def test_a_calendar_day_that_can_move_into_the_next_term_is_refused(frozen, officer):
    """31 December 2028 is a Sunday and 1 January 2029 a bank holiday: the
    autumn round would open on 2 January, in the spring term."""
    autumn = TermCalendar.objects.ensure()[2]
    fields = {n: getattr(autumn, n) for n in services.CALENDAR_FIELDS}
    with pytest.raises(ValidationError) as excinfo:
        services.change_calendar(officer, autumn, {**fields, "opens_month": 12, "opens_day": 31})
    assert errors_of(excinfo)["opens_day"] == (
        "In 2028 31 December is not a working day, and the round would open on the next one, "
        "2 January 2029, after the autumn term: choose an earlier day"
    )
    changed = services.change_calendar(
        officer, autumn, {**fields, "opens_month": 12, "opens_day": 15}
    )
    assert changed.opens_day == 15


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [
        (2, 29, "February has 28 days in most years: choose a day from 1 to 28"),
        (4, 31, "April has 30 days: choose a day from 1 to 30"),
    ],
)
def test_a_calendar_day_the_month_does_not_have_is_refused(officer, month, day, message):
    spring = TermCalendar.objects.ensure()[0]
    with pytest.raises(ValidationError) as excinfo:
        services.change_calendar(
            officer,
            spring,
            {
                **{n: getattr(spring, n) for n in services.CALENDAR_FIELDS},
                "opens_month": month,
                "opens_day": day,
            },
        )
    assert errors_of(excinfo)["opens_day"] == message


def test_the_calendar_page_changes_a_term(client, officer):
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-round-calendar"))
    assert "Autumn term" in page.text
    url = reverse("staff-round-calendar-term", args=["autumn"])
    form = client.get(url)
    version = form.context["form"].initial["version"]
    data = {
        "opens_day": "1",
        "opens_month": "10",
        "opens_time": "10am",
        "deadline_days": "30",
        "deadline_time": "23:59",
        "assessment_due_days": "20",
        "advisory_group_days": "7",
        "decision_target_days": "7",
        "version": version,
    }
    assert client.post(url, data).status_code == 302
    autumn = TermCalendar.objects.get(term="autumn")
    assert (autumn.opens_month, autumn.opens_time, autumn.deadline_time) == (
        10,
        time(10),
        time(23, 59),
    )
    midnight = client.post(url, {**data, "deadline_time": "12am"})
    assert "enter 11:59pm for the end of the day" in midnight.text
    bad = client.post(url, {**data, "opens_month": "2", "deadline_days": "0", "version": version})
    assert "Select a month in the term" in bad.text
    assert "The deadline must be at least 1 day after the round opens" in bad.text
    assert client.get(reverse("staff-round-calendar-term", args=["winter"])).status_code == 404


# --- Creating a round ----------------------------------------------------------------


def test_an_officer_creates_a_round_and_it_is_on_the_activity_log(frozen, officer):
    created = services.create_round(officer, values())
    assert str(created) == "Spring 2028"
    assert created.status() == RoundStatus.UPCOMING
    entry = ActivityEntry.objects.get(action="round_created")
    assert entry.actor == officer
    assert entry.changes["term"] == [None, "spring"]


def test_the_same_round_asked_for_twice_is_created_once_and_said_so(frozen, officer, client):
    """The form sent twice (resent, or from two tabs): the round made, not
    a page of errors about a round for that term already."""
    created = services.create_round(officer, values())
    with pytest.raises(services.AlreadyCreated) as again:
        services.create_round(officer, values())
    assert again.value.round == created
    # Other dates for the same term are another round, refused as before.
    with pytest.raises(ValidationError, match="There is already a round for Spring 2028"):
        services.create_round(officer, values(decision_target=date(2028, 5, 17)))
    assert Round.objects.count() == 1


def test_only_a_casework_officer_creates_a_round(frozen):
    for role in (Role.ASSESSOR, Role.DECISION_OFFICIAL, Role.ADMINISTRATOR, Role.APPLICANT):
        with pytest.raises(PermissionDenied):
            services.create_round(UserFactory(roles=[role]), values())
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"deadline": at(date(2028, 1, 10))},
            "deadline",
            "The deadline must be after the round opens",
        ),
        (
            {"assessment_due": date(2028, 3, 6)},
            "assessment_due",
            "The assessment due date must be after the deadline",
        ),
        (
            {"advisory_group_meeting": date(2028, 4, 17)},
            "advisory_group_meeting",
            "The Advisory Group meeting must be after the assessment due date",
        ),
        (
            {"decision_target": date(2028, 4, 30)},
            "decision_target",
            "The decision target date must be after the Advisory Group meeting",
        ),
        (
            {"accepts_asp": False, "accepts_asg": False},
            "accepts_asp",
            "Select the types of proposal the round takes",
        ),
        (
            {"opens_at": at(date(2026, 1, 1), 9), "deadline": at(date(2027, 1, 1))},
            "deadline",
            "The deadline must be in the future",
        ),
    ],
)
def test_a_round_with_bad_dates_is_refused(frozen, officer, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.create_round(officer, values(**overrides))
    assert errors_of(excinfo)[field] == message
    assert not Round.objects.exists()


def test_a_second_round_for_the_same_term_is_refused(frozen, officer):
    services.create_round(officer, values())
    with pytest.raises(ValidationError) as excinfo:
        services.create_round(
            officer, values(opens_at=at(date(2028, 3, 20), 9), deadline=at(date(2028, 4, 3)))
        )
    assert errors_of(excinfo)["term"] == "There is already a round for Spring 2028"


def test_a_round_open_at_the_same_time_as_another_taking_the_same_type_is_refused(frozen, officer):
    services.create_round(
        officer,
        values(
            accepts_asg=False,
            deadline=at(date(2028, 5, 15)),
            assessment_due=date(2028, 6, 1),
            advisory_group_meeting=date(2028, 6, 15),
            decision_target=date(2028, 6, 29),
        ),
    )
    overlapping = values(term=Term.SUMMER, **{**SUMMER_2028, "opens_at": at(date(2028, 5, 2), 9)})
    with pytest.raises(ValidationError) as excinfo:
        services.create_round(officer, overlapping)
    assert (
        "open at the same time as the Spring 2028 round, which also takes ASP"
        in errors_of(excinfo)["opens_at"]
    )
    # Taking only the other type, it may run alongside.
    services.create_round(officer, {**overlapping, "accepts_asp": False})
    assert Round.objects.count() == 2


def test_a_cancelled_rounds_term_and_dates_can_have_another_round(frozen, officer):
    """Its drafts need a round to move to: the term's new one."""
    first = services.create_round(officer, values())
    with pytest.raises(ValidationError) as excinfo:
        services.create_round(officer, values(decision_target=date(2028, 5, 17)))
    assert "There is already a round for Spring 2028" in errors_of(excinfo)["term"]
    services.cancel_round(officer, first, "The assessors are not ready")
    again = services.create_round(officer, values())
    assert Round.objects.count() == 2 and again.cancelled_at is None


def test_a_new_round_is_suggested_for_a_term_whose_round_was_cancelled(frozen, officer):
    assert services.suggested_term() == (Term.SUMMER, 2027)
    summer = services.create_round(officer, services.defaults_for(Term.SUMMER, 2027))
    assert services.suggested_term() == (Term.AUTUMN, 2027)
    services.cancel_round(officer, summer, "The assessors are not ready")
    assert services.suggested_term() == (Term.SUMMER, 2027)


def test_a_round_opens_in_its_term_and_year(frozen, officer):
    with pytest.raises(ValidationError) as excinfo:
        services.create_round(officer, values(year=2030))
    assert errors_of(excinfo)["opens_at"] == (
        "The Spring 2030 round must open between January and April 2030: change its opening "
        "date, or its term and year"
    )
    with pytest.raises(ValidationError):
        services.create_round(officer, values(term=Term.SUMMER))


# --- Changing a round ----------------------------------------------------------------


def test_before_opening_everything_can_change(frozen, officer):
    upcoming = services.create_round(officer, values())
    changed = services.change_round(
        officer,
        upcoming,
        values(term=Term.SUMMER, accepts_asg=False, **SUMMER_2028),
        version=services.round_version(upcoming),
    )
    assert (changed.term, changed.accepts_asg) == (Term.SUMMER, False)
    entry = ActivityEntry.objects.get(action="round_changed")
    assert entry.changes["term"] == ["spring", "summer"]
    assert entry.changes["accepts_asg"] == [True, False]


def test_the_round_page_says_what_changed_in_words(frozen, client, officer):
    upcoming = services.create_round(officer, values())
    services.change_round(
        officer,
        upcoming,
        values(
            opens_at=at(date(2028, 1, 17), 10),
            accepts_asg=False,
            deadline=at(date(2028, 3, 1), 23, 59),
            assessment_due=date(2028, 4, 3),
        ),
    )
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-round", args=[upcoming.pk])).text
    assert "<li>Opens: 9am on 17 January 2028 to 10am on 17 January 2028</li>" in page
    assert "<li>Takes ASG proposals: yes to no</li>" in page
    assert "<li>Submission deadline: 5pm on 6 March 2028 to 11:59pm on 1 March 2028</li>" in page
    assert "<li>Assessment due: 17 April 2028 to 3 April 2028</li>" in page
    assert "accepts_asg" not in page
    assert "<li>Decision target: 16 May 2028</li>" in page  # as created
    assert "Cancellation reason" not in page  # left empty when created


def test_the_round_page_says_when_and_why_it_was_cancelled(frozen, client, officer):
    upcoming = services.create_round(officer, values())
    with time_machine.travel(clock.now() + timedelta(seconds=43), tick=False):
        services.cancel_round(officer, upcoming, "The assessors are not ready")
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-round", args=[upcoming.pk])).text
    assert "<li>Cancellation reason: The assessors are not ready</li>" in page
    cancelled = clock.describe(upcoming.cancelled_at)
    assert ":43" not in cancelled and f"<li>Cancelled at: {cancelled}</li>" in page


def test_a_change_from_a_stale_page_is_refused(frozen, officer):
    from accreditation.versions import StaleEdit

    upcoming = services.create_round(officer, values())
    seen = services.round_version(upcoming)
    services.change_round(officer, upcoming, values(decision_target=date(2028, 6, 1)))
    with pytest.raises(StaleEdit):
        services.change_round(
            officer, upcoming, values(decision_target=date(2028, 7, 1)), version=seen
        )


def open_round(officer):
    """Spring 2027, open now (NOW is 10 February 2027)."""
    return services.create_round(
        officer,
        values(
            year=2027,
            opens_at=at(date(2027, 1, 18), 9),
            deadline=at(date(2027, 3, 8)),
            assessment_due=date(2027, 4, 19),
            advisory_group_meeting=date(2027, 5, 3),
            decision_target=date(2027, 5, 17),
        ),
    )


def current(round_, **overrides):
    return {**{n: getattr(round_, n) for n in services.EDITABLE_FIELDS}, **overrides}


def test_after_opening_the_deadline_is_extended_and_later_dates_move_later(frozen, officer):
    round_ = open_round(officer)
    changed = services.change_round(
        officer,
        round_,
        current(
            round_,
            deadline=at(date(2027, 3, 15)),
            assessment_due=date(2027, 4, 26),
            advisory_group_meeting=date(2027, 5, 10),
            decision_target=date(2027, 5, 24),
        ),
    )
    assert changed.deadline == at(date(2027, 3, 15))
    assert changed.is_open()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"deadline": at(date(2027, 3, 1))},
            "deadline",
            "its deadline can only be extended",
        ),
        ({"assessment_due": date(2027, 4, 12)}, "assessment_due", "can only move later"),
        ({"decision_target": date(2027, 5, 16)}, "decision_target", "can only move later"),
        ({"term": Term.SUMMER}, "term", "can no longer change"),
        ({"accepts_asg": False}, "accepts_asp", "can no longer change"),
        ({"opens_at": at(date(2027, 1, 25), 9)}, "opens_at", "can no longer change"),
    ],
)
def test_after_opening_an_earlier_date_or_a_fixed_field_is_refused(
    frozen, officer, overrides, field, message
):
    round_ = open_round(officer)
    with pytest.raises(ValidationError) as excinfo:
        services.change_round(officer, round_, current(round_, **overrides))
    assert message in errors_of(excinfo)[field]
    round_.refresh_from_db()
    assert round_.deadline == at(date(2027, 3, 8))


def test_extending_an_open_round_is_judged_against_the_time_still_to_come(frozen, officer):
    round_ = open_round(officer)
    # A short ASP round that was open beside it and has closed: only the
    # past overlaps, so the extension stands.
    RoundFactory(
        term=Term.SUMMER,
        year=2027,
        accepts_asg=False,
        opens_at=at(date(2027, 2, 1), 9),
        deadline=at(date(2027, 2, 5)),
    )
    extended = services.change_round(
        officer, round_, current(round_, deadline=at(date(2027, 3, 15)))
    )
    assert extended.deadline == at(date(2027, 3, 15))
    # A round still to come within the new dates does clash.
    RoundFactory(
        term=Term.AUTUMN,
        year=2027,
        accepts_asg=False,
        opens_at=at(date(2027, 3, 20), 9),
        deadline=at(date(2027, 4, 30)),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.change_round(officer, extended, current(extended, deadline=at(date(2027, 3, 22))))
    assert "Autumn 2027 round, which also takes ASP" in errors_of(excinfo)["opens_at"]


def test_a_closed_rounds_deadline_can_no_longer_change(officer):
    with time_machine.travel(datetime(2027, 1, 4, tzinfo=UTC), tick=False):
        round_ = open_round(officer)
    with time_machine.travel(datetime(2027, 3, 9, tzinfo=UTC), tick=False):
        assert round_.status() == RoundStatus.CLOSED
        with pytest.raises(ValidationError) as excinfo:
            services.change_round(officer, round_, current(round_, deadline=at(date(2027, 3, 20))))
        assert "its deadline can no longer change" in errors_of(excinfo)["deadline"]
        # Its later dates still move later.
        services.change_round(officer, round_, current(round_, decision_target=date(2027, 6, 1)))


def test_a_deadline_earlier_than_now_is_refused_before_opening_too(frozen, officer):
    upcoming = services.create_round(officer, values())
    past = current(upcoming, opens_at=at(date(2027, 1, 4), 9), deadline=at(date(2027, 2, 1)))
    with pytest.raises(ValidationError) as excinfo:
        services.change_round(officer, upcoming, past)
    assert errors_of(excinfo)["deadline"] == "The deadline must be in the future"


def test_the_applicants_pages_tell_the_new_deadline(frozen, officer, client):
    round_ = open_round(officer)
    membership = MembershipFactory()
    draft = applicant.start_proposal(
        organisation=membership.organisation,
        period=round_,
        accreditation_type=AccreditationType.ASP,
        actor=membership.user,
    )
    services.change_round(officer, round_, current(round_, deadline=at(date(2027, 3, 15))))
    client.force_login(membership.user)
    page = client.get(reverse("proposal-task-list", args=[draft.pk]))
    assert "5pm on 15 March 2027" in page.text


def test_the_contacts_of_each_draft_are_told_the_new_deadline_once(frozen, officer):
    round_ = open_round(officer)
    membership = MembershipFactory(organisation__name="Oakfield Learning Trust")
    colleague = MembershipFactory(organisation=membership.organisation)
    MembershipFactory(organisation=membership.organisation, is_contact=False)
    draft = applicant.start_proposal(
        organisation=membership.organisation,
        period=round_,
        accreditation_type=AccreditationType.ASP,
        actor=membership.user,
    )
    withdrawn = ProposalFactory(round=round_, status=Status.WITHDRAWN)
    submitted = ProposalFactory(round=round_, status=Status.SUBMITTED)
    for case in (withdrawn, submitted):
        MembershipFactory(organisation=case.organisation)

    def told():
        return OutboxMessage.objects.filter(key__startswith="deadline-moved:").order_by("to")

    # Another date moved: nobody is told.
    services.change_round(officer, round_, current(round_, decision_target=date(2027, 6, 1)))
    assert not told().exists()
    round_.refresh_from_db()
    extended = services.change_round(
        officer, round_, current(round_, deadline=at(date(2027, 3, 15), 12))
    )
    assert [m.to for m in told()] == sorted([membership.user.email, colleague.user.email])
    message = told().first()
    assert message.subject == f"The {round_} round's deadline has moved to midday on 15 March 2027"
    assert (
        f"The deadline of the {round_} round has moved: proposals can now be submitted until "
        "midday on 15 March 2027 (UK time). It was 5pm on 8 March 2027." in message.body
    )
    assert f"Your organisation’s {draft.draft_in_words} has not been submitted yet." in message.body
    assert "Organisation: Oakfield Learning Trust" in message.body
    assert reverse("proposal-task-list", args=[draft.pk]) in message.body
    # The same deadline sent again changes nothing and tells nobody again.
    services.change_round(officer, extended, current(extended))
    assert told().count() == 2
    # Moved once more: told again, of the new one.
    extended.refresh_from_db()
    services.change_round(officer, extended, current(extended, deadline=at(date(2027, 3, 19))))
    assert told().count() == 4
    assert told().filter(subject__endswith="5pm on 19 March 2027").count() == 2


# --- Cancelling a round --------------------------------------------------------------


def draft_in(round_, accreditation_type=AccreditationType.ASP, membership=None):
    membership = membership or MembershipFactory(
        organisation__schools_led_count=3, organisation__primary_governance_count=3
    )
    proposal = applicant.start_proposal(
        organisation=membership.organisation,
        period=round_,
        accreditation_type=accreditation_type,
        actor=membership.user,
    )
    proposal.member = membership.user
    return proposal


def test_cancelling_keeps_the_drafts_and_tells_their_contacts(frozen, officer):
    round_ = open_round(officer)
    draft = draft_in(round_)
    cancelled = services.cancel_round(officer, round_, "The dates clash with the spending review")
    assert cancelled.status() == RoundStatus.CANCELLED
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    event = CaseEvent.objects.get(case_id=draft.pk, action="round_cancelled")
    assert event.details["reason"] == "The dates clash with the spending review"
    assert OutboxMessage.objects.filter(key=f"round-cancelled:{draft.pk}").count() == 1
    entry = ActivityEntry.objects.get(action="round_cancelled")
    assert entry.changes["cancellation_reason"] == ["", "The dates clash with the spending review"]
    # A cancelled round's drafts are not lapsed at its deadline.
    from proposals.tasks import lapse_overdue_drafts

    with time_machine.travel(datetime(2027, 4, 1, tzinfo=UTC), tick=False):
        lapse_overdue_drafts()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_round_with_a_submission_cannot_be_cancelled(frozen, officer):
    round_ = open_round(officer)
    ProposalFactory(round=round_, status=Status.SUBMITTED)
    with pytest.raises(services.CannotCancel, match="1 proposal has been submitted"):
        services.cancel_round(officer, round_, "Too few applicants")
    round_.refresh_from_db()
    assert round_.cancelled_at is None


def test_cancelling_needs_a_reason_and_happens_once(frozen, officer):
    round_ = open_round(officer)
    with pytest.raises(services.CannotCancel, match="Enter why"):
        services.cancel_round(officer, round_, "   ")
    services.cancel_round(officer, round_, "Moved")
    with pytest.raises(services.CannotCancel, match="already been cancelled"):
        services.cancel_round(officer, round_, "Again")
    with pytest.raises(ValidationError):
        services.change_round(officer, round_, current(round_, decision_target=date(2027, 7, 1)))


def test_a_draft_in_a_cancelled_round_cannot_be_submitted(frozen, officer):
    from accreditation.workflow import WorkflowError
    from tests.journey_helpers import complete

    round_ = open_round(officer)
    draft = draft_in(round_)
    complete(draft, draft.member)
    services.cancel_round(officer, round_, "Moved")
    with pytest.raises(WorkflowError, match="The Spring 2027 round was cancelled"):
        applicant.submit(draft, draft.member)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference is None


# --- Moving the drafts of a cancelled round ------------------------------------------


@pytest.fixture
def cancelled_and_open(frozen, officer):
    """A cancelled upcoming-then-cancelled round with drafts, and an open one."""
    target = open_round(officer)
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        source = services.create_round(
            officer,
            values(
                term=Term.AUTUMN,
                year=2026,
                opens_at=at(date(2026, 9, 15), 9),
                deadline=at(date(2026, 11, 3)),
                assessment_due=date(2026, 12, 15),
                advisory_group_meeting=date(2026, 12, 29),
                decision_target=date(2027, 1, 12),
            ),
        )
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        drafts = [draft_in(source), draft_in(source, AccreditationType.ASG)]
        services.cancel_round(officer, source, "Not enough assessors")
    return source, target, drafts


def test_an_officer_moves_every_draft_to_an_open_round(cancelled_and_open, officer):
    source, target, drafts = cancelled_and_open
    result = moving.move_drafts(officer, source, target)
    assert len(result.moved) == 2 and not result.left
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.round == target and draft.status == Status.DRAFT
        assert CaseEvent.objects.filter(case_id=draft.pk, action="moved_to_round").count() == 1
        assert OutboxMessage.objects.filter(key=f"moved:{draft.pk}:{target.pk}").exists()
    assert ActivityEntry.objects.filter(action="round_drafts_moved").count() == 1
    # And the applicant can now submit in the open round: the task list says its deadline.
    assert drafts[0].round.is_open() is True


def test_drafts_that_cannot_go_are_left_with_the_reason(cancelled_and_open, officer):
    source, target, drafts = cancelled_and_open
    target.accepts_asg = False
    target.save()
    # The officer is in conflict with the first draft's organisation.
    from tests.factories import ConflictFactory

    ConflictFactory(user=officer, organisation=drafts[0].organisation)
    result = moving.move_drafts(officer, source, target)
    assert result.moved == []
    reasons = {d.pk: why for d, why in result.left}
    assert "conflict of interest" in reasons[drafts[0].pk]
    assert "does not take ASG proposals" in reasons[drafts[1].pk]


def test_a_draft_moves_only_to_an_open_round(cancelled_and_open, officer):
    source, target, drafts = cancelled_and_open
    with time_machine.travel(datetime(2027, 3, 9, tzinfo=UTC), tick=False):
        with pytest.raises(moving.MoveError, match="open now"):
            moving.move_drafts(officer, source, target)
    with pytest.raises(moving.MoveError, match="cancelled round"):
        moving.move_drafts(officer, target, source)


def test_the_move_page_of_a_round_not_cancelled_offers_no_move(cancelled_and_open, client, officer):
    source, target, drafts = cancelled_and_open
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-round-move", args=[target.pk]))
    assert "this round has not been cancelled" in page.text
    assert 'name="target"' not in page.text
    moving_page = client.get(reverse("staff-round-move", args=[source.pk]))
    assert "this round has not been cancelled" not in moving_page.text
    assert 'name="target"' in moving_page.text
    url = reverse("staff-round-move", args=[source.pk])
    moved = client.post(url, {"target": target.pk}, follow=True).text
    assert "2 drafts moved to the" in moved
    # Sent again (nothing left to move): said so, with nobody told anything.
    again = client.post(url, {"target": target.pk}, follow=True).text
    assert "No draft was moved: the " in again and "has no draft to move" in again
    assert "0 drafts moved" not in again


def test_a_member_moves_their_own_draft_and_an_outsider_cannot(cancelled_and_open, client):
    source, target, drafts = cancelled_and_open
    draft = drafts[0]
    outsider = MembershipFactory(user__roles=[Role.APPLICANT]).user
    with pytest.raises(PermissionDenied):
        moving.move_draft(draft, target, outsider)
    moving.move_draft(draft, target, draft.member)
    draft.refresh_from_db()
    assert draft.round == target
    with pytest.raises(moving.MoveError):
        moving.move_draft(draft, target, draft.member)


def test_a_draft_does_not_move_where_its_organisation_has_one_of_its_type(
    cancelled_and_open, officer
):
    source, target, drafts = cancelled_and_open
    draft_in(target, membership=drafts[0].organisation.memberships.first())
    result = moving.move_drafts(officer, source, target)
    assert [d.pk for d in result.moved] == [drafts[1].pk]
    assert "already has an ASP proposal" in result.left[0][1]


# --- Next term's round from the calendar --------------------------------------------


def test_next_terms_round_is_created_from_the_calendar_once(frozen):
    first = create_next_round()
    assert first == {"created": "Summer 2027"}
    created = Round.objects.get()
    assert (created.term, created.year) == (Term.SUMMER, 2027)
    assert created.opens_at == TermCalendar.objects.get(term="summer").dates_for(2027)["opens_at"]
    assert create_next_round() == {"created": None}
    assert Round.objects.count() == 1
    entry = ActivityEntry.objects.get(action="round_created_from_calendar")
    assert entry.actor is None


def test_next_terms_round_is_not_created_again_after_it_is_removed(frozen):
    create_next_round()
    Round.objects.all().delete()
    assert create_next_round() == {"created": None}
    assert not Round.objects.exists()


def test_a_round_an_officer_made_for_next_term_is_kept(frozen, officer):
    made = services.create_round(
        officer,
        values(
            term=Term.SUMMER,
            year=2027,
            opens_at=at(date(2027, 5, 10), 9),
            deadline=at(date(2027, 6, 1)),
            assessment_due=date(2027, 7, 1),
            advisory_group_meeting=date(2027, 7, 15),
            decision_target=date(2027, 8, 1),
        ),
    )
    assert services.create_next_round() is None
    assert list(Round.objects.all()) == [made]


def test_the_daily_task_is_on_the_schedule():
    from django_celery_beat.models import PeriodicTask

    from accreditation.schedule import ensure_schedule

    ensure_schedule()
    task = PeriodicTask.objects.get(task="accreditation.tasks.create_next_round")
    assert task.interval.every == 86400


# --- The pages -----------------------------------------------------------------------


def test_the_rounds_list_shows_each_state_and_counts(frozen, officer, client):
    upcoming = services.create_round(officer, values())
    open_ = open_round(officer)
    draft_in(open_)
    ProposalFactory(round=open_, status=Status.SUBMITTED)
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-rounds"))
    assert page.status_code == 200
    rows = {r.pk: r for r in page.context["rounds"]}
    assert rows[upcoming.pk].state == RoundStatus.UPCOMING
    assert rows[open_.pk].state == RoundStatus.OPEN
    assert (rows[open_.pk].drafts, rows[open_.pk].submitted) == (1, 1)
    assert "Upcoming" in page.text and "Open" in page.text


@pytest.mark.parametrize("size", [1, 12])
def test_the_rounds_list_takes_the_same_queries_at_any_size(
    size, officer, client, django_assert_num_queries
):
    for _ in range(size):
        round_ = RoundFactory()
        ProposalFactory(round=round_)
    sign_in_verified(client, officer)
    client.get(reverse("staff-rounds"))
    with django_assert_num_queries(6):
        response = client.get(reverse("staff-rounds"))
    assert len(response.context["rounds"]) == size


def test_creating_a_round_in_the_browserless_form(frozen, officer, client):
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-round-new"))
    initial = page.context["form"].initial
    # Prefilled for the next term with no round, from the calendar.
    assert (initial["term"], initial["year"]) == (Term.SUMMER, 2027)
    prefill = client.post(
        reverse("staff-round-new"), {"term": "autumn", "year": "2027", "prefill": "1"}
    )
    assert prefill.context["form"].initial["opens_date"] == date(2027, 9, 15)
    odd = client.post(
        reverse("staff-round-new"),
        {"term": "autumn", "year": "\u00b2\u2070\u00b2\u2077", "prefill": "1"},
    )
    assert odd.status_code == 200  # a year in other digits is no year, not an error
    data = {
        "term": "autumn",
        "year": "2027",
        "types": ["asp", "asg"],
        "opens_date_0": "15",
        "opens_date_1": "9",
        "opens_date_2": "2027",
        "opens_time": "9am",
        "deadline_date_0": "3",
        "deadline_date_1": "11",
        "deadline_date_2": "2027",
        "deadline_time": "5pm",
        "assessment_due_0": "15",
        "assessment_due_1": "12",
        "assessment_due_2": "2027",
        "advisory_group_meeting_0": "29",
        "advisory_group_meeting_1": "12",
        "advisory_group_meeting_2": "2027",
        "decision_target_0": "12",
        "decision_target_1": "1",
        "decision_target_2": "2028",
        "version": "new",
    }
    response = client.post(reverse("staff-round-new"), data)
    created = Round.objects.get(term="autumn", year=2027)
    assert response.url == reverse("staff-round", args=[created.pk])
    # Sent again: the round made, said so; other dates for its term refused.
    again = client.post(reverse("staff-round-new"), data, follow=True)
    assert again.redirect_chain[-1][0] == reverse("staff-round", args=[created.pk])
    assert "The Autumn 2027 round was created already, with these dates." in again.text
    other = client.post(reverse("staff-round-new"), {**data, "decision_target_0": "13"})
    assert "There is already a round for Autumn 2027" in other.text
    assert "Error: " in other.text
    assert Round.objects.filter(term="autumn", year=2027).count() == 1
    wrong = client.post(
        reverse("staff-round-new"),
        {**data, "year": "2028", "deadline_date_1": "8", "deadline_time": "noonish"},
    )
    assert "The deadline must be after the round opens" not in wrong.text
    assert "Enter the deadline time, like 5pm or 17:00" in wrong.text
    for midnight in ("12am", "00:00", "12.00 a.m."):
        ambiguous = client.post(
            reverse("staff-round-new"), {**data, "year": "2028", "deadline_time": midnight}
        )
        assert "A deadline cannot be at midnight" in ambiguous.text
    before = client.post(
        reverse("staff-round-new"), {**data, "year": "2028", "deadline_date_1": "8"}
    )
    assert "The deadline must be after the round opens" in before.text
    assert Round.objects.count() == 1


def date_data(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def summer_2027_data():
    """The new round page filled in for a summer 2027 round."""
    return {
        "term": "summer",
        "year": "2027",
        "types": ["asp", "asg"],
        **date_data("opens_date", date(2027, 5, 10)),
        "opens_time": "9am",
        **date_data("deadline_date", date(2027, 6, 1)),
        "deadline_time": "5pm",
        **date_data("assessment_due", date(2027, 7, 5)),
        **date_data("advisory_group_meeting", date(2027, 7, 19)),
        **date_data("decision_target", date(2027, 8, 2)),
        "version": "new",
    }


@pytest.mark.parametrize(
    "field, message",
    [
        ("opens_date", "The year of the opening date must include 4 numbers"),
        ("deadline_date", "The year of the deadline date must include 4 numbers"),
        ("assessment_due", "The year of the assessment due date must include 4 numbers"),
        (
            "advisory_group_meeting",
            "The year of the date of the Advisory Group meeting must include 4 numbers",
        ),
        ("decision_target", "The year of the decision target date must include 4 numbers"),
    ],
)
@pytest.mark.parametrize("year", ["27", "0027", "20271"])
def test_a_round_date_whose_year_is_not_4_numbers_is_refused_as_such(
    frozen, officer, client, field, message, year
):
    sign_in_verified(client, officer)
    data = summer_2027_data()
    refused = client.post(reverse("staff-round-new"), {**data, f"{field}_2": year})
    assert refused.status_code == 200
    assert refused.context["form"].errors[field] == [message]
    assert message in refused.text
    assert "must open between" not in refused.text
    assert not Round.objects.exists()
    assert client.post(reverse("staff-round-new"), data).status_code == 302


def test_a_changed_round_date_whose_year_is_not_4_numbers_is_refused_as_such(
    frozen, officer, client
):
    period = services.create_round(officer, values())
    sign_in_verified(client, officer)
    url = reverse("staff-round-change", args=[period.pk])
    shown = client.get(url).context["form"].initial
    data = {
        **date_data("deadline_date", date(2028, 3, 6)),
        "deadline_time": shown["deadline_time"],
        **date_data("assessment_due", date(2028, 4, 17)),
        **date_data("advisory_group_meeting", date(2028, 5, 2)),
        **date_data("decision_target", date(2028, 5, 16)),
        "version": shown["version"],
    }
    for name in ("term", "year", "types", "opens_time"):
        data[name] = shown[name]
    data.update(date_data("opens_date", shown["opens_date"]))
    refused = client.post(url, {**data, "deadline_date_2": "28"})
    assert refused.status_code == 200
    assert "The year of the deadline date must include 4 numbers" in refused.text
    period.refresh_from_db()
    assert period.deadline == at(date(2028, 3, 6))
    assert client.post(url, {**data, "deadline_date_0": "7"}).status_code == 302


def test_a_round_sent_back_unchanged_says_nothing_was_changed(frozen, officer, client):
    period = services.create_round(officer, values())
    sign_in_verified(client, officer)
    url = reverse("staff-round-change", args=[period.pk])
    shown = client.get(url).context["form"].initial
    data = {name: shown[name] for name in ("term", "year", "types", "version")}
    data.update(opens_time=shown["opens_time"], deadline_time=shown["deadline_time"])
    for name in ("opens_date", "deadline_date", "assessment_due"):
        data.update(date_data(name, shown[name]))
    for name in ("advisory_group_meeting", "decision_target"):
        data.update(date_data(name, shown[name]))
    unchanged = client.post(url, data, follow=True)
    assert f"Nothing was changed: the {period} round is as it was." in unchanged.text
    assert "round has been changed" not in unchanged.text
    data.update(date_data("decision_target", shown["decision_target"] + timedelta(days=7)))
    changed = client.post(url, data, follow=True)
    assert f"The {period} round has been changed." in changed.text


def test_a_round_set_at_midnight_keeps_its_deadline_when_other_dates_change(
    frozen, client, officer
):
    """Set before midnight deadlines were refused: its page sent back as it
    stands is taken; a deadline moved to another midnight is not."""
    period = services.create_round(officer, values(deadline=at(date(2028, 3, 6), 0)))
    sign_in_verified(client, officer)
    url = reverse("staff-round-change", args=[period.pk])
    shown = client.get(url).context["form"].initial
    data = {
        "term": shown["term"],
        "year": shown["year"],
        "types": shown["types"],
        "opens_date_0": shown["opens_date"].day,
        "opens_date_1": shown["opens_date"].month,
        "opens_date_2": shown["opens_date"].year,
        "opens_time": shown["opens_time"],
        "deadline_date_0": "6",
        "deadline_date_1": "3",
        "deadline_date_2": "2028",
        "deadline_time": shown["deadline_time"],
        "assessment_due_0": "17",
        "assessment_due_1": "4",
        "assessment_due_2": "2028",
        "advisory_group_meeting_0": "2",
        "advisory_group_meeting_1": "5",
        "advisory_group_meeting_2": "2028",
        "decision_target_0": "23",
        "decision_target_1": "5",
        "decision_target_2": "2028",
        "version": shown["version"],
    }
    assert shown["deadline_time"] == "00:00"
    assert client.post(url, data).status_code == 302
    period.refresh_from_db()
    assert period.decision_target == date(2028, 5, 23)
    moved = client.post(
        url,
        {**data, "deadline_date_0": "7", "version": services.round_version(period)},
    )
    assert "A deadline cannot be at midnight" in moved.text


def test_other_staff_are_refused_the_round_pages(frozen, client):
    round_ = RoundFactory()
    urls = [
        reverse("staff-rounds"),
        reverse("staff-round-new"),
        reverse("staff-round", args=[round_.pk]),
        reverse("staff-round-change", args=[round_.pk]),
        reverse("staff-round-cancel", args=[round_.pk]),
        reverse("staff-round-move", args=[round_.pk]),
        reverse("staff-round-calendar"),
        reverse("staff-round-calendar-term", args=["spring"]),
    ]
    for role in (
        Role.ASSESSOR,
        Role.ADVISORY_GROUP_MEMBER,
        Role.DECISION_OFFICIAL,
        Role.ADMINISTRATOR,
    ):
        sign_in_verified(client, UserFactory(roles=[role]))
        assert {client.get(u).status_code for u in urls} == {403}
        assert {client.post(u, {"reason": "x"}).status_code for u in urls} == {403}
        client.logout()
    client.force_login(MembershipFactory().user)
    assert {client.get(u).status_code for u in urls} == {403}
    round_.refresh_from_db()
    assert round_.cancelled_at is None


def test_the_cancel_page_refuses_a_round_with_submissions(frozen, officer, client):
    round_ = open_round(officer)
    ProposalFactory(round=round_, status=Status.SUBMITTED)
    sign_in_verified(client, officer)
    page = client.get(reverse("staff-round", args=[round_.pk]))
    assert "cannot be cancelled" in page.text
    response = client.post(reverse("staff-round-cancel", args=[round_.pk]), {"reason": "Why not"})
    assert "1 proposal has been submitted" in response.text
    # The page itself says so, and offers no form to fill in first.
    cancel_page = client.get(reverse("staff-round-cancel", args=[round_.pk])).text
    assert "This round cannot be cancelled: 1 proposal has been submitted in it" in cancel_page
    assert 'name="reason"' not in cancel_page


def test_a_round_cancelled_with_no_drafts_offers_none_to_move(frozen, officer, client):
    round_ = open_round(officer)
    sign_in_verified(client, officer)
    response = client.post(
        reverse("staff-round-cancel", args=[round_.pk]),
        {"reason": "Opened by mistake"},
        follow=True,
    )
    assert f"The {round_} round has been cancelled." in response.text
    assert "move them to another round" not in response.text
    page = client.get(reverse("staff-round-move", args=[round_.pk])).text
    assert "There are no drafts to move." in page
    assert 'name="target"' not in page


def test_the_applicant_is_told_their_round_was_cancelled_and_moves_the_draft(
    cancelled_and_open, client
):
    source, target, drafts = cancelled_and_open
    draft = drafts[0]
    client.force_login(draft.member)
    page = client.get(reverse("proposal-task-list", args=[draft.pk]))
    assert "The Autumn 2026 round was cancelled" in page.text
    assert "submit by" not in page.text
    move_page = client.get(reverse("proposal-move", args=[draft.pk]))
    assert "Spring 2027 (deadline 5pm on 8 March 2027)" in move_page.text
    response = client.post(reverse("proposal-move", args=[draft.pk]), {"target": target.pk})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.round == target
    page = client.get(reverse("proposal-task-list", args=[draft.pk]))
    assert "5pm on 8 March 2027" in page.text


def test_the_open_rounds_and_the_next_come_from_one_query(django_assert_num_queries):
    now = clock.now()
    later = RoundFactory(deadline=now + timedelta(days=30))
    sooner = RoundFactory(deadline=now + timedelta(days=3))
    RoundFactory(opens_at=now - timedelta(days=60), deadline=now - timedelta(seconds=1))
    RoundFactory(opens_at=now + timedelta(days=5), cancelled_at=now, cancellation_reason="No.")
    after_next = RoundFactory(
        opens_at=now + timedelta(days=200), deadline=now + timedelta(days=230)
    )
    following = RoundFactory(opens_at=now + timedelta(days=100), deadline=now + timedelta(days=130))
    with django_assert_num_queries(1):
        open_rounds, next_round = Round.objects.open_and_next(now)
    assert open_rounds == [sooner, later]
    assert next_round == following
    assert after_next not in open_rounds
    # Exactly at a round's deadline it is closed; exactly at its opening, open.
    assert Round.objects.open_and_next(sooner.deadline)[0] == [later]
    assert Round.objects.open_and_next(following.opens_at) == ([following], after_next)


def test_an_open_rounds_deadline_moved_earlier_within_its_day_links_to_the_time(
    frozen, officer, client
):
    """A tester moved the deadline an hour earlier on its own day: the
    refusal is about the time they typed, so it links there."""
    period = open_round(officer)
    sign_in_verified(client, officer)
    url = reverse("staff-round-change", args=[period.pk])
    shown = client.get(url).context["form"].initial
    data = {"version": shown["version"], "deadline_time": "4pm"}
    for name in ("deadline_date", "assessment_due", "advisory_group_meeting", "decision_target"):
        data.update(date_data(name, shown[name]))
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["deadline_time"] == [
        "The round has opened, so its deadline can only be extended: choose a time after "
        f"{clock.describe(period.deadline)}"
    ]
    assert 'href="#id_deadline_time"' in refused.text
    # Moved to another day, it is about the date.
    data.update(date_data("deadline_date", shown["deadline_date"] - timedelta(days=1)))
    data["deadline_time"] = shown["deadline_time"]
    refused = client.post(url, data)
    assert "deadline_date" in refused.context["form"].errors


def test_a_dates_message_keeps_the_capitals_of_what_it_names():
    from django.core.exceptions import ValidationError

    from accreditation.forms.rounds import RoundForm

    field = RoundForm.base_fields["advisory_group_meeting"]
    for typed, message in (
        (["31", "2", "2027"], "The date of the Advisory Group meeting must be a real date"),
        (["", "2", "2027"], "The date of the Advisory Group meeting must include a day"),
    ):
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.messages == [message]
